"""Local engine vs Ray Data on one machine: the overhead of distributing a batch step.

    python -m benchmarks.bench_engines [--sizes 10000 100000] [--step profile_articles]

Both engines run the same registered step over the same synthetic articles (seeded);
the benchmark checks that the output tables are byte-identical, then prints
articles/s for each and the ratio. On one machine Ray can only add overhead over
an already parallel-free local run unless the step is CPU-bound enough to use
the second core; across nodes the slices spread over every worker's cores.
"""

from __future__ import annotations

import argparse
import time

import polars as pl

from benchmarks.bench_score import synthetic_articles
from harness.engines import BatchCall, Engine, LocalEngine, open_engine
from harness.experiments import STEPS
from harness.results.hashing import sha256_bytes, table_bytes


def _articles(n: int) -> pl.DataFrame:
    base = synthetic_articles(min(n, 5000))
    copies = -(-n // base.height)
    frames = [base.with_columns(pl.col("doc_id") + f"-{k}") for k in range(copies)]
    return pl.concat(frames).head(n).with_columns(
        pl.lit(None, pl.String).alias("published"), pl.lit("synthetic").alias("source"), pl.lit("{}").alias("meta")
    )


def _run(engine: Engine, step: str, articles: pl.DataFrame) -> tuple[float, dict[str, str]]:
    defn = STEPS.get(step)
    assert defn is not None and defn.batch_over == "articles", f"{step} is not a batch step"
    settings = {s.name: s.default for s in defn.settings if not s.required}
    call = BatchCall(defn.func, "articles", {"articles": articles}, defn.inputs, settings, defn.func_outputs)
    start = time.perf_counter()
    tables = engine.run(call)
    seconds = time.perf_counter() - start
    return seconds, {name: sha256_bytes(table_bytes(frame)) for name, frame in tables.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--step", default="profile_articles", help="a step registered with batch_over")
    parser.add_argument("--batch-size", type=int, default=2_000)
    args = parser.parse_args(argv)
    print(f"step {args.step}; Ray batch size {args.batch_size}")
    print(f"{'articles':>9} {'local/s':>10} {'ray/s':>10} {'ray/local':>10}  identical")
    with open_engine("ray", batch_size=args.batch_size) as ray_engine:
        for n in args.sizes:
            articles = _articles(n)
            local_s, local_hashes = _run(LocalEngine(), args.step, articles)
            ray_s, ray_hashes = _run(ray_engine, args.step, articles)
            same = "yes" if local_hashes == ray_hashes else "NO"
            print(f"{n:>9,} {n / local_s:>10,.0f} {n / ray_s:>10,.0f} {local_s / ray_s:>9.2f}x  {same}", flush=True)


if __name__ == "__main__":
    main()
