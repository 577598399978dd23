"""`--loaded-lexicon` (issue 14): the second loaded-language arm from the command line.

`harness score` and `harness validate loaded-terms` take the instrument the
`score_framing` setting `loaded_lexicon` takes; every scoring path (in memory,
`--stream`, the cluster's `Scorer`) counts with it. Bad values: tests/test_bad_inputs.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import polars as pl
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.cli.options import LoadedLexicon
from harness.scoring.arms import LOADED_LEXICONS
from harness.scoring.stream import Scorer

runner = CliRunner()

# 18 words. Built-in arm: slammed (attribution_loaded), disastrous, horrible, tragic (0.5):
# 4 loaded hits. vader-strong: the same attribution verb, and VADER's disastrous, horrible,
# tragic and failure (|valence| >= 1.5): 5 loaded hits, weight 1 each.
BODY = "The senator slammed the disastrous plan. Critics called it a horrible, tragic failure. The vote was on Tuesday."
WORDS = 18
HITS = {
    "harness": [("slammed", "attribution_loaded"), ("disastrous", "emotive"), ("horrible", "emotive"), ("tragic", "emotive")],
    "vader-strong": [
        ("slammed", "attribution_loaded"),
        ("disastrous", "vader_negative"),
        ("horrible", "vader_negative"),
        ("tragic", "vader_negative"),
        ("failure", "vader_negative"),
    ],
}


def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"doc_id": "d1", "outlet": "X", "headline": "A plan", "body": BODY}) + "\n")
    return path


def test_the_option_names_the_arms_of_the_library() -> None:
    assert get_args(LoadedLexicon) == LOADED_LEXICONS


@pytest.mark.parametrize("arm", ["harness", "vader-strong"])
def test_score_counts_with_the_chosen_arm(tmp_path: Path, arm: str) -> None:
    hits = tmp_path / "hits.csv"
    result = runner.invoke(
        app, ["score", str(corpus(tmp_path)), "-f", "json", "--loaded-lexicon", arm, "--hits", str(hits)]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    table = pl.read_csv(hits).filter(pl.col("field") == "body", pl.col("loaded"))
    assert list(zip(table["matched"], table["category"])) == HITS[arm]
    assert row["words"] == WORDS
    assert row["loaded_per_1k"] == pytest.approx(len(HITS[arm]) * 1000 / WORDS)
    assert row["hedge_per_1k"] == 0.0  # stance markers are the same under both arms


def test_default_is_the_builtin_arm(tmp_path: Path) -> None:
    plain = runner.invoke(app, ["score", str(corpus(tmp_path)), "-f", "json"])
    chosen = runner.invoke(app, ["score", str(corpus(tmp_path)), "-f", "json", "--loaded-lexicon", "harness"])
    assert plain.exit_code == chosen.exit_code == 0
    assert plain.stdout == chosen.stdout


def test_stream_counts_with_the_chosen_arm(tmp_path: Path) -> None:
    values = {}
    for arm in ("harness", "vader-strong"):
        out = tmp_path / f"{arm}.parquet"
        args = ["score", str(corpus(tmp_path)), "--stream", "-f", "parquet", "-o", str(out), "--loaded-lexicon", arm]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        values[arm] = pl.read_parquet(out)["loaded_per_1k"].to_list()
    assert values == {arm: [pytest.approx(len(HITS[arm]) * 1000 / WORDS)] for arm in HITS}


def test_the_cluster_scorer_carries_the_arm() -> None:
    """Ray runs ``Scorer`` in its tasks: the arm travels with it."""
    articles = pl.DataFrame({"doc_id": ["d1"], "outlet": ["X"], "headline": ["A plan"], "body": [BODY]})
    for arm, expected in HITS.items():
        documents = Scorer("full", (), arm)(articles)
        assert documents["loaded_per_1k"].to_list() == [pytest.approx(len(expected) * 1000 / WORDS)]


BABE = (
    "text,label_bias,biased_words\n"
    'The senator slammed the disastrous plan.,Biased,"[\'disastrous\']"\n'
    'Critics called it a horrible tragic failure.,Biased,"[\'horrible\', \'failure\']"\n'
    "The vote was on Tuesday.,Non-biased,[]\n"
)


@pytest.mark.parametrize(
    ("arm", "precision", "recall"),
    [
        # hit tokens slammed, disastrous, horrible, tragic: 2 of 4 marked; marked found 2 of 3
        ("harness", 2 / 4, 2 / 3),
        # and failure: 3 of 5 marked; every marked word found
        ("vader-strong", 3 / 5, 3 / 3),
    ],
)
def test_validate_measures_the_chosen_arm(tmp_path: Path, arm: str, precision: float, recall: float) -> None:
    gold = tmp_path / "babe.csv"
    gold.write_text(BABE, encoding="utf-8")
    result = runner.invoke(app, ["validate", "loaded-terms", "--gold", str(gold), "--json", "--loaded-lexicon", arm])
    assert result.exit_code == 0, result.output
    rows = {
        (r["instrument"], r["measure"]): r["value"]
        for r in json.loads(result.stdout)["measures"]
        if r["category"] is None
    }
    assert rows[("lexicon", "token_precision")] == pytest.approx(precision)
    assert rows[("lexicon", "token_recall")] == pytest.approx(recall)
    assert rows[("vader_words", "token_precision")] == pytest.approx(3 / 4)  # the baseline stays: no "slammed"
    assert rows[("lexicon", "auc_hit_count")] == pytest.approx(1.0)


def test_ray_scores_with_the_chosen_arm(ray_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the session's two-node cluster: in memory (one engine call) and streamed from
    Parquet (the cluster's workers read and score with ``Scorer``), both with the arm."""
    for name, value in ray_cluster.driver_env().items():
        monkeypatch.setenv(name, value)
    parquet = tmp_path / "c.parquet"
    pl.DataFrame({"doc_id": ["d1"], "outlet": ["X"], "headline": ["A plan"], "body": [BODY]}).write_parquet(parquet)
    ray = ["--engine", "ray", "--ray-address", ray_cluster.address, "--loaded-lexicon", "vader-strong"]
    expected = [pytest.approx(len(HITS["vader-strong"]) * 1000 / WORDS)]
    in_memory = runner.invoke(app, ["score", str(parquet), "-f", "json", *ray])
    assert in_memory.exit_code == 0, in_memory.output
    assert [row["loaded_per_1k"] for row in json.loads(in_memory.stdout)] == expected
    out = tmp_path / "s.parquet"
    streamed = runner.invoke(app, ["score", str(parquet), "--stream", "-f", "parquet", "-o", str(out), *ray])
    assert streamed.exit_code == 0, streamed.output
    assert pl.read_parquet(out)["loaded_per_1k"].to_list() == expected
