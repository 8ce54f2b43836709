"""The files of a bundle or web root: their list, and permissions a web server can read."""
from __future__ import annotations

import os
from pathlib import Path


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no other way to read it: set and put back at once
    os.umask(mask)
    return mask


def make_readable(path: Path) -> None:
    """Files 0644 and folders 0755 (as far as the user's umask allows): a temporary folder is made 0700,
    which a web server's user cannot read."""
    mask = _umask()
    path = Path(path)
    items = [path] + (list(path.rglob("*")) if path.is_dir() else [])
    for p in items:
        if not p.is_symlink():
            os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~mask)


def relative_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
