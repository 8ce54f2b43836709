"""The `woo-redact` command: thin click wrappers around the library."""
from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

import click

from . import __version__
from .pdf import noise
from .errors import ExitCode, WooRedactError
from .model import DocResult


def _rules(rules_dir):
    """The validated rules, or the one-line error and the rules exit code."""
    from .rules import load_rules

    try:
        return load_rules(rules_dir)
    except WooRedactError as e:
        _fail(e)


def _fail(e: WooRedactError) -> None:
    click.echo(f"Error: {e}", err=True)
    sys.exit(int(e.exit_code))


def _summary(r: DocResult) -> str:
    if r.status == "skipped":
        return f"skipped {r.error}"
    if r.status == "archive":
        return f"unpacked {r.error}"
    if r.status == "duplicate":
        return f"copied  {r.error}" if r.redacted else f"skipped {r.error}"
    if r.status != "ok":
        return f"FAILED  {r.error}"
    counts = Counter(f.ground for f in r.redactions)
    grounds = ", ".join(f"{n}× {g}" for g, n in sorted(counts.items())) or "nothing to redact"
    warn = f"  ({'; '.join(r.warnings)})" if r.warnings else ""
    return f"ok      {r.source.name}: {r.pages} p., {grounds}{warn}"


rules_option = click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path),
                            help="Rules folder (default: rules/ of this installation, or $WOO_REDACT_RULES).")
password_option = click.option("--password", default=None, help="Password for encrypted PDFs.")


class _Commands(click.Group):
    """Exit statuses as the README's table says for every command: a usage mistake is 1 (click's own
    is 2), Ctrl-C or SIGTERM 130."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        installed = False
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):  # SIGTERM stops like Ctrl-C: what
            try:  # is finished is kept
                signal.signal(signal.SIGTERM, _terminated)
                installed = True
            except ValueError:  # not the main thread
                pass
        noise.quiet()  # the libraries' messages about damaged files: summarised in the file's line
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as e:
            e.show()
            sys.exit(int(ExitCode.bad_args))
        except click.ClickException as e:
            e.show()
            sys.exit(int(ExitCode.bad_args))
        except (click.Abort, KeyboardInterrupt):
            click.echo("Interrupted: run the same command again to continue", err=True)
            sys.exit(int(ExitCode.ctrl_c))
        except WooRedactError as e:
            _fail(e)
        except OSError as e:  # a file or folder the command could not read or write
            where = f"{os.fsdecode(e.filename)}: " if e.filename else ""
            click.echo(f"Error: {where}{e.strerror or e}", err=True)
            sys.exit(int(ExitCode.file_access_error))
        except Exception:  # a bug: the traceback to report it with
            traceback.print_exc()
            click.echo("Error: internal error (above): please report it", err=True)
            sys.exit(int(ExitCode.other_error))
        finally:
            if installed:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _terminated(signum, frame):
    raise KeyboardInterrupt


@click.group(cls=_Commands)
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
    from .batch.run import worst_exit
    from .batch.pipeline import analyse

    rules = _rules(rules_dir)
    out, failed = [], []
    for path in files:
        try:
            with noise.captured() as said:
                a = analyse(path, rules, password=password)
        except WooRedactError as e:
            note = noise.summary(said)
            click.echo(f"Error: {e}" + (f" ({note})" if note else ""), err=True)
            failed.append(e.exit_code)
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
    sys.exit(int(worst_exit(failed)))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@rules_option
@password_option
def redact(file, out_dir, rules_dir, password):
    """Redact FILE into OUT/redacted/, with its preview and findings."""
    from .batch.run import default_workers
    from .batch.pipeline import process

    rules = _rules(rules_dir)
    # one document: its long detection, its preview and its scanned pages may use every core
    r = process(file, out_dir, rules, password=password, jobs=default_workers())
    click.echo(_summary(r), err=r.status != "ok")
    if r.status != "ok":
        sys.exit(int(ExitCode.verification_failed if "verification failed" in (r.error or "")
                     else r.exit_code or ExitCode.input_file))


@main.command()
@click.argument("preview", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--findings", "findings_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The preview's findings JSON (default: ../findings/<name>.json beside the preview folder).")
@rules_option
def apply(preview, out_dir, findings_path, rules_dir):
    """Burn in the decisions a reviewer made in PREVIEW: deleted proposals stay readable, drawn
    rectangles are redacted, a code written in a proposal's text changes its ground."""
    from .batch.review import apply_review

    try:
        rules = _rules(rules_dir)
        r = apply_review(preview, out_dir, rules, findings_path)
    except WooRedactError as e:
        _fail(e)
    click.echo(_summary(r))


