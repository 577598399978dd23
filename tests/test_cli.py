"""The CLI through typer's runner: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from harness.cli import app
from harness.project import Project

runner = CliRunner()


def invoke(project: Project, *args: str) -> object:
    return runner.invoke(app, [*args, "--project", str(project.root)])


def test_list_shows_every_experiment(project: Project) -> None:
    result = runner.invoke(app, ["list", "--project", str(project.root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "corpus-profile" in result.output
    assert "profile_articles" in result.output


def test_run_report_verify_cite(project: Project) -> None:
    result = runner.invoke(app, ["run", "corpus-profile", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    ref = result.stdout.split()[0]
    assert ref.startswith("corpus-profile@")
    result = runner.invoke(app, ["report", "corpus-profile", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    assert (project.reports_dir / "corpus-profile.md").is_file()
    assert (project.reports_dir / "corpus-profile.html").is_file()
    result = runner.invoke(app, ["verify", "corpus-profile", "--project", str(project.root)])
    assert result.exit_code == 0, result.output
    assert "verified" in result.stdout
    result = runner.invoke(app, ["cite", ref, "--format", "bibtex", "--project", str(project.root)])
    assert result.exit_code == 0
    assert ref in result.stdout


def test_verify_exits_1_and_names_the_table(project: Project) -> None:
    runner.invoke(app, ["run", "corpus-profile", "--project", str(project.root)])
    stored = project.store().resolve("corpus-profile")
    (stored.path / "profile.parquet").write_bytes(b"PAR1 broken")
    result = runner.invoke(app, ["verify", "corpus-profile", "--project", str(project.root)])
    assert result.exit_code == 1
    assert "tampered on disk: profile" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_experiment_is_one_line_exit_2(project: Project) -> None:
    result = runner.invoke(app, ["run", "nope", "--project", str(project.root)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "unknown experiment 'nope'" in result.stderr
    assert "Traceback" not in result.output


def test_malformed_toml_is_one_line_exit_2(project: Project) -> None:
    (project.experiments_dir / "broken.toml").write_text('name = "broken"\nversion = \n')
    result = runner.invoke(app, ["run", "corpus-profile", "--project", str(project.root)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "broken.toml" in result.stderr and "malformed TOML" in result.stderr
    assert result.stderr.count("\n") == 1


def test_corpus_show_lists_the_four_seed_articles(project: Project) -> None:
    result = runner.invoke(app, ["corpus", "show", str(project.root / "seeds"), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["outlet"] for r in rows] == ["unknown", "The Guardian", "Daily Mail", "Reuters"]
    assert all(r["words"] > 50 for r in rows)


def test_corpus_show_missing_path(project: Project) -> None:
    result = runner.invoke(app, ["corpus", "show", str(project.root / "nowhere")])
    assert result.exit_code == 2
    assert "nowhere" in result.stderr


def test_help_has_examples() -> None:
    for command in (["run"], ["report"], ["cite"], ["verify"], ["list"], ["corpus", "show"]):
        result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        assert "Example: harness" in result.stdout, command
