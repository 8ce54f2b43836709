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


# why an input was not processed, as the batch says it (English, for the terminal and the audit), in the
# reviewer's words on review.html; the first pattern that matches the reason (without the file) counts
_REASONS = [
    (r"empty file.*", "leeg bestand"),
    (r"not a PDF.*", "geen PDF"),
    (r"corrupt PDF.*", "beschadigde PDF"),
    (r"(PDF has )?no pages.*", "PDF zonder pagina's"),
    (r"encrypted PDF.*", "versleutelde PDF: opnieuw verwerken met het wachtwoord (--password)"),
    (r"(not processed: )?unsupported file type \((.*)\).*", r"bestandstype \2 wordt niet verwerkt"),
    (r"refused: zip bomb.*", "zip-bom geweigerd: pakt uit tot veel meer dan het archief zelf"),
    (r"refused: zip member .* points outside the archive.*", "zip geweigerd: een bestand erin wijst buiten het archief"),
    (r"refused: zip member .* is a symbolic link.*", "zip geweigerd: bevat een snelkoppeling"),
    (r"refused: zip.*", "zip geweigerd"),
    (r"(not a readable|damaged) zip archive.*", "onleesbaar of beschadigd zip-archief"),
    (r"encrypted zip archive.*", "versleuteld zip-archief"),
    (r".*verification failed.*", "na het lakken nog persoonsgegevens leesbaar: niet geschreven, meld dit"),
    (r"not (a readable|an) (e-mail|Outlook).*", "geen leesbare e-mail"),
    (r".*(LibreOffice|could not be converted).*", "kon niet naar PDF worden omgezet"),
    (r"cannot be read.*", "bestand niet leesbaar"),
]


def dutch_reason(error: str, name: str = "") -> str:
    """"/in/kapot.pdf: not a PDF (no %PDF header)" → "geen PDF"; a reason not in the list stays as it is."""
    at = error.find(f"{name}: ") if name else -1
    reason = (error[at + len(name) + 2:] if at >= 0 else error).strip()
    for pattern, dutch in _REASONS:
        m = re.fullmatch(pattern, reason, re.S)
        if m:
            return m.expand(dutch)
    return reason
