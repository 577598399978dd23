"""What the tests of the command line share: a command as typer builds it, what typer
reads from a line, its options as tables, and a command run as a user runs it that must
be refused with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typing import Any

import typer
import typer.core
import typer.main
from typer._click.exceptions import UsageError  # typer's own copy of click

from harness.cli import app as typer_app

ROOT = Path(__file__).resolve().parents[1]


def typer_command(name: str) -> typer.core.TyperCommand:
    """The command ``name`` of the full app, as typer builds it."""
    group = typer.main.get_command(typer_app)
    assert isinstance(group, typer.core.TyperGroup)
    command = group.commands[name]
    assert isinstance(command, typer.core.TyperCommand)
    return command


def typer_reads(name: str, args: list[str]) -> dict[str, Any] | None:
    """The arguments typer gives the command ``name`` for its arguments ``args`` (those
    after its name), or None when typer refuses the line. A line that would only print
    the help fails the calling test: the readings ahead of typer never take one."""
    try:
        context = typer_command(name).make_context(name, list(args), resilient_parsing=False)
    except typer.Exit:
        raise AssertionError(f"typer would only print help for {args}") from None
    except UsageError:
        return None
    return context.params


def option_tables(name: str) -> tuple[set[str], set[str]]:
    """Every spelling of the command's options that take a value, and of its flags (no --help)."""
    options = [p for p in typer_command(name).params if isinstance(p, typer.core.TyperOption)]
    with_values = {spelling for p in options if not p.is_flag for spelling in p.opts}
    flags = {spelling for p in options if p.is_flag for spelling in p.opts} - {"--help"}
    return with_values, flags


def refused_with_one_line(args: list[str]) -> str:
    """Run ``python -m harness ARGS`` from the checkout in a fresh process: it must end
    with exit 2 and one line on stderr, no traceback (and not wait on any worker it
    started: the timeout). The line."""
    done = subprocess.run(
        [sys.executable, "-m", "harness", *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2, done.stderr
    lines = [text for text in done.stderr.splitlines() if text.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]
