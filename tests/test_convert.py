"""The other files of a dossier: e-mails (with attachments), office files and text files are converted
to PDF and redacted like any PDF; what cannot be converted is listed with its reason."""
from __future__ import annotations

import csv
import email
import email.policy
import shutil
from email.message import EmailMessage

import pymupdf
import pytest
from click.testing import CliRunner
from conftest import SHARED, make_pdf, page_text

from woo_redact.batch.run import run_batch
from woo_redact.cli import main
from woo_redact.batch.convert import convert, office_available
from woo_redact.errors import InputFileError

SENDER = "Sanne de Groot-Veldkamp"


def _eml(path, attachment=None):
    msg = EmailMessage()
    msg["From"] = f"{SENDER} <s.degroot-veldkamp@minfin.nl>"
    msg["To"] = "Jelmer Oosterhuis <jelmer.oosterhuis@minfin.nl>"
    msg["Date"] = "Tue, 14 May 2024 10:12:00 +0200"
    msg["Subject"] = "Cijfers migratierapportage"
    msg.set_content("Hoi Jelmer,\n\nMinister Klever wil de cijfers voor het debat. Kun jij ze nalopen?\n\n"
                    f"Met vriendelijke groet,\n{SENDER}\nbeleidsadviseur\n")
    if attachment:
        msg.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf",
                           filename=attachment.name)
    path.write_bytes(bytes(msg))
    return path


def test_an_email_with_a_pdf_attachment_comes_out_redacted_and_linked(tmp_path, rules, engine):
    src = tmp_path / "in"
    src.mkdir()
    bijlage = make_pdf(tmp_path / "notitie.pdf", ["Opgesteld door\nNoor Haddou\n\n\nDe begroting is besproken."])
    _eml(src / "mail.eml", bijlage)
    out = tmp_path / "out"
    result = run_batch(src, out, rules, engine)
    assert not result.failed, [r.error for r in result.failed]
    mail = out / "redacted" / "mail.eml.pdf"
    text = page_text(mail)
    assert "Groot-Veldkamp" not in text and "Oosterhuis" not in text
    assert "Klever" in text and "Cijfers migratierapportage" in text and "notitie.pdf" in text
    child = next(r for r in result.results if r.parent)
    assert child.parent == "mail.eml.pdf" and child.status == "ok"
    assert "Haddou" not in page_text(child.redacted) and "begroting" in page_text(child.redacted)

    # the inventory links the e-mail and its attachment through Family
    bundle = tmp_path / "bundle"
    run = CliRunner().invoke(main, ["package", str(src), "--out", str(out), "--bundle", str(bundle)])
    assert run.exit_code == 0, run.output
    with open(bundle / "inventaris.csv", encoding="utf-8-sig", newline="") as fh:
        sample = fh.read()
    dialect = csv.Sniffer().sniff(sample.splitlines()[0])
    rows = list(csv.DictReader(sample.splitlines(), dialect=dialect))
    by_type = {r["File Type"]: r for r in rows}
    assert set(by_type) == {"email", "pdf"}
    assert by_type["email"]["Family"] and by_type["email"]["Family"] == by_type["pdf"]["Family"]
    assert by_type["pdf"]["Gerelateerd ID"] == by_type["email"]["ID"]


def test_a_text_seed_goes_through_with_its_officials_readable(tmp_path, rules, engine):
    seeds = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []
    if not seeds:
        pytest.skip("seeds not beside the repository")
    src = tmp_path / "in"
    src.mkdir()
    for seed in seeds:
        shutil.copy(seed, src / seed.name)
    out = tmp_path / "out"
    result = run_batch(src, out, rules, engine)
    assert not result.failed, [r.error for r in result.failed]
    texts = {r.source.name: page_text(r.redacted) for r in result.results}
    everything = " ".join(texts.values())
    for official in ("Brekelmans", "Veldkamp", "Faber-van de Klashorst", "Tuinman", "Simons"):
        assert official in everything, official  # ministers and MPs stay readable
    assert "Sint Maarten" in everything  # a place, not a person
    # the seeds were published already: there is no personal data left for the tool to redact
    assert [f for r in result.results for f in r.redactions] == []


@pytest.mark.skipif(office_available() is not None, reason=str(office_available()))
def test_a_docx_with_a_civil_servant_in_its_page_header_is_redacted(tmp_path, rules, engine):
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Opgesteld door: Ilse Brouwersma, DGM"
    document.add_paragraph("Nota over de begroting van het Kunstfonds.")
    document.add_paragraph("Minister Klever heeft ingestemd.")
    src = tmp_path / "in"
    src.mkdir()
    document.save(src / "nota.docx")
    out = tmp_path / "out"
    result = run_batch(src, out, rules, engine)
    assert not result.failed, [r.error for r in result.failed]
    text = page_text(out / "redacted" / "nota.docx.pdf")
    assert "Brouwersma" not in text
    assert "Kunstfonds" in text and "Klever" in text


