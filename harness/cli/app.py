"""The ``harness`` command: a thin layer over the library.

Help and usage errors must not load the science stack (nltk, scipy, textstat:
seconds before `harness --help` answers). So this module imports at its top only
what typer needs to build the commands; a command imports the scoring, text,
wire-diff and discovery modules it uses inside its body. The built-in steps
register themselves when the step registry is first read (default_registry).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import polars as pl
import typer

from harness.cli import terminal
from harness.cli.diff import diff_command
from harness.cli.group import harness_app
from harness.cli.pairs import pairs_command
from harness.cli.stories import stories_command, validate_stories
from harness.cli.results import check_report_folder, make_report_folder
from harness.cli.results import register as register_results
from harness.cli.terminal import warn
from harness.cli.common import clean_errors, emit, Work, print_json, progress, project_at
from harness.cli.run import experiment_names, run_named, shown_path
from harness.cli.options import ColumnOption, EngineOption, InvalidUtf8Option, JsonOption, LoadedLexiconOption, ProjectOption, RayAddressOption, check_engine_option, check_option, column_option
from harness.corpus import STDIN, corpus_inputs, load_corpus
from harness.corpus.columns import ColumnMap
from harness.corpus.webimport import DEFAULT_MIN_WORDS, MinWords
from harness.engines import Engine, EngineName, ReadsCorpus, check_engine, open_engine
from harness.errors import CheckFailed, NotFoundError, UsageError
from harness.safetext import unicode_text
from harness.experiments import load_catalogue
from harness.experiments.describe import steps_info, steps_text
from harness.experiments.registry import default_registry
from harness.project import Project
from harness.outputs import check_output, output_in_pieces, write_output
from harness.experiments.settings import Range
from harness.reports import render_report, write_report
from harness.results import table_bytes
from harness.results.browse import open_checked
from harness.run import Verification, cite, run_experiment, verify_result
from harness.run.cite import DEFAULT_AUTHORS, command_line_authors, project_authors
from harness.results.browse import ExportFormat, export_bytes, listed_row
from harness.results.store import StoredResult
from harness.experiments.spec import Experiment

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as RichTable

app = harness_app()


corpus_app = typer.Typer(help="Look at a corpus, or make one from saved web pages and WARC crawls.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def console() -> Console:
    """stdout as rich sees it, made when a command prints a table: a command that prints
    none (`harness score`, `harness run`) loads no rich (about 25 ms). Made anew each
    time, not kept: a console fixes the terminal's width when made, and a command run
    later in the same process (CliRunner, a notebook) may have another."""
    from rich.console import Console

    return Console()


# Where a command reads a corpus: several inputs, glob patterns, and - for JSONL on standard input.
CorpusArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Corpus files or folders (JSONL/CSV/Parquet/.txt/.md), glob patterns, or - for JSONL on standard input.",
        show_default=False,
    ),
]


def _read(
    path: list[Path], invalid_utf8: Literal["error", "replace"], columns: ColumnMap, engine: Engine | None = None
) -> pl.DataFrame:
    """The corpus, with its warnings shown; an engine that reads corpora itself (Ray:
    a Parquet file or folder, read in pieces by its workers) reads one input."""
    if engine is not None and isinstance(engine, ReadsCorpus) and len(path) == 1 and str(path[0]) != STDIN:
        read = engine.load_corpus(path[0], root=None, invalid_utf8=invalid_utf8, columns=columns)
    else:
        read = load_corpus(path, invalid_utf8=invalid_utf8, columns=columns)
    for repaired in read.replaced:
        warn(f"{repaired.file}: replaced {repaired.count} invalid bytes with U+FFFD")
    for warning in read.warnings:
        warn(warning)
    return read.articles


@app.command("list")
@clean_errors
def list_experiments(as_json: JsonOption = False, project: ProjectOption = None) -> None:
    """Show every experiment: name, version, description, steps.

    Example: harness list
    """
    catalogue = load_catalogue(project_at(project).experiments_dir)
    if as_json:
        print_json([_experiment_json(e) for e in catalogue.experiments])
        return
    rows = [(e.name, e.version, e.description, " -> ".join(c.use for c in e.steps)) for e in catalogue.experiments]
    console().print(terminal.table(("name", "version", "description", "steps"), rows))


@app.command("steps")
@clean_errors
def steps_cmd(
    name: Annotated[str | None, typer.Argument(help="One step (default: every registered step).")] = None,
    json_: Annotated[bool, typer.Option("--json", help="A JSON list of steps instead of text.")] = False,
) -> None:
    """Show every step an experiment can use: its tables, and each setting's type, default, allowed values and help.

    Read from the same declarations that check experiment files.

    Example: harness steps compare_outlets
    """
    infos = steps_info(default_registry(), name)
    if json_:
        print_json(infos)
        return
    typer.echo(terminal.lines(steps_text(infos)), nl=False)


def _experiment_json(experiment: Experiment) -> dict[str, object]:
    """One experiment for `list --json` (keys documented in the README)."""
    return {
        "name": experiment.name,
        "version": experiment.version,
        "description": experiment.description,
        "steps": [call.use for call in experiment.steps],
        "corpus": experiment.corpus.path,
        "engine": experiment.engine,
    }


@clean_errors
def run_command(
    name: Annotated[str | None, typer.Argument(help="Experiment name (see `harness list`).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Run every experiment.")] = False,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Run an experiment and store its result in results/NAME/<result-id>/.

    Example: harness run corpus-profile --engine local
    """
    # The command itself is harness.cli.run's, which `harness run NAME` calls without
    # this app (harness.cli.direct): the same keywords (tests/test_run_start.py).
    run_named(name, all_, engine, ray_address, as_json, project)


