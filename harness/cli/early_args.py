"""A command's arguments read before typer is imported, by a table of its options.

``harness.cli.score_start`` and ``harness.cli.run_start`` start worker processes
before the app is imported, when the command line says they will be needed, and
``harness.cli.direct`` calls a command without the app when its line is read in full.
Each reads its command's line with ``read_command`` and the command's own tables of
options (checked against typer's by tests), and gives up on anything it is not sure
of: typer reads the line then, and says what is wrong with it.

This module imports only the standard library.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["read_arguments", "read_command"]


def read_command(
    args: Sequence[str], command: str, *, with_values: frozenset[str], flags: frozenset[str]
) -> tuple[list[str], dict[str, str]] | None:
    """``read_arguments`` of a command line (the arguments after ``harness``) that is
    ``command``'s; None for another command's, or one not understood."""
    if not args or args[0] != command:
        return None
    return read_arguments(args[1:], with_values=with_values, flags=flags)


def read_arguments(
    args: Sequence[str], *, with_values: frozenset[str], flags: frozenset[str]
) -> tuple[list[str], dict[str, str]] | None:
    """(the positional arguments, {option: value}) of a command's arguments (those after
    its name), flags with the value ""; None for a line not understood: ``--help``, an
    option not in the tables, a short option with its value attached, a value missing.

    An option given twice keeps its last value, as typer does; ``--name=value`` and
    ``--name value`` are the same, and everything after ``--`` is positional."""
    positional: list[str] = []
    values: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            positional.extend(rest)
            break
        if arg == "-" or not arg.startswith("-"):
            positional.append(arg)  # "-" is standard input
            continue
        name, equals, value = arg.partition("=")
        if name in flags and not equals:
            values[name] = ""
        elif name in with_values and name.startswith("--") and equals:
            values[name] = value
        elif arg in with_values:
            following = next(rest, None)
            if following is None:
                return None
            values[arg] = following
        else:
            return None  # --help, a short option with its value attached, a typo: typer's to read
    return positional, values
