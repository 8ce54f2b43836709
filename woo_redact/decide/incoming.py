"""What the incoming file already marked: words under a black box drawn over them (the text is still
there) and redaction annotations that were never applied. Both are proposed for redaction."""
from __future__ import annotations

from ..model import Document, Finding
from .grounds import Grounds, area_finding, finding


def _centre_inside(w, pno: int, r) -> bool:
    return w.page == pno and r[0] <= (w.rect[0] + w.rect[2]) / 2 <= r[2] and r[1] <= (w.rect[1] + w.rect[3]) / 2 <= r[3]


def covered_words(doc: Document, grounds: Grounds) -> list[Finding]:
    """Words under a black box that only covered them: made into real redactions."""
    out = []
    for pno, r in doc.covered:
        for w in doc.words:
            if _centre_inside(w, pno, r):
                out.append(finding(doc, w.start, w.end, "COVERED_TEXT", "redact", grounds.for_covered(),
                                   "xray", "text under a black box drawn in the incoming file", 1.0))
    return out


def marked_words(doc: Document, grounds: Grounds) -> list[Finding]:
    """The words under a redaction annotation that the incoming file never applied: someone marked
    them, so they are proposed (one finding per line the mark covers, its ground from the mark's
    text when that names one)."""
    out = []
    for pno, r, note in doc.marked:
        lines: dict[int, list] = {}
        for w in doc.words:
            if _centre_inside(w, pno, r):
                lines.setdefault(w.line, []).append(w)
        for words in lines.values():
            out.append(finding(doc, words[0].start, words[-1].end, "MARKED", "redact", grounds.for_mark(note),
                               "incoming", "marked for redaction in the incoming file", 1.0))
    return out


def marked_areas(doc: Document, grounds: Grounds) -> list[Finding]:
    """A redaction annotation over no words (a signature, a photo): the area itself is proposed."""
    out = []
    for k, (pno, r, note) in enumerate(doc.marked):
        if any(_centre_inside(w, pno, r) for w in doc.words):
            continue
        out.append(area_finding(doc, k, pno, r, "MARKED", grounds.for_mark(note), "incoming",
                                "area marked for redaction in the incoming file", 1.0))
    return out
