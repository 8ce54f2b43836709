"""OUT_DIR/review.html: the triage page, checked as HTML and in a real headless browser (Chromium)."""
from __future__ import annotations

import re
import shutil

import pymupdf
import pytest
from conftest import make_pdf

from woo_redact.batch.run import run_batch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory, rules, engine):
    tmp = tmp_path_factory.mktemp("overview")
    src = tmp / "in"
    src.mkdir()
    make_pdf(src / "nota.pdf", ["Opgesteld door\nTwan Quaedvlieg\nbeleidsadviseur\n\n\n"
                                "Minister Klever sprak met Noor Haddou. BSN 111222333 staat in het dossier."])
    make_pdf(src / "verslag.pdf", ["Aanwezig: Ilse Brouwersma, Jelmer Oosterhuis\n\n\nHet overleg ging over de begroting."])
    (src / "kapot.pdf").write_bytes(b"%PDF-1.7\nniet meer dan dit")
    out = tmp / "out"
    run_batch(src, out, rules, engine)
    return out


def test_overview_lists_every_decision_with_a_crop_of_its_place(batch_out):
    html = (batch_out / "review.html").read_text(encoding="utf-8")
    assert "nota.pdf" in html and "verslag.pdf" in html
    assert "kapot.pdf" in html and "Niet verwerkt" in html
    crops = re.findall(r'<img src="([^"]+)"', html)
    assert crops and all((batch_out / c).is_file() for c in crops)
    assert all(pymupdf.Pixmap(str(batch_out / c)).width > 50 for c in crops)
    rows = re.findall(r'<tr data-state="(\w+)"', html)
    assert "proposed" in rows and "kept" in rows  # the minister is listed as kept, to look twice
    assert "<script src" not in html and "http" not in html.split("<body>")[1]  # self-contained, no network


