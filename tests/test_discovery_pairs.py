"""Discovery on the seeds, on hand-made corpora and on a synthetic sample with planted copies."""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.corpus import ARTICLE_SCHEMA, read_corpus
from harness.discovery import (
    PAIRS_SCHEMA,
    Bands,
    DiscoverySettings,
    MinHasher,
    exact_pairs,
    find_pairs,
    published_time,
    shingle_hashes,
    synthetic_corpus,
)
import harness.discovery.pairs as pairs_module
import harness.discovery.shingles as shingles_module
from harness.discovery.pairs import candidate_pairs
from harness.errors import ConfigError, InputError
from tests.conftest import SEEDS

STORY = (
    "Russia and Ukraine held a new round of talks in Istanbul on Wednesday and agreed to more "
    "prisoner swaps, but the two sides remained far apart on the terms of a ceasefire, officials "
    "said after the meeting ended within an hour. "
)
OTHER = "The central bank left interest rates unchanged on Thursday and said inflation would ease next year. "


def _articles(rows: list[tuple[str, str, str, str | None]]) -> pl.DataFrame:
    """(doc_id, outlet, body, published) rows as an articles table."""
    full = [(d, o, f"headline {d}", b, p, f"test:{i}", "{}") for i, (d, o, b, p) in enumerate(rows)]
    return pl.DataFrame(full, schema=ARTICLE_SCHEMA, orient="row")


def test_seed_copy_is_found_with_exact_values() -> None:
    pairs = find_pairs(read_corpus(SEEDS), settings=DiscoverySettings(threshold=0.5, cross_outlet=True))
    assert pairs.schema == pl.Schema(PAIRS_SCHEMA)
    assert pairs.height == 1
    row = pairs.row(0, named=True)
    # No `published` on the seed page: the news agency's article (Reuters) is A.
    assert (row["a_doc_id"], row["b_doc_id"]) == ("1e8b8d7c86bd831e", "04de9b679e20175c")
    assert (row["a_outlet"], row["b_outlet"]) == ("Reuters", "The Guardian")
    assert (row["shared_shingles"], row["a_shingles"], row["b_shingles"]) == (501, 551, 550)
    assert row["jaccard"] == pytest.approx(501 / 600)
    assert row["a_containment"] == pytest.approx(501 / 551)
    assert row["b_containment"] == pytest.approx(501 / 550)
    assert row["containment"] == pytest.approx(501 / 550)


def test_orientation_follows_published_then_doc_id() -> None:
    body = STORY * 3
    later_first = _articles([("a1", "Paper", body + "Extra.", "2025-07-23T12:00:00+00:00"),
                             ("z9", "Wire", body, "2025-07-23T09:00:00Z")])
    row = find_pairs(later_first).row(0, named=True)
    assert (row["a_doc_id"], row["a_outlet"]) == ("z9", "Wire")
    assert row["b_containment"] < 1.0 == row["a_containment"]
    unknown = _articles([("a1", "Paper", body + "Extra.", None), ("z9", "Wire", body, "2025-07-23")])
    assert find_pairs(unknown).row(0, named=True)["a_doc_id"] == "a1"
    assert published_time("2025-07-23") == published_time("2025-07-23T00:00:00+00:00")
    assert published_time("yesterday") is None


def test_cross_outlet_drops_pairs_within_one_outlet() -> None:
    body = STORY * 3
    articles = _articles([("1", "Wire", body, None), ("2", "Wire", body, None),
                          ("3", "Paper", body, None), ("4", "Paper", OTHER * 5, None)])
    everything = find_pairs(articles)
    assert everything.select("a_doc_id", "b_doc_id").rows() == [("1", "2"), ("1", "3"), ("2", "3")]
    crossed = find_pairs(articles, settings=DiscoverySettings(cross_outlet=True))
    assert crossed.select("a_doc_id", "b_doc_id").rows() == [("1", "3"), ("2", "3")]
    assert (crossed["jaccard"] == 1.0).all()
    # An unnamed outlet may be any outlet: its pairs stay.
    unnamed = _articles([("1", "unknown", body, None), ("2", "unknown", body, None), ("3", "Wire", body, None)])
    kept = find_pairs(unnamed, settings=DiscoverySettings(cross_outlet=True))
    assert kept.select("a_doc_id", "b_doc_id").rows() == [("1", "2"), ("1", "3"), ("2", "3")]


