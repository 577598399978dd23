"""Wire-copy discovery (MinHash LSH + exact verification) next to exact all-pairs.

    python -m benchmarks.bench_pairs [--sizes 10000 100000 1000000] [--threshold 0.5]
                                     [--exact-limit 100000] [--eager-limit 100000] [--cli-limit 1000000] [--no-run] [--diff]

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
allocate outside Python's allocator, where tracemalloc cannot see. "peak" is the
process's own high-water mark (VmHWM), "base" the same after reading the corpus,
before the method runs; "workers" the largest sum of the resident memory of the
worker processes discovery starts for shingles and MinHash (every core from 20k
articles on), and "total" the largest sum of the process's and its workers', both
sampled every 20 ms. Methods:

- MinHash LSH + verification: ``find_pairs`` on the table read into memory (up to
  ``--eager-limit`` articles);
- the same, lazy: ``find_pairs(pl.scan_parquet(path))``, bodies streamed in batches
  (never the whole corpus in memory: how 1M articles fit in 2 GB);
- exact all-pairs (sparse X.Xt): shingles by the same batched code as LSH, then
  ``exact_pairs`` (up to ``--exact-limit`` articles: its memory grows with the pairs
  sharing any shingle);
- ``harness pairs FILE -o OUT.parquet``: the command as a user runs it, a whole
  process timed from start to exit, its peak the largest of its processes (up to
  ``--cli-limit`` articles; a corpus file of 256 MiB or more, as the 1M one, it
  reads in batches and spills to a temporary folder);
- ``harness run`` of an experiment whose one step is ``discover_pairs`` on the same
  file, a whole process (up to ``--cli-limit`` articles; ``--no-run`` leaves it out):
  the same spill for a large corpus, plus the corpus's hashes and the stored
  ``articles`` table that make the result citable;
- with ``--diff``, ``harness run`` of discovery then ``wire_diff`` (the shipped
  ``wire-copy-discovery``): on a large corpus the diff, too, reads the spilled
  batches (furniture in two passes) and holds only its pairs' articles.

Recall on synthetic corpora counts the planted copies whose exact Jaccard (computed
for each planted pair directly) reaches the threshold, found with A = the source.
Run it with ``nice -n 10`` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.shared_data import BBC_RELATIVE, SHARED, bbc_corpus
from harness.corpus import read_corpus
from harness.discovery import DiscoverySettings, exact_pairs, find_pairs, overlap, shingle_hashes, synthetic_corpus
from harness.discovery.shingles import shingle_batch

ROOT = Path(__file__).resolve().parent.parent
BBC = SHARED / BBC_RELATIVE  # the default place; ``bbc_corpus()`` says whether it is used
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
BATCH = 2_000
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
    worker_bytes: int = 0  # the worker processes' largest sampled sum (0: none ran)
    tree_bytes: int = 0  # the largest sampled sum of the process and its workers


def _peak_rss() -> int:
    """This process's own peak (VmHWM). Not ru_maxrss: on Linux that carries over the
    parent's peak through the fork and exec that start a process."""
    return _status_kib(os.getpid(), "VmHWM") * 1024


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in children.read_text(encoding="ascii").split()]
        except OSError:
            continue
    return found + [d for child in found for d in _descendants(child)]


