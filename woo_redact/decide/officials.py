"""Who stays readable although a name stands there (rules/officials.yaml, rules/keep.yaml):

- public officials: a name after a title ("minister X", "het lid X", "wethouder X"; a political title only
  where the document speaks of a parliament or council), names in a header field that lists officials,
  the signatory under "De Minister van ...,", a name above a line that starts with an office, a motion's
  signatories (and its first signatory before "c.s."), the configured office holders;
- cited authors (a references section, "Kroeze (2019)");
- the configured places that look like names.

A person found elsewhere in the document with an official's name is that official (`public_persons`).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..model import Document
from ..detect.names import PARTICLES, parse_name, strip_honorifics
from ..rules import Rules
from ..detect.structure import StructureRules
from .persons import Persons

_NAME = (
    r"(?:(?i:dhr|mw|mevr|mevrouw|de\s+heer|mr|dr|drs|ir|ing|prof)\.?\s+)?"  # honorific
    r"(?:(?:[A-Z][a-z]?\.\s?){1,5}\s*|[A-ZÀ-Þ][a-zà-ÿ'-]+\s+)?"  # initials or one first name
    r"(?:(?:drs|mr|dr|ir|prof|ing)\.\s+)?"
    r"(?:(?:[vV]an|[dD]e|[dD]er|[dD]en|[tT]en|[tT]er|[tT]e|[hH]et|'t|[eE]l|[aA]l)\s+){0,3}"
    r"[A-ZÀ-Þ][\w'À-ÿ]+(?:-[A-ZÀ-Þ][\w'À-ÿ]+)?"
)
_PARENS = r"(?:\s*\([^()\n]{1,40}\))?"  # "(VVD)"
_NAME_LIST = rf"{_NAME}{_PARENS}(?:\s*(?:,|\ben\b|&)\s*{_NAME}{_PARENS})*"

_REFERENCES_HEADING = re.compile(r"(?i)^(?:\d+\.?\s+)?(?:literatuur(?:lijst)?|referenties|bronnen(?:lijst)?|bibliografie|"
                                 r"geraadpleegde bronnen|references|bibliography|works cited)\s*:?$")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d[a-z]?\b")
# "Kroeze (2019)", "Kroeze en De Wit (2020)", "(Kroeze, 2019)", "(Kroeze et al., 2019)"
_CITATION = re.compile(r"(?P<who>(?:[A-Z]\.\s?)*(?:(?:van|de|der|den|Van|De)\s+)*[A-Z][\w'-]+(?:\s+(?:et\s+al\.|en|&)"
                       r"(?:\s+(?:van|de|der|den|Van|De))*(?:\s+[A-Z][\w'-]+)?)?)(?:\s+\(|,\s+)(?:1[89]|20)\d\d[a-z]?[),;]")
_CITED_YEAR = re.compile(r"(?:\s\(|,\s)(?:1[89]|20)\d\d[a-z]?[),;]")
_CS_TAIL = re.compile(r"\s+c\.\s?s\.")


class OfficialSpan(NamedTuple):
    """A span of text that stays readable, and why."""

    start: int
    end: int
    why: str


class Officials:
    """Finds the spans of public officials' names (and of cited authors and places) in a document."""

    def __init__(self, rules: Rules, structure: StructureRules, lookups=None):
        self.rules = rules
        self.structure = structure
        self.lookups = lookups
        titles = sorted((re.escape(t).replace(r"\ ", r"\s+") for t in rules.titles), key=len, reverse=True)
        self.title_rx = re.compile(rf"(?<![\w-])(?P<title>(?i:{'|'.join(titles)}))\s+(?P<names>{_NAME_LIST})")
        self.political_titles = {t.lower() for t in rules.political_titles}
        self.title_start_rx = re.compile(rf"^(?i:{'|'.join(titles)})(?:\s|$)")
        self.holder_rx = [re.compile(rf"(?<!\w){re.escape(h)}(?!\w)") for h in rules.office_holders]
        # "de motie Simons c.s.", "het amendement Van Baarle c.s.": the first signatory of a motion
        self.cs_rx = re.compile(rf"(?P<names>{_NAME})\s+c\.\s?s\.")
        # the lookahead on the first letters lets the regex engine skip to candidates: with the lookbehind
        # first it tries every position of a 300-page text (50 times slower)
        firsts = "".join(sorted({re.escape(p[0]) for p in rules.places}))
        self.places_rx = re.compile(rf"(?=[{firsts}])(?<!\w)(?:{'|'.join(re.escape(p) for p in rules.places)})(?!\w)") \
            if rules.places else None

    def spans(self, doc: Document) -> list[OfficialSpan]:
        """Spans of public officials' names, with the reason they are public."""
        spans: list[OfficialSpan] = []
        political = None  # does the document speak of a parliament or council (asked once, when needed)
        for m in self.title_rx.finditer(doc.text):
            if " ".join(m.group("title").lower().split()) in self.political_titles:
                if political is None:
                    political = self.rules.political_context is None or bool(self.rules.political_context.search(doc.text))
                if not political:
                    continue  # "leden" of a working group, a "Leden" column: no parliament here
            if not self._offices_not_names(m.group("names")):
                spans.append(OfficialSpan(m.start("names"), m.end("names"), "public official (title before the name)"))
        for f in doc.fields:
            if f.kind == "officials":
                spans.append(OfficialSpan(f.start, f.end, f"public official (listed under '{f.label}')"))
        lines = doc.lines
        for i, line in enumerate(lines):
            if any(rx.match(line.text) for rx in self.rules.signatory_lines):
                for nxt in lines[i + 1:i + 5]:
                    if parse_name(nxt.text) is not None:
                        spans.append(OfficialSpan(nxt.start, nxt.end, "public official (signatory)"))
                        break
                    if not (nxt.text.rstrip().endswith(",") or nxt.text.lower().startswith("namens")):
                        break  # "namens deze," / "de directeur Z," may stand between; other text may not
            elif i > 0 and self._title_line(line.text) and parse_name(lines[i - 1].text) is not None \
                    and lines[i - 1].page == line.page:
                spans.append(OfficialSpan(lines[i - 1].start, lines[i - 1].end, "public official (function under the name)"))
        if self.rules.motion_end is not None:
            m = self.rules.motion_end.search(doc.text)
            if m:
                for line in lines:
                    if line.start >= m.end() and parse_name(line.text) is not None:
                        spans.append(OfficialSpan(line.start, line.end, "member of parliament (motion signatory)"))
        for rx in self.holder_rx:
            for m in rx.finditer(doc.text):
                spans.append(OfficialSpan(m.start(), m.end(), "public office holder (rules/officials.yaml)"))
        # "c.s." is rare: find it first, then the name before it (a name pattern tried at every position of
        # a long text is slow)
        for tail in _CS_TAIL.finditer(doc.text):
            for m in self.cs_rx.finditer(doc.text, max(0, tail.start() - 200), tail.end()):
                if m.end() == tail.end():
                    spans.append(OfficialSpan(m.start("names"), m.end("names"),
                                              "member of parliament (first signatory, 'c.s.')"))
        spans += cited_authors(doc)
        if self.places_rx is not None:
            for m in self.places_rx.finditer(doc.text):
                spans.append(OfficialSpan(m.start(), m.end(), "a place, not a person (rules/keep.yaml)"))
        return spans

    def _title_line(self, text: str) -> bool:
        """A line that starts with an office: "Wethouder Ruimtelijke Ordening", "Gemeentesecretaris Leiden"."""
        return self.title_start_rx.match(text) is not None

    def _offices_not_names(self, names: str) -> bool:
        """"Staatssecretaris van Justitie en Veiligheid": the words after the title name an office."""
        words = [w for w in re.findall(r"[\w'-]+", names) if w.lower() not in PARTICLES and w.lower() != "en"]
        if not words or self.lookups is None:
            return False
        return all(self.lookups.is_common_word(w) or w.lower() in self.structure.org_words for w in words)


