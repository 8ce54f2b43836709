"""The reviewer's round trip: decisions made in the preview with a PDF tool are burned in exactly."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess

import pymupdf
import pytest
from click.testing import CliRunner
from conftest import make_pdf, page_text

from woo_redact.cli import main
from woo_redact.errors import ExitCode
from woo_redact.batch.pipeline import process

TEXT = ("Opgesteld door\nTwan Quaedvlieg\nbeleidsadviseur\n\n\n"
        "Overleg met Noor Haddou en Ilse Brouwersma over de begroting van het Kunstfonds.\n"
        "Burgerservicenummer 111222333 van de aanvrager staat in het dossier.")


@pytest.fixture
def reviewed(tmp_path, rules, engine):
    src = make_pdf(tmp_path / "nota.pdf", [TEXT])
    out = tmp_path / "out"
    assert process(src, out, rules, engine).status == "ok"
    preview = out / "preview" / "nota.pdf"
    doc = pymupdf.open(preview)
    page = doc[1]  # page 1 of the original (the preview's first page is the cover); keep it alive
    def annot_over(word_text):
        w = next(w for w in page.get_text("words") if w[4] == word_text)
        centre = pymupdf.Rect(w[:4]).tl + (pymupdf.Rect(w[:4]).br - pymupdf.Rect(w[:4]).tl) * 0.5
        return next(a for a in page.annots() if centre in a.rect)

    # 1. reject "Noor Haddou"; 2. change the BSN's code to 5.1.1d; 3. draw a box over "Kunstfonds."
    page.delete_annot(annot_over("Haddou"))
    bsn = annot_over("111222333")
    bsn.set_info(content="5.1.1d – bijzonder persoonsgegeven")
    bsn.update()
    word = next(w for w in page.get_text("words") if w[4] == "Kunstfonds.")
    page.add_rect_annot(pymupdf.Rect(word[:4]))
    doc.save(tmp_path / "reviewed.pdf")
    doc.close()
    (tmp_path / "reviewed.pdf").replace(preview)
    return out, preview


def test_apply_burns_in_exactly_the_reviewers_decisions(reviewed):
    out, preview = reviewed
    result = CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = page_text(out / "redacted" / "nota.pdf")
    assert "Noor Haddou" in text  # rejected: readable
    assert "Kunstfonds" not in text  # drawn by the reviewer: gone
    assert "111222333" not in text and "5.1.1d" in text or "Bijzondere persoonsgegevens" in text
    assert "Quaedvlieg" not in text and "Brouwersma" not in text  # the rest as proposed
    with sqlite3.connect(out / "woo-redact.sqlite") as db:
        kinds = [r[0] for r in db.execute("SELECT decision FROM decisions WHERE source = 'reviewer'")]
    assert {"accepted", "rejected", "changed", "added"} <= set(kinds)
    # exported with the batch, without the redacted text
    import csv
    with open(out / "audit.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {"accepted", "rejected", "changed", "added"} <= {r["besluit"] for r in rows if r["bron"] == "reviewer"}
    assert all(r["tijd"] and r["document"] == "nota.pdf" and r["pagina"] for r in rows)
    raw = (out / "audit.csv").read_text(encoding="utf-8")
    assert not any(n in raw for n in ("Quaedvlieg", "Haddou", "Brouwersma", "111222333"))


def test_a_preview_of_another_document_is_refused(reviewed, tmp_path):
    out, preview = reviewed
    other = make_pdf(tmp_path / "ander.pdf", ["Een ander document."])
    fake = out / "preview" / "ander.pdf"
    fake.write_bytes(other.read_bytes())
    (out / "findings" / "ander.json").write_text((out / "findings" / "nota.json").read_text())
    result = CliRunner().invoke(main, ["apply", str(fake), "--out", str(out)])
    assert result.exit_code == ExitCode.input_file
    assert "does not belong" in result.output


def _tinted(rgb):
    """A pixel of a translucent red box over white paper."""
    r, g, b = rgb[:3]
    return r > 150 and g < r - 40 and b < r - 40


@pytest.mark.parametrize("renderer", ["mupdf", "poppler"])
def test_preview_boxes_are_visible_in_two_renderers(tmp_path, rules, engine, renderer):
    import json
    import shutil
    import subprocess

    src = make_pdf(tmp_path / "nota.pdf", [TEXT])
    out = tmp_path / "out"
    process(src, out, rules, engine)
    box = next(f for f in json.loads((out / "findings" / "nota.json").read_text())["findings"]
               if f["decision"] == "redact" and f["entity"] == "PERSON")["boxes"][0]["rect"]
    # a point inside the box but between letters is hard to pick: take the box's top strip
    x, y = (box[0] + box[2]) / 2, box[1] + 1.0
    zoom = 2
    if renderer == "mupdf":
        pix = pymupdf.open(out / "preview" / "nota.pdf")[1].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom))
        png = tmp_path / "page.png"
        pix.save(png)
    else:
        if not shutil.which("pdftoppm"):
            pytest.skip("poppler-utils not installed")
        subprocess.run(["pdftoppm", "-png", "-r", str(72 * zoom), "-f", "2", "-singlefile",
                        str(out / "preview" / "nota.pdf"),
                        str(tmp_path / "page")], check=True)
        png = tmp_path / "page.png"
    pix = pymupdf.Pixmap(str(png))
    assert _tinted(pix.pixel(int(x * zoom), int(y * zoom)))
    assert not _tinted(pix.pixel(5, 5))  # the margin stays white


def test_rejecting_a_person_once_keeps_them_in_the_whole_batch(tmp_path, rules, engine):
    from woo_redact.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "a.pdf", [TEXT])
    make_pdf(src / "b.pdf", ["Afgestemd met\nNoor Haddou (DJZ)\n\n\nHaddou stuurt het stuk rond."])
    out = tmp_path / "out"
    run_batch(src, out, rules, engine)
    assert "Haddou" not in page_text(out / "redacted" / "b.pdf")
    preview = out / "preview" / "a.pdf"
    _reject_in_preview(preview, "Haddou", tmp_path)
    assert CliRunner().invoke(main, ["apply", str(preview), "--out", str(out)]).exit_code == 0
    again = run_batch(src, out, rules, engine)
    assert again.resumed == 0  # the decision about a person redoes every document
    assert "Noor Haddou" in page_text(out / "redacted" / "b.pdf")
    assert "Haddou stuurt" in page_text(out / "redacted" / "b.pdf")


def test_decide_command_redacts_a_person_everywhere(tmp_path, rules, engine):
    from woo_redact.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "a.pdf", ["De woordvoerder, Anouk Terpstra, licht het besluit toe. Terpstra zegt niets."])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["decide", "Anouk Terpstra", "--redact", "--out", str(out)])
    assert result.exit_code == 0, result.output
    run_batch(src, out, rules, engine)
    assert "Terpstra" not in page_text(out / "redacted" / "a.pdf")


def test_preview_starts_with_dutch_instructions_and_keeps_the_original_pages(tmp_path, rules, engine):
    src = make_pdf(tmp_path / "nota.pdf", [TEXT, "Tweede pagina zonder namen."])
    out = tmp_path / "out"
    process(src, out, rules, engine)
    with pymupdf.open(out / "preview" / "nota.pdf") as doc:
        cover = doc[0].get_text()
        assert doc.page_count == 3
        assert "Afwijzen" in cover and "verwijder" in cover and "5.1.1d" in cover
        assert "nooit gepubliceerd" in cover
        assert not list(doc[0].annots())
        assert doc[1].get_text() == pymupdf.open(src)[0].get_text()
        assert [doc[i].get_label() for i in range(3)] == ["Instructie", "1", "2"]
    # a preview is applied into its own batch output, never into another folder
    elsewhere = CliRunner().invoke(main, ["apply", str(out / "preview" / "nota.pdf"), "--out", str(tmp_path / "a")])
    assert elsewhere.exit_code != 0 and f"--out {out}" in elsewhere.output and not (tmp_path / "a").exists()
    # the cover never reaches the redacted output, not even through apply
    assert CliRunner().invoke(main, ["apply", str(out / "preview" / "nota.pdf"), "--out", str(out)]).exit_code == 0
    with pymupdf.open(out / "redacted" / "nota.pdf") as doc:
        assert doc.page_count == 2
        assert "Afwijzen" not in doc[0].get_text() and "Instructie" not in str(doc.get_page_labels())


def test_uncertain_proposals_have_their_own_style(tmp_path, rules, engine):
    import dataclasses

    strict = dataclasses.replace(rules, review=dataclasses.replace(rules.review, uncertain_below=0.99))
    src = make_pdf(tmp_path / "nota.pdf", [TEXT])
    process(src, tmp_path / "out", strict, engine)
    with pymupdf.open(tmp_path / "out" / "preview" / "nota.pdf") as doc:
        page = doc[1]
        styles = {a.info["content"].startswith("ONZEKER"): a.border.get("dashes") for a in page.annots()
                  if a.info["subject"] != "keep"}
    assert styles.get(True) and not styles.get(False)  # uncertain ones dashed, certain ones solid


def _reject_in_preview(preview, word_text, tmp_path):
    """Play the reviewer: delete the proposal over `word_text` and save the preview in place."""
    doc = pymupdf.open(preview)
    page = doc[1]
    word = next(w for w in page.get_text("words") if w[4] == word_text)
    centre = ((word[0] + word[2]) / 2, (word[1] + word[3]) / 2)
    page.delete_annot(next(a for a in page.annots() if centre in a.rect))
    doc.save(tmp_path / "edited.pdf")
    doc.close()
    (tmp_path / "edited.pdf").replace(preview)


def test_batch_applies_reviewed_previews_by_itself_once(tmp_path, rules, engine):
    from woo_redact.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "a.pdf", [TEXT])
    make_pdf(src / "b.pdf", ["Afgestemd met\nIlse Brouwersma (DJZ)\n\n\nZij stuurt het stuk rond."])
    out = tmp_path / "out"
    run_batch(src, out, rules, engine)
    _reject_in_preview(out / "preview" / "a.pdf", "Haddou", tmp_path)

    again = run_batch(src, out, rules, engine)
    assert again.reviewed == 1 and again.resumed == 1
    text = page_text(out / "redacted" / "a.pdf")
    assert "Noor Haddou" in text and "Quaedvlieg" not in text and "111222333" not in text
    result = next(r for r in again.results if r.source.name == "a.pdf")
    proposed = [f for f in json.loads((out / "findings" / "a.json").read_text())["findings"]
                if f["decision"] == "redact"]
    assert result.findings_json.name == "a.reviewed.json"
    assert len(result.redactions) == len(proposed) - 1  # the rejected one is not among the decisions
    with sqlite3.connect(out / "woo-redact.sqlite") as db:
        applied_at = db.execute("SELECT at FROM decisions WHERE source = 'reviewer'").fetchall()
    assert applied_at

    third = run_batch(src, out, rules, engine)  # the review is not applied a second time
    assert third.reviewed == 1
    with sqlite3.connect(out / "woo-redact.sqlite") as db:
        assert db.execute("SELECT at FROM decisions WHERE source = 'reviewer'").fetchall() == applied_at
    assert "Noor Haddou" in page_text(out / "redacted" / "a.pdf")


def test_a_review_of_an_original_that_changed_since_is_kept_aside(tmp_path, rules, engine):
    from woo_redact.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "a.pdf", [TEXT])
    out = tmp_path / "out"
    run_batch(src, out, rules, engine)
    _reject_in_preview(out / "preview" / "a.pdf", "Haddou", tmp_path)
    make_pdf(src / "a.pdf", [TEXT + "\nEen zin die er later bij kwam."])
    again = run_batch(src, out, rules, engine)
    assert again.reviewed == 0
    assert "Haddou" not in page_text(out / "redacted" / "a.pdf")  # proposals of the new original stand
    assert len(list((out / "preview").glob("a.beoordeeld-*.pdf"))) == 1
    assert any("review again" in w for w in again.results[0].warnings)


@pytest.mark.parametrize("rotation", [0, 90])
def test_preview_boxes_sit_on_their_words_on_plain_and_rotated_pages(tmp_path, rules, engine, rotation):
    src = make_pdf(tmp_path / "nota.pdf", [TEXT])
    if rotation:
        doc = pymupdf.open(src)
        doc[0].set_rotation(rotation)
        doc.save(tmp_path / "gedraaid.pdf")
        src = tmp_path / "gedraaid.pdf"
    out = tmp_path / "out"
    process(src, out, rules, engine)
    with pymupdf.open(out / "preview" / src.name) as doc:
        page = doc[1]
        words = {w[4]: pymupdf.Rect(w[:4]) for w in page.get_text("words")}
        boxes = [a.rect for a in page.annots() if a.info["subject"] == "5.1.2e"]
        for name in ("Quaedvlieg", "Brouwersma"):
            centre = (words[name].tl + words[name].br) * 0.5
            assert any(centre in b for b in boxes), (name, boxes)
        assert not any(((words["begroting"].tl + words["begroting"].br) * 0.5) in b for b in boxes)


def test_preview_boxes_are_drawn_by_their_appearance_streams(tmp_path, rules, engine):
    """A proposal is a translucent box in its ground's colour, stretched over its word from a shared
    appearance; a kept person only an outline: rendered as a viewer shows them (MuPDF and Poppler)."""
    src = make_pdf(tmp_path / "nota.pdf", [TEXT + "\nMinister Klever was het ermee eens."])
    out = tmp_path / "out"
    process(src, out, rules, engine)
    preview = out / "preview" / "nota.pdf"
    with pymupdf.open(preview) as doc:
        page = doc[1]
        proposed = [a.rect for a in page.annots() if a.info["subject"] == "5.1.2e"]
        kept = [a.rect for a in page.annots() if a.info["subject"] == "keep"]
        assert proposed and kept
        pix = page.get_pixmap(dpi=144)
    scale = 2.0

    def pixel(p, x, y):
        return p.pixel(int(x * scale), int(y * scale))

    for box in proposed:
        # a point inside the box but between glyphs: left edge plus a hair, at the top of the box
        r, g, b = pixel(pix, box.x0 + 0.6, box.y0 + 0.6)
        assert r > g + 40 and r > b + 40, (box, (r, g, b))  # tinted red (5.1.2e's colour)
    for box in kept:
        inner = pixel(pix, box.x1 - 0.8, (box.y0 + box.y1) / 2 + 0.5)
        assert inner == (255, 255, 255) or min(inner) > 200  # no fill: the name stays readable
    # Poppler draws the same appearance streams
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-f", "2", "-l", "2", "-r", "144", "-png", str(preview), str(tmp_path / "pop")],
                       check=True)
        pop = pymupdf.Pixmap(str(next(tmp_path.glob("pop*.png"))))
        for box in proposed:
            r, g, b = pixel(pop, box.x0 + 0.6, box.y0 + 0.6)[:3]
            assert r > g + 40 and r > b + 40, (box, (r, g, b))


def test_a_reviewed_preview_of_an_email_or_text_file_is_applied_not_set_aside(tmp_path, rules, engine):
    """An e-mail, office or text file is reviewed in the preview of the PDF made of it. The batch took
    that PDF's hash for the original's, found them different, and set every such review aside as if
    the original had changed; a change of the original itself must still set it aside."""
    from woo_redact.batch.run import run_batch

    src = tmp_path / "in"
    src.mkdir()
    note = src / "notitie.txt"
    note.write_text("Notitie\nVan: Femke Zwanenburg\nAan: Sevda Yilmaz\n\nOverleg met Noor Haddou over de begroting.\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    run_batch(src, out, rules, engine)
    preview = out / "preview" / "notitie.txt.pdf"
    _reject_in_preview(preview, "Haddou", tmp_path)
    again = run_batch(src, out, rules, engine)
    assert again.reviewed == 1 and not list((out / "preview").glob("*.beoordeeld-*.pdf"))
    text = page_text(out / "redacted" / "notitie.txt.pdf")
    assert "Haddou" in text and "Zwanenburg" not in text and "Yilmaz" not in text  # the reviewer's decisions
    # the original changes after review: the review no longer fits
    note.write_text(note.read_text(encoding="utf-8") + "Een zin die er later bij kwam.\n", encoding="utf-8")
    third = run_batch(src, out, rules, engine)
    assert third.reviewed == 0 and len(list((out / "preview").glob("*.beoordeeld-*.pdf"))) == 1
    assert any("review again" in w for w in third.results[0].warnings)
    text = page_text(out / "redacted" / "notitie.txt.pdf")
    assert "later bij kwam" in text and "Zwanenburg" not in text  # proposed afresh (Haddou stays kept: the
    # reviewer's decision about that person holds for the batch, see people.yaml)
