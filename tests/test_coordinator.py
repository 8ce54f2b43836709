"""A coordinator's day with the batch: what it says, what it refuses, how it stops and resumes."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import REPO


def test_the_first_run_says_how_the_name_cache_build_goes_in_its_own_words(tmp_path):
    """With no cache the detection engine is built for about 90 s: progress shows meanwhile, and deduce's
    English INFO line does not."""
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    env = {**os.environ, "WOO_REDACT_CACHE": str(tmp_path / "cache")}
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([sys.executable, "-m", "woo_redact.cli", "scan", str(REPO / "samples" / "motie.pdf")],
                                cwd=REPO, env=env, stdout=o, stderr=e)
        try:
            deadline = time.time() + 120
            while time.time() < deadline and proc.poll() is None and "... 10 s" not in err.read_text():
                time.sleep(0.2)
        finally:
            proc.kill()
            proc.wait()
    said = err.read_text() + out.read_text()
    assert "Building the name lookup cache, once" in said and "... 0 s" in said and "... 10 s" in said, said
    assert "Please wait" not in said and "INFO" not in said, said


# ------------------------------------------------------------------------------------ helpers
import hashlib  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from conftest import make_pdf  # noqa: E402

from woo_redact.batch import STATE_FILE, run_batch  # noqa: E402
from woo_redact.cli import main  # noqa: E402
from woo_redact.errors import ExitCode  # noqa: E402

FIRST = ["Twan", "Noor", "Ilse", "Jelmer", "Sevda", "Marloes", "Gijs", "Femke"]
LAST = ["Quaedvlieg", "Haddou", "Brouwersma", "Oosterhuis", "Yilmaz", "Veenstra", "Aydemir", "Zwanenburg"]


def _mail(path, i, pages=1):
    a = f"{FIRST[i % 8]} {LAST[(i * 3) % 8]}"
    return make_pdf(path, [f"Van: {a} <{a.lower().replace(' ', '.')}@minbzk.nl>\nOnderwerp: stuk {i}\n\n"
                           f"Hoi Jelmer,\nMinister Van Dorsten vraagt om de cijfers van dossier {i}.\n"
                           f"Met vriendelijke groet,\n{a}\nT 070 {300 + i} {4000 + i}"] * pages)


def _dossier(folder, n, pages=1):
    folder.mkdir(parents=True)
    for i in range(n):
        _mail(folder / f"doc_{i:02d}.pdf", i, pages)
    return folder


def _recorded(out) -> set[str]:
    try:
        with sqlite3.connect(out / STATE_FILE) as db:
            return {r[0] for r in db.execute("SELECT name FROM documents WHERE status = 'ok'")}
    except sqlite3.Error:
        return set()


def _finished(out) -> set[str]:
    """Documents whose every output is in place."""
    return {p.name for p in (out / "redacted").glob("*.pdf")
            if (out / "preview" / p.name).exists() and (out / "findings" / (p.stem + ".json")).exists()} \
        if (out / "redacted").is_dir() else set()


# ------------------------------------------------------------------------------------ the tests
def test_an_output_folder_inside_the_input_folder_is_refused_in_one_line(tmp_path):
    src = _dossier(tmp_path / "in", 1)
    for args in (["batch", str(src), "--out", str(src / "out")],
                 ["package", str(src), "--out", str(tmp_path / "out"), "--bundle", str(src / "bundle")]):
        run = CliRunner().invoke(main, args)
        assert run.exit_code == ExitCode.bad_args, run.output
        lines = run.output.strip().splitlines()
        assert len(lines) == 1 and "inside the input folder" in lines[0], run.output
    assert sorted(p.name for p in src.iterdir()) == ["doc_00.pdf"]  # nothing written into the input


@pytest.mark.parametrize("how", ["ctrl-c in the terminal", "SIGINT to the batch", "SIGTERM to the batch"])
def test_a_stopped_batch_keeps_every_finished_document_and_stops_within_two_seconds(tmp_path, rules, engine, how):
    src = _dossier(tmp_path / "in", 24, pages=3)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "woo_redact.cli", "batch", str(src), "--out", str(out), "--workers", "2", "--quiet"]
    # its own session: "the terminal" sends Ctrl-C to every process of its foreground group
    err = tmp_path / "stderr"
    with open(err, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=fh, start_new_session=True)
    try:
        deadline = time.time() + 240
        while len(_recorded(out)) < 3 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None and len(_recorded(out)) < 24, "the batch should be stopped midway"
        sent = time.perf_counter()
        if how == "ctrl-c in the terminal":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT if how == "SIGINT to the batch" else signal.SIGTERM)
        proc.wait(timeout=30)
        stopped = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == ExitCode.ctrl_c, err.read_text()
    assert err.read_text().strip().splitlines()[-1].startswith("Interrupted: run the same command again")
    assert stopped < 2.0, f"took {stopped:.1f} s to stop"
    time.sleep(0.5)
    recorded, finished = _recorded(out), _finished(out)
    # every document recorded has its outputs; at most the two in the workers' hands at that moment
    # finished without their result reaching the batch
    assert recorded <= finished and len(finished - recorded) <= 2, (sorted(recorded), sorted(finished))
    seen = []
    again = run_batch(src, out, rules, engine, on_result=seen.append)
    assert again.resumed == len(recorded) and not again.failed and len(again.results) == 24
    assert {r.source.name for r in again.results if r.source not in again.earlier} == \
        {f"doc_{i:02d}.pdf" for i in range(24)} - recorded
