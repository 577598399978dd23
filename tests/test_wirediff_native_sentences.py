"""``units.c``'s ``sentence_bounds``: the fast Punkt path (``harness.text.sentences``) as one C loop.

``sentence_spans`` (the scorecard's sentences, the diff's sentence starts) runs it
where the diff's core runs compiled. It must cut exactly where the Python definition
(``sentence_spans_in_python``) cuts, which the tests of
``tests/test_text_sentences_fast.py`` hold equal to NLTK's Punkt: the same generated
texts are compared here, plus every character after a stop, texts with every kind of
line break, and cold and warm memos.
"""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text.sentences import clear_sentence_caches, punkt_hooks, sentence_spans_in_python
from tests.test_text_sentences_fast import ALPHABET, OPENERS, SPACES, STOPS, news_text, piece
from tests.test_wirediff_speed import _c_units


def assert_same_bounds(text: str) -> None:
    expected = [(start, end) for _, start, end in sentence_spans_in_python(text)]
    assert _c_units().sentence_bounds(text, punkt_hooks()) == expected, text


# The texts test_text_sentences_fast holds equal to NLTK: generated news, every pair of
# pieces around a stop, punctuation soup, any Unicode.
around_a_stop = st.builds(
    lambda before, stop, space, opener, after, end: f"{before}{stop}{space}{opener}{after}{end} Next one.",
    piece, st.sampled_from(STOPS), st.sampled_from(SPACES), st.sampled_from(OPENERS), piece, st.sampled_from(STOPS),
)
punctuation_soup = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)


@settings(max_examples=2500, deadline=None)
@given(st.one_of(news_text, around_a_stop, punctuation_soup, st.text(max_size=60)))
def test_generated_text_splits_as_the_fast_path(text: str) -> None:
    assert_same_bounds(text)


def test_every_character_after_a_stop_splits_as_the_fast_path() -> None:
    """The candidate pattern's character classes (the punctuation after a stop, its
    whitespace and token characters), read one code point at a time up to U+3100."""
    for code in range(0x3100):
        char = chr(code)
        assert_same_bounds(f"He left.{char}Then it rose. {char}x and U.S.{char} Gen. {char}Y. 3.{char}z")


def test_cold_and_warm_memos_give_the_same_bounds() -> None:
    text = 'He met Gen. Smith at 3 p.m. on Jan. 5. "It is over." Then (he said.) No. 10 agreed... Fine?'
    clear_sentence_caches()
    cold = _c_units().sentence_bounds(text, punkt_hooks())
    warm = _c_units().sentence_bounds(text, punkt_hooks())
    assert cold == warm == [(start, end) for _, start, end in sentence_spans_in_python(text)]
    assert len(cold) == 4  # "... agreed... Fine?" is one: an ellipsis is no break


def test_the_c_splitter_refuses_what_is_not_its_input() -> None:
    bounds = _c_units().sentence_bounds
    with pytest.raises(TypeError, match="PunktHooks of 9 fields"):
        bounds("A. B.", ())
    with pytest.raises(TypeError, match="PunktHooks of 9 fields"):
        bounds(b"A. B.", punkt_hooks())
    with pytest.raises(TypeError, match="three str, a dict"):
        bounds("A. B.", punkt_hooks()._replace(word_kinds=[]))
    with pytest.raises(TypeError, match="a set and a count"):
        bounds("A. B.", punkt_hooks()._replace(abbreviations=["gen"]))
    with pytest.raises(TypeError, match="a set and a count"):
        bounds("A. B.", punkt_hooks()._replace(memo_limit=-1))
    with pytest.raises(TypeError, match="must be a str"):
        bounds("A. B.", punkt_hooks()._replace(sentence_ends=5))

    def failing(word: str) -> int:
        raise ZeroDivisionError

    clear_sentence_caches()
    with pytest.raises(ZeroDivisionError):  # a hook raising: the error, no half list
        bounds("He left2. Then", punkt_hooks()._replace(word_kind=failing))  # not letters only: the hook decides
    assert bounds("", punkt_hooks()) == []
    sentences = importlib.import_module("harness.text.sentences")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (sentences._native_bounds() is not None) == compiled  # used where the core runs compiled


def test_the_c_splitter_decides_a_plain_word_as_word_kind_and_remembers_it() -> None:
    """A word of ASCII letters before a stop is decided in C (no call of the hook), with
    _word_kind's answer, and remembered in the memo up to its limit."""
    sentences = importlib.import_module("harness.text.sentences")
    words = ["Gen", "said", "Corp", "x", "Mr", "U", "left2", "Jan"]
    text = " ".join(f"He saw {word}. Then" for word in words)

    def refused(word: str) -> int:
        assert not (len(word) > 1 and word.isascii() and word.isalpha()), word
        return sentences._remembered_word_kind(word)

    clear_sentence_caches()
    found = _c_units().sentence_bounds(text, punkt_hooks()._replace(word_kind=refused))
    assert found == [(start, end) for _, start, end in sentence_spans_in_python(text)]
    kinds = dict(sentences._WORD_KINDS)
    clear_sentence_caches()
    expected = {word: sentences._word_kind(sentences._fast_punkt(), word) for word in kinds}
    assert kinds == expected and {"Gen", "said", "Corp"} <= set(kinds)
    clear_sentence_caches()
    _c_units().sentence_bounds("Old. Text.", punkt_hooks())
    _c_units().sentence_bounds(text, punkt_hooks()._replace(memo_limit=1))  # full: starts afresh
    assert len(sentences._WORD_KINDS) <= 2


def test_sentence_spans_and_bounds_give_the_python_definitions_spans() -> None:
    """Whichever path runs (the C loop compiled, the Python from the sources), the
    spans and bounds are the definition's."""
    from harness.text.sentences import sentence_bounds, sentence_spans

    text = 'He met Gen. Smith.\n\n"It is over." Then (he said.) No. 10 agreed... Fine?  \u3002x'
    expected = sentence_spans_in_python(text)
    assert sentence_spans(text) == expected
    assert sentence_bounds(text) == [(start, end) for _, start, end in expected]
    assert all(text[start:end] == sentence for sentence, start, end in expected)