class TreePeak:
    """The largest sum of resident memory of a process and its descendants (the
    worker processes), sampled every 20 ms in a thread while the block runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.workers_peak, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            children = _descendants(self.pid)
            workers = sum(_status_kib(c, "VmRSS") for c in children) * 1024
            self.workers_peak = max(self.workers_peak, workers)
            self.peak = max(self.peak, _status_kib(self.pid, "VmRSS") * 1024 + workers)


def measure(method: str, corpus: Path, threshold: float) -> Measured:
    """Run one method on the Parquet corpus; called in a fresh process."""
    lazy = method == "lsh-lazy"
    articles = pl.scan_parquet(corpus) if lazy else pl.read_parquet(corpus)
    base = _peak_rss()
    tree = TreePeak(os.getpid()).__enter__()
    start = time.perf_counter()
    if method in ("lsh", "lsh-lazy"):
        found = find_pairs(articles, settings=DiscoverySettings(threshold=threshold, seed=SEED))
        oriented = list(found.select("a_doc_id", "b_doc_id").iter_rows())
    elif method == "naive":
        assert isinstance(articles, pl.DataFrame)
        oriented = _naive_pairs(articles, threshold)
    else:
        assert isinstance(articles, pl.DataFrame)
        bodies = articles["body"].fill_null("")
        sets = []
        for first in range(0, bodies.len(), BATCH):
            batch = shingle_batch(bodies.slice(first, BATCH).to_list())
            sets += np.split(batch.hashes, batch.offsets[1:-1])
        reference = exact_pairs(sets, threshold=threshold)
        ids = articles["doc_id"].to_list()
        oriented = [(ids[a], ids[b]) for a, b in reference.select("a_index", "b_index").iter_rows()]
    seconds = time.perf_counter() - start
    tree.__exit__()
    unordered = frozenset((min(a, b), max(a, b)) for a, b in oriented)
    peak = _peak_rss()
    return Measured(method, seconds, peak, base, unordered, frozenset(oriented), tree.workers_peak,
                    max(tree.peak, peak))


def measure_cli(corpus: Path, threshold: float, command: str = "pairs") -> Measured:
    """The command as a user runs it: a whole process, timed from start to exit.

    ``pairs``: ``harness pairs FILE -o OUT.parquet``; ``run``: ``harness run`` of a
    project whose one experiment runs ``discover_pairs`` on the corpus (the stored
    result's ``candidate_pairs``); ``run-diff``: the same experiment with ``wire_diff``
    after it, as the shipped ``wire-copy-discovery``.
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pairs.parquet"
        if command == "pairs":
            argv = ["pairs", str(corpus), "--threshold", str(threshold), "--seed", str(SEED), "-o", str(out)]
        else:
            (Path(folder) / "experiments").mkdir()
            (Path(folder) / "experiments" / "discovery.toml").write_text(
                f'name = "discovery"\nversion = "1.0.0"\ndescription = "bench_pairs"\n\n[corpus]\n'
                f'path = {json.dumps(str(corpus.resolve()))}\n\n[[steps]]\nuse = "discover_pairs"\n'
                f"settings = {{ threshold = {threshold}, seed = {SEED} }}\n"
                + (DIFF_STEP if command == "run-diff" else ""),
                encoding="utf-8",
            )
            argv = ["run", "discovery", "--project", folder]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "harness", *argv], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with TreePeak(process.pid) as tree:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"harness {command} failed: {process.stderr.read().decode() if process.stderr else ''}")
        if command != "pairs":
            stored = Path(folder) / "results" / "discovery"
            out = stored / (stored / "LATEST").read_text(encoding="utf-8").strip() / "candidate_pairs.parquet"
        found = pl.read_parquet(out)
    oriented = list(found.select("a_doc_id", "b_doc_id").iter_rows())
    unordered = frozenset((min(a, b), max(a, b)) for a, b in oriented)
    # wait4's ru_maxrss: the command's own peak, from the exec of this process's fork (so
    # this process must be small: _cli_in_fresh_process)
    return Measured(CLI_METHODS[command], seconds, usage.ru_maxrss * 1024, 0, unordered,
                    frozenset(oriented), tree.workers_peak, max(tree.peak, usage.ru_maxrss * 1024))


CLI_METHODS = {"pairs": "cli", "run": "cli-run", "run-diff": "cli-run-diff"}
DIFF_STEP = f'\n[[steps]]\nuse = "wire_diff"\nsettings = {{ styles_dir = {json.dumps(str(ROOT / "experiments" / "styles"))} }}\n'


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


