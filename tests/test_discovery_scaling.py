"""Discovery at scale (issue 16 item 5): batched shingles, bucketing by sorting, dedupe.

Each array-based piece is checked against a plain reference written the obvious way
(per token, per document, a dict of buckets, a set of pairs), on random inputs.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.discovery import DiscoverySettings, MinHasher, find_pairs, shingle_hashes, synthetic_corpus, word_keys
from harness.discovery.buckets import (
    banded_pairs,
    bucket_pairs,
    digests,
    expand_groups,
    group_documents,
    pair_keys,
    split_pair_keys,
)
from harness.discovery.pairs import IndexPairs, candidate_pairs, shared_counts, shared_counts_by_arrays
from harness.discovery.shingles import ShingleBatch, combine64, fold_typography, shingle_batch, word_hash
from harness.text import TokenKind, tokenize

# -- word keys and shingles: the batch equals the token-by-token definition -------------


def _reference_keys(text: str) -> list[str]:
    """Word keys as defined: the tokeniser's non-punctuation tokens, case-folded, NFKC."""
    keys = []
    for token in tokenize(fold_typography(text)):
        if token.kind is not TokenKind.PUNCT:
            key = token.text.casefold()
            keys.append(key if key.isascii() else unicodedata.normalize("NFKC", key))
    return keys


def _reference_shingles(text: str, size: int = 5) -> list[int]:
    keys = _reference_keys(text)
    if not keys:
        return []
    words = np.array([word_hash(k) for k in keys], dtype=np.uint64)
    width = min(size, len(keys))
    count = len(keys) - width + 1
    state = words[:count].copy()
    for step in range(1, width):
        state = combine64(state, words[step : step + count])
    return sorted(set(combine64(state, np.full(count, width, dtype=np.uint64)).tolist()))


