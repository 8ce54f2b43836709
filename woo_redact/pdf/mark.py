"""Mark stage: the preview PDF a reviewer opens in any PDF viewer.

A Dutch cover page (how to accept, reject, change and add; a legend; the counts), then the original pages
with every proposed redaction drawn as a translucent rectangle annotation in its ground's colour, whose
text says the ground and the reason, and whose /NM is the finding's id. Proposals the tool was unsure of
(score below `uncertain_below` in rules/review.yaml) get a dashed border in their colour; people the tool
kept (public officials, same surname as one) a dashed orange outline, so the reviewer looks twice.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pymupdf

from . import pdfops
from ..model import Finding
from .read import open_pdf
from ..rules import Rules
from ..wording import reviewer_text

KEEP_COLOUR = (0.95, 0.6, 0.0)

# PyMuPDF 1.28's Annot.update() runs a 30,000-step busy loop (update_timing_test) that does nothing
# else; on a dossier with hundreds of proposals it costs more than drawing them.
if hasattr(pymupdf.Annot, "update_timing_test"):
    pymupdf.Annot.update_timing_test = staticmethod(lambda: 0)


SOURCE_KEY = "WooRedactSource"  # catalog key: the SHA-256 of the document the preview belongs to
COVER_KEY = "WooRedactCover"  # catalog key: the preview's first page is our cover page
LABELS_KEY = "WooRedactLabels"  # catalog key: the page labels are ours (the original had none)


def cover_pages(doc: pymupdf.Document) -> int:
    """How many pages at the front of a preview are ours (0 for a PDF that is not a preview)."""
    return 1 if doc.xref_get_key(doc.pdf_catalog(), COVER_KEY)[1] == "true" else 0


class _Lines:
    """Wrapped lines of Helvetica down a new page, top to bottom, as PDF operators."""

    def __init__(self, page: pymupdf.Page, left: float, right: float, fonts: pdfops.Fonts):
        self.page, self.left, self.right, self.y = page, left, right, left
        self.height = page.rect.height
        self.fonts = fonts
        self.ops: list[str] = []

    def write(self, text: str, size: float, bold: bool = False, indent: float = 0, label: str = "",
              after: float = 0) -> None:
        font = "hebo" if bold else "helv"
        x, width = self.left + indent, self.right - self.left - indent
        if label:
            self._text(self.left, label, font, size)
        line, used = "", 0.0  # the line so far and its width (widths add up: no kerning)
        space = pdfops.text_length(" ", font, size)
        for word in text.split():
            extra = pdfops.text_length(word, font, size)
            if line and used + space + extra > width:
                self._text(x, line, font, size)
                self.y += size * 1.3
                line, used = word, extra
            elif line:
                line, used = f"{line} {word}", used + space + extra
            else:
                line, used = word, extra
        if line:
            self._text(x, line, font, size)
            self.y += size * 1.3
        self.y += after

    def _text(self, x: float, line: str, font: str, size: float) -> None:
        n = pdfops.num
        self.ops.append(f"BT /{self.fonts.use(self.page, font)} {n(size)} Tf 0 g {n(x)} {n(self.height - self.y - size)} Td "
                        f"{pdfops.winansi(line)} Tj ET")

    def square(self, colour, fill: bool = False, dashes: str = "", width: float = 1.0) -> None:
        """A 10-point legend square at the start of the next line."""
        n = pdfops.num
        paint = f"/{self._translucent()} gs {pdfops.rgb(colour)} rg " if fill else ""
        self.ops.append(f"q {paint}{pdfops.rgb(colour)} RG {n(width)} w [{dashes}] 0 d "
                        f"{n(self.left)} {n(self.height - self.y - 9)} 10 8 re {'B' if fill else 'S'} Q")

    def _translucent(self) -> str:
        doc = self.page.parent
        pdfops.set_key(doc, self.page.xref, "Resources/ExtGState/WooRedactFill", "<</Type/ExtGState/ca 0.35/CA 0.35>>")
        return "WooRedactFill"


def _cover(doc: pymupdf.Document, name: str, findings: list[Finding], rules: Rules, uncertain: int) -> None:
    """Insert the reviewer's instructions as page 1 of the preview."""
    width, height = doc[0].rect.width, doc[0].rect.height
    had_labels = bool(doc.get_page_labels())  # before inserting: MuPDF then writes labels of its own
    page = doc.new_page(0, width=width, height=height)
    counts: dict[str, int] = {}
    for f in findings:
        if f.decision == "redact":
            counts[f.ground] = counts.get(f.ground, 0) + 1
    kept = sum(1 for f in findings if f.decision == "keep" and f.entity == "PERSON")
    # drawn with the standard Helvetica, which every viewer has: nothing embedded, the preview stays small
    margin = min(width, height) * 0.08
    writer = _Lines(page, margin, width - margin, pdfops.Fonts(doc))
    writer.write(rules.review.title, 15, bold=True, after=8)
    writer.write(f"{name}: {doc.page_count - 1} pagina('s), {sum(counts.values())} voorstel(len) om te lakken.",
                 10, after=10)
    writer.write("Zo beoordeelt u", 11, bold=True, after=3)
    for i, line in enumerate(rules.review.instructions, 1):
        writer.write(line, 10, indent=14, label=f"{i}.", after=2)
    writer.y += 8
    writer.write("Legenda", 11, bold=True, after=3)
    for code, g in rules.grounds.items():
        writer.square(g.colour, fill=True)
        writer.write(f"{code} – {g.label}: {counts.get(code, 0)} voorstel(len)", 10, indent=16, after=2)
    writer.square(KEEP_COLOUR, dashes="2")
    writer.write(f"niet gelakt, kijk nog eens: {kept}", 10, indent=16, after=2)
    writer.square((0.85, 0.1, 0.1), dashes="3 2", width=1.5)
    writer.write(f"onzeker (gestreepte rand in de kleur van de grond): {uncertain}", 10, indent=16, after=10)
    writer.write(rules.review.footer, 9, after=0)
    pdfops.append_content(page, writer.ops)
    doc.xref_set_key(doc.pdf_catalog(), COVER_KEY, "true")
    if not had_labels:
        doc.xref_set_key(doc.pdf_catalog(), "PageLabels", "<</Nums[0<</P(Instructie)>>1<</S/D>>]>>")
        doc.xref_set_key(doc.pdf_catalog(), LABELS_KEY, "true")


