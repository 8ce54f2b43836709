"""A stand-in for the GPP-Woo publicatiebank on loopback, for the client's tests.

Every request is checked against the publicatiebank's own OpenAPI document
(../shared/standards/publish/gpp-publicatiebank-openapi.yaml): the path and method must exist, the required
headers and the token must be there, query parameters must be known, and a JSON or multipart body must
satisfy the operation's request schema (read-only properties left out). Every answer is checked against
the operation's response schema before it is sent. The state lives in memory, so re-running a client
against the same server shows whether it creates duplicates.

It behaves like the real publicatiebank where a client can go wrong:
- the upload parts (`bestandsdelen`) are only in the answer to creating a document, never in a GET;
- the organisations list shows the active ones unless `isActief` says `false` or `alle`;
- after the last part the document is not complete yet: a background step strips the PDF's metadata
  (rewriting the file, so its SHA-256 changes) and only then reports `uploadVoltooid: true`, `strip_delay`
  seconds later; until then the download answers 409;
- that step fails when the publicatie changes while it runs (as the real Celery task does when a PATCH
  publishes the publicatie under it): the document stays incomplete and its download answers 409 for good.
"""
from __future__ import annotations

import copy
import io
import json
import re
import threading
import uuid as uuidlib
from datetime import datetime, timezone
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jsonschema
import yaml

PART_SIZE = 1_000  # bytes per upload part this server asks for (small: documents come in several)


def _walk(node, fn):
    if isinstance(node, dict):
        node = fn(node)
        return {k: _walk(v, fn) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, fn) for v in node]
    return node


class Spec:
    def __init__(self, path: Path):
        self.raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.routes = []
        for template, item in self.raw["paths"].items():
            rx = re.compile("^" + re.sub(r"\{[^}]+\}", "(?P<\\g<0>>[^/]+)", template)
                            .replace("(?P<{", "(?P<").replace("}>", ">") + "/?$")
            self.routes.append((rx, template, item))
        components = self.raw["components"]["schemas"]
        read_only = {name for s in self._all_schemas(components) for name, p in (s.get("properties") or {}).items()
                     if isinstance(p, dict) and p.get("readOnly")}
        self.request_components = _walk(copy.deepcopy(components), lambda n: self._for_request(n, read_only))
        self.response_components = _walk(copy.deepcopy(components), self._openapi_to_jsonschema)

    @staticmethod
    def _all_schemas(components):
        stack = list(components.values())
        while stack:
            s = stack.pop()
            if isinstance(s, dict):
                yield s
                stack.extend(v for v in s.values() if isinstance(v, (dict, list)))
            elif isinstance(s, list):
                stack.extend(s)

    def _for_request(self, node: dict, read_only: set) -> dict:
        node = self._openapi_to_jsonschema(node)
        props = node.get("properties") or {}
        if "required" in node:
            node = {**node, "required": [r for r in node["required"]
                                         if not (props.get(r, {}).get("readOnly") or (r not in props and r in read_only))]}
        if props:  # a client must not send what only the server writes
            node = {**node, "properties": {k: ({"not": {}} if v.get("readOnly") else v) for k, v in props.items()}}
        return node

    @staticmethod
    def _openapi_to_jsonschema(node: dict) -> dict:
        node = dict(node)
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            elif "allOf" in node or "$ref" in node:
                node = {"anyOf": [{k: v for k, v in node.items()}, {"type": "null"}]}
        disc = node.pop("discriminator", None)
        if disc and "oneOf" in node:
            prop, mapping = disc["propertyName"], disc.get("mapping", {})
            node.pop("oneOf")
            node["allOf"] = node.get("allOf", []) + [
                {"if": {"properties": {prop: {"const": value}}, "required": [prop]}, "then": {"$ref": ref}}
                for value, ref in mapping.items()]
        return node

    def route(self, method: str, path: str):
        for rx, template, item in self.routes:
            m = rx.match(path)
            if m and method.lower() in item:
                return template, item[method.lower()], {k: v for k, v in m.groupdict().items()}
        return None, None, None

    def validate(self, schema: dict, value, request: bool) -> list[str]:
        root = {**schema, "components": {"schemas": self.request_components if request else self.response_components}}
        if "$ref" in schema:
            root = {"allOf": [{"$ref": schema["$ref"]}],
                    "components": root["components"]}
        validator = jsonschema.Draft202012Validator(root)
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)][:5]


