"""The report document model: blocks that render to Markdown and to HTML.

All escaping happens here, once: article text, outlet names and experiment
fields may contain ``<script>``, HTML entities or Markdown syntax, and a report
must show them as text. Every text a block puts into Markdown goes through
:func:`md_escape` (or :func:`md_cell` inside a table row); :class:`Code` is
fenced so that no line of its text can close the fence. Step report sections
return a list of blocks and never write markup themselves (except
:class:`TrustedHtml`, for HTML fragments built by our own escaping renderers;
its Markdown side is plain text, escaped here).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import polars as pl

# Inline markup characters; block markup (#, >, -, +, "1.") only matters at the
# start of a line, and every escaped text is a single line.
_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+)([.)]?)")
_BACKTICKS = re.compile(r"`+")


def _escape_line_start(m: re.Match[str]) -> str:
    indent, lead, dot = m.groups()
    if lead.isdigit():  # "1." starts a list only with its dot
        return indent + lead + ("\\" + dot if dot else "")
    return indent + "\\" + lead + dot


def md_cell(text: str) -> str:
    """Escape text for inside a line (a table cell): inline markup and HTML only."""
    escaped = _MD_INLINE.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_escape(text: str) -> str:
    """Escape a whole line of text: inline markup, HTML, and block markup at its start."""
    return _MD_LINE_START.sub(_escape_line_start, md_cell(text))


def h(text: object) -> str:
    return html.escape(str(text), quote=True)


class Block(Protocol):
    def markdown(self) -> str: ...

    def html(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 2

    def markdown(self) -> str:
        return f"{'#' * self.level} {md_escape(self.text)}\n"

    def html(self) -> str:
        return f"<h{self.level}>{h(self.text)}</h{self.level}>\n"


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str

    def markdown(self) -> str:
        return md_escape(self.text) + "\n"

    def html(self) -> str:
        return f"<p>{h(self.text)}</p>\n"


@dataclass(frozen=True, slots=True)
class Code:
    """Verbatim text (a citation, a command): fenced in Markdown, <pre> in HTML."""

    text: str

    def markdown(self) -> str:
        # A fence longer than any run of backticks in the text: no line of it can
        # close the block early and turn the rest into Markdown or HTML.
        longest = max((len(run) for run in _BACKTICKS.findall(self.text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"{fence}\n{self.text.rstrip()}\n{fence}\n"

    def html(self) -> str:
        return f"<pre>{h(self.text.rstrip())}</pre>\n"


def format_cell(value: object, digits: int = 3) -> str:
    """One table cell: nulls and NaN are blank (never "N/A"), infinity is "∞" or "−∞",
    floats rounded for reading."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if math.isinf(value):  # an unbounded rate ratio or interval end
            return "∞" if value > 0 else "−∞"
        if value != 0 and abs(value) < 10**-digits:
            return f"{value:.2e}"  # small p-values must not print as 0.000
        return f"{value:.{digits}f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_cell(v, digits) for v in value)
    return str(value)


LONG_TEXT = 40  # characters: a column with longer cells (headlines, context) gets room to wrap


def _column_class(dtype: pl.DataType, cells: list[str]) -> str:
    if dtype.is_numeric():
        return ' class="num"'
    if any(len(cell) > LONG_TEXT for cell in cells):
        return ' class="text"'
    return ""


@dataclass(frozen=True, slots=True)
class Table:
    frame: pl.DataFrame
    caption: str = ""
    max_rows: int | None = None
    digits: int = 3

    def _rows(self) -> list[list[str]]:
        frame = self.frame if self.max_rows is None else self.frame.head(self.max_rows)
        return [[format_cell(v, self.digits) for v in row] for row in frame.iter_rows()]

    def _note(self) -> str:
        if self.max_rows is not None and self.frame.height > self.max_rows:
            return f"First {self.max_rows} of {self.frame.height} rows; the stored table has all."
        return ""

    def markdown(self) -> str:
        head = "| " + " | ".join(md_cell(c) for c in self.frame.columns) + " |"
        rule = "|" + "|".join("---" for _ in self.frame.columns) + "|"
        body = ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in self._rows()]
        parts = [f"*{md_escape(self.caption)}*\n"] if self.caption else []
        parts.append("\n".join([head, rule, *body]) + "\n")
        if self._note():
            parts.append(f"\n{md_escape(self._note())}\n")
        return "\n".join(parts)

    def html(self) -> str:
        caption = f"<caption>{h(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th>{h(c)}</th>" for c in self.frame.columns)
        rows = self._rows()
        classes = [_column_class(dtype, [row[i] for row in rows]) for i, dtype in enumerate(self.frame.dtypes)]
        body = "".join(
            "<tr>" + "".join(f"<td{cls}>{h(cell)}</td>" for cell, cls in zip(row, classes, strict=True)) + "</tr>"
            for row in rows
        )
        note = f'<p class="note">{h(self._note())}</p>' if self._note() else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}\n"


def top_rows(frame: pl.DataFrame, *, by: str, descending: bool, n: int, what: str, table: str) -> Table:
    """A per-article table capped at ``n`` rows, ranked by ``by`` (nulls last), saying so.

    The caption names the rank and the stored table that has every row, so that a
    report stays readable (and small) at any corpus size.
    """
    ranked = frame.sort(by, descending=descending, nulls_last=True, maintain_order=True)
    order = "highest" if descending else "lowest"
    if frame.height > n:
        caption = f"{what}: the {n} of {frame.height} with the {order} {by}; all rows in table `{table}`"
    else:
        caption = f"{what}: all {frame.height}, {order} {by} first (table `{table}`)"
    return Table(ranked.head(n), caption)


@dataclass(frozen=True, slots=True)
class Figure:
    """An inline SVG chart (built by harness.reports.charts: text escaped, no scripts,
    no external references).

    ``markdown_text`` is a plain-text note for the Markdown report (escaped).
    """

    svg: str
    caption: str
    markdown_text: str = ""

    def markdown(self) -> str:
        # Markdown viewers differ on inline SVG; the HTML report carries the chart,
        # the Markdown report carries the caption and the numbers behind it.
        text = f"*Figure: {md_escape(self.caption)}* (chart in the HTML report)\n"
        return text + (f"\n{md_escape(self.markdown_text)}\n" if self.markdown_text else "")

    def html(self) -> str:
        return f"<figure>{self.svg}<figcaption>{h(self.caption)}</figcaption></figure>\n"


@dataclass(frozen=True, slots=True)
class TrustedHtml:
    """A fragment produced by one of our renderers, which escape all text themselves.

    The Markdown report shows ``caption`` instead: plain text (it may name
    outlets), escaped and set in italics.
    """

    fragment: str
    caption: str

    def markdown(self) -> str:
        return f"*{md_escape(self.caption)}*\n"

    def html(self) -> str:
        return self.fragment + "\n"


class Part(IntEnum):
    """Where a block goes in a report: every report reads summary, charts, details.

    Steps contribute to each part; the report shows all summaries first (in step
    order), then all charts, then all details. A block outside a :class:`Section`
    is a detail.
    """

    SUMMARY = 1
    CHARTS = 2
    DETAILS = 3


@dataclass(frozen=True, slots=True)
class Section:
    """Blocks that belong to one part of the report (see :class:`Part`)."""

    part: Part
    blocks: tuple[Block, ...]

    def markdown(self) -> str:
        return "\n".join(b.markdown() for b in self.blocks)

    def html(self) -> str:
        return "".join(b.html() for b in self.blocks)


def part_of(block: Block) -> Part:
    return block.part if isinstance(block, Section) else Part.DETAILS
