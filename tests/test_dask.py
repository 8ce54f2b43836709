"""`batch --executor dask`: the same per-document work on a Dask cluster (a LocalCluster on loopback
here), results flowing back to the one owner of the state; outputs identical to a local run."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import make_pdf, page_text

from woo_redact.batch.run import run_batch
from woo_redact.cli import main
from woo_redact.errors import ExitCode

distributed = pytest.importorskip("distributed")


def _inputs(folder):
    folder.mkdir()
    make_pdf(folder / "nota.pdf", ["Opgesteld door\nTwan Quaedvlieg\nbeleidsadviseur\n\n\nMinister Klever stemt in."])
    make_pdf(folder / "brief.pdf", ["Geachte heer Haddou,\nHierbij de stukken.\nMet vriendelijke groet,\nIlse Brouwersma"])
    (folder / "notitie.txt").write_text("Afgestemd met\nNoor Haddou (DJZ)\n\nDe begroting is rond.\n", encoding="utf-8")
    (folder / "kapot.pdf").write_bytes(b"%PDF-1.7\nstuk")
    return folder


def _outputs(out):
    texts = {p.name: page_text(p) for p in sorted((out / "redacted").glob("*.pdf"))}
    findings = {}
    for p in sorted((out / "findings").glob("*.json")):
        data = json.loads(p.read_text())
        findings[p.name] = [(f["entity"], f["decision"], f["ground"], f["boxes"]) for f in data["findings"]]
    return texts, findings


def test_a_batch_on_a_local_dask_cluster_matches_the_local_run(tmp_path, rules, engine):
    src = _inputs(tmp_path / "in")
    local = run_batch(src, tmp_path / "local", rules, engine)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = run_batch(src, tmp_path / "dask", rules, engine, scheduler=cluster.scheduler_address)
    assert [(r.source.name, r.status) for r in remote.results] == [(r.source.name, r.status) for r in local.results]
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert "Quaedvlieg" not in page_text(tmp_path / "dask" / "redacted" / "nota.pdf")
    failed = next(r for r in remote.results if r.status == "failed")
    assert failed.source == src / "kapot.pdf" and str(src / "kapot.pdf") in failed.error
    # the one owner of the state recorded every document
    again = run_batch(src, tmp_path / "dask", rules, engine)
    assert again.resumed == 3


def test_dask_executor_needs_a_reachable_scheduler(tmp_path, engine):
    src = _inputs(tmp_path / "in")
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "o"), "--executor", "dask"])
    assert result.exit_code == ExitCode.bad_args and "--scheduler" in result.output
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "o"), "--executor", "dask",
                                       "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == ExitCode.bad_args and "cannot reach the Dask scheduler" in result.output
