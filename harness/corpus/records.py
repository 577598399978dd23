"""From an input record (any format) to one row of the articles table.

All readers hand their records to :func:`article_row`, so that column aliases,
type checks, the meta JSON and the errors are the same for JSONL, CSV, Parquet,
text files and aggregator pages.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.corpus.columns import FIELDS_BY_NAME, NO_COLUMNS, ColumnMap
from harness.corpus.markup import html_evidence
from harness.corpus.schema import ARTICLE_COLUMNS, UNKNOWN_OUTLET, content_doc_id
from harness.corpus.textfile import normalise_newlines
from harness.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import polars as pl

# Input field names for each column, in order of preference (the one table of
# them is ``harness.corpus.columns.CORPUS_FIELDS``). A field that is present but
# not used for its column (``text`` when ``body`` is there, a ``source`` that is a
# URL rather than a name) stays in ``meta``.
DOC_ID_FIELDS = FIELDS_BY_NAME["doc_id"].aliases
BODY_FIELDS = FIELDS_BY_NAME["body"].aliases

Row = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One article as read from its file, before columns are picked out."""

    fields: Mapping[str, Any]
    source: str  # the ``source`` column: "<relative file>:<line or record>"
    where: str  # for errors: the file as the user gave it, with line or record


def _is_name(value: Any) -> bool:
    """A publication's name, not a URL, a path or a structure (``source`` is often one)."""
    if not isinstance(value, str):
        return False
    name = value.strip()
    return bool(name) and "\n" not in name and "://" not in name and "/" not in name and "\\" not in name


def _take(
    fields: dict[str, Any], names: tuple[str, ...], usable: Callable[[Any], bool] | None = None
) -> tuple[str, Any] | None:
    """Pop the first field of ``names`` that is present and not null (and usable)."""
    for name in names:
        value = fields.get(name)
        if value is None or (usable is not None and not usable(value)):
            continue
        return name, fields.pop(name)
    return None


class _Columns:
    """One record's fields, taken out column by column as the article's fields are read.

    Mapped columns are taken out first (:class:`harness.corpus.columns.ColumnMap`):
    a column the mapping gives to one field is never read by another field under
    its usual name. What is left at the end is ``meta``.
    """

    def __init__(self, fields: Mapping[str, Any], columns: ColumnMap) -> None:
        self.rest = dict(fields)
        self._columns = columns
        self._mapped = {name: (column, self.rest.pop(column, None)) for name, column in columns.pairs}

    def take(self, name: str, usable: Callable[[Any], bool] | None = None) -> tuple[str, Any] | None:
        """The column of field ``name`` that is present and not null (and usable), popped."""
        if name in self._mapped:
            taken = self._mapped[name]
            return taken if taken[1] is not None else None
        return _take(self.rest, FIELDS_BY_NAME[name].aliases, usable)

    def take_name(self, name: str) -> tuple[str, Any] | None:
        """A column read only when it holds a name (``source`` for the outlet), unless mapped."""
        if name in self._mapped:
            return None
        return _take(self.rest, FIELDS_BY_NAME[name].name_only, usable=_is_name)

    def body_hint(self) -> str:
        mapped = self._columns.column("body")
        if mapped is not None:
            return f"give every article a non-empty `{mapped}` field (mapped to body)"
        return f"give every article a non-empty `{BODY_FIELDS[0]}` (or `{BODY_FIELDS[1]}`) field"


def _outlet(columns: _Columns, record: RawRecord) -> str:
    """``outlet`` as given, else a ``source``/``publisher`` that is a name, else unknown."""
    given = (_text(columns.take("outlet"), record) or "").strip()
    if given:
        return given
    named = columns.take_name("outlet")
    return str(named[1]).strip() if named is not None else UNKNOWN_OUTLET


def _doc_id(taken: tuple[str, Any] | None, record: RawRecord) -> str | None:
    if taken is None:
        return None
    name, value = taken
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise InputError(
        f"`{name}` must be text or a whole number, not {value!r}",
        where=record.where,
        hint=f"fix the `{name}` value or remove it to get a content-hash id",
    )


def _text(taken: tuple[str, Any] | None, record: RawRecord) -> str | None:
    if taken is None:
        return None
    name, value = taken
    if not isinstance(value, str):
        raise InputError(
            f"`{name}` must be text, not {type(value).__name__} {value!r}",
            where=record.where,
            hint=f"quote the `{name}` value",
        )
    return normalise_newlines(value)


def _published(taken: tuple[str, Any] | None, record: RawRecord) -> str | None:
    if taken is None:
        return None
    name, value = taken
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.date | dt.datetime):  # YAML, Parquet dates
        return value.isoformat()
    raise InputError(
        f"`{name}` must be text or a date, not {type(value).__name__} {value!r}",
        where=record.where,
        hint="write it as an ISO 8601 date, e.g. 2025-07-23",
    )


def _meta_json(fields: Mapping[str, Any], record: RawRecord) -> str:
    def jsonable(value: Any) -> Any:
        if isinstance(value, dt.date | dt.datetime | dt.time):
            return value.isoformat()
        if isinstance(value, decimal.Decimal | dt.timedelta):
            return str(value)
        raise InputError(
            f"a field holds a {type(value).__name__} value that JSON cannot hold",
            where=record.where,
            hint="store extra fields as text, numbers, booleans, lists or objects",
        )

    if not fields:
        return "{}"  # what json.dumps writes for it, most records' case
    for key in fields:
        if not isinstance(key, str):
            raise InputError(
                f"field name {key!r} is not text",
                where=record.where,
                hint="quote the field name",
            )
    return json.dumps(
        _finite(dict(fields)), sort_keys=True, ensure_ascii=False, default=jsonable, allow_nan=False
    )


