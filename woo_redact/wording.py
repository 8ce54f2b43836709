"""What a reviewer reads about a finding, in Dutch: "naam (kop: Opgesteld door)", "telefoonnummer",
"publieke functionaris (ondertekenaar)".

The findings keep the tool's own reason and rule (which recogniser, which structure rule) for the audit;
the preview notes and review.html say what was found, how a name was written and where it stood, in
the words of `rules/review.yaml` — never a recogniser's name.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .rules import ReviewSettings

_PERSON = re.compile(r"civil servant or citizen \((?P<kind>[^;]*); found by (?P<sources>.*)\)$")


def reviewer_text(entity: str, decision: str, rule: str | None, reason: str | None, review: ReviewSettings) -> str:
    """The Dutch words for one finding (without its ground, which the note or column gives)."""
    reason = reason or ""
    what = review.entities.get(entity) or "persoonsgegeven"
    if decision == "keep":
        return _kept(reason, review) or review.kept_other
    m = _PERSON.match(reason)
    if not m:
        return what
    details = []
    form = review.name_forms.get(m.group("kind").strip())
    if form:
        details.append(form)
    places: dict[str, list[str]] = {}  # "kop" → ["Aan", "Van"]
    for source in m.group("sources").split(","):
        head, _, label = source.strip().partition(":")
        word = review.found_by.get(head)
        if word:
            labels = places.setdefault(word, [])
            if label.strip() and label.strip() not in labels:
                labels.append(label.strip())
    details += [f"{word}: {', '.join(labels)}" if labels else word for word, labels in places.items()]
    return f"{what} ({'; '.join(details)})" if details else what


def _kept(reason: str, review: ReviewSettings) -> str | None:
    for rx, dutch in _kept_patterns(tuple(review.kept.items())):
        m = rx.fullmatch(reason)
        if m:
            return dutch.replace("{}", m.group(1)) if m.groups() else dutch
    return None


@lru_cache(maxsize=8)
def _kept_patterns(items: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(re.escape(k).replace(re.escape("{}"), "(.+?)")), v) for k, v in items]
