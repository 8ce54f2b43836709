"""What the PDF libraries say about a damaged file, caught instead of printed.

MuPDF prints every problem it repairs around ("MuPDF error: format error: object is not a stream", dozens
of times for one truncated file) and qpdf (through pikepdf) logs its warnings. The batch promises one line
per document: these messages are collected per document (`captured`) and summarised in its warnings, or
in its error when it fails.
"""
from __future__ import annotations

import logging
from collections import Counter
from contextlib import contextmanager

import pymupdf

_PIKEPDF: list[str] = []


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if len(_PIKEPDF) < 1000:
            _PIKEPDF.append(record.getMessage())


_HANDLER = _Collect(logging.WARNING)


def quiet() -> None:
    """Keep MuPDF's and pikepdf's messages from the terminal (idempotent)."""
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    log = logging.getLogger("pikepdf")
    if _HANDLER not in log.handlers:
        log.addHandler(_HANDLER)
        log.propagate = False


def _mupdf_messages() -> list[str]:
    return [line.strip() for line in pymupdf.TOOLS.mupdf_warnings(reset=True).splitlines() if line.strip()]


@contextmanager
def captured():
    """The libraries' messages while the block runs, as a list filled in when it ends."""
    quiet()
    _mupdf_messages()
    _PIKEPDF.clear()
    messages: list[str] = []
    try:
        yield messages
    finally:
        messages += [f"MuPDF: {m}" for m in _mupdf_messages()] + [f"pikepdf: {m}" for m in _PIKEPDF]
        _PIKEPDF.clear()


# MuPDF's notes while it repairs a file: what it did, not what was wrong
_STEPS = ("trying to repair", "repairing pdf document")


def summary(messages: list[str]) -> str | None:
    """One short clause for a document's line: how many problems the libraries reported, the most
    frequent first ("damaged file: 47 problems reported by the PDF libraries, e.g. 'object is not a
    stream' (20×)"); None when they said nothing."""
    problems = [m for m in messages if not any(step in m.lower() for step in _STEPS)]
    if not problems:
        return None
    counts = Counter(problems)
    shown = []
    for text, n in counts.most_common(2):
        text = text if len(text) <= 80 else text[:77] + "..."
        shown.append(f"'{text}'" + (f" ({n}×)" if n > 1 else ""))
    return (f"damaged file: {len(problems)} problem(s) reported by the PDF libraries, e.g. {', '.join(shown)}")