def _browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium and chromedriver (Debian: chromium, chromium-driver) are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--allow-file-access-from-files"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def test_overview_loads_and_filters_in_headless_chromium(batch_out):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = _browser()
    try:
        driver.get((batch_out / "review.html").as_uri())
        titles = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "section.doc h2")]
        assert titles == ["kapot.pdf", "nota.pdf", "verslag.pdf"]
        images = driver.find_elements(By.CSS_SELECTOR, ".crop img")
        driver.execute_script("for (const i of document.images) { i.loading = 'eager'; }")
        assert images and all(driver.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", i) for i in images)

        def visible():
            return [r for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr") if r.is_displayed()]

        everything = len(visible())
        assert everything == int(driver.find_element(By.ID, "shown").text) > 0
        Select(driver.find_element(By.ID, "f-state")).select_by_value("kept")
        kept = visible()
        assert 0 < len(kept) < everything
        assert {r.get_attribute("data-state") for r in kept} == {"kept"}
        assert int(driver.find_element(By.ID, "shown").text) == len(kept)

        Select(driver.find_element(By.ID, "f-state")).select_by_value("")
        driver.find_element(By.ID, "f-name").send_keys("verslag")
        sections = [s for s in driver.find_elements(By.CSS_SELECTOR, "section.doc") if s.is_displayed()]
        assert [s.find_element(By.TAG_NAME, "h2").text for s in sections] == ["verslag.pdf"]
        assert 0 < len(visible()) < everything
    finally:
        driver.quit()


def test_crops_come_as_one_sheet_per_page_made_by_the_worker(batch_out, rules):
    """A dossier has thousands of boxes: the worker writes one image per page, and the overview finds
    every crop on those sheets without rendering again."""
    sheets = sorted((batch_out / "review").rglob("*.png"))
    html = (batch_out / "review.html").read_text(encoding="utf-8")
    used = set(re.findall(r'<img src="([^"]+)"', html))
    assert len(sheets) == 2 and {str(s.relative_to(batch_out)) for s in sheets} == used  # one page each
    stamps = {s: s.stat().st_mtime_ns for s in sheets}
    from woo_redact.batch.overview import write_overview

    write_overview(batch_out, rules)
    assert {s: s.stat().st_mtime_ns for s in sorted((batch_out / "review").rglob("*.png"))} == stamps
    # every crop shows its own box: the sheet holds the crops one under the other
    for frame, image in re.findall(r'<div class="crop" style="([^"]+)"><img src="[^"]+" style="([^"]+)"', html):
        w, h = map(int, re.search(r"aspect-ratio:(\d+)/(\d+)", frame).groups())
        top = float(re.search(r"top:-([\d.]+)%", image).group(1)) * h / 100
        assert w > 50 and h > 10 and top >= 0


def test_converted_documents_get_their_crops_too(tmp_path, rules, engine):
    """An e-mail, office or text file is processed as the PDF made of it: its crops come from that PDF
    (they were missing, and the worker's sheets were even removed as stale)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "notitie.txt").write_text("Notitie\nVan: Femke Zwanenburg\nAan: Sevda Yilmaz\n\nHoi Sevda,\n"
                                     "Kun jij de cijfers nalopen? Minister Klever wil ze vrijdag.\nGroet,\nFemke\n",
                                     encoding="utf-8")
    out = tmp_path / "out"
    run_batch(src, out, rules, engine)
    html = (out / "review.html").read_text(encoding="utf-8")
    section = html.split('data-name="notitie.txt.pdf"')[1]
    crops = re.findall(r'<img src="([^"]+)"', section)
    assert crops and "geen afbeelding" not in section
    assert all((out / c).is_file() for c in crops)


def test_each_crop_on_a_sheet_shows_its_own_place_also_where_crops_of_a_line_overlap(tmp_path):
    """Crops of one line that overlap share one region of the sheet; every crop, cut from the sheet at
    its place, is still exactly the rendered page around its box."""
    from woo_redact.batch.overview import ZOOM, render_crops

    src = tmp_path / "regel.pdf"
    make_pdf(src, ["Van: Noor Haddou <noor.haddou@minbzk.nl> T 070 123 4567 | M 06-12345678\n"
                   "Aan: Ilse Brouwersma\n\n\nHet overleg ging over de begroting."])
    with pymupdf.open(src) as doc:
        page = doc[0]
        boxes = [tuple(page.search_for(s)[0]) for s in ("Noor Haddou", "noor.haddou@minbzk.nl", "070 123 4567",
                                                         "06-12345678", "Ilse Brouwersma")]
        shown = page.get_pixmap(matrix=pymupdf.Matrix(ZOOM, ZOOM), colorspace=pymupdf.csGRAY)
    crops = render_crops(src, tmp_path, "ab" * 32, [(1, b) for b in boxes])
    assert len(crops) == 5 and len({c.sheet for c in crops.values()}) == 1
    first = next(iter(crops.values()))
    sheet = pymupdf.Pixmap(str(tmp_path / first.sheet))
    assert (sheet.width, sheet.height) == first.sheet_size
    shared = {c.region_at for c in crops.values()}
    assert len(shared) < len(crops)  # the first line's crops overlap: one region on the sheet for them
    area = sum((c.pixels[2] - c.pixels[0]) * (c.pixels[3] - c.pixels[1]) for c in crops.values())
    assert sheet.width * sheet.height < area  # less than the crops one by one would take
    for c in crops.values():
        x0, y0, x1, y1 = c.pixels
        for dx, dy in [(0, 0), (x1 - x0 - 1, y1 - y0 - 1), ((x1 - x0) // 2, (y1 - y0) // 2), (7, (y1 - y0) // 3)]:
            assert sheet.pixel(c.at[0] + dx, c.at[1] + dy) == shown.pixel(x0 + dx, y0 + dy)
        # and a whole row of the crop, through the middle of its text
        mid = (y1 - y0) // 2
        assert [sheet.pixel(c.at[0] + dx, c.at[1] + mid) for dx in range(x1 - x0)] == \
            [shown.pixel(x0 + dx, y0 + mid) for dx in range(x1 - x0)]


def test_sections_the_workers_prepared_make_the_same_page(batch_out, rules, tmp_path):
    """Each worker prepares its document's section beside the crops; the overview takes it only when
    the database's decisions are still the ones it was made of, and the page is the same either way."""
    from woo_redact.batch import overview
    from woo_redact.batch.state import State

    batch_out = shutil.copytree(batch_out, tmp_path / "out")  # decisions are changed below

    prepared = sorted((batch_out / "review").rglob("section-*.html"))
    assert len(prepared) == 2  # nota and verslag; the broken file has none
    built = []
    real = overview._build_section
    overview._build_section = lambda *a, **k: built.append(a[1]) or real(*a, **k)
    try:
        overview.write_overview(batch_out, rules)
        assert built == []
        # a decision changed in the database (as a review does): that document's section is made anew
        state = State(batch_out / "woo-redact.sqlite")
        with state.db:
            state.db.execute("UPDATE decisions SET decision = 'rejected', source = 'reviewer' "
                             "WHERE document = 'nota.pdf' AND decision = 'redact'")
        state.close()
        overview.write_overview(batch_out, rules)
        assert built == ["nota.pdf"]
        page = (batch_out / "review.html").read_text(encoding="utf-8")
        assert "afgewezen" in page.split('data-name="nota.pdf"')[1]
        # without the prepared sections: made from the database, the same page
        for p in prepared:
            p.unlink(missing_ok=True)
        built.clear()
        overview.write_overview(batch_out, rules)
        assert sorted(built) == ["nota.pdf", "verslag.pdf"]
        assert (batch_out / "review.html").read_text(encoding="utf-8") == page
    finally:
        overview._build_section = real
