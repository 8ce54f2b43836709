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
import signal  # noqa: E402
import sqlite3  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from conftest import make_pdf, page_text  # noqa: E402

from woo_redact.batch.run import run_batch
from woo_redact.files import STATE_FILE
from woo_redact.cli import main
from woo_redact.errors import ExitCode

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


def _zip(path, members: dict[str, bytes], compression=None):
    import zipfile

    with zipfile.ZipFile(path, "w", compression=compression or zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_a_zip_is_unpacked_each_file_a_document_of_its_own_in_the_zips_family(tmp_path, engine):
    import csv
    import io
    import zipfile

    src = tmp_path / "in"
    src.mkdir()
    parts = tmp_path / "parts"
    parts.mkdir()
    nota, brief, mail = (_mail(parts / f"{n}.pdf", i) for i, n in enumerate(("nota", "brief", "mail")))
    inner = _zip(parts / "inner.zip", {"bijlage.pdf": mail.read_bytes()})
    # stored, not deflated: the PDFs' own "%PDF-" then stands in the zip's first bytes
    _zip(src / "dossier.zip", {"stukken/nota.pdf": nota.read_bytes(), "stukken/2025/brief.pdf": brief.read_bytes(),
                               "mails.zip": inner.read_bytes(), "__MACOSX/._nota.pdf": b"x", "leeg/": b"",
                               "stukken/lijst.xlsx": b"PK\x03\x04 niet te verwerken"},
         compression=zipfile.ZIP_STORED)
    out, bundle = tmp_path / "out", tmp_path / "bundle"
    run = CliRunner().invoke(main, ["package", str(src), "--out", str(out), "--bundle", str(bundle)])
    assert run.exit_code == 0, run.output
    made = sorted(p.name for p in (out / "redacted").glob("*.pdf"))
    assert made == ["dossier.zip__mails.zip__bijlage.pdf", "dossier.zip__stukken__2025__brief.pdf",
                    "dossier.zip__stukken__nota.pdf"]
    for name in made:  # redacted like any PDF
        text = page_text(out / "redacted" / name)
        assert "Van Dorsten" in text and not any(surname in text for surname in LAST), (name, text)
    rows = list(csv.DictReader(io.StringIO((bundle / "inventaris.csv").read_text(encoding="utf-8-sig"))))
    by = {r["Document"]: r for r in rows}
    outer, nested = by["dossier.zip"], by["dossier.zip__mails.zip"]
    assert outer["Family"] and by["dossier.zip__stukken__nota.pdf"]["Family"] == outer["Family"]
    assert by["dossier.zip__stukken__2025__brief.pdf"]["Family"] == outer["Family"]
    # a zip inside the zip: its files are in the family of the zip the dossier came in
    assert by["dossier.zip__mails.zip__bijlage.pdf"]["Family"] == nested["Family"] == outer["Family"]
    assert "Zip-archief" in outer["Toelichting"]
    sheet = by["dossier.zip__stukken__lijst.xlsx"]  # not processed, named by its place, in the family
    assert sheet["Family"] == outer["Family"] and sheet["Toelichting"] == "Niet verwerkt: bestandstype .xlsx wordt niet verwerkt"
    again = CliRunner().invoke(main, ["batch", str(src), "--out", str(out)])  # says where it stands in the zip
    assert "dossier.zip/stukken/lijst.xlsx: not processed" in again.output and ".converted" not in again.output
    assert "(2 zip archive(s) unpacked)" in again.output.strip().splitlines()[-1], again.output
    assert not list(tmp_path.glob("*.pdf")) and not (tmp_path / "stukken").exists()


def test_zip_bombs_and_paths_out_of_the_folder_are_refused(tmp_path, rules, engine):
    import zipfile

    src = tmp_path / "in"
    src.mkdir()
    _mail(src / "goed.pdf", 1)
    _zip(src / "bom.zip", {"nul.pdf": b"\0" * (60 << 20)})  # 60 MB of zeros in some 60 kB
    _zip(src / "uitbreken.zip", {"../../buiten.pdf": (src / "goed.pdf").read_bytes()})
    _zip(src / "absoluut.zip", {"/tmp/absoluut.pdf": (src / "goed.pdf").read_bytes()})
    with zipfile.ZipFile(src / "link.zip", "w") as z:
        info = zipfile.ZipInfo("link.pdf")
        info.external_attr = (0o120777 << 16)  # a symbolic link to /etc/passwd
        z.writestr(info, "/etc/passwd")
    (src / "kapot.zip").write_bytes(b"PK\x03\x04 dit is geen zip")
    out = tmp_path / "out"
    result = run_batch(src, out, rules, engine)
    reasons = {r.source.name: r.error for r in result.failed}
    assert "zip bomb" in reasons["bom.zip"]
    assert "points outside the archive" in reasons["uitbreken.zip"]
    assert "points outside the archive" in reasons["absoluut.zip"]
    assert "symbolic link" in reasons["link.zip"]
    assert "not a readable zip" in reasons["kapot.zip"]
    assert not (tmp_path / "buiten.pdf").exists() and not (out / "buiten.pdf").exists()
    assert not any(p.name in ("nul.pdf", "buiten.pdf", "link.pdf") for p in out.rglob("*"))
    assert [p.name for p in (out / "redacted").iterdir()] == ["goed.pdf"]
    assert result.exit_code == ExitCode.input_file


def test_inputs_with_the_same_content_are_written_under_both_names_and_listed_as_duplicates(tmp_path, engine):
    import csv
    import io

    src = tmp_path / "in"
    src.mkdir()
    _mail(src / "nota.pdf", 1)
    (src / "kopie van nota.pdf").write_bytes((src / "nota.pdf").read_bytes())
    out, bundle = tmp_path / "out", tmp_path / "bundle"
    run = CliRunner().invoke(main, ["package", str(src), "--out", str(out), "--bundle", str(bundle)])
    assert run.exit_code == 0, run.output
    a, b = out / "redacted" / "nota.pdf", out / "redacted" / "kopie van nota.pdf"
    assert a.read_bytes() == b.read_bytes() and "Oosterhuis" not in page_text(b)
    assert (out / "findings" / "kopie van nota.json").exists()
    rows = {r["Document"]: r for r in csv.DictReader(
        io.StringIO((bundle / "inventaris.csv").read_text(encoding="utf-8-sig")))}
    # the first in the batch's order ("kopie van nota.pdf") is the document, the other its duplicate
    copy = rows["nota.pdf"]
    assert copy["Beoordelingsgrond"] == "dubbel" and copy["Gerelateerd ID"] == rows["kopie van nota.pdf"]["ID"]
    assert "Zelfde inhoud" in copy["Toelichting"]
    again = CliRunner().invoke(main, ["batch", str(src), "--out", str(out)])  # a re-run: from the state
    assert again.exit_code == 0 and "unchanged since an earlier run" in again.output, again.output
    assert b.exists()
    # the reviewer rejects a proposal in the first's preview: the copy follows the reviewed document
    import pymupdf

    preview = out / "preview" / "kopie van nota.pdf"
    doc = pymupdf.open(preview)
    page = doc[1]
    word = next(w for w in page.get_text("words") if w[4] == "4001")  # the phone number: kept readable
    centre = ((word[0] + word[2]) / 2, (word[1] + word[3]) / 2)
    page.delete_annot(next(a for a in page.annots() if centre in a.rect))
    doc.save(tmp_path / "edited.pdf")
    doc.close()
    (tmp_path / "edited.pdf").replace(preview)
    reviewed = CliRunner().invoke(main, ["batch", str(src), "--out", str(out)])
    assert reviewed.exit_code == 0 and "with the reviewer's decisions" in reviewed.output, reviewed.output
    assert "4001" in page_text(b) and "4001" in page_text(out / "redacted" / "kopie van nota.pdf")
    assert "Oosterhuis" not in page_text(b)


def test_a_damaged_file_gets_one_line_with_the_libraries_messages_summed_up(tmp_path, engine):
    src = tmp_path / "in"
    src.mkdir()
    whole = (REPO / "samples" / "nota.pdf").read_bytes()
    (src / "afgebroken.pdf").write_bytes(whole[:len(whole) // 2])
    run = subprocess.run([sys.executable, "-m", "woo_redact.cli", "batch", str(src), "--out", str(tmp_path / "out")],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    said = (run.stdout + run.stderr).splitlines()
    assert not [line for line in said if "MuPDF" in line and "damaged file" not in line], said
    assert not [line for line in said if "pikepdf" in line.lower() and "damaged file" not in line], said
    about = [line for line in said if "afgebroken.pdf" in line and "→" not in line]
    assert len(about) == 1 and "damaged file" in about[0] and "object is not a stream" in about[0], said


def test_the_summary_says_what_became_of_the_documents_and_each_failure_once(tmp_path, engine):
    src = _dossier(tmp_path / "in", 2)
    (src / "kapot.pdf").write_bytes(b"%PDF-1.7\nniet meer dan dit")
    (src / "notities.json").write_text("{}")
    out = tmp_path / "out"
    first = subprocess.run([sys.executable, "-m", "woo_redact.cli", "batch", str(src), "--out", str(out)],
                           cwd=REPO, capture_output=True, text=True, timeout=300)
    assert first.returncode == ExitCode.input_file
    assert [line for line in (first.stdout + first.stderr).splitlines() if "kapot.pdf" in line] == \
        [line for line in first.stderr.splitlines() if line.startswith("FAILED  ")], first.stdout + first.stderr
    assert "FAILED  " in first.stderr and "kapot.pdf" not in first.stdout
    last = first.stdout.strip().splitlines()[-1]
    assert last.startswith("4 document(s): 2 redacted, 1 failed, 1 not processed;"), last
    second = subprocess.run([sys.executable, "-m", "woo_redact.cli", "batch", str(src), "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    last = second.stdout.strip().splitlines()[-1]
    assert last.startswith("4 document(s): 2 redacted (2 unchanged since an earlier run), 1 failed, "
                           "1 not processed;"), last
