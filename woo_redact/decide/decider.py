"""The decide stage in order: officials → persons → identifiers → reviewers' decisions → mentions →
what the incoming file marked → one finding per span."""
from __future__ import annotations

from ..model import Candidate, Document, Finding
from ..rules import Rules
from ..detect.structure import StructureRules
from .grounds import Grounds, finding
from .identifiers import IDENTIFIER_MIN_SCORE, Identifiers
from .incoming import covered_words, marked_areas, marked_words
from .mentions import find_mentions, mention_findings
from .merge import merge
from .officials import OfficialIndex, Officials, official_names, public_persons
from .persons import PersonFinder, Persons, apply_reviewed


class Decider:
    """Decides a document's candidates; `people` are reviewers' decisions (person key → (decision, name),
    people.py)."""

    def __init__(self, rules: Rules, structure: StructureRules, lookups=None, people: dict | None = None):
        self.rules = rules
        self.people = people or {}
        self.structure = structure
        self.lookups = lookups
        self.grounds = Grounds(rules)
        self.officials = Officials(rules, structure, lookups)
        self.person_finder = PersonFinder(structure, lookups)
        self.identifiers = Identifiers(rules, structure, self.grounds, lookups)

    def decide(self, doc: Document, candidates: list[Candidate]) -> list[Finding]:
        spans = self.officials.spans(doc)
        names = official_names(doc.text, spans)
        officials = OfficialIndex(spans)

        findings: list[Finding] = []
        line_starts = [ln.start for ln in doc.lines]
        persons = Persons()
        for c in candidates:
            if c.entity == "PERSON":
                why = officials.at(c.start, c.end)
                if why:
                    findings.append(finding(doc, c.start, c.end, "PERSON", "keep", "", c.recognizer, why, c.score))
                else:
                    self.person_finder.collect(doc, c, persons)
            elif c.score >= IDENTIFIER_MIN_SCORE:
                findings.append(self.identifiers.finding(doc, c, line_starts))

        for f in findings:
            if f.entity == "EMAIL_ADDRESS" and f.decision == "redact":
                self.person_finder.from_address(f.text, persons)
        reviewed_keep = apply_reviewed(self.people, persons)
        public = public_persons(persons, names)

        addresses = sorted((f.start, f.end) for f in findings if f.entity == "EMAIL_ADDRESS")
        mentions = find_mentions(doc.text, persons, public, addresses, self.lookups)
        findings += mention_findings(doc, mentions, officials, names, public, reviewed_keep,
                                     self.structure.org_words, self.grounds)
        findings += covered_words(doc, self.grounds)
        findings += marked_words(doc, self.grounds)
        return merge(findings) + marked_areas(doc, self.grounds)
