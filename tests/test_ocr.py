"""Scanned pages: read by Tesseract (Dutch), redacted in the pixels, given back a text layer without the
redacted words, and flagged to the reviewer when OCR cannot be trusted."""
from __future__ import annotations

import re

import pymupdf
import pytest
from conftest import make_scan, page_text

from woo_redact.pdf import ocr
from woo_redact.batch.pipeline import process

pytestmark = pytest.mark.skipif(ocr.available() is not None, reason=str(ocr.available()))

NOTA = ("Opgesteld door\nTwan Quaedvlieg\nbeleidsadviseur\n\n\n"
        "De begroting van het Kunstfonds is besproken met Noor Haddou.\n"
        "Minister Klever heeft het stuk ontvangen.")


def _ocr(path, page=0) -> str:
    with pymupdf.open(path) as doc:
        p = doc[page]
        tp = p.get_textpage_ocr(language="nld", dpi=200, full=True)
        return " ".join(p.get_text(textpage=tp).split())


def test_a_scanned_name_is_gone_from_pixels_and_text_and_the_rest_stays_searchable(tmp_path, rules, engine):
    src = make_scan(tmp_path / "scan.pdf", [NOTA])
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok", result.error
    assert any("read by OCR" in w for w in result.warnings)
    redacted = out / "redacted" / "scan.pdf"
    # the invisible text layer: searchable, labelled, without the redacted words
    text = page_text(redacted)
    assert "Kunstfonds" in text and "Klever" in text
    assert "5.1.2e" in text
    assert not re.search(r"Quaedvlieg|Haddou", text)
    # what OCR reads in the output image
    seen = _ocr(redacted)
    assert "Kunstfonds" in seen and "Klever" in seen
    assert "Quaedvlieg" not in seen and "Haddou" not in seen
    assert "5.1.2e" in seen  # the box's label, readable for the platform's own OCR


def test_the_pixels_under_a_box_are_blank_in_the_image_itself(tmp_path, rules, engine):
    src = make_scan(tmp_path / "scan.pdf", [NOTA])
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    box = next(f for f in result.redactions if f.entity == "PERSON").boxes[0][1]
    with pymupdf.open(src) as before, pymupdf.open(out / "redacted" / "scan.pdf") as after:
        def ink_under_box(doc):
            page = doc[0]
            xref = page.get_images()[0][0]
            image_rect = page.get_image_rects(xref)[0]
            pix = pymupdf.Pixmap(doc, xref)  # the image as stored in the file, not as rendered
            sx, sy = pix.width / image_rect.width, pix.height / image_rect.height
            x0, y0 = int((box[0] - image_rect.x0) * sx) + 2, int((box[1] - image_rect.y0) * sy) + 2
            x1, y1 = int((box[2] - image_rect.x0) * sx) - 2, int((box[3] - image_rect.y0) * sy) - 2
            values = [pix.pixel(x, y)[0] for x in range(x0, x1, 2) for y in range(y0, y1, 2)]
            return sum(1 for v in values if v < 128)

        assert ink_under_box(before) > 20  # the name was there, in the pixels
        assert ink_under_box(after) == 0  # and is gone from the image data, not only covered


def test_a_page_scanned_sideways_is_read_the_right_way_up(tmp_path, rules, engine):
    src = make_scan(tmp_path / "gedraaid.pdf", [NOTA], rotate=90)
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok", result.error
    assert {f.entity for f in result.redactions} >= {"PERSON"}
    text = page_text(out / "redacted" / "gedraaid.pdf")
    assert "Kunstfonds" in text and "Haddou" not in text and "Quaedvlieg" not in text


def test_mixed_document_is_read_page_by_page(tmp_path, rules, engine):
    src = make_scan(tmp_path / "gemengd.pdf", [NOTA, "Afgestemd met\nIlse Brouwersma\n\n\nZie de bijlage."],
                    text_pages=(1,))
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok"
    text = page_text(out / "redacted" / "gemengd.pdf")
    assert "Haddou" not in text and "Brouwersma" not in text and "bijlage" in text
    assert any("1 scanned page(s)" in w for w in result.warnings)


def test_a_scan_ocr_cannot_trust_is_flagged_for_the_reviewer(tmp_path, rules, engine):
    src = make_scan(tmp_path / "vaag.pdf", [NOTA], dpi=40, fontsize=7)
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok"
    assert any("low OCR confidence" in w for w in result.warnings)
    with pymupdf.open(out / "preview" / "vaag.pdf") as doc:
        page = doc[1]
        notes = [a.info["content"] for a in page.annots() if a.info["subject"] == "note"]
    assert notes and "onbetrouwbaar" in notes[0]


