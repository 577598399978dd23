"""Reading a corpus larger than memory: JSON Lines and Parquet in batches.

``iter_article_batches`` yields articles tables (``ARTICLE_SCHEMA``) of at most
``batch_size`` rows; memory holds one batch (and, for Parquet, the row groups it
spans: write large corpora with row groups of some thousands of rows) plus 8 bytes
per doc id seen (``records.SeenIds``, for the duplicate check), never the whole corpus. Each record is checked exactly as by
:func:`harness.corpus.read_corpus`, and errors name the file and line or record.
A folder of Parquet files only (a partitioned corpus) is read piece by piece
(:func:`harness.corpus.pieces.iter_pieces_locally`, the reader the Ray engine's
workers use) and the pieces cut again into batches of ``batch_size`` across file
boundaries: the same batches as reading it whole and cutting it, without holding it.
Any other folder of JSON Lines and Parquet files is read file after file, in sorted
order as :func:`harness.corpus.read_corpus` reads it, and cut into the same batches.
Other formats (CSV, text folders, aggregator pages) are read whole and then cut.

A column mapping (``columns``) applies as in :func:`harness.corpus.load_corpus`;
a mapped column that a JSON Lines file's first batch lacks is looked for in the
rest of the file before the first batch is handed out, so that a misspelt column
fails at once rather than after the corpus has been scored. The warning about a
column that looks like the outlet (``on_warning``) is judged on the first batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NoReturn
from pathlib import Path

import polars as pl

from harness.corpus.columns import NO_COLUMNS, ColumnMap, check_columns_present, grouping_warning, record_columns
from harness.corpus.pieces import iter_pieces_locally, parquet_corpus_files, plan_pieces
from harness.corpus.reader import _corpus_file, _corpus_files, load_corpus, no_articles
from harness.corpus.records import RawRecord, SeenIds, article_row, articles_frame
from harness.corpus.tabular import jsonl_record, parquet_rows, read_jsonl, read_parquet, read_parquet_slice
from harness.corpus.textfile import UTF8_BOM, CorpusFile, check_regular_file
from harness.errors import InputError
from harness.polars_io import polars_os_errors
from harness.safetext import unicode_text

DEFAULT_STREAM_BATCH = 10_000
STREAMED_SUFFIXES = (".jsonl", ".ndjson", ".parquet")
# From this size on disk, commands that can read a corpus in batches do (`harness
# pairs`, `harness run` of a discovery experiment): read whole, 1M articles (639 MB
# of Parquet) take 4.5 GB; in batches, under 1 GB. Below it, reading whole is faster.
STREAM_FROM_BYTES = 256 * 2**20
# How to spill elsewhere, for a command that spills to a temporary folder.
SPILL_HINT = "set TMPDIR to a folder with free space of up to about the corpus file's size"


def _decoded_line(raw: bytes, number: int, file: CorpusFile) -> str:
    if b"\x00" in raw:
        raise InputError(
            f"binary data (NUL byte) on line {number}",
            where=file.at_line(number),
            hint="a JSON Lines corpus must be UTF-8 text",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"invalid UTF-8 on line {number} at byte {exc.start} of the line ({exc.reason})",
            where=file.at_line(number),
            hint="re-save the file as UTF-8 (streaming reads refuse invalid bytes; "
            "read it whole with --invalid-utf8 replace to repair it)",
        ) from None


def _jsonl_records(file: CorpusFile) -> Iterator[RawRecord]:
    """One record per non-blank line, read line by line (split on "\\n" only, as read_jsonl)."""
    check_regular_file(file)
    try:
        handle = file.path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", where=file.shown, hint="check the corpus path") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(UTF8_BOM)
            line = _decoded_line(raw.rstrip(b"\n").rstrip(b"\r"), number, file)
            record = jsonl_record(line, number, file)
            if record is not None:
                yield record


def _parquet_records(file: CorpusFile, batch_size: int) -> Iterator[RawRecord]:
    rows = parquet_rows(file)
    for offset in range(0, rows, batch_size):
        yield from read_parquet_slice(file, offset, batch_size)


def _records(file: CorpusFile, batch_size: int) -> Iterator[RawRecord]:
    if file.path.suffix.lower() in (".jsonl", ".ndjson"):
        return _jsonl_records(file)
    return _parquet_records(file, batch_size)


def _first_location(file: CorpusFile, batch_size: int, doc_id: str) -> str | None:
    """Where the first record with ``doc_id`` is (read again: only for an error message)."""
    for record in _records(file, batch_size):
        if article_row(record, file.columns)["doc_id"] == doc_id:
            return record.where
    return None


def _check_mapped_columns(file: CorpusFile, first: list[RawRecord], batch_size: int) -> None:
    """Every mapped column is in some record of the file: looked for past the first batch
    only when that batch lacks one (Parquet files were checked by their schema)."""
    found = dict.fromkeys(record_columns(r.fields for r in first))
    wanted = set(file.columns.columns())
    if wanted <= found.keys():
        return
    for record in _records(file, batch_size):
        found.update(dict.fromkeys(k for k in record.fields if isinstance(k, str)))
        if wanted <= found.keys():
            return
    check_columns_present(list(found), file.columns, file.shown)


Warn = Callable[[str], None]


def _rebatched(frames: Iterator[pl.DataFrame], batch_size: int) -> Iterator[pl.DataFrame]:
    """``frames`` (in order) as consecutive tables of ``batch_size`` rows, the last shorter."""
    pending: list[pl.DataFrame] = []
    rows = 0
    for frame in frames:
        while frame.height:
            taken = frame.slice(0, batch_size - rows)
            pending.append(taken)
            rows += taken.height
            frame = frame.slice(taken.height)
            if rows == batch_size:
                yield pl.concat(pending, how="vertical", rechunk=True)
                pending, rows = [], 0
    if pending:
        yield pl.concat(pending, how="vertical", rechunk=True)


def _partitions(
    files: list[CorpusFile], shown: str, batch_size: int, columns: ColumnMap, on_warning: Warn | None
) -> Iterator[pl.DataFrame]:
    """A folder of Parquet files, piece by piece, in the batches of reading it whole.

    The outlet warning is judged on the first batch, as for a streamed file.
    """
    first = True
    for batch in _rebatched(iter_pieces_locally(plan_pieces(files, batch_size)), batch_size):
        if first and on_warning and (warning := grouping_warning(batch, columns, shown)):
            on_warning(warning)
        first = False
        yield batch


def _whole(path: Path, batch_size: int, root: Path | None, columns: ColumnMap, on_warning: Warn | None) -> Iterator[pl.DataFrame]:
    """A format that is not streamed: read whole, then cut into batches."""
    read = load_corpus(path, root=root, columns=columns)
    for warning in read.warnings:
        if on_warning:
            on_warning(warning)
    whole = read.articles
    for offset in range(0, max(whole.height, 1), batch_size):
        yield whole.slice(offset, batch_size)


def _parquet_folder(path: Path, root: Path | None, columns: ColumnMap) -> list[CorpusFile] | None:
    """The files of a folder that holds Parquet files only; None for any other folder."""
    return parquet_corpus_files(path, root, columns)


def _streamed_folder(path: Path, root: Path | None, columns: ColumnMap) -> list[CorpusFile] | None:
    """The files of a folder whose article files are all JSON Lines or Parquet, in the
    order read_corpus reads them; None for any other folder."""
    base, paths = _corpus_files(path, root)
    if not all(p.suffix.lower() in STREAMED_SUFFIXES for p in paths):
        return None
    return [_corpus_file(p, base, "error", columns) for p in paths]


def _folder_records(files: list[CorpusFile], batch_size: int) -> Iterator[RawRecord]:
    """The records of ``files``, file after file, each file checked as read_corpus checks
    it: it has a record, and every mapped column (looked for past its first batch only
    when that batch lacks one)."""
    for file in files:
        check_regular_file(file)
        records = _records(file, batch_size)
        head = list(itertools.islice(records, batch_size))
        if not head:
            _no_records(file)
        if file.columns:
            _check_mapped_columns(file, head, batch_size)
        yield from head
        yield from records


def _no_records(file: CorpusFile) -> NoReturn:
    """The whole read's error for a file without records ("empty file" for one of blank
    lines, say): the file is read whole, which costs nothing for a file of no records."""
    (read_jsonl if file.path.suffix.lower() in (".jsonl", ".ndjson") else read_parquet)(file)
    raise no_articles(file.shown)


def _first_location_in(files: list[CorpusFile], batch_size: int, doc_id: str) -> str | None:
    """Where the first record with ``doc_id`` is, in the first file that has it."""
    for file in files:
        if (found := _first_location(file, batch_size, doc_id)) is not None:
            return found
    return None


def _files_in_batches(
    files: list[CorpusFile], shown: str, batch_size: int, columns: ColumnMap, on_warning: Warn | None
) -> Iterator[pl.DataFrame]:
    """A folder of JSON Lines (and Parquet) files in the batches of reading it whole."""
    records = _folder_records(files, batch_size)
    seen = SeenIds(lambda doc_id: _first_location_in(files, batch_size, doc_id))
    first = True
    while chunk := list(itertools.islice(records, batch_size)):
        batch = articles_frame(chunk, seen=seen, columns=columns)
        if first and on_warning and (warning := grouping_warning(batch, columns, shown)):
            on_warning(warning)
        first = False
        yield batch


def streamed_bytes(path: Path) -> int | None:
    """The size on disk of a corpus that :func:`iter_article_batches` reads in batches
    (a JSON Lines or Parquet file, a folder of such files); None for any other corpus
    (read whole, then cut) or a path that is neither file nor folder."""
    if path.is_file():
        return path.stat().st_size if path.suffix.lower() in STREAMED_SUFFIXES else None
    if not path.is_dir():
        return None
    files = _streamed_folder(path, None, NO_COLUMNS)
    return None if files is None else sum(file.path.stat().st_size for file in files)


def spill_corpus(
    path: Path,
    folder: Path,
    *,
    batch_size: int = DEFAULT_STREAM_BATCH,
    root: Path | None = None,
    columns: ColumnMap = NO_COLUMNS,
    select: Sequence[str] | None = None,
    on_warning: Warn | None = None,
) -> tuple[pl.LazyFrame, int]:
    """The corpus at ``path`` written a batch at a time into Parquet files in ``folder``,
    then scanned as one lazy table; with its number of rows.

    For work that reads a corpus larger than memory more than once (discovery reads
    every body, then its candidates' bodies again): each record is checked as by
    :func:`harness.corpus.read_corpus`, memory holds one batch, and the lazy table has
    read_corpus's rows in read_corpus's order (``select``: only these columns). ``folder``
    is the caller's to remove (a temporary folder): the table reads from it.
    """
    batches = iter_article_batches(path, batch_size=batch_size, root=root, columns=columns, on_warning=on_warning)
    return write_batches(batches if select is None else (batch.select(select) for batch in batches), folder)


def write_batches(batches: Iterable[pl.DataFrame], folder: Path) -> tuple[pl.LazyFrame, int]:
    """Each table of ``batches`` written to a Parquet file in ``folder``, then all of
    them scanned as one lazy table (in order); with its number of rows.

    Empty tables after the first file are left out (the first gives the lazy table
    its columns, rows or not). ``batches`` must hold at least one table.
    """
    files: list[Path] = []
    height = 0
    for batch in batches:
        if batch.height == 0 and files:
            continue
        files.append(folder / f"batch-{len(files):07d}.parquet")
        try:
            with polars_os_errors():
                batch.write_parquet(files[-1])
        except OSError as exc:  # a full disk, most likely: the corpus itself was read
            raise SpillError(
                f"cannot write the corpus's batches: {exc.strerror or exc}",
                where=unicode_text(folder),
                hint="spill to a folder with free space of up to about the corpus file's size",
            ) from None
        height += batch.height
    return pl.scan_parquet(files), height


class SpillError(InputError):
    """A batch of :func:`spill_corpus` could not be written (the corpus was read)."""


def iter_article_batches(
    path: Path,
    *,
    batch_size: int = DEFAULT_STREAM_BATCH,
    root: Path | None = None,
    columns: ColumnMap = NO_COLUMNS,
    on_warning: Warn | None = None,
) -> Iterator[pl.DataFrame]:
    """The corpus at ``path`` as consecutive articles tables of at most ``batch_size`` rows.

    ``columns`` maps article fields to the corpus's column names; ``on_warning``
    hears the warnings :func:`harness.corpus.load_corpus` would return.
    """
    if batch_size < 1:
        raise InputError(f"batch size must be at least 1, got {batch_size}", hint="e.g. 10000")
    suffix = path.suffix.lower()
    if path.is_dir() and (partitions := _parquet_folder(path, root, columns)) is not None:
        yield from _partitions(partitions, unicode_text(path), batch_size, columns, on_warning)
        return
    if path.is_dir() and (files := _streamed_folder(path, root, columns)) is not None:
        yield from _files_in_batches(files, unicode_text(path), batch_size, columns, on_warning)
        return
    if path.is_dir() or suffix not in STREAMED_SUFFIXES:
        yield from _whole(path, batch_size, root, columns, on_warning)
        return
    if not path.exists():
        raise InputError("no such file", where=unicode_text(path), hint="check the corpus path")
    base = (root or path.parent).resolve()
    shown = unicode_text(path)
    file = CorpusFile(path, shown, unicode_text(path.resolve().relative_to(base).as_posix()), columns=columns)
    check_regular_file(file)
    records = _records(file, batch_size)
    seen = SeenIds(lambda doc_id: _first_location(file, batch_size, doc_id))
    first = True
    while chunk := list(itertools.islice(records, batch_size)):
        if first and columns:
            _check_mapped_columns(file, chunk, batch_size)
        batch = articles_frame(chunk, seen=seen, columns=columns)
        if first and on_warning and (warning := grouping_warning(batch, columns, shown)):
            on_warning(warning)
        first = False
        yield batch
    if first:
        _no_records(file)
