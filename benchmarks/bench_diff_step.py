"""The ``wire_diff`` step at corpus scale, next to a plain token diff of the same pairs.

    python -m benchmarks.bench_diff_step [--stories 100] [--copies 4] [--repeat 3] [--no-process] [--synthetic]

Each story (a ~1,000-token BBC article from ``../shared``, else a seeded synthetic
one: see ``benchmarks.bench_diff``) is the wire story, printed by "Reuters", and
``--copies`` outlets ("Copy 1", ...) each print their own edited restyle of it
(``bench_diff.edited_copy``: Guardian style, a sentence dropped, one moved, one
added, one word in a hundred replaced, each copy with its own draws). Every pair
of one story's versions is compared, copies with each other too (what discovery
hands the step): stories x C(copies + 1, 2) pairs. The copies' outlets get the
Guardian's sheet.

Rows, wall-clock seconds (the step uses every core), best of ``--repeat`` rounds,
ours and the reference alternating round by round (whole process, with several rounds:
also the reference's time over ours within each round, its median and range):

* in process: ``compare_pairs`` with its default workers (every core from
  ``MIN_PARALLEL_PAIRS`` pairs on), and with ``workers=1``; the reference
  tokenises each article once with ``harness.text.tokenize`` and runs
  ``difflib.SequenceMatcher(None, a, b).get_opcodes()`` per pair (what
  ``bench_diff``'s end-to-end row does per pair);
* whole process (``--no-process`` skips): ``harness run`` of an experiment
  (``discover_pairs`` at threshold 0.5 across outlets, then ``wire_diff``) on the
  corpus as JSON Lines, in a fresh temporary project: reading, discovery,
  comparison, storing the result and its report, as a user runs it; the reference
  is a plain script in a fresh process (``json`` + ``re.findall`` tokens once per
  article + ``SequenceMatcher`` per pair) given the pairs that run found, so both
  diff the same pairs (the harness finds them as well). ``--before DIR`` (a checkout
  of other code, e.g. ``git archive``) adds its ``harness run`` of the same project,
  in the same rounds; so does the same code run from its sources
  (``HARNESS_PURE_PYTHON=1``) when the diff core is compiled (``make``: mypyc).
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from benchmarks.bench_diff import SEED, STYLES, bbc_texts, edited_copy, synthetic_texts
from benchmarks.shared_data import bbc_corpus
from harness.text import tokenize
from harness.wirediff import compare_pairs
from harness.wirediff.compiled import PURE_ENV, core_state, describe
from harness.wirediff.pairwork import worker_count

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 0.5
# The plain whole-process reference: what a user would write with the standard library.
PLAIN_SCRIPT = """
import difflib, json, re, sys
bodies = {}
with open(sys.argv[1], encoding="utf-8") as lines:
    for line in lines:
        record = json.loads(line)
        bodies[record["doc_id"]] = record["body"]
with open(sys.argv[2], encoding="utf-8") as file:
    pairs = json.load(file)
tokens = {}
ops = []
for a, b in pairs:
    for doc_id in (a, b):
        if doc_id not in tokens:
            tokens[doc_id] = re.findall(r"\\w+|[^\\w\\s]", bodies[doc_id])
    ops.append(difflib.SequenceMatcher(None, tokens[a], tokens[b]).get_opcodes())
with open(sys.argv[3], "w", encoding="utf-8") as out:
    json.dump([[list(op) for op in pair] for pair in ops], out)
"""


def corpus(stories: int, copies: int, synthetic: bool = False) -> tuple[str, list[dict[str, str]]]:
    """The articles: each story's wire version and its copies, doc_ids ``sNNNN-k``."""
    rng = random.Random(SEED)
    bbc = None if synthetic else bbc_corpus()
    source, texts = (("bbc-news", bbc_texts(stories, bbc)) if bbc is not None
                     else ("synthetic (seeded)", synthetic_texts(stories, rng)))
    rows = []
    for number, text in enumerate(texts):
        rows.append(_article(number, 0, "Reuters", text))
        rows += [_article(number, k, f"Copy {k}", edited_copy(text, rng)) for k in range(1, copies + 1)]
    return source, rows


