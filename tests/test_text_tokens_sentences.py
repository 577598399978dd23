"""Tokenizer and sentence splitter: offsets into the original text, news abbreviations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text import Token, TokenKind, split_sentences, tokenize, word_count, words


def texts(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def sentences(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


# -- tokens ------------------------------------------------------------------------


def test_token_kinds_and_offsets() -> None:
    assert tokenize("U.S. troops, 1,200 of them.") == [
        Token("U.S.", 0, 4, TokenKind.WORD),
        Token("troops", 5, 11, TokenKind.WORD),
        Token(",", 11, 12, TokenKind.PUNCT),
        Token("1,200", 13, 18, TokenKind.NUMBER),
        Token("of", 19, 21, TokenKind.WORD),
        Token("them", 22, 26, TokenKind.WORD),
        Token(".", 26, 27, TokenKind.PUNCT),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukraine's O'Brien don\u2019t", ["Ukraine's", "O'Brien", "don\u2019t"]),
        ("24-48 hours", ["24", "-", "48", "hours"]),
        ("Putin-Zelenskyy meeting", ["Putin", "-", "Zelenskyy", "meeting"]),
        ("3.5 per cent, 2nd place, 5G", ["3.5", "per", "cent", ",", "2nd", "place", ",", "5G"]),
        ("'quoted'", ["'", "quoted", "'"]),
        ("e.g. this", ["e.g.", "this"]),
    ],
)
def test_tokenizer_cases(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_words_and_word_count_skip_punctuation() -> None:
    text = "He said: \u201cNo, 40 minutes.\u201d"
    assert [t.text for t in words(text)] == ["He", "said", "No", "40", "minutes"]
    assert word_count(text) == 5


def test_offset_argument_shifts_every_token() -> None:
    assert tokenize("a b", offset=10) == [Token("a", 10, 11, TokenKind.WORD), Token("b", 12, 13, TokenKind.WORD)]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_token_offsets_slice_the_original_text(text: str) -> None:
    tokens = tokenize(text)
    for token in tokens:
        assert text[token.start : token.end] == token.text
        assert token.text and not token.text.isspace()
    for earlier, later in zip(tokens, tokens[1:], strict=False):
        assert earlier.end <= later.start
    # Nothing visible is lost: only whitespace lies between tokens.
    covered = set().union(*(range(t.start, t.end) for t in tokens)) if tokens else set()
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


# -- sentences ---------------------------------------------------------------------


def test_us_president_is_one_sentence() -> None:
    assert sentences("U.S. President Donald Trump said.") == ["U.S. President Donald Trump said."]


@pytest.mark.parametrize(
    "text",
    [
        "He met Gen. Smith in Kyiv.",
        "Mr. Jones and Mrs. Smith spoke to Dr. Brown.",
        "She swooned at a Sept. 11 commemoration in New York.",
        "The deal was signed at 10 a.m. on Monday by the U.K. envoy.",
    ],
)
def test_abbreviations_stay_inside_sentences(text: str) -> None:
    assert sentences(text) == [text]


def test_sentences_split_at_full_stops() -> None:
    text = "Talks lasted 40 minutes. Russia offered bodies. Kyiv wants more."
    assert sentences(text) == ["Talks lasted 40 minutes.", "Russia offered bodies.", "Kyiv wants more."]


@pytest.mark.parametrize(
    ("close", "open_"),
    [("\u201d", "\u201c"), ("\u2019", "\u2018"), ('"', '"'), ("'", "'")],
)
def test_closing_quotes_stay_with_their_sentence(close: str, open_: str) -> None:
    text = f"He said {open_}We will win.{close} Then he left."
    assert sentences(text) == [f"He said {open_}We will win.{close}", "Then he left."]


def test_question_inside_curly_quotes() -> None:
    assert sentences("He asked \u201cWhy?\u201d She nodded.") == ["He asked \u201cWhy?\u201d", "She nodded."]


def test_line_breaks_end_sentences() -> None:
    text = "Headline without a stop\nThe body starts here. And goes on\nwith another line"
    assert sentences(text) == [
        "Headline without a stop",
        "The body starts here.",
        "And goes on",
        "with another line",
    ]


def test_windows_line_breaks_end_sentences_too() -> None:
    assert sentences("One line\r\nAnother line") == ["One line", "Another line"]


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\t \n") == []


def test_sentence_offsets_on_a_multi_paragraph_text() -> None:
    text = "First one. Second one.\n\nThird one."
    found = split_sentences(text)
    assert [(s.start, s.end) for s in found] == [(0, 10), (11, 22), (24, 34)]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_sentence_offsets_slice_the_original_text(text: str) -> None:
    found = split_sentences(text)
    for sentence in found:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text.strip()
        assert "\n" not in sentence.text and "\r" not in sentence.text
    for earlier, later in zip(found, found[1:], strict=False):
        assert earlier.end <= later.start
