"""Helpers every stage may use, at the bottom of the package (it imports none of it): a file's hash,
writing a file atomically, and where a batch keeps its outputs in OUT_DIR.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

STATE_FILE = "woo-redact.sqlite"  # the batch's state (state.py), in OUT_DIR
CONVERTED = ".converted"  # PDFs made from e-mails, office and text files, with e-mail attachments


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks (an OSError when it cannot be read)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_of(path: Path) -> str:
    """`sha256_file`, or "" for a file that cannot be read."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


@contextmanager
def atomic_path(final: Path):
    """A temporary path in `final`'s folder that is renamed to `final` when the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def converted_dir(out_dir: Path, name: str) -> Path:
    """Where a non-PDF input's PDF (and an e-mail's attachments) are kept: OUT_DIR/.converted/<name>/."""
    return out_dir / CONVERTED / Path(name).stem


def reviewed_path(findings_path: Path) -> Path:
    """The reviewer's findings, beside the tool's findings JSON."""
    return findings_path.with_name(findings_path.stem + ".reviewed.json")
