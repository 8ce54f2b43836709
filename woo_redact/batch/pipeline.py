"""One document through the stages: read → detect → decide → mark → burn → sanitise → verify.

Outputs are written to temporary names in their folder and renamed into place only when complete; a
redacted PDF that fails verification is never written as a final output.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..pdf import noise
from ..decide import Decider, map_boxes
from ..detect.engine import SPLIT_PAGES, Engine, get_engine
from ..errors import WooRedactError
from ..files import atomic_path, sha256_file
from ..pdf.finalise import finalise, timed
from ..pdf.mark import mark
from ..model import Candidate, Document, DocResult, Finding, findings_text
from ..pdf.ocr import CACHE_DIR, LOW_CONFIDENCE
from .overview import prepare_section, render_crops
from ..pdf.ocr import available as ocr_missing
from ..pdf.edges import trim_punctuation
from ..pdf.read import open_pdf, read
from .readahead import take
from ..rules import Rules
from ..decide.secrets import SecretForms, other_mentions, secret_forms


SHORT_NICENESS = 10
_yielded = False


def yield_cpu() -> None:
    """Lower this worker process's priority, once: a short document gives way to the split work of a
    long one, whose helpers the batch waits for at its end; it takes the cores those leave idle (while
    the long one decides, and at the end). The CPU is never left idle for it. A worker keeps the lower
    priority (it may not raise it again); as workers take the largest inputs first, what comes after is
    short too."""
    global _yielded
    if _yielded:
        return
    _yielded = True
    try:
        os.nice(SHORT_NICENESS)
    except OSError:  # not allowed here: the same priority then
        pass


@dataclass
class Analysis:
    document: Document
    candidates: list[Candidate]
    findings: list[Finding]
    secrets: SecretForms
    readable_marks: dict = field(default_factory=dict)  # per page: punctuation beside a box (edges.py)


def analyse(path: Path, rules: Rules, engine: Engine | None = None, password: str | None = None,
            people: dict | None = None, jobs: int = 1, ocr_cache: Path | None = None,
            stages: dict | None = None, yield_short: bool = False, read_ahead: Path | None = None) -> Analysis:
    """Read, detect and decide: the findings for one document, with their boxes. `jobs`: processes a
    long document's detection may use; `ocr_cache`: where OCR results of scans are kept; `stages`: gets
    the seconds of "read" and "detected" (detection and decision); `yield_short`: in a batch's pool
    worker, give way to long documents when this one is too short to split (`yield_cpu`);
    `read_ahead`: the folder where the batch read its PDFs while its engine loaded (`readahead`)."""
    engine = engine or get_engine(rules)
    with timed(stages, "read"):
        document = take(read_ahead, path) or read(path, rules, password, ocr_cache=ocr_cache, jobs=jobs)
    if yield_short and document.page_count <= SPLIT_PAGES:
        yield_cpu()
    with timed(stages, "detected"):
        candidates = engine.detect(document, jobs=jobs)
        decider = Decider(rules, engine.structure, engine.lookups, people)
        findings = decider.decide(document, candidates)
        secrets = secret_forms(findings + _extra_findings(engine, decider, document),
                               keep_words=rules.organisation_words, text=document.text)
        # every other place a redacted person's form stands goes too: what verification looks for
        findings += other_mentions(document.name, document.text, findings, secrets, rules.ground_for("PERSON"))
        findings.sort(key=lambda f: (f.start, f.end))
        map_boxes(document, findings)
        marks = trim_punctuation(lambda: open_pdf(path, password), document, findings)
    return Analysis(document, candidates, findings, secrets, marks)


def _extra_findings(engine: Engine, decider: Decider, document: Document) -> list[Finding]:
    """Personal data in annotations, bookmarks and attachment names: what sanitise must not let through."""
    if not document.extra_texts:
        return []
    text = "\n".join(document.extra_texts)
    mini = Document(path=document.path, text=text, words=[], lines=[], page_count=0, page_starts=[])
    return decider.decide(mini, engine.detect(mini))


def findings_json(result_source: Path, analysis: Analysis, rules: Rules, sha256: str) -> dict:
    """The findings of one document for reviewers and tools — positions, grounds and reasons, never the
    redacted text itself."""
    rows = []
    people: dict[str, str] = {}  # a person's key → "p1", "p2", ...: which mentions are one person
    for f in analysis.findings:
        d = f.to_json()
        d.pop("text", None)
        d["person"] = people.setdefault(f.person, f"p{len(people) + 1}") if f.person else None
        rows.append(d)
    return {
        "file": result_source.name,
        "tool": f"woo-redact {__version__}",
        "rules_checksum": rules.checksum,
        "sha256": sha256,
        "pages": analysis.document.page_count,
        "textless_pages": [p + 1 for p in analysis.document.textless_pages],
        "header": {f.label: f.value for f in analysis.document.fields if f.kind in ("reference", "date", "publication")},
        "findings": rows,
    }


def _review_material(path: Path, out_dir: Path, preview: Path, analysis: Analysis, rules: Rules,
                     password: str | None, digest: str, seconds=None) -> None:
    """The preview PDF and the review page's crops of one document; `seconds` (a shared value when run
    in a helper process) gets how long that took."""
    start = time.perf_counter()
    document = analysis.document
    with atomic_path(preview) as tmp:
        mark(path, tmp, analysis.findings, rules, password, source_sha256=digest,
             ocr_confidence=document.ocr_confidence, textless=document.textless_pages)
    crops = render_crops(path, out_dir, digest, [(p + 1, r) for f in analysis.findings for p, r in f.boxes],
                         password)
    prepare_section(out_dir, preview.name, document.page_count, digest, analysis.findings, crops, rules)
    if seconds is not None:
        seconds.value = time.perf_counter() - start


def process(path: Path, out_dir: Path, rules: Rules, engine: Engine | None = None,
            password: str | None = None, name: str | None = None, people: dict | None = None,
            jobs: int = 1, yield_short: bool = False, read_ahead: Path | None = None) -> DocResult:
    """Run one document through every stage and write its outputs under `out_dir`:
    redacted/<name>.pdf, preview/<name>.pdf and findings/<stem>.json."""
    path = Path(path)
    name = name or path.name
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    result = DocResult(source=path, status="failed")
    with noise.captured() as said:  # a damaged file's dozens of library messages: one clause in its line
        _process(path, out_dir, rules, engine, password, name, people, jobs, yield_short, read_ahead, result)
    note = noise.summary(said)
    if note and result.status == "ok":
        result.warnings.append(note)
    elif note:
        result.error = f"{result.error} ({note})"
    return result


def _process(path: Path, out_dir: Path, rules: Rules, engine: Engine | None, password: str | None, name: str,
             people: dict | None, jobs: int, yield_short: bool, read_ahead: Path | None, result: DocResult) -> None:
    try:
        analysis = analyse(path, rules, engine, password, people, jobs=jobs, ocr_cache=out_dir / CACHE_DIR,
                           stages=result.stages, yield_short=yield_short, read_ahead=read_ahead)
        digest = sha256_file(path)  # ties the preview and its findings to this exact original
        result.pages = analysis.document.page_count
        result.findings = analysis.findings
        document = analysis.document
        if document.textless_pages:
            result.warnings.append(f"{len(document.textless_pages)} page(s) without text and not read by OCR: "
                                   f"not searched, review by hand ({ocr_missing() or 'no text found'})")
        if document.ocr_confidence:
            low = sorted(p + 1 for p, c in document.ocr_confidence.items() if c < LOW_CONFIDENCE)
            result.warnings.append(f"{len(document.ocr_confidence)} scanned page(s) read by OCR"
                                   + (f"; low OCR confidence on p. {', '.join(map(str, low))}: check by hand"
                                      if low else ""))
        if document.off_page:
            result.warnings.append(f"text outside the visible page on p. {', '.join(str(p + 1) for p in document.off_page)}: "
                                   "searched and redacted like the rest, but no viewer shows it or its boxes")
        if document.image_text_pages:
            result.warnings.append(f"text in images read by OCR on p. {', '.join(str(p + 1) for p in document.image_text_pages)}: "
                                   "check handwriting, stamps and signatures in them by hand")
        redactions = [f for f in analysis.findings if f.decision == "redact"]
        title = analysis.document.field_value("Betreft") or analysis.document.field_value("Onderwerp")
        result.redacted = out_dir / "redacted" / name
        preview = out_dir / "preview" / name
        review_args = (path, out_dir, preview, analysis, rules, password, digest)
        helper = None
        if jobs > 1 and document.page_count > SPLIT_PAGES and "fork" in multiprocessing.get_all_start_methods():
            # a long document: its preview and crops are made beside the burn-in, in a forked helper
            ctx = multiprocessing.get_context("fork")
            seconds = ctx.Value("d", 0.0)
            helper = ctx.Process(target=_review_material, args=review_args + (seconds,))
            helper.start()
        try:
            result.warnings += finalise(path, result.redacted, redactions, analysis.secrets, rules, password,
                                        title, text_layer=document.ocr_words(), stages=result.stages,
                                        image_words=document.image_words(),
                                        layouts=document.layouts({p for f in redactions for p, _ in f.boxes},
                                                                 analysis.readable_marks))
            fjson = out_dir / "findings" / (Path(name).stem + ".json")  # written while the helper works
            with atomic_path(fjson) as tmp:
                tmp.write_text(findings_text(findings_json(path, analysis, rules, digest)), encoding="utf-8")
        finally:
            if helper is not None:
                helper.join()
        if helper is None or helper.exitcode != 0:
            with timed(result.stages, "previewed"):
                _review_material(*review_args)
        else:
            result.stages["previewed"] = round(seconds.value, 3)
        result.preview = preview
        result.findings_json = fjson
        result.status = "ok"
    except WooRedactError as e:
        result.error = str(e)
        result.exit_code = int(e.exit_code)
