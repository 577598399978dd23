"""Which input column fills which article field: the names every reader accepts,
and a corpus's own column mapping.

:data:`CORPUS_FIELDS` is the one table of accepted column names: the readers
(:mod:`harness.corpus.records`, the Parquet type checks) and the README's
"Corpus formats and columns" table are both made from it (a test compares them).

A corpus whose columns have other names maps them: ``columns = { outlet =
"category" }`` under ``[corpus]`` in an experiment file, ``--column
outlet=category`` on the command line. The rules (documented in the README):

- a mapped field is read from its column only; its usual names are not consulted,
  and a column of such a name stays in ``meta`` under its own name (as ``text``
  does when ``body`` is given);
- a mapped column is taken for its field before any other field looks for its
  usual names, so ``headline = "text"`` never also makes ``text`` the body;
- two fields mapped to one column is an error (one column cannot be both);
- a mapped column that the file does not have is an error naming the file, the
  column and the columns found (a typo would otherwise leave every outlet
  ``unknown`` without a word).

When no article names its outlet and the outlet is not mapped,
:func:`grouping_warning` names a column that looks like a grouping (a few
distinct names shared by many articles, or a name such as ``category``).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.corpus.schema import UNKNOWN_OUTLET

if TYPE_CHECKING:
    import polars as pl
from harness.errors import InputError


@dataclass(frozen=True, slots=True)
class CorpusField:
    """One article field read from the input, and the column names it is read from."""

    name: str  # the column of the articles table
    aliases: tuple[str, ...]  # input column names, in order of preference
    what: str  # what it holds (README)
    # Read only when the value is a publication's name, not a URL or a path
    # (``source`` is often a URL or a feed path).
    name_only: tuple[str, ...] = ()


CORPUS_FIELDS: tuple[CorpusField, ...] = (
    CorpusField(
        "doc_id",
        ("doc_id", "id"),
        "the article's id: text or a whole number; without one, a hash of outlet, headline and body",
    ),
    CorpusField(
        "outlet",
        ("outlet",),
        "the publication, as printed (`The Guardian`); `unknown` when no column names it",
        name_only=("source", "publisher"),
    ),
    CorpusField("headline", ("headline", "title"), "the headline; empty when none is given"),
    CorpusField("body", ("body", "text"), "the article text (required; in text files, the text after the front matter)"),
    CorpusField("published", ("published", "date"), "when it was published: text (ISO 8601 when known) or a date"),
)
FIELDS_BY_NAME: dict[str, CorpusField] = {f.name: f for f in CORPUS_FIELDS}
MAPPABLE_FIELDS: tuple[str, ...] = tuple(FIELDS_BY_NAME)


class ColumnMapError(ValueError):
    """A mapping that cannot be used: what is wrong, and what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Article field -> the corpus's column for it; empty when the usual names are used."""

    pairs: tuple[tuple[str, str], ...] = field(default=())  # (field, column), in CORPUS_FIELDS order

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def column(self, name: str) -> str | None:
        """The column mapped to field ``name``, if any."""
        return next((column for f, column in self.pairs if f == name), None)

    def columns(self) -> tuple[str, ...]:
        return tuple(column for _, column in self.pairs)

    def as_dict(self) -> dict[str, str]:
        return dict(self.pairs)

    def columns_for(self, *fields: str) -> tuple[str, ...]:
        """The columns read into ``fields`` whatever their values (the mapped one, else the
        usual names; not those read only when they hold a name): what a type check covers."""
        out: list[str] = []
        for name in fields:
            mapped = self.column(name)
            out.extend((mapped,) if mapped is not None else FIELDS_BY_NAME[name].aliases)
        return tuple(out)


NO_COLUMNS = ColumnMap()


def columns_markdown() -> str:
    """The README's table of accepted column names, made from :data:`CORPUS_FIELDS`.

    ``tests/test_corpus_columns.py`` checks the README holds exactly this table.
    """
    lines = [
        "| field | read from the first of these columns present | holds |",
        "| --- | --- | --- |",
    ]
    for f in CORPUS_FIELDS:
        names = ", ".join(f"`{alias}`" for alias in f.aliases)
        if f.name_only:
            names += "; else " + ", ".join(f"`{alias}`" for alias in f.name_only) + " when it is a name (not a URL or a path)"
        lines.append(f"| `{f.name}` | {names} | {f.what} |")
    return "\n".join(lines) + "\n"


def column_map(mapping: Mapping[str, object]) -> ColumnMap:
    """A checked mapping from ``{field: column}``; :class:`ColumnMapError` says what is wrong."""
    by_column: dict[str, str] = {}
    for name, column in mapping.items():
        if name not in FIELDS_BY_NAME:
            raise ColumnMapError(
                f"unknown article field {name!r}",
                "fields that can be mapped: " + ", ".join(MAPPABLE_FIELDS) + "; the field goes on the left",
            )
        if not isinstance(column, str):
            raise ColumnMapError(f"{name} must name a column (text), not {column!r}", f'e.g. {name} = "my_column"')
        if not column.strip() or "\x00" in column:
            raise ColumnMapError(f"{name} = {column!r} names no column", "give the column's name as in the corpus")
        if column in by_column:
            raise ColumnMapError(
                f"{by_column[column]} and {name} are both mapped to the column {column!r}",
                "map each field to its own column",
            )
        by_column[column] = name
    order = {name: index for index, name in enumerate(MAPPABLE_FIELDS)}
    pairs = sorted(((name, column) for column, name in by_column.items()), key=lambda pair: order[pair[0]])
    return ColumnMap(tuple(pairs))


