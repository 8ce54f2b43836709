"""Benchmark: woo-redact's batch beside a floor measured in the same run.

    python bench/run.py [--pages 300] [--docs 20] [--scans 0] [--repeat 3] [--keep DIR] [--real DIR]

The corpus is generated: one e-mail dossier of --pages pages plus --docs short nota's. The floor is the
work no redaction tool can avoid, done in one plain PyMuPDF process: open each file, extract its words,
burn in ten boxes per page and save. Printed: pages/s of both, the engine's start-up time, the batch's
time after start-up against the floor, and the peak memory of the process. The floor and the batches
are run --repeat times in turn and the fastest run of each is compared: on a shared machine one run
of either can be a quarter slower than the next. `--real DIR` measures a folder of real documents the
same way too (the real corpus that ../shared/eval/real/build.py writes: DIR or DIR/in), with the share
of each stage in the batch's own record, and the `woo-redact batch` command on it end to end: there
the PDFs are read while the engine loads, which a batch given a loaded engine cannot do.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

FIRST = ["Iris", "Daan", "Noor", "Twan", "Ilse", "Sanne", "Youssef", "Fatima", "Bram", "Lotte", "Mehmet", "Esther"]
LAST = ["Quaedvlieg", "Haddou", "Brouwersma", "Verhoeven", "de Wit", "van der Meulen", "Tjon", "Kuipers",
        "Bakkali", "Hoekstra", "van Rijn", "Sadiki"]


def _mail(rng: random.Random) -> str:
    a, b = (f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(2))
    mail = lambda n: n.lower().replace(" ", ".").replace("..", ".") + "@minbzk.nl"
    first_b = b.split()[0]
    return (f"Van: {a} <{mail(a)}>\nVerzonden: 3 mei 2024 10:12\nAan: {b} <{mail(b)}>\n"
            f"Onderwerp: RE: Migratierapportage\nHoi {first_b},\n"
            "Zie hieronder de reactie op het concept over de jaarlijkse rapportage. Minister Veldkamp wil dit\n"
            "voor het debat met het lid Tuinman hebben. Kun jij de cijfers van de IND nalopen?\n"
            f"Met vriendelijke groet,\n{a}\nbeleidsmedewerker\nMinisterie van Binnenlandse Zaken\n"
            f"T 070 {rng.randint(100, 999)} {rng.randint(1000, 9999)} | M 06-{rng.randint(10000000, 99999999)}\n"
            f"{mail(a)}\n")


def make_scan(path: Path, pages: int, rng: random.Random) -> None:
    """A scanned dossier: each page the image (200 dpi, grey) of an e-mail page, no text layer."""
    text = pymupdf.open()
    for _ in range(pages):
        page = text.new_page()
        page.insert_textbox(pymupdf.Rect(60, 60, 540, 800), _mail(rng) + "\n" + _mail(rng), fontsize=10, fontname="helv")
    doc = pymupdf.open()
    for page in text:
        pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
        doc.new_page(width=page.rect.width, height=page.rect.height).insert_image(page.rect, stream=pix.tobytes("png"))
    doc.save(path, deflate=True)


def make_corpus(folder: Path, pages: int, docs: int, seed: int = 7, scans: int = 0) -> int:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    if scans:
        make_scan(folder / "scan.pdf", scans, rng)
        total += scans
    for name, n_pages in [("dossier.pdf", pages)] + [(f"nota_{i:03d}.pdf", 2) for i in range(docs)]:
        doc = pymupdf.open()
        for _ in range(n_pages):
            page = doc.new_page()
            text = _mail(rng) + "\n" + _mail(rng)
            page.insert_textbox(pymupdf.Rect(60, 60, 540, 800), text, fontsize=10, fontname="helv")
        doc.save(folder / name)
        total += n_pages
    return total


def floor(files: list[Path], out: Path) -> float:
    """Open, extract words, burn ten boxes per page, save: the unavoidable PyMuPDF work."""
    start = time.perf_counter()
    for f in files:
        doc = pymupdf.open(f)
        for page in doc:
            words = page.get_text("words")
            for w in words[:10]:
                page.add_redact_annot(pymupdf.Rect(w[:4]), fill=(0, 0, 0))
            page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_PIXELS)
        doc.save(out / f.name, garbage=1)
        doc.close()
    return time.perf_counter() - start


STARTUP = ("from woo_redact.batch.run import run_batch\n"
           "from woo_redact.detect.engine import get_engine\n"
           "from woo_redact.rules import load_rules\n"
           "get_engine(load_rules())\n")


def startup(rounds: int = 2) -> float:
    """What a batch costs before its first document: a new Python process importing the package and
    loading the rules and the detection engine (deduce's cache warm); the fastest of `rounds`."""
    import subprocess

    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP], check=True)
        times.append(time.perf_counter() - t)
    return min(times)


def command(folder: Path, out: Path) -> float:
    """The seconds of `woo-redact batch FOLDER --out OUT` in a new process, as a user runs it."""
    import subprocess

    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "woo_redact.cli", "batch", str(folder), "--out", str(out), "--quiet"],
                   check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def _spread(times: list[float]) -> str:
    return f" (slowest of {len(times)} rounds: {max(times):.2f} s)" if len(times) > 1 else ""


