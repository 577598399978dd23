"""Command-line conventions (issue #15): --version, the project found from a
subfolder, several inputs, globs and - for standard input, --json, corpus show
--limit, help text, progress on stderr. Bad inputs of these are in
tests/test_bad_inputs.py (section "issue 15: CLI conventions")."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.project import Project

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def _article(doc_id: str, outlet: str) -> str:
    body = "The talks resumed on Monday. Officials said progress was slow but steady."
    return json.dumps({"doc_id": doc_id, "outlet": outlet, "headline": "Talks resume", "body": body}) + "\n"


@pytest.fixture
def two_files(tmp_path: Path) -> Path:
    """data/a.jsonl (3 Reuters articles) and data/b.jsonl (2 BBC articles)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text("".join(_article(f"a{i}", "Reuters") for i in range(3)))
    (data / "b.jsonl").write_text("".join(_article(f"b{i}", "BBC") for i in range(2)))
    return data


def test_version_is_fast_and_exits_0() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "harness", "--version"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stderr == ""
    assert re.fullmatch(r"harness \d+\.\d+\S*\n", done.stdout), done.stdout
    # Answered before the app (polars, typer) is imported.
    probe = "import sys; sys.argv = ['harness', '--version']\nfrom harness.cli import main\ntry: main()\nexcept SystemExit: pass\nprint('polars' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.stdout.splitlines()[-1] == "False", done.stdout


def test_version_in_the_app_and_its_help() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"harness \S+\n", result.stdout), result.output
    assert "--version" in runner.invoke(app, ["--help"]).stdout


