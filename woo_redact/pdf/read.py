"""Read stage: open a PDF and turn it into a `Document` (text, words with boxes, header fields).

The document's text is built from PyMuPDF's words: words of one line joined by a space, lines by a line
break, pages separated by an empty line. Every word keeps its offsets in that text, so a finding's
character span maps back to the exact word boxes, also when a name wraps over two lines.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pymupdf

from . import ocr
from ..errors import EncryptedPdfError, InputFileError
from ..model import Document, HeaderField, Line, Word
from ..rules import Rules

# Words as PyMuPDF finds them, with ligatures (ﬁ) expanded so that "identiﬁcatie" reads as text, and
# invisible text (render mode 3) included: what can be extracted must be checked.
WORD_FLAGS = (pymupdf.TEXTFLAGS_WORDS & ~pymupdf.TEXT_PRESERVE_LIGATURES) | pymupdf.TEXT_PRESERVE_WHITESPACE
WORD_FLAGS &= ~pymupdf.TEXT_MEDIABOX_CLIP  # text outside the visible page is still in the file
EVERYWHERE = pymupdf.INFINITE_RECT()  # and PyMuPDF clips to the page unless given a clip that does not


def open_pdf(path: Path, password: str | None = None) -> pymupdf.Document:
    """Open `path` as a PDF or raise an `InputFileError` whose message names the reason."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as e:
        raise InputFileError(f"{path}: cannot be read ({e.strerror})") from None
    if not head:
        raise InputFileError(f"{path}: empty file")
    if b"%PDF-" not in head:
        raise InputFileError(f"{path}: not a PDF (no %PDF header)")
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as e:  # PyMuPDF raises its own FileDataError and friends
        raise InputFileError(f"{path}: corrupt PDF ({_short(e)})") from None
    if doc.needs_pass:
        if not password or not doc.authenticate(password):
            doc.close()
            hint = "wrong password" if password else "use --password"
            raise EncryptedPdfError(f"{path}: encrypted PDF ({hint})")
    if doc.page_count == 0:
        doc.close()
        raise InputFileError(f"{path}: PDF has no pages")
    if doc.is_repaired:
        # MuPDF repaired a broken cross-reference table; the content may be incomplete.
        try:
            doc[doc.page_count - 1].get_text("text")
        except Exception as e:
            doc.close()
            raise InputFileError(f"{path}: corrupt PDF ({_short(e)})") from None
    if doc.get_ocgs():
        # hidden optional-content layers are read, previewed and redacted like visible ones: the
        # sanitiser removes the layers, so what they hide becomes visible in the output. Without its
        # layer configuration MuPDF shows every layer; the file itself is not touched.
        doc.xref_set_key(doc.pdf_catalog(), "OCProperties", "null")
        data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_NONE)
        doc.close()
        doc = pymupdf.open(stream=data, filetype="pdf")
    return doc


def _short(e: Exception) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return msg[:120]


def read(path: Path, rules: Rules, password: str | None = None, use_ocr: bool = True,
         ocr_cache: Path | None = None, jobs: int = 1) -> Document:
    """Read `path` into a `Document`; scanned pages are read with OCR when Tesseract is installed, and
    their results kept in (and taken from) the folder `ocr_cache` when one is given. `jobs`: how many
    pages Tesseract may read at once."""
    path = Path(path)
    doc = open_pdf(path, password)
    try:
        return _read_open(path, doc, rules, use_ocr and ocr.available() is None, ocr_cache, jobs, password)
    except InputFileError:
        raise
    except Exception as e:
        raise InputFileError(f"{path}: corrupt PDF ({_short(e)})") from None
    finally:
        doc.close()