app.command("run")(run_command)


@app.command("report")
@clean_errors
def report(
    name: Annotated[str | None, typer.Argument(help="NAME, NAME@RESULT_ID or NAME~N.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Render the latest result of every experiment.")] = False,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", "-o", help="Write DIR/NAME.md and DIR/NAME.html instead of reports/.")
    ] = None,
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Render reports/NAME.md and reports/NAME.html from a stored result (no recomputation).

    With -o DIR the pair goes to DIR/NAME.md and DIR/NAME.html (DIR is made if
    missing), so reports of two results can be kept side by side.

    Example: harness report corpus-profile@0123456789abcdef -o reports/variant-a
    """
    proj = project_at(project)
    store = proj.store()
    if output_dir is not None:
        check_report_folder(output_dir, store.root)
    refs = [name] if name and not all_ else experiment_names(proj, None, True)
    # Every result checked before anything is written: never render numbers that are not the stored ones.
    results = [open_checked(store, ref) for ref in refs]
    folder = proj.reports_dir if output_dir is None else make_report_folder(output_dir)
    written: list[dict[str, str]] = []
    for stored in results:
        md, html = write_report(render_report(stored), stored.name, folder)
        if as_json:
            written.append({"ref": stored.ref, "markdown": shown_path(md, proj.root), "html": shown_path(html, proj.root)})
        else:
            typer.echo(terminal.line(f"{stored.ref}  {shown_path(md, proj.root)}  {shown_path(html, proj.root)}"))
    if as_json:
        print_json(written)




@app.command("cite")
@clean_errors
def cite_cmd(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@RESULT_ID.")],
    format: Annotated[Literal["bibtex", "cff", "text"], typer.Option("--format", "-f")] = "text",
    author: Annotated[
        list[str] | None,
        typer.Option("--author", help="An author, 'Family, Given' or 'Given Family'; repeat for each (default: CITATION.cff's)."),
    ] = None,
    orcid: Annotated[
        list[str] | None,
        typer.Option("--orcid", help="ORCID iD of the n-th --author (0000-0002-1825-0097); repeat in the same order."),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Print a citation for a stored result: its id, experiment version, corpus and input hashes.

    Example: harness cite corpus-profile --format bibtex --author "Doe, Jane" --orcid 0000-0002-1825-0097
    """
    proj = project_at(project)
    # Options first: a bad ORCID is named before the store is read.
    authors = command_line_authors(author or [], orcid or [])
    store = proj.store()
    stored = store.resolve(ref)
    store.check_intact(stored)  # never cite a result whose tables or manifest were altered
    if not authors:
        authors = project_authors(proj.root) or list(DEFAULT_AUTHORS)
    typer.echo(terminal.lines(cite(stored, format, authors)), nl=False)


