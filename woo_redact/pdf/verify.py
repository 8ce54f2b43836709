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
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pymupdf

from ..decide.secrets import SecretForms
from ..errors import EncryptedPdfError, InputFileError
from .strings import REVISION_END, Secrets, cmap_texts, decoded_atoms, is_image, is_type, label, objects, shown_strings, stream_bytes, text_of

CHANNELS = ("under_box", "page_text", "metadata", "annotation", "outline", "attachment", "form", "objects")
OCR_CHANNEL = "image_ocr"
PAGE_TEXT_FLAGS = (pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES) & ~pymupdf.TEXT_MEDIABOX_CLIP

_T = pikepdf.ObjectType
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
    """Each page and its words, read once (also beside the page, ligatures expanded)."""

    def __init__(self, doc: pymupdf.Document):
        self.doc = doc
        self._read: dict[int, tuple[pymupdf.Page, list]] = {}

    def __call__(self, number: int) -> tuple[pymupdf.Page, list]:
        got = self._read.get(number)
        if got is None:
            page = self.doc[number]
            got = self._read[number] = (page, page.get_text("words", flags=PAGE_TEXT_FLAGS,
                                                            clip=pymupdf.INFINITE_RECT()))
        return got


def _lines(words: list) -> dict[tuple[int, int], list]:
    """The words of a page by (block, line), in reading order."""
    lines: dict[tuple[int, int], list] = {}
    for w in words:
        lines.setdefault((w[5], w[6]), []).append(w)
    return lines


def _check_page_text(search: _Search, doc: pymupdf.Document, pages: _TextPages) -> None:
    for number in range(doc.page_count):
        page, words = pages(number)
        text = "\n".join(" ".join(w[4] for w in line) for line in _lines(words).values())
        found = search.secrets.text(text)
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


def _only_labels(words: list, rects: list[Rect], labels: list[str]) -> bool:
    """Whether every word that reaches into a box is part of a label written on its line: then no glyph
    of anything else can lie under a box (a character under a box belongs to a word that reaches into
    it), and the characters need not be read one by one."""
    for line in _lines(words).values():
        top, bottom = min(w[1] for w in line), max(w[3] for w in line)
        near = [r for r in rects if top < r[3] - 0.5 and bottom > r[1] + 0.5]  # boxes the line reaches
        if not near:
            continue
        text, starts = "", []
        for w in line:
            starts.append(len(text) + (1 if text else 0))
            text += (" " if text else "") + w[4]
        covered = None
        for w, at in zip(line, starts):
            if any(w[0] < r[2] - 0.5 and w[2] > r[0] + 0.5 and w[1] < r[3] - 0.5 and w[3] > r[1] + 0.5 for r in near):
                if covered is None:
                    covered = _label_chars(text, labels)
                if not all(k in covered for k in range(at, at + len(w[4]))):
                    return False
    return True


def _check_under_boxes(search: _Search, doc: pymupdf.Document, boxes: dict[int, list[Rect]],
                       labels: Iterable[str], pages: _TextPages) -> None:
    """No glyph may be left under a burned-in box, except those of the box's own label."""
    labels = sorted({lab for lab in labels if lab}, key=len, reverse=True)
    for pno, rects in sorted(boxes.items()):
        if pno >= doc.page_count or not rects:
            continue
        page, words = pages(pno)
        if _only_labels(words, rects, labels):
            continue  # the usual page: under its boxes only their labels
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
