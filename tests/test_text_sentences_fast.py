"""The fast sentence splitter gives exactly what NLTK's Punkt gives.

``split_sentences`` re-implements Punkt's span flow and decides most candidate
breaks with exact rules (``harness/text/sentences.py`` explains why they are
exact); ``punkt_split_sentences`` is NLTK itself. They must agree, to the
character offset, on the seed page, on a BBC sample (``benchmarks.news_sample`` when
the corpus is absent) and on generated text built from what makes Punkt hard:
abbreviations, initials, numbers, ellipses, closing quotes and brackets, lower
case after a stop, CJK and Devanagari stops and every kind of whitespace. The
character classes the fast path spells out are checked against NLTK's own
patterns over every code point.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktSentenceTokenizer

from benchmarks.bench_score import sample_articles
from harness.corpus import read_corpus
from harness.text import sentences
from harness.text.sentences import (
    Sentence,
    abbreviations_resource,
    clear_sentence_caches,
    punkt_split_sentences,
    split_sentences,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC_SAMPLE = 150
EVERY_CHAR = "".join(map(chr, range(0x110000)))


def assert_same(text: str) -> None:
    fast, reference = split_sentences(text), punkt_split_sentences(text)
    assert fast == reference, text
    for sentence in fast:
        assert text[sentence.start : sentence.end] == sentence.text


# -- real text -------------------------------------------------------------------




def test_seed_page_whole_and_line_by_line() -> None:
    files = sorted(SEEDS.glob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert len(split_sentences(text)) > 20
        assert_same(text)
        for line in text.splitlines():
            assert_same(line)


def test_seed_corpus_articles() -> None:
    articles = read_corpus(SEEDS)
    assert articles.height >= 4
    for row in articles.iter_rows(named=True):
        assert_same(row["headline"])
        assert_same(row["body"])


def test_corpus_sample() -> None:
    articles = sample_articles(BBC_SAMPLE)
    assert articles.height == BBC_SAMPLE
    distinct: set[str] = set()
    for row in articles.iter_rows(named=True):
        assert_same(row["headline"])
        assert_same(row["body"])
        distinct.update(s.text for s in split_sentences(row["body"]))
    total = len(distinct)
    assert total > BBC_SAMPLE * 12  # 2,231 distinct from 150 BBC articles, 2,732 generated


# -- known cases -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U.S. President Donald Trump spoke. He left.", ["U.S. President Donald Trump spoke.", "He left."]),
        ("Gen. Smith met Mr. Jones at 3 p.m. today. Then he left.",
         ["Gen. Smith met Mr. Jones at 3 p.m. today.", "Then he left."]),
        ('He said "Yes." Then he left.', ['He said "Yes."', "Then he left."]),
        # "no" is in the abbreviation list, so Punkt keeps going (its behaviour, kept).
        ('He said "No." Then he left.', ['He said "No." Then he left.']),
        ("(It fell.) Prices rose.", ["(It fell.)", "Prices rose."]),
        ("It cost 1,200. Then more.", ["It cost 1,200.", "Then more."]),
        ("Page 10. it goes on.", ["Page 10. it goes on."]),
        ("J. K. Rowling wrote. Fans read.", ["J. K. Rowling wrote.", "Fans read."]),
        ("Wait... what? Really!", ["Wait... what?", "Really!"]),
        ("北京下雨。上海晴天！好吗？是的。", ["北京下雨。上海晴天！好吗？是的。"]),
        ("北京下雨。 上海晴天！ 好吗？", ["北京下雨。", "上海晴天！", "好吗？"]),
        ("यह है। वह है।", ["यह है।", "वह है।"]),
        ("Very bad acting!!! I promise.", ["Very bad acting!!!", "I promise."]),
        ("It rained . Then it stopped .", ["It rained .", "Then it stopped ."]),
        ('. "It rained." . it', ['"It rained."', "it"]),
        ("  \t", []),
        ("", []),
    ],
)
def test_known_splits(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected
    assert_same(text)


def test_punkt_tokenizer_stays_available() -> None:
    assert isinstance(sentences._punkt(), PunktSentenceTokenizer)


def test_kept_punkt_patterns_are_nltks_whatever_the_string_hashing() -> None:
    """The fast path runs NLTK's patterns kept as text (it need not import NLTK); NLTK
    lists the other sentence ends in a set's order, which string hashing changes."""
    import os
    import subprocess
    import sys

    kept = (sentences._PERIOD_CONTEXT, sentences._BOUNDARY_REALIGNMENT, sentences._RE_INITIAL, sentences._RE_NUMERIC)
    assert sentences._nltk_patterns(sentences._punkt()) == kept
    probe = "from harness.text import sentences as s\nprint(s._nltk_patterns(s._punkt()) == (s._PERIOD_CONTEXT, s._BOUNDARY_REALIGNMENT, s._RE_INITIAL, s._RE_NUMERIC))"
    for seed in ("0", "1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
        assert done.stdout.split() == ["True"], done.stderr[-2000:]


def test_a_changed_nltk_pattern_stops_the_splitter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentences, "_RE_NUMERIC", ("^\\d+$", sentences._RE_NUMERIC[1]))
    sentences._punkt.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="NLTK's Punkt patterns changed"):
            sentences._punkt()
    finally:
        sentences._punkt.cache_clear()


