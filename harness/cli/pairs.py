"""``harness pairs``: find the copies in a corpus and write them as a table."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from harness.cli.common import progress, clean_errors
from harness.cli.options import ColumnOption, EngineOption, InvalidUtf8Option, RayAddressOption, check_engine_option, check_option, column_option
from harness.cli.terminal import warn
from harness.corpus import STDIN, ColumnMap, corpus_inputs, load_corpus, spill_corpus
from harness.corpus.stream import SPILL_HINT, STREAM_FROM_BYTES, SpillError, streamed_bytes
from harness.discovery.defaults import DISCOVERY_COLUMNS, DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD, NumPerm, Threshold
from harness.engines import open_engine
from harness.errors import InputError, UsageError
from harness.experiments.settings import Seed
from harness.outputs import check_output, make_staging_dir, write_output
from harness.results import table_bytes
from harness.safetext import json_printable

OUTPUT_SUFFIXES = (".parquet", ".json")


def pairs_json(frame: pl.DataFrame) -> str:
    """The table as a JSON list of rows, in the table's (sorted) order."""
    return json_printable(json.dumps(frame.to_dicts(), indent=2, ensure_ascii=False) + "\n")


def check_pairs_output(output: Path) -> None:
    """The output's format comes from its suffix: checked before any work."""
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(
            f"cannot tell the output format from {output.name!r}",
            where=output,
            hint="name the file *.parquet or *.json",
        )


def write_pairs(frame: pl.DataFrame, output: Path, inputs: Sequence[Path] = ()) -> None:
    """Write the table as Parquet or JSON, chosen by the file's suffix, atomically
    (never onto one of ``inputs``: see ``harness.outputs``)."""
    check_pairs_output(output)
    suffix = output.suffix.lower()
    data = table_bytes(frame) if suffix == ".parquet" else pairs_json(frame).encode("utf-8")
    write_output(output, data, inputs=inputs)


# A corpus of STREAM_FROM_BYTES or more on disk is read in batches and spilled to
# Parquet files in a temporary folder, which discovery then reads lazily: memory holds
# one batch and discovery's arrays, not every body (1M synthetic articles: 4.5 GB read
# whole, under 1 GB spilled; benchmarks/RESULTS.md). The pairs are the same either way.
def streams(inputs: Sequence[Path], invalid_utf8: str, engine: str | None) -> Path | None:
    """The corpus to read in batches, or None to read it whole: one JSON Lines or
    Parquet file (or folder of such files) of ``STREAM_FROM_BYTES`` or more, read on
    this machine, with invalid bytes refused (a stream cannot repair them)."""
    if len(inputs) != 1 or str(inputs[0]) == STDIN or invalid_utf8 != "error" or engine not in (None, "local"):
        return None
    size = streamed_bytes(inputs[0])
    return inputs[0] if size is not None and size >= STREAM_FROM_BYTES else None


def _spilled(path: Path, columns: ColumnMap, stack: contextlib.ExitStack, on_warning: Callable[[str], None]) -> tuple[pl.LazyFrame, int]:
    """The corpus at ``path`` spilled to a temporary folder (removed by ``stack``), as a lazy table."""
    # harness-pairs-<pid>-XXXXXXXX: a later run removes it if this one is killed (kill -9)
    folder = make_staging_dir(Path(tempfile.gettempdir()), "harness-pairs-")
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    try:
        return spill_corpus(path, folder, columns=columns, select=DISCOVERY_COLUMNS, on_warning=on_warning)
    except SpillError as exc:  # the library's line, with the way to spill elsewhere
        raise InputError(exc.message, where=exc.where, hint=SPILL_HINT) from None


