"""validate(): agreement of the scorers with the synthetic gold sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from harness.errors import InputError
from harness.scoring import VALIDATION_SCHEMA, validate
from harness.scoring.validation import macro_f1, roc_auc

GOLD = Path(__file__).resolve().parent / "data" / "gold"


@pytest.fixture(scope="module")
def sentiment_gold() -> pl.DataFrame:
    return pl.read_csv(GOLD / "sentiment.csv")


@pytest.fixture(scope="module")
def loaded_gold() -> pl.DataFrame:
    return pl.read_csv(GOLD / "loaded_terms.csv")


def as_dict(result: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {r["measure"]: r for r in result.iter_rows(named=True)}


def test_gold_files_have_thirty_rows(
    sentiment_gold: pl.DataFrame, loaded_gold: pl.DataFrame
) -> None:
    assert sentiment_gold.height == loaded_gold.height == 30
    assert sentiment_gold["label"].value_counts().sort("label")["count"].to_list() == [10, 10, 10]


def test_sentiment_validation_equals_an_independent_computation(
    sentiment_gold: pl.DataFrame,
) -> None:
    result = validate("sentiment", sentiment_gold)
    assert result.schema == pl.Schema(VALIDATION_SCHEMA)
    measures = as_dict(result)
    assert list(measures) == ["pearson_r", "spearman_r", "accuracy", "macro_f1", "roc_auc"]
    analyzer = SentimentIntensityAnalyzer()
    compound = np.array([analyzer.polarity_scores(t)["compound"] for t in sentiment_gold["text"]])
    ratings = sentiment_gold["rating"].to_numpy()
    assert measures["pearson_r"]["value"] == pytest.approx(stats.pearsonr(compound, ratings)[0])
    assert measures["spearman_r"]["value"] == pytest.approx(stats.spearmanr(compound, ratings)[0])
    assert measures["pearson_r"]["n"] == 30
    predicted = np.where(
        compound >= 0.05, "positive", np.where(compound <= -0.05, "negative", "neutral")
    )
    truth = sentiment_gold["label"].to_numpy()
    assert measures["accuracy"]["value"] == pytest.approx(np.mean(predicted == truth))
    f1s = []
    for c in ("negative", "neutral", "positive"):
        tp = np.sum((predicted == c) & (truth == c))
        precision = tp / max(np.sum(predicted == c), 1)
        recall = tp / np.sum(truth == c)
        f1s.append(0.0 if tp == 0 else 2 * precision * recall / (precision + recall))
    assert measures["macro_f1"]["value"] == pytest.approx(np.mean(f1s))
    pos, neg = compound[truth == "positive"], compound[truth == "negative"]
    pairs = [(p > n) + 0.5 * (p == n) for p in pos for n in neg]
    assert measures["roc_auc"]["value"] == pytest.approx(np.mean(pairs))
    assert measures["roc_auc"]["n"] == 20
    # VADER separates clear-cut synthetic sentences well.
    assert measures["spearman_r"]["value"] > 0.7
    assert measures["roc_auc"]["value"] > 0.9


def test_loaded_terms_validation(loaded_gold: pl.DataFrame) -> None:
    measures = as_dict(validate("loaded-terms", loaded_gold))
    assert measures["accuracy"]["value"] == pytest.approx(1.0)
    assert measures["macro_f1"]["value"] == pytest.approx(1.0)
    assert measures["roc_auc"]["value"] == pytest.approx(1.0)
    assert measures["roc_auc"]["note"] == "loaded vs neutral"
    assert measures["spearman_r"]["value"] > 0.7
    assert measures["pearson_r"]["p_value"] < 0.001


def test_labels_only_or_ratings_only(sentiment_gold: pl.DataFrame) -> None:
    only_ratings = validate("sentiment", sentiment_gold.drop("label"))
    assert only_ratings["measure"].to_list() == ["pearson_r", "spearman_r"]
    numeric_labels = sentiment_gold.drop("rating").with_columns(
        pl.col("label").replace_strict({"negative": -1, "neutral": 0, "positive": 1})
    )
    assert validate("sentiment", numeric_labels).equals(
        validate("sentiment", sentiment_gold.drop("rating"))
    )


def test_undefined_measures_are_null_with_a_note() -> None:
    gold = pl.DataFrame(
        {"text": ["It rained.", "It snowed.", "It was windy."], "rating": [1.0, 1.0, 1.0]}
    )
    measures = as_dict(validate("sentiment", gold))
    assert measures["pearson_r"]["value"] is None
    assert "constant" in str(measures["pearson_r"]["note"])
    only_positive = pl.DataFrame(
        {"text": ["Great news!", "Wonderful."], "label": ["positive", "positive"]}
    )
    auc = as_dict(validate("sentiment", only_positive))["roc_auc"]
    assert auc["value"] is None and auc["note"] == "needs positive and negative items"


def test_bad_gold_tables_are_input_errors() -> None:
    with pytest.raises(InputError, match="no text column"):
        validate("sentiment", pl.DataFrame({"rating": [1.0]}))
    with pytest.raises(InputError, match="neither a rating nor a label"):
        validate("sentiment", pl.DataFrame({"text": ["a"]}))
    with pytest.raises(InputError) as caught:
        validate("loaded-terms", pl.DataFrame({"text": ["a", "b"], "label": ["loaded", "maybe"]}))
    assert caught.value.where == "gold record 1"
    with pytest.raises(InputError, match="unknown validation kind"):
        validate("toxicity", pl.DataFrame({"text": ["a"], "label": ["x"]}))  # type: ignore[arg-type]


def test_small_helpers_on_known_values() -> None:
    assert macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"]) == pytest.approx(
        (2 / 3 + 0.8) / 2
    )
    assert roc_auc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == pytest.approx(1.0)
    assert roc_auc(np.array([1.0]), np.array([1.0])) == pytest.approx(0.5)
    assert roc_auc(np.array([]), np.array([1.0])) is None
