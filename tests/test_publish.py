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


def test_a_folder_that_holds_other_files_is_not_replaced_unless_forced(bundle, tmp_path):
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "contact.html").write_text("<p>contact</p>")
    result = CliRunner().invoke(main, ["publish", str(bundle), "--to", str(site)])
    assert result.exit_code != 0 and "--force" in result.output and "not empty" in result.output
    assert (site / "contact.html").exists() and (site / "css").is_dir() and not (site / "index.html").exists()
    forced = CliRunner().invoke(main, ["publish", str(bundle), "--to", str(site), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (site / "index.html").exists() and not (site / "contact.html").exists()


def test_the_web_root_is_readable_for_a_web_server(bundle, tmp_path):
    import os
    import stat

    web = tmp_path / "web"
    old = os.umask(0o022)
    try:
        assert CliRunner().invoke(main, ["publish", str(bundle), "--to", str(web)]).exit_code == 0
    finally:
        os.umask(old)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in [web, *web.rglob("*")] if p.is_dir()}
    assert modes == {0o755}
    assert {stat.S_IMODE(p.stat().st_mode) for p in web.rglob("*") if p.is_file()} == {0o644}


def test_robots_txt_under_a_path_gets_a_warning_with_its_lines(bundle, tmp_path):
    lines = [ln for ln in (bundle / "robots.txt").read_text().splitlines() if ln.startswith("Sitemap:")]
    result = CliRunner().invoke(main, ["publish", str(bundle), "--to", str(tmp_path / "web")])
    assert result.exit_code == 0
    assert "only at the root of the host (https://open.example.nl/robots.txt)" in result.output
    assert lines and all(f"  {ln}" in result.output.splitlines() for ln in lines)
    at_root = CliRunner().invoke(main, ["publish", str(bundle), "--to", str(tmp_path / "root"),
                                        "--base-url", "https://woo.example.nl"])
    assert at_root.exit_code == 0 and "robots.txt" not in at_root.output.replace("(index.html, robots.txt", "")


def test_batch_ends_with_the_bundle_when_asked(tmp_path, engine):
    from woo_redact.publication.check import check_bundle

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "nota.pdf", ["Nota actief openbaar\nJa\nOpgesteld door\nTwan Quaedvlieg\n\n\nTekst."])
    make_pdf(src / "intern.pdf", ["Nota actief openbaar\nNee\nInterne afstemming."])
    bundle = tmp_path / "bundle"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "out"), "--bundle", str(bundle),
                                       "--base-url", "https://open.example.nl/woo/", "--zip"])
    assert result.exit_code == 0, result.output
    assert "bundle ready: 1 document(s) to publish" in result.output
    assert check_bundle(bundle) == [] and (tmp_path / "bundle.zip").exists()
    # the warnings: robots.txt under a path (with the lines for the host's own), no matter given
    assert "  Sitemap: https://open.example.nl/woo/sitemaps/sitemapindex-diwoo-infocat014.xml" in result.output
    assert "Warning: no matter given" in result.output
    quiet = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "out"), "--bundle",
                                      str(tmp_path / "b2"), "--matter", "WOO-2025-3", "--zaaknummer", "Z-1"])
    assert quiet.exit_code == 0, quiet.output
    assert "Warning: no --base-url: robots.txt and the Woo-index sitemaps are left out" in quiet.output
    assert "no matter given" not in quiet.output
    inventory = (tmp_path / "b2" / "inventaris.csv").read_text(encoding="utf-8")
    assert ",WOO-2025-3," in inventory and inventory.rstrip().endswith(",Z-1")


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
        assert document["uploadVoltooid"] and len(bank.bestandsdelen[doc_uuid]) > 1  # sent in several parts
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
    from woo_redact.publication.gpp import Publicatiebank
    from woo_redact.publication.publish import PublishError

    api = Publicatiebank("https://publicaties.example.nl", "geheim", "woo-redact", "test")
    with pytest.raises(PublishError, match="token is not sent there"):
        api.call("PUT", "https://elders.example.com/api/v2/documenten/x/bestandsdelen/y")


# -- the publicatiebank's own behaviour, as the fake reproduces it ---------------------------------------


