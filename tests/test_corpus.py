"""Acceptance on the shared corpora beside the repository: the labelled development corpus (scored by
its own scorer) and the WOO Buddy peer PDFs a user would bring. Skipped when ../shared is absent."""
from __future__ import annotations

import importlib.util
import json
import re

import pytest
from conftest import SHARED, lost_words, page_text

from woo_redact.batch.run import run_batch

DEV = SHARED / "eval" / "dev"
PEER = SHARED / "peer" / "woobuddy"


def _scorer():
    spec = importlib.util.spec_from_file_location("woo_score", DEV.parent / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory, rules, engine):
    if not (DEV / "truth.json").exists():
        pytest.skip("development corpus not beside the repository")
    out = tmp_path_factory.mktemp("dev-out")
    result = run_batch(DEV / "in", out, rules, engine)
    return out, result


def test_dev_corpus_text_documents_meet_the_bar(dev_run, tmp_path):
    out, result = dev_run
    assert not result.failed, [r.error for r in result.failed]
    truth = json.loads((DEV / "truth.json").read_text())
    # the text documents on their own (the scans are scored through OCR below)
    (tmp_path / "truth.json").write_text(json.dumps([t for t in truth if not t["scanned"]]))
    summary, rows = _scorer().score(tmp_path, out)
    assert summary["surname_recall"] >= 0.98, rows
    assert summary["recall"] >= 0.97, rows
    assert summary["keep"] >= 0.97, rows
    assert summary["unlabelled_docs"] == 0 and summary["metadata_leaks"] == 0


def test_dev_corpus_scans_meet_the_bar_through_ocr(dev_run, tmp_path):
    from woo_redact.pdf import ocr

    if ocr.available():
        pytest.skip(ocr.available())
    out, result = dev_run
    truth = json.loads((DEV / "truth.json").read_text())
    scans = [t for t in truth if t["scanned"]]
    assert scans
    for t in scans:
        report = json.loads((out / "findings" / (t["file"][:-4] + ".json")).read_text())
        assert report["textless_pages"] == []  # read by OCR
    # the scorer reads the redacted scans back with Tesseract itself
    (tmp_path / "truth.json").write_text(json.dumps(scans))
    summary, rows = _scorer().score(tmp_path, out)
    assert summary["surname_recall"] >= 0.95, rows
    assert summary["recall"] >= 0.95, rows
    assert summary["keep"] >= 0.95, rows
    assert summary["unlabelled_docs"] == 0, rows


@pytest.fixture(scope="module")
def peer_run(tmp_path_factory, rules, engine):
    if not PEER.exists():
        pytest.skip("peer files not beside the repository")
    out = tmp_path_factory.mktemp("peer-out")
    return out, run_batch(PEER, out, rules, engine)


def test_every_peer_pdf_is_processed(peer_run):
    out, result = peer_run
    pdfs = sorted(p.name for p in PEER.glob("*.pdf"))
    assert pdfs and set(pdfs) <= {r.source.name for r in result.results if r.status == "ok"}
    assert not result.failed


def test_identifier_sheet_valid_ones_gone_controls_kept(peer_run):
    out, _ = peer_run
    text = page_text(out / "redacted" / "tier1_all_identifiers.pdf")
    for value in ("111222333", "123456782", "NL91ABNA0417164300", "nl02rabo0123456789", "NL68 RABO 0338 1615 89",
                  "06-12345678", "0612345678", "020-1234567", "040 2345678", "+31 6 12345678", "+31612345678",
                  "+31 40 792 00 35", "jan.jansen@voorbeeld.nl", "h.van-der-berg@gemeente-utrecht.nl",
                  "AB-123-C", "1-ABC-23", "AB-12-CD", "12-AB-34", "12-ABC-3", "4532 0151 1283 0366"):
        assert value not in text, value
    assert not re.search(r"(?<!\w)1234 ?AB(?!\w)", text)
    for control in ("987654321", "999999999", "DE89370400440532013000", "BE68 5390 0754 7034", "06-1234",
                    "1234ab", "1234 5678 9012 3456", "ICT-2024-0118", "info+woo@overheid.nl"):
        assert control in text, control


