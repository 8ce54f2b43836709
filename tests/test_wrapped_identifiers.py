"""An identifier broken over two lines, as a converted .docx wraps a mobile number after its hyphen:
found across the line break like a name, redacted in both halves, and reported by `verify`."""
from __future__ import annotations

import subprocess

import pymupdf
from click.testing import CliRunner
from conftest import page_text

from woo_redact.cli import main
from woo_redact.errors import ExitCode
from woo_redact.batch.pipeline import process


def _wrapped(path):
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Voor vragen over de aanvraag kunt u de behandelaar bellen op 06-", fontsize=11)
    page.insert_text((72, 114), "12345678 of een e-mail sturen naar het algemene adres.", fontsize=11)
    doc.save(path)
    return path


def test_a_phone_number_wrapped_after_its_hyphen_is_redacted_in_both_halves(tmp_path, rules, engine):
    path = _wrapped(tmp_path / "doorgelopen.pdf")
    result = process(path, tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    assert any(f.entity == "PHONE_NUMBER" and f.text == "06-\n12345678" for f in result.redactions)
    for text in (page_text(result.redacted),
                 subprocess.run(["pdftotext", str(result.redacted), "-"], capture_output=True, text=True).stdout):
        assert "12345678" not in text and "06-" not in text
        assert "behandelaar bellen op" in text and "een e-mail sturen" in text
    assert CliRunner().invoke(main, ["verify", str(result.redacted)]).exit_code == 0


def test_verify_reports_the_wrapped_number(tmp_path, engine):
    result = CliRunner().invoke(main, ["verify", str(_wrapped(tmp_path / "doorgelopen.pdf"))])
    assert result.exit_code == ExitCode.verification_failed
    assert "PHONE_NUMBER" in result.output


def test_an_email_address_wrapped_after_a_hyphen_is_redacted_in_both_halves(tmp_path, rules, engine):
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Stuur het verslag voor vrijdag naar de secretaris via jolien.verbeek-", fontsize=11)
    page.insert_text((72, 114), "hartsuiker@minbzk.nl zodat het overleg kan worden voorbereid.", fontsize=11)
    doc.save(tmp_path / "mail.pdf")
    result = process(tmp_path / "mail.pdf", tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    for text in (page_text(result.redacted),
                 subprocess.run(["pdftotext", str(result.redacted), "-"], capture_output=True, text=True).stdout):
        assert "verbeek" not in text and "hartsuiker" not in text and "jolien" not in text
        assert "naar de secretaris via" in text and "zodat het overleg" in text
