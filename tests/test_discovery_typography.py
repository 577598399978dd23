"""Discovery folds typography: a restyled copy has the shingles of its original.

Restyling is what outlets do to wire copy without changing a word: curly or
straight quotes and apostrophes, en/em dashes or hyphens, ligatures and
full-width forms from PDF or CJK input. Keys are made by one function
(``word_keys``), so candidates, verification and the exact reference agree.
"""

from __future__ import annotations

import random
import unicodedata
import zlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.discovery import DiscoverySettings, exact_pairs, find_pairs, shingle_hashes, synthetic_corpus, word_keys
from harness.discovery import fold_typography
from harness.discovery import shingles

# Each plain character with the typographic variants a restyled copy may use instead.
APOSTROPHES = ["'", "\u2019", "\u2018", "\u02bc", "`", "\u2032", "\uff07"]
OPEN_QUOTES = ['"', "\u201c", "\u201e", "\u00ab", "\u201f"]
CLOSE_QUOTES = ['"', "\u201d", "\u00bb", "\u2033"]
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"]
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(ord("a"), ord("z") + 1)}
LIGATURES = {"fi": "\ufb01", "fl": "\ufb02", "ff": "\ufb00"}

PLAIN_WORDS = ["wire", "copy", "office", "fluff", "final", "talks", "ceasefire", "swap", "Kyiv", "Moscow", "deal"]


def _plain_text(rng: random.Random, words: int) -> str:
    """Words with straight apostrophes, quotes and hyphens in places a wire story has them."""
    parts: list[str] = []
    for _ in range(words):
        word = rng.choice(PLAIN_WORDS)
        roll = rng.random()
        if roll < 0.15:
            word += "'s"
        elif roll < 0.25:
            word = f'"{word}"'
        elif roll < 0.35:
            word = f"{word}-{rng.choice(PLAIN_WORDS)}"
        elif roll < 0.4:
            word += " -"
        parts.append(word)
    return " ".join(parts)


def restyle(text: str, rng: random.Random) -> str:
    """The same words in another house's typography."""
    out: list[str] = []
    quote_open = True
    index = 0
    while index < len(text):
        char, pair = text[index], text[index : index + 2]
        index += 1
        if char == "'":
            out.append(rng.choice(APOSTROPHES))
        elif char == '"':
            out.append(rng.choice(OPEN_QUOTES if quote_open else CLOSE_QUOTES))
            quote_open = not quote_open
        elif char == "-":
            out.append(rng.choice(DASHES))
        elif pair in LIGATURES and rng.random() < 0.5:
            out.append(LIGATURES[pair])
            index += 1  # the ligature stands for both letters
        elif char in FULL_WIDTH and rng.random() < 0.1:
            out.append(FULL_WIDTH[char])
        else:
            out.append(char)
    return "".join(out)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=60))
def test_a_restyled_copy_has_the_same_shingles(seed: int, words: int) -> None:
    rng = random.Random(seed)
    plain = _plain_text(rng, words)
    styled = restyle(plain, rng)
    assert word_keys(styled) == word_keys(plain)
    assert shingle_hashes(styled).tolist() == shingle_hashes(plain).tolist()


@pytest.mark.parametrize(
    ("plain", "styled"),
    [
        ("Putin's forces", "Putin\u2019s forces"),
        ("Putin's forces", "Putin\u2018s forces"),
        ("Putin's forces", "Putin\u02bcs forces"),
        ("O'Neill said", "O\u2019Neill said"),
        ("rock 'n' roll", "rock \u2019n\u2019 roll"),
        ('"a deal"', "\u201ca deal\u201d"),
        ('"a deal"', "\u00ab a deal \u00bb"),
        ('"a deal"', "\u201ea deal\u201c"),
        ("'a deal'", "\u201aa deal\u2018"),
        ('"a deal"', "\u2033a deal\u2033"),
        ("Kyiv-Moscow talks", "Kyiv\u2014Moscow talks"),
        ("10-20 troops", "10\u201320 troops"),
        ("a - b", "a \u2013 b"),
        ("final office", "\ufb01nal o\ufb03ce"),
        ("FIFA 2025", "\uff26\uff29\uff26\uff21 \uff12\uff10\uff12\uff15"),
        ("caf\u00e9", "cafe\u0301"),
        ("re-elect", "re\u00adelect".replace("\u00ad", "\u2011")),
        ("reelect", "re\u00adelect"),
        ("non breaking", "non\u00a0breaking"),
    ],
)
def test_typographic_variants_give_one_key(plain: str, styled: str) -> None:
    assert word_keys(styled) == word_keys(plain)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("its", "it's"),
        ("were", "we're"),
        ("coop", "co-op"),
        ("resign", "re-sign"),
        ("Putins", "Putin's"),
        ("strasse", "stra\u00dfe x"),
    ],
)
def test_different_words_stay_apart(one: str, other: str) -> None:
    assert word_keys(one) != word_keys(other)