def _read_open(path: Path, doc: pymupdf.Document, rules: Rules, use_ocr: bool = False,
               ocr_cache: Path | None = None, jobs: int = 1, password: str | None = None) -> Document:
    parts: list[str] = []
    pos = 0
    words: list[Word] = []
    lines: list[Line] = []
    page_starts: list[int] = []
    textless: list[int] = []
    covered: list[tuple[int, tuple]] = []
    marked: list[tuple[int, tuple, str]] = []
    confidence: dict[int, float] = {}
    image_text: list[int] = []  # pages whose images (not the page itself) were read by OCR
    off_page: list[int] = []  # pages with words outside the crop box (read and redacted all the same)
    rules_of: dict[int, list[tuple]] = {}  # per page its vertical rules
    # the words of our own box labels, white on black: not a fake redaction
    label_words = {w for g in rules.grounds.values() for w in g.label.split()} | set(rules.grounds)
    cache = None  # the document's OCR results of an earlier read, looked up at the first scanned page
    if use_ocr and jobs > 1:  # the scans read beside each other first, into the cache the loop reads
        scans = [p for p in range(doc.page_count) if doc[p].get_images(full=False)
                 and ocr.needs_ocr(doc[p], doc[p].get_text("words", flags=WORD_FLAGS, clip=EVERYWHERE, sort=False))]
        if len(scans) > 1:
            cache = ocr.Cache.of(path, ocr_cache)
            for p, page_read in ocr.read_pages(doc, [p for p in scans if cache.get(p) is None], jobs).items():
                cache.put(p, page_read)
    for pno in range(doc.page_count):
        page = doc[pno]
        page_starts.append(pos)
        raw = page.get_text("words", flags=WORD_FLAGS, clip=EVERYWHERE, sort=False)
        drawings = page.get_cdrawings()  # MuPDF's own list: get_drawings makes objects of every point first
        covered.extend((pno, r) for r in fake_redactions(page, raw, label_words, drawings))
        if rules_here := vertical_rules(drawings):
            rules_of[pno] = rules_here
        marked.extend((pno, r, note) for r, note in redaction_marks(page))
        if use_ocr and ocr.needs_ocr(page, raw):
            if cache is None:
                cache = ocr.Cache.of(path, ocr_cache)
            scanned = cache.get(pno) or cache.put(pno, ocr.ocr_page(page))
            raw = ocr.merge_words(raw, scanned.words)
            confidence[pno] = round(scanned.confidence, 1)
        elif use_ocr and raw and (regions := ocr.text_images(page)):
            # a page with text and a large image: a pasted screenshot of an e-mail names people too
            if cache is None:
                cache = ocr.Cache.of(path, ocr_cache)
            for i, rect in enumerate(regions):
                key = ocr.region_key(pno, rect)
                found = cache.get(key) or cache.put(key, ocr.ocr_region(page, rect, block_base=100_000 * (i + 1)))
                raw = ocr.merge_words(raw, found.words)
            image_text.append(pno)
        if not any(w[4].strip() for w in raw):
            textless.append(pno)
        shown = page.rect * page.derotation_matrix  # the words' space: unrotated, from the crop box's corner
        if any(w[2] <= shown.x0 or w[0] >= shown.x1 or w[3] <= shown.y0 or w[1] >= shown.y1 for w in raw):
            off_page.append(pno)
        current_key = None
        line_words: list[tuple] = []
        for w in raw + [None]:
            key = None if w is None else (w[5], w[6])
            if key != current_key and line_words:
                pos = _emit_line(pno, line_words, pos, parts, words, lines)
                line_words = []
            current_key = key
            if w is not None and w[4].strip():
                line_words.append(w)
        parts.append("\n")  # an empty line between pages
        pos += 1
    if cache is not None:
        cache.save()
    text = "".join(parts)
    document = Document(
        path=path,
        text=text,
        words=words,
        lines=lines,
        page_count=doc.page_count,
        page_starts=page_starts,
        metadata={k: v for k, v in (doc.metadata or {}).items() if isinstance(v, str) and v},
        textless_pages=textless,
        ocr_confidence=confidence,
        image_text_pages=image_text,
        extra_texts=_structure_texts(path, password) + _extra_texts(doc),
        covered=covered,
        marked=marked,
        off_page=off_page,
        vertical_rules=rules_of,
    )
    document.fields = header_fields(document, rules)
    return document


