"""``harness pairs``: find the copies in a corpus and write them as a table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from harness.cli.common import progress, EngineOption, RayAddressOption, clean_errors
from harness.cli.options import InvalidUtf8Option, ColumnOption, check_engine_option, check_option, column_option
from harness.cli.terminal import warn
from harness.corpus import corpus_inputs, load_corpus
from harness.discovery.defaults import DEFAULT_NUM_PERM, DEFAULT_SEED, DEFAULT_THRESHOLD, NumPerm, Threshold
from harness.engines import open_engine
from harness.errors import UsageError
from harness.experiments.settings import Seed
from harness.outputs import check_output, write_output
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
    read = load_corpus(inputs, invalid_utf8=invalid_utf8, columns=columns)
    for repaired in read.replaced:
        warn(f"{repaired.file}: replaced {repaired.count} invalid bytes with U+FFFD")
    for warning in read.warnings:
        warn(warning)
    settings = DiscoverySettings(threshold=threshold, cross_outlet=cross_outlet, seed=seed, num_perm=num_perm)
    bands = settings.bands()
    with open_engine(engine or "local", address=ray_address) as chosen:
        with progress("pairs", "articles", total=read.articles.height, deferred=True) as work:
            work.stage("finding candidates and verifying them")
            pairs = find_pairs(read.articles, settings=settings, engine=chosen)
            work.count(read.articles.height)
            work.summary = (
                f"{pairs.height} pairs among {read.articles.height} articles "
                f"(threshold {threshold}, {bands.bands} bands x {bands.rows} rows)"
            )
    if output is None:
        typer.echo(pairs_json(pairs), nl=False)
    else:
        write_pairs(pairs, output, inputs)
    work.done_line()  # once the table is written: a failed write ends with its error line alone
