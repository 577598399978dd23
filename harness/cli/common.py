"""What every command shares: the project folder, clean errors, progress."""

from __future__ import annotations

import functools
import os
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from harness.errors import HarnessError, InputError
from harness.safetext import json_printable, printable
from harness.project import Project, find_project

P = ParamSpec("P")
R = TypeVar("R")

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-C",
        help="Project folder (holds experiments/, results/, reports/); default: the working folder "
        "or the nearest parent holding experiments/*.toml or stored results/.",
        show_default=False,
    ),
]

err_console = Console(stderr=True)

EngineOption = Annotated[
    Literal["local", "ray"] | None,
    typer.Option("--engine", help="Where batch steps run: local (default, or the experiment's `engine`) or ray."),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option("--ray-address", help="Join this Ray cluster; without it a local Ray starts with this machine's cores."),
]



def environment_error(exc: OSError) -> InputError:
    """An OSError as the harness's one line: ``FILE: <what the system said>``."""
    what = exc.strerror or str(exc) or type(exc).__name__
    name = exc.filename
    where = os.fsdecode(name) if isinstance(name, str | bytes | os.PathLike) else None
    return InputError(what, where=where, hint="check the path and its permissions")


def project_at(path: Path | None) -> Project:
    """``--project DIR`` as given, or the project found from the working folder up."""
    return find_project(Path.cwd()) if path is None else Project(path.resolve())


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a library error into one line on stderr and its exit code: no traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HarnessError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            raise  # stdout closed by the reader (`| head`): typer exits quietly
        except OSError as exc:
            # The safety net for a file problem the library did not name itself
            # (a folder or device where a file was expected, a permission): still
            # one line, naming the file, never a traceback.
            line = environment_error(exc)
            typer.echo(f"error: {line.one_line()}", err=True)
            raise typer.Exit(line.exit_code) from None

    return wrapper


@contextmanager
def progress_line(label: str) -> Iterator[Callable[[str], None]]:
    """A transient spinner that shows the current stage of long work (on stderr).

    Only on a terminal: in a pipe or a log it would leave blank lines behind.
    """
    if not err_console.is_terminal:
        yield lambda stage: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(escape(printable(label)))

        def update(stage: str) -> None:
            # The description column is rich markup: the text must not be read as markup.
            progress.update(task, description=escape(printable(f"{label}: {stage}")))

        yield update


def print_json(value: Any) -> None:
    typer.echo(json_printable(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)))
