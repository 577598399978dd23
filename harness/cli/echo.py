"""A line of output as typer (click) prints it, without importing typer.

``harness run NAME`` and ``harness diff A B`` are called without the typer app
(``harness.cli.direct``); importing typer (its copy of click with it) was about
40 ms of every such command, before its first step. The commands and their
helpers (``harness.cli.common``, ``harness.cli.terminal``) print through
:func:`echo` instead, which writes a ``str`` as ``typer.echo`` does: to stdout or
stderr (nothing when there is none), ANSI escape sequences removed when the
stream is not a terminal, UTF-8 (bad characters replaced) where the stream was
opened as ASCII, then flushed. ``tests/test_cli_echo.py`` compares the two.

This module imports only the standard library.
"""

from __future__ import annotations

import re
import sys
from typing import IO, Any

__all__ = ["echo"]

# click's own pattern for the escape sequences it strips (click._compat._ansi_re).
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``typer.echo(message, err=err, nl=nl)`` for a ``str`` message."""
    stream: IO[Any] | None = sys.stderr if err else sys.stdout
    if stream is None:  # no standard stream to write to (pythonw)
        return
    out = message + "\n" if nl else message
    if not out:
        stream.flush()
        return
    if not _is_a_terminal(stream):
        out = _ANSI.sub("", out)
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _is_ascii(getattr(stream, "encoding", None) or "ascii"):
        # click re-opens a stream opened as ASCII (a misconfigured locale) as UTF-8,
        # replacing what cannot be encoded, rather than failing on a non-ASCII letter.
        stream.flush()
        buffer.write(out.encode("utf-8", "replace"))
        buffer.flush()
        return
    stream.write(out)
    stream.flush()


def _is_a_terminal(stream: IO[Any]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


def _is_ascii(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False
