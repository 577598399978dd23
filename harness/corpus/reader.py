"""Read any supported corpus into the articles table, and fingerprint it.

``read_corpus`` dispatches on what the path is: a folder (every supported file
in it, sorted by path), or one file by its suffix. ``source`` names each record
by its path relative to ``root``, so results do not depend on where the project
is checked out.

``load_corpus`` does the same and also reports what reading had to repair (bytes
of invalid UTF-8 replaced when asked to), so a caller can warn about it or record
it in a manifest.

Several inputs may be given at once (files, folders, glob patterns such as
``data/*.jsonl``, expanded here in sorted order when the shell did not), and
``-`` reads JSONL from standard input. Their articles form one corpus: a doc id
found in two inputs is the usual duplicate error.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl

from harness.corpus.columns import NO_COLUMNS, ColumnMap, check_columns_present, grouping_warning, record_columns
from harness.corpus.documents import read_text_document
from harness.corpus.records import RawRecord, articles_frame
from harness.corpus.tabular import read_csv, read_jsonl, read_parquet
from harness.corpus.textfile import INVALID_UTF8_CHOICES, CorpusFile, InvalidUtf8, invalid_utf8_bytes
from harness.errors import InputError, UsageError
from harness.safetext import unicode_text

_READERS: dict[str, Callable[[CorpusFile], list[RawRecord]]] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".parquet": read_parquet,
    # Only .txt files may be saved aggregator pages; .md files are single articles.
    ".txt": lambda file: read_text_document(file, allow_aggregator=True),
    ".md": lambda file: read_text_document(file, allow_aggregator=False),
}

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)
# Read as bytes by their own library, never decoded as text: nothing to replace.
_BINARY_SUFFIXES = frozenset({".parquet"})
# One article per file (or a page): a mapped column is looked for in the whole
# corpus, since a front matter key missing from one file is a missing value, not
# a missing column. Record files (JSONL, CSV, Parquet) are checked one by one.
_DOCUMENT_SUFFIXES = frozenset({".txt", ".md"})


@dataclass(frozen=True, slots=True)
class ReplacedBytes:
    """Invalid UTF-8 bytes replaced by U+FFFD in one file (``invalid_utf8="replace"``)."""

    file: str  # relative to the corpus root, as in the ``source`` column
    count: int


@dataclass(frozen=True, slots=True)
class CorpusRead:
    """A corpus as read: the articles table, what reading repaired, what to warn about."""

    articles: pl.DataFrame
    replaced: tuple[ReplacedBytes, ...] = ()  # files with replaced bytes, in reading order
    # Warnings for the reader to show (one line each, without "warning: "): a
    # column that looks like the outlet when no article names one.
    warnings: tuple[str, ...] = ()

    @property
    def replaced_bytes(self) -> int:
        return sum(r.count for r in self.replaced)


def _is_documentation(relative: Path) -> bool:
    """README* files and hidden files or folders describe a corpus; they are not articles."""
    hidden = any(part.startswith(".") for part in relative.parts)
    return hidden or relative.name.upper().startswith("README")


def _unsupported(shown: str) -> InputError:
    return InputError(
        "unsupported file type",
        where=shown,
        hint=f"supported: a folder or {', '.join(SUPPORTED_SUFFIXES)} files",
    )


def _folder_files(folder: Path) -> list[Path]:
    """Article files under ``folder``, sorted by relative POSIX path (not by locale)."""
    files: list[tuple[str, Path]] = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if _is_documentation(relative) or not path.is_file():
            continue
        if path.suffix.lower() not in _READERS:
            raise _unsupported(str(path))
        files.append((relative.as_posix(), path))
    return [path for _, path in sorted(files)]


def no_articles(where: str) -> InputError:
    """A file that reads cleanly but holds no article (a CSV or Parquet header with no rows).

    An error like an empty file: a run over it would store a result of 0 articles,
    which is almost always a wrong or truncated export rather than an intent.
    """
    return InputError(
        "no articles (the file has no records)",
        where=where,
        hint="a CSV or Parquet file needs rows below its header; add articles or remove the file",
    )


def _corpus_file(path: Path, root: Path, invalid_utf8: InvalidUtf8, columns: ColumnMap = NO_COLUMNS) -> CorpusFile:
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise InputError(
            f"file lies outside the corpus root {root}",
            where=str(path),
            hint="pass a root folder that contains the file",
        ) from None
    # A file name that is not UTF-8 is a valid file: its name is escaped for
    # messages and the `source` column (caf\xe9.txt), its content read as any other.
    return CorpusFile(path, unicode_text(path), unicode_text(relative.as_posix()), invalid_utf8, columns)


def check_invalid_utf8_choice(invalid_utf8: str) -> None:
    if invalid_utf8 not in INVALID_UTF8_CHOICES:
        raise UsageError(
            f"invalid_utf8 must be one of {', '.join(INVALID_UTF8_CHOICES)}, not {invalid_utf8!r}",
            hint='"error" stops at the first invalid byte; "replace" substitutes U+FFFD and counts',
        )


STDIN = "-"  # as a corpus path: JSONL read from standard input
STDIN_SHOWN = "<stdin>"  # how messages and the ``source`` column name it
_GLOB_CHARACTERS = frozenset("*?[")

CorpusPaths = Path | str | Sequence[Path | str]


def corpus_inputs(paths: CorpusPaths) -> list[Path]:
    """The inputs ``paths`` names, in order: each glob pattern (one that is not an
    existing path) replaced by its sorted matches (README files left out, as in a
    folder; hidden files are not matched by ``*``); ``-`` (standard input) kept.

    An InputError names a pattern that matches nothing; a UsageError, ``-`` given twice.
    """
    given = [paths] if isinstance(paths, Path | str) else list(paths)
    found: list[Path] = []
    for item in given:
        text = os.fspath(item)
        if text == STDIN or os.path.lexists(text) or not _GLOB_CHARACTERS & set(text):
            found.append(Path(text))
            continue
        # As in a folder, README files describe a corpus: a pattern like corpus/* skips them.
        matches = sorted(m for m in glob.glob(text, recursive=True) if not _is_documentation(Path(Path(m).name)))
        if not matches:
            raise InputError(
                "no file matches this pattern",
                where=text,
                hint="check the pattern; a quoted pattern is expanded by harness, relative to the working folder",
            )
        found.extend(Path(match) for match in matches)
    _check_named_once(found)
    if not found:
        raise UsageError("no corpus given", hint="name a corpus file, folder or pattern, or - for standard input")
    return found


def _check_named_once(found: list[Path]) -> None:
    """A UsageError for an input named twice (a pattern and a file it matches, too):
    its articles would be read twice, every one a duplicate."""
    seen: dict[str, Path] = {}
    for item in found:
        key = STDIN if str(item) == STDIN else os.path.realpath(item)
        if key in seen:
            shown = STDIN_SHOWN if key == STDIN else unicode_text(item)
            raise UsageError(f"{shown} is given twice as a corpus input", hint="name each input once")
        seen[key] = item


@contextlib.contextmanager
def _stdin_file(stdin: BinaryIO | None) -> Iterator[Path]:
    """Standard input copied to a private temporary .jsonl file, removed afterwards.

    Copied, not parsed as it comes: the JSONL reader (its checks and error lines)
    works on files. A terminal is refused: reading would wait for typing that
    almost certainly is not coming.
    """
    stream = stdin if stdin is not None else sys.stdin.buffer
    if stream.isatty():
        raise UsageError(
            "- reads a corpus from standard input, but standard input is a terminal",
            hint="pipe JSONL into it, e.g. cat corpus.jsonl | harness score -",
        )
    with tempfile.TemporaryDirectory(prefix="harness-stdin-") as folder:
        target = Path(folder) / "stdin.jsonl"
        with target.open("wb") as handle:
            while chunk := stream.read(1 << 20):
                handle.write(chunk)
        yield target


def load_corpus(
    path: CorpusPaths,
    *,
    root: Path | None = None,
    invalid_utf8: InvalidUtf8 = "error",
    columns: ColumnMap = NO_COLUMNS,
    stdin: BinaryIO | None = None,
) -> CorpusRead:
    """Every article under ``path`` (see :func:`read_corpus`), with a report of repairs.

    ``path`` may be several inputs and glob patterns (see :func:`corpus_inputs`);
    ``-`` reads JSONL from ``stdin`` (default: the process's standard input).
    ``columns`` maps article fields to the corpus's own column names (see
    :mod:`harness.corpus.columns`); a mapped column a file does not have is an error.
    """
    check_invalid_utf8_choice(invalid_utf8)
    inputs = corpus_inputs(path)
    if len(inputs) == 1 and str(inputs[0]) != STDIN:
        return _load_files(inputs[0], *_corpus_files(inputs[0], root), invalid_utf8, columns)
    files: list[tuple[Path, Path, str | None]] = []  # (file, root, shown instead of its path)
    with contextlib.ExitStack() as stack:
        for item in inputs:
            if str(item) == STDIN:
                files.append((stack.enter_context(_stdin_file(stdin)), Path(), STDIN_SHOWN))
                continue
            base, paths = _corpus_files(item, root)
            files.extend((file, base, None) for file in paths)
        shown = " ".join(STDIN_SHOWN if str(p) == STDIN else unicode_text(p) for p in inputs)
        return _read_files(shown, files, invalid_utf8, columns, any(p.is_dir() for p in inputs))


def _load_files(
    path: Path, base: Path, paths: list[Path], invalid_utf8: InvalidUtf8, columns: ColumnMap
) -> CorpusRead:
    """One input (a file or a folder): every file relative to ``base``."""
    files: list[tuple[Path, Path, str | None]] = [(file, base, None) for file in paths]
    return _read_files(unicode_text(path), files, invalid_utf8, columns, path.is_dir())


def _read_files(
    shown: str,
    files: list[tuple[Path, Path, str | None]],
    invalid_utf8: InvalidUtf8,
    columns: ColumnMap,
    folder: bool,
) -> CorpusRead:
    """The articles of ``files`` ((file, root, name to show), in reading order) as one corpus."""
    records: list[RawRecord] = []
    replaced: list[ReplacedBytes] = []
    document_columns: dict[str, None] = {}  # the keys of every text document, in order
    for file_path, base, stand_in in files:
        suffix = file_path.suffix.lower()
        reader = _READERS.get(suffix)
        if reader is None:
            raise _unsupported(str(file_path))
        file = (
            CorpusFile(file_path, stand_in, stand_in, invalid_utf8, columns)
            if stand_in is not None
            else _corpus_file(file_path, base, invalid_utf8, columns)
        )
        found = reader(file)
        if not found:
            raise no_articles(file.shown)
        if columns and suffix in _DOCUMENT_SUFFIXES:
            document_columns.update(dict.fromkeys(record_columns(r.fields for r in found)))
        elif columns:
            check_columns_present(record_columns(r.fields for r in found), columns, file.shown)
        records.extend(found)
        count = 0 if suffix in _BINARY_SUFFIXES else invalid_utf8_bytes(file)
        if count:
            replaced.append(ReplacedBytes(file.relative, count))
    if columns and document_columns:
        check_columns_present(list(document_columns), columns, shown, folder=folder)
    articles = articles_frame(records, columns=columns)
    warning = grouping_warning(articles, columns, shown)
    return CorpusRead(articles, tuple(replaced), (warning,) if warning else ())


def read_corpus(
    path: CorpusPaths,
    *,
    root: Path | None = None,
    invalid_utf8: InvalidUtf8 = "error",
    columns: ColumnMap = NO_COLUMNS,
) -> pl.DataFrame:
    """Every article under ``path`` as a table with exactly ``ARTICLE_SCHEMA``.

    ``root`` is what ``source`` paths are relative to: by default the folder
    itself, or the file's parent folder. ``invalid_utf8="replace"`` reads files
    with broken encoding (see :func:`load_corpus` for how many bytes were replaced).
    ``columns`` maps article fields to the corpus's own column names.
    """
    return load_corpus(path, root=root, invalid_utf8=invalid_utf8, columns=columns).articles


def _corpus_files(path: Path, root: Path | None) -> tuple[Path, list[Path]]:
    """The root ``source`` paths are relative to, and the files to read in order."""
    if not path.exists():
        raise InputError(
            "no such file or folder", where=str(path), hint="check the path (an experiment's corpus path is relative to its project folder)"
        )
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            # Almost always a wrong path or a corpus not copied yet, rather than
            # an experiment that means to measure nothing.
            raise InputError(
                "folder holds no article files",
                where=str(path),
                hint=f"put {', '.join(SUPPORTED_SUFFIXES)} files in it, or check the corpus path",
            )
        return (root if root is not None else path), files
    return (root if root is not None else path.parent), [path]


def corpus_hash(df: pl.DataFrame) -> str:
    """SHA-256 of the table's content: column names, then each row as a JSON line.

    Serialised by hand rather than with polars' row hashing, which is not stable
    across polars versions. Dtypes are left out for the same reason (their names
    change between versions); values, column order and row order all count.
    """
    digest = CorpusDigest(df.columns)
    digest.update(df)
    return digest.hexdigest()


class CorpusDigest:
    """:func:`corpus_hash` fed a table at a time: a corpus read in batches gets the
    digest of the batches concatenated, without ever holding them together."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._columns = list(columns)
        self._digest = hashlib.sha256()
        self._digest.update(json.dumps(self._columns, ensure_ascii=False).encode("utf-8") + b"\n")

    def update(self, df: pl.DataFrame) -> None:
        if df.columns != self._columns:  # a bug in the caller: the header would lie
            raise ValueError(f"columns {df.columns} after {self._columns}")
        digest = self._digest
        native = _json_rows()
        for start in range(0, df.height, DIGEST_ROWS):
            rows = df.slice(start, DIGEST_ROWS).rows()
            lines = native(rows) if native is not None else None
            digest.update(lines if lines is not None else b"".join(map(_json_line, rows)))

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


# Rows turned into lines at a time: a bounded slice of a large table (some 25 MB of
# news text), never all of it at once.
DIGEST_ROWS = 4096


def _json_line(row: tuple[object, ...]) -> bytes:
    """One row's line of the digest: its JSON (non-ASCII as it is, no spaces) and a line feed."""
    return json.dumps(row, ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8") + b"\n"


@functools.cache
def _json_rows() -> Callable[[list[tuple[object, ...]]], bytes | None] | None:
    """``json_rows`` of ``harness/wirediff/units.c``: the same lines as ``_json_line``'s for
    rows of strings and nulls (every articles table's), in one C loop (None for any other
    row: then ``_json_line`` writes them); None when the diff's compiled modules are not in use."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "json_rows")
