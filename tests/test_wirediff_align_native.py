"""``units.c``'s ``align_core``: ``harness.wirediff.align.align`` in one C call.

Where the diff's core runs compiled, ``align`` hands its body (candidate links, the
heaviest chain, moved passages, the path of runs) to C. The Python body
(``align._align_here``) stays the definition: both must give the same ``Alignment``,
float for float (a link's similarity is rapidfuzz's normalised Indel similarity, which
the C computes from its own LCS), on generated texts built to make every case: exact,
partial, split, merged, moved, dropped and added sentences, style variants, sentences
longer than one 64-bit block of the bit-parallel LCS, and on seeded wire copies.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from benchmarks.bench_diff import edited_copy, synthetic_texts
from harness.wirediff import prepare
from harness.wirediff.align import DEFAULT_ALIGN, AlignSettings, Alignment, _align_here, _align_native, _opcodes
from harness.wirediff.prepare import PreparedText
from tests.test_wirediff_speed import _c_units


def _core() -> Callable[..., Any]:
    function: Callable[..., Any] = _c_units().align_core
    return function


def assert_same_alignment(a: PreparedText, b: PreparedText, s: AlignSettings = DEFAULT_ALIGN) -> Alignment:
    expected = _align_here(a, b, s)
    assert _align_native(_core(), a, b, s) == expected
    return expected


# Few words, so that sentences repeat, match in part and link in many ways; capitalised
# and abbreviated forms give style variants (same key, other text).
WORDS = ["the", "The", "army", "said", "said,", "talks", "U.S.", "US", "on", "Monday", "3", "three", "a", "peace"]
short_sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=9)
long_sentence = st.lists(st.sampled_from(WORDS), min_size=60, max_size=140)  # one, two or three LCS blocks
sentence = st.one_of(short_sentence, short_sentence, short_sentence, long_sentence)


def _text(sentences: list[list[str]], breaks: list[bool]) -> str:
    out = []
    for k, words in enumerate(sentences):
        out.append(" ".join(words) + ".")
        if k < len(sentences) - 1:
            out.append("\n\n" if breaks[k % len(breaks)] else " ")
    return "".join(out)


@st.composite
def text_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A, and B made from A's sentences: kept, dropped, moved, edited, split, merged, added."""
    a_sentences = draw(st.lists(sentence, min_size=1, max_size=12))
    b_sentences: list[list[str]] = []
    for words in a_sentences:
        fate = draw(st.sampled_from(["keep", "keep", "drop", "edit", "split", "merge", "add"]))
        if fate == "keep":
            b_sentences.append(list(words))
        elif fate == "edit":
            edited = list(words)
            for _ in range(draw(st.integers(1, 3))):
                edited[draw(st.integers(0, len(edited) - 1))] = draw(st.sampled_from(WORDS))
            b_sentences.append(edited)
        elif fate == "split" and len(words) > 1:
            cut = draw(st.integers(1, len(words) - 1))
            b_sentences += [words[:cut], words[cut:]]
        elif fate == "merge" and b_sentences:
            b_sentences[-1] = b_sentences[-1] + ["and"] + words
        elif fate == "add":
            b_sentences += [list(words), draw(sentence)]
    if len(b_sentences) > 2 and draw(st.booleans()):  # a passage moved
        start = draw(st.integers(0, len(b_sentences) - 1))
        passage = b_sentences[start : start + draw(st.integers(1, 2))]
        del b_sentences[start : start + len(passage)]
        at = draw(st.integers(0, len(b_sentences)))
        b_sentences[at:at] = passage
    breaks = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    return _text(a_sentences, breaks), _text(b_sentences or [["Nothing"]], breaks)


thresholds = st.builds(
    AlignSettings,
    sentence_threshold=st.sampled_from([0.4, 0.0, 0.5, 1.0]),
    merge_threshold=st.sampled_from([0.3, 0.0, 0.6]),
    move_threshold=st.sampled_from([0.6, 0.0, 0.3, 1.0]),
)


@settings(max_examples=600, deadline=None)
@given(text_pairs(), st.one_of(st.just(DEFAULT_ALIGN), thresholds))
def test_the_c_alignment_is_the_python_alignment(texts: tuple[str, str], s: AlignSettings) -> None:
    a, b = prepare(texts[0]), prepare(texts[1])
    assert_same_alignment(a, b, s)
    assert_same_alignment(b, a, s)


def test_the_c_alignment_is_the_python_alignment_on_wire_copies() -> None:
    """Seeded ~1,000-token stories and their edited restyles (bench_diff's copies: a
    sentence dropped, one moved, one added, a word in a hundred replaced), and unrelated
    stories against each other (nearly every sentence scored, few linked)."""
    rng = random.Random(20250723)
    stories = synthetic_texts(12, rng)
    moved = 0
    for k, story in enumerate(stories):
        copy = edited_copy(story, rng)
        alignment = assert_same_alignment(prepare(story), prepare(copy))
        moved += len(alignment.moves)
        assert len(alignment.links) > 10
        assert_same_alignment(prepare(story), prepare(stories[(k + 1) % len(stories)]))
    assert moved >= 6  # the moves were found, and found alike


def test_a_link_s_similarity_is_rapidfuzz_s_on_long_sentences() -> None:
    """The bit-parallel LCS across 64-bit blocks (carries included) gives rapidfuzz's
    similarity to the last bit: sentences of 63 to 200 words, one word changed or dropped."""
    rng = random.Random(7)
    for length in (63, 64, 65, 127, 128, 129, 200):
        words = [rng.choice(WORDS) for _ in range(length)]
        other = list(words)
        other[rng.randrange(length)] = "ceasefire"
        del other[rng.randrange(length)]
        a = prepare(" ".join(words) + ". Rain fell.")
        b = prepare(" ".join(other) + ". Rain fell.")
        alignment = assert_same_alignment(a, b)
        first = alignment.links[0]
        assert first.similarity == Indel.normalized_similarity(a.sentence_keys[0], b.sentence_keys[0]) < 1.0


def test_the_c_alignment_refuses_what_is_not_its_input() -> None:
    a, b = prepare("Talks began. Rain fell."), prepare("Talks began! Rain fell all day.")
    args = [a.sentence_keys, b.sentence_keys, a.sentences, b.sentences, a.keys, b.keys, a.units, b.units,
            a.words_before, b.words_before, len(a), len(b), 0.4, 0.3, 0.6, _opcodes]  # fmt: skip
    core = _core()
    assert core(*args)[0]  # runs
    with pytest.raises(TypeError, match=r"align_core\(a_sentence_keys"):
        core(*args[:-1])
    with pytest.raises(TypeError, match="must be tuples"):
        core(*args[:4], list(a.keys), *args[5:])
    with pytest.raises(ValueError, match="one item per token"):
        core(*args[:10], len(a) + 1, *args[11:])
    with pytest.raises(ValueError, match="outside its text"):
        core(*args[:2], ((0, len(a) + 5), *a.sentences[1:]), *args[3:])

    def refuses(x: object, y: object) -> list[Any]:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):  # the opcodes' error, and nothing half-built
        core(*args[:-1], refuses)


def test_a_compiled_process_aligns_in_c() -> None:
    align_module = importlib.import_module("harness.wirediff.align")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (align_module._ALIGN_CORE is not None) == compiled