NOTE_PREFIX = "woo-note-"  # /NM of our page notes: never read back as a reviewer's decision
INCOMING_PREFIX = "woo-incoming-"  # /NM given in the preview to the original's own annotations: not decisions


def _label_incoming(doc: pymupdf.Document) -> None:
    """The comments and highlights the original came with are shown in the preview as they are, but a
    reviewer did not draw them: their /NM says so, and `review` passes them over."""
    for page in doc:
        for k, xref in enumerate(page.annot_xrefs(), start=1):
            doc.xref_set_key(xref[0], "NM", pymupdf.get_pdf_str(f"{INCOMING_PREFIX}{page.number + 1}-{k}"))
NOTE_COLOUR = (0.95, 0.6, 0.0)


def _page_note(page: pymupdf.Page, text: str) -> None:
    """A visible note across the top of a page (scans: how OCR went)."""
    r = page.rect
    annot = page.add_freetext_annot(pymupdf.Rect(r.x0 + 20, r.y0 + 4, r.x1 - 20, r.y0 + 22), text, fontsize=8,
                                    text_color=(0, 0, 0), fill_color=(1, 0.93, 0.75))
    annot.set_info(content=text, title="woo-redact", subject="note")
    annot.update()
    page.parent.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(f"{NOTE_PREFIX}{page.number + 1}"))