def test_clearing_the_caches_changes_nothing() -> None:
    text = "Mr. Smith said so.) Then: 3.5. e.g. this... and 'that'. No. 10 spoke."
    first = split_sentences(text)
    clear_sentence_caches()
    assert sentences._WORD_KINDS == {} and sentences._SENTBREAK_MEMO == {}
    assert split_sentences(text) == first == punkt_split_sentences(text)
    assert all(isinstance(s, Sentence) for s in first)


_ASCII_WORD = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=12)


@settings(max_examples=500, deadline=None)
@given(_ASCII_WORD)
def test_a_plain_words_kind_is_what_the_general_steps_say(word: str) -> None:
    """The shortcut for words of ASCII letters before a stop gives the general steps' kind."""
    punkt = sentences._fast_punkt()
    assert sentences._word_kind(punkt, word) == sentences._word_kind_in_general(punkt, word)


def test_the_plain_word_shortcut_knows_every_abbreviation() -> None:
    punkt = sentences._fast_punkt()
    words = sorted(w for w in punkt.abbreviations if w.isascii() and w.isalpha())
    assert len(words) > 50
    for word in [*words, *(w.upper() for w in words), *(w.title() for w in words)]:
        assert sentences._word_kind(punkt, word) == sentences._word_kind_in_general(punkt, word), word
    assert sentences._word_kind(punkt, "Gen") == sentences._NEVER_BREAK  # "Gen." abbreviates
    assert sentences._word_kind(punkt, "said") == sentences._ALWAYS_BREAK


# -- the spelled-out character classes equal NLTK's --------------------------------


def _nltk_pattern_flags() -> int:
    flags: int = sentences._punkt()._lang_vars.period_context_re().flags
    return flags


def test_non_word_chars_are_nltks() -> None:
    lang_vars = sentences._punkt()._lang_vars
    nltk_class = regex.compile(lang_vars._re_non_word_chars, _nltk_pattern_flags())
    assert set(nltk_class.findall(EVERY_CHAR)) == sentences._NON_WORD_CHARS


def test_word_start_exclusions_are_nltks() -> None:
    lang_vars = sentences._punkt()._lang_vars
    word_start = regex.compile(lang_vars._re_word_start, _nltk_pattern_flags())
    assert set(EVERY_CHAR) - set(word_start.findall(EVERY_CHAR)) == sentences._NOT_WORD_START


def test_whitespace_of_re_translation_is_regexs() -> None:
    nltk_whitespace = regex.compile(r"\s", _nltk_pattern_flags()).findall(EVERY_CHAR)
    ours = re.compile(r"[^\S%s]" % sentences._RE_ONLY_WHITESPACE).findall(EVERY_CHAR)
    assert ours == nltk_whitespace
    assert re.compile(r"[\S%s]" % sentences._RE_ONLY_WHITESPACE).findall(EVERY_CHAR) == regex.compile(
        r"\S", _nltk_pattern_flags()
    ).findall(EVERY_CHAR)


