"""Shared fixtures: the rules, one detection engine per test session, and PDFs generated in code."""
from __future__ import annotations

import os
from pathlib import Path

import pymupdf
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # the shared folder beside the repository (eval corpus, peer files)


@pytest.fixture(scope="session")
def rules():
    from woo_redact.rules import load_rules

    return load_rules(os.environ.get("WOO_REDACT_RULES") or REPO / "rules")


@pytest.fixture(scope="session")
def engine(rules):
    from woo_redact.detect.engine import get_engine

    return get_engine(rules)


def make_pdf(path: Path, pages: list[str], fontsize: float = 10, metadata: dict | None = None) -> Path:
    """A text PDF: each string is a page, each line of it a text line (Helvetica, left margin 60)."""
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page(width=595, height=842)
        y = 80
        for line in text.split("\n"):
            if line:
                page.insert_text((60, y), line, fontsize=fontsize, fontname="helv")
            y += fontsize * 1.4
    if metadata:
        doc.set_metadata(metadata)
    doc.save(path)
    doc.close()
    return path


def make_scan(path: Path, pages: list[str], dpi: int = 200, rotate: int = 0, fontsize: float = 11,
              text_pages: tuple[int, ...] = ()) -> Path:
    """A scanned PDF: each page an image of the text (no text layer), optionally turned by `rotate`
    degrees; the pages listed in `text_pages` stay born-digital (a mixed document)."""
    text_pdf = make_pdf(path.with_suffix(".text.pdf"), pages, fontsize=fontsize)
    src = pymupdf.open(text_pdf)
    doc = pymupdf.open()
    for i, page in enumerate(src):
        if i in text_pages:
            doc.insert_pdf(src, from_page=i, to_page=i)
            continue
        pix = page.get_pixmap(matrix=pymupdf.Matrix(dpi / 72, dpi / 72).prerotate(rotate),
                              colorspace=pymupdf.csGRAY)
        w, h = (page.rect.height, page.rect.width) if rotate % 180 else (page.rect.width, page.rect.height)
        new = doc.new_page(width=w, height=h)
        new.insert_image(new.rect, stream=pix.tobytes("png"))
    doc.save(path)
    doc.close()
    src.close()
    text_pdf.unlink()
    return path


def page_text(path: Path) -> str:
    with pymupdf.open(path) as doc:
        return " ".join(" ".join(p.get_text().split()) for p in doc)


def lost_words(result, rules, engine) -> dict[str, dict[str, int]]:
    """Per document: words of the original (OCR included) outside every redaction that the redacted
    output no longer has — over-redaction, or a text layer that lost words."""
    from collections import Counter

    import pymupdf

    from woo_redact.batch.pipeline import analyse
    from woo_redact.pdf.read import WORD_FLAGS

    lost = {}
    for r in result.results:
        if r.status != "ok" or not r.redacted:
            continue
        analysis = analyse(r.pdf or r.source, rules, engine)
        spans = [(f.start, f.end) for f in analysis.findings if f.decision == "redact"]
        want = Counter(w.text for w in analysis.document.words
                       if not any(s < w.end and w.start < e for s, e in spans))
        with pymupdf.open(r.redacted) as doc:
            got = Counter(w[4] for page in doc for w in page.get_text("words", flags=WORD_FLAGS))
        missing = {w: n - got[w] for w, n in want.items() if n > got[w]}
        if missing:
            lost[r.redacted.name] = missing
    return lost
