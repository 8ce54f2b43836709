"""A reviewer's day: Dutch words in the preview and on review.html, a page that fits a laptop screen, boxes
that leave punctuation readable, Dutch dates in converted e-mails, labels one can read at 100 %."""
from __future__ import annotations

import re
import shutil
import subprocess

import pymupdf
import pytest
from conftest import REPO, make_pdf, page_text

from woo_redact.batch.run import run_batch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
DEVELOPER_WORDS = re.compile(r"Recognizer|PERSON|PHONE_NUMBER|EMAIL_ADDRESS|civil servant|found by|public official|"
                             r"header:|greeting|signature")


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory, rules, engine):
    tmp = tmp_path_factory.mktemp("reviewer")
    src = tmp / "in"
    src.mkdir()
    make_pdf(src / "nota.pdf", ["Opgesteld door\nTwan Quaedvlieg\nbeleidsadviseur\n\n\n"
                                "Minister Klever sprak met Noor Haddou (T 06-12345678).\n\nHoi Jelmer, dank je.\n"
                                "Met vriendelijke groet,\nIlse Brouwersma"])
    make_pdf(src / "een document met een heel lange naam die niet afbreekt_en_nog_veel_langer_zonder_spaties.pdf",
             ["Aanwezig: Sevda Yilmaz-Bosman, Gijs van der Plas-Aydin, Marloes Veenstra-Oosterhuis\n\n\n"
              "Het overleg ging over de begroting van de afdeling Bestuurlijke Verhoudingen en Digitale Zaken."])
    shutil.copy(REPO / "samples" / "email.pdf", src / "email.pdf")  # a thread: names found in many places
    out = tmp / "out"
    run_batch(src, out, rules, engine)
    return out


def test_preview_notes_and_review_page_speak_dutch_and_recognisers_stay_in_the_audit(batch_out):
    with pymupdf.open(batch_out / "preview" / "nota.pdf") as doc:
        notes = [a.info["content"] for page in doc for a in page.annots() or []]
        cover = doc[0].get_text()
    assert any(n.endswith("naam (kop: Opgesteld door)") for n in notes), notes
    assert any(n.endswith(": telefoonnummer") for n in notes), notes
    assert any(n.startswith("niet gelakt – publieke functionaris") for n in notes), notes
    assert not [n for n in notes if DEVELOPER_WORDS.search(n)], notes
    assert not DEVELOPER_WORDS.search(cover)
    html = (batch_out / "review.html").read_text(encoding="utf-8")
    body = re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1].split("<script>", 1)[0])
    assert "naam (kop: Opgesteld door)" in body and "telefoonnummer" in body
    assert not DEVELOPER_WORDS.search(body), DEVELOPER_WORDS.search(body)
    audit = (batch_out / "audit.csv").read_text(encoding="utf-8")
    assert "NlPhoneRecognizer" in audit and "header:Opgesteld door" in audit  # the audit keeps the detail


def _browser(width: int, height: int):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium and chromedriver (Debian: chromium, chromium-driver) are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--allow-file-access-from-files", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(width, height)
    return driver


def test_the_review_page_fits_a_1366_by_768_screen(batch_out):
    driver = _browser(1366, 768)
    try:
        driver.get((batch_out / "review.html").as_uri())
        driver.execute_script("for (const i of document.images) { i.loading = 'eager'; }")
        inner = driver.execute_script("return window.innerWidth")
        assert inner <= 1366
        assert driver.execute_script("return document.documentElement.scrollWidth") <= inner
        # every column of every table, the Status column last, is within the window
        right = driver.execute_script(
            "return Math.max(...[...document.querySelectorAll('th, td')].map(c => c.getBoundingClientRect().right))")
        assert right <= inner, (right, inner)
        status = driver.execute_script(
            "const h = [...document.querySelectorAll('th')].filter(t => t.textContent === 'Status');"
            "return h.map(t => t.getBoundingClientRect().right)")
        assert status and max(status) <= inner
    finally:
        driver.quit()


