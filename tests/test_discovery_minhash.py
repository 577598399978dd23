"""Shingles, MinHash and banding: stable values, the S-curve, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.discovery import Bands, MinHasher, band_keys, choose_bands, permutation_keys, shingle_hashes, word_keys
from harness.discovery.minhash import EMPTY
from harness.discovery.shingles import KeptShingles, shingle_batch, word_hash
from harness.errors import ConfigError

# Pinned values: a stored result is verified by re-running, so these may never drift.
STABLE_WORD_HASH = 0x402A37D6E4FAE7E9
STABLE_SHINGLES = [5135705304710034794, 17234121942298689118]
STABLE_KEYS = [3071555787658268982, 2297655570820146286, 7604051553546964855]


def test_hashes_are_pinned() -> None:
    assert word_hash("reuters") == STABLE_WORD_HASH
    assert shingle_hashes("One two three four five six").tolist() == STABLE_SHINGLES
    assert permutation_keys(1, 3).tolist() == STABLE_KEYS


def test_shingles_are_case_folded_words_without_punctuation() -> None:
    plain = shingle_hashes("one two three four five six")
    styled = shingle_hashes('ONE, "two" three - four... five six!')
    assert plain.tolist() == styled.tolist()
    assert word_keys("Putin's U.S. 1,200 troops") == ["putin's", "u.s.", "1,200", "troops"]


def test_short_and_empty_texts() -> None:
    assert shingle_hashes("").size == 0
    assert shingle_hashes("  -- !! ").size == 0
    short = shingle_hashes("three short words")
    assert short.size == 1
    # A short text is not the first shingle of a longer text that starts the same way.
    assert short[0] not in shingle_hashes("three short words and then more").tolist()
    assert shingle_hashes("a b c d e a b c d e").size == 5  # distinct 5-grams only


@pytest.mark.parametrize(
    ("threshold", "bands", "rows"),
    [(0.3, 64, 2), (0.5, 42, 3), (0.7, 32, 4), (0.8, 21, 6), (0.9, 12, 10)],
)
def test_bands_from_threshold(threshold: float, bands: int, rows: int) -> None:
    chosen = choose_bands(threshold, num_perm=128)
    assert chosen == Bands(bands=bands, rows=rows)
    assert chosen.candidate_probability(threshold) >= 0.99
    # The next split with more rows would fall below the target at the threshold.
    more_rows = Bands(bands=128 // (rows + 1), rows=rows + 1)
    assert more_rows.candidate_probability(threshold) < 0.99 or more_rows.bands == 0


def test_s_curve_values() -> None:
    bands = Bands(bands=42, rows=3)
    assert bands.candidate_probability(0.5) == pytest.approx(1 - (1 - 0.125) ** 42)
    assert bands.candidate_probability(0.0) == 0.0
    assert bands.candidate_probability(1.0) == 1.0
    assert bands.false_positive_area(0.5) == pytest.approx(0.24454108, abs=1e-6)
    assert bands.false_negative_area(0.5) < 0.001


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.5])
def test_bad_threshold_is_a_config_error(threshold: float) -> None:
    with pytest.raises(ConfigError) as caught:
        choose_bands(threshold, num_perm=128)
    assert caught.value.where == "threshold" and caught.value.hint


def test_signatures_estimate_jaccard() -> None:
    words = [f"w{i}" for i in range(400)]
    a = shingle_hashes(" ".join(words))
    b = shingle_hashes(" ".join(words[:300] + [f"x{i}" for i in range(100)]))
    exact = np.intersect1d(a, b).size / np.union1d(a, b).size
    signatures = MinHasher(seed=7, num_perm=512).signatures([a, b])
    estimate = float(np.mean(signatures[0] == signatures[1]))
    assert exact == pytest.approx(296 / 496)
    assert estimate == pytest.approx(exact, abs=0.08)


def test_signatures_are_seeded_and_batch_independent() -> None:
    sets = [shingle_hashes(f"story {i} " * 30 + "end of story number one two") for i in range(50)]
    hasher = MinHasher(seed=3, num_perm=16)
    whole = hasher.signatures(sets)
    assert np.array_equal(whole, MinHasher(seed=3, num_perm=16).signatures(sets))
    assert np.array_equal(whole[10:20], hasher.signatures(sets[10:20]))
    assert not np.array_equal(whole, MinHasher(seed=4, num_perm=16).signatures(sets))
    empty = hasher.signatures([np.empty(0, dtype=np.uint64)])
    assert (empty == np.iinfo(np.uint64).max).all()


def test_band_keys_separate_bands() -> None:
    signatures = np.zeros((2, 6), dtype=np.uint64)  # identical rows in every band
    keys = band_keys(signatures, Bands(bands=3, rows=2))
    assert keys.shape == (2, 3)
    assert np.array_equal(keys[0], keys[1])
    assert len(set(keys[0].tolist())) == 3


_words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta"]), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(_words)
def test_shingles_ignore_case_and_spacing(words: list[str]) -> None:
    text = " ".join(words)
    shouted = "  ".join(w.upper() for w in words)
    assert shingle_hashes(text).tolist() == shingle_hashes(shouted).tolist()
    hashes = shingle_hashes(text)
    assert hashes.tolist() == sorted(set(hashes.tolist()))
    assert hashes.size <= max(len(words) - 4, 1 if words else 0)


def _signature_by_definition(hasher: MinHasher, shingles: list[int]) -> list[int]:
    """Row i: the least ``a_i * x + b_i (mod 2**64)`` over the set (EMPTY for no shingles)."""
    if not shingles:
        return [int(EMPTY)] * hasher.num_perm
    keys = zip(hasher.multipliers.tolist(), hasher.offsets.tolist(), strict=True)
    return [min((a * x + b) % 2**64 for x in shingles) for a, b in keys]


@settings(max_examples=40, deadline=None)
@given(st.lists(_words, min_size=1, max_size=5))
def test_signatures_are_the_minimum_of_each_permutation_over_the_set(texts: list[list[str]]) -> None:
    # Each set checked against the definition in Python integers, wherever it sits in the
    # batch; the same set in another order, or from a text with other spacing and case,
    # has the same signature (it depends on the set alone).
    hasher = MinHasher(seed=11, num_perm=8)
    sets = [shingle_hashes(" ".join(words)) for words in texts]
    reordered = [s[::-1].copy() for s in sets]
    restyled = [shingle_hashes("  ".join(w.upper() for w in words)) for words in texts]
    signatures = hasher.signatures(sets + reordered + restyled)
    n = len(sets)
    for k, shingles in enumerate(sets):
        expected = _signature_by_definition(hasher, shingles.tolist())
        assert signatures[k].tolist() == signatures[n + k].tolist() == signatures[2 * n + k].tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "The", "the", "1,200", "U.S."]), max_size=12), min_size=1, max_size=9),
    st.integers(1, 4),
    st.data(),
)
def test_kept_shingles_are_the_distinct_shingles_of_the_texts(
    texts: list[list[str]], batch: int, data: st.DataObject
) -> None:
    """The first pass's hashes, sorted and made distinct per text: exactly ``shingle_batch`` of those texts."""
    bodies = [" ".join(words) for words in texts]
    kept = KeptShingles()
    for first in range(0, len(bodies), batch):
        kept.add(first, shingle_batch(bodies[first : first + batch], distinct=False))
    chosen = sorted(data.draw(st.sets(st.integers(0, len(bodies) - 1))))
    got = kept.sets(np.array(chosen, dtype=np.int64))
    expected = shingle_batch([bodies[i] for i in chosen])
    assert got is not None
    assert got.hashes.tolist() == expected.hashes.tolist()
    assert got.offsets.tolist() == expected.offsets.tolist()


def test_kept_shingles_are_dropped_past_their_limit_or_out_of_order() -> None:
    texts = [STORY_WORDS, STORY_WORDS + " again"]
    over = KeptShingles(limit=5)
    over.add(0, shingle_batch(texts, distinct=False))
    assert not over.kept and over.sets(np.array([0], dtype=np.int64)) is None
    gap = KeptShingles()
    gap.add(0, shingle_batch(texts[:1], distinct=False))
    gap.add(2, shingle_batch(texts[1:], distinct=False))  # a batch missing: nothing is trusted
    assert gap.sets(np.array([0], dtype=np.int64)) is None
    short = KeptShingles()
    short.add(0, shingle_batch(texts[:1], distinct=False))
    assert short.sets(np.array([0, 1], dtype=np.int64)) is None  # text 1 was never seen
    assert short.sets(np.array([0], dtype=np.int64)) is not None


STORY_WORDS = "Russia and Ukraine held a new round of talks in Istanbul on Wednesday"
