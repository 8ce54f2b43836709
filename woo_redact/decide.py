"""Decide stage: turn candidates into findings — what is redacted, on which ground, and what stays.

Policy (rules/officials.yaml, rules/keep.yaml, rules/grounds.yaml):
- public officials stay readable: a name after a title ("minister X", "het lid X", "wethouder X"), the
  signatory under "De Minister van ...,", a motion's signatories, and the configured office holders;
- organisations, functional mailboxes, switchboard numbers and roles stay;
- every other person found is redacted in every form in which the document mentions them (full name,
  initials, "Surname, I. (First)", surname alone, first name alone) — found by searching the text, so that
  names no recogniser saw in that place still go;
- identifiers get their ground (BSN 5.1.1e, the rest 5.1.2e).
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field

from .model import Candidate, Document, Finding
from .names import PARTICLE_RX, PARTICLES, PersonName, mention_patterns, parse_name, strip_honorifics
from .rules import Rules
from .structure import StructureRules

IDENTIFIER_MIN_SCORE = 0.3
PERSON_MIN_SCORE = 0.5

_NAME = (
    r"(?:(?i:dhr|mw|mevr|mevrouw|de\s+heer|mr|dr|drs|ir|ing|prof)\.?\s+)?"  # honorific
    r"(?:(?:[A-Z][a-z]?\.\s?){1,5}\s*|[A-ZÀ-Þ][a-zà-ÿ'-]+\s+)?"  # initials or one first name
    r"(?:(?:drs|mr|dr|ir|prof|ing)\.\s+)?"
    r"(?:(?:[vV]an|[dD]e|[dD]er|[dD]en|[tT]en|[tT]er|[tT]e|[hH]et|'t|[eE]l|[aA]l)\s+){0,3}"
    r"[A-ZÀ-Þ][\w'À-ÿ]+(?:-[A-ZÀ-Þ][\w'À-ÿ]+)?"
)
_INITIAL = re.compile(r"^(?:[A-Z][a-z]?\.)+$")
_SURNAME_AFTER = re.compile(rf"\.?\s+(?:{PARTICLE_RX}\s*)*[A-ZÀ-Þ][\w'À-ÿ]+(?:-[A-ZÀ-Þ][\w'À-ÿ]+)?")
_PARENS = r"(?:\s*\([^()\n]{1,40}\))?"  # "(VVD)"
_NAME_LIST = rf"{_NAME}{_PARENS}(?:\s*(?:,|\ben\b|&)\s*{_NAME}{_PARENS})*"


@dataclass
class _Person:
    surname: str = ""  # full surname with particles, as first written
    first: set[str] = field(default_factory=set)
    initials: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)

    def names(self) -> list[PersonName]:
        particles, _, sur = self.surname.rpartition(" ") if " " in self.surname else ("", "", self.surname)
        out = []
        if self.first:
            for f in sorted(self.first):
                out.append(PersonName(first=[f], particles=particles, surname=sur))
        else:
            out.append(PersonName(initials=next(iter(self.initials), ""), particles=particles, surname=sur))
        return out


_REFERENCES_HEADING = re.compile(r"(?i)^(?:\d+\.?\s+)?(?:literatuur(?:lijst)?|referenties|bronnen(?:lijst)?|bibliografie|"
                                 r"geraadpleegde bronnen|references|bibliography|works cited)\s*:?$")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d[a-z]?\b")
# "Kroeze (2019)", "Kroeze en De Wit (2020)", "(Kroeze, 2019)", "(Kroeze et al., 2019)"
_CITATION = re.compile(r"(?P<who>(?:[A-Z]\.\s?)*(?:(?:van|de|der|den|Van|De)\s+)*[A-Z][\w'-]+(?:\s+(?:et\s+al\.|en|&)"
                       r"(?:\s+(?:van|de|der|den|Van|De))*(?:\s+[A-Z][\w'-]+)?)?)(?:\s+\(|,\s+)(?:1[89]|20)\d\d[a-z]?[),;]")
_CITED_YEAR = re.compile(r"(?:\s\(|,\s)(?:1[89]|20)\d\d[a-z]?[),;]")
_CS_TAIL = re.compile(r"\s+c\.\s?s\.")


class Decider:
    def __init__(self, rules: Rules, structure: StructureRules, lookups=None, people: dict | None = None):
        self.rules = rules
        self.people = people or {}  # person key → (decision, name): reviewers' decisions (people.py)
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
        self.mailboxes = [m.lower() for m in rules.functional_mailboxes]
        # "info@", "woo.verzoeken@", "postbus+woo@": a functional mailbox, alone or with a suffix
        self.mailbox_rx = re.compile(rf"(?:{'|'.join(re.escape(m) for m in self.mailboxes)})(?:$|[+._-])") \
            if self.mailboxes else None

    # ------------------------------------------------------------------------------------ officials
    def official_spans(self, doc: Document) -> list[tuple[int, int, str]]:
        """Spans of public officials' names, with the reason they are public."""
        spans: list[tuple[int, int, str]] = []
        political = None  # does the document speak of a parliament or council (asked once, when needed)
        for m in self.title_rx.finditer(doc.text):
            if " ".join(m.group("title").lower().split()) in self.political_titles:
                if political is None:
                    political = self.rules.political_context is None or bool(self.rules.political_context.search(doc.text))
                if not political:
                    continue  # "leden" of a working group, a "Leden" column: no parliament here
            if not self._offices_not_names(m.group("names")):
                spans.append((m.start("names"), m.end("names"), "public official (title before the name)"))
        for f in doc.fields:
            if f.kind == "officials":
                spans.append((f.start, f.end, f"public official (listed under '{f.label}')"))
        lines = doc.lines
        for i, line in enumerate(lines):
            if any(rx.match(line.text) for rx in self.rules.signatory_lines):
                for nxt in lines[i + 1:i + 5]:
                    if parse_name(nxt.text) is not None:
                        spans.append((nxt.start, nxt.end, "public official (signatory)"))
                        break
                    if not (nxt.text.rstrip().endswith(",") or nxt.text.lower().startswith("namens")):
                        break  # "namens deze," / "de directeur Z," may stand between; other text may not
            elif i > 0 and self._title_line(line.text) and parse_name(lines[i - 1].text) is not None \
                    and lines[i - 1].page == line.page:
                spans.append((lines[i - 1].start, lines[i - 1].end, "public official (function under the name)"))
        if self.rules.motion_end is not None:
            m = self.rules.motion_end.search(doc.text)
            if m:
                for line in lines:
                    if line.start >= m.end() and parse_name(line.text) is not None:
                        spans.append((line.start, line.end, "member of parliament (motion signatory)"))
        for rx in self.holder_rx:
            for m in rx.finditer(doc.text):
                spans.append((m.start(), m.end(), "public office holder (rules/officials.yaml)"))
        # "c.s." is rare: find it first, then the name before it (a name pattern tried at every position of
        # a long text is slow)
        for tail in _CS_TAIL.finditer(doc.text):
            for m in self.cs_rx.finditer(doc.text, max(0, tail.start() - 200), tail.end()):
                if m.end() == tail.end():
                    spans.append((m.start("names"), m.end("names"), "member of parliament (first signatory, 'c.s.')"))
        spans += self._references(doc)
        if self.places_rx is not None:
            for m in self.places_rx.finditer(doc.text):
                spans.append((m.start(), m.end(), "a place, not a person (rules/keep.yaml)"))
        return spans

    @staticmethod
    def _references(doc: Document) -> list[tuple[int, int, str]]:
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
                out.append((line.start, line.end, "cited author (references)"))
        # the years first (few), then the name before each: a name pattern tried at every position is slow
        text = doc.text
        for y in _CITED_YEAR.finditer(text):
            for m in _CITATION.finditer(text, max(0, y.start() - 80), y.end()):
                if m.end() == y.end():
                    out.append((m.start("who"), m.end("who"), "cited author (citation)"))
        return out

    def _title_line(self, text: str) -> bool:
        """A line that starts with an office: "Wethouder Ruimtelijke Ordening", "Gemeentesecretaris Leiden"."""
        return self.title_start_rx.match(text) is not None

    def _offices_not_names(self, names: str) -> bool:
        """"Staatssecretaris van Justitie en Veiligheid": the words after the title name an office."""
        words = [w for w in re.findall(r"[\w'-]+", names) if w.lower() not in PARTICLES and w.lower() != "en"]
        if not words or self.lookups is None:
            return False
        return all(self.lookups.is_common_word(w) or w.lower() in self.structure.org_words for w in words)

    # ------------------------------------------------------------------------------------ decision
    def decide(self, doc: Document, candidates: list[Candidate]) -> list[Finding]:
        text = doc.text
        officials = self.official_spans(doc)
        official_surnames: set[str] = set()
        official_initials: dict[str, set[str]] = {}  # surname → initials of the officials ("" unknown)
        official_first: set[str] = set()
        for s, e, _ in officials:
            for part in re.split(r"\s*(?:,|\ben\b|&)\s*", text[s:e]):
                n = parse_name(" ".join(strip_honorifics(part.split())))
                if n is not None and n.surname:
                    official_surnames.add(n.full_surname.lower())
                    official_surnames.add(n.surname.lower())
                    official_first.update(n.first)
                    initial = (n.first[0][0] if n.first else n.initials[:1]).upper()
                    official_initials.setdefault(n.full_surname.lower(), set()).add(initial)

        officials.sort()
        official_starts = [o[0] for o in officials]

        def official_at(s: int, e: int) -> str | None:
            i = bisect.bisect_left(official_starts, e)  # officials that start before this span ends
            for os_, oe, why in reversed(officials[max(0, i - 8):i]):
                if s < oe and e > os_:
                    return why
            return None

        findings: list[Finding] = []
        line_starts = [ln.start for ln in doc.lines]
        persons: dict[str, _Person] = {}
        first_only: dict[str, list[str]] = {}

        for c in candidates:
            if c.entity == "PERSON":
                self._collect_person(c, persons, first_only, official_at, findings, doc)
            elif c.score >= IDENTIFIER_MIN_SCORE:
                findings.append(self._identifier(doc, c, line_starts))

        # the owner of a personal e-mail address is a person too: "marloes.dekker@..." makes "Marloes"
        # (in "Kun jij Marloes vragen?") and "Dekker" mentions of her
        for f in findings:
            if f.entity == "EMAIL_ADDRESS" and f.decision == "redact":
                self._person_from_address(f.text, persons)

        # a person with a public official's name (and no other initial) is that official
        # reviewers' decisions about people (OUT_DIR/people.yaml): "redact" adds them, "keep" keeps them
        reviewed_keep = set()
        for pkey, (decision, written) in self.people.items():
            surname, initial = pkey.split("|")
            if decision == "redact":
                name = parse_name(" ".join(strip_honorifics(written.split())))
                p = persons.setdefault(surname, _Person(surname=name.full_surname))
                p.first.update(name.first)
                if name.initials:
                    p.initials.add(name.initials)
                p.sources.append("people.yaml")
            elif surname in persons:
                mine = {f[0].lower() for f in persons[surname].first} | {i[0].lower() for i in persons[surname].initials}
                if not initial or not mine or initial in mine:
                    reviewed_keep.add(surname)

        public_persons = set()
        for key, p in persons.items():
            known = official_initials.get(key)
            mine = {f[0].upper() for f in p.first} | {i[0].upper() for i in p.initials}
            if known is not None and ("" in known or not mine or mine & known):
                public_persons.add(key)

        # every mention of every person
        mentions: list[tuple[int, int, str, str, str]] = []  # start, end, kind, person key, source
        index = _word_index(text)
        found: set[tuple[int, int, str, str]] = set()
        for key, p in persons.items():
            searched: set[tuple[str, str, str]] = set()  # the surname forms are the same for every first name
            for name in p.names():
                for kind, rx in mention_patterns(name, with_first_alone=self._first_name_ok(name)):
                    # search only around the places where the name's anchor word stands
                    if kind == "initials with particles":
                        for m in rx.finditer(text):
                            found.add((m.start(), m.end(), kind, key))
                        continue
                    anchor = name.first[0] if kind.startswith("first name") else re.split(r"[\s-]", name.surname)[0]
                    if (kind, rx.pattern, anchor) in searched:
                        continue
                    searched.add((kind, rx.pattern, anchor))
                    # what such a mention must have before its anchor: the first name (up to a hyphen, after
                    # which a line may break), or an initial's dot
                    needle = (re.split(r"[\s-]", name.first[0])[0] if kind == "full name" else
                              "." if kind == "initials and surname" else "")
                    for pos in index.get(anchor, ()):
                        if needle and text.find(needle, max(0, pos - 80), pos) < 0:
                            continue
                        # the one match that covers the anchor: matches come in order and do not overlap
                        for m in rx.finditer(text, max(0, pos - 80), min(len(text), pos + len(anchor) + 80)):
                            if m.start() > pos:
                                break
                            if pos < m.end():
                                found.add((m.start(), m.end(), kind, key))
                                break
        found |= _aliases(text, found, persons)
        addresses = sorted((f.start, f.end) for f in findings if f.entity == "EMAIL_ADDRESS")
        starts = [a[0] for a in addresses]

        def in_address(s: int, e: int) -> bool:  # a recognised address is one finding already
            i = bisect.bisect_right(starts, s) - 1
            return i >= 0 and addresses[i][1] >= e

        found |= {m for m in self._address_forms(text, persons, index, public_persons) if not in_address(m[0], m[1])}
        sources = {key: ",".join(sorted(set(p.sources))) for key, p in persons.items()}
        for s_, e_, kind, key in sorted(found):  # sorted: ties between two people resolve alike in every run
            mentions.append((s_, e_, kind, key, sources[key]))
        public_first = official_first | {f for key in public_persons for f in persons[key].first}
        for first, sources in first_only.items():
            if first in public_first:
                public_persons.add(f"|{first.lower()}")  # "Beste Pieter," to a public official
            for at in _standalone(text, first):
                mentions.append((at, at + len(first), "first name", f"|{first.lower()}", ",".join(sorted(set(sources)))))
        for s, e, kind, key, source in _longest_first(mentions):
            why = official_at(s, e) or ("same name as a public official in this document" if key in public_persons else None) \
                or ("kept: the reviewer's decision for this person (people.yaml)" if key in reviewed_keep else None)
            surname_only = kind == "surname" and " ".join(text[s:e].lower().split()) in official_surnames
            if not why and kind == "surname" and self._in_organisation_name(text, s, e):
                why = "part of an organisation's name"
            if why or surname_only:
                findings.append(self._finding(doc, s, e, "PERSON", "keep", "", f"person:{source}",
                                              why or "same surname as a public official in this document",
                                              0.5, key))
            else:
                findings.append(self._finding(doc, s, e, "PERSON", "redact", self.rules.ground_for("PERSON"),
                                              f"person:{source}",
                                              f"civil servant or citizen ({kind}; found by {source})", 0.85, key))
        findings += self._covered_words(doc)
        findings += self._marked_words(doc)
        return _merge(findings) + self._marked_areas(doc)

    @staticmethod
    def _address_forms(text: str, persons: dict, index: dict, public: set) -> set[tuple[int, int, str, str]]:
        """A redacted person's name as an e-mail address writes it ("noor.haddou", "noor_van_dijk"): the
        address itself is found by its recogniser, but not when OCR misread it ("noor.haddou@®minbzk.nl"
        in a screenshot) or when only its first part is quoted."""
        out = set()
        for key, p in persons.items():
            parts = p.surname.lower().split()
            if key in public or not p.first or not parts:
                continue
            firsts = sorted({re.escape(f.lower()) for f in p.first}, key=len, reverse=True)
            surname = r"[._-]?".join(re.escape(w) for w in parts)
            rx = re.compile(rf"(?<![\w@.])(?:{'|'.join(firsts)})[._-]{surname}(?!\w)", re.IGNORECASE)
            # tried only where one of the first names starts a word: one match each, no scan
            for first in {f for name in p.first for f in (name, name.lower())}:
                for pos in index.get(first, ()):
                    m = rx.match(text, pos)
                    if m:
                        out.add((m.start(), m.end(), "name in an e-mail address", key))
        return out

    def _covered_words(self, doc: Document) -> list[Finding]:
        """Words under a black box that only covered them: made into real redactions."""
        out = []
        for pno, r in doc.covered:
            for w in doc.words:
                if w.page == pno and r[0] <= (w.rect[0] + w.rect[2]) / 2 <= r[2] and r[1] <= (w.rect[1] + w.rect[3]) / 2 <= r[3]:
                    out.append(self._finding(doc, w.start, w.end, "COVERED_TEXT", "redact", self.rules.default_ground,
                                             "xray", "text under a black box drawn in the incoming file", 1.0))
        return out

    def _mark_ground(self, note: str) -> str:
        m = _GROUND_CODE.search(note or "")
        return m.group(0) if m and m.group(0) in self.rules.grounds else self.rules.default_ground

    def _marked_words(self, doc: Document) -> list[Finding]:
        """The words under a redaction annotation that the incoming file never applied: someone marked
        them, so they are proposed (one finding per line the mark covers, its ground from the mark's
        text when that names one)."""
        out = []
        for pno, r, note in doc.marked:
            lines: dict[int, list] = {}
            for w in doc.words:
                if w.page == pno and r[0] <= (w.rect[0] + w.rect[2]) / 2 <= r[2] and r[1] <= (w.rect[1] + w.rect[3]) / 2 <= r[3]:
                    lines.setdefault(w.line, []).append(w)
            for words in lines.values():
                out.append(self._finding(doc, words[0].start, words[-1].end, "MARKED", "redact", self._mark_ground(note),
                                         "incoming", "marked for redaction in the incoming file", 1.0))
        return out

    def _marked_areas(self, doc: Document) -> list[Finding]:
        """A redaction annotation over no words (a signature, a photo): the area itself is proposed."""
        out = []
        for k, (pno, r, note) in enumerate(doc.marked):
            if any(w.page == pno and r[0] <= (w.rect[0] + w.rect[2]) / 2 <= r[2] and r[1] <= (w.rect[1] + w.rect[3]) / 2 <= r[3]
                   for w in doc.words):
                continue
            fid = hashlib.sha1(f"{doc.name}:mark:{pno}:{k}".encode()).hexdigest()[:12]
            out.append(Finding(fid, 0, 0, "", "MARKED", "redact", self._mark_ground(note), "incoming",
                               "area marked for redaction in the incoming file", 1.0, None, [(pno, tuple(r))]))
        return out

    def _first_name_ok(self, name: PersonName) -> bool:
        if not name.first:
            return False
        f = name.first[0]
        if len(f) < 3:
            return False
        return not (self.lookups is not None and self.lookups.is_common_word(f))

    def _person_from_address(self, address: str, persons: dict) -> None:
        """Add the first name of an address's local part ("voornaam.achternaam") to the person with that
        surname, or make that person when the address is all the document says of them."""
        parts = [p for p in re.split(r"[._]", address.split("@", 1)[0]) if p]
        if len(parts) < 2 or self.lookups is None:
            return
        first = parts[0][:1].upper() + parts[0][1:].lower()
        if len(first) < 3 or not self._is_first_name(first):
            return
        squashed = re.sub(r"[^a-z]", "", "".join(parts[1:]).lower())
        for key, p in persons.items():
            if re.sub(r"[^a-z]", "", key) == squashed:
                p.first.add(first)
                p.sources.append("e-mail address")
                return
        if len(parts) == 2 and parts[1].isalpha() and len(parts[1]) >= 3:
            surname = parts[1][:1].upper() + parts[1][1:].lower()
            p = persons.setdefault(surname.lower(), _Person(surname=surname))
            p.first.add(first)
            p.sources.append("e-mail address")

    def _collect_person(self, c, persons, first_only, official_at, findings, doc):
        why = official_at(c.start, c.end)
        if why:
            findings.append(self._finding(doc, c.start, c.end, "PERSON", "keep", "", c.recognizer, why, c.score))
            return
        structural = not c.recognizer.startswith("Deduce")
        raw = re.sub(r"\s+", " ", c.text).strip()
        tokens = strip_honorifics(raw.split())
        if not structural:
            if c.score < PERSON_MIN_SCORE:
                return
            # "Dag Yvonne", "Graag Dirkse": deduce takes a capitalised word at the start of a sentence along
            stripped = []
            while len(tokens) > 1 and self.lookups is not None and tokens[0].lower() not in PARTICLES \
                    and not _INITIAL.match(tokens[0]) and not self.lookups.is_first_name(tokens[0]):
                stripped.append(tokens[0])
                tokens = tokens[1:]
            if stripped and not all(self.lookups.is_common_word(t) for t in stripped):
                # "Sigmax Law Enforcement": what went before was an unknown capitalised word, an
                # organisation's name, not a greeting or a sentence's first word
                raw = " ".join(tokens)
            if len(tokens) == 1 and raw != tokens[0] and self._is_first_name(tokens[0]) \
                    and not re.match(r"(?i)(dhr|mw|mevr|mevrouw|de heer|heer)\b", raw):
                first_only.setdefault(tokens[0], []).append(c.recognizer)
                return
            if not self.structure.looks_like_person(" ".join(tokens), single_ok=raw != " ".join(tokens)):
                return
        if c.recognizer == "greeting" and len(tokens) == 1:
            first_only.setdefault(tokens[0], []).append(c.recognizer)
            return
        name = parse_name(" ".join(tokens))
        if name is not None and (len(name.surname) < 2 or (not structural and not name.first and not name.initials
                                                            and self.lookups and self.lookups.is_first_name(name.surname))):
            # "mevrouw T.\nBakker", "dhr. Mohammed Al-Hassan": deduce stopped before the surname
            m = _SURNAME_AFTER.match(doc.text, c.end)
            if m and not (self.lookups and self.lookups.is_common_word(m.group(0).split()[-1])) \
                    and not m.group(0).split()[-1].isupper():
                name = parse_name(" ".join(tokens) + m.group(0))
        if name is None or len(name.surname) < 2:
            return
        if not structural:
            if name.surname.isupper() and len(name.surname) > 1:
                return  # "Sanne\nBKWI": an organisation's abbreviation after a first name
            if self._heading(doc.text, c.start, name):
                return  # "A. Release versioning", "C. Naming": an agenda or appendix heading
            if name.particles and not (name.first or name.initials or raw != " ".join(tokens)) \
                    and self.lookups is not None and not all(
                        self.lookups.is_surname(w) and not self.lookups.is_common_word(w)
                        for w in name.surname.split()):
                return  # "uit de Best Practices", "van het Rijk": particles alone before ordinary words
            if self.lookups is not None and self.lookups.is_placename(name.surname) \
                    and not self.lookups.is_surname(name.surname):
                return  # "wethouders van Amsterdam": a place, not a person
            if not (name.first or name.initials or name.particles or raw != " ".join(tokens)):
                return  # a lone word that a name list knows is no evidence of a person
        key = name.full_surname.lower()
        p = persons.setdefault(key, _Person(surname=name.full_surname))
        p.first.update(name.first)
        if name.initials:
            p.initials.add(name.initials)
        p.sources.append(c.recognizer)

    def _heading(self, text: str, start: int, name: PersonName) -> bool:
        """"A. Release versioning", "D. Architectuur": a letter with a dot at the start of a line, before a
        word that is no known surname and is an ordinary word or is followed by lower-case text."""
        if name.first or len(name.initials) != 2 or name.particles or self.lookups is None:
            return False
        if start > 0 and text[start - 1] != "\n" and text[:start].rsplit("\n", 1)[-1].strip():
            return False
        if self.lookups.is_surname(name.surname) and not self.lookups.is_common_word(name.surname):
            return False
        at = text.find(name.surname, start)
        rest = text[at + len(name.surname):].split("\n", 1)[0].strip() if at >= 0 else ""
        return self.lookups.is_common_word(name.surname) or rest[:1].islower() or not self.lookups.is_surname(name.surname) and bool(rest)

    def _in_organisation_name(self, text: str, s: int, e: int) -> bool:
        """"Bouwbedrijf De Kok & Zonen B.V.": a surname inside a company or foundation name."""
        before = re.findall(r"[\w.&]+", text[max(0, s - 30):s])[-1:]
        after = re.findall(r"[\w.&]+", text[e:e + 30])[:3]
        words = {w.lower() for w in before + after}
        return bool(words & self.structure.org_words) or "&" in words

    def _is_first_name(self, word: str) -> bool:
        return self.lookups is not None and self.lookups.is_first_name(word) and not self.lookups.is_surname(word)

    def _identifier(self, doc: Document, c: Candidate, line_starts: list[int]) -> Finding:
        decision, why = "redact", f"{c.entity} ({c.recognizer})"
        if c.entity == "EMAIL_ADDRESS":
            local = c.text.split("@", 1)[0].lower()
            if self.mailbox_rx is not None and self.mailbox_rx.match(local):
                decision, why = "keep", "functional mailbox"
            elif self._named_mailbox(doc.text, local):
                decision, why = "keep", "functional mailbox (named after a standard, product or team in the text)"
        elif c.entity == "PHONE_NUMBER" and self._switchboard(doc, c, line_starts):
            decision, why = "keep", "switchboard number of an organisation"
        elif c.entity == "NL_POSTCODE" and self._organisation_address(doc, c, line_starts):
            decision, why = "keep", "an organisation's address (letterhead)"
        ground = self.rules.ground_for(c.entity) if decision == "redact" else ""
        return self._finding(doc, c.start, c.end, c.entity, decision, ground, c.recognizer, why, c.score)

    def _named_mailbox(self, text: str, local: str) -> bool:
        """"api@", "digikoppeling@", "pkioverheid@": a local part of one word that the document uses as a
        word of its own (a standard, product or team: "API", "Digikoppeling", "PKIoverheid") and that no
        name list knows as a person's name."""
        if not re.fullmatch(r"[a-z][a-z0-9]{1,30}", local) or self.lookups is None:
            return False
        word = local[:1].upper() + local[1:]
        if self.lookups.is_first_name(word) or self.lookups.is_surname(word):
            return False
        for m in re.finditer(rf"(?<![\w@.]){re.escape(local)}(?![\w@]|\.\w)", text, re.IGNORECASE):
            if "@" not in text[m.end():m.end() + 1]:
                return True
        return False

    def _switchboard(self, doc: Document, c: Candidate, line_starts: list[int]) -> bool:
        """A phone number in an organisation's letterhead (below its Postbus line) or announced as the
        general number is a switchboard, not a person's number. A mobile number never is."""
        digits = re.sub(r"\D", "", c.text.replace("(0)", ""))
        if digits.startswith(("316", "00316", "06")):
            return False
        line_no = bisect.bisect_right(line_starts, c.start) - 1
        if line_no < 0:
            return False
        line = doc.lines[line_no]
        if re.search(r"algeme(en|ne)|centrale|switchboard|receptie|servicenummer|klantcontact", line.text.lower()):
            return True
        before = [ln for ln in doc.lines[max(0, line_no - 2):line_no] if ln.page == line.page]
        return any(ln.text.lower().startswith(("postbus", "antwoordnummer")) for ln in before)

    def _organisation_address(self, doc: Document, c: Candidate, line_starts: list[int]) -> bool:
        """A postcode in an organisation's address block: next to its Postbus line, its web address or
        its name ("Directie Regie Migratieketen / Turfmarkt 147 / 2511 DP Den Haag / Postbus 20301") —
        never in a block about a person ("Naam: ... / Adres: ... / Geboortedatum: ...")."""
        if _HOME_BEFORE.search(doc.text, max(0, c.start - 40), c.start):
            return False  # "woonachtig aan de Kerkstraat 12": a citizen's home
        line_no = bisect.bisect_right(line_starts, c.start) - 1
        if line_no < 0:
            return False
        own = doc.lines[line_no]
        if _PERSONAL_LABEL.match(own.text.strip()):
            return False
        if _VENUE_LABEL.search(own.text) or (line_no and _VENUE_LABEL.search(doc.lines[line_no - 1].text)):
            return True  # "Locatie: Hotel X, Straat 5, 1234 AB Plaats": where a meeting is held
        near = [ln.text.strip().lower() for ln in doc.lines[max(0, line_no - 3):line_no + 3]
                if ln.page == own.page and ln.start != own.start]
        if any(_PERSONAL_LABEL.match(t) for t in near):
            return False
        org = self.structure.org_words
        return any(t.startswith(("postbus", "antwoordnummer", "www.", "http"))
                   or ("@" not in t and (".nl/" in t or t.endswith(".nl")))
                   or (t.split()[:1] and t.split()[0].strip(",.") in org) for t in near)

    def _finding(self, doc, s, e, entity, decision, ground, rule, reason, score, person=None) -> Finding:
        fid = hashlib.sha1(f"{doc.name}:{s}:{e}:{entity}".encode()).hexdigest()[:12]
        return Finding(fid, s, e, doc.text[s:e], entity, decision, ground, rule, reason, score, person)


