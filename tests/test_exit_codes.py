"""The README's table of exit statuses, row by row, for every command it applies to."""
from __future__ import annotations

import re
import shutil

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import REPO, make_pdf

from woo_redact.cli import main
from woo_redact.errors import ExitCode

COMMANDS = ("scan", "redact", "apply", "batch", "package", "publish", "decide", "verify")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("exit")
    good = root / "in"
    good.mkdir()
    make_pdf(good / "mail.pdf", ["Van: Noor Haddou <noor.haddou@minbzk.nl>\nOnderwerp: cijfers\n\nHoi Ilse,\n"
                                 "Kun jij de cijfers nalopen?\nMet vriendelijke groet,\nNoor Haddou"])
    bad = root / "kapot"
    bad.mkdir()
    (bad / "kapot.pdf").write_bytes(b"%PDF-1.7\nniet meer dan dit")
    locked = root / "versleuteld"
    locked.mkdir()
    with pikepdf.open(good / "mail.pdf") as p:
        p.save(locked / "geheim.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    rules = root / "rules"
    shutil.copytree(REPO / "rules", rules)
    (rules / "grounds.yaml").write_text("default: 5.1.2e\ngrounds: [niet, goed\n", encoding="utf-8")
    (root / "file").write_text("a file, not a folder\n")
    return root


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_row_0_ok_for_every_command(files, tmp_path, engine):
    src, out, bundle, web = files / "in", tmp_path / "out", tmp_path / "bundle", tmp_path / "web"
    assert _run("scan", src / "mail.pdf").exit_code == 0
    assert _run("redact", src / "mail.pdf", "--out", tmp_path / "one").exit_code == 0
    assert _run("batch", src, "--out", out).exit_code == 0
    assert _run("verify", out / "redacted" / "mail.pdf").exit_code == 0
    assert _run("apply", out / "preview" / "mail.pdf", "--out", out).exit_code == 0
    assert _run("decide", "Noor Haddou", "--redact", "--out", out).exit_code == 0
    assert _run("package", src, "--out", out, "--bundle", bundle).exit_code == 0
    assert _run("publish", bundle, "--to", web, "--base-url", "https://www.example.nl/woo/").exit_code == 0
    # (and a bad argument: a bundle made without --base-url needs one to be published)
    assert _run("publish", bundle, "--to", tmp_path / "web2").exit_code == ExitCode.bad_args


def test_row_1_bad_arguments_for_every_command(files, tmp_path):
    for command in COMMANDS:
        for args in ([command, "--no-such-option"], [command]):  # an unknown option; a missing argument
            run = _run(*args)
            assert run.exit_code == ExitCode.bad_args, (args, run.exit_code, run.output)
    for args in (["scan", tmp_path / "missing.pdf"],  # an input that is not there
                 ["batch", files / "in", "--out", files / "in" / "out"],  # the output inside the input
                 ["batch", files / "in", "--out", tmp_path / "o", "--workers", "0"],
                 ["publish", files],  # no --to or --gpp
                 ["decide", "Noor Haddou", "--out", tmp_path / "o"]):  # neither --keep nor --redact
        run = _run(*args)
        assert run.exit_code == ExitCode.bad_args, (args, run.exit_code, run.output)
    assert _run("no-such-command").exit_code == ExitCode.bad_args


def test_row_2_an_input_that_cannot_be_processed(files, tmp_path, engine):
    bad = files / "kapot" / "kapot.pdf"
    for args in (["scan", bad], ["redact", bad, "--out", tmp_path / "o1"], ["verify", bad],
                 ["apply", bad, "--out", tmp_path / "o2", "--findings", bad],
                 ["batch", files / "kapot", "--out", tmp_path / "o3"],
                 ["package", files / "kapot", "--out", tmp_path / "o4", "--bundle", tmp_path / "b4"]):
        run = _run(*args)
        assert run.exit_code == ExitCode.input_file, (args, run.exit_code, run.output)
        assert "kapot.pdf" in run.output


def test_row_4_verification_finds_personal_data(files):
    run = _run("verify", files / "in" / "mail.pdf")
    assert run.exit_code == ExitCode.verification_failed and "LEAK" in run.output


def test_row_5_an_output_folder_that_cannot_be_written(files, tmp_path, engine):
    under_a_file = files / "file" / "out"
    for args in (["redact", files / "in" / "mail.pdf", "--out", under_a_file],
                 ["batch", files / "in", "--out", under_a_file],
                 ["package", files / "in", "--out", tmp_path / "o", "--bundle", under_a_file],
                 ["decide", "Noor Haddou", "--keep", "--out", under_a_file]):
        run = _run(*args)
        assert run.exit_code == ExitCode.file_access_error, (args, run.exit_code, run.output)
        assert len(run.output.strip().splitlines()) <= 2 and "Traceback" not in run.output, run.output


def test_row_6_broken_rules(files, tmp_path):
    rules = ["--rules", files / "rules"]
    mail = files / "in" / "mail.pdf"
    for args in (["scan", mail], ["redact", mail, "--out", tmp_path / "o1"], ["verify", mail],
                 ["apply", mail, "--out", tmp_path / "o2", "--findings", mail],
                 ["batch", files / "in", "--out", tmp_path / "o3"],
                 ["package", files / "in", "--out", tmp_path / "o4", "--bundle", tmp_path / "b4"]):
        run = _run(*args, *rules)
        assert run.exit_code == ExitCode.rules_error, (args, run.exit_code, run.output)
        assert re.search(r"grounds\.yaml", run.output), run.output


def test_row_8_an_encrypted_pdf_without_its_password(files, tmp_path, engine):
    locked = files / "versleuteld" / "geheim.pdf"
    for args in (["scan", locked], ["redact", locked, "--out", tmp_path / "o1"], ["verify", locked],
                 ["batch", files / "versleuteld", "--out", tmp_path / "o2"],
                 ["package", files / "versleuteld", "--out", tmp_path / "o3", "--bundle", tmp_path / "b3"]):
        run = _run(*args)
        assert run.exit_code == ExitCode.encrypted_pdf, (args, run.exit_code, run.output)
        assert "geheim.pdf" in run.output and "encrypted" in run.output
    # with the password it opens (and is redacted)
    assert _run("redact", locked, "--out", tmp_path / "o4", "--password", "u").exit_code == 0


def test_the_readme_table_lists_exactly_these_rows():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \|", readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0], re.M)
    assert [int(r) for r in rows] == [0, 1, 2, 4, 5, 6, 8, 130]
    names = {int(r) for r in rows}
    assert names <= {int(c) for c in ExitCode}