class FakePublicatiebank:
    def __init__(self, spec_path: Path, token: str, organisations: list[dict], categories: list[dict],
                 strip_delay: float = 0.3):
        self.spec = Spec(spec_path)
        self.strip_delay = strip_delay
        self.lock = threading.RLock()
        self.bestandsdelen: dict[str, list[dict]] = {}  # document UUID → its parts (shown only on POST)
        self.served: dict[str, bytes] = {}  # document UUID → the stripped file its download serves
        self.strip_failures: list[str] = []  # document UUIDs whose strip step failed
        self.versions: dict[str, int] = {}  # publicatie UUID → number of changes
        self.timers: list[threading.Timer] = []
        self.token = token
        self.requests: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.organisations = organisations
        self.categories = categories
        self.publicaties: dict[str, dict] = {}
        self.documenten: dict[str, dict] = {}
        self.parts: dict[str, dict[str, bytes]] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        for timer in self.timers:
            timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def content(self, doc_uuid: str) -> bytes:
        """What the client sent, joined from its parts."""
        return b"".join(self.parts[doc_uuid][p["uuid"]] for p in self.bestandsdelen[doc_uuid])

    # ------------------------------------------------------------------ handling
    def _handler(self):
        bank = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict | bytes | None, schema: dict | None = None):
                if isinstance(body, bytes):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if schema is not None and body is not None:
                    errors = bank.spec.validate(schema, body, request=False)
                    if errors:
                        bank.problems.append(f"response of {self.command} {self.path}: {errors}")
                        status, body = 500, {"detail": "response does not match the OpenAPI document"}
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _fail(self, status: int, why: str):
                bank.problems.append(f"{self.command} {self.path}: {why}")
                self._send(status, {"detail": why})

            def _handle(self):
                url = urlparse(self.path)
                bank.requests.append((self.command, url.path))
                template, op, params = bank.spec.route(self.command, url.path)
                if op is None:
                    return self._fail(404, "no such operation in the OpenAPI document")
                if self.headers.get("Authorization") != f"Token {bank.token}":
                    return self._fail(401, "missing or wrong 'Authorization: Token ...'")
                known = set()
                for p in op.get("parameters", []):
                    known.add((p["in"], p["name"]))
                    if p["in"] == "header" and p.get("required") and not self.headers.get(p["name"]):
                        return self._fail(400, f"required header {p['name']} missing")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                unknown = [k for k in query if ("query", k) not in known]
                if unknown:
                    return self._fail(400, f"unknown query parameter(s) {unknown}")
                body = None
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content = (op.get("requestBody") or {}).get("content") or {}
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
                if content:
                    if ctype not in content:
                        return self._fail(415, f"content type {ctype!r} not in {sorted(content)}")
                    schema = content[ctype]["schema"]
                    if ctype == "application/json":
                        body = json.loads(raw or b"null")
                        check = body
                    else:
                        message = BytesParser(policy=HTTP).parsebytes(
                            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw)
                        body = {}
                        for part in message.iter_parts():
                            name = part.get_param("name", header="content-disposition")
                            data = part.get_payload(decode=True) or b""
                            body[name] = data if part.get_filename() else data.decode()
                        check = {k: "<binary>" if isinstance(v, bytes) else v for k, v in body.items()}
                    errors = bank.spec.validate(schema, check, request=True)
                    if errors:
                        return self._fail(400, f"request body does not match the OpenAPI document: {errors}")
                answer = getattr(bank, "op_" + self.command.lower() + "_" + re.sub(r"\W+", "_", template).strip("_"), None)
                if answer is None:
                    return self._fail(501, f"the fake does not answer {self.command} {template}")
                with bank.lock:
                    status, result = answer(params, query, body)
                responses = op["responses"].get(str(status)) or {}
                schema = ((responses.get("content") or {}).get("application/json") or {}).get("schema")
                self._send(status, result, schema)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        return Handler

    # ------------------------------------------------------------------ operations
    @staticmethod
    def _page(items: list[dict]) -> dict:
        return {"count": len(items), "next": None, "previous": None, "results": items}

    def op_get_api_v2_organisaties(self, params, query, body):
        active = query.get("isActief", "true")  # the real default: active organisations only
        items = [o for o in self.organisations
                 if (active == "alle" or o.get("isActief", True) == (active == "true"))
                 and query.get("identifier") in (None, o["identifier"])]
        return 200, self._page(items)

    def op_get_api_v2_informatiecategorieen(self, params, query, body):
        return 200, self._page(self.categories)

    def op_get_api_v2_publicaties(self, params, query, body):
        items = [p for p in self.publicaties.values()
                 if "kenmerk" not in query or any(k["kenmerk"] == query["kenmerk"] for k in p["kenmerken"])]
        return 200, self._page(items)

    def _now(self) -> str:
        return datetime.now(timezone.utc).isoformat()

    def op_post_api_v2_publicaties(self, params, query, body):
        uid = str(uuidlib.uuid4())
        publicatie = {
            "uuid": uid, "urlPublicatieIntern": f"{self.url}/intern/{uid}", "urlPublicatieExtern": f"{self.url}/p/{uid}",
            "publicatiestatus": body.get("publicatiestatus", "gepubliceerd"),
            "informatieCategorieen": body.get("informatieCategorieen", []),
            "diWooInformatieCategorieen": body.get("informatieCategorieen", []),
            "onderwerpen": [], "publisher": body.get("publisher"), "verantwoordelijke": None, "opsteller": None,
            "kenmerken": body.get("kenmerken", []), "officieleTitel": body["officieleTitel"],
            "verkorteTitel": body.get("verkorteTitel", ""), "omschrijving": body.get("omschrijving", ""),
            "eigenaar": {"identifier": "woo-redact", "weergaveNaam": "woo-redact"}, "eigenaarGroep": None,
            "registratiedatum": self._now(), "laatstGewijzigdDatum": self._now(),
            "gepubliceerdOp": None, "ingetrokkenOp": None, "datumBeginGeldigheid": None, "datumEindeGeldigheid": None,
            "bronBewaartermijn": "", "selectiecategorie": "", "archiefnominatie": "", "archiefactiedatum": None,
            "toelichtingBewaartermijn": "",
        }
        self.publicaties[uid] = publicatie
        return 201, publicatie

    def op_patch_api_v2_publicaties_uuid(self, params, query, body):
        publicatie = self.publicaties.get(params["uuid"])
        if publicatie is None:
            return 404, {"detail": "not found"}
        publicatie.update({k: v for k, v in body.items() if k in publicatie})
        publicatie["laatstGewijzigdDatum"] = self._now()
        self.versions[params["uuid"]] = self.versions.get(params["uuid"], 0) + 1
        if body.get("publicatiestatus") == "gepubliceerd":  # publishing a publicatie publishes its documents
            for document in self.documenten.values():
                if document["publicatie"] == params["uuid"] and document["publicatiestatus"] == "concept":
                    document.update(publicatiestatus="gepubliceerd", gepubliceerdOp=self._now())
        return 200, publicatie

    def op_get_api_v2_documenten(self, params, query, body):
        items = [d for d in self.documenten.values()
                 if query.get("publicatie") in (None, d["publicatie"])
                 and query.get("identifier") in (None, d["identifier"])]
        return 200, self._page(items)

    def op_get_api_v2_documenten_uuid(self, params, query, body):
        document = self.documenten.get(params["uuid"])
        return (200, document) if document else (404, {"detail": "not found"})

    def op_delete_api_v2_documenten_uuid(self, params, query, body):
        if self.documenten.pop(params["uuid"], None) is None:
            return 404, {"detail": "not found"}
        self.served.pop(params["uuid"], None)
        return 204, None

    def op_get_api_v2_documenten_uuid_download(self, params, query, body):
        document = self.documenten.get(params["uuid"])
        if document is None:
            return 404, {"detail": "not found"}
        if not document["uploadVoltooid"]:
            return 409, {"detail": "The document upload is not yet completed."}
        return 200, self.served[params["uuid"]]

    def op_post_api_v2_documenten(self, params, query, body):
        uid = str(uuidlib.uuid4())
        size = int(body.get("bestandsomvang") or 0)
        parts = []
        for i, offset in enumerate(range(0, size, PART_SIZE), 1):
            pid = str(uuidlib.uuid4())
            parts.append({"uuid": pid, "url": f"{self.url}/api/v2/documenten/{uid}/bestandsdelen/{pid}",
                          "volgnummer": i, "omvang": min(PART_SIZE, size - offset)})
        document = {**{k: v for k, v in body.items()}, "uuid": uid, "uploadVoltooid": False,
                    "publicatiestatus": "concept", "registratiedatum": self._now(), "laatstGewijzigdDatum": self._now(),
                    "gepubliceerdOp": None, "ingetrokkenOp": None}
        self.documenten[uid] = document
        self.bestandsdelen[uid] = parts
        self.parts[uid] = {}
        return 201, {**document, "bestandsdelen": parts}  # the parts: in this answer only

    def op_put_api_v2_documenten_uuid_bestandsdelen_partUuid(self, params, query, body):
        document = self.documenten.get(params["uuid"])
        part = next((p for p in self.bestandsdelen.get(params["uuid"], []) if p["uuid"] == params["partUuid"]), None)
        if document is None:
            part = None
        if part is None:
            return 404, {"detail": "not found"}
        data = body["inhoud"] if isinstance(body["inhoud"], bytes) else body["inhoud"].encode()
        if len(data) != part["omvang"]:
            self.problems.append(f"part {part['volgnummer']}: {len(data)} bytes, expected {part['omvang']}")
            return 400, {"detail": "wrong part size"}
        self.parts[params["uuid"]][part["uuid"]] = data
        all_sent = len(self.parts[params["uuid"]]) == len(self.bestandsdelen[params["uuid"]])
        if all_sent:  # the parts are complete; the document is not until the strip step has run
            version = self.versions.get(document["publicatie"], 0)
            timer = threading.Timer(self.strip_delay, self._strip, (params["uuid"], version))
            timer.daemon = True
            self.timers.append(timer)
            timer.start()
        return 200, {"documentUploadVoltooid": all_sent}

    def _strip(self, doc_uuid: str, version: int) -> None:
        """The background step after the last part: the file without its metadata, then complete; failed
        (the document left incomplete) when its publicatie changed in the meantime."""
        import pymupdf

        with self.lock:
            document = self.documenten.get(doc_uuid)
            if document is None:
                return
            if self.versions.get(document["publicatie"], 0) != version:
                self.strip_failures.append(doc_uuid)
                return
            with pymupdf.open(stream=self.content(doc_uuid), filetype="pdf") as pdf:
                pdf.set_metadata({})
                pdf.del_xml_metadata()
                out = io.BytesIO()
                pdf.save(out, garbage=1)
            self.served[doc_uuid] = out.getvalue()
            document.update(uploadVoltooid=True, bestandsomvang=len(self.served[doc_uuid]))
