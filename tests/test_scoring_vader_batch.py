"""``vader_batch`` equals vaderSentiment's ``polarity_scores`` exactly, text by text.

Compared with a fresh ``SentimentIntensityAnalyzer`` (not the harness's shortcuts) on
the seed page, on a sample of the BBC corpus (or generated articles when the corpus is
absent), on hand-picked trouble (negations, boosters, idioms, "but", capitals, emoji)
and on generated sentences drawn from a vocabulary rich in it. "Equal" means the same
float, sign of zero included.
"""

from __future__ import annotations

import math
import random
from functools import cache
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks.bench_score import sample_articles
from harness.scoring.vader_batch import (
    SCORE_COLUMNS,
    _python_round,
    _vectorised_scores,
    clear_vader_batch_caches,
    vader_batch,
)
from harness.text import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BBC_SAMPLE = 40


@cache
def _reference() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _same_float(a: float, b: float) -> bool:
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _assert_equal_to_vader(texts: list[str]) -> None:
    """Both the public function and its vectorised pass (small batches skip it)."""
    clear_vader_batch_caches()
    frames = [vader_batch(texts), _vectorised_scores(texts)]
    for frame in frames:
        assert frame.columns == list(SCORE_COLUMNS)
        assert all(dtype == pl.Float64 for dtype in frame.dtypes)
        assert frame.height == len(texts)
    rows = zip(texts, *(frame.iter_rows(named=True) for frame in frames), strict=True)
    for text, *ours in rows:
        expected = _reference().polarity_scores(text)
        for row in ours:
            for name in SCORE_COLUMNS:
                assert _same_float(row[name], expected[name]), (text, name, row, expected)




def _sentences(text: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(text)]


def test_equal_to_vader_on_the_seed_page() -> None:
    texts: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        page = path.read_text(encoding="utf-8")
        texts += _sentences(page) + page.splitlines() + [page]
    assert len(texts) > 100
    _assert_equal_to_vader(texts)


def test_equal_to_vader_on_a_corpus_sample() -> None:
    articles = sample_articles(BBC_SAMPLE)
    texts: list[str] = []
    for headline, body in articles.select("headline", "body").iter_rows():
        texts += [headline, *_sentences(body)]
    # Whole bodies too: long texts, many valences, saturated compounds.
    texts += articles["body"].head(5).to_list()
    # Distinct texts: 628 from 40 BBC articles, 777 from the generated stand-in.
    assert len(set(texts)) > 600
    _assert_equal_to_vader(texts)


TROUBLE = [
    "",
    " ",
    "   \t\n ",
    "good",
    "GOOD",
    "The book was good.",
    "The book was not good.",
    "The book was never so good!",
    "The book was never this good!!",
    "Without a doubt, an excellent idea.",
    "Without any doubt, an excellent idea.",
    "At least it isn't a horrible book.",
    "It is the least compelling variation.",
    "At the very least compelling.",
    "least good",
    "No problem, no worries, no good.",
    "no good",
    "no, good",
    "There was no or bad news.",
    "Not good, not bad, nor great.",
    "The book was only kind of good.",
    "It was kind.",
    "kind of",
    "It was sort of good and just enough fun.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "good good but good good",
    "great good but great good",
    "love it but love love love",
    "bad, but BAD but bad",
    "Good but",
    "But good",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VERY GOOD",
    "the VERY GOOD one",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "😁",
    "good😁bad",
    "With VADER, sentiment analysis is the shit!",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Yeah right, the bomb at the bus stop.",
    "the kiss of death for a beating heart",
    "a cake to die for",
    "Is it good???",
    "Is it good?? Really??",
    "Good!!!!!!",
    "bad?!?!?!",
    "“Good,” she said. ‘Bad’ he said.",
    "Café naïve Straße İSTANBUL ΣΟΦΟΣ good",
    "good\u00a0bad",
    "good\u2003great",
    "good\x1cbad",
    "don't like it, didn't love it, won't hate it",
    "He doesn't seem happy",
    "isn't,good",
    "(-: :-( :/ </3 <3",
    "ok. no. OK! NO!",
    # _but_check's index() quirk: "bffn" (1.0) finds the halved "fav" (2.0 * 0.5) first,
    # so the library halves "fav" again and leaves "bffn" unscaled.
    "fav but bffn",
    "It was fav, but the abilities were bffn and good",
    "good \ud83d bad",  # a lone surrogate: not UTF-8, polars cannot hold it
]


def test_equal_to_vader_on_hand_picked_trouble() -> None:
    _assert_equal_to_vader(TROUBLE)


