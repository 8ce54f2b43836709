"""Burn-in stage: real redaction with PyMuPDF.

Text under each box is removed from the content stream, image pixels under it are blanked and vector art
covered by it is removed; the box is filled black and carries its ground's label ("Bescherming
persoonlijke levenssfeer"), in a smaller font where needed, or the code ("5.1.2e") where even the
smallest readable size does not fit. On scanned pages the box is light grey with black text (OCR reads
white on black poorly, and publication platforms OCR scans again), and the page gets its OCR text back as
an invisible layer without the redacted words.
"""
from __future__ import annotations

import bisect
import functools
from pathlib import Path

import pymupdf

from . import glyphs, pdfops
from ..model import Finding, PageLayout, Rect, Word
from .read import open_pdf, vertical_rules
from ..rules import Rules

FONT = "helv"
_helv = pymupdf.Font(FONT)
HELV_ASCENDER, HELV_DESCENDER = _helv.ascender, _helv.descender
MAX_FONT = 9.0
# a label is chosen by the size a reader sees: at 100 % zoom a viewer shows a point as 96/72 pixels, and
# words smaller than 8 pixels are hard to read; below that the box says its ground's code, larger
LEGIBLE_PX = 8.0
MIN_LABEL_FONT = LEGIBLE_PX * 72 / 96  # 6 pt
MIN_CODE_FONT = 2.5
SCAN_FILL = (0.8, 0.8, 0.8)  # boxes on scanned pages: light grey with black text, which OCR can read
MERGE_GAP = 0.6  # boxes on one line closer than this many line heights become one box


def plan_boxes(findings: list[Finding]) -> dict[int, list[tuple[Rect, str]]]:
    """Per page: the boxes to burn in with their ground; boxes of the same ground that touch or stand
    close together on one line are merged so that the label has room."""
    per_page: dict[int, list[tuple[Rect, str]]] = {}
    for f in findings:
        if f.decision != "redact":
            continue
        for page, rect in f.boxes:
            per_page.setdefault(page, []).append((rect, f.ground))
    merged: dict[int, list[tuple[Rect, str]]] = {}
    for page, boxes in per_page.items():
        out: list[tuple[list[float], str]] = []
        for rect, ground in sorted(boxes, key=lambda b: (round(b[0][1]), b[0][0])):
            r = list(rect)
            for o, g in out:
                h = max(o[3] - o[1], r[3] - r[1])
                same_line = abs(o[1] - r[1]) < 0.3 * h and abs(o[3] - r[3]) < 0.3 * h
                if g == ground and same_line and r[0] - o[2] < MERGE_GAP * h and o[0] - r[2] < MERGE_GAP * h:
                    o[0], o[1], o[2], o[3] = min(o[0], r[0]), min(o[1], r[1]), max(o[2], r[2]), max(o[3], r[3])
                    break
            else:
                out.append((r, ground))
        merged[page] = [(tuple(r), g) for r, g in out]
    return merged


@functools.lru_cache(maxsize=256)
def _unit_length(text: str) -> float:
    """The width of `text` at font size 1 (widths scale linearly with the size)."""
    return max(pymupdf.get_text_length(text, FONT, 1), 1e-6)


def _redaction(page: pymupdf.Page, rects: list[pymupdf.Rect]) -> None:
    """One redaction annotation over all `rects` of the page, each a quadrilateral in its /QuadPoints
    (MuPDF redacts each quad as a box of its own): a dozen annotations per page cost PyMuPDF more than
    redacting them."""
    annot = page.add_redact_annot(functools.reduce(lambda a, b: a | b, rects), cross_out=False)
    a, b, c, d, e, f = ~page.transformation_matrix  # page space → PDF space (rotation and offsets included)
    num = pdfops.num
    points = []
    for r in rects:  # the quad's corners ul, ur, ll, lr, transformed by hand (PyMuPDF's Quad * Matrix
        for x, y in ((r.x0, r.y0), (r.x1, r.y0), (r.x0, r.y1), (r.x1, r.y1)):  # made objects per point)
            points += [num(a * x + c * y + e), num(b * x + d * y + f)]
    page.parent.xref_set_key(annot.xref, "QuadPoints", f"[{' '.join(points)}]")


