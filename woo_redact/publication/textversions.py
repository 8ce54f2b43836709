"""The redacted text version of a document: its text with every redacted span replaced by "[label of its
ground]"."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ..rules import Rules
from .redacted import merge_spans


@lru_cache(maxsize=1)
def _anonymizer():
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def redacted_text(text: str, redactions: Sequence[tuple[int, int, str]], rules: Rules) -> str:
    """`text` with every redacted span replaced by "[label of its ground]" (presidio_anonymizer, replace)."""
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    spans = [(s, e, g) for s, e, g in merge_spans(redactions, rules.default_ground) if e <= len(text)]
    if not spans:
        return text
    labels = {code: g.label for code, g in rules.grounds.items()}
    results = [RecognizerResult(entity_type=g, start=s, end=e, score=1.0) for s, e, g in spans]
    operators = {g: OperatorConfig("replace", {"new_value": f"[{labels.get(g, g)}]"}) for _, _, g in spans}
    return _anonymizer().anonymize(text=text, analyzer_results=results, operators=operators).text
