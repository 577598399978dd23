"""Reading a corpus file as text, with errors that say where and what to do.

Every text format (JSONL, CSV, .txt, .md, aggregator pages) goes through
:func:`read_text`, so that a BOM, Windows line endings, a binary file or a
broken encoding are handled the same way everywhere.

Invalid UTF-8 is an error by default. With ``invalid_utf8="replace"`` each
invalid byte becomes one U+FFFD REPLACEMENT CHARACTER (one per byte, so the
count of replaced bytes is exact and every replacement is visible in the text),
and :func:`invalid_utf8_bytes` says how many bytes were replaced.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from harness.corpus.columns import NO_COLUMNS, ColumnMap
from harness.errors import InputError, at
from harness.safetext import unicode_text

UTF8_BOM = b"\xef\xbb\xbf"
# What ``bytes.strip()`` removes (ASCII whitespace), matched from a position: whether a
# file is blank is read in place, without the copy ``strip`` makes of a large file.
_BLANK_BYTES = re.compile(rb"[ \t\n\r\x0b\x0c]*")
# Byte order marks of encodings that a text editor may save "Unicode" text in.
# Such files hold NUL bytes, so without this they would be called binary.
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
REPLACEMENT_CHARACTER = "\ufffd"

InvalidUtf8 = Literal["error", "replace"]
INVALID_UTF8_CHOICES: tuple[InvalidUtf8, ...] = ("error", "replace")

# Python's "surrogateescape" decoding turns each undecodable byte 0xNN into the
# lone surrogate U+DCNN, which valid UTF-8 can never produce: counting and
# replacing them is exact.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True, slots=True)
class CorpusFile:
    """One input file: where it is, how errors show it, how ``source`` names it."""

    path: Path  # to open
    shown: str  # in error messages: the path as the user gave it
    relative: str  # in the ``source`` column: POSIX path relative to the corpus root
    invalid_utf8: InvalidUtf8 = "error"  # what to do with bytes that are not UTF-8
    columns: ColumnMap = NO_COLUMNS  # the corpus's own column names for article fields

    def source(self, number: int) -> str:
        """``<file relative to the corpus root>:<line or record number>``."""
        return f"{self.relative}:{number}"

    def at_line(self, line: int) -> str:
        return at(self.shown, line=line)

    def at_record(self, record: int) -> str:
        return at(self.shown, record=record)


_CRLF = re.compile(r"\r+\n")


def normalise_newlines(text: str) -> str:
    """Windows line endings become "\\n" so offsets do not depend on the platform.

    A run of carriage returns before the line feed ("\\r\\r\\n", left by a
    double conversion) is one line ending too. That also makes the function
    idempotent: CSV cells pass through it twice (file, then record) and must not
    change on the second pass.
    """
    if "\r" not in text:  # most texts: a substring test is ~50x faster than the regex scan
        return text
    return _CRLF.sub("\n", text)


def check_regular_file(file: CorpusFile) -> None:
    """A FIFO, socket or device is refused before it is opened: reading one would block
    (a FIFO waits for a writer) or never end (/dev/zero)."""
    try:
        mode = file.path.stat().st_mode
    except OSError:
        return  # missing or unreadable: reading says so, with the usual message
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise InputError(
            f"is {kind}, not a file",
            where=file.shown,
            hint="save the corpus to a regular file first",
        )


def read_bytes(file: CorpusFile) -> bytes:
    """The file's bytes; an empty (or whitespace-only) file is an error."""
    check_regular_file(file)
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
    if _BLANK_BYTES.fullmatch(data, len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0):
        raise InputError(
            "empty file",
            where=file.shown,
            hint="remove it from the corpus folder or fill it with articles",
        )
    return data


def _check_not_binary(data: bytes, file: CorpusFile) -> None:
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise InputError(
                f"file is {encoding} text (byte order mark {bom.hex(' ')}), not UTF-8",
                where=file.at_line(1),
                hint=f"re-save the file as UTF-8 (e.g. `iconv -f {encoding} -t utf-8`)",
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"binary file (NUL byte at byte offset {nul})",
            where=file.at_line(data.count(b"\n", 0, nul) + 1),
            hint="a corpus file must be UTF-8 text (.jsonl, .csv, .txt, .md) or .parquet",
        )


def _decode_strict(data: bytes, bom: int, file: CorpusFile) -> str:
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        raise InputError(
            f"invalid UTF-8 at byte offset {offset} ({exc.reason})",
            where=file.at_line(data.count(b"\n", 0, offset) + 1),
            hint='re-save the file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`), '
            'or pass --invalid-utf8 replace (corpus.invalid_utf8 = "replace" in an experiment)',
        ) from None


def _decode_replacing(data: bytes, bom: int) -> tuple[str, int]:
    """The text with one U+FFFD per invalid byte, and how many bytes that was."""
    escaped = data[bom:].decode("utf-8", errors="surrogateescape")
    return _ESCAPED_BYTE.subn(REPLACEMENT_CHARACTER, escaped)


def _decode(file: CorpusFile) -> tuple[str, int]:
    data = read_bytes(file)
    _check_not_binary(data, file)
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    if file.invalid_utf8 == "replace":
        text, replaced = _decode_replacing(data, bom)
    else:
        text, replaced = _decode_strict(data, bom, file), 0
    return normalise_newlines(text), replaced


def read_text(file: CorpusFile) -> str:
    """The file as UTF-8 text: BOM stripped, "\\r\\n" normalised to "\\n"."""
    return _decode(file)[0]


def invalid_utf8_bytes(file: CorpusFile) -> int:
    """How many bytes :func:`read_text` replaced (always 0 unless ``invalid_utf8="replace"``)."""
    if file.invalid_utf8 != "replace":
        return 0
    return _decode(file)[1]


def read_plain_text(path: Path) -> str:
    """One text file, outside any corpus (``harness diff``): same checks and errors."""
    return read_text(CorpusFile(path, unicode_text(path), unicode_text(path.name)))
