"""Sentence sentiment with VADER (the vaderSentiment package and its bundled lexicon).

VADER is scored per sentence, never on a whole article: its compound score is a
normalised sum, so on a long text it saturates towards -1 or +1 whatever the balance
(vaderSentiment issue #151). Document numbers are summaries of the sentence scores.

Speed without changing a value: scores are remembered per distinct sentence string,
and :func:`vader_scores` runs vaderSentiment's own rule methods with two shortcuts
that skip work whose result is known. (1) ``polarity_scores`` first rebuilds the text
character by character to swap emoji for their descriptions; a text with no emoji
character comes out unchanged, so that pass is skipped. (2) ``sentiment_valence``
does nothing for a word that is not in the lexicon but append a valence of 0; that
0 is appended without the call. (3) For a lexicon word, ``sentiment_valence`` and its
helpers lower-case the whole sentence several times but read at most three words
before it and two after; they get those words only (index guards and length tests
come out the same, see ``vader_scores``). Every other step is the library's.
``tests/test_scoring_fast.py`` and the benchmark compare against a plain analyser.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import vaderSentiment.vaderSentiment as vader_module
from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText, SentimentIntensityAnalyzer

from harness.resources import Resource, external_resource

# VADER's own convention (Hutto & Gilbert 2014, README): compound >= 0.05 positive,
# <= -0.05 negative, in between neutral.
NEUTRAL_BAND = 0.05

# Wire copy repeats sentences across outlets: remember recent scores.
_SENTENCE_CACHE = 65_536


@dataclass(frozen=True, slots=True)
class SentimentScore:
    compound: float
    neg: float
    neu: float
    pos: float

    @property
    def polarity(self) -> str:
        return polarity(self.compound)


def polarity(compound: float) -> str:
    """``negative``, ``neutral`` or ``positive`` by VADER's ±0.05 convention."""
    if compound >= NEUTRAL_BAND:
        return "positive"
    if compound <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def _vader_dir() -> Path:
    return Path(vader_module.__file__).parent


def vader_resources() -> list[Resource]:
    """The two data files the analyser reads: word lexicon and emoji lexicon."""
    return [
        external_resource(
            "vader_lexicon.txt", "vaderSentiment", _vader_dir() / "vader_lexicon.txt"
        ),
        external_resource(
            "emoji_utf8_lexicon.txt", "vaderSentiment", _vader_dir() / "emoji_utf8_lexicon.txt"
        ),
    ]


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


# How far sentiment_valence and its helpers look around the word they score.
_WINDOW_BEFORE = 3
_WINDOW_AFTER = 2


@dataclass(frozen=True, slots=True)
class _Window:
    """The two SentiText attributes sentiment_valence reads, for a few words only."""

    words_and_emoticons: list[str]
    is_cap_diff: bool


@cache
def _emoji_characters() -> frozenset[str]:
    # polarity_scores tests one character at a time: only one-character keys can match.
    emojis: dict[str, str] = _analyzer().emojis
    return frozenset(key for key in emojis if len(key) == 1)


def vader_scores(text: str) -> dict[str, float]:
    """``SentimentIntensityAnalyzer().polarity_scores(text)``, value for value."""
    analyzer = _analyzer()
    if not _emoji_characters().isdisjoint(text):
        scores: dict[str, float] = analyzer.polarity_scores(text)
        return scores
    # From here on: vaderSentiment 3.3.2's polarity_scores after its emoji pass.
    text = text.strip()
    sentitext = SentiText(text)
    lexicon = analyzer.lexicon
    sentiments: list[float] = []
    words_and_emoticons = sentitext.words_and_emoticons
    last = len(words_and_emoticons) - 1
    for i, item in enumerate(words_and_emoticons):
        valence = 0
        lower = item.lower()
        if lower in BOOSTER_DICT:
            sentiments.append(valence)
            continue
        if i < last and lower == "kind" and words_and_emoticons[i + 1].lower() == "of":
            sentiments.append(valence)
            continue
        if lower not in lexicon:
            sentiments.append(valence)  # what sentiment_valence does for this word
            continue
        # sentiment_valence's helpers lower-case the whole sentence on every call, but
        # read only three words before and two after: hand them just those words.
        lo = max(0, i - _WINDOW_BEFORE)
        window = _Window(words_and_emoticons[lo : i + _WINDOW_AFTER + 1], sentitext.is_cap_diff)
        sentiments = analyzer.sentiment_valence(valence, window, item, i - lo, sentiments)
    sentiments = analyzer._but_check(words_and_emoticons, sentiments)
    result: dict[str, float] = analyzer.score_valence(sentiments, text)
    return result


@lru_cache(maxsize=_SENTENCE_CACHE)
def sentence_sentiment(text: str) -> SentimentScore:
    """VADER's polarity scores for one sentence (or any short text)."""
    scores = vader_scores(text)
    return SentimentScore(
        compound=float(scores["compound"]),
        neg=float(scores["neg"]),
        neu=float(scores["neu"]),
        pos=float(scores["pos"]),
    )