@clean_errors
def pairs_command(
    corpus: Annotated[
        list[Path],
        typer.Argument(
            help="Corpus files or folders (any format `harness corpus` reads), glob patterns, or - for JSONL on standard input.",
            show_default=False,
        ),
    ],
    threshold: Annotated[
        float, typer.Option("--threshold", help="Minimum exact Jaccard of the bodies' word 5-gram sets.")
    ] = DEFAULT_THRESHOLD,
    cross_outlet: Annotated[
        bool, typer.Option("--cross-outlet", help="Only pairs of two different outlets.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table here: *.parquet or *.json (default: JSON on stdout).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the MinHash permutations.")] = DEFAULT_SEED,
    num_perm: Annotated[int, typer.Option("--num-perm", help="MinHash permutations (more: fewer chance candidates).")] = DEFAULT_NUM_PERM,
    invalid_utf8: InvalidUtf8Option = "error",
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    column: ColumnOption = None,
) -> None:
    """Find candidate copies (MinHash LSH), verify them by exact shingle overlap, write the `pairs` table.

    Columns: a_doc_id, b_doc_id, a_outlet, b_outlet, jaccard, a_containment,
    b_containment, containment, shared_shingles, a_shingles, b_shingles; sorted by
    a_doc_id, b_doc_id. A is the earlier `published` article when known, else the
    news agency's, else the lower doc_id. With --engine ray, shingles and MinHash
    run as Ray tasks and buckets are found on the driver; the pairs are the same. The same table feeds the wire-copy diff (experiment wire-copy-discovery).

    A corpus file (JSON Lines, Parquet) or folder of such files of 256 MiB or
    more is read in batches into a temporary folder (TMPDIR: up to about the
    corpus file's size), so that memory holds one batch, not every body; the pairs
    are the same.

    Example: harness pairs corpus/ --threshold 0.5 --cross-outlet -o pairs.parquet
    """
    from harness.discovery import DiscoverySettings, find_pairs  # numpy and scipy: not for --help (see app.py)

    # Every option first, with the ranges of the discover_pairs step's settings.
    inputs = corpus_inputs(corpus)  # patterns expanded: the output must not replace any file they match
    if output is not None:
        check_pairs_output(output)
        check_output(output, inputs)  # never onto the corpus, a folder, a socket
    check_option("--threshold", threshold, Threshold)
    check_option("--seed", seed, Seed)
    check_option("--num-perm", num_perm, NumPerm)
    columns = column_option(column)
    check_engine_option(engine, ray_address)
    settings = DiscoverySettings(threshold=threshold, cross_outlet=cross_outlet, seed=seed, num_perm=num_perm)
    bands = settings.bands()
    streamed = streams(inputs, invalid_utf8, engine)
    articles: pl.DataFrame | pl.LazyFrame
    if streamed is None:
        read = load_corpus(inputs, invalid_utf8=invalid_utf8, columns=columns)
        for repaired in read.replaced:
            warn(f"{repaired.file}: replaced {repaired.count} invalid bytes with U+FFFD")
        for warning in read.warnings:
            warn(warning)
        articles, height = read.articles, read.articles.height
    notices: list[str] = []  # a streamed corpus's warnings: printed once the progress display is gone
    with contextlib.ExitStack() as stack, open_engine(engine or "local", address=ray_address) as chosen:
        with progress("pairs", "articles", total=None if streamed else height, deferred=True) as work:
            if streamed is not None:
                work.stage("reading the corpus in batches")
                articles, height = _spilled(streamed, columns, stack, notices.append)
                work.count(0, height)
            work.stage("finding candidates and verifying them")
            pairs = find_pairs(articles, settings=settings, engine=chosen)
            work.count(height, height)
            work.summary = (
                f"{pairs.height} pairs among {height} articles "
                f"(threshold {threshold}, {bands.bands} bands x {bands.rows} rows)"
            )
    for notice in notices:
        warn(notice)
    if output is None:
        typer.echo(pairs_json(pairs), nl=False)
    else:
        write_pairs(pairs, output, inputs)
    work.done_line()  # once the table is written: a failed write ends with its error line alone
