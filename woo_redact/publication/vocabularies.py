"""The standards a bundle follows, read offline from `woo_redact/schemas/`: XML namespaces, the TOOI value
lists of the DiWoo XSD (organisations, document types, languages, formats), the Woo information
categories, and the organisations whose names a document's letterhead may carry."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..errors import RulesError
from ..rules import Rules
from .redacted import norm

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

DIWOO_NS = "https://standaarden.overheid.nl/diwoo/metadata/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MDTO_URL = "https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
ORGANISATION_LISTS = ("collijst", "gemeentelijst", "ministerielijst", "provincielijst", "oorglijst", "solijst",
                      "waterschapslijst", "zbolijst")


@lru_cache(maxsize=1)
def value_lists() -> dict[str, dict[str, str]]:
    """Every TOOI value list of the shipped DiWoo XSD: list name → {URI: label}."""
    tree = etree.parse(str(SCHEMAS / "diwoo-metadata-lijsten.xsd"))
    out = {}
    for st in tree.getroot().iterfind(f"{XS}simpleType"):
        values = {}
        for en in st.iterfind(f"{XS}restriction/{XS}enumeration"):
            first = next(iter(en.iterfind(f"{XS}annotation/{XS}documentation/*")), None)  # the label paragraph
            values[en.get("value")] = norm("".join(first.itertext())) if first is not None else en.get("value")
        out[st.get("name")] = values
    return out


@lru_cache(maxsize=1)
def information_categories() -> list[dict]:
    data = json.loads((SCHEMAS / "woo-informatiecategorieen.json").read_text(encoding="utf-8"))
    for c in data["categories"]:
        m = re.search(r"infocat(\d{3})", c.get("sitemapindex", ""))
        c["number"] = m.group(1) if m else None
    return data["categories"]


def publisher_file(rules: Rules) -> Path:
    return Path(rules.directory) / "publisher.yaml"


def find_category(value, rules: Rules | None = None) -> dict:
    """The category named by its number ("014" or 14), TOOI URI or label: {uri, label, number}."""
    key = str(value).strip()
    for c in information_categories():
        if (key.lower() in (c["uri"].lower(), c["label"].lower(), c["label_singular"].lower())
                or (c["number"] and key.isdigit() and int(key) == int(c["number"]))):
            return {"uri": c["uri"], "label": c["label"], "number": c["number"]}
    where = f"{publisher_file(rules)}: " if rules else ""
    raise RulesError(f"{where}information_category {value!r} is not a Woo information category "
                     f"(a number 001-017, a TOOI URI or a label from woo-informatiecategorieen.json)")


def rules_publisher(rules: Rules) -> tuple[str, str]:
    """The publisher of rules/publisher.yaml: its name and TOOI URI, checked against DiWoo's value lists."""
    spec = rules.publisher.get("publisher") or {}
    name, tooi = spec.get("name"), spec.get("tooi")
    if not isinstance(name, str) or not isinstance(tooi, str) or not name.strip():
        raise RulesError(f"{publisher_file(rules)}: publisher needs a 'name' and a 'tooi' URI")
    lists = value_lists()
    if not any(tooi in lists.get(n, {}) for n in ORGANISATION_LISTS):
        raise RulesError(f"{publisher_file(rules)}: publisher tooi {tooi!r} is not an organisation in the "
                         f"TOOI value lists of DiWoo 0.9.8")
    return name.strip(), tooi


@lru_cache(maxsize=1)
def organisations() -> tuple[dict[str, tuple[str, str]], re.Pattern, re.Pattern]:
    """Every organisation of the TOOI lists by its folded label → (label, URI), and two patterns that find
    their labels in a text: names of two or more words in any case, one-word names only as written."""
    lists = value_lists()
    names: dict[str, tuple[str, str]] = {}
    for list_name in ORGANISATION_LISTS:
        for uri, label in lists.get(list_name, {}).items():
            label = norm(label)
            if len(label) >= 4 and label.lower() not in names:
                names[label.lower()] = (label[:1].upper() + label[1:], uri)

    def pattern(labels, flags):
        alts = [r"\s+".join(re.escape(w) for w in k.split(" ")) for k in sorted(labels, key=len, reverse=True)]
        return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", flags)

    originals = [label for _, (label, _) in names.items()]
    many = pattern([lb for lb in originals if " " in lb], re.I)
    one = pattern([lb for lb in originals if " " not in lb], 0)
    return names, many, one
