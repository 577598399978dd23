"""Story matching at scale: seeded synthetic articles grouped into planted events.

Each event has a day (spread over ``--days``), 1 to 8 reports from different outlets,
three made-up names (capitalised) and five topic words of its own; every report has a
headline and a ~90-word lead mixing those with Zipf-distributed background words. The
benchmark times ``match_stories`` (local engine) and prints peak memory (max RSS) and
how well the planted events are recovered (pairwise F1, ARI)::

    nice -n 10 .venv/bin/python -m benchmarks.bench_stories --articles 100000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import polars as pl

from harness.stories import match_stories
from harness.stories.evaluate import scores

SYLLABLES = ("ka", "lo", "mi", "ra", "ve", "to", "su", "ne", "pi", "dor", "lan", "mex", "quo", "zen", "bar")


def _word(rng: np.random.Generator, parts: int) -> str:
    return "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), size=parts))


def synthetic_stories(articles: int, *, days: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    background = np.array([_word(rng, 2) for _ in range(5000)], dtype=object)
    ranks = np.arange(1, background.size + 1, dtype=np.float64)
    zipf = (1 / ranks) / (1 / ranks).sum()
    filler = background[rng.choice(background.size, size=(articles, 83), p=zipf)]  # drawn at once: fast
    rows: list[dict[str, str]] = []
    event = 0
    while len(rows) < articles:
        size = int(min(rng.integers(1, 9), articles - len(rows)))
        names = [_word(rng, 3).capitalize() for _ in range(3)]
        topic = [_word(rng, 4) for _ in range(5)]
        day = int(rng.integers(0, days))
        for k in range(size):
            own = filler[len(rows)]
            words = list(own[:80])
            for w in rng.choice(topic, size=6):
                words.insert(int(rng.integers(1, len(words))), str(w))
            for n in rng.choice(names, size=4):
                words.insert(int(rng.integers(1, len(words))), str(n))
            headline = " ".join([*rng.choice(topic, size=2), *rng.choice(names, size=1), *own[80:]])
            hour = int(rng.integers(0, 24))
            rows.append(
                {
                    "doc_id": f"syn-{event:06d}-{k}",
                    "outlet": f"outlet-{int(rng.integers(0, 40))}",
                    "headline": headline,
                    "body": " ".join(words) + ".",
                    "published": _date(day, hour),
                    "gold": f"e{event}",
                }
            )
        event += 1
    return pl.DataFrame(rows)


def _date(day: int, hour: int) -> str:
    from datetime import date, timedelta

    return f"{(date(2024, 1, 1) + timedelta(days=day)).isoformat()}T{hour:02d}:00:00+00:00"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="story matching on synthetic articles")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    corpus = synthetic_stories(args.articles, days=args.days, seed=args.seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the generated corpus and its Python rows
    started, cpu_started = time.perf_counter(), time.process_time()
    found = match_stories(corpus.drop("gold"))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # on a shared machine, wall time includes waiting for a core
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    labels = dict(found.assignments.select("doc_id", "story_id").iter_rows())
    s = scores([labels[d] for d in corpus["doc_id"].to_list()], corpus["gold"].to_list())
    print(
        f"articles {corpus.height}, days {args.days}: wall {seconds:.1f} s ({corpus.height / seconds:,.0f} articles/s), "
        f"CPU {cpu:.1f} s, peak RSS {peak:,.0f} MiB ({before:,.0f} MiB before matching)"
    )
    print(found.summary_line())
    print(f"planted events: pairwise F1 {s['pairwise_f1']:.3f}, ARI {s['adjusted_rand']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
