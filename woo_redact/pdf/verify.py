"""Verify a redacted PDF: re-open it and look for what must not survive, by place and by entity.

The gate has three parts (woo-domain.md §4 and §7):

(a) **places**: under every box that was burned in, no glyph is left (the box's own label excepted);
(b) **people and numbers**: no form of a redacted entity (`secrets.secret_forms`: a person's name forms
    and user names, e-mail addresses and their local parts, numbers in their spellings) survives in any
    channel of the file;
(c) what a reviewer kept is no secret: `secret_forms` leaves out every form that stands in a kept name.

Secrets are matched like text, never like PDF syntax: in *decoded* strings (text strings in PDFDoc or
UTF-16, names, the strings that content and appearance streams show, XMP and attachment text, URIs
percent-decoded), case-insensitively, on word boundaries, with ligatures, typographic quotes,
hyphenation at line ends, camel case ("JorritVlasbloem") and the separators of addresses and file names
("j.vlasbloem", "jorrit_vlasbloem") folded; numbers also with their separators removed.

| channel      | what is searched                                                                   |
|--------------|------------------------------------------------------------------------------------|
| under_box    | glyphs whose centre lies under a burned-in box (by position)                       |
| page_text    | extracted text of every page, also beside the page                                 |
| image_ocr    | words OCR read in scans and images: a word with a secret must lie under a box      |
| metadata     | every /Info entry, XMP streams (/Metadata of any object)                           |
| annotation   | contents, title, subject, rich text, URIs and file targets of annotations           |
| outline      | bookmark titles and their actions                                                  |
| attachment   | embedded file names, descriptions and text content                                 |
| form         | AcroForm field names, values, options; XFA streams                                 |
| objects      | every object reachable in the file and in each earlier revision: its strings, names |
|              | and keys decoded, and the strings its content or appearance stream shows           |

Every leak names its channel, its page and position where it has one, and the object it is in; never
the secret itself. All secrets are searched in one pass per text, with an Aho-Corasick automaton.
"""
from __future__ import annotations

import io
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import pikepdf
import pymupdf

from woo_redact.errors import EncryptedPdfError, InputFileError
from woo_redact.decide.secrets import SecretForms

MIN_SECRET_LENGTH = 3
CHANNELS = ("under_box", "page_text", "metadata", "annotation", "outline", "attachment", "form", "objects")
OCR_CHANNEL = "image_ocr"
PAGE_TEXT_FLAGS = (pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES) & ~pymupdf.TEXT_MEDIABOX_CLIP

_T = pikepdf.ObjectType
_WS = re.compile(r"\s+")
Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Leak:
    """One secret (or one glyph under a box) found in one place. `where` names the place, never the
    secret; `page` (1-based) and `rect` say where on a page, when the place is on one."""

    channel: str  # one of CHANNELS or OCR_CHANNEL
    secret_index: int  # index into `Secrets.secrets`; -1 for a glyph under a box
    where: str  # "page 2", "/Info /Author", "object 12 0", ...
    page: int | None = None
    rect: Rect | None = None


@dataclass
class Report:
    """What `verify` found in one file, and which channels it searched."""

    path: Path
    leaks: list[Leak] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.leaks

    def channels(self) -> list[str]:
        return sorted({leak.channel for leak in self.leaks})

    def places(self) -> dict[str, list[str]]:
        """Per channel the places of its leaks, each once, with the position on the page where known."""
        out: dict[str, list[str]] = {}
        for leak in self.leaks:
            place = leak.where
            if leak.rect is not None:
                place += " at (" + ", ".join(f"{c:.0f}" for c in leak.rect) + ")"
            if place not in out.setdefault(leak.channel, []):
                out[leak.channel].append(place)
        return out

    def summary(self) -> str:
        """One line for a log: the channels and places with leaks, no secrets."""
        if self.ok:
            return f"{self.path.name}: clean ({', '.join(self.checked)})"
        groups = "; ".join(f"{channel}: {', '.join(places[:6])}{' …' if len(places) > 6 else ''}"
                           for channel, places in self.places().items())
        return f"{self.path.name}: {len(self.leaks)} leak(s) in {groups}"


