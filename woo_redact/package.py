"""Package stage: the publication bundle of a batch — inventory, DiWoo metadata, Woo-index sitemaps, text
versions and a manifest, checked before it is written.

    OUT/documents/<ID>-<name>.pdf   the redacted PDF of every published document (its name starts with its ID)
    OUT/documents/<ID>.txt          its redacted text: each redacted span replaced by "[label of its ground]"
    OUT/metadata/<ID>.xml           DiWoo 0.9.8 metadata (diwoo:Document), valid against the shipped XSD
    OUT/inventaris.xlsx, .csv       the inventory of every input, in the productierapport format (VWS Woo platform)
    OUT/robots.txt, OUT/sitemaps/   Woo-index harvesting files (only with a base URL)
    OUT/manifest.json               every file with size and SHA-256, the tool version and the rules checksum
    OUT/LEESMIJ.txt                 what is in the bundle and how to publish it, in Dutch

Which documents go out: a nota whose header says "Nota actief openbaar: Nee" stays in (it is listed in the
inventory as "Niet openbaar"), "Ja" goes out, a document without that field follows
`publish_without_field` in rules/publisher.yaml. Inputs that failed or were skipped are listed as "Niet
openbaar" with the reason; a duplicate as "Niet openbaar" on ground "dubbel", related to the first copy.

IDs are "d" + the input's position (4 digits) + "x" + 6 hex digits of a hash of its name ("d0003x5e1f0a"):
unique, stable across runs of the same batch, lowercase letters and digits only. The VWS platform accepts
`^[A-Za-z0-9.-]+$` for an ID but matches an uploaded file to its row by the leading *alphanumeric* part of
the file name, so an ID without "." or "-" is the one form that both accepts and finds.

Nothing that was redacted is written anywhere: titles, references and dates are taken from the text with
redacted spans replaced by their labels, and `check_bundle` (run before the bundle is moved into place)
searches every file for every redacted string. Schemas are validated offline from `woo_redact/schemas/`.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
import urllib.parse
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from lxml import etree

from . import __version__
from .errors import OutputError, RulesError, VerificationError
from .model import Document, DocResult, HeaderField
from .rules import Rules
from .secrets import secret_forms
from .wording import dutch_reason

SCHEMAS = Path(__file__).resolve().parent / "schemas"
DIWOO_NS = "https://standaarden.overheid.nl/diwoo/metadata/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MDTO_URL = "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
D = "{%s}" % DIWOO_NS
S = "{%s}" % SITEMAP_NS

COLUMNS = ("ID", "Matter", "Family", "Email Thread ID", "Document", "File Type", "Datum", "Beoordeling",
           "Opgeschort", "Beoordelingsgrond", "Toelichting", "Publieke Link", "Gerelateerd ID", "Zaaknummer")
OPENBAAR, DEELS_OPENBAAR, NIET_OPENBAAR, REEDS_OPENBAAR = (
    "Openbaar", "Deels openbaar", "Niet openbaar", "Reeds openbaar")
JUDGEMENTS = (OPENBAAR, DEELS_OPENBAAR, NIET_OPENBAAR, REEDS_OPENBAAR)
PUBLISHED = (OPENBAAR, DEELS_OPENBAAR)
ID_PATTERN = re.compile(r"^[A-Za-z0-9.-]+$")  # what the VWS platform accepts
MATTER_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{2,255}$")
LEADING_ID = re.compile(r"^([A-Za-z0-9]+)")  # how the VWS platform finds the ID in an uploaded file's name

MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MIN_SECRET_LENGTH = 3
REDACTED = "gelakt"  # stands in for a redacted string found where no ground is known (a title, a file name)

KERN = "https://identifier.overheid.nl/tooi/def/thes/kern/"
# document types as this tool recognises them → their TOOI concept in the DiWoo document type list
# (no e-mail type exists in that list: an e-mail gets no diwoo:documentsoort)
DOCUMENT_TYPES = {
    "beslisnota": KERN + "c_2977c34f",
    "Kamerbrief": KERN + "c_49599e6c",
    "brief": KERN + "c_7652d853",
    "vergaderverslag": KERN + "c_42e406dd",
    "motie": KERN + "c_bf0f9c95",
    "e-mail": None,
}
HANDLINGS = {"vaststelling": KERN + "c_641ecd76", "ondertekening": KERN + "c_e1ec050e",
             "ontvangst": KERN + "c_dfcee535"}
HANDLING_OF = {"Kamerbrief": "ondertekening", "brief": "ondertekening", "e-mail": "ontvangst"}  # else vaststelling
PDF_FORMAT = "http://publications.europa.eu/resource/authority/file-type/PDF"
DUTCH = "http://publications.europa.eu/resource/authority/language/NLD"
ORGANISATION_LISTS = ("collijst", "gemeentelijst", "ministerielijst", "provincielijst", "oorglijst", "solijst",
                      "waterschapslijst", "zbolijst")


# --------------------------------------------------------------------------------------------------
# What the package stage needs of each input


@dataclass
class BundleItem:
    """One input of the batch as the package stage sees it: no open PDF, only paths, text and spans."""

    source: str  # the input's name in the batch (unique within it)
    status: str = "ok"  # ok | failed | skipped
    reason: str = ""  # why it failed or was skipped
    pages: int = 0
    redacted: Path | None = None  # the redacted, verified PDF
    redactions: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, ground) in `text`
    text: str = ""  # the document's text (Document.text), offsets as in `redactions`
    fields: list[HeaderField] = field(default_factory=list)  # header fields (Document.fields)
    secrets: list[str] = field(default_factory=list)  # every redacted string: must not appear in the bundle
    duplicate_of: str | None = None  # source of the input with the same content
    textless_pages: int = 0  # scanned pages without text OCR could trust: not (reliably) searched
    reviewed: bool = False  # a person has reviewed it (set by the caller): textless pages no longer hold it back
    file_type: str = "pdf"  # the original's type in the productierapport's words (pdf, email, doc, note)
    parent: str | None = None  # source of the e-mail this input was attached to (Family)

    @property
    def grounds(self) -> list[str]:
        return sorted({g for _, _, g in self.redactions if g})


def item_from(result: DocResult, document: Document | None, secrets: Iterable[str] = (),
              name: str | None = None, keep_words: Iterable[str] = ()) -> BundleItem:
    """The BundleItem of one processed input. `document` is the Document the findings refer to (from
    `pipeline.analyse`, or `read.read` again); `secrets` the redacted strings (`Analysis.secrets`). The
    forms of the redacted entities in the text are added (`secrets.secret_forms`, with the organisation
    words `keep_words` as the pipeline takes them), so that findings without their text (a resumed
    batch) are still checked."""
    source = Path(result.source)
    name = name or (result.redacted.name if result.redacted else source.name)
    status = {"ok": "ok", "failed": "failed"}.get(result.status, "skipped")
    reason = _plain_reason(result.error or "", source, name) if status != "ok" else ""
    duplicate_of = None
    if result.status == "duplicate" and result.error:
        m = re.search(r"same content as (.+?)\s*$", result.error)
        duplicate_of = m.group(1) if m else None
    redactions = [(f.start, f.end, f.ground) for f in result.findings if f.decision == "redact"]
    text = document.text if document is not None else ""
    found = set(_norm(s) for s in secrets)
    if document is not None:  # the forms of the redacted entities, also where findings carry no text
        found |= set(secret_forms(result.findings, texts={f.id: text[f.start:f.end] for f in result.findings},
                                   keep_words=keep_words, text=text))
    return BundleItem(
        source=name, status=status, reason=reason,
        pages=result.pages or (document.page_count if document is not None else 0),
        redacted=Path(result.redacted) if result.redacted else None,
        redactions=redactions,
        text=text, fields=list(document.fields) if document is not None else [],
        secrets=sorted(s for s in found if len(s) >= MIN_SECRET_LENGTH),
        duplicate_of=duplicate_of,
        textless_pages=_unsearched_pages(document),
        reviewed=bool(result.findings_json and Path(result.findings_json).name.endswith(".reviewed.json")),
        file_type=FILE_TYPES.get(source.suffix.lower(), "pdf" if source.suffix.lower() == ".pdf" else ""),
        parent=result.parent,
    )


# the original's extension → the productierapport's "File type"
FILE_TYPES = {".pdf": "pdf", ".eml": "email", ".msg": "email", ".docx": "doc", ".doc": "doc", ".odt": "doc",
              ".rtf": "doc", ".txt": "note", ".md": "note", ".zip": "zip"}
FAMILY_HEADS = ("email", "zip")  # inputs whose attachments or files share their Family


def _unsearched_pages(document: Document | None) -> int:
    """Pages whose personal data the tool could not search reliably: no text at all, or OCR it cannot
    trust. Such a document waits for a reviewer."""
    if document is None:
        return 0
    from .ocr import LOW_CONFIDENCE

    return len(document.textless_pages) + sum(1 for c in document.ocr_confidence.values() if c < LOW_CONFIDENCE)


def _plain_reason(error: str, source: Path, name: str) -> str:
    """An error message without the folder it came from ("/in/x.pdf: not a PDF" → "not a PDF")."""
    msg = error.replace(str(source), name)
    msg = re.sub(rf"^{re.escape(name)}:\s*(?:not processed:\s*)?", "", msg.strip())
    # a file of a zip is named by its place in the zip ("IN/dossier.zip/stukken/x.xlsx: ...")
    msg = re.sub(rf"^\S.*?/{re.escape(source.name)}:\s*(?:not processed:\s*)?", "", msg)
    return _norm(msg) or "unknown reason"


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# --------------------------------------------------------------------------------------------------
# Metadata from the text


@dataclass
class Metadata:
    title: str | None
    date: date | None
    time: time | None
    reference: str | None
    kind: str | None  # one of DOCUMENT_TYPES, or None when not recognised
    pages: int


class _Text:
    """A document's text with its redacted spans: slices come out with every redacted part replaced by
    "[label]", so that nothing redacted reaches the metadata."""

    def __init__(self, text: str, redactions: Sequence[tuple[int, int, str]], rules: Rules):
        self.text = text
        self.spans = merge_spans(redactions, rules.default_ground)
        self.labels = {code: g.label for code, g in rules.grounds.items()}

    def label(self, ground: str) -> str:
        return self.labels.get(ground, ground)

    def overlaps(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b, _ in self.spans)

    def slice(self, start: int, end: int) -> str:
        out, pos = [], start
        for a, b, ground in self.spans:
            if b <= start or a >= end:
                continue
            if a > pos:
                out.append(self.text[pos:a])
            out.append(f"[{self.label(ground)}]")
            pos = max(pos, b)
        if pos < end:
            out.append(self.text[pos:end])
        return "".join(out)


def merge_spans(redactions: Iterable[tuple[int, int, str]], default: str) -> list[tuple[int, int, str]]:
    """Overlapping redactions as one span each, with the ground of the longest of them."""
    merged: list[list] = []
    for start, end, ground in sorted((s, e, g or default) for s, e, g in redactions if e > s):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if end - start > last[3]:
                last[2], last[3] = ground, end - start
            last[1] = max(last[1], end)
        else:
            merged.append([start, end, ground, end - start])
    return [(s, e, g) for s, e, g, _ in merged]


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
    s = _norm(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", s)).strip(" :;,-")
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


def _title(item: BundleItem, text: _Text, kind: str | None) -> str | None:
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


def _date(item: BundleItem, text: _Text) -> tuple[date | None, time | None]:
    for f in item.fields:
        if f.kind == "date" and f.label.lower() in ("datum", "verzonden", "sent", "date"):
            for s, e, d, t in find_dates(f.value):
                if not text.overlaps(f.start + s, f.start + e):
                    return d, t
    for s, e, d, t in find_dates(item.text):
        if not text.overlaps(s, e):
            return d, t
    return None, None


def _reference(item: BundleItem, text: _Text) -> str | None:
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
    text = _Text(item.text, item.redactions, rules)
    kind = document_kind(item)
    day, at = _date(item, text)
    return Metadata(title=_title(item, text, kind), date=day, time=at, reference=_reference(item, text),
                    kind=kind, pages=item.pages)


# --------------------------------------------------------------------------------------------------
# The redacted text version


@lru_cache(maxsize=1)
def _anonymizer():
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def redacted_text(text: str, redactions: Sequence[tuple[int, int, str]], rules: Rules) -> str:
    """`text` with every redacted span replaced by "[label of its ground]" (presidio_anonymizer, replace)."""
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    spans = [(s, e, g) for s, e, g in merge_spans(redactions, rules.default_ground) if e <= len(text)]
    if not spans:
        return text
    labels = {code: g.label for code, g in rules.grounds.items()}
    results = [RecognizerResult(entity_type=g, start=s, end=e, score=1.0) for s, e, g in spans]
    operators = {g: OperatorConfig("replace", {"new_value": f"[{labels.get(g, g)}]"}) for _, _, g in spans}
    return _anonymizer().anonymize(text=text, analyzer_results=results, operators=operators).text


# --------------------------------------------------------------------------------------------------
# Secrets: the redacted strings, searched for in every file of the bundle


def _secret_pattern(secrets: Iterable[str], ignore_case: bool = True) -> re.Pattern | None:
    """One pattern for all secrets: whole words, any whitespace between their words, any case (or, for a
    text version, the case as written: the same test `verify` applies to a PDF's page text)."""
    keys = sorted({_norm(s) for s in secrets if len(_norm(s)) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
    if not keys:
        return None
    alts = [r"\s+".join(re.escape(w) for w in k.split(" ")) for k in keys]
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)", re.I if ignore_case else 0)


@lru_cache(maxsize=1 << 16)
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", s))


def _name_has_secret(name: str, secrets: Iterable[str]) -> bool:
    """Whether a file name holds a redacted string, however it is spelled ("noor_haddou", "Noor-Haddou")."""
    folded = f" {_fold(name)} "
    return any(f" {_fold(s)} " in folded for s in secrets if len(_fold(s)) >= MIN_SECRET_LENGTH)


def _scrub(value: str, pattern: re.Pattern | None) -> str:
    return pattern.sub(f"[{REDACTED}]", value) if pattern and value else value


# --------------------------------------------------------------------------------------------------
# Value lists, publisher, information category


@lru_cache(maxsize=1)
def value_lists() -> dict[str, dict[str, str]]:
    """Every TOOI value list of the shipped DiWoo XSD: list name → {URI: label}."""
    tree = etree.parse(str(SCHEMAS / "diwoo-metadata-lijsten.xsd"))
    out = {}
    for st in tree.getroot().iterfind(f"{XS}simpleType"):
        values = {}
        for en in st.iterfind(f"{XS}restriction/{XS}enumeration"):
            first = next(iter(en.iterfind(f"{XS}annotation/{XS}documentation/*")), None)  # the label paragraph
            values[en.get("value")] = _norm("".join(first.itertext())) if first is not None else en.get("value")
        out[st.get("name")] = values
    return out


@lru_cache(maxsize=1)
def information_categories() -> list[dict]:
    data = json.loads((SCHEMAS / "woo-informatiecategorieen.json").read_text(encoding="utf-8"))
    for c in data["categories"]:
        m = re.search(r"infocat(\d{3})", c.get("sitemapindex", ""))
        c["number"] = m.group(1) if m else None
    return data["categories"]


def _publisher_file(rules: Rules) -> Path:
    return Path(rules.directory) / "publisher.yaml"


def find_category(value, rules: Rules | None = None) -> dict:
    """The category named by its number ("014" or 14), TOOI URI or label: {uri, label, number}."""
    key = str(value).strip()
    for c in information_categories():
        if (key.lower() in (c["uri"].lower(), c["label"].lower(), c["label_singular"].lower())
                or (c["number"] and key.isdigit() and int(key) == int(c["number"]))):
            return {"uri": c["uri"], "label": c["label"], "number": c["number"]}
    where = f"{_publisher_file(rules)}: " if rules else ""
    raise RulesError(f"{where}information_category {value!r} is not a Woo information category "
                     f"(a number 001-017, a TOOI URI or a label from woo-informatiecategorieen.json)")


def _publisher(rules: Rules) -> tuple[str, str]:
    spec = rules.publisher.get("publisher") or {}
    name, tooi = spec.get("name"), spec.get("tooi")
    if not isinstance(name, str) or not isinstance(tooi, str) or not name.strip():
        raise RulesError(f"{_publisher_file(rules)}: publisher needs a 'name' and a 'tooi' URI")
    lists = value_lists()
    if not any(tooi in lists.get(n, {}) for n in ORGANISATION_LISTS):
        raise RulesError(f"{_publisher_file(rules)}: publisher tooi {tooi!r} is not an organisation in the "
                         f"TOOI value lists of DiWoo 0.9.8")
    return name.strip(), tooi


@lru_cache(maxsize=1)
def _organisations() -> tuple[dict[str, tuple[str, str]], re.Pattern, re.Pattern]:
    """Every organisation of the TOOI lists by its folded label → (label, URI), and two patterns that find
    their labels in a text: names of two or more words in any case, one-word names only as written."""
    lists = value_lists()
    names: dict[str, tuple[str, str]] = {}
    for list_name in ORGANISATION_LISTS:
        for uri, label in lists.get(list_name, {}).items():
            label = _norm(label)
            if len(label) >= 4 and label.lower() not in names:
                names[label.lower()] = (label[:1].upper() + label[1:], uri)

    def pattern(labels, flags):
        alts = [r"\s+".join(re.escape(w) for w in k.split(" ")) for k in sorted(labels, key=len, reverse=True)]
        return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", flags)

    originals = [label for _, (label, _) in names.items()]
    many = pattern([lb for lb in originals if " " in lb], re.I)
    one = pattern([lb for lb in originals if " " not in lb], 0)
    return names, many, one


_SIGNER = re.compile(r"(?im)^[ \t]*(?:de[ \t]+)?(?:minister|staatssecretaris)[ \t]+(?:van|voor)[ \t]+"
                     r"(?P<rest>[^\n,]+?)[ \t]*,?[ \t]*$")
HEADER_LINES = 15  # the lines of a document's top (letterhead, header column) where its organisation stands


def document_publisher(item: BundleItem, rules: Rules) -> tuple[str, str] | None:
    """The organisation a document names itself: an organisation of the TOOI lists on a line of its own in
    its letterhead or header (its first lines, outside redacted text), else the ministry of "De Minister
    van …" signing it.
    None when it names none."""
    names, many, one = _organisations()
    text = _Text(item.text, item.redactions, rules)
    top = [(s, e) for s, e, line in _lines(item.text) if line.strip()][:HEADER_LINES]
    if top:
        spans = [(m.start(), m.end()) for pattern in (many, one) for m in pattern.finditer(item.text, 0, top[-1][1])]
        for start, stop in sorted(spans):
            eol = item.text.find("\n", stop)
            before = item.text[item.text.rfind("\n", 0, start) + 1:start]
            after = item.text[stop:eol if eol >= 0 else len(item.text)]
            if before.strip() or after.strip(" \t.,:;|"):
                continue  # a name in a sentence, not a letterhead's or a header's line
            hit = names.get(_norm(item.text[start:stop]).lower())
            if hit and not text.overlaps(start, stop):
                return hit
    for m in _SIGNER.finditer(item.text):
        if text.overlaps(m.start(), m.end()):
            continue
        hit = names.get(f"ministerie van {_norm(m.group('rest'))}".lower())
        if hit:
            return hit
    return None


def _matter(value: str | None, out: Path, rules: Rules) -> str:
    if value:
        if not MATTER_PATTERN.match(value):
            raise RulesError(f"matter {value!r} (--matter, or matter in {_publisher_file(rules)}) must be 2-255 "
                             f"characters out of A-Z a-z 0-9 - . _ ~")
        return value
    derived = re.sub(r"[^A-Za-z0-9._~-]+", "-", _fold(out.name).replace(" ", "-")).strip("-.")[:255]
    return derived if MATTER_PATTERN.match(derived) else "woo-redact"


ZAAKNUMMER_PATTERN = re.compile(r"^[A-Za-z0-9._/-]+(?:[;,][A-Za-z0-9._/-]+)*$")


def _zaaknummer(value: str | None, rules: Rules) -> str:
    value = re.sub(r"\s*([;,])\s*", r"\1", str(value or "").strip())
    if value and (len(value) > 255 or not ZAAKNUMMER_PATTERN.match(value)):
        raise RulesError(f"zaaknummer {value!r} (--zaaknummer, or zaaknummer in {_publisher_file(rules)}) must "
                         f"be one or more numbers of A-Z a-z 0-9 . _ / - separated by ';' or ','")
    return value


def _base_url(base_url: str | None) -> str | None:
    if base_url is None:
        return None
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"base URL must be an https:// address without query or fragment: {base_url!r}")
    return urllib.parse.urlunsplit(parts).rstrip("/")


# --------------------------------------------------------------------------------------------------
# Time (DiWoo wants full dateTimes; Dutch documents are in Amsterdam time)


def _last_sunday(year: int, month: int) -> date:
    d = date(year, month + 1, 1) - timedelta(days=1)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def amsterdam(dt: datetime) -> datetime:
    """`dt` with the Europe/Amsterdam offset (EU summer time rule): aware datetimes are converted, naive
    ones are taken as local time."""
    if dt.tzinfo is not None:
        utc = dt.astimezone(timezone.utc).replace(tzinfo=None)
        start = datetime.combine(_last_sunday(utc.year, 3), time(1))
        end = datetime.combine(_last_sunday(utc.year, 10), time(1))
        offset = 2 if start <= utc < end else 1
        return (utc + timedelta(hours=offset)).replace(tzinfo=timezone(timedelta(hours=offset)))
    start = datetime.combine(_last_sunday(dt.year, 3), time(2))
    end = datetime.combine(_last_sunday(dt.year, 10), time(3))
    return dt.replace(tzinfo=timezone(timedelta(hours=2 if start <= dt < end else 1)))


def _stamp(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------------------
# Planning: one row per input


@dataclass
class BundleRow:
    """One input in the bundle: its ID, judgement and (when published) its files."""

    id: str
    source: str
    beoordeling: str
    grounds: list[str]
    toelichting: str
    related: str = ""
    family: str = ""  # numeric: an e-mail and its attachments share it
    file_type: str = "pdf"
    published: bool = False
    pdf: str | None = None  # bundle-relative paths
    text: str | None = None
    metadata: str | None = None
    meta: Metadata | None = field(default=None, repr=False)
    publisher: tuple[str, str] | None = None  # (name, TOOI URI) the document names itself; else the rules'
    lastmod: datetime | None = None  # when its published content last changed (sitemap <lastmod>)


@dataclass
class BundleReport:
    path: Path
    rows: list[BundleRow]
    zip: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def published(self) -> list[BundleRow]:
        return [r for r in self.rows if r.published]

    def row(self, source: str) -> BundleRow:
        for r in self.rows:
            if r.source == source:
                return r
        raise KeyError(source)


def bundle_id(position: int, source: str) -> str:
    """"d" + position (1-based, 4 digits) + "x" + 6 hex digits of the source name's SHA-256."""
    return f"d{position:04d}x{hashlib.sha256(source.encode('utf-8')).hexdigest()[:6]}"


def _publication(item: BundleItem, default: bool) -> tuple[bool, str]:
    for f in item.fields:
        if f.label.lower() == "nota actief openbaar":
            value = _norm(f.value).lower()
            if value.startswith("ja"):
                return True, ""
            if value.startswith("nee"):
                return False, "Nota actief openbaar: Nee (niet bestemd voor actieve openbaarmaking)"
            return False, "Nota actief openbaar: geen Ja of Nee; handmatig beoordelen"
    if default:
        return True, ""
    return False, "Geen veld 'Nota actief openbaar'; volgens de instellingen niet gepubliceerd"


def _strip_pdf(name: str) -> str:
    return name[:-4] if name.lower().endswith(".pdf") and "." in name[:-4] else name


def _source_of(parent: str, ids: dict[str, str]) -> str:
    """The item source an e-mail's output name refers to ("mail.eml.pdf" or "mail.eml")."""
    return parent if parent in ids else _strip_pdf(parent)


def _slug(source: str, secrets: Sequence[str], fallback: str) -> str:
    s = "-".join(_fold(Path(source).stem).split())[:60].strip("-")
    if not s or _name_has_secret(Path(source).stem, secrets):
        return fallback
    return s


def _plan(items: Sequence[BundleItem], rules: Rules, publish_default: bool) -> list[BundleRow]:
    ids = {item.source: bundle_id(i, item.source) for i, item in enumerate(items, 1)}
    every = sorted({s for item in items for s in item.secrets})  # a file name is shared: no one's name in it
    if len(ids) != len(items):
        raise ValueError("every BundleItem needs a distinct source name")
    names = {code: g.name for code, g in rules.grounds.items()}
    # Family: the position of the e-mail, shared with its attachments
    # (and of a zip archive, shared with its files; a zip inside a zip is in the outer one's family)
    families: dict[str, int] = {}
    for i, item in enumerate(items, 1):
        if item.file_type in FAMILY_HEADS:
            outer = families.get(item.parent or "") or families.get(_strip_pdf(item.parent or "")) \
                if item.file_type == "zip" else None
            families[item.source] = families[_strip_pdf(item.source)] = outer or i
    rows = []
    for item in items:
        row = BundleRow(id=ids[item.source], source=item.source, beoordeling=NIET_OPENBAAR, grounds=[],
                        toelichting="", file_type=item.file_type)
        head = families.get(item.parent or "") or families.get(_strip_pdf(item.parent or "")) or \
            (families.get(item.source) if item.file_type in FAMILY_HEADS else None)
        if head:
            row.family = str(head)
            if item.parent:
                row.related = ids.get(_source_of(item.parent, ids), "")
        if item.status == "ok" and item.text:
            row.meta = describe(item, rules)
        if item.status == "failed":
            row.toelichting = f"Niet verwerkt: {dutch_reason(item.reason)}"
        elif item.file_type == "zip" and item.status != "failed":
            row.toelichting = "Zip-archief: de bestanden erin staan elk als eigen document in deze inventaris (zelfde Family)"
        elif item.status != "ok":
            if item.duplicate_of:
                row.grounds = ["dubbel"]
                row.related = ids.get(item.duplicate_of, "")
                row.toelichting = ("Zelfde inhoud als document " + row.related) if row.related else \
                    "Zelfde inhoud als een ander document"
            else:
                row.toelichting = f"Niet verwerkt: {dutch_reason(item.reason)}"
        elif item.redacted is None or not Path(item.redacted).is_file():
            row.toelichting = "Niet verwerkt: de gelakte PDF ontbreekt"
        elif item.textless_pages and not item.reviewed:
            row.toelichting = (f"Nog niet beoordeeld: {item.textless_pages} pagina('s) zonder (betrouwbaar leesbare) "
                               f"tekst (scan) zijn niet op persoonsgegevens doorzocht; handmatig beoordelen")
        else:
            publish, why = _publication(item, publish_default)
            if not publish:
                row.toelichting = why
            else:
                row.published = True
                row.grounds = item.grounds
                if item.redactions:
                    row.beoordeling = DEELS_OPENBAAR
                    n = len(merge_spans(item.redactions, rules.default_ground))
                    row.toelichting = f"{n} passage{'s' if n != 1 else ''} gelakt op grond van " + "; ".join(
                        f"{g} ({names[g]})" if g in names else g for g in row.grounds)
                else:
                    row.beoordeling = OPENBAAR
                kind = (row.meta.kind if row.meta else None) or "document"
                slug = _slug(item.source, every, "-".join(_fold(kind).split()))
                row.pdf = f"documents/{row.id}-{slug}.pdf"
                row.text = f"documents/{row.id}.txt"
                row.metadata = f"metadata/{row.id}.xml"
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------------
# Writers


def _diwoo(row: BundleRow, publisher: tuple[str, str], category: dict, matter: str, now: datetime,
           lists: dict) -> etree._Element:
    """The diwoo:Document of one published document. No opsteller: the author is a redacted civil servant
    more often than not."""
    meta = row.meta or Metadata(None, None, None, None, None, 0)
    root = etree.Element(D + "Document", nsmap={"diwoo": DIWOO_NS})
    dw = etree.SubElement(root, D + "DiWoo")

    def sub(parent, name, text=None, resource=None):
        el = etree.SubElement(parent, D + name)
        if resource:
            el.set("resource", resource)
        if text is not None:
            el.text = text
        return el

    ids = sub(dw, "identifiers")
    sub(ids, "identifier", row.id)
    if meta.reference and meta.reference != row.id:
        sub(ids, "identifier", meta.reference)
    sub(dw, "publisher", publisher[0], publisher[1])
    sub(dw, "verantwoordelijke", publisher[0], publisher[1])
    titles = sub(dw, "titelcollectie")
    sub(titles, "officieleTitel", meta.title or Path(row.source).stem)
    classes = sub(dw, "classificatiecollectie")
    cats = sub(classes, "informatiecategorieen")
    sub(cats, "informatiecategorie", category["label"], category["uri"])
    kind_uri = DOCUMENT_TYPES.get(meta.kind or "")
    if kind_uri:
        sorts = sub(classes, "documentsoorten")
        sub(sorts, "documentsoort", lists["documentsoortlijst"].get(kind_uri, meta.kind), kind_uri)
    if meta.date:
        sub(dw, "creatiedatum", meta.date.isoformat())
    sub(dw, "language", lists["taallijst"].get(DUTCH, "Nederlands"), DUTCH)
    sub(dw, "format", lists["formatlijst"].get(PDF_FORMAT, "PDF"), PDF_FORMAT)
    sub(dw, "aggregatiekenmerk", matter)
    handlings = sub(dw, "documenthandelingen")
    handling = sub(handlings, "documenthandeling")
    kind = HANDLING_OF.get(meta.kind or "", "vaststelling")
    sub(handling, "soortHandeling", kind, HANDLINGS[kind])
    at = amsterdam(datetime.combine(meta.date, meta.time or time(0))) if meta.date else now
    sub(handling, "atTime", _stamp(at))
    return root


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sitemaps(rows: list[BundleRow], docs: dict[str, etree._Element], base: str, category: dict,
              now: datetime, max_urls: int) -> dict[str, bytes]:
    """sitemaps/sitemap-diwoo-infocatNNN-KKKK.xml (≤ max_urls entries, ≤ 50 MB each) and the index
    sitemaps/sitemapindex-diwoo-infocatNNN.xml that lists them. A document's <lastmod> is the time its
    published content last changed (`BundleRow.lastmod`), a sitemap's the latest of its documents': a
    harvester fetches again only what changed."""
    number = category["number"]
    if not number:
        raise RulesError(f"information category {category['label']!r} has no sitemapindex-diwoo-infocatNNN "
                         f"number: the Woo-index harvests the 17 categories of art. 3.3 only")
    files: dict[str, bytes] = {}
    chunks: list[list[bytes]] = [[]]
    latest: list[datetime] = []
    size = 0
    head = len(_xml_bytes(etree.Element(S + "urlset", nsmap={None: SITEMAP_NS, "diwoo": DIWOO_NS}))) + 64
    for row in rows:
        url = etree.Element(S + "url", nsmap={None: SITEMAP_NS, "diwoo": DIWOO_NS})
        etree.SubElement(url, S + "loc").text = f"{base}/{urllib.parse.quote(row.pdf)}"
        changed = row.lastmod or now
        etree.SubElement(url, S + "lastmod").text = _stamp(changed)
        url.append(copy.deepcopy(docs[row.id]))
        blob = etree.tostring(url, encoding="UTF-8")
        if chunks[-1] and (len(chunks[-1]) >= max_urls or head + size + len(blob) > MAX_SITEMAP_BYTES):
            chunks.append([])
            size = 0
        if not chunks[-1]:
            latest.append(changed)
        latest[-1] = max(latest[-1], changed)
        chunks[-1].append(blob)
        size += len(blob)
    index = etree.Element(S + "sitemapindex", nsmap={None: SITEMAP_NS})
    for k, chunk in enumerate(c for c in chunks if c):
        urlset = etree.Element(S + "urlset", nsmap={None: SITEMAP_NS, "diwoo": DIWOO_NS})
        for blob in chunk:
            urlset.append(etree.fromstring(blob))
        etree.cleanup_namespaces(urlset)
        name = f"sitemaps/sitemap-diwoo-infocat{number}-{k + 1:04d}.xml"
        files[name] = _xml_bytes(urlset)
        entry = etree.SubElement(index, S + "sitemap")
        etree.SubElement(entry, S + "loc").text = f"{base}/{name}"
        etree.SubElement(entry, S + "lastmod").text = _stamp(latest[k])
    if len(index):
        files[f"sitemaps/sitemapindex-diwoo-infocat{number}.xml"] = _xml_bytes(index)
    return files


def _robots(base: str, indexes: Iterable[str]) -> str:
    lines = ["User-agent: *", "Disallow:"] + [f"Sitemap: {base}/{name}" for name in sorted(indexes)]
    return "\n".join(lines) + "\n"


def sitemap_lines(robots: str) -> list[str]:
    return [f"Sitemap: {url}" for url in re.findall(r"(?im)^\s*sitemap:\s*(\S+)\s*$", robots)]


def robots_warning(base: str, robots: str) -> str | None:
    """The warning for a base URL with a path: the Woo-index reads robots.txt only at the root of the
    host, so the bundle's robots.txt there is not read; the lines to add to the host's own robots.txt."""
    parts = urllib.parse.urlsplit(base)
    if parts.path.strip("/") == "":
        return None
    root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
    return (f"robots.txt: the Woo-index reads robots.txt only at the root of the host ({root}), not at "
            f"{base.rstrip('/')}/robots.txt; add these lines to {root}:\n"
            + "\n".join("  " + line for line in sitemap_lines(robots)))


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no other way to read it: set and put back at once
    os.umask(mask)
    return mask


def make_readable(path: Path) -> None:
    """Files 0644 and folders 0755 (as far as the user's umask allows): a temporary folder is made 0700,
    which a web server's user cannot read."""
    mask = _umask()
    path = Path(path)
    items = [path] + (list(path.rglob("*")) if path.is_dir() else [])
    for p in items:
        if not p.is_symlink():
            os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~mask)


def _cell(value: str) -> str | None:
    """A value for the inventory: text that a spreadsheet cannot take for a formula."""
    if not value:
        return None
    return "'" + value if value[0] in "=+@\t\r" else value


def _inventory_rows(rows: list[BundleRow], matter: str, pattern: re.Pattern | None,
                    every: Sequence[str], base: str | None = None, zaaknummer: str = "") -> list[list[str | None]]:
    out = []
    for r in rows:
        name = r.source
        if _name_has_secret(name, every):  # a file name with a redacted name in it, however spelled
            name = f"{r.id}.pdf"
        day = r.meta.date.isoformat() if r.meta and r.meta.date else ""
        link = f"{base}/{urllib.parse.quote(r.pdf)}" if base and r.published and r.pdf else ""
        out.append([_cell(v) for v in (
            r.id, matter, r.family, "", name, r.file_type, day, r.beoordeling, "", ";".join(r.grounds),
            _scrub(r.toelichting, pattern), link, r.related, zaaknummer)])
    return out


def _write_xlsx(path: Path, table: list[list[str | None]], now: datetime) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in table:
        ws.append(values)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                cell.data_type = "s"  # text, never a formula or a number
                cell.number_format = "@"
    widths = {"A": 16, "B": 14, "E": 40, "G": 12, "H": 16, "J": 20, "K": 60, "M": 16}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = f"woo-redact {__version__}"
    wb.properties.created = wb.properties.modified = now.astimezone(timezone.utc).replace(tzinfo=None)
    wb.save(path)


def _write_csv(path: Path, table: list[list[str | None]]) -> None:
    # no byte order mark: woo-web's CSV reader would take it for part of the "ID" header
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for values in table:
            writer.writerow(["" if v is None else v for v in values])


def _leesmij(rows: list[BundleRow], matter: str, base: str | None, category: dict, now: datetime,
             index_names: list[str], zaaknummer: str = "") -> str:
    count = {j: sum(r.beoordeling == j for r in rows) for j in JUDGEMENTS}
    published = sum(r.published for r in rows)
    text = [
        f"Publicatiepakket {matter}" + (f" (zaaknummer {zaaknummer})" if zaaknummer else ""),
        f"Gemaakt met woo-redact {__version__} op {now.date().isoformat()}.",
        "",
        "Dit pakket bevat de documenten die openbaar worden gemaakt op grond van de Wet open overheid (Woo),",
        "gelakt waar persoonsgegevens of andere uitzonderingsgronden dat vragen. Documenten die niet openbaar",
        "worden staan alleen in de inventaris, niet in dit pakket.",
        "",
        "Inhoud",
        f"  inventaris.xlsx, inventaris.csv  de inventarislijst (productierapport) van alle {len(rows)} documenten",
        "                                   met beoordeling, weigeringsgrond(en) en toelichting; het Woo-platform",
        "                                   (woo-web) leest inventaris.xlsx, de csv is voor eigen gebruik",
        f"  documents/<ID>-....pdf           de {published} gelakte documenten die openbaar worden; de naam begint",
        "                                   met het ID uit de inventaris",
        "  documents/<ID>.txt               de tekst van elk van die documenten; gelakte passages staan er als",
        "                                   [reden van de lakking]",
        "  metadata/<ID>.xml                de metadata van elk document volgens DiWoo 0.9.8",
    ]
    if base:
        text += [
            "  robots.txt, sitemaps/            voor de Woo-index (open.overheid.nl), informatiecategorie",
            f"                                   '{category['label']}'",
        ]
    text += [
        "  manifest.json                    alle bestanden met grootte en SHA-256-controlegetal",
        "",
        f"Beoordeling: {count[OPENBAAR]} openbaar, {count[DEELS_OPENBAAR]} deels openbaar, "
        f"{count[NIET_OPENBAAR]} niet openbaar.",
        "",
        "Publiceren",
        "- Woo-platform van VWS: upload inventaris.xlsx als productierapport en daarna de PDF's uit documents/.",
    ]
    if base:
        text += [
            f"- Eigen website: zet de inhoud van deze map online op {base}/ . De Woo-index haalt de documenten",
            "  op via robots.txt en " + ", ".join(index_names) + ".",
        ]
        parts = urllib.parse.urlsplit(base)
        if parts.path.strip("/"):
            root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            text += [
                f"  Let op: de Woo-index leest alleen {root} (robots.txt in de hoofdmap van de",
                f"  website), niet {base}/robots.txt. Zet deze regel(s) in {root}:",
            ] + [f"    Sitemap: {base}/{name}" for name in sorted(index_names)]
    else:
        text += ["- Zonder basis-URL (--base-url) bevat dit pakket geen robots.txt en sitemaps voor de Woo-index."]
    text += [
        "- GPP-publicatiebank (woo-redact publish --gpp): de publicatiebank verwijdert de metadata uit elk",
        "  bestand; het SHA-256-controlegetal van een gedownload document wijkt daarom af van manifest.json,",
        "  de tekst is dezelfde.",
        "- Controleer voor publicatie dat niets is veranderd: elk bestand moet de SHA-256 uit manifest.json",
        "  hebben.",
    ]
    return "\n".join(text) + "\n"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --------------------------------------------------------------------------------------------------
# The bundle


def build_bundle(items: Sequence[BundleItem], out: Path, rules: Rules, *, base_url: str | None = None,
                 zip: bool = False, matter: str | None = None, information_category: str | None = None,
                 now: datetime | None = None, max_urls: int = MAX_SITEMAP_URLS,
                 zaaknummer: str | None = None) -> BundleReport:
    """Write the publication bundle of `items` to the folder `out` (and `out`.zip with `zip=True`).

    Every input gets an inventory row; published documents get their PDF, text version and DiWoo metadata;
    with `base_url` (https) also robots.txt and the Woo-index sitemaps. `matter` and `zaaknummer` (else
    those of rules/publisher.yaml) fill the inventory's Matter and Zaaknummer columns; without a matter,
    the folder's name is taken, with a warning. A document's publisher is the organisation it names itself
    (`document_publisher`), else the rules'. A document whose PDF is the same as in the earlier bundle at
    `out` keeps its <lastmod>; a new or changed one gets the time its redacted PDF was written.
    The bundle is written in a temporary
    folder beside `out`, checked with `check_bundle` (hashes, completeness, schemas, no redacted string in
    any file) and only then moved to `out`, replacing an earlier bundle there. A bundle that fails the
    check is not written: `VerificationError` names the files.
    """
    out = Path(out)
    base = _base_url(base_url)
    publisher = _publisher(rules)
    configured = rules.publisher.get("information_category") or "014"
    if isinstance(configured, int):  # YAML reads 014 as the octal number 12
        raise RulesError(f"{_publisher_file(rules)}: write information_category in quotes (\"014\"), "
                         f"not as a number")
    category = find_category(information_category or configured, rules)
    given_matter = matter or rules.publisher.get("matter") or None
    matter = _matter(given_matter, out, rules)
    zaaknummer = _zaaknummer(zaaknummer or rules.publisher.get("zaaknummer"), rules)
    now = amsterdam(now or datetime.now(timezone.utc)).replace(microsecond=0)
    publish_default = bool(rules.publisher.get("publish_without_field", True))
    if out.exists() and not (out.is_dir() and (not any(out.iterdir()) or (out / "manifest.json").is_file())):
        raise OutputError(f"{out}: exists and is not an earlier bundle; choose a new or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)

    rows = _plan(items, rules, publish_default)
    by_source = {item.source: item for item in items}
    pattern = _secret_pattern(s for item in items for s in item.secrets)
    report = BundleReport(path=out, rows=rows)
    if not given_matter:
        report.warnings.append(f"no matter given (--matter, or matter in {_publisher_file(rules).name}): the "
                               f"folder's name {matter!r} is the matter and the publicatie's kenmerk")
    if base is None:
        report.warnings.append("no --base-url: robots.txt and the Woo-index sitemaps are left out of the bundle")
    earlier = _earlier_lastmods(out)
    for r in rows:
        if r.published:
            item = by_source[r.source]
            named = document_publisher(item, rules)
            r.publisher = named if named and named[1] != publisher[1] else publisher
            r.lastmod = _lastmod(Path(item.redacted), earlier.get(r.id), now)
        if r.published and not (r.meta and r.meta.date):
            report.warnings.append(f"{r.id}: no document date found; DiWoo atTime is the time of the bundle")
        if r.published and not (r.meta and r.meta.title):
            report.warnings.append(f"{r.id}: no title found; the file name is its title")

    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        lists = value_lists()
        docs: dict[str, etree._Element] = {}
        for r in rows:
            if not r.published:
                continue
            item = by_source[r.source]
            if r.meta is None:
                r.meta = Metadata(None, None, None, None, None, item.pages)
            # every string of every document stays out: the title also stands in the shared sitemaps
            r.meta.title = _scrub(r.meta.title or "", pattern) or (
                Path(r.source).stem if not _name_has_secret(Path(r.source).stem, item.secrets) else
                f"Document {r.id}")
            if r.meta.reference and _scrub(r.meta.reference, pattern) != r.meta.reference:
                r.meta.reference = None
            (tmp / "documents").mkdir(exist_ok=True)
            (tmp / "metadata").mkdir(exist_ok=True)
            shutil.copyfile(item.redacted, tmp / r.pdf)
            (tmp / r.text).write_text(redacted_text(item.text, item.redactions, rules), encoding="utf-8")
            docs[r.id] = _diwoo(r, r.publisher or publisher, category, matter, now, lists)
            (tmp / r.metadata).write_bytes(_xml_bytes(docs[r.id]))
        index_names: list[str] = []
        if base:
            for name, blob in _sitemaps([r for r in rows if r.published], docs, base, category, now,
                                        max_urls).items():
                (tmp / name).parent.mkdir(exist_ok=True)
                (tmp / name).write_bytes(blob)
                if "sitemapindex-" in name:
                    index_names.append(name)
            robots = _robots(base, index_names)
            (tmp / "robots.txt").write_text(robots, encoding="utf-8")
            warning = robots_warning(base, robots)
            if warning:
                report.warnings.append(warning)
        table = _inventory_rows(rows, matter, pattern, sorted({s for item in items for s in item.secrets}),
                                base, zaaknummer)
        _write_xlsx(tmp / "inventaris.xlsx", table, now)
        _write_csv(tmp / "inventaris.csv", table)
        (tmp / "LEESMIJ.txt").write_text(_leesmij(rows, matter, base, category, now, index_names,
                                                 zaaknummer),
                                         encoding="utf-8")
        manifest = {
            "format": "woo-redact-bundle/1",
            "tool": "woo-redact",
            "version": __version__,
            "rules_checksum": rules.checksum,
            "created": _stamp(now),
            "matter": matter,
            "base_url": base,
            "publisher": {"name": publisher[0], "tooi": publisher[1]},
            "information_category": category,
            "zaaknummer": zaaknummer,
            "publicatiebank": GPP_NOTE,
            "documents": [{"id": r.id, "document": table[i][4], "beoordeling": r.beoordeling,
                           "beoordelingsgrond": ";".join(r.grounds), "published": r.published,
                           "pages": by_source[r.source].pages,
                           "files": [p for p in (r.pdf, r.text, r.metadata) if p],
                           **({"publisher": {"name": r.publisher[0], "tooi": r.publisher[1]},
                               "pdf_sha256": _sha256(tmp / r.pdf), "lastmod": _stamp(r.lastmod)}
                              if r.published and r.publisher and r.lastmod else {})}
                          for i, r in enumerate(rows)],
            "files": [{"path": rel, "size": (tmp / rel).stat().st_size, "sha256": _sha256(tmp / rel)}
                      for rel in _files(tmp)],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
        problems = check_bundle(tmp, {r.id: by_source[r.source].secrets for r in rows})
        if problems:
            raise VerificationError(f"{out}: the bundle failed its check and was not written: "
                                    + "; ".join(problems[:20]) + (" …" if len(problems) > 20 else ""))
        old = None
        if out.exists():  # an earlier bundle: moved aside first, removed once the new one is in place
            old = out.with_name(f".{out.name}.{os.getpid()}.old")
            os.replace(out, old)
        make_readable(tmp)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    stale = out.with_name(out.name + ".zip")
    if zip:
        report.zip = _zip(out, now)
        make_readable(report.zip)
    elif stale.is_file() and _is_bundle_zip(stale):  # the zip of an earlier bundle would no longer match
        stale.unlink()
    return report


GPP_NOTE = ("A GPP-Woo publicatiebank strips the metadata of every file it receives: the SHA-256 of a document "
            "downloaded from it differs from the one listed here; its text is the same.")


def _earlier_lastmods(out: Path) -> dict[str, tuple[str, datetime]]:
    """The earlier bundle at `out`: bundle ID → (SHA-256 of its PDF, its <lastmod>)."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        return {d["id"]: (d["pdf_sha256"], datetime.fromisoformat(d["lastmod"]))
                for d in manifest.get("documents", []) if d.get("pdf_sha256") and d.get("lastmod")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _lastmod(pdf: Path, earlier: tuple[str, datetime] | None, now: datetime) -> datetime:
    """When the published document last changed: as in the earlier bundle when its PDF is the same, else
    when its redacted PDF was written (never later than the bundle)."""
    if earlier and earlier[0] == _sha256(pdf):
        return earlier[1]
    written = amsterdam(datetime.fromtimestamp(pdf.stat().st_mtime, timezone.utc)).replace(microsecond=0)
    return min(written, now)


def _is_bundle_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "manifest.json" in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _zip(folder: Path, now: datetime) -> Path:
    """`folder`.zip beside the folder: every file, sorted, with one fixed timestamp."""
    target = folder.with_name(folder.name + ".zip")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder.parent)
    os.close(fd)
    try:
        stamp = now.timetuple()[:6]
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel in _files(folder):
                info = zipfile.ZipInfo(rel, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, (folder / rel).read_bytes())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


# --------------------------------------------------------------------------------------------------
# Checking a bundle


class _Resolver(etree.Resolver):
    """Schema imports from the shipped folder; the MDTO import's remote address maps to its local copy."""

    def resolve(self, url, pubid, context):
        if url == MDTO_URL or url.endswith("/MDTO-XML1.0.1.xsd"):
            return self.resolve_filename(str(SCHEMAS / "MDTO-XML1.0.1.xsd"), context)
        return None


def _schema_parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Resolver())
    return parser


@lru_cache(maxsize=None)
def schema(kind: str) -> etree.XMLSchema:
    """The shipped XSD for "diwoo" (a diwoo:Document), "sitemap" (urlset with DiWoo metadata) or "siteindex"."""
    files = {"diwoo": ["diwoo-metadata.xsd"], "siteindex": ["siteindex.xsd"],
             "sitemap": ["sitemap.xsd", "diwoo-metadata.xsd"]}[kind]
    namespaces = {"diwoo-metadata.xsd": DIWOO_NS, "sitemap.xsd": SITEMAP_NS, "siteindex.xsd": SITEMAP_NS}
    if len(files) == 1:
        return etree.XMLSchema(etree.parse(str(SCHEMAS / files[0]), _schema_parser()))
    imports = "".join(f'<xs:import namespace="{namespaces[f]}" schemaLocation="{(SCHEMAS / f).as_uri()}"/>'
                      for f in files)
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), _schema_parser(),
                                            base_url=(SCHEMAS / "wrapper.xsd").as_uri()))


