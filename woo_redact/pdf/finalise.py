"""The end of one document's way: burn in → sanitise → verify, and the output written only when
verification finds nothing. Used for the tool's own proposals (`pipeline`) and for a reviewer's
decisions (`review`) alike.
"""
from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .burn import burn
from ..errors import VerificationError
from ..files import atomic_path
from ..model import Finding
from ..rules import Rules
from .sanitise import sanitise
from ..decide.secrets import SecretForms
from .verify import verify
from .strings import Secrets


@contextmanager
def timed(stages: dict | None, stage: str):
    """Record the seconds of `stage` in `stages` when the block completes."""
    start = time.perf_counter()
    yield
    if stages is not None:
        stages[stage] = round(stages.get(stage, 0.0) + time.perf_counter() - start, 3)


def box_labels(rules: Rules) -> set[str]:
    """The texts a burned-in box may carry: each ground's label and its code."""
    return {g.label for g in rules.grounds.values()} | set(rules.grounds)


def finalise(src: Path, final: Path, redactions: list[Finding], secrets: SecretForms | list[str], rules: Rules,
             password: str | None = None, title: str | None = None, shown_as: Path | None = None,
             text_layer: dict | None = None, stages: dict | None = None, image_words: dict | None = None,
             layouts: dict | None = None) -> list[str]:
    """Burn in, sanitise and verify; write `final` only when verification finds nothing. Returns the
    sanitiser's notes. `secrets`: the forms of the redacted entities (`secrets.secret_forms`);
    `text_layer`: the OCR words of scanned pages, written back invisibly; `stages`: gets the seconds of
    "redacted" (burn-in and sanitising) and "verified"; `image_words`: the words of pages whose images
    OCR read (boxes widen only into free space; verification checks that each of these words that
    holds a secret lies under a box); `layouts`: per page the words and vertical rules read
    (`model.PageLayout`: burn-in widens boxes up to them)."""
    with tempfile.TemporaryDirectory(prefix="woo-redact-") as work:
        burned = Path(work) / "burned.pdf"
        clean = Path(work) / "clean.pdf"
        prepared = Secrets(secrets)
        with timed(stages, "redacted"):
            burn(src, burned, redactions, rules, password, text_layer, image_words, layouts)
            safe_title = title if title and not prepared.any_loose(title) else None
            notes = sanitise(burned, clean, prepared, title=safe_title)
        start = time.perf_counter()
        boxes: dict[int, list] = {}
        for f in redactions:
            for pno, rect in f.boxes:
                boxes.setdefault(pno, []).append(rect)
        report = verify(clean, prepared, ocr_words={**(image_words or {}), **(text_layer or {})}, boxes=boxes,
                        labels=box_labels(rules))
        if not report.ok:
            raise VerificationError(f"{shown_as or src}: verification failed: {report.summary().split(': ', 1)[1]}")
        with atomic_path(final) as tmp:
            os.replace(clean, tmp)
        if stages is not None:
            stages["verified"] = round(time.perf_counter() - start, 3)
    return [n for n in notes if n]
