"""Files whose object structure is valid but unusual: they are verified and redacted, or refused with
one line, never a traceback."""
from __future__ import annotations

import pikepdf
import pymupdf
from adversarial_pdfs import with_deleted_object
from click.testing import CliRunner
from conftest import page_text

from woo_redact.cli import main
from woo_redact.errors import ExitCode
from woo_redact.batch.pipeline import process

NAME = "Jolien Verbeek-Hartsuiker"


def _with_deleted_and_plain_objects(path):
    """An object that is a plain number (pikepdf gives it as an int), and an incremental update that
    deletes an object and counts one more than it lists (pikepdf gives None)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 72), "Opgesteld door", fontname="helv", fontsize=11)
    page.insert_text((72, 86), NAME, fontname="helv", fontsize=11)
    page.insert_text((72, 100), "beleidsadviseur", fontname="helv", fontsize=11)
    page.insert_text((72, 400), "De werkgroep komt in maart opnieuw bijeen.", fontname="helv", fontsize=11)
    with_deleted_object(doc, path)
    with pikepdf.open(path) as pdf:  # the plant: both kinds of object are there
        kinds = {type(o) for o in pdf.objects}
    assert int in kinds and type(None) in kinds
    return path


def test_verify_runs_to_the_end_on_deleted_and_plain_objects(tmp_path, engine):
    path = _with_deleted_and_plain_objects(tmp_path / "verwijderd.pdf")
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert not isinstance(result.exception, AttributeError), result.exception
    assert result.exit_code == ExitCode.verification_failed, result.output
    assert "leesbare persoonsgegevens" in result.output


def test_redact_sanitises_and_verifies_such_a_file(tmp_path, rules, engine):
    path = _with_deleted_and_plain_objects(tmp_path / "verwijderd.pdf")
    result = process(path, tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    text = page_text(result.redacted)
    assert "Hartsuiker" not in text and "opnieuw bijeen" in text
    assert CliRunner().invoke(main, ["verify", str(result.redacted)]).exit_code == 0