# Letters, digits, marks, apostrophes, dots, commas, dashes, quotes, spaces: what
# the word pattern's alternatives turn on.
_TRICKY = "aZé\u0301ß\u0130\ufb05\u01c5 1,2.3'\u2019.-\u2014\"\u201c\n\t\u00a0\u00ad_x9"
_texts = st.one_of(
    st.text(alphabet=_TRICKY, max_size=60),
    st.text(alphabet=st.characters(codec="ascii"), max_size=60),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_word_keys_equal_the_tokenisers_words(text: str) -> None:
    assert word_keys(text) == _reference_keys(text)


# What the alternatives turn on: letters, digits, "_", dots, commas, apostrophes; and
# characters beyond ASCII that separate (pound, degree, dashes, a space, a symbol from
# beyond the BMP) or do not (letters, a digit, a combining mark).
_PLAIN_TRICKY = "aZbU 1,2.3'._x9\n-\u00a3\u00b0\u2014\u3000\U0001f600"
_NOT_SEPARATORS = "\u00e9\u0661\u0301\u00aa\U0001d400"
# Texts for the C loops that read words: tricky ones, ASCII, and any at all.
_SCANNED_TEXTS = st.one_of(
    st.text(alphabet=_PLAIN_TRICKY, max_size=60),
    st.text(alphabet=_PLAIN_TRICKY + _NOT_SEPARATORS, max_size=30),
    st.text(alphabet=st.characters(codec="ascii"), max_size=60),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(_SCANNED_TEXTS)
def test_the_c_loop_reads_a_text_as_the_pattern(text: str) -> None:
    """``plain_word_keys`` (units.c) against the pattern it stands in for, on every text
    it is given (only separators beyond ASCII), and ``word_keys`` against the tokeniser;
    the loop is used exactly when the diff's compiled modules are."""
    from harness.discovery import shingles
    from harness.wirediff.compiled import core_state

    native = shingles._plain_word_keys()
    assert (native is not None) == core_state().compiled
    folded = fold_typography(text)  # what the loop reads (a backtick is an apostrophe)
    expected = shingles._fold_keys(shingles._words(folded))
    if native is not None and (folded.isascii() or shingles._separators_beyond_ascii(folded)):
        assert native(folded) == expected
    assert word_keys(text) == expected == _reference_keys(text)


def test_the_c_loop_refuses_what_it_cannot_read() -> None:
    from harness.discovery import shingles

    native = shingles._plain_word_keys()
    if native is None:
        pytest.skip("the diff's compiled modules are not in use")
    text = "U.S. \u00a31,200 people's 3.14abc e.g.x 20\u00b0C"
    assert shingles._separators_beyond_ascii(text)
    assert native(text) == ["u.s.", "1,200", "people's", "3", "14abc", "e.g.", "x", "20", "c"]
    assert not shingles._separators_beyond_ascii("caf\u00e9") and not shingles._separators_beyond_ascii("e\u0301")
    with pytest.raises(ValueError, match="beyond ASCII"):
        native("caf\u00e9")  # the caller's check keeps such a text from the loop
    untyped: Any = native  # the loop checks its argument itself
    for bad in (b"bytes", None):
        with pytest.raises(TypeError, match="must be a str"):
            untyped(bad)


@settings(max_examples=400, deadline=None)
@given(_SCANNED_TEXTS)
def test_a_text_s_word_hashes_are_its_keys_hashes(text: str) -> None:
    """``plain_word_hashes`` (units.c) gives ``_blake64`` of every key ``plain_word_keys``
    reads, in order, whatever its cache holds; ``_text_word_hashes`` gives ``word_hash``
    of every key of any text, by the loop or without it."""
    from harness.discovery import shingles

    folded = fold_typography(text)
    expected = [shingles._blake64(key) for key in shingles._fold_keys(shingles._words(folded))]
    assert shingles._text_word_hashes(folded).tolist() == expected
    native = shingles._plain_word_hashes()
    assert (native is not None) == (shingles._plain_word_keys() is not None)
    if native is not None and (folded.isascii() or shingles._separators_beyond_ascii(folded)):
        assert np.frombuffer(native(folded, shingles._blake64), dtype=np.uint64).tolist() == expected
        assert np.frombuffer(native(folded, shingles._blake64), dtype=np.uint64).tolist() == expected  # from the cache


def test_the_word_hash_loop_starts_afresh_when_full_and_refuses_what_it_cannot_read() -> None:
    """Past its limit of keys the cache starts afresh, every hash still ``_blake64``'s; a
    word it cannot read, a value that is no uint64 and an error of the hash are refused."""
    from harness.discovery import shingles
    from harness.wirediff.compiled import native_function

    native = shingles._plain_word_hashes()
    if native is None:
        pytest.skip("the diff's compiled modules are not in use")
    limit = native_function("_units", "word_hashes_limit")
    assert limit is not None
    asked: list[str] = []

    def counted(word: str) -> int:
        asked.append(word)
        return shingles._blake64(word)

    text = " ".join(f"word{k} U.S. {k},000" for k in range(40))  # 120 keys, 81 of them distinct
    keys = shingles._plain_word_keys()(text)  # type: ignore[misc]
    expected = [shingles._blake64(key) for key in keys]
    before = limit(5)
    try:
        for _ in range(2):
            assert np.frombuffer(native(text, counted), dtype=np.uint64).tolist() == expected
        assert len(asked) > 2 * len(set(keys))  # forgotten and asked again: at most 5 held
        with pytest.raises(ValueError, match="from 1 to"):
            limit(0)
    finally:
        assert limit(before) == 5
    asked.clear()
    for _ in range(3):  # a cache as large as the default: every key asked once, then held
        assert np.frombuffer(native(text, counted), dtype=np.uint64).tolist() == expected
    assert sorted(asked) == sorted(set(keys))
    many = " ".join(f"w{k}" for k in range(70_000))  # the cache grows past its first arrays
    assert np.frombuffer(native(many, shingles._blake64), dtype=np.uint64).tolist() == [
        shingles._blake64(f"w{k}") for k in range(70_000)
    ]
    with pytest.raises(ValueError, match="beyond ASCII"):
        native("caf\u00e9", shingles._blake64)
    with pytest.raises(OverflowError):
        native("neverseen", lambda word: -1)
    with pytest.raises(ZeroDivisionError):
        native("alsoneverseen", lambda word: 1 // 0)
    untyped: Any = native
    with pytest.raises(TypeError, match="must be a str"):
        untyped(b"bytes", shingles._blake64)
    with pytest.raises(TypeError, match="a str and a function"):
        untyped("text", None)


_KEYS = st.lists(st.lists(st.text(max_size=6), max_size=8), max_size=6)


@settings(max_examples=300, deadline=None)
@given(_KEYS, st.data())
def test_the_c_loop_hashes_words_as_word_hash(found: list[list[str]], data: st.DataObject) -> None:
    """``known_hashes`` (units.c) gives ``word_hash`` of every key in order, whatever
    the cache holds already, and leaves every word it hashed in the cache."""
    from harness.discovery import shingles

    native = shingles._known_hashes()
    if native is None:
        pytest.skip("the diff's compiled modules are not in use")
    words = sorted({word for keys in found for word in keys})
    cached = data.draw(st.lists(st.sampled_from(words), unique=True) if words else st.just([]))
    known = {word: shingles._blake64(word) for word in cached}
    hashed = np.frombuffer(native(found, known, shingles._blake64), dtype=np.uint64)
    expected = [shingles._blake64(word) for keys in found for word in keys]
    assert hashed.tolist() == expected
    assert known == {word: shingles._blake64(word) for word in {*cached, *words}}


def test_the_c_loop_of_word_hashes_refuses_what_it_cannot_read() -> None:
    from harness.discovery import shingles

    native = shingles._known_hashes()
    if native is None:
        pytest.skip("the diff's compiled modules are not in use")
    untyped: Any = native
    for lists, message in (([["a", 1]], "must be a str"), ([("a",)], "must be a list"), ("ab", "a list of lists")):
        with pytest.raises(TypeError, match=message):
            untyped(lists, {}, shingles._blake64)
    with pytest.raises(OverflowError):
        untyped([["a"]], {"a": -1}, shingles._blake64)
    with pytest.raises(ZeroDivisionError):
        untyped([["a"]], {}, lambda word: 1 // 0)


def test_word_hashes_of_a_batch_are_the_same_with_the_c_loop_or_without(monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch's word hashes, compiled or from the sources, and the cache bounded."""
    from harness.discovery import shingles

    found = [word_keys(text) for text in ("The cat sat on the mat.", "", "Caf\u00e9 \u00a320 U.S. the CAT")]
    expected = np.array([shingles.word_hash(w) for keys in found for w in keys], dtype=np.uint64)
    assert np.array_equal(shingles._word_hashes_of(found), expected)
    monkeypatch.setattr(shingles, "_WORD_HASHES", {})
    monkeypatch.setattr(shingles, "_WORD_HASHES_MAX", 3)
    assert np.array_equal(shingles._word_hashes_of(found), expected)
    assert len(shingles._WORD_HASHES) <= 3 + len({w for keys in found for w in keys})
    monkeypatch.setattr(shingles, "_known_hashes", lambda: None)
    assert np.array_equal(shingles._word_hashes_of(found), expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(_texts, max_size=6), st.integers(1, 6))
def test_batch_shingles_equal_each_texts_shingles(texts: list[str], size: int) -> None:
    batch = shingle_batch(texts, size=size)
    assert len(batch) == len(texts)
    for index, text in enumerate(texts):
        assert batch.of(index).tolist() == _reference_shingles(text, size)
        assert shingle_hashes(text, size=size).tolist() == _reference_shingles(text, size)
    loose = shingle_batch(texts, size=size, distinct=False)  # for MinHash: repeats allowed
    for index, text in enumerate(texts):
        assert sorted(set(loose.of(index).tolist())) == _reference_shingles(text, size)


def test_signatures_of_long_and_empty_sets_follow_the_definition() -> None:
    # Sets longer than a chunk are hashed in slices; empty sets keep EMPTY.
    hasher = MinHasher(seed=5, num_perm=6)
    rng = np.random.default_rng(1)
    sets = [rng.integers(0, 2**63, size=n, dtype=np.uint64) for n in (0, 3, 9000, 0, 20000, 1, 8193, 2)]
    signatures = hasher.signatures(sets)
    for row, values in zip(signatures, sets, strict=True):
        if not values.size:
            assert (row == np.iinfo(np.uint64).max).all()
        else:
            expected = (values[:, None] * hasher.multipliers[None, :] + hasher.offsets[None, :]).min(axis=0)
            assert row.tolist() == expected.tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), max_size=7),
    st.sampled_from([1, 3, 8, 9, 16, 31, 128]),  # whole vectors of eight and the rest
    st.integers(0, 2**32),
)
def test_c_minhash_minima_equal_numpy_s(sets: list[list[int]], num_perm: int, seed: int) -> None:
    """``minhash_fill`` (units.c; its 512-bit build on a CPU with AVX-512DQ) against the
    numpy matrices it replaces: the same signatures, repeats and empty sets included.
    The C loop is used exactly when the diff's compiled modules are."""
    from harness.discovery import minhash
    from harness.wirediff.compiled import core_state

    assert (minhash._minhash_fill() is not None) == core_state().compiled
    hasher = MinHasher(seed=seed, num_perm=num_perm)
    arrays = [np.array(values, dtype=np.uint64) for values in sets] + [np.array([7, 7, 7], dtype=np.uint64)]
    here = hasher.signatures(arrays)
    native, minhash._minhash_fill = minhash._minhash_fill, lambda: None  # type: ignore[assignment]
    try:
        there = hasher.signatures(arrays)
    finally:
        minhash._minhash_fill = native
    assert here.tolist() == there.tolist()


@settings(max_examples=80, deadline=None)
@given(st.lists(_texts, max_size=6), st.integers(1, 7), st.booleans())
def test_c_shingles_equal_numpy_s(texts: list[str], size: int, distinct: bool) -> None:
    """``shingle_states`` (units.c) against the numpy columns it replaces, on texts
    shorter and longer than a shingle, empty ones included."""
    from harness.discovery import shingles

    texts = [*texts, "", "one", "one two three four five six seven eight"]
    here = shingle_batch(texts, size=size, distinct=distinct)
    native, shingles._shingle_states = shingles._shingle_states, lambda: None  # type: ignore[assignment]
    try:
        there = shingle_batch(texts, size=size, distinct=distinct)
    finally:
        shingles._shingle_states = native
    assert here.hashes.tolist() == there.hashes.tolist() and here.offsets.tolist() == there.offsets.tolist()
    assert here.hashes.flags.writeable


def test_the_c_minhash_and_shingles_refuse_what_they_cannot_read() -> None:
    from harness.discovery import minhash, shingles

    fill, states = minhash._minhash_fill(), shingles._shingle_states()
    if fill is None or states is None:
        pytest.skip("the diff's compiled modules are not in use")
    hashes, offsets = np.array([1, 2, 3], dtype=np.uint64), np.array([0, 1, 3], dtype=np.int64)
    keys = np.array([3, 5], dtype=np.uint64)
    out = np.full((2, 2), minhash.EMPTY, dtype=np.uint64)
    fill(hashes, offsets, keys, keys, out)
    assert out.tolist() == [[6, 10], [9, 15]]  # 3h + 3, 5h + 5: the least over each set
    with pytest.raises(ValueError, match="sets x permutations"):
        fill(hashes, offsets, keys, keys, np.zeros(3, dtype=np.uint64))
    with pytest.raises(ValueError, match="out of order"):
        fill(hashes, np.array([0, 4], dtype=np.int64), keys, keys, np.zeros(2, dtype=np.uint64))
    with pytest.raises(TypeError, match="8-byte"):
        fill(hashes.astype(np.uint32), offsets, keys, keys, out)
    with pytest.raises(BufferError):
        fill(hashes, offsets, keys, keys, bytes(32))  # read-only: nowhere to write
    assert np.frombuffer(states(keys, np.array([2], dtype=np.int64), 5), dtype=np.uint64).tolist() == [
        combine64(combine64(keys[:1], keys[1:]), np.array([2], dtype=np.uint64)).tolist()[0]
    ]
    with pytest.raises(ValueError, match="past the words"):
        states(keys, np.array([3], dtype=np.int64), 5)
    with pytest.raises(ValueError, match="at least 1"):
        states(keys, np.array([2], dtype=np.int64), 0)
    untyped: Any = states
    with pytest.raises(TypeError):
        untyped(keys, np.array([2], dtype=np.int64), "5")


# -- buckets: sorting equals a dict of buckets ------------------------------------------


def _reference_band_pairs(keys: np.ndarray, docs: list[int]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        buckets: dict[int, list[int]] = defaultdict(list)
        for row, doc in enumerate(docs):
            buckets[int(keys[row, band])].append(doc)
        for members in buckets.values():
            pairs.update((min(a, b), max(a, b)) for a, b in itertools.combinations(members, 2))
    return pairs


def _as_set(keys: np.ndarray) -> set[tuple[int, int]]:
    a, b = split_pair_keys(keys)
    return set(zip(a.tolist(), b.tolist(), strict=True))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 40),  # documents
    st.integers(1, 5),  # bands
    st.integers(1, 4),  # distinct values per band: small, so buckets collide
    st.randoms(use_true_random=False),
)
def test_banding_equals_a_dict_of_buckets(n_docs: int, n_bands: int, values: int, rnd: random.Random) -> None:
    keys = np.array([[rnd.randrange(values) for _ in range(n_bands)] for _ in range(n_docs)], dtype=np.uint64)
    keys = keys.reshape(n_docs, n_bands)
    docs = np.array(sorted(rnd.sample(range(1000), n_docs)), dtype=np.int64)
    order = digests(keys) if n_docs else np.empty(0, dtype=np.uint64)
    found = banded_pairs(keys, np.arange(n_docs), docs, order)
    assert found.tolist() == sorted(set(found.tolist()))  # distinct and sorted: (a, b) order
    assert _as_set(found) == _reference_band_pairs(keys, docs.tolist())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=0, max_size=30), st.randoms(use_true_random=False))
