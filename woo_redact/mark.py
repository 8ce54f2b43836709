"""Mark stage: the preview PDF a reviewer opens in any PDF viewer.

The original pages with every proposed redaction drawn as a translucent rectangle annotation in its
ground's colour, whose text says the ground and the reason, and whose /NM is the finding's id. People the
tool kept (public officials, same surname as one) are drawn as a dashed outline so the reviewer looks twice.
"""
from __future__ import annotations

from pathlib import Path

import pymupdf

from .model import Finding
from .read import open_pdf
from .rules import Rules

KEEP_COLOUR = (0.95, 0.6, 0.0)

# PyMuPDF 1.28's Annot.update() runs a 30,000-step busy loop (update_timing_test) that does nothing
# else; on a dossier with hundreds of proposals it costs more than drawing them.
if hasattr(pymupdf.Annot, "update_timing_test"):
    pymupdf.Annot.update_timing_test = staticmethod(lambda: 0)


SOURCE_KEY = "WooRedactSource"  # catalog key: the SHA-256 of the document the preview belongs to


def mark(src: Path, dst: Path, findings: list[Finding], rules: Rules, password: str | None = None,
         source_sha256: str | None = None) -> int:
    """Write the preview of `src` to `dst`. Returns the number of annotations drawn."""
    doc = open_pdf(src, password)
    count = 0
    try:
        by_page: dict[int, list[tuple[Finding, int, tuple]]] = {}
        for f in findings:
            if f.decision == "keep" and f.entity != "PERSON":
                continue
            for i, (pno, rect) in enumerate(f.boxes):
                by_page.setdefault(pno, []).append((f, i, rect))
        for pno, items in by_page.items():
            page = doc[pno]  # keep the page object alive while its annotations are made
            for f, i, rect in items:
                annot = page.add_rect_annot(pymupdf.Rect(rect))
                if f.decision == "redact":
                    colour = rules.grounds[f.ground].colour if f.ground in rules.grounds else (0.8, 0.1, 0.1)
                    annot.set_colors(stroke=colour, fill=colour)
                    annot.set_opacity(0.35)
                    annot.set_border(width=0.8)
                    label = rules.grounds[f.ground].label if f.ground in rules.grounds else f.ground
                    content = f"{f.ground} – {label}: {f.reason}"
                    subject = f.ground
                else:
                    annot.set_colors(stroke=KEEP_COLOUR)
                    annot.set_border(width=1.0, dashes=[2, 2])
                    content = f"niet gelakt – {f.reason}"
                    subject = "keep"
                annot.set_info(content=content, title="woo-redact", subject=subject)
                annot.update()
                doc.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(f.id if i == 0 else f"{f.id}-{i}"))
                count += 1
        if source_sha256:
            doc.xref_set_key(doc.pdf_catalog(), SOURCE_KEY, pymupdf.get_pdf_str(source_sha256))
        doc.save(dst, garbage=1, deflate=True)
    finally:
        doc.close()
    return count