@app.command("verify")
@clean_errors
def verify(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@RESULT_ID.")],
    as_json: JsonOption = False,
    project: ProjectOption = None,
) -> None:
    """Check a stored result is intact, re-run its experiment and compare every table byte for byte.

    First names each input file (experiment file, corpus, lexicon, style sheet)
    whose hash changed since the result. Exit 0 when the tables are identical
    (even if an input changed), 1 naming the tables (or manifest fields) that differ.

    Example: harness verify corpus-profile
    """
    proj = project_at(project)
    stored = proj.store().resolve(ref)
    # Inside the progress block: a failed check ends it without the closing line.
    with progress(f"verify {stored.ref}", "stages") as work:
        # Each changed input before the verdict (and before a re-run that fails on it): why tables may differ.
        # With --json they are in the document instead (stdout holds JSON only).
        notice = None if as_json else (lambda change: typer.echo(terminal.line(change)))
        outcome = verify_result(stored, proj, progress=work.step, notice=notice)
        work.count(work.done + 1)
        if as_json:  # the same exit codes: 1 when not verified
            print_json(_verification_json(outcome))
            if not outcome.ok:
                raise typer.Exit(CheckFailed.exit_code)
        elif not outcome.ok:
            raise CheckFailed(outcome.summary())
        else:
            typer.echo(terminal.line(outcome.summary()))


def _verification_json(outcome: Verification) -> dict[str, object]:
    """`verify --json` (keys documented in the README)."""
    return {
        "ref": outcome.ref,
        "ok": outcome.ok,
        "tampered": list(outcome.tampered),
        "edited": list(outcome.edited),
        "differing": list(outcome.differing),
        "missing": list(outcome.missing),
        "extra": list(outcome.extra),
        "config_changed": outcome.config_changed,
        "inputs_changed": list(outcome.changes),
        "summary": outcome.summary(),
    }


@corpus_app.command("show")
@clean_errors
def corpus_show(
    path: CorpusArgument,
    format: Annotated[Literal["table", "json"], typer.Option("--format", "-f")] = "table",
    invalid_utf8: InvalidUtf8Option = "error",
    column: ColumnOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", help=f"Show the first N articles (0: all; default: {SHOW_LIMIT}, all with --format json).", show_default=False),
    ] = None,
) -> None:
    """List a corpus's articles (outlet, headline, body word count), then the count per outlet.

    Only the first --limit articles are listed (20 by default; --limit 0 lists
    all); the per-outlet counts always cover the whole corpus. --format json
    prints every article (the first N with --limit N).

    Example: harness corpus show bbc.jsonl --column outlet=category --limit 5
    """
    from harness.text import word_count  # nltk: not for --help (see the top of this module)

    if limit is not None:
        check_option("--limit", limit, ShowLimit)
    inputs = corpus_inputs(path)
    articles = _read(inputs, invalid_utf8, column_option(column))
    total, outlets = articles.height, _outlet_counts(articles)
    if limit is None:  # a terminal gets a screenful; JSON, read by programs, gets every article
        limit = SHOW_LIMIT if format == "table" else 0
    if limit:
        articles = articles.head(limit)
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
    columns = ("doc_id", "outlet", "headline", "words")
    cells = [[row[c] for c in columns] for row in rows]
    console().print(terminal.table(columns, cells, title=f"{total} articles in {' '.join(map(str, path))}"))
    shown = f"all {total} articles shown" if len(rows) == total else f"{len(rows)} of {total} articles shown (--limit 0 shows all)"
    typer.echo(terminal.line(shown))
    console().print(terminal.table(("outlet", "articles"), outlets))


REJECTS_SHOWN = 20  # rejected pages `corpus import` names on stderr; --rejects FILE lists all


