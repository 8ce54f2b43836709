"""Publish stage: a checked bundle goes out.

`publish_static` turns a bundle into a static web root that any web server can serve for the Woo-index to
harvest: the documents and their text versions, the DiWoo metadata, the sitemaps, robots.txt, the
inventory and an `index.html` listing the published documents. Nothing is published from a bundle that
fails its check. The web root is built beside the target and swapped in whole, so a server never serves
half a publication. A target folder that holds anything else than an earlier web root of ours is left
alone unless `force` says to replace it. Files are readable for a web server's user (0644, folders 0755,
or what the user's umask allows).

The Woo-index reads robots.txt only at the root of a host: for a base URL with a path, the `Sitemap:`
lines have to go into the host's own robots.txt, and a warning names them.
"""
from __future__ import annotations

import csv
import html
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import BadArguments, InputFileError
from .check import check_bundle
from .folders import make_readable
from .sitemaps import robots_warning
from .vocabularies import DIWOO_NS

MARKER = ".woo-redact-web"  # in a web root we wrote: a later publish may replace the folder
SERVED = ("documents", "metadata", "sitemaps", "robots.txt", "inventaris.csv", "inventaris.xlsx")
REWRITTEN = (".xml", ".txt")  # files whose URLs follow the base URL (sitemaps, robots.txt, metadata)


class PublishError(InputFileError):
    """A bundle that cannot be published (fails its check, or is no bundle)."""


@dataclass
class WebRoot:
    path: Path
    documents: list[dict]
    harvest: bool = False  # robots.txt and sitemaps are there
    warnings: list[str] = field(default_factory=list)


def _manifest(bundle: Path) -> dict:
    try:
        return json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise PublishError(f"{bundle}: not a woo-redact bundle (manifest.json: {e})") from None


def checked(bundle: Path) -> dict:
    """The bundle's manifest, once the whole bundle passed its check; otherwise a one-line error."""
    bundle = Path(bundle)
    if not bundle.is_dir():
        raise PublishError(f"{bundle}: no bundle folder")
    manifest = _manifest(bundle)
    problems = check_bundle(bundle)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PublishError(f"{bundle}: bundle check failed, nothing published: {problems[0]}{more}")
    return manifest


def published_documents(web: Path) -> list[dict]:
    """The published documents of a bundle (or web root), in inventory order: ID, title (DiWoo's
    officieleTitel, else the file name), date, judgement, grounds, PDF and text version (relative)."""
    with open(web / "inventaris.csv", encoding="utf-8-sig", newline="") as fh:  # an older bundle's has a BOM
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        pdfs = sorted((web / "documents").glob(f"{row['ID']}-*.pdf"))
        if not pdfs:
            continue  # not published (withheld, failed, duplicate): listed in the inventory only
        title = row["Document"]
        meta = web / "metadata" / f"{row['ID']}.xml"
        if meta.exists():
            found = etree.parse(str(meta)).find(f".//{{{DIWOO_NS}}}officieleTitel")
            if found is not None and (found.text or "").strip():
                title = found.text.strip()
        out.append({"id": row["ID"], "title": title, "date": row["Datum"], "judgement": row["Beoordeling"],
                    "grounds": row["Beoordelingsgrond"], "pdf": pdfs[0].relative_to(web).as_posix(),
                    "text": f"documents/{row['ID']}.txt"})
    return out


def _index_html(manifest: dict, documents: list[dict]) -> str:
    e = lambda v: html.escape(str(v or ""), quote=True)  # noqa: E731
    publisher = (manifest.get("publisher") or {}).get("name", "")
    rows = "".join(
        f"<tr><td><a href=\"{e(d['pdf'])}\">{e(d['title'])}</a></td><td>{e(d['date'])}</td>"
        f"<td>{e(d['judgement'])}</td><td>{e(d['grounds'].replace(';', ', '))}</td>"
        f"<td><a href=\"{e(d['text'])}\">tekst</a></td><td>{e(d['id'])}</td></tr>" for d in documents)
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Openbaar gemaakte documenten – {e(publisher)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}table{{border-collapse:collapse;width:100%}}
th,td{{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd}}</style></head>
<body><h1>Openbaar gemaakte documenten</h1>
<p>{e(publisher)} · {len(documents)} document(en) · zaak {e(manifest.get('matter'))} ·
<a href="inventaris.xlsx">inventarislijst (xlsx)</a> · <a href="inventaris.csv">(csv)</a></p>
<table><caption>Documenten met hun beoordeling onder de Wet open overheid</caption>
<thead><tr><th scope="col">Document</th><th scope="col">Datum</th><th scope="col">Beoordeling</th>
<th scope="col">Grond(en)</th><th scope="col">Tekstversie</th><th scope="col">ID</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>
"""


def _ours_or_empty(target: Path) -> bool:
    """An empty or missing folder, or one that holds a web root of ours (marked, or, from a version before
    the mark, nothing but what we write)."""
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    names = {p.name for p in target.iterdir()}
    return not names or MARKER in names or (
        {"index.html", "documents", "inventaris.xlsx"} <= names and names <= set(SERVED) | {"index.html"})


def publish_static(bundle: Path, target: Path, base_url: str | None = None, force: bool = False) -> WebRoot:
    """Write the web root of `bundle` to `target` (replacing an earlier one); returns the documents and
    warnings. `base_url`: where `target` will be served, when that is not the bundle's own base URL; the
    sitemaps, robots.txt and metadata are rewritten to it. A `target` that is not empty and not an earlier
    web root of ours is refused unless `force`: everything in it would be replaced."""
    bundle, target = Path(bundle), Path(target)
    manifest = checked(bundle)
    old = (manifest.get("base_url") or "").rstrip("/")
    new = (base_url or old).rstrip("/")
    if not new.startswith(("https://", "http://")):
        raise BadArguments(f"{bundle}: no base URL to publish under (give --base-url)")
    if not force and not _ours_or_empty(target):
        raise PublishError(f"{target}: not empty and not a web root written by woo-redact; publishing replaces "
                           f"the whole folder. Choose a new or empty folder, or give --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name in SERVED:
            src = bundle / name
            if src.is_dir():
                shutil.copytree(src, work / name)
            elif src.exists():
                shutil.copy2(src, work / name)
        if old and new != old:
            for path in work.rglob("*"):
                if path.suffix in REWRITTEN and path.is_file() and path.parent.name != "documents":
                    text = path.read_text(encoding="utf-8")
                    path.write_text(text.replace(old + "/", new + "/"), encoding="utf-8")
        documents = published_documents(work)
        (work / "index.html").write_text(_index_html(manifest, documents), encoding="utf-8")
        (work / MARKER).write_text(json.dumps({"tool": "woo-redact", "bundle": manifest.get("matter"),
                                               "created": manifest.get("created")}) + "\n", encoding="utf-8")
        web = WebRoot(target, documents, harvest=(work / "robots.txt").is_file())
        if web.harvest:
            warning = robots_warning(new, (work / "robots.txt").read_text(encoding="utf-8"))
            if warning:
                web.warnings.append(warning)
        make_readable(work)
        _swap(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return web


def _swap(new: Path, target: Path) -> None:
    """Put `new` in place of `target` with renames only (an earlier web root is removed afterwards)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}-{int(time.time())}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
