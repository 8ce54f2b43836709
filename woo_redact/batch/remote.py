"""Running the per-document work on a Dask distributed cluster (`batch --executor dask`).

Workers need no shared file system: the input's bytes travel to the worker, which processes the document
in a temporary folder exactly as a local worker would, and sends back every file it wrote (redacted PDF,
preview, findings, crops, converted PDFs and e-mail attachments) with the result. The batch's main
process — the one owner of the SQLite state — writes them into OUT_DIR atomically and records them.
Each worker process loads the detection engine once, on its first document.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from ..errors import ExitCode, WooRedactError
from ..model import DocResult
from ..rules import Rules
from .workers import WORKER, settle_gc, work


class SchedulerError(WooRedactError):
    exit_code = ExitCode.bad_args


_ENGINES: dict[str, object] = {}  # rules checksum → engine, per worker process


def _engine(rules: Rules):
    from ..detect.engine import get_engine

    if rules.checksum not in _ENGINES:
        _ENGINES[rules.checksum] = get_engine(rules)
        settle_gc()
    return _ENGINES[rules.checksum]


def work_remotely(data: bytes, filename: str, name: str, rules: Rules, people: dict,
                  password: str | None) -> tuple[DocResult, dict[str, bytes], float]:
    """The worker side: one document from its bytes. Returns the result with paths relative to OUT_DIR,
    the files written (relative path → bytes) and the seconds it took."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="woo-remote-") as tmp:
        src = Path(tmp) / "in" / filename
        src.parent.mkdir()
        src.write_bytes(data)
        out = Path(tmp) / "out"
        out.mkdir()
        WORKER.update(rules=rules, engine=_engine(rules), people=people)
        result, _ = work(src, out, name, password)
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                 if p.is_file() and not p.name.endswith(".tmp")}
        for attr in ("redacted", "preview", "findings_json", "pdf"):
            value = getattr(result, attr)
            if value is not None and Path(value).is_relative_to(out):
                setattr(result, attr, Path(value).relative_to(out))
        result.attachments = [Path(a).relative_to(out) for a in result.attachments if Path(a).is_relative_to(out)]
        if result.error:
            result.error = result.error.replace(str(src), filename)
    return result, files, time.perf_counter() - start


def _place(result: DocResult, files: dict[str, bytes], out_dir: Path, source: Path) -> DocResult:
    """The main side: write the worker's files into OUT_DIR (each atomically) and point the result at them."""
    for rel, data in files.items():
        dst = out_dir / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dst)
    for attr in ("redacted", "preview", "findings_json", "pdf"):
        value = getattr(result, attr)
        if value is not None:
            setattr(result, attr, out_dir / value)
    result.attachments = [out_dir / a for a in result.attachments]
    result.source = source
    if result.error:
        result.error = result.error.replace(source.name, str(source), 1)
    return result


def run_on_dask(scheduler: str, todo: Iterable[tuple[Path, str, str]], out_dir: Path, rules: Rules,
                people: dict, password: str | None,
                done: Callable[[Path, str, str, DocResult, float], None]) -> None:
    """Submit every (path, name, digest) to the cluster at `scheduler`; call `done` as results arrive."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - a dependency of the package
        raise SchedulerError("--executor dask needs the 'distributed' package") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as e:
        raise SchedulerError(f"{scheduler}: cannot reach the Dask scheduler ({e})") from None
    try:
        futures = {}
        for path, name, digest in todo:
            try:
                data = Path(path).read_bytes()
            except OSError as e:
                done(path, name, digest, DocResult(source=path, status="failed",
                                                   error=f"{path}: cannot be read ({e.strerror})"), 0.0)
                continue
            future = client.submit(work_remotely, data, Path(path).name, name, rules, people, password,
                                   key=f"woo-redact-{digest or name}-{name}", pure=False)
            futures[future] = (path, name, digest)
        for future in as_completed(list(futures)):
            path, name, digest = futures[future]
            try:
                result, files, seconds = future.result()
                result = _place(result, files, out_dir, Path(path))
            except Exception as e:  # a worker died or the task failed on the cluster
                result, seconds = DocResult(source=path, status="failed",
                                            error=f"{path}: worker failed ({type(e).__name__}: {e})"), 0.0
            done(path, name, digest, result, seconds)
    finally:
        client.close()
