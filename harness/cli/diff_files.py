"""``harness diff A B`` without typer: the command's work, and its direct call.

``harness diff A B`` read in full (``harness.cli.direct``) calls ``diff_directly``,
which imports no typer (about 40 ms of one pair's 0.15 s: see ``harness.cli.echo``),
no polars and no reports. The typer command (``harness.cli.diff.diff_command``, with
its options and help) calls ``diff_files`` too: the same output, error line and exit
code every way (``tests/test_direct.py``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from harness.cli import terminal
from harness.cli.common import clean_errors, emit, end_called_command
from harness.cli.terminal import warn
from harness.errors import UsageError
from harness.outputs import check_output
from harness.safetext import unicode_text

if TYPE_CHECKING:
    from harness.wirediff import StyleSheet

__all__ = ["diff_directly", "diff_files"]


def diff_files(
    a: Path,
    b: Path,
    a_outlet: str | None = None,
    b_outlet: str | None = None,
    format: Literal["text", "json", "html"] = "text",
    styles_dir: Path = Path("experiments/styles"),
    output: Path | None = None,
    a_style: Path | None = None,
    b_style: Path | None = None,
    invalid_utf8: Literal["error", "replace"] = "error",
) -> None:
    """`harness diff`: articles ``a`` and ``b`` compared, the result printed or written
    to ``output`` as ``format`` (see ``harness.cli.diff.diff_command`` for the options)."""
    from harness.wirediff.articlefile import article_files_json, diff_article_files, read_article_file

    # Style sheet files are inputs too: the output must not replace one.
    inputs = [a, b, *(s for s in (a_style, b_style) if s is not None)]
    if output is not None:
        check_output(output, inputs)
    _check_sheet_options("a", a_outlet, a_style)
    _check_sheet_options("b", b_outlet, b_style)
    articles = (read_article_file(a, invalid_utf8=invalid_utf8), read_article_file(b, invalid_utf8=invalid_utf8))
    for path, article in zip((a, b), articles, strict=True):
        if article.replaced_bytes:
            warn(f"{unicode_text(path)}: replaced {article.replaced_bytes} invalid bytes with U+FFFD")
    sheets = (
        _style_sheet(a_outlet, articles[0].outlet, a_style, styles_dir),
        _style_sheet(b_outlet, articles[1].outlet, b_style, styles_dir),
    )
    result = diff_article_files(articles[0], articles[1], a_style=sheets[0], b_style=sheets[1])
    a_texts, b_texts = (articles[0].headline, articles[0].body), (articles[1].headline, articles[1].body)
    if format == "json":
        data = article_files_json(result, articles, sheets)
        emit(terminal.json_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n"), output, inputs)
    elif format == "html":
        from harness.wirediff import render_html

        emit(render_html(result, a_texts, b_texts, title=f"{unicode_text(a.name)} vs {unicode_text(b.name)}"), output, inputs)
    else:
        from rich.console import Console

        from harness.wirediff import render_text

        if output is None:
            Console().print(render_text(result, a_texts, b_texts))
        else:
            capture = Console(width=120, record=True, file=io.StringIO())
            capture.print(render_text(result, a_texts, b_texts))
            emit(capture.export_text(), output, inputs)


def _check_sheet_options(side: str, outlet: str | None, file: Path | None) -> None:
    if outlet is not None and file is not None:
        raise UsageError(f"--{side}-outlet and --{side}-style both choose {side.upper()}'s style sheet: give one of them")


def _style_sheet(outlet: str | None, front_outlet: str | None, file: Path | None, styles_dir: Path) -> StyleSheet | None:
    """One side's sheet: a file named with --X-style, or an outlet name looked up by name.

    The outlet is --X-outlet, else the file's front matter. A front matter outlet
    outside a project (no styles folder) gets generic rules, with a warning: the
    sheet was not asked for, and the file should still compare.
    """
    from harness.wirediff import load_style, load_style_file  # nltk and scipy: not for --help

    if file is not None:
        return load_style_file(file)
    if outlet:
        return load_style(outlet, styles_dir)
    if not front_outlet:
        return None
    if not styles_dir.is_dir():
        warn(f"no styles folder {unicode_text(styles_dir)}: {front_outlet} compared with generic rules (pass --styles DIR)")
        return None
    return load_style(front_outlet, styles_dir)


def diff_directly(values: dict[str, Any]) -> NoReturn:
    """``diff_files(**values)``, its errors turned into one line as the app's command
    turns them (``clean_errors``), ended as the app ends a command: for a command line
    already read in full (``harness.cli.direct.diff_arguments``)."""
    end_called_command(clean_errors(diff_files), values)