def _emit_line(pno, line_words, pos, parts, words, lines) -> int:
    start = pos
    line_index = len(lines)
    pieces = []
    for i, w in enumerate(line_words):
        if i:
            pieces.append(" ")
            pos += 1
        t = w[4].strip()
        words.append(Word(t, pno, (w[0], w[1], w[2], w[3]), pos, pos + len(t), line_index))
        pieces.append(t)
        pos += len(t)
    line_text = "".join(pieces)
    rect = (
        min(w[0] for w in line_words),
        min(w[1] for w in line_words),
        max(w[2] for w in line_words),
        max(w[3] for w in line_words),
    )
    lines.append(Line(line_text, pno, rect, start, pos, line_words[0][5]))
    parts.append(line_text + "\n")
    return pos + 1


def redaction_marks(page: pymupdf.Page) -> list[tuple[tuple, str]]:
    """The areas of the page's redaction annotations that were never applied (a reviewer's intent: they
    are proposed as redactions), each with the annotation's overlay text or contents."""
    out = []
    for annot in page.annots(types=[pymupdf.PDF_ANNOT_REDACT]) or []:
        kind, overlay = page.parent.xref_get_key(annot.xref, "OverlayText")
        note = " ".join(t for t in (overlay if kind == "string" else "", annot.info.get("content", "")) if t)
        points = annot.vertices or []
        if len(points) >= 4:
            for k in range(0, len(points) - 3, 4):
                quad = pymupdf.Quad(points[k:k + 4])
                out.append((tuple(quad.rect), note))
        else:
            out.append((tuple(annot.rect), note))
    return out


def vertical_rules(drawings: list[dict]) -> list[tuple]:
    """The thin vertical lines among a page's drawings (`page.get_cdrawings()`): table cell borders."""
    return [r for r in (tuple(d["rect"]) for d in drawings) if r[2] - r[0] < 3 and r[3] - r[1] > 4]


def fake_redactions(page: pymupdf.Page, words: list, label_words: set[str] = frozenset(),
                    drawings: list[dict] | None = None) -> list[tuple]:
    """Words that are still in the text layer but cannot be seen: under a filled, opaque, dark rectangle
    or a dark picture (a black image pasted over the text), or drawn in about the dark shape's own
    colour. The classic failed redaction: copy-paste reveals what the black box hides. Returns the
    boxes of those words. `drawings`: the page's `get_cdrawings()` when the caller has them.

    Whether a word can be seen is read from the rendered page: the area of a word under a dark shape
    is one even dark tone when the shape covers it or the text has its colour, and holds the light
    strokes of its letters when it stands out on the shape (white headings on a dark band, "AA"
    badges, a slide's light text on a dark panel): design, not a redaction."""
    if not words:
        return []
    shapes = []
    for d in page.get_cdrawings() if drawings is None else drawings:
        fill = d.get("fill")
        if not fill or (d.get("fill_opacity") or 1) < 0.95 or sum(fill[:3]) > 3 * DARK:
            continue
        shapes.append(pymupdf.Rect(d["rect"]))
    if page.get_images(full=False):  # pictures, image masks among them, in the order they are drawn
        shapes += [pymupdf.Rect(bbox) for kind, bbox in page.get_bboxlog() if kind in ("fill-image", "fill-imgmask")]
    under = []
    for r in shapes:
        if r.width < 4 or r.height < 4 or r.height > 60:
            continue  # lines, rules and full-page backgrounds (a scan) are no redaction boxes
        hidden = [w for w in words if w[4].strip() and w[4].strip() not in label_words
                  and ((w[0] + w[2]) / 2, (w[1] + w[3]) / 2) in r]
        under += [(r, w) for w in hidden]
    if not under:
        return []
    zoom = 2.0
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY, alpha=False)
    to_pixels = page.rotation_matrix * pymupdf.Matrix(zoom, zoom)  # words are unrotated page space
    out = []
    for r, w in under:
        if _unseen(pix, (pymupdf.Rect(w[:4]) & r) * to_pixels):
            box = (w[0], w[1], w[2], w[3])
            if box not in out:
                out.append(box)
    return out


