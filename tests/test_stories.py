"""Story matching (issue 17): made-up articles from several outlets on three events, plus distractors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.stories import StorySettings, match_stories, story_id
from harness.stories.cluster import average_linkage
from harness.stories.evaluate import scores, word_overlap_labels
from harness.stories.features import article_terms

EVENTS = {
    "quake": [
        ("Reuters", "Strong earthquake strikes Chilean city of Valparaiso", "A magnitude 7.1 earthquake struck near Valparaiso on Monday, Chile's seismology service said, damaging buildings and cutting power to thousands. Interior Minister Carolina Toha said rescue teams were searching collapsed homes."),
        ("BBC", "Chile earthquake: rescuers search rubble in Valparaiso", "Rescue teams in Chile are searching collapsed homes after a 7.1 magnitude earthquake hit Valparaiso. Interior Minister Carolina Toha said power was cut to thousands of households across the region."),
        ("Daily Mail", "Terrifying moment 7.1 quake rocks Valparaiso as buildings crumble", "Shocking footage shows buildings swaying in Valparaiso as a 7.1 earthquake rocked Chile. Minister Carolina Toha said rescuers were combing collapsed homes while thousands were left without power."),
    ],
    "strike": [
        ("Reuters", "German rail workers strike over pay, halting Deutsche Bahn trains", "Train drivers of the GDL union walked out on Wednesday, halting most Deutsche Bahn services across Germany in a dispute over pay and working hours. GDL leader Claus Weselsky said the strike would last 48 hours."),
        ("The Guardian", "Deutsche Bahn passengers stranded as GDL train drivers strike", "Millions of passengers across Germany were stranded as GDL train drivers began a 48-hour strike against Deutsche Bahn. Claus Weselsky, the union leader, said pay and working hours were at stake."),
        ("BBC", "Germany rail strike: GDL walkout halts Deutsche Bahn", "A 48-hour strike by the GDL train drivers' union has halted most Deutsche Bahn trains in Germany. Union leader Claus Weselsky blamed the rail operator for refusing to move on pay and hours."),
    ],
    "merger": [
        ("Reuters", "Nordwind Airlines agrees to buy Baltic Air for $2.4 billion", "Nordwind Airlines said on Tuesday it had agreed to buy rival Baltic Air for $2.4 billion, creating the largest carrier in the Nordic region. Chief executive Anna Lindqvist said regulators in Brussels would review the deal."),
        ("Financial Times", "Nordwind to acquire Baltic Air in $2.4bn Nordic airline deal", "Nordwind Airlines will acquire Baltic Air for $2.4 billion, its chief executive Anna Lindqvist said, a deal that Brussels regulators are expected to scrutinise as it creates the Nordic region's biggest carrier."),
    ],
}
DISTRACTORS = [
    ("BBC", "New species of frog found in Madagascar rainforest", "Scientists have described a tiny new frog species from the rainforests of northern Madagascar, naming it after the researcher who first recorded its call."),
    ("The Guardian", "Review: a quiet triumph at the Edinburgh festival", "The play, staged in a converted church, follows three sisters who return to their family farm after their father's funeral, and it is quietly devastating."),
    ("Daily Mail", "Celebrity chef opens restaurant in Mayfair", "The television cook has opened his fourth London restaurant, a seafood bar in Mayfair, with a menu of oysters, lobster rolls and champagne."),
    ("Reuters", "Copper prices rise on Chinese demand hopes", "Copper prices climbed on the London Metal Exchange on Thursday as traders bet on stronger demand from Chinese factories after a run of upbeat data."),
]
DAY = {"quake": "2024-03-04", "strike": "2024-03-06", "merger": "2024-03-05"}


def _corpus() -> tuple[pl.DataFrame, dict[str, str]]:
    rows, gold = [], {}
    for event, items in EVENTS.items():
        for i, (outlet, headline, body) in enumerate(items):
            doc_id = f"{event}-{i}"
            rows.append({"doc_id": doc_id, "outlet": outlet, "headline": headline, "body": body, "published": f"{DAY[event]}T{8 + i:02d}:00:00+00:00"})
            gold[doc_id] = event
    for i, (outlet, headline, body) in enumerate(DISTRACTORS):
        doc_id = f"other-{i}"
        rows.append({"doc_id": doc_id, "outlet": outlet, "headline": headline, "body": body, "published": "2024-03-05T12:00:00+00:00"})
        gold[doc_id] = doc_id
    return pl.DataFrame(rows), gold


def _labels(frame: pl.DataFrame) -> dict[str, str]:
    return dict(match_stories(frame).assignments.select("doc_id", "story_id").iter_rows())


def test_three_events_and_distractors_are_grouped_exactly() -> None:
    corpus, gold = _corpus()
    found = _labels(corpus)
    ids = sorted(gold)
    assert scores([found[i] for i in ids], [gold[i] for i in ids])["adjusted_rand"] == 1.0
    assert found["quake-0"] == story_id("quake-0")  # named by the smallest member doc_id


def test_evidence_lists_the_nearest_neighbours() -> None:
    corpus, _ = _corpus()
    rows = {r["doc_id"]: r for r in match_stories(corpus).assignments.iter_rows(named=True)}
    merger = rows["merger-0"]
    assert merger["neighbours"][0] == "merger-1"
    assert merger["similarities"][0] > 0.3
    assert merger["similarities"] == sorted(merger["similarities"], reverse=True)
    assert rows["merger-0"]["story_size"] == 2 and rows["other-0"]["story_size"] == 1


@settings(max_examples=15, deadline=None)
@given(st.permutations(list(range(12))))
def test_same_ids_in_any_input_order(order: list[int]) -> None:
    corpus, _ = _corpus()
    base = match_stories(corpus)
    shuffled = match_stories(corpus[order])
    assert shuffled.assignments.equals(base.assignments)
    assert shuffled.stories.equals(base.stories)


def test_single_article_is_one_story() -> None:
    corpus, _ = _corpus()
    found = match_stories(corpus.head(1))
    assert found.assignments["story_id"].to_list() == [story_id("quake-0")]
    assert found.counts["stories"] == 1 and found.stories["size"].to_list() == [1]


def test_a_copy_lands_in_its_source_story_even_with_another_headline() -> None:
    corpus, _ = _corpus()
    source = corpus.filter(pl.col("doc_id") == "strike-0").row(0, named=True)
    copy = {**source, "doc_id": "zz-copy", "outlet": "Local Paper", "headline": "Trains stop"}
    found = match_stories(pl.concat([corpus, pl.DataFrame([copy])]))
    rows = {r["doc_id"]: r for r in found.assignments.iter_rows(named=True)}
    assert rows["zz-copy"]["story_id"] == rows["strike-0"]["story_id"]
    assert rows["zz-copy"]["copies"] == ["strike-0"]
    assert found.counts["copy_edges"] == 1


def test_copy_pairs_from_discovery_are_honoured() -> None:
    corpus, _ = _corpus()
    pairs = pl.DataFrame({"a_doc_id": ["other-0"], "b_doc_id": ["other-1"]})
    found = match_stories(corpus, copies=pairs).assignments
    rows = dict(found.select("doc_id", "story_id").iter_rows())
    assert rows["other-0"] == rows["other-1"]


def test_time_window_separates_same_words_a_week_apart() -> None:
    corpus, _ = _corpus()
    later = corpus.filter(pl.col("doc_id").str.starts_with("strike")).with_columns(
        doc_id=pl.col("doc_id") + "-next", published=pl.lit("2024-03-13T09:00:00+00:00")
    )
    found = _labels(pl.concat([corpus, later]))
    assert found["strike-0"] == found["strike-1"] == found["strike-2"]
    assert found["strike-0-next"] == found["strike-1-next"]
    assert found["strike-0"] != found["strike-0-next"]
    # The same articles without dates: one story (nothing tells the weeks apart).
    undated = pl.concat([corpus, later]).with_columns(published=pl.lit(None, pl.String))
    assert len({v for k, v in _labels(undated).items() if k.startswith("strike")}) == 1


def test_no_text_no_date_and_future_dates_are_counted() -> None:
    corpus, _ = _corpus()
    odd = pl.DataFrame(
        [
            {"doc_id": "x-empty", "outlet": "A", "headline": "", "body": "", "published": "2024-03-05"},
            {"doc_id": "x-nodate", "outlet": "B", "headline": "Copper prices rise again", "body": "Copper prices climbed on the London Metal Exchange.", "published": None},
            {"doc_id": "x-bad", "outlet": "B", "headline": "Frog", "body": "A frog.", "published": "not a date"},
            {"doc_id": "x-future", "outlet": "C", "headline": "Nordwind buys Baltic Air", "body": "Nordwind Airlines agreed to buy Baltic Air.", "published": "2999-01-01"},
        ]
    )
    found = match_stories(pl.concat([corpus, odd]), settings=StorySettings(as_of=_utc(2025, 1, 1)))
    status = dict(found.assignments.select("doc_id", "status").iter_rows())
    assert status["x-empty"] == "no_text" and status["x-nodate"] == "undated" and status["x-bad"] == "undated"
    assert status["x-future"] == "future_date"
    assert found.counts["no_text"] == 1 and found.counts["undated"] == 2 and found.counts["future_date"] == 1
    rows = {r["doc_id"]: r for r in found.assignments.iter_rows(named=True)}
    assert rows["x-empty"]["story_size"] == 1 and rows["x-empty"]["neighbours"] == []
    assert "future date 1" in found.summary_line()


def _utc(*parts: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(*parts, tzinfo=UTC)


def test_names_are_runs_of_capitals_not_sentence_starts() -> None:
    terms = article_terms("", "Officials said. Claus Weselsky spoke in Berlin on 1,200 trains", lead_words=90, headline_weight=2.0)
    assert "e:claus weselsky" in terms and "e:berlin" in terms and "n:1200" in terms
    assert "e:officials" not in terms  # a sentence's first word alone is not a name


def test_average_linkage_does_not_chain() -> None:
    # 0-1 and 1-2 are similar, 0-2 never a candidate: the mean over {0,1} x {2} is too low.
    a = np.array([0, 1], dtype=np.int64)
    b = np.array([1, 2], dtype=np.int64)
    labels = average_linkage(3, a, b, np.array([0.9, 0.5]), threshold=0.4)
    assert labels.tolist() == [0, 0, 2]


# -- metrics on hand-computed cases -----------------------------------------------------

def test_metrics_hand_computed() -> None:
    predicted = ["a", "a", "a", "b", "b"]
    gold = ["x", "x", "y", "y", "y"]
    s = scores(predicted, gold)
    # pairs: predicted {01,02,12,34}, gold {01,23,24,34}; shared {01,34}
    assert s["pairwise_precision"] == pytest.approx(2 / 4)
    assert s["pairwise_recall"] == pytest.approx(2 / 4)
    assert s["pairwise_f1"] == pytest.approx(0.5)
    # B-cubed precision: items 0,1: 2/3 each; 2: 1/3; 3,4: 2/2 -> (2/3+2/3+1/3+1+1)/5
    assert s["bcubed_precision"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    # recall: 0,1: 2/2; 2: 1/3; 3,4: 2/3
    assert s["bcubed_recall"] == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    # ARI: index 2, a=4, b=4, total=10: expected 1.6, max 4 -> (2-1.6)/(4-1.6)
    assert s["adjusted_rand"] == pytest.approx(0.4 / 2.4)


def _ari_by_definition(x: list[str], y: list[str]) -> float:
    """Hubert-Arabie ARI from the contingency table, with scipy's binomial coefficient."""
    from scipy.special import comb

    cx, cy = sorted(set(x)), sorted(set(y))
    table = np.array([[sum(1 for p, q in zip(x, y, strict=True) if p == i and q == j) for j in cy] for i in cx])
    index = comb(table, 2).sum()
    a, b = comb(table.sum(axis=1), 2).sum(), comb(table.sum(axis=0), 2).sum()
    expected = a * b / comb(len(x), 2)
    denominator = (a + b) / 2 - expected
    return float((index - expected) / denominator) if denominator else math.nan


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz")), min_size=3, max_size=30))
def test_ari_matches_scipy_contingency(pairs: list[tuple[str, str]]) -> None:
    x = [p for p, _ in pairs]
    y = [q for _, q in pairs]
    expected = _ari_by_definition(x, y)
    got = scores(x, y)["adjusted_rand"]
    if math.isfinite(expected):
        assert got == pytest.approx(expected)
    assert scores(x, x)["adjusted_rand"] == 1.0


