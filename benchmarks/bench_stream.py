"""Peak memory of streamed scoring as the corpus grows: it should stay flat.

    python -m benchmarks.bench_stream [--sizes 2000 8000 32000] [--batch-size 2000]

Each size is scored in a fresh process (`harness score --stream`), from a seeded
synthetic JSON Lines corpus of short news-like articles; the benchmark prints
documents/s and the process's peak resident memory next to the same corpus
scored whole in memory (the reference), so growth with size shows at once.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "the minister said talks would resume next week while critics slammed the shocking plan "
    "officials told reporters that prices rose sharply after the storm and the council insisted"
).split()

CHILD = """
import sys, resource
from pathlib import Path
from harness.scoring.stream import score_stream
from harness.scoring import score_documents
from harness.corpus import read_corpus
mode, corpus, out, batch = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
if mode == "stream":
    score_stream(corpus, out, fmt="parquet", batch_size=batch, engine=None)
else:
    score_documents(read_corpus(corpus), workers=1)["documents"].write_parquet(out)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _corpus(path: Path, n: int) -> None:
    rng = random.Random(20240101)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(6)]
            out.write(json.dumps({"id": f"s{i:07d}", "outlet": f"Outlet {i % 5}", "title": f"Story {i}", "text": " ".join(sentences)}) + "\n")


def _run(mode: str, corpus: Path, out: Path, batch: int) -> tuple[float, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(corpus), str(out), str(batch)],
        capture_output=True, text=True, check=True,
    )
    return time.perf_counter() - start, int(done.stdout.strip().splitlines()[-1]) / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 8_000, 32_000])
    parser.add_argument("--batch-size", type=int, default=2_000)
    args = parser.parse_args(argv)

    print(f"{'articles':>9} {'stream docs/s':>14} {'stream peak MiB':>16} {'whole docs/s':>13} {'whole peak MiB':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"c{n}.jsonl"
            _corpus(corpus, n)
            s_time, s_mem = _run("stream", corpus, Path(tmp) / "s.parquet", args.batch_size)
            w_time, w_mem = _run("whole", corpus, Path(tmp) / "w.parquet", args.batch_size)
            print(f"{n:>9,} {n / s_time:>14,.0f} {s_mem:>16,.0f} {n / w_time:>13,.0f} {w_mem:>15,.0f}", flush=True)


if __name__ == "__main__":
    main()
