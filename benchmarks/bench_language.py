"""Language identification: a sample of each text, all texts at once, vs py3langid on whole texts.

    python -m benchmarks.bench_language [--limit N]

For every corpus at hand (BBC News and the scraped multi-outlet pages from
``../shared`` when present, the seeds, generated multilingual texts), the decision
"skip as non-English" and the language label of ``detect_languages`` (the harness:
a bounded sample of each text, batched) next to ``detect_language_whole``
(py3langid's ``classify`` on the whole text, as the harness did before), with the
time of each. The decisions must be the same (exit 1 if not), except on texts
exactly half English and half another language, where py3langid's whole-text call
is itself a toss-up: those are reported apart.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from benchmarks.multilingual import generated_texts
from benchmarks.shared_data import bbc_corpus, shared_folder
from harness.corpus import load_corpus
from harness.text.language import (
    SAMPLE_CHARS,
    SAMPLE_PIECES,
    LanguageGuess,
    _identifier,
    _tables,
    detect_language_whole,
    detect_languages,
)

ROOT = Path(__file__).resolve().parent.parent
HALF = "generated half-and-half"
HALF_COUNT = 1400  # texts generated to get 200 half-and-half ones


def _bbc(limit: int) -> list[str] | None:
    path = bbc_corpus()
    if path is None:
        return None
    with path.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    return texts[:limit] if limit else texts


def _multi_outlet() -> list[str] | None:
    folder = shared_folder()
    files = sorted((folder / "corpora" / "multi-outlet-small").glob("*.csv")) if folder else []
    if not files:
        return None
    # Paragraphs are separated by " ### " in these scrapes; the first is the headline.
    return [" ### ".join(text.split(" ### ")[1:]) for f in files for text in pl.read_csv(f)["text"]]


def _seeds() -> list[str]:
    return load_corpus(ROOT / "seeds").articles["body"].to_list()


def corpora(limit: int) -> dict[str, list[str]]:
    """Name -> texts of every corpus that is available here."""
    found: dict[str, list[str] | None] = {
        "bbc-news": _bbc(limit),
        "multi-outlet-small": _multi_outlet(),
        "seeds": _seeds(),
        "generated mixtures": [text for kind, text in generated_texts() if not kind.startswith("half")],
        # Half English, half another language: a toss-up on the whole text too (it
        # often says 0.99 for either side); reported, not required to agree.
        HALF: [text for kind, text in generated_texts(HALF_COUNT) if kind.startswith("half")],
    }
    return {name: texts for name, texts in found.items() if texts is not None}


def _timed(work: Callable[[], list[LanguageGuess]]) -> tuple[list[LanguageGuess], float]:
    start = time.perf_counter()
    guesses = work()
    return guesses, time.perf_counter() - start


def compare(texts: list[str]) -> dict[str, float | int]:
    """Decisions and labels of the sample next to the whole text, and both times."""
    whole, whole_seconds = _timed(lambda: [detect_language_whole(t) for t in texts])
    sampled, sample_seconds = _timed(lambda: detect_languages(texts))
    return {
        "texts": len(texts),
        "skipped_whole": sum(g.non_english() for g in whole),
        "skipped_sample": sum(g.non_english() for g in sampled),
        "same_decision": sum(a.non_english() == b.non_english() for a, b in zip(whole, sampled, strict=True)),
        "same_label": sum(a.language == b.language for a, b in zip(whole, sampled, strict=True)),
        "whole_seconds": whole_seconds,
        "sample_seconds": sample_seconds,
    }


def report(results: dict[str, dict[str, float | int]]) -> str:
    lines = [
        f"sample: whole text up to {SAMPLE_CHARS} characters, else {SAMPLE_PIECES} pieces spread over it",
        f"{'corpus':24}{'texts':>7}{'skipped whole':>15}{'skipped sample':>16}{'same decision':>15}"
        f"{'same label':>12}{'whole s':>9}{'sample s':>10}{'speed-up':>10}",
    ]
    for name, r in results.items():
        speed = r["whole_seconds"] / r["sample_seconds"] if r["sample_seconds"] else float("inf")
        lines.append(
            f"{name:24}{r['texts']:>7,}{r['skipped_whole']:>15,}{r['skipped_sample']:>16,}"
            f"{r['same_decision']:>15,}{r['same_label']:>12,}{r['whole_seconds']:>9.2f}"
            f"{r['sample_seconds']:>10.2f}{speed:>9.1f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="BBC articles (0: all)")
    args = parser.parse_args(argv)
    _identifier()
    _tables()  # one-off model loading, outside the timings
    results = {name: compare(texts) for name, texts in corpora(args.limit).items()}
    print(report(results))
    if any(r["same_decision"] != r["texts"] for name, r in results.items() if name != HALF):
        print("decisions differ from py3langid on whole texts: FAILED")
        raise SystemExit(1)
    print("every decision equals py3langid's on the whole text (half-and-half texts aside): ok")


if __name__ == "__main__":
    main()
