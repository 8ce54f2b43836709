"""Reading the PDFs while the engine loads: a document read ahead is the document the worker would read,
taken only while the file is unchanged and only when reading it was quiet; the batch's outputs do not
depend on it."""
from __future__ import annotations

import json
import os
import shutil
import time

from click.testing import CliRunner
from conftest import REPO, page_text

from woo_redact.batch.readahead import ReadAhead, take
from woo_redact.cli import main
from woo_redact.pdf.read import read


def _samples(folder):
    folder.mkdir()
    for p in sorted((REPO / "samples").glob("*.pdf")):
        shutil.copy(p, folder / p.name)
    return sorted(folder.glob("*.pdf"))


def _read_ahead(src, out, rules, **options):
    """Read every PDF of `src` ahead (within a minute)."""
    ahead = ReadAhead.start(src, out, rules, **options)
    assert ahead is not None  # two cores or more, with fork: the machines the tests run on
    deadline = time.time() + 60
    while not ahead.finished() and time.time() < deadline:
        time.sleep(0.05)
    assert ahead.finished()
    ahead.stop()
    return ahead


def test_a_document_read_ahead_is_the_document_read_in_place(tmp_path, rules):
    files = _samples(tmp_path / "in")
    ahead = _read_ahead(tmp_path / "in", tmp_path / "out", rules)
    try:
        for path in files:
            taken = take(ahead.folder, path)
            assert taken is not None, path.name
            assert taken == read(path, rules), path.name
    finally:
        ahead.close()
    assert not ahead.folder.exists()


def test_a_file_changed_after_it_was_read_is_read_again(tmp_path, rules):
    files = _samples(tmp_path / "in")
    ahead = _read_ahead(tmp_path / "in", tmp_path / "out", rules)
    try:
        changed = files[0]
        st = changed.stat()
        os.utime(changed, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        assert take(ahead.folder, changed) is None
        assert take(ahead.folder, files[1]) is not None
        assert take(None, files[1]) is None
    finally:
        ahead.close()


def test_a_damaged_file_is_left_to_its_worker(tmp_path, rules):
    src = tmp_path / "in"
    files = _samples(src)
    whole = (REPO / "samples" / "nota.pdf").read_bytes()
    broken = src / "afgebroken.pdf"
    broken.write_bytes(whole[:len(whole) // 2])  # MuPDF repairs it and says so: the worker must hear that
    ahead = _read_ahead(src, tmp_path / "out", rules)
    try:
        assert take(ahead.folder, broken) is None
        assert all(take(ahead.folder, p) is not None for p in files)
    finally:
        ahead.close()


def test_reading_ahead_stops_at_its_page_budget(tmp_path, rules):
    files = _samples(tmp_path / "in")
    largest = max(files, key=lambda p: p.stat().st_size)
    ahead = _read_ahead(tmp_path / "in", tmp_path / "out", rules, max_pages=1)
    try:
        assert [p.name for p in files if take(ahead.folder, p) is not None] == [largest.name]
    finally:
        ahead.close()


def test_stopping_keeps_what_was_read_and_close_removes_it(tmp_path, rules):
    files = _samples(tmp_path / "in")
    ahead = ReadAhead.start(tmp_path / "in", tmp_path / "out", rules)
    ahead.stop()  # at once: perhaps in the middle of a document
    kept = sorted(p.name for p in ahead.folder.iterdir())
    assert all(not name.startswith(".") or name.endswith(".tmp") for name in kept)
    assert sum(take(ahead.folder, p) is not None for p in files) == len([n for n in kept if not n.startswith(".")])
    ahead.close()
    assert not ahead.folder.exists()


def _findings(out):
    rows = {}
    for p in sorted((out / "findings").glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        rows[p.name] = data["findings"]
    return rows


def test_the_batch_writes_the_same_with_and_without_reading_ahead(tmp_path):
    _samples(tmp_path / "in")
    ahead, alone = tmp_path / "ahead", tmp_path / "alone"
    first = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(ahead), "--workers", "2"])
    second = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "--out", str(alone), "--workers", "1"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert _findings(ahead) == _findings(alone)
    for p in sorted((alone / "redacted").glob("*.pdf")):
        assert page_text(ahead / "redacted" / p.name) == page_text(p), p.name

