"""Batch: every document of a folder through the pipeline, going on past bad files, resumable.

State lives in OUT_DIR/woo-redact.sqlite (`state.py`): a document already done with the same content and
rules is not processed again, so a batch that was stopped — even with kill -9 — is completed by running
the same command again. Documents with the same content under two names are processed once. With more
than one worker, documents are processed in forked worker processes that share the engine the main
process loaded; the main process alone writes the database.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..pdf import ocr
from .archive import MAX_DEPTH, is_zip, unpack
from ..detect.engine import Engine, get_engine
from .convert import convertible
from .inputs import check_folders, inputs
from ..errors import ExitCode, InputFileError, OutputWriteError, WooRedactError
from ..files import STATE_FILE, atomic_path, converted_dir, reviewed_path, sha256_of
from ..model import DocResult, Finding
from .overview import write_overview
from ..decide.people import load_people, people_checksum
from .review import apply_review
from ..rules import Rules
from .state import State
from .workers import WORKER, cannot_write, in_pool, is_document, settle_gc, work

AUDIT_FILE = "audit.csv"  # every decision of the batch, exported from the database after each run
OUTPUT_DIRS = ("redacted", "preview", "findings", ocr.CACHE_DIR)


@dataclass
class BatchResult:
    results: list[DocResult] = field(default_factory=list)
    resumed: int = 0  # documents taken from an earlier run
    reviewed: int = 0  # documents redacted with the decisions of their reviewed preview
    earlier: set[Path] = field(default_factory=set)  # the inputs of `resumed`
    by_review: set[Path] = field(default_factory=set)  # the inputs of `reviewed`
    names: dict[Path, str] = field(default_factory=dict)  # input → its output name (unique in the batch)

    def name_of(self, r: DocResult) -> str:
        """The name a document goes by in the inventory: its redacted PDF's, or for an input without one
        its output name without the added ".pdf" (sub-folders and zips joined with __, so unique)."""
        if r.redacted:
            return r.redacted.name
        name = self.names.get(r.source) or Path(r.source).name
        return name[:-4] if name.endswith(".pdf") and not Path(r.source).name.lower().endswith(".pdf") else name

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def skipped(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "skipped"]

    @property
    def duplicates(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "duplicate"]

    @property
    def archives(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "archive"]

    @property
    def exit_code(self) -> ExitCode:
        """0 when nothing failed; 4 when an output failed verification; 8 when every input that failed
        is an encrypted PDF (no or a wrong password); otherwise 2."""
        return worst_exit([r.exit_code for r in self.failed] +
                          [ExitCode.verification_failed for r in self.failed
                           if r.error and "verification failed" in r.error])


def worst_exit(codes: list[int | None]) -> ExitCode:
    """The exit status of a command over several inputs, from the exit codes of those that failed (None:
    no code known): 4 before anything else, 8 when all are encrypted PDFs, else 2."""
    if not codes:
        return ExitCode.ok
    if ExitCode.verification_failed in codes:
        return ExitCode.verification_failed
    if all(c == ExitCode.encrypted_pdf for c in codes):
        return ExitCode.encrypted_pdf
    return ExitCode.input_file


def output_name(in_dir: Path, path: Path) -> str:
    rel = path.relative_to(in_dir)
    name = "__".join(rel.parts)
    return name if name.lower().endswith(".pdf") else name + ".pdf"


def remove_stale_temporaries(out_dir: Path) -> int:
    """Temporary files of a run that was killed before it could rename them."""
    n = 0
    for sub in OUTPUT_DIRS:
        for tmp in (out_dir / sub).glob(".*.tmp") if (out_dir / sub).is_dir() else []:
            tmp.unlink(missing_ok=True)
            n += 1
    return n


def _findings_from_json(path: Path) -> list[Finding]:
    """The findings of an earlier run (positions, grounds, decisions; the text is never stored)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for f in data.get("findings", []):
        boxes = [(b["page"] - 1, tuple(b["rect"])) for b in f.get("boxes", [])]
        out.append(Finding(f["id"], f["start"], f["end"], "", f["entity"], f["decision"], f["ground"], f["rule"],
                           f["reason"], f["score"], None, boxes))
    return out


