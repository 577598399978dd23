"""``harness stories`` and ``harness validate stories``: thin layers over ``harness.stories``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from harness.cli.pairs import pairs_json
from harness.cli.common import clean_errors, print_json, progress
from harness.cli.options import ColumnOption, EngineOption, InvalidUtf8Option, RayAddressOption, check_engine_option, check_option, column_option
from harness.cli.terminal import warn
from harness.corpus import corpus_inputs, load_corpus
from harness.engines import open_engine
from harness.errors import UsageError
from harness.experiments.settings import Range
from harness.outputs import check_output, write_output

OUTPUT_SUFFIXES = (".parquet", ".json")
_THRESHOLD = Annotated[float, Range(0, 1, exclusive_minimum=True)]  # as the match_stories step's settings
_WINDOW = Annotated[int, Range(0, 3650)]


def _check_output_name(output: Path) -> None:
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(
            f"cannot tell the output format from {output.name!r}", where=output, hint="name the file *.parquet or *.json"
        )


def _as_of(value: str | None) -> datetime:
    """``--as-of`` (default: now, UTC): a `published` after it is a future date."""
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{value!r} is not an ISO 8601 date", where="--as-of", hint="e.g. --as-of 2025-07-31") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@clean_errors
def stories_command(
    corpus: Annotated[
        list[Path],
        typer.Argument(help="Corpus files or folders, glob patterns, or - for JSONL on standard input.", show_default=False),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table here: *.parquet or *.json (default: JSON on stdout).")
    ] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Mean cosine similarity two stories need to merge.")] = 0.15,
    window_days: Annotated[int, typer.Option("--window-days", help="Dated articles further apart are never one story.")] = 2,
    weighting: Annotated[Literal["tfidf", "bm25"], typer.Option("--weighting", help="Term weights.")] = "tfidf",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="A `published` after this ISO date is a future date (default: now).")
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="Copy pairs from `harness pairs -o` (*.parquet or *.json): each pair is one story.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary (counts) as JSON on stdout.")] = False,
    invalid_utf8: InvalidUtf8Option = "error",
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    column: ColumnOption = None,
) -> None:
    """Story ids: which articles report the same event. One row per article.

    Columns: doc_id, story_id, story_size, neighbours (nearest candidate doc ids),
    similarities (their cosine), copies, status (ok, no_text, undated, future_date).
    The same corpus gives the same ids in any order and on any engine.

    Example: harness stories corpus/ -o stories.parquet
    """
    from harness.results import table_bytes  # polars' writers: not for --help
    from harness.stories import StorySettings, match_stories
    from harness.stories.evaluate import read_copy_pairs

    inputs = corpus_inputs(corpus)
    if output is not None:
        _check_output_name(output)
        check_output(output, inputs)
    check_option("--threshold", threshold, _THRESHOLD)
    check_option("--window-days", window_days, _WINDOW)
    moment = _as_of(as_of)
    columns = column_option(column)
    check_engine_option(engine, ray_address)
    read = load_corpus(inputs, invalid_utf8=invalid_utf8, columns=columns)
    for repaired in read.replaced:
        warn(f"{repaired.file}: replaced {repaired.count} invalid bytes with U+FFFD")
    for warning in read.warnings:
        warn(warning)
    copies = read_copy_pairs(pairs) if pairs is not None else None
    settings = StorySettings(threshold=threshold, window_days=window_days, weighting=weighting, as_of=moment)
    with open_engine(engine or "local", address=ray_address) as chosen:
        with progress("stories", "articles", total=read.articles.height, deferred=True) as work:
            found = match_stories(read.articles, settings=settings, engine=chosen, copies=copies)
            work.count(read.articles.height)
            work.summary = found.summary_line()
    if output is not None:
        data = (
            table_bytes(found.assignments)
            if output.suffix.lower() == ".parquet"
            else pairs_json(found.assignments).encode("utf-8")  # the same JSON as on stdout
        )
        write_output(output, data, inputs=inputs)
    if as_json:
        print_json(found.summary())
    elif output is None:
        typer.echo(pairs_json(found.assignments), nl=False)
    work.done_line()


def validate_stories(gold: Path, corpus: list[Path] | None, format: Literal["text", "json"]) -> None:
    """``harness validate stories --gold FILE --corpus CORPUS``: the branch of ``validate``."""
    import polars as pl

    from harness.stories import match_stories
    from harness.stories.evaluate import evaluate, read_gold_stories

    if not corpus:
        raise UsageError("validate stories needs --corpus", hint="name the corpus the gold file's doc ids belong to")
    inputs = corpus_inputs(corpus)
    gold_table = read_gold_stories(gold)
    read = load_corpus(inputs)
    with progress("validate stories", "articles", total=read.articles.height, deferred=True) as work:
        found = match_stories(read.articles)
        measures = evaluate(read.articles, gold_table, found.assignments, where=gold)
        work.count(read.articles.height)
    if format == "json":
        print_json(measures.to_dicts())
    else:
        wide = measures.pivot(on="method", index="measure", values="value")
        typer.echo(wide.with_columns(pl.col(pl.Float64).round(4)).write_csv(separator="\t"), nl=False)
    work.done_line()
