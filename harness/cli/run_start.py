"""`harness run NAME` read before the app is imported: its diff workers started early,
and the command called without the typer app.

A run that compares copies (a ``wire_diff`` step) hands the diff's first work, the
furniture pass over every article, to worker processes while discovery runs here
(``harness.wirediff.pairwork.prestart_workers``). A worker spends about 0.3 s of a
core starting (Python, the diff's modules, its rules). Started by the run itself, it
is ready only after discovery has ended on 500 articles, and this process does most
of the furniture pass alone. ``harness.cli.entry`` calls ``start_run_workers_early``
before it imports the typer app and the steps (about 0.4 s of one core while the
other idles), so the worker is ready first.

It reads the command line by the table below and starts nothing unless it is sure:
another command, ``--all``, ``--help``, another engine (the option or the experiment's
``engine``), an option it does not know, an experiment it cannot read or without a
``wire_diff`` step, or a corpus under ``DIFF_WORKERS_FROM_BYTES`` leave the start to
the run (the same pool either way: ``harness.engines.worker_start.DIFF_EARLY``). A
wrong guess only wastes a start: the step stops a pool it does not need, and the
process stops one nobody took when it ends.

The same reading gives the command's arguments in full (``run_arguments``), so such a
line is run by calling the command (``direct_run``): typer would build every command
of the app and check every value through pydantic (about 80 ms) to find the
same name and folder. Any line read otherwise goes to the app, which says what is
wrong with it.

This module imports only the standard library, ``harness.cli.early_args`` and
``harness.project``.
``tests/test_run_start.py`` checks the table against the `run` command's options, and
that typer reads the same arguments from any line read here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from harness.cli.early_args import read_command

TYPE_CHECKING = False  # not typing's: importing typing would delay the early start (harness/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = [
    "DIFF_WORKERS_FROM_BYTES",
    "RUN_FLAGS",
    "RUN_OPTIONS_WITH_VALUES",
    "direct_run",
    "run_arguments",
    "run_target",
    "start_diff_workers_for_run",
    "start_run_workers_early",
]

# Every option of `harness run` that takes a value, and every flag (no value).
RUN_OPTIONS_WITH_VALUES = frozenset({"--engine", "--ray-address", "--project", "-C"})
RUN_FLAGS = frozenset({"--all", "--json"})

# Bytes of corpus that almost always hold the articles from which the run itself would
# start the workers (pairwork.EARLY_START_ARTICLES, 200): news articles run from about
# 1 to 5 kB of text each.
DIFF_WORKERS_FROM_BYTES = 600_000

DIFF_STEP = "wire_diff"
DISCOVERY_STEP = "discover_pairs"


def run_arguments(args: Sequence[str]) -> dict[str, Any] | None:
    """The `run` command's arguments (``harness.cli.run.run_named``'s keywords, as
    typer would give them) when ``args`` is ``harness run NAME`` of one experiment on
    this machine, read in full; None for any other command line, or one not understood."""
    read = read_command(args, "run", with_values=RUN_OPTIONS_WITH_VALUES, flags=RUN_FLAGS)
    if read is None:
        return None
    names, values = read
    if len(names) != 1 or "--all" in values or "--ray-address" in values:
        return None
    if values.get("--engine", "local") != "local" or ("-C" in values and "--project" in values):
        return None  # both spellings of the folder: which one typer keeps is its to say
    project = values.get("--project", values.get("-C"))
    return {
        "name": names[0],
        "all_": False,
        "engine": values.get("--engine"),
        "ray_address": None,
        "as_json": "--json" in values,
        "project": Path(project) if project is not None else None,
    }


def run_target(args: Sequence[str]) -> tuple[Path | None, str] | None:
    """(the --project folder or None, the experiment name) of ``harness run NAME`` on this
    machine (``run_arguments``); None for any other command line, or one not understood."""
    values = run_arguments(args)
    return None if values is None else (values["project"], values["name"])


def direct_run(args: Sequence[str]) -> Callable[[], object] | None:
    """``harness run NAME`` read in full (``run_arguments``): the command itself, to call
    instead of the typer app, with its module imported (``harness.cli.run``: the heavy
    imports, made here as ``harness.cli.entry`` makes the app's); None: the app reads
    the line."""
    values = run_arguments(args)
    if values is None:
        return None
    from harness.cli.run import run_directly

    return lambda: run_directly(values)


def _experiment(folder: Path, name: str) -> dict[str, Any] | None:
    """The experiment file's table whose ``name`` is ``name`` (a file that cannot be read
    is passed over: loading the catalogue reports it)."""
    import tomllib  # about 7 ms: only for `harness run NAME`, not for every command line

    for path in sorted(folder.glob("*.toml")):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if table.get("name") == name:
            return table
    return None


def _bytes_at_least(path: Path, enough: int) -> bool:
    """Whether the file, or the files under the folder, hold ``enough`` bytes (a folder
    is walked only until they do)."""
    if path.is_file():
        return path.stat().st_size >= enough
    total = 0
    for folder, _, files in os.walk(path):
        for file in files:
            try:
                total += os.stat(os.path.join(folder, file)).st_size
            except OSError:
                continue
            if total >= enough:
                return True
    return False


def start_diff_workers_for_run(project: Path | None, name: str) -> bool:
    """Start the diff's workers now (True: started) when the experiment ``name`` of the
    project (``project``, else found from the working folder up) runs locally, compares
    copies and reads at least ``DIFF_WORKERS_FROM_BYTES`` of corpus."""
    from harness.errors import HarnessError
    from harness.project import Project, find_project

    try:
        root = find_project(Path.cwd()) if project is None else Project(project.resolve())
        experiment = _experiment(root.experiments_dir, name)
        if experiment is None or experiment.get("engine", "local") != "local":
            return False
        steps = experiment.get("steps")
        corpus = experiment.get("corpus")
        if not isinstance(steps, list) or not isinstance(corpus, dict) or not isinstance(corpus.get("path"), str):
            return False
        if not any(isinstance(step, dict) and step.get("use") == DIFF_STEP for step in steps):
            return False
        corpus_path = root.resolve(corpus["path"])
        if not _bytes_at_least(corpus_path, DIFF_WORKERS_FROM_BYTES):
            return False
    except (HarnessError, OSError, ValueError):
        return False  # the command says what is wrong, as it would have
    from harness.engines.worker_start import DIFF_EARLY, DIFF_WORD_HASHES, available_cores, start_diff_early

    workers = available_cores() - 1  # this process compares pairs too
    if not start_diff_early(workers, fork=True):  # this process is still small: see fork_is_safe
        return False
    if _worker_reads(corpus, corpus_path):
        # Their first work: the furniture pass, each worker reading the file itself
        # (harness.wirediff.pairwork.furniture_from_file), while this process imports
        # polars and the steps and reads the corpus; then the first articles prepared
        # for the pairs. The step takes them if the rows are its own.
        DIFF_EARLY.hand(*FILE_PASS, [(str(corpus_path), _least_articles(steps))])
        if any(isinstance(step, dict) and step.get("use") == DISCOVERY_STEP for step in steps):
            # Then the bodies' word hashes for discovery (harness.steps.discovery), which
            # this process would make after its imports, while the pairs wait for them.
            DIFF_EARLY.hand(*DIFF_WORD_HASHES, [()])
        DIFF_EARLY.hand(*FILE_AHEAD, [(first, AHEAD_TASK_ARTICLES) for first in range(0, AHEAD_ARTICLES, AHEAD_TASK_ARTICLES)])
    return True


# What the diff workers read from the corpus file themselves, by name (the diff is not
# imported here), and which files: harness.wirediff.pairwork's values (a test checks).
FILE_PASS = ("harness.wirediff.pairwork", "furniture_from_file")
FILE_AHEAD = ("harness.wirediff.pairwork", "prepare_ahead_from_file")
FILE_PASS_SUFFIXES = (".jsonl", ".ndjson")
FILE_PASS_MAX_BYTES = 16_000_000
AHEAD_ARTICLES = 256
AHEAD_TASK_ARTICLES = 16


def _least_articles(steps: list[Any]) -> int | None:
    """The wire_diff step's ``furniture_min_articles`` when the experiment sets it as a
    number (None: the step's default; a value it refuses: the step says so, and the
    furniture learned for another value is not used)."""
    for step in steps:
        if isinstance(step, dict) and step.get("use") == DIFF_STEP:
            settings = step.get("settings")
            value = settings.get("furniture_min_articles") if isinstance(settings, dict) else None
            return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
    return None


def _worker_reads(corpus: dict[str, Any], path: Path) -> bool:
    """Whether a diff worker reads this corpus itself: one JSON Lines file named by
    ``path`` alone (no outlets or doc ids chosen, no columns mapped, bad UTF-8 refused)."""
    try:
        return set(corpus) == {"path"} and path.suffix.lower() in FILE_PASS_SUFFIXES and (
            path.is_file() and path.stat().st_size <= FILE_PASS_MAX_BYTES
        )
    except OSError:
        return False


def start_run_workers_early(args: Sequence[str]) -> None:
    """``harness ARGS``: start the diff's workers now if it is a `run` that will use them."""
    found = run_target(args)
    if found is not None:
        start_diff_workers_for_run(*found)
