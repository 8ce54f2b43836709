"""Read a reviewer's decisions back from a preview PDF and burn in exactly those.

In the preview every proposal is an annotation whose /NM is its finding's id. After review:
- a proposal whose annotation is gone was rejected;
- a proposal still there was accepted — with another ground if the reviewer wrote another code
  (e.g. "5.1.1d") in its text;
- a rectangle, square or redaction annotation the reviewer drew is a manual redaction (5.1.2e unless
  its text names another code).
A preview that does not belong to its findings (another document, or the original changed since) is
refused.
"""
from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from ..decide import map_boxes
from ..pdf.edges import trim_punctuation
from ..errors import InputFileError
from ..files import STATE_FILE, atomic_path, reviewed_path, sha256_file
from ..pdf.finalise import finalise
from ..pdf.mark import COVER_KEY, INCOMING_PREFIX, LABELS_KEY, NOTE_PREFIX, SOURCE_KEY, cover_pages
from ..model import DocResult, Finding, PageLayout, findings_text
from .overview import write_overview
from ..decide.people import decide_person, person_key
from ..pdf.read import open_pdf, read
from ..rules import Rules
from ..decide.secrets import secret_forms
from .state import State

_CODE = re.compile(r"\b5\.[12]\.[12]?\.?[a-i]\b|\b5\.2\b")
_DRAWN = {"Square", "Redact", "Polygon", "Ink", "Highlight", "FreeText", "Text"}


@dataclass
class Review:
    accepted: list[Finding] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # finding ids
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # id, old ground, new ground
    added: list[Finding] = field(default_factory=list)


def _code(text: str | None) -> str | None:
    m = _CODE.search(text or "")
    return m.group(0).replace("5.1.2.", "5.1.2").replace("5.1.1.", "5.1.1") if m else None


def read_review(preview: Path, findings: dict, rules: Rules) -> Review:
    """The reviewer's decisions in `preview`, against the proposals in `findings` (findings JSON)."""
    proposals = {f["id"]: f for f in findings["findings"] if f["decision"] == "redact"}
    kept_ids = {f["id"] for f in findings["findings"] if f["decision"] == "keep"}
    review = Review()
    seen: set[str] = set()
    doc = pymupdf.open(preview)
    try:
        skip = cover_pages(doc)
        for page in doc:
            if page.number < skip:
                continue  # our cover page: nothing on it is a decision
            pno = page.number - skip
            for annot in list(page.annots() or []):
                nm = annot.info.get("id") or ""
                base = nm.split("-")[0]
                rect = tuple(annot.rect)
                if nm.startswith((NOTE_PREFIX, INCOMING_PREFIX)):
                    continue  # our note about the page (OCR), or a comment the original came with
                if base in proposals:
                    p = proposals[base]
                    ground = _code(annot.info.get("content")) or p["ground"]
                    if ground not in rules.grounds:
                        ground = p["ground"]
                    if base not in seen and ground != p["ground"]:
                        review.changed.append((base, p["ground"], ground))
                    seen.add(base)
                    review.accepted.append(Finding(nm, p["start"], p["end"], "", p["entity"], "redact", ground, p["rule"],
                                                   "accepted by the reviewer", p["score"], p.get("person"),
                                                   [(pno, rect)]))
                elif base in kept_ids:
                    continue  # the tool's own "kept, look twice" outline
                elif annot.type[1] in _DRAWN:
                    ground = _code(annot.info.get("content")) or rules.default_ground
                    if ground not in rules.grounds:
                        ground = rules.default_ground
                    review.added.append(Finding(f"manual-{pno + 1}-{len(review.added) + 1}", 0, 0, "", "MANUAL",
                                                "redact", ground, "reviewer", "drawn by the reviewer", 1.0, None,
                                                [(pno, rect)]))
    finally:
        doc.close()
    review.rejected = sorted(set(proposals) - seen)
    return review


def _keep_people(review: Review, findings: dict) -> list[str]:
    """A proposal the reviewer deleted keeps its person readable in the whole document: the person's
    other proposals are rejected with it (one decision that covers every mention). Returns the ids so
    rejected."""
    by_id = {f["id"]: f for f in findings["findings"]}
    kept = {by_id[fid].get("person") for fid in review.rejected} - {None}
    if not kept:
        return []
    follow = sorted({f.id.split("-")[0] for f in review.accepted if f.person in kept})
    review.accepted = [f for f in review.accepted if f.person not in kept]
    review.rejected = sorted(set(review.rejected) | set(follow))
    return follow


