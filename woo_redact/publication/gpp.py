"""Publishing a bundle to a GPP-Woo publicatiebank (`woo-redact publish BUNDLE --gpp URL --token ...`).

The API (OpenAPI document in ../shared/standards/publish/gpp-publicatiebank-openapi.yaml): one
publicatie for the bundle's matter, found again by its kenmerk (bron "woo-redact"), with the publisher
and information category looked up by their TOOI identifiers; each published document registered with
its bundle ID as identifier and uploaded in the parts (bestandsdelen) the API hands out. Running it again
finds the publicatie and the documents it made and only completes what is missing: no duplicates.

What the publicatiebank does after the last part matters: it strips the file's metadata in a background
task, and only when that task is done does the document report `uploadVoltooid: true` and answer its
download. Changing the publicatie while that task runs makes the task fail, and the document stays
incomplete for good. So the client waits (a bounded poll) until every document reports `uploadVoltooid`,
downloads each one and compares its text with the bundle's PDF (the publicatiebank rewrites the file: its
SHA-256 changes, its text must not), and only then sets the publicatie's status. A document that an
earlier run left incomplete is waited for while it may still complete; one that will not is deleted and
made afresh. The parts to upload are only in the answer to creating a document (a GET does not list them),
so a half-sent upload cannot be resumed, only made afresh.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .publish import PublishError, checked, published_documents

SOURCE = "woo-redact"  # the 'bron' of our kenmerken
TIMEOUT = 60
WAIT = 300.0  # seconds to wait, at most, for the publicatiebank's background processing of the uploads


@dataclass
class GppReport:
    publicatie: str = ""
    created: bool = False
    documents: dict[str, str] = field(default_factory=dict)  # bundle ID → document UUID
    uploaded: list[str] = field(default_factory=list)  # bundle IDs whose content was (re)sent
    remade: list[str] = field(default_factory=list)  # bundle IDs whose incomplete document was made afresh
    incomplete: dict[str, str] = field(default_factory=dict)  # bundle ID → why it is not (yet) published
    status: str = "concept"  # the status the publicatie has after this run
    waited: float = 0.0  # seconds spent waiting for the publicatiebank

    @property
    def complete(self) -> bool:
        return not self.incomplete


class Publicatiebank:
    """A thin client: the Token header and the audit headers on every call, one-line errors."""

    def __init__(self, url: str, token: str, user: str, remarks: str):
        self.base = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}", "Audit-User-ID": user,
                                     "Audit-User-Representation": user, "Audit-Remarks": remarks})
        self.clock: datetime | None = None  # the publicatiebank's time (Date header of its last answer)

    def request(self, method: str, path: str, ok: tuple[int, ...] = (), **kwargs) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        if urlsplit(url)[:2] != urlsplit(self.base)[:2]:  # a URL the API handed out (upload parts, pages)
            raise PublishError(f"{url}: not on the publicatiebank {self.base}; the token is not sent there")
        try:
            response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as e:
            raise PublishError(f"{url}: publicatiebank not reachable ({type(e).__name__})") from None
        try:
            self.clock = parsedate_to_datetime(response.headers["Date"])
        except (KeyError, TypeError, ValueError):
            self.clock = None
        if response.status_code >= 400 and response.status_code not in ok:
            detail = response.text.strip().replace("\n", " ")[:200]
            raise PublishError(f"{method} {url}: HTTP {response.status_code} {detail}")
        return response

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else {}

    def all(self, path: str, params: dict | None = None) -> list[dict]:
        """Every item of a paginated list."""
        out, page = [], self.call("GET", path, params=params or {})
        while True:
            out += page.get("results", [])
            if not page.get("next"):
                return out
            page = self.call("GET", page["next"])

    def now(self) -> datetime:
        return self.clock or datetime.now(timezone.utc)


def _find(items: list[dict], identifier: str, what: str, url: str) -> dict:
    for item in items:
        if item.get("identifier") == identifier:
            return item
    raise PublishError(f"{url}: the publicatiebank knows no {what} {identifier}")


def _organisation(api: Publicatiebank, tooi: str, name: str, url: str) -> str:
    """The publisher's UUID. The list shows active organisations only unless asked for all; an inactive one
    cannot be a publisher, and an administrator has to switch it on."""
    found = _find(api.all("/api/v2/organisaties", {"isActief": "alle", "identifier": tooi}), tooi,
                  f"organisation ({name}); add it in the admin under Metadata > Organisaties:", url)
    if found.get("isActief") is False:
        raise PublishError(f"{url}: the organisation {name} ({tooi}) is not active in the publicatiebank; "
                           f"an administrator activates it under Metadata > Organisaties")
    return found["uuid"]


def _text(data: bytes) -> list[str] | None:
    """The text of each page of a PDF (whitespace normalised), or None when it is no readable PDF."""
    import pymupdf

    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return [" ".join(page.get_text().split()) for page in doc]
    except Exception:  # a damaged or truncated file: PyMuPDF raises several kinds
        return None


def _age(api: Publicatiebank, document: dict) -> float:
    """Seconds since the document was last changed, by the publicatiebank's clock."""
    stamp = document.get("laatstGewijzigdDatum") or document.get("registratiedatum")
    try:
        changed = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=timezone.utc)
    return (api.now() - changed).total_seconds()


