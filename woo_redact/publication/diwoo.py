"""DiWoo 0.9.8 metadata of a published document (diwoo:Document), and the validation of the bundle's XML
against the shipped schemas (DiWoo, sitemap, sitemap index), offline."""
from __future__ import annotations

from datetime import datetime, time
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .describe import Metadata
from .plan import BundleRow
from .times import amsterdam, stamp
from .vocabularies import DIWOO_NS, MDTO_URL, SCHEMAS, SITEMAP_NS

D = "{%s}" % DIWOO_NS

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


def diwoo_document(row: BundleRow, publisher: tuple[str, str], category: dict, matter: str, now: datetime,
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
    sub(handling, "atTime", stamp(at))
    return root


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)



class _Resolver(etree.Resolver):
    """Schema imports from the shipped folder; the MDTO import's remote address maps to its local copy."""

    def resolve(self, url, pubid, context):
        if url == MDTO_URL or url.endswith("/MDTO-XML1.0.1.xsd"):
            return self.resolve_filename(str(SCHEMAS / "MDTO-XML1.0.1.xsd"), context)
        return None


def safe_parser() -> etree.XMLParser:
    """A parser for the bundle's XML that fetches nothing from the network and expands no entities."""
    return etree.XMLParser(no_network=True, resolve_entities=False)


def _schema_parser() -> etree.XMLParser:
    parser = safe_parser()
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
        parser = safe_parser()
        doc = (etree.fromstring(path_or_bytes, parser).getroottree() if isinstance(path_or_bytes, bytes)
               else etree.parse(str(path_or_bytes), parser))
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    xsd = schema(kind)
    if xsd.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log][:5]