def _ocr_notes(doc: pymupdf.Document, ocr_confidence: dict[int, float], textless: list[int]) -> None:
    from .ocr import LOW_CONFIDENCE

    for pno, conf in sorted(ocr_confidence.items()):
        page = doc[pno]  # alive while its annotation is made
        if conf < LOW_CONFIDENCE:
            _page_note(page, f"LET OP: gescande pagina, OCR onbetrouwbaar ({conf:.0f}%). Controleer de hele pagina "
                             "met de hand: namen die OCR niet las, zijn niet voorgesteld.")
        else:
            _page_note(page, f"Gescande pagina, gelezen met OCR ({conf:.0f}%). Kijk ook naar handschrift, "
                             "stempels en logo's.")
    for pno in textless:
        page = doc[pno]
        _page_note(page, "LET OP: pagina zonder tekst, niet doorzocht. Controleer de hele pagina met de hand.")


_pdf_str = functools.lru_cache(maxsize=4096)(pymupdf.get_pdf_str)  # a dossier repeats a few reasons


class _Direct:
    """Square annotations written directly as PDF objects on a plain page, with appearance streams: what
    `add_rect_annot` + `update()` make, at a fraction of the cost (a dossier has thousands). A certain
    proposal shares its colour's appearance, a unit square that the viewer stretches to the annotation's
    /Rect (PDF 32000-1, 12.5.5); a dashed outline (uncertain, kept) gets its own, as a stretched dash
    would be uneven."""

    def __init__(self, doc: pymupdf.Document):
        self.doc = doc
        self._gstate = 0
        self._shared: dict[tuple, int] = {}

    def gstate(self) -> int:
        if not self._gstate:
            self._gstate = self.doc.get_new_xref()
            self.doc.update_object(self._gstate, "<</Type/ExtGState/CA 0.35/ca 0.35>>")
        return self._gstate

    def _form(self, bbox: str, ops: str, translucent: bool) -> int:
        xref = self.doc.get_new_xref()
        resources = f"/Resources<</ExtGState<</G0 {self.gstate()} 0 R>>>>" if translucent else ""
        self.doc.update_object(xref, f"<</Type/XObject/Subtype/Form/BBox[{bbox}]{resources}>>")
        self.doc.update_stream(xref, ops.encode(), compress=0)
        return xref

    def box(self, page_xref: int, height: float, rect, colour, content: str, subject: str, nm: str,
            fill: bool = True, dashes: str = "", width: float = 0.8) -> int:
        x0, y0, x1, y1 = rect
        rgb = pdfops.rgb(colour)
        if fill and not dashes:
            ap = self._shared.get(colour)
            if ap is None:
                ap = self._shared[colour] = self._form("0 0 1 1", f"q /G0 gs {rgb} rg 0 0 1 1 re f Q", True)
        else:
            w, h = x1 - x0, y1 - y0
            paint = f"/G0 gs {rgb} rg {rgb} RG" if fill else f"{rgb} RG"
            ap = self._form(f"0 0 {pdfops.num(w)} {pdfops.num(h)}",
                            f"q {paint} {pdfops.num(width)} w [{dashes}] 0 d {pdfops.num(width / 2)} {pdfops.num(width / 2)} "
                            f"{pdfops.num(max(w - width, 0))} {pdfops.num(max(h - width, 0))} re {'B' if fill else 'S'} Q", fill)
        border = f"/BS<</W {pdfops.num(width)}" + (f"/S/D/D[{dashes}]>>" if dashes else ">>")
        interior = f"/IC[{rgb}]/CA 0.35" if fill else ""
        annot = self.doc.get_new_xref()
        self.doc.update_object(annot, (
            f"<</Type/Annot/Subtype/Square/Rect[{pdfops.num(x0)} {pdfops.num(height - y1)} {pdfops.num(x1)} {pdfops.num(height - y0)}]"
            f"/C[{rgb}]{interior}{border}/F 4/P {page_xref} 0 R/AP<</N {ap} 0 R>>"
            f"/Contents{_pdf_str(content)}/T(woo-redact)/Subj{_pdf_str(subject)}"
            f"/NM{pymupdf.get_pdf_str(nm)}>>"))
        return annot