def _article(story: int, version: int, outlet: str, body: str) -> dict[str, str]:
    day = "01" if version == 0 else "02"  # the wire story first: discovery makes it A
    return {"doc_id": f"s{story:04d}-{version}", "outlet": outlet, "headline": f"Story {story}", "body": body,
            "published": f"2026-01-{day}T00:00:00Z"}


def story_pairs(articles: list[dict[str, str]]) -> list[tuple[str, str]]:
    """Every pair of one story's versions (A = the lower doc_id: the wire story first)."""
    by_story: dict[str, list[str]] = {}
    for row in articles:
        by_story.setdefault(row["doc_id"].split("-")[0], []).append(row["doc_id"])
    return [pair for ids in by_story.values() for pair in itertools.combinations(sorted(ids), 2)]


def _best_wall(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def in_process(articles: list[dict[str, str]], pairs: list[tuple[str, str]], copies: int, repeat: int) -> dict[str, float]:
    frame = pl.DataFrame(articles).select("doc_id", "outlet", "headline", "body")
    pair_frame = pl.DataFrame(pairs, schema=["a_doc_id", "b_doc_id"], orient="row")
    sheets = {f"Copy {k}": STYLES / "guardian.toml" for k in range(1, copies + 1)}
    bodies = {row["doc_id"]: row["body"] for row in articles}

    def step(workers: int | None) -> Callable[[], object]:
        return lambda: compare_pairs(frame, pair_frame, styles_dir=STYLES, style_files=sheets, workers=workers)

    def reference() -> object:
        tokens: dict[str, list[str]] = {}
        ops = []
        for a, b in pairs:
            for doc_id in (a, b):
                if doc_id not in tokens:
                    tokens[doc_id] = [t.text for t in tokenize(bodies[doc_id])]
            ops.append(difflib.SequenceMatcher(None, tokens[a], tokens[b]).get_opcodes())
        return ops

    contenders = {"default workers": step(None), "workers=1": step(1), "reference": reference}
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeat):
        for name, run in contenders.items():
            _cold()
            best[name] = min(best[name], _best_wall(run))
    return best


def _cold() -> None:
    from harness.text.sentences import clear_sentence_caches
    from harness.wirediff.boilerplate import clear_text_caches

    clear_text_caches()
    clear_sentence_caches()


EXPERIMENT = """name = "copies"
version = "1.0.0"
description = "bench_diff_step: find the copies, then align and classify every difference."

[corpus]
path = "corpus.jsonl"

[[steps]]
use = "discover_pairs"
settings = {{ threshold = {threshold}, cross_outlet = true, seed = 20250723, num_perm = 128 }}

[[steps]]
use = "wire_diff"
settings = {{ styles_dir = "styles", style_sheets = {{ {sheets} }} }}
"""


# The whole-process contenders: each round runs every one of them once.
OURS, PLAIN, BEFORE, SOURCES = "ours", "plain", "before", "sources"


