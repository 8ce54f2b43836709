"""`woo-redact verify FILE`: the gate a coordinator runs on any PDF, also one redacted by others.

It reports personal data that is still readable (the same detection as `scan`) and the channels through
which data can leak besides the page text: document info and XMP, comments, attachments, form fields,
JavaScript, and older revisions kept by incremental saves.
"""
from __future__ import annotations

from pathlib import Path

from .pipeline import analyse
from .read import open_pdf
from .rules import Rules


def check_file(path: Path, rules: Rules, password: str | None = None) -> list[str]:
    """Every problem found in `path`, one short line each (Dutch / English)."""
    problems: list[str] = []
    analysis = analyse(path, rules, password=password)
    if analysis.document.covered:
        pages = sorted({p + 1 for p, _ in analysis.document.covered})
        problems.append(f"nep-lakking: zwart vlak over leesbare tekst / fake redaction: black box over text that is "
                        f"still there (p. {', '.join(map(str, pages))})")
    for f in analysis.findings:
        if f.decision != "redact" or f.entity == "COVERED_TEXT":
            continue
        page = f.boxes[0][0] + 1 if f.boxes else "?"
        problems.append(f"p.{page}: leesbare persoonsgegevens / readable personal data ({f.entity}, {f.ground})")
    problems += _channels(path, password)
    return problems


def _channels(path: Path, password: str | None) -> list[str]:
    out: list[str] = []
    doc = open_pdf(path, password)
    try:
        meta = {k: v for k, v in (doc.metadata or {}).items()
                if v and k in ("author", "subject", "keywords", "creator")}
        if meta:
            out.append(f"metadata: {', '.join(sorted(meta))} ingevuld / filled in")
        if doc.xref_xml_metadata():
            out.append("metadata: XMP aanwezig / XMP present")
        comments = 0
        widgets = 0
        for page in doc:
            for annot in page.annots() or []:
                if annot.type[1] not in ("Link", "Widget"):
                    comments += 1
            widgets += len(list(page.widgets() or []))
        if comments:
            out.append(f"annotaties: {comments} opmerking(en) / comment(s)")
        if widgets:
            out.append(f"formulier: {widgets} veld(en) / form field(s)")
        if doc.embfile_count():
            out.append(f"bijlagen: {doc.embfile_count()} ingesloten bestand(en) / attachment(s)")
        cat = doc.pdf_catalog()
        named_js = doc.xref_get_key(cat, "Names/JavaScript")[0] != "null"
        if named_js or "JavaScript" in doc.xref_get_key(cat, "OpenAction")[1]:
            out.append("JavaScript aanwezig / present")
    finally:
        doc.close()
    data = Path(path).read_bytes()
    if data.count(b"%%EOF") > 1 and data.rstrip().endswith(b"%%EOF"):
        out.append("oudere revisies: incrementele update(s) / older revisions present")
    return out