def test_the_project_is_found_from_a_subfolder(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.root / "seeds")
    listed = runner.invoke(app, ["list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert "corpus-profile" in [e["name"] for e in json.loads(listed.stdout)]
    ran = runner.invoke(app, ["run", "corpus-profile"])
    assert ran.exit_code == 0, ran.output
    assert (project.results_dir / "corpus-profile" / "LATEST").is_file()  # stored in the project, not in seeds/
    assert not (project.root / "seeds" / "results").exists()


def test_json_of_list_run_report_verify(project: Project) -> None:
    opt = ["--project", str(project.root)]
    experiments = json.loads(runner.invoke(app, ["list", "--json", *opt]).stdout)
    profile = next(e for e in experiments if e["name"] == "corpus-profile")
    assert set(profile) == {"name", "version", "description", "steps", "corpus", "engine"}
    assert profile["corpus"] == "seeds" and profile["steps"][0] == "profile_articles"
    ran = runner.invoke(app, ["run", "corpus-profile", "--json", *opt])
    assert ran.exit_code == 0, ran.output
    [stored] = json.loads(ran.stdout)
    assert stored["ref"].startswith("corpus-profile@") and stored["latest"] is True
    assert stored["path"] == f"results/corpus-profile/{stored['result_id']}"
    assert (project.root / stored["path"] / "manifest.json").is_file()
    # The same keys as `results --json`, plus the folder.
    listed = json.loads(runner.invoke(app, ["results", "--json", *opt]).stdout)
    assert set(stored) - set(listed[0]) == {"path"}
    written = json.loads(runner.invoke(app, ["report", stored["ref"], "--json", *opt]).stdout)
    assert written == [
        {"ref": stored["ref"], "markdown": "reports/corpus-profile.md", "html": "reports/corpus-profile.html"}
    ]
    verified = runner.invoke(app, ["verify", stored["ref"], "--json", *opt])
    assert verified.exit_code == 0, verified.output
    outcome = json.loads(verified.stdout)
    assert outcome["ok"] is True and outcome["ref"] == stored["ref"] and outcome["differing"] == []
    # Not verified: exit code 1 as without --json, the JSON says which field.
    manifest = project.root / stored["path"] / "manifest.json"
    data = json.loads(manifest.read_text())
    data["experiment"]["version"] = "9.9.9"
    manifest.write_text(json.dumps(data))
    verified = runner.invoke(app, ["verify", stored["ref"], "--json", *opt])
    assert verified.exit_code == 1, verified.output
    outcome = json.loads(verified.stdout)
    assert outcome["ok"] is False and outcome["edited"] == ["experiment.version"]


def test_several_inputs_a_quoted_glob_and_stdin(two_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_files.parent)

    def doc_ids(*args: str, stdin: str | None = None) -> list[str]:
        result = runner.invoke(app, ["corpus", "show", *args, "--format", "json"], input=stdin)
        assert result.exit_code == 0, result.output
        return [row["doc_id"] for row in json.loads(result.stdout)]

    everything = ["a0", "a1", "a2", "b0", "b1"]
    assert doc_ids("data/a.jsonl", "data/b.jsonl") == everything
    assert doc_ids("data/*.jsonl") == everything  # expanded by harness, sorted
    assert doc_ids("data/b.jsonl", "data/a.jsonl") == ["b0", "b1", "a0", "a1", "a2"]  # in the order given
    stdin = (two_files / "a.jsonl").read_text()
    assert doc_ids("-", stdin=stdin) == ["a0", "a1", "a2"]
    assert doc_ids("-", "data/b.jsonl", stdin=stdin) == everything
    rows = json.loads(runner.invoke(app, ["corpus", "show", "-", "-f", "json"], input=stdin).stdout)
    assert rows[1]["source"] == "<stdin>:2"


def test_score_reads_stdin_and_globs(two_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_files.parent)
    piped = runner.invoke(app, ["score", "-", "-f", "jsonl"], input=(two_files / "b.jsonl").read_text())
    assert piped.exit_code == 0, piped.output
    from_file = runner.invoke(app, ["score", "data/b.jsonl", "-f", "jsonl"])
    assert piped.stdout == from_file.stdout and len(piped.stdout.splitlines()) == 2
    both = runner.invoke(app, ["score", "data/*.jsonl", "-f", "jsonl"])
    assert [json.loads(line)["doc_id"] for line in both.stdout.splitlines()] == ["a0", "a1", "a2", "b0", "b1"]


def test_corpus_show_limit_and_outlet_counts(two_files: Path) -> None:
    shown = runner.invoke(app, ["corpus", "show", str(two_files), "--limit", "2"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "2 of 5 articles shown (--limit 0 shows all)" in shown.stdout
    assert "a1" in shown.stdout and "a2" not in shown.stdout and "b0" not in shown.stdout
    counts = re.findall(r"│ (Reuters|BBC)\s+│ (\d+)\s+│", shown.stdout)
    assert counts == [("Reuters", "3"), ("BBC", "2")]  # the whole corpus, most first
    every = runner.invoke(app, ["corpus", "show", str(two_files), "--limit", "0"], env={"COLUMNS": "200"})
    assert "all 5 articles shown" in every.stdout and "b1" in every.stdout
    as_json = runner.invoke(app, ["corpus", "show", str(two_files), "-f", "json", "-n", "1"])
    assert [row["doc_id"] for row in json.loads(as_json.stdout)] == ["a0"]


def test_corpus_show_lists_20_by_default(tmp_path: Path) -> None:
    corpus = tmp_path / "many.jsonl"
    corpus.write_text("".join(_article(f"d{i:02}", "Reuters") for i in range(30)))
    shown = runner.invoke(app, ["corpus", "show", str(corpus)], env={"COLUMNS": "200"})
    assert "20 of 30 articles shown" in shown.stdout and "d19" in shown.stdout and "d20" not in shown.stdout
    every = runner.invoke(app, ["corpus", "show", str(corpus), "-f", "json"])
    assert len(json.loads(every.stdout)) == 30  # JSON keeps every article unless --limit is given


def test_score_help_wraps_at_words_and_flags_show_no_type() -> None:
    result = runner.invoke(app, ["score", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout and "list[" not in result.stdout
    description = result.stdout.split("╭─")[0]
    # No line holds a lone word left over from a docstring line break.
    lone = [line for line in description.splitlines() if len(line.split()) == 1]
    assert lone == [], lone
    assert "suffixes _narrator" in " ".join(description.split())


def test_progress_is_one_closing_line_on_stderr(project: Project, two_files: Path) -> None:
    scored = runner.invoke(app, ["score", str(two_files), "-f", "json"])
    assert scored.exit_code == 0, scored.output
    assert len(json.loads(scored.stdout)) == 5  # stdout is the data only
    assert re.fullmatch(r"score: 5 documents in \d+\.\d s\n", scored.stderr), scored.stderr
    ran = runner.invoke(app, ["run", "corpus-profile", "--project", str(project.root)])
    assert re.fullmatch(r"run corpus-profile: \d+ steps in \d+\.\d s\n", ran.stderr), ran.stderr
    paired = runner.invoke(app, ["pairs", str(two_files)])
    assert re.fullmatch(r"\d+ pairs among 5 articles \(threshold .*\) in \d+\.\d s\n", paired.stderr), paired.stderr


class _Stream(io.StringIO):
    """stderr as a test sets it: a terminal or not, or a stream without ``isatty``."""

    def __init__(self, tty: bool | None) -> None:
        super().__init__()
        self._tty = tty

    def __getattribute__(self, name: str) -> object:
        if name == "isatty" and object.__getattribute__(self, "_tty") is None:
            raise AttributeError(name)
        return super().__getattribute__(name)

    def isatty(self) -> bool:
        return bool(self._tty)


@pytest.mark.parametrize("tty", [False, True, None, "closed"])
@pytest.mark.parametrize(
    "env", [{}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "0"}, {"TTY_COMPATIBLE": "1"},
            {"TTY_COMPATIBLE": ""}, {"TTY_COMPATIBLE": "", "FORCE_COLOR": "1"}],
)
def test_stderr_is_a_terminal_exactly_when_rich_says_so(
    tty: bool | str | None, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The progress bar's choice is made without rich when the answer is plainly no:
    # the same answer as rich's in every case, including the variables rich reads first.
    from rich.console import Console

    from harness.cli import common

    stream = _Stream(None if tty is None else tty is True)
    if tty == "closed":
        stream.close()
    monkeypatch.setattr(sys, "stderr", stream)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    common.err_console.cache_clear()
    try:
        assert common.stderr_is_terminal() == Console(stderr=True).is_terminal
    finally:
        common.err_console.cache_clear()


def test_scoring_in_slices_gives_the_same_rows(two_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_app = sys.modules["harness.cli.app"]  # the module: `harness.cli.app` as an attribute is the typer app
    whole = runner.invoke(app, ["score", str(two_files), "-f", "jsonl"])
    monkeypatch.setattr(cli_app, "SCORE_SLICE", 2)  # three slices of 2, 2 and 1 documents
    sliced = runner.invoke(app, ["score", str(two_files), "-f", "jsonl"])
    assert sliced.exit_code == 0, sliced.output
    assert sliced.stdout == whole.stdout


def test_a_pattern_skips_readme_files_as_a_folder_does(two_files: Path) -> None:
    (two_files / "README.md").write_text("# About this corpus\n\nNot an article.\n")
    shown = runner.invoke(app, ["corpus", "show", str(two_files / "*"), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    assert [row["doc_id"] for row in json.loads(shown.stdout)] == ["a0", "a1", "a2", "b0", "b1"]


def test_the_python_api_finds_the_project_from_a_subfolder(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import harness

    assert runner.invoke(app, ["run", "corpus-profile", "--project", str(project.root)]).exit_code == 0
    notebooks = project.root / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)
    assert harness.open_result("corpus-profile").table("profile").height == 4
    assert harness.list_results()["name"].to_list() == ["corpus-profile"]


def test_help_does_not_load_the_science_stack() -> None:
    """`harness --help` and `harness CMD --help` answer without numpy, nltk, scipy, textstat,
    matplotlib or the built-in steps: they took seconds to import (issue #15)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    heavy = ("numpy", "nltk", "scipy", "textstat", "matplotlib", "harness.steps", "harness.discovery.pairs", "harness.wirediff")
    for command in ([], ["score"], ["pairs"], ["diff"], ["validate"], ["corpus", "show"], ["run"]):
        probe = (
            f"import sys; sys.argv = ['harness', *{command!r}, '--help']\n"
            "from harness.cli import main\ntry: main()\nexcept SystemExit as e: code = e.code\n"
            f"print(code, [m for m in {heavy!r} if m in sys.modules])"
        )
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
        assert "Usage:" in done.stdout, (command, done.stdout, done.stderr)
        assert done.stdout.splitlines()[-1] == "0 []", (command, done.stdout[-300:], done.stderr)


def test_diff_alone_answers_as_the_full_app(tmp_path: Path) -> None:
    """`harness diff ...` runs the group holding that command alone (no polars: half the
    start); help, usage errors, bad input and every output format are the full app's."""
    from harness.cli.diff import diff_app

    a, b, sheet = tmp_path / "a.md", tmp_path / "b.md", tmp_path / "sheet.toml"
    a.write_text("---\noutlet: Reuters\n---\nTalks resume\n\nThe talks resumed on Monday, officials said.\n", encoding="utf-8")
    b.write_text("Talks resume\n\nThe talks resumed on Monday, officials said. The deal collapsed on Friday.\n", encoding="utf-8")
    sheet.write_text("", encoding="utf-8")
    out = tmp_path / "out.html"
    commands = [
        ["diff", "--help"],
        ["diff"],
        ["diff", str(a)],
        ["diff", str(a), str(b), "--bogus"],
        ["diff", str(a), str(b), "--format", "yaml"],
        ["diff", str(a), str(tmp_path / "missing.md")],
        ["diff", str(a), str(b), "--a-outlet", "Reuters", "--a-style", str(sheet)],
        ["diff", str(a), str(b), "--styles", str(tmp_path / "none")],
        ["diff", str(a), str(b), "--format", "json"],
        ["diff", str(a), str(b)],
        ["diff", str(a), str(b), "--format", "html"],
        ["diff", str(a), str(b), "--format", "html", "--output", str(out)],
        ["diff", str(a), str(b), "--output", str(a)],
    ]
    for command in commands:
        full, alone = runner.invoke(app, command), runner.invoke(diff_app, command)
        assert (alone.exit_code, alone.stdout, alone.stderr) == (full.exit_code, full.stdout, full.stderr), command
    assert runner.invoke(diff_app, ["diff", str(a), str(b), "--format", "json"]).exit_code == 0
    assert runner.invoke(diff_app, ["diff", str(a)]).exit_code == 2
    assert runner.invoke(diff_app, ["diff", str(a), str(b), "--output", str(a)]).exit_code == 2