def _stages(out: Path) -> str:
    """The seconds of each stage summed over the batch's documents, from its database."""
    import json
    import sqlite3

    from woo_redact.files import STATE_FILE

    totals: dict[str, float] = {}
    with sqlite3.connect(out / STATE_FILE) as db:
        for (timings,) in db.execute("SELECT timings FROM documents WHERE timings IS NOT NULL"):
            for stage, seconds in json.loads(timings).items():
                totals[stage] = totals.get(stage, 0.0) + seconds
    whole = sum(totals.values()) or 1.0
    return ", ".join(f"{stage} {seconds:.2f} s ({100 * seconds / whole:.0f} %)" for stage, seconds in totals.items())


def _real(folder: Path, work: Path, rules, engine, t_start: float, repeat: int) -> int:
    """The floor and the batch (all cores) on a folder of real documents; returns the failed count."""
    from woo_redact.batch.run import default_workers, run_batch

    real = folder / "in" if (folder / "in").is_dir() else folder
    files = sorted(real.glob("*.pdf"))
    pages = 0
    for f in files:
        with pymupdf.open(f) as d:
            pages += d.page_count
    (work / "floor-real").mkdir(parents=True, exist_ok=True)
    floors, times, commands, failed = [], [], [], 0
    out = work / "out-real"
    for _ in range(repeat):
        floors.append(floor(files, work / "floor-real"))
        shutil.rmtree(out, ignore_errors=True)
        t1 = time.perf_counter()
        failed = len(run_batch(real, out, rules, engine, workers=default_workers()).failed)
        times.append(time.perf_counter() - t1)
        commands.append(command(real, work / "out-real-command"))
    t_floor, t_batch, t_command = min(floors), min(times), min(commands)
    print(f"real documents ({real}): {len(files)} files, {pages} pages; floor {pages / t_floor:.1f} pages/s; "
          f"batch, {default_workers()} worker(s): {t_batch:.2f} s = {pages / t_batch:.1f} pages/s "
          f"({t_batch / t_floor:.2f}x the floor){_spread(times)}; with start-up {pages / (t_batch + t_start):.1f} "
          f"pages/s; failed: {failed}")
    print("  where the time went: " + _stages(out))
    print(f"  the command end to end (`woo-redact batch`, a new process: start-up, reading ahead while the "
          f"engine loads, the batch, its report): {t_command:.2f} s = {pages / t_command:.1f} pages/s"
          f"{_spread(commands)}")
    return failed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--keep", type=Path, help="keep the corpus and outputs here")
    ap.add_argument("--scans", type=int, default=0, help="add a scanned dossier of this many pages (OCR)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of floor and batches; the fastest counts")
    ap.add_argument("--real", type=Path, help="also measure these real documents (a folder of PDFs, or its in/)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="woo-bench-"))
    corpus = work / "in"
    if corpus.exists():
        shutil.rmtree(corpus)
    pages = make_corpus(corpus, args.pages, args.docs, scans=args.scans)
    files = sorted(corpus.glob("*.pdf"))
    (work / "floor").mkdir(parents=True, exist_ok=True)

    from woo_redact.batch.run import default_workers, run_batch
    from woo_redact.detect.engine import get_engine
    from woo_redact.rules import load_rules

    rules = load_rules()
    engine = get_engine(rules)
    t_start = startup()
    print(f"corpus: {len(files)} files, {pages} pages ({args.pages}-page dossier); machine: {os.cpu_count()} cores")
    print(f"start-up (a new Python process: imports, rules, engine load): {t_start:.2f} s")
    # rounds of floor and batches taken in turn; the fastest of each counts (the machine's load varies)
    counts = sorted({1, default_workers()})
    floors: list[float] = []
    batches: dict[int, list[float]] = {w: [] for w in counts}
    failed = 0
    for _ in range(args.repeat):
        floors.append(floor(files, work / "floor"))
        for workers in counts:
            out = work / f"out-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            t1 = time.perf_counter()
            result = run_batch(corpus, out, rules, engine, workers=workers)
            batches[workers].append(time.perf_counter() - t1)
            failed += len(result.failed)
    t_floor = min(floors)
    print(f"floor (PyMuPDF open + words + 10 boxes/page + save, one process): {t_floor:.2f} s = "
          f"{pages / t_floor:.1f} pages/s" + _spread(floors))
    for workers in counts:
        t_batch = min(batches[workers])
        print(f"batch, {workers} worker(s), after start-up: {t_batch:.2f} s = {pages / t_batch:.1f} pages/s "
              f"({t_batch / t_floor:.2f}x the floor){_spread(batches[workers])}; with start-up "
              f"{pages / (t_batch + t_start):.1f} pages/s")
        if workers == 1:
            print("  where the time went (the batch's own record of each document's stages): "
                  + _stages(work / "out-1"))
    # the other target: one dossier on its own, start-up included
    alone = work / "dossier-only"
    shutil.rmtree(alone, ignore_errors=True)
    alone.mkdir()
    dossier = corpus / "dossier.pdf"
    shutil.copy(dossier, alone / dossier.name)
    with pymupdf.open(dossier) as d:
        dossier_pages = d.page_count
    workers = default_workers()
    out = work / "out-dossier"
    shutil.rmtree(out, ignore_errors=True)
    t1 = time.perf_counter()
    failed += len(run_batch(alone, out, rules, engine, workers=workers).failed)
    t_dossier = time.perf_counter() - t1
    print(f"the {dossier_pages}-page dossier alone, {workers} worker(s): {t_dossier:.2f} s; "
          f"with start-up {dossier_pages / (t_dossier + t_start):.1f} pages/s")
    if args.real:
        failed += _real(args.real, work, rules, engine, t_start, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: main process {peak:.0f} MB, largest worker {child:.0f} MB; failed documents: {failed}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
