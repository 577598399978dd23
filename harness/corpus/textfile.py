"""Reading a corpus file as text, with errors that say where and what to do.

Every text format (JSONL, CSV, .txt, .md, aggregator pages) goes through
:func:`read_text`, so that a BOM, Windows line endings, a binary file or a
broken encoding are handled the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError, at

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """One input file: where it is, how errors show it, how ``source`` names it."""

    path: Path  # to open
    shown: str  # in error messages: the path as the user gave it
    relative: str  # in the ``source`` column: POSIX path relative to the corpus root

    def source(self, number: int) -> str:
        """``<file relative to the corpus root>:<line or record number>``."""
        return f"{self.relative}:{number}"

    def at_line(self, line: int) -> str:
        return at(self.shown, line=line)

    def at_record(self, record: int) -> str:
        return at(self.shown, record=record)


def normalise_newlines(text: str) -> str:
    """Windows line endings become "\\n" so offsets do not depend on the platform."""
    return text.replace("\r\n", "\n")


def read_bytes(file: CorpusFile) -> bytes:
    """The file's bytes; an empty (or whitespace-only) file is an error."""
    try:
        data = file.path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "no such file", where=file.shown, hint="check the corpus path"
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror}", where=file.shown, hint="check the file's permissions"
        ) from None
    if not data.removeprefix(UTF8_BOM).strip():
        raise InputError(
            "empty file",
            where=file.shown,
            hint="remove it from the corpus folder or fill it with articles",
        )
    return data


def read_text(file: CorpusFile) -> str:
    """The file as UTF-8 text: BOM stripped, "\\r\\n" normalised to "\\n"."""
    data = read_bytes(file)
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"binary file (NUL byte at byte offset {nul})",
            where=file.at_line(data.count(b"\n", 0, nul) + 1),
            hint="a corpus file must be UTF-8 text (.jsonl, .csv, .txt, .md) or .parquet",
        )
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise InputError(
            f"invalid UTF-8 at byte offset {offset} ({exc.reason})",
            where=file.at_line(data.count(b"\n", 0, offset) + 1),
            hint="re-save the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`)",
        ) from None
    return normalise_newlines(text)
