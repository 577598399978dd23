"""compare_outlets: the comparisons table on the seed and on synthetic outlets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from harness.corpus import read_corpus
from harness.errors import InputError
from harness.scoring import score_documents
from harness.stats import COMPARISON_SCHEMA, benjamini_hochberg, compare_outlets

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    articles = read_corpus(SEEDS).filter(pl.col("outlet") != "unknown")
    return score_documents(articles)


@pytest.fixture(scope="module")
def comparisons(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return compare_outlets(tables["documents"], tables["sentences"], tables["hits"], n_boot=500)


def row(frame: pl.DataFrame, a: str, b: str, metric: str, voice: str) -> dict[str, object]:
    found = frame.filter(
        (pl.col("outlet_a") == a)
        & (pl.col("outlet_b") == b)
        & (pl.col("metric") == metric)
        & (pl.col("voice") == voice)
    )
    assert found.height == 1
    return found.row(0, named=True)


def test_benjamini_hochberg_on_a_known_vector() -> None:
    # Sorted p: .005 .01 .03 .04 -> p*m/rank: .02 .02 .04 .04 (monotone from the top).
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005, None])
    assert adjusted[:4] == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert adjusted[4] is None
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([0.5]) == pytest.approx([0.5])


def test_schema_and_every_pair_metric_voice(comparisons: pl.DataFrame) -> None:
    assert comparisons.schema == pl.Schema(COMPARISON_SCHEMA)
    pairs = set(zip(comparisons["outlet_a"], comparisons["outlet_b"], strict=True))
    assert pairs == {
        ("Daily Mail", "Reuters"),
        ("Daily Mail", "The Guardian"),
        ("Reuters", "The Guardian"),
    }
    assert comparisons.filter(pl.col("metric") == "sentiment_compound").height == 9
    assert comparisons.filter(pl.col("metric") == "loaded_rate").height == 9
    assert comparisons.filter(pl.col("metric").str.starts_with("rate:")).height > 0


def test_daily_mail_narrator_loaded_rate_differs_from_reuters(
    tables: dict[str, pl.DataFrame], comparisons: pl.DataFrame
) -> None:
    result = row(comparisons, "Daily Mail", "Reuters", "loaded_rate", "narrator")
    documents = tables["documents"]
    mail = documents.filter(pl.col("outlet") == "Daily Mail").row(0, named=True)
    assert result["count_a"] == mail["loaded_hits_narrator"]
    assert result["n_a"] == mail["words_narrator"]
    reuters = documents.filter(pl.col("outlet") == "Reuters").row(0, named=True)
    assert result["count_b"] == reuters["loaded_hits_narrator"]
    assert result["n_b"] == reuters["words_narrator"]
    assert result["p_value"] < 0.001
    assert result["p_adjusted"] < 0.05
    if result["count_b"] == 0:
        assert result["effect"] is None  # no Reuters hits: the ratio is unbounded
    else:
        expected = (result["count_a"] / result["n_a"]) / (result["count_b"] / result["n_b"])
        assert result["effect"] == pytest.approx(expected)
        assert result["effect"] > 10
    assert result["ci_low"] > 1
    assert "one article in an outlet" in str(result["note"])


def test_sentence_level_test_reports_n_and_small_n(
    tables: dict[str, pl.DataFrame], comparisons: pl.DataFrame
) -> None:
    sentences = tables["sentences"].filter(pl.col("field") == "body")
    result = row(comparisons, "Daily Mail", "Reuters", "sentiment_compound", "all")
    n_mail = sentences.filter(
        (pl.col("outlet") == "Daily Mail") & (pl.col("voice") == "all")
    ).height
    assert result["n_a"] == n_mail
    assert (result["articles_a"], result["articles_b"]) == (1, 1)
    assert result["effect_name"] == "cliffs_delta"
    assert result["ci_low"] <= result["effect"] <= result["ci_high"]
    quoted = row(comparisons, "Reuters", "The Guardian", "sentiment_compound", "quoted")
    assert quoted["small_n"] is True
    assert "too few for a claim" in str(quoted["note"])


def test_p_adjusted_is_bh_over_the_whole_table(comparisons: pl.DataFrame) -> None:
    tested = comparisons.filter(pl.col("p_value").is_not_null())
    assert tested["p_adjusted"].to_list() == pytest.approx(
        benjamini_hochberg(tested["p_value"].to_list())
    )
    untested = comparisons.filter(pl.col("p_value").is_null())
    assert untested["p_adjusted"].null_count() == untested.height


def test_results_are_reproducible_and_seeded(
    tables: dict[str, pl.DataFrame], comparisons: pl.DataFrame
) -> None:
    args = (tables["documents"], tables["sentences"], tables["hits"])
    assert compare_outlets(*args, n_boot=500).equals(comparisons)
    other = compare_outlets(*args, n_boot=500, seed=7)
    sentiment = pl.col("metric") == "sentiment_compound"
    assert not other.filter(sentiment)["ci_low"].equals(comparisons.filter(sentiment)["ci_low"])
    assert other.filter(~sentiment).equals(comparisons.filter(~sentiment))


def test_results_do_not_depend_on_article_order(comparisons: pl.DataFrame) -> None:
    articles = read_corpus(SEEDS).filter(pl.col("outlet") != "unknown").reverse()
    reordered = score_documents(articles)
    again = compare_outlets(
        reordered["documents"], reordered["sentences"], reordered["hits"], n_boot=500
    )
    assert again.equals(comparisons)


def synthetic_tables(outlets: dict[str, list[str]]) -> dict[str, pl.DataFrame]:
    rows = [
        {"doc_id": f"{outlet}-{i}", "outlet": outlet, "headline": "", "body": body}
        for outlet, bodies in outlets.items()
        for i, body in enumerate(bodies)
    ]
    schema = {"doc_id": pl.String, "outlet": pl.String, "headline": pl.String, "body": pl.String}
    return score_documents(pl.DataFrame(rows, schema=schema))


def test_an_extra_outlet_does_not_change_other_rows_intervals() -> None:
    happy = ["What a wonderful, happy day. Everyone loved it. Great news for all."] * 4
    sad = ["A terrible, sad loss. People are angry. Awful news for all."] * 4
    two = synthetic_tables({"A": happy, "B": sad})
    three = synthetic_tables({"A": happy, "B": sad, "C": happy})
    first = compare_outlets(two["documents"], two["sentences"], two["hits"], n_boot=300)
    second = compare_outlets(three["documents"], three["sentences"], three["hits"], n_boot=300)
    key = ["outlet_a", "outlet_b", "metric", "voice"]
    columns = [*key, "statistic", "p_value", "effect", "ci_low", "ci_high"]
    joined = first.select(columns).join(second.select(columns), on=key, suffix="_3")
    assert joined.height == first.height
    for column in ("statistic", "p_value", "effect", "ci_low", "ci_high"):
        assert joined[column].equals(joined[f"{column}_3"], null_equal=True)
    result = row(first, "A", "B", "sentiment_compound", "all")
    assert result["effect"] == pytest.approx(1.0)  # every happy sentence beats every sad one
    assert result["articles_a"] == 4
    assert (result["unit"], result["n_a"]) == ("article", 4)  # four articles, not their sentences
    assert result["small_n"] is True and "no story key" in str(result["note"])


def test_missing_columns_are_input_errors(tables: dict[str, pl.DataFrame]) -> None:
    with pytest.raises(InputError, match="sentences table lacks column"):
        compare_outlets(tables["documents"], tables["sentences"].drop("compound"), tables["hits"])
    with pytest.raises(InputError, match="documents table lacks column words_quoted"):
        compare_outlets(
            tables["documents"].drop("words_quoted"), tables["sentences"], tables["hits"]
        )


def test_compare_on_empty_tables() -> None:
    empty = synthetic_tables({})
    result = compare_outlets(empty["documents"], empty["sentences"], empty["hits"])
    assert result.height == 0
    assert result.schema == pl.Schema(COMPARISON_SCHEMA)


# -- issue 12: the article and the story as the unit ----------------------------------------

from scipy import stats as scipy_stats  # noqa: E402

from harness.stats import outlet_summary, story_keys  # noqa: E402
from tests.stats_corpus import generated_tables, stories_frame  # noqa: E402


def test_seed_rows_are_pooled_labelled_and_confounded(comparisons: pl.DataFrame) -> None:
    assert set(comparisons["unit"]) == {"sentence", "word"}
    assert set(comparisons["design"]) == {"independent"}
    assert comparisons["stories_shared"].null_count() == comparisons.height
    assert comparisons["confounded"].all()
    assert all("no story key" in note for note in comparisons["note"])
    assert comparisons.filter(pl.col("metric") == "flesch_reading_ease").height == 0  # no pooled readability


def test_article_level_p_values_equal_scipy_on_per_article_values() -> None:
    corpus, _ = generated_tables(3, {"A": 9, "B": 7, "C": 6})
    table = compare_outlets(corpus.documents, corpus.sentences, corpus.hits, n_boot=200, n_perm=499)
    for metric, column in (("sentiment_compound", "sentiment_mean"), ("flesch_reading_ease", "flesch_reading_ease")):
        for a, b in (("A", "B"), ("A", "C"), ("B", "C")):
            result = row(table, a, b, metric, "all")
            x = corpus.documents.filter(pl.col("outlet") == a)[column].to_numpy()
            y = corpus.documents.filter(pl.col("outlet") == b)[column].to_numpy()
            expected = scipy_stats.mannwhitneyu(x, y, alternative="two-sided")
            assert result["p_value"] == expected.pvalue
            assert result["statistic"] == expected.statistic
            assert (result["unit"], result["n_a"], result["n_b"]) == ("article", x.size, y.size)
            assert (result["articles_a"], result["articles_b"]) == (x.size, y.size)
            assert result["confounded"] is True and result["stories_shared"] is None
    rates = table.filter(pl.col("metric") == "loaded_rate")
    assert set(rates["test"]) == {"poisson-glm-permutation"} and set(rates["unit"]) == {"article"}
    small = row(table, "B", "C", "loaded_rate", "quoted")  # no quoted text in the generated articles
    assert small["p_value"] is None and small["small_n"] is True


def test_article_level_results_do_not_depend_on_row_order() -> None:
    corpus, _ = generated_tables(4, {"A": 8, "B": 8})
    first = compare_outlets(corpus.documents, corpus.sentences, corpus.hits, n_boot=200, n_perm=499)
    again = compare_outlets(
        corpus.documents.reverse(), corpus.sentences.reverse(), corpus.hits.reverse(), n_boot=200, n_perm=499
    )
    assert again.equals(first)


def test_shared_stories_are_compared_within_story() -> None:
    corpus, story_of = generated_tables(6, {"A": 10, "B": 10, "C": 4}, stories=10)
    # C covers stories of its own: it shares none with A or B.
    story_of |= {f"C-{i:03d}": f"c-only-{i}" for i in range(4)}
    table = compare_outlets(
        corpus.documents, corpus.sentences, corpus.hits, stories=stories_frame(story_of), n_boot=200, n_perm=499
    )
    paired = row(table, "A", "B", "sentiment_compound", "all")
    assert (paired["design"], paired["unit"], paired["test"]) == ("paired-by-story", "story", "wilcoxon-signed-rank")
    assert paired["stories_shared"] == 10 and paired["confounded"] is False and paired["n_a"] == 10
    documents = corpus.documents.with_columns(pl.col("doc_id").replace_strict(story_of).alias("story"))
    wide = documents.filter(pl.col("outlet") != "C").pivot(on="outlet", index="story", values="sentiment_mean").sort("story")
    differences = (wide["A"] - wide["B"]).to_numpy()
    expected = scipy_stats.wilcoxon(differences)
    assert paired["p_value"] == expected.pvalue and paired["statistic"] == expected.statistic
    assert paired["effect"] == pytest.approx(differences.mean())
    assert paired["ci_low"] <= paired["effect"] <= paired["ci_high"]
    rate = row(table, "A", "B", "loaded_rate", "all")
    assert rate["test"] == "wilcoxon-signed-rank" and rate["effect_name"] == "mean_difference_per_1k"
    apart = row(table, "A", "C", "sentiment_compound", "all")
    assert (apart["design"], apart["unit"], apart["stories_shared"], apart["confounded"]) == (
        "independent", "article", 0, True,
    )
    assert "share no story" in str(apart["note"])


def test_story_keys_from_meta_or_a_column_and_absent() -> None:
    articles = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "source": ["x.jsonl:1", "x.jsonl:2", "x.jsonl:3"],
            "meta": ['{"story": "talks"}', '{"event": 7}', "{}"],
        }
    )
    assert story_keys(articles).rows() == [("a", "talks")]  # type: ignore[union-attr]
    assert story_keys(articles, "event").rows() == [("b", "7")]  # type: ignore[union-attr]
    assert story_keys(articles.with_columns(pl.lit("{}").alias("meta"))) is None
    with_column = articles.with_columns(pl.Series("cluster", ["s1", None, "s1"]))
    assert story_keys(with_column, "cluster").rows() == [("a", "s1"), ("c", "s1")]  # type: ignore[union-attr]
    with pytest.raises(InputError, match="no article has the story key `topic`"):
        story_keys(articles, "topic")
    with pytest.raises(InputError, match="x.jsonl:1.*|must be text or a number"):
        story_keys(articles.with_columns(pl.lit('{"story": ["a", "b"]}').alias("meta")))


def test_outlet_summary_summarises_articles() -> None:
    corpus, _ = generated_tables(8, {"A": 12, "B": 1})
    summary = outlet_summary(corpus.documents, seed=1, n_boot=500)
    values = corpus.documents.filter(pl.col("outlet") == "A")["sentiment_mean"].to_numpy()
    a = summary.filter(pl.col("outlet") == "A", pl.col("metric") == "sentiment_mean", pl.col("voice") == "all").row(0, named=True)
    assert a["n_articles"] == 12
    assert a["mean"] == pytest.approx(values.mean()) and a["median"] == pytest.approx(float(np.median(values)))
    assert a["sd"] == pytest.approx(values.std(ddof=1))
    assert a["ci_low"] < a["mean"] < a["ci_high"]
    b = summary.filter(pl.col("outlet") == "B", pl.col("metric") == "sentiment_mean", pl.col("voice") == "all").row(0, named=True)
    assert b["n_articles"] == 1 and b["sd"] is None and b["ci_low"] is None
    assert outlet_summary(corpus.documents.reverse(), seed=1, n_boot=500).equals(summary)
