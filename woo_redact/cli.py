"""The `woo-redact` command: thin click wrappers around the library."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from . import __version__
from .errors import ExitCode, WooRedactError
from .model import DocResult


def _rules(rules_dir):
    from .rules import load_rules

    return load_rules(rules_dir)


def _fail(e: WooRedactError) -> None:
    click.echo(f"Error: {e}", err=True)
    sys.exit(int(e.exit_code))


def _summary(r: DocResult) -> str:
    if r.status == "skipped":
        return f"skipped {r.error}"
    if r.status != "ok":
        return f"FAILED  {r.error}"
    counts = Counter(f.ground for f in r.redactions)
    grounds = ", ".join(f"{n}× {g}" for g, n in sorted(counts.items())) or "nothing to redact"
    warn = f"  ({'; '.join(r.warnings)})" if r.warnings else ""
    return f"ok      {r.source.name}: {r.pages} p., {grounds}{warn}"


rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Rules folder (default: rules/ of this installation, or $WOO_REDACT_RULES).")
password_option = click.option("--password", default=None, help="Password for encrypted PDFs.")


@click.group()
@click.version_option(__version__, prog_name="woo-redact")
def main():
    """Redact personal data in Dutch government PDFs for publication under the Woo."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON.")
@rules_option
@password_option
def scan(files, as_json, rules_dir, password):
    """Show what would be redacted (and what is kept) in FILES, without writing anything."""
    from .pipeline import analyse

    try:
        rules = _rules(rules_dir)
    except WooRedactError as e:
        _fail(e)
    out, failed = [], False
    for path in files:
        try:
            a = analyse(path, rules, password=password)
        except WooRedactError as e:
            click.echo(f"Error: {e}", err=True)
            failed = True
            continue
        if as_json:
            out.append({"file": str(path), "findings": [f.to_json() for f in a.findings]})
            continue
        click.echo(f"{path}  ({a.document.page_count} p.)")
        for f in a.findings:
            page = f.boxes[0][0] + 1 if f.boxes else "-"
            text = " ".join(f.text.split())
            click.echo(f"  p.{page:<3} {f.decision:<6} {f.ground or '-':<7} {f.entity:<14} {text!r:<40} {f.reason}")
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    sys.exit(int(ExitCode.input_file if failed else ExitCode.ok))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@rules_option
@password_option
def redact(file, out_dir, rules_dir, password):
    """Redact FILE into OUT/redacted/, with its preview and findings."""
    from .pipeline import process

    try:
        rules = _rules(rules_dir)
    except WooRedactError as e:
        _fail(e)
    r = process(file, out_dir, rules, password=password)
    click.echo(_summary(r), err=r.status != "ok")
    if r.status != "ok":
        sys.exit(int(ExitCode.verification_failed if "verification failed" in (r.error or "") else ExitCode.input_file))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_option
@password_option
def verify(file, rules_dir, password):
    """Check a (redacted) PDF: report personal data still readable and every leak channel."""
    from .verify_gate import check_file

    try:
        rules = _rules(rules_dir)
        problems = check_file(file, rules, password)
    except WooRedactError as e:
        _fail(e)
    if not problems:
        click.echo(f"ok      {file}: geen persoonsgegevens of lekkanalen gevonden / nothing found")
        return
    for p in problems:
        click.echo(f"LEAK    {file}: {p}")
    sys.exit(int(ExitCode.verification_failed))


@main.command()
@click.argument("in_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="Only errors and the final line.")
@rules_option
@password_option
def batch(in_dir, out_dir, quiet, rules_dir, password):
    """Redact every document in IN_DIR: OUT/redacted, OUT/preview and OUT/findings."""
    from .batch import inputs, run_batch

    try:
        rules = _rules(rules_dir)
    except WooRedactError as e:
        _fail(e)
    files = inputs(in_dir)
    if not files:
        click.echo(f"Error: {in_dir}: no files to process", err=True)
        sys.exit(int(ExitCode.bad_args))
    if not quiet:
        click.echo(f"Loading the detection engine and {len(files)} document(s)...", err=True)
    from .detect import get_engine

    engine = get_engine(rules)
    lines: list[str] = []

    def report(r: DocResult):
        if r.status == "failed":
            click.echo(f"Error: {r.error}", err=True)
        lines.append(_summary(r))

    show_bar = not quiet and sys.stderr.isatty()

    def progress(items):
        with click.progressbar(items, label="Redacting", file=sys.stderr,
                               item_show_func=lambda p: p.name if p else "") as bar:
            yield from bar

    result = run_batch(in_dir, out_dir, rules, engine, password, on_result=report,
                       progress=progress if show_bar else None)
    if not quiet:
        for line in lines:
            click.echo(line)
    pages = sum(r.pages for r in result.results)
    boxes = sum(len(r.redactions) for r in result.results)
    done = len(result.results) - len(result.failed) - len(result.skipped)
    click.echo(f"{done} of {len(result.results)} file(s) done, {pages} pages, {boxes} redactions, "
               f"{len(result.failed)} failed, {len(result.skipped)} not processed → {out_dir}")
    sys.exit(int(result.exit_code))


if __name__ == "__main__":
    main()
