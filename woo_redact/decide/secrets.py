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
use it, and `pdf.strings.Secrets` searches them.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick

from ..model import Finding
from ..detect.names import PARTICLES, parse_name, strip_honorifics

MIN_FORM = 3  # shorter forms ("Bo", "06") are never searched on their own
PLACE_ONLY = {"COVERED_TEXT", "MANUAL", "MARKED"}  # findings whose text is a secret of their place only
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
    `weak`: a person's form that is also a word of the language ("Bakker", "Mulder"): searched only
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


_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> tuple[str, ...]:
    """A text's words in lower case, without punctuation or the separators of addresses ("H. Mulder," →
    h, mulder; "noor.haddou" → noor, haddou): the local part of a kept person's address is no secret."""
    return tuple(_TOKEN.findall(text.lower()))


def _phrases(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every run of whole words in `texts`: what a form must not be to count as a secret."""
    out: set[tuple[str, ...]] = set()
    for text in texts:
        words = _tokens(text)
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + 8) + 1):
                out.add(words[i:j])
    return out


_DOMAIN = re.compile(r"(?i)(?:@|\bwww\.)([\w-]+)\.|\b([\w-]+)\.(?:nl|com|org|net|eu|be|de|io)\b")
_CODE_TAIL = re.compile(r"\b([A-ZÀ-Þ][\w]+)-[A-Z]{1,4}\b")  # "Brantex-U": a company's name, not a double surname
_ATTRIBUTED = re.compile(r"\(([A-ZÀ-Þ][\w-]+)[\s)]")  # "Femke Oudshoorn (Veltrix)": whose organisation


def organisation_names(text: str, org_words: Iterable[str]) -> set[str]:
    """Single words that the text itself shows to be an organisation's name: a domain of an address or a
    web site ("@veltrix.nl"), the word after an organisation word ("Stichting Kalvaro"), a name with a code
    ("Brantex-U"), the word in brackets after a name ("(Veltrix)"). In lower case."""
    out: set[str] = set()
    for m in _DOMAIN.finditer(text):
        out.update(part for part in re.split(r"[-_]", (m.group(1) or m.group(2)).lower()) if part)
    out.update(m.group(1).lower() for m in _CODE_TAIL.finditer(text))
    out.update(m.group(1).lower() for m in _ATTRIBUTED.finditer(text))
    words = sorted({w.lower() for w in org_words if w and " " not in w}, key=len, reverse=True)
    if words:
        after = re.compile(r"(?i)\b(?:" + "|".join(map(re.escape, words)) + r")\s+([A-ZÀ-Þ][\w-]+)")
        out.update(m.group(1).lower() for m in after.finditer(text))
    return out


def secret_forms(findings: Iterable[Finding], texts: dict[str, str] | None = None,
                 keep_words: Iterable[str] = (), extra: Iterable[str] = (), text: str = "") -> SecretForms:
    """The forms of every redacted entity in `findings`.

    `texts` gives a finding's text by id where the finding itself carries none (a reviewed preview's
    findings); `keep_words` are organisation words and other words that stay readable; `extra` are
    redacted strings found outside the page text (annotations, bookmarks), taken as they are; `text`
    the document's text, where a person's single word that it shows to be an organisation's name
    (`organisation_names`) is no form of the person."""
    texts = texts or {}
    findings = list(findings)
    common = common_words() | {w.lower() for w in keep_words}
    organisations = organisation_names(text, keep_words) if text else set()
    kept = _phrases(texts.get(f.id, f.text) or "" for f in findings if f.decision == "keep")
    strong: set[str] = set()
    weak: set[str] = set()

    owner: dict[str, str] = {}

    def add(form: str, person: str | None = None) -> None:
        form = _norm(form)
        if len(form) < MIN_FORM or form in strong or _tokens(form) in kept:
            return
        words = [w for w in re.split(r"[\s\-]+", form.lower()) if w]
        if person is not None and len(words) == 1 and words[0] in organisations:
            return  # "Veltrix" of "Stichting Veltrix": a misread "Oudshoorn van Veltrix" must not spread
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


_GAPS = re.compile(r"\s+")
_LONG_GAPS = re.compile(r"\s{2,}")
_BEFORE = re.compile(r"[\w@.]")  # a mention is not inside a word, an address or a domain
_AFTER = re.compile(r"[\w@]")


def other_mentions(doc_name: str, text: str, findings: list[Finding], forms: SecretForms,
                   ground: str) -> list[Finding]:
    """Every place where a person's form stands in `text` that no finding covers yet: "Berg" in
    "M. vden Berg" once "Marco van den Berg" is redacted. What verification would find must be
    redacted in the first place. One pass over the text (Aho-Corasick), in any case, with any
    whitespace between a form's words and a line break after its hyphen."""
    if not forms.owner or not text:
        return []
    automaton = ahocorasick.Automaton()
    for form, key in forms.owner.items():
        low = form.lower()
        for variant in {low, low.replace("-", "- ")}:
            automaton.add_word(variant, (len(variant), key))
    automaton.make_automaton()
    # the text with every run of whitespace as one space, in lower case; a run of two characters or
    # more shifts what follows: `shifts` says, from which place of the new text on, by how much
    norm = _GAPS.sub(" ", text)
    low = norm.lower()
    if len(low) != len(norm):  # a letter whose lower case is longer ("İ"): each stays in its place
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in norm)
    after: list[int] = [0]
    shifts: list[int] = [0]
    for m in _LONG_GAPS.finditer(text):
        after.append(m.start() - shifts[-1] + 1)
        shifts.append(shifts[-1] + m.end() - m.start() - 1)

    def original(i: int) -> int:
        return i + shifts[bisect.bisect_right(after, i) - 1]

    taken = sorted((f.start, f.end) for f in findings)
    taken_starts = [t[0] for t in taken]
    best: dict[int, tuple[int, str]] = {}  # start → longest (end, person) found there
    for end, (length, key) in automaton.iter(low):
        start = end - length + 1
        if (start > 0 and _BEFORE.match(norm, start - 1)) or _AFTER.match(norm, end + 1):
            continue
        if end + 1 > best.get(start, (0, ""))[0]:
            best[start] = (end + 1, key)
    out = []
    covered_to = -1
    for start in sorted(best):
        end, key = best[start]
        if start < covered_to:
            continue  # inside a longer form found just before
        covered_to = end
        s, e = original(start), original(end - 1) + 1
        i = bisect.bisect_right(taken_starts, e)
        if any(ts < e and s < te for ts, te in taken[max(0, i - 8):i]):
            continue
        fid = hashlib.sha1(f"{doc_name}:{s}:{e}:PERSON".encode()).hexdigest()[:12]
        out.append(Finding(fid, s, e, text[s:e], "PERSON", "redact", ground, "person:form",
                           "civil servant or citizen (another mention of a redacted person)", 0.8, key))
    return out