@corpus_app.command("import")
@clean_errors
def corpus_import(
    path: Annotated[
        list[Path],
        typer.Argument(
            help="Saved pages (.html/.htm, also .gz), WARC/ARC files (.warc, .warc.gz, .arc, .arc.gz), or folders of them.",
            show_default=False,
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The corpus to write: *.jsonl or *.parquet.")],
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Also write every skipped or rejected page or record here (JSONL).")
    ] = None,
    min_words: Annotated[
        int, typer.Option("--min-words", help="Reject a page whose main text has fewer words than this.")
    ] = DEFAULT_MIN_WORDS,
) -> None:
    """Extract each web page's article (main text, headline, date, site name, author) into a corpus.

    Every HTML page, and every HTML response or resource record of a WARC file,
    becomes one article with its provenance (file, WARC record id and URI,
    extractor and version, SHA-256 of the page). Records that are not pages
    (other content types, redirects, statuses other than 200) are skipped; pages
    that give no article (empty, no main text, too short, undecodable, truncated)
    are rejected. Both are counted on stderr, the first rejected pages named;
    --rejects FILE lists them all. Exit 2 when no page gave an article.

    Example: harness corpus import saved-pages/ crawl.warc.gz -o corpus.jsonl --rejects rejects.jsonl
    """
    from harness.corpus.webimport import ImportOptions, check_import_output, corpus_bytes, import_pages, rejects_bytes

    check_import_output(output)
    check_option("--min-words", min_words, MinWords)
    if rejects is not None:
        if rejects.suffix.lower() != ".jsonl":
            raise UsageError(f"--rejects {unicode_text(rejects)}: the list is JSON Lines", hint="name the file *.jsonl")
        if os.path.realpath(rejects) == os.path.realpath(output):
            raise UsageError("--rejects and -o name the same file", hint="write the rejects list to a file of its own")
        check_output(rejects, path)
    check_output(output, path)  # before the work: never onto an input or into an input folder
    with progress("corpus import", "pages and records", deferred=True) as work:
        result = import_pages(path, ImportOptions(min_words=min_words), progress=work.count)
        work.summary = f"corpus import: {result.summary()},"
    write_output(output, corpus_bytes(result.articles, output), inputs=path)
    if rejects is not None:
        write_output(rejects, rejects_bytes(result), inputs=path)
    rejected = [item for item in result.not_imported if item.status == "rejected"]
    for item in rejected[:REJECTS_SHOWN]:
        warn(f"{item.source.where}: not imported: {item.reason}" + (f" ({item.detail})" if item.detail else ""))
    if len(rejected) > REJECTS_SHOWN:
        more = "listed in " + unicode_text(rejects) if rejects is not None else "--rejects FILE lists them"
        warn(f"... and {len(rejected) - REJECTS_SHOWN} more rejected pages ({more})")
    work.done_line()  # once the corpus is written: a failed write ends with its error line alone


SHOW_LIMIT = 20  # articles `corpus show` lists by default
ShowLimit = Annotated[int, Range(0, 1_000_000_000)]


def _outlet_counts(articles: pl.DataFrame) -> list[tuple[str, int]]:
    """Articles per outlet, most first (then by name): the corpus's balance at a glance."""
    counts = articles.group_by("outlet").len().sort(["len", "outlet"], descending=[True, False])
    return [(outlet, n) for outlet, n in counts.iter_rows()]


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
    path: Annotated[
        list[Path],
        typer.Argument(
            help="Text files, corpora (JSONL/CSV/Parquet with a body or text column, folders), "
            "glob patterns, or - for JSONL on standard input.",
            show_default=False,
        ),
    ],
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
    column: ColumnOption = None,
    hits: Annotated[
        Path | None,
        typer.Option(
            "--hits",
            help="Also write every lexicon hit (offsets into the headline or body as scored) "
            "to FILE: .parquet, .csv or .jsonl.",
        ),
    ] = None,
    loaded_lexicon: LoadedLexiconOption = "harness",
) -> None:
    """Score documents: one row each with readability, sentence sentiment and loaded-term rates.

    Every metric comes for all text, narrator voice and quoted voice (column suffixes
    _narrator and _quoted; headline metrics start with headline_). --suite core scores
    only textstat's eight formulas and VADER per sentence on whole texts, with the same
    values, many times faster (for corpora of millions of articles). With --stream a
    corpus larger than memory is read and written batch by batch (--format jsonl or
    parquet, with --output). Without --stream every article and score is held in
    this process, also with --engine ray (the workers read a Parquet corpus, but its
    articles come back here): for a corpus larger than memory use --stream. --hits FILE writes the `hits` table: one row per lexicon
    hit with doc_id, field, sentence, start and end (character offsets of the matched
    text in the headline or body), voice, matched, term, category, weight and loaded
    (counted in loaded_per_1k). --loaded-lexicon vader-strong counts VADER's strong
    words (|valence| >= 1.5) as loaded language instead of the built-in lexicon, as the
    score_framing setting loaded_lexicon does (full suite only).

    Example: harness score article.txt --format json --hits hits.csv
    """
    _check_score_options(format, output, stream, batch_size, invalid_utf8)
    hits_format = _check_hits_option(hits, stream, suite, output)
    mapping = column_option(column)
    check_engine_option(engine, ray_address)
    corpus = corpus_inputs(path)
    if stream and (len(corpus) > 1 or str(corpus[0]) == STDIN):
        raise UsageError("--stream reads one corpus file or folder", hint="without --stream, several inputs and - work")
    inputs = [*corpus, *(lexicon or ())]
    if output is not None:
        check_output(output, inputs)  # before the work: never onto an input, a folder, a socket
    if hits is not None:
        check_output(hits, inputs)
    if not stream and engine in (None, "local"):
        _start_workers_early(corpus, suite)  # before this process imports the scoring code
    from harness.scoring.arms import check_suite_arm  # no lexicon, no scorer: not for --help

    check_suite_arm(suite, loaded_lexicon)
    if stream:
        from harness.scoring.stream import score_stream  # the science stack: not for --help

        assert output is not None  # checked first
        with open_engine(engine or "local", address=ray_address) as chosen, progress("score", "documents") as work:
            summary = score_stream(
                corpus[0],
                output,
                fmt="jsonl" if format == "jsonl" else "parquet",
                batch_size=batch_size,
                lexicons=lexicon or (),
                suite=suite,
                english_only=not any_language,
                engine=chosen,
                on_skip=lambda row: warn(f"{row['doc_id']} not scored ({row['reason']})"),
                columns=mapping,
                on_warning=warn,
                on_batch=work.count,
                loaded_lexicon=loaded_lexicon,
            )
            work.summary = f"{summary.documents} documents scored in {summary.batches} batches, {summary.skipped} skipped,"
        return
    encoded: bytes | None = None  # the --format jsonl output, when the workers made it
    write_piece: Callable[[bytes], None] | None = None  # ... and wrote it to --output piece by piece
    with contextlib.ExitStack() as outputs:
        with open_engine(engine or "local", address=ray_address) as chosen:
            local = chosen.name == "local"
            articles = _read(corpus, invalid_utf8, mapping, chosen)  # on Ray, a Parquet corpus is read by the workers
            if suite == "core" and local:
                tables, work = _score_core_here(articles, english_only=not any_language)
            elif local:
                if format == "jsonl" and output is not None:
                    # Each slice's lines go to the file as they come: none is left to
                    # write once the last is scored. Put in place when this block ends
                    # (after --hits), removed if anything fails first.
                    write_piece = outputs.enter_context(output_in_pieces(output, inputs=inputs))
                tables, work, encoded = _score_full_here(
                    articles,
                    lexicon or (),
                    english_only=not any_language,
                    with_hits=hits is not None,
                    loaded_lexicon=loaded_lexicon,
                    jsonl=format == "jsonl",
                    write_piece=write_piece,
                )
            else:
                from harness.text.language import split_by_language

                if not any_language:
                    articles, skipped = split_by_language(articles)
                    _warn_skipped(skipped)
                with progress("score", "documents", total=articles.height, deferred=True) as work:
                    tables = _score_counted(
                        articles, suite, lexicon or (), chosen, work, with_hits=hits is not None, loaded_lexicon=loaded_lexicon
                    )
        if hits is not None:
            assert hits_format is not None  # checked first
            write_output(hits, export_bytes(tables["hits"], hits_format, table="hits"), inputs=inputs)
        if write_piece is None:
            _write_scores(tables["documents"], format, suite, output, inputs, encoded=encoded)
    work.done_line()  # once the output is written: a failed write ends with its error line alone