@pytest.fixture
def make_bank(bundle):
    """A fake publicatiebank with a chosen strip delay and organisation state; stopped at the end."""
    import contextlib
    import json
    import uuid

    from gpp_server import FakePublicatiebank

    manifest = json.loads((bundle / "manifest.json").read_text())
    stack = contextlib.ExitStack()

    def make(strip_delay: float = 0.3, active: bool = True) -> FakePublicatiebank:
        organisations = [{"uuid": str(uuid.uuid4()), "identifier": manifest["publisher"]["tooi"],
                          "naam": manifest["publisher"]["name"], "oorsprong": "oorglijst", "isActief": active}]
        categories = [{"uuid": str(uuid.uuid4()), "identifier": manifest["information_category"]["uri"],
                       "naam": manifest["information_category"]["label"], "naamMeervoud": "", "definitie": "",
                       "omschrijving": "", "oorsprong": "waardelijst", "order": 14}]
        return stack.enter_context(FakePublicatiebank(GPP_SPEC, "geheim", organisations, categories, strip_delay))

    with stack:
        yield make


def _api(bank):
    from woo_redact.publication.gpp import Publicatiebank

    return Publicatiebank(bank.url, "geheim", "test", "test")


def _patch(bank, publicatie: str, **changes) -> None:
    """Change a publicatie as a client may (the API asks for the fields a published one must have)."""
    p = bank.publicaties[publicatie]
    _api(bank).call("PATCH", f"/api/v2/publicaties/{publicatie}", json={
        "officieleTitel": p["officieleTitel"], "informatieCategorieen": p["informatieCategorieen"],
        "publisher": p["publisher"], **changes})


def _document(bank, data: bytes, identifier: str = "x", publicatie: str | None = None) -> dict:
    """A document made (and uploaded) the way a client does, in a new publicatie unless given one."""
    from woo_redact.publication.gpp import _upload

    api = _api(bank)
    if publicatie is None:
        publicatie = api.call("POST", "/api/v2/publicaties", json={
            "publicatiestatus": "concept", "officieleTitel": "t", "publisher": bank.organisations[0]["uuid"],
            "informatieCategorieen": [bank.categories[0]["uuid"]]})["uuid"]
    document = api.call("POST", "/api/v2/documenten", json={
        "publicatie": publicatie, "identifier": identifier, "officieleTitel": "t", "creatiedatum": "2025-01-01",
        "bestandsnaam": "a.pdf", "bestandsomvang": len(data)})
    _upload(api, document, data)
    return document


def _downloadable(bank, bundle) -> list[str]:
    """The bundle documents the fake serves with the bundle PDF's text (its bytes differ: stripped)."""
    from woo_redact.publication.gpp import _text

    api, out = _api(bank), []
    for doc_uuid, document in list(bank.documenten.items()):
        response = api.request("GET", f"/api/v2/documenten/{doc_uuid}/download", ok=(409,))
        ours = (bundle / "documents" / document["bestandsnaam"]).read_bytes()
        if response.status_code == 200 and _text(response.content) == _text(ours):
            assert response.content != ours  # the publicatiebank rewrote the file
            out.append(document["bestandsnaam"])
    return out


def test_the_fake_hands_out_upload_parts_only_when_a_document_is_made(bundle, make_bank):
    bank = make_bank()
    assert CliRunner().invoke(main, ["publish", str(bundle), "--gpp", bank.url, "--token", "geheim"]).exit_code == 0
    api = _api(bank)
    listed = api.all("/api/v2/documenten")
    assert len(listed) == 2 and all("bestandsdelen" not in d for d in listed)
    assert all("bestandsdelen" not in api.call("GET", f"/api/v2/documenten/{d['uuid']}") for d in listed)
    assert bank.problems == []


def test_an_inactive_organisation_is_named_not_missing(bundle, make_bank):
    bank = make_bank(active=False)
    api = _api(bank)
    assert api.all("/api/v2/organisaties") == []  # active ones only, unless asked
    assert len(api.all("/api/v2/organisaties", {"isActief": "alle"})) == 1
    assert api.all("/api/v2/organisaties", {"isActief": "false"})[0]["isActief"] is False
    result = CliRunner().invoke(main, ["publish", str(bundle), "--gpp", bank.url, "--token", "geheim"])
    assert result.exit_code != 0 and "is not active" in result.output and "Organisaties" in result.output
    assert bank.publicaties == {} and bank.problems == []


def test_the_fake_completes_an_upload_only_after_its_strip_step(bundle, make_bank):
    """After the last part: documentUploadVoltooid in the answer, but the document is not complete (its
    download answers 409) until the background step has rewritten the file."""
    bank = make_bank(strip_delay=0.5)
    api = _api(bank)
    data = next((bundle / "documents").glob("*.pdf")).read_bytes()
    document = _document(bank, data)
    path = f"/api/v2/documenten/{document['uuid']}"
    assert api.call("GET", path)["uploadVoltooid"] is False
    assert api.request("GET", path + "/download", ok=(409,)).status_code == 409
    time.sleep(1.0)
    assert api.call("GET", path)["uploadVoltooid"] is True
    served = api.request("GET", path + "/download").content
    assert served != data and served.startswith(b"%PDF-")
    assert bank.problems == []


