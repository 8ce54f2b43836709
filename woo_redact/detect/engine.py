"""Detect stage: run the recognisers over a document's text and return candidates with provenance.

The engine (Presidio analyzer for "nl" with the identifier recognisers from rules/ and deduce's names,
plus the structure rules) is built once per process and reused for every document.
"""
from __future__ import annotations

import multiprocessing

from ..model import Candidate, Document
from .names import DeduceNameRecognizer, Lookups, load_deduce
from .nlp import build_analyzer
from .recognizers import build_identifier_recognizers
from ..rules import Rules
from .structure import StructureRules


class Engine:
    """Everything detection needs, loaded once."""

    def __init__(self, rules: Rules):
        self.rules = rules
        deduce = load_deduce()
        self.lookups = Lookups(deduce)
        self.analyzer = build_analyzer(build_identifier_recognizers(rules) + [DeduceNameRecognizer(deduce)])
        self.structure = StructureRules(rules, self.lookups)

    def detect(self, document: Document, jobs: int = 1) -> list[Candidate]:
        """All candidates in the document's page text, sorted by position. A document of more than
        SPLIT_PAGES pages is split into `jobs` page ranges detected in parallel: the first here, the
        others by forked helpers (pages are detected one by one anyway, so the result is the same)."""
        text = document.text
        # page by page: Presidio's context enhancer scans all tokens for every result, which grows with
        # the square of the text; a page is the natural unit for context words anyway
        bounds = list(document.page_starts or [0]) + [len(text)]
        pages = list(zip(bounds, bounds[1:]))
        if jobs > 1 and len(pages) > SPLIT_PAGES and "fork" in multiprocessing.get_all_start_methods():
            size = -(-len(pages) // jobs)
            ranges = [pages[i:i + size] for i in range(0, len(pages), size)]
            _SPLIT.update(engine=self, text=text)  # inherited by the forked helpers, not pickled
            try:
                with multiprocessing.get_context("fork").Pool(len(ranges) - 1) as pool:
                    others = pool.map_async(_detect_pages, ranges[1:])
                    out = self._pages(text, ranges[0])  # this process would only wait otherwise
                    out += [c for part in others.get() for c in part]
            finally:
                _SPLIT.clear()
        else:
            out = self._pages(text, pages)
        if text.strip():
            out += self.structure.find(document)
        out.sort(key=lambda c: (c.start, -c.end))
        return out

    def _pages(self, text: str, pages: list[tuple[int, int]]) -> list[Candidate]:
        out: list[Candidate] = []
        for lo, hi in pages:
            if not text[lo:hi].strip():
                continue
            for r in self.analyzer.analyze(text=text[lo:hi], language="nl"):
                meta = r.recognition_metadata or {}
                name = meta.get("recognizer_name") or (r.analysis_explanation.recognizer if r.analysis_explanation else "")
                why = r.analysis_explanation.textual_explanation if r.analysis_explanation else ""
                s, e = lo + r.start, lo + r.end
                out.append(Candidate(s, e, text[s:e], r.entity_type, round(r.score, 3), name or "presidio", why or ""))
        return out


SPLIT_PAGES = 60  # longer documents are detected in page ranges, in parallel
_SPLIT: dict = {}


def _detect_pages(pages: list[tuple[int, int]]) -> list[Candidate]:
    return _SPLIT["engine"]._pages(_SPLIT["text"], pages)


_ENGINES: dict[str, Engine] = {}


def get_engine(rules: Rules) -> Engine:
    """The process-wide engine for these rules (built on first use)."""
    engine = _ENGINES.get(rules.checksum)
    if engine is None:
        engine = _ENGINES[rules.checksum] = Engine(rules)
    return engine
