"""What a batch takes in: the files of its input folder, and the folders it may not be given."""
from __future__ import annotations

from pathlib import Path

from ..errors import BadArguments


def check_folders(in_dir: Path, out_dir: Path, what: str = "output folder") -> None:
    """An output folder inside the input folder would be read as input by the next run (its outputs
    redacted again, and again): refused."""
    try:
        inside = Path(out_dir).resolve().is_relative_to(Path(in_dir).resolve())
    except OSError:
        return
    if inside:
        raise BadArguments(f"the {what} {out_dir} is inside the input folder {in_dir}: choose one outside it")


def inputs(in_dir: Path) -> list[Path]:
    """The files of a batch, in a stable order: every regular file below `in_dir`, hidden files aside."""
    return sorted(p for p in in_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(in_dir).parts))
