"""Verify a redacted PDF: re-open it and search everywhere for what was redacted.

A secret is a string that was redacted (a name, an e-mail address, a phone number). `verify` looks for
every secret in each place personal data can hide in a PDF (woo-domain.md §4 and §7) and reports each
find as a `Leak` with the channel and the place, never with the secret itself.

| channel      | what is searched                                             | how a secret matches                 |
|--------------|--------------------------------------------------------------|--------------------------------------|
| page_text    | extracted text of every page                                 | whole word/phrase, case-sensitive,   |
|              |                                                              | any whitespace between its words     |
| metadata     | every /Info entry, XMP streams (/Metadata of any object)     | substring, case-insensitive          |
| annotation   | contents, title, subject, rich text, URIs of annotations     | substring, case-insensitive          |
|              | (and of their popups)                                        | (URIs also percent-decoded)          |
| outline      | bookmark titles and their URI actions                        | substring, case-insensitive          |
| attachment   | embedded file names, descriptions and decompressed content   | substring, case-insensitive; content |
|              | (name tree and FileAttachment annotations)                   | like `bytes`                         |
| form         | AcroForm field names, values, options; XFA streams           | substring, case-insensitive          |
| bytes        | every object (strings and names in it, decompressed stream   | substring, case-sensitive, encoded   |
|              | data), the raw file, and each earlier revision of the file   | as utf-8, latin-1 and utf-16-be      |

Secrets shorter than 3 characters are ignored. All secrets are searched in one pass per text or
stream, with an Aho-Corasick automaton (see `_Finder`).
"""
from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import pikepdf
import pymupdf

from woo_redact.errors import EncryptedPdfError, InputFileError

MIN_SECRET_LENGTH = 3
ENCODINGS = ("utf-8", "latin-1", "utf-16-be")
CHANNELS = ("page_text", "metadata", "annotation", "outline", "attachment", "form", "bytes")
OCR_CHANNEL = "image_ocr"
PAGE_TEXT_FLAGS = (pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES) & ~pymupdf.TEXT_MEDIABOX_CLIP  # scanned pages: what OCR reads in the redacted image

_T = pikepdf.ObjectType
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Leak:
    """One secret found in one place. `where` names the place, never the secret."""

    channel: str  # one of CHANNELS
    secret_index: int  # index into the secrets passed to `verify`
    where: str  # "page 2", "/Info /Author", "object 12 0", ...


@dataclass
class Report:
    """What `verify` found in one file, and which channels it searched."""

    path: Path
    leaks: list[Leak] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks

    def summary(self) -> str:
        """One line for a log: the channels and places with leaks, no secrets."""
        if self.ok:
            return f"{self.path.name}: clean ({', '.join(self.checked)})"
        places = sorted({f"{leak.channel} ({leak.where})" for leak in self.leaks})
        return f"{self.path.name}: {len(self.leaks)} leak(s) in " + "; ".join(places)


# --------------------------------------------------------------------------------------------------
# Matching many secrets at once


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


_SEPARATORS = re.compile(r"[\s._+-]+")


def fold(text: str) -> str:
    """`text` with every run of whitespace, dots, underscores, pluses and hyphens as one space."""
    return _SEPARATORS.sub(" ", text).strip()


_WORD_CHAR = re.compile(r"\w")


class _Finder:
    """Finds which of many keys occur in a text (str) or blob (bytes), in one pass (Aho-Corasick).

    `keys` maps each search key to the secret indices it stands for. With `whole_word`, a key only counts
    where no word character touches it on either side (like the scorer's `word_in`). Every occurrence
    counts, also one that overlaps or lies inside another key's. Bytes are searched as latin-1 text,
    which maps each byte to one character. (A regex trie did the same, but compiling it took a third
    of a second for a dossier's 1,500 secrets, in every process.)
    """

    def __init__(self, keys: dict, whole_word: bool = False):
        self.keys = {k: set(v) for k, v in keys.items() if k}
        self.whole_word = whole_word
        self._automaton = None
        if self.keys:
            automaton = ahocorasick.Automaton()
            for key, idx in self.keys.items():
                word = key.decode("latin-1") if isinstance(key, bytes) else key
                automaton.add_word(word, (len(word), frozenset(idx)))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, text) -> set[int]:
        """Secret indices whose keys occur in `text`."""
        found: set[int] = set()
        if not text or self._automaton is None:
            return found
        if isinstance(text, bytes):
            text = text.decode("latin-1")
        for end, (length, idx) in self._automaton.iter(text):
            if self.whole_word:
                start = end - length + 1
                if (start > 0 and _WORD_CHAR.match(text, start - 1)) or _WORD_CHAR.match(text, end + 1):
                    continue
            found |= idx
        return found


