"""`harness run` on a corpus too large to hold: read in batches, spilled to Parquet.

When every step of an experiment that reads the articles takes them as a lazy
table (``lazy_articles``: discovery), a large corpus (``STREAM_FROM_BYTES`` on
disk, read on this machine, invalid bytes refused) is read a batch at a time and
the selected rows are written to Parquet files in the run's work folder; the steps
get one lazy table over them. Memory holds one batch, not every body (1M synthetic
articles: 4.5 GB read whole).

What the run records does not depend on the path taken: the corpus's digests are
taken batch by batch (``CorpusDigest``), the selection is checked with the same
messages (``harness.run.selection``), and the stored articles table is written from
the batches with the same bytes as from the whole table (``harness.results.hashing``).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from harness.corpus import DEFAULT_STREAM_BATCH, CorpusDigest, iter_article_batches
from harness.corpus.stream import SPILL_HINT, STREAM_FROM_BYTES, SpillError, streamed_bytes, write_batches
from harness.experiments.registry import INPUT_TABLE, StepDef
from harness.experiments.spec import Experiment
from harness.outputs import make_staging_dir
from harness.run.selection import check_selection, selection


SPILL_BATCH = DEFAULT_STREAM_BATCH  # rows a batch: memory holds one
WORK_PREFIX = "harness-run-"


@dataclass(frozen=True, slots=True)
class SpilledArticles:
    """The selected articles as a lazy table over spilled files, and what the manifest says of the corpus."""

    selected: pl.LazyFrame
    read_rows: int
    selected_rows: int
    read_hash: str
    selected_hash: str


class WorkFolder:
    """A run's temporary folder (under ``TMPDIR``), made the first time it is asked
    for: most runs never spill, and make none."""

    def __init__(self) -> None:
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            # harness-run-<pid>-XXXXXXXX: a later run removes it if this one is killed (kill -9)
            self._path = make_staging_dir(Path(tempfile.gettempdir()), WORK_PREFIX)
        return self._path

    def remove(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)


@contextlib.contextmanager
def work_folder() -> Iterator[WorkFolder]:
    """A run's work folder, removed after it whatever happens; a file that cannot
    be written there says where to spill instead."""
    work = WorkFolder()
    try:
        yield work
    except SpillError as exc:
        raise SpillError(exc.message, where=exc.where, hint=SPILL_HINT) from None
    finally:
        work.remove()


def reads_in_batches(corpus_path: Path, experiment: Experiment, steps: Sequence[StepDef]) -> bool:
    """Whether a local run of ``experiment`` reads its corpus in batches (see the module docstring)."""
    if experiment.corpus.invalid_utf8 != "error":  # a stream cannot repair bytes
        return False
    if not all(defn.lazy_articles for defn in steps if INPUT_TABLE in defn.inputs):
        return False
    size = streamed_bytes(corpus_path)
    return size is not None and size >= STREAM_FROM_BYTES


def spill_articles(
    experiment: Experiment, corpus_path: Path, folder: Path, *, on_warning: Callable[[str], None] | None = None
) -> SpilledArticles:
    """The experiment's selected articles written to Parquet files in ``folder`` a batch at a time.

    Every record is checked as a whole read checks it (``iter_article_batches``);
    ``folder`` is the caller's to remove, and the lazy table reads from it.
    """
    tally = _Tally(experiment)
    batches = iter_article_batches(
        corpus_path,
        batch_size=SPILL_BATCH,
        root=corpus_path if corpus_path.is_dir() else corpus_path.parent,
        columns=experiment.corpus.columns,
        on_warning=on_warning,
    )
    selected, selected_rows = write_batches(tally.selected(batches), folder)
    check_selection(experiment, tally.outlets, tally.doc_ids, selected_rows)
    assert tally.read is not None  # iter_article_batches yields a batch or raises
    read_hash = tally.read.hexdigest()
    return SpilledArticles(
        selected=selected,
        read_rows=tally.read_rows,
        selected_rows=selected_rows,
        read_hash=read_hash,
        selected_hash=read_hash if tally.chosen is None else tally.chosen.hexdigest(),
    )


class _Tally:
    """What the run learns of the corpus as its batches go by: digests, rows, the names it selects by."""

    def __init__(self, experiment: Experiment) -> None:
        self._keep = selection(experiment)
        self._outlets = bool(experiment.corpus.outlets)
        self._doc_ids = list(experiment.corpus.doc_ids)
        self.read: CorpusDigest | None = None
        self.chosen: CorpusDigest | None = None  # the selected rows' digest, when some are left out
        self.read_rows = 0
        self.outlets: set[str] = set()
        self.doc_ids: set[str] = set()

    def selected(self, batches: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        for batch in batches:
            if self.read is None:
                self.read = CorpusDigest(batch.columns)
                self.chosen = None if self._keep is None else CorpusDigest(batch.columns)
            self.read.update(batch)
            self.read_rows += batch.height
            if self._outlets:
                self.outlets.update(batch["outlet"].unique().to_list())
            if self._doc_ids:
                self.doc_ids.update(batch.filter(pl.col("doc_id").is_in(self._doc_ids))["doc_id"].to_list())
            if self._keep is None or self.chosen is None:
                yield batch
                continue
            kept = batch.filter(self._keep)
            self.chosen.update(kept)
            yield kept
