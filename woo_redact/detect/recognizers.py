"""Identifier recognisers built from rules/recognizers.yaml: Presidio pattern recognisers with a
checksum or shape validator each (11-test for BSN, mod-97 for IBAN, Luhn for cards, the Dutch number
plan for phones) and optional text that must or must not stand right before a match."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import regex as re
from presidio_analyzer import AnalysisExplanation, Pattern, PatternRecognizer

from ..errors import RulesError
from ..rules import Rules

LANGUAGE = "nl"
FLAGS = re.DOTALL | re.MULTILINE  # case-sensitive: "1234ab" is no postcode, "ab-12-cd" no plate
_BEFORE = 80  # characters before a match that not_after / only_after look at


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
    """ISO 13616 for a Dutch IBAN: first four characters to the end, letters to numbers, mod 97 == 1."""
    s = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", s):
        return False
    num = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(num) % 97 == 1


def luhn(text: str) -> bool:
    """The Luhn check of a card number of 13 to 19 digits."""
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


def normalise_phone(text: str) -> str:
    """The digits of a Dutch number as dialled at home: +31/0031 → 0, "(0)" dropped."""
    t = text.strip().replace("(0)", "")
    d = _digits(t)
    if t.startswith("+31"):
        return "0" + d[2:]
    if t.startswith("0031"):
        return "0" + d[4:]
    return d


def phone_nl(service_prefixes: list[str]) -> Callable[[str], bool]:
    """A Dutch number: ten digits from 0 once normalised, not a date, not a service number
    (0800, 0900, 14 0xx ...: `service_prefixes`)."""

    def check(text: str) -> bool:
        if _DATE_LIKE.match(text.strip()):
            return False
        d = normalise_phone(text)
        if len(d) != 10 or not d.startswith("0") or d[1] == "0":
            return False
        return not any(d.startswith(p) for p in service_prefixes)

    return check


def validators(rules: Rules) -> dict[str, Callable[[str], bool | None]]:
    """Validator names usable in the rules. A validator returns True: certain (score 1.0); None: the
    pattern's score stands and context words decide; False: not reported."""
    return {
        # a 9-digit number that passes the 11-test may still be a file number: context words decide
        "elfproef": lambda t: None if elfproef(t) else False,
        # a Dutch IBAN with a wrong check digit (a typo) is still someone's account number
        "iban_mod97": lambda t: True if iban_mod97(t) else None,
        "luhn": luhn,
        "phone_nl": phone_nl(rules.service_number_prefixes),
    }


class RuleRecognizer(PatternRecognizer):
    """A PatternRecognizer with a named validator and text that must (not) stand right before a match."""

    def __init__(self, *, validator_name: str | None, validator: Callable[[str], bool | None] | None,
                 not_after: re.Pattern | None, only_after: re.Pattern | None, **kwargs):
        self.validator_name = validator_name
        self._validator = validator
        self._not_after = not_after
        self._only_after = only_after
        super().__init__(supported_language=LANGUAGE, global_regex_flags=FLAGS, **kwargs)

    def validate_result(self, pattern_text: str) -> bool | None:  # noqa: D102
        return None if self._validator is None else self._validator(pattern_text)

    def build_regex_explanation(self, recognizer_name, pattern_name, pattern, original_score,
                                validation_result, regex_flags) -> AnalysisExplanation:
        """Presidio's explanation, plus the validator that checked the match."""
        explanation = PatternRecognizer.build_regex_explanation(
            recognizer_name, pattern_name, pattern, original_score, validation_result, regex_flags)
        if self.validator_name:
            explanation.append_textual_explanation_line(f"checked with `{self.validator_name}`")
        return explanation

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        # the rules' own flags always: a caller's IGNORECASE would make "1234ab" a postcode
        results = super().analyze(text, entities, nlp_artifacts, FLAGS)
        return [r for r in results if self._wanted_after(text[max(0, r.start - _BEFORE):r.start])]

    def _wanted_after(self, before: str) -> bool:
        if self._not_after is not None and self._not_after.search(before):
            return False
        return self._only_after is None or self._only_after.search(before) is not None


class _Spec:
    """Reads one entry of rules/recognizers.yaml; every problem is a RulesError naming file and line."""

    def __init__(self, path: Path, index: int, entry):
        self.path = path
        self.where = f"recogniser {index + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("entity"), str):
            self.fail("needs a 'name' and an 'entity'")
        self.entry = entry
        self.where = entry["name"]

    def fail(self, message: str):
        raise RulesError(f"{self.path}:{self._line()}: {self.where}: {message}")

    def _line(self) -> str:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return ""
        for i, line in enumerate(lines, 1):
            if re.match(rf"\s*-?\s*name:\s*{re.escape(self.where)}\s*$", line):
                return f" line {i}"
        return ""

    def regex(self, value, key: str) -> re.Pattern | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"'{key}' must be a regular expression")
        try:
            return re.compile(value, FLAGS if key == "regex" else 0)
        except re.error as e:
            self.fail(f"bad regular expression in '{key}': {e}")

    def patterns(self) -> list[Pattern]:
        out = []
        for p in self.entry.get("patterns") or []:
            if not isinstance(p, dict) or not isinstance(p.get("score"), (int, float)) or not 0 <= p["score"] <= 1:
                self.fail("every pattern needs a 'regex' and a 'score' between 0 and 1")
            self.regex(p.get("regex"), "regex")
            out.append(Pattern(str(p.get("name", self.where)), p["regex"], float(p["score"])))
        if not out:
            self.fail("no patterns")
        return out

    def context(self) -> list[str]:
        words = self.entry.get("context") or []
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            self.fail("'context' must be a list of words")
        return [w.lower() for w in words]

    def validator(self, known: dict[str, Callable]) -> tuple[str | None, Callable | None]:
        name = self.entry.get("validator")
        if name is None:
            return None, None
        if name not in known:
            self.fail(f"unknown validator {name!r} (known: {', '.join(sorted(known))})")
        return name, known[name]


def build_identifier_recognizers(rules: Rules) -> list[PatternRecognizer]:
    """One recogniser per entry of rules/recognizers.yaml; a broken entry raises RulesError."""
    path = Path(rules.directory) / "recognizers.yaml"
    spec = rules.recognizers.get("recognizers") if isinstance(rules.recognizers, dict) else None
    if not isinstance(spec, list):
        raise RulesError(f"{path}: needs a list 'recognizers'")
    known = validators(rules)
    out = []
    for i, entry in enumerate(spec):
        s = _Spec(path, i, entry)
        validator_name, validator = s.validator(known)
        out.append(RuleRecognizer(
            name=entry["name"], supported_entity=entry["entity"], patterns=s.patterns(), context=s.context(),
            validator_name=validator_name, validator=validator,
            not_after=s.regex(entry.get("not_after"), "not_after"),
            only_after=s.regex(entry.get("only_after"), "only_after"),
        ))
    return out