class Secrets:
    """The secrets to look for, prepared once for each kind of search.

    - `text(s)`: whole word, case-sensitive, whitespace-normalised (page text);
    - `loose(s)`: substring, case-insensitive, whitespace-normalised, also with separators folded
      ("jan.de-vries" matches "Jan de Vries"; metadata, annotations, links, ...);
    - `raw(b)`: substring in bytes, case-sensitive, in utf-8, latin-1 and utf-16-be.
    Secrets shorter than MIN_SECRET_LENGTH (after normalising) are left out.
    """

    def __init__(self, secrets: Sequence[str]):
        self.secrets = list(secrets)
        words: dict[str, set[int]] = {}
        loose: dict[str, set[int]] = {}
        folded: dict[str, set[int]] = {}
        raw: dict[str, dict[bytes, set[int]]] = {enc: {} for enc in ENCODINGS}
        for i, secret in enumerate(self.secrets):
            norm = normalise(secret)
            if len(norm) < MIN_SECRET_LENGTH:
                continue
            words.setdefault(norm, set()).add(i)
            loose.setdefault(norm.lower(), set()).add(i)
            if len(fold(norm.lower())) >= MIN_SECRET_LENGTH:
                folded.setdefault(fold(norm.lower()), set()).add(i)
            for enc in ENCODINGS:
                for form in {secret, norm}:
                    try:
                        raw[enc].setdefault(form.encode(enc), set()).add(i)
                    except UnicodeEncodeError:
                        pass
        self.indices = sorted(set().union(*words.values())) if words else []
        self._keys = {"text": words, "loose": loose, "folded": folded, **{f"raw {enc}": raw[enc] for enc in ENCODINGS}}
        self._finders: dict[str, _Finder] = {}

    def _finder(self, kind: str) -> _Finder:
        """Each finder is compiled on first use (sanitise needs only the loose one)."""
        finder = self._finders.get(kind)
        if finder is None:
            finder = self._finders[kind] = _Finder(self._keys[kind], whole_word=kind == "text")
        return finder

    def __bool__(self) -> bool:
        return bool(self.indices)

    def text(self, text: str) -> set[int]:
        return self._finder("text").find(normalise(text))

    def loose(self, text: str) -> set[int]:
        """Case-insensitive; also with the separators of e-mail addresses and file names folded to
        spaces, so that "jan.de-vries@..." matches the name "Jan de Vries"."""
        lowered = normalise(text).lower()
        return self._finder("loose").find(lowered) | self._finder("folded").find(fold(lowered))

    def raw(self, blob: bytes) -> set[int]:
        return set().union(*(self._finder(f"raw {enc}").find(blob) for enc in ENCODINGS))

    def any_loose(self, *texts: str | None) -> bool:
        """Whether any secret is in any of `texts` (case-insensitive; URIs also percent-decoded)."""
        for text in texts:
            if text and (self.loose(text) or self.loose(urllib.parse.unquote(text))):
                return True
        return False


# --------------------------------------------------------------------------------------------------
# Reading values out of pikepdf objects


def objects(pdf: pikepdf.Pdf) -> Iterator:
    """The file's objects that are pikepdf objects: an object that is a plain number, a boolean or null
    (an incremental update that deleted an object leaves one) comes back as a Python value."""
    return (obj for obj in pdf.objects if isinstance(obj, pikepdf.Object))


def is_type(obj, code) -> bool:
    """Whether `obj` is a pikepdf object of the given type (False for None and Python numbers)."""
    return isinstance(obj, pikepdf.Object) and obj._type_code == code


def text_of(obj) -> str | None:
    """A PDF string, name or text stream as Python text (None for anything else)."""
    if not isinstance(obj, pikepdf.Object):
        return None
    code = obj._type_code
    if code == _T.string:
        return str(obj)
    if code == _T.name_:
        return str(obj)[1:]
    if code == _T.stream:
        return stream_bytes(obj).decode("utf-8", "replace")
    return None


