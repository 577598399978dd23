"""Record corpora: JSON Lines, CSV and Parquet.

All three use the same field names (see :mod:`harness.corpus.records`). JSONL
records are numbered by line (``file:12``), CSV and Parquet records by row
(``file:3`` is the third data row, the header not counted), because a CSV field
may span several lines and a Parquet file has none.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl

from harness.corpus.columns import check_columns_present
from harness.corpus.records import BODY_FIELDS, RawRecord
from harness.corpus.textfile import CorpusFile, read_bytes, read_text
from harness.errors import InputError

# Delimiters a spreadsheet may have used instead of commas (European Excel uses ";").
_OTHER_DELIMITERS = (";", "\t", "|")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice would silently keep only its last value."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


_DECODER = json.JSONDecoder(object_pairs_hook=_object_without_repeats)
# The scanner ``decode`` calls: called directly for a line that is one object from its
# first to its last character (a corpus line), it skips ``decode``'s two whitespace
# matches and two calls (a quarter of the JSON time of a large corpus).
_SCAN_ONCE: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]  # set in __init__, not in typeshed


def _decoded(line: str) -> Any:
    """``_DECODER.decode(line)``, the same value or the same exception."""
    if line[:1] == "{":
        try:
            value, end = _SCAN_ONCE(line, 0)
        except StopIteration:  # decode's "Expecting value", raised below
            end = -1
        if end == len(line):
            return value
    return _DECODER.decode(line)


def _parse_json_line(line: str, number: int, file: CorpusFile) -> Any:
    def bad(message: str, hint: str) -> InputError:
        return InputError(message, where=file.at_line(number), hint=hint)

    try:
        if line.startswith("\ufeff"):  # json.loads' own error for a BOM
            return json.loads(line, object_pairs_hook=_object_without_repeats)
        return _decoded(line)  # json.loads without building a decoder per line
    except json.JSONDecodeError as exc:
        raise bad(
            f"malformed JSON on line {number} (column {exc.colno}: {exc.msg})",
            "each line must hold exactly one JSON object",
        ) from None
    except _DuplicateKey as exc:
        raise bad(
            f"line {number} gives the key `{exc.key}` twice",
            "keep one value per key (JSON readers silently keep only the last one)",
        ) from None
    except RecursionError:
        raise bad(
            f"line {number} nests JSON arrays or objects too deeply to read",
            "flatten the record: article fields are text, numbers or shallow lists",
        ) from None


def jsonl_record(line: str, number: int, file: CorpusFile) -> RawRecord | None:
    """The record on one JSON Lines line (None for a blank line); shared by the
    whole-file reader and the streaming reader so both check lines alike."""
    if not line.strip():
        return None
    value = _parse_json_line(line, number, file)
    if not isinstance(value, dict):
        raise InputError(
            f"line {number} holds a JSON {type(value).__name__}, not an object",
            where=file.at_line(number),
            hint='write one object per line, e.g. {"headline": "...", "body": "..."}',
        )
    return RawRecord(value, file.source(number), file.at_line(number))


def read_jsonl(file: CorpusFile) -> list[RawRecord]:
    """One JSON object per line; blank lines are skipped."""
    # Split on "\n" only: str.splitlines would also split on U+2028 and friends,
    # which JSON allows unescaped inside strings.
    lines = enumerate(read_text(file).split("\n"), start=1)
    return [record for number, line in lines if (record := jsonl_record(line, number, file)) is not None]


def _other_delimiter(columns: list[str]) -> str | None:
    """The delimiter a one-column header was written with instead of commas, if any."""
    return next((d for d in _OTHER_DELIMITERS if len(columns) == 1 and d in columns[0]), None)


def require_columns(columns: list[str], file: CorpusFile) -> None:
    """The file has a body column and every column the mapping names (``file.columns``)."""
    delimiter = _other_delimiter(columns)
    delimited = f"the header looks {delimiter!r}-separated: save the file with commas" if delimiter else None
    check_columns_present(columns, file.columns, file.shown, hint=delimited)
    if file.columns.column("body") is None and not any(name in columns for name in BODY_FIELDS):
        found = ", ".join(columns) if columns else "none"
        raise InputError(
            f"no `body` or `text` column (columns found: {found})",
            where=file.shown,
            hint=delimited
            or "rename the column holding the article text to `body`, or map it: --column body=NAME",
        )


def _check_unique_header(text: str, file: CorpusFile) -> None:
    """Polars renames a repeated column (``body_duplicated_0``): say so instead."""
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise InputError(
            f"not a readable CSV header: {exc}", where=file.at_line(1), hint="check the first row's quotes"
        ) from None
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(
                f"the header names the column `{name}` twice",
                where=file.at_line(1),
                hint="give every column its own name",
            )
        seen.add(name)


def _frame_records(frame: pl.DataFrame, file: CorpusFile) -> Iterator[RawRecord]:
    for number, row in enumerate(frame.iter_rows(named=True), start=1):
        yield RawRecord(row, file.source(number), file.at_record(number))


def read_csv(file: CorpusFile) -> list[RawRecord]:
    """A CSV file with a header row; every value is read as text (ids keep leading zeros)."""
    text = read_text(file)
    data = text.encode("utf-8")
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            f"not a readable CSV file: {_first_line(exc)}",
            where=file.shown,
            hint="check for rows with too many fields or an unclosed quote",
        ) from None
    _check_unique_header(text, file)
    require_columns(frame.columns, file)
    return list(_frame_records(frame, file))


def check_parquet_types(schema: pl.Schema, file: CorpusFile) -> None:
    """Columns read into the article's fields hold the types those fields need.

    With a column mapping the mapped columns are checked (``category`` when it is
    the outlet), and a column of a usual name that the mapping replaced is an
    ordinary extra column.
    """
    text_columns = file.columns.columns_for("body", "headline", "outlet")
    id_columns = file.columns.columns_for("doc_id")
    date_columns = file.columns.columns_for("published")

    def wrong(name: str, expected: str) -> InputError:
        return InputError(
            f"column `{name}` has type {schema[name]}, expected {expected}",
            where=file.shown,
            hint=f"cast `{name}` to {expected} before writing the Parquet file",
        )

    for name, dtype in schema.items():
        if dtype == pl.Null:
            continue  # all values missing: fine for optional columns, caught per row for body
        if name in text_columns and dtype != pl.String:
            raise wrong(name, "String")
        if name in id_columns and not (dtype == pl.String or dtype.is_integer()):
            raise wrong(name, "String or an integer type")
        is_date = dtype == pl.Date or isinstance(dtype, pl.Datetime)
        if name in date_columns and not (dtype == pl.String or is_date):
            raise wrong(name, "String, Date or Datetime")


def unreadable_parquet(exc: BaseException, file: CorpusFile) -> InputError:
    return InputError(
        f"not a readable Parquet file: {_first_line(exc)}",
        where=file.shown,
        hint="check that the file was written as Parquet and copied completely",
    )


def check_parquet_schema(schema: pl.Schema, file: CorpusFile) -> None:
    """The checks every Parquet reader makes before a row is read: the body column and
    the mapped columns are there, and the article fields' columns have usable types.

    One function for the whole-file reader, the streaming reader and the Ray
    engine's workers, so a file is refused with the same line whichever reads it.
    """
    require_columns(list(schema), file)
    check_parquet_types(schema, file)


def parquet_records(frame: pl.DataFrame, file: CorpusFile, *, first: int = 1) -> list[RawRecord]:
    """The rows of ``frame`` (rows ``first``, ``first + 1``, ... of ``file``) as records."""
    return [
        RawRecord(row, file.source(number), file.at_record(number))
        for number, row in enumerate(frame.iter_rows(named=True), start=first)
    ]


def parquet_rows(file: CorpusFile) -> int:
    """The number of rows of a Parquet file, from its footer, after the schema checks
    (the file's data pages are not read)."""
    try:
        schema = pl.Schema(pl.read_parquet_schema(file.path))
        rows = int(pl.scan_parquet(file.path).select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise unreadable_parquet(exc, file) from None
    check_parquet_schema(schema, file)
    return rows


def read_parquet_slice(file: CorpusFile, offset: int, length: int) -> list[RawRecord]:
    """Rows ``offset + 1`` to ``offset + length`` of a Parquet file whose schema was
    checked (:func:`parquet_rows`); only the row groups they lie in are read."""
    try:
        frame = pl.scan_parquet(file.path).slice(offset, length).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise unreadable_parquet(exc, file) from None
    return parquet_records(frame, file, first=offset + 1)


def read_parquet(file: CorpusFile) -> list[RawRecord]:
    read_bytes(file)  # the same missing/empty-file errors as the text formats
    try:
        frame = pl.read_parquet(file.path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise unreadable_parquet(exc, file) from None
    check_parquet_schema(frame.schema, file)
    return parquet_records(frame, file)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

