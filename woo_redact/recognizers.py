"""Identifier recognisers built from rules/recognizers.yaml: Presidio pattern recognisers with a
checksum or shape validator each (11-test for BSN, mod-97 for IBAN, Luhn for cards, the Dutch number
plan for phones) and optional text that must or must not stand right before a match."""
from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import Pattern, PatternRecognizer

from .errors import RulesError
from .rules import Rules

LANGUAGE = "nl"
_SOURCE = "rules/recognizers.yaml"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def elfproef(text: str) -> bool:
    """The BSN 11-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not all zeros)."""
    d = _digits(text)
    if len(d) != 9 or d == "0" * 9:
        return False
    total = sum(int(c) * w for c, w in zip(d, (9, 8, 7, 6, 5, 4, 3, 2, -1)))
    return total % 11 == 0


def iban_mod97(text: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    s = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", s):
        return False
    num = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(num) % 97 == 1


def luhn(text: str) -> bool:
    d = _digits(text)
    if not 13 <= len(d) <= 19:
        return False
    total = 0
    for i, c in enumerate(reversed(d)):
        n = int(c)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


_DATE_LIKE = re.compile(r"^\d{2}[-/.]\d{2}[-/.]\d{2,4}")


def phone_nl(service_prefixes: list[str]) -> Callable[[str], bool]:
    """A Dutch number: ten digits from 0 after +31/0031 and (0) are normalised away; not a date, not a
    service number (0800, 0900, 14 0xx ...)."""

    def check(text: str) -> bool:
        t = text.strip()
        if _DATE_LIKE.match(t):
            return False
        t = t.replace("(0)", "")
        d = _digits(t)
        if t.startswith("+31"):
            d = "0" + d[2:]
        elif t.startswith("0031"):
            d = "0" + d[4:]
        if len(d) != 10 or not d.startswith("0") or d[1] == "0":
            return False
        return not any(d.startswith(p) for p in service_prefixes)

    return check


class RuleRecognizer(PatternRecognizer):
    """A PatternRecognizer with a validator and text that must (not) stand right before a match."""

    def __init__(self, *, validator: Callable[[str], bool] | None, not_after: re.Pattern | None,
                 only_after: re.Pattern | None, **kwargs):
        self._validator = validator
        self._not_after = not_after
        self._only_after = only_after
        # Presidio's default flags ignore case: "1234ab" is no postcode and "AB-12-CD" no "ab-12-cd"
        super().__init__(supported_language=LANGUAGE, global_regex_flags=re.DOTALL | re.MULTILINE, **kwargs)

    def validate_result(self, pattern_text: str) -> bool | None:  # noqa: D102
        if self._validator is None:
            return None
        return self._validator(pattern_text)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        if not (self._not_after or self._only_after):
            return results
        kept = []
        for r in results:
            before = text[max(0, r.start - 60):r.start]
            if self._not_after is not None and self._not_after.search(before):
                continue
            if self._only_after is not None and not self._only_after.search(before):
                continue
            kept.append(r)
        return kept


def _validators(rules: Rules) -> dict[str, Callable[[str], bool | None]]:
    """Validator names usable in the rules. True: certain (score 1.0); None: the pattern's score stands
    (context words decide); False: not reported."""
    return {
        # a 9-digit number that passes the 11-test may still be a file number: context words decide
        "elfproef": lambda t: None if elfproef(t) else False,
        # a Dutch IBAN with a wrong check (a typo) is still someone's account number
        "iban_mod97": lambda t: True if iban_mod97(t) else None,
        "luhn": luhn,
        "phone_nl": phone_nl(rules.service_number_prefixes),
    }


def _regex(value, where: str) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(value)
    except (re.error, TypeError) as e:
        raise RulesError(f"{_SOURCE}: {where}: bad regular expression: {e}") from None


def build_identifier_recognizers(rules: Rules) -> list[PatternRecognizer]:
    """One recogniser per entry of rules/recognizers.yaml; a broken entry raises RulesError."""
    spec = rules.recognizers.get("recognizers") if isinstance(rules.recognizers, dict) else None
    if not isinstance(spec, list):
        raise RulesError(f"{_SOURCE}: needs a list 'recognizers'")
    validators = _validators(rules)
    out = []
    for i, entry in enumerate(spec):
        where = f"recogniser {i + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("entity"), str):
            raise RulesError(f"{_SOURCE}: {where} needs a 'name' and an 'entity'")
        where = entry["name"]
        patterns = []
        for p in entry.get("patterns") or []:
            if not isinstance(p, dict) or not isinstance(p.get("regex"), str) or not isinstance(p.get("score"), (int, float)):
                raise RulesError(f"{_SOURCE}: {where}: every pattern needs a 'regex' and a 'score'")
            _regex(p["regex"], where)
            patterns.append(Pattern(p.get("name", where), p["regex"], float(p["score"])))
        if not patterns:
            raise RulesError(f"{_SOURCE}: {where}: no patterns")
        vname = entry.get("validator")
        if vname is not None and vname not in validators:
            raise RulesError(f"{_SOURCE}: {where}: unknown validator {vname!r} (known: {', '.join(sorted(validators))})")
        context = entry.get("context") or []
        if not all(isinstance(c, str) for c in context):
            raise RulesError(f"{_SOURCE}: {where}: context must be a list of words")
        out.append(RuleRecognizer(
            name=entry["name"], supported_entity=entry["entity"], patterns=patterns, context=context,
            validator=validators.get(vname) if vname else None,
            not_after=_regex(entry.get("not_after"), where), only_after=_regex(entry.get("only_after"), where),
        ))
    return out
