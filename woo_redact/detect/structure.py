"""Structure rules: people found by where they stand, not by whether a name list knows them.

Header fields that hold people (Opgesteld door, Contactpersoon, Aanwezig, Van/Aan/CC, ...), greetings
("Hoi Jan,"), signature blocks after "Met vriendelijke groet," and chat exports ("[datum tijd] Naam: ...").
Each rule yields PERSON candidates whose span is the name as written.
"""
from __future__ import annotations

import re

from ..model import Candidate, Document
from .names import PARTICLES, parse_name
from ..rules import Rules

# one item of a list of people: "Surname, I. (First) <mail>" or anything up to the next separator
_ITEM = re.compile(
    r"[^,;\n]+?,\s*(?:[A-Z][a-z]?\.\s?)+(?:\s*\([^)\n]*\))?(?:\s*<[^>\n]*>)?"
    r"|[^,;\n]+"
)
_SPLIT_AND = re.compile(r"\s+(?:en|&|and)\s+|\s*/\s*")
_EMAIL = re.compile(r"<?[\w.+'-]+@[\w.-]+>?")
_PAREN = re.compile(r"\([^)]*\)")

GREETING = re.compile(
    r"^(?:Hoi|Hallo|Hai|Hey|Hi|Dag|Beste|Lieve|Goedemorgen|Goedemiddag|Goedenavond|Dear|Hello|"
    r"Geachte\s+(?:heer|mevrouw|mevr\.|dhr\.))\s+"
    r"(?P<name>[A-ZÀ-Þ][\w'À-ÿ-]*(?:\s+(?:[a-z']{1,4}\s+){0,3}[A-ZÀ-Þ][\w'À-ÿ-]*)?)\s*[,!:]",
    re.MULTILINE,
)
CLOSING = re.compile(
    r"^(?:Met\s+)?(?:vriendelijke|hartelijke|collegiale|beste|warme)\s+groet(?:en)?\s*,?\s*$"
    r"|^(?:Groet(?:en)?|Gr\.?|Mvg|Hoogachtend|Kind regards|Best regards|Regards|Cheers)\s*,?\s*$",
    re.IGNORECASE,
)
CHAT = re.compile(
    r"^\[?\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4},?\s+\d{1,2}:\d{2}(?::\d{2})?\]?\s*(?:-\s*)?"
    r"(?P<name>[^:\n]{2,40}?):\s",
    re.MULTILINE,
)


