"""The batch on real dossiers: resumable after kill -9, duplicates once, bad input named, inputs untouched."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pikepdf
import pymupdf
import pytest
from click.testing import CliRunner
from conftest import REPO, make_pdf, page_text

from woo_redact.batch.run import run_batch
from woo_redact.files import STATE_FILE
from woo_redact.cli import main
from woo_redact.errors import ExitCode

FIRST = ["Twan", "Noor", "Ilse", "Jelmer", "Sevda", "Marloes", "Gijs", "Femke"]
LAST = ["Quaedvlieg", "Haddou", "Brouwersma", "Oosterhuis", "Yilmaz", "Veenstra", "Aydemir", "Zwanenburg"]


def _dossier(folder, n):
    folder.mkdir()
    for i in range(n):
        a = f"{FIRST[i % 8]} {LAST[(i * 3) % 8]}"
        make_pdf(folder / f"doc_{i:02d}.pdf", [
            f"Van: {a} <{a.lower().replace(' ', '.')}@minbzk.nl>\nOnderwerp: stuk {i}\n\n"
            f"Hoi collega,\nMinister Van Dorsten vraagt om de cijfers van dossier {i}.\n"
            f"Met vriendelijke groet,\n{a}\nT 070 {300 + i} {4000 + i} | M 06-{41000000 + i}"])
    return folder


def _texts(out):
    return {p.name: page_text(p) for p in sorted((out / "redacted").glob("*.pdf"))}


def _done(out):
    try:
        with sqlite3.connect(out / STATE_FILE) as db:
            return db.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killed_batch_resumes_to_the_same_result(tmp_path, rules, engine):
    src = _dossier(tmp_path / "in", 40)
    reference = tmp_path / "reference"
    run_batch(src, reference, rules, engine)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "woo_redact.cli", "batch", str(src), "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while _done(out) < 5 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _done(out)
    assert 0 < done_before < 40, "the batch should have been killed midway"
    result = run_batch(src, out, rules, engine)
    assert result.resumed >= done_before and not result.failed
    assert _texts(out) == _texts(reference)
    assert not list(out.rglob(".*.tmp"))
    # and the inventories of both runs are the same, row for row
    runs = {}
    for name, folder in (("resumed", out), ("reference", reference)):
        bundle = tmp_path / name / "bundle"  # the same folder name: the matter defaults to it
        assert CliRunner().invoke(main, ["package", str(src), "--out", str(folder), "--bundle", str(bundle)]
                                  ).exit_code == 0
        runs[name] = (bundle / "inventaris.csv").read_text(encoding="utf-8-sig")
    assert runs["resumed"] == runs["reference"]


def test_changed_input_or_rules_are_redone(tmp_path, rules, engine):
    src = _dossier(tmp_path / "in", 3)
    out = tmp_path / "out"
    assert run_batch(src, out, rules, engine).resumed == 0
    assert run_batch(src, out, rules, engine).resumed == 3
    make_pdf(src / "doc_01.pdf", ["Overleg met Gijs Aydemir over de begroting."])
    again = run_batch(src, out, rules, engine)
    assert again.resumed == 2 and "Aydemir" not in page_text(out / "redacted" / "doc_01.pdf")


def test_bad_inputs_are_named_and_the_batch_goes_on(tmp_path, engine):
    src = _dossier(tmp_path / "in", 2)
    (src / "leeg.pdf").write_bytes(b"")
    (src / "afgebroken.pdf").write_bytes((src / "doc_00.pdf").read_bytes()[:200])
    (src / "foto.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    pikepdf.new().save(src / "nul pagina's.pdf")
    with pikepdf.open(src / "doc_00.pdf") as p:
        p.save(src / "geheim.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    (src / "kopie van doc_00.pdf").write_bytes((src / "doc_00.pdf").read_bytes())
    doc = pymupdf.open(src / "doc_01.pdf")
    doc.embfile_add("bijlage.txt", b"Twan Quaedvlieg", filename="bijlage.txt")
    doc.set_metadata({"author": "Twan Quaedvlieg"})
    doc.save(src / "café met bijlage.pdf")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()}
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--workers", "2"])
    assert result.exit_code == ExitCode.input_file, result.output
    for name, reason in [("leeg.pdf", "empty file"), ("afgebroken.pdf", "corrupt PDF"), ("foto.pdf", "not a PDF"),
                         ("nul pagina's.pdf", "no pages"), ("geheim.pdf", "encrypted PDF"),
                         ("kopie van doc_00.pdf", "same content as doc_00.pdf")]:
        assert f"{name}: " in result.output and reason in result.output, (name, result.output)
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()} == before
    with pymupdf.open(out / "redacted" / "café met bijlage.pdf") as d:
        assert d.embfile_count() == 0 and "Quaedvlieg" not in str(d.metadata)
    assert "attachment" in result.output  # the summary says what was stripped
    for name in ("doc_00.pdf", "doc_01.pdf"):
        assert (out / "redacted" / name).exists()


def test_the_state_records_each_documents_stages_with_their_timings(tmp_path, rules, engine):
    """Every input's furthest stage (read, detected, previewed, redacted, verified, packaged) and the
    seconds of each, in the database; a database of the previous version gets the new column."""
    src = _dossier(tmp_path / "in", 2)
    (src / "kapot.pdf").write_bytes(b"%PDF-1.7\nniet meer dan dit")
    out = tmp_path / "out"
    # a database as the previous version wrote it: no timings column
    out.mkdir()
    with sqlite3.connect(out / STATE_FILE) as db:
        db.execute("CREATE TABLE documents (name TEXT PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL, "
                   "rules_checksum TEXT NOT NULL, stage TEXT NOT NULL, status TEXT NOT NULL, pages INTEGER NOT "
                   "NULL DEFAULT 0, redactions INTEGER NOT NULL DEFAULT 0, error TEXT, warnings TEXT, "
                   "duplicate_of TEXT, seconds REAL, updated REAL NOT NULL)")
    run = CliRunner().invoke(main, ["package", str(src), "--out", str(out), "--bundle", str(tmp_path / "bundle")])
    assert run.exit_code == ExitCode.input_file, run.output  # kapot.pdf failed, the bundle lists it
    with sqlite3.connect(out / STATE_FILE) as db:
        rows = {name: (stage, json.loads(timings) if timings else None) for name, stage, timings
                in db.execute("SELECT name, stage, timings FROM documents")}
    assert rows["kapot.pdf"] == ("failed", None)
    for name in ("doc_00.pdf", "doc_01.pdf"):
        stage, timings = rows[name]
        assert stage == "packaged"
        assert list(timings) == ["read", "detected", "redacted", "verified", "previewed"]
        assert all(isinstance(t, float) and t >= 0 for t in timings.values()) and sum(timings.values()) > 0


def test_json_progress_for_machines(tmp_path, engine):
    src = _dossier(tmp_path / "in", 2)
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "out"), "--json"])
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [l["status"] for l in lines[:-1]] == ["ok", "ok"]
    assert lines[-1]["summary"]["done"] == 2 and lines[-1]["summary"]["pages"] == 2


def test_audit_trail_is_exported_with_the_batch(tmp_path, rules, engine):
    import csv

    src = _dossier(tmp_path / "in", 3)
    out = tmp_path / "out"
    run_batch(src, out, rules, engine)
    with open(out / "audit.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["document"] for r in rows} == {"doc_00.pdf", "doc_01.pdf", "doc_02.pdf"}
    assert {r["bron"] for r in rows} == {"auto"}
    assert {"redact", "keep"} <= {r["besluit"] for r in rows}  # the minister kept, the sender redacted
    assert all(r["grond"] for r in rows if r["besluit"] == "redact")
    raw = (out / "audit.csv").read_text(encoding="utf-8")
    assert not any(name in raw for name in LAST)  # positions and reasons, never the text


def test_a_full_output_folder_stops_the_batch_and_the_next_run_completes_it(tmp_path, rules, engine):
    """The file-size limit stands in for a full disk: writes beyond it fail as they would on ENOSPC."""
    src = _dossier(tmp_path / "in", 6)
    big = pymupdf.open()
    page = big.new_page()
    page.insert_text((60, 80), "Van: Noor Haddou <noor.haddou@minbzk.nl>\nOnderwerp: foto", fontsize=10)
    page.insert_image(pymupdf.Rect(60, 200, 500, 640), stream=_noise_png())
    big.save(src / "doc_03_foto.pdf")
    big.close()
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()}
    out = tmp_path / "out"
    limited = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
               "resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000)); "
               "from woo_redact.cli import main; sys.argv = ['woo-redact'] + sys.argv[1:]; main()")
    run = subprocess.run([sys.executable, "-c", limited, "batch", str(src), "--out", str(out), "--workers", "1"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == ExitCode.file_access_error, run.stderr + run.stdout
    assert "cannot write the outputs" in run.stderr and "run the same command again" in run.stderr
    assert 0 < _done(out) < 7, run.stderr + run.stdout
    resumed = run_batch(src, out, rules, engine)  # no limit now
    assert not resumed.failed and _done(out) == 7 and resumed.resumed >= 1
    fresh = tmp_path / "fresh"
    run_batch(src, fresh, rules, engine)
    assert _texts(out) == _texts(fresh)
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()} == before


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions hold: as root, drop the capabilities that override
    them (util-linux's setpriv); as anyone else, nothing."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root and setpriv (util-linux) is missing: permissions cannot be tested")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_a_folder_the_batch_may_not_write_stops_it_and_the_next_run_completes_it(tmp_path, rules, engine):
    src = _dossier(tmp_path / "in", 4)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()}
    out = tmp_path / "out"
    (out / "redacted").mkdir(parents=True)
    (out / "redacted").chmod(0o555)
    try:
        run = subprocess.run(_without_root_powers() + [sys.executable, "-m", "woo_redact.cli", "batch", str(src),
                                                       "--out", str(out), "--workers", "1"],
                             capture_output=True, text=True, timeout=300, cwd=REPO)
    finally:
        (out / "redacted").chmod(0o755)
    assert run.returncode == ExitCode.file_access_error, run.stderr + run.stdout
    assert "cannot write the outputs (Permission denied)" in run.stderr and "Traceback" not in run.stderr
    assert "internal error" not in run.stdout + run.stderr  # not blamed on the documents one by one
    assert _done(out) == 0
    # an output folder that cannot even hold the batch's database: the same one line
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        run = subprocess.run(_without_root_powers() + [sys.executable, "-m", "woo_redact.cli", "batch", str(src),
                                                       "--out", str(locked / "out")],
                             capture_output=True, text=True, timeout=300, cwd=REPO)
    finally:
        locked.chmod(0o755)
    assert run.returncode == ExitCode.file_access_error and "Traceback" not in run.stderr, run.stderr
    assert "cannot write the outputs" in run.stderr
    resumed = run_batch(src, out, rules, engine)
    assert not resumed.failed and _done(out) == 4
    fresh = tmp_path / "fresh"
    run_batch(src, fresh, rules, engine)
    assert _texts(out) == _texts(fresh)
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in src.iterdir()} == before


def test_an_input_the_batch_may_not_read_fails_alone(tmp_path):
    src = _dossier(tmp_path / "in", 3)
    secret = sorted(src.iterdir())[1]
    secret.chmod(0)
    try:
        run = subprocess.run(_without_root_powers() + [sys.executable, "-m", "woo_redact.cli", "batch", str(src),
                                                       "--out", str(tmp_path / "out"), "--workers", "1"],
                             capture_output=True, text=True, timeout=300, cwd=REPO)
    finally:
        secret.chmod(0o644)
    assert run.returncode == ExitCode.input_file, run.stderr + run.stdout  # "some documents failed"
    assert f"{secret}: cannot be read (Permission denied)" in run.stderr
    assert _done(tmp_path / "out") == 2


def _noise_png() -> bytes:
    """A PNG that does not compress: random pixels, about 1.5 MB."""
    import random

    rng = random.Random(7)
    data = bytes(rng.getrandbits(8) for _ in range(700 * 700 * 3))
    pix = pymupdf.Pixmap(pymupdf.csRGB, 700, 700, data, False)
    return pix.tobytes("png")


def test_a_thousand_page_pdf_goes_through(tmp_path, rules, engine):
    src = tmp_path / "in"
    src.mkdir()
    doc = pymupdf.open()
    for i in range(1000):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 80), f"Pagina {i + 1} van het dossier over de begroting.", fontsize=10)
        if i % 100 == 7:
            page.insert_text((60, 100), "Afgestemd met Noor Haddou (DJZ) en de directie.", fontsize=10)
    doc.save(src / "dossier.pdf")
    doc.close()
    result = run_batch(src, tmp_path / "out", rules, engine)
    (r,) = result.results
    assert r.status == "ok" and r.pages == 1000 and len(r.redactions) == 10
    with pymupdf.open(r.redacted) as out:
        assert out.page_count == 1000
        assert "Haddou" not in out[107].get_text() and "Pagina 108 van" in out[107].get_text()
        assert "Pagina 1000 van" in out[999].get_text()


def test_a_long_document_is_detected_in_page_ranges_with_the_same_result(tmp_path, rules, engine):
    from woo_redact.detect.engine import SPLIT_PAGES
    from woo_redact.pdf.read import read

    pages = [f"Van: {FIRST[i % 8]} {LAST[(i * 3) % 8]} <{FIRST[i % 8].lower()}@minbzk.nl>\n"
             f"Pagina {i + 1}: minister Van Dorsten vraagt om de cijfers. Bel 06-{41000000 + i}."
             for i in range(SPLIT_PAGES * 2 + 5)]
    document = read(make_pdf(tmp_path / "lang.pdf", pages), rules)
    alone = engine.detect(document, jobs=1)
    split = engine.detect(document, jobs=3)
    assert split == alone and len(alone) > 2 * len(pages)


def test_a_long_document_split_over_helpers_gives_the_same_outputs(tmp_path, rules, engine):
    from woo_redact.detect.engine import SPLIT_PAGES
    from woo_redact.batch.pipeline import process

    pages = [f"Van: {FIRST[i % 8]} {LAST[(i * 3) % 8]}\nPagina {i + 1}: de cijfers van dossier {i}."
             for i in range(SPLIT_PAGES + 10)]
    src = make_pdf(tmp_path / "lang.pdf", pages)
    outs = {jobs: tmp_path / f"out{jobs}" for jobs in (1, 2)}
    for jobs, out in outs.items():
        assert process(src, out, rules, engine, jobs=jobs).status == "ok"

    def annotations(out):
        with pymupdf.open(out / "preview" / "lang.pdf") as doc:
            return [(p.number, a.info["id"], tuple(round(c, 1) for c in a.rect)) for p in doc for a in p.annots()]

    assert annotations(outs[2]) == annotations(outs[1]) and annotations(outs[1])
    assert _texts(outs[2]) == _texts(outs[1])
    crops = {jobs: sorted(p.name for p in (out / "review").rglob("*.png")) for jobs, out in outs.items()}
    assert crops[2] == crops[1] and crops[1]


def test_findings_are_the_same_whatever_pythons_hash_seed(tmp_path):
    """Two people with the same first name: which one a lone "Iris" is credited to must not depend on
    the order of a set (Python randomises string hashes per process)."""
    src = tmp_path / "in"
    src.mkdir()
    make_pdf(src / "mail.pdf", ["Van: Iris Quaedvlieg <iris.quaedvlieg@minbzk.nl>\nAan: Iris Haddou <iris.haddou@minbzk.nl>\n"
                                "Onderwerp: cijfers\nHoi Iris,\nKun jij de cijfers nalopen? Iris Haddou weet ervan.\n"
                                "Met vriendelijke groet,\nIris Quaedvlieg"])
    outputs = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"out{seed}"
        run = subprocess.run([sys.executable, "-m", "woo_redact.cli", "batch", str(src), "--out", str(out), "--quiet"],
                             capture_output=True, text=True, timeout=300, cwd=REPO,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert run.returncode == 0, run.stderr
        outputs.append((out / "findings" / "mail.json").read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] == outputs[2]


def test_short_documents_give_way_in_their_worker_never_in_the_batchs_process(tmp_path, rules, engine):
    """A pool worker lowers its own priority for a short document (the split work of a long one goes
    first); the batch's own process, and a document run in it, keep theirs."""
    import multiprocessing

    from woo_redact.batch.pipeline import SHORT_NICENESS, yield_cpu

    before = os.nice(0)
    src = _dossier(tmp_path / "in", 3)
    result = run_batch(src, tmp_path / "out", rules, engine, workers=2)
    assert len(result.results) == 3 and not result.failed
    run_batch(src, tmp_path / "out-1", rules, engine, workers=1)
    assert os.nice(0) == before

    def child(queue):
        start = os.nice(0)
        yield_cpu()
        yield_cpu()  # once only
        queue.put((start, os.nice(0)))

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=child, args=(queue,))
    proc.start()
    start, after = queue.get(timeout=30)
    proc.join()
    assert after == min(start + SHORT_NICENESS, 19)
