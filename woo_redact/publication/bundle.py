"""The publication bundle of a batch — inventory, DiWoo metadata, Woo-index sitemaps, text versions and a
manifest, checked before it is written — and its zip.

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

Nothing that was redacted is written anywhere: titles, references and dates are taken from the text with
redacted spans replaced by their labels, and `check_bundle` (run before the bundle is moved into place)
searches every file for every redacted string. Schemas are validated offline from `woo_redact/schemas/`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import urllib.parse
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from .. import __version__
from ..errors import OutputError, RulesError, VerificationError
from ..rules import Rules
from .check import check_bundle
from .describe import Metadata, document_publisher
from .diwoo import diwoo_document, xml_bytes
from ..files import sha256_file
from .folders import make_readable, relative_files
from .inventory import inventory_rows, write_csv, write_xlsx
from .items import BundleItem
from .leesmij import leesmij_text
from .plan import MATTER_PATTERN, BundleRow, plan_rows
from .redacted import fold, name_has_secret, scrub, secret_pattern
from .sitemaps import MAX_SITEMAP_URLS, robots_txt, robots_warning, sitemap_files
from .textversions import redacted_text
from .times import amsterdam, stamp
from .vocabularies import find_category, publisher_file, rules_publisher, value_lists


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




def _matter(value: str | None, out: Path, rules: Rules) -> str:
    if value:
        if not MATTER_PATTERN.match(value):
            raise RulesError(f"matter {value!r} (--matter, or matter in {publisher_file(rules)}) must be 2-255 "
                             f"characters out of A-Z a-z 0-9 - . _ ~")
        return value
    derived = re.sub(r"[^A-Za-z0-9._~-]+", "-", fold(out.name).replace(" ", "-")).strip("-.")[:255]
    return derived if MATTER_PATTERN.match(derived) else "woo-redact"


ZAAKNUMMER_PATTERN = re.compile(r"^[A-Za-z0-9._/-]+(?:[;,][A-Za-z0-9._/-]+)*$")


def _zaaknummer(value: str | None, rules: Rules) -> str:
    value = re.sub(r"\s*([;,])\s*", r"\1", str(value or "").strip())
    if value and (len(value) > 255 or not ZAAKNUMMER_PATTERN.match(value)):
        raise RulesError(f"zaaknummer {value!r} (--zaaknummer, or zaaknummer in {publisher_file(rules)}) must "
                         f"be one or more numbers of A-Z a-z 0-9 . _ / - separated by ';' or ','")
    return value


def _base_url(base_url: str | None) -> str | None:
    if base_url is None:
        return None
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"base URL must be an https:// address without query or fragment: {base_url!r}")
    return urllib.parse.urlunsplit(parts).rstrip("/")


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
    publisher = rules_publisher(rules)
    configured = rules.publisher.get("information_category") or "014"
    if isinstance(configured, int):  # YAML reads 014 as the octal number 12
        raise RulesError(f"{publisher_file(rules)}: write information_category in quotes (\"014\"), "
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

    rows = plan_rows(items, rules, publish_default)
    by_source = {item.source: item for item in items}
    pattern = secret_pattern(s for item in items for s in item.secrets)
    report = BundleReport(path=out, rows=rows)
    if not given_matter:
        report.warnings.append(f"no matter given (--matter, or matter in {publisher_file(rules).name}): the "
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
            r.meta.title = scrub(r.meta.title or "", pattern) or (
                Path(r.source).stem if not name_has_secret(Path(r.source).stem, item.secrets) else
                f"Document {r.id}")
            if r.meta.reference and scrub(r.meta.reference, pattern) != r.meta.reference:
                r.meta.reference = None
            (tmp / "documents").mkdir(exist_ok=True)
            (tmp / "metadata").mkdir(exist_ok=True)
            shutil.copyfile(item.redacted, tmp / r.pdf)
            (tmp / r.text).write_text(redacted_text(item.text, item.redactions, rules), encoding="utf-8")
            docs[r.id] = diwoo_document(r, r.publisher or publisher, category, matter, now, lists)
            (tmp / r.metadata).write_bytes(xml_bytes(docs[r.id]))
        index_names: list[str] = []
        if base:
            for name, blob in sitemap_files([r for r in rows if r.published], docs, base, category, now,
                                        max_urls).items():
                (tmp / name).parent.mkdir(exist_ok=True)
                (tmp / name).write_bytes(blob)
                if "sitemapindex-" in name:
                    index_names.append(name)
            robots = robots_txt(base, index_names)
            (tmp / "robots.txt").write_text(robots, encoding="utf-8")
            warning = robots_warning(base, robots)
            if warning:
                report.warnings.append(warning)
        table = inventory_rows(rows, matter, pattern, sorted({s for item in items for s in item.secrets}),
                                base, zaaknummer)
        write_xlsx(tmp / "inventaris.xlsx", table, now)
        write_csv(tmp / "inventaris.csv", table)
        (tmp / "LEESMIJ.txt").write_text(leesmij_text(rows, matter, base, category, now, index_names,
                                                 zaaknummer),
                                         encoding="utf-8")
        manifest = {
            "format": "woo-redact-bundle/1",
            "tool": "woo-redact",
            "version": __version__,
            "rules_checksum": rules.checksum,
            "created": stamp(now),
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
                               "pdf_sha256": sha256_file(tmp / r.pdf), "lastmod": stamp(r.lastmod)}
                              if r.published and r.publisher and r.lastmod else {})}
                          for i, r in enumerate(rows)],
            "files": [{"path": rel, "size": (tmp / rel).stat().st_size, "sha256": sha256_file(tmp / rel)}
                      for rel in relative_files(tmp)],
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
    if earlier and earlier[0] == sha256_file(pdf):
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
            for rel in relative_files(folder):
                info = zipfile.ZipInfo(rel, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, (folder / rel).read_bytes())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