def _resumed(path: Path, out_dir: Path, name: str, row: dict) -> DocResult | None:
    """The result of an earlier run, if its outputs are all still there."""
    warnings = json.loads(row["warnings"] or "[]")
    if row["status"] == "duplicate":  # written under its own name too (unless the first failed)
        redacted, fjson = out_dir / "redacted" / name, out_dir / "findings" / (Path(name).stem + ".json")
        if not (row["pages"] and redacted.exists() and fjson.exists()):
            return None
        return DocResult(source=path, status="duplicate", error=row["error"], warnings=warnings, pages=row["pages"],
                         findings=_findings_from_json(fjson), redacted=redacted, findings_json=fjson,
                         pdf=_converted_pdf(out_dir, path, name))
    if row["status"] != "ok":
        return DocResult(source=path, status=row["status"], error=row["error"], warnings=warnings)
    redacted, preview = out_dir / "redacted" / name, out_dir / "preview" / name
    fjson = out_dir / "findings" / (Path(name).stem + ".json")
    if not (redacted.exists() and preview.exists() and fjson.exists()):
        return None
    return DocResult(source=path, status="ok", pages=row["pages"], findings=_findings_from_json(fjson),
                     redacted=redacted, preview=preview, findings_json=fjson, warnings=warnings,
                     pdf=_converted_pdf(out_dir, path, name))


def _converted_pdf(out_dir: Path, path: Path, name: str) -> Path | None:
    """The PDF made from a non-PDF input in an earlier run, if there is one."""
    if is_document(path) or not convertible(path):
        return None
    pdf = converted_dir(out_dir, name) / (path.stem + ".pdf")
    return pdf if pdf.exists() else None


def _reviewed(path: Path, out_dir: Path, name: str, digest: str, rules: Rules, state: State,
              aside: dict[Path, str]) -> DocResult | None:
    """The reviewer's result for a document whose preview was edited since the tool wrote it.

    A preview saved by a reviewer is applied (burned in) once; from then on the reviewer's decisions stand
    for that document, also when rules or people decisions change. When the original itself changed after
    the review, the reviewed preview no longer fits: it is kept aside and the document is done again."""
    preview = out_dir / "preview" / name
    fjson = out_dir / "findings" / (Path(name).stem + ".json")
    written, applied = state.preview(name)
    if not (preview.exists() and fjson.exists() and (written or applied)):
        return None
    current = sha256_of(preview)
    if current == written:
        return None  # untouched: the tool's own proposals
    findings = json.loads(fjson.read_text(encoding="utf-8"))
    made = _converted_pdf(out_dir, path, name)
    # the review fits only this very original: the hash its findings name, or for an e-mail, office or
    # text file (reviewed in the PDF made of it, whose hash the findings name) the input's own hash as
    # the batch recorded it when it made that PDF
    fits = state.input_sha256(name) == digest if made is not None else findings.get("sha256") == digest
    if not fits:
        aside_path = preview.with_name(f"{preview.stem}.beoordeeld-{time.strftime('%Y%m%d-%H%M%S')}.pdf")
        os.replace(preview, aside_path)
        aside[path] = aside_path.name
        return None
    if current == applied and reviewed_path(fjson).exists() and (out_dir / "redacted" / name).exists():
        result = DocResult(source=path, status="ok", pages=findings.get("pages", 0),
                           findings=_findings_from_json(reviewed_path(fjson)), redacted=out_dir / "redacted" / name,
                           preview=preview, findings_json=reviewed_path(fjson))
    else:
        result = apply_review(preview, out_dir, rules, fjson, overview=False)
        result.source = path
    result.pdf = made
    result.warnings.append("reviewed: the reviewer's decisions from the preview")
    return result


def _attachments(out_dir: Path, path: Path, name: str) -> list[tuple[Path, str, str]]:
    """The saved attachments of an e-mail input, or the files of a zip, as batch entries (path, output
    name, parent's name)."""
    out = []
    folder = converted_dir(out_dir, name) / (path.stem + ".bijlagen")
    if folder.is_dir():
        for att in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
            out.append((att, _child_name(name, att.name), name))
    folder = converted_dir(out_dir, name) / ARCHIVE_DIR
    if folder.is_dir():  # a zip: its files with their folders, in the names' order
        for member in inputs(folder):
            out.append((member, _child_name(name, "__".join(member.relative_to(folder).parts)), name))
    return out


ARCHIVE_DIR = "inhoud"  # a zip's files, unpacked under OUT_DIR/.converted/<name>/


def _child_name(parent: str, name: str) -> str:
    child = f"{Path(parent).stem}__{name}"
    return child if child.lower().endswith(".pdf") else child + ".pdf"