@main.command()
@click.argument("in_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The batch's output folder (run or resumed first).")
@click.option("--bundle", "bundle_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the publication bundle goes.")
@click.option("--base-url", default=None, help="https URL where the documents will be published (sitemaps).")
@click.option("--zip", "as_zip", is_flag=True, help="Also write the bundle as a .zip.")
@click.option("--matter", default=None,
              help="Kenmerk of the Woo-verzoek or publication (inventory 'Matter'; default: rules/publisher.yaml).")
@click.option("--zaaknummer", default=None,
              help="Zaaknummer(s), separated by ';' (inventory 'Zaaknummer'; default: rules/publisher.yaml).")
@rules_option
@password_option
def package(in_dir, out_dir, bundle_dir, base_url, as_zip, matter, zaaknummer, rules_dir, password):
    """Build the publication bundle of the batch IN_DIR → OUT: redacted documents meant for publication,
    inventaris.xlsx/.csv, DiWoo metadata, Woo-index sitemaps, text versions and a checked manifest."""
    from .batch.inputs import check_folders
    from .batch.run import default_workers, run_batch

    try:
        check_folders(in_dir, out_dir)
        check_folders(in_dir, bundle_dir, "bundle folder")
    except WooRedactError as e:
        _fail(e)
    rules = _rules(rules_dir)
    try:
        result = run_batch(in_dir, out_dir, rules, password=password, workers=default_workers(),
                           on_result=lambda r: r.status == "failed" and click.echo(_summary(r), err=True))
    except WooRedactError as e:
        _fail(e)
    except OSError as e:
        click.echo(f"Error: {out_dir}: {e.strerror or e}", err=True)
        sys.exit(int(ExitCode.file_access_error))
    _bundle(result, rules, password, bundle_dir, base_url, as_zip, out_dir, matter, zaaknummer)
    sys.exit(int(result.exit_code))  # the bundle lists a failed document as not published; say so here too


def _totals(s: dict) -> str:
    """The batch's last line: how many documents, and what became of each of them."""
    how = [f"{s['now']} now"] if s["now"] or not (s["resumed"] or s["reviewed"]) else []
    how += [f"{s['resumed']} unchanged since an earlier run"] if s["resumed"] else []
    how += [f"{s['reviewed']} with the reviewer's decisions"] if s["reviewed"] else []
    parts = [f"{s['done']} redacted" + (f" ({', '.join(how)})" if len(how) > 1 or s["resumed"] or s["reviewed"]
                                         else "")]
    parts += [f"{s['duplicates']} duplicate(s) (copied)"] if s["duplicates"] else []
    parts += [f"{s['failed']} failed"] if s["failed"] else []
    parts += [f"{s['not_processed']} not processed"] if s["not_processed"] else []
    zips = f" ({s['archives']} zip archive(s) unpacked)" if s["archives"] else ""
    return (f"{s['files']} document(s){zips}: {', '.join(parts)}; {s['pages']} pages, {s['redactions']} "
            f"redactions → {s['out']}")


def _bundle(result, rules, password, bundle_dir, base_url, as_zip, out_dir, matter=None, zaaknummer=None) -> None:
    """The last step of `batch --bundle` and of `package`: build and check the publication bundle."""
    from .files import STATE_FILE
    from .pdf.ocr import CACHE_DIR
    from .publication.bundle import build_bundle
    from .publication.items import item_from
    from .batch.state import State
    from .pdf.read import read

    try:
        items = []
        for r in result.results:  # read again (the batch may have been resumed); scans from the OCR cache
            document = read(r.pdf or r.source, rules, password, ocr_cache=out_dir / CACHE_DIR) \
                if r.status == "ok" else None
            items.append(item_from(r, document, name=result.name_of(r), keep_words=rules.organisation_words))
        report = build_bundle(items, bundle_dir, rules, base_url=base_url, zip=as_zip, matter=matter,
                              zaaknummer=zaaknummer)
    except (WooRedactError, ValueError) as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(int(getattr(e, "exit_code", ExitCode.bad_args)))
    state = State(out_dir / STATE_FILE)
    try:
        state.packaged([r.redacted.name for r in result.results if r.status == "ok" and r.redacted])
    finally:
        state.close()
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"bundle ready: {len(report.published)} document(s) to publish, {len(report.rows)} in the inventory"
               f" → {bundle_dir}")


@main.command()
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Write a static web root here (documents, sitemaps, robots.txt, index.html).")
@click.option("--base-url", default=None,
              help="Where --to will be served, when that differs from the bundle's base URL.")
@click.option("--gpp", "gpp_url", default=None, help="Publish to this GPP-Woo publicatiebank API (its base URL).")
@click.option("--token", envvar="WOO_REDACT_GPP_TOKEN", default=None,
              help="The publicatiebank's API token (or $WOO_REDACT_GPP_TOKEN).")
