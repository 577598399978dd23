"""What every command shares: the project folder, clean errors, progress.

Without typer (``harness.cli.echo``): ``harness run NAME`` is called without the app
(``harness.cli.direct``), and imports only what its command needs. The options the
commands share are typer's, in ``harness.cli.options``.
"""

from __future__ import annotations

import errno
import functools
import time
import os
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

from harness.cli.echo import echo
from harness.cli.entry import EXIT_INTERRUPTED, exit_interrupted, raise_if_interrupted
from harness.errors import HarnessError, InputError
from harness.outputs import write_output
from harness.safetext import json_printable, printable

if TYPE_CHECKING:
    from rich.console import Console

    from harness.project import Project  # the result store and polars: imported by the commands that use a project

P = ParamSpec("P")
R = TypeVar("R")

@functools.cache
def err_console() -> Console:
    """stderr as rich sees it, made on first use: a command without progress (`harness
    diff`) loads no rich."""
    from rich.console import Console

    return Console(stderr=True)


def stderr_is_terminal() -> bool:
    """``err_console().is_terminal``, without importing rich (about 25 ms) when the
    answer is plainly no: stderr is not a terminal and neither of the variables rich
    reads before asking it (``TTY_COMPATIBLE``, ``FORCE_COLOR``) is set. A run in a
    script, a pipe or a benchmark then loads no rich at all."""
    if "TTY_COMPATIBLE" not in os.environ and "FORCE_COLOR" not in os.environ and not _is_a_tty(sys.stderr):
        return False
    return err_console().is_terminal


def _is_a_tty(stream: object) -> bool:
    """``stream.isatty()``, False without the method or on a closed stream (as rich reads it)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:
        return False


def environment_error(exc: OSError) -> InputError:
    """An OSError as the harness's one line: ``FILE: <what the system said>``."""
    what = exc.strerror or str(exc) or type(exc).__name__
    name = exc.filename
    where = os.fsdecode(name) if isinstance(name, str | bytes | os.PathLike) else None
    return InputError(what, where=where, hint="check the path and its permissions")


def project_at(path: Path | None) -> Project:
    """``--project DIR`` as given, or the project found from the working folder up."""
    from harness.project import Project, find_project

    return find_project(Path.cwd()) if path is None else Project(path.resolve())


def emit(text: str, output: Path | None, inputs: list[Path]) -> None:
    """Print ``text``, or write it to ``output`` (never onto one of ``inputs``)."""
    if output is None:
        echo(text, nl=False)
    else:
        write_output(output, text.encode("utf-8"), inputs=inputs)


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a library error into one line on stderr and its exit code: no traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HarnessError as exc:
            echo(f"error: {exc.one_line()}", err=True)
            raise SystemExit(exc.exit_code) from None  # through typer (click lets it pass) or not
        except BrokenPipeError:
            raise  # stdout closed by the reader (`| head`): typer exits quietly
        except OSError as exc:
            # The safety net for a file problem the library did not name itself
            # (a folder or device where a file was expected, a permission): still
            # one line, naming the file, never a traceback.
            line = environment_error(exc)
            echo(f"error: {line.one_line()}", err=True)
            raise SystemExit(line.exit_code) from None

    return wrapper


class Work:
    """What long work tells its progress display: the stage it is in, and counts."""

    def __init__(self, label: str, unit: str) -> None:
        self.label, self.unit = label, unit
        self.done = 0
        self.total: int | None = None
        self.stage_text = ""
        self.summary: str | None = None  # the closing line, when the command has a better one
        self.started = time.monotonic()
        self._listeners: list[Callable[[], None]] = []

    def stage(self, text: str) -> None:
        self.stage_text = text
        self._changed()

    def count(self, done: int, total: int | None = None) -> None:
        """``done`` of ``total`` units finished (``total`` None: unknown, e.g. streaming)."""
        self.done = done
        if total is not None:
            self.total = total
        self._changed()

    def step(self, stage: str) -> None:
        """A stage after the first one finished: counts stages (the run and verify callbacks)."""
        if self.stage_text:
            self.done += 1
        self.stage(stage)

    def _changed(self) -> None:
        raise_if_interrupted()  # a checkpoint: a Ctrl-C swallowed on its way stops the work here
        for listener in self._listeners:
            listener()

    def done_line(self) -> None:
        """The closing line on stderr (see ``progress``; called by the command itself
        with ``deferred``, once its output is written)."""
        echo(printable(self.closing_line(time.monotonic() - self.started)), err=True)

    def closing_line(self, seconds: float) -> str:
        if self.summary is not None:
            return f"{self.summary} in {seconds:.1f} s"
        counted = f"{self.done:,} of {self.total:,}" if self.total is not None and self.done != self.total else f"{self.done:,}"
        one = counted == "1"  # "1 document", but "1 of 2 documents"
        unit = self.unit[:-1] if one and self.unit.endswith("s") else self.unit
        return f"{self.label}: {counted} {unit} in {seconds:.1f} s"


@contextmanager
def progress(label: str, unit: str, total: int | None = None, *, deferred: bool = False) -> Iterator[Work]:
    """Progress of long work on stderr, never on stdout (which carries the data).

    On a terminal: a transient bar with counts, elapsed time and an estimate of
    the time left (a spinner while the total is unknown). Elsewhere (a pipe, a
    log): one line once the work has finished, e.g. "score: 2,225 documents in
    14.2 s". Nothing is printed when the work fails: the error line is the news.
    With ``deferred`` the command prints the line itself (``Work.done_line``) after
    writing its output, which can still fail.
    """
    raise_if_interrupted()  # a checkpoint (see Work._changed)
    work = Work(printable(label), unit)
    work.total = total
    if stderr_is_terminal():
        with _bar(work):
            yield work
    else:
        yield work
    if not deferred:
        work.done_line()


@contextmanager
def _bar(work: Work) -> Iterator[None]:
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(escape(work.unit)),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    # stdout is left alone: rich would otherwise print it above the bar, on stderr.
    with Progress(*columns, console=err_console(), transient=True, redirect_stdout=False) as bar:
        task = bar.add_task(escape(work.label), total=work.total)

        def show() -> None:
            # The description is rich markup: the text must not be read as markup.
            description = f"{work.label}: {work.stage_text}" if work.stage_text else work.label
            bar.update(task, description=escape(printable(description)), completed=work.done, total=work.total)

        work._listeners.append(show)
        yield


def print_json(value: Any) -> None:
    echo(json_printable(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)))


def end_called_command(command: Callable[..., object], values: Mapping[str, Any]) -> NoReturn:
    """``command(**values)`` for a command line read without typer
    (``harness.cli.run_start.direct_run``), ended as ``HarnessGroup.main`` ends a
    command that typer called: exit 0, the code of the ``SystemExit`` that ends a
    library error's one line (``clean_errors``), exit 130 and its line on Ctrl-C,
    exit 1 and nothing more when the reader of stdout has gone (as typer)."""
    try:
        command(**values)
    except SystemExit as ended:
        code = ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
    except KeyboardInterrupt:
        exit_interrupted()
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        code = 1  # what is still buffered is dropped as the process ends (entry._leave_without_finalizing)
    else:
        code = 0
    if code == EXIT_INTERRUPTED:
        exit_interrupted()
    sys.exit(code)
