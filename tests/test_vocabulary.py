"""Token ids and the per-text facts read by id (harness.text.vocabulary)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text.vocabulary import TextFact, Vocabulary

_TEXTS = st.text(alphabet=st.sampled_from(["a", "b", "é", "'", ",", "1", " "]), max_size=4)
_BATCHES = st.lists(st.lists(_TEXTS, max_size=12), max_size=6)


def _fact_value(text: str) -> int:
    return 1000 * len(text) + sum(map(ord, text))


@settings(max_examples=200, deadline=None)
@given(_BATCHES)
def test_ids_name_each_text_once_in_order_of_first_sight(batches: list[list[str]]) -> None:
    vocabulary = Vocabulary()
    seen: list[str] = []
    for texts in batches:
        token_ids = vocabulary.ids(texts)
        assert token_ids.ids.dtype.name == "int64"
        assert [vocabulary.texts[i] for i in token_ids.ids.tolist()] == texts
        seen.extend(texts)
        assert vocabulary.texts == list(dict.fromkeys(seen))


@settings(max_examples=200, deadline=None)
@given(_BATCHES, st.integers(min_value=0, max_value=6))
def test_a_fact_reads_what_its_function_gives_across_restarts(batches: list[list[str]], max_size: int) -> None:
    """A small bound makes the vocabulary start afresh between batches: the values stay right,
    and each text is worked out at most once per generation."""
    vocabulary = Vocabulary(max_size=max_size)
    calls: list[tuple[int, str]] = []

    def compute(text: str) -> int:
        calls.append((vocabulary.generation, text))
        return _fact_value(text)

    fact = TextFact(vocabulary, compute)
    for texts in batches:
        token_ids = vocabulary.ids(texts)
        assert fact.of(token_ids).tolist() == [_fact_value(t) for t in texts]
        assert fact.of(token_ids.subset(slice(None, None, 2))).tolist() == [_fact_value(t) for t in texts[::2]]
    assert len(calls) == len(set(calls))


@settings(max_examples=200, deadline=None)
@given(_BATCHES, st.integers(min_value=0, max_value=6))
def test_a_fact_worked_out_in_batches_reads_as_one_by_one(batches: list[list[str]], max_size: int) -> None:
    """``compute_many`` gets each batch's new texts once, in one call, and the values read
    back are the same as ``compute`` one text at a time."""
    vocabulary = Vocabulary(max_size=max_size)
    calls: list[list[str]] = []

    def compute_many(texts: list[str]) -> list[int]:
        calls.append(list(texts))
        return [_fact_value(t) for t in texts]

    def refused(text: str) -> int:
        raise AssertionError("compute_many is given: compute is not called")

    fact = TextFact(vocabulary, refused, compute_many=compute_many)
    for texts in batches:
        token_ids = vocabulary.ids(texts)
        before = len(calls)
        assert fact.of(token_ids).tolist() == [_fact_value(t) for t in texts]
        assert len(calls) - before <= 1
        assert fact.of(token_ids).tolist() == [_fact_value(t) for t in texts]  # nothing new now
    for batch in calls:
        assert len(batch) == len(set(batch)) > 0


def test_ids_given_before_a_restart_or_by_another_vocabulary_are_refused() -> None:
    vocabulary = Vocabulary()
    fact = TextFact(vocabulary, _fact_value)
    old = vocabulary.ids(["said", "claimed"])
    assert fact.of(old).tolist() == [_fact_value("said"), _fact_value("claimed")]
    vocabulary.clear()
    with pytest.raises(ValueError, match="started afresh"):
        fact.of(old)
    assert fact.of(vocabulary.ids(["claimed"])).tolist() == [_fact_value("claimed")]
    with pytest.raises(ValueError, match="another vocabulary"):
        fact.of(Vocabulary().ids(["claimed"]))


def test_fact_dtypes_hold_every_value() -> None:
    """The lexicon's form bits fill 63 bits; as uint64 they come back whole."""
    vocabulary = Vocabulary()
    fact = TextFact(vocabulary, lambda text: (1 << 63) - 1 if text == "-" else 1 << 62, dtype=np.uint64)
    assert fact.of(vocabulary.ids(["-", "a"])).tolist() == [(1 << 63) - 1, 1 << 62]