def check_columns_present(
    found: Sequence[str], columns: ColumnMap, where: str, *, hint: str | None = None, folder: bool = False
) -> None:
    """Every mapped column is among ``found`` (the columns of a file, or of a ``folder``'s
    text files together), else an InputError naming the column and those found."""
    for name, column in columns.pairs:
        if column not in found:
            shown = ", ".join(f"`{c}`" for c in found) if found else "none"
            place = "in no file of the folder" if folder else "not in the file"
            raise InputError(
                f"the column `{column}` mapped to {name} is {place}; columns found: {shown}",
                where=where,
                hint=hint or "fix the column name in the mapping",
            )


def record_columns(records: Iterable[Mapping[str, object]]) -> list[str]:
    """Every column name of ``records``, in order of first appearance."""
    seen: dict[str, None] = {}
    for fields in records:
        for key in fields:
            if isinstance(key, str):
                seen.setdefault(key, None)
    return list(seen)


# -- a column that looks like the outlet --------------------------------------------------------

# Column names that usually hold the publication or a grouping of articles.
GROUPING_NAMES = (
    "category",
    "section",
    "source",
    "publisher",
    "publication",
    "site",
    "website",
    "domain",
    "channel",
    "network",
    "station",
    "newspaper",
    "paper",
    "brand",
    "feed",
    "media",
)
# Not an outlet even when few-valued: which event an article reports (compare_outlets).
_NOT_OUTLETS = frozenset({"story"})
MAX_GROUPS = 50  # more distinct values than this is not a grouping of articles
MAX_GROUP_SHARE = 0.5  # ... nor is one where most articles have a value of their own
MAX_NAME_CHARS = 100
SAMPLE_ROWS = 10_000  # enough to judge; a corpus of millions is not parsed twice


@dataclass(frozen=True, slots=True)
class GroupingColumn:
    """A column of ``meta`` that may be what the corpus calls the outlet."""

    column: str
    values: tuple[str, ...]  # its distinct values, in order of first appearance


@dataclass(slots=True)
class _Tally:
    rows: int = 0
    values: dict[str, None] = field(default_factory=dict)
    names: bool = True  # every value a short one-line name

    def add(self, value: object) -> None:
        self.rows += 1
        if not _is_short_name(value):
            self.names = False
        elif len(self.values) <= SAMPLE_ROWS:
            self.values.setdefault(str(value).strip(), None)


def _is_short_name(value: object) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return 0 < len(text) <= MAX_NAME_CHARS and "\n" not in text and "://" not in text and "/" not in text


def _tallies(meta: pl.Series) -> dict[str, _Tally]:
    tallies: dict[str, _Tally] = {}
    for text in meta:
        fields = json.loads(text) if text else {}
        for key, value in fields.items():
            if value is not None:
                tallies.setdefault(key, _Tally()).add(value)
    return tallies


def _looks_like_grouping(name: str, tally: _Tally, rows: int) -> bool:
    if name.lower() in _NOT_OUTLETS or not tally.names or tally.rows * 2 < rows:
        return False  # a story key, not names, or most articles without it
    if name.lower() in GROUPING_NAMES:
        return True
    distinct = len(tally.values)
    return 2 <= distinct <= MAX_GROUPS and distinct < MAX_GROUP_SHARE * rows


def grouping_columns(articles: pl.DataFrame) -> list[GroupingColumn]:
    """Columns of ``meta`` that look like a grouping of the articles (named ones first)."""
    sample = articles.head(SAMPLE_ROWS)
    tallies = _tallies(sample["meta"])
    found = [name for name, tally in tallies.items() if _looks_like_grouping(name, tally, sample.height)]
    rank = {name: index for index, name in enumerate(GROUPING_NAMES)}
    found.sort(key=lambda name: rank.get(name.lower(), len(rank)))  # stable: others by first appearance
    return [GroupingColumn(name, tuple(tallies[name].values)) for name in found]


def _shown_values(values: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(values[:limit])
    more = ", ..." if len(values) > limit else ""
    return f"{len(values)} value{'s' if len(values) != 1 else ''}: {shown}{more}"


def grouping_warning(articles: pl.DataFrame, columns: ColumnMap, where: str) -> str | None:
    """One warning when no article names its outlet and a column looks as if it could.

    Nothing when the outlet is mapped, or when any article has an outlet.
    """
    if columns.column("outlet") is not None or articles.height == 0:
        return None
    if not (articles["outlet"] == UNKNOWN_OUTLET).all():
        return None
    candidates = grouping_columns(articles)
    if not candidates:
        return None
    first = candidates[0]
    others = "".join(f"; also `{c.column}` ({_shown_values(c.values)})" for c in candidates[1:])
    return (
        f"{where}: no column names the articles' outlet, so every outlet is '{UNKNOWN_OUTLET}'; "
        f"column `{first.column}` looks like a grouping ({_shown_values(first.values)}){others} "
        f"(to use it as the outlet: --column {shlex.quote('outlet=' + first.column)}, "
        f"or columns = {{ outlet = {json.dumps(first.column, ensure_ascii=False)} }} under [corpus] in the experiment)"
    )
