"""Word/ODF to PDF two ways: LibreOffice headless (what convert.py does) against a pure-Python route.

    python bench/convert.py [--docs 8] [--paragraphs 60]

Generates .docx files with python-docx (a page header and footer naming a person, a heading, paragraphs,
a ruled table) and .odt copies made by LibreOffice, converts each one file at a time both ways, and
prints the median seconds per file and what each PDF kept: pages, the header and footer on every page or
once, the table as a table. The pure-Python route reads the text of the same parts (page headers and
footers, body, tables) from the files' XML and lays it out with PyMuPDF; it lives here only, to measure.
"""
from __future__ import annotations

import argparse
import html
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pymupdf
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from woo_redact.batch.convert import _html_to_pdf, _office_to_pdf, office_available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"


def make_docx(path: Path, paragraphs: int) -> None:
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Opgesteld door: Sanne de Groot-Veldkamp"
    d.sections[0].footer.paragraphs[0].text = "Contactpersoon: Bram Oudshoorn, 06-12345678"
    d.add_heading("Nota over de Voorjaarsnota", 1)
    for i in range(paragraphs):
        d.add_paragraph(f"Alinea {i}: de minister van Financiën vraagt om een overzicht van de uitgaven. " * 3)
    t = d.add_table(rows=2, cols=2)
    t.style = "Table Grid"  # ruled, as tables in nota's are
    t.cell(0, 0).text, t.cell(0, 1).text = "Naam", "Rol"
    t.cell(1, 0).text, t.cell(1, 1).text = "Iris Çelik", "beleidsmedewerker"
    d.save(path)


def _block(el, p: str, tbl: str, row: str, cell: str) -> str:
    if el.tag == p or (el.tag == f"{T}h"):
        return f"<p>{html.escape(''.join(el.itertext()))}</p>"
    if el.tag == tbl:
        rows = ["<tr>" + "".join("<td>" + "".join(_block(x, p, tbl, row, cell) for x in c) + "</td>"
                                 for c in r.iter(cell)) + "</tr>" for r in el.iter(row)]
        return "<table border='1'>" + "".join(rows) + "</table>"
    return "".join(_block(x, p, tbl, row, cell) for x in el)


def pure_python(path: Path, dst: Path) -> None:
    """Page headers and footers, then the body with its tables, as plain HTML laid out by PyMuPDF."""
    parts = []
    with zipfile.ZipFile(path) as z:
        if path.suffix == ".docx":
            tags = (f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc")
            for name in sorted(n for n in z.namelist() if n.startswith(("word/header", "word/footer"))):
                parts += [_block(el, *tags) for el in etree.fromstring(z.read(name))]
            body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
            parts += [_block(el, *tags) for el in body]
        else:
            tags = (f"{T}p", f"{TABLE}table", f"{TABLE}table-row", f"{TABLE}table-cell")
            for el in etree.fromstring(z.read("styles.xml")).iter(f"{STYLE}header", f"{STYLE}footer"):
                parts += [_block(x, *tags) for x in el]
            for el in etree.fromstring(z.read("content.xml")).iter(
                    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}text"):
                parts += [_block(x, *tags) for x in el]
    _html_to_pdf("".join(parts), dst)


def kept(pdf: Path) -> str:
    with pymupdf.open(pdf) as doc:
        texts = [p.get_text() for p in doc]
        table = any(p.find_tables().tables for p in doc)
    n = len(texts)
    every = lambda s: sum(s in t for t in texts)  # noqa: E731
    return (f"{n} p., header on {every('Groot-Veldkamp')}/{n} pages, footer on {every('Oudshoorn')}/{n}, "
            f"table {'ruled' if table else 'as loose cells'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--paragraphs", type=int, default=60)
    args = ap.parse_args()
    if office_available():
        sys.exit(office_available())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docs = []
        for i in range(args.docs):
            make_docx(work / f"nota{i}.docx", args.paragraphs)
            docs.append(work / f"nota{i}.docx")
        odt = work / "odt"
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(work / 'p').as_uri()}", "--convert-to",
                        "odt", "--outdir", str(odt), *map(str, docs)], capture_output=True, check=True)
        for files in (docs, sorted(odt.glob("*.odt"))):
            for route, convert in (("libreoffice", _office_to_pdf), ("pure python", pure_python)):
                times, last = [], None
                for f in files:
                    last = work / f"{f.stem}-{route[:4]}{f.suffix}.pdf"
                    start = time.perf_counter()
                    convert(f, last)
                    times.append(time.perf_counter() - start)
                print(f"{f.suffix:6} {route:12} {statistics.median(times):6.3f} s/file (median of {len(times)}), "
                      f"{kept(last)}")


if __name__ == "__main__":
    main()