def _unpack(path: Path, out_dir: Path, name: str, digest: str, depth: int) -> DocResult:
    """A zip input: its files unpacked (once per content) for the batch's next round."""
    folder = converted_dir(out_dir, name) / ARCHIVE_DIR
    marker = converted_dir(out_dir, name) / ".sha256"
    try:
        if depth > MAX_DEPTH:
            raise InputFileError(f"{path}: refused: zip archives nested more than {MAX_DEPTH} deep")
        if not (folder.is_dir() and marker.exists() and marker.read_text() == digest):
            marker.unlink(missing_ok=True)
            unpack(path, folder)
            marker.write_text(digest)
    except WooRedactError as e:
        shutil.rmtree(folder, ignore_errors=True)
        return DocResult(source=path, status="failed", error=str(e), exit_code=int(ExitCode.input_file))
    n = len(inputs(folder))
    return DocResult(source=path, status="archive", error=f"{path}: zip archive: its {n} file(s) are documents of "
                                                            "their own")


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now, with the helpers and OCR processes it started (its process group)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:  # not (yet) a group of its own
            try:
                proc.kill()
            except OSError:
                pass


def run_batch(in_dir: Path, out_dir: Path, rules: Rules, engine: Engine | None = None,
              password: str | None = None, on_result: Callable[[DocResult], None] | None = None,
              workers: int = 1, scheduler: str | None = None, read_ahead: Path | None = None) -> BatchResult:
    """Process every input; a document that fails is recorded with its reason and the batch goes on.
    `scheduler`: the address of a Dask scheduler to run the documents on instead of local workers;
    `read_ahead`: the folder of the documents read while the engine loaded (`readahead.ReadAhead`)."""
    check_folders(in_dir, out_dir)
    engine = engine or get_engine(rules)
    settle_gc()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        state = State(out_dir / STATE_FILE)
    except (OSError, sqlite3.Error) as e:  # a folder the batch may not write: say so, no traceback
        raise cannot_write(out_dir, os.strerror(e.errno) if isinstance(e, OSError) and e.errno else str(e)) from None
    people = load_people(out_dir)
    # a decision about a person changes what every document needs: it is part of the rules' checksum
    checksum = f"{rules.checksum}+{people_checksum(people)}" if people else rules.checksum
    WORKER.update(rules=rules, engine=engine, people=people, jobs=workers, read_ahead=read_ahead)
    remove_stale_temporaries(out_dir)
    batch = BatchResult()
    results: dict[Path, DocResult] = {}
    seen: dict[str, str] = {}  # content hash → output name of the first input with that content
    todo: list[tuple[Path, str, str]] = []
    aside: dict[Path, str] = {}  # inputs changed after review → their reviewed preview, kept aside

    unpacked: dict[Path, str] = {}  # a zip's folder in OUT_DIR → the zip as the user knows it

    def shown(path: Path) -> str:
        """A file of a zip as "IN/dossier.zip/stukken/nota.pdf", not by where it was unpacked to."""
        for folder, zip_path in unpacked.items():
            if path.is_relative_to(folder):
                return f"{zip_path}/{path.relative_to(folder).as_posix()}"
        return str(path)

    def finish(path: Path, name: str, digest: str, result: DocResult, seconds: float, duplicate_of=None):
        if result.error and shown(path) != str(path):
            result.error = result.error.replace(str(path), shown(path))
        if path in aside:
            result.warnings.append(f"the original changed after review: review again (the old review is "
                                   f"kept as preview/{aside[path]})")
        state.record(name, result, digest, checksum, seconds, duplicate_of)
        if result.status == "ok" and result.preview:
            state.preview_written(name, sha256_of(result.preview))
        results[path] = result
        if on_result:
            on_result(result)

    def take(path: Path, name: str, digest: str, parent: str | None, result: DocResult) -> None:
        """A result that needs no processing now (reviewed, or from an earlier run)."""
        result.parent = parent
        results[path] = result
        if result.status == "ok":
            seen.setdefault(digest, name)
        if on_result:
            on_result(result)

    files = inputs(in_dir)
    entries = [(path, output_name(in_dir, path), None) for path in files]
    order: list[Path] = []
    depth: dict[str, int] = {}  # a zip's output name → how deep in zips it stands
    try:
        while entries:  # a round per generation: the inputs, then the attachments of their e-mails and
            # the files of their zips
            todo.clear()
            copies: list[tuple[Path, str, str, str]] = []  # same content as a document of this round
            parents: dict[Path, str | None] = {}
            for path, name, parent in entries:
                order.append(path)
                batch.names[path] = name
                parents[path] = parent
                digest = sha256_of(path)
                try:
                    reviewed = _reviewed(path, out_dir, name, digest, rules, state, aside) if digest else None
                except WooRedactError as e:
                    reviewed = DocResult(source=path, status="failed", error=f"{path}: reviewed preview: {e}")
                if reviewed is not None:
                    if reviewed.status == "ok":
                        batch.reviewed += 1
                        batch.by_review.add(path)
                    take(path, name, digest, parent, reviewed)
                    continue
                if digest and digest in seen:  # copied from the first once it is done (or reviewed) in
                    copies.append((path, name, digest, seen[digest]))  # this run: always its outputs
                    continue
                row = state.done(name, digest, checksum) if digest else None
                earlier = _resumed(path, out_dir, name, row) if row else None
                if earlier is not None:
                    batch.resumed += 1
                    batch.earlier.add(path)
                    take(path, name, digest, parent, earlier)
                    continue
                if is_zip(path) and not convertible(path):  # (a zip of stored PDFs has "%PDF-" early on)
                    depth[name] = depth.get(parent or "", 0) + 1
                    result = _unpack(path, out_dir, name, digest, depth[name])
                    unpacked[converted_dir(out_dir, name) / ARCHIVE_DIR] = shown(path)
                    result.parent = parent
                    finish(path, name, digest, result, 0.0)
                    continue
                if not is_document(path) and not convertible(path):
                    finish(path, name, digest, DocResult(
                        source=path, status="skipped", parent=parent,
                        error=f"{path}: not processed: unsupported file type ({path.suffix or 'no extension'})"), 0.0)
                    continue
                if digest:
                    seen[digest] = name
                todo.append((path, name, digest))

            def done(p: Path, n: str, d: str, result: DocResult, seconds: float) -> None:
                result.parent = parents.get(p)
                finish(p, n, d, result, seconds)

            if scheduler and todo:
                from .remote import run_on_dask

                run_on_dask(scheduler, sorted(todo, key=lambda t: _size(t[0]), reverse=True), out_dir, rules,
                            people, password, done)
            elif workers <= 1 or len(todo) <= 1:
                for path, name, digest in todo:
                    result, seconds = work(path, out_dir, name, password)
                    done(path, name, digest, result, seconds)
            else:
                _in_parallel(todo, workers, out_dir, password, done)
            for path, name, digest, first in copies:
                result = _copy_of(path, out_dir, name, first, results)
                result.parent = parents.get(path)
                finish(path, name, digest, result, 0.0, first)
            entries = [e for path, name, _ in entries for e in _attachments(out_dir, path, name)]
        state.export_audit(out_dir / AUDIT_FILE)
    finally:
        state.close()
    write_overview(out_dir, rules, password)
    rank = {p: i for i, p in enumerate(order)}
    batch.results = [results[p] for p in sorted(results, key=lambda p: rank.get(p, len(rank)))]
    return batch


