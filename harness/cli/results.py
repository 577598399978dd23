"""``harness results``, ``show``, ``export`` and ``compare``: finding and using stored results.

Every command that reads a result's tables refuses a damaged one (exit 2, one
line), as ``report`` and ``cite`` do. The listing reads manifests only (unless --check).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from harness.cli import terminal
from harness.cli.common import clean_errors, print_json, project_at
from harness.cli.options import JsonOption, ProjectOption
from harness.errors import UsageError
from harness.outputs import check_output, write_output
from harness.results.browse import (
    ExportFormat,
    check_export_options,
    export_bytes,
    format_for,
    json_safe,
    latest_or_none,
    Listed,
    list_stored,
    open_checked,
    render_summary,
    summary,
    table_of,
)
from harness.results.compare import compare_results, render_comparison

RefArgument = Annotated[str, typer.Argument(help="NAME (its LATEST), NAME@RESULT_ID, or NAME~N (N below the newest).")]
LISTING_TEXT_COLUMNS = (
    "ref", "latest", "created (UTC)", "version", "config", "corpus", "articles", "git", "engine", "problem"
)


def results_command(
    name: Annotated[str | None, typer.Argument(help="Only this experiment's results.")] = None,
    as_json: JsonOption = False,
    check: Annotated[bool, typer.Option("--check", help="Hash every table: mark damaged results (slower).")] = False,
    project: ProjectOption = None,
) -> None:
    """List stored results, newest first: id, date, experiment version, config, corpus, engine.

    LATEST marks the result `harness report NAME` and `NAME` references use. Only
    manifests are read, unless --check: then every table is hashed too and a
    damaged result says so in the problem column.

    Example: harness results corpus-profile
    """
    rows = list_stored(project_at(project).store(), name, check=check)
    if as_json:
        print_json([row.to_json() for row in rows])
        return
    if not rows:
        typer.echo("no stored results (store one with `harness run NAME`)", err=True)
        return
    typer.echo(terminal.lines(_listing_text(rows)), nl=False)


def _listing_text(rows: list[Listed]) -> str:
    """One line per result, columns aligned (a rich table would squeeze the ids)."""
    cells = [LISTING_TEXT_COLUMNS] + [
        (
            r.ref,
            "LATEST" if r.latest else "",
            (r.created or "").replace("T", " ").replace("+00:00", "Z"),
            r.experiment_version or "",
            (r.config_hash or "")[:12],
            f"{r.corpus_path} {(r.corpus_hash or '')[:12]}" if r.corpus_path is not None else "",
            "" if r.articles is None else str(r.articles),
            {True: "dirty", False: "clean", None: ""}[r.dirty],
            r.engine or "",
            r.problem or "",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(LISTING_TEXT_COLUMNS))]
    return "".join("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() + "\n" for row in cells)


def show_command(ref: RefArgument, as_json: JsonOption = False, project: ProjectOption = None) -> None:
    """Show a stored result: what produced it (manifest summary) and its tables with rows and columns.

    Example: harness show corpus-profile
    """
    store = project_at(project).store()
    stored = open_checked(store, ref)
    info = summary(stored, latest=latest_or_none(store, stored.name) == stored.result_id)
    if as_json:
        print_json(json_safe(info))
        return
    typer.echo(terminal.lines(render_summary(info)), nl=False)


def export_command(
    ref: RefArgument,
    table: Annotated[str, typer.Option("--table", "-t", help="The table to export (see `harness show REF`).")],
    format: Annotated[
        ExportFormat | None, typer.Option("--format", "-f", help="Default: from the -o suffix, else csv.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here; `-` or none: stdout (not for parquet).")
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Export one table of a stored result as CSV, Parquet, JSON Lines or JSON.

    Without --format the -o suffix decides (.csv, .parquet, .jsonl/.ndjson, .json),
    else CSV. CSV cannot hold list, struct, duration or binary columns: such a
    table is refused (use jsonl, json or parquet). JSON writes NaN as null.

    Example: harness export corpus-profile --table profile -o profile.csv
    """
    to_stdout = output is None or str(output) == "-"
    fmt = format or format_for(None if to_stdout else output)
    check_export_options(fmt, to_stdout)
    proj = project_at(project)
    store = proj.store()
    stored = open_checked(store, ref)
    # The store is an input: an export must not land inside it (or onto a table file).
    inputs = [store.root]
    if not to_stdout:
        assert output is not None
        check_output(output, inputs)
    data = export_bytes(table_of(stored, table), fmt, table=table)
    if to_stdout:
        _to_stdout(data, fmt)
    else:
        assert output is not None
        write_output(output, data, inputs=inputs)


def _to_stdout(data: bytes, fmt: str) -> None:
    text = data.decode("utf-8")
    # JSON: control characters as \\uXXXX escapes (same values, safe on a terminal).
    # CSV is data: written as stored into a pipe or file; on a terminal escapes are shown.
    if fmt in ("json", "jsonl"):
        text = terminal.json_text(text)
    elif sys.stdout.isatty():
        text = terminal.lines(text)
    typer.echo(text, nl=False)


def compare_command(
    ref_a: Annotated[str, typer.Argument(help="Result A (the baseline).")],
    ref_b: Annotated[str, typer.Argument(help="Result B.")],
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """What differs from result A to B: config, corpus, resources, packages; rows and values per table.

    A report, not a check: exit 0 whether or not they differ.

    Example: harness compare corpus-profile~1 corpus-profile
    """
    store = project_at(project).store()
    a, b = open_checked(store, ref_a), open_checked(store, ref_b)
    comparison = compare_results(a, b)
    if as_json:
        print_json(json_safe(comparison.to_json()))
        return
    typer.echo(terminal.lines(render_comparison(comparison)), nl=False)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``harness`` app."""
    app.command("results")(clean_errors(results_command))
    app.command("show")(clean_errors(show_command))
    app.command("export")(clean_errors(export_command))
    app.command("compare")(clean_errors(compare_command))


def check_report_folder(folder: Path, store_root: Path) -> None:
    """``report -o DIR``, checked before any result is read: not a file, not inside
    the result store (a report there would sit among the results it describes)."""
    check_output(folder / "report.md", [store_root])  # a file on the way, a socket, a read-only parent...
    if folder.exists() and not folder.is_dir():
        raise UsageError("is not a folder", where=folder, hint="-o names the folder the report pair goes into")


def make_report_folder(folder: Path) -> Path:
    """The folder, made once the results are known to be intact (a refused report makes nothing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot make the folder: {exc.strerror or exc}", where=folder) from None
    return folder.resolve()