# labels of a block about a person: an address there is that person's
_PERSONAL_LABEL = re.compile(r"(?i)(?:naam|adres|woonadres|huisadres|woonplaats|geboortedatum|geboren|bsn|"
                             r"burgerservicenummer|telefoon|mobiel|e-?mail|iban|rekeningnummer)\b\s*:")


_GROUND_CODE = re.compile(r"\b5\.[12]\.[12]?[a-i]\b|\b5\.2\b")  # a ground's code in a redaction mark's text
_HOME_BEFORE = re.compile(r"(?i)\b(?:woonachtig|wonende|woont|woonadres|verblijvende|verblijft)\b\W+(?:(?:aan|op|in|te)\s+)?(?:(?:de|het)\s+)?$")

# labels of a meeting's place or an organisation's visiting address: the address there is no person's
_VENUE_LABEL = re.compile(r"(?i)\b(?:locatie|vergaderplaats|vergaderlocatie|bezoekadres|vestigingsadres|venue|location)\b\s*:?")


_BEFORE_NAME = re.compile(r"[\w@.]")  # a name alone is not inside a word, an address or a domain
_AFTER_NAME = re.compile(r"[\w@]")


def _standalone(text: str, name: str):
    r"""Where `name` stands on its own: what `(?<![\w@.])name(?![\w@])` finds, by str.find (a regex that
    starts with a look-behind tries every position of a dossier's text, for each first name)."""
    n = len(name)
    at = text.find(name)
    while at >= 0:
        if (at == 0 or not _BEFORE_NAME.match(text, at - 1)) and not _AFTER_NAME.match(text, at + n):
            yield at
            at = text.find(name, at + n)
        else:
            at = text.find(name, at + 1)


