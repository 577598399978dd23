"""Throughput of the wire-copy diff next to a bare ``difflib`` token diff.

    python -m benchmarks.bench_diff [--pairs N] [--repeat R] [--synthetic]

Pairs are made from ~1,000-token articles: each B is its A restyled into the
Guardian's house style (quotes, dates, titles, spelling, per cent) with a
sentence dropped, one moved, a sentence added and one word in a hundred
replaced, all drawn from a seeded random generator, so every run compares the
same pairs.
Articles come from ``../shared/corpora/bbc-news/articles.jsonl`` when present
(``HARNESS_SHARED``: see ``benchmarks.shared_data``), else from a seeded synthetic corpus.

Both sides get the same token lists: the wirediff side diffs texts prepared
once (tokens, keys, sentences: what a corpus run does, since an article is
compared with many others); difflib runs
``SequenceMatcher(None, a_tokens, b_tokens).get_opcodes()`` and nothing else.
Three wirediff rows: ``diff_edits`` (align and classify: every edit with its
category, rule, explanation and offsets), ``diff_prepared`` (the same plus the
similarity numbers and the derivation class) and ``diff_texts`` end to end
(tokenising and sentence splitting included, against tokenising + difflib). Time and peak memory (tracemalloc) are measured in
separate passes because tracing slows Python down. Times are CPU seconds
(``time.process_time``; children's user + system time for the whole-process rows),
not wall time: on a shared, loaded machine wall time mostly measures the other
jobs, while CPU time of single-threaded work stays close to what an idle machine
shows. Before every timed run of the
wirediff side, what it remembers per text (segments, chrome verdicts, Punkt
decisions: ``clear_text_caches``) is forgotten, so that repeated rounds over the
same pairs are not timed warm; per-token memos (alignment keys) stay warm, as in
any corpus run (the first comparison warms them).

Stages (``--stages``): where the end-to-end time of ``diff_texts`` goes, in ms
per pair (cold text caches as above): preparing both texts, aligning and
classifying (``diff_edits``), the page-chrome pass and the similarity numbers;
next to them the reference's two parts, ``harness.text.tokenize`` of both texts
and ``SequenceMatcher(...).get_opcodes()``.

Whole process (``--cli-pairs``, default 10; 0 skips): each pair is written to two
files and compared by ``python -m harness diff A B --format json --output F`` in a
fresh process, next to a plain script in a fresh process (``re.findall`` tokens and
``difflib.SequenceMatcher(...).get_opcodes()``, JSON out): what a user runs. The
two alternate pair by pair, so that both see the same load; the best of
``--repeat`` rounds of each is reported.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.shared_data import bbc_corpus
from harness.text import split_sentences, tokenize
from harness.text.sentences import clear_sentence_caches
from harness.wirediff import PreparedText, diff_edits, diff_prepared, diff_texts, load_style, normalise, prepare
from harness.wirediff.boilerplate import clear_text_caches, mark_chrome
from harness.wirediff.diff import _substantive_text
from harness.wirediff.compiled import describe
from harness.wirediff.similarity import similarity

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "experiments" / "styles"
SEED = 20250723
MIN_TOKENS, MAX_TOKENS = 800, 1300
DEFAULT_PAIRS = 100
DEFAULT_CLI_PAIRS = 10
# The plain whole-process reference: what a user would write with the standard library.
PLAIN_SCRIPT = """
import difflib, json, re, sys
a, b = (open(path, encoding="utf-8").read() for path in sys.argv[1:3])
tokens = [re.findall(r"\\w+|[^\\w\\s]", text) for text in (a, b)]
ops = difflib.SequenceMatcher(None, *tokens).get_opcodes()
with open(sys.argv[3], "w", encoding="utf-8") as out:
    json.dump([list(op) for op in ops], out)
