"""The CLI end to end on generated PDFs, with click's CliRunner."""
from __future__ import annotations

import hashlib
import json

import pikepdf
import pymupdf
import pytest
from click.testing import CliRunner
from conftest import make_pdf, page_text

from woo_redact.cli import main
from woo_redact.errors import ExitCode

NOTA = ("Opgesteld door\nTwan Quaedvlieg\nbeleidsadviseur, DGM\n\n\n"
        "Minister Klever heeft hierover gesproken met het lid Tuinman.\n"
        "Quaedvlieg heeft de cijfers gecontroleerd; mail naar twan.quaedvlieg@minbzk.nl of bel 06-12345678.")
MAIL = ("Van: Haddou, N. (Noor) <noor.haddou@minjenv.nl>\nAan: Ilse Brouwersma <ilse.brouwersma@minjenv.nl>\n"
        "Onderwerp: Stand van zaken\n\nHoi Ilse,\nDe cijfers komen morgen.\nMet vriendelijke groet,\nNoor Haddou")


@pytest.fixture
def in_dir(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    make_pdf(d / "nota 1 – concept.pdf", [NOTA], metadata={"author": "Twan Quaedvlieg", "title": "Concept"})
    make_pdf(d / "mail.pdf", [MAIL])
    (d / "kapot.pdf").write_bytes(b"dit is geen pdf")
    make_pdf(d / "plain.pdf", ["Geheim"])
    with pikepdf.open(d / "plain.pdf") as p:
        p.save(d / "versleuteld.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    (d / "plain.pdf").unlink()
    (d / "begroting.xlsx").write_text("los bestand")
    return d


def _hashes(d):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in d.iterdir()}


def test_batch_processes_good_files_and_names_bad_ones(tmp_path, in_dir, engine):
    before = _hashes(in_dir)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(in_dir), "--out", str(out)])
    assert result.exit_code == ExitCode.input_file, result.output
    assert _hashes(in_dir) == before  # inputs untouched
    # good documents: redacted, preview and findings
    for name in ("nota 1 – concept.pdf", "mail.pdf"):
        assert (out / "redacted" / name).exists() and (out / "preview" / name).exists()
        data = json.loads((out / "findings" / (name[:-4] + ".json")).read_text())
        assert data["findings"] and all({"boxes", "entity", "ground", "rule", "score", "decision"} <= f.keys()
                                        for f in data["findings"])
        assert all("text" not in f for f in data["findings"])
    nota = page_text(out / "redacted" / "nota 1 – concept.pdf")
    assert "Quaedvlieg" not in nota and "06-12345678" not in nota and "twan.quaedvlieg" not in nota
    assert "Klever" in nota and "Tuinman" in nota
    assert "Bescherming persoonlijke levenssfeer" in nota or "5.1.2e" in nota
    with pymupdf.open(out / "redacted" / "nota 1 – concept.pdf") as d:
        assert "Quaedvlieg" not in str(d.metadata)
    mail = page_text(out / "redacted" / "mail.pdf")
    assert "Haddou" not in mail and "Brouwersma" not in mail and "Ilse" not in mail
    # bad documents: one line each, naming the file and the reason; nothing written for them
    assert "kapot.pdf: not a PDF" in result.output
    assert "versleuteld.pdf: encrypted PDF" in result.output
    assert "begroting.xlsx: not processed" in result.output
    assert not (out / "redacted" / "kapot.pdf").exists()
    assert not list(out.rglob("*.tmp"))


def test_preview_carries_labelled_annotations(tmp_path, in_dir, engine):
    out = tmp_path / "out"
    CliRunner().invoke(main, ["batch", str(in_dir), "--out", str(out)])
    with pymupdf.open(out / "preview" / "nota 1 – concept.pdf") as d:
        page = d[1]  # d[0] is the reviewer's cover page
        annots = [(a.info["content"], a.info["id"]) for a in page.annots()]
        text = page.get_text()
    assert "Quaedvlieg" in text  # the preview shows the original
    assert any(c.startswith("5.1.2e") for c, _ in annots)
    assert len({i for _, i in annots}) == len(annots)


def test_password_opens_encrypted_input(tmp_path, in_dir, engine):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["redact", str(in_dir / "versleuteld.pdf"), "--out", str(out), "--password", "u"])
    assert result.exit_code == 0, result.output
    assert "Geheim" in page_text(out / "redacted" / "versleuteld.pdf")


def test_scan_json_and_verify(tmp_path, in_dir, engine):
    runner = CliRunner()
    result = runner.invoke(main, ["scan", "--json", str(in_dir / "mail.pdf")])
    assert result.exit_code == 0
    findings = json.loads(result.output)[0]["findings"]
    assert any(f["entity"] == "EMAIL_ADDRESS" and f["decision"] == "redact" for f in findings)
    # verify: the original is not fit for publication, the redacted output is
    assert runner.invoke(main, ["verify", str(in_dir / "mail.pdf")]).exit_code == ExitCode.verification_failed
    out = tmp_path / "out"
    runner.invoke(main, ["redact", str(in_dir / "mail.pdf"), "--out", str(out)])
    check = runner.invoke(main, ["verify", str(out / "redacted" / "mail.pdf")])
    assert check.exit_code == 0, check.output


def test_broken_rules_stop_the_tool(tmp_path, in_dir):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "grounds.yaml").write_text("grounds: [unclosed\n")
    result = CliRunner().invoke(main, ["batch", str(in_dir), "--out", str(tmp_path / "o"), "--rules", str(rules)])
    assert result.exit_code == ExitCode.rules_error
    assert "grounds.yaml" in result.output


def test_every_command_is_documented():
    for name, cmd in main.commands.items():
        assert cmd.help, name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0