def test_equal_to_vader_around_every_whitespace_and_ascii_character() -> None:
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    texts = [f"good{space}bad {space}great{space}" for space in spaces]
    for code in range(128):
        c = chr(code)
        texts += [f"{c}good{c} not {c}bad", f"very{c} GOOD{c}{c} {c}{c} no {c}great"]
    _assert_equal_to_vader(texts)


def test_a_text_scores_the_same_alone_and_in_any_batch() -> None:
    texts = [t for t in TROUBLE if t.strip()]
    together = _vectorised_scores(texts)
    rng = random.Random(7)
    shuffled = texts * 2
    rng.shuffle(shuffled)
    mixed = vader_batch(shuffled)  # large enough for the vectorised pass
    assert mixed.height >= 64
    by_text = {t: row for t, row in zip(shuffled, mixed.iter_rows(named=True), strict=True)}
    # every copy of a text (scored once, its row repeated) has that text's scores
    expected = dict(zip(texts, together.iter_rows(named=True), strict=True))
    assert [expected[t] for t in shuffled] == list(mixed.iter_rows(named=True))
    for text, row in zip(texts, together.iter_rows(named=True), strict=True):
        alone = _vectorised_scores([text]).row(0, named=True)
        assert alone == row == by_text[text] == vader_batch([text]).row(0, named=True), text


def test_an_empty_batch_is_an_empty_table() -> None:
    for frame in (vader_batch([]), _vectorised_scores([])):
        assert frame.height == 0
        assert frame.schema == pl.Schema({name: pl.Float64 for name in SCORE_COLUMNS})


def test_python_round_equals_round_near_half_way_points_and_zero() -> None:
    rng = random.Random(3)
    values = [rng.uniform(-1, 1) for _ in range(20_000)]
    values += [(k + 0.5) / 1000 for k in range(-1000, 1000)]
    values += [(k + 0.5) / 10_000 for k in range(-10_000, 10_000, 7)]
    values += [math.nextafter(v, 2.0) for v in values[-3000:]]
    values += [0.0, -0.0, 0.00004, -0.00004, 0.0005, -0.0005, 1.0, -1.0, 0.0625]
    import numpy as np

    array = np.array(values, dtype=np.float64)
    for digits in (3, 4):
        ours = _python_round(array, digits).tolist()
        assert all(_same_float(a, round(v, digits)) for a, v in zip(ours, values, strict=True))


_WORDS = [
    # lexicon words, emoticons and slang
    "good", "bad", "great", "love", "hate", "happy", "sad", "war", "win", "killed", "best",
    "worst", "ok", "lol", "sux", "kind", "no", "die", "bomb", "shit", "kiss", "death",
    "heart", "doubt", ":)", ":-(", ":D", "(:", "<3", ":/", "xD",
    # boosters and dampeners
    "very", "extremely", "so", "really", "kinda", "sorta", "barely", "hardly", "more",
    "most", "less", "little", "fucking", "uber", "kind-of",
    # negations
    "not", "never", "don't", "isn't", "can't", "without", "nor", "nothing", "cannot",
    "aint", "despite", "doesn't", "nope", "uh-uh",
    # words the rules look for
    "least", "at", "but", "of", "sort", "just", "enough", "the", "to", "for", "yeah",
    "right", "bus", "stop", "ass", "badass", "beating", "this", "or",
    # plain words, punctuation, emoji, non-ASCII
    "it", "was", "a", "news", "said", "!!!", "???", "!", "?", "...", "--", "'", "“good”",
    "‘bad’", "—", "😁", "💘", "café", "naïve", "Straße", "İstanbul", "ΣΟΦΟΣ",
]
_WRAPS = ["", "", "", ",", ".", "!", "?", '"', "'", "(", ")", "“", "”", "...", "!?"]
_SEPARATORS = [" "] * 12 + ["  ", "\t", "\n", "\xa0"]


@st.composite
def _sentence(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=0, max_value=14))
    parts: list[str] = []
    for _ in range(n):
        word = draw(st.sampled_from(_WORDS))
        case = draw(st.sampled_from(["same", "same", "upper", "title"]))
        word = word.upper() if case == "upper" else word.title() if case == "title" else word
        left, right = draw(st.sampled_from(_WRAPS)), draw(st.sampled_from(_WRAPS))
        parts.append(left + word + right)
        parts.append(draw(st.sampled_from(_SEPARATORS)))
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(st.lists(_sentence(), min_size=1, max_size=6))
def test_equal_to_vader_on_generated_sentences(texts: list[str]) -> None:
    _assert_equal_to_vader(texts)