def test_groups_expand_to_every_member_pair(digest_values: list[int], rnd: random.Random) -> None:
    # Representatives' pairs, expanded, are every pair across the two groups plus
    # every pair within a group: the same as banding every document.
    docs = np.arange(len(digest_values), dtype=np.int64) * 3
    groups = group_documents(docs, np.array(digest_values, dtype=np.uint64))
    reps = groups.representatives.tolist()
    rep_pairs = [p for p in itertools.combinations(reps, 2) if rnd.random() < 0.5]
    keys = pair_keys(np.array([a for a, _ in rep_pairs], dtype=np.int64), np.array([b for _, b in rep_pairs], dtype=np.int64))
    expanded = _as_set(expand_groups(np.sort(keys), groups))
    group_of = {int(d): v for d, v in zip(docs.tolist(), digest_values, strict=True)}
    rep_of = {v: min(d for d in group_of if group_of[d] == v) for v in set(digest_values)}
    wanted = {
        (a, b)
        for a, b in itertools.combinations(docs.tolist(), 2)
        if group_of[a] == group_of[b] or (min(rep_of[group_of[a]], rep_of[group_of[b]]),
                                          max(rep_of[group_of[a]], rep_of[group_of[b]])) in rep_pairs
    }
    assert expanded == wanted


