"""Publishing a bundle: a static web root that a plain web server serves for the Woo-index to harvest,
fetched back over loopback as a harvester would."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from conftest import make_pdf

from woo_redact.cli import main
from woo_redact.errors import ExitCode

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, engine):
    root = tmp_path_factory.mktemp("publish")
    src = root / "in"
    src.mkdir()
    make_pdf(src / "nota.pdf", ["Nota actief openbaar\nJa\nOpgesteld door\nTwan Quaedvlieg\n\n\n"
                                "Betreft: begroting Kunstfonds\nMinister Klever stemt in."])
    make_pdf(src / "brief.pdf", ["Geachte heer Haddou,\nHierbij de stukken.\nMet vriendelijke groet,\nIlse Brouwersma"])
    make_pdf(src / "intern.pdf", ["Nota actief openbaar\nNee\nInterne afstemming."])
    out, bundle = root / "out", root / "bundle"
    result = CliRunner().invoke(main, ["package", str(src), "--out", str(out), "--bundle", str(bundle),
                                       "--base-url", "https://open.example.nl/woo/"])
    assert result.exit_code == 0, result.output
    return bundle


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


def test_published_web_root_is_harvested_over_http(bundle, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = tmp_path / "web"
    result = CliRunner().invoke(main, ["publish", str(bundle), "--to", str(web), "--base-url", base + "/"])
    assert result.exit_code == 0, result.output
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(web)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                robots = _get(base + "/robots.txt").decode()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("the web server did not start")
        index_urls = re.findall(r"(?m)^Sitemap:\s*(\S+)", robots)
        assert index_urls and all(u.startswith(base + "/") for u in index_urls)
        fetched = 0
        for index_url in index_urls:
            index = ElementTree.fromstring(_get(index_url))
            for sitemap_url in [e.text for e in index.iter(SM + "loc")]:
                sitemap = ElementTree.fromstring(_get(sitemap_url))
                for loc in [e.text for e in sitemap.iter(SM + "loc")]:
                    body = _get(loc)
                    relative = loc[len(base) + 1:]
                    assert body == (bundle / relative).read_bytes()  # the bundle's own, checked file
                    assert body.startswith(b"%PDF-")
                    fetched += 1
        assert fetched == 2  # the two documents meant for publication; "Nee" stays out
        page = _get(base + "/index.html").decode()
        assert "begroting Kunstfonds" in page and page.count('.pdf"') == 2
        assert "Quaedvlieg" not in page and "Brouwersma" not in page
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_bundle_that_fails_its_check_is_not_published(bundle, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(bundle, broken)
    victim = next((broken / "documents").glob("*.txt"))
    victim.write_text(victim.read_text(encoding="utf-8") + "extra", encoding="utf-8")
    web = tmp_path / "web"
    result = CliRunner().invoke(main, ["publish", str(broken), "--to", str(web)])
    assert result.exit_code == ExitCode.input_file
    assert "bundle check failed" in result.output and victim.name in result.output
    assert not web.exists()


def test_publishing_again_replaces_the_web_root_whole(bundle, tmp_path):
    web = tmp_path / "web"
    assert CliRunner().invoke(main, ["publish", str(bundle), "--to", str(web)]).exit_code == 0
    (web / "stale.html").write_text("oud")
    assert CliRunner().invoke(main, ["publish", str(bundle), "--to", str(web)]).exit_code == 0
    assert not (web / "stale.html").exists() and (web / "index.html").exists()
    assert "https://open.example.nl/woo/sitemaps/" in (web / "robots.txt").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".web")]


def test_batch_ends_with_the_bundle_when_asked(tmp_path, engine):
    from woo_redact.package import check_bundle

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "nota.pdf", ["Nota actief openbaar\nJa\nOpgesteld door\nTwan Quaedvlieg\n\n\nTekst."])
    make_pdf(src / "intern.pdf", ["Nota actief openbaar\nNee\nInterne afstemming."])
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "out"), "--bundle", str(bundle),
                                       "--base-url", "https://open.example.nl/woo/", "--zip"])
    assert result.exit_code == 0, result.output
    assert "bundle ready: 1 of 2" in result.output
    assert check_bundle(bundle) == [] and (tmp_path / "bundle.zip").exists()


# -- the GPP-Woo publicatiebank -----------------------------------------------------------------------

from conftest import REPO  # noqa: E402

GPP_SPEC = REPO / "tests" / "standards" / "gpp-publicatiebank-openapi.yaml"  # see tests/standards/SOURCES.md


@pytest.fixture
def publicatiebank(bundle):
    import json
    import uuid

    from gpp_server import FakePublicatiebank

    manifest = json.loads((bundle / "manifest.json").read_text())
    organisations = [{"uuid": str(uuid.uuid4()), "identifier": manifest["publisher"]["tooi"],
                      "naam": manifest["publisher"]["name"], "oorsprong": "oorglijst", "isActief": True}]
    categories = [{"uuid": str(uuid.uuid4()), "identifier": manifest["information_category"]["uri"],
                   "naam": manifest["information_category"]["label"], "naamMeervoud": "", "definitie": "",
                   "omschrijving": "", "oorsprong": "waardelijst", "order": 14}]
    with FakePublicatiebank(GPP_SPEC, "geheim", organisations, categories) as bank:
        yield bank


def test_publish_to_the_publicatiebank_uploads_each_document_in_its_parts_once(bundle, publicatiebank):
    bank = publicatiebank
    args = ["publish", str(bundle), "--gpp", bank.url, "--token", "geheim"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output + str(bank.problems)
    assert bank.problems == []  # every request and answer matched the OpenAPI document
    assert len(bank.publicaties) == 1 and len(bank.documenten) == 2
    for doc_uuid, document in bank.documenten.items():
        sent = bank.content(doc_uuid)
        assert sent == (bundle / "documents" / document["bestandsnaam"]).read_bytes()
        assert document["uploadVoltooid"] and len(document["bestandsdelen"]) > 1  # sent in several parts
        assert doc_uuid in first.output
    # again: found, nothing created twice, nothing sent twice
    second = CliRunner().invoke(main, args + ["--status", "gepubliceerd"])
    assert second.exit_code == 0, second.output + str(bank.problems)
    assert len(bank.publicaties) == 1 and len(bank.documenten) == 2
    assert "already there" in second.output and "uploaded" not in second.output.replace("already there", "")
    assert next(iter(bank.publicaties.values()))["publicatiestatus"] == "gepubliceerd"
    assert bank.problems == []


def test_publicatiebank_errors_are_one_line(bundle, publicatiebank):
    result = CliRunner().invoke(main, ["publish", str(bundle), "--gpp", publicatiebank.url, "--token", "fout"])
    assert result.exit_code != 0
    assert "HTTP 401" in result.output and len(result.output.strip().splitlines()) == 1
    result = CliRunner().invoke(main, ["publish", str(bundle), "--gpp", "http://127.0.0.1:9", "--token", "x"])
    assert result.exit_code != 0 and "not reachable" in result.output


def test_the_token_only_goes_to_the_publicatiebank_itself():
    from woo_redact.gpp import Publicatiebank
    from woo_redact.publish import PublishError

    api = Publicatiebank("https://publicaties.example.nl", "geheim", "woo-redact", "test")
    with pytest.raises(PublishError, match="token is not sent there"):
        api.call("PUT", "https://elders.example.com/api/v2/documenten/x/bestandsdelen/y")