def _decided(findings: dict, review: Review, text: str) -> list[Finding]:
    """Every finding of the document as the reviewer left it, with its text: accepted and drawn ones
    redacted, deleted proposals and the tool's own keeps kept."""
    accepted = {f.id.split("-")[0] for f in review.accepted}
    out = [Finding(f["id"], f["start"], f["end"], text[f["start"]:f["end"]], f["entity"],
                   "redact" if f["id"] in accepted else "keep", f.get("ground", ""), f["rule"], "", f["score"],
                   f.get("person")) for f in findings["findings"]]
    return out + review.added


def _conflicts(decided: list[Finding], added: list[Finding]) -> list[str]:
    """Rectangles the reviewer drew over a name that otherwise stays readable: applied as drawn, and
    said as a warning on the document."""
    kept = [f for f in decided if f.decision == "keep" and f.entity == "PERSON"]
    pages = sorted({f.boxes[0][0] + 1 for f in added for k in kept
                    if f.end > f.start and f.start < k.end and k.start < f.end})
    if not pages:
        return []
    return [f"let op: een getekend vlak ligt over een naam die elders openbaar blijft (p. {', '.join(map(str, pages))}); "
            "toegepast zoals getekend"]


def apply_review(preview: Path, out_dir: Path, rules: Rules, findings_path: Path | None = None,
                 overview: bool = True) -> DocResult:
    """Burn in what the reviewer decided in `preview`; write OUT_DIR/redacted/<name> and record every
    decision in OUT_DIR/woo-redact.sqlite. A reviewer's decision is never refused: a rectangle over a
    name that stays readable elsewhere is applied and reported as a warning."""
    preview = Path(preview)
    explicit = findings_path is not None
    findings_path = findings_path or preview.parent.parent / "findings" / (preview.stem + ".json")
    if not findings_path.exists():
        raise InputFileError(f"{preview}: no findings file {findings_path} for this preview")
    if not explicit and Path(out_dir).resolve() != findings_path.parent.parent.resolve():
        raise InputFileError(f"{preview}: belongs to the batch output {findings_path.parent.parent}, "
                             f"not {out_dir}: use --out {findings_path.parent.parent}")
    try:
        findings = json.loads(findings_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InputFileError(f"{preview}: {findings_path} is not a findings file") from None
    doc = open_pdf(preview)
    try:
        source = doc.xref_get_key(doc.pdf_catalog(), SOURCE_KEY)
        digest = source[1].strip("()") if source[0] == "string" else None
        pages = doc.page_count - cover_pages(doc)
        if not digest or digest != findings.get("sha256") or pages != findings.get("pages"):
            raise InputFileError(f"{preview}: this preview does not belong to {findings_path.name} "
                                 "(another document, or the original changed since)")
    finally:
        doc.close()
    review = read_review(preview, findings, rules)
    followed = _keep_people(review, findings)
    result = DocResult(source=preview, status="failed", pages=findings.get("pages", 0))
    with tempfile.TemporaryDirectory(prefix="woo-review-") as work:
        bare = Path(work) / "original.pdf"
        _original_from(preview, bare)
        document = read(bare, rules)
        _spans_of_drawn_boxes(document, review.added)
        decided = _decided(findings, review, document.text)
        texts = {f.id: f.text for f in decided}
        for f in review.accepted:
            f.text = texts.get(f.id.split("-")[0], "")
        secrets = secret_forms(decided, keep_words=rules.organisation_words, text=document.text)
        final = out_dir / "redacted" / preview.name
        boxes = review.accepted + review.added
        result.warnings = finalise(bare, final, boxes, secrets, rules, shown_as=preview,
                                   text_layer=document.ocr_words(), image_words=document.image_words(),
                                   layouts=_layouts(bare, document, decided, {p for f in boxes for p, _ in f.boxes}))
        result.warnings += _conflicts(decided, review.added)
        if followed:
            result.warnings.append(f"{len(followed)} voorstel(len) vervallen: de beoordelaar hield deze persoon "
                                   "elders in het document leesbaar")
    result.redacted = final
    result.findings = review.accepted + review.added
    result.status = "ok"
    result.findings_json = _write_reviewed(findings_path, findings, result.findings)
    _audit(out_dir, preview.name, review, findings, sha256_file(preview), followed)
    _remember_rejected_people(preview, out_dir, review, findings)
    if overview:
        write_overview(out_dir, rules)
    return result


def _layouts(bare: Path, document, decided: list[Finding], pages: set[int]) -> dict[int, PageLayout]:
    """Per page the boxes of its words, of the punctuation the batch left readable beside a box
    ("Hoi ▮,") and its vertical rules: the burn-in widens boxes up to them, as it did for the batch's
    own output."""
    probe = [dataclasses.replace(f, boxes=[]) for f in decided if f.decision == "redact" and f.end > f.start
             and f.entity != "MANUAL"]
    map_boxes(document, probe)
    marks = trim_punctuation(lambda: open_pdf(bare), document, probe)
    return document.layouts(pages, marks)


def _spans_of_drawn_boxes(document, added: list[Finding]) -> None:
    """Give each rectangle the reviewer drew the text span of the words under it, so that the text
    versions of the bundle leave out what the PDF leaves out."""
    for f in added:
        under = [w for w in document.words for pno, rect in f.boxes
                 if w.page == pno and pymupdf.Rect(rect).contains(
                     ((w.rect[0] + w.rect[2]) / 2, (w.rect[1] + w.rect[3]) / 2))]
        if under:
            f.start, f.end = min(w.start for w in under), max(w.end for w in under)


def _write_reviewed(findings_path: Path, findings: dict, decided: list[Finding]) -> Path:
    """The reviewer's findings beside the tool's (positions, grounds; never the text)."""
    rows = []
    for f in decided:
        d = f.to_json()
        d.pop("text", None)
        d.pop("person", None)
        rows.append(d)
    path = reviewed_path(findings_path)
    with atomic_path(path) as tmp:
        tmp.write_text(findings_text({**findings, "reviewed": True, "findings": rows}),
                       encoding="utf-8")
    return path


def _original_from(preview: Path, dst: Path) -> None:
    """The original document out of its preview: our annotations, cover page and catalog keys removed."""
    doc = pymupdf.open(preview)
    try:
        for page in doc:
            for annot in list(page.annots() or []):
                page.delete_annot(annot)
        cat = doc.pdf_catalog()
        if doc.xref_get_key(cat, LABELS_KEY)[1] == "true":
            doc.xref_set_key(cat, "PageLabels", "null")
        if cover_pages(doc):
            doc.delete_page(0)
        for key in (COVER_KEY, LABELS_KEY, SOURCE_KEY):
            doc.xref_set_key(cat, key, "null")
        doc.save(dst, garbage=1)
    finally:
        doc.close()


def _remember_rejected_people(preview: Path, out_dir: Path, review: Review, findings: dict) -> None:
    """A person the reviewer rejected is kept in every document of the batch from its next run on."""
    by_id = {f["id"]: f for f in findings["findings"]}
    doc = pymupdf.open(preview)
    try:
        skip = cover_pages(doc)
        for fid in review.rejected:
            f = by_id[fid]
            if f["entity"] != "PERSON" or not f["boxes"]:
                continue
            box = f["boxes"][0]
            words = [w for w in doc[box["page"] - 1 + skip].get_text("words")
                     if ((w[0] + w[2]) / 2, (w[1] + w[3]) / 2) in pymupdf.Rect(box["rect"])]
            name = " ".join(w[4] for w in words).strip(" ,.;:")
            if person_key(name):
                decide_person(out_dir, name, "keep")
    finally:
        doc.close()


def _audit(out_dir: Path, name: str, review: Review, findings: dict, preview_sha256: str,
           followed: list[str] = ()) -> None:
    """Every reviewer decision in the batch's database: time, document, page, box, ground, source; and
    which version of the preview was applied, so that the batch does not apply it twice."""
    state = State(out_dir / STATE_FILE)
    now = time.time()
    by_id = {f["id"]: f for f in findings["findings"]}
    rows = []
    changed = {fid: new for fid, _, new in review.changed}
    for f in review.accepted:
        fid = f.id.split("-")[0]
        kind = "changed" if fid in changed else "accepted"
        rows.append((name, f.id, f.boxes[0][0] + 1, json.dumps([round(c, 2) for c in f.boxes[0][1]]), f.entity,
                     kind, f.ground, f.rule, f"reviewer {kind}", f.score, "reviewer", now))
    for fid in review.rejected:
        p = by_id[fid]
        box = p["boxes"][0] if p["boxes"] else {"page": 0, "rect": []}
        reason = ("reviewer kept this person (another mention deleted)" if fid in followed else "reviewer rejected")
        rows.append((name, fid, box["page"], json.dumps(box["rect"]), p["entity"], "rejected", "", p["rule"],
                     reason, p["score"], "reviewer", now))
    for f in review.added:
        rows.append((name, f.id, f.boxes[0][0] + 1, json.dumps([round(c, 2) for c in f.boxes[0][1]]), f.entity,
                     "added", f.ground, "reviewer", "drawn by the reviewer", 1.0, "reviewer", now))
    with state.db:
        state.db.execute("DELETE FROM decisions WHERE document = ? AND source = 'reviewer'", (name,))
        state.db.executemany("INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    state.preview_applied(name, preview_sha256)
    state.export_audit(out_dir / "audit.csv")
    state.close()
