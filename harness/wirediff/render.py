"""Views of a comparison: a coloured terminal table and a side-by-side HTML page.

Both are coloured by kind (style, boilerplate, substantive). The HTML is self-
contained: inline CSS, no scripts, nothing loaded from the network, and every
piece of article text (and every explanation) goes through ``html.escape``.

``a`` and ``b`` are the texts the result was computed on: a string for
:func:`diff_texts` results, or ``(headline, body)`` for :func:`diff_articles`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness.errors import InputError
from harness.safetext import printable
from harness.wirediff.model import DiffResult, Edit, Kind, Segment

if TYPE_CHECKING:
    from rich.console import RenderableType

ArticleTexts = str | tuple[str, str]

KIND_STYLE = {Kind.STYLE: "cyan", Kind.BOILERPLATE: "bright_black", Kind.SUBSTANTIVE: "bold red"}
KIND_COLOUR = {Kind.STYLE: "#cfe3ff", Kind.BOILERPLATE: "#e3e3e3", Kind.SUBSTANTIVE: "#ffc9b8"}
_PREVIEW = 60


def _segments(result: DiffResult, a: ArticleTexts, b: ArticleTexts) -> list[tuple[Segment, str, str]]:
    """(segment, A text, B text) for each field the texts cover."""
    if isinstance(a, tuple) != isinstance(b, tuple):
        raise InputError("A and B must both be texts or both (headline, body)", where="render")
    if isinstance(a, tuple) and isinstance(b, tuple):
        return [(Segment.HEADLINE, a[0], b[0]), (Segment.BODY, a[1], b[1])]
    if any(e.segment is Segment.HEADLINE for e in result.edits):
        raise InputError(
            "this result compares articles", where="render", hint="pass a and b as (headline, body)"
        )
    assert isinstance(a, str) and isinstance(b, str)
    return [(Segment.BODY, a, b)]


def _shown(text: str) -> str:
    """An edit's text for a table cell: whitespace made visible, long text cut."""
    if not text:
        return "∅"
    if not text.strip():
        return repr(text)
    shown = " ".join(text.split())
    return shown if len(shown) <= _PREVIEW else shown[: _PREVIEW - 1] + "…"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def summary_line(result: DiffResult) -> str:
    kinds = result.counts_by_kind(Segment.BODY)
    sim = result.similarity
    copied = _share(sim.copied_share)
    return (
        f"derivation: {result.derivation.value} (copied {copied}); body edits: "
        f"{kinds['style']} style, {kinds['boilerplate']} boilerplate, {kinds['substantive']} substantive; "
        f"substantive share {_share(result.substantive_share)} of edits, "
        f"{_share(result.substantive_b_share)} of B's words"
    )


def _numbered(result: DiffResult) -> list[tuple[str, Edit]]:
    """Edits numbered 1, 2, ...; the sub-edits of edit 2 as 2.1, 2.2, ... right after it."""
    out: list[tuple[str, Edit]] = []
    for number, edit in enumerate(result.edits, start=1):
        out.append((str(number), edit))
        out += [(f"{number}.{k}", sub) for k, sub in enumerate(edit.sub_edits, start=1)]
    return out


def render_text(result: DiffResult, a: ArticleTexts, b: ArticleTexts) -> RenderableType:
    """A rich renderable: summary line, then one coloured row per edit.

    Every cell is a ``Text`` (never read as rich markup) with control characters
    shown as escapes: the texts and explanations come from the articles.
    """
    # rich here, not at the top: the wire_diff step renders HTML only, and a run
    # that is not on a terminal loads no rich (harness.cli.common.stderr_is_terminal).
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    _segments(result, a, b)  # same argument checks as the HTML view
    table = Table(show_lines=False, header_style="bold")
    for column in ("#", "field", "kind", "category", "A", "B", "why"):
        table.add_column(column, overflow="fold")
    for number, edit in _numbered(result):
        colour = KIND_STYLE[edit.kind]
        table.add_row(
            number,
            edit.segment.value,
            Text(edit.kind.value, style=colour),
            Text(edit.category.value, style=colour),
            Text(printable(_shown(edit.a_text)), style=colour),
            Text(printable(_shown(edit.b_text)), style=colour),
            Text(printable(edit.explanation)),
        )
    return Group(Text(summary_line(result)), table)


# --------------------------------------------------------------------------- HTML