DARK = 0.35  # a shape whose area is darker than this (0 black, 1 white) can hide text
CONTRAST = 0.25  # a pixel this much lighter or darker than the area's tone is a letter's stroke


def _unseen(pix: pymupdf.Pixmap, area: pymupdf.Rect) -> bool:
    """Whether `area` (pixels) is one even dark tone: nothing in it can be read."""
    x0, y0 = max(int(area.x0) + 1, 0), max(int(area.y0) + 1, 0)
    x1, y1 = min(int(area.x1) - 1, pix.width), min(int(area.y1) - 1, pix.height)
    if x1 <= x0 or y1 <= y0:
        return False
    samples, stride = pix.samples_mv, pix.stride
    values = bytearray()
    for y in range(y0, y1):
        values += samples[y * stride + x0:y * stride + x1]
    tone = sorted(values)[len(values) // 2]
    if tone > DARK * 255:
        return False
    lo, hi = max(tone - CONTRAST * 255, 0), min(tone + CONTRAST * 255, 255)
    strokes = sum(1 for v in values if v < lo or v > hi)
    return strokes < 0.02 * len(values)


STRUCTURE_TEXTS = ("/Alt", "/ActualText", "/E", "/T")  # what a structure element says besides the page text


def _structure_texts(path: Path, password: str | None = None, limit: int = 500_000) -> list[str]:
    """The alternative descriptions, replacement texts, expansions and titles in the structure tree of a
    tagged PDF: a screen reader reads a figure's /Alt ("Foto van ..."), no text search of the pages
    finds it. Walked with pikepdf (a tagged dossier has tens of thousands of elements); a file pikepdf
    cannot open gives none here (sanitising needs pikepdf too, and fails on it)."""
    try:
        pdf = pikepdf.open(path, password=password or "")
    except Exception:
        return []
    with pdf:
        return [str(value) for value in structure_values(pdf, STRUCTURE_TEXTS, limit)
                if isinstance(value, pikepdf.String) and str(value).strip()]


def structure_values(pdf: pikepdf.Pdf, keys: tuple[str, ...], limit: int = 500_000) -> Iterator:
    """The values of `keys` in every element of the structure tree (a tagged PDF's /Alt, /ActualText,
    /E, /T), each element once, at most `limit` of them."""
    todo = [pdf.Root.get("/StructTreeRoot")]
    seen: set[tuple[int, int]] = set()
    while todo and len(seen) < limit:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        for key in keys:
            value = node.get(key)
            if value is not None:
                yield value
        todo.append(node.get("/K"))  # the element's kids: elements, or marked content


def _extra_texts(doc: pymupdf.Document) -> list[str]:
    """Text outside the page content: annotations, bookmarks, attachment names. Detection looks at it too
    (and at the structure tree's alternative texts, `_structure_texts`)."""
    out: list[str] = []
    for page in doc:
        for annot in page.annots() or []:
            info = annot.info
            out.extend(v for k, v in info.items() if k in ("content", "title", "subject") and v)
    out.extend(t[1] for t in doc.get_toc(simple=True) if t[1])
    for i in range(doc.embfile_count()):
        info = doc.embfile_info(i)
        out.extend(v for k, v in info.items() if k in ("filename", "ufilename", "desc") and isinstance(v, str) and v)
    return out


# ---------------------------------------------------------------------------------------------- header

_LABEL_INDEX: dict[str, list] = {}


def _label_index(rules: Rules) -> list[tuple[re.Pattern, re.Pattern, dict]]:
    """For each header field: a pattern for the label alone on its line, and one for "Label: value".
    Made once for each set of fields (some 250 patterns: 0.2 s per document when made anew)."""
    key = repr(rules.header_fields)
    if key not in _LABEL_INDEX:
        _LABEL_INDEX[key] = _make_label_index(rules)
    return _LABEL_INDEX[key]


def _make_label_index(rules: Rules) -> list[tuple[re.Pattern, re.Pattern, dict]]:
    out = []
    for f in sorted(rules.header_fields, key=lambda f: -len(f["label"])):
        lab = re.escape(f["label"]).replace(r"\ ", r"\s+")
        colon = r"\s*:" if f.get("colon") else r"\s*:?"
        bullet = r"(?:[•○◦▪·*–-]\s*)?"
        alone = re.compile(rf"^{bullet}{lab}{colon}\s*$", re.IGNORECASE)
        if f["kind"] in ("persons", "officials") or f.get("colon"):
            inline = re.compile(rf"^{bullet}{lab}\s*:\s*(?P<v>\S.*)$", re.IGNORECASE)
        else:
            inline = re.compile(rf"^{bullet}{lab}(?:\s*:\s*|\s+)(?P<v>\S.*)$", re.IGNORECASE)
        out.append((alone, inline, f))
    return out


def _any_label(rules: Rules) -> re.Pattern:
    """A line that starts with some field's label (as `_label_index`'s patterns do), to rule out the
    others at once."""
    labels = sorted((re.escape(f["label"]).replace(r"\ ", r"\s+") for f in rules.header_fields), key=len, reverse=True)
    return re.compile(rf"^(?:[•○◦▪·*–-]\s*)?(?:{'|'.join(labels)})", re.IGNORECASE)


_LABEL_START = re.compile(r"^[A-Z][\w .()/-]{0,30}:\s")


def header_fields(document: Document, rules: Rules) -> list[HeaderField]:
    """Find label/value pairs: the label alone on a line with the value on the lines below it (the
    right-hand column of a nota), or "Label: value" on one line (letters, e-mails, minutes)."""
    index = _label_index(rules)
    any_label = _any_label(rules)
    lines = document.lines
    fields: list[HeaderField] = []

    def match(line: Line):
        if not any_label.match(line.text):  # most lines start with no label at all: one test, not 80
            return None
        for alone, inline, spec in index:
            if alone.match(line.text):
                return spec, None
            m = inline.match(line.text)
            if m:
                return spec, m
        return None

    matches = [match(line) for line in lines]
    right_edge: dict[int, float] = {}
    for line in lines:
        right_edge[line.page] = max(right_edge.get(line.page, 0.0), line.rect[2])
    for i, line in enumerate(lines):
        hit = matches[i]
        if not hit:
            continue
        spec, m = hit
        value_lines: list[Line] = []
        if m is None:
            # value on the following lines, close below and aligned with the label
            prev = line
            # a list of people ("Aanwezig" with one "Name, Organisation" a line) may run long
            for j in range(i + 1, min(i + (60 if spec["kind"] == "persons" else 8), len(lines))):
                nxt = lines[j]
                if matches[j] or nxt.page != line.page:
                    break
                height = max(prev.rect[3] - prev.rect[1], 1.0)
                gap = nxt.rect[1] - prev.rect[3]
                indent = nxt.rect[0] - line.rect[0]  # values may be indented (bullet lists), not outdented
                if gap > 0.8 * height or not -30 <= indent <= 50 or nxt.rect[1] < prev.rect[1]:
                    break
                value_lines.append(nxt)
                prev = nxt
            if not value_lines:
                continue
            start, end = value_lines[0].start, value_lines[-1].end
        else:
            start, end = line.start + m.start("v"), line.end
            # a value that wraps: continuation lines of the same block that are no label themselves
            for j in range(i + 1, min(i + 3, len(lines))):
                nxt = lines[j]
                prev = lines[j - 1]
                wrapped = (prev.text.rstrip().endswith(",") or nxt.text[:1] in "(<" or nxt.text[:1].islower()
                           or prev.rect[2] >= 0.8 * right_edge[prev.page])
                if (matches[j] or nxt.page != line.page or nxt.block != line.block or not wrapped
                        or _LABEL_START.match(nxt.text) or prev.text.rstrip().endswith((".", ":"))):
                    break
                end = nxt.end
        fields.append(HeaderField(spec["label"], spec["kind"], document.text[start:end], start, end, line.page,
                                  wrapped=m is not None and end > line.end))
    return fields