class StructureRules:
    """Finds people by the place they stand in; built once from the rules."""

    def __init__(self, rules: Rules, lookups=None):
        self.rules = rules
        self.lookups = lookups
        self.org_words = {w.lower() for w in rules.organisation_words}
        self.roles = {r.lower() for r in rules.roles}
        self.titles = sorted((t.lower() for t in rules.titles), key=len, reverse=True)
        # "minister voor …", "staatssecretaris van …": a line that starts with a title, in one regex
        self._title_start = re.compile("|".join(re.escape(t) + r"(?: |$)" for t in self.titles)) if self.titles else None
        self.signatory = rules.signatory_lines
        # the words in our own boxes: a line that is only a box label is a name already redacted
        self.labels = {g.label.lower() for g in rules.grounds.values()} | {c.lower() for c in rules.grounds}

    # -------------------------------------------------------------------------------------- filters
    def looks_like_person(self, text: str, single_ok: bool = True) -> bool:
        """True when `text` (a name as written) is shaped like a person and not an organisation or role."""
        clean = _PAREN.sub(" ", _EMAIL.sub(" ", text)).strip(" -–•*\t,;:")
        if not clean or clean.lower() in self.roles:
            return False
        tokens = clean.split()
        lowered = [t.lower().strip(".,") for t in tokens]
        if any(t in self.org_words for t in lowered):
            return False
        if len(lowered[0]) > 3 and lowered[0] in self.roles:
            return False  # "Beleidsmedewerker Sociaal Domein", "Hoofd Subsidies": a function line (not "M. Bouzid")
        low = clean.lower()
        if self._title_start is not None and self._title_start.match(low):
            return False  # "Minister voor ...", "Staatssecretaris van ..." (an office, or a public official)
        if any(t.isupper() and len(t.strip(".")) > 1 and not re.fullmatch(r"(?:[A-Z]\.)+", t) for t in tokens):
            return False  # abbreviations: DGM, DT&V, IND
        name = parse_name(clean)
        if name is None:
            return False
        if self.lookups is not None and not name.initials and not name.particles:
            words = [t for t in lowered if t not in PARTICLES]
            if words and all(self.lookups.is_common_word(t) for t in words):
                return False  # "Team Bijzondere Bijstand"
        if len(tokens) == 1:
            if not single_ok:
                return False
            if self.lookups is not None and self.lookups.is_common_word(tokens[0]):
                return False
        if self.lookups is not None and self.lookups.is_placename(clean):
            return False
        return True

    def _known_name(self, text: str) -> bool:
        """A single word counts as a name only when a name list knows it."""
        word = text.strip()
        return self.lookups is None or self.lookups.is_first_name(word) or self.lookups.is_surname(word)

    # ---------------------------------------------------------------------------------------- rules
    def find(self, doc: Document) -> list[Candidate]:
        out: list[Candidate] = []
        out += self._header_people(doc)
        out += self._greetings(doc)
        out += self._signatures(doc)
        out += self._chat(doc)
        out += self._after_role(doc)
        out += self._attendee_lists(doc)
        out += self._attendee_tables(doc)
        return out

    def _candidate(self, doc: Document, start: int, end: int, rule: str, why: str, score=0.9) -> Candidate:
        return Candidate(start, end, doc.text[start:end], "PERSON", score, rule, why)

    def _header_people(self, doc: Document) -> list[Candidate]:
        out = []
        for f in doc.fields:
            if f.kind != "persons":
                continue
            # a line that ends in "en" or "," continues on the next one: "Minister voor X en\nY"
            value = f.value.replace("\n", " ") if f.wrapped else re.sub(r"(?<= en)\n|(?<=&)\n", " ", f.value)
            for m in _ITEM.finditer(value):
                for s, e in _name_parts(value, m.start(), m.end()):
                    text = value[s:e]
                    if self.looks_like_person(text, single_ok=self._known_name(text)):
                        out.append(self._candidate(doc, f.start + s, f.start + e, f"header:{f.label}",
                                                   f"name in the header field '{f.label}'"))
        return out

    def _greetings(self, doc: Document) -> list[Candidate]:
        out = []
        for m in GREETING.finditer(doc.text):
            name = m.group("name")
            if self.looks_like_person(name) and name.lower() not in {"collega", "collega's", "allen", "team"}:
                out.append(self._candidate(doc, m.start("name"), m.end("name"), "greeting",
                                           "name in a greeting", 0.85))
        return out

    def _signatures(self, doc: Document) -> list[Candidate]:
        out = []
        lines = doc.lines
        for i, line in enumerate(lines):
            if not CLOSING.match(line.text):
                continue
            for nxt in lines[i + 1:i + 3]:
                if any(rx.match(nxt.text) for rx in self.signatory):
                    break  # "De Minister van ...," : the signatory is a public official
                if nxt.text.strip().lower() in self.labels:
                    break  # the name under the greeting was redacted already (verify on an output)
                text = nxt.text
                s, e = nxt.start, nxt.end
                # "Naam | functie" or "Naam, functie" on one line
                cut = re.search(r"\s*[|,–]\s", text)
                if cut:
                    e = s + cut.start()
                if self.looks_like_person(doc.text[s:e], single_ok=True):
                    out.append(self._candidate(doc, s, e, "signature", "name under a closing greeting", 0.85))
                    break
        return out

    def _after_role(self, doc: Document) -> list[Candidate]:
        """"nieuwe medewerker Anna Kroeze", "o.l.v. Jan de Wit", "door Piet van\nDam": a name after a role
        word or a preposition that introduces a person. After a role any name-shaped pair of words is a
        person; after "door", "o.l.v." or "vv" the first word must be a known first name."""
        out = []
        for m in AFTER_ROLE.finditer(doc.text):
            name = m.group("name")
            strong = m.group("role").lower() not in WEAK_ROLES
            first = name.split()[0]
            if not strong and not (self.lookups is not None and self.lookups.is_first_name(first)
                                   and not self.lookups.is_common_word(first)):
                continue
            if self.lookups is not None and self.lookups.is_common_word(first):
                continue
            if self.looks_like_person(name, single_ok=False):
                out.append(self._candidate(doc, m.start("name"), m.end("name"), "role before name",
                                           f"name after '{m.group('role')}'", 0.8))
        return out

    def _attendee_lists(self, doc: Document) -> list[Candidate]:
        """Minutes' lists of people: "Aanwezig: A (Org), B (Org)", "Afwezig met bericht:", "Deelnemers:"
        — the list runs on over the following lines of its paragraph; each item is a name, usually with
        its organisation or role in parentheses."""
        out = []
        lines = doc.lines
        for i, line in enumerate(lines):
            if ATTENDEES_ALONE.match(line.text):
                out += self._attendee_column(doc, i)
                continue
            m = ATTENDEES.match(line.text)
            if not m:
                continue
            start, end = line.start + m.end(), line.end
            prev = line
            for nxt in lines[i + 1:i + 30]:
                height = max(prev.rect[3] - prev.rect[1], 1.0)
                # the list may start after a blank line below its label; within it, lines follow closely
                if (nxt.page != line.page or nxt.rect[1] - prev.rect[3] > (2.0 if prev is line else 0.8) * height
                        or nxt.rect[1] < prev.rect[1]
                        or ATTENDEES.match(nxt.text) or _NUMBERED.match(nxt.text) or not nxt.text.strip()):
                    break
                end = nxt.end
                prev = nxt
                if nxt.text.rstrip().endswith("."):
                    break
            for s, e in _list_items(doc.text, start, end):
                text = doc.text[s:e]
                if self.looks_like_person(text, single_ok=self._known_name(text)):
                    out.append(self._candidate(doc, s, e, "attendees", "name in a list of attendees"))
        return out

    def _attendee_column(self, doc: Document, i: int) -> list[Candidate]:
        """"Aanwezig" alone in a left-hand column, the people beside it one a line ("Anna Kroeze, RDW"):
        the lines that start where the first one beside the label starts, down to the next gap."""
        lines, label = doc.lines, doc.lines[i]
        first = next((j for j in range(max(0, i - 6), min(len(lines), i + 6))
                      if lines[j].page == label.page and abs(lines[j].rect[1] - label.rect[1]) < 4
                      and lines[j].rect[0] > label.rect[2] + 10), None)
        if first is None or set(re.split(r"[\s/]+", lines[first].text.strip().lower())) & (NAME_COLUMNS | ORG_COLUMNS):
            return []  # beside the label stands a table's header ("Leden/departement"): the table rule's
        x, prev, out = lines[first].rect[0], None, []
        for ln in lines[first:first + 80]:
            if ln.page != label.page or abs(ln.rect[0] - x) > 3:
                if prev is not None and ln.rect[1] > prev.rect[3] and ln.rect[0] < x - 10:
                    break  # a new label in the left-hand column
                continue
            if prev is not None and (ln.rect[1] < prev.rect[1]
                                     or ln.rect[1] - prev.rect[3] > 2.5 * max(prev.rect[3] - prev.rect[1], 1.0)):
                break
            prev = ln
            for s, e in _list_items(doc.text, ln.start, ln.end):
                text = doc.text[s:e]
                if text.lower() not in NAME_COLUMNS and self.looks_like_person(text, single_ok=self._known_name(text)):
                    out.append(self._candidate(doc, s, e, "attendees", "name in a list of attendees"))
        return out

    def _attendee_tables(self, doc: Document) -> list[Candidate]:
        """A table of participants: a column headed "Naam"/"Leden"/"Deelnemer" beside one headed
        "Organisatie"/"Departement"/"Functie". Each cell of the name column is a person, in whatever form
        the table writes it ("A.Kroeze", "Kroeze, Anna", a first name alone)."""
        out = []
        lines = doc.lines
        for i, head in enumerate(lines):
            if head.text.strip().lower() not in NAME_COLUMNS:
                continue
            beside = [ln for ln in lines[max(0, i - 6):i + 6] if ln.page == head.page and ln.rect[0] > head.rect[2]
                      and abs(ln.rect[1] - head.rect[1]) < 3 and ln.text.strip().lower() in ORG_COLUMNS]
            if not beside:
                continue
            right = min(ln.rect[0] for ln in beside)  # where the organisation column starts
            below = head
            for j in range(i + 1, len(lines)):
                ln = lines[j]
                if ln.page != head.page:
                    break
                if ln.rect[1] < head.rect[3] - 1:
                    continue
                if ln.rect[0] < head.rect[0] - 10 and ln.rect[2] > right:
                    break  # a line across the columns: the table has ended
                if not (head.rect[0] - 10 <= ln.rect[0] <= head.rect[0] + 15) or ln.rect[2] > right + 2:
                    continue
                if ln.rect[1] - below.rect[3] > 4 * max(below.rect[3] - below.rect[1], 1.0):
                    break
                below = ln
                text = ln.text.strip()
                if not text or text.lower() in NAME_COLUMNS:
                    continue
                nxt = next((n for n in lines[j + 1:j + 6] if n.page == ln.page and abs(n.rect[0] - ln.rect[0]) < 3
                            and n.rect[1] > ln.rect[1]), None)  # the line below in the same column
                if nxt is not None and nxt.text.strip()[:1].islower():
                    continue  # "Variërende / deelnemers": a phrase that runs on in the cell, not a name
                s = ln.start + ln.text.index(text)
                if _TABLE_CELL_NOT_NAME.search(text):
                    continue
                if self.looks_like_person(text, single_ok=len(text) >= 3 and not (
                        self.lookups is not None and self.lookups.is_common_word(text))):
                    out.append(self._candidate(doc, s, s + len(text), "attendee table",
                                               "name in the name column of a table of participants"))
        return out

    def _chat(self, doc: Document) -> list[Candidate]:
        out = []
        for m in CHAT.finditer(doc.text):
            if self.looks_like_person(m.group("name")):
                out.append(self._candidate(doc, m.start("name"), m.end("name"), "chat", "sender in a chat export"))
        return out


