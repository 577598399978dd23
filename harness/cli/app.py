"""The ``harness`` command: a thin layer over the library."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
import typer
from rich.console import Console
from rich.table import Table as RichTable

import harness.steps  # noqa: F401  (registers every step)
from harness.cli.group import HarnessGroup
from harness.cli.pairs import pairs_command
from harness.cli.common import EngineOption, ProjectOption, RayAddressOption, clean_errors, print_json, progress_line, project_at
from harness.cli.options import check_engine_option, check_option
from harness.corpus import load_corpus, read_plain_text
from harness.engines import EngineName, check_engine, open_engine
from harness.errors import CheckFailed, NotFoundError, UsageError, printable
from harness.experiments import load_catalogue
from harness.experiments.settings import Range
from harness.reports import render_report, write_report
from harness.reports.blocks import format_cell
from harness.results import table_bytes, write_atomic
from harness.scoring import validate
from harness.scoring.gold import read_gold
from harness.scoring.stream import score_stream, scoring_call
from harness.run import cite, run_experiment, verify_result
from harness.text import word_count
from harness.text.language import split_by_language
from harness.wirediff import diff_texts, load_style, render_html, to_json
from harness.wirediff import render_text as render_diff_text

app = typer.Typer(
    cls=HarnessGroup,  # one line for usage errors and Ctrl-C
    name="harness",
    help="Compare how news outlets frame the same events: named experiments, versioned results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
corpus_app = typer.Typer(help="Look at a corpus.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")

console = Console()

InvalidUtf8Option = Annotated[
    Literal["error", "replace"],
    typer.Option("--invalid-utf8", help="error: refuse bytes that are not UTF-8; replace: one U+FFFD each, counted."),
]


def _read(path: Path, invalid_utf8: Literal["error", "replace"]) -> pl.DataFrame:
    read = load_corpus(path, invalid_utf8=invalid_utf8)
    for repaired in read.replaced:
        typer.echo(f"warning: {repaired.file}: replaced {repaired.count} invalid bytes with U+FFFD", err=True)
    return read.articles


@app.command("list")
@clean_errors
def list_experiments(project: ProjectOption = Path(".")) -> None:
    """Show every experiment: name, version, description, steps.

    Example: harness list
    """
    catalogue = load_catalogue(project_at(project).experiments_dir)
    table = RichTable("name", "version", "description", "steps")
    for e in catalogue.experiments:
        table.add_row(e.name, e.version, e.description, " -> ".join(c.use for c in e.steps))
    console.print(table)


def _names(project: Path, name: str | None, all_: bool) -> list[str]:
    catalogue = load_catalogue(project_at(project).experiments_dir)
    if all_:
        return catalogue.names()
    if name is None:
        raise NotFoundError("name an experiment or pass --all", hint="see `harness list`")
    catalogue.get(name)
    return [name]


@app.command("run")
@clean_errors
def run(
    name: Annotated[str | None, typer.Argument(help="Experiment name (see `harness list`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Run every experiment.")] = False,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    project: ProjectOption = Path("."),
) -> None:
    """Run an experiment and store its result in results/NAME/<result-id>/.

    Example: harness run corpus-profile --engine local
    """
    proj = project_at(project)
    catalogue = load_catalogue(proj.experiments_dir)
    names = _names(project, name, all_)
    engines = {exp_name: engine or catalogue.get(exp_name).engine for exp_name in names}
    _check_engines(set(engines.values()), ray_address)
    for exp_name in names:
        experiment = catalogue.get(exp_name)
        with open_engine(engines[exp_name], address=ray_address) as chosen:
            with progress_line(f"run {exp_name}") as progress:
                stored = run_experiment(experiment, proj, progress=progress, engine=chosen)
        typer.echo(f"{stored.ref}  {stored.path.relative_to(proj.root)}")


def _check_engines(engines: set[EngineName], ray_address: str | None) -> None:
    """Before any experiment runs: the engines they use can start (see ``check_engine``)."""
    if ray_address is not None and "ray" not in engines:
        check_engine("local", address=ray_address)  # refuses the address: no experiment uses Ray
    if "ray" in engines:
        check_engine("ray", address=ray_address)


@app.command("report")
@clean_errors
def report(
    name: Annotated[str | None, typer.Argument(help="NAME or NAME@RESULT_ID.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Render the latest result of every experiment.")] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Render reports/NAME.md and reports/NAME.html from a stored result (no recomputation).

    Example: harness report corpus-profile
    """
    proj = project_at(project)
    refs = [name] if name and not all_ else _names(project, None, True)
    for ref in refs:
        store = proj.store()
        stored = store.resolve(ref)
        store.check_intact(stored)  # never render numbers that are not the stored ones
        md, html = write_report(render_report(stored), stored.name, proj.reports_dir)
        typer.echo(f"{stored.ref}  {md.relative_to(proj.root)}  {html.relative_to(proj.root)}")


