"""Box edges at the redacted characters themselves where a word carries punctuation: "Hoi Jelmer," keeps
its comma ("Hoi ▮,"), "(Noor Haddou)" its brackets.

The words a document is read into are whole words as the PDF spaces them, punctuation included; a
finding's boxes cover whole words (`decide.map_boxes`). Where the characters of a word that fall outside
the finding are punctuation only, its box is brought in to the finding's own characters, measured from
the PDF's character boxes. Where those cannot be matched one to one to the word (a scan's OCR words,
ligatures, vertical text) the whole word stays covered.
"""
from __future__ import annotations

import bisect
from typing import Callable

import pymupdf

from ..model import Document, Finding, Word


def _outside_is_punctuation(text: str) -> bool:
    return bool(text) and not any(c.isalnum() for c in text)


def trim_punctuation(open_pdf: Callable[[], pymupdf.Document], document: Document,
                     findings: list[Finding]) -> dict[int, list[tuple]]:
    """Narrow the boxes of `findings` (decided "redact") to leave a word's punctuation outside them;
    `open_pdf` opens the document's PDF (only when a word needs it). Returns per page the boxes of the
    punctuation left readable, which boxes must not grow over."""
    pdf = _Lazy(open_pdf)
    try:
        return _trim(pdf, document, findings)
    finally:
        pdf.close()


class _Lazy:
    def __init__(self, opener):
        self._opener, self._doc = opener, None

    def __getitem__(self, pno: int):
        if self._doc is None:
            self._doc = self._opener()
        return self._doc[pno]

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()


def _trim(pdf, document: Document, findings: list[Finding]) -> dict[int, list[tuple]]:
    words = document.words
    starts = [w.start for w in words]
    text = document.text
    kept: dict[int, list[tuple]] = {}
    chars: dict[tuple, list | None] = {}
    # per page the area of the words a box may be trimmed in: the characters are read there, once
    area: dict[int, list[float]] = {}
    for f in findings:
        if f.decision != "redact" or not f.boxes or f.end <= f.start:
            continue
        i = max(bisect.bisect_right(starts, f.start) - 1, 0)
        while i < len(words) and words[i].start < f.end:
            w = words[i]
            if w.end > f.start and (w.start < f.start or w.end > f.end):
                a = area.setdefault(w.page, list(w.rect))
                a[:] = min(a[0], w.rect[0]), min(a[1], w.rect[1]), max(a[2], w.rect[2]), max(a[3], w.rect[3])
            i += 1
    chars["area"] = area
    for f in findings:
        if f.decision != "redact" or not f.boxes or f.end <= f.start:
            continue
        i = max(bisect.bisect_right(starts, f.start) - 1, 0)
        per_line: dict[int, list[Word]] = {}
        while i < len(words) and words[i].start < f.end:
            if words[i].end > f.start:
                per_line.setdefault(words[i].line, []).append(words[i])
            i += 1
        changed = False
        boxes = []
        for line_words in per_line.values():
            rects = [list(w.rect) for w in line_words]
            first, last = line_words[0], line_words[-1]
            if last.end > f.end and _outside_is_punctuation(text[f.end:last.end]):
                cut = _char_edges(pdf, last, chars)
                k = f.end - last.start
                if cut is not None and 0 < k < len(cut):
                    rects[-1][2] = cut[k - 1][2]
                    kept.setdefault(last.page, []).append((cut[k][0], last.rect[1], last.rect[2], last.rect[3]))
                    changed = True
            if first.start < f.start and _outside_is_punctuation(text[first.start:f.start]):
                cut = _char_edges(pdf, first, chars)
                k = f.start - first.start
                if cut is not None and 0 < k < len(cut):
                    rects[0][0] = cut[k][0]
                    kept.setdefault(first.page, []).append((first.rect[0], first.rect[1], cut[k - 1][2], first.rect[3]))
                    changed = True
            boxes.append((first.page, (min(r[0] for r in rects), min(r[1] for r in rects),
                                       max(r[2] for r in rects), max(r[3] for r in rects))))
        if changed and len(boxes) == len(f.boxes):
            f.boxes = boxes
    return kept


def _char_edges(pdf, word: Word, cache: dict) -> list[tuple] | None:
    """The boxes of a word's characters, in reading order, when the PDF's characters under it match the
    word one to one on a horizontal line; else None."""
    key = (word.page, tuple(word.rect))
    if key in cache:
        return cache[key]
    x0, y0, x1, y1 = word.rect
    boxes = []
    horizontal = True
    for bx0, by0, bx1, by1, c, level in _page_chars(pdf, word.page, cache):
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        if x0 - 0.5 <= cx <= x1 + 0.5 and y0 - 0.5 <= cy <= y1 + 0.5:
            boxes.append((bx0, by0, bx1, by1, c))
            horizontal = horizontal and level
    boxes.sort(key=lambda b: b[0])
    found = [b[:4] for b in boxes] if horizontal and "".join(b[4] for b in boxes) == word.text else None
    cache[key] = found
    return found


def _page_chars(pdf, pno: int, cache: dict) -> list[tuple]:
    """The visible characters of a page (where words may be trimmed) with their boxes and whether their
    line runs left to right, read once per page (a text extraction per word cost more than the rest of
    this stage)."""
    key = ("page", pno)
    chars = cache.get(key)
    if chars is None:
        chars = []
        try:
            x0, y0, x1, y1 = cache["area"][pno]
            raw = pdf[pno].get_text("rawdict", flags=0, clip=pymupdf.Rect(x0 - 1, y0 - 1, x1 + 1, y1 + 1))
        except Exception:  # a page MuPDF cannot read again: its words are covered whole
            raw = {"blocks": []}
        for block in raw.get("blocks", []):
            for line in block.get("lines", []):
                dx, dy = line.get("dir", (1, 0))
                level = abs(dy) <= 1e-3 and dx > 0
                for span in line.get("spans", []):
                    for ch in span.get("chars", []):
                        if ch["c"].strip():
                            chars.append((*ch["bbox"], ch["c"], level))
        cache[key] = chars
    return chars
