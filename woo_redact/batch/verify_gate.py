"""`woo-redact verify FILE`: the gate a coordinator runs on any PDF, also one redacted by others.

It reports personal data that is still readable (the same detection as `scan`) and the channels through
which data can leak besides the page text: document info and XMP, comments, attachments, form fields,
JavaScript, and older revisions kept by incremental saves.
"""
from __future__ import annotations

from pathlib import Path

import pikepdf

from ..decide.secrets import SecretForms
from ..errors import InputFileError, WooRedactError
from .pipeline import analyse
from ..pdf.read import open_pdf, structure_values
from ..rules import Rules
from ..pdf.strings import Secrets
from ..pdf.verify import verify

# what verify's channels are called in the report
CHANNEL_LINES = {
    "metadata": "metadata: persoonsgegevens in documentinformatie of XMP / personal data in document info or XMP",
    "annotation": "annotaties: persoonsgegevens in opmerkingen of links / personal data in comments or links",
    "outline": "bladwijzers: persoonsgegevens in bladwijzers / personal data in bookmarks",
    "attachment": "bijlagen: persoonsgegevens in ingesloten bestanden / personal data in attachments",
    "form": "formulier: persoonsgegevens in formuliervelden / personal data in form fields",
    "page_text": "paginatekst: een naam of nummer van een gelakte persoon staat nog leesbaar / page text",
    "objects": "PDF-objecten: persoonsgegevens in tekst of namen buiten de pagina / PDF objects",
}


def check_file(path: Path, rules: Rules, password: str | None = None) -> list[str]:
    """Every problem found in `path`, one short line each (Dutch / English). A file that cannot be
    checked to the end is refused with an `InputFileError` (one line), never a traceback."""
    try:
        return _check_file(path, rules, password)
    except WooRedactError:
        raise
    except Exception as e:  # a damaged structure no check foresaw: refused, not passed
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0][:120]
        raise InputFileError(f"{path}: cannot be verified ({type(e).__name__}: {reason})") from None


def _check_file(path: Path, rules: Rules, password: str | None = None) -> list[str]:
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
    secrets = analysis.secrets
    if secrets:
        report = verify(path, secrets)
        for channel, places in report.places().items():  # grouped by channel, with page and position
            problems.append(f"{CHANNEL_LINES.get(channel, channel)} — {', '.join(places[:8])}"
                            + (f" (+{len(places) - 8})" if len(places) > 8 else ""))
        problems += _hidden(path, secrets, password)
    problems += _channels(path, password)
    return problems


def _hidden(path: Path, secrets: SecretForms, password: str | None) -> list[str]:
    """Personal data in places a reader does not see: hidden text (white, tiny, invisible), hidden
    layers, /ActualText and /Alt, page labels. Matched as verification matches (`Secrets`)."""
    found = Secrets(secrets)
    out: list[str] = []
    doc = open_pdf(path, password)  # opened with every layer on, as the pipeline reads it
    try:
        hidden_pages = set()
        for page in doc:
            for span in page.get_texttrace():
                text = "".join(chr(c[0]) for c in span["chars"])
                white = all(c > 0.95 for c in (span.get("color") or (0,)))
                if (span.get("type") == 3 or span.get("size", 10) < 3 or white or span.get("opacity", 1) < 0.05) \
                        and found.text(text):
                    hidden_pages.add(page.number + 1)
        if hidden_pages:
            out.append("verborgen tekst met persoonsgegevens (wit, heel klein of onzichtbaar) / hidden text with "
                       f"personal data (p. {', '.join(map(str, sorted(hidden_pages)))})")
        labels = " ".join(str(lbl.get("prefix", "")) for lbl in doc.get_page_labels())
        if found.any_loose(labels):
            out.append("paginalabels met persoonsgegevens / page labels with personal data")
    finally:
        doc.close()
    with pikepdf.open(path, password=password or "") as pdf:
        ocp = pdf.Root.get("/OCProperties")
        off = ocp.get("/D", {}).get("/OFF") if ocp is not None else None
        if off is not None and len(off):
            out.append(f"verborgen laag: {len(off)} laag/lagen uitgeschakeld / hidden layer(s) switched off")
        if _actual_or_alt(pdf, found):
            out.append("ActualText/Alt met persoonsgegevens / ActualText or Alt with personal data")
    return out


def _actual_or_alt(pdf: pikepdf.Pdf, found: Secrets) -> bool:
    """Replacement and alternative texts (/ActualText in marked content, /Alt in the structure tree)."""
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("BDC", "DP") and len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
                for key in ("/ActualText", "/Alt", "/E"):
                    value = operands[1].get(key)
                    if value is not None and found.any_loose(str(value)):
                        return True
    return any(found.any_loose(str(value)) for value in structure_values(pdf, ("/Alt", "/ActualText", "/E")))


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
        kind, action = doc.xref_get_key(cat, "OpenAction")
        if kind == "xref":  # an action stored as an object of its own
            action = doc.xref_object(int(action.split()[0]))
        if named_js or "JavaScript" in action:
            out.append("JavaScript aanwezig / present")
    finally:
        doc.close()
    data = Path(path).read_bytes()
    if data.count(b"%%EOF") > 1 and data.rstrip().endswith(b"%%EOF"):
        out.append("oudere revisies: incrementele update(s) / older revisions present")
    return out
