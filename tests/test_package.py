"""The publication bundle on real PDFs: the samples (plus a nota marked "Nota actief openbaar: Nee" and a
file that is no PDF) through the real pipeline, then `build_bundle`, then what a Woo coordinator, the VWS
Woo platform and the Woo-index would each check."""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import re
import shutil
import urllib.parse
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import make_samples
import openpyxl
import pymupdf
import pytest
from conftest import SHARED
from lxml import etree

from woo_redact import __version__
from woo_redact.errors import OutputError, VerificationError
from woo_redact.model import DocResult
from woo_redact.publication.bundle import build_bundle
from woo_redact.publication.check import check_bundle
from woo_redact.publication.describe import find_dates, parse_date
from woo_redact.publication.diwoo import validate
from woo_redact.publication.items import BundleItem, item_from
from woo_redact.publication.textversions import redacted_text
from woo_redact.publication.vocabularies import SCHEMAS
from woo_redact.batch.pipeline import analyse, process

BASE = "https://documenten.voorbeeld.nl/woo/2025-0001"
NOW = datetime(2025, 5, 1, 12, 30)  # taken as Amsterdam time
DIWOO = "https://standaarden.overheid.nl/diwoo/metadata/"
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NS = {"d": DIWOO, "s": SM}
PUBLISHED = {"nota.pdf", "kamerbrief.pdf", "email.pdf", "verslag.pdf", "motie.pdf"}
HEADER = ["ID", "Matter", "Family", "Email Thread ID", "Document", "File Type", "Datum", "Beoordeling",
          "Opgeschort", "Beoordelingsgrond", "Toelichting", "Publieke Link", "Gerelateerd ID", "Zaaknummer"]
NEE_PEOPLE = ["Wouter Kroezen", "wouter.kroezen@minbzk.nl"]
MIN_AM = "https://identifier.overheid.nl/tooi/id/ministerie/mnre1162"  # ministerie van Asiel en Migratie


def _nota_nee(path: Path) -> Path:
    """A beslisnota whose header says it is not meant for active publication."""
    doc = pymupdf.open()
    p = make_samples.Page(doc)
    p.header_column([
        ("Nota actief openbaar", ["Nee"]),
        ("Onze referentie", ["BZK2509921"]),
        ("Datum", ["18 september 2024"]),
        ("Opgesteld door", [NEE_PEOPLE[0], "beleidsadviseur, DGKR"]),
        ("Contactpersoon", [NEE_PEOPLE[0], NEE_PEOPLE[1]]),
    ])
    p.line("TER INFORMATIE", bold=True)
    p.y += 20
    p.line("nota", size=15, bold=True)
    p.line("Interne afstemming capaciteit opvang", size=11, bold=True, gap=3)
    p.line("Aanleiding", size=11, bold=True, gap=2.2)
    p.lines("Deze nota informeert u over de interne afstemming. Wouter Kroezen is het aanspreekpunt.", gap=1.35)
    p.footer(1, 1)
    return make_samples._save(doc, path)


def _scan(src: Path, path: Path) -> Path:
    """An image-only copy of `src` at a resolution too poor for OCR: a scan the tool cannot search."""
    with pymupdf.open(src) as doc:
        pix = doc[0].get_pixmap(dpi=24)
    out = pymupdf.open()
    page = out.new_page(width=595, height=842)
    page.insert_image(page.rect, pixmap=pix)
    out.save(path)
    out.close()
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory, rules, engine):
    root = tmp_path_factory.mktemp("package")
    inp = root / "in"
    make_samples.main(inp)
    _nota_nee(inp / "nota_nee.pdf")
    _scan(inp / "nota.pdf", inp / "scan.pdf")
    (inp / "kapot.pdf").write_bytes(b"dit is geen pdf\n")
    items, docs = [], {}
    for path in sorted(inp.glob("*.pdf")):
        result = process(path, root / "work", rules, engine)
        document, secrets = None, []
        if result.status == "ok":
            analysis = analyse(path, rules, engine)
            document, secrets = analysis.document, analysis.secrets
            docs[path.name] = document
        items.append(item_from(result, document, secrets))
    return SimpleNamespace(root=root, items=items, docs=docs, by={i.source: i for i in items})


@pytest.fixture(scope="module")
def bundle(batch, rules):
    report = build_bundle(batch.items, batch.root / "bundle", rules, base_url=BASE, zip=True, now=NOW)
    return SimpleNamespace(report=report, path=report.path, ids={r.source: r.id for r in report.rows})


def _all_secrets(batch) -> list[str]:
    return sorted({s for item in batch.items for s in item.secrets})


def _leaks(text: str, secrets) -> list[str]:
    flat = " ".join(text.split())
    return [s for s in secrets
            if re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, s.split())) + r"(?!\w)", flat, re.I)]