def validate(kind: str, path_or_bytes: Path | bytes) -> list[str]:
    """Schema errors of one file (empty when valid), each as "line N: message"."""
    try:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        doc = (etree.fromstring(path_or_bytes, parser).getroottree() if isinstance(path_or_bytes, bytes)
               else etree.parse(str(path_or_bytes), parser))
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    xsd = schema(kind)
    if xsd.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log][:5]


def _read_inventory(root: Path, problems: list[str]) -> list[dict] | None:
    xlsx, csvf = root / "inventaris.xlsx", root / "inventaris.csv"
    if not xlsx.is_file():
        problems.append("inventaris.xlsx: missing")
        return None
    from openpyxl import load_workbook

    try:
        wb = load_workbook(xlsx, read_only=True)
        table = [["" if v is None else str(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
    except Exception as e:  # a damaged workbook: zip or XML errors of several kinds
        problems.append(f"inventaris.xlsx: cannot be read ({type(e).__name__})")
        return None
    if not table or tuple(table[0][:len(COLUMNS)]) != COLUMNS:
        problems.append(f"inventaris.xlsx: the header row is not {', '.join(COLUMNS)}")
        return None
    rows = [dict(zip(COLUMNS, r)) for r in table[1:] if any(r)]
    if csvf.is_file():
        with open(csvf, encoding="utf-8-sig", newline="") as fh:
            ctable = [r for r in csv.reader(fh)]
        if not ctable or tuple(ctable[0]) != COLUMNS or [dict(zip(COLUMNS, r)) for r in ctable[1:] if any(r)] != rows:
            problems.append("inventaris.csv: differs from inventaris.xlsx")
    else:
        problems.append("inventaris.csv: missing")
    ids: set[str] = set()
    for n, row in enumerate(rows, 2):
        rid = row["ID"]
        where = f"inventaris.xlsx: row {n}"
        if not ID_PATTERN.match(rid):
            problems.append(f"{where}: ID {rid!r} is not of A-Z a-z 0-9 . -")
        if rid.lower() in ids:
            problems.append(f"{where}: ID {rid!r} is not unique")
        ids.add(rid.lower())
        if row["Beoordeling"] not in JUDGEMENTS:
            problems.append(f"{where}: Beoordeling {row['Beoordeling']!r} is not one of {', '.join(JUDGEMENTS)}")
        if row["Datum"] and not _iso_date(row["Datum"]):
            problems.append(f"{where}: Datum {row['Datum']!r} is not YYYY-MM-DD")
        if row["Beoordelingsgrond"] and not re.fullmatch(r"[0-9a-z.]+(?:;[0-9a-z.]+)*", row["Beoordelingsgrond"]):
            problems.append(f"{where}: Beoordelingsgrond {row['Beoordelingsgrond']!r} is not codes joined by ;")
        if not MATTER_PATTERN.match(row["Matter"]):
            problems.append(f"{where}: Matter {row['Matter']!r} is not 2 or more of A-Z a-z 0-9 - . _ ~")
    return rows


def _iso_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
        return True
    except ValueError:
        return False


def _url_file(url: str, base: str | None, root: Path) -> str | None:
    if not base or not url.startswith(base + "/"):
        return None
    rel = urllib.parse.unquote(url[len(base) + 1:])
    return rel if (root / rel).is_file() and ".." not in Path(rel).parts else None


def _check_harvest(root: Path, base: str | None, published: dict[str, str], problems: list[str]) -> None:
    robots = root / "robots.txt"
    sitemap_dir = root / "sitemaps"
    if not robots.is_file():
        if sitemap_dir.exists():
            problems.append("robots.txt: missing beside sitemaps/")
        return
    if not base:
        problems.append("manifest.json: no base_url, but robots.txt is there")
        return
    indexes = re.findall(r"(?im)^\s*sitemap:\s*(\S+)\s*$", robots.read_text(encoding="utf-8", errors="replace"))
    if not indexes:
        problems.append("robots.txt: no Sitemap line")
    located: dict[str, int] = {}
    for url in indexes:
        rel = _url_file(url, base, root)
        if rel is None:
            problems.append(f"robots.txt: {url} is not a file of this bundle")
            continue
        if not re.fullmatch(r"sitemapindex-diwoo-infocat\d{3}\.xml", Path(rel).name):
            problems.append(f"{rel}: not named sitemapindex-diwoo-infocatNNN.xml")
        for err in validate("siteindex", root / rel):
            problems.append(f"{rel}: invalid sitemap index: {err}")
        try:
            index = etree.parse(str(root / rel), etree.XMLParser(no_network=True, resolve_entities=False))
        except etree.XMLSyntaxError:
            continue
        for loc in index.iterfind(f"{S}sitemap/{S}loc"):
            srel = _url_file((loc.text or "").strip(), base, root)
            if srel is None:
                problems.append(f"{rel}: {loc.text} is not a file of this bundle")
                continue
            if (root / srel).stat().st_size > MAX_SITEMAP_BYTES:
                problems.append(f"{srel}: larger than 50 MB")
            for err in validate("sitemap", root / srel):
                problems.append(f"{srel}: invalid sitemap: {err}")
            try:
                urlset = etree.parse(str(root / srel), etree.XMLParser(no_network=True, resolve_entities=False))
            except etree.XMLSyntaxError:
                continue
            urls = urlset.findall(f"{S}url")
            if len(urls) > MAX_SITEMAP_URLS:
                problems.append(f"{srel}: more than {MAX_SITEMAP_URLS} entries")
            for url in urls:
                target = (url.findtext(f"{S}loc") or "").strip()
                drel = _url_file(target, base, root)
                if drel is None or not drel.startswith("documents/"):
                    problems.append(f"{srel}: {target} is not a document of this bundle")
                    continue
                located[drel] = located.get(drel, 0) + 1
    for pdf in published.values():
        if located.get(pdf, 0) != 1:
            problems.append(f"{pdf}: listed {located.get(pdf, 0)} times in the sitemaps, not once")


def _text_of(path: Path) -> str:
    """What a reader or a search engine can get out of a non-PDF file, as text."""
    data = path.read_bytes()
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
        except zipfile.BadZipFile:
            pass
    text = data.decode("utf-8", "replace")
    if path.suffix.lower() in (".xml", ".xlsx"):
        text += "\n" + re.sub(r"<[^>]+>", " ", text)  # a name split by markup is still a name
    return text


def _check_secrets(root: Path, ids: set[str], secrets_by_doc: dict[str, list[str]], names: dict[str, str],
                   rows: list[dict], problems: list[str]) -> None:
    from .verify import verify

    own: dict[str, list[str]] = {}
    everywhere: list[str] = []
    for key, secrets in secrets_by_doc.items():
        rid = key if key in ids else names.get(key)
        if rid:
            own.setdefault(rid, []).extend(secrets)
        else:
            everywhere.extend(secrets)  # a document the bundle does not know: its secrets apply to every file
    every = sorted({s for v in own.values() for s in v} | set(everywhere))
    for n, row in enumerate(rows, 2):
        if _name_has_secret(row["Document"], every):
            problems.append(f"inventaris.xlsx: row {n}: the Document name holds redacted data")
    for rel in _files(root):
        path = root / rel
        if _name_has_secret(rel, every):
            problems.append(f"{rel}: its name holds redacted data")
        m = LEADING_ID.match(path.name)
        doc_file = rel.split("/")[0] in ("documents", "metadata") and m and m.group(1) in ids
        secrets = sorted(set(own.get(m.group(1), [])) | set(everywhere)) if doc_file else every
        if not secrets:
            continue
        if path.suffix.lower() == ".pdf":
            try:
                report = verify(path, secrets)
            except Exception as e:  # an unreadable PDF is a problem of its own
                problems.append(f"{rel}: cannot be checked ({type(e).__name__})")
                continue
            if not report.ok:
                channels = sorted({leak.channel for leak in report.leaks})
                problems.append(f"{rel}: redacted data found ({', '.join(channels)})")
            continue
        text_version = rel.startswith("documents/") and path.suffix.lower() == ".txt"
        pattern = _secret_pattern(secrets, ignore_case=not text_version)
        found = len(pattern.findall(_norm(_text_of(path)))) if pattern else 0
        if found:
            problems.append(f"{rel}: redacted data found ({found} place{'s' if found != 1 else ''})")


def check_bundle(path: Path, secrets_by_doc: dict[str, list[str]] | None = None) -> list[str]:
    """The problems of a bundle folder (or its .zip), each naming the file: files that do not match
    manifest.json (size, SHA-256, missing, unlisted), an inventory that breaks the VWS platform's rules,
    published documents that are not complete (PDF, text, DiWoo metadata, one sitemap entry), documents in
    documents/ that are not published, files that fail their schema, and any redacted string
    (`secrets_by_doc`: bundle ID or source name → strings) found in any file: a document's own files are
    searched for its own strings, every other file for all of them. Empty when the bundle is sound."""
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="woo-redact-check-") as tmp:
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if name.startswith("/") or ".." in Path(name).parts:
                        return [f"{path.name}: unsafe entry {name!r}"]
                zf.extractall(tmp)
            return check_bundle(Path(tmp), secrets_by_doc)
    if not path.is_dir():
        return [f"{path}: not a bundle folder or zip"]
    problems: list[str] = []
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = {f["path"]: f for f in manifest["files"]}
        documents = manifest["documents"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f"manifest.json: missing or unreadable ({type(e).__name__})"]
    on_disk = set(_files(path)) - {"manifest.json"}
    for rel in sorted(set(listed) | on_disk):
        if rel not in on_disk:
            problems.append(f"{rel}: listed in manifest.json but missing")
        elif rel not in listed:
            problems.append(f"{rel}: not listed in manifest.json")
        elif (path / rel).stat().st_size != listed[rel].get("size") or _sha256(path / rel) != listed[rel].get("sha256"):
            problems.append(f"{rel}: size or SHA-256 differs from manifest.json")

    rows = _read_inventory(path, problems) or []
    ids = {r["ID"] for r in rows}
    if ids != {d.get("id") for d in documents}:
        problems.append("inventaris.xlsx: its IDs differ from the documents in manifest.json")
    names = {d.get("document"): d.get("id") for d in documents}
    pdfs = {p for p in on_disk if p.startswith("documents/") and p.lower().endswith(".pdf")}
    published: dict[str, str] = {}
    for row in rows:
        rid = row["ID"]
        mine = sorted(p for p in pdfs if (LEADING_ID.match(Path(p).name) or [None, None])[1] == rid)
        if row["Beoordeling"] in PUBLISHED:
            if len(mine) != 1:
                problems.append(f"documents/{rid}-*.pdf: {len(mine)} files for published document {rid}, not 1")
            else:
                published[rid] = mine[0]
            for rel in (f"documents/{rid}.txt", f"metadata/{rid}.xml"):
                if rel not in on_disk:
                    problems.append(f"{rel}: missing for published document {rid}")
        elif mine or f"metadata/{rid}.xml" in on_disk or f"documents/{rid}.txt" in on_disk:
            problems.append(f"documents/{rid}: files of a document that is not published ({row['Beoordeling']})")
    for p in sorted(pdfs - set(published.values())):
        if not any((LEADING_ID.match(Path(p).name) or [None, None])[1] == r["ID"] for r in rows):
            problems.append(f"{p}: not a document of the inventory")
    for rel in sorted(p for p in on_disk if p.startswith("metadata/")):
        for err in validate("diwoo", path / rel):
            problems.append(f"{rel}: invalid DiWoo metadata: {err}")
        text = (path / rel).read_text(encoding="utf-8", errors="replace")
        if re.search(r"<(?:\w+:)?(?:opsteller|naamOpsteller)\b", text):
            problems.append(f"{rel}: names an opsteller")
    _check_harvest(path, manifest.get("base_url"), published, problems)
    if secrets_by_doc:
        _check_secrets(path, ids, secrets_by_doc, names, rows, problems)
    return problems
