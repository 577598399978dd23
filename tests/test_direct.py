"""Command lines run without the typer app (``harness.cli.direct``): `harness diff A B`.

`harness run NAME`'s reading is tested with its early start (tests/test_run_start.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.cli.direct import DIFF_FLAGS, DIFF_OPTIONS, DIFF_OPTIONS_WITH_VALUES, diff_arguments, direct_command
from tests.cli_commands import option_tables, typer_command, typer_reads

ROOT = Path(__file__).resolve().parents[1]


def test_the_table_names_every_option_of_diff_and_its_keyword() -> None:
    assert option_tables("diff") == (DIFF_OPTIONS_WITH_VALUES, DIFF_FLAGS)
    keywords = {spelling: param.name for param in typer_command("diff").params for spelling in param.opts}
    assert {spelling: keywords[spelling] for spelling in DIFF_OPTIONS} == DIFF_OPTIONS


@pytest.mark.parametrize(
    ("args", "direct"),
    [
        (["diff", "a.md", "b.md"], True),
        (["diff", "a.md", "b.md", "-f", "json", "-o", "out.json", "--styles", "s"], True),
        (["diff", "--invalid-utf8=replace", "--", "-a.md", "b.md"], True),
        (["diff", "a.md", "b.md", "--format", "JSON"], False),  # typer folds or refuses: its to say
        (["diff", "a.md", "b.md", "--format", "yaml"], False),
        (["diff", "a.md", "b.md", "-f", "json", "--format", "html"], False),  # two spellings of one option
        (["diff", "a.md", "b.md", "--output", ""], False),
        (["diff", "a.md", ""], False),
        (["diff", "a.md"], False),
        (["diff", "a.md", "b.md", "c.md"], False),
        (["diff", "a.md", "b.md", "--help"], False),
        (["diff", "a.md", "b.md", "-fjson"], False),
        (["diff", "a.md", "b.md", "--bogus"], False),
        (["score", "a.md"], False),
        ([], False),
    ],
)
def test_only_a_line_read_in_full_is_run_without_the_app(args: list[str], direct: bool) -> None:
    assert (diff_arguments(args) is not None) == direct
    assert (direct_command(args) is not None) == direct


_TOKENS = st.one_of(
    st.sampled_from(["a.md", "b.md", "-", "--", "", "json", "html", "text", "JSON", "error", "replace", "Reuters"]),
    st.sampled_from(sorted(DIFF_OPTIONS_WITH_VALUES | {"--help", "-x"})),
    st.builds(lambda name, value: f"{name}={value}", st.sampled_from(sorted(DIFF_OPTIONS_WITH_VALUES)),
              st.sampled_from(["json", "replace", "x.md", "", "yaml"])),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, max_size=9))
def test_a_line_read_here_is_read_as_typer_reads_it(rest: list[str]) -> None:
    """Whenever `harness diff` is called without the app, typer would have called the
    command with exactly the same arguments."""
    values = diff_arguments(["diff", *rest])
    if values is not None:
        assert typer_reads("diff", rest) == values


def _harness(args: list[str], *, through_app: bool, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``harness ARGS`` in a fresh process: as the command runs it, or with the `diff`
    group of typer reading the line (as every line was read before)."""
    entry = "from harness.cli.diff import diff_app; diff_app(prog_name='harness')" if through_app else "from harness.cli import main; main()"
    script = f"import sys; sys.argv = ['harness', *sys.argv[1:]]; {entry}"
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        check=False, env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "100"},
    )


def test_a_diff_without_the_app_ends_as_one_through_it(tmp_path: Path) -> None:
    """The same output, files, error lines and exit codes either way, for lines read in
    full: every format, to stdout and to a file, a bad input, a usage error the command
    itself finds, invalid UTF-8 replaced, the project's style sheets."""
    a, b, sheet = tmp_path / "a.md", tmp_path / "b.md", tmp_path / "sheet.toml"
    a.write_text("---\noutlet: Reuters\n---\nTalks resume\n\nThe talks resumed on Monday, officials said.\n", encoding="utf-8")
    b.write_bytes(b"Talks resume\n\nThe talks resumed on Monday, officials said. The deal collapsed on \xff Friday.\n")
    sheet.write_text("", encoding="utf-8")
    styles = ROOT / "experiments" / "styles"
    lines = [
        (["diff", "a.md", "b.md", "--invalid-utf8", "replace"], 0),
        (["diff", "a.md", "b.md", "--invalid-utf8", "replace", "-f", "json", "--styles", str(styles)], 0),
        (["diff", "a.md", "b.md", "--invalid-utf8=replace", "--format", "html", "-o", "out.html"], 0),
        (["diff", "a.md", "b.md"], 2),  # not UTF-8
        (["diff", "a.md", "missing.md"], 2),
        (["diff", "a.md", "b.md", "--a-outlet", "Reuters", "--a-style", "sheet.toml"], 2),
        (["diff", "a.md", "b.md", "--invalid-utf8", "replace", "--output", "a.md"], 2),  # never onto an input
    ]
    for args, code in lines:
        assert direct_command(args) is not None, args
        direct = _harness(args, through_app=False, cwd=tmp_path)
        written = (tmp_path / "out.html").read_bytes() if (tmp_path / "out.html").exists() else None
        (tmp_path / "out.html").unlink(missing_ok=True)
        through_app = _harness(args, through_app=True, cwd=tmp_path)
        assert (direct.returncode, direct.stdout, direct.stderr) == (
            through_app.returncode, through_app.stdout, through_app.stderr
        ), args
        assert direct.returncode == code, (args, direct.stderr)
        if written is not None:
            assert written == (tmp_path / "out.html").read_bytes() and b"<html" in written
            (tmp_path / "out.html").unlink()
        if code == 2:
            assert direct.stderr.count("\n") == 1 and direct.stderr.startswith("error: "), direct.stderr
    assert a.read_text(encoding="utf-8").startswith("---\noutlet: Reuters")  # the input is never replaced
