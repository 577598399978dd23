"""``harness diff``: align two copies of a story and classify every difference.

One pair per process is mostly start-up, so this command loads what a comparison
needs and nothing else: no polars, no corpus reader for tables, no reports. When
``harness diff A B`` is read in full (``harness.cli.direct``), the command's work
(``harness.cli.diff_files``) is called without typer; another ``harness diff`` line runs ``diff_app`` (the ``harness``
group with this command alone) instead of the full app; the full app
(``harness.cli.app``) registers the same function, so help, options, errors and
output are the same every way (``tests/test_cli_conventions.py`` runs the apps,
``tests/test_direct.py`` the direct call; ``tests/test_fixed_cost.py`` checks what
this one loads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from harness.cli.common import clean_errors
from harness.cli.diff_files import diff_files
from harness.cli.group import harness_app
from harness.cli.options import InvalidUtf8Option


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
    diff_files(a, b, a_outlet, b_outlet, format, styles_dir, output, a_style, b_style, invalid_utf8)


diff_app = harness_app()
diff_app.command("diff")(diff_command)