def test_a_pair_found_in_every_band_is_listed_once() -> None:
    keys = np.zeros((3, 8), dtype=np.uint64)  # three documents in one bucket of every band
    keys[:, ::2] = np.arange(3, dtype=np.uint64)[:, None]  # ...of every other band
    found = banded_pairs(keys, np.arange(3), np.arange(3, dtype=np.int64), digests(keys))
    assert _as_set(found) == {(0, 1), (0, 2), (1, 2)} and found.size == 3


def test_huge_buckets_give_a_bounded_deterministic_set_of_pairs() -> None:
    # 50 members in one bucket, max_bucket 10: each is paired with the next 9 in the
    # bucket's content order; the same pairs whatever the documents' positions.
    n, cap = 50, 10
    order = digests(np.arange(n, dtype=np.uint64).reshape(n, 1))
    docs = np.arange(n, dtype=np.int64)
    found = _as_set(bucket_pairs(np.zeros(n, dtype=np.uint64), docs, order, max_bucket=cap))
    assert len(found) == sum(min(cap - 1, n - 1 - k) for k in range(n))
    ranked = np.argsort(order, kind="stable").tolist()  # documents in content order
    assert found == {(min(ranked[i], ranked[j]), max(ranked[i], ranked[j])) for i in range(n)
                     for j in range(i + 1, min(n, i + cap))}
    moved = np.random.default_rng(3).permutation(n)  # document k now sits at position moved[k]
    again = _as_set(bucket_pairs(np.zeros(n, dtype=np.uint64), moved[docs], order, max_bucket=cap))
    assert again == {(min(moved[a], moved[b]), max(moved[a], moved[b])) for a, b in found}
    small = _as_set(bucket_pairs(np.zeros(n, dtype=np.uint64), docs, order, max_bucket=n))
    assert small == set(itertools.combinations(range(n), 2))  # not huge: every pair


