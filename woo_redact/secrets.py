"""What must not survive: the identifying forms of every redacted entity, derived once.

A redaction decides about *entities*: a person, an e-mail address, a phone number. What must be gone
from the output is derived from those entities, never from the words that happen to lie under a box
(those include "van", "der" and reference numbers that stand elsewhere legitimately). The forms:

- a person: every redacted mention as written ("Jorrit Vlasbloem", "J. Vlasbloem"), the surname with
  and without its particles, each part of a double surname, the first name where the document uses it
  alone, and the user names an organisation makes of the name ("jvlasbloem", "j.vlasbloem",
  "jorrit.vlasbloem"); a surname or part that is a word of the language, or that also stands in a kept
  name, is no form of its own (the place of each mention is checked by position instead);
- an e-mail address: the address, and its local part where that has parts ("q.bakkerveld");
- a phone number, IBAN or other number: the value as written and its digits (letters) without
  separators.

Text under a rectangle that a reviewer drew, and text found under a fake black box, are secrets of
their place only: verification checks that nothing is left under the box.

`secret_forms` is the one place where these forms are made; the pipeline, `apply` and the bundle check
use it, and `verify.Secrets` searches them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import Finding
from .names import PARTICLES, parse_name, strip_honorifics

MIN_FORM = 3  # shorter forms ("Bo", "06") are never searched on their own
PLACE_ONLY = {"COVERED_TEXT", "MANUAL"}  # findings whose text is a secret of their place only
_NUMBERS = {"PHONE_NUMBER", "IBAN_CODE", "NL_BSN", "CREDIT_CARD", "NL_LICENSE_PLATE", "NL_PASSPORT", "AGB_CODE",
            "NL_POSTCODE"}
_WS = re.compile(r"\s+")
_SEP = re.compile(r"[\s.\-/()]+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip(" ,;:()[]<>\"'’‘“”")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case words of the language that are no evidence of anyone: deduce's lists of common and
    stop words (shipped with the package, read without loading deduce's name engine)."""
    words: set[str] = set()
    try:
        import deduce

        base = Path(deduce.__file__).parent / "data" / "lookup" / "src" / "whitelist"
        for name in ("lst_common_word", "lst_stop_word"):
            path = base / name / "items.txt"
            if path.exists():
                words.update(w.strip().lower() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())
    except ImportError:  # deduce is a core dependency; without it only particles count as words
        pass
    return frozenset(words | set(PARTICLES))


@dataclass
class SecretForms:
    """The forms that must not survive, in two strengths.

    `strong`: searched everywhere, page text included, on word boundaries in any case;
    `weak`: a person's form that is also a word of the language ("Bakker", "Visser"): searched only
    outside the page text (metadata, bookmarks, links, labels, font names, ...), as written."""

    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    owner: dict[str, str] = field(default_factory=dict)  # a person's form → the person's key

    def __iter__(self):
        return iter(self.strong)

    def __len__(self) -> int:
        return len(self.strong)

    def __bool__(self) -> bool:
        return bool(self.strong or self.weak)


def _compact(s: str) -> str:
    return re.sub(r"[^\w]", "", s.lower())


def _user_names(first: Iterable[str], initials: Iterable[str], surnames: Iterable[str]) -> set[str]:
    """"Jorrit" + "Vlasbloem" → jvlasbloem, j.vlasbloem, jorrit.vlasbloem, jorritvlasbloem, jorrit_vlasbloem."""
    out: set[str] = set()
    letters = {f[0].lower() for f in first if f} | {i[0].lower() for i in initials if i}
    for sur in surnames:
        s = _compact(sur)
        if len(s) < 3:
            continue
        for letter in letters:
            out |= {f"{letter}{s}", f"{letter}.{s}", f"{letter}_{s}"}
        for f in first:
            f = _compact(f)
            if len(f) >= 2:
                out |= {f"{f}.{s}", f"{f}{s}", f"{f}_{s}", f"{s}.{f}"}
    return out


def _inside_kept(form: str, kept: list[str]) -> bool:
    """Whether `form` stands as a whole word or phrase in a kept text (any case). The pattern is made
    only for a form that stands in a kept text at all: a document has thousands of forms and compiling
    a pattern for each took a third of a second per real document (and pushed the patterns of names
    out of the `re` module's cache)."""
    low = form.lower()
    if not any(low in k for k in kept):
        return False
    rx = re.compile(rf"(?<!\w){re.escape(low)}(?!\w)")
    return any(rx.search(k) for k in kept)


