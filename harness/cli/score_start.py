"""`harness score`'s workers, started before the command line is even parsed.

A scoring worker spends about half a second of a core importing its modules and
loading its tables. ``harness.cli.entry`` calls ``start_score_workers_early`` before
it imports the typer app (polars, typer, every command: about 0.15 s of one core
while the other idles), so the workers start that much sooner. It reads the command
line by the table below and starts nothing unless it is sure: another command,
``--help``, ``--stream``, another engine, or any option it does not know leaves the
start to ``score`` itself, after typer has parsed the line (``start_workers_for_score``,
the same rule; the pool is started once either way, see
``harness.engines.worker_start.start_early``). A wrong guess only wastes a start:
the scoring code adopts a pool of the size it needs and stops any other.

This module imports only the standard library, ``harness.cli.early_args`` and
``harness.engines.worker_start``.
``tests/test_score_start.py`` checks the table against the `score` command's options.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from harness.cli.early_args import read_command

__all__ = [
    "SCORE_FLAGS",
    "SCORE_OPTIONS_WITH_VALUES",
    "score_inputs",
    "start_score_workers_early",
    "start_workers_for_score",
]

# Every option of `harness score` that takes a value, and every flag (no value).
SCORE_OPTIONS_WITH_VALUES = frozenset(
    {
        "--format", "-f", "--output", "-o", "--lexicon", "--invalid-utf8", "--engine", "--ray-address",
        "--batch-size", "--suite", "--column", "--hits", "--loaded-lexicon",
    }
)  # fmt: skip
SCORE_FLAGS = frozenset({"--stream", "--any-language"})

_STDIN = "-"


def score_inputs(args: Sequence[str]) -> tuple[list[str], str] | None:
    """(the corpus arguments, the suite) of ``harness score ARGS`` when it scores on this
    machine without ``--stream``; None for any other command line, or one not understood."""
    read = read_command(args, "score", with_values=SCORE_OPTIONS_WITH_VALUES, flags=SCORE_FLAGS)
    if read is None:
        return None
    inputs, values = read
    if "--stream" in values or "--ray-address" in values or values.get("--engine", "local") != "local":
        return None
    suite = values.get("--suite", "full")
    return (inputs, suite) if suite in ("full", "core") and inputs else None


def start_workers_for_score(paths: Iterable[Path | str], suite: str) -> None:
    """A large corpus: start the scoring workers (import, load their tables) now, while
    this process goes on with its own imports and reads the corpus. The pools are those
    the scoring code would start: every core for the full scorecard, every core but
    this process's for the core suite. Too small a guess only makes them start later."""
    from harness.engines.worker_start import CORE_WORKERS_FROM_BYTES, WORKERS_FROM_BYTES, available_cores, start_early

    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size if str(path) != _STDIN and os.path.isfile(path) else 0
        except (OSError, ValueError):
            pass  # reading the corpus says what is wrong with it
    if suite == "core":
        if total >= CORE_WORKERS_FROM_BYTES:
            start_early(available_cores() - 1, "harness.scoring.core", "_warm_core_worker")
    elif total >= WORKERS_FROM_BYTES:
        start_early(available_cores(), "harness.scoring.batch", "_warm_worker")


def start_score_workers_early(args: Sequence[str]) -> None:
    """``harness ARGS``: start the workers now if it is a `score` run that will use them."""
    found = score_inputs(args)
    if found is not None:
        start_workers_for_score(*found)
