"""Findings to page boxes: the whole words a finding's span touches, one box per line."""
from __future__ import annotations

import bisect

from ..model import Document, Finding


def map_boxes(doc: Document, findings: list[Finding]) -> None:
    """Give every finding the boxes of the whole words its span touches, one box per line."""
    words = doc.words
    starts = [w.start for w in words]
    for f in findings:
        if f.start == f.end and f.boxes:
            continue  # an area, not a span of text (a redaction mark over a picture)
        i = max(bisect.bisect_right(starts, f.start) - 1, 0)
        per_line: dict[int, list] = {}
        while i < len(words) and words[i].start < f.end:
            w = words[i]
            if w.end > f.start:
                per_line.setdefault(w.line, []).append(w)
            i += 1
        f.boxes = []
        for line_words in per_line.values():
            r = (min(w.rect[0] for w in line_words), min(w.rect[1] for w in line_words),
                 max(w.rect[2] for w in line_words), max(w.rect[3] for w in line_words))
            f.boxes.append((line_words[0].page, r))