def _attach(doc: pymupdf.Document, page: pymupdf.Page, xrefs: list[int]) -> None:
    """Append annotation objects to the page's /Annots array."""
    kind, value = doc.xref_get_key(page.xref, "Annots")
    existing = value.strip("[]").strip() if kind == "array" else ""
    if kind == "xref":  # an indirect array
        existing = doc.xref_object(int(value.split()[0])).strip().strip("[]").strip()
    refs = " ".join(f"{x} 0 R" for x in xrefs)
    doc.xref_set_key(page.xref, "Annots", f"[{existing} {refs}]".replace("[ ", "["))


def mark(src: Path, dst: Path, findings: list[Finding], rules: Rules, password: str | None = None,
         source_sha256: str | None = None, ocr_confidence: dict[int, float] | None = None,
         textless: list[int] = ()) -> int:
    """Write the preview of `src` to `dst`. Returns the number of annotations drawn."""
    doc = open_pdf(src, password)
    count = uncertain = 0
    try:
        _label_incoming(doc)
        by_page: dict[int, list[tuple[Finding, int, tuple]]] = {}
        for f in findings:
            if f.decision == "keep" and f.entity != "PERSON":
                continue
            for i, (pno, rect) in enumerate(f.boxes):
                by_page.setdefault(pno, []).append((f, i, rect))
        pdfops.drop_redaction_marks(doc)  # the incoming file's own marks are proposals now
        direct_boxes = _Direct(doc)
        for pno, items in by_page.items():
            page = doc[pno]  # keep the page object alive while its annotations are made
            fast = pdfops.plain(page, own_resources=False)  # annotations need no resources
            height, page_xref = page.mediabox.height, page.xref
            direct: list[int] = []
            for f, i, rect in items:
                nm = f.id if i == 0 else f"{f.id}-{i}"
                if f.decision == "redact":
                    ground = rules.grounds.get(f.ground)
                    colour = ground.colour if ground else (0.8, 0.1, 0.1)
                    content = (f"{f.ground} – {ground.label if ground else f.ground}: "
                               f"{reviewer_text(f.entity, f.decision, f.rule, f.reason, rules.review)}")
                    unsure = f.score < rules.review.uncertain_below
                    if unsure:
                        content = f"ONZEKER (score {f.score:.2f}) – {content}"
                        uncertain += i == 0
                    style = {"fill": True, "dashes": "3 2", "width": 1.5} if unsure else {"fill": True}
                    subject = f.ground
                else:
                    colour, subject = KEEP_COLOUR, "keep"
                    why = reviewer_text(f.entity, f.decision, f.rule, f.reason, rules.review)
                    content = "niet gelakt" if why == rules.review.kept_other else f"niet gelakt – {why}"
                    style = {"fill": False, "dashes": "2 2", "width": 1.0}
                count += 1
                if fast:
                    direct.append(direct_boxes.box(page_xref, height, rect, colour, content, subject, nm, **style))
                    continue
                annot = page.add_rect_annot(pymupdf.Rect(rect))
                annot.set_colors(stroke=colour, fill=colour if style["fill"] else None)
                if style["fill"]:
                    annot.set_opacity(0.35)
                annot.set_border(width=style.get("width", 0.8), dashes=[int(d) for d in style["dashes"].split()]
                                 if style.get("dashes") else None)
                annot.set_info(content=content, title="woo-redact", subject=subject)
                annot.update()
                doc.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(nm))
            if direct:
                _attach(doc, page, direct)
        _ocr_notes(doc, ocr_confidence or {}, list(textless))
        if doc.page_count:
            _cover(doc, Path(src).name, findings, rules, uncertain)
        if source_sha256:
            doc.xref_set_key(doc.pdf_catalog(), SOURCE_KEY, pymupdf.get_pdf_str(source_sha256))
        doc.save(dst, garbage=1, deflate=True, use_objstms=1)  # thousands of small annotation objects
    finally:
        doc.close()
    return count