_ALIAS = re.compile(r"\s*\(([A-Z][A-Za-z.]{0,4}[A-Z])\)")


def _aliases(text: str, found: set, persons: dict) -> set[tuple[int, int, str, str]]:
    """"Anna Kroeze (AK) licht toe ... AK vraagt": initials in parentheses right after a person's full
    name stand for that person wherever they recur (first letter the first name's, last the surname's)."""
    out = set()
    for s, e, kind, key in list(found):
        if kind != "full name":
            continue
        m = _ALIAS.match(text, e)
        if not m:
            continue
        alias = m.group(1)
        surname = persons[key].surname.split()[-1] if persons[key].surname else ""
        if not surname or alias[0] != text[s].upper() or alias[-1] != surname[0].upper():
            continue
        for a in re.finditer(rf"(?<![\w@.]){re.escape(alias)}(?![\w@])", text):
            out.add((a.start(), a.end(), "initials for the name", key))
    return out


def _word_index(text: str) -> dict[str, list[int]]:
    """Where each word starts in the text (words split at spaces, punctuation and hyphens)."""
    index: dict[str, list[int]] = {}
    for m in re.finditer(r"[\w'’]+", text):
        index.setdefault(m.group(), []).append(m.start())
        stem = re.split(r"['’]", m.group(), maxsplit=1)[0]
        if stem and stem != m.group():  # "Berend’s", "Anna's": the name before a possessive
            index.setdefault(stem, []).append(m.start())
    return index


