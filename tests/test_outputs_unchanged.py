"""What the samples come out as, kept: the redacted text and the boxes of every sample, and the bundle's
inventory, compared with `tests/samples_outputs.json`. Moving code between modules must leave them
identical; a change that means to change them writes the file again and shows the difference in review:

    .venv/bin/python tests/test_outputs_unchanged.py
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pymupdf
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).resolve().parent / "samples_outputs.json"


def outputs(work: Path) -> dict:
    """Batch and package the samples under `work`; their redacted text, boxes and inventory."""
    from woo_redact.cli import main

    out, bundle = work / "out", work / "bundle"
    runner = CliRunner()
    done = runner.invoke(main, ["batch", str(REPO / "samples"), "--out", str(out)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    done = runner.invoke(main, ["package", str(REPO / "samples"), "--out", str(out), "--bundle", str(bundle),
                                "--base-url", "https://www.example.nl/woo", "--matter", "WOO-2025-17"],
                         catch_exceptions=False)
    assert done.exit_code == 0, done.output
    documents = {}
    for pdf in sorted((out / "redacted").glob("*.pdf")):
        with pymupdf.open(pdf) as doc:
            pages = [page.get_text() for page in doc]
        findings = json.loads((out / "findings" / (pdf.stem + ".json")).read_text(encoding="utf-8"))
        boxes = sorted([f["entity"], f["decision"], f.get("ground") or "", f["start"], f["end"],
                        [[b["page"], [round(v, 1) for v in b["rect"]]] for b in f["boxes"]]]
                       for f in findings["findings"])
        documents[pdf.name] = {"pages": pages, "findings": boxes}
    inventory = list(csv.DictReader(io.StringIO((bundle / "inventaris.csv").read_text(encoding="utf-8"))))
    return {"documents": documents, "inventory": inventory}


def test_samples_come_out_as_before(tmp_path):
    now = outputs(tmp_path)
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(now["documents"]) == sorted(before["documents"])
    for name, doc in before["documents"].items():
        assert now["documents"][name]["pages"] == doc["pages"], f"{name}: redacted text changed"
        assert now["documents"][name]["findings"] == doc["findings"], f"{name}: findings or boxes changed"
    assert now["inventory"] == before["inventory"]


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory() as work:
        SNAPSHOT.write_text(json.dumps(outputs(Path(work)), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written: {SNAPSHOT.relative_to(REPO)}")
