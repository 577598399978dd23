"""tabloid-framing end to end: stored tables, report, and the CLI score/validate commands."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from harness.cli import app
from harness.experiments import load_catalogue
from harness.project import Project
from harness.reports import render_report
from harness.run import run_experiment
from tests.conftest import ROOT, SEEDS, frame_text

runner = CliRunner()
GOLD = ROOT / "tests" / "data" / "gold"


def test_tabloid_framing_result_and_report(project: Project, snapshot: SnapshotAssertion) -> None:
    stored = run_experiment(load_catalogue(project.experiments_dir).get("tabloid-framing"), project)
    assert set(stored.manifest.tables) >= {"documents", "sentences", "hits", "comparisons"}
    metrics = stored.table("metrics").filter(pl.col("field") == "body", pl.col("voice") == "narrator")
    rate = dict(zip(metrics["outlet"], metrics["loaded_per_1k"], strict=True))
    assert rate["Daily Mail"] > rate["Reuters"]  # the headline claim of the issue
    hits = stored.table("hits").filter(
        pl.col("outlet") == "Daily Mail", pl.col("voice") == "narrator", pl.col("loaded")
    )
    assert {"unleashed", "barrage", "shocking"} <= set(hits["matched"].to_list())
    resources = {r["name"] for r in stored.manifest.resources}
    assert {"cmudict.dict", "vader_lexicon.txt", "news_loaded.tsv"} <= resources
    assert frame_text(stored.table("documents")) == snapshot(name="documents")
    assert frame_text(stored.table("comparisons")) == snapshot(name="comparisons")
    report = render_report(stored)
    assert "unleashed" in report.markdown
    assert "<svg" in report.html and "<script" not in report.html
    assert "Caution: " in report.markdown  # one article per outlet is said plainly
    # match_stories gives the story key (issue 17): Reuters and the Guardian report one event and are
    # compared within it; the Daily Mail (Gabbard on Clinton) reports another, so its pairs stay confounded.
    comparisons = stored.table("comparisons")
    daily_mail = (pl.col("outlet_a") == "Daily Mail") | (pl.col("outlet_b") == "Daily Mail")
    assert comparisons.filter(daily_mail)["confounded"].all()
    assert not comparisons.filter(~daily_mail)["confounded"].any()
    assert "share no story" in report.markdown
    keys = dict(stored.table("articles").select("outlet", "story").iter_rows())
    assert keys["Reuters"] == keys["The Guardian"] != keys["Daily Mail"]
    assert report.markdown == snapshot(name="markdown")
    assert report.html == snapshot(name="html")


def test_score_command_json_columns() -> None:
    result = runner.invoke(app, ["score", str(SEEDS), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 4
    for column in ("doc_id", "flesch_reading_ease", "sentiment_mean", "loaded_per_1k", "loaded_per_1k_narrator", "loaded_per_1k_quoted"):
        assert column in rows[0]
    mail = next(r for r in rows if r["outlet"] == "Daily Mail")
    assert mail["loaded_per_1k_narrator"] > 20


def test_score_single_text_file_jsonl_and_parquet(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Critics slammed the shocking plan. \"It is a disaster,\" she said.\n")
    result = runner.invoke(app, ["score", str(article), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["loaded_per_1k_narrator"] > 0
    out = tmp_path / "scores.parquet"
    result = runner.invoke(app, ["score", str(article), "--format", "parquet", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out)["doc_id"].to_list() == [row["doc_id"]]


def test_score_parquet_needs_output() -> None:
    result = runner.invoke(app, ["score", str(SEEDS), "--format", "parquet"])
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_validate_command(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "sentiment", "--gold", str(GOLD / "sentiment.csv"), "--format", "json"])
    assert result.exit_code == 0, result.output
    measures = {m["measure"]: m for m in json.loads(result.stdout)}
    assert measures["spearman_r"]["n"] == 30
    assert measures["spearman_r"]["value"] > 0.8
    assert 0.0 <= measures["macro_f1"]["value"] <= 1.0
    bad = tmp_path / "bad.csv"
    bad.write_text("text,rating\nfine,high\n")
    result = runner.invoke(app, ["validate", "sentiment", "--gold", str(bad)])
    assert result.exit_code == 2
    assert "bad.csv" in result.stderr and "not a number" in result.stderr


def test_comparisons_within_shared_stories_and_the_confound_stated(project: Project) -> None:
    """Two outlets on the same three events, a third on events of its own."""
    bodies = {
        "s1": "Officials said talks failed. Critics slammed the chaotic plan as a disaster.",
        "s2": "The minister said the budget was balanced. Analysts called it a fair plan.",
        "s3": "Storms hit the coast. Residents said the damage was terrible and shocking.",
    }
    records = [
        {"outlet": outlet, "headline": f"{story} by {outlet} {k}", "body": f"{body} Report {k} from {outlet}.", "story": story}
        for story, body in bodies.items()
        for outlet in ("Wire", "Daily")
        for k in range(2)
    ] + [
        {"outlet": "Tabloid", "headline": f"Gossip {k}", "body": f"A shocking scandal erupted. Fans were furious {k}.", "story": f"t{k}"}
        for k in range(3)
    ]
    (project.root / "storied").mkdir()
    (project.root / "storied" / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (project.experiments_dir / "storied.toml").write_text(
        'name = "storied"\nversion = "1"\n[corpus]\npath = "storied"\n[[steps]]\nuse = "score_framing"\n'
        '[[steps]]\nuse = "compare_outlets"\nsettings = { n_boot = 100, n_perm = 199 }\n',
        encoding="utf-8",
    )
    stored = run_experiment(load_catalogue(project.experiments_dir).get("storied"), project)
    comparisons = stored.table("comparisons")
    paired = comparisons.filter(pl.col("outlet_a") == "Daily", pl.col("outlet_b") == "Wire")
    assert set(paired["design"]) == {"paired-by-story"} and set(paired["stories_shared"]) == {3}
    assert not paired["confounded"].any()
    apart = comparisons.filter(pl.col("outlet_b") == "Tabloid")
    assert set(apart["stories_shared"]) == {0} and apart["confounded"].all()
    assert set(apart["unit"]) == {"article"}  # two or more articles each: never sentences
    summary = stored.table("outlet_summary")
    assert set(summary.filter(pl.col("voice") == "all", pl.col("metric") == "sentiment_mean")["n_articles"]) == {6, 3}
    report = render_report(stored).markdown
    assert "Daily and Tabloid; Tabloid and Wire share no story" in report
    assert "Stories each pair of outlets shares" in report
