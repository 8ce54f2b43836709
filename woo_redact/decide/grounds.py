"""Which Woo ground a finding gets, and the finding itself (its id, its span's text, its label).

- a recognised identifier or a person's mention: the ground that rules/grounds.yaml gives its entity
  (BSN 5.1.1e, the rest 5.1.2e);
- words under a black box drawn in the incoming file: the default ground;
- a redaction annotation in the incoming file: the ground its text names ("5.1.2e"), when rules/grounds.yaml
  knows it, else the default ground;
- what is kept has no ground.
"""
from __future__ import annotations

import hashlib
import re

from ..model import Document, Finding
from ..rules import Rules

GROUND_CODE = re.compile(r"\b5\.[12]\.[12]?[a-i]\b|\b5\.2\b")  # a ground's code in a redaction mark's text


class Grounds:
    """The ground for each kind of finding, from the rules."""

    def __init__(self, rules: Rules):
        self.rules = rules

    def for_entity(self, entity: str) -> str:
        """A recognised identifier or a person: the ground of its entity."""
        return self.rules.ground_for(entity)

    def for_covered(self) -> str:
        """Text under a black box drawn in the incoming file."""
        return self.rules.default_ground

    def for_mark(self, note: str) -> str:
        """A redaction annotation: the ground its text names, when the rules know it."""
        m = GROUND_CODE.search(note or "")
        return m.group(0) if m and m.group(0) in self.rules.grounds else self.rules.default_ground


def finding(doc: Document, s: int, e: int, entity: str, decision: str, ground: str, rule: str, reason: str,
            score: float, person: str | None = None) -> Finding:
    """A finding over doc.text[s:e]; its id is stable across runs (document, span, entity)."""
    fid = hashlib.sha1(f"{doc.name}:{s}:{e}:{entity}".encode()).hexdigest()[:12]
    return Finding(fid, s, e, doc.text[s:e], entity, decision, ground, rule, reason, score, person)


def area_finding(doc: Document, k: int, page: int, rect, entity: str, ground: str, rule: str, reason: str,
                 score: float) -> Finding:
    """A redaction of an area of a page over no text (the document's k-th mark); its id is stable too."""
    fid = hashlib.sha1(f"{doc.name}:mark:{page}:{k}".encode()).hexdigest()[:12]
    return Finding(fid, 0, 0, "", entity, "redact", ground, rule, reason, score, None, [(page, tuple(rect))])
