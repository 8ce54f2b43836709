"""Who the persons are: the recognisers' PERSON candidates made into persons (one per surname, with the
first names and initials the document gives them), the owners of personal e-mail addresses, and the
reviewers' decisions about people (OUT_DIR/people.yaml). First names that stand alone ("Dag Yvonne,")
are kept apart: they belong to no surname."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Candidate, Document
from ..detect.names import PARTICLE_RX, PARTICLES, PersonName, parse_name, strip_honorifics
from ..detect.structure import StructureRules

PERSON_MIN_SCORE = 0.5

_INITIAL = re.compile(r"^(?:[A-Z][a-z]?\.)+$")
_SURNAME_AFTER = re.compile(rf"\.?\s+(?:{PARTICLE_RX}\s*)*[A-ZÀ-Þ][\w'À-ÿ]+(?:-[A-ZÀ-Þ][\w'À-ÿ]+)?")


@dataclass
class Person:
    """One person, by surname: the first names and initials the document gives them."""

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


@dataclass
class Persons:
    """The persons of one document."""

    named: dict[str, Person] = field(default_factory=dict)  # lower-case full surname → person
    first_only: dict[str, list[str]] = field(default_factory=dict)  # a first name alone → its recognisers


class PersonFinder:
    """Turns PERSON candidates and personal e-mail addresses into persons."""

    def __init__(self, structure: StructureRules, lookups=None):
        self.structure = structure
        self.lookups = lookups

    def is_first_name(self, word: str) -> bool:
        """A first name that is no surname too."""
        return self.lookups is not None and self.lookups.is_first_name(word) and not self.lookups.is_surname(word)

    def collect(self, doc: Document, c: Candidate, persons: Persons) -> None:
        """Add candidate `c` (no official's name) to `persons`, unless it is no person's name after all."""
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
            if len(tokens) == 1 and raw != tokens[0] and self.is_first_name(tokens[0]) \
                    and not re.match(r"(?i)(dhr|mw|mevr|mevrouw|de heer|heer)\b", raw):
                persons.first_only.setdefault(tokens[0], []).append(c.recognizer)
                return
            if not self.structure.looks_like_person(" ".join(tokens), single_ok=raw != " ".join(tokens)):
                return
        if c.recognizer == "greeting" and len(tokens) == 1:
            persons.first_only.setdefault(tokens[0], []).append(c.recognizer)
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
        p = persons.named.setdefault(key, Person(surname=name.full_surname))
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

    def from_address(self, address: str, persons: Persons) -> None:
        """The owner of a personal e-mail address is a person too: "marloes.dekker@..." makes "Marloes"
        (in "Kun jij Marloes vragen?") and "Dekker" mentions of her. Adds the first name of the local part
        ("voornaam.achternaam") to the person with that surname, or makes that person when the address
        is all the document says of them."""
        parts = [p for p in re.split(r"[._]", address.split("@", 1)[0]) if p]
        if len(parts) < 2 or self.lookups is None:
            return
        first = parts[0][:1].upper() + parts[0][1:].lower()
        if len(first) < 3 or not self.is_first_name(first):
            return
        squashed = re.sub(r"[^a-z]", "", "".join(parts[1:]).lower())
        for key, p in persons.named.items():
            if re.sub(r"[^a-z]", "", key) == squashed:
                p.first.add(first)
                p.sources.append("e-mail address")
                return
        if len(parts) == 2 and parts[1].isalpha() and len(parts[1]) >= 3:
            surname = parts[1][:1].upper() + parts[1][1:].lower()
            p = persons.named.setdefault(surname.lower(), Person(surname=surname))
            p.first.add(first)
            p.sources.append("e-mail address")


def apply_reviewed(people: dict, persons: Persons) -> set[str]:
    """Reviewers' decisions about people (person key → (decision, name as written)): "redact" adds the
    person; "keep" keeps the person of that surname whose initial matches. Returns the keys kept."""
    reviewed_keep = set()
    for pkey, (decision, written) in people.items():
        surname, initial = pkey.split("|")
        if decision == "redact":
            name = parse_name(" ".join(strip_honorifics(written.split())))
            p = persons.named.setdefault(surname, Person(surname=name.full_surname))
            p.first.update(name.first)
            if name.initials:
                p.initials.add(name.initials)
            p.sources.append("people.yaml")
        elif surname in persons.named:
            mine = {f[0].lower() for f in persons.named[surname].first} | {i[0].lower() for i in persons.named[surname].initials}
            if not initial or not mine or initial in mine:
                reviewed_keep.add(surname)
    return reviewed_keep
