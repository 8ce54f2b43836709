"""Batch: every document of a folder through the pipeline, one engine for all, going on past bad files."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .detect import Engine, get_engine
from .errors import ExitCode
from .model import DocResult
from .pipeline import process
from .rules import Rules


@dataclass
class BatchResult:
    results: list[DocResult] = field(default_factory=list)

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def skipped(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "skipped"]

    @property
    def exit_code(self) -> ExitCode:
        if not self.failed:
            return ExitCode.ok
        if any(r.error and "verification failed" in r.error for r in self.failed):
            return ExitCode.verification_failed
        return ExitCode.input_file


def inputs(in_dir: Path) -> list[Path]:
    """The files of a batch, in a stable order: every regular file below `in_dir`, hidden files aside."""
    return sorted(p for p in in_dir.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(in_dir).parts))


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


def run_batch(in_dir: Path, out_dir: Path, rules: Rules, engine: Engine | None = None,
              password: str | None = None, on_result: Callable[[DocResult], None] | None = None,
              progress: Callable | None = None) -> BatchResult:
    """Process every input; a document that fails is recorded with its reason and the batch goes on."""
    engine = engine or get_engine(rules)
    files = inputs(in_dir)
    batch = BatchResult()
    iterator = progress(files) if progress else files
    for path in iterator:
        rel = path.relative_to(in_dir)
        name = "__".join(rel.parts) if len(rel.parts) > 1 else rel.name
        if not is_document(path):
            result = DocResult(source=path, status="skipped",
                               error=f"{path}: not processed: unsupported file type ({path.suffix or 'no extension'})")
            batch.results.append(result)
            if on_result:
                on_result(result)
            continue
        try:
            result = process(path, out_dir, rules, engine, password, name=name)
        except Exception as e:  # an unexpected bug must not lose the rest of the batch
            result = DocResult(source=path, status="failed", error=f"{path}: internal error ({type(e).__name__}: {e})")
            print(result.error, file=sys.stderr)
        batch.results.append(result)
        if on_result:
            on_result(result)
    return batch
