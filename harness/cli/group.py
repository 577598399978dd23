"""The root command group: every way a command can end, as one line.

Click and typer print usage errors as a framed box of five lines, and turn Ctrl-C
into "Aborted!" or a silent exit. The harness's rule is one line on stderr for
every error, with the exit codes of :mod:`harness.errors`:

- a usage error (missing argument, unknown option or command, bad choice):
  ``error: <what> (see `harness CMD --help`)``, exit 2;
- an interrupt: ``interrupted; nothing stored``, exit 130 (see ``harness.cli.entry``).

A command called without the app ends the same way (``harness.cli.common.end_called_command``).

``--help`` and a bare ``harness`` (which shows the help) work as before.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from harness.cli.entry import EXIT_INTERRUPTED, exit_interrupted, version_line
from harness.errors import EXIT_BAD_INPUT


def usage_line(exc: typer.TyperException, fallback: str = "harness") -> str:
    """The one line for a command-line error: its message (on one line) and where to look.

    ``fallback`` names the command when the error carries no context (an option
    missing its value is found before the command's context exists).
    """
    message = " ".join(exc.format_message().split())
    message = message.replace("Value error, ", "")  # typer's wording for a bad choice
    command = getattr(getattr(exc, "ctx", None), "command_path", None) or fallback
    return f"error: {message} (see `{command} --help`)"


def _is_help_request(exc: typer.TyperException) -> bool:
    # `harness` or `harness corpus` alone: the help is the answer, not an error.
    # Matched by name, as typer itself does: the class lives in typer's private click copy.
    return type(exc).__name__ == "NoArgsIsHelpError"


# A help line that starts its own line: a list item or an indented block.
_KEEP_LINE = re.compile(r"^(\s|[-*] )")
_LIST_TYPE = re.compile(r"^<list\[(.*)\]>$")


def reflow(help_text: str) -> str:
    """A docstring's paragraphs each on one line, so the help is wrapped at word
    boundaries to the terminal's width (typer keeps single line breaks, and rich
    then wraps each source line again: "column suffixes" / "_narrator")."""
    paragraphs = []
    for paragraph in help_text.strip().split("\n\n"):
        lines: list[str] = []
        for line in paragraph.strip("\n").splitlines():
            if lines and line.strip() and not _KEEP_LINE.match(line):
                lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
            else:
                lines.append(line.strip() if not lines else line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _display_type(param: Any, shown: Any) -> Any:
    """The type column of an option's help: nothing for an on/off flag (it takes no
    value: typer shows ``<bool>``), ``<path>`` for a repeatable ``<list[Path]>``."""

    def display(ctx: Any) -> str | None:
        if getattr(param, "is_flag", False):
            return None
        text = shown(ctx)
        match = _LIST_TYPE.match(text) if isinstance(text, str) else None
        return f"<{match.group(1).lower()}>" if match else text

    return display


def tidy_help(command: Any) -> None:
    """Reflowed help and plain type names for ``command`` and every subcommand.

    Duck-typed: typer carries its own copy of click, whose classes are private."""
    if command.help:
        command.help = reflow(command.help)
    for param in command.params:
        shown = getattr(param, "display_type_rich", None)
        if shown is not None:
            setattr(param, "display_type_rich", _display_type(param, shown))
    _tidy_help_option(command)
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)


def _tidy_help_option(command: Any) -> None:
    """``--help`` too is a flag: click makes its option when help is asked for."""
    make = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make(ctx)
        if option is not None:
            setattr(option, "display_type_rich", lambda ctx: None)
        return option

    setattr(command, "get_help_option", get_help_option)


class HarnessGroup(TyperGroup):
    """The ``harness`` group: click's own error printing replaced by one line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy_help(self)

    def _command_named(self, prog_name: str | None, args: Sequence[str] | None) -> str:
        words = list(sys.argv[1:] if args is None else args)
        prog = prog_name or "harness"
        return f"{prog} {words[0]}" if words and words[0] in self.commands else prog

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:  # a caller that handles click's exceptions itself
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as exc:  # click's errors: usage, bad parameter, no such command
            if _is_help_request(exc):
                typer.echo(exc.format_message(), err=True)
            else:
                typer.echo(usage_line(exc, self._command_named(prog_name, args)), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (typer.Abort, KeyboardInterrupt):
            exit_interrupted()
        if code == EXIT_INTERRUPTED:  # typer turns KeyboardInterrupt into Exit(130)
            exit_interrupted()
        sys.exit(code if isinstance(code, int) else 0)


HELP = "Compare how news outlets frame the same events: named experiments, versioned results."


def harness_app() -> typer.Typer:
    """The ``harness`` group with its own options (``--version``) and no command yet.

    The full app (``harness.cli.app``) adds every command; ``harness diff`` on its own
    gets a group holding only that command (``harness.cli.diff``), which loads no polars.
    """
    app = typer.Typer(
        cls=HarnessGroup,  # one line for usage errors and Ctrl-C
        name="harness",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback(help=HELP)(_options)
    return app


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(version_line())  # `harness --version` alone is answered before any app loads (entry.py)
        raise typer.Exit(0)


def _options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print `harness <version>` and exit.", is_eager=True, callback=_print_version),
    ] = False,
) -> None:
    """Compare how news outlets frame the same events: named experiments, versioned results."""
