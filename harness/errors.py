"""Errors a researcher can act on.

Library code raises a :class:`HarnessError` subclass for every user mistake (bad
file, bad experiment, unknown result). The CLI turns it into one line on stderr
and an exit code, never a traceback. Each error says where (file, line or record),
what is wrong, and what to do.
"""

from __future__ import annotations

from pathlib import Path

from harness.safetext import printable, unicode_text

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


class HarnessError(Exception):
    """Base class: a problem with the user's input or environment, not a bug."""

    exit_code = EXIT_BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        where: str | Path | None = None,
        hint: str | None = None,
    ) -> None:
        # File names that are not UTF-8 (and lone surrogates from JSON escapes) are
        # escaped: the line must print on any terminal and encode as UTF-8.
        self.message = unicode_text(message)
        self.where = unicode_text(where) if where is not None else None
        self.hint = unicode_text(hint) if hint is not None else None
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``where: message (hint)``: the single line the CLI prints.

        File names and values in it come from the input: a newline or a terminal
        escape sequence in them is shown as an escape, so the line stays one line.
        """
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class InputError(HarnessError):
    """A corpus, text or data file that cannot be read as asked."""


class ConfigError(HarnessError):
    """An experiment file, style sheet or lexicon that is malformed."""


class NotFoundError(HarnessError):
    """An experiment, result or file that does not exist."""


class UsageError(HarnessError):
    """Options that do not fit together."""


class StoreError(HarnessError):
    """The result store cannot be written or read safely."""


class CheckFailed(HarnessError):
    """A check ran and found differences (``verify``): exit code 1."""

    exit_code = EXIT_CHECK_FAILED


def at(path: str | Path, line: int | None = None, record: int | str | None = None) -> str:
    """Format a location: ``file``, ``file:line`` or ``file record N``."""
    text = str(path)
    if line is not None:
        text += f":{line}"
    if record is not None:
        text += f" record {record}"
    return text
