"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``).

Each prints its figures next to the reference implementation's, measured in the
same run, as a ratio, with peak memory.
"""

from __future__ import annotations

from benchmarks import (
    bench_cli,
    bench_diff,
    bench_engines,
    bench_language,
    bench_pairs,
    bench_ray_cluster,
    bench_scale,
    bench_score,
    bench_stories,
    bench_stream,
    bench_webdiff,
)


def main() -> None:
    # Each benchmark has its own options: `python -m benchmarks.bench_score --help`.
    benches = (
        ("scoring", bench_score.main),
        # bench_score's in-process figures are printed just above: not again.
        ("harness score as a user runs it: whole process", lambda argv: bench_cli.main([*argv, "--no-in-process"])),
        ("language identification: sample vs whole text", bench_language.main),
        ("core suite at 10k, 100k and 1M articles", bench_scale.main),
        ("wire-copy diff", bench_diff.main),
        ("wire-copy discovery", bench_pairs.main),
        # The review sample quotes the pages: `python -m benchmarks.bench_webdiff` prints it.
        ("real web text: page chrome, typography, discovery recall", lambda argv: bench_webdiff.main([*argv, "--no-review"])),
        ("streamed scoring: peak memory", bench_stream.main),
        ("engines: local vs Ray", bench_engines.main),
        ("story matching on 100k synthetic articles", bench_stories.main),
        ("a two-node Ray cluster: partitioned Parquet, driver memory", bench_ray_cluster.main),
    )
    for name, bench in benches:
        print(f"== {name} ==", flush=True)
        bench([])
        print(flush=True)


if __name__ == "__main__":
    main()
