"""A Parquet corpus read by the Ray cluster, not by the driver.

The driver plans pieces from the files' footers (:mod:`harness.corpus.pieces`); a
Ray Data task per piece reads it on whichever node runs it, with the local
readers' checks, and returns (for ``run``) the piece's articles, or (for ``score
--stream``) scores them and writes the piece's ``documents`` rows as a part file
beside the output, returning only counts, skipped rows and doc ids. The driver
takes the pieces' answers in reading order: the first error in that order is the
one raised (the local reader's first error), a doc id repeated across pieces is
found as the local reader finds it, and the parts, named by piece, are gathered
in piece order. So the tables are the local engine's, and with ``--stream`` the
driver holds one piece's answer at a time, not the corpus.

Every node must see the corpus, the lexicons and the output's folder at the same
paths (storage they all mount), and have the harness installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import ray.data

import harness.errors as error_classes  # error kinds sent back by workers, by name
from harness.corpus.columns import grouping_warning
from harness.corpus.pieces import ParquetPiece, PieceIds, PieceRead, read_piece_checked
from harness.engines.base import parallel_task
from harness.errors import HarnessError, StoreError
from harness.scoring.parts import PartFormat, part_name, write_part

def _error_text(exc: HarnessError) -> str:
    """A worker's error as data: Ray would wrap the exception in its own traceback."""
    return json.dumps({"kind": type(exc).__name__, "message": exc.message, "where": exc.where, "hint": exc.hint})


def _raise_error(text: str | None) -> None:
    if text is None:
        return
    data = json.loads(text)
    kind = getattr(error_classes, data["kind"], HarnessError)
    kind = kind if isinstance(kind, type) and issubclass(kind, HarnessError) else HarnessError
    raise kind(data["message"], where=data["where"], hint=data["hint"])


def _in_order(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The pieces' answers by piece index (Ray keeps the order; this holds it whatever happens)."""
    waiting: dict[int, dict[str, Any]] = {}
    expected = 0
    for row in rows:
        waiting[int(row["index"])] = row
        while expected in waiting:
            yield waiting.pop(expected)
            expected += 1


def _piece_dataset(pieces: Sequence[ParquetPiece], task: Callable[[pa.Table], pa.Table]) -> ray.data.Dataset:
    """One Ray Data block per piece, so that every piece is its own task on some node."""
    return ray.data.from_items([{"index": p.index} for p in pieces], override_num_blocks=max(1, len(pieces))).map_batches(
        task, batch_size=1, batch_format="pyarrow"
    )


def _ipc(frame: pl.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    return buffer.getvalue()


def _from_ipc(data: bytes) -> pl.DataFrame:
    import io

    return pl.read_ipc(io.BytesIO(data))


def _answer(index: int, read: PieceRead, **columns: Any) -> pa.Table:
    """One piece's answer: a one-row table (Ray Data moves tables)."""
    error = _error_text(read.error) if read.error is not None else None
    return pa.table(
        {
            "index": [index],
            "ids": pa.array([read.ids], type=pa.list_(pa.string())),
            "error": pa.array([error], type=pa.string()),
            **{name: value if isinstance(value, pa.Array) else [value] for name, value in columns.items()},
        }
    )


def _text(value: str | None) -> pa.Array:
    return pa.array([value], type=pa.string())  # typed: a block of None alone would be of type null


def _heard(pieces: Sequence[ParquetPiece], ids: PieceIds, row: dict[str, Any]) -> ParquetPiece:
    """Check a piece's answer as the local reader would have met it: ids first, then its error."""
    piece = pieces[int(row["index"])]
    ids.add(piece, list(row["ids"]))
    _raise_error(row["error"])
    return piece


class _ReadTask:
    """Read one piece into articles (``run``): the task body, picklable."""

    def __init__(self, pieces: Sequence[ParquetPiece]) -> None:
        self.pieces = pieces

    def __call__(self, batch: pa.Table) -> pa.Table:
        index = int(batch["index"][0].as_py())
        read = read_piece_checked(self.pieces[index])
        return _answer(index, read, articles=_ipc(read.articles) if read.articles is not None else b"")


def read_articles(pieces: Sequence[ParquetPiece]) -> pl.DataFrame:
    """The pieces' articles, read on the cluster, as one table in reading order."""
    ids = PieceIds(pieces)
    frames: list[pl.DataFrame] = []
    for row in _in_order(_piece_dataset(pieces, _ReadTask(pieces)).iter_rows()):
        _heard(pieces, ids, row)
        frames.append(_from_ipc(row["articles"]))
    return pl.concat(frames, how="vertical", rechunk=True)


@dataclass(frozen=True, slots=True)
class ScoreSpec:
    """What a streamed score does with each piece (picklable: it travels with the task)."""

    staging: Path  # where parts are written: a folder every node can write
    fmt: PartFormat
    english_only: bool
    score: Callable[[pl.DataFrame], pl.DataFrame]  # articles -> documents
    shown: str  # the corpus as the user named it, for the grouping warning


class _ScoreTask:
    """Read, check, score one piece and write its part (``score --stream``)."""

    def __init__(self, pieces: Sequence[ParquetPiece], spec: ScoreSpec) -> None:
        self.pieces = pieces
        self.spec = spec

    def __call__(self, batch: pa.Table) -> pa.Table:
        index = int(batch["index"][0].as_py())
        read = read_piece_checked(self.pieces[index])
        if read.articles is None:
            return _answer(index, read, skipped=b"", documents=0, warning=_text(None))
        try:
            skipped, documents, warning = self._score(index, read.articles)
        except HarnessError as exc:
            return _answer(index, PieceRead(None, read.ids, exc), skipped=b"", documents=0, warning=_text(None))
        return _answer(index, read, skipped=skipped, documents=documents, warning=_text(warning))

    def _score(self, index: int, articles: pl.DataFrame) -> tuple[bytes, int, str | None]:
        from harness.text.language import split_by_language

        piece = self.pieces[index]
        # Judged on the first batch, as the local stream does.
        warning = grouping_warning(articles, piece.file.columns, self.spec.shown) if index == 0 else None
        skipped = b""
        if self.spec.english_only:
            articles, dropped = split_by_language(articles)
            skipped = _ipc(dropped)
        with parallel_task():
            scored = self.spec.score(articles)
        part = self.spec.staging / part_name(index, self.spec.fmt)
        try:
            write_part(scored, part, self.spec.fmt)
        except OSError as exc:
            raise StoreError(
                f"a Ray worker could not write {part.name}: {exc.strerror or exc}",
                where=self.spec.staging,
                hint="nothing was written; the output's folder must be writable, at the same path, from every node",
            ) from None
        return skipped, scored.height, warning


@dataclass(frozen=True, slots=True)
class PieceScored:
    """What the driver hears of one scored piece."""

    documents: int
    skipped: pl.DataFrame | None
    warning: str | None


def score_pieces(pieces: Sequence[ParquetPiece], spec: ScoreSpec) -> Iterator[PieceScored]:
    """Score every piece on the cluster into ``spec.staging``; yields each piece's news in order."""
    ids = PieceIds(pieces)
    for row in _in_order(_piece_dataset(pieces, _ScoreTask(pieces, spec)).iter_rows()):
        _heard(pieces, ids, row)
        skipped = _from_ipc(row["skipped"]) if row["skipped"] else None
        yield PieceScored(int(row["documents"]), skipped, row["warning"])
