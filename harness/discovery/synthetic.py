"""A seeded synthetic corpus with planted copies, for recall tests and benchmarks.

Originals are sequences of pseudo-words drawn from a Zipf-like distribution over a
generated vocabulary (so common words recur, as in news copy, but an original
5-gram is rare). A planted copy is an original edited the way outlets edit wire
copy: some words replaced, the end cut, a passage added; it carries another
outlet, a later ``published`` time, and ids are assigned after shuffling, so a
copy's doc_id is as likely to sort before its source as after it.
Everything comes from one ``numpy`` Generator seeded by ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl

from harness.corpus.schema import ARTICLE_SCHEMA

VOCABULARY = 30_000
ZIPF_OFFSET = 2.7  # Zipf-Mandelbrot: p(rank) ~ 1 / (rank + offset)
SENTENCE_WORDS = 16
OUTLETS = tuple([f"Agency {i}" for i in range(1, 4)] + [f"Outlet {i:02d}" for i in range(1, 21)])
START = datetime(2025, 1, 1, tzinfo=UTC)
PLANTED_SCHEMA: dict[str, pl.DataType] = {"a_doc_id": pl.String(), "b_doc_id": pl.String()}


@dataclass(frozen=True, slots=True)
class SyntheticCorpus:
    articles: pl.DataFrame  # ARTICLE_SCHEMA
    planted: pl.DataFrame  # a_doc_id (source), b_doc_id (copy), sorted


@dataclass(frozen=True, slots=True, kw_only=True)
class _Draft:
    words: npt.NDArray[np.int64]
    outlet: int
    published: datetime
    source: int | None  # the draft this one copies


def synthetic_corpus(
    articles: int,
    *,
    seed: int = 20250723,
    copy_share: float = 0.05,
    min_words: int = 120,
    max_words: int = 320,
    max_replaced: float = 0.04,
) -> SyntheticCorpus:
    """``articles`` articles, ``copy_share`` of them planted copies of distinct others."""
    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary(rng)
    ranks = np.arange(VOCABULARY, dtype=np.float64) + ZIPF_OFFSET
    weights: npt.NDArray[np.float64] = np.reciprocal(ranks) / np.reciprocal(ranks).sum()
    copies = int(round(articles * copy_share))
    drafts = _originals(rng, articles - copies, weights, min_words, max_words)
    sources = rng.choice(len(drafts), size=min(copies, len(drafts)), replace=False)
    drafts += [_copy_of(rng, drafts, int(s), weights, max_replaced) for s in sources]
    order = rng.permutation(len(drafts))
    ids = {int(draft): f"syn-{rank:07d}" for rank, draft in enumerate(order)}
    frame = pl.DataFrame(
        [_row(ids[int(d)], drafts[int(d)], vocabulary, int(d)) for d in order], schema=ARTICLE_SCHEMA, orient="row"
    )
    planted = pl.DataFrame(
        [(ids[d.source], ids[i]) for i, d in enumerate(drafts) if d.source is not None],
        schema=PLANTED_SCHEMA,
        orient="row",
    ).sort("a_doc_id", "b_doc_id")
    return SyntheticCorpus(articles=frame, planted=planted)


def _vocabulary(rng: np.random.Generator) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(3, 10, size=VOCABULARY)
    grid = letters[rng.integers(0, letters.size, size=(VOCABULARY, 9))]
    return ["".join(row[:n]) for row, n in zip(grid, lengths, strict=True)]


def _originals(
    rng: np.random.Generator, count: int, weights: npt.NDArray[np.float64], min_words: int, max_words: int
) -> list[_Draft]:
    lengths = rng.integers(min_words, max_words + 1, size=count)
    words = rng.choice(VOCABULARY, size=int(lengths.sum()), p=weights)
    outlets = rng.integers(0, len(OUTLETS), size=count)
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    return [
        _Draft(
            words=words[bounds[i] : bounds[i + 1]].astype(np.int64),
            outlet=int(outlets[i]),
            published=START + timedelta(minutes=i),
            source=None,
        )
        for i in range(count)
    ]


def _copy_of(
    rng: np.random.Generator, drafts: list[_Draft], source: int, weights: npt.NDArray[np.float64], max_replaced: float
) -> _Draft:
    """Replace up to ``max_replaced`` of the words, cut up to 15% at the end, add up to 10%."""
    original = drafts[source]
    words = original.words.copy()
    replaced = rng.random(words.size) < rng.uniform(0.0, max_replaced)
    words[replaced] = rng.choice(VOCABULARY, size=int(replaced.sum()), p=weights)
    words = words[: words.size - int(words.size * rng.uniform(0.0, 0.15))]
    added = rng.choice(VOCABULARY, size=int(words.size * rng.uniform(0.0, 0.10)), p=weights)
    at = int(rng.integers(0, words.size + 1))
    words = np.concatenate((words[:at], added, words[at:])).astype(np.int64)
    outlet = (original.outlet + int(rng.integers(1, len(OUTLETS)))) % len(OUTLETS)
    later = original.published + timedelta(hours=int(rng.integers(1, 49)))
    return _Draft(words=words, outlet=outlet, published=later, source=source)


def _row(doc_id: str, draft: _Draft, vocabulary: list[str], index: int) -> tuple[str, ...]:
    tokens = [vocabulary[w] for w in draft.words.tolist()]
    sentences = [" ".join(tokens[i : i + SENTENCE_WORDS]) for i in range(0, len(tokens), SENTENCE_WORDS)]
    body = ". ".join(s.capitalize() for s in sentences) + "."
    headline = " ".join(tokens[:8]).capitalize()
    return (
        doc_id, OUTLETS[draft.outlet], headline, body, draft.published.isoformat(), f"synthetic:{index}", "{}",
    )
