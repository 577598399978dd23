"""Throughput of harness.scoring.score_documents next to the plain reference loop.

    python -m benchmarks.bench_score [--limit N] [--synthetic]

The reference is what a researcher would write by hand: for every article, the eight
textstat formulas on the body and vaderSentiment on each body sentence. The harness
does much more per article (headline and body, three voices, lexicon matching,
attribution), so the ratio says what the scorecard costs over the bare formulas.
Corpus: ``../shared/corpora/bbc-news/articles.jsonl`` (fields id, title, text) when
present, else a seeded synthetic corpus. One-off loading (CMUdict, VADER lexicon,
lemminflect tables) is done before timing, result caches are cleared before each run,
and time and peak memory (tracemalloc) are measured in separate passes because
tracing slows Python down.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import textstat
from lemminflect import getAllLemmas
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from harness.scoring import READABILITY_METRICS, clear_caches, install_cmudict, score_documents
from harness.scoring.lexicon import load_lexicons
from harness.scoring.readability import pronunciations
from harness.scoring.sentiment import sentence_sentiment
from harness.text import split_sentences

ROOT = Path(__file__).resolve().parent.parent
BBC = ROOT.parent / "shared" / "corpora" / "bbc-news" / "articles.jsonl"
SEED = 20240101
DEFAULT_LIMIT = 300
SCHEMA = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "headline": pl.String(),
    "body": pl.String(),
}

# Vocabulary of the synthetic corpus: plain news words plus a few quoted and loaded
# ones, so that every code path (voices, lexicon, attribution) is exercised.
_SUBJECTS = ["The minister", "Officials", "The company", "Critics", "Police", "Ms Smith", "He"]
_VERBS = ["said", "told reporters", "added", "claimed", "insisted", "warned", "slammed"]
_CLAUSES = [
    "the plan would cost more than expected",
    "talks would resume next week",
    "the shocking figures were a disgrace",
    "the council had approved the budget",
    "the bizarre decision was a sham",
    "prices rose by 3.5% in the year to March",
]


@dataclass(frozen=True, slots=True)
class Measurement:
    name: str
    seconds: float
    peak_bytes: int


def bbc_articles(limit: int) -> pl.DataFrame:
    rows = []
    with BBC.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            rows.append(
                {
                    "doc_id": record["id"],
                    "outlet": "BBC",
                    "headline": record["title"],
                    "body": record["text"],
                }
            )
            if limit and len(rows) >= limit:
                break
    return pl.DataFrame(rows, schema=SCHEMA)


def synthetic_articles(limit: int) -> pl.DataFrame:
    rng = random.Random(SEED)
    rows = []
    for i in range(limit or DEFAULT_LIMIT):
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            subject, verb, clause = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_CLAUSES)
            if rng.random() < 0.4:
                paragraphs.append(f"'{clause.capitalize()},' {subject.lower()} {verb}.")
            else:
                paragraphs.append(f"{subject} {verb} {clause}.")
        rows.append(
            {
                "doc_id": f"synthetic-{i:05d}",
                "outlet": rng.choice(["Outlet A", "Outlet B"]),
                "headline": rng.choice(_CLAUSES).capitalize(),
                "body": "\n\n".join(paragraphs),
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)


@cache
def _plain_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def plain_loop(articles: pl.DataFrame) -> None:
    """The reference: textstat's eight formulas and VADER per sentence, nothing else."""
    analyzer = _plain_analyzer()
    formulas = [getattr(textstat, name) for name in READABILITY_METRICS]
    for body in articles["body"]:
        for formula in formulas:
            formula(body)
        for sentence in split_sentences(body):
            analyzer.polarity_scores(sentence.text)


def harness_scores(articles: pl.DataFrame) -> None:
    score_documents(articles)


def timed(name: str, work: Callable[[pl.DataFrame], None], articles: pl.DataFrame) -> Measurement:
    """Wall time of a cold-cache run, then peak traced memory of another cold run."""
    clear_caches()
    start = time.perf_counter()
    work(articles)
    seconds = time.perf_counter() - start
    clear_caches()
    tracemalloc.start()
    try:
        work(articles)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measurement(name, seconds, peak)


def report(corpus: str, articles: pl.DataFrame, results: list[Measurement]) -> str:
    words = sum(len(body.split()) for body in articles["body"])
    lines = [
        f"corpus: {corpus}, {articles.height} articles, {words:,} body words (whitespace count)",
        f"{'':32}{'docs/s':>10}{'seconds':>10}{'peak MiB':>10}",
    ]
    for m in results:
        rate = articles.height / m.seconds if m.seconds else float("inf")
        lines.append(f"{m.name:32}{rate:10.1f}{m.seconds:10.2f}{m.peak_bytes / 2**20:10.1f}")
    harness, plain = results
    lines.append(
        f"{'ratio harness / plain':32}{plain.seconds / harness.seconds:9.2f}x"
        f"{'':10}{harness.peak_bytes / max(plain.peak_bytes, 1):9.2f}x"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="articles (0: all)")
    parser.add_argument("--synthetic", action="store_true", help="ignore the BBC corpus")
    args = parser.parse_args(argv)
    use_bbc = BBC.is_file() and not args.synthetic
    articles = bbc_articles(args.limit) if use_bbc else synthetic_articles(args.limit)
    corpus = "bbc-news" if use_bbc else f"synthetic (seed {SEED})"
    # One-off loads, outside the timings: CMUdict for textstat, VADER's lexicon,
    # lemminflect's tables and the built-in lexicon file. Result caches are cleared
    # before every run.
    install_cmudict()
    pronunciations()
    sentence_sentiment("Warm up.")  # builds the shared analyser
    load_lexicons()
    getAllLemmas("said")  # loads lemminflect's tables
    results = [
        timed("harness score_documents", harness_scores, articles),
        timed("plain textstat + VADER loop", plain_loop, articles),
    ]
    print(report(corpus, articles, results))


if __name__ == "__main__":
    main()
