"""Publishing to a real GPP-Woo publicatiebank: runs only when GPP_URL and GPP_TOKEN name one (skipped
otherwise). The publicatiebank needs, before a client can publish (see the README):
an active organisation for the bundle's publisher (rules/publisher.yaml), a Documents API and RSIN in its
global configuration, and its Celery worker running (it strips each file's metadata after the upload).

    GPP_URL=http://127.0.0.1:8000 GPP_TOKEN=... python -m pytest -q tests/test_gpp_real.py

GPP_WAIT: seconds the client waits, at most, for the publicatiebank's processing (default 300).
"""
from __future__ import annotations

import os
import time

import pytest
from click.testing import CliRunner
from conftest import make_pdf

from woo_redact.cli import main
from woo_redact.publication.gpp import Publicatiebank, _text
from woo_redact.publication.publish import published_documents

URL, TOKEN = os.environ.get("GPP_URL"), os.environ.get("GPP_TOKEN")
pytestmark = pytest.mark.skipif(not (URL and TOKEN), reason="no real publicatiebank (set GPP_URL and GPP_TOKEN)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, engine):
    root = tmp_path_factory.mktemp("gpp-real")
    src = root / "in"
    src.mkdir()
    make_pdf(src / "nota.pdf", ["Nota actief openbaar\nJa\n\nBetreft: begroting Kunstfonds\n"
                                + "De Minister stemt in met het voorstel.\n" * 60] * 3)
    make_pdf(src / "brief.pdf", ["Betreft: stand van zaken opvang\n\nGeachte voorzitter,\nHierbij de stukken.\n"])
    bundle = root / "bundle"
    matter = f"woo-redact-test-{int(time.time())}"  # a new publicatie each run
    result = CliRunner().invoke(main, ["package", str(src), "--out", str(root / "out"), "--bundle", str(bundle),
                                       "--matter", matter])
    assert result.exit_code == 0, result.output
    return bundle


def test_published_at_once_every_document_is_complete_and_downloadable(bundle):
    args = ["publish", str(bundle), "--gpp", URL, "--token", TOKEN, "--status", "gepubliceerd",
            "--wait", os.environ.get("GPP_WAIT", "300")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    api = Publicatiebank(URL, TOKEN, "woo-redact-test", "test")
    publicatie = result.output.split()[1]
    assert api.call("GET", f"/api/v2/publicaties/{publicatie}")["publicatiestatus"] == "gepubliceerd"
    documents = {d["identifier"]: d for d in api.all("/api/v2/documenten", {"publicatie": publicatie})}
    rows = published_documents(bundle)
    assert sorted(documents) == sorted(r["id"] for r in rows)
    for row in rows:
        document = documents[row["id"]]
        assert document["uploadVoltooid"] is True and document["publicatiestatus"] == "gepubliceerd"
        response = api.request("GET", f"/api/v2/documenten/{document['uuid']}/download")
        assert response.status_code == 200
        assert _text(response.content) == _text((bundle / row["pdf"]).read_bytes())
    again = CliRunner().invoke(main, args)  # nothing made or sent twice
    assert again.exit_code == 0, again.output
    assert again.output.count("already there, complete") == len(rows)
    assert len(api.all("/api/v2/documenten", {"publicatie": publicatie})) == len(rows)
