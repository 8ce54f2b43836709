"""The sample documents: generated deterministically, and redacted as tests/samples_expected.json says."""
from __future__ import annotations

import json
import re

import pymupdf
from conftest import REPO, lost_words, page_text

import make_samples
from woo_redact.batch.run import run_batch


def _norm(s):
    return re.sub(r"\s+", " ", s)


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    expected = make_samples.main(a)
    make_samples.main(b)
    for name in make_samples.BUILDERS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
        assert page_text(a / name) == page_text(REPO / "samples" / name), f"samples/{name} is out of date"
    assert make_samples.expected_text(expected) == make_samples.EXPECTED.read_text(encoding="utf-8")
    # samples/ holds the documents only: a batch over it (the README's first command) processes them all
    assert sorted(p.name for p in (REPO / "samples").iterdir()) == sorted(make_samples.BUILDERS)


def test_expected_strings_stand_in_the_documents(tmp_path):
    expected = make_samples.main(tmp_path)
    for e in expected:
        text = _norm(page_text(tmp_path / e["file"]))
        for s in e["redact"] + e["keep"]:
            assert _norm(s) in text, (e["file"], s)


def test_a_name_wraps_over_a_line_break_in_the_nota(tmp_path):
    make_samples.main(tmp_path)
    text = "\n".join(p.get_text() for p in pymupdf.open(tmp_path / "nota.pdf"))
    assert re.search(r"naar Marloes\n\s*Veenstra of", text)


def test_samples_are_redacted_as_expected(tmp_path, rules, engine):
    out = tmp_path / "out"
    result = run_batch(REPO / "samples", out, rules, engine)
    assert not result.failed
    for e in json.loads(make_samples.EXPECTED.read_text(encoding="utf-8")):
        text = _norm(page_text(out / "redacted" / e["file"]))
        leaks = [s for s in e["redact"] if _norm(s) in text]
        lost = [s for s in e["keep"] if _norm(s) not in text]
        assert not leaks and not lost, (e["file"], leaks, lost)
        for surname in e["surnames"]:
            assert not re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", text), (e["file"], surname)
        if e["redact"]:
            assert "Bescherming persoonlijke levenssfeer" in text or "5.1.2e" in text
    # nothing but the redactions is gone (the nota's body once ran into its header column, and a
    # redacted name there took the last letter of a body word with it)
    assert lost_words(result, rules, engine) == {}