def secret_forms(findings: Iterable[Finding], texts: dict[str, str] | None = None,
                 keep_words: Iterable[str] = (), extra: Iterable[str] = ()) -> SecretForms:
    """The forms of every redacted entity in `findings`.

    `texts` gives a finding's text by id where the finding itself carries none (a reviewed preview's
    findings); `keep_words` are organisation words and other words that stay readable; `extra` are
    redacted strings found outside the page text (annotations, bookmarks), taken as they are."""
    texts = texts or {}
    findings = list(findings)
    common = common_words() | {w.lower() for w in keep_words}
    kept = [_norm(texts.get(f.id, f.text)).lower() for f in findings if f.decision == "keep"]
    kept = [k for k in kept if k]
    strong: set[str] = set()
    weak: set[str] = set()

    owner: dict[str, str] = {}

    def add(form: str, person: str | None = None) -> None:
        form = _norm(form)
        if len(form) < MIN_FORM or _inside_kept(form, kept):
            return
        words = [w for w in re.split(r"[\s\-]+", form.lower()) if w]
        if all(w in common for w in words):
            if person is not None and form[:1].isupper() and form.lower() not in PARTICLES:
                weak.add(form)
            return
        strong.add(form)
        if person is not None:
            owner.setdefault(form, person)

    people: dict[str, dict] = {}
    for f in findings:
        if f.decision != "redact" or f.entity in PLACE_ONLY:
            continue
        text = _norm(texts.get(f.id, f.text) or "")
        if not text:
            continue
        if f.entity == "PERSON":
            p = people.setdefault(f.person or text.lower(), {"mentions": set(), "first": set(), "initials": set(),
                                                              "surnames": set(), "alone": set()})
            p["mentions"].add(text)
            name = parse_name(" ".join(strip_honorifics(text.split())))
            if name is None:
                continue
            if name.surname and not name.first and not name.initials and not name.particles \
                    and (f.person or "").startswith("|"):
                p["alone"].add(name.surname)  # a first name used alone ("Hoi Jorrit,")
                continue
            p["first"].update(name.first)
            if name.initials:
                p["initials"].add(name.initials)
            if name.surname:
                p["surnames"].add(name.full_surname)
                if not name.first and not name.initials and not name.particles:
                    p["alone"].add(name.surname)
        elif f.entity == "EMAIL_ADDRESS":
            add(text)
            local = text.split("@", 1)[0]
            parts = [part for part in re.split(r"[._+-]", local) if part]
            if len(parts) > 1:  # "q.bakkerveld", "jorrit_vlasbloem": a person's; "digikoppeling" may be a product
                add(local)
        elif f.entity in _NUMBERS or any(ch.isdigit() for ch in text):
            add(text)
            squashed = _SEP.sub("", text)
            if squashed != text and len(squashed) >= 6 and f.entity != "NL_POSTCODE":
                add(squashed)
            if f.entity == "PHONE_NUMBER":
                digits = re.sub(r"\D", "", text.replace("(0)", ""))
                if digits.startswith("31") and len(digits) == 11:
                    add("0" + digits[2:])  # +31 6 ... written as 06...
                elif digits.startswith("0") and len(digits) == 10:
                    add("31" + digits[1:])
        else:
            add(text)
    for key, p in people.items():
        for mention in p["mentions"]:
            add(mention, key)
        for full in p["surnames"]:
            add(full, key)
            parts = full.split()
            core = " ".join(w for w in parts if w.lower() not in PARTICLES) or full
            add(core, key)
            for piece in re.split(r"[\s\-]+", core):
                if piece != core:
                    add(piece, key)
        for first in p["alone"]:
            add(first, key)
        cores = {" ".join(w for w in s.split() if w.lower() not in PARTICLES) for s in p["surnames"]}
        for user in _user_names(p["first"], p["initials"], cores | p["surnames"]):
            add(user, key)
    for s in extra:
        add(s)
    return SecretForms(sorted(strong), sorted(weak - strong), owner)


def _flex(form: str) -> str:
    """A regex for a form that allows any whitespace between its words and a line break after a hyphen."""
    return r"\s+".join(re.escape(w).replace(r"\-", r"-\s*") for w in form.split())


def other_mentions(doc_name: str, text: str, findings: list[Finding], forms: SecretForms,
                   ground: str) -> list[Finding]:
    """Every place where a person's form stands in `text` that no finding covers yet: "Brink" in
    "M. vden Brink" once "Martin van den Brink" is redacted. What verification would find must be
    redacted in the first place."""
    people = sorted(forms.owner, key=len, reverse=True)
    if not people or not text:
        return []
    rx = re.compile(r"(?<![\w@.])(?:" + "|".join(_flex(f) for f in people) + r")(?![\w@])", re.IGNORECASE)
    taken = sorted((f.start, f.end) for f in findings)
    starts = [t[0] for t in taken]
    import bisect
    import hashlib

    out = []
    for m in rx.finditer(text):
        i = bisect.bisect_right(starts, m.end())
        if any(s < m.end() and m.start() < e for s, e in taken[max(0, i - 8):i]):
            continue
        form = _norm(m.group())
        key = next((forms.owner[f] for f in people if f.lower() == form.lower()), None)
        fid = hashlib.sha1(f"{doc_name}:{m.start()}:{m.end()}:PERSON".encode()).hexdigest()[:12]
        out.append(Finding(fid, m.start(), m.end(), m.group(), "PERSON", "redact", ground, "person:form",
                           "civil servant or citizen (another mention of a redacted person)", 0.8, key))
    return out