@app.command("cite")
@clean_errors
def cite_cmd(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@RESULT_ID.")],
    format: Annotated[Literal["bibtex", "cff", "text"], typer.Option("--format", "-f")] = "text",
    project: ProjectOption = Path("."),
) -> None:
    """Print a citation for a stored result.

    Example: harness cite corpus-profile --format bibtex
    """
    typer.echo(cite(project_at(project).store().resolve(ref), format), nl=False)


@app.command("verify")
@clean_errors
def verify(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@RESULT_ID.")],
    project: ProjectOption = Path("."),
) -> None:
    """Re-run a stored result's experiment and compare every table byte for byte.

    Exit 0 when identical, 1 naming the tables that differ.

    Example: harness verify corpus-profile
    """
    proj = project_at(project)
    stored = proj.store().resolve(ref)
    with progress_line(f"verify {stored.ref}") as progress:
        outcome = verify_result(stored, proj, progress=progress)
    if not outcome.ok:
        raise CheckFailed(outcome.summary())
    typer.echo(outcome.summary())


@corpus_app.command("show")
@clean_errors
def corpus_show(
    path: Annotated[Path, typer.Argument(help="Corpus file or folder.")],
    format: Annotated[Literal["table", "json"], typer.Option("--format", "-f")] = "table",
    invalid_utf8: InvalidUtf8Option = "error",
) -> None:
    """List a corpus's articles: outlet, headline and body word count.

    Example: harness corpus show seeds
    """
    articles = _read(path, invalid_utf8)
    rows = [
        {
            "doc_id": r["doc_id"],
            "outlet": r["outlet"],
            "headline": r["headline"],
            "words": word_count(r["body"]),
            "source": r["source"],
        }
        for r in articles.iter_rows(named=True)
    ]
    if format == "json":
        print_json(rows)
        return
    table = RichTable("doc_id", "outlet", "headline", "words", title=f"{len(rows)} articles in {printable(path)}")
    for row in rows:
        table.add_row(row["doc_id"], row["outlet"], row["headline"], str(row["words"]))
    console.print(table)


SCORE_TEXT_COLUMNS = (
    "doc_id",
    "outlet",
    "words",
    "flesch_reading_ease",
    "sentiment_mean",
    "loaded_per_1k",
    "loaded_per_1k_narrator",
    "loaded_per_1k_quoted",
)
CORE_TEXT_COLUMNS = (
    "doc_id",
    "outlet",
    "sentences",
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "sentiment_mean",
    "share_negative",
)


