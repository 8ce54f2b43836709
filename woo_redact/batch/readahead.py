"""Reading a batch's PDFs while the detection engine loads.

Loading the engine (Presidio with spaCy, deduce's name lists) takes one core a second and a half or
more, and a batch's other cores wait for it. The read stage needs none of it: a process forked before
the engine loads reads the input PDFs, largest first, into a folder of pickled `Document`s, until the
engine is there and the batch stops it. A worker takes a document from that folder when it is there
and reads the PDF itself when it is not; what it gets is the same either way. A document whose reading
made the PDF libraries complain is not kept: its worker reads it again, so that the complaints reach
its line of the batch's report.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
from pathlib import Path

from ..model import Document
from ..pdf import noise
from ..pdf.ocr import CACHE_DIR
from ..pdf.read import read
from ..rules import Rules
from .inputs import inputs


_SIGNALS = {signal.SIGINT, signal.SIGTERM}
# at most this many pages are read ahead (some 40 kB each on disk): the engine's first load on a new
# machine builds deduce's lists for a minute and more, and a large batch must not fill the disk meanwhile
MAX_PAGES = 2000


def _key(path: Path) -> str | None:
    """The name a document's reading is kept under: its path, size and time of change."""
    try:
        st = path.stat()
    except OSError:
        return None
    return hashlib.sha1(f"{path}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape")).hexdigest()


def _pdfs(in_dir: Path) -> list[Path]:
    """The PDFs among the batch's inputs, largest first (as the workers take them)."""
    found = []
    for p in inputs(in_dir):
        if p.suffix.lower() == ".pdf":
            try:
                found.append((p.stat().st_size, p))
            except OSError:
                continue
    return [p for _, p in sorted(found, key=lambda t: -t[0])]


def _read_all(files: list[Path], folder: Path, rules: Rules, password: str | None, out_dir: Path,
              max_pages: int) -> None:
    """The reader process: each file read and kept, until it is stopped (its OCR with it). It starts
    with SIGINT and SIGTERM blocked (`ReadAhead.start`): the batch's own handlers, which it inherits,
    would otherwise run the batch's code on in this copy of it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the batch, which stops this process
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and stops it at once
    try:
        os.setpgrp()  # a group of its own: stopping it stops Tesseract too
    except OSError:
        pass
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    pages = 0
    for path in files:
        if pages >= max_pages:
            return
        key = _key(path)
        if key is None:
            continue
        try:
            with noise.captured() as said:
                document = read(path, rules, password, ocr_cache=out_dir / CACHE_DIR)
        except Exception:  # the worker reads it again and reports why it cannot
            continue
        if said:
            continue
        pages += document.page_count
        tmp = folder / f".{key}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(document, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / key)


def take(folder: Path | None, path: Path) -> Document | None:
    """The document of `path` as the reader read it, or None when it did not (or the file changed)."""
    if folder is None:
        return None
    key = _key(path)
    if key is None:
        return None
    try:
        with open(folder / key, "rb") as fh:
            document = pickle.load(fh)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError):
        return None
    return document if isinstance(document, Document) and document.path == path else None


class ReadAhead:
    """The reader process and its folder: `start` before loading the engine, `stop` once it is loaded
    (the batch's workers then take what it read), `close` when the batch is done."""

    def __init__(self, folder: Path, process):
        self.folder = folder
        self._process = process

    @classmethod
    def start(cls, in_dir: Path, out_dir: Path, rules: Rules, password: str | None = None,
              max_pages: int = MAX_PAGES) -> ReadAhead | None:
        """Start reading the PDFs of `in_dir` (up to `max_pages` pages); None where it cannot help: one
        core, or no fork."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None
        files = _pdfs(Path(in_dir))
        if not files:
            return None
        folder = Path(tempfile.mkdtemp(prefix="woo-redact-read-"))
        process = multiprocessing.get_context("fork").Process(
            target=_read_all, args=(files, folder, rules, password, Path(out_dir), max_pages), daemon=True)
        # no signal reaches the copy before it has its own handlers: the batch's (SIGTERM stops like
        # Ctrl-C) would raise there, between the fork and multiprocessing's guard, and the copy would go
        # on as a second batch (a stop comes at once when the engine was loaded already)
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        return cls(folder, process)

    def finished(self) -> bool:
        """Whether the reader went through every file (or was stopped)."""
        return self._process is None or not self._process.is_alive()

    def stop(self) -> None:
        """Stop reading: what is read is kept; a document being read is left to its worker."""
        if self._process is None:
            return
        if self._process.is_alive():
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
            except OSError:  # not in its own group yet
                self._process.terminate()
        self._process.join()
        self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