def cited_authors(doc: Document) -> list[OfficialSpan]:
    """Cited authors stay: every line with a year under a "Literatuur"/"Bronnen"/"References" heading,
    and in the text a surname right before a year in parentheses ("Kroeze (2019)", "(Kroeze, 2019)")."""
    out = []
    in_refs = False
    for line in doc.lines:
        t = line.text.strip()
        if _REFERENCES_HEADING.match(t):
            in_refs = True
        elif in_refs and re.match(r"(?i)(?:\d+\.?\s+[A-Z]|bijlage\b)", t):
            in_refs = False  # the next chapter or an appendix
        elif in_refs and _YEAR.search(t):
            out.append(OfficialSpan(line.start, line.end, "cited author (references)"))
    # the years first (few), then the name before each: a name pattern tried at every position is slow
    text = doc.text
    for y in _CITED_YEAR.finditer(text):
        for m in _CITATION.finditer(text, max(0, y.start() - 80), y.end()):
            if m.end() == y.end():
                out.append(OfficialSpan(m.start("who"), m.end("who"), "cited author (citation)"))
    return out


class OfficialIndex:
    """Which official span a span overlaps: `at(s, e)` is its reason, or None."""

    def __init__(self, spans: list[OfficialSpan]):
        self.spans = sorted(spans)
        self.starts = [o.start for o in self.spans]

    def at(self, s: int, e: int) -> str | None:
        i = bisect.bisect_left(self.starts, e)  # officials that start before this span ends
        for os_, oe, why in reversed(self.spans[max(0, i - 8):i]):
            if s < oe and e > os_:
                return why
        return None


@dataclass
class OfficialNames:
    """The names that the official spans hold, in the forms the other mentions are compared with."""

    surnames: set[str] = field(default_factory=set)  # lower case, with and without particles
    initials: dict[str, set[str]] = field(default_factory=dict)  # full surname → initials ("" unknown)
    first: set[str] = field(default_factory=set)


def official_names(text: str, spans: list[OfficialSpan]) -> OfficialNames:
    """Parse the names in the official spans ("Minister A. Jansen en B. de Vries": two names)."""
    names = OfficialNames()
    for s, e, _ in spans:
        for part in re.split(r"\s*(?:,|\ben\b|&)\s*", text[s:e]):
            n = parse_name(" ".join(strip_honorifics(part.split())))
            if n is not None and n.surname:
                names.surnames.add(n.full_surname.lower())
                names.surnames.add(n.surname.lower())
                names.first.update(n.first)
                initial = (n.first[0][0] if n.first else n.initials[:1]).upper()
                names.initials.setdefault(n.full_surname.lower(), set()).add(initial)
    return names


def public_persons(persons: Persons, names: OfficialNames) -> set[str]:
    """The person keys that are public officials: a person with an official's surname (and no other
    initial), and a first name alone ("Beste Pieter,") that an official or such a person bears."""
    public = set()
    for key, p in persons.named.items():
        known = names.initials.get(key)
        mine = {f[0].upper() for f in p.first} | {i[0].upper() for i in p.initials}
        if known is not None and ("" in known or not mine or mine & known):
            public.add(key)
    public_first = names.first | {f for key in public for f in persons.named[key].first}
    for first in persons.first_only:
        if first in public_first:
            public.add(f"|{first.lower()}")  # "Beste Pieter," to a public official
    return public
