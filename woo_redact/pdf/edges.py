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
    # per finding its words line by line, and the words at its ends that carry punctuation outside it
    todo = []
    for f in findings:
        if f.decision != "redact" or not f.boxes or f.end <= f.start:
            continue
        i = max(bisect.bisect_right(starts, f.start) - 1, 0)
        per_line: dict[int, list[Word]] = {}
        while i < len(words) and words[i].start < f.end:
            if words[i].end > f.start:
                per_line.setdefault(words[i].line, []).append(words[i])
            i += 1
        todo.append((f, list(per_line.values())))
    chars = _Characters(pdf, [w for f, lines in todo for line in lines for w in (line[0], line[-1])
                              if w.start < f.start or w.end > f.end])
    kept: dict[int, list[tuple]] = {}
    for f, lines in todo:
        changed = False
        boxes = []
        for line_words in lines:
            rects = [list(w.rect) for w in line_words]
            first, last = line_words[0], line_words[-1]
            if last.end > f.end and _outside_is_punctuation(text[f.end:last.end]):
                cut = chars.edges(last)
                k = f.end - last.start
                if cut is not None and 0 < k < len(cut):
                    rects[-1][2] = cut[k - 1][2]
                    kept.setdefault(last.page, []).append((cut[k][0], last.rect[1], last.rect[2], last.rect[3]))
                    changed = True
            if first.start < f.start and _outside_is_punctuation(text[first.start:f.start]):
                cut = chars.edges(first)
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


class _Characters:
    """The characters under words, read once per page in the area of the words that may be asked for
    (a text extraction per word cost more than the rest of this stage)."""

    def __init__(self, pdf, words: list[Word]):
        self._pdf = pdf
        self._area: dict[int, tuple] = {}
        for w in words:
            a = self._area.get(w.page, w.rect)
            self._area[w.page] = (min(a[0], w.rect[0]), min(a[1], w.rect[1]),
                                  max(a[2], w.rect[2]), max(a[3], w.rect[3]))
        self._pages: dict[int, tuple[list[float], list[tuple]]] = {}
        self._edges: dict[tuple, list[tuple] | None] = {}

    def edges(self, word: Word) -> list[tuple] | None:
        """The boxes of a word's characters, in reading order, when the PDF's characters under it match
        the word one to one on a horizontal line; else None."""
        key = (word.page, tuple(word.rect))
        if key not in self._edges:
            x0, y0, x1, y1 = word.rect
            centres, chars = self._page(word.page)
            found = []
            horizontal = True
            # the characters whose centre lies in the word's box, looked up by their centre's x
            for k in range(bisect.bisect_left(centres, x0 - 0.5), bisect.bisect_right(centres, x1 + 0.5)):
                at, bx0, by0, bx1, by1, c, level = chars[k]
                if y0 - 0.5 <= (by0 + by1) / 2 <= y1 + 0.5:
                    found.append((at, (bx0, by0, bx1, by1, c)))
                    horizontal = horizontal and level
            found.sort()  # the page's order, then by left edge
            boxes = sorted((b for _, b in found), key=lambda b: b[0])
            same = horizontal and "".join(b[4] for b in boxes) == word.text
            self._edges[key] = [b[:4] for b in boxes] if same else None
        return self._edges[key]

    def _page(self, pno: int) -> tuple[list[float], list[tuple]]:
        """The visible characters in the page's area, each with its place in the page's order, its box
        and whether its line runs left to right; sorted by their centre's x, whose list comes first."""
        got = self._pages.get(pno)
        if got is None:
            chars = []
            x0, y0, x1, y1 = self._area.get(pno, (0, 0, 0, 0))
            try:
                raw = self._pdf[pno].get_text("rawdict", flags=0, clip=pymupdf.Rect(x0 - 1, y0 - 1, x1 + 1, y1 + 1))
            except Exception:  # a page MuPDF cannot read again: its words are covered whole
                raw = {"blocks": []}
            for block in raw.get("blocks", []):
                for line in block.get("lines", []):
                    dx, dy = line.get("dir", (1, 0))
                    level = abs(dy) <= 1e-3 and dx > 0
                    for span in line.get("spans", []):
                        for ch in span.get("chars", []):
                            if ch["c"].strip():
                                chars.append((len(chars), *ch["bbox"], ch["c"], level))
            chars.sort(key=lambda ch: (ch[1] + ch[3]) / 2)
            got = self._pages[pno] = ([(ch[1] + ch[3]) / 2 for ch in chars], chars)
        return got