def _inside(inner: Rect, outer: Rect) -> bool:
    return outer[0] <= inner[0] + 0.01 and outer[1] <= inner[1] + 0.01 and inner[2] <= outer[2] + 0.01 \
        and inner[3] <= outer[3] + 0.01


def _bucket(width: float, widths: list[float]) -> float:
    for w in widths:
        if w >= width:
            return w
    step = widths[-1] / 2
    return step * -(-width // step)  # longer than every bucket: the next multiple of half the largest


TALL = 50.0  # points: words and boxes are lower than this; table rules may be taller


def pad_boxes(page: pymupdf.Page, boxes: list[tuple[Rect, str]], want: list[bool],
              widths: list[float], ocr_words: list[Word] = (), layout: PageLayout | None = None) -> list[tuple[Rect, str]]:
    """Widen the boxes marked in `want` to the next width in `widths`, as far as the line has room:
    into the space before and after the name, never over a word that stays readable (in the text layer,
    or `ocr_words` read from a scan's image), an image beside it, or another box. `layout`: the page's
    words (OCR's among them) and vertical rules as reading found them, when the caller has them."""
    plain = [tuple(r) for r, _ in boxes]
    if layout is not None:
        found = [tuple(r) for r in layout.words]
    else:
        found = [w[:4] for w in page.get_text("words")] + [tuple(w.rect) for w in ocr_words]
    words = sorted(((w[1] + w[3]) / 2, w) for w in found)
    middles = [m for m, _ in words]
    under: set[int] = set()  # words whose centre lies in a box: not readable, may be covered
    for r in plain:
        for k in range(bisect.bisect_left(middles, r[1]), bisect.bisect_left(middles, r[3])):
            if r[0] <= (words[k][1][0] + words[k][1][2]) / 2 < r[2]:
                under.add(k)
    readable = [w for k, (_, w) in enumerate(words) if k not in under]
    # vertical rules (table cell borders) are limits too: a box must not swallow them; and images (a
    # logo, a signature) beside the name: the box would blank their pixels. A scan's page image holds
    # the box and limits nothing.
    # (MuPDF's own list of paths: get_drawings would make objects of every point of every path first)
    readable += [tuple(r) for r in layout.rules] if layout is not None else vertical_rules(page.get_cdrawings())
    if page.get_images(full=False):
        readable += [tuple(i["bbox"]) for i in page.get_image_info()]
    margin = min(36.0, page.rect.width * 0.05)
    page_right = page.rect.x1 - margin
    # what may share a box's line, by top: only the items starting less than TALL above the box are
    # looked at (a dossier page has hundreds of words), and the few taller ones always
    limits = [(o[1], j, o) for j, o in enumerate(readable + plain)]
    tall = [t for t in limits if t[2][3] - t[2][1] > TALL]
    short = sorted(t for t in limits if t[2][3] - t[2][1] <= TALL)
    tops = [t[0] for t in short]
    out = []
    for i, (rect, ground) in enumerate(boxes):
        if not want[i]:
            out.append((rect, ground))
            continue
        x0, y0, x1, y1 = plain[i]
        height = (y1 - y0) or 1.0
        before, right = None, page_right
        near = short[bisect.bisect_left(tops, y0 - TALL):bisect.bisect_left(tops, y1)] + tall
        for _, j, o in near:
            if j == len(readable) + i:
                continue
            # on the same line: overlapping by more than 0.4 of the lower of the two
            if min(o[3], y1) - max(o[1], y0) <= 0.4 * min(height, (o[3] - o[1]) or 1.0):
                continue
            if o[2] <= x0 + 0.5 and (before is None or o[2] > before):
                before = o[2]
            if o[0] >= x1 - 0.5:
                right = min(right, o[0] - 1.0)
        # grow left only into the space after a word of the same phrase: a name that starts its line (or
        # its column) keeps the column's left edge straight
        left = before + 1.0 if before is not None and x0 - before < 3 * height else x0
        width = x1 - x0
        extra = _bucket(width, widths) - width
        grow_left = max(0.0, min(extra / 2, x0 - left))
        grow_right = max(0.0, min(extra - grow_left, right - x1))
        grow_left = max(0.0, min(extra - grow_right, x0 - left))
        out.append(((x0 - grow_left, y0, x1 + grow_right, y1), ground))
    return out


def fit_label(rect: pymupdf.Rect, label: str, code: str) -> tuple[str, float]:
    """The text and font size to write in a box: the label if it fits at a readable size, else the code."""
    height_limit = rect.height / 1.25
    width = rect.width - 1.0
    size = min(MAX_FONT, height_limit, width / _unit_length(label))
    if size >= MIN_LABEL_FONT:
        return label, size
    size = min(MAX_FONT, height_limit, width / _unit_length(code))
    return code, max(size, MIN_CODE_FONT) if size >= MIN_CODE_FONT else 0.0


def burn(src: Path, dst: Path, findings: list[Finding], rules: Rules, password: str | None = None,
         text_layer: dict[int, list[Word]] | None = None, image_words: dict[int, list[Word]] | None = None,
         layouts: dict[int, PageLayout] | None = None) -> int:
    """Write `src` with every redaction burned in to `dst`. Returns the number of boxes.

    `image_words`: per page whose images OCR read, its words (a widened box must not cover them).
    `text_layer`: per scanned page the words OCR read from its image; they are written back as invisible
    text (render mode 3) so that the redacted scan stays searchable — all but the words under a box.
    `layouts`: per page its words (with OCR's) and vertical rules as read, so that widening boxes need
    not extract them again."""
    doc = open_pdf(src, password)
    font = pymupdf.Font(FONT)
    fonts = pdfops.Fonts(doc)
    count = 0
    planned = plan_boxes(findings)
    padded: dict[int, list[Rect]] = {}
    for f in findings:
        if f.decision == "redact" and f.entity in rules.pad_entities:
            for p, r in f.boxes:
                padded.setdefault(p, []).append(r)
    page_lines: dict[int, list[tuple]] = {}
    try:
        pdfops.drop_redaction_marks(doc)  # the incoming file's own marks came in as findings
        if rules.pad_widths:
            for pno, boxes in planned.items():
                want = [any(_inside(r, box) for r in padded.get(pno, ())) for box, _ in boxes]
                if any(want) and pno not in (text_layer or {}):
                    # widening is along a line of upright text: not for vertical text or text at an angle
                    every = page_lines[pno] = glyphs.lines(doc[pno])
                    want = [w and glyphs.upright(every, box) for w, (box, _) in zip(want, boxes)]
                if any(want):
                    seen = (text_layer or {}).get(pno) or (image_words or {}).get(pno) or ()
                    planned[pno] = pad_boxes(doc[pno], boxes, want, rules.pad_widths, seen,
                                             None if layouts is None else layouts.get(pno, PageLayout([], [])))
        for pno, boxes in planned.items():
            page = doc[pno]
            scanned = pno in (text_layer or {})
            fill = SCAN_FILL if scanned else (0, 0, 0)
            rects = [pymupdf.Rect(rect) for rect, _ in boxes]
            if page.get_images(full=False):
                # image pixels under the whole box first (text untouched in this pass)
                _redaction(page, rects)
                page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                                      graphics=pymupdf.PDF_REDACT_LINE_ART_NONE, text=pymupdf.PDF_REDACT_TEXT_NONE)
            if scanned:  # the OCR layer is written again below: everything under the box goes
                shapes = [glyphs.Box(tuple(r), length=r.width, thickness=r.height) for r in rects]
                quads = rects
            else:
                # text: the glyphs each box takes by their own quads (any direction), each given to MuPDF
                # as a small quad inside it; and the middle band of upright and vertical boxes, as
                # before, which also takes the line art it covers
                shapes, points = glyphs.plan(page, [tuple(r) for r in rects], page_lines.get(pno))
                quads = [pymupdf.Rect(b.band) for b in shapes if b.band] + [pymupdf.Rect(p) for p in points]
            count += len(rects)
            if quads:
                _redaction(page, quads)
                page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE,
                                      graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                                      text=pymupdf.PDF_REDACT_TEXT_REMOVE)
            colour = (0, 0, 0) if scanned else (1, 1, 1)
            _overlay(page, [(b, g) for b, (_, g) in zip(shapes, boxes)], rules, fill, colour, fonts)
        # after the redactions: MuPDF removes every glyph a box touches, and the invisible words are
        # stretched to their image, so a word beside a box (the "T" of "T 070 …") would go too
        for pno, words in (text_layer or {}).items():
            _write_text_layer(doc[pno], words, [pymupdf.Rect(r) for r, _ in planned.get(pno, [])], font)
        doc.save(dst, garbage=1)
    finally:
        doc.close()
    return count


