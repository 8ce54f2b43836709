"""Publishing a bundle to a GPP-Woo publicatiebank (`woo-redact publish BUNDLE --gpp URL --token ...`).

The API (OpenAPI document in ../shared/standards/publish/gpp-publicatiebank-openapi.yaml): one
publicatie for the bundle's matter, found again by its kenmerk (bron "woo-redact"), with the publisher
and information category looked up by their TOOI identifiers; each published document registered with
its bundle ID as identifier and uploaded in the parts (bestandsdelen) the API hands out. Running it again
finds the publicatie and the documents it made and only completes what is missing: no duplicates.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from urllib.parse import urlsplit

import requests

from .publish import PublishError, checked, published_documents

SOURCE = "woo-redact"  # the 'bron' of our kenmerken
TIMEOUT = 60


@dataclass
class GppReport:
    publicatie: str = ""
    created: bool = False
    documents: dict[str, str] = field(default_factory=dict)  # bundle ID → document UUID
    uploaded: list[str] = field(default_factory=list)  # bundle IDs whose content was (re)sent
    status: str = "concept"


class Publicatiebank:
    """A thin client: the Token header and the audit headers on every call, one-line errors."""

    def __init__(self, url: str, token: str, user: str, remarks: str):
        self.base = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Audit-User-ID": user,
                                     "Audit-User-Representation": user, "Audit-Remarks": remarks})

    def call(self, method: str, path: str, **kwargs) -> dict:
        url = path if path.startswith("http") else self.base + path
        if urlsplit(url)[:2] != urlsplit(self.base)[:2]:  # a URL the API handed out (upload parts, pages)
            raise PublishError(f"{url}: not on the publicatiebank {self.base}; the token is not sent there")
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as e:
            raise PublishError(f"{url}: publicatiebank not reachable ({type(e).__name__})") from None
        if response.status_code >= 400:
            detail = response.text.strip().replace("\n", " ")[:200]
            raise PublishError(f"{method} {url}: HTTP {response.status_code} {detail}")
        return response.json() if response.content else {}

    def all(self, path: str, params: dict | None = None) -> list[dict]:
        """Every item of a paginated list."""
        out, page = [], self.call("GET", path, params=params or {})
        while True:
            out += page.get("results", [])
            if not page.get("next"):
                return out
            page = self.call("GET", page["next"])


def _find(items: list[dict], identifier: str, what: str, url: str) -> str:
    for item in items:
        if item.get("identifier") == identifier:
            return item["uuid"]
    raise PublishError(f"{url}: the publicatiebank knows no {what} {identifier}")


def publish_gpp(bundle: Path, url: str, token: str, user: str = SOURCE, status: str = "concept") -> GppReport:
    """Publish `bundle` to the publicatiebank at `url`. `status`: "concept" (a person publishes it in the
    publicatiebank) or "gepubliceerd"."""
    bundle = Path(bundle)
    manifest = checked(bundle)
    api = Publicatiebank(url, token, user, f"woo-redact {manifest.get('version', '')}: bundle {bundle.name}")
    report = GppReport(status=status)
    category = _find(api.all("/api/v2/informatiecategorieen"),
                     manifest["information_category"]["uri"], "information category", url)
    publisher = _find(api.all("/api/v2/organisaties"), manifest["publisher"]["tooi"], "organisation", url)
    kenmerk = str(manifest.get("matter") or bundle.name)[:40]
    title = f"Woo-besluit {manifest.get('matter', '')}".strip()
    existing = [p for p in api.all("/api/v2/publicaties", {"kenmerk": kenmerk})
                if any(k.get("kenmerk") == kenmerk and k.get("bron") == SOURCE for k in p.get("kenmerken", []))]
    if existing:
        report.publicatie = existing[0]["uuid"]
    else:
        created = api.call("POST", "/api/v2/publicaties", json={
            "publicatiestatus": "concept", "officieleTitel": title,
            "informatieCategorieen": [category], "publisher": publisher,
            "kenmerken": [{"kenmerk": kenmerk, "bron": SOURCE}]})
        report.publicatie, report.created = created["uuid"], True
    for row in published_documents(bundle):
        pdf = bundle / row["pdf"]
        found = api.all("/api/v2/documenten", {"publicatie": report.publicatie, "identifier": row["id"]})
        data = pdf.read_bytes()
        if found:
            document = found[0]
        else:
            document = api.call("POST", "/api/v2/documenten", json={
                "publicatie": report.publicatie, "identifier": row["id"], "officieleTitel": row["title"][:255],
                "creatiedatum": row["date"] or date.today().isoformat(), "bestandsformaat": "application/pdf",
                "bestandsnaam": pdf.name, "bestandsomvang": len(data),
                "kenmerken": [{"kenmerk": row["id"], "bron": SOURCE}]})
        report.documents[row["id"]] = document["uuid"]
        if not document.get("uploadVoltooid"):
            _upload(api, document, data)
            report.uploaded.append(row["id"])
    if status != "concept":
        # the API asks for the fields a published publicatie must have, also in a PATCH
        api.call("PATCH", f"/api/v2/publicaties/{report.publicatie}", json={
            "publicatiestatus": status, "officieleTitel": title, "informatieCategorieen": [category],
            "publisher": publisher})
    return report


def _upload(api: Publicatiebank, document: dict, data: bytes) -> None:
    """Send the content in the parts the publicatiebank asked for, in their order and sizes."""
    parts = sorted(document.get("bestandsdelen") or [], key=lambda p: p["volgnummer"])
    if sum(p["omvang"] for p in parts) != len(data):
        raise PublishError(f"document {document['uuid']}: the publicatiebank expects {sum(p['omvang'] for p in parts)}"
                           f" bytes, the bundle has {len(data)}")
    offset = 0
    for part in parts:
        chunk = data[offset:offset + part["omvang"]]
        offset += part["omvang"]
        api.call("PUT", part["url"], files={"inhoud": (f"deel-{part['volgnummer']}", chunk,
                                                       "application/octet-stream")})
