"""Core-suite scoring at 10k, 100k and 1M synthetic articles: linear cost, flat memory.

    python -m benchmarks.bench_scale [--sizes 10000 100000 1000000] [--reference 5000]
                                     [--batch-size 20000]

For each size a deterministic synthetic corpus (``benchmarks.synthetic_news``) is
written to Parquet (not timed), then scored by ``harness score --stream --suite core``
in a fresh process: batches read, scored on every core and written one after another.
Printed per size: seconds, articles/s, seconds per 1,000 articles (constant when the
cost curve is linear), the ratio to the reference, and peak resident memory of the
main process and of the largest worker (VmHWM), with their sum bound
(main + workers x largest worker).

The reference is the plain loop (textstat's eight formulas and vaderSentiment per
sentence, on the body) on the first ``--reference`` articles, in a fresh process in
the same run; at 1M articles it would take most of an hour, so its rate is measured
on the sample and the ratio at each size is harness rate / reference rate.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_news import write_corpus

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_REFERENCE = 5_000
DEFAULT_BATCH = 20_000
MIB = 2**20

STREAM_CHILD = """
import json, resource, sys, time
from pathlib import Path
from harness.scoring.batch import default_workers, start_workers, worker_peak_memory
from harness.scoring.stream import score_stream
corpus, out, batch = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
workers = default_workers()
if workers > 1:
    start_workers(workers)  # interpreter start-up and data loading, outside the timing
start = time.perf_counter()
summary = score_stream(corpus, out, fmt="parquet", batch_size=batch, suite="core", english_only=False)
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "documents": summary.documents,
    "workers": workers,
    "main_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "worker_peak": worker_peak_memory() if workers > 1 else None,
}))
"""

REFERENCE_CHILD = """
import json, resource, sys, time
import polars as pl
from benchmarks.bench_score import plain_loop, warm_reference
articles = pl.read_parquet(sys.argv[1], n_rows=int(sys.argv[2])).rename({"text": "body", "title": "headline"})
warm_reference()
start = time.perf_counter()
plain_loop(articles)
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "documents": articles.height,
    "main_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _row(label: str, run: dict[str, float], reference_rate: float | None) -> str:
    rate = run["documents"] / run["seconds"]
    per_1k = run["seconds"] * 1000 / run["documents"]
    ratio = f"{rate / reference_rate:7.1f}x" if reference_rate else f"{'1.0x':>8}"
    worker = run.get("worker_peak")
    workers = int(run.get("workers", 1))
    worker_text = f"{worker / MIB:9,.0f}" if worker else f"{'-':>9}"
    bound = run["main_peak"] + (workers * worker if worker else 0)
    return (
        f"{label:>22} {run['seconds']:9.1f} {rate:10,.0f} {per_1k:9.3f} {ratio} "
        f"{run['main_peak'] / MIB:9,.0f} {worker_text} {bound / MIB:10,.0f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--reference", type=int, default=DEFAULT_REFERENCE)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    header = (
        f"{'':>22} {'seconds':>9} {'docs/s':>10} {'s per 1k':>9} {'x ref':>8} "
        f"{'main MiB':>9} {'worker MiB':>9} {'total MiB':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = Path(tmp)
        first = write_corpus(sizes[0], work / f"synthetic-{sizes[0]}.parquet")
        reference = _child(REFERENCE_CHILD, str(first), str(min(args.reference, sizes[0])))
        reference_rate = reference["documents"] / reference["seconds"]
        print(
            f"synthetic corpus (benchmarks.synthetic_news), ~300 words per article; "
            f"stream batches of {args.batch_size:,}"
        )
        print(header)
        print(_row(f"reference, {reference['documents']:,.0f}", reference, None), flush=True)
        runs = []
        for n in sizes:
            started = time.perf_counter()
            corpus = first if n == sizes[0] else write_corpus(n, work / f"synthetic-{n}.parquet")
            made = time.perf_counter() - started
            run = _child(STREAM_CHILD, str(corpus), str(work / "scores.parquet"), str(args.batch_size))
            runs.append(run)
            print(_row(f"core suite, {n:,}", run, reference_rate) + f"   (corpus written in {made:.0f} s)", flush=True)
            if corpus != first:
                corpus.unlink()
        slowest = max(r["seconds"] / r["documents"] for r in runs)
        fastest = min(r["seconds"] / r["documents"] for r in runs)
        print(
            f"cost per article, largest / smallest over sizes: {slowest / fastest:.2f} "
            "(1.00 = perfectly linear)"
        )


if __name__ == "__main__":
    main()
