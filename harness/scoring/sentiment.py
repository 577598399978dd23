"""Sentence sentiment with VADER (the vaderSentiment package and its bundled lexicon).

VADER is scored per sentence, never on a whole article: its compound score is a
normalised sum, so on a long text it saturates towards -1 or +1 whatever the balance
(vaderSentiment issue #151). Document numbers are summaries of the sentence scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import vaderSentiment.vaderSentiment as vader_module
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

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


@lru_cache(maxsize=_SENTENCE_CACHE)
def sentence_sentiment(text: str) -> SentimentScore:
    """VADER's polarity scores for one sentence (or any short text)."""
    scores = _analyzer().polarity_scores(text)
    return SentimentScore(
        compound=float(scores["compound"]),
        neg=float(scores["neg"]),
        neu=float(scores["neu"]),
        pos=float(scores["pos"]),
    )