def _in_parallel(todo: list[tuple[Path, str, str]], workers: int, out_dir: Path, password: str | None,
                 done: Callable[[Path, str, str, DocResult, float], None]) -> None:
    """The documents in forked worker processes, each recorded (`done`) as it finishes. Interrupted
    (Ctrl-C, SIGTERM, an output folder that is full): what has finished is recorded, the workers and
    their helpers are stopped at once, and the next run does the rest."""
    ctx = multiprocessing.get_context("fork")  # workers share the engine loaded here
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=in_pool)
    pending = {}

    def collect(fut) -> None:
        p, n, d = pending.pop(fut)
        try:
            result, seconds = fut.result()
        except OutputWriteError:
            raise
        except Exception as e:  # a worker died (out of memory, killed)
            result, seconds = DocResult(source=p, status="failed", error=f"{p}: worker failed ({type(e).__name__})"), 0.0
        done(p, n, d, result, seconds)

    try:
        # largest first: a long dossier started last would keep one worker busy alone at the end
        ordered = sorted(todo, key=lambda t: _size(t[0]), reverse=True)
        pending = {pool.submit(work, p, out_dir, n, password): (p, n, d) for p, n, d in ordered}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                collect(fut)
    except BaseException:
        _stop_workers(pool)
        for fut in [f for f in pending if f.done() and not f.cancelled() and f.exception() is None]:
            try:
                collect(fut)
            except BaseException:
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _copy_of(path: Path, out_dir: Path, name: str, first: str, results: dict[Path, DocResult]) -> DocResult:
    """An input with the same content as `first`: its redacted PDF and findings are written under this
    name too, and it is listed as a duplicate of the first (the first alone is reviewed)."""
    original = next((r for r in results.values() if r.redacted and r.redacted.name == first), None)
    error = f"{path}: same content as {first}"
    if original is None or original.status != "ok" or not original.findings_json:
        return DocResult(source=path, status="duplicate", error=f"{path}: not processed: same content as {first}")
    redacted, fjson = out_dir / "redacted" / name, out_dir / "findings" / (Path(name).stem + ".json")
    for src, dst in ((original.redacted, redacted), (original.findings_json, fjson)):
        with atomic_path(dst) as tmp:
            shutil.copyfile(src, tmp)
    return DocResult(source=path, status="duplicate", error=error, pages=original.pages,
                     findings=list(original.findings), redacted=redacted, findings_json=fjson,
                     warnings=list(original.warnings), pdf=original.pdf)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use the woo-redact command")
