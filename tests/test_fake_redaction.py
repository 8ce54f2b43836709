"""Incoming files with black boxes drawn over text that is still there."""
from __future__ import annotations

import pymupdf
from click.testing import CliRunner
from conftest import make_pdf, page_text

from woo_redact.cli import main
from woo_redact.errors import ExitCode


def _fake(tmp_path):
    src = make_pdf(tmp_path / "nep.pdf", ["Het project wordt geleid door de afdeling Stadsbeheer.\n"
                                          "Het budget bedraagt vierhonderdduizend euro volgens de begroting."])
    doc = pymupdf.open(src)
    page = doc[0]
    word = next(w for w in page.get_text("words") if w[4] == "vierhonderdduizend")
    page.draw_rect(pymupdf.Rect(word[:4]) + (-1, -1, 1, 1), color=(0, 0, 0), fill=(0, 0, 0))
    doc.save(tmp_path / "nep-gelakt.pdf")
    return tmp_path / "nep-gelakt.pdf"


def test_verify_reports_a_fake_redaction(tmp_path, engine):
    path = _fake(tmp_path)
    assert "vierhonderdduizend" in page_text(path)  # the box hides nothing from copy-paste
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == ExitCode.verification_failed
    assert "fake redaction" in result.output


def test_redact_makes_it_real(tmp_path, engine):
    path = _fake(tmp_path)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["redact", str(path), "--out", str(out)]).exit_code == 0
    text = page_text(out / "redacted" / path.name)
    assert "vierhonderdduizend" not in text
    assert "Het budget bedraagt" in text and "Stadsbeheer" in text


def test_a_table_rule_or_a_black_heading_bar_is_no_fake_redaction(tmp_path, engine):
    src = make_pdf(tmp_path / "tabel.pdf", ["Kop van de tabel\nRegel met tekst onder een lijn."])
    doc = pymupdf.open(src)
    page = doc[0]
    page.draw_line((50, 95), (500, 95), color=(0, 0, 0), width=2)  # a rule
    doc.save(tmp_path / "tabel2.pdf")
    result = CliRunner().invoke(main, ["verify", str(tmp_path / "tabel2.pdf")])
    assert "fake redaction" not in result.output