def _cli_in_fresh_process(corpus: Path, threshold: float, command: str = "pairs") -> Measured:
    """``measure_cli`` from a fresh, small process. A child's ru_maxrss counts the resident
    pages of the process it was forked from until its exec: from this one, which made the
    corpus (6 GB at 1M articles), the command's peak would be this process's."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure_cli, corpus, threshold, command).result()


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f}"


NAMES = {"lsh": "MinHash LSH + verification", "lsh-lazy": "MinHash LSH, lazy (scan_parquet)",
         "exact": "exact all-pairs (sparse X.Xt)", "naive": "exact all-pairs (pair by pair)",
         "cli": "harness pairs (whole process)", "cli-run": "harness run, discovery (whole)",
         "cli-run-diff": "harness run, discovery + diff"}


def _row(m: Measured) -> str:
    workers = _mib(m.worker_bytes) if m.worker_bytes else "-"
    base = _mib(m.base_bytes) if m.base_bytes else "-"
    return (f"   {NAMES[m.method]:33} {m.seconds:9.2f} {len(m.pairs):8,} {_mib(m.peak_bytes):>9} {base:>9} "
            f"{workers:>9} {_mib(m.tree_bytes):>9}")


def run_corpus(label: str, path: Path, height: int, planted: pl.DataFrame | None, args: argparse.Namespace) -> None:
    runs: list[Measured] = []
    if height <= args.eager_limit:
        runs.append(_in_fresh_process("lsh", path, args.threshold))
    if height > args.eager_limit or args.lazy:
        runs.append(_in_fresh_process("lsh-lazy", path, args.threshold))
    if height <= args.cli_limit:
        runs.append(_cli_in_fresh_process(path, args.threshold))
        if not args.no_run:
            runs.append(_cli_in_fresh_process(path, args.threshold, "run"))
        if args.diff:
            runs.append(_cli_in_fresh_process(path, args.threshold, "run-diff"))
    exact = _in_fresh_process("exact", path, args.threshold) if height <= args.exact_limit else None
    naive = _in_fresh_process("naive", path, args.threshold) if height <= args.naive_limit else None
    lsh = runs[0]
    print(f"-- {label}: {height:,} articles, threshold {args.threshold}", flush=True)
    print(f"   {'method':33} {'seconds':>9} {'pairs':>8} {'peak MiB':>9} {'base MiB':>9} {'workers':>9} {'total':>9}")
    for m in (*runs, exact, naive):
        if m is not None:
            print(_row(m))
    if any(m.pairs != lsh.pairs for m in runs):
        print("   LSH runs DISAGREE on the pairs")
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
        reachable = _reachable(path, planted, args.threshold)
        hit = len(reachable & lsh.oriented)
        print(f"   planted copies with exact Jaccard >= threshold found: {hit:,}/{len(reachable):,} = "
              f"{hit / max(1, len(reachable)):.4f}")
    print(flush=True)


def _reachable(path: Path, planted: pl.DataFrame, threshold: float) -> set[Pair]:
    """The planted (source, copy) pairs whose exact Jaccard reaches the threshold."""
    ids = pl.concat([planted["a_doc_id"], planted["b_doc_id"]]).unique()
    bodies = dict(pl.scan_parquet(path).filter(pl.col("doc_id").is_in(ids.implode())).select("doc_id", "body")
                  .collect().iter_rows())
    sets = {doc: shingle_hashes(body or "") for doc, body in bodies.items()}
    return {(a, b) for a, b in planted.iter_rows() if overlap(sets[a], sets[b]).jaccard >= threshold}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(DEFAULT_SIZES), help="synthetic corpus sizes")
    parser.add_argument("--threshold", type=float, default=0.5, help="minimum exact 5-gram Jaccard")
    parser.add_argument("--exact-limit", type=int, default=100_000, help="largest corpus given the sparse exact reference")
    parser.add_argument("--eager-limit", type=int, default=100_000, help="largest corpus read into memory for LSH")
    parser.add_argument("--cli-limit", type=int, default=1_000_000, help="largest corpus given to `harness pairs`")
    parser.add_argument("--no-run", action="store_true", help="leave out `harness run` of a discovery experiment")
    parser.add_argument("--diff", action="store_true", help="add `harness run` of discovery + wire_diff (wire-copy-discovery)")
    parser.add_argument("--lazy", action="store_true", help="also run the lazy LSH at sizes read into memory")
    parser.add_argument("--naive-limit", type=int, default=612, help="largest corpus also compared pair by pair")
    parser.add_argument("--naive-sample", type=int, default=612,
                        help="also run the first N bbc-news articles, where pair by pair is feasible (0: skip)")
    args = parser.parse_args(argv)
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (nice {os.nice(0)})\n")
    source = bbc_corpus()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "articles.parquet"
        if source is not None:
            bbc = read_corpus(source)
            if args.naive_sample:
                bbc.head(args.naive_sample).write_parquet(path)
                run_corpus(f"bbc-news, first {args.naive_sample} articles", path, args.naive_sample, None, args)
            bbc.write_parquet(path)
            run_corpus("bbc-news", path, bbc.height, None, args)
        else:
            print(f"-- bbc-news: {BBC} not present (or HARNESS_SHARED=none), skipped\n")
        for size in args.sizes:
            corpus = synthetic_corpus(size, seed=SEED)
            corpus.articles.write_parquet(path, row_group_size=20_000)  # row groups: batches stream
            planted = corpus.planted
            del corpus  # the measured processes read the file; this one need not hold the table
            run_corpus(f"synthetic (seed {SEED}, {planted.height:,} planted copies)", path, size, planted, args)


if __name__ == "__main__":
    main()
