"""``harness run``: run experiments and store their results.

A plain ``harness run NAME`` does not need the app: ``harness.cli.run_start.run_arguments``
reads that line by the command's table of options, and ``harness.cli.direct`` calls
the command here (``run_directly``), without typer building every command of the app and
checking every value through pydantic (about 80 ms of every run, before any step), and
without typer itself (about 40 ms more: see ``harness.cli.echo``). So this module imports
only what the command needs; the result listing's modules load for ``--json`` alone.
The full app (``harness.cli.app``) declares the same command with its typer options
(``run_command``), which calls ``run_named``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from harness.cli import terminal
from harness.cli.common import clean_errors, end_called_command, print_json, progress, project_at
from harness.cli.echo import echo
from harness.engines import EngineName, check_engine, open_engine
from harness.errors import NotFoundError
from harness.experiments import load_catalogue
from harness.run import run_experiment

if TYPE_CHECKING:
    from harness.project import Project
    from harness.results.store import StoredResult

__all__ = ["experiment_names", "run_directly", "run_named", "shown_path"]


def run_named(
    name: str | None = None,
    all_: bool = False,
    engine: EngineName | None = None,
    ray_address: str | None = None,
    as_json: bool = False,
    project: Path | None = None,
) -> None:
    """`harness run`: the experiment ``name`` (or every one, ``all_``) run and stored."""
    proj = project_at(project)
    catalogue = load_catalogue(proj.experiments_dir)
    names = experiment_names(proj, name, all_)
    engines = {exp_name: engine or catalogue.get(exp_name).engine for exp_name in names}
    _check_engines(set(engines.values()), ray_address)
    stored_results: list[dict[str, object]] = []
    for exp_name in names:
        experiment = catalogue.get(exp_name)
        notices: list[str] = []  # printed after the spinner is gone
        with open_engine(engines[exp_name], address=ray_address) as chosen:
            # One count per step, and one for storing the result.
            with progress(f"run {exp_name}", "steps", total=len(experiment.steps) + 1) as work:
                stored = run_experiment(experiment, proj, progress=work.step, engine=chosen, notice=notices.append)
                work.count(len(experiment.steps) + 1)
        for notice in notices:
            terminal.warn(notice)
        if as_json:
            stored_results.append(_stored_json(stored, proj))
        else:
            echo(terminal.line(f"{stored.ref}  {stored.path.relative_to(proj.root)}"))
    if as_json:  # one JSON document, printed once every experiment has run
        print_json(stored_results)


def run_directly(values: dict[str, Any]) -> NoReturn:
    """``run_named(**values)``, its errors turned into one line as the app's command
    turns them (``clean_errors``), ended as the app ends a command: for a command line
    already read in full (``harness.cli.run_start.run_arguments``)."""
    end_called_command(clean_errors(run_named), values)


def experiment_names(proj: Project, name: str | None, all_: bool) -> list[str]:
    """The experiments a command is asked for: ``name`` (which must exist) or, with
    ``all_``, every experiment of the project."""
    catalogue = load_catalogue(proj.experiments_dir)
    if all_:
        return catalogue.names()
    if name is None:
        raise NotFoundError("name an experiment or pass --all", hint="see `harness list`")
    catalogue.get(name)
    return [name]


def shown_path(path: Path, root: Path) -> str:
    """A written file, relative to the project when it is inside it."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _stored_json(stored: StoredResult, proj: Project) -> dict[str, object]:
    """A result just stored, for `run --json`: the `results --json` keys plus its folder."""
    from harness.results.browse import listed_row

    row = listed_row(stored, latest=True).to_json()
    row["path"] = shown_path(stored.path, proj.root)
    return row


def _check_engines(engines: set[EngineName], ray_address: str | None) -> None:
    """Before any experiment runs: the engines they use can start (see ``check_engine``)."""
    if ray_address is not None and "ray" not in engines:
        check_engine("local", address=ray_address)  # refuses the address: no experiment uses Ray
    if "ray" in engines:
        check_engine("ray", address=ray_address)