def test_realignment_openers_are_nltks() -> None:
    realign = sentences._punkt()._lang_vars.re_boundary_realignment
    opening = {char for char in map(chr, range(0x110000)) if realign.match(char)}
    assert opening == sentences._REALIGN_OPENERS


# -- generated text ----------------------------------------------------------------

ABBREVIATIONS = abbreviations_resource().lines()
WORDS = ["the", "said", "Smith", "government", "it's", "Ukraine's", "well-known", "COVID-19", "AT&T",
         "Ltd", "naïve", "Über", "élan", "x", "I", "a", "_id", "#tag", "@user", "`code", "&co",
         "北京", "नमस्ते", "Москва", "so-called", "e-mail", "ex-Gov", "non", "US", "UK"]
NUMBERS = ["3.5", "1,200", "2004", "10", "No. 10", "-5", "1990s", "£3.35m", "$1.9bn", "10%", "0.1",
           "3rd", "1.", "12,", ".5", "1-0", "٣"]
INITIALS = ["J.", "K.", "A.", "é.", "J. K.", "Z."]
STOPS = [".", "?", "!", "?!", "!!!", '."', ".)", ".'", "!'", ".\u2019", ".\u201d", ".]", '?"', ".}",
         ".»", "...", "\u2026", "....", ". . .", "..", "\u3002", "\uff01", "\uff1f", "\u0964", ".;",
         ".:", ".,", ".*", ".@", ".(", '."\'', ".--", "--", "-", ";", ":", ",", "", "", ""]
OPENERS = ['"', "(", "'", "\u201c", "\u2018", "[", "\u00ab", "{", "*", ""]
SPACES = [" ", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\r", "\xa0", "\u2009", "\u3000", "\x1c", "\x85",
          "\u2028", "\x0b", "\x0c", " \t ", "\n\n", ""]


def _abbreviated(abbreviation: str) -> str:
    """The file's form ("u.s") as it appears in text: "U.S.", "Gen.", "etc."."""
    return abbreviation.upper() + "." if len(abbreviation) <= 3 else abbreviation.capitalize() + "."


def _case(word: str, upper: bool) -> str:
    return word[:1].upper() + word[1:] if upper else word[:1].lower() + word[1:]


word = st.builds(_case, st.sampled_from(WORDS), st.booleans())
abbreviation = st.sampled_from(ABBREVIATIONS).map(_abbreviated) | st.sampled_from(
    ["U.S.", "Mr.", "Gen.", "etc.", "a.m.", "No.", "Inc.", "e.g.", "ex-Gov.", "Lt.-Col.", "mr.", "U.S.A."]
)
piece = st.one_of(word, word, word, abbreviation, st.sampled_from(NUMBERS), st.sampled_from(INITIALS))
chunk = st.builds(lambda opener, body, stop: opener + body + stop,
                  st.sampled_from(OPENERS), piece, st.sampled_from(STOPS))
news_text = st.builds(
    lambda lead, parts, tail: lead + "".join(parts) + tail,
    st.sampled_from(SPACES + [""] * 5),
    st.lists(st.tuples(chunk, st.sampled_from(SPACES)).map("".join), max_size=14),
    st.sampled_from(SPACES + [""] * 5),
)
ALPHABET = list("aAzZ1 .,;:?!'\"()[]{}-*@#&`_…。！？।\t\r\n\x0b\x0c\x1c\x85\xa0\u2028\u2019\u201c\u201d«»éß٣")


@settings(max_examples=700, deadline=None)
@given(news_text)
def test_generated_news_text_splits_like_punkt(text: str) -> None:
    assert_same(text)


@settings(max_examples=700, deadline=None)
@given(piece, st.sampled_from(STOPS), st.sampled_from(SPACES), st.sampled_from(OPENERS), piece, st.sampled_from(STOPS))
def test_every_pair_around_a_stop_splits_like_punkt(
    before: str, stop: str, space: str, opener: str, after: str, end: str
) -> None:
    assert_same(f"{before}{stop}{space}{opener}{after}{end} Next one.")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=40))
def test_punctuation_soup_splits_like_punkt(text: str) -> None:
    assert_same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_splits_like_punkt(text: str) -> None:
    assert_same(text)