def test_a_box_leaves_the_punctuation_after_a_name_readable(batch_out):
    redacted = batch_out / "redacted" / "nota.pdf"
    text = page_text(redacted)
    assert "Jelmer" not in text and "Quaedvlieg" not in text
    with pymupdf.open(redacted) as doc:
        words = doc[0].get_text("words")
    hoi = next(w for w in words if w[4] == "Hoi")
    line = sorted((w for w in words if abs(w[1] - hoi[1]) < 2 and w[0] > hoi[0] and w[4] != "5.1.2e"),
                  key=lambda w: w[0])
    assert line and line[0][4].startswith(","), line  # the comma stands right after the box
    if shutil.which("pdftotext"):  # and poppler reads it the same way
        poppler = subprocess.run(["pdftotext", "-layout", str(redacted), "-"], capture_output=True, text=True).stdout
        assert re.search(r"Hoi\s.*,\s*dank je", poppler) and "Jelmer" not in poppler


def test_boxes_say_their_label_or_code_at_a_size_a_reader_can_read_at_100_percent(batch_out):
    from woo_redact.pdf.burn import LEGIBLE_PX, fit_label

    for name in ("nota.pdf", "een document met een heel lange naam die niet afbreekt_en_nog_veel_langer_zonder_spaties.pdf"):
        with pymupdf.open(batch_out / "redacted" / name) as doc:
            spans = [s for b in doc[0].get_text("dict")["blocks"] for line in b.get("lines", [])
                     for s in line["spans"] if s["text"].strip() in ("5.1.2e", "Bescherming persoonlijke levenssfeer")]
        assert spans
        for s in spans:  # pixels at 100 % zoom: a point is 96/72 pixels
            assert s["size"] * 96 / 72 >= LEGIBLE_PX - 0.01, (name, s["text"], s["size"])
    # the full label where it can be read, else the code (a 95-point box took the label at 5.7 pt)
    label, size = fit_label(pymupdf.Rect(0, 0, 95, 12), "Bescherming persoonlijke levenssfeer", "5.1.2e")
    assert label == "5.1.2e" and size * 96 / 72 >= LEGIBLE_PX
    label, size = fit_label(pymupdf.Rect(0, 0, 200, 12), "Bescherming persoonlijke levenssfeer", "5.1.2e")
    assert label == "Bescherming persoonlijke levenssfeer" and size * 96 / 72 >= LEGIBLE_PX


def test_a_converted_e_mail_shows_a_dutch_date(tmp_path):
    from woo_redact.batch.convert import convert

    mail = tmp_path / "bericht.eml"
    mail.write_text("From: Noor Haddou <noor.haddou@minbzk.nl>\nTo: info@minbzk.nl\n"
                    "Date: Mon, 03 Mar 2025 10:00:00 +0100\nSubject: Cijfers\n\nHoi,\nzie bijlage.\n",
                    encoding="utf-8")
    made = convert(mail, tmp_path / "work")
    text = page_text(made.pdf)
    assert "Verzonden: maandag 3 maart 2025 10:00" in text and "Mon," not in text
    from woo_redact.batch.convert import dutch_date

    assert dutch_date("Sun, 28 Dec 2025 23:59:00 -0500") == "zondag 28 december 2025 23:59"
    assert dutch_date("gisteren") == "gisteren"


def test_the_review_page_says_in_dutch_why_a_file_was_not_processed(tmp_path, rules, engine):
    src = tmp_path / "in"
    src.mkdir()
    (src / "kapot.pdf").write_bytes(b"dit is geen pdf\n")
    (src / "notities.json").write_text("{}")
    make_pdf(src / "a.pdf", ["Hoi Jelmer,\nMet vriendelijke groet,\nNoor Haddou"])
    (src / "kopie.pdf").write_bytes((src / "a.pdf").read_bytes())
    run_batch(src, tmp_path / "out", rules, engine)
    html = (tmp_path / "out" / "review.html").read_text(encoding="utf-8")
    assert "Niet verwerkt: geen PDF" in html and "Niet verwerkt: bestandstype .json wordt niet verwerkt" in html
    assert "Zelfde inhoud als a.pdf" in html
    assert "not a PDF" not in html and "unsupported" not in html
