"""Untrusted values on the terminal: text, never markup or escape sequences.

A headline, a doc id or an outlet name may hold ``[bold]`` or
``[link=javascript:...]`` (rich reads a plain string as console markup, and
``:name:`` as an emoji code) or an ESC sequence (the terminal obeys it). Every
value a command shows in a rich table goes through :func:`cell`: a
:class:`rich.text.Text` (never parsed as markup) of the value with its control
characters shown as escapes (:func:`harness.safetext.printable`). Plain lines go
through :func:`line`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from harness.cli.echo import echo
from harness.safetext import json_printable, printable

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

# rich and the reports' cell format are imported by the functions that make tables:
# a command that prints lines or JSON (`harness diff`) loads neither.


def cell(value: object) -> Text:
    """One table cell: formatted like the reports (nulls blank), as inert text."""
    from rich.text import Text

    from harness.reports.blocks import format_cell

    return Text(printable(format_cell(value)))


def table(columns: Sequence[object], rows: Iterable[Sequence[object]], *, title: object = None) -> Table:
    """A rich table whose title, headers and cells are all inert text."""
    from rich.table import Table

    out = Table(title=cell(title) if title is not None else None)
    for column in columns:
        out.add_column(cell(column))
    for row in rows:
        out.add_row(*(cell(value) for value in row))
    return out


def line(text: object) -> str:
    """One line of plain output (a warning, a path): control characters as escapes."""
    return printable(text)


def warn(text: object) -> None:
    """``warning: <text>`` on stderr, one line."""
    echo(f"warning: {printable(text)}", err=True)


def json_text(text: str) -> str:
    """JSON made by ``json.dumps(..., ensure_ascii=False)``, safe for a terminal."""
    return json_printable(text)


def lines(text: str) -> str:
    """Several lines of plain output (a citation): each line made safe, line breaks kept."""
    return "\n".join(printable(part) for part in text.split("\n"))
