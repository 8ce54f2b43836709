"""Woo-index harvesting files: the sitemaps with each published document's DiWoo metadata, their index,
and robots.txt."""
from __future__ import annotations

import copy
import re
import urllib.parse
from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from ..errors import RulesError
from .diwoo import xml_bytes
from .plan import BundleRow
from .times import stamp
from .vocabularies import DIWOO_NS, SITEMAP_NS

S = "{%s}" % SITEMAP_NS

MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def sitemap_files(rows: list[BundleRow], docs: dict[str, etree._Element], base: str, category: dict,
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
    head = len(xml_bytes(etree.Element(S + "urlset", nsmap={None: SITEMAP_NS, "diwoo": DIWOO_NS}))) + 64
    for row in rows:
        url = etree.Element(S + "url", nsmap={None: SITEMAP_NS, "diwoo": DIWOO_NS})
        etree.SubElement(url, S + "loc").text = f"{base}/{urllib.parse.quote(row.pdf)}"
        changed = row.lastmod or now
        etree.SubElement(url, S + "lastmod").text = stamp(changed)
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
        files[name] = xml_bytes(urlset)
        entry = etree.SubElement(index, S + "sitemap")
        etree.SubElement(entry, S + "loc").text = f"{base}/{name}"
        etree.SubElement(entry, S + "lastmod").text = stamp(latest[k])
    if len(index):
        files[f"sitemaps/sitemapindex-diwoo-infocat{number}.xml"] = xml_bytes(index)
    return files


def robots_txt(base: str, indexes: Iterable[str]) -> str:
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