# --------------------------------------------------------------------------------------------------
# Text keys: what a secret and a text are compared as

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "\u00ad": None,
                         "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u00a0": " "})
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_SEPARATORS = re.compile(r"[\s._+\-]+")
_HYPHENATED = re.compile(r"(?<=\w)- (?=\w)")
_DIGIT_GAPS = re.compile(r"(?<=\d)[ .\-/()]+(?=\d)")
_NUMBER = re.compile(r"^[+\d][\d .\-/()]*$")
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z\d][A-Za-z\d \-]*$")  # letters and digits: a postcode, plate, IBAN


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def text_key(text: str) -> str:
    """Ligatures and compatibility forms expanded, typographic quotes made plain, soft hyphens dropped,
    whitespace collapsed, case folded."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_QUOTES))
    return _WS.sub(" ", text).strip().lower()


def fold(text: str) -> str:
    """`text` with every run of whitespace, dots, underscores, pluses and hyphens as one space."""
    return _SEPARATORS.sub(" ", text).strip()


def loose_key(text: str, camel: bool = True) -> str:
    """A name or value as words: camel case split ("JorritVlasbloem"), separators of addresses and file
    names folded ("j.vlasbloem", "jorrit_vlasbloem"), case folded."""
    if camel:
        text = _CAMEL.sub(" ", text)
    return fold(text_key(text))


def digits_key(text: str) -> str:
    """Numbers without the separators between their digits ("06-1234 5678" → "0612345678")."""
    return _DIGIT_GAPS.sub("", text_key(text))


_WORD_CHAR = re.compile(r"\w")


class _Finder:
    """Finds which of many keys occur as whole words in a text, in one pass (Aho-Corasick).

    `keys` maps each search key to the secret indices it stands for. A key counts only where no word
    character touches it on either side. Every occurrence counts, also one inside another key's."""

    def __init__(self, keys: dict[str, set[int]]):
        self.keys = {k: set(v) for k, v in keys.items() if k}
        self._automaton = None
        if self.keys:
            automaton = ahocorasick.Automaton()
            for key, idx in self.keys.items():
                automaton.add_word(key, (len(key), frozenset(idx)))
            automaton.make_automaton()
            self._automaton = automaton

    def spans(self, text: str) -> Iterator[tuple[int, int, frozenset[int]]]:
        """(start, end, secret indices) of every whole-word occurrence."""
        if not text or self._automaton is None:
            return
        for end, (length, idx) in self._automaton.iter(text):
            start = end - length + 1
            if (start > 0 and _WORD_CHAR.match(text, start - 1)) or _WORD_CHAR.match(text, end + 1):
                continue
            yield start, end + 1, idx

    def find(self, text: str) -> set[int]:
        found: set[int] = set()
        for _, _, idx in self.spans(text):
            found |= idx
        return found