def _longest_first(spans):
    """Non-overlapping spans, preferring the longest (a full name over its surname)."""
    chosen: list[tuple] = []
    starts: list[int] = []  # the chosen spans, sorted by start (they never overlap)
    ends: list[int] = []
    for sp in sorted(spans, key=lambda t: (-(t[1] - t[0]), t[0])):
        i = bisect.bisect_left(starts, sp[1])  # chosen spans that start before sp ends
        if i and ends[i - 1] > sp[0]:
            continue
        starts.insert(i, sp[0])
        ends.insert(i, sp[1])
        chosen.append(sp)
    return sorted(chosen, key=lambda t: t[0])


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per span: a redaction wins over a keep of an overlapping span, except where the keep
    is a public official; duplicates of the same span are dropped."""
    out: list[Finding] = []
    at: dict[tuple[int, int], int] = {}  # span → index in out
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if f.entity != "PERSON" and any(o.decision == "redact" and o.entity != "PERSON" and o.start <= f.start
                                        and f.end <= o.end and (o.start, o.end) != (f.start, f.end) for o in out[-8:]):
            continue  # "0338 1615 89" inside the IBAN "NL68 RABO 0338 1615 89": one finding, the IBAN
        i = at.get((f.start, f.end))
        if i is not None:
            dup = out[i]
            if dup.decision == "keep" and f.decision == "redact" and "official" not in dup.reason:
                out[i] = f
            continue
        at[(f.start, f.end)] = len(out)
        out.append(f)
    return out


def map_boxes(doc: Document, findings: list[Finding]) -> None:
    """Give every finding the boxes of the whole words its span touches, one box per line."""
    words = doc.words
    starts = [w.start for w in words]
    for f in findings:
        if f.start == f.end and f.boxes:
            continue  # an area, not a span of text (a redaction mark over a picture)
        i = max(bisect.bisect_right(starts, f.start) - 1, 0)
        per_line: dict[int, list] = {}
        while i < len(words) and words[i].start < f.end:
            w = words[i]
            if w.end > f.start:
                per_line.setdefault(w.line, []).append(w)
            i += 1
        f.boxes = []
        for line_words in per_line.values():
            r = (min(w.rect[0] for w in line_words), min(w.rect[1] for w in line_words),
                 max(w.rect[2] for w in line_words), max(w.rect[3] for w in line_words))
            f.boxes.append((line_words[0].page, r))
