"""Wire-copy discovery (MinHash LSH + exact verification) next to exact all-pairs.

    python -m benchmarks.bench_pairs [--sizes 10000 100000] [--threshold 0.5] [--exact-limit 20000]

Corpora: ``../shared/corpora/bbc-news/articles.jsonl`` when present (2,225 articles,
98 exact duplicates; ``HARNESS_SHARED``: see ``benchmarks.shared_data``), then seeded synthetic corpora with 5% planted copies
(``harness.discovery.synthetic_corpus``) of each size asked for.

Reference: exact all-pairs Jaccard of the same word 5-gram shingles, all pair
intersections at once as a sparse product X @ X.T (``harness.discovery.exact_pairs``),
run where the corpus has at most ``--exact-limit`` articles; and, on the first 612
bbc-news articles (the issue's example size), the pair-by-pair comparison the issue
describes. The sparse product is fast while few pairs share any shingle (true of the
synthetic text); its memory grows with that count, LSH's with articles x bands. Both sides start from the
articles table and include shingling. Recall = LSH pairs / reference pairs; for the
synthetic corpora also the share of planted copies found (with A = the source).

Each measurement runs in a fresh process (spawned), which reads the corpus from a
Parquet file, so its peak resident memory (ru_maxrss) is its own: polars and numpy
allocate outside Python's allocator, where tracemalloc cannot see. "base" is the
process's peak after reading the corpus, before the method runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from benchmarks.shared_data import BBC_RELATIVE, SHARED, bbc_corpus
from harness.corpus import read_corpus
from harness.discovery import DiscoverySettings, exact_pairs, find_pairs, overlap, shingle_hashes, synthetic_corpus

ROOT = Path(__file__).resolve().parent.parent
BBC = SHARED / BBC_RELATIVE  # the default place; ``bbc_corpus()`` says whether it is used
DEFAULT_SIZES = (10_000, 100_000)
SEED = 20250723
Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Measured:
    method: str
    seconds: float
    peak_bytes: int
    base_bytes: int
    pairs: frozenset[Pair]  # unordered: (lower id, higher id)
    oriented: frozenset[Pair]  # as reported: (A, B)


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def measure(method: str, corpus: Path, threshold: float) -> Measured:
    """Run one method on the Parquet corpus; called in a fresh process."""
    articles = pl.read_parquet(corpus)
    base = _peak_rss()
    start = time.perf_counter()
    if method == "lsh":
        found = find_pairs(articles, settings=DiscoverySettings(threshold=threshold, seed=SEED))
        oriented = list(found.select("a_doc_id", "b_doc_id").iter_rows())
    elif method == "naive":
        oriented = _naive_pairs(articles, threshold)
    else:
        reference = exact_pairs([shingle_hashes(b) for b in articles["body"].to_list()], threshold=threshold)
        ids = articles["doc_id"].to_list()
        oriented = [(ids[a], ids[b]) for a, b in reference.select("a_index", "b_index").iter_rows()]
    seconds = time.perf_counter() - start
    unordered = frozenset((min(a, b), max(a, b)) for a, b in oriented)
    return Measured(method, seconds, _peak_rss(), base, unordered, frozenset(oriented))


def _naive_pairs(articles: pl.DataFrame, threshold: float) -> list[Pair]:
    """The issue's baseline: every article against every other, one intersection at a time."""
    sets = [shingle_hashes(b) for b in articles["body"].to_list()]
    ids = articles["doc_id"].to_list()
    return [
        (ids[a], ids[b])
        for a in range(len(sets))
        for b in range(a + 1, len(sets))
        if overlap(sets[a], sets[b]).jaccard >= threshold
    ]


def _in_fresh_process(method: str, corpus: Path, threshold: float) -> Measured:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure, method, corpus, threshold).result()


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f}"


def run_corpus(label: str, articles: pl.DataFrame, planted: pl.DataFrame | None, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "articles.parquet"
        articles.write_parquet(path)
        lsh = _in_fresh_process("lsh", path, args.threshold)
        exact = _in_fresh_process("exact", path, args.threshold) if articles.height <= args.exact_limit else None
        naive = _in_fresh_process("naive", path, args.threshold) if articles.height <= args.naive_limit else None
    print(f"-- {label}: {articles.height:,} articles, threshold {args.threshold}", flush=True)
    print(f"   {'method':30} {'seconds':>9} {'pairs':>8} {'peak MiB':>9} {'base MiB':>9}")
    names = {"lsh": "MinHash LSH + verification", "exact": "exact all-pairs (sparse X.Xt)",
             "naive": "exact all-pairs (pair by pair)"}
    for m in (lsh, exact, naive):
        if m is not None:
            name = names[m.method]
            print(f"   {name:30} {m.seconds:9.2f} {len(m.pairs):8,} {_mib(m.peak_bytes):>9} {_mib(m.base_bytes):>9}")
    if exact is None:
        print(f"   exact all-pairs skipped: more than --exact-limit {args.exact_limit:,} articles")
    else:
        found = len(lsh.pairs & exact.pairs)
        recall = found / len(exact.pairs) if exact.pairs else 1.0
        print(f"   recall vs exact: {found:,}/{len(exact.pairs):,} = {recall:.4f}; "
              f"time ratio LSH/exact = {lsh.seconds / exact.seconds:.2f}; "
              f"peak memory ratio = {lsh.peak_bytes / exact.peak_bytes:.2f}")
    if naive is not None:
        agree = "same pairs" if naive.pairs == (exact.pairs if exact else naive.pairs) else "DIFFERENT pairs"
        print(f"   time ratio LSH/pair-by-pair = {lsh.seconds / naive.seconds:.2f} ({agree} as the sparse reference)")
    if planted is not None:
        expected = set(planted.iter_rows())
        found_planted = len(expected & lsh.oriented)
        print(f"   planted copies found (A = source): {found_planted:,}/{len(expected):,} = "
              f"{found_planted / len(expected):.4f}")
        if exact is not None:
            reachable = {p for p in expected if (min(p), max(p)) in exact.pairs}
            hit = len(reachable & lsh.oriented)
            print(f"   planted copies with exact Jaccard >= threshold found: {hit:,}/{len(reachable):,}")
    print(flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES), help="synthetic corpus sizes")
    parser.add_argument("--threshold", type=float, default=0.5, help="minimum exact 5-gram Jaccard")
    parser.add_argument("--exact-limit", type=int, default=100_000, help="largest corpus given the sparse exact reference")
    parser.add_argument("--naive-limit", type=int, default=612, help="largest corpus also compared pair by pair")
    parser.add_argument("--naive-sample", type=int, default=612,
                        help="also run the first N bbc-news articles, where pair by pair is feasible (0: skip)")
    args = parser.parse_args(argv)
    path = bbc_corpus()
    if path is not None:
        bbc = read_corpus(path)
        if args.naive_sample:
            run_corpus(f"bbc-news, first {args.naive_sample} articles", bbc.head(args.naive_sample), None, args)
        run_corpus("bbc-news", bbc, None, args)
    else:
        print(f"-- bbc-news: {BBC} not present (or HARNESS_SHARED=none), skipped\n")
    for size in args.sizes:
        corpus = synthetic_corpus(size, seed=SEED)
        run_corpus(f"synthetic (seed {SEED}, {corpus.planted.height:,} planted copies)", corpus.articles,
                   corpus.planted, args)


if __name__ == "__main__":
    main()