def test_word_overlap_baseline_groups_near_identical_wording() -> None:
    corpus, _ = _corpus()
    labels = dict(zip(corpus["doc_id"].to_list(), word_overlap_labels(corpus, threshold=0.2), strict=True))
    assert labels["other-0"] != labels["other-1"]
    assert len(set(labels.values())) >= 4


def test_step_adds_the_story_column() -> None:
    from harness.steps.stories import match_stories_step

    corpus, _ = _corpus()
    corpus = corpus.with_columns(source=pl.lit("x"), meta=pl.lit("{}"))
    tables = match_stories_step(corpus)
    assert tables["articles"].columns[-1] == "story"
    assert tables["articles"]["doc_id"].to_list() == corpus["doc_id"].to_list()
    assert tables["stories"]["size"].sum() == corpus.height
    for x, y in itertools.combinations(["quake-0", "quake-1", "quake-2"], 2):
        keys = dict(tables["articles"].select("doc_id", "story").iter_rows())
        assert keys[x] == keys[y]


class _SlicingEngine:
    """Runs a batch call slice by slice, as Ray Data does (same contract, no cluster)."""

    name = "ray"

    def run(self, call):  # type: ignore[no-untyped-def]
        table = call.tables[call.batched]
        parts = [call.call(table.slice(first, 3)) for first in range(0, table.height, 3)]
        return {name: pl.concat([p[name] for p in parts]) for name in call.outputs}

    def map_groups(self, frame, keys, func):  # type: ignore[no-untyped-def]
        raise AssertionError("not used")


def test_terms_in_partitions_give_the_same_ids() -> None:
    corpus, _ = _corpus()
    local = match_stories(corpus)
    sliced = match_stories(corpus, engine=_SlicingEngine())  # type: ignore[arg-type]
    assert sliced.assignments.equals(local.assignments)
    assert sliced.stories.equals(local.stories)


def test_validate_stories_cli_reports_both_methods(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from harness.cli import app

    corpus, gold = _corpus()
    corpus.write_ndjson(tmp_path / "corpus.jsonl")
    pl.DataFrame({"doc_id": list(gold), "story": list(gold.values())}).write_csv(tmp_path / "gold.csv")
    result = CliRunner().invoke(
        app, ["validate", "stories", "--gold", str(tmp_path / "gold.csv"), "--corpus", str(tmp_path / "corpus.jsonl"), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {(r["method"], r["measure"]): r["value"] for r in json.loads(result.stdout)}
    assert rows[("stories", "pairwise_f1")] == 1.0 and rows[("stories", "adjusted_rand")] == 1.0
    assert rows[("stories", "articles")] == 12.0
    assert {m for m, _ in rows} == {"stories", "word_overlap"} and ("word_overlap", "bcubed_f1") in rows