def _schema(*files: str) -> etree.XMLSchema:
    """The shipped XSD(s), loaded offline: the MDTO import's remote address maps to the shipped copy."""
    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            if url.startswith("http"):
                assert url == "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd", url
                return self.resolve_filename(str(SCHEMAS / "MDTO-XML1.0.1.xsd"), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    if len(files) == 1:
        return etree.XMLSchema(etree.parse(str(SCHEMAS / files[0]), parser))
    ns = {"sitemap.xsd": SM, "diwoo-metadata.xsd": DIWOO}
    imports = "".join(f'<xs:import namespace="{ns[f]}" schemaLocation="{(SCHEMAS / f).as_uri()}"/>' for f in files)
    return etree.XMLSchema(etree.fromstring(
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'.encode(), parser))


def _valid(xsd: etree.XMLSchema, path: Path) -> bool:
    ok = xsd.validate(etree.parse(str(path)))
    assert ok, f"{path.name}: {xsd.error_log}"
    return ok


def _sheet(path: Path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    return ws, [[c for c in row] for row in ws.iter_rows()]


def _rows(path: Path) -> dict[str, dict]:
    _, cells = _sheet(path)
    header = [c.value for c in cells[0]]
    return {r["Document"]: r for r in (dict(zip(header, [c.value for c in row])) for row in cells[1:])}


# ------------------------------------------------------------------------------------ what goes out


def test_only_published_documents_are_in_the_bundle(batch, bundle):
    pdfs = sorted(p.name for p in (bundle.path / "documents").glob("*.pdf"))
    assert len(pdfs) == len(PUBLISHED)
    for source in PUBLISHED:
        rid = bundle.ids[source]
        assert [p for p in pdfs if p.startswith(rid + "-")], source
        assert (bundle.path / "documents" / f"{rid}.txt").is_file()
        assert (bundle.path / "metadata" / f"{rid}.xml").is_file()
    for source in ("nota_nee.pdf", "kapot.pdf", "scan.pdf"):
        rid = bundle.ids[source]
        assert not list(bundle.path.rglob(f"{rid}*")), source
    # the published PDFs are the redacted, verified ones, byte for byte
    for row in bundle.report.published:
        assert (bundle.path / row.pdf).read_bytes() == Path(batch.by[row.source].redacted).read_bytes()
    # nothing of the withheld nota anywhere in the bundle, not even its people in the inventory
    for path in bundle.path.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            text = path.read_bytes().decode("utf-8", "replace")
            assert "Kroezen" not in text and "Interne afstemming" not in text, path


def test_inventory_lists_every_input_with_its_judgement(batch, bundle):
    rows = _rows(bundle.path / "inventaris.xlsx")
    assert set(rows) == {i.source for i in batch.items}
    expect = {  # document → (Beoordeling, Beoordelingsgrond)
        "nota.pdf": ("Deels openbaar", "5.1.2e"),
        "kamerbrief.pdf": ("Deels openbaar", "5.1.2e"),
        "email.pdf": ("Deels openbaar", "5.1.1e;5.1.2e"),
        "verslag.pdf": ("Deels openbaar", "5.1.2e"),
        "motie.pdf": ("Openbaar", None),
        "nota_nee.pdf": ("Niet openbaar", None),
        "kapot.pdf": ("Niet openbaar", None),
        "scan.pdf": ("Niet openbaar", None),
    }
    for name, (judgement, grounds) in expect.items():
        assert (rows[name]["Beoordeling"], rows[name]["Beoordelingsgrond"]) == (judgement, grounds), name
        assert rows[name]["ID"] == bundle.ids[name]
    assert "Nota actief openbaar: Nee" in rows["nota_nee.pdf"]["Toelichting"]
    assert "geen PDF" in rows["kapot.pdf"]["Toelichting"]
    assert "tekst (scan) zijn niet op persoonsgegevens doorzocht" in rows["scan.pdf"]["Toelichting"]  # held back
    assert re.match(r"\d+ passages gelakt op grond van ", rows["email.pdf"]["Toelichting"])
    assert "5.1.1e (Nationale identificatienummers)" in rows["email.pdf"]["Toelichting"]
    assert rows["motie.pdf"]["Toelichting"] is None
    assert rows["nota.pdf"]["Datum"] == "2025-03-14" and rows["nota_nee.pdf"]["Datum"] == "2024-09-18"
    assert rows["kapot.pdf"]["Datum"] is None
    # the CSV holds the same table
    with open(bundle.path / "inventaris.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == HEADER
    assert {r[4]: r for r in table[1:]}["email.pdf"][9] == "5.1.1e;5.1.2e"
    assert len(table) == len(batch.items) + 1


def test_inventory_passes_the_vws_platform_rules(bundle, rules):
    """The rules of the VWS Woo platform's productierapport parser (productierapport.md; InventoryReader,
    DocumentId, DocumentMatter and DocumentNumberExtractor of minvws/nl-rdo-woo-web) on our xlsx."""
    ws, cells = _sheet(bundle.path / "inventaris.xlsx")
    assert [c.value for c in cells[0]] == HEADER
    codes = set(rules.grounds) | {"dubbel"}
    grounds_file = SHARED / "standards" / "woo" / "woo-weigeringsgronden.json"
    if grounds_file.is_file():
        codes |= {g["code"] for g in json.loads(grounds_file.read_text(encoding="utf-8"))["woo"]}
    seen: set[str] = set()
    published: dict[str, int] = {}
    for row in cells[1:]:
        value = {h: c.value for h, c in zip(HEADER, row)}
        cell = {h: c for h, c in zip(HEADER, row)}
        rid = value["ID"]
        assert isinstance(rid, str) and re.fullmatch(r"[A-Za-z0-9.-]{1,170}", rid), rid
        assert rid.lower() not in seen, f"ID {rid} not unique"  # the platform compares IDs in lower case
        seen.add(rid.lower())
        assert re.fullmatch(r"[a-zA-Z0-9\-._~]{2,255}", value["Matter"] or ""), value["Matter"]
        assert value["Beoordeling"] in ("Openbaar", "Deels openbaar", "Niet openbaar", "Reeds openbaar")
        if value["Beoordelingsgrond"]:
            parts = value["Beoordelingsgrond"].split(";")
            assert all(p in codes for p in parts), value["Beoordelingsgrond"]
            assert parts == sorted(set(parts))
        if value["Beoordeling"] == "Deels openbaar":
            assert value["Beoordelingsgrond"], rid
        if value["Beoordeling"] == "Openbaar":
            assert not value["Beoordelingsgrond"], rid
        if value["Datum"] is not None:
            assert cell["Datum"].data_type == "s", "Datum must be text, not an Excel date"
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value["Datum"])
            date.fromisoformat(value["Datum"])
        for h in ("Family", "Email Thread ID"):
            assert value[h] is None or (str(value[h]).isdigit() and int(value[h]) >= 1)
        assert value["Opgeschort"] in (None, "Ja", "Yes", "yes", "ja")
        assert value["Publieke Link"] is None or urllib.parse.urlsplit(value["Publieke Link"]).scheme == "https"
        assert len(value["Document"]) <= 500 and len(value["Toelichting"] or "") <= 1000
        if value["Beoordeling"] in ("Openbaar", "Deels openbaar"):
            published[rid.lower()] = 0
    # uploaded files are matched to rows by the leading alphanumeric part of their name
    for pdf in (bundle.path / "documents").glob("*.pdf"):
        lead = re.match(r"^([a-zA-Z0-9]+)", pdf.stem).group(1).lower()
        assert lead in published, f"{pdf.name} matches no published row"
        published[lead] += 1
    assert all(n == 1 for n in published.values()), published


def test_metadata_from_the_text(bundle):
    meta = {r.source: r.meta for r in bundle.report.rows}
    expect = {  # document → (title, date, reference, type)
        "nota.pdf": ("Opvang van ontheemden uit Oekraïne", date(2025, 3, 14), "BZK2501187", "beslisnota"),
        "kamerbrief.pdf": ("Terugkeer en vertrek uit de opvang", date(2025, 4, 2), "2025-0000031876", "Kamerbrief"),
        "email.pdf": ("RE: Opvang van ontheemden", date(2025, 2, 3), None, "e-mail"),
        "verslag.pdf": ("Verslag overleg opvang ontheemden", date(2025, 3, 11), None, "vergaderverslag"),
        "motie.pdf": ("Motie van het lid Kuiper-Smeets c.s.", date(2025, 3, 12), "36600-VII-14", "motie"),
        "nota_nee.pdf": ("Interne afstemming capaciteit opvang", date(2024, 9, 18), "BZK2509921", "beslisnota"),
    }
    for name, (title, day, ref, kind) in expect.items():
        m = meta[name]
        assert (m.title, m.date, m.reference, m.kind) == (title, day, ref, kind), name
        assert m.pages == 1 + (name == "email.pdf")
    assert meta["email.pdf"].time.isoformat() == "10:12:00"
    assert meta["kapot.pdf"] is None


def test_diwoo_metadata_validates_and_names_no_one(batch, bundle, rules):
    xsd = _schema("diwoo-metadata.xsd")
    secrets = _all_secrets(batch)
    kinds = {"nota.pdf": "c_2977c34f", "kamerbrief.pdf": "c_49599e6c", "verslag.pdf": "c_42e406dd",
             "motie.pdf": "c_bf0f9c95", "email.pdf": None}
    for source, kind in kinds.items():
        path = bundle.path / "metadata" / f"{bundle.ids[source]}.xml"
        assert _valid(xsd, path)
        doc = etree.parse(str(path))
        dw = doc.find("d:DiWoo", NS)
        # the Kamerbrief's letterhead and signature name its own ministry; the others name none other
        publisher = (MIN_AM if source == "kamerbrief.pdf" else rules.publisher["publisher"]["tooi"])
        assert dw.find("d:publisher", NS).get("resource") == publisher, source
        assert dw.find("d:verantwoordelijke", NS).get("resource") == publisher, source
        assert dw.find("d:titelcollectie/d:officieleTitel", NS).text
        cat = dw.find("d:classificatiecollectie/d:informatiecategorieen/d:informatiecategorie", NS)
        assert cat.get("resource") == "https://identifier.overheid.nl/tooi/def/thes/kern/c_3baef532"  # 014
        sort = dw.find("d:classificatiecollectie/d:documentsoorten/d:documentsoort", NS)
        assert (sort.get("resource").rsplit("/", 1)[1] if sort is not None else None) == kind, source
        at = dw.find("d:documenthandelingen/d:documenthandeling/d:atTime", NS).text
        assert datetime.fromisoformat(at).tzinfo is not None
        assert dw.find("d:opsteller", NS) is None and dw.find("d:naamOpsteller", NS) is None
        assert not _leaks(path.read_text(encoding="utf-8"), secrets), source
    nota = etree.parse(str(bundle.path / "metadata" / f"{bundle.ids['nota.pdf']}.xml"))
    assert [e.text for e in nota.iterfind(".//d:identifier", NS)] == [bundle.ids["nota.pdf"], "BZK2501187"]
    assert nota.findtext(".//d:creatiedatum", namespaces=NS) == "2025-03-14"
    assert nota.findtext(".//d:atTime", namespaces=NS) == "2025-03-14T00:00:00+01:00"
    email = etree.parse(str(bundle.path / "metadata" / f"{bundle.ids['email.pdf']}.xml"))
    assert email.findtext(".//d:atTime", namespaces=NS) == "2025-02-03T10:12:00+01:00"
    assert email.find(".//d:soortHandeling", NS).text == "ontvangst"


def test_the_shipped_schemas_reject_what_is_wrong(bundle):
    good = (bundle.path / "metadata" / f"{bundle.ids['nota.pdf']}.xml").read_bytes()
    assert validate("diwoo", good) == []
    wrong_category = good.replace(b"c_3baef532", b"c_00000000")
    assert validate("diwoo", wrong_category) and not _schema("diwoo-metadata.xsd").validate(
        etree.fromstring(wrong_category))
    no_time = re.sub(rb"<diwoo:atTime>[^<]*</diwoo:atTime>", b"<diwoo:atTime>2025-03-14</diwoo:atTime>", good)
    assert validate("diwoo", no_time)


def test_sitemaps_validate_and_point_at_the_documents(bundle):
    robots = (bundle.path / "robots.txt").read_text(encoding="utf-8")
    assert robots.startswith("User-agent: *\n")
    indexes = re.findall(r"(?m)^Sitemap: (\S+)$", robots)
    assert indexes == [f"{BASE}/sitemaps/sitemapindex-diwoo-infocat014.xml"]
    local = lambda url: bundle.path / urllib.parse.unquote(url[len(BASE) + 1:])  # noqa: E731
    siteindex, sitemap = _schema("siteindex.xsd"), _schema("sitemap.xsd", "diwoo-metadata.xsd")
    index_path = local(indexes[0])
    assert _valid(siteindex, index_path)
    locs = [e.text for e in etree.parse(str(index_path)).iterfind("s:sitemap/s:loc", NS)]
    assert len(locs) == 1
    urls = []
    for loc in locs:
        assert _valid(sitemap, local(loc))
        urls += etree.parse(str(local(loc))).findall("s:url", NS)
    assert len(urls) == len(PUBLISHED)
    for url in urls:
        loc = url.findtext("s:loc", namespaces=NS)
        assert loc.startswith("https://") and loc.endswith(".pdf")
        target = local(loc)
        assert target.is_file() and target.parent.name == "documents"
        assert url.findtext("s:lastmod", namespaces=NS) == "2025-05-01T12:30:00+02:00"
        rid = re.match(r"[a-z0-9]+", target.name).group(0)
        # the sitemap carries the same DiWoo metadata as metadata/<ID>.xml
        meta = etree.parse(str(bundle.path / "metadata" / f"{rid}.xml")).getroot()
        shape = lambda root: [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in root.iter()]  # noqa: E731
        assert shape(url.find("d:Document", NS)) == shape(meta)


def test_sitemaps_split_at_the_limit(batch, bundle, rules, tmp_path):
    report = build_bundle(batch.items, tmp_path / "split", rules, base_url=BASE, now=NOW, max_urls=2)
    maps = sorted((report.path / "sitemaps").glob("sitemap-*.xml"))
    assert [len(etree.parse(str(p)).findall("s:url", NS)) for p in maps] == [2, 2, 1]
    sitemap = _schema("sitemap.xsd", "diwoo-metadata.xsd")
    assert all(_valid(sitemap, p) for p in maps)
    index = etree.parse(str(report.path / "sitemaps" / "sitemapindex-diwoo-infocat014.xml"))
    assert [e.text.rsplit("/", 1)[1] for e in index.iterfind("s:sitemap/s:loc", NS)] == [p.name for p in maps]
    assert check_bundle(report.path) == []
    # the same inputs get the same IDs in every run
    assert [r.id for r in report.rows] == [r.id for r in bundle.report.rows]


def test_text_versions_are_redacted(batch, bundle, rules):
    email = (bundle.path / "documents" / f"{bundle.ids['email.pdf']}.txt").read_text(encoding="utf-8")
    assert "Mijn BSN is [Nationaal identificatienummer] en mijn rekeningnummer is " \
           "[Bescherming persoonlijke levenssfeer]" in email
    assert "Minister Van Dorsten" in email and "info@minbzk.nl" in email  # kept as they are
    motie = (bundle.path / "documents" / f"{bundle.ids['motie.pdf']}.txt").read_text(encoding="utf-8")
    assert motie == batch.docs["motie.pdf"].text  # nothing redacted, nothing changed
    for source in PUBLISHED:
        text = (bundle.path / "documents" / f"{bundle.ids[source]}.txt").read_text(encoding="utf-8")
        assert not _leaks(text, batch.by[source].secrets), source
        assert ("[Bescherming persoonlijke levenssfeer]" in text) == (source != "motie.pdf"), source
    # overlapping spans become one label, with the ground of the longest
    assert redacted_text("Bel Jan de Vries nu", [(4, 16, "5.1.2e"), (8, 16, "5.1.1d")], rules) == \
        "Bel [Bescherming persoonlijke levenssfeer] nu"


def test_manifest_lists_every_file(bundle, rules):
    manifest = json.loads((bundle.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == __version__ and manifest["rules_checksum"] == rules.checksum
    files = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(bundle.path).as_posix() for p in bundle.path.rglob("*") if p.is_file()}
    assert set(files) == on_disk - {"manifest.json"}
    for rel, f in files.items():
        data = (bundle.path / rel).read_bytes()
        assert f["size"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest(), rel
    assert {d["id"] for d in manifest["documents"]} == set(bundle.ids.values())
    leesmij = (bundle.path / "LEESMIJ.txt").read_text(encoding="utf-8")
    assert "inventaris.xlsx" in leesmij and "1 openbaar, 4 deels openbaar, 3 niet openbaar" in leesmij


# ------------------------------------------------------------------------------------ checking a bundle


def test_check_bundle_passes_on_the_folder_and_the_zip(batch, bundle):
    secrets = {i.source: i.secrets for i in batch.items}
    assert check_bundle(bundle.path, secrets) == []
    assert bundle.report.zip == bundle.path.with_name("bundle.zip")
    assert check_bundle(bundle.report.zip, secrets) == []


@pytest.fixture
def copy(bundle, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(bundle.path, target)
    return target


def _rehash(folder: Path, rel: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data = (folder / rel).read_bytes()
    entry = {"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest["files"] = [f for f in manifest["files"] if f["path"] != rel] + [entry]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_changed_file_is_named(bundle, copy):
    rel = f"documents/{bundle.ids['kamerbrief.pdf']}.txt"
    with open(copy / rel, "a", encoding="utf-8") as fh:
        fh.write("nog een regel\n")
    problems = check_bundle(copy)
    assert problems and all(p.startswith(rel) for p in problems), problems
    assert "SHA-256" in problems[0]


def test_a_redacted_name_put_back_is_found(batch, bundle, copy):
    rel = f"documents/{bundle.ids['nota.pdf']}.txt"
    text = (copy / rel).read_text(encoding="utf-8")
    (copy / rel).write_text(text.replace("[Bescherming persoonlijke levenssfeer]", "Marloes  Veenstra", 1),
                            encoding="utf-8")
    _rehash(copy, rel)
    secrets = {i.source: i.secrets for i in batch.items}
    assert check_bundle(copy) == []  # the hashes match again: only the secrets can tell
    problems = check_bundle(copy, secrets)
    assert problems == [f"{rel}: redacted data found (1 place)"]


def test_a_missing_or_extra_document_is_named(batch, bundle, copy):
    row = bundle.report.row("verslag.pdf")
    (copy / row.pdf).unlink()
    nee = f"documents/{bundle.ids['nota_nee.pdf']}-nota-nee.pdf"
    shutil.copyfile(batch.by["nota_nee.pdf"].redacted, copy / nee)
    _rehash(copy, nee)
    problems = check_bundle(copy, {i.source: i.secrets for i in batch.items})
    assert f"{row.pdf}: listed in manifest.json but missing" in problems
    assert any(p.startswith(f"documents/{bundle.ids['verslag.pdf']}-*.pdf: 0 files") for p in problems)
    assert any(p.startswith(f"documents/{bundle.ids['nota_nee.pdf']}: files of a document that is not published")
               for p in problems)
    assert any(p.startswith("sitemaps/") and row.pdf.rsplit("/", 1)[1] in p for p in problems)


def test_an_invalid_metadata_file_is_named(bundle, copy):
    motie, nota = f"metadata/{bundle.ids['motie.pdf']}.xml", f"metadata/{bundle.ids['nota.pdf']}.xml"
    (copy / motie).write_bytes((copy / motie).read_bytes().replace(
        b"<diwoo:titelcollectie>", b"<diwoo:naamOpsteller>X</diwoo:naamOpsteller><diwoo:titelcollectie>"))
    (copy / nota).write_bytes((copy / nota).read_bytes().replace(b"c_2977c34f", b"c_nietbestaand"))
    _rehash(copy, motie)
    _rehash(copy, nota)
    problems = check_bundle(copy)
    assert f"{motie}: names an opsteller" in problems  # valid DiWoo, but never ours to write
    assert [p for p in problems if p.startswith(f"{nota}: invalid DiWoo metadata")]
    assert all(p.startswith((motie, nota)) for p in problems), problems


# ------------------------------------------------------------------------------------ choices and guards


def test_a_leak_stops_the_bundle(batch, rules, tmp_path):
    brief = batch.by["kamerbrief.pdf"]
    leaky = dataclasses.replace(brief, secrets=brief.secrets + ["Ozdemir"])  # a word the text still holds
    with pytest.raises(VerificationError) as err:
        build_bundle([leaky], tmp_path / "leaky", rules, base_url=BASE, now=NOW)
    assert "redacted data found" in str(err.value) and "Ozdemir" not in str(err.value)
    assert not (tmp_path / "leaky").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".leaky")]


def test_publish_without_field_false_keeps_documents_without_it_in(batch, rules, tmp_path):
    strict = dataclasses.replace(rules, publisher={**rules.publisher, "publish_without_field": False})
    report = build_bundle(batch.items, tmp_path / "strict", strict, now=NOW)
    published = {r.source for r in report.published}
    assert published == {"nota.pdf"}  # the one document whose header says "Ja"
    assert report.row("motie.pdf").beoordeling == "Niet openbaar"
    assert not (report.path / "robots.txt").exists()  # no base URL: no harvesting files
    assert check_bundle(report.path, {i.source: i.secrets for i in batch.items}) == []


def test_a_scan_goes_out_only_after_review(batch, rules, tmp_path):
    scan = batch.by["scan.pdf"]
    assert scan.status == "ok" and scan.textless_pages == 1
    report = build_bundle([dataclasses.replace(scan, reviewed=True)], tmp_path / "reviewed", rules, now=NOW)
    assert report.rows[0].published
    assert report.rows[0].beoordeling == ("Deels openbaar" if scan.redactions else "Openbaar")
    assert check_bundle(report.path) == []


def test_a_duplicate_is_listed_as_dubbel(batch, rules, tmp_path):
    dup = DocResult(source=Path("/in/nota kopie.pdf"), status="duplicate",
                    error="/in/nota kopie.pdf: not processed: same content as nota.pdf")
    items = [batch.by["nota.pdf"], item_from(dup, None)]
    report = build_bundle(items, tmp_path / "dup", rules, now=NOW)
    row = report.row("nota kopie.pdf")
    assert (row.beoordeling, row.grounds, row.related) == ("Niet openbaar", ["dubbel"], report.rows[0].id)
    assert not row.published
    assert check_bundle(report.path) == []


def test_an_earlier_bundle_is_replaced_but_nothing_else(batch, rules, tmp_path):
    out = tmp_path / "again"
    build_bundle(batch.items[:2], out, rules, now=NOW)
    report = build_bundle(batch.items, out, rules, now=NOW)
    assert len(report.rows) == len(batch.items) and check_bundle(out) == []
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError):
        build_bundle(batch.items, other, rules, now=NOW)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(ValueError):
        build_bundle(batch.items, tmp_path / "http", rules, base_url="http://voorbeeld.nl", now=NOW)


@pytest.mark.parametrize("name", ["mail van Noor Haddou.pdf", "mail_noor-haddou.pdf"])
def test_a_file_name_with_a_redacted_name_is_not_published(batch, rules, tmp_path, name):
    named = dataclasses.replace(batch.by["email.pdf"], source=name)
    report = build_bundle([named], tmp_path / "named", rules, now=NOW)
    row = report.rows[0]
    assert row.pdf == f"documents/{row.id}-e-mail.pdf"
    assert _rows(report.path / "inventaris.xlsx")[f"{row.id}.pdf"]["Beoordeling"] == "Deels openbaar"
    for path in report.path.rglob("*"):
        assert "haddou" not in path.name.lower()
        if path.suffix in (".json", ".csv", ".xml", ".txt"):
            assert "haddou" not in path.read_text(encoding="utf-8-sig").lower(), path


def test_an_unsupported_file_is_listed_with_its_reason(rules, tmp_path):
    skipped = DocResult(source=Path("/in/notulen.docx"), status="skipped",
                        error="/in/notulen.docx: not processed: unsupported file type (.docx)")
    report = build_bundle([item_from(skipped, None)], tmp_path / "skipped", rules, now=NOW)
    row = report.rows[0]
    assert (row.source, row.beoordeling, row.published) == ("notulen.docx", "Niet openbaar", False)
    assert row.toelichting == "Niet verwerkt: bestandstype .docx wordt niet verwerkt"


@pytest.mark.parametrize("text, expected", [
    ("18 september 2024", date(2024, 9, 18)),
    ("Datum 5 april 2024", date(2024, 4, 5)),
    ("Den Haag, 20 december 2024", date(2024, 12, 20)),
    ("Verzonden: dinsdag 3 maart 2026, 09:14", date(2026, 3, 3)),
    ("Voorgesteld 1 okt. 2025", date(2025, 10, 1)),
    ("14-03-2025", date(2025, 3, 14)),
    ("2025-03-14", date(2025, 3, 14)),
    ("Sent: Monday, February 3, 2025 10:12 AM", date(2025, 2, 3)),
    ("Onze referentie 2025-0000031876", None),
    ("31 februari 2025", None),
    ("Kamerstuk 36600-VII-14", None),
])
def test_dutch_dates(text, expected):
    assert parse_date(text) == expected


def test_dates_keep_their_time():
    [(start, end, day, at)] = find_dates("Verzonden: 3 februari 2025 10:12")
    assert (day, at.isoformat()) == (date(2025, 2, 3), "10:12:00")
    assert find_dates("Sent: February 3, 2025 4:05 PM")[0][3].isoformat() == "16:05:00"


def test_a_date_inside_a_redaction_is_not_the_document_date(rules):
    text = "Klacht\nGeboortedatum: 14 juli 1978\nOntvangen op 6 februari 2026."
    start = text.index("14 juli")
    item = BundleItem(source="klacht.pdf", text=text, redactions=[(start, start + 12, "5.1.2e")])
    from woo_redact.publication.describe import describe
    assert describe(item, rules).date == date(2026, 2, 6)


def test_package_command_builds_a_checked_bundle_from_a_batch(tmp_path, engine):
    from click.testing import CliRunner

    from woo_redact.cli import main
    from woo_redact.publication.check import check_bundle

    src = tmp_path / "in"
    make_samples.main(src)
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(main, ["package", str(src), "--out", str(tmp_path / "out"), "--bundle", str(bundle),
                                       "--base-url", "https://example.org/woo"])
    assert result.exit_code == 0, result.output
    assert "bundle ready" in result.output
    assert check_bundle(bundle) == []
    assert (bundle / "inventaris.xlsx").exists() and list((bundle / "documents").glob("*.pdf"))


# ------------------------------------------------------------------------------------ publication settings


def _item(tmp_path: Path, name: str, text: str) -> BundleItem:
    """A published document without redactions: a PDF made in code and its text."""
    from conftest import make_pdf

    (tmp_path / "redacted").mkdir(exist_ok=True)
    pdf = make_pdf(tmp_path / "redacted" / name, [text])
    with pymupdf.open(pdf) as doc:
        read = doc[0].get_text()
    return BundleItem(source=name, pages=1, redacted=pdf, text=read)


LETTERS = {
    "brief-am.pdf": "Ministerie van Asiel en Migratie\nPostbus 20011\n2500 EA Den Haag\n\nBetreft: opvangcapaciteit\n"
                    "\nGeachte voorzitter,\nHierbij de stand van zaken. Het ministerie van Financiën is ingelicht.\n",
    "nota-fin.pdf": "Betreft: begrotingsruimte\n\nGeachte voorzitter,\nHierbij de cijfers.\n" + "Tekst.\n" * 20
                    + "De Minister van Financiën,\n\nA. Voorbeeld\n",
    "memo.pdf": "Betreft: planning\n\nGeachte collega,\nDe planning volgt. Het Ministerie van Defensie weet ervan.\n"
                + "Tekst.\n" * 20,
}


@pytest.fixture
def letters(tmp_path):
    return [_item(tmp_path, name, text) for name, text in LETTERS.items()]


def test_each_document_has_the_publisher_it_names_itself(letters, rules, tmp_path):
    report = build_bundle(letters, tmp_path / "b", rules, base_url=BASE, now=NOW, matter="WOO-2025-17")
    found = {}
    for r in report.published:
        dw = etree.parse(str(report.path / r.metadata)).find("d:DiWoo", NS)
        found[r.source] = (dw.find("d:publisher", NS).get("resource"), dw.find("d:publisher", NS).text)
    assert found["brief-am.pdf"] == (MIN_AM, "Ministerie van Asiel en Migratie")  # letterhead
    assert found["nota-fin.pdf"][0].endswith("/ministerie/mnre1090")  # "De Minister van Financiën," signs it
    # a ministry mentioned in the running text is not the document's: the rules file's publisher
    assert found["memo.pdf"] == (rules.publisher["publisher"]["tooi"], rules.publisher["publisher"]["name"])
    manifest = json.loads((report.path / "manifest.json").read_text())
    assert manifest["publisher"]["tooi"] == rules.publisher["publisher"]["tooi"]  # the bundle's: the rules'
    assert {d["document"]: d["publisher"]["tooi"] for d in manifest["documents"]}["brief-am.pdf"] == MIN_AM


def test_matter_zaaknummer_and_public_links_fill_the_inventory(letters, rules, tmp_path):
    report = build_bundle(letters, tmp_path / "zaak bundle", rules, base_url=BASE, now=NOW,
                          matter="WOO-2025-17", zaaknummer="Z2025-001; Z2025-002")
    assert not [w for w in report.warnings if "matter" in w]
    rows = list(csv.DictReader(open(report.path / "inventaris.csv", encoding="utf-8", newline="")))
    assert {r["Matter"] for r in rows} == {"WOO-2025-17"} and {r["Zaaknummer"] for r in rows} == {"Z2025-001;Z2025-002"}
    for row in rows:
        pdf = next((report.path / "documents").glob(f"{row['ID']}-*.pdf"))
        assert row["Publieke Link"] == f"{BASE}/documents/{pdf.name}"
    wb = openpyxl.load_workbook(report.path / "inventaris.xlsx")
    assert [c.value for c in wb.active[2]][HEADER.index("Zaaknummer")] == "Z2025-001;Z2025-002"
    assert json.loads((report.path / "manifest.json").read_text())["zaaknummer"] == "Z2025-001;Z2025-002"
    # from rules/publisher.yaml when not given; without any, the folder's name, with a warning
    configured = dataclasses.replace(rules, publisher={**rules.publisher, "matter": "WOO-7", "zaaknummer": "Z9"})
    again = build_bundle(letters, tmp_path / "zaak bundle", configured, now=NOW)
    rows = list(csv.DictReader(open(again.path / "inventaris.csv", encoding="utf-8", newline="")))
    assert {(r["Matter"], r["Zaaknummer"], r["Publieke Link"]) for r in rows} == {("WOO-7", "Z9", "")}
    assert any("robots.txt and the Woo-index sitemaps are left out" in w for w in again.warnings)
    plain = build_bundle(letters, tmp_path / "zaak bundle", rules, base_url=BASE, now=NOW)
    assert any("no matter given" in w and "'zaak-bundle'" in w for w in plain.warnings)
    with pytest.raises(Exception, match="zaaknummer"):
        build_bundle(letters, tmp_path / "x", rules, now=NOW, zaaknummer="Z1 <script>")


def test_the_csv_has_no_byte_order_mark(letters, rules, tmp_path):
    report = build_bundle(letters, tmp_path / "b", rules, now=NOW, matter="WOO-2025-17")
    raw = (report.path / "inventaris.csv").read_bytes()
    assert raw.startswith(b"ID,Matter,")
    assert "inventaris.xlsx" in (report.path / "LEESMIJ.txt").read_text() and "woo-web" in (
        report.path / "LEESMIJ.txt").read_text()


def test_robots_txt_under_a_path_warns_with_the_sitemap_lines(letters, rules, tmp_path):
    report = build_bundle(letters, tmp_path / "b", rules, base_url="https://www.example.nl/woo/", now=NOW,
                          matter="WOO-2025-17")
    warning = next(w for w in report.warnings if w.startswith("robots.txt"))
    lines = [ln for ln in (report.path / "robots.txt").read_text().splitlines() if ln.startswith("Sitemap:")]
    assert lines == ["Sitemap: https://www.example.nl/woo/sitemaps/sitemapindex-diwoo-infocat014.xml"]
    assert "https://www.example.nl/robots.txt" in warning and all("  " + ln in warning.splitlines() for ln in lines)
    leesmij = (report.path / "LEESMIJ.txt").read_text()
    assert "https://www.example.nl/robots.txt" in leesmij and all(ln in leesmij for ln in lines)
    root = build_bundle(letters, tmp_path / "c", rules, base_url="https://woo.example.nl", now=NOW,
                        matter="WOO-2025-17")
    assert not [w for w in root.warnings if w.startswith("robots.txt")]


def test_lastmod_is_when_the_document_changed(letters, rules, tmp_path):
    import os

    def lastmods(report):
        out = {}
        for sitemap in (report.path / "sitemaps").glob("sitemap-*.xml"):
            for url in etree.parse(str(sitemap)).getroot().iterfind("s:url", NS):
                out[url.findtext("s:loc", namespaces=NS).rsplit("/", 1)[1].split("-")[0]] = url.findtext(
                    "s:lastmod", namespaces=NS)
        index = next((report.path / "sitemaps").glob("sitemapindex-*.xml"))
        return out, etree.parse(str(index)).getroot().findtext("s:sitemap/s:lastmod", namespaces=NS)

    written = datetime(2025, 4, 10, 9, 0, tzinfo=timezone.utc).timestamp()
    for item in letters:
        os.utime(item.redacted, (written, written))
    out = tmp_path / "b"
    first, first_index = lastmods(build_bundle(letters, out, rules, base_url=BASE, now=NOW, matter="WOO-1"))
    assert len(first) == 3 and all(datetime.fromisoformat(v).timestamp() == written for v in first.values())
    # packaged again a day later: the redacted files written again (same content), one changed
    later = datetime(2025, 5, 2, 10, 0, tzinfo=timezone.utc)
    for item in letters:
        os.utime(item.redacted, (later.timestamp(), later.timestamp()))
    from conftest import make_pdf

    changed = letters[0]
    make_pdf(changed.redacted, [LETTERS[changed.source] + "Nagekomen: een bijlage.\n"])
    os.utime(changed.redacted, (later.timestamp(), later.timestamp()))
    second = build_bundle(letters, out, rules, base_url=BASE, now=later + timedelta(hours=1), matter="WOO-1")
    again, again_index = lastmods(second)
    for source, rid in {r.source: r.id for r in second.rows}.items():
        if source == changed.source:
            assert datetime.fromisoformat(again[rid]).timestamp() == later.timestamp()
        else:
            assert again[rid] == first[rid]  # unchanged: the harvester need not fetch it again
    assert datetime.fromisoformat(again_index).timestamp() == later.timestamp()
    assert datetime.fromisoformat(first_index).timestamp() == written


def test_the_bundle_is_readable_for_others(letters, rules, tmp_path):
    import os
    import stat

    report = build_bundle(letters, tmp_path / "b", rules, base_url=BASE, now=NOW, matter="WOO-1", zip=True)
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in report.path.rglob("*") if p.is_file()} == {0o644}
    assert stat.S_IMODE(report.zip.stat().st_mode) == 0o644
    old = os.umask(0o027)
    try:
        strict = build_bundle(letters, tmp_path / "s", rules, now=NOW, matter="WOO-1")
    finally:
        os.umask(old)
    assert stat.S_IMODE(strict.path.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in strict.path.rglob("*") if p.is_file()} == {0o640}
