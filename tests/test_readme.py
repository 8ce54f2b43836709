"""The README, walked through as a new user with only the clone would: every command it shows, as written,
in a fresh copy of the repository's files.

What is not done for real: the two setup commands find the environment installed already (a CI machine
set up once; `scripts/setup` then only checks), and the test suite's own command is collected, not run
(it is what runs this). The publicatiebank command goes to the test stand-in of the GPP-Woo API, on
loopback, when its OpenAPI document is beside the repository.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import REPO, SHARED

COMMAND_STARTS = ("./scripts/setup", ".venv/bin/", "woo-redact ", ". .venv/bin/activate")
NOT_COMMANDS = ("read → detect → decide → mark (preview) → burn → sanitise → verify → package → publish",)
GPP_SPEC = SHARED / "standards" / "publish" / "gpp-publicatiebank-openapi.yaml"
EXAMPLE_BANK = "https://publicaties.example.nl"


def readme_commands() -> list[str]:
    """The lines of the README's indented code blocks, each a command."""
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    out, previous_blank, in_block = [], True, False
    for line in lines:
        if line.startswith("    ") and line.strip() and (previous_blank or in_block):
            in_block = True
            out.append(line.strip())
        elif line.strip():
            in_block = False
        previous_blank = not line.strip()
    return out


def _fresh_clone(target: Path) -> Path:
    """The repository's files as a clone has them (tracked files, as they stand in the work tree)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    for name in listed.stdout.decode().split("\0"):
        if name and (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def _installed_venv(clone: Path) -> None:
    """.venv as `scripts/setup` leaves it, made from the environment running these tests: its packages,
    this clone's woo_redact, the woo-redact command and setup's record of the pyproject.toml it installed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clone / ".venv")], check=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(clone / ".venv"), "platbase": str(clone / ".venv")})["purelib"])
    purelib.mkdir(parents=True, exist_ok=True)
    ours = sysconfig.get_paths()["purelib"]
    (purelib / "woo_redact_clone.pth").write_text(f"{clone}\nimport site; site.addsitedir({ours!r})\n")
    script = clone / ".venv" / "bin" / "woo-redact"
    script.write_text(f"#!{clone / '.venv' / 'bin' / 'python'}\nimport sys\nfrom woo_redact.cli import main\n"
                      "sys.exit(main())\n")
    script.chmod(0o755)
    (clone / ".venv" / ".woo-redact-installed").write_text(
        hashlib.sha256((clone / "pyproject.toml").read_bytes()).hexdigest() + "\n")


def test_every_indented_block_of_the_readme_is_a_command():
    commands = readme_commands()
    assert commands
    strays = [c for c in commands if not c.startswith(COMMAND_STARTS) and c not in NOT_COMMANDS]
    assert not strays, strays
    assert not [c for c in commands if re.search(r"\b(IN_DIR|OUT_DIR|BUNDLE|FILE|<name>)\b", c)], \
        "a command to run has placeholders"


def test_the_readme_walked_through_from_a_fresh_clone(tmp_path, engine):
    clone = _fresh_clone(tmp_path / "woo-redact")
    _installed_venv(clone)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "WOO_REDACT_RULES")}
    env["WOO_REDACT_GPP_TOKEN"] = "geheim"
    activated = False
    ran = []
    for command in readme_commands():
        if command in NOT_COMMANDS:
            continue
        run = command
        if "-m pytest" in command:  # the suite itself: collected (this test is part of it)
            run = command.replace("-m pytest -q", "-m pytest -q --collect-only -p no:cacheprovider")
        bank = None
        if EXAMPLE_BANK in command:
            if not GPP_SPEC.exists():
                continue
            bank = _publicatiebank(clone / "out" / "bundle")
            run = command.replace(EXAMPLE_BANK, bank.__enter__().url)
        try:
            done = subprocess.run(["bash", "-c", (". .venv/bin/activate && " if activated else "") + run],
                                  cwd=clone, env=env, capture_output=True, text=True, timeout=900)
        finally:
            if bank is not None:
                bank.__exit__(None, None, None)
        assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert "Traceback" not in done.stderr, f"{command}\n{done.stderr[-3000:]}"
        if bank is not None:
            assert bank.problems == [] and len(bank.publicaties) == 1, bank.problems
        activated |= command.startswith(". .venv/bin/activate")
        ran.append(command)
    assert any(c.startswith("./scripts/setup") for c in ran) and any(c.startswith("woo-redact package") for c in ran)
    # what the first command promises: the samples redacted, every one of them
    assert sorted(p.name for p in (clone / "out" / "samples" / "redacted").iterdir()) == \
        sorted(p.name for p in (clone / "samples").iterdir())
    assert (clone / "out" / "web" / "index.html").exists()


def _publicatiebank(bundle: Path):
    import uuid

    from gpp_server import FakePublicatiebank

    manifest = json.loads((bundle / "manifest.json").read_text())
    organisations = [{"uuid": str(uuid.uuid4()), "identifier": manifest["publisher"]["tooi"],
                      "naam": manifest["publisher"]["name"], "oorsprong": "oorglijst", "isActief": True}]
    categories = [{"uuid": str(uuid.uuid4()), "identifier": manifest["information_category"]["uri"],
                   "naam": manifest["information_category"]["label"], "naamMeervoud": "", "definitie": "",
                   "omschrijving": "", "oorsprong": "waardelijst", "order": 14}]
    return FakePublicatiebank(GPP_SPEC, "geheim", organisations, categories)