def _overlay(page: pymupdf.Page, boxes: list[tuple[glyphs.Box, str]], rules: Rules, fill: tuple, colour: tuple,
             fonts: pdfops.Fonts) -> None:
    """The boxes (one path each) and their labels as one content stream over the page, in page space
    (a `cm` maps it to PDF space, whatever the page's rotation, boxes and /UserUnit): what a Shape and a
    TextWriter write, without their cost per box (a dossier page has a dozen boxes, a dossier hundreds
    of pages). Text at an angle gets a slanted box; each label runs along its text."""
    n = pdfops.num
    matrix = " ".join(f"{v:.6f}".rstrip("0").rstrip(".") or "0" for v in ~page.transformation_matrix)
    ops = ["q", f"{matrix} cm", f"{pdfops.rgb(fill)} rg"]
    for box, _ in boxes:
        if box.polygon:
            (ax, ay), *rest = box.polygon
            ops.append(f"{n(ax)} {n(ay)} m " + " ".join(f"{n(x)} {n(y)} l" for x, y in rest) + " h f")
        else:
            x0, y0, x1, y1 = box.rect
            ops.append(f"{n(x0)} {n(y0)} {n(x1 - x0)} {n(y1 - y0)} re f")
    text = [f"{n(size)} Tf {' '.join(pdfops.num(v, 4) for v in tm)} Tm {pdfops.winansi(label)} Tj"
            for label, size, tm in _labels(boxes, rules)]
    if text:
        pdfops.own_resources(page)
        resource = fonts.use(page)
        ops += ["BT", f"{pdfops.rgb(colour)} rg", *(f"/{resource} {t}" for t in text), "ET"]
    ops.append("Q")
    pdfops.append_content(page, ops)