# Letters that fold: accents (composed or not), sharp s, ligatures, full-width and dotless forms.
_tricky_words = st.text(alphabet="abefilsAEFILS\u00e9\u0301\u00df\ufb01\ufb02\uff41\uff21\u0131", min_size=1, max_size=6)


def _reference_key(word: str) -> str:
    """What a word's key should be, by definition: compatibility form, case-folded."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", word).casefold())


@settings(max_examples=300, deadline=None)
@given(_tricky_words, _tricky_words)
def test_words_share_a_key_exactly_when_they_fold_alike(a: str, b: str) -> None:
    # Different words never collide; the same word in another form always does.
    assert ("".join(word_keys(a)) == "".join(word_keys(b))) == (_reference_key(a) == _reference_key(b))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*map(chr, shingles._FOLD), *"ab' \u00e9\ufb01\uff02\u2019x"]), max_size=40))
def test_fold_typography_replaces_exactly_what_the_table_says(text: str) -> None:
    """The variants found by a character class, as str.translate with the table would."""
    assert fold_typography(text) == unicodedata.normalize("NFKC", text).translate(shingles._FOLD)


def test_fold_typography_is_idempotent() -> None:
    text = "\u201cPutin\u2019s\u201d \ufb01nal \u2014 \uff26\uff29\uff26\uff21 re\u00adelect"
    once = fold_typography(text)
    assert once == '"Putin\'s" final - FIFA reelect'
    assert fold_typography(once) == once


def _restyled_corpus(count: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A synthetic corpus with typography, and the same corpus with every copy restyled.

    Every article gets straight apostrophes, quotes and hyphens; then each planted
    copy (the B of a planted pair) is restyled. The plain corpus is the reference.
    """
    corpus = synthetic_corpus(count, seed=11, copy_share=0.08)
    rng = random.Random(3)

    def typeset(body: str) -> str:
        # Chosen by the word itself, so an original and its copy are typeset alike.
        def one(word: str) -> str:
            mark = zlib.crc32(word.encode()) % 40
            return word + "'s" if mark < 4 else f'"{word}"' if mark < 6 else f"{word} -" if mark < 8 else word

        return " ".join(one(w) for w in body.split(" "))

    plain = corpus.articles.with_columns(pl.col("body").map_elements(typeset, return_dtype=pl.String))
    copies = set(corpus.planted["b_doc_id"].to_list())
    styled_bodies = [
        restyle(body, rng) if doc_id in copies else body
        for doc_id, body in zip(plain["doc_id"].to_list(), plain["body"].to_list(), strict=True)
    ]
    return plain, plain.with_columns(body=pl.Series(styled_bodies))


def test_recall_on_restyled_copies_against_exact_folded_jaccard() -> None:
    plain, styled = _restyled_corpus(2000)
    assert plain["body"].to_list() != styled["body"].to_list()
    # Reference: exact Jaccard over the plain texts, whose typography is one form already.
    reference = exact_pairs([shingle_hashes(b) for b in plain["body"].to_list()], threshold=0.5)
    ids = plain["doc_id"]
    expected = {
        tuple(sorted((ids[a], ids[b]))): j for a, b, j in reference.select("a_index", "b_index", "jaccard").rows()
    }
    found = find_pairs(styled, settings=DiscoverySettings(threshold=0.5, seed=1))
    got = {tuple(sorted((a, b))): j for a, b, j in found.select("a_doc_id", "b_doc_id", "jaccard").rows()}
    assert len(expected) >= 120
    assert set(got) <= set(expected)
    assert len(got) / len(expected) >= 0.98
    # Verification agrees with the reference: the same Jaccard for every pair found.
    assert all(got[pair] == pytest.approx(expected[pair]) for pair in got)
