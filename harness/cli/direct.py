"""Command lines run without the typer app: ``harness run NAME`` and ``harness diff A B``.

Before a command runs, typer builds every command of its app and checks each value
through pydantic, which it imports for the purpose: about 70-80 ms of every command.
That is a quarter of ``harness diff`` on two articles, and what ``harness run`` spends
before its first step. These two lines, which scripts and pipelines run over and
over, are read here by tables of their commands' options (checked against typer's by
tests), and the command is called with what typer would give it, when the whole line
is read and every value is one typer takes as given. Any other line (``--help``, an option not in a table, a
value typer would refuse or has to convert) goes to the app, which reads it and says
what is wrong, as before.

This module imports only the standard library, ``harness.cli.early_args`` and
``harness.cli.run_start``; a command's module is imported once its line is read.
``tests/test_direct.py`` checks that typer reads the same arguments from every line
read here, and that both ways give the same output, error line and exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.cli.early_args import read_command
from harness.cli.run_start import direct_run

TYPE_CHECKING = False  # not typing's: see harness/__init__.py
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["DIFF_FLAGS", "DIFF_OPTIONS", "DIFF_OPTIONS_WITH_VALUES", "diff_arguments", "direct_command"]

# Every option of `harness diff` that takes a value (its keyword in diff_command), and
# every flag (none). A value typer converts (a choice) is taken only as typer takes it.
DIFF_OPTIONS = {
    "--a-outlet": "a_outlet",
    "--b-outlet": "b_outlet",
    "--format": "format",
    "-f": "format",
    "--styles": "styles_dir",
    "--output": "output",
    "-o": "output",
    "--a-style": "a_style",
    "--b-style": "b_style",
    "--invalid-utf8": "invalid_utf8",
}
DIFF_OPTIONS_WITH_VALUES = frozenset(DIFF_OPTIONS)
DIFF_FLAGS: frozenset[str] = frozenset()
_CHOICES = {"format": ("text", "json", "html"), "invalid_utf8": ("error", "replace")}
_PATHS = frozenset({"styles_dir", "output", "a_style", "b_style"})
DEFAULT_STYLES = "experiments/styles"


def direct_command(args: Sequence[str]) -> Callable[[], object] | None:
    """The command of this line, to call instead of the typer app, with its module
    imported; None: the app reads the line."""
    if args[:1] == ["run"]:
        return direct_run(args)
    values = diff_arguments(args)
    if values is None:
        return None
    from harness.cli.diff_files import diff_directly

    return lambda: diff_directly(values)


def diff_arguments(args: Sequence[str]) -> dict[str, Any] | None:
    """``diff_command``'s arguments, as typer gives them, for ``harness diff A B`` read
    in full; None for any other line, or one not understood."""
    read = read_command(args, "diff", with_values=DIFF_OPTIONS_WITH_VALUES, flags=DIFF_FLAGS)
    if read is None:
        return None
    files, given = read
    if len(files) != 2 or not all(files):
        return None  # typer says what is missing (or makes "" a path)
    values: dict[str, Any] = {
        "a": Path(files[0]), "b": Path(files[1]), "a_outlet": None, "b_outlet": None, "format": "text",
        "styles_dir": Path(DEFAULT_STYLES), "output": None, "a_style": None, "b_style": None, "invalid_utf8": "error",
    }
    by_keyword: dict[str, str] = {}
    for option, value in given.items():
        keyword = DIFF_OPTIONS[option]
        if keyword in by_keyword:
            return None  # two spellings of one option: which one typer keeps is its to say
        by_keyword[keyword] = value
    for keyword, value in by_keyword.items():
        if keyword in _CHOICES and value not in _CHOICES[keyword]:
            return None  # typer refuses it, or folds its case
        if keyword in _PATHS and not value:
            return None
        values[keyword] = Path(value) if keyword in _PATHS else value
    return values