# words after which a name is a person: roles, and prepositions that introduce one (weak: the first word must
# be a known first name)
WEAK_ROLES = {"door", "o.l.v.", "olv", "vv", "namens", "met"}
AFTER_ROLE = re.compile(
    r"(?<![\w.])(?P<role>(?i:medewerker|collega|stagiair|stagiaire|voorzitter|secretaris|notulist|projectleider|"
    r"adviseur|architect|ontwikkelaar|teamleider|programmamanager|productmanager|productowner)|door|o\.l\.v\.|vv)"
    r"[ \t]+(?P<name>[A-ZÀ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-Þ][a-zà-ÿ]+)?\s+(?:(?:van|de|der|den|ter|ten|te|vd|v\.d\.|'t)\s+){0,3}"
    r"[A-ZÀ-Þ][a-zà-ÿ]+(?:-[A-ZÀ-Þ][a-zà-ÿ]+)?)")
# a list of people in minutes: the label, maybe a qualifier ("met kennisgeving", "(digitaal)"), a colon
ATTENDEES = re.compile(r"^\s*(?:Aanwezig(?:en)?|Afwezig(?:en)?|Afgemeld|Afmeldingen|Verhinderd|Deelnemers|"
                       r"Present|Absent|Apologies|Attendees)\b[^:\n]{0,60}:\s*", re.IGNORECASE)