def test_threshold_is_applied_to_exact_jaccard() -> None:
    base = [f"word{i}" for i in range(200)]
    half = base[:100] + [f"new{i}" for i in range(100)]
    articles = _articles([("a", "X", " ".join(base), None), ("b", "Y", " ".join(half), None)])
    jaccard = 96 / (196 + 196 - 96)  # 96 shared 5-grams of 196 each
    low = find_pairs(articles, settings=DiscoverySettings(threshold=0.3))
    assert low["jaccard"].to_list() == [pytest.approx(jaccard)]
    assert find_pairs(articles, settings=DiscoverySettings(threshold=0.33)).height == 0


def test_empty_and_wordless_articles() -> None:
    assert find_pairs(_articles([])).height == 0
    wordless = _articles([("a", "X", "", None), ("b", "Y", "-- !!", None), ("c", "Z", "", None)])
    assert find_pairs(wordless).height == 0


def test_bad_inputs_name_where_and_what_to_do() -> None:
    body = STORY * 2
    with pytest.raises(InputError) as caught:
        find_pairs(_articles([("same", "X", body, None), ("same", "Y", body, None)]))
    assert "'same'" in caught.value.message and caught.value.where == "articles" and caught.value.hint
    with pytest.raises(InputError):
        find_pairs(pl.DataFrame({"doc_id": ["a"], "body": ["b"]}))
    with pytest.raises(ConfigError):
        find_pairs(_articles([]), settings=DiscoverySettings(threshold=2.0))
    with pytest.raises(ConfigError):
        find_pairs(_articles([]), settings=DiscoverySettings(num_perm=0))


def test_recall_against_exact_all_pairs_on_a_synthetic_sample() -> None:
    corpus = synthetic_corpus(3000, seed=5, copy_share=0.05)
    articles = corpus.articles
    found = find_pairs(articles, settings=DiscoverySettings(threshold=0.5, seed=1))
    sets = [shingle_hashes(body) for body in articles["body"].to_list()]
    reference = exact_pairs(sets, threshold=0.5)
    ids = articles["doc_id"]
    expected = {tuple(sorted((ids[a], ids[b]))) for a, b in reference.select("a_index", "b_index").rows()}
    got = {tuple(sorted(pair)) for pair in found.select("a_doc_id", "b_doc_id").rows()}
    assert got <= expected  # every reported pair is verified exactly
    assert len(expected) >= 140
    assert len(got) / len(expected) >= 0.98
    # Planted copies: A is the source (published earlier), whatever the doc_ids.
    planted = set(corpus.planted.rows())
    oriented = set(found.select("a_doc_id", "b_doc_id").rows())
    assert len(planted & oriented) / len(planted) >= 0.98
    assert all(pair in planted for pair in oriented)


def test_kept_first_pass_shingles_give_the_same_pairs_as_shingling_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verification from the first pass's shingles and from the bodies read again: the same table."""
    articles = synthetic_corpus(600, seed=9, copy_share=0.1).articles
    shingled_again: list[int] = []
    real = pairs_module._shingle_sets

    def counting(bodies: object, positions: np.ndarray) -> object:
        shingled_again.append(int(positions.size))
        return real(bodies, positions)  # type: ignore[arg-type]

    monkeypatch.setattr(pairs_module, "_shingle_sets", counting)
    kept = find_pairs(articles, settings=DiscoverySettings(batch_size=97))
    assert shingled_again == []  # nothing read twice
    monkeypatch.setattr(shingles_module, "KEPT_SHINGLES_LIMIT", 5_000)  # less than the corpus holds
    again = find_pairs(articles, settings=DiscoverySettings(batch_size=97))
    assert len(shingled_again) == 1 and shingled_again[0] > 100
    assert kept.height >= 55
    assert kept.equals(again)


def test_discovery_is_deterministic_and_order_independent() -> None:
    articles = synthetic_corpus(600, seed=9, copy_share=0.1).articles
    first = find_pairs(articles)
    again = find_pairs(articles.sample(fraction=1.0, shuffle=True, seed=4))
    assert first.equals(again)
    small_batches = find_pairs(articles, settings=DiscoverySettings(batch_size=7))
    assert first.equals(small_batches)
    assert first.height >= 55


_sentences = st.lists(
    st.sampled_from([STORY, OTHER, "Markets were calm. ", "Officials declined to comment on the report. "]),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None)