def stream_bytes(stream) -> bytes:
    """A stream's data decoded as far as pikepdf can, else its raw bytes."""
    try:
        return stream.read_bytes()
    except Exception:  # unsupported filter, damaged data
        try:
            return stream.read_raw_bytes()
        except Exception:
            return b""


def direct_atoms(obj) -> Iterator[bytes]:
    """The bytes of every string and name inside `obj` (keys included), without following indirect
    references: those objects are visited on their own."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Object):
            continue  # numbers and booleans come back as Python values
        code = item._type_code
        if code == _T.string:
            yield bytes(item)
        elif code == _T.name_:
            yield str(item).encode("utf-8", "surrogateescape")
        elif code in (_T.dictionary, _T.stream):
            for key, value in item.items():
                yield key.encode("utf-8", "surrogateescape")
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    stack.append(value)
        elif code == _T.array:
            stack.extend(v for v in item if isinstance(v, pikepdf.Object) and not v.is_indirect)


def is_image(obj) -> bool:
    return obj.get("/Subtype") == pikepdf.Name.Image


def label(obj) -> str:
    num, gen = obj.objgen
    return f"object {num} {gen}" if num else "direct object"


# --------------------------------------------------------------------------------------------------
# The channels


class _Search:
    """Collects leaks for one file."""

    def __init__(self, path: Path, secrets: Secrets):
        self.secrets = secrets
        self.report = Report(path=path)
        self._seen: set[tuple[str, int, str]] = set()

    def add(self, channel: str, indices: Iterable[int], where: str) -> None:
        for i in sorted(indices):
            key = (channel, i, where)
            if key not in self._seen:
                self._seen.add(key)
                self.report.leaks.append(Leak(channel, i, where))

    def loose(self, channel: str, where: str, *texts: str | None) -> None:
        """Search texts case-insensitively; URIs and file names are also tried percent-decoded."""
        for text in texts:
            if text:
                self.add(channel, self.secrets.loose(text), where)
                if "%" in text:
                    self.add(channel, self.secrets.loose(urllib.parse.unquote(text)), where)


def _check_page_text(search: _Search, doc: pymupdf.Document) -> None:
    for number in range(doc.page_count):
        page = doc[number]
        # ligatures expanded: "minﬁn.nl" must match "minfin.nl"
        text = page.get_text("text", flags=PAGE_TEXT_FLAGS, clip=pymupdf.INFINITE_RECT())  # off the page too
        search.add("page_text", search.secrets.text(text), f"page {number + 1}")


def _check_images_by_ocr(search: _Search, doc: pymupdf.Document, pages: Iterable[int], jobs: int = 1) -> None:
    """Read scanned pages of the output again with OCR (`jobs` pages at once): a box that missed part
    of a word in the image shows up here, where no text search can see it."""
    from .ocr import read_pages

    for number, page_read in sorted(read_pages(doc, list(pages), jobs).items()):
        words = page_read.words
        search.add(OCR_CHANNEL, search.secrets.text(" ".join(w[4] for w in words)), f"page {number + 1} (OCR)")


def _check_metadata(search: _Search, pdf: pikepdf.Pdf) -> None:
    info = pdf.trailer.get("/Info")
    if is_type(info, _T.dictionary):
        for key, value in info.items():
            search.loose("metadata", f"/Info {key}", text_of(value))
    for obj in objects(pdf):
        if obj._type_code in (_T.dictionary, _T.stream):
            xmp = obj.get("/Metadata")
            if is_type(xmp, _T.stream):
                where = "XMP of the catalog" if obj.objgen == pdf.Root.objgen else f"XMP of {label(obj)}"
                search.loose("metadata", where, stream_bytes(xmp).decode("utf-8", "replace"))


def _action_texts(action) -> list[str | None]:
    """URI, file and script texts of an action dictionary (and of its /Next chain, one level)."""
    if not is_type(action, _T.dictionary):
        return []
    texts = [text_of(action.get(k)) for k in ("/URI", "/JS", "/D")]
    target = action.get("/F")
    if target is not None:
        texts.append(text_of(target))
        if is_type(target, _T.dictionary):
            texts += [text_of(target.get(k)) for k in ("/F", "/UF", "/Desc")]
    nxt = action.get("/Next")
    if is_type(nxt, _T.dictionary):
        texts += [text_of(nxt.get(k)) for k in ("/URI", "/JS")]
    return texts


_ANNOT_KEYS = ("/Contents", "/T", "/Subj", "/RC", "/NM", "/DS")
_FIELD_KEYS = ("/T", "/TU", "/TM", "/V", "/DV")


def _check_annotations(search: _Search, pdf: pikepdf.Pdf) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        annots = page.obj.get("/Annots")
        if not is_type(annots, _T.array):
            continue
        for k, annot in enumerate(annots, start=1):
            if not is_type(annot, _T.dictionary):
                continue
            subtype = str(annot.get("/Subtype", "/?"))
            where = f"page {number} annotation {k} ({subtype})"
            channel = "form" if subtype == "/Widget" else "annotation"
            keys = _FIELD_KEYS if subtype == "/Widget" else _ANNOT_KEYS
            search.loose(channel, where, *(text_of(annot.get(key)) for key in keys))
            search.loose(channel, where, *_action_texts(annot.get("/A")))
            popup = annot.get("/Popup")
            if is_type(popup, _T.dictionary):
                search.loose("annotation", where + " popup", *(text_of(popup.get(key)) for key in _ANNOT_KEYS))
            if subtype == "/FileAttachment":
                _check_filespec(search, annot.get("/FS"), where)


def _walk_outline(first) -> Iterator[tuple[int, object]]:
    """(position, item) of every outline item, depth first, safe against loops."""
    seen: set[tuple[int, int]] = set()
    stack = [first]
    count = 0
    while stack:
        item = stack.pop()
        if not is_type(item, _T.dictionary):
            continue
        ident = item.objgen
        if ident != (0, 0):
            if ident in seen:
                continue
            seen.add(ident)
        count += 1
        yield count, item
        stack.append(item.get("/Next"))
        stack.append(item.get("/First"))


def _check_outline(search: _Search, pdf: pikepdf.Pdf) -> None:
    outlines = pdf.Root.get("/Outlines")
    if not is_type(outlines, _T.dictionary):
        return
    for count, item in _walk_outline(outlines.get("/First")):
        where = f"outline entry {count}"
        search.loose("outline", where, text_of(item.get("/Title")), *_action_texts(item.get("/A")))


def _check_filespec(search: _Search, spec, where: str) -> None:
    """Name, description and content of one file specification."""
    if spec is None:
        return
    if is_type(spec, _T.string):
        search.loose("attachment", where, text_of(spec))
        return
    if not is_type(spec, _T.dictionary):
        return
    search.loose("attachment", where, *(text_of(spec.get(k)) for k in ("/F", "/UF", "/DOS", "/Mac", "/Unix", "/Desc")))
    files = spec.get("/EF")
    if is_type(files, _T.dictionary):
        for _key, stream in files.items():
            if is_type(stream, _T.stream):
                data = stream_bytes(stream)
                search.add("attachment", search.secrets.raw(data), where + " content")
                search.loose("attachment", where + " content", data.decode("utf-8", "replace"))


def _name_tree_items(node, depth: int = 0) -> Iterator[tuple[object, object]]:
    """(key, value) pairs of a name tree, read directly (also from damaged trees)."""
    if not is_type(node, _T.dictionary) or depth > 32:
        return
    names = node.get("/Names")
    if is_type(names, _T.array):
        for i in range(0, len(names) - 1, 2):
            yield names[i], names[i + 1]
    kids = node.get("/Kids")
    if is_type(kids, _T.array):
        for kid in kids:
            yield from _name_tree_items(kid, depth + 1)


def _check_attachments(search: _Search, pdf: pikepdf.Pdf) -> None:
    names = pdf.Root.get("/Names")
    if not is_type(names, _T.dictionary):
        return
    for k, (key, spec) in enumerate(_name_tree_items(names.get("/EmbeddedFiles")), start=1):
        where = f"attachment {k}"
        search.loose("attachment", where, text_of(key))
        _check_filespec(search, spec, where)


def _check_form(search: _Search, pdf: pikepdf.Pdf) -> None:
    form = pdf.Root.get("/AcroForm")
    if not is_type(form, _T.dictionary):
        return
    fields = form.get("/Fields")
    stack = list(fields) if is_type(fields, _T.array) else []
    seen: set[tuple[int, int]] = set()
    count = 0
    while stack:
        node = stack.pop()
        if not is_type(node, _T.dictionary) or (node.is_indirect and node.objgen in seen):
            continue
        seen.add(node.objgen)
        count += 1
        where = f"form field {count}"
        search.loose("form", where, *(text_of(node.get(k)) for k in _FIELD_KEYS))
        opts = node.get("/Opt")
        if is_type(opts, _T.array):
            for opt in opts:
                items = list(opt) if is_type(opt, _T.array) else [opt]
                search.loose("form", where, *(text_of(o) for o in items))
        kids = node.get("/Kids")
        if is_type(kids, _T.array):
            stack.extend(kids)
    xfa = form.get("/XFA")
    if xfa is not None:
        parts = [xfa] if is_type(xfa, _T.stream) else list(xfa) if is_type(xfa, _T.array) else []
        for part in parts:
            if is_type(part, _T.stream):
                search.add("form", search.secrets.raw(stream_bytes(part)), "XFA form data")


def _scan_objects(search: _Search, pdf: pikepdf.Pdf, prefix: str = "") -> None:
    """Every object: its strings and names, and its decompressed stream data (image data excepted:
    pixels are not text, and random pixel bytes would give false alarms for short secrets)."""
    find = search.secrets.raw
    for obj in objects(pdf):
        code = obj._type_code
        if code in (_T.null, _T.boolean, _T.integer, _T.real, _T.operator, _T.reserved, _T.uninitialized):
            continue
        found = find(b"\x00\xff".join(direct_atoms(obj)))
        if code == _T.stream and not is_image(obj):
            found |= find(stream_bytes(obj))
        if found:
            search.add("bytes", found, prefix + label(obj))


REVISION_END = re.compile(rb"startxref\s+\d+\s*%%EOF")  # where each revision of a file ends
MAX_REVISIONS = 32


def _earlier_revisions(raw: bytes) -> list[bytes]:
    """The file as it was at each earlier revision's end ("startxref N %%EOF"): an incremental
    update appends to the file and leaves the older revisions' objects in it."""
    ends = [m.end() for m in REVISION_END.finditer(raw)]
    return [raw[:end] for end in ends[:-1] if len(raw) - end > 64][-MAX_REVISIONS:]