class Secrets:
    """The forms that must not survive (`secrets.secret_forms`), prepared once for each kind of search.

    - `text(s)`: page text: whole words, any case, ligatures, quotes and line-end hyphenation folded;
      numbers also without their separators;
    - `loose(s)`: every other decoded string (metadata, annotations, links, names, labels): the same,
      with camel case split and the separators of addresses and file names folded, URIs also
      percent-decoded; weak forms (a surname that is also a word) are searched here only, as written.
    Secrets shorter than MIN_SECRET_LENGTH are left out.
    """

    def __init__(self, secrets: Sequence[str] | SecretForms, weak: Sequence[str] = ()):
        if isinstance(secrets, SecretForms):
            secrets, weak = secrets.strong, secrets.weak
        strong = [s for s in secrets if s]
        self.secrets = strong + [w for w in weak if w and w not in strong]
        text: dict[str, set[int]] = {}
        loose: dict[str, set[int]] = {}
        digits: dict[str, set[int]] = {}
        exact: dict[str, set[int]] = {}
        weak_keys: dict[str, set[int]] = {}
        for i, secret in enumerate(self.secrets):
            if len(normalise(secret)) < MIN_SECRET_LENGTH:
                continue
            if i >= len(strong):
                weak_keys.setdefault(fold(_CAMEL.sub(" ", normalise(secret))), set()).add(i)
                continue
            if _CODE.search(secret):  # "1234 AB", "AB-12-CD": a code in capitals, "1234ab" is another thing
                exact.setdefault(normalise(secret), set()).add(i)
            else:
                text.setdefault(text_key(secret), set()).add(i)
            for key in {loose_key(secret), loose_key(secret, camel=False)}:
                if len(key) >= MIN_SECRET_LENGTH:
                    loose.setdefault(key, set()).add(i)
            if _NUMBER.match(secret.strip()):
                key = digits_key(secret)
                if len(re.sub(r"\D", "", key)) >= 6:
                    digits.setdefault(key, set()).add(i)
        self.indices = sorted(set().union(*text.values(), *exact.values(), *weak_keys.values()))
        self._keys = {"text": text, "exact": exact, "loose": loose, "digits": digits, "weak": weak_keys}
        self._finders: dict[str, _Finder] = {}

    def _finder(self, kind: str) -> _Finder:
        finder = self._finders.get(kind)
        if finder is None:
            finder = self._finders[kind] = _Finder(self._keys[kind])
        return finder

    def __bool__(self) -> bool:
        return bool(self.indices)

    def text(self, text: str) -> set[int]:
        key = text_key(text)
        found = self._finder("text").find(key)
        if "- " in key:
            found |= self._finder("text").find(_HYPHENATED.sub("", key))
        if self._keys["digits"]:
            found |= self._finder("digits").find(_DIGIT_GAPS.sub("", key))
        if self._keys["exact"]:
            found |= self._finder("exact").find(normalise(text))
        return found

    def text_spans(self, text: str) -> Iterator[tuple[int, int, frozenset[int]]]:
        """Where secrets stand in `text` (offsets into `text_key(text)`, which keeps the length of a
        plain text with single spaces)."""
        yield from self._finder("text").spans(text_key(text))
        yield from self._finder("exact").spans(normalise(text))

    def loose(self, text: str, weak: bool = True) -> set[int]:
        """Case-insensitive, separators folded, camel case split; weak forms as written (not in text
        that a page shows, where such a word may stand as a word)."""
        if not text:
            return set()
        found = self._finder("loose").find(loose_key(text)) | self._finder("loose").find(loose_key(text, camel=False))
        if self._keys["digits"]:
            found |= self._finder("digits").find(digits_key(text))
        if weak and self._keys["weak"]:
            found |= self._finder("weak").find(fold(_CAMEL.sub(" ", normalise(text))))
        return found

    def any_loose(self, *texts: str | None) -> bool:
        """Whether any secret is in any of `texts` (URIs also percent-decoded)."""
        for text in texts:
            if text and (self.loose(text) or ("%" in text and self.loose(urllib.parse.unquote(text)))):
                return True
        return False


# --------------------------------------------------------------------------------------------------
# Reading values out of pikepdf objects


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


