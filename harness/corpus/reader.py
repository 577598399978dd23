"""Read any supported corpus into the articles table, and fingerprint it.

``read_corpus`` dispatches on what the path is: a folder (every supported file
in it, sorted by path), or one file by its suffix. ``source`` names each record
by its path relative to ``root``, so results do not depend on where the project
is checked out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl

from harness.corpus.documents import read_text_document
from harness.corpus.records import RawRecord, articles_frame
from harness.corpus.tabular import read_csv, read_jsonl, read_parquet
from harness.corpus.textfile import CorpusFile
from harness.errors import InputError

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


def _corpus_file(path: Path, root: Path) -> CorpusFile:
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise InputError(
            f"file lies outside the corpus root {root}",
            where=str(path),
            hint="pass a root folder that contains the file",
        ) from None
    return CorpusFile(path, str(path), relative.as_posix())


def _read_file(path: Path, root: Path) -> list[RawRecord]:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise _unsupported(str(path))
    return reader(_corpus_file(path, root))


def read_corpus(path: Path, *, root: Path | None = None) -> pl.DataFrame:
    """Every article under ``path`` as a table with exactly ``ARTICLE_SCHEMA``.

    ``root`` is what ``source`` paths are relative to: by default the folder
    itself, or the file's parent folder.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            "no such file or folder", where=str(path), hint="check the corpus path (relative to the project)"
        )
    if path.is_dir():
        base = root if root is not None else path
        files = _folder_files(path)
    else:
        base = root if root is not None else path.parent
        files = [path]
    return articles_frame(record for file in files for record in _read_file(file, base))


def corpus_hash(df: pl.DataFrame) -> str:
    """SHA-256 of the table's content: column names, then each row as a JSON line.

    Serialised by hand rather than with polars' row hashing, which is not stable
    across polars versions. Dtypes are left out for the same reason (their names
    change between versions); values, column order and row order all count.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(df.columns, ensure_ascii=False).encode("utf-8") + b"\n")
    for row in df.iter_rows():
        line = json.dumps(row, ensure_ascii=False, default=str, separators=(",", ":"))
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()
