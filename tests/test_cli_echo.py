"""``harness.cli.echo.echo`` writes what ``typer.echo`` writes, without importing typer.

The commands called without the typer app (``harness run NAME``, ``harness diff A B``)
print through it; the app's other commands through typer. Both must give the same
bytes: on a pipe (escape sequences removed), on a terminal (kept), on a stream
opened as ASCII (UTF-8, what cannot be encoded replaced), and with no stream at all.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.cli.echo import echo

ESCAPES = ["\x1b[1m", "\x1b[0m", "\x1b[31;1m", "\x1b[?25l", "\x1b[", "\x1b"]
messages = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(ESCAPES)), max_size=6).map("".join)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _written(
    write: Callable[..., None], message: str, err: bool, nl: bool, make: Callable[[], io.TextIOBase],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[str | bytes, str | bytes]:
    out, error = make(), make()
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", error)
        write(message, err=err, nl=nl)
    return _contents(out), _contents(error)


def _contents(stream: io.TextIOBase) -> str | bytes:
    if isinstance(stream, io.TextIOWrapper):
        stream.flush()
        raw = stream.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue()
    assert isinstance(stream, io.StringIO)
    return stream.getvalue()


def _ascii() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="ascii")


@settings(max_examples=300, deadline=None)
@given(messages, st.booleans(), st.booleans(), st.sampled_from([io.StringIO, Terminal, _ascii]))
def test_echo_writes_what_typer_echo_writes(
    message: str, err: bool, nl: bool, make: Callable[[], io.TextIOBase]
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        ours = _written(echo, message, err, nl, make, monkeypatch)
        typers = _written(typer.echo, message, err, nl, make, monkeypatch)
    assert ours == typers


def test_escape_sequences_go_on_a_pipe_and_stay_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _written(echo, "\x1b[1mbold\x1b[0m", False, True, io.StringIO, monkeypatch) == ("bold\n", "")
    assert _written(echo, "\x1b[1mbold\x1b[0m", True, False, Terminal, monkeypatch) == ("", "\x1b[1mbold\x1b[0m")
    assert _written(echo, "café – naïve", False, True, _ascii, monkeypatch) == ("café – naïve\n".encode(), b"")


def test_no_stream_is_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    echo("nowhere")  # pythonw: no standard streams
    typer.echo("nowhere")
