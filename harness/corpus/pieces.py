"""A Parquet corpus cut into pieces that any process can read on its own.

The Ray engine reads a Parquet corpus on the cluster: the driver plans pieces
(a file, or a range of its rows) from the files' footers only, and each worker
reads its piece with the same functions as the local readers
(:func:`harness.corpus.tabular.read_parquet`, :func:`parquet_rows`,
:func:`read_parquet_slice`) and turns it into articles with the same
:func:`harness.corpus.records.articles_frame`. So a file is refused with the same
one line, and an article gets the same row, ``source`` and ``doc_id``, whichever
engine read it. Pieces are planned in the local reading order (files sorted by
relative path, rows in order): their articles, concatenated in piece order, are
the local reader's table.

What no single piece can check (a doc id repeated in two pieces) is checked by
:class:`PieceIds` as the pieces' ids arrive in order, in 8 bytes per id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from harness.corpus.columns import NO_COLUMNS, ColumnMap
from harness.corpus.reader import STDIN, _corpus_file, _corpus_files, corpus_inputs, no_articles
from harness.corpus.records import RawRecord, SeenIds, article_row, articles_frame
from harness.corpus.tabular import parquet_rows, read_parquet, read_parquet_slice
from harness.corpus.textfile import CorpusFile
from harness.errors import HarnessError, InputError, at

PARQUET_SUFFIX = ".parquet"


@dataclass(frozen=True, slots=True)
class ParquetPiece:
    """Rows ``offset + 1`` to ``offset + length`` of one file; ``length`` None: the whole file."""

    index: int  # the piece's place in reading order
    file: CorpusFile
    offset: int = 0
    length: int | None = None

    def records(self) -> list[RawRecord]:
        """The piece's records, read and checked as the local readers do."""
        if self.length is None:
            found = read_parquet(self.file)  # the local whole-file reader, errors and all
            if not found:
                raise no_articles(self.file.shown)
            return found
        parquet_rows(self.file)  # the schema checks, from the footer, in every piece
        return read_parquet_slice(self.file, self.offset, self.length)

    def where(self, row: int) -> str:
        """How errors name the piece's ``row``-th record (from 0), as the local reader does."""
        return at(self.file.shown, record=self.offset + row + 1)


def read_piece(piece: ParquetPiece) -> pl.DataFrame:
    """The piece's articles (``ARTICLE_SCHEMA``); a doc id repeated within it is an error."""
    return articles_frame(piece.records(), columns=piece.file.columns)


@dataclass(frozen=True, slots=True)
class PieceRead:
    """A piece as a worker read it: its articles, or the error and the doc ids read before it.

    The ids before the error let the driver raise what the local reader raises first:
    a doc id repeated from an earlier piece comes before a later bad record.
    """

    articles: pl.DataFrame | None
    ids: list[str]
    error: HarnessError | None = None


def read_piece_checked(piece: ParquetPiece) -> PieceRead:
    try:
        records = piece.records()
    except HarnessError as exc:
        return PieceRead(None, [], exc)  # the file itself: no record read
    try:
        articles = articles_frame(records, columns=piece.file.columns)
    except HarnessError as exc:
        return PieceRead(None, _ids_before_error(records, piece.file.columns), exc)
    return PieceRead(articles, articles["doc_id"].to_list())


def _ids_before_error(records: Sequence[RawRecord], columns: ColumnMap) -> list[str]:
    ids: dict[str, None] = {}
    for record in records:
        try:
            doc_id = article_row(record, columns)["doc_id"]
        except HarnessError:
            break
        if doc_id is None or doc_id in ids:
            break
        ids[doc_id] = None
    return list(ids)


def parquet_corpus_files(
    path: Path | str | Sequence[Path | str], root: Path | None = None, columns: ColumnMap = NO_COLUMNS
) -> list[CorpusFile] | None:
    """The files of a corpus that is one Parquet file or a folder of Parquet files only;
    None for any other corpus (several inputs, standard input, other formats)."""
    inputs = corpus_inputs(path)
    if len(inputs) != 1 or str(inputs[0]) == STDIN:
        return None
    base, files = _corpus_files(inputs[0], root)
    if not all(file.suffix.lower() == PARQUET_SUFFIX for file in files):
        return None
    return [_corpus_file(file, base, "error", columns) for file in files]


def _footer_rows(file: CorpusFile) -> int | None:
    """The file's row count, or None when the footer cannot be read (a worker then
    reads the whole file and reports what is wrong, as the local reader would)."""
    try:
        return int(pl.scan_parquet(file.path).select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError):
        return None


def plan_pieces(files: Sequence[CorpusFile], rows_per_piece: int) -> list[ParquetPiece]:
    """Pieces of at most ``rows_per_piece`` rows, in reading order; a file that small
    (or unreadable, or empty) is one piece."""
    if rows_per_piece < 1:
        raise InputError(f"rows per piece must be at least 1, got {rows_per_piece}", hint="e.g. 10000")
    pieces: list[ParquetPiece] = []
    for file in files:
        rows = _footer_rows(file)
        if rows is None or rows <= rows_per_piece:
            pieces.append(ParquetPiece(len(pieces), file))
            continue
        for offset in range(0, rows, rows_per_piece):
            pieces.append(ParquetPiece(len(pieces), file, offset, min(rows_per_piece, rows - offset)))
    return pieces


class PieceIds:
    """The doc-id check across pieces, fed each piece's ids in reading order.

    A repeat is the local reader's error: the first place the id was read and this one.
    """

    def __init__(self, pieces: Sequence[ParquetPiece]) -> None:
        self._pieces = pieces
        self._seen = SeenIds(self._first_location)

    def add(self, piece: ParquetPiece, doc_ids: Sequence[str]) -> None:
        for row, doc_id in enumerate(doc_ids):
            where = piece.where(row)
            earlier = self._seen.first_location(doc_id, where)
            if earlier is not None:
                raise InputError(
                    f"duplicate doc id {doc_id!r}: {earlier} and {where}",
                    where=where,
                    hint="remove the repeated article or give each article its own `doc_id`",
                )
        self._seen.add(doc_ids)

    def _first_location(self, doc_id: str) -> str | None:
        """Where ``doc_id`` is first read: the pieces read again in order (only for an error)."""
        for piece in self._pieces:
            ids = read_piece(piece)["doc_id"].to_list()
            if doc_id in ids:
                return piece.where(ids.index(doc_id))
        return None


def iter_pieces_locally(pieces: Sequence[ParquetPiece]) -> Iterator[pl.DataFrame]:
    """The pieces' articles read in this process, in order, with the doc-id check across them."""
    ids = PieceIds(pieces)
    for piece in pieces:
        read = read_piece_checked(piece)
        ids.add(piece, read.ids)  # a repeat from an earlier piece comes before this piece's error
        if read.error is not None:
            raise read.error
        assert read.articles is not None
        yield read.articles