def _start_workers_early(corpus: list[Path], suite: str) -> None:
    """A large corpus: the scoring workers start (import, load their tables) while this
    process imports the scoring code and reads the corpus, not after. ``harness.cli.entry``
    has usually started them already, before this app was imported; this start covers
    a command line it could not read, and the app called from Python."""
    from harness.cli.score_start import start_workers_for_score

    start_workers_for_score(corpus, suite)


def _warn_skipped(skipped: pl.DataFrame) -> None:
    for row in skipped.iter_rows(named=True):
        warn(f"{row['doc_id']} not scored ({row['reason']}; {row['detail']})")


def _score_core_here(articles: pl.DataFrame, *, english_only: bool) -> tuple[dict[str, pl.DataFrame], Work]:
    """The core suite in this process and its workers: the language of each body is
    checked in the scoring batches, on every core (the same rows and warnings as
    checking first, then scoring the English articles)."""
    from harness.scoring.core import score_core, score_core_english

    with progress("score", "documents", total=articles.height, deferred=True) as work:
        if english_only:
            scored, skipped = score_core_english(articles, on_progress=work.count, sentences=False)
        else:
            scored, skipped = score_core(articles, on_progress=work.count, sentences=False), None
        documents = scored["core_documents"]
        work.count(documents.height, documents.height)
    from harness.scoring.pool import shutdown_workers

    shutdown_workers(wait=False)  # done with them: they exit while the output is written
    if skipped is not None:
        _warn_skipped(skipped)
    return {"documents": documents}, work


