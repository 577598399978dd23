"""Instructions the full scorecard's worker spends per 1,000 articles: a figure the machine's speed does not move.

    python -m benchmarks.worker_instructions [--articles N] [--before DIR]

Seconds are a poor ruler on the shared 2-core machine: the same run's wall and CPU time
move by a fifth from round to round (``benchmarks/RESULTS.md``), more than most single
changes to the worker, and a gain "seen" in a few rounds can be the machine alone.
Valgrind's callgrind counts the instructions executed instead, the same on every run.

Each checkout (this one; with ``--before DIR`` another, e.g. main before a change) runs
twice under callgrind, each a fresh process with one polars thread (an idle thread's
spinning would count as instructions): once scoring a warm-up slice of
``WARM_UP`` articles only, once scoring that slice and then ``N`` more articles in
slices of ``SLICE`` (what a worker of ``harness score`` does with each of its tasks:
``score._score_slice``, the language check and the JSON Lines bytes included). The
difference is the cost of those ``N`` articles; start-up, imports and the warm-up fall
out. Per 1,000 articles, with the change in percent when there is a ``--before``.

The corpus is the first articles of BBC News when ``../shared`` has it, else
``bench_score``'s synthetic one. Needs ``valgrind`` on the PATH (exit 2 and one line
otherwise). Slow: callgrind runs about fifty times slower, a few minutes in all (the
runs go two at a time). Not what a user waits for: ``bench_cli`` is; this says whether
a change to the worker's code made it do less.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench_cli import write_jsonl
from benchmarks.bench_score import bbc_articles, synthetic_articles
from benchmarks.shared_data import bbc_corpus

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 256
SLICE = 512
DEFAULT_ARTICLES = 1024

# What one run does: read the corpus, score the warm-up slice, then ``n`` articles in
# slices, each as a worker of `harness score` scores a task of it.
CHILD = """
import sys
from pathlib import Path
from harness.cli.jsonlines import printable_jsonl_bytes
from harness.corpus.reader import load_corpus
from harness.scoring import score

corpus, warm_up, n, size = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
articles = load_corpus([corpus]).articles
wanted = score._wanted(("documents",))
frame, settings, categories = score._prepare(articles, (), True, score.DEFAULT_CONTEXT_CHARS, "harness", wanted)


def scored(part):
    return score._score_slice(score._SliceTask(part, settings, categories, wanted, True, printable_jsonl_bytes))


scored(frame.slice(0, warm_up))
for start in range(warm_up, warm_up + n, size):
    scored(frame.slice(start, min(size, warm_up + n - start)))
"""


def instructions(root: Path, corpus: Path, n: int, out: Path) -> int:
    """Instructions of one fresh process (callgrind's total, written to ``out``) scoring
    the warm-up and ``n`` articles with the code of checkout ``root``."""
    env = dict(os.environ, POLARS_MAX_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])])
    command = [
        "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
        sys.executable, "-c", CHILD, str(corpus), str(WARM_UP), str(n), str(SLICE),
    ]
    subprocess.run(command, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return summary_instructions(out.read_text(encoding="utf-8"))


def summary_instructions(callgrind_output: str) -> int:
    """The total of a callgrind output file (its ``summary:`` or ``totals:`` line)."""
    for line in callgrind_output.splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError("no summary line in the callgrind output")


def per_thousand(roots: list[Path], corpus: Path, n: int, folder: Path) -> list[float]:
    """Millions of instructions per 1,000 articles for each checkout (runs two at a time)."""
    jobs = [(root, count, folder / f"callgrind.{k}.out") for k, (root, count) in enumerate(
        (root, count) for root in roots for count in (0, n)
    )]
    with ThreadPoolExecutor(max_workers=2) as pool:
        totals = list(pool.map(lambda job: instructions(job[0], corpus, job[1], job[2]), jobs))
    return [(totals[2 * k + 1] - totals[2 * k]) / n * 1000 / 1e6 for k in range(len(roots))]


def report(n: int, source: str, labels: list[str], figures: list[float]) -> str:
    lines = [
        f"worker instructions per 1,000 articles (callgrind; {source}: {n:,} articles in slices of {SLICE} "
        f"after a warm-up of {WARM_UP}, one polars thread)",
    ]
    for k, (label, figure) in enumerate(zip(labels, figures, strict=True)):
        change = f"   this checkout: {100 * (figures[0] / figure - 1):+.1f}%" if k else ""
        lines.append(f"{label:40} {figure:12,.0f} M{change}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, help="articles measured after the warm-up")
    parser.add_argument("--before", type=Path, help="another checkout measured the same way (e.g. main before a change)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("worker_instructions: valgrind is not on the PATH (install it, e.g. apt-get install valgrind)", file=sys.stderr)
        raise SystemExit(2)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if args.before is not None and not (args.before / "harness").is_dir():
        parser.error(f"--before {args.before}: not a checkout (no harness/ folder there)")
    total = WARM_UP + args.articles
    source = "BBC News" if bbc_corpus() is not None else "synthetic articles"
    articles = bbc_articles(total) if bbc_corpus() is not None else synthetic_articles(total)
    if articles.height < total:
        parser.error(f"--articles {args.articles}: the corpus has {articles.height - WARM_UP} after the warm-up")
    roots = [ROOT] + ([args.before.resolve()] if args.before is not None else [])
    labels = ["this checkout"] + ([f"before ({args.before})"] if args.before is not None else [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus = folder / "corpus.jsonl"
        write_jsonl(articles, 1, corpus)
        print(report(args.articles, source, labels, per_thousand(roots, corpus, args.articles, folder)))


if __name__ == "__main__":
    main()
