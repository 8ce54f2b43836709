"""A dossier that arrives as a .zip: its files unpacked, each then a document of the batch.

Only what a zip may hold safely comes out: names that stay inside the folder they are unpacked to (no
absolute paths, no "..", no drive letters), regular files only (no links), and no more than the limits
below — a zip bomb (a small file that unpacks to gigabytes, or to a million files) is refused as a whole
before anything is written, and checked again while writing, since the sizes a zip declares may lie.
A zip inside a zip is unpacked by the batch in its next round, up to MAX_DEPTH levels deep.
"""
from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import InputFileError

MAX_FILES = 10_000  # members of one zip
MAX_TOTAL = 2 << 30  # bytes one zip may unpack to
MAX_RATIO = 200  # uncompressed : compressed, for members of more than RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20
MAX_DEPTH = 5  # zips inside zips
SKIP = ("__MACOSX",)  # macOS's resource forks: not documents


def is_zip(path: Path) -> bool:
    """A .zip name, or zip content under another name (not an Office file, which is a zip too)."""
    if path.suffix.lower() == ".zip":
        return True
    if path.suffix.lower() in (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".jar"):
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _member_path(name: str) -> PurePosixPath | None:
    """The relative path a member's name asks for, or None for a name that would leave the folder."""
    name = name.replace("\\", "/")
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or (p.parts and ":" in p.parts[0]) or not p.parts:
        return None
    return p


def unpack(path: Path, dest: Path) -> list[Path]:
    """Unpack the zip `path` into the new folder `dest` (written whole under a temporary name, then
    renamed); returns the files, in the zip's order. Raises InputFileError with the reason for anything
    that is not a safe, readable zip; nothing is then left behind."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputFileError(f"{path}: not a readable zip archive ({e})") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES:
            raise InputFileError(f"{path}: refused: zip archive with {len(infos)} files (at most {MAX_FILES})")
        members: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        total = 0
        for info in infos:
            rel = _member_path(info.filename)
            if rel is None:
                raise InputFileError(f"{path}: refused: zip member {info.filename!r} points outside the archive")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise InputFileError(f"{path}: refused: zip member {info.filename!r} is a symbolic link")
            if info.flag_bits & 0x1:
                raise InputFileError(f"{path}: encrypted zip archive (member {info.filename!r}): not processed")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputFileError(f"{path}: refused: zip bomb (member {info.filename!r} unpacks to "
                                     f"{info.file_size // info.compress_size if info.compress_size else 'unlimited'}"
                                     f"× its size)")
            total += info.file_size
            if total > MAX_TOTAL:
                raise InputFileError(f"{path}: refused: zip bomb (unpacks to more than {MAX_TOTAL >> 20} MB)")
            if rel.parts[0] in SKIP or any(part.startswith(".") for part in rel.parts):
                continue
            members.append((info, rel))
        seen = {str(rel).lower() for _, rel in members}
        if len(seen) < len(members):
            raise InputFileError(f"{path}: refused: zip archive holds two files with the same name")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        written = 0
        try:
            for info, rel in members:
                target = tmp.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    while chunk := src.read(1 << 20):  # the declared sizes may lie: count what comes out
                        written += len(chunk)
                        if written > MAX_TOTAL:
                            raise InputFileError(f"{path}: refused: zip bomb (unpacks to more than "
                                                 f"{MAX_TOTAL >> 20} MB)")
                        out.write(chunk)
        except (zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError) as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise InputFileError(f"{path}: damaged zip archive ({e})") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    return [dest.joinpath(*rel.parts) for _, rel in members]
