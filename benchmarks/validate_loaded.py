"""Validation figures of the built-in loaded-term lexicon, as the Markdown block its README carries.

    python -m benchmarks.validate_loaded                    # BABE SG1 from ../shared, when there
    python -m benchmarks.validate_loaded --spans ptc/train  # also a PTC-like span folder

Runs ``harness validate loaded-terms`` (``harness.scoring.loaded_validation``) on the BABE
SG1 sentences in the shared data folder (``$HARNESS_SHARED``, else ``../shared``; see
``benchmarks/shared_data.py``) and on any span folder given, and prints the "Validation"
section of ``harness/scoring/lexicons/README.md`` exactly: paste it over the old one
after a lexicon change. The figures are deterministic (no sampling, no clock).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from benchmarks.shared_data import shared_file
from harness.scoring.lexicon import load_lexicons
from harness.scoring.loaded_validation import (
    LEXICON,
    VADER_MIN_VALENCE,
    VADER_WORDS,
    LoadedValidation,
    validate_loaded_gold,
)

WIDTH = 100  # README paragraphs are wrapped; tables are not
BABE_RELATIVE = Path("validation") / "babe-sg1" / "final_labels_SG1.csv"
COMMAND = "HARNESS_SHARED=/path/to/shared python -m benchmarks.validate_loaded"

SENTENCE_ROWS: tuple[tuple[str, str], ...] = (
    ("auc_weighted_density", "sentence AUC: weighted density (loaded weight per 1,000 words)"),
    ("auc_density", "sentence AUC: loaded hits per 1,000 words"),
    ("auc_hit_count", "sentence AUC: loaded hit count"),
    ("token_precision", "token precision: hit words the annotators marked (hit words)"),
    ("token_recall", "token recall: marked words hit (marked words)"),
    ("token_f1", "token F1"),
)
SPAN_ROWS: tuple[tuple[str, str], ...] = (
    ("loaded_span_recall", "Loaded_Language span recall (spans)"),
    ("hit_precision_any_span", "hit precision: on any annotated span (hits)"),
    ("hit_precision_loaded_span", "hit precision: on a Loaded_Language span (hits)"),
    ("spearman_density_loaded_spans", "per-article Spearman: weighted density vs Loaded_Language spans per 1,000 words (articles)"),
)
WITH_N = ("token_precision", "token_recall", "loaded_span_recall", "hit_precision_any_span",
          "hit_precision_loaded_span", "spearman_density_loaded_spans")


def _cell(row: dict[str, object] | None, measure: str) -> str:
    if row is None or row["value"] is None:
        return "n/a"
    value = f"{row['value']:.3f}"
    return f"{value} ({row['n']:,})" if measure in WITH_N else value


def _row(table: pl.DataFrame, instrument: str, measure: str, category: str | None = None) -> dict[str, object] | None:
    chosen = table.filter(
        (pl.col("instrument") == instrument)
        & (pl.col("measure") == measure)
        & (pl.col("category").is_null() if category is None else pl.col("category") == category)
    )
    return chosen.row(0, named=True) if chosen.height else None


def _main_table(report: LoadedValidation, rows: Sequence[tuple[str, str]]) -> list[str]:
    lines = [
        f"| measure | lexicon | VADER words (\\|valence\\| >= {VADER_MIN_VALENCE}) |",
        "|---|---:|---:|",
    ]
    for measure, label in rows:
        lexicon = _cell(_row(report.table, LEXICON, measure), measure)
        vader = _cell(_row(report.table, VADER_WORDS, measure), measure)
        lines.append(f"| {label} | {lexicon} | {vader} |")
    return lines


def _category_table(report: LoadedValidation, measure: str, heading: str) -> list[str]:
    rows = report.table.filter(
        (pl.col("instrument") == LEXICON) & (pl.col("measure") == measure) & pl.col("category").is_not_null()
    )
    lines = [f"| category | {heading} |", "|---|---:|"]
    for row in rows.iter_rows(named=True):
        lines.append(f"| `{row['category']}` | {_cell(row, measure)} |")
    return lines


def _wrap(text: str) -> str:
    return textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def _sentence_block(report: LoadedValidation) -> list[str]:
    auc = _row(report.table, LEXICON, "auc_weighted_density")
    labelled = auc["n"] if isinstance(auc, dict) and isinstance(auc["n"], int) else 0
    return [
        _wrap(f"**BABE SG1** (Spinde et al. 2021, expert-labelled news sentences, not in this project): "
        f"the AUCs over the {labelled:,} sentences labelled biased or not ({report.left_out:,} without "
        f"agreement left out), the token measures over all {report.items:,}."),
        "",
        *_main_table(report, SENTENCE_ROWS),
        "",
        "Token precision of the lexicon by category:",
        "",
        *_category_table(report, "token_precision", "token precision (hit words)"),
    ]


def _span_block(report: LoadedValidation, name: str) -> list[str]:
    return [
        _wrap(
            f"**{name}** (span-annotated articles): {report.items:,} annotated articles"
            + (f" ({report.left_out:,} without labels left out)." if report.left_out else ".")
        ),
        "",
        *_main_table(report, SPAN_ROWS),
        "",
        "Hit precision on Loaded_Language spans by category:",
        "",
        *_category_table(report, "hit_precision_loaded_span", "hit precision (hits)"),
    ]


def _lexicon_line() -> str:
    described = ", ".join(
        f"`{lx.name}` version {lx.version} (sha256 `{lx.resource.sha256[:12]}`)" for lx in load_lexicons()
    )
    return _wrap(
        f"Figures of {described}, built-in lexicons only, with `harness validate loaded-terms` "
        "(`harness/scoring/loaded_validation.py`: what each measure is). A hit counts when its "
        "entry is loaded (the hits `loaded_per_1k` counts). The baseline is the plain VADER word "
        f"list: every word of VADER's lexicon with |valence| >= {VADER_MIN_VALENCE}, matched as "
        "written (lower-cased, no lemmas), weight 1."
    )


def block(babe: Path | None, spans: Sequence[Path]) -> str:
    lines = ["## Validation", "", _lexicon_line(), ""]
    if babe is not None:
        lines += [*_sentence_block(validate_loaded_gold(babe)), ""]
    for folder in spans:
        lines += [*_span_block(validate_loaded_gold(folder), folder.name), ""]
    if babe is None and not spans:
        lines += ["No validation data found (BABE SG1 is read from the shared data folder).", ""]
    lines += [
        _wrap(
            f"Reproduce: `{COMMAND}` prints this section (add `--spans DIR` for a span-annotated "
            "folder); for one data set, `harness validate loaded-terms --gold FILE_OR_FOLDER`."
        ),
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--babe", type=Path, help="a BABE-like sentence file (default: BABE SG1 in the shared folder)")
    parser.add_argument("--spans", type=Path, action="append", default=[], help="a PTC-like span folder (repeatable)")
    args = parser.parse_args(argv)
    babe = args.babe if args.babe is not None else shared_file(BABE_RELATIVE)
    sys.stdout.write(block(babe, args.spans))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