"""

# Templates of the synthetic corpus, filled from the lists below: wire-style
# sentences with the conventions the rules look at (quotes, titles, dates, figures).
_TEMPLATES = [
    '"We will not accept this," {title} {name} said on {month} {day}.',
    "The {org} said {number} troops would move within {low}-{high} hours.",
    "Prices in {place} rose {low} percent in the year to {month}, the {org} said.",
    "{title} {name} met envoys from the West in {place} on {month} {day}.",
    "Talks on the {topic} are expected to resume on {month} {day}, officials said.",
    "The {org} will analyze the {topic} program before a vote in the fall.",
    "Critics in {place} said the {topic} plan would cost more than expected.",
    "{name} told reporters the {org} had approved the {topic} budget.",
]
# Plain sentences: in real copy most sentences carry no title, date or quote.
_PLAIN = [
    "The {topic} talks have dragged on for months without a clear result.",
    "Residents of {place} have complained about rising costs for years.",
    "Analysts expect the {org} to publish its next report later this year.",
    "The dispute over the {topic} deal has divided the governing coalition.",
    "Several smaller groups have also joined the protests in {place}.",
    "Markets in {place} reacted calmly, with {org} shares closing slightly higher.",
]
PLAIN_SHARE = 0.6
_SLOTS = {
    "title": ["U.S. President", "Russian President", "Foreign Minister", "Prime Minister", "spokesman"],
    "name": ["Donald Trump", "Vladimir Putin", "Sergei Lavrov", "Keir Starmer", "Maria Zakharova"],
    "month": ["January", "March", "May", "June", "July", "August", "October"],
    "place": ["Istanbul", "Kyiv", "Berlin", "Lagos", "Manila", "Lima", "Doha"],
    "org": ["defense ministry", "central bank", "organization", "council", "statistics office"],
    "topic": ["ceasefire", "energy", "housing", "trade", "pension", "border"],
}
_REPLACEMENTS = ["officials", "sharply", "reportedly", "fresh", "major", "late", "several", "key"]


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    seconds: float
    peak_bytes: int


def bbc_texts(limit: int, path: Path) -> list[str]:
    """Articles of about 1,000 tokens, in file order."""
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            if MIN_TOKENS <= len(tokenize(text)) <= MAX_TOKENS:
                texts.append(text)
                if len(texts) == limit:
                    break
    return texts


def synthetic_texts(limit: int, rng: random.Random) -> list[str]:
    """Seeded articles of about 1,000 tokens from filled-in news templates
    (60% plain sentences, the rest with titles, dates, figures or quotes)."""
    texts = []
    for _ in range(limit):
        sentences = []
        for _ in range(70):
            slots = {key: rng.choice(values) for key, values in _SLOTS.items()}
            low = rng.randrange(2, 50)
            numbers = {"day": rng.randrange(1, 29), "number": f"{rng.randrange(1, 9)},{rng.randrange(100, 999)}",
                       "low": low, "high": low + rng.randrange(1, 50)}
            templates = _PLAIN if rng.random() < PLAIN_SHARE else _TEMPLATES
            sentences.append(rng.choice(templates).format(**slots, **numbers))
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        texts.append("\n\n".join(paragraphs))
    return texts


def _sentences(paragraph: str) -> list[str]:
    return [paragraph[s.start : s.end] for s in split_sentences(paragraph)]


def edited_copy(text: str, rng: random.Random) -> str:
    """B: A in Guardian style, minus a sentence, plus one, one moved, words replaced.

    Paragraph breaks are kept: only the listed edits separate B from restyled A.
    """
    restyled = normalise(text, to_style=load_style("The Guardian", STYLES))
    paragraphs = [_sentences(p) for p in restyled.split("\n\n") if p.strip()]
    if sum(len(p) for p in paragraphs) > 4:
        dropped_from = rng.choice([p for p in paragraphs if len(p) > 1] or paragraphs)
        del dropped_from[rng.randrange(len(dropped_from))]
        source = rng.choice([p for p in paragraphs if len(p) > 1] or paragraphs)
        moved = source.pop(rng.randrange(len(source)))
        target = rng.choice(paragraphs)
        target.insert(rng.randrange(len(target) + 1), moved)
        extra = rng.choice(paragraphs)
        extra.insert(rng.randrange(len(extra) + 1), "Officials declined to comment on the report.")
    lines = [" ".join(p) for p in paragraphs if p]
    for _ in range(max(sum(len(line.split(" ")) for line in lines) // 100, 1)):
        line = rng.randrange(len(lines))
        words = lines[line].split(" ")
        words[rng.randrange(len(words))] = rng.choice(_REPLACEMENTS)
        lines[line] = " ".join(words)
    return "\n\n".join(lines)


def make_pairs(count: int, synthetic: bool) -> tuple[str, list[tuple[str, str]]]:
    rng = random.Random(SEED)
    bbc = None if synthetic else bbc_corpus()
    if bbc is not None:
        source, texts = f"bbc-news ({MIN_TOKENS}-{MAX_TOKENS} tokens)", bbc_texts(count, bbc)
    else:
        source, texts = "synthetic (seeded)", synthetic_texts(count, rng)
    return source, [(text, edited_copy(text, rng)) for text in texts]


def _nothing() -> None:
    return None


def _cold() -> None:
    """Forget per-text memos: each timed round meets the texts as new ones."""
    clear_text_caches()
    clear_sentence_caches()


def _best_cpu(run: Callable[[], object], repeat: int, before: Callable[[], None]) -> float:
    """The least CPU time of ``repeat`` runs, ``before`` called ahead of each."""
    best = float("inf")
    for _ in range(repeat):
        before()
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _time(name: str, run: Callable[[], object], repeat: int, before: Callable[[], None] = _nothing) -> Timing:
    best = _best_cpu(run, repeat, before)
    before()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Timing(name, best, peak)


def _time_both(
    ours: tuple[str, Callable[[], object]], reference: tuple[str, Callable[[], object]], repeat: int
) -> tuple[Timing, Timing]:
    """Both contenders, round by round in turn, so that a shared machine's load hits both alike."""
    timings = [(_time(ours[0], ours[1], 1, _cold), _time(reference[0], reference[1], 1)) for _ in range(repeat)]
    return min((t[0] for t in timings), key=lambda t: t.seconds), min((t[1] for t in timings), key=lambda t: t.seconds)