def _check_bytes(search: _Search, pdf: pikepdf.Pdf, raw: bytes) -> None:
    _scan_objects(search, pdf)
    search.add("bytes", search.secrets.raw(raw), "raw file")
    revisions = _earlier_revisions(raw)
    for k, old in enumerate(revisions, start=1):
        try:
            with pikepdf.open(io.BytesIO(old)) as earlier:
                _scan_objects(search, earlier, prefix=f"earlier revision {k}, ")
        except Exception:  # a prefix that is no PDF on its own (e.g. a linearised first-page section)
            continue


def verify(path: Path, secrets: Sequence[str] | Secrets, ocr_pages: Iterable[int] = (), jobs: int = 1) -> Report:
    """Search the PDF at `path` for every secret in every channel and report what is found;
    `ocr_pages` (0-based) are scanned pages whose image is read again with OCR.

    Secrets shorter than 3 characters are ignored. The report lists leaks (channel, index of the
    secret in `secrets`, place) and the channels searched; `Report.ok` is True when nothing was found.
    """
    path = Path(path)
    prepared = secrets if isinstance(secrets, Secrets) else Secrets(secrets)  # compiled once for both stages
    search = _Search(path, prepared)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot read for verification: {exc.strerror}") from exc
    if not prepared:
        search.report.checked = []
        return search.report
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError(f"{path.name}: encrypted, cannot verify") from exc
    except pikepdf.PdfError as exc:
        raise InputFileError(f"{path.name}: not a readable PDF, cannot verify: {exc}") from exc
    with pdf, pymupdf.open(stream=raw, filetype="pdf") as doc:
        _check_page_text(search, doc)
        _check_metadata(search, pdf)
        _check_annotations(search, pdf)
        _check_outline(search, pdf)
        _check_attachments(search, pdf)
        _check_form(search, pdf)
        _check_bytes(search, pdf, raw)
        ocr_pages = sorted(ocr_pages)
        if ocr_pages:
            _check_images_by_ocr(search, doc, ocr_pages, jobs)
    search.report.checked = list(CHANNELS) + ([OCR_CHANNEL] if ocr_pages else [])
    return search.report