def _write_scores(
    documents: pl.DataFrame,
    format: str,
    suite: str,
    output: Path | None,
    inputs: list[Path],
    *,
    encoded: bytes | None = None,
) -> None:
    """``documents`` in ``format`` to ``output`` (stdout when None); ``encoded``: the
    JSON Lines already made from them (``printable_jsonl_bytes``, slice by slice)."""
    if format == "parquet":
        assert output is not None  # checked first
        write_output(output, table_bytes(documents), inputs=inputs)
        return
    if format == "text":
        columns = CORE_TEXT_COLUMNS if suite == "core" else SCORE_TEXT_COLUMNS
        text = _rich_text(_frame_table(documents.select(columns)))
    elif format == "json":
        text = terminal.json_text(json.dumps(documents.to_dicts(), indent=2, ensure_ascii=False) + "\n")
    else:
        from harness.cli.jsonlines import printable_jsonl_bytes

        # json.dumps per row, made terminal-safe (terminal.json_text), as UTF-8 bytes
        # straight from polars: the whole table never becomes one Python string.
        data = printable_jsonl_bytes(documents) if encoded is None else encoded
        if output is None:
            typer.echo(data.decode("utf-8"), nl=False)
        else:
            write_output(output, data, inputs=inputs)
        return
    emit(text, output, inputs)


