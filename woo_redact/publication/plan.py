"""Planning a bundle: one row per input, with its ID, its judgement (Openbaar, Deels openbaar, Niet
openbaar) and, when it is published, the paths of its files.

IDs are "d" + the input's position (4 digits) + "x" + 6 hex digits of a hash of its name ("d0003x5e1f0a"):
unique, stable across runs of the same batch, lowercase letters and digits only. The VWS platform accepts
`^[A-Za-z0-9.-]+$` for an ID but matches an uploaded file to its row by the leading *alphanumeric* part of
the file name, so an ID without "." or "-" is the one form that both accepts and finds."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..rules import Rules
from ..wording import dutch_reason
from .describe import Metadata, describe
from .items import FAMILY_HEADS, BundleItem
from .redacted import fold, merge_spans, name_has_secret, norm

OPENBAAR, DEELS_OPENBAAR, NIET_OPENBAAR, REEDS_OPENBAAR = (
    "Openbaar", "Deels openbaar", "Niet openbaar", "Reeds openbaar")
JUDGEMENTS = (OPENBAAR, DEELS_OPENBAAR, NIET_OPENBAAR, REEDS_OPENBAAR)
PUBLISHED = (OPENBAAR, DEELS_OPENBAAR)
ID_PATTERN = re.compile(r"^[A-Za-z0-9.-]+$")  # what the VWS platform accepts
MATTER_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{2,255}$")
LEADING_ID = re.compile(r"^([A-Za-z0-9]+)")  # how the VWS platform finds the ID in an uploaded file's name


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



def bundle_id(position: int, source: str) -> str:
    """"d" + position (1-based, 4 digits) + "x" + 6 hex digits of the source name's SHA-256."""
    return f"d{position:04d}x{hashlib.sha256(source.encode('utf-8')).hexdigest()[:6]}"


def _publication(item: BundleItem, default: bool) -> tuple[bool, str]:
    for f in item.fields:
        if f.label.lower() == "nota actief openbaar":
            value = norm(f.value).lower()
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
    s = "-".join(fold(Path(source).stem).split())[:60].strip("-")
    if not s or name_has_secret(Path(source).stem, secrets):
        return fallback
    return s


def plan_rows(items: Sequence[BundleItem], rules: Rules, publish_default: bool) -> list[BundleRow]:
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
                slug = _slug(item.source, every, "-".join(fold(kind).split()))
                row.pdf = f"documents/{row.id}-{slug}.pdf"
                row.text = f"documents/{row.id}.txt"
                row.metadata = f"metadata/{row.id}.xml"
        rows.append(row)
    return rows
