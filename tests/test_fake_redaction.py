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


def _design(tmp_path):
    """A WCAG report's level badges, numbered headings on a dark band, a slide's light text on a dark
    panel: light text drawn over dark shapes, meant to be read."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 60), "Toegankelijkheidsrapport van de gemeentelijke website", fontsize=12)
    for i, level in enumerate(["A", "AA", "A", "AA"]):
        y = 100 + i * 30
        page.draw_rect(pymupdf.Rect(60, y - 12, 90, y + 6), color=None, fill=(0.1, 0.1, 0.3))
        page.insert_text((64, y), level, fontsize=11, color=(1, 1, 1))
        page.insert_text((100, y), f"Succescriterium {i + 1} is gecontroleerd.", fontsize=11)
    page.draw_rect(pymupdf.Rect(50, 250, 545, 275), color=None, fill=(0.05, 0.2, 0.4))
    page.insert_text((60, 268), "2.1 Bevindingen", fontsize=14, color=(1, 1, 1))
    page.draw_rect(pymupdf.Rect(50, 300, 300, 330), color=None, fill=(0, 0, 0))
    page.insert_text((60, 320), "een plan van aanpak", fontsize=12, color=(0.95, 0.9, 0.2))
    doc.save(tmp_path / "ontwerp.pdf")
    return tmp_path / "ontwerp.pdf"


def test_light_text_on_a_dark_shape_is_design_not_a_fake_redaction(tmp_path, rules, engine):
    from woo_redact.batch.pipeline import process

    path = _design(tmp_path)
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert "fake redaction" not in result.output, result.output
    done = process(path, tmp_path / "out", rules, engine)
    assert done.status == "ok", done.error
    text = page_text(done.redacted)
    assert "AA" in text and "2.1 Bevindingen" in text and "een plan van aanpak" in text


def _hidden_variants(tmp_path):
    """Three ways to hide a word that stays in the text layer: black text on a black box drawn after
    it, a light word under a black box drawn over it, and a black picture pasted over a word."""
    src = make_pdf(tmp_path / "verborgen.pdf", ["Het project wordt geleid door de afdeling Stadsbeheer.\n"
                                                 "Het budget bedraagt vierhonderdduizend euro volgens de begroting.\n"
                                                 "De aannemer is Bouwbedrijf Kortenhoeve uit Almere.\n"
                                                 "Contactpersoon is mevrouw Terlouw van de afdeling."])
    doc = pymupdf.open(src)
    page = doc[0]
    words = {w[4]: pymupdf.Rect(w[:4]) for w in page.get_text("words")}
    page.draw_rect(words["vierhonderdduizend"] + (-1, -1, 1, 1), color=None, fill=(0, 0, 0))  # over black text
    page.draw_rect(words["Kortenhoeve"] + (-1, -1, 1, 1), color=None, fill=(0.15, 0.15, 0.15))
    page.insert_text((words["Kortenhoeve"].x0, words["Kortenhoeve"].y1 - 3), "Kortenhoeve", fontsize=10,
                     color=(0.1, 0.1, 0.1))  # drawn after the box, in about its colour
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 2), False)
    pix.clear_with(0)  # a black picture
    page.insert_image(words["Terlouw"] + (-1, -1, 1, 1), pixmap=pix, keep_proportion=False)
    doc.save(tmp_path / "verborgen2.pdf")
    return tmp_path / "verborgen2.pdf"


def test_a_dark_shape_over_text_of_its_colour_and_a_black_picture_are_fake_redactions(tmp_path, rules, engine):
    from woo_redact.pdf.read import read

    path = _hidden_variants(tmp_path)
    covered = read(path, rules).covered
    with pymupdf.open(path) as doc:
        words = {w[4]: pymupdf.Rect(w[:4]) for w in doc[0].get_text("words")}
    hit = {name for name in ("vierhonderdduizend", "Kortenhoeve", "Terlouw")
           if any(pymupdf.Rect(r).contains((words[name].tl + words[name].br) / 2) for _, r in covered)}
    assert hit == {"vierhonderdduizend", "Kortenhoeve", "Terlouw"}, covered
    result = CliRunner().invoke(main, ["verify", str(path)])
    assert result.exit_code == ExitCode.verification_failed and "fake redaction" in result.output
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["redact", str(path), "--out", str(out)]).exit_code == 0
    text = page_text(out / "redacted" / path.name)
    for name in ("vierhonderdduizend", "Kortenhoeve", "Terlouw"):
        assert name not in text
    assert "Het budget bedraagt" in text and "Stadsbeheer" in text and "uit Almere" in text


def _marked(tmp_path):
    """Redaction annotations someone drew and never applied: over a word on the page the tool redacts
    anyway (it names a person), over a word on a page it would not touch, and over a signature."""
    src = make_pdf(tmp_path / "gemarkeerd.pdf", [
        "Opgesteld door: Jolien Verbeek-Hartsuiker\nHet budget bedraagt vierhonderdduizend euro.",
        "De aannemer is Bouwbedrijf Kortenhoeve uit Almere.\nOndertekend door de directeur:"])
    doc = pymupdf.open(src)
    first, second = doc[0], doc[1]
    first.add_redact_annot(first.search_for("vierhonderdduizend")[0])
    second.add_redact_annot(second.search_for("Kortenhoeve")[0], text="5.1.2e")
    signature = pymupdf.Rect(60, 140, 200, 180)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 70, 20), False)
    pix.set_rect(pix.irect, (20, 40, 160))
    second.insert_image(signature, pixmap=pix)
    second.add_redact_annot(signature)
    doc.save(tmp_path / "gemarkeerd2.pdf")
    return tmp_path / "gemarkeerd2.pdf", signature


def test_unapplied_redaction_annotations_are_proposed_and_burned_in_on_every_page(tmp_path, rules, engine):
    import subprocess

    from woo_redact.batch.pipeline import process

    path, signature = _marked(tmp_path)
    result = process(path, tmp_path / "out", rules, engine)
    assert result.status == "ok", result.error
    marked = [f for f in result.findings if f.entity == "MARKED"]
    assert {f.text for f in marked} >= {"vierhonderdduizend", "Kortenhoeve"}
    assert any(f.boxes and f.boxes[0][0] == 1 and not f.text for f in marked)  # the signature's area
    texts = [page_text(result.redacted),
             subprocess.run(["pdftotext", str(result.redacted), "-"], capture_output=True, text=True).stdout]
    for text in texts:
        assert "vierhonderdduizend" not in text and "Kortenhoeve" not in text and "Hartsuiker" not in text
        assert "Het budget bedraagt" in " ".join(text.split()) and "uit Almere" in text
    with pymupdf.open(result.redacted) as doc:
        assert not any(a.type[1] == "Redact" for page in doc for a in page.annots() or [])
        words = [w[4] for w in doc[1].get_text("words")]
        assert "5.1.2e" in words or "Bescherming" in words  # our labelled box, also on the page nothing else named
        images = doc[1].get_images()
        if images:  # wholly under the box, MuPDF drops the picture; else its pixels are blanked
            assert pymupdf.Pixmap(doc, images[0][0]).pixel(35, 10)[:3] != (20, 40, 160)
