"""Scoring a corpus larger than memory: batches in, rows out, memory flat.

Each batch of articles (``harness.corpus.iter_article_batches``) is checked for
language, scored, and its ``documents`` rows are written before the next batch is
read. Parquet output is written as one part file per batch in a staging folder
and then streamed into a single file (polars ``sink_parquet``); JSON Lines output
is appended to a temporary file. Either way the output appears under its name
only when complete (a device or pipe gets it copied through, see
``harness.outputs``).

The staging folder is ``.tmp-score-<pid>-XXXXXXXX`` beside the output: a run
killed with ``kill -9`` leaves it behind, and the next streamed run writing into
that folder removes it once its process is gone.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from harness.corpus.columns import NO_COLUMNS, ColumnMap
from harness.polars_io import polars_os_errors
from harness.scoring.arms import HARNESS_ARM, check_suite_arm
from harness.scoring.parts import PART_PREFIX, part_name, write_part
from harness.corpus.pieces import PARQUET_SUFFIX, ParquetPiece, parquet_corpus_files, plan_pieces
from harness.corpus.stream import DEFAULT_STREAM_BATCH, iter_article_batches
from harness.engines import BatchCall, Engine, LocalEngine
from harness.errors import StoreError
from harness.outputs import check_output, make_staging_dir, publish_file
from harness.safetext import unicode_text
from harness.scoring.core import score_core
from harness.scoring.score import score_documents
from harness.text.language import split_by_language

StreamFormat = Literal["jsonl", "parquet"]
Suite = Literal["full", "core"]
SkipNotice = Callable[[dict[str, str]], None]

STAGING_PREFIX = ".tmp-score-"
# Staging folders of older versions carry no pid: removed once a day old.
_LEGACY_STAGING = re.compile(r"\.tmp-score-[a-z0-9_]{8}")
_LEGACY_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class StreamSummary:
    batches: int
    documents: int
    skipped: int


def scoring_call(
    articles: pl.DataFrame,
    *,
    suite: Suite,
    lexicons: Sequence[Path],
    outputs: tuple[str, ...] = ("documents",),
    loaded_lexicon: str = HARNESS_ARM,
) -> BatchCall:
    """The engine call that scores ``articles``: its output tables are ``outputs``.

    ``full`` is the framing scorecard (``score_documents``: any of its tables, e.g.
    ``hits``); ``core`` the reference suite only (``score_core``: textstat and VADER on
    whole texts), built for scale, whose only output is ``documents``.
    ``loaded_lexicon`` is the loaded-language instrument (``harness.scoring.arms``):
    a setting of the call, so the local engine, Ray and ``score_stream`` all use it.
    The core suite matches no lexicon: it takes only the default.
    """
    check_suite_arm(suite, loaded_lexicon)
    if suite == "core":
        return BatchCall(_core_documents, "articles", {"articles": articles}, ("articles",), {}, ("documents",))
    # Only the tables asked for are built (attribution only for quotes and speakers).
    settings = {"lexicons": list(lexicons), "loaded_lexicon": loaded_lexicon, "tables": outputs}
    return BatchCall(score_documents, "articles", {"articles": articles}, ("articles",), settings, outputs)


def _core_documents(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {"documents": score_core(articles)["core_documents"]}


@dataclass(frozen=True, slots=True)
class Scorer:
    """Articles in, ``documents`` out, in this process (picklable: a cluster task carries it)."""

    suite: Suite
    lexicons: tuple[Path, ...]
    loaded_lexicon: str = HARNESS_ARM

    def __call__(self, articles: pl.DataFrame) -> pl.DataFrame:
        call = scoring_call(articles, suite=self.suite, lexicons=self.lexicons, loaded_lexicon=self.loaded_lexicon)
        return call.call(articles)["documents"]


def _score_batch(articles: pl.DataFrame, scorer: Scorer, engine: Engine) -> pl.DataFrame:
    call = scoring_call(articles, suite=scorer.suite, lexicons=scorer.lexicons, loaded_lexicon=scorer.loaded_lexicon)
    return engine.run(call)["documents"]


def score_stream(
    path: Path,
    output: Path,
    *,
    fmt: StreamFormat,
    batch_size: int = DEFAULT_STREAM_BATCH,
    lexicons: Sequence[Path] = (),
    suite: Suite = "full",
    english_only: bool = True,
    engine: Engine | None = None,
    on_skip: SkipNotice | None = None,
    columns: ColumnMap = NO_COLUMNS,
    on_warning: Callable[[str], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
    loaded_lexicon: str = HARNESS_ARM,
) -> StreamSummary:
    """Score ``path`` batch by batch into ``output`` (one ``documents`` row per article).

    ``loaded_lexicon`` is the loaded-language instrument (see ``scoring_call``).
    ``columns`` maps article fields to the corpus's column names; ``on_warning``
    hears the corpus's warnings (see ``harness.corpus.iter_article_batches``);
    ``on_batch`` hears the number of documents scored so far, after each batch.
    """
    engine = engine or LocalEngine()
    scorer = Scorer(suite, tuple(lexicons), loaded_lexicon)
    check_suite_arm(suite, loaded_lexicon)  # before any work
    target = check_output(output, inputs=[path, *lexicons])
    try:
        target.staging_dir.mkdir(parents=True, exist_ok=True)
        _sweep_legacy_staging(target.staging_dir)
        staging = make_staging_dir(target.staging_dir, STAGING_PREFIX)
    except OSError as exc:
        raise StoreError(f"cannot write: {exc.strerror or exc}", where=target.staging_dir) from None
    counts = _Counts(on_skip, on_batch)
    try:
        on_cluster = _cluster_pieces(path, engine, batch_size, columns)
        if on_cluster is not None:
            _score_on_cluster(on_cluster, path, staging, fmt, scorer, english_only, counts, on_warning)
        else:
            batches_in = iter_article_batches(path, batch_size=batch_size, columns=columns, on_warning=on_warning)
            for articles in batches_in:
                if english_only:
                    articles, skipped = split_by_language(articles)
                    counts.skipped(skipped)
                scored = _score_batch(articles, scorer, engine)
                write_part(scored, staging / part_name(counts.batches, fmt), fmt)
                counts.batch(scored.height)
        publish_file(_gather_parts(staging, fmt), target)
    except OSError as exc:
        raise StoreError(
            f"could not write {output.name}: {exc.strerror or exc}",
            where=output,
            hint="nothing was written; free space or fix permissions and try again",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return StreamSummary(counts.batches, counts.documents, counts.skipped_rows)


class _Counts:
    """Batches, documents and skipped articles so far; tells the caller as they come."""

    def __init__(self, on_skip: SkipNotice | None, on_batch: Callable[[int], None] | None) -> None:
        self.batches = self.documents = self.skipped_rows = 0
        self._on_skip = on_skip
        self._on_batch = on_batch

    def skipped(self, rows: pl.DataFrame) -> None:
        self.skipped_rows += rows.height
        for row in rows.iter_rows(named=True):
            if self._on_skip:
                self._on_skip(row)

    def batch(self, documents: int) -> None:
        self.batches += 1
        self.documents += documents
        if self._on_batch:
            self._on_batch(self.documents)


def _gather_parts(staging: Path, fmt: StreamFormat) -> Path:
    """The part files, in batch order, as one file: streamed, never held whole."""
    parts = sorted(staging.glob(f"{PART_PREFIX}*.{fmt}"))
    if fmt == "parquet":
        final = staging / "documents.parquet"
        with polars_os_errors():  # a full disk: the caller's OSError line
            pl.scan_parquet(parts).sink_parquet(final)
        return final
    final = staging / "documents.jsonl"
    with final.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out)
    return final


def _cluster_pieces(path: Path, engine: Engine, batch_size: int, columns: ColumnMap) -> list[ParquetPiece] | None:
    """On Ray, a Parquet corpus (a file or a folder of them) in pieces of ``batch_size``
    rows for the cluster to read; None for the local engine or another corpus."""
    if engine.name != "ray" or not path.exists() or not (path.is_dir() or path.suffix.lower() == PARQUET_SUFFIX):
        return None  # anything else reads as before (and fails with the same line)
    files = parquet_corpus_files(path, None, columns)
    return plan_pieces(files, batch_size) if files is not None else None


def _score_on_cluster(
    pieces: list[ParquetPiece],
    path: Path,
    staging: Path,
    fmt: StreamFormat,
    scorer: Scorer,
    english_only: bool,
    counts: _Counts,
    on_warning: Callable[[str], None] | None,
) -> None:
    from harness.engines.ray_corpus import ScoreSpec, score_pieces  # Ray is optional: only here

    spec = ScoreSpec(staging, fmt, english_only, scorer, unicode_text(path))
    for piece in score_pieces(pieces, spec):
        if piece.warning and on_warning:
            on_warning(piece.warning)
        if piece.skipped is not None:
            counts.skipped(piece.skipped)
        counts.batch(piece.documents)


def _sweep_legacy_staging(folder: Path) -> None:
    """Remove pid-less staging folders of older versions nothing touched for a day."""
    cutoff = time.time() - _LEGACY_AGE_SECONDS
    for item in folder.glob(f"{STAGING_PREFIX}*"):
        if not _LEGACY_STAGING.fullmatch(item.name) or not item.is_dir() or item.is_symlink():
            continue
        try:
            newest = max([item.stat().st_mtime, *(p.stat().st_mtime for p in item.iterdir())])
        except OSError:
            continue
        if newest < cutoff:
            shutil.rmtree(item, ignore_errors=True)
