"""Identifiers (e-mail addresses, phone numbers, postcodes, BSN, IBAN, ...): redacted on their entity's
ground, except what belongs to an organisation — functional mailboxes, switchboard numbers and an
organisation's address (rules/keep.yaml)."""
from __future__ import annotations

import bisect
import re

from ..model import Candidate, Document, Finding
from ..rules import Rules
from ..detect.structure import StructureRules
from .grounds import Grounds, finding

IDENTIFIER_MIN_SCORE = 0.3

# labels of a block about a person: an address there is that person's
_PERSONAL_LABEL = re.compile(r"(?i)(?:naam|adres|woonadres|huisadres|woonplaats|geboortedatum|geboren|bsn|"
                             r"burgerservicenummer|telefoon|mobiel|e-?mail|iban|rekeningnummer)\b\s*:")
_HOME_BEFORE = re.compile(r"(?i)\b(?:woonachtig|wonende|woont|woonadres|verblijvende|verblijft)\b\W+(?:(?:aan|op|in|te)\s+)?(?:(?:de|het)\s+)?$")
# labels of a meeting's place or an organisation's visiting address: the address there is no person's
_VENUE_LABEL = re.compile(r"(?i)\b(?:locatie|vergaderplaats|vergaderlocatie|bezoekadres|vestigingsadres|venue|location)\b\s*:?")


class Identifiers:
    """Decides one recognised identifier: redact it, or keep it as an organisation's."""

    def __init__(self, rules: Rules, structure: StructureRules, grounds: Grounds, lookups=None):
        self.structure = structure
        self.grounds = grounds
        self.lookups = lookups
        self.mailboxes = [m.lower() for m in rules.functional_mailboxes]
        # "info@", "woo.verzoeken@", "postbus+woo@": a functional mailbox, alone or with a suffix
        self.mailbox_rx = re.compile(rf"(?:{'|'.join(re.escape(m) for m in self.mailboxes)})(?:$|[+._-])") \
            if self.mailboxes else None

    def finding(self, doc: Document, c: Candidate, line_starts: list[int]) -> Finding:
        """The finding for candidate `c`; `line_starts` are the starts of doc.lines."""
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
        ground = self.grounds.for_entity(c.entity) if decision == "redact" else ""
        return finding(doc, c.start, c.end, c.entity, decision, ground, c.recognizer, why, c.score)

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

    @staticmethod
    def _switchboard(doc: Document, c: Candidate, line_starts: list[int]) -> bool:
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