# -- verification and whole runs ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=25), min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_shared_counts_equal_set_intersections(sets: list[list[int]], rnd: random.Random) -> None:
    arrays = [np.array(sorted(set(s)), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) for s in sets]
    arrays = [np.sort(a) for a in arrays]
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum([a.size for a in arrays], out=offsets[1:])
    batch = ShingleBatch(hashes=np.concatenate(arrays), offsets=offsets)
    pairs = [(rnd.randrange(len(sets)), rnd.randrange(len(sets))) for _ in range(12)]
    x = np.array([p[0] for p in pairs], dtype=np.int64)
    y = np.array([p[1] for p in pairs], dtype=np.int64)
    expected = [len(set(arrays[a].tolist()) & set(arrays[b].tolist())) for a, b in pairs]
    assert shared_counts(batch, x, y).tolist() == expected  # a merge in C, when compiled
    assert shared_counts_by_arrays(batch, x, y).tolist() == expected  # the sources' way


def test_the_c_merge_refuses_what_it_cannot_read() -> None:
    from harness.discovery.pairs import _sorted_shared_counts

    native = _sorted_shared_counts()
    if native is None:
        pytest.skip("the diff's compiled modules are not in use")
    hashes = np.array([1, 5, 9, 2, 5], dtype=np.uint64)
    offsets = np.array([0, 3, 5], dtype=np.int64)
    one = np.array([0], dtype=np.int64)
    assert np.frombuffer(native(hashes, offsets, one, one + 1), dtype=np.int64).tolist() == [1]  # 5
    assert np.frombuffer(native(np.sort(hashes[:3]), offsets[:2], one, one), dtype=np.int64).tolist() == [3]
    with pytest.raises(IndexError):
        native(hashes, offsets, one + 2, one)
    with pytest.raises(ValueError):
        native(hashes, np.array([0, 6], dtype=np.int64), one, one)  # past the hashes
    with pytest.raises(ValueError):
        native(hashes, offsets, one, np.array([0, 1], dtype=np.int64))
    with pytest.raises(TypeError):
        native(b"12345678", offsets, one, one)