def publish_gpp(bundle: Path, url: str, token: str, user: str = SOURCE, status: str = "concept",
                wait: float = WAIT, interval: float = 2.0) -> GppReport:
    """Publish `bundle` to the publicatiebank at `url`. `status`: "concept" (a person publishes it in the
    publicatiebank) or "gepubliceerd", set only once every document is complete and downloadable. `wait`:
    seconds to wait, at most, for the publicatiebank to finish the uploads; `interval`: the longest pause
    between two looks. The report's `incomplete` names what is not complete (then the status is left)."""
    bundle = Path(bundle)
    manifest = checked(bundle)
    api = Publicatiebank(url, token, user, f"woo-redact {manifest.get('version', '')}: bundle {bundle.name}")
    report = GppReport()
    category = _find(api.all("/api/v2/informatiecategorieen"),
                     manifest["information_category"]["uri"], "information category", url)["uuid"]
    publisher = _organisation(api, manifest["publisher"]["tooi"], manifest["publisher"]["name"], url)
    kenmerk = str(manifest.get("matter") or bundle.name)[:40]
    title = f"Woo-besluit {manifest.get('matter', '')}".strip()
    existing = [p for p in api.all("/api/v2/publicaties", {"kenmerk": kenmerk})
                if any(k.get("kenmerk") == kenmerk and k.get("bron") == SOURCE for k in p.get("kenmerken", []))]
    if existing:
        report.publicatie = existing[0]["uuid"]
        report.status = existing[0].get("publicatiestatus") or "concept"
    else:
        created = api.call("POST", "/api/v2/publicaties", json={
            "publicatiestatus": "concept", "officieleTitel": title,
            "informatieCategorieen": [category], "publisher": publisher,
            "kenmerken": [{"kenmerk": kenmerk, "bron": SOURCE}]})
        report.publicatie, report.created = created["uuid"], True

    rows = {row["id"]: row for row in published_documents(bundle)}
    contents = {rid: (bundle / row["pdf"]).read_bytes() for rid, row in rows.items()}

    def create(rid: str) -> None:
        row, data = rows[rid], contents[rid]
        document = api.call("POST", "/api/v2/documenten", json={
            "publicatie": report.publicatie, "identifier": rid, "officieleTitel": row["title"][:255],
            "creatiedatum": row["date"] or date.today().isoformat(), "bestandsformaat": "application/pdf",
            "bestandsnaam": Path(row["pdf"]).name, "bestandsomvang": len(data),
            "kenmerken": [{"kenmerk": rid, "bron": SOURCE}]})
        report.documents[rid] = document["uuid"]
        _upload(api, document, data)
        report.uploaded.append(rid)

    earlier: dict[str, float] = {}  # bundle ID → age (s) of a document an earlier run left incomplete
    for rid in rows:
        found = [d for d in api.all("/api/v2/documenten", {"publicatie": report.publicatie, "identifier": rid})
                 if d.get("identifier") == rid]
        found.sort(key=lambda d: not d.get("uploadVoltooid"))  # a complete one first
        if not found:
            create(rid)
            continue
        report.documents[rid] = found[0]["uuid"]
        if not found[0].get("uploadVoltooid"):
            earlier[rid] = _age(api, found[0])

    started = time.monotonic()
    # a document an earlier run left incomplete may still complete while its last change is recent enough
    # for the publicatiebank's processing to be under way (waited for until it is `wait` seconds old);
    # an older one will not: it is made afresh
    deadlines = {rid: started + wait for rid in report.uploaded}
    deadlines.update({rid: started + max(0.0, wait - age) for rid, age in earlier.items()})
    done = _poll(api, report, deadlines, interval)
    late = [rid for rid in earlier if rid not in done]
    for rid in late:
        _remake(api, report, rid, create)
    if late:
        done |= _poll(api, report, {rid: time.monotonic() + wait for rid in late}, interval)
    report.waited = round(time.monotonic() - started, 1)
    for rid in rows:
        if rid not in done and rid not in report.incomplete and (rid in report.uploaded or rid in earlier):
            report.incomplete[rid] = (f"uploadVoltooid is still false after {report.waited:.0f} s (the "
                                      f"publicatiebank's processing failed, or its worker is not running)")
    for rid, uuid in report.documents.items():
        if rid not in report.incomplete:
            why = _check_download(api, uuid, contents[rid])
            if why:
                report.incomplete[rid] = why
    if status != "concept" and not report.incomplete and report.status != status:
        # the API asks for the fields a published publicatie must have, also in a PATCH
        api.call("PATCH", f"/api/v2/publicaties/{report.publicatie}", json={
            "publicatiestatus": status, "officieleTitel": title, "informatieCategorieen": [category],
            "publisher": publisher})
        report.status = status
    return report