_CSS = """
.wd { font-family: Georgia, 'Times New Roman', serif; color: #1a1a1a; max-width: 72rem; }
.wd h2, .wd h3, .wd h4 { font-family: Helvetica, Arial, sans-serif; }
.wd .wd-summary, .wd .wd-legend { font-family: Helvetica, Arial, sans-serif; font-size: 0.9rem; }
.wd .wd-cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.wd .wd-text { white-space: pre-wrap; line-height: 1.5; border: 1px solid #ddd; padding: 0.75rem; }
.wd mark { padding: 0 1px; border-radius: 2px; color: inherit; }
.wd .wd-k-style { background: %(style)s; }
.wd .wd-k-boilerplate { background: %(boilerplate)s; }
.wd .wd-k-substantive { background: %(substantive)s; }
.wd .wd-gap { font-family: Helvetica, Arial, sans-serif; font-size: 0.75em; vertical-align: super; }
.wd table.wd-edits { border-collapse: collapse; font-family: Helvetica, Arial, sans-serif; font-size: 0.85rem; margin-top: 1rem; }
.wd table.wd-edits th, .wd table.wd-edits td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
""" % {"style": KIND_COLOUR[Kind.STYLE], "boilerplate": KIND_COLOUR[Kind.BOILERPLATE], "substantive": KIND_COLOUR[Kind.SUBSTANTIVE]}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _tooltip(number: int, edit: Edit) -> str:
    return _esc(f"#{number} {edit.category.value} ({edit.rule}): {edit.explanation}")


def _marked(text: str, edits: Sequence[tuple[int, Edit]], side: str) -> str:
    """``text`` escaped, with each edit's span on this side wrapped in <mark>."""
    spans = sorted(
        ((e.a_start, e.a_end) if side == "a" else (e.b_start, e.b_end), number, e) for number, e in edits
    )
    out: list[str] = []
    cursor = 0
    for (start, end), number, edit in spans:
        out.append(_esc(text[cursor:start]))
        css = f"wd-k-{edit.kind.value} wd-c-{edit.category.value}"
        if start == end:
            out.append(f'<mark class="{css} wd-gap" title="{_tooltip(number, edit)}">#{number}</mark>')
        else:
            out.append(f'<mark class="{css}" title="{_tooltip(number, edit)}">{_esc(text[start:end])}</mark>')
        cursor = max(cursor, end)
    out.append(_esc(text[cursor:]))
    return "".join(out)


def _edit_rows(result: DiffResult) -> str:
    rows = []
    for number, e in _numbered(result):
        rows.append(
            f'<tr class="wd-k-{e.kind.value}"><td>{number}</td><td>{_esc(e.segment.value)}</td>'
            f"<td>{_esc(e.kind.value)}</td><td>{_esc(e.category.value)}</td><td>{_esc(e.rule)}</td>"
            f"<td>{_esc(_shown(e.a_text))}</td><td>{_esc(_shown(e.b_text))}</td><td>{_esc(e.explanation)}</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("#", "field", "kind", "category", "rule", "A", "B", "why"))
    return f'<table class="wd-edits"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def render_html_fragment(
    result: DiffResult, a: ArticleTexts, b: ArticleTexts, *, title: str | None = None
) -> str:
    """A ``<section>`` (with its own scoped ``<style>``) for embedding in a report."""
    numbered = list(enumerate(result.edits, start=1))
    parts = [f"<section class=\"wd\"><style>{_CSS}</style>"]
    if title:
        parts.append(f"<h2>{_esc(title)}</h2>")
    parts.append(f'<p class="wd-summary">{_esc(summary_line(result))}</p>')
    legend = "".join(f'<mark class="wd-k-{k.value}">{k.value}</mark> ' for k in Kind)
    parts.append(f'<p class="wd-legend">Colours: {legend}</p>')
    for segment, a_text, b_text in _segments(result, a, b):
        mine = [(n, e) for n, e in numbered if e.segment is segment]
        parts.append(f"<h3>{_esc(segment.value.capitalize())}</h3>")
        parts.append(
            '<div class="wd-cols">'
            f'<div><h4>A</h4><div class="wd-text">{_marked(a_text, mine, "a")}</div></div>'
            f'<div><h4>B</h4><div class="wd-text">{_marked(b_text, mine, "b")}</div></div>'
            "</div>"
        )
    parts.append(_edit_rows(result))
    parts.append("</section>")
    return "".join(parts)


def render_html(result: DiffResult, a: ArticleTexts, b: ArticleTexts, *, title: str) -> str:
    """A complete, self-contained HTML page: A and B side by side, then the edits."""
    body = render_html_fragment(result, a, b, title=title)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_esc(title)}</title></head><body>{body}</body></html>\n"
    )
