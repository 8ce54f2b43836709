"""The worker side of a batch: one document from input file to outputs, in whichever process runs it
(the batch's own, a forked local worker, or a Dask worker via `remote`).

`WORKER` holds what every document of the batch shares in that process: the rules, the engine, the
people decisions, the number of jobs and whether this is a pool worker of its own.
"""
from __future__ import annotations

import errno
import gc
import os
import signal
import time
from pathlib import Path

from .convert import convert, convertible
from ..errors import OutputWriteError, WooRedactError
from ..files import converted_dir
from ..model import DocResult
from .pipeline import process

WORKER: dict = {}  # rules, engine, people, jobs, pool, read_ahead


def is_document(path: Path) -> bool:
    """A file the batch processes: a .pdf name, or PDF content under another name. Anything else is
    listed as not processed (a .pdf that is not a PDF is processed, and fails with its reason)."""
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with open(path, "rb") as fh:
            return b"%PDF-" in fh.read(1024)
    except OSError:
        return True  # let processing report why it cannot be read


def in_pool() -> None:
    """The initialiser of a batch's worker process."""
    WORKER["pool"] = True  # a worker process of its own: it may lower its priority for short documents
    # a process group of its own, with its helpers and OCR: Ctrl-C in the terminal reaches the batch's
    # own process only, which records what is finished and then stops the groups (`batch`)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        os.setpgrp()
    except OSError:
        pass


def work(path: Path, out_dir: Path, name: str, password: str | None) -> tuple[DocResult, float]:
    """One document of the batch, with the rules, engine and people decisions in `WORKER`: converted to PDF
    when it is an e-mail, office or text file, then through the pipeline. Returns its result and the
    seconds it took; a failure of the document is its result, a full or unwritable output folder raises
    OutputWriteError."""
    start = time.perf_counter()
    rules, engine = WORKER["rules"], WORKER["engine"]
    try:
        pdf, attachments = path, []
        if convertible(path) and not is_document(path):
            made = convert(path, converted_dir(out_dir, name))
            pdf, attachments = made.pdf, made.attachments
        result = process(pdf, out_dir, rules, engine, password, name=name, people=WORKER["people"],
                         jobs=WORKER.get("jobs", 1), yield_short=WORKER.get("pool", False),
                         read_ahead=WORKER.get("read_ahead") if pdf == path else None)
        if pdf != path:
            result.source, result.pdf, result.attachments = path, pdf, attachments
            if result.error:
                result.error = result.error.replace(str(pdf), str(path))
    except Exception as e:  # one bad document must not lose the rest of the batch
        reason = _output_full(e.__cause__ or e, out_dir) or _output_full(e, out_dir)
        if reason:  # ... but a full, read-only or forbidden output folder stops it (resumable)
            raise cannot_write(out_dir, reason) from None
        error = str(e) if isinstance(e, WooRedactError) else f"{path}: internal error ({type(e).__name__}: {e})"
        result = DocResult(source=path, status="failed", error=error,
                           exit_code=int(e.exit_code) if isinstance(e, WooRedactError) else None)
    return result, time.perf_counter() - start


def cannot_write(out_dir: Path, reason: str) -> OutputWriteError:
    return OutputWriteError(f"{out_dir}: cannot write the outputs ({reason}): free space or fix the folder's "
                            "permissions, then run the same command again")


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)
_FULL_WORDS = ("no space left", "file too large", "read-only file system", "disk quota")


_DENIED = (errno.EACCES, errno.EPERM)


def _output_full(e: Exception, out_dir: Path) -> str | None:
    """Why writing failed, when it is the output folder that cannot take more or may not be written
    (not one bad document: an input the batch may not read fails on its own)."""
    if isinstance(e, OSError) and e.errno in _FULL:
        return os.strerror(e.errno)
    if isinstance(e, OSError) and e.errno in _DENIED and _below(e.filename, out_dir):
        return os.strerror(e.errno)
    text = str(e).lower()
    if "permission denied" in text and str(Path(out_dir).resolve()).lower() in text:
        return "permission denied"
    return next((w for w in _FULL_WORDS if w in text), None)


def _below(name, folder: Path) -> bool:
    if not name:
        return False
    try:
        return Path(os.fsdecode(name)).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, ValueError, TypeError):
        return False


def settle_gc() -> None:
    """Once the engine is loaded: its objects (deduce's lists, Presidio's recognisers) live as long as the
    process, so they are frozen — the collector never walks them again, nor touches their memory in the
    forked workers (which would copy it) — and a collection runs every 20,000 allocations instead of
    700 (a dossier makes some 100,000 words and findings). The collector's time on the bench went from
    0.4 to 0.1 s per 340 pages."""
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)
