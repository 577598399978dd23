"""Fuzzing the sentence splitter and the voice tagger with news-shaped random text.

Complements the offset properties in ``test_text_tokens_sentences`` and
``test_text_voice`` (which use plain random unicode) with text built from the
pieces that make these units hard: abbreviations, numbers, every quotation style,
apostrophes, and quotations nested to random depth, well formed or with marks
dropped at random.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text import Voice, find_quotes, split_sentences, token_voices, tokenize

FUZZ = settings(max_examples=300, deadline=None)

WORDS = ["Russia", "talks", "U.S.", "Gen.", "said", "1,200", "3.5", "Ukraine's", "leaders'", "don't",
         "'90s", "rock 'n' roll", "e.g.", "Zelenskiy", "\u0642\u0627\u0644", "\u041c\u043e\u0441\u043a\u0432\u0430", "\u4f1a\u8c08"]
PUNCT = [".", ",", "?", "!", ":", ";", "\u2026", " -", " \u2014", "(", ")"]
# (open, close) pairs of every style the tagger knows, nesting alternates between them.
QUOTE_PAIRS = [("\u201c", "\u201d"), ("\u2018", "\u2019"), ('"', '"'), ("'", "'"), ("\u00ab", "\u00bb"),
               ("\u201e", "\u201c"), ("\u2039", "\u203a"), ("\u300c", "\u300d")]

word = st.sampled_from(WORDS)
phrase = st.lists(st.one_of(word, word, st.sampled_from(PUNCT)), min_size=1, max_size=6).map(" ".join)


def quoted(depth: int) -> st.SearchStrategy[str]:
    """A quotation whose content may hold another quotation, ``depth`` levels down."""
    inner = phrase if depth == 0 else st.one_of(phrase, st.builds(lambda a, q, b: f"{a} {q} {b}", phrase, quoted(depth - 1), phrase))
    return st.builds(lambda pair, body: f"{pair[0]}{body}{pair[1]}", st.sampled_from(QUOTE_PAIRS), inner)


paragraph = st.lists(st.one_of(phrase, quoted(3)), min_size=1, max_size=5).map(" ".join)
article = st.lists(paragraph, min_size=1, max_size=4).map("\n".join)


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """An article with random characters deleted (often quote marks) or line breaks added."""
    text = draw(article)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if not text:
            break
        at = draw(st.integers(min_value=0, max_value=len(text) - 1))
        text = text[:at] + draw(st.sampled_from(["", "\n", " ", "\u201c", "'"])) + text[at + 1 :]
    return text


# -- sentences ----------------------------------------------------------------------------


@FUZZ
@given(st.one_of(article, damaged()))
def test_every_word_lies_in_exactly_one_sentence(text: str) -> None:
    sentences = split_sentences(text)
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.lstrip()
        assert sentence.text == sentence.text.rstrip()
    for earlier, later in zip(sentences, sentences[1:], strict=False):
        assert earlier.end <= later.start
    for token in (t for t in tokenize(text) if t.is_word):
        holders = [s for s in sentences if s.start <= token.start and token.end <= s.end]
        assert len(holders) == 1, (token, sentences)


@FUZZ
@given(st.one_of(article, damaged()), paragraph)
def test_paragraphs_are_split_independently(text: str, before: str) -> None:
    """A paragraph added in front shifts every sentence and changes none."""
    shift = len(before) + 1
    alone = split_sentences(text)
    after = split_sentences(before + "\n" + text)
    tail = [s for s in after if s.start >= shift]
    assert [(s.start - shift, s.end - shift, s.text) for s in tail] == [(s.start, s.end, s.text) for s in alone]


@FUZZ
@given(st.one_of(article, damaged()))
def test_sentences_are_deterministic(text: str) -> None:
    assert split_sentences(text) == split_sentences(text)


def test_sentences_start_at_a_visible_character() -> None:
    assert [(s.start, s.text) for s in split_sentences("  Russia said.")] == [(2, "Russia said.")]


# -- voice --------------------------------------------------------------------------------


def assert_voice_invariants(text: str) -> None:
    quotes = find_quotes(text)
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start] == quote.open_mark
        assert quote.close_mark == "" or text[quote.end - 1] == quote.close_mark
        assert "\n" not in text[quote.start : quote.end]  # a quotation never crosses a paragraph
    for earlier, later in zip(quotes, quotes[1:], strict=False):
        assert earlier.end <= later.start
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    assert len(voices) == len(tokens)
    for token, voice in zip(tokens, voices, strict=True):
        inside = any(q.start <= token.start and token.end <= q.end for q in quotes)
        assert (voice is Voice.QUOTED) == inside, (token, quotes)


@FUZZ
@given(st.one_of(article, damaged()))
def test_voice_invariants_under_random_nesting(text: str) -> None:
    assert_voice_invariants(text)


@FUZZ
@given(st.sampled_from(QUOTE_PAIRS[:2]), st.lists(st.sampled_from(["Russia", "talks", "said", "Moscow"]), min_size=1, max_size=4), st.integers(min_value=1, max_value=6))
def test_alternating_curly_nesting_is_one_outer_quotation(
    outer: tuple[str, str], filler: list[str], depth: int
) -> None:
    """“a ‘b “c” b’ a”: however deep, one quotation from the first mark to the last."""
    pairs = [QUOTE_PAIRS[0], QUOTE_PAIRS[1]]
    start = pairs.index(outer)
    words = " ".join(filler)
    text = words
    for level in reversed(range(depth)):
        open_, close = pairs[(start + level) % 2]
        text = f"{open_}{words} {text} {words}{close}"
    sentence = f"He said {text} on Wednesday."
    quotes = find_quotes(sentence)
    assert [(q.start, q.end) for q in quotes] == [(8, 8 + len(text))]
    assert_voice_invariants(sentence)
    tokens = tokenize(sentence)
    voices = token_voices(sentence, tokens)
    narrator = [t.text for t, v in zip(tokens, voices, strict=True) if v is Voice.NARRATOR]
    assert narrator == ["He", "said", "on", "Wednesday", "."]