def test_what_cannot_be_converted_is_reported_and_the_batch_goes_on(tmp_path, rules, engine):
    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "goed.pdf", ["Een gewoon document."])
    (src / "leeg.txt").write_bytes(b"")
    (src / "geen-mail.eml").write_text("dit is geen e-mail\n")
    (src / "tabel.xlsx").write_bytes(b"PK\x03\x04 not really")
    result = run_batch(src, tmp_path / "out", rules, engine)
    status = {r.source.name: (r.status, r.error or "") for r in result.results}
    assert status["goed.pdf"][0] == "ok"
    assert status["leeg.txt"][0] == "failed" and "empty file" in status["leeg.txt"][1]
    assert status["geen-mail.eml"][0] == "failed" and "not an e-mail" in status["geen-mail.eml"][1]
    assert status["tabel.xlsx"][0] == "skipped" and "unsupported file type (.xlsx)" in status["tabel.xlsx"][1]
    assert int(result.exit_code) != 0


def test_convert_refuses_an_unknown_type_with_its_reason(tmp_path):
    path = tmp_path / "x.xyz"
    path.write_text("?")
    with pytest.raises(InputFileError, match="unsupported file type"):
        convert(path, tmp_path / "work")


def test_an_outlook_msg_with_a_pdf_attachment_comes_out_redacted_and_linked(tmp_path, rules, engine):
    from outlook_msg import write_msg

    src = tmp_path / "in"
    src.mkdir()
    bijlage = make_pdf(tmp_path / "notitie.pdf", ["Opgesteld door\nNoor Haddou\n\n\nDe begroting is besproken."])
    (src / "outlook.msg").write_bytes(write_msg(
        f"{SENDER} <s.degroot-veldkamp@minfin.nl>", "Jelmer Oosterhuis <jelmer.oosterhuis@minfin.nl>",
        "Cijfers migratierapportage", "Tue, 14 May 2024 10:12:00 +0200",
        f"Hoi Jelmer,\r\n\r\nMinister Klever wil de cijfers.\r\n\r\nMet vriendelijke groet,\r\n{SENDER}\r\n",
        [("notitie.pdf", bijlage.read_bytes())]))
    result = run_batch(src, tmp_path / "out", rules, engine)
    assert not result.failed, [r.error for r in result.failed]
    mail = next(r for r in result.results if r.source.name == "outlook.msg")
    text = page_text(mail.redacted)
    assert "Groot-Veldkamp" not in text and "Oosterhuis" not in text and "degroot" not in text
    assert "Klever" in text and "Cijfers migratierapportage" in text and "notitie.pdf" in text
    child = next(r for r in result.results if r.parent)
    assert child.parent == "outlook.msg.pdf" and child.status == "ok"
    assert "Haddou" not in page_text(child.redacted) and "begroting" in page_text(child.redacted)


def test_a_damaged_msg_is_reported_with_its_reason(tmp_path):
    path = tmp_path / "kapot.msg"
    path.write_bytes(b"geen compound file")
    with pytest.raises(InputFileError, match="not an Outlook .msg"):
        convert(path, tmp_path / "work")


def test_a_forwarded_email_inside_an_email_is_a_document_of_its_own(tmp_path, rules, engine):
    src = tmp_path / "in"
    src.mkdir()
    inner = _eml(tmp_path / "doorgestuurd.eml")
    outer = EmailMessage()
    outer["From"] = "Ilse Brouwersma <ilse.brouwersma@minfin.nl>"
    outer["To"] = "Twan Quaedvlieg <twan.quaedvlieg@minfin.nl>"
    outer["Subject"] = "FW: Cijfers migratierapportage"
    outer.set_content("Ter info.")
    outer.add_attachment(email.message_from_bytes(inner.read_bytes(), policy=email.policy.default))
    (src / "fw.eml").write_bytes(bytes(outer))
    result = run_batch(src, tmp_path / "out", rules, engine)
    assert not result.failed, [r.error for r in result.failed]
    child = next(r for r in result.results if r.parent == "fw.eml.pdf")
    assert child.status == "ok"
    text = page_text(child.redacted)
    assert "Cijfers migratierapportage" in text and "Klever" in text
    assert "Groot-Veldkamp" not in text and "Oosterhuis" not in text


def test_converted_text_has_no_ligatures_that_hide_it_from_verify(tmp_path):
    from woo_redact.pdf.verify import verify

    made = convert(_eml(tmp_path / "mail.eml"), tmp_path / "work")
    with pymupdf.open(made.pdf) as doc:
        assert "minfin.nl" in doc[0].get_text()  # not "minﬁn.nl" with an fi ligature
    report = verify(made.pdf, ["s.degroot-veldkamp@minfin.nl"])
    assert any(leak.channel == "page_text" for leak in report.leaks)


def test_a_markdown_seed_goes_through(tmp_path, rules, engine):
    seed = SHARED / "seeds" / "001_daa0708a197fef68.txt"  # a motie in Markdown (front matter, ## headings)
    if not seed.exists():
        pytest.skip("seeds not beside the repository")
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(seed, src / "motie.md")
    result = run_batch(src, tmp_path / "out", rules, engine)
    assert [r.status for r in result.results] == ["ok"], [r.error for r in result.results]
    text = page_text(result.results[0].redacted)
    assert "Brekelmans" in text and "migratierapportage" in text and "##" not in text