def test_verify_checks_the_words_ocr_read_and_catches_a_name_left_in_the_image(tmp_path, rules):
    from woo_redact.pdf.read import read
    from woo_redact.pdf.verify import verify

    src = make_scan(tmp_path / "scan.pdf", [NOTA])
    assert not verify(src, ["Quaedvlieg"]).leaks  # no text anywhere: only OCR can see it
    words = read(src, rules).ocr_words()  # what the pipeline read once; verification does not read it again
    report = verify(src, ["Quaedvlieg"], ocr_words=words, boxes={0: []})
    assert [leak.channel for leak in report.leaks] == ["image_ocr"]
    name = next(w for w in words[0] if w.text.startswith("Quaedvlieg"))
    assert verify(src, ["Quaedvlieg"], ocr_words=words, boxes={0: [name.rect]}).ok


def test_applying_a_reviewed_scan_keeps_it_searchable_and_redacted(tmp_path, rules, engine):
    from click.testing import CliRunner

    from woo_redact.cli import main

    src = make_scan(tmp_path / "scan.pdf", [NOTA])
    out = tmp_path / "out"
    process(src, out, rules, engine)
    result = CliRunner().invoke(main, ["apply", str(out / "preview" / "scan.pdf"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = page_text(out / "redacted" / "scan.pdf")
    assert "Kunstfonds" in text and "Quaedvlieg" not in text and "Haddou" not in text


def test_a_scan_with_a_stamped_page_number_is_still_read(tmp_path, rules, engine):
    src = make_scan(tmp_path / "gestempeld.pdf", [NOTA])
    with pymupdf.open(src) as doc:
        doc[0].insert_text((500, 820), "Pagina 1", fontsize=8)  # text added after scanning
        doc.save(tmp_path / "stamped.pdf")
    result = process(tmp_path / "stamped.pdf", tmp_path / "out", rules, engine)
    assert result.status == "ok"
    text = page_text(result.redacted)
    assert "Pagina 1" in text and "Kunstfonds" in text
    assert "Quaedvlieg" not in text and "Haddou" not in text


def test_a_slightly_skewed_scan_is_read(tmp_path, rules, engine):
    straight = make_scan(tmp_path / "recht.pdf", [NOTA], dpi=200)
    skewed = pymupdf.open()
    with pymupdf.open(straight) as src:
        page = skewed.new_page(width=595, height=842)
        page.show_pdf_page(page.rect, src, 0, rotate=-2.5)  # a page fed into the scanner a little askew
        pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    scan = pymupdf.open()
    scan.new_page(width=595, height=842).insert_image(pymupdf.Rect(0, 0, 595, 842), stream=pix.tobytes("png"))
    scan.save(tmp_path / "scheef.pdf")
    assert "Haddou" in _ocr(tmp_path / "scheef.pdf")  # the name is there to be read
    result = process(tmp_path / "scheef.pdf", tmp_path / "out", rules, engine)
    assert result.status == "ok"
    assert "Haddou" not in _ocr(result.redacted) and "Quaedvlieg" not in _ocr(result.redacted)
    assert "Kunstfonds" in page_text(result.redacted)


def test_packaging_takes_a_scans_words_from_the_ocr_cache_not_from_tesseract_again(tmp_path):
    """`batch --bundle` and `package` read every document again for the inventory and the text versions;
    a scan is read by Tesseract once (its words kept in OUT/.ocr), the bundle's text is the same. Counted
    with a `tesseract` on PATH that logs each call and runs the real one."""
    import os
    import shutil
    import subprocess
    import sys

    from conftest import REPO

    src = tmp_path / "in"
    src.mkdir()
    make_scan(src / "scan.pdf", [NOTA, "Tweede pagina.\nNoor Haddou belt terug over de begroting."])
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "calls.log"
    (shim / "tesseract").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec {shutil.which("tesseract")} "$@"\n')
    (shim / "tesseract").chmod(0o755)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}

    def woo(*args):
        run = subprocess.run([sys.executable, "-m", "woo_redact.cli", *args], capture_output=True, text=True,
                             env=env, cwd=REPO, timeout=600)
        assert run.returncode == 0, run.stderr + run.stdout
        calls = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return [c for c in calls if "tsv" in c]

    out = tmp_path / "out"
    first = woo("batch", str(src), "--out", str(out))
    assert first and list((out / ocr.CACHE_DIR).glob("*.json"))
    again = woo("package", str(src), "--out", str(out), "--bundle", str(tmp_path / "bundle"),
                "--base-url", "https://open.example.nl/woo/")
    assert again == []  # the resumed batch and the bundle's reads: no OCR of the original again
    text = next((tmp_path / "bundle" / "documents").glob("*.txt")).read_text(encoding="utf-8")
    assert "Kunstfonds" in text and "Haddou" not in text and "Quaedvlieg" not in text


def test_a_widened_box_on_a_scan_stops_at_the_words_beside_the_name(tmp_path, rules, engine):
    """Boxes over names widen to a standard width, but only into free space: on a scan the words beside
    the name are only in the image, so the widening must see the OCR words (it did not: "en" after the
    name lost its pixels and its place in the text layer)."""
    src = make_scan(tmp_path / "scan.pdf", ["Het overleg over de begroting is besproken met Ilse Bos en de minister "
                                            "van Financien.\nDaarna volgde de rest van de agenda."])
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok", result.error
    text = " ".join(page_text(out / "redacted" / "scan.pdf").split())
    assert "Bos" not in text and "Ilse" not in text
    assert "besproken met" in text and "en de minister" in text  # the text layer: words no box touches


def test_the_text_layer_of_a_redacted_scan_keeps_its_spaces_and_the_words_beside_a_box(tmp_path, rules, engine):
    """The invisible words are stretched to their image: without a space after each, a reader glued them
    ("Hetoverleg") and a search for a phrase found nothing; a word a box only touches ("T" before a
    redacted phone number) was taken out with the box's glyphs."""
    src = make_scan(tmp_path / "scan.pdf", ["Het overleg over de begroting is verplaatst naar donderdag.\n"
                                            "Contactpersoon\nIlse Bos\nT 070 349 1234\nM 06-41234567"])
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok", result.error
    with pymupdf.open(out / "redacted" / "scan.pdf") as doc:
        page = doc[0]
        assert page.search_for("Het overleg over de begroting")
        lines = [ln.strip() for ln in page.get_text().splitlines()]
    assert "T" in lines and "M" in lines, lines
    assert not any("1234" in ln or "Bos" in ln for ln in lines)


def _nota_with_screenshot(path, logo: bool = False, band: bool = False):
    """A born-digital nota page with a pasted screenshot of an e-mail header (an image, no text layer);
    or with a large image that runs to the top edge, as a letterhead's logo band does."""
    shot = pymupdf.open()
    sp = shot.new_page(width=360, height=110)
    sp.insert_text((10, 25), "Van: Noor Haddou <noor.haddou@minbzk.nl>\nVerzonden: 3 mei 2024 10:12\n"
                             "Aan: Team Opvang\nOnderwerp: cijfers opvang", fontsize=11)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((60, 80), "Nota over de opvang van ontheemden. Hieronder staat de e-mail waarin de cijfers\n"
                               "werden gedeeld met het team; de minister heeft die cijfers gezien.", fontsize=10)
    if logo:  # a small image: a logo, no text worth reading
        page.insert_image(pymupdf.Rect(480, 30, 540, 60), pixmap=sp.get_pixmap(dpi=30))
    elif band:  # large, but from the page's top edge down: the letterhead
        page.insert_image(pymupdf.Rect(300, -20, 480, 90), pixmap=sp.get_pixmap(dpi=100))
    else:
        page.insert_image(pymupdf.Rect(60, 120, 420, 230), pixmap=sp.get_pixmap(dpi=200))
    page.insert_text((60, 260), "De cijfers worden in de volgende rapportage verwerkt.", fontsize=10)
    doc.save(path)
    return path


def test_a_name_in_a_screenshot_on_a_text_page_is_found_and_its_pixels_go(tmp_path, rules, engine):
    """A page with a text layer is no scan, but a pasted screenshot of an e-mail on it names people: its
    large images are read by OCR, the names are redacted in their pixels, and verification reads the
    page again."""
    src = _nota_with_screenshot(tmp_path / "nota.pdf")
    out = tmp_path / "out"
    result = process(src, out, rules, engine)
    assert result.status == "ok", result.error
    assert any("text in images read by OCR on p. 1" in w for w in result.warnings)
    assert {f.text for f in result.findings if f.decision == "redact"} >= {"Noor Haddou", "noor.haddou@minbzk.nl"}
    redacted = out / "redacted" / "nota.pdf"
    seen = _ocr(redacted)
    assert "Haddou" not in seen and "haddou" not in seen
    assert "Verzonden" in seen and "Team Opvang" in seen  # the rest of the screenshot stays
    assert "de minister heeft die cijfers gezien" in " ".join(page_text(redacted).split())


def test_a_small_image_on_a_text_page_is_not_read(tmp_path, rules, engine):
    from woo_redact.pdf.read import read

    document = read(_nota_with_screenshot(tmp_path / "logo.pdf", logo=True), rules)
    assert document.image_text_pages == [] and document.ocr_confidence == {}


def test_a_letterhead_band_at_the_top_edge_is_not_read(tmp_path, rules):
    from woo_redact.pdf.read import read

    document = read(_nota_with_screenshot(tmp_path / "band.pdf", band=True), rules)
    assert document.image_text_pages == [] and document.ocr_confidence == {}


def test_a_scanned_dossier_is_read_several_pages_at_once_with_the_same_words(tmp_path, rules):
    """With more than one job, Tesseract reads several pages of one document at once (a scanned dossier
    of 300 pages is five minutes of OCR on one core); the words are the same as page by page."""
    import os
    import shutil
    import subprocess
    import sys

    from conftest import REPO

    from woo_redact.pdf.read import read

    pages = [f"Pagina {i}.\nDe begroting van het Kunstfonds is besproken met Noor Haddou." for i in range(1, 5)]
    src = make_scan(tmp_path / "dossier.pdf", pages)
    one, two = read(src, rules, jobs=1), read(src, rules, jobs=2)
    assert [(w.page, w.text, w.rect) for w in one.words] == [(w.page, w.text, w.rect) for w in two.words]
    assert one.ocr_confidence == two.ocr_confidence and len(one.ocr_confidence) == 4
    # and they did run side by side: a tesseract on PATH that notes when each call starts and ends
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "calls.log"
    (shim / "tesseract").write_text(
        f'#!/bin/sh\ncase "$*" in *tsv*) echo "start $(date +%s.%N)" >> "{log}";; esac\n'
        f'{shutil.which("tesseract")} "$@"; rc=$?\n'
        f'case "$*" in *tsv*) echo "end $(date +%s.%N)" >> "{log}";; esac\nexit $rc\n')
    (shim / "tesseract").chmod(0o755)
    (tmp_path / "in").mkdir()
    shutil.copy(src, tmp_path / "in" / "dossier.pdf")
    run = subprocess.run([sys.executable, "-m", "woo_redact.cli", "batch", str(tmp_path / "in"), "--out",
                          str(tmp_path / "out"), "--workers", "2", "--quiet"], capture_output=True, text=True,
                         env={**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stderr
    running = most = 0
    for _, event in sorted((float(t), e) for e, t in (line.split() for line in log.read_text().splitlines())):
        running += 1 if event == "start" else -1
        most = max(most, running)
    assert most >= 2


def test_a_scanners_searchable_pdf_is_read_from_its_own_text_layer(tmp_path, rules):
    """The scan behind the whole page with the scanner's invisible text on it: the text layer is read
    (no OCR again, which would cost two seconds a page on a long dossier)."""
    from woo_redact.pdf.read import read

    src = make_scan(tmp_path / "scan.pdf", [NOTA])
    with pymupdf.open(src) as doc:
        page = doc[0]
        page.insert_text((60, 80), "Opgesteld door Twan Quaedvlieg beleidsadviseur. De begroting van het "
                                   "Kunstfonds is besproken met Noor Haddou.", fontsize=9, render_mode=3)
        doc.save(tmp_path / "searchable.pdf")
    document = read(tmp_path / "searchable.pdf", rules)
    assert document.ocr_confidence == {} and document.image_text_pages == []
    assert "Noor Haddou" in document.text


def test_a_one_line_screenshot_is_read_and_its_widened_box_leaves_the_next_word(tmp_path, rules, engine):
    """A screenshot of one line is small (4 % of the page) but names a person; the box over the name
    widens only into free space, which on an image means: not over the words OCR read beside it."""
    shot = pymupdf.open()
    sp = shot.new_page(width=360, height=60)
    sp.insert_text((10, 25), "Behandeld door Ilse Bos namens het team opvang.", fontsize=11)
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((60, 80), "Nota over de opvang van ontheemden. Hieronder staat de e-mail waarin de cijfers\n"
                               "werden gedeeld met het team; de minister heeft die cijfers gezien.", fontsize=10)
    page.insert_image(pymupdf.Rect(60, 120, 420, 180), pixmap=sp.get_pixmap(dpi=200))
    doc.save(tmp_path / "nota.pdf")
    out = tmp_path / "out"
    result = process(tmp_path / "nota.pdf", out, rules, engine)
    assert result.status == "ok", result.error
    assert [f.text for f in result.findings if f.decision == "redact"] == ["Ilse Bos"]
    seen = _ocr(out / "redacted" / "nota.pdf")
    assert "Bos" not in seen and "Behandeld door" in seen and "namens het team" in seen, seen