def test_false_positive_traps_keep_every_organisation(peer_run):
    out, _ = peer_run
    text = page_text(out / "redacted" / "false_positives.pdf")
    for org in ("Gemeente Eindhoven", "Amsterdamse Hogeschool voor de Kunsten", "Instituut Beeld en Geluid",
                "Rijksmuseum", "Naturalis Biodiversity Center", "Kunsthal Rotterdam", "Universiteit Utrecht",
                "Ministerie van Onderwijs, Cultuur en Wetenschap", "Stichting Cultuurfonds Brabant",
                "Vereniging Nederlandse Musea", "Coöperatie Creatief Zuid U.A.", "gemeente Amsterdam",
                "provincie Noord-Holland", "Stadhuis Eindhoven", "EZ-2024-456-A", "987654321", "KvK 12345678",
                "21 februari 2024", "040 238 60 60"):
        assert org in text, org
    assert "Bescherming persoonlijke levenssfeer" not in text and "5.1.2e" not in text


def test_public_officials_in_municipal_documents_stay(peer_run):
    out, _ = peer_run
    verslag = page_text(out / "redacted" / "sample_raadsverslag.pdf")
    for name in ("H.J.J. Lenferink", "Y. van Delft", "A. North", "S. El Idrissi", "P. Goedhart", "Rozendaal"):
        assert name in verslag, name
    for citizen in ("Jolanda de Vries", "Bastiaan Kooij", "Morsstraat 14", "j.devries@voorbeeld.nl", "06-12345678"):
        assert citizen not in verslag, citizen
    besluit = page_text(out / "redacted" / "besluit_ambtenaar.pdf")
    for name in ("P.M. de Vries", "A.B. Bakker", "K.L. Jansen", "F.A. Öztürk"):
        assert name in besluit, name


def test_dev_corpus_bundle_holds_only_what_is_meant_for_publication(dev_run, rules, tmp_path):
    from woo_redact.publication.bundle import build_bundle
    from woo_redact.publication.check import check_bundle
    from woo_redact.publication.items import item_from
    from woo_redact.pdf.read import read

    out, result = dev_run
    items = [item_from(r, read(r.pdf or r.source, rules) if r.status == "ok" else None,
                       keep_words=rules.organisation_words) for r in result.results]
    report = build_bundle(items, tmp_path / "bundle", rules, base_url="https://open.example.nl/woo/")
    assert len(report.rows) == len(result.results) == len(list((DEV / "in").glob("*.pdf")))
    for item, row in zip(items, report.rows):
        says_no = any(f.label.lower() == "nota actief openbaar" and f.value.lower().startswith("nee")
                      for f in item.fields)
        assert row.published == (not says_no and item.status == "ok"), (row.source, row.toelichting)
        if row.published:
            assert row.beoordeling in ("Openbaar", "Deels openbaar")
            assert bool(row.grounds) == (row.beoordeling == "Deels openbaar")
    assert check_bundle(report.path) == []


def test_verify_finds_nothing_on_the_peer_outputs(peer_run):
    from click.testing import CliRunner

    from woo_redact.cli import main

    out, result = peer_run
    for r in result.results:
        if r.status == "ok":
            check = CliRunner().invoke(main, ["verify", str(r.redacted)])
            assert check.exit_code == 0, check.output


def test_no_dev_document_loses_a_word_outside_its_redactions(dev_run, rules, engine):
    assert lost_words(dev_run[1], rules, engine) == {}


def test_no_peer_document_loses_a_word_outside_its_redactions(peer_run, rules, engine):
    assert lost_words(peer_run[1], rules, engine) == {}


def _apply_every_preview(out, tmp_path):
    """Apply every untouched preview of a batch (in a copy of its output): each must apply, and change
    nothing in the redacted text."""
    import shutil

    from click.testing import CliRunner

    from woo_redact.cli import main

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    previews = sorted((copy / "preview").glob("*.pdf"))
    assert previews
    for preview in previews:
        before = page_text(copy / "redacted" / preview.name)
        result = CliRunner().invoke(main, ["apply", str(preview), "--out", str(copy)])
        assert result.exit_code == 0, (preview.name, result.output)
        assert page_text(copy / "redacted" / preview.name) == before, preview.name


def test_every_untouched_dev_preview_applies_and_changes_nothing(dev_run, tmp_path):
    _apply_every_preview(dev_run[0], tmp_path)


def test_every_untouched_peer_preview_applies_and_changes_nothing(peer_run, tmp_path):
    _apply_every_preview(peer_run[0], tmp_path)