@click.option("--status", type=click.Choice(["concept", "gepubliceerd"]), default="concept", show_default=True,
              help="With --gpp: leave the publicatie as a concept, or publish it once every document is complete.")
@click.option("--force", is_flag=True,
              help="With --to: replace the folder even when it holds other files than an earlier web root.")
@click.option("--wait", "wait", type=click.FloatRange(min=0), default=300, show_default=True,
              help="With --gpp: seconds to wait, at most, for the publicatiebank to finish processing the uploads.")
def publish(bundle, target, base_url, gpp_url, token, status, force, wait):
    """Publish a checked BUNDLE (from `package`): as a static web root for the Woo-index to harvest (--to),
    and/or to a GPP-Woo publicatiebank (--gpp). Re-running does not create duplicates."""
    from .publication.publish import publish_static

    if not target and not gpp_url:
        click.echo("Error: say where to publish: --to DIR and/or --gpp URL", err=True)
        sys.exit(int(ExitCode.bad_args))
    if gpp_url and not token:
        click.echo("Error: --gpp needs --token (or $WOO_REDACT_GPP_TOKEN)", err=True)
        sys.exit(int(ExitCode.bad_args))
    try:
        if target:
            web = publish_static(bundle, target, base_url, force=force)
            click.echo(f"published {len(web.documents)} document(s) → {target} (index.html"
                       + (", robots.txt, sitemaps)" if web.harvest else ")"))
            for warning in web.warnings:
                click.echo(f"Warning: {warning}", err=True)
        if gpp_url:
            from .publication.gpp import publish_gpp

            report = publish_gpp(bundle, gpp_url, token, status=status, wait=wait)
            click.echo(f"publicatie {report.publicatie} ({'created' if report.created else 'found'}, {report.status})")
            for doc_id, doc_uuid in report.documents.items():
                sent = ("made afresh" if doc_id in report.remade else "uploaded" if doc_id in report.uploaded
                        else "already there")
                state = f"NOT complete: {report.incomplete[doc_id]}" if doc_id in report.incomplete else "complete"
                click.echo(f"  {doc_id} → document {doc_uuid} ({sent}, {state})")
            if report.incomplete:
                kept = f"; the publicatie stays {report.status}" if status != report.status else ""
                click.echo(f"Error: {len(report.incomplete)} of {len(report.documents)} document(s) not complete in "
                           f"the publicatiebank{kept}; run the same command again", err=True)
                sys.exit(int(ExitCode.verification_failed))
    except WooRedactError as e:
        _fail(e)
    except OSError as e:
        click.echo(f"Error: {target}: {e.strerror or e}", err=True)
        sys.exit(int(ExitCode.file_access_error))


@main.command()
@click.argument("name")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The batch's output folder (its people.yaml).")
@click.option("--keep", "decision", flag_value="keep", help="Keep this person readable everywhere.")
@click.option("--redact", "decision", flag_value="redact", help="Redact this person everywhere.")
def decide(name, out_dir, decision):
    """Decide once for a person (NAME, e.g. "Noor Haddou") in every document of the batch in OUT.

    The next `woo-redact batch` into OUT applies it to every mention and redoes the documents."""
    from .decide.people import decide_person

    if decision is None:
        raise click.UsageError("say --keep or --redact")
    from .files import STATE_FILE
    from .batch.state import State

    try:
        decide_person(out_dir, name, decision)
    except WooRedactError as e:
        _fail(e)
    click.echo(f"{name}: {decision} (in {out_dir / 'people.yaml'}); run the batch again to apply it")
    db = out_dir / STATE_FILE
    if db.exists():
        state = State(db)
        try:
            reviewed = state.reviewed()
        finally:
            state.close()
        for doc in reviewed:  # a reviewer's decisions stand: say so, instead of changing them silently
            click.echo(f"niet gewijzigd: {doc} is al beoordeeld; pas de preview aan en voer apply opnieuw uit")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_option