def _finite(value: Any) -> Any:
    """NaN and infinities (a Parquet float column, JSON's non-standard ``NaN``) as text.

    Standard JSON has no such numbers, and ``meta`` must stay readable by any JSON
    reader; their names keep the information.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _check_encodable(row: Row, record: RawRecord) -> None:
    """Lone surrogates (``"\\ud800"`` in JSON) are not text: they cannot be stored or hashed."""
    for column, value in row.items():
        if value is None or value.isascii():  # isascii() reads a flag: no surrogate, nothing to encode
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                f"`{column}` holds a lone surrogate {value[exc.start]!r} at character {exc.start}, "
                "which is not a Unicode character",
                where=record.where,
                hint="fix the escape (a JSON \\uD8xx must be followed by its \\uDCxx pair)",
            ) from None


def _refuse_html(body: str, record: RawRecord) -> None:
    """An HTML page is not article text: its offsets and counts would include markup."""
    evidence = html_evidence(body)
    if evidence is not None:
        raise InputError(
            f"body is an HTML page, not plain text ({evidence.describe()})",
            where=record.where,
            hint="extract the article text from the HTML first (one paragraph per line)",
        )


def article_row(record: RawRecord, columns: ColumnMap = NO_COLUMNS) -> Row:
    """The articles-table row for ``record``; every field not used lands in ``meta``.

    ``columns`` maps article fields to the record's column names where they are
    not the usual ones (``outlet`` read from ``category``).
    """
    fields = _Columns(record.fields, columns)
    doc_id = _doc_id(fields.take("doc_id"), record)
    body = _text(fields.take("body"), record)
    if body is None or not body.strip():
        raise InputError("record with no body", where=record.where, hint=fields.body_hint())
    _refuse_html(body, record)
    headline = _text(fields.take("headline"), record) or ""
    outlet = _outlet(fields, record)
    published = _published(fields.take("published"), record)
    row: Row = {
        "doc_id": doc_id,
        "outlet": outlet,
        "headline": headline,
        "body": body,
        "published": published,
        "source": record.source,
        "meta": _meta_json(fields.rest, record),
    }
    _check_encodable(row, record)  # before hashing: content_doc_id encodes the text
    if doc_id is None:
        row["doc_id"] = content_doc_id(outlet, headline, body)
    return row


class SeenIds:
    """The doc ids of a stream's earlier batches, in 8 bytes each.

    A streamed corpus of millions of articles must not keep every id string and
    where it was read (about 190 bytes an article): memory would grow with the
    corpus. A sorted array of 64-bit BLAKE2b digests is kept instead. When a digest
    repeats, ``locate`` (from the reader) reads the corpus again up to the first
    record with that exact id, for the error message; if that first record is the
    current one, the digests merely collided (two different ids) and reading goes on.
    """

    def __init__(self, locate: Callable[[str], str | None]) -> None:
        import numpy as np  # here, not at the top: `harness --help` reads this package without numpy

        self._digests: npt.NDArray[np.uint64] = np.empty(0, dtype=np.uint64)
        self._locate = locate

    def first_location(self, doc_id: str, where: str) -> str | None:
        """Where ``doc_id`` was first read, if that was in an earlier batch."""
        import numpy as np

        digest = np.uint64(_id_digest(doc_id))
        k = int(np.searchsorted(self._digests, digest))
        if k == len(self._digests) or self._digests[k] != digest:
            return None
        first = self._locate(doc_id)
        return None if first in (None, where) else first

    def add(self, doc_ids: Iterable[str]) -> None:
        import numpy as np

        digests = np.fromiter((_id_digest(i) for i in doc_ids), dtype=np.uint64)
        self._digests = np.union1d(self._digests, digests)


def _id_digest(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def articles_frame(
    records: Iterable[RawRecord], *, seen: SeenIds | None = None, columns: ColumnMap = NO_COLUMNS
) -> pl.DataFrame:
    """The articles table, in input order; a doc id used twice is an error.

    ``seen`` carries the duplicate check across the batches of a corpus read in a
    stream; within the records given, ids are compared as strings.
    """
    import polars as pl  # here, not at the top: reading one article file (`harness diff`) makes no table

    from harness.corpus.schema import ARTICLE_SCHEMA

    table: dict[str, list[str | None]] = {name: [] for name in ARTICLE_COLUMNS}
    first_seen: dict[str, str] = {}
    for record in records:
        row = article_row(record, columns)
        doc_id = row["doc_id"]
        assert doc_id is not None  # article_row always sets one
        earlier = first_seen.get(doc_id)
        if earlier is None and seen is not None:
            earlier = seen.first_location(doc_id, record.where)
        if earlier is not None:
            raise InputError(
                f"duplicate doc id {doc_id!r}: {earlier} and {record.where}",
                where=record.where,
                hint="remove the repeated article or give each article its own `doc_id`",
            )
        first_seen[doc_id] = record.where
        for name in ARTICLE_COLUMNS:
            table[name].append(row[name])
    if seen is not None:
        seen.add(first_seen)
    return pl.DataFrame(table, schema=ARTICLE_SCHEMA)