@app.command("score")
@clean_errors
def score(
    path: Annotated[Path, typer.Argument(help="A text file, or a corpus (JSONL/CSV/Parquet with a body or text column, or a folder).")],
    format: Annotated[Literal["text", "json", "jsonl", "parquet"], typer.Option("--format", "-f")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout (required for parquet).")] = None,
    lexicon: Annotated[list[Path] | None, typer.Option("--lexicon", help="An extra lexicon TSV (repeatable).")] = None,
    invalid_utf8: InvalidUtf8Option = "error",
    any_language: Annotated[bool, typer.Option("--any-language", help="Score texts in other languages too (as if English).")] = False,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    stream: Annotated[bool, typer.Option("--stream", help="Read and write in batches (JSONL/Parquet): memory stays flat.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Articles per batch with --stream.")] = 10_000,
    suite: Annotated[
        Literal["full", "core"],
        typer.Option("--suite", help="full: the framing scorecard; core: textstat and VADER only (whole texts), for scale."),
    ] = "full",
) -> None:
    """Score documents: one row each with readability, sentence sentiment and loaded-term rates.

    Every metric comes for all text, narrator voice and quoted voice (column suffixes
    _narrator and _quoted; headline metrics start with headline_). --suite core scores
    only textstat's eight formulas and VADER per sentence on whole texts, with the same
    values, many times faster (for corpora of millions of articles). With --stream a
    corpus larger than memory is read and written batch by batch (--format jsonl or
    parquet, with --output).

    Example: harness score article.txt --format json
    """
    _check_score_options(format, output, stream, batch_size, invalid_utf8)
    check_engine_option(engine, ray_address)
    if stream:
        assert output is not None  # checked first
        with open_engine(engine or "local", address=ray_address) as chosen:
            summary = score_stream(
                path,
                output,
                fmt="jsonl" if format == "jsonl" else "parquet",
                batch_size=batch_size,
                lexicons=lexicon or (),
                suite=suite,
                english_only=not any_language,
                engine=chosen,
                on_skip=lambda row: typer.echo(f"warning: {row['doc_id']} not scored ({row['reason']})", err=True),
            )
        typer.echo(f"{summary.documents} documents scored in {summary.batches} batches, {summary.skipped} skipped", err=True)
        return
    articles = _read(path, invalid_utf8)
    if not any_language:
        articles, skipped = split_by_language(articles)
        for row in skipped.iter_rows(named=True):
            typer.echo(f"warning: {row['doc_id']} not scored ({row['reason']}; {row['detail']})", err=True)
    call = scoring_call(articles, suite=suite, lexicons=lexicon or ())
    with open_engine(engine or "local", address=ray_address) as chosen:
        documents = chosen.run(call)["documents"]
    if format == "parquet":
        assert output is not None  # checked first
        write_atomic(output, table_bytes(documents))
        return
    if format == "text":
        columns = CORE_TEXT_COLUMNS if suite == "core" else SCORE_TEXT_COLUMNS
        text = _rich_text(_frame_table(documents.select(columns)))
    elif format == "json":
        text = json.dumps(documents.to_dicts(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in documents.to_dicts())
    _emit(text, output)


# Articles per batch with --stream: one batch is held in memory at a time.
BatchSize = Annotated[int, Range(1, 10_000_000)]


def _check_score_options(
    format: str, output: Path | None, stream: bool, batch_size: int, invalid_utf8: str
) -> None:
    """Every combination `score` refuses, checked before the corpus is read."""
    if format == "parquet" and output is None:
        raise UsageError("--format parquet needs --output FILE", hint="Parquet is binary: it is not written to a terminal")
    check_option("--batch-size", batch_size, BatchSize)
    if not stream:
        return
    if format not in ("jsonl", "parquet") or output is None:
        raise UsageError("--stream needs --format jsonl or parquet and --output FILE")
    if invalid_utf8 != "error":
        raise UsageError(
            "--invalid-utf8 replace does not work with --stream",
            hint="streaming refuses invalid bytes; to repair them, read the corpus whole, without --stream",
        )


@app.command("validate")
@clean_errors
def validate_cmd(
    kind: Annotated[Literal["sentiment", "loaded-terms"], typer.Argument(help="Which instrument to validate.")],
    gold: Annotated[Path, typer.Option("--gold", help="CSV/JSONL/Parquet with `text` and `rating` and/or `label`.")],
    format: Annotated[Literal["text", "json"], typer.Option("--format", "-f")] = "text",
    lexicon: Annotated[list[Path] | None, typer.Option("--lexicon", help="An extra lexicon TSV (repeatable).")] = None,
) -> None:
    """Agreement of an instrument with a human-rated set: Pearson/Spearman r, F1, ROC AUC.

    Example: harness validate sentiment --gold ratings.csv
    """
    measures = validate(kind, read_gold(gold), lexicons=lexicon or ())
    if format == "json":
        print_json(measures.to_dicts())
        return
    console.print(_frame_table(measures))


@app.command("diff")
@clean_errors
def diff(
    a: Annotated[Path, typer.Argument(help="Text A: the wire story.")],
    b: Annotated[Path, typer.Argument(help="Text B: the outlet's copy.")],
    a_outlet: Annotated[str | None, typer.Option("--a-outlet", help="A's outlet, for its house style sheet.")] = None,
    b_outlet: Annotated[str | None, typer.Option("--b-outlet", help="B's outlet, for its house style sheet.")] = None,
    format: Annotated[Literal["text", "json", "html"], typer.Option("--format", "-f")] = "text",
    styles_dir: Annotated[Path, typer.Option("--styles", help="Folder of house style sheets.")] = Path("experiments/styles"),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Align two copies of a story and classify every difference (style, boilerplate, substantive).

    Offsets in the JSON index each file's text as read (UTF-8, byte order mark
    removed, Windows line endings read as \\n).

    Example: harness diff reuters.txt guardian.txt --a-outlet reuters --b-outlet guardian --format json
    """
    # The options (house style sheets) first: a bad one is found before any text is read.
    a_style = load_style(a_outlet, styles_dir) if a_outlet else None
    b_style = load_style(b_outlet, styles_dir) if b_outlet else None
    a_text, b_text = read_plain_text(a), read_plain_text(b)
    result = diff_texts(a_text, b_text, a_style=a_style, b_style=b_style)
    if format == "json":
        _emit(json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n", output)
    elif format == "html":
        _emit(render_html(result, a_text, b_text, title=f"{printable(a.name)} vs {printable(b.name)}"), output)
    elif output is None:
        console.print(render_diff_text(result, a_text, b_text))
    else:
        capture = Console(width=120, record=True, file=io.StringIO())
        capture.print(render_diff_text(result, a_text, b_text))
        _emit(capture.export_text(), output)


def _frame_table(frame: pl.DataFrame) -> RichTable:
    table = RichTable(*frame.columns)
    for row in frame.iter_rows():
        table.add_row(*(format_cell(v) for v in row))
    return table


def _rich_text(renderable: RichTable) -> str:
    capture = Console(width=200, record=True, file=io.StringIO())
    capture.print(renderable)
    return capture.export_text()


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))


app.command("pairs")(pairs_command)

