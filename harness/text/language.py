"""Which language an article is in, so that English instruments never score other languages.

py3langid (a maintained fork of langid.py) ships its model inside the package: no
download. A text is called non-English only when the identifier is confident and
the text is long enough for the guess to mean something; short or mixed texts
stay in (a headline-length snippet is too short to judge).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import py3langid.langid as langid_module
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from harness.resources import Resource, external_resource
from harness.text.tokens import word_count

ENGLISH = "en"
MIN_CONFIDENCE = 0.9
MIN_WORDS = 20

SKIPPED_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "reason": pl.String(),  # e.g. "language: fr"
    "detail": pl.String(),
}


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    confidence: float  # normalised probability, 0..1
    words: int

    def non_english(self, *, min_confidence: float = MIN_CONFIDENCE, min_words: int = MIN_WORDS) -> bool:
        return self.language != ENGLISH and self.confidence >= min_confidence and self.words >= min_words


def language_resource() -> Resource:
    path = Path(langid_module.__file__).parent / MODEL_FILE
    return external_resource("py3langid model.npz.xz", "py3langid", path)


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> LanguageGuess:
    language, confidence = _identifier().classify(text)
    # Rounded so the guess does not depend on the last bits of a float32 sum.
    return LanguageGuess(str(language), round(float(confidence), 6), word_count(text))


def split_by_language(
    articles: pl.DataFrame,
    *,
    min_confidence: float = MIN_CONFIDENCE,
    min_words: int = MIN_WORDS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(English articles, skipped rows): a confident non-English body is skipped, with its reason."""
    keep: list[bool] = []
    skipped: list[dict[str, str]] = []
    for row in articles.iter_rows(named=True):
        guess = detect_language(row["body"])
        english = not guess.non_english(min_confidence=min_confidence, min_words=min_words)
        keep.append(english)
        if not english:
            skipped.append(
                {
                    "doc_id": row["doc_id"],
                    "outlet": row["outlet"],
                    "reason": f"language: {guess.language}",
                    "detail": f"py3langid confidence {guess.confidence:.3f} over {guess.words} words; "
                    "the instruments are English-only",
                }
            )
    return articles.filter(pl.Series(keep, dtype=pl.Boolean)), pl.DataFrame(skipped, schema=SKIPPED_SCHEMA)
