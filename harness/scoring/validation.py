"""Validate a scorer against human ratings: how far can a researcher trust the numbers?

``validate(kind, gold)`` scores every ``text`` of a gold table and compares the score
with the human judgement:

* ``rating`` (a number): Pearson and Spearman correlation with the score.
* ``label`` for ``sentiment``: negative / neutral / positive (or -1 / 0 / 1). The
  prediction is VADER's class (compound ±0.05): accuracy and macro F1 over the three
  classes; ROC AUC of the compound score for positive against negative items
  (neutral items left out).
* ``label`` for ``loaded-terms``: loaded / neutral (or 1 / 0, true / false, yes / no,
  biased / non-biased, any case). The
  prediction is "loaded" when the text has a loaded-term hit (``LexiconEntry.loaded``): accuracy
  and macro F1 over the two classes; ROC AUC of the weighted loaded-term density.

The score of a text is VADER's compound for ``sentiment`` (gold items are single
sentences or short passages, where compound does not saturate) and loaded-term hits
(weight sum) per 1,000 words for ``loaded-terms``.

Sentence files with marked words (BABE) and span-annotated article folders (the
propaganda techniques corpus) are read natively by ``harness.scoring.loaded_validation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from harness.errors import InputError
from harness.scoring.lexicon import TermMatcher, load_lexicons
from harness.scoring.sentiment import polarity, sentence_sentiment
from harness.text import tokenize

ValidationKind = Literal["sentiment", "loaded-terms"]
KINDS: tuple[str, ...] = ("sentiment", "loaded-terms")

VALIDATION_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "measure": pl.String(),  # pearson_r | spearman_r | accuracy | macro_f1 | roc_auc
    "value": pl.Float64(),  # null when undefined (see note)
    "p_value": pl.Float64(),  # correlations only
    "n": pl.Int64(),  # gold items the measure used
    "note": pl.String(),
}

_SENTIMENT_LABELS = {
    "negative": "negative",
    "neg": "negative",
    "-1": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "0": "neutral",
    "positive": "positive",
    "pos": "positive",
    "1": "positive",
}
_LOADED_LABELS = {
    "loaded": "loaded",
    "1": "loaded",
    "true": "loaded",
    "yes": "loaded",
    "neutral": "neutral",
    "0": "neutral",
    "false": "neutral",
    "no": "neutral",
    # The spellings of sentence bias sets (BABE: Biased / Non-biased).
    "biased": "loaded",
    "non-biased": "neutral",
    "non biased": "neutral",
    "not biased": "neutral",
    "unbiased": "neutral",
}


@dataclass(frozen=True, slots=True)
class _Measure:
    measure: str
    value: float | None
    n: int
    p_value: float | None = None
    note: str | None = None


def _gold_columns(gold: pl.DataFrame) -> tuple[bool, bool]:
    if "text" not in gold.columns:
        raise InputError(
            "gold table has no text column", where="gold", hint="columns: text, and rating or label"
        )
    has_rating, has_label = "rating" in gold.columns, "label" in gold.columns
    if not (has_rating or has_label):
        raise InputError(
            "gold table has neither a rating nor a label column",
            where="gold",
            hint="add rating (a number) or label (a class name)",
        )
    nulls = gold.with_row_index("_row").filter(pl.col("text").is_null())
    if nulls.height:
        raise InputError(
            "text is empty", where=f"gold record {nulls['_row'][0]}", hint="every row needs a text"
        )
    return has_rating, has_label


def _sentiment_scores(texts: Sequence[str]) -> np.ndarray:
    return np.array([sentence_sentiment(t).compound for t in texts], dtype=float)


def _loaded_scores(texts: Sequence[str], matcher: TermMatcher) -> tuple[np.ndarray, np.ndarray]:
    """(weighted loaded hits per 1,000 words, loaded hit count) per text."""
    density, count = [], []
    for text in texts:
        tokens = tokenize(text)
        words = sum(1 for t in tokens if t.is_word)
        loaded = [h.entry.weight for h in matcher.match(tokens) if h.entry.loaded]
        density.append(sum(loaded) * 1000.0 / words if words else 0.0)
        count.append(len(loaded))
    return np.array(density, dtype=float), np.array(count, dtype=float)


def _correlations(scores: np.ndarray, ratings: np.ndarray) -> list[_Measure]:
    n = len(scores)
    if n < 3:
        note = "fewer than 3 rated items"
        return [
            _Measure("pearson_r", None, n, note=note),
            _Measure("spearman_r", None, n, note=note),
        ]
    if np.ptp(scores) == 0 or np.ptp(ratings) == 0:
        note = "constant scores or ratings: correlation undefined"
        return [
            _Measure("pearson_r", None, n, note=note),
            _Measure("spearman_r", None, n, note=note),
        ]
    from harness.stats._scipy import stats  # scipy.stats: only when validating (not for `harness score`)

    pearson = stats.pearsonr(scores, ratings)
    spearman = stats.spearmanr(scores, ratings)
    return [
        _Measure("pearson_r", float(pearson.statistic), n, float(pearson.pvalue)),
        _Measure("spearman_r", float(spearman.statistic), n, float(spearman.pvalue)),
    ]


def macro_f1(truth: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> float:
    """Unweighted mean of per-class F1 (a class never seen nor predicted scores 0)."""
    scores = []
    for c in classes:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == c and p == c)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != c and p == c)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def roc_auc(positive: np.ndarray, negative: np.ndarray) -> float | None:
    """P(score of a positive item > score of a negative one), ties count half (= U / n1 n0)."""
    if len(positive) == 0 or len(negative) == 0:
        return None
    from harness.stats._scipy import stats  # see _correlations

    u = stats.mannwhitneyu(positive, negative, alternative="two-sided", method="asymptotic")
    return float(u.statistic) / (len(positive) * len(negative))


def _labels(raw: Sequence[object], mapping: dict[str, str], kind: str) -> list[str]:
    labels = []
    for row, value in enumerate(raw):
        key = str(value).strip().lower() if value is not None else ""
        if key.endswith(".0"):  # 1.0 / 0.0 from a float column
            key = key[:-2]
        if key not in mapping:
            raise InputError(
                f"label {value!r} is not a {kind} label",
                where=f"gold record {row}",
                hint="use one of: " + ", ".join(sorted(set(mapping.values()))),
            )
        labels.append(mapping[key])
    return labels


def _label_measures(
    labels: list[str],
    predicted: list[str],
    scores: np.ndarray,
    classes: Sequence[str],
    positive: str,
    negative: str,
) -> list[_Measure]:
    n = len(labels)
    accuracy = sum(1 for t, p in zip(labels, predicted, strict=True) if t == p) / n if n else None
    truth = np.array(labels)
    auc = roc_auc(scores[truth == positive], scores[truth == negative])
    return [
        _Measure("accuracy", accuracy, n),
        _Measure("macro_f1", macro_f1(labels, predicted, classes) if n else None, n),
        _Measure(
            "roc_auc",
            auc,
            int(np.sum((truth == positive) | (truth == negative))),
            note=f"{positive} vs {negative}"
            if auc is not None
            else f"needs {positive} and {negative} items",
        ),
    ]


def validate(
    kind: ValidationKind,
    gold: pl.DataFrame,
    *,
    lexicons: Sequence[Path] = (),
    include_builtin: bool = True,
    loaded_lexicon: str = "harness",
) -> pl.DataFrame:
    """Agreement of the ``kind`` scorer with human ``rating``s and/or ``label``s.

    ``loaded_lexicon`` picks the loaded-terms instrument (``harness.scoring.arms``).
    """
    if kind not in KINDS:
        raise InputError(f"unknown validation kind {kind!r}", hint="use sentiment or loaded-terms")
    has_rating, has_label = _gold_columns(gold)
    texts = gold["text"].cast(pl.String).to_list()
    classes: tuple[str, ...]
    if kind == "sentiment":
        scores = _sentiment_scores(texts)
        predicted = [polarity(s) for s in scores]
        classes, mapping = ("negative", "neutral", "positive"), _SENTIMENT_LABELS
        pos, neg = "positive", "negative"
    else:
        matcher = TermMatcher(
            load_lexicons(lexicons, include_builtin=include_builtin, loaded_lexicon=loaded_lexicon)
        )
        scores, counts = _loaded_scores(texts, matcher)
        predicted = ["loaded" if c > 0 else "neutral" for c in counts]
        classes, mapping = ("loaded", "neutral"), _LOADED_LABELS
        pos, neg = "loaded", "neutral"
    measures: list[_Measure] = []
    if has_rating:
        rated = gold.with_row_index("_row").filter(pl.col("rating").is_not_null())
        rows = rated["_row"].to_numpy()
        measures += _correlations(scores[rows], rated["rating"].cast(pl.Float64).to_numpy())
    if has_label:
        labelled = gold.with_row_index("_row").filter(pl.col("label").is_not_null())
        rows = labelled["_row"].to_numpy()
        labels = _labels(labelled["label"].to_list(), mapping, kind)
        measures += _label_measures(
            labels, [predicted[i] for i in rows], scores[rows], classes, pos, neg
        )
    return pl.DataFrame(
        [
            {
                "kind": kind,
                "measure": m.measure,
                "value": m.value,
                "p_value": m.p_value,
                "n": m.n,
                "note": m.note,
            }
            for m in measures
        ],
        schema=VALIDATION_SCHEMA,
    )