@password_option
def verify(file, rules_dir, password):
    """Check a (redacted) PDF: report personal data still readable and every leak channel."""
    from .batch.verify_gate import check_file

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
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where documents are processed: local worker processes, or a Dask cluster.")
@click.option("--scheduler", default=None, help="With --executor dask: the scheduler, e.g. tcp://10.0.0.5:8786.")
@click.option("--quiet", is_flag=True, help="Only errors and the final line.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document, then a summary object.")
@click.option("--bundle", "bundle_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="End by building the publication bundle here (as `package` does).")
@click.option("--base-url", default=None, help="With --bundle: https URL where the documents will be published.")
@click.option("--zip", "as_zip", is_flag=True, help="With --bundle: also write the bundle as a .zip.")
@click.option("--matter", default=None, help="With --bundle: kenmerk of the Woo-verzoek or publication.")
@click.option("--zaaknummer", default=None, help="With --bundle: zaaknummer(s), separated by ';'.")
@rules_option
@password_option
def batch(in_dir, out_dir, workers, executor, scheduler, quiet, as_json, bundle_dir, base_url, as_zip, matter,
          zaaknummer, rules_dir, password):
    """Redact every document in IN_DIR into OUT_DIR (redacted/, preview/, findings/, woo-redact.sqlite).

    Running the same command again continues where an earlier run stopped."""
    from .batch.inputs import check_folders
    from .batch.readahead import ReadAhead

    try:
        check_folders(in_dir, out_dir)
        if bundle_dir:
            check_folders(in_dir, bundle_dir, "bundle folder")
    except WooRedactError as e:
        _fail(e)
    rules = _rules(rules_dir)
    # the PDFs are read beside the engine's loading (the imports below are most of it)
    ahead = ReadAhead.start(in_dir, out_dir, rules, password) if executor == "local" and workers != 1 else None
    try:
        _batch(in_dir, out_dir, workers, executor, scheduler, quiet, as_json, bundle_dir, base_url, as_zip, matter,
               zaaknummer, rules, password, ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _batch(in_dir, out_dir, workers, executor, scheduler, quiet, as_json, bundle_dir, base_url, as_zip, matter,
           zaaknummer, rules, password, ahead) -> None:
    from .detect import names
    from .batch.inputs import inputs
    from .batch.run import default_workers, run_batch
    from .detect.engine import get_engine

    if executor == "dask" and not scheduler:
        click.echo("Error: --executor dask needs --scheduler tcp://HOST:PORT", err=True)
        sys.exit(int(ExitCode.bad_args))
    files = inputs(in_dir)
    if not files:
        click.echo(f"Error: {in_dir}: no files to process", err=True)
        sys.exit(int(ExitCode.bad_args))
    chatty = not quiet and not as_json
    if chatty:
        click.echo(f"Loading the detection engine for {len(files)} file(s)...", err=True)
    if quiet:
        names.build_progress = None
    engine = get_engine(rules)
    if ahead is not None:
        ahead.stop()
    bar = None
    if chatty and sys.stderr.isatty():
        bar = click.progressbar(length=len(files), label="Redacting", file=sys.stderr, show_pos=True, show_eta=True)
        bar.__enter__()
    started = time.perf_counter()
    pages = 0

    def report(r: DocResult):
        nonlocal pages
        pages += r.pages
        if as_json:
            click.echo(json.dumps({"file": str(r.source), "status": r.status, "pages": r.pages,
                                   "redactions": len(r.redactions), "error": r.error, "warnings": r.warnings},
                                  ensure_ascii=False))
        elif r.status == "failed":  # once, on stderr (also with --quiet)
            click.echo(_summary(r), err=True)
        if bar is not None:
            bar.label = f"Redacting ({pages / max(time.perf_counter() - started, 1e-6):.1f} p/s)"
            bar.update(1)
        elif chatty and r.status != "failed":
            click.echo(_summary(r))

    try:
        result = run_batch(in_dir, out_dir, rules, engine, password, on_result=report,
                           workers=workers or default_workers(), scheduler=scheduler if executor == "dask" else None,
                           read_ahead=ahead.folder if ahead is not None else None)
    except WooRedactError as e:
        _fail(e)
    except KeyboardInterrupt:
        click.echo(f"Interrupted: run the same command again to continue ({out_dir})", err=True)
        sys.exit(int(ExitCode.ctrl_c))
    except OSError as e:
        click.echo(f"Error: {out_dir}: {e.strerror or e} — fix this and run the same command again", err=True)
        sys.exit(int(ExitCode.file_access_error))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if bar is not None and not quiet:
        for r in result.results:
            if r.status != "failed":  # the failures were said as they came
                click.echo(_summary(r))
    seconds = time.perf_counter() - started
    boxes = sum(len(r.redactions) for r in result.results if r.status == "ok")
    ok = [r for r in result.results if r.status == "ok"]
    earlier = sum(1 for r in ok if r.source in result.earlier)
    reviewed = sum(1 for r in ok if r.source in result.by_review)
    documents = len(result.results) - len(result.archives)
    summary = dict(files=documents, done=len(ok), now=len(ok) - earlier - reviewed, resumed=earlier,
                   reviewed=reviewed, duplicates=len(result.duplicates), failed=len(result.failed),
                   not_processed=len(result.skipped), archives=len(result.archives), pages=pages,
                   redactions=boxes, seconds=round(seconds, 2), out=str(out_dir))
    if as_json:
        click.echo(json.dumps({"summary": summary}))
    else:
        click.echo(_totals(summary))
    if bundle_dir:
        _bundle(result, rules, password, bundle_dir, base_url, as_zip, out_dir, matter, zaaknummer)
    sys.exit(int(result.exit_code))


if __name__ == "__main__":
    main()