def whole_process(
    articles: list[dict[str, str]], copies: int, repeat: int, before: Path | None = None
) -> tuple[dict[str, list[float]], int]:
    """Wall seconds, round by round, of ``harness run`` (``OURS``), of the plain script,
    of ``before``'s ``harness run`` (with ``before`` only) and of ours from the sources
    (only when the compiled core is what runs otherwise), and the pairs diffed.

    Each round runs every contender once, starting one contender later than the round
    before (as ``bench_cli`` does): on a shared machine a slow minute hits the
    contenders of one round alike, so their ratio within a round is the steadier figure."""
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "experiments").mkdir()
        (base / "styles").mkdir()
        (base / "styles" / "guardian.toml").write_bytes((STYLES / "guardian.toml").read_bytes())
        (base / "styles" / "reuters.toml").write_bytes((STYLES / "reuters.toml").read_bytes())
        with (base / "corpus.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(row) + "\n" for row in articles)
        sheets = ", ".join(f'"Copy {k}" = "styles/guardian.toml"' for k in range(1, copies + 1))
        (base / "experiments" / "copies.toml").write_text(EXPERIMENT.format(threshold=THRESHOLD, sheets=sheets))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        ours_command = [sys.executable, "-m", "harness", "run", "copies", "-C", str(base)]
        # The plain script is given the pairs the harness found: one run first, untimed.
        _wall(ours_command, env)
        pairs = pl.read_parquet(next(base.glob("results/copies/*/pairs.parquet"))).select("a_doc_id", "b_doc_id")
        (base / "pairs.json").write_text(json.dumps(pairs.rows()))
        plain_command = [sys.executable, "-c", PLAIN_SCRIPT, str(base / "corpus.jsonl"), str(base / "pairs.json"),
                         str(base / "plain.json")]
        contenders: dict[str, tuple[list[str], dict[str, str], Path]] = {
            OURS: (ours_command, env, ROOT), PLAIN: (plain_command, env, ROOT),
        }
        if before is not None:
            contenders[BEFORE] = (ours_command, {**os.environ, "PYTHONPATH": str(before)}, before)
        if core_state().compiled:
            contenders[SOURCES] = (ours_command, {**env, PURE_ENV: "1"}, ROOT)
        rounds: dict[str, list[float]] = {name: [] for name in contenders}
        names = list(contenders)
        for round_number in range(repeat):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                command, run_env, cwd = contenders[name]
                if name != PLAIN:
                    _remove_results(base)  # every run of ours stores the result anew
                rounds[name].append(_wall(command, run_env, cwd))
    return rounds, pairs.height


def process_lines(rounds: dict[str, list[float]], found: int) -> list[str]:
    """The whole-process rows: each contender's best round (seconds, pairs/s, the plain
    script's best over it) and, with several rounds, the plain script's time over
    ours round by round: the median and the range."""
    labels = {
        OURS: "whole process: harness run (discovery + diff)",
        BEFORE: "whole process: the same, code in --before",
        SOURCES: "whole process: the same, from the sources",
        PLAIN: f"whole process: plain script, same {found} pairs",
    }
    plain = rounds[PLAIN]
    lines = []
    for name in (OURS, BEFORE, SOURCES, PLAIN):
        if name not in rounds:
            continue
        best = min(rounds[name])
        line = f"{labels[name]:44} {best:8.2f} {found / best:8.1f}"
        if name != PLAIN:
            line += f" {min(plain) / best:12.2f}x"
            if len(plain) > 1:
                ratios = [reference / own for own, reference in zip(rounds[name], plain, strict=True)]
                line += f"  by round: median {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"
        lines.append(line)
    return lines


def _remove_results(base: Path) -> None:
    import shutil

    for name in ("results", "reports"):
        shutil.rmtree(base / name, ignore_errors=True)


def _wall(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:5])}... failed (exit {done.returncode}):\n{done.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100, help="wire stories")
    parser.add_argument("--copies", type=int, default=4, help="outlets printing a copy of every story")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (the best is reported)")
    parser.add_argument("--no-process", action="store_true", help="skip the whole-process rows")
    parser.add_argument("--synthetic", action="store_true", help="use the seeded synthetic corpus")
    parser.add_argument("--before", type=Path, help="a checkout of other code: its harness run in the same rounds")
    args = parser.parse_args(argv)

    source, articles = corpus(args.stories, args.copies, args.synthetic)
    pairs = story_pairs(articles)
    workers = worker_count(len(pairs))
    print(f"corpus: {source}; {len(articles)} articles ({args.copies} copies of each story), {len(pairs)} pairs; "
          f"default workers: {workers} (cores: {len(os.sched_getaffinity(0))}); diff core: {describe()}")
    best = in_process(articles, pairs, args.copies, args.repeat)
    reference = best.pop("reference")
    print(f"{'':44} {'seconds':>8} {'pairs/s':>8} {'vs reference':>13}")
    for name, seconds in best.items():
        print(f"{'wire_diff step (compare_pairs), ' + name:44} {seconds:8.2f} {len(pairs) / seconds:8.1f} "
              f"{reference / seconds:12.2f}x")
    print(f"{'reference: tokenize once + SequenceMatcher':44} {reference:8.2f} {len(pairs) / reference:8.1f}")
    if not args.no_process:
        rounds, found = whole_process(articles, args.copies, args.repeat, args.before)
        for line in process_lines(rounds, found):
            print(line)
    print("vs reference = reference seconds / our seconds (above 1: ours is faster); wall clock")


if __name__ == "__main__":
    main()