ATTENDEES_ALONE = re.compile(r"^\s*(?:Aanwezig(?:en)?|Afwezig(?:en)?|Afgemeld|Verhinderd|Deelnemers|Present|Absent)\s*$",
                             re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+[A-Z]")  # "1. Opening": the agenda begins
NAME_COLUMNS = {"naam", "namen", "leden", "lid", "deelnemer", "deelnemers", "aanwezig", "aanwezigen", "name",
                "names", "attendee", "attendees", "participant", "participants", "wie"}
ORG_COLUMNS = {"departement", "organisatie", "organisaties", "bedrijf", "afdeling", "functie", "rol", "namens",
               "instantie", "organisation", "organization", "company", "role", "department", "vertegenwoordigt"}
# a cell that is no name: an address, a number, a dotted account name ("IDD.Technisch.Ontwerp")
_TABLE_CELL_NOT_NAME = re.compile(r"@|\d|\w\.\w{2,}\.|^[a-z]")


def _list_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The names of a list "A (Org), B (Org)(vz), C en D.": each item up to its first parenthesis, split
    at commas and semicolons outside parentheses and at " en "."""
    items, depth, s = [], 0, start
    for i in range(start, end + 1):
        ch = text[i] if i < end else ","
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = 0  # no nesting: "Bart Kroeze ((RVIG)," must not hide the rest of the list
        elif ch in ",;" and depth == 0:
            items.append((s, i))
            s = i + 1
    out = []
    for a, b in items:
        item = text[a:b]
        item = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group()), item)  # parentheses blanked, offsets kept
        cut = item.find("(")
        if cut >= 0:
            item = item[:cut]
        pos = 0
        for part in re.split(r"(\s+(?:en|&|and)\s+|\s*/\s*)", item):
            if part and not re.fullmatch(r"\s+(?:en|&|and)\s+|\s*/\s*", part):
                lead = len(part) - len(part.lstrip(" \n\t-–•*"))
                core = part.strip(" \n\t-–•*.:")
                if core:
                    out.append((a + pos + lead, a + pos + lead + len(core)))
            pos += len(part)
    return out


_SURNAME_FIRST = re.compile(r"^\s*[^,]+,\s*(?:[A-Z][a-z]?\.\s?)+(?:\s*\([^)]*\))?")


def _name_parts(value: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one list item into the spans of the names in it ("A en B"), leaving out e-mail addresses,
    parentheses ("(DT&V)") and bullets."""
    item = value[start:end]
    m = _SURNAME_FIRST.match(item)
    if m:  # "Meijer, I. (Iris) <iris.meijer@...>": the name is everything before the address
        pieces = [(0, m.end())]
    else:
        cut = re.search(r"[<(]", item)
        head = item[:cut.start()] if cut else item
        pieces, pos = [], 0
        for sep in _SPLIT_AND.finditer(head):
            pieces.append((pos, sep.start()))
            pos = sep.end()
        pieces.append((pos, len(head)))
    spans = []
    for s, e in pieces:
        seg = item[s:e]
        lead = len(seg) - len(seg.lstrip(" -–•*\t"))
        trail = len(seg.rstrip(" ,;:"))
        if trail > lead:
            spans.append((start + s + lead, start + s + trail))
    return spans