def _wirediff_edits(prepared: list[tuple[PreparedText, PreparedText]]) -> Callable[[], object]:
    return lambda: [diff_edits(a, b) for a, b in prepared]


def _wirediff_prepared(prepared: list[tuple[PreparedText, PreparedText]]) -> Callable[[], object]:
    return lambda: [diff_prepared(a, b) for a, b in prepared]


def _difflib_tokens(tokens: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> Callable[[], object]:
    return lambda: [difflib.SequenceMatcher(None, a, b).get_opcodes() for a, b in tokens]


def _wirediff_texts(pairs: list[tuple[str, str]]) -> Callable[[], object]:
    return lambda: [diff_texts(a, b) for a, b in pairs]


def _difflib_texts(pairs: list[tuple[str, str]]) -> Callable[[], object]:
    def run() -> object:
        return [
            difflib.SequenceMatcher(None, [t.text for t in tokenize(a)], [t.text for t in tokenize(b)]).get_opcodes()
            for a, b in pairs
        ]

    return run


def stages(pairs: list[tuple[str, str]], repeat: int) -> list[tuple[str, float]]:
    """Milliseconds per pair of each stage of ``diff_texts`` and of the reference (best of ``repeat``)."""
    prepared = [(prepare(a), prepare(b)) for a, b in pairs]
    edits = [diff_edits(a, b) for a, b in prepared]
    tokens = [([t.text for t in tokenize(a)], [t.text for t in tokenize(b)]) for a, b in pairs]
    runs: list[tuple[str, Callable[[], object]]] = [
        ("prepare (both texts)", lambda: [(prepare(a), prepare(b)) for a, b in pairs]),
        ("align + classify (diff_edits)", lambda: [diff_edits(a, b) for a, b in prepared]),
        ("page-chrome pass", lambda: [
            mark_chrome(e.edits, a, b, chrome=None, explain=_substantive_text) for e, (a, b) in zip(edits, prepared, strict=True)
        ]),
        ("similarity numbers", lambda: [
            similarity(a, b, e.aligned_b_words) for e, (a, b) in zip(edits, prepared, strict=True)
        ]),
        ("diff_texts end to end", _wirediff_texts(pairs)),
        ("reference: tokenize (both texts)", lambda: [(tokenize(a), tokenize(b)) for a, b in pairs]),
        ("reference: SequenceMatcher", _difflib_tokens([(tuple(a), tuple(b)) for a, b in tokens])),
        ("reference: end to end", _difflib_texts(pairs)),
    ]
    return [(name, 1000 * _best_cpu(run, repeat, _cold) / len(pairs)) for name, run in runs]


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _run(command: list[str]) -> float:
    """CPU seconds (user + system) of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = _children_cpu()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return _children_cpu() - start


def whole_process(pairs: list[tuple[str, str]], repeat: int) -> tuple[float, float]:
    """Seconds for all pairs: ``harness diff`` and the plain script, fresh processes (best round)."""
    ours, plain = float("inf"), float("inf")
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for number, (a, b) in enumerate(pairs):
            paths = Path(folder) / f"a{number}.txt", Path(folder) / f"b{number}.txt"
            for path, text in zip(paths, (a, b), strict=True):
                path.write_text(text, encoding="utf-8")
            files.append(paths)
        out = str(Path(folder) / "out.json")
        for _ in range(repeat):
            ours_round = plain_round = 0.0
            for a_path, b_path in files:
                ours_round += _run([sys.executable, "-m", "harness", "diff", str(a_path), str(b_path),
                                    "--format", "json", "--output", out])
                plain_round += _run([sys.executable, "-c", PLAIN_SCRIPT, str(a_path), str(b_path), out])
            ours, plain = min(ours, ours_round), min(plain, plain_round)
    return ours, plain


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS, help="article pairs to compare")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the best is reported)")
    parser.add_argument("--synthetic", action="store_true", help="use the seeded synthetic corpus")
    parser.add_argument("--stages", action="store_true", help="also print ms per pair of each stage")
    parser.add_argument("--cli-pairs", type=int, default=DEFAULT_CLI_PAIRS, help="pairs for the whole-process rows")
    args = parser.parse_args(argv)

    source, pairs = make_pairs(args.pairs, args.synthetic)
    prepared = [(prepare(a), prepare(b)) for a, b in pairs]
    tokens = [(a.tokens, b.tokens) for a, b in prepared]
    mean_tokens = sum(len(a) + len(b) for a, b in tokens) / (2 * len(tokens))
    diff_prepared(*prepared[0])  # load the lexicon and warm the key cache before timing
    print(f"corpus: {source}; {len(pairs)} pairs, {mean_tokens:.0f} tokens per text on average; diff core: {describe()}")

    reference = _time("difflib SequenceMatcher", _difflib_tokens(tokens), args.repeat)
    rows = [
        ("diff+classify (edits)", _time("wirediff diff_edits", _wirediff_edits(prepared), args.repeat, _cold),
         reference),
        ("+ similarity, derivation",
         _time("wirediff diff_prepared", _wirediff_prepared(prepared), args.repeat, _cold), reference),
        ("end to end (tokenising included)",
         *_time_both(("wirediff diff_texts", _wirediff_texts(pairs)), ("tokenize + difflib", _difflib_texts(pairs)),
                     args.repeat)),
    ]
    header = f"{'':34} {'wirediff pairs/s':>17} {'difflib pairs/s':>16} {'ratio':>6} {'peak MiB (w / d)':>18}"
    print(header)
    for label, ours, reference in rows:
        ours_rate, ref_rate = len(pairs) / ours.seconds, len(pairs) / reference.seconds
        peaks = f"{ours.peak_bytes / 2**20:.1f} / {reference.peak_bytes / 2**20:.1f}"
        print(f"{label:34} {ours_rate:17.1f} {ref_rate:16.1f} {ours_rate / ref_rate:6.2f} {peaks:>18}")
    if args.stages:
        for name, ms in stages(pairs, args.repeat):
            print(f"  {name:34} {ms:7.3f} ms/pair")
    if args.cli_pairs > 0:
        cli_pairs = pairs[: args.cli_pairs]
        ours_s, plain_s = whole_process(cli_pairs, args.repeat)
        ours_rate, plain_rate = len(cli_pairs) / ours_s, len(cli_pairs) / plain_s
        label = f"whole process, {len(cli_pairs)} pairs"
        print(f"{label:34} {ours_rate:17.1f} {plain_rate:16.1f} {ours_rate / plain_rate:6.2f} {'-':>18}")
    print("ratio = wirediff pairs/s / difflib pairs/s (above 1: wirediff is faster)")
    if args.cli_pairs > 0:
        print("whole process: `python -m harness diff A B --format json --output F` per pair vs a plain "
              "re.findall + difflib script, each a fresh process")


if __name__ == "__main__":
    main()