def test_the_fake_strip_step_fails_when_the_publicatie_changes_under_it(bundle, make_bank):
    """The race: publishing the publicatie right after the last part (as a client that does not wait
    would) leaves the document incomplete for good."""
    bank = make_bank(strip_delay=0.5)
    api = _api(bank)
    data = next((bundle / "documents").glob("*.pdf")).read_bytes()
    document = _document(bank, data)
    _patch(bank, document["publicatie"], publicatiestatus="gepubliceerd")
    time.sleep(1.0)
    path = f"/api/v2/documenten/{document['uuid']}"
    assert api.call("GET", path)["uploadVoltooid"] is False and bank.strip_failures == [document["uuid"]]
    assert api.request("GET", path + "/download", ok=(409,)).status_code == 409


def test_publishing_at_once_waits_for_every_document_before_the_status(bundle, make_bank):
    bank = make_bank(strip_delay=0.5)
    result = CliRunner().invoke(main, ["publish", str(bundle), "--gpp", bank.url, "--token", "geheim",
                                       "--status", "gepubliceerd"])
    assert result.exit_code == 0, result.output + str(bank.problems)
    assert bank.strip_failures == [] and bank.problems == []
    assert next(iter(bank.publicaties.values()))["publicatiestatus"] == "gepubliceerd"
    assert all(d["uploadVoltooid"] and d["publicatiestatus"] == "gepubliceerd" for d in bank.documenten.values())
    assert len(_downloadable(bank, bundle)) == 2
    assert result.output.count(", complete)") == 2


def test_what_does_not_complete_is_reported_and_the_status_left(bundle, make_bank):
    bank = make_bank(strip_delay=30)  # the publicatiebank's worker is not running
    started = time.monotonic()
    result = CliRunner().invoke(main, ["publish", str(bundle), "--gpp", bank.url, "--token", "geheim",
                                       "--status", "gepubliceerd", "--wait", "1"])
    assert time.monotonic() - started < 20
    assert result.exit_code == ExitCode.verification_failed, result.output
    assert result.output.count("NOT complete") == 2 and "uploadVoltooid is still false" in result.output
    assert "2 of 2 document(s) not complete" in result.output and "stays concept" in result.output
    assert next(iter(bank.publicaties.values()))["publicatiestatus"] == "concept"


def test_a_document_an_earlier_run_left_incomplete_is_made_afresh(bundle, make_bank):
    """An earlier run published the publicatie under the strip step (the race): its documents stay
    incomplete. Running again deletes and remakes them, then publishes: every document downloadable."""
    from woo_redact.publication.gpp import publish_gpp

    bank = make_bank(strip_delay=0.3)
    api = _api(bank)
    first = publish_gpp(bundle, bank.url, "geheim", wait=5, interval=0.1)
    assert first.complete and len(bank.documenten) == 2
    # what an older client did: documents made afresh by hand here stand in for its upload + PATCH at once
    victim_id, victim = next(iter(first.documents.items()))
    api.request("DELETE", f"/api/v2/documenten/{victim}")
    data = next((bundle / "documents").glob(f"{victim_id}-*.pdf")).read_bytes()
    document = _document(bank, data, victim_id, first.publicatie)
    _patch(bank, first.publicatie, omschrijving="gewijzigd")
    time.sleep(0.6)
    assert bank.strip_failures == [document["uuid"]]
    # re-run: the incomplete one is waited for as long as it may still complete, then made afresh
    again = CliRunner().invoke(main, ["publish", str(bundle), "--gpp", bank.url, "--token", "geheim",
                                      "--status", "gepubliceerd", "--wait", "2"])
    assert again.exit_code == 0, again.output + str(bank.problems)
    assert "made afresh" in again.output and again.output.count("already there") == 1
    assert document["uuid"] not in bank.documenten and len(bank.documenten) == 2
    assert len(_downloadable(bank, bundle)) == 2 and bank.problems == []
    assert next(iter(bank.publicaties.values()))["publicatiestatus"] == "gepubliceerd"


def test_the_old_client_loses_a_document_to_the_race(bundle, make_bank):
    """Without waiting (PATCH right after the last part), the fake reproduces the lost document."""
    from woo_redact.publication.gpp import publish_gpp

    bank = make_bank(strip_delay=0.5)
    report = publish_gpp(bundle, bank.url, "geheim", wait=0)  # no waiting: reported, status left
    assert not report.complete and report.status == "concept"
    _patch(bank, report.publicatie, publicatiestatus="gepubliceerd")
    time.sleep(1.0)
    assert len(bank.strip_failures) == 2 and _downloadable(bank, bundle) == []
