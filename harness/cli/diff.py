"""``harness diff``: align two copies of a story and classify every difference.

One pair per process is mostly start-up, so this command loads what a comparison
needs and nothing else: no polars, no corpus reader for tables, no reports. When
``harness diff A B`` is read in full (``harness.cli.direct``), the command is called
without any typer app; another ``harness diff`` line runs ``diff_app`` (the ``harness``
group with this command alone) instead of the full app; the full app
(``harness.cli.app``) registers the same function, so help, options, errors and
output are the same every way (``tests/test_cli_conventions.py`` runs the apps,
``tests/test_direct.py`` the direct call; ``tests/test_fixed_cost.py`` checks what
this one loads).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer

from harness.cli import terminal
from harness.cli.common import clean_errors, emit
from harness.cli.group import harness_app
from harness.cli.options import InvalidUtf8Option
from harness.cli.terminal import warn
from harness.errors import UsageError
from harness.outputs import check_output
from harness.safetext import unicode_text

if TYPE_CHECKING:
    from harness.wirediff import StyleSheet


@clean_errors
def diff_command(
    a: Annotated[Path, typer.Argument(help="Article A: the wire story (.txt or .md, front matter optional).")],
    b: Annotated[Path, typer.Argument(help="Article B: the outlet's copy.")],
    a_outlet: Annotated[str | None, typer.Option("--a-outlet", help="A's outlet name (else the front matter's `outlet:`): its sheet is looked up in --styles.")] = None,
    b_outlet: Annotated[str | None, typer.Option("--b-outlet", help="B's outlet name (else the front matter's `outlet:`): its sheet is looked up in --styles.")] = None,
    format: Annotated[Literal["text", "json", "html"], typer.Option("--format", "-f")] = "text",
    styles_dir: Annotated[Path, typer.Option("--styles", help="Folder of house style sheets.")] = Path("experiments/styles"),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    a_style: Annotated[Path | None, typer.Option("--a-style", help="A's house style sheet file (instead of --a-outlet).")] = None,
    b_style: Annotated[Path | None, typer.Option("--b-style", help="B's house style sheet file (instead of --b-outlet).")] = None,
    invalid_utf8: InvalidUtf8Option = "error",
) -> None:
    """Align two copies of a story and classify every difference (style, boilerplate, substantive).

    Each file is read as a corpus reads one article file: YAML front matter is
    metadata (`headline:`/`title:`, `outlet:`, `published:`), never compared; the
    headline is `headline:`, else the first line (a one-line file is all body).
    Headline and body are compared apart, exactly as `harness run wire-copy-diff`
    compares them: the same pair gives the same edits and substantive share.

    Each edit's `segment` ("headline" or "body") says which field its offsets
    index: the `headline` or `body` under "a"/"b" in the JSON (front matter and
    surrounding blank lines removed, UTF-8, Windows line endings read as \\n).

    An outlet name is only ever a name (an outlet without a sheet gets the default
    sheet); a sheet file is named with --a-style / --b-style.

    Page chrome in one copy only (menus, captions, share blocks, bylines, timestamps)
    is boilerplate, found here by the rules alone: `harness run` also learns each
    outlet's repeated furniture from the corpus.

    Example: harness diff reuters.md guardian.md --format json
    """
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
    """``diff_command(**values)``, ended as the app ends a command (``harness.cli.group``):
    for a command line already read in full (``harness.cli.direct.diff_arguments``)."""
    from harness.cli.group import end_called_command

    end_called_command(diff_command, values)


diff_app = harness_app()
diff_app.command("diff")(diff_command)