def _remake(api: Publicatiebank, report: GppReport, rid: str, create) -> None:
    """Delete an incomplete document and make it afresh (its upload parts cannot be asked for again)."""
    api.request("DELETE", f"/api/v2/documenten/{report.documents[rid]}", ok=(404,))
    create(rid)
    report.remade.append(rid)


def _poll(api: Publicatiebank, report: GppReport, deadlines: dict[str, float], interval: float) -> set[str]:
    """Look at the documents until each reports uploadVoltooid or its deadline (time.monotonic) passes:
    the complete ones."""
    done: set[str] = set()
    pause = min(0.2, interval)
    while True:
        now = time.monotonic()
        for rid, deadline in deadlines.items():
            if rid not in done and api.call("GET", f"/api/v2/documenten/{report.documents[rid]}").get(
                    "uploadVoltooid"):
                done.add(rid)
        waiting = [d for rid, d in deadlines.items() if rid not in done and d > now]
        if not waiting:
            return done
        time.sleep(max(0.0, min(pause, max(waiting) - time.monotonic())))
        pause = min(pause * 2, interval)


def _check_download(api: Publicatiebank, uuid: str, data: bytes) -> str | None:
    """Why the publicatiebank's copy of a document is not the bundle's (None when it is): it must download,
    and read as the same PDF text (the publicatiebank strips metadata, so the bytes differ)."""
    response = api.request("GET", f"/api/v2/documenten/{uuid}/download", ok=(409, 502))
    if response.status_code != 200:
        return f"download answers HTTP {response.status_code}"
    served, ours = _text(response.content), _text(data)
    if served is None:
        return "the download is no readable PDF"
    if served != ours:
        return "the download's text differs from the bundle's PDF"
    return None


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