def _score_counted(
    articles: pl.DataFrame,
    suite: Literal["full", "core"],
    lexicons: Sequence[Path],
    engine: Engine,
    work: Work,
    *,
    with_hits: bool = False,
    loaded_lexicon: str = "harness",
) -> dict[str, pl.DataFrame]:
    """Score ``articles`` in slices, counting them for the progress display: ``documents``
    (and ``hits`` when asked).

    Every document is scored on its own, so slices give the same rows as one call;
    a slice is large enough (SCORE_SLICE at least) that the per-call cost stays
    small. On Ray the corpus goes as one call: Ray splits it into its own tasks.
    """
    from harness.scoring.stream import scoring_call  # the science stack: not for --help

    outputs = ("documents", "hits") if with_hits else ("documents",)
    size = max(SCORE_SLICE, -(-articles.height // 50))  # about 50 updates at most
    if engine.name == "ray" or articles.height <= size:
        tables = engine.run(scoring_call(articles, suite=suite, lexicons=lexicons, outputs=outputs, loaded_lexicon=loaded_lexicon))
        work.count(articles.height)
        return tables
    parts = []
    for start in range(0, articles.height, size):
        chunk = articles.slice(start, size)
        parts.append(engine.run(scoring_call(chunk, suite=suite, lexicons=lexicons, outputs=outputs, loaded_lexicon=loaded_lexicon)))
        work.count(start + chunk.height)
    return {name: pl.concat([part[name] for part in parts], how="vertical_relaxed") for name in outputs}


def _score_full_here(
    articles: pl.DataFrame,
    lexicons: Sequence[Path],
    *,
    english_only: bool,
    with_hits: bool,
    loaded_lexicon: str,
    jsonl: bool,
    write_piece: Callable[[bytes], None] | None = None,
) -> tuple[dict[str, pl.DataFrame], Work, bytes | None]:
    """The full scorecard on this machine: ``documents`` (and ``hits``), the JSON Lines
    output when ``jsonl`` (given slice by slice to ``write_piece`` when there is one,
    else returned), and the progress display.

    Each slice is scored wholly by the workers (``score_slices``): the language check,
    the tables and the output bytes, so this process only gathers them and no core
    idles while it works alone. Skipped articles are warned of once all are scored,
    in input order; the count shown is of the articles scored, as if the others had
    been dropped first.
    """
    from harness.cli.jsonlines import printable_jsonl_bytes
    from harness.scoring.pool import shutdown_workers
    from harness.scoring.score import score_slices

    outputs = ("documents", "hits") if with_hits else ("documents",)
    size = max(SCORE_SLICE, -(-articles.height // 50))  # about 50 updates at most
    parts, skipped, encoded = [], [], []
    with progress("score", "documents", total=articles.height, deferred=True) as work:
        done, total = 0, articles.height
        slices = score_slices(
            articles,
            size,
            lexicons=lexicons,
            loaded_lexicon=loaded_lexicon,
            tables=outputs,
            english_only=english_only,
            encode=printable_jsonl_bytes if jsonl else None,
        )
        for part in slices:
            parts.append(part.tables)
            skipped.append(part.skipped)
            if write_piece is None:
                encoded.append(part.encoded or b"")
            else:
                write_piece(part.encoded or b"")
            done += part.tables["documents"].height
            total -= part.skipped.height
            work.count(done, total)
    shutdown_workers(wait=False)  # done with them: they exit while the output is written
    _warn_skipped(pl.concat(skipped))
    tables = {name: pl.concat([part[name] for part in parts], how="vertical_relaxed") for name in outputs}
    return tables, work, b"".join(encoded) if jsonl and write_piece is None else None


SCORE_SLICE = 200  # documents per progress update of `score`, at least


HITS_SUFFIXES: dict[str, ExportFormat] = {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _check_hits_option(hits: Path | None, stream: bool, suite: str, output: Path | None) -> ExportFormat | None:
    """The format --hits FILE is written in (from its suffix); what `score --hits` refuses."""
    if hits is None:
        return None
    if stream:
        raise UsageError("--hits does not work with --stream", hint="score without --stream to write the hits")
    if suite == "core":
        raise UsageError("--hits needs --suite full", hint="the core suite matches no lexicon")
    fmt = HITS_SUFFIXES.get(hits.suffix.lower())
    if fmt is None:
        raise UsageError(
            "--hits FILE must end in .parquet, .csv or .jsonl", where=hits, hint="the suffix decides the format"
        )
    if output is not None and str(output) != "-" and os.path.abspath(output) == os.path.abspath(hits):
        raise UsageError("--hits and --output name the same file", where=hits, hint="give the hits their own file")
    return fmt


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
    kind: Annotated[
        Literal["sentiment", "loaded-terms", "stories"], typer.Argument(help="Which instrument to validate.")
    ],
    gold: Annotated[
        Path,
        typer.Option(
            "--gold",
            help="CSV/JSONL/Parquet with `text` and `rating` and/or `label`; for loaded-terms also a "
            "BABE-like sentence CSV/TSV or a folder of article<ID>.txt with span .labels files; for "
            "stories a table of doc_id and story.",
        ),
    ],
    format: Annotated[Literal["text", "json"], typer.Option("--format", "-f")] = "text",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    lexicon: Annotated[list[Path] | None, typer.Option("--lexicon", help="An extra lexicon TSV (repeatable).")] = None,
    corpus: Annotated[
        list[Path] | None, typer.Option("--corpus", help="stories: the corpus whose articles the gold file groups.")
    ] = None,
    loaded_lexicon: LoadedLexiconOption = "harness",
) -> None:
    """Agreement of an instrument with a human-rated set: Pearson/Spearman r, F1, ROC AUC.

    Generic gold (`text` plus `rating` and/or `label`): sentiment labels are
    negative/neutral/positive or -1/0/1; loaded-terms labels loaded/neutral, 1/0,
    true/false, yes/no or biased/non-biased. The loaded-terms AUC ranks texts by weighted
    density (sum of loaded hit weights per 1,000 words).

    loaded-terms also reads two public formats, found from --gold: a sentence file
    (columns text, label_bias, biased_words, like BABE; separator , ; or tab; labels
    Biased/Non-biased, biased/non-biased, 1/0, true/false; "No agreement" left out;
    words as ['a', 'b'] or a ; , | list): sentence AUC of weighted density, of loaded
    hits per 1,000 words and of the hit count, and token precision/recall/F1 of hits
    against the marked words. A folder of article<ID>.txt with label files (*.labels,
    *.labels.tsv; lines ID TECHNIQUE START END, like the propaganda techniques corpus):
    Loaded_Language span recall, hit precision against any span and against
    Loaded_Language spans, per-article Spearman of weighted density against
    Loaded_Language spans per 1,000 words. Each figure comes for the lexicon and for the
    plain VADER word list (|valence| >= 1.5) side by side. With --loaded-lexicon
    vader-strong the "lexicon" instrument is that second arm (VADER's strong words
    matched with the harness's rules: lemmas, hyphens), as `score` would count it.

    stories: the gold file has doc_id and story; reports pairwise and B-cubed
    precision/recall/F1 and adjusted Rand, with the word-overlap baseline beside them.

    Example: harness validate loaded-terms --gold babe.csv --json
    """
    if as_json:
        format = "json"
    if kind == "stories":
        validate_stories(gold, corpus, format)
        return
    from harness.scoring import validate  # the science stack: not for --help
    from harness.scoring.gold import read_gold
    from harness.scoring.loaded_gold import detect_format

    if loaded_lexicon != "harness" and kind != "loaded-terms":
        raise UsageError(f"--loaded-lexicon does not work with validate {kind}", hint="it picks the loaded-terms instrument")
    if kind == "loaded-terms" and detect_format(gold) is not None:
        _validate_loaded_gold(gold, lexicon or (), format, loaded_lexicon)
        return
    items = read_gold(gold)
    with progress(f"validate {kind}", "rated items", total=items.height, deferred=True) as work:
        measures = validate(kind, items, lexicons=lexicon or (), loaded_lexicon=loaded_lexicon)
        work.count(items.height)
    if format == "json":
        print_json(measures.to_dicts())
    else:
        console().print(_frame_table(measures))
    work.done_line()


def _validate_loaded_gold(gold: Path, lexicons: Sequence[Path], format: str, loaded_lexicon: str) -> None:
    """`validate loaded-terms` on a sentence bias file or a span-annotated folder."""
    from harness.scoring.loaded_validation import validate_loaded_gold

    with progress("validate loaded-terms", "annotated items", deferred=True) as work:
        report = validate_loaded_gold(gold, lexicons=lexicons, loaded_lexicon=loaded_lexicon)
        work.count(report.items)
    if format == "json":
        print_json(report.to_json())
    else:
        console().print(_frame_table(report.table.drop("format", "note")))
        for row in report.table.filter(pl.col("note").is_not_null()).iter_rows(named=True):
            typer.echo(terminal.lines(f"{row['instrument']} {row['measure']}: {row['note']}"))
    work.done_line()


app.command("diff")(diff_command)


def _frame_table(frame: pl.DataFrame) -> RichTable:
    return terminal.table(frame.columns, frame.iter_rows())


def _rich_text(renderable: RichTable) -> str:
    from rich.console import Console

    capture = Console(width=200, record=True, file=io.StringIO())
    capture.print(renderable)
    return capture.export_text()


app.command("pairs")(pairs_command)
app.command("stories")(stories_command)
register_results(app)  # results, show, export, compare