@pytest.fixture(scope="module")
def corpus() -> pl.DataFrame:
    made = synthetic_corpus(600, seed=5, copy_share=0.2)
    # Verbatim copies (banded through one representative) and texts without words.
    copies = made.articles.head(4).with_columns(doc_id=pl.col("doc_id") + "-again", outlet=pl.lit("Outlet 99"))
    blank = made.articles.head(2).with_columns(doc_id=pl.col("doc_id") + "-blank", body=pl.lit(" -- "))
    return pl.concat([made.articles, copies, blank])


def test_pairs_do_not_depend_on_the_order_of_the_corpus(corpus: pl.DataFrame) -> None:
    settings = DiscoverySettings(threshold=0.5, batch_size=97)
    first = find_pairs(corpus, settings=settings)
    assert first.height > 100
    shuffled = corpus.sample(fraction=1.0, shuffle=True, seed=9)
    assert find_pairs(shuffled, settings=settings).equals(first)


def test_lazy_and_parallel_runs_give_the_same_table(
    corpus: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("harness.discovery.pairs._READ_ROWS", 150)  # several slices of the scan
    path = tmp_path / "articles.parquet"
    corpus.write_parquet(path, row_group_size=100)
    settings = DiscoverySettings(threshold=0.5, batch_size=128, cross_outlet=True)
    eager = find_pairs(corpus, settings=settings)
    lazy = find_pairs(pl.scan_parquet(path), settings=DiscoverySettings(threshold=0.5, batch_size=70, cross_outlet=True))
    assert lazy.equals(eager)
    two = find_pairs(corpus, settings=DiscoverySettings(threshold=0.5, batch_size=128, cross_outlet=True, workers=2))
    assert two.equals(eager)


def test_candidates_are_positions_with_a_below_b(corpus: pl.DataFrame) -> None:
    found = candidate_pairs(corpus["body"], settings=DiscoverySettings(threshold=0.5))
    assert isinstance(found, IndexPairs)
    assert (found.a < found.b).all()
    keys = pair_keys(found.a, found.b)
    assert bool(np.all(keys[1:] > keys[:-1]))  # sorted by (a, b), each pair once
    pairs = set(zip(found.a.tolist(), found.b.tolist(), strict=True))
    copies = corpus.height - 6  # rows 0-3 again, then two texts without words
    assert all((k, copies + k) in pairs for k in range(4))
    assert not {corpus.height - 2, corpus.height - 1} & set(itertools.chain.from_iterable(pairs))
