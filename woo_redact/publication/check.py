"""The check of a bundle folder or zip, before it is moved into place and before it is published: the
manifest, the inventory, the completeness of every published document, the schemas, the harvesting files,
and no redacted string in any file."""
from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import urllib.parse
import zipfile
from datetime import date
from pathlib import Path

from lxml import etree

from .diwoo import safe_parser, validate
from ..files import sha256_file
from .folders import relative_files
from .inventory import COLUMNS
from .plan import ID_PATTERN, JUDGEMENTS, LEADING_ID, MATTER_PATTERN, PUBLISHED
from .redacted import name_has_secret, norm, secret_pattern
from .sitemaps import MAX_SITEMAP_BYTES, MAX_SITEMAP_URLS, S


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
            index = etree.parse(str(root / rel), safe_parser())
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
                urlset = etree.parse(str(root / srel), safe_parser())
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
    from ..pdf.verify import verify

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
        if name_has_secret(row["Document"], every):
            problems.append(f"inventaris.xlsx: row {n}: the Document name holds redacted data")
    for rel in relative_files(root):
        path = root / rel
        if name_has_secret(rel, every):
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
        pattern = secret_pattern(secrets, ignore_case=not text_version)
        found = len(pattern.findall(norm(_text_of(path)))) if pattern else 0
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
    on_disk = set(relative_files(path)) - {"manifest.json"}
    for rel in sorted(set(listed) | on_disk):
        if rel not in on_disk:
            problems.append(f"{rel}: listed in manifest.json but missing")
        elif rel not in listed:
            problems.append(f"{rel}: not listed in manifest.json")
        elif (path / rel).stat().st_size != listed[rel].get("size") or sha256_file(path / rel) != listed[rel].get("sha256"):
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