@given(st.lists(_sentences, min_size=2, max_size=6), st.sampled_from([0.3, 0.5, 0.8]))
def test_found_pairs_equal_exact_pairs_on_small_corpora(bodies: list[list[str]], threshold: float) -> None:
    articles = _articles([(f"d{i}", f"o{i % 2}", "".join(parts), None) for i, parts in enumerate(bodies)])
    found = find_pairs(articles, settings=DiscoverySettings(threshold=threshold))
    sets = [shingle_hashes(body) for body in articles["body"].to_list()]
    reference = exact_pairs(sets, threshold=threshold)
    expected = {(f"d{a}", f"d{b}") for a, b in reference.select("a_index", "b_index").rows()}
    got = set(found.select("a_doc_id", "b_doc_id").rows())
    assert got <= expected
    assert (found["jaccard"] >= threshold).all()
    assert found.select("a_doc_id", "b_doc_id").rows() == sorted(got)
    # Identical bodies always share every band: never missed.
    identical = {p for p in expected if sets[int(p[0][1:])].tolist() == sets[int(p[1][1:])].tolist()}
    assert identical <= got


def test_undated_pairs_put_the_news_agency_first() -> None:
    from harness.discovery import DiscoverySettings, find_pairs

    body = " ".join(f"word{i}" for i in range(80))
    articles = pl.DataFrame(
        {
            "doc_id": ["a-copy", "z-wire"],
            "outlet": ["The Guardian", "Reuters"],
            "headline": ["", ""],
            "body": [body + " extra words here", body],
            "published": [None, None],
        },
        schema_overrides={"published": pl.String},
    )
    pairs = find_pairs(articles, settings=DiscoverySettings(threshold=0.5))
    assert pairs.select("a_outlet", "b_outlet").row(0) == ("Reuters", "The Guardian")


# -- issue 11: banding exactly -----------------------------------------------------
# Recall tests tolerate a few missed pairs, so a band left out of the bucketing passed
# them all. Here the candidates must be exactly the pairs whose rows agree in at least
# one band, computed from the signatures by the definition, on a corpus in which every
# band has a pair that agrees in that band alone: drop any band and a pair goes missing.


def _band_collisions(bodies: list[str], plan: Bands, seed: int) -> list[set[tuple[int, int]]]:
    """For each band, the pairs (i < j) whose signatures agree on all of its rows."""
    sets = [shingle_hashes(body) for body in bodies]
    signatures = MinHasher(seed=seed, num_perm=plan.bands * plan.rows).signatures(sets)
    collisions = []
    for band in range(plan.bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        for doc, shingles in enumerate(sets):
            if shingles.size:  # texts without words are never banded
                buckets[signatures[doc, band * plan.rows : (band + 1) * plan.rows].tobytes()].append(doc)
        collisions.append({pair for docs in buckets.values() for pair in itertools.combinations(docs, 2)})
    return collisions


def _each_band_alone_corpus(plan: Bands, seed: int) -> list[str]:
    """Unrelated pairs (a text, a copy with a few words replaced) until every band has a
    pair that agrees in it and in no other band; then a verbatim copy and wordless texts."""
    rng = random.Random(seed)
    bodies: list[str] = []
    alone: set[int] = set()
    while len(alone) < plan.bands:
        assert len(bodies) < 4000, f"bands never alone: {sorted(set(range(plan.bands)) - alone)}"
        text = [f"n{len(bodies)}w{rng.randrange(10**6)}" for _ in range(40)]
        copy = list(text)
        for _ in range(rng.randint(1, 9)):
            copy[rng.randrange(len(copy))] = f"r{rng.randrange(10**6)}"
        pair = [" ".join(text), " ".join(copy)]
        agree = [band for band, pairs in enumerate(_band_collisions(pair, plan, seed)) if pairs]
        if len(agree) == 1:
            alone.add(agree[0])
        bodies += pair
    return [*bodies, bodies[0], "", "-- !!", "three short words"]


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_candidates_are_exactly_the_pairs_that_agree_in_some_band(threshold: float) -> None:
    settings = DiscoverySettings(threshold=threshold, batch_size=97)
    plan = settings.bands()
    bodies = _each_band_alone_corpus(plan, settings.seed)
    collisions = _band_collisions(bodies, plan, settings.seed)
    in_bands = Counter(pair for pairs in collisions for pair in pairs)
    for band, pairs in enumerate(collisions):
        assert any(in_bands[pair] == 1 for pair in pairs), f"no pair found by band {band} alone"
    found = candidate_pairs(pl.Series(bodies), settings=settings)
    assert sorted(zip(found.a.tolist(), found.b.tolist(), strict=True)) == sorted(in_bands)
    assert (0, len(bodies) - 4) in in_bands  # the verbatim copy, banded through one representative