def objects(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every object of the file; a deleted (null) object, which pikepdf may hand back as None or as a
    number, is passed over."""
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Object):
            yield obj


def is_image(obj) -> bool:
    return obj.get("/Subtype") == pikepdf.Name.Image


def label(obj) -> str:
    num, gen = obj.objgen
    return f"object {num} {gen}" if num else "direct object"


# Names that are free text, not PDF vocabulary: a font's name (a signature font named after its owner).
# Every other name (/Type /Font, /ICCBased, /Root ...) is syntax and never searched.
FREE_NAMES = {"/BaseFont", "/FontName"}
# Dictionaries whose keys are free text: named destinations (PDF 1.1), custom document info keys.
_FREE_KEYS = {"/Dests"}


def decoded_atoms(obj, free_keys: bool = False) -> Iterator[str]:
    """The decoded strings inside `obj`, the free-text names (`FREE_NAMES`) and, with `free_keys`, its
    keys; without following indirect references: those objects are visited on their own."""
    stack = [(obj, free_keys)]
    while stack:
        item, keys = stack.pop()
        if not isinstance(item, pikepdf.Object):
            continue  # numbers and booleans come back as Python values
        code = item._type_code
        if code == _T.string:
            yield str(item)
        elif code in (_T.dictionary, _T.stream):
            for key, value in item.items():
                if keys:
                    yield key[1:]
                if isinstance(value, pikepdf.Object) and not value.is_indirect:
                    if value._type_code == _T.name_:
                        if key in FREE_NAMES:
                            yield str(value)[1:]
                    else:
                        stack.append((value, key in _FREE_KEYS))
        elif code == _T.array:
            stack.extend((v, False) for v in item if isinstance(v, pikepdf.Object) and not v.is_indirect)


_SHOWN = re.compile(rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)|<[0-9A-Fa-f\s]*>(?!>)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _literal(token: bytes) -> bytes:
    if token.startswith(b"<"):
        hexdigits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((hexdigits + b"0" * (len(hexdigits) % 2)).decode())
    body = token[1:-1]

    def unescape(m):
        c = m.group(1)
        if c[:1] in b"01234567" and c[:1]:  # an octal escape; "\\8" is just "8"
            return bytes([int(c, 8) & 0xFF])
        return _ESCAPES.get(c, b"" if c in b"\r\n" else c)

    return _ESCAPE.sub(unescape, body)


_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")


def cmap_texts(data: bytes) -> list[tuple[bytes, str]]:
    """The Unicode texts of a ToUnicode CMap that stand for more than one character, with the hex string
    each came from: one glyph can be made to extract as a whole name while the page shows another."""
    if b"beginbf" not in data:
        return []
    out = []
    for m in _HEX.finditer(data):
        digits = re.sub(rb"\s", b"", m.group(1))
        if len(digits) >= 8 and len(digits) % 4 == 0:  # two UTF-16 units or more
            try:
                out.append((m.group(), bytes.fromhex(digits.decode()).decode("utf-16-be", "replace")))
            except ValueError:
                continue
    return out


_KERNING = re.compile(rb"[\s\d.\-]*")  # what stands between two pieces of one TJ array


def shown_strings(data: bytes) -> str:
    """The strings a content stream shows, decoded as one text: pieces of one TJ array (split by
    kerning numbers) joined, others separated by a space. Strings in PDFDoc/Latin-1 and UTF-16BE."""
    pieces: list[str] = []
    last_end = 0
    kerning = _KERNING.fullmatch
    for m in _SHOWN.finditer(data):  # some 2,000 strings a page: kept lean
        start, end = m.span()
        token = data[start:end]
        raw = token[1:-1] if token[0] == 40 and 92 not in token else _literal(token)  # "(" with no "\\"
        text = raw[2:].decode("utf-16-be", "replace") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1")
        pieces.append(text if pieces and kerning(data, last_end, start) else " " + text)
        last_end = end
    return "".join(pieces)


# --------------------------------------------------------------------------------------------------
# The channels


class _Search:
    """Collects leaks for one file."""

    def __init__(self, path: Path, secrets: Secrets):
        self.secrets = secrets
        self.report = Report(path=path)
        self._seen: set[tuple] = set()

    def add(self, channel: str, indices: Iterable[int], where: str, page: int | None = None,
            rect: Rect | None = None) -> None:
        for i in sorted(indices):
            key = (channel, i, where, rect)
            if key not in self._seen:
                self._seen.add(key)
                self.report.leaks.append(Leak(channel, i, where, page, rect))

    def loose(self, channel: str, where: str, *texts: str | None) -> None:
        """Search decoded texts; URIs and file names are also tried percent-decoded."""
        for text in texts:
            if text:
                self.add(channel, self.secrets.loose(text), where)
                if "%" in text:
                    self.add(channel, self.secrets.loose(urllib.parse.unquote(text)), where)


class _TextPages:
    """Each page and its text, read once (also beside the page, ligatures expanded)."""

    def __init__(self, doc: pymupdf.Document):
        self.doc = doc
        self._read: dict[int, tuple[pymupdf.Page, pymupdf.TextPage]] = {}

    def __call__(self, number: int) -> tuple[pymupdf.Page, pymupdf.TextPage]:
        got = self._read.get(number)
        if got is None:
            page = self.doc[number]
            got = self._read[number] = (page, page.get_textpage(flags=PAGE_TEXT_FLAGS, clip=pymupdf.INFINITE_RECT()))
        return got


def _page_words(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> str:
    """A page's text as lines of words (also beside the page), ligatures expanded."""
    lines: dict[tuple[int, int], list[str]] = {}
    if textpage is None:
        textpage = page.get_textpage(flags=PAGE_TEXT_FLAGS, clip=pymupdf.INFINITE_RECT())
    for w in page.get_text("words", textpage=textpage):
        lines.setdefault((w[5], w[6]), []).append(w[4])
    return "\n".join(" ".join(words) for words in lines.values())


def _check_page_text(search: _Search, doc: pymupdf.Document, pages: _TextPages) -> None:
    for number in range(doc.page_count):
        page, textpage = pages(number)
        found = search.secrets.text(_page_words(page, textpage))
        for i in sorted(found):
            rects = page.search_for(search.secrets.secrets[i], clip=pymupdf.INFINITE_RECT()) or [None]
            for rect in rects[:3]:
                search.add("page_text", [i], f"page {number + 1}", number + 1, tuple(rect) if rect else None)


def _inside(point: tuple[float, float], rect: Rect, margin: float = 0.5) -> bool:
    return rect[0] + margin < point[0] < rect[2] - margin and rect[1] + margin < point[1] < rect[3] - margin


def _label_chars(text: str, labels: list[str]) -> set[int]:
    """Indices of the characters of `text` that belong to a box label written in it."""
    out: set[int] = set()
    for lab in labels:
        at = text.find(lab)
        while at >= 0:
            out.update(range(at, at + len(lab)))
            at = text.find(lab, at + 1)
    return out


def _check_under_boxes(search: _Search, doc: pymupdf.Document, boxes: dict[int, list[Rect]],
                       labels: Iterable[str], pages: _TextPages) -> None:
    """No glyph may be left under a burned-in box, except those of the box's own label."""
    labels = sorted({lab for lab in labels if lab}, key=len, reverse=True)
    for pno, rects in sorted(boxes.items()):
        if pno >= doc.page_count or not rects:
            continue
        page, _ = pages(pno)
        y0 = min(r[1] for r in rects) - 5
        y1 = max(r[3] for r in rects) + 5
        # whole lines: a label written wider than the box it stands in is read whole (the band of the
        # boxes only: every character of a page as a Python object costs three times as much)
        raw = page.get_text("rawdict", flags=PAGE_TEXT_FLAGS, clip=pymupdf.Rect(-1e5, y0, 1e5, y1))
        for block in raw.get("blocks", []):
            for line in block.get("lines", []):
                for span in line.get("spans", []):
                    chars = span.get("chars", [])
                    if not chars:
                        continue
                    # only the boxes that reach the span's character centres are tried for each one
                    xs = [(c["bbox"][0] + c["bbox"][2]) / 2 for c in chars]
                    ys = [(c["bbox"][1] + c["bbox"][3]) / 2 for c in chars]
                    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
                    near = [r for r in rects
                            if r[0] + 0.5 < right and r[2] - 0.5 > left and r[1] + 0.5 < bottom and r[3] - 0.5 > top]
                    if not near:
                        continue
                    skip = _label_chars("".join(c["c"] for c in chars), labels)
                    for k, c in enumerate(chars):
                        if k in skip or c["c"].isspace():
                            continue
                        centre = (xs[k], ys[k])
                        hit = next((r for r in near if _inside(centre, r)), None)
                        if hit is not None:
                            search.add("under_box", [-1], f"page {pno + 1}", pno + 1, tuple(round(v, 1) for v in hit))


def _check_ocr_words(search: _Search, ocr_words: dict[int, list], boxes: dict[int, list[Rect]]) -> None:
    """Words OCR read in a scan or an image (the pipeline read them already; they are not read again):
    a word that holds a secret must lie under a burned-in box, whose pixels the burn blanked."""
    for pno, words in sorted(ocr_words.items()):
        if not words:
            continue
        text, starts = "", []
        for w in words:
            starts.append(len(text))
            text += w.text + " "
        rects = boxes.get(pno, [])
        for start, end, idx in search.secrets.text_spans(text):
            for w, at in zip(words, starts):
                if at >= end or at + len(w.text) <= start:
                    continue
                r = w.rect
                centre = ((r[0] + r[2]) / 2, (r[1] + r[3]) / 2)
                if not any(_inside(centre, b, 0.0) for b in rects):
                    search.add(OCR_CHANNEL, idx, f"page {pno + 1} (OCR)", pno + 1, tuple(round(v, 1) for v in r))


def _check_metadata(search: _Search, pdf: pikepdf.Pdf) -> None:
    info = pdf.trailer.get("/Info")
    if is_type(info, _T.dictionary):
        for key, value in info.items():
            search.loose("metadata", f"/Info {key}", key[1:], text_of(value))
    for obj in objects(pdf):
        if obj._type_code in (_T.dictionary, _T.stream):
            xmp = obj.get("/Metadata")
            if is_type(xmp, _T.stream):
                where = "XMP of the catalog" if obj.objgen == pdf.Root.objgen else f"XMP of {label(obj)}"
                search.loose("metadata", where, stream_bytes(xmp).decode("utf-8", "replace"))


def _action_texts(action, depth: int = 0) -> list[str | None]:
    """URI, file, destination and script texts of an action dictionary and of its /Next chain."""
    if not is_type(action, _T.dictionary) or depth > 8:
        return []
    texts = [text_of(action.get(k)) for k in ("/URI", "/JS", "/D", "/Win", "/Unix")]
    target = action.get("/F")
    if target is not None:
        texts.append(text_of(target))
        if is_type(target, _T.dictionary):
            texts += [text_of(target.get(k)) for k in ("/F", "/UF", "/DOS", "/Mac", "/Unix", "/Desc")]
    launch = action.get("/Win")
    if is_type(launch, _T.dictionary):
        texts += [text_of(launch.get(k)) for k in ("/F", "/D", "/P")]
    nxt = action.get("/Next")
    for item in (list(nxt) if is_type(nxt, _T.array) else [nxt]):
        texts += _action_texts(item, depth + 1)
    return texts


_ANNOT_KEYS = ("/Contents", "/T", "/Subj", "/RC", "/NM", "/DS", "/TU")
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
            search.loose(channel, where, text_of(annot.get("/Dest")))
            popup = annot.get("/Popup")
            if is_type(popup, _T.dictionary):
                search.loose("annotation", where + " popup", *(text_of(popup.get(key)) for key in _ANNOT_KEYS))
            if subtype == "/FileAttachment":
                _check_filespec(search, annot.get("/FS"), where)
            action = annot.get("/A")
            if is_type(action, _T.dictionary) and action.get("/F") is not None:
                _check_filespec(search, action.get("/F"), where)


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
        search.loose("outline", where, text_of(item.get("/Title")), text_of(item.get("/Dest")),
                     *_action_texts(item.get("/A")))


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
                search.loose("attachment", where + " content", _stream_text(stream_bytes(stream)))


def _stream_text(data: bytes) -> str:
    """A text stream's content: UTF-16 with its byte-order mark, else UTF-8, else Latin-1."""
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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
                search.loose("form", "XFA form data", _stream_text(stream_bytes(part)))


_TEXT_STREAM_TYPES = {"/Metadata", "/EmbeddedFile"}


def _content_owners(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """The objects that are page content streams."""
    out = set()
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        for s in (list(contents) if is_type(contents, _T.array) else [contents]):
            if is_type(s, _T.stream) and s.is_indirect:
                out.add(s.objgen)
    return out


def _scan_objects(search: _Search, pdf: pikepdf.Pdf, prefix: str = "") -> None:
    """Every object: its decoded strings and free-text names; the strings a content stream, form or
    appearance stream or tiling pattern shows; the text of XMP, XML and attachment streams. Image
    and font data are not text and are not searched."""
    contents = _content_owners(pdf)
    info = pdf.trailer.get("/Info")
    info_id = info.objgen if is_type(info, _T.dictionary) else None
    for obj in objects(pdf):
        code = obj._type_code
        if code not in (_T.dictionary, _T.stream, _T.array, _T.string, _T.name_):
            continue
        where = prefix + label(obj)
        found: set[int] = set()
        for text in decoded_atoms(obj, free_keys=obj.objgen == info_id):
            found |= search.secrets.loose(text)
        if code == _T.stream and is_image(obj) and "/DCTDecode" in str(obj.get("/Filter", "")):
            found |= _jpeg_header_secrets(search.secrets, obj)
        if code == _T.stream and not is_image(obj):
            kind = str(obj.get("/Type", "")) if "/Type" in obj else ""
            if obj.objgen in contents or obj.get("/Subtype") == pikepdf.Name.Form or "/PatternType" in obj:
                found |= search.secrets.loose(shown_strings(stream_bytes(obj)), weak=False)  # text a page shows
            elif kind in _TEXT_STREAM_TYPES or obj.get("/Subtype") == pikepdf.Name.XML:
                found |= search.secrets.loose(_stream_text(stream_bytes(obj)))
            elif not obj.get("/Subtype") and not kind:  # a ToUnicode CMap (it has neither)
                found |= search.secrets.loose(" ".join(t for _, t in cmap_texts(stream_bytes(obj))))
        if found:
            search.add("objects", found, where)


def _jpeg_header_secrets(secrets: Secrets, obj) -> set[int]:
    """Secrets in the segments before a JPEG's image data (comments, EXIF, XMP, an ICC profile's
    description, in ASCII or UTF-16); the image data itself is not text."""
    try:
        raw = obj.read_raw_bytes()
    except pikepdf.PdfError:
        return set()
    header = raw[:raw.find(b"\xff\xda")] if b"\xff\xda" in raw else raw[:65536]
    found: set[int] = set()
    for text in (header.decode("latin-1"), header.decode("utf-16-be", "replace"),
                 header[1:].decode("utf-16-be", "replace")):
        found |= secrets.loose(text.replace("\x00", " "), weak=False)
    return found


REVISION_END = re.compile(rb"startxref\s+\d+\s*%%EOF")  # where each revision of a file ends
MAX_REVISIONS = 32


def _earlier_revisions(raw: bytes) -> list[bytes]:
    """The file as it was at each earlier revision's end ("startxref N %%EOF"): an incremental
    update appends to the file and leaves the older revisions' objects in it."""
    ends = [m.end() for m in REVISION_END.finditer(raw)]
    return [raw[:end] for end in ends[:-1] if len(raw) - end > 64][-MAX_REVISIONS:]


def _check_objects(search: _Search, pdf: pikepdf.Pdf, raw: bytes) -> None:
    _scan_objects(search, pdf)
    for k, old in enumerate(_earlier_revisions(raw), start=1):
        try:
            with pikepdf.open(io.BytesIO(old)) as earlier:
                _scan_objects(search, earlier, prefix=f"earlier revision {k}, ")
        except Exception:  # a prefix that is no PDF on its own (e.g. a linearised first-page section)
            continue


def verify(path: Path, secrets: Sequence[str] | SecretForms | Secrets, ocr_words: dict[int, list] | None = None,
           boxes: dict[int, list[Rect]] | None = None, labels: Iterable[str] = ()) -> Report:
    """Check the PDF at `path`: no form of a redacted entity in any channel, nothing left under a box.

    `secrets`: the forms that must not survive; `boxes`: per page (0-based) the boxes burned in, under
    which no glyph may be left but the words of `labels`; `ocr_words`: per page the words OCR read in
    its scan or images (`model.Word`), each of which that holds a secret must lie under a box. The
    report lists the leaks (channel, secret index, place) and the channels searched."""
    path = Path(path)
    prepared = secrets if isinstance(secrets, Secrets) else Secrets(secrets)
    search = _Search(path, prepared)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot read for verification: {exc.strerror}") from exc
    if not prepared and not boxes:
        return search.report
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError as exc:
        raise EncryptedPdfError(f"{path.name}: encrypted, cannot verify") from exc
    except pikepdf.PdfError as exc:
        raise InputFileError(f"{path.name}: not a readable PDF, cannot verify: {exc}") from exc
    try:
        doc = pymupdf.open(stream=raw, filetype="pdf")
    except Exception as exc:
        pdf.close()
        raise InputFileError(f"{path.name}: not a readable PDF, cannot verify: {exc}") from exc
    with pdf, doc:
        checked = []
        pages = _TextPages(doc)
        if boxes:
            _check_under_boxes(search, doc, boxes, labels, pages)
            checked.append("under_box")
        if prepared:
            _check_page_text(search, doc, pages)
            _check_metadata(search, pdf)
            _check_annotations(search, pdf)
            _check_outline(search, pdf)
            _check_attachments(search, pdf)
            _check_form(search, pdf)
            _check_objects(search, pdf, raw)
            checked += [c for c in CHANNELS if c != "under_box"]
            if ocr_words:
                _check_ocr_words(search, ocr_words, boxes or {})
                checked.append(OCR_CHANNEL)
    search.report.checked = checked
    return search.report
