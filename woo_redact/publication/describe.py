"""Document descriptions: title, date, reference, document type and the organisation a document names
itself, from its header fields and text. Every value is taken from the text with the redacted spans
replaced by their labels, so that nothing redacted reaches the metadata."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from ..rules import Rules
from .items import BundleItem
from .redacted import RedactedText, norm
from .vocabularies import organisations


@dataclass
class Metadata:
    title: str | None
    date: date | None
    time: time | None
    reference: str | None
    kind: str | None  # one of diwoo.DOCUMENT_TYPES, or None when not recognised
    pages: int



_MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "february": 2, "maart": 3, "mrt": 3,
    "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7, "augustus": 8, "aug": 8, "august": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "october": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME = r"(?:,?\s+(?:om\s+)?(?P<h>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)(?:\s*(?P<ap>[AaPp][Mm]))?)?"
_DATE_FORMS = [
    re.compile(rf"(?<!\d)(?P<d>[0-3]?\d)\s+(?P<m>{_MONTH})\.?\s+(?P<y>(?:19|20)\d\d)(?!\d){_TIME}", re.I),
    re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>[0-3]?\d),?\s+(?P<y>(?:19|20)\d\d)(?!\d){_TIME}", re.I),
    re.compile(rf"(?<![\d-])(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?![\d-]){_TIME}"),
    re.compile(rf"(?<![\d/.-])(?P<d>[0-3]?\d)[-/.](?P<m>[01]?\d)[-/.](?P<y>(?:19|20)\d\d)(?![\d/.-]){_TIME}"),
]


def find_dates(text: str) -> list[tuple[int, int, date, time | None]]:
    """Every date in `text` in the forms Dutch documents write them ("18 september 2024", "5 april 2024
    10:12", "14-03-2025", "2025-03-14", "February 3, 2025"): (start, end, date, time or None), in order."""
    found: dict[int, tuple[int, int, date, time | None]] = {}
    for form in _DATE_FORMS:
        for m in form.finditer(text):
            month = m.group("m")
            month = int(month) if month.isdigit() else _MONTHS[month.lower()]
            try:
                d = date(int(m.group("y")), month, int(m.group("d")))
            except ValueError:
                continue
            t = None
            if m.group("h"):
                hour = int(m.group("h"))
                if m.group("ap") and hour <= 12:
                    hour = hour % 12 + (12 if m.group("ap").lower() == "pm" else 0)
                t = time(hour, int(m.group("mi")))
            if not any(s <= m.start() < e for s, e, *_ in found.values()):
                found[m.start()] = (m.start(), m.end(), d, t)
    return [found[k] for k in sorted(found)]


def parse_date(text: str) -> date | None:
    """The first date in `text` ("Datum 5 april 2024" → 2024-04-05), or None."""
    dates = find_dates(text)
    return dates[0][2] if dates else None


_NOTA_LINE = re.compile(r"^\s*(?:beslis)?nota\s*$", re.I)
_SECTION = re.compile(r"^\s*(?:\d+\.?\s*)?(?:aanleiding|geadviseerd besluit|besluit|kernpunten|toelichting|"
                      r"samenvatting|inleiding|advies|achtergrond|doel|context)\b", re.I)


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def document_kind(item: BundleItem) -> str | None:
    """beslisnota, Kamerbrief, brief, e-mail, vergaderverslag or motie, from the header fields and text."""
    labels = {f.label.lower() for f in item.fields}
    text = item.text
    if ("nota actief openbaar" in labels or any(_NOTA_LINE.match(t) for _, _, t in _lines(text))
            or re.search(r"(?m)^\s*TER (?:BESLISSING|ONDERTEKENING|INFORMATIE|KENNISNAME)\b", text)):
        return "beslisnota"
    if labels & {"verzonden", "sent"} or re.search(
            r"(?im)^\s*(?:van|from):[^\n]*\n(?:[^\n]*\n){0,4}?\s*(?:onderwerp|subject):", text):
        return "e-mail"
    if re.search(r"(?i)aan\s+de\s+voorzitter\s+van\s+de\s+(?:tweede|eerste)\s+kamer", text):
        return "Kamerbrief"
    if re.search(r"(?m)^\s*MOTIE\b", text) or re.search(r"(?i)\bgaat\s+over\s+tot\s+de\s+orde\s+van\s+de\s+dag", text):
        return "motie"
    first = next((t.strip() for _, _, t in _lines(text) if t.strip()), "")
    if re.match(r"(?i)(?:verslag|notulen)\b", first) or ("aanwezig" in labels and re.search(
            r"(?im)^\s*(?:verslag|notulen)\b", text)):
        return "vergaderverslag"
    if "betreft" in labels or re.search(r"(?im)^\s*(?:geachte|beste)\b", text):
        return "brief"
    return None


def _clean_title(s: str) -> str | None:
    s = norm(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", s)).strip(" :;,-")
    if len(re.sub(r"\W", "", s)) < 3:
        return None
    return s[:500]


def _nice_caps(line: str) -> str:
    """"MOTIE VAN HET LID KUIPER-SMEETS C.S." → "Motie van het lid Kuiper-Smeets c.s."."""
    if line.upper() != line:
        return line
    words, out, names = line.split(), [], False
    for i, w in enumerate(words):
        low = w.lower()
        if i == 0:
            out.append(w.capitalize())
        elif names and low not in ("en", "c.s.", "over", "inzake"):
            out.append("-".join(p.capitalize() for p in low.split("-")))
        else:
            out.append(low)
        if low in ("lid", "leden"):
            names = True
        elif low in ("c.s.", "over", "inzake"):
            names = False
    return " ".join(out)


def _title(item: BundleItem, text: RedactedText, kind: str | None) -> str | None:
    for f in item.fields:
        if f.label.lower() in ("betreft", "onderwerp", "subject") and f.value.strip():
            title = _clean_title(text.slice(f.start, f.end))
            if title:
                return title
    lines = _lines(item.text)
    for i, (s, e, line) in enumerate(lines):
        m = re.match(r"(?i)^\s*(?:betreft\b|onderwerp\s*:|subject\s*:|onderwerp\s*$)\s*:?\s*", line)
        if not m:
            continue
        start = s + m.end()
        if start >= e and i + 1 < len(lines):  # the label alone on its line, the value below
            start, e = lines[i + 1][0], lines[i + 1][1]
        title = _clean_title(text.slice(start, e))
        if title:
            return title
    if kind == "beslisnota":
        for i, (s, e, line) in enumerate(lines):
            if _NOTA_LINE.match(line):
                part = []
                for s2, e2, nxt in lines[i + 1:i + 3]:
                    if not nxt.strip() or _SECTION.match(nxt):
                        break
                    part.append((s2, e2))
                if part:
                    title = _clean_title(text.slice(part[0][0], part[-1][1]))
                    if title:
                        return title
    nonempty = [(s, e, t) for s, e, t in lines if t.strip()]
    if kind == "vergaderverslag" and nonempty:
        s, e, first = nonempty[0]
        if re.fullmatch(r"(?i)\s*(?:verslag|notulen)\s*", first) and len(nonempty) > 1:
            s2, e2, nxt = nonempty[1]
            rest = _clean_title(text.slice(s2, e2))
            if rest and not re.match(r"(?i)(?:verslag|notulen)\b", rest):
                if len(rest) > 1 and rest[1:2].islower():
                    rest = rest[0].lower() + rest[1:]
                return f"{first.strip().capitalize()} {rest}"
            return rest
        return _clean_title(text.slice(s, e))
    for s, e, line in nonempty:
        if re.match(r"\s*(?:MOTIE|BRIEF) VAN\b", line):
            return _clean_title(_nice_caps(text.slice(s, e).strip()))
    if nonempty:  # a first line that reads as a title ("Klacht bezwaarprocedure huurtoeslag")
        s, e, first = nonempty[0]
        words = first.split()
        if (2 <= len(words) <= 15 and ":" not in first and not text.overlaps(s, e)
                and not re.match(r"(?i)\s*(?:gemeente|ministerie|provincie|waterschap|postbus|aan|van)\b", first)
                and not re.search(r"\d{4}\s*[A-Z]{2}\b|@|\d{3}[ -]?\d{3,}", first)):
            return _clean_title(first)
    return None


def _date(item: BundleItem, text: RedactedText) -> tuple[date | None, time | None]:
    for f in item.fields:
        if f.kind == "date" and f.label.lower() in ("datum", "verzonden", "sent", "date"):
            for s, e, d, t in find_dates(f.value):
                if not text.overlaps(f.start + s, f.start + e):
                    return d, t
    for s, e, d, t in find_dates(item.text):
        if not text.overlaps(s, e):
            return d, t
    return None, None


def _reference(item: BundleItem, text: RedactedText) -> str | None:
    def token(start: int, end: int) -> str | None:
        value = text.slice(start, end)
        if "[" in value:
            return None
        m = re.match(r"\s*([A-Za-z0-9][\w./-]*\d[\w./-]*)", value)
        return m.group(1).rstrip(".,;") if m else None

    for f in item.fields:
        if f.kind == "reference" and f.label.lower() in ("onze referentie", "ons kenmerk", "kenmerk"):
            ref = token(f.start, f.end)
            if ref:
                return ref
    lines = _lines(item.text)
    for i, (s, e, line) in enumerate(lines):
        m = re.match(r"(?i)^\s*(?:onze referentie|ons kenmerk|kenmerk)\s*:?\s*", line)
        if m:
            ref = token(s + m.end(), e) if s + m.end() < e else (
                token(lines[i + 1][0], lines[i + 1][1]) if i + 1 < len(lines) else None)
            if ref:
                return ref
    for s, e, line in lines[:5]:  # a Kamerstuk number on top of a motie ("36600-VII-14")
        m = re.fullmatch(r"\s*(\d{5}(?:-[A-Z0-9]+)*-\d+)\s*", line)
        if m and not text.overlaps(s, e):
            return m.group(1)
    return None


def describe(item: BundleItem, rules: Rules) -> Metadata:
    """Title, date, reference and document type of one document, from its header fields and text; every
    value is taken from the text with the redacted spans replaced by their labels."""
    text = RedactedText(item.text, item.redactions, rules)
    kind = document_kind(item)
    day, at = _date(item, text)
    return Metadata(title=_title(item, text, kind), date=day, time=at, reference=_reference(item, text),
                    kind=kind, pages=item.pages)



_SIGNER = re.compile(r"(?im)^[ \t]*(?:de[ \t]+)?(?:minister|staatssecretaris)[ \t]+(?:van|voor)[ \t]+"
                     r"(?P<rest>[^\n,]+?)[ \t]*,?[ \t]*$")
HEADER_LINES = 15  # the lines of a document's top (letterhead, header column) where its organisation stands


def document_publisher(item: BundleItem, rules: Rules) -> tuple[str, str] | None:
    """The organisation a document names itself: an organisation of the TOOI lists on a line of its own in
    its letterhead or header (its first lines, outside redacted text), else the ministry of "De Minister
    van …" signing it.
    None when it names none."""
    names, many, one = organisations()
    text = RedactedText(item.text, item.redactions, rules)
    top = [(s, e) for s, e, line in _lines(item.text) if line.strip()][:HEADER_LINES]
    if top:
        spans = [(m.start(), m.end()) for pattern in (many, one) for m in pattern.finditer(item.text, 0, top[-1][1])]
        for start, stop in sorted(spans):
            eol = item.text.find("\n", stop)
            before = item.text[item.text.rfind("\n", 0, start) + 1:start]
            after = item.text[stop:eol if eol >= 0 else len(item.text)]
            if before.strip() or after.strip(" \t.,:;|"):
                continue  # a name in a sentence, not a letterhead's or a header's line
            hit = names.get(norm(item.text[start:stop]).lower())
            if hit and not text.overlaps(start, stop):
                return hit
    for m in _SIGNER.finditer(item.text):
        if text.overlaps(m.start(), m.end()):
            continue
        hit = names.get(f"ministerie van {norm(m.group('rest'))}".lower())
        if hit:
            return hit
    return None
