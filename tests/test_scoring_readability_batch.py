"""The batch readability path equals textstat itself, exactly, whatever the batch.

``readability_batch`` counts all texts of a batch together (polars, numpy) and must give
the same floats as ``harness.scoring.readability.readability`` (textstat's own
functions) for every text: on the seed page, on a BBC sample (generated articles when
the corpus is absent), on hand-picked quirks and on generated text rich in what
differs between Python's ``re``/``str`` and Rust's ``regex``. Equality is ``==``, not
closeness.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textstat.backend.utils._get_pyphen import get_pyphen

from benchmarks.bench_score import sample_articles
from harness.corpus import read_corpus
from harness.scoring import READABILITY_METRICS, VIEWS, analyse_text, readability
from harness.scoring.readability_batch import (
    _cmudict_syllables,
    _distinct_by_string,
    _distinct_rows,
    _fast_counts,
    _lookup,
    _pyphen_syllables,
    _unsafe_character_regex,
    clear_readability_batch_caches,
    readability_batch,
    text_counts_batch,
)
from harness.scoring.textcounts import _easy_words, text_counts
from harness.scoring.units import readability_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC_SAMPLE = 60




def _texts_of(articles: pl.DataFrame) -> list[str]:
    """Headline, body, every paragraph and every voice view of each article."""
    texts: list[str] = []
    for row in articles.iter_rows(named=True):
        for field in ("headline", "body"):
            text = row[field]
            texts.append(text)
            texts.extend(p for p in text.split("\n") if p.strip())
            units = analyse_text(text)
            texts.extend(readability_text(units, view) for view in VIEWS)
    return texts


def _reference(texts: list[str]) -> list[tuple[float | None, ...]]:
    return [tuple(readability(text)[m] for m in READABILITY_METRICS) for text in texts]


def _assert_equal_to_textstat(texts: list[str]) -> None:
    table = readability_batch(texts)
    assert table.columns == list(READABILITY_METRICS)
    assert all(dtype == pl.Float64 for dtype in table.dtypes)
    assert table.height == len(texts)
    for text, ours, theirs in zip(texts, table.rows(), _reference(texts), strict=True):
        assert ours == theirs, (text, ours, theirs)


def test_equal_to_textstat_on_every_seed_text() -> None:
    texts = _texts_of(read_corpus(SEEDS))
    seed_files = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += seed_files + [line for page in seed_files for line in page.splitlines()]
    assert len(texts) >= 40
    _assert_equal_to_textstat(texts)


def test_equal_to_textstat_on_a_corpus_sample() -> None:
    texts = _texts_of(sample_articles(BBC_SAMPLE))
    assert len(set(texts)) > 500  # distinct: 542 from 60 BBC articles, 756 generated
    _assert_equal_to_textstat(texts)


QUIRKS = [
    "",
    " ",
    "   \n\t ",
    " -- ",
    "...",
    "_",
    "__init__ said",
    "Yes.",
    "a b",
    "a b c",
    "a b c.",
    "TRUMP'S aides don't say 'no' -- they're 'considering it'.",
    "DON'T rock'n'roll ''tis o'clock y'all I'd we've you'll they're it's.",
    "Prices rose by 3.5% to 1,200 in the year to March... Really? Yes! Well-known facts.",
    "The U.S. and U.K. met e.g. Mr. Smith at 3 p.m. on Jan. 5th.",
    "\u2018Quoted,\u2019 she said \u201cloudly\u201d \u2014 then left \u2013 at "
    "\u00a35bn or \u20ac20m.",
    "Caf\u00e9 na\u00efve Zo\u00eb r\u00e9sum\u00e9 \u00fcber Stra\u00dfe \ufb01ne \ufb02ow.",
    "\u0130stanbul and \u039f\u0394\u039f\u03a3 are not in CMUdict; neither is xqzt.",
    "\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2 \u039f\u0394\u039f\u03a3 \u03a3 \u03c3\u03c2 "
    "words here.",
    "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440 \u0438 \u0432\u0441\u0435\u043c. "
    "\u65e5\u672c\u8a9e\u306e\u6587\u3002",
    "e\u0301 combining e\u0301e\u0301 marks a\u0308b. x\u0303y z.",
    "Separators\x1cin\x1dthe\x1eold\x1fstyle split words in Python.",
    "Non\u00a0breaking\u2003em\u2009thin\u3000ideographic\u2028line\u2029para spaces.",
    "soft\u00adhyphen zero\u200bwidth joiner\u200dhere.",
    "Line one without a stop\nand another one\r\non a new line\tand a tab",
    "a b. c d e. f g h i. j",
    "!!! ??? ... Hello there world!!! What now??",
    " ".join(f"word{i % 7}." if i % 9 == 0 else "constitutionally" for i in range(160)),
]


@pytest.mark.parametrize("text", QUIRKS)
def test_equal_to_textstat_on_quirks(text: str) -> None:
    _assert_equal_to_textstat([text])


def test_equal_to_textstat_on_all_quirks_in_one_batch() -> None:
    _assert_equal_to_textstat(QUIRKS + QUIRKS[::-1])


@pytest.mark.parametrize("words", [99, 100, 101, 102, 150])
@pytest.mark.parametrize("stop_every", [3, 7, 50])
def test_linsear_write_reads_exactly_the_first_hundred_words(words: int, stop_every: int) -> None:
    vocabulary = ["extraordinary", "cat", "--", "don't", "U.S.", "readability", "1,200", "a"]
    tokens = []
    for i in range(words):
        token = vocabulary[i % len(vocabulary)]
        tokens.append(token + "." if i % stop_every == stop_every - 1 else token)
    text = " ".join(tokens)
    _assert_equal_to_textstat([text, text.replace(" ", "\n"), "Start here. " + text])


_TOKENS = [
    "the", "said", "a", "I", "an", "readability", "extraordinary", "constitutionally",
    "don't", "DON'T", "it's", "they're", "we've", "y'all", "'tis", "o'clock", "rock'n'roll",
    "O'Neill", "'quoted'", "s'", "\u2019s", "\u2018single\u2019", "\u201cdouble\u201d",
    "well-known", "-", "--", "\u2014", "\u2013", "1,200", "3.5", "3.5%", "\u00a35bn", "\u20ac20",
    "U.S.", "e.g.", "Mr.", "p.m.", "...", "?!", "!", "?", ".", ",", ";", ":", "(", ")", "'",
    '"', "_", "__x__", "qwxz", "zzyzx", "Pfffft", "supercalifragilistic", "Caf\u00e9",
    "na\u00efve", "\ufb01ne", "\u0130stanbul", "\u03a3\u039f\u03a3",
    "\u03c3\u03bf\u03c6\u03b9\u03b1",
    "\u041f\u0440\u0438\u0432\u0435\u0442", "\u65e5\u672c", "e\u0301", "x\u0303y", "\u00ad",
    "\u200b", "\u00bd", "\u2163", "\u00b2", "I\u0307", "\u212a", "\u0149",
]
_SEPARATORS = [" "] * 12 + ["  ", "\n", "\n\n", "\t", "\r\n", "", ". ", ", ", "! ", "? ", "... "]
_SEPARATORS += ["\x1c", "\x1f", "\xa0", "\u2003"]  # split by Python, not by Rust's \s
_word_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEIOUY'", min_size=1, max_size=12)
_any_characters = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=4
)
# Mostly news-like tokens (the fast path), sometimes any character (the exact path).
_token = st.one_of(
    st.sampled_from(_TOKENS), st.sampled_from(_TOKENS), _word_token, _word_token, _any_characters
)
# Tokens and separators made only of characters the fast path counts itself.
_NEWS_TOKENS = pl.Series(_TOKENS).filter(
    ~pl.Series(_TOKENS).str.contains(_unsafe_character_regex())
).to_list()
_NEWS_SEPARATORS = _SEPARATORS[:-4]
_news_token = st.one_of(st.sampled_from(_NEWS_TOKENS), _word_token)


def _joined(
    tokens: st.SearchStrategy[str], max_size: int, min_size: int = 0, news: bool = False
) -> st.SearchStrategy[str]:
    pair = st.tuples(tokens, st.sampled_from(_NEWS_SEPARATORS if news else _SEPARATORS))
    parts = st.lists(pair, min_size=min_size, max_size=max_size)
    return parts.map(lambda pairs: "".join(token + separator for token, separator in pairs))


_text = _joined(_token, 40)


@settings(max_examples=300, deadline=None)
@given(st.lists(_text, min_size=1, max_size=6))
def test_equal_to_textstat_on_generated_batches(texts: list[str]) -> None:
    _assert_equal_to_textstat(texts)


@settings(max_examples=150, deadline=None)
@given(st.lists(_joined(_news_token, 160, min_size=40, news=True), min_size=1, max_size=4))
def test_equal_to_textstat_on_generated_news_like_batches(texts: list[str]) -> None:
    _assert_equal_to_textstat(texts)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_TOKENS), min_size=95, max_size=110).map(" ".join),
    st.sampled_from(["", "First words here. ", "x "]),
)
def test_equal_to_textstat_around_a_hundred_words(body: str, lead: str) -> None:
    _assert_equal_to_textstat([lead + body, body, body.replace(" ", "\n")])


def test_result_does_not_depend_on_the_batch() -> None:
    texts = QUIRKS + _texts_of(sample_articles(BBC_SAMPLE).head(5))
    together = readability_batch(texts).rows()
    reversed_batch = readability_batch(texts[::-1]).rows()[::-1]
    doubled = readability_batch(texts + texts).rows()
    clear_readability_batch_caches()
    alone = [readability_batch([text]).rows()[0] for text in texts]
    assert together == reversed_batch == doubled[: len(texts)] == doubled[len(texts) :] == alone
    assert readability_batch([]).shape == (0, len(READABILITY_METRICS))


def test_counts_equal_textcounts_per_text() -> None:
    texts = QUIRKS + _texts_of(sample_articles(BBC_SAMPLE).head(10))
    table = text_counts_batch(texts)
    for text, row in zip(texts, table.iter_rows(named=True), strict=True):
        counts = text_counts(text)
        assert row == {name: getattr(counts, name) for name in row}, text


def test_no_alphanumeric_gives_nulls_and_words_give_numbers() -> None:
    table = readability_batch(["-- ...", "_", "", "Hello world again, said the cat."])
    assert table.row(0) == (None,) * 8 == table.row(1) == table.row(2)
    assert all(isinstance(v, float) for v in table.row(3))


def test_python_and_rust_agree_on_whitespace_for_every_code_point() -> None:
    # The split relies on it: str.split() whitespace == [\s\x1c-\x1f] in Rust's regex.
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    rust = pl.Series(chars).str.contains(r"^[\s\x1c-\x1f]$").to_list()
    assert [c for c, r in zip(chars, rust, strict=True) if c.isspace() != r] == []
    assert sum(rust) == 29


def test_vectorised_pyphen_equals_pyphen() -> None:
    pyphen = get_pyphen("en_US")
    words = sorted(
        {w.lower() for text in QUIRKS + _TOKENS for w in re.findall(r"[\w']+", text)}
        | {"xqzt", "hyphenation", "supercalifragilisticexpialidocious", "'", "a", "zz", "ab"}
        | {"antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis"}
    )
    assert _pyphen_syllables(words) == [len(pyphen.positions(w)) + 1 for w in words]
    assert _pyphen_syllables([]) == []


_WORD_PIECES = st.sampled_from(
    ["a", "e", "i", "o", "u", "y", "st", "tion", "ing", "hyph", "'", "'s", "1", "_", "é", "İ", "ß", "k", "-", ".", "Q", " "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_WORD_PIECES, max_size=10).map("".join), max_size=8))
def test_syllable_counts_of_many_texts_are_syllable_count_of_each(texts: list[str]) -> None:
    """New words' syllables in one call: CMUdict, else the vectorised Pyphen for ASCII
    words, else Pyphen one by one; each count as ``textcounts.syllable_count`` gives."""
    from harness.scoring.readability_batch import syllable_counts
    from harness.scoring.textcounts import syllable_count

    texts = [*texts, "Ukraine's", "zelenskyy's", "hyphenation", "Naïve", "don't", ""]
    assert syllable_counts(texts) == [syllable_count(t) for t in texts]
    assert syllable_counts([]) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'_019", max_size=14), max_size=10))
def test_vectorised_pyphen_equals_pyphen_on_ascii_words(words: list[str]) -> None:
    pyphen = get_pyphen("en_US")
    assert _pyphen_syllables(words) == [len(pyphen.positions(w)) + 1 for w in words]


def test_news_characters_stay_on_the_fast_path_and_odd_spaces_are_split_by_python() -> None:
    texts = [
        "\u2018Quoted,\u2019 she said \u201cloudly\u201d \u2014 then left \u2013 at \u00a35bn.",
        "Caf\u00e9 na\u00efve Zo\u00eb r\u00e9sum\u00e9 \u00fcber Stra\u00dfe, 3.5% of 1,200.",
        "Line one\nline two\r\nand\ta tab.",
        "No\u00a0break and\u2003em\u3000spaces here.",
        "e\u0301 combining mark",
        "\u039f\u0394\u039f\u03a3 final sigma",
        "\u0130stanbul dotted capital I",
    ]
    flags = _fast_counts(pl.Series(texts), np.ones(len(texts), dtype=np.bool_))
    assert (flags["unsafe"] > 0).tolist() == [False] * 4 + [True] * 3
    assert (flags["stray_space"] > 0).tolist() == [False] * 3 + [True, False, False, False]
    _assert_equal_to_textstat(texts)


def test_distinct_rows_group_equal_hashes_whatever_their_slots() -> None:
    # hashes sharing their top bits land in one slot and need several rounds
    values = [1, 2, 1, 3, (2 << 40) + 1, 2, 3, 1 << 63, (1 << 63) + 1, 1 << 63, 0, 0]
    hashes = np.array(values, dtype=np.uint64)
    ids, first = _distinct_rows(hashes)
    assert len(first) == len(set(values))
    assert sorted(values[i] for i in first) == sorted(set(values))
    assert [values[first[i]] for i in ids] == values
    chunks = pl.Series(["a", "b", "a", "", "b", ""])
    cid, distinct = _distinct_by_string(chunks)
    assert distinct.gather(cid).to_list() == chunks.to_list()
    assert sorted(distinct.to_list()) == ["", "a", "b"]


def test_lexicon_lookup_equals_the_dictionaries() -> None:
    cmudict = _cmudict_syllables()
    easy = _easy_words()
    words = sorted(cmudict)[::97] + sorted(easy)[::13] + ["", "xqzt", "don't", "'s", "zzz'"]
    syllables, is_easy = _lookup(pl.Series(words))
    assert syllables.tolist() == [cmudict.get(w, -1) for w in words]
    assert is_easy.tolist() == [w in easy for w in words]