def _write_text_layer(page: pymupdf.Page, words: list[Word], boxes: list[pymupdf.Rect], font: pymupdf.Font) -> None:
    """Invisible OCR text over a scanned page, each word stretched to its place; words under a
    redaction box are left out (the text layer is checked by verify like any other text)."""
    writer = pymupdf.TextWriter(page.rect)
    written = 0
    for w in words:
        r = pymupdf.Rect(w.rect)
        # a word under a box is left out; one that only touches a box with its edge (the "T" before a
        # redacted phone number) stays readable in the image and stays in the text layer
        if r.is_empty or any(abs(r & b) > 0.3 * abs(r) for b in boxes):
            continue
        size = r.height * 0.85
        natural = font.text_length(w.text, fontsize=size)
        if natural <= 0:
            continue
        size *= min(r.width / natural, 1.5)  # the word's width, so that selecting it selects its image
        # with a space after it: without one a reader glues words that stand close ("Hetoverleg") and a
        # search for "Het overleg" finds nothing
        writer.append((r.x0, r.y1 - r.height * 0.2), w.text + " ", font=font, fontsize=size)
        written += 1
    if written:
        writer.write_text(page, render_mode=3)


def _labels(boxes: list[tuple[glyphs.Box, str]], rules: Rules):
    """(text, font size, text matrix in page space) of each box's label, centred in the box and running
    along its text; boxes too small for even the code get none."""
    for box, ground in boxes:
        g = rules.grounds.get(ground)
        label, size = fit_label(pymupdf.Rect(0, 0, box.length, box.thickness), g.label if g else ground, ground)
        if size <= 0:
            continue
        width = _unit_length(label) * size
        points = box.polygon or [(box.rect[0], box.rect[1]), (box.rect[2], box.rect[3])]
        cx, cy = sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
        (dx, dy), up = box.dir, (box.dir[1], -box.dir[0])  # along the text, and towards its top (y down)
        rise = size * (HELV_ASCENDER + HELV_DESCENDER) / 2
        x, y = cx - dx * width / 2 - up[0] * rise, cy - dy * width / 2 - up[1] * rise
        yield label, size, (dx, dy, up[0], up[1], x, y)
