"""Burn-in stage: real redaction with PyMuPDF.

Text under each box is removed from the content stream, image pixels under it are blanked and vector art
covered by it is removed; the box is filled black and carries its ground's label ("Bescherming
persoonlijke levenssfeer"), in a smaller font where needed, or the code ("5.1.2e") where even the
smallest readable size does not fit. On scanned pages the box is light grey with black text (OCR reads
white on black poorly, and publication platforms OCR scans again), and the page gets its OCR text back as
an invisible layer without the redacted words.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pymupdf

from .model import Finding, Rect, Word
from .read import open_pdf
from .rules import Rules

FONT = "helv"
MAX_FONT = 9.0
MIN_LABEL_FONT = 5.0  # below this the label words are not readable: use the code
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


BAND = 0.3  # text removal keeps off this share of a box's height at its top and at its bottom


def _band(r: pymupdf.Rect) -> pymupdf.Rect:
    inset = r.height * BAND
    return pymupdf.Rect(r.x0, r.y0 + inset, r.x1, r.y1 - inset)


def _inside(inner: Rect, outer: Rect) -> bool:
    return outer[0] <= inner[0] + 0.01 and outer[1] <= inner[1] + 0.01 and inner[2] <= outer[2] + 0.01 \
        and inner[3] <= outer[3] + 0.01


def _holds(r: Rect, x: float, y: float) -> bool:
    return r[0] <= x < r[2] and r[1] <= y < r[3]


def _bucket(width: float, widths: list[float]) -> float:
    for w in widths:
        if w >= width:
            return w
    step = widths[-1] / 2
    return step * -(-width // step)  # longer than every bucket: the next multiple of half the largest


def pad_boxes(page: pymupdf.Page, boxes: list[tuple[Rect, str]], want: list[bool],
              widths: list[float]) -> list[tuple[Rect, str]]:
    """Widen the boxes marked in `want` to the next width in `widths`, as far as the line has room:
    into the space before and after the name, never over a word that stays readable or another box."""
    rects = [pymupdf.Rect(r) for r, _ in boxes]
    plain = [tuple(r) for r, _ in boxes]
    readable = [pymupdf.Rect(w[:4]) for w in page.get_text("words")
                if not any(_holds(r, (w[0] + w[2]) / 2, (w[1] + w[3]) / 2) for r in plain)]
    # vertical rules (table cell borders) are limits too: a box must not swallow them
    readable += [d["rect"] for d in page.get_drawings() if d["rect"].width < 3 and d["rect"].height > 4]
    margin = min(36.0, page.rect.width * 0.05)
    out = []
    for i, ((rect, ground), r) in enumerate(zip(boxes, rects)):
        if not want[i]:
            out.append((rect, ground))
            continue
        height = r.height or 1.0

        def same_line(o: pymupdf.Rect) -> bool:
            return min(o.y1, r.y1) - max(o.y0, r.y0) > 0.4 * min(height, o.height or 1.0)

        others = [o for o in readable + rects[:i] + rects[i + 1:] if same_line(o)]
        # grow left only into the space after a word of the same phrase: a name that starts its line (or
        # its column) keeps the column's left edge straight
        before = [o.x1 for o in others if o.x1 <= r.x0 + 0.5]
        left = max(before) + 1.0 if before and r.x0 - max(before) < 3 * height else r.x0
        right = min([o.x0 - 1.0 for o in others if o.x0 >= r.x1 - 0.5] + [page.rect.x1 - margin])
        extra = _bucket(r.width, widths) - r.width
        grow_left = max(0.0, min(extra / 2, r.x0 - left))
        grow_right = max(0.0, min(extra - grow_left, right - r.x1))
        grow_left = max(0.0, min(extra - grow_right, r.x0 - left))
        out.append(((r.x0 - grow_left, r.y0, r.x1 + grow_right, r.y1), ground))
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
         text_layer: dict[int, list[Word]] | None = None) -> int:
    """Write `src` with every redaction burned in to `dst`. Returns the number of boxes.

    `text_layer`: per scanned page the words OCR read from its image; they are written back as invisible
    text (render mode 3) so that the redacted scan stays searchable — all but the words under a box."""
    doc = open_pdf(src, password)
    font = pymupdf.Font(FONT)
    count = 0
    planned = plan_boxes(findings)
    padded: dict[int, list[Rect]] = {}
    for f in findings:
        if f.decision == "redact" and f.entity in rules.pad_entities:
            for p, r in f.boxes:
                padded.setdefault(p, []).append(r)
    try:
        if rules.pad_widths:
            for pno, boxes in planned.items():
                want = [any(_inside(r, box) for r in padded.get(pno, ())) for box, _ in boxes]
                if any(want):
                    planned[pno] = pad_boxes(doc[pno], boxes, want, rules.pad_widths)
        for pno, words in (text_layer or {}).items():
            _write_text_layer(doc[pno], words, [pymupdf.Rect(r) for r, _ in planned.get(pno, [])], font)
        for pno, boxes in planned.items():
            page = doc[pno]
            scanned = pno in (text_layer or {})
            fill = SCAN_FILL if scanned else (0, 0, 0)
            rects = [pymupdf.Rect(rect) for rect, _ in boxes]
            if page.get_images(full=False):
                # image pixels under the whole box first (text untouched in this pass)
                for r in rects:
                    page.add_redact_annot(r, cross_out=False)
                page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS,
                                      graphics=pymupdf.PDF_REDACT_LINE_ART_NONE, text=pymupdf.PDF_REDACT_TEXT_NONE)
            # text: MuPDF removes every glyph whose box touches the redaction, and glyph boxes of the
            # lines above and below reach into a word's box; the middle band of the box takes the
            # glyphs of its own line only
            for r in rects:
                page.add_redact_annot(r if scanned else _band(r), cross_out=False)
                count += 1
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE,
                                  graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_COVERED,
                                  text=pymupdf.PDF_REDACT_TEXT_REMOVE)
            shape = page.new_shape()
            for r in rects:  # one path per box: each box its own object for a reader's tools
                shape.draw_rect(r)
                shape.finish(color=None, fill=fill, width=0)
            shape.commit()
            _write_labels(page, boxes, rules, font, colour=(0, 0, 0) if scanned else (1, 1, 1))
        doc.save(dst, garbage=1)
    finally:
        doc.close()
    return count


def _write_text_layer(page: pymupdf.Page, words: list[Word], boxes: list[pymupdf.Rect], font: pymupdf.Font) -> None:
    """Invisible OCR text over a scanned page, each word stretched to its place; words that touch a
    redaction box are left out (written before the redactions are applied, which would remove them
    anyway: the text layer is checked by verify like any other text)."""
    writer = pymupdf.TextWriter(page.rect)
    written = 0
    for w in words:
        r = pymupdf.Rect(w.rect)
        if r.is_empty or any(r.intersects(b) for b in boxes):
            continue
        size = r.height * 0.85
        natural = font.text_length(w.text, fontsize=size)
        if natural <= 0:
            continue
        size *= min(r.width / natural, 1.5)  # the word's width, so that selecting it selects its image
        writer.append((r.x0, r.y1 - r.height * 0.2), w.text, font=font, fontsize=size)
        written += 1
    if written:
        writer.write_text(page, render_mode=3)


def _write_labels(page: pymupdf.Page, boxes: list[tuple[Rect, str]], rules: Rules, font: pymupdf.Font,
                 colour: tuple = (1, 1, 1)) -> None:
    """Label text centred in each box (white in black boxes), written in one go per page."""
    writer = pymupdf.TextWriter(page.rect, color=colour)
    for rect, ground in boxes:
        r = pymupdf.Rect(rect)
        g = rules.grounds.get(ground)
        text, size = fit_label(r, g.label if g else ground, ground)
        if size <= 0:
            continue
        width = _unit_length(text) * size
        baseline = r.y0 + (r.height + size * (font.ascender + font.descender)) / 2
        writer.append((r.x0 + (r.width - width) / 2, baseline), text, font=font, fontsize=size)
    writer.write_text(page)
