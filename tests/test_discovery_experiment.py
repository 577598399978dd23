"""wire-copy-discovery end to end (discovery then diff) and `harness pairs`."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import typer
from typer.testing import CliRunner

import harness.steps.discovery  # noqa: F401  (registers discover_pairs)
from harness.cli.pairs import pairs_command
from harness.experiments import STEPS
from harness.experiments.spec import load_experiment_file
from harness.project import Project
from harness.reports import render_report
from harness.run import run_experiment
from tests.conftest import ROOT, SEEDS

EXPERIMENT = ROOT / "experiments" / "wire-copy-discovery.toml"
GUARDIAN, REUTERS = "04de9b679e20175c", "1e8b8d7c86bd831e"

runner = CliRunner()


def _app() -> typer.Typer:
    """The command registered the way harness/cli/app.py registers it."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("pairs")(pairs_command)

    @app.command("noop")
    def noop() -> None:  # a second command keeps `pairs` a subcommand, as in the real app
        """Nothing."""

    return app


def test_step_is_registered_with_its_settings() -> None:
    defn = STEPS.get("discover_pairs")
    assert defn is not None
    assert defn.inputs == ("articles",) and defn.outputs == ("candidate_pairs",)
    assert [s.name for s in defn.settings] == ["threshold", "cross_outlet", "seed", "num_perm"]


def test_discovery_then_diff_on_the_seeds(project: Project) -> None:
    experiment = load_experiment_file(project.experiments_dir / EXPERIMENT.name)
    assert [call.use for call in experiment.steps] == ["discover_pairs", "wire_diff"]
    stored = run_experiment(experiment, project)
    found = stored.table("candidate_pairs")
    assert found.select("a_doc_id", "b_doc_id").rows() == [(REUTERS, GUARDIAN)]  # the agency first
    diffed = stored.table("pairs").row(0, named=True)
    assert (diffed["a_outlet"], diffed["b_outlet"]) == ("Reuters", "The Guardian")
    assert diffed["derivation"] == "wholly"
    assert stored.table("edits").height > 0
    again = run_experiment(experiment, project)
    assert again.ref == stored.ref  # same numbers every time
    report = render_report(stored)
    assert "Discovered copies" in report.markdown and "42 bands of 3 rows" in report.markdown


def test_pairs_command_writes_json_and_parquet(tmp_path: Path) -> None:
    out_json, out_parquet = tmp_path / "pairs.json", tmp_path / "pairs.parquet"
    result = runner.invoke(_app(), ["pairs", str(SEEDS), "--threshold", "0.5", "--cross-outlet", "-o", str(out_json)])
    assert result.exit_code == 0, result.output
    rows = json.loads(out_json.read_text(encoding="utf-8"))
    assert [(r["a_doc_id"], r["b_doc_id"], r["shared_shingles"]) for r in rows] == [(REUTERS, GUARDIAN, 501)]
    result = runner.invoke(_app(), ["pairs", str(SEEDS), "-o", str(out_parquet)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out_parquet)
    assert table.columns[:6] == ["a_doc_id", "b_doc_id", "a_outlet", "b_outlet", "jaccard", "a_containment"]
    assert table["jaccard"].to_list() == [rows[0]["jaccard"]]
    printed = runner.invoke(_app(), ["pairs", str(SEEDS), "--threshold", "0.9"])
    assert printed.exit_code == 0 and json.loads(printed.stdout) == []


def test_pairs_command_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(_app(), ["pairs", str(SEEDS), "-o", str(tmp_path / "pairs.csv")])
    assert result.exit_code == 2
    assert "error:" in result.output and "*.parquet or *.json" in result.output
    result = runner.invoke(_app(), ["pairs", str(SEEDS), "--threshold", "0"])
    assert result.exit_code == 2 and "--threshold 0.0 is out of range (allowed: a number in (0, 1])" in result.output
    assert not (tmp_path / "pairs.csv").exists()
