"""Real web text: the wire-copy diff on scraped copies, and discovery recall (issue 13).

    python -m benchmarks.bench_webdiff [--thresholds 0.5 0.2] [--sample 30] [--seed 20250723] [--no-review] [--no-msrp]

Data (never committed; ``HARNESS_SHARED``: see ``benchmarks.shared_data``):

* ``corpora/multi-outlet-small``: 68 scraped articles from many outlets, page
  chrome and curly quotes included. Each CSV row's ``text`` holds paragraphs
  separated by `` ### ``, the first being the headline; the body is the rest,
  one paragraph a line (blank lines between), the outlet is ``publisher``.
* ``validation/msrp-train``: 4,076 sentence pairs from different outlets.

Figures, printed as one Markdown block:

* cross-outlet copy pairs: ``harness.discovery.find_pairs`` (MinHash LSH on
  typography-folded word 5-grams, at each ``--thresholds`` exact Jaccard: 0.5 is
  ``harness pairs``' default; 0.2 also finds copies with much chrome), and its recall
  against the exact all-pairs Jaccard of the same folded shingles
  (``exact_pairs``), cross-outlet pairs only (target >= 0.98);
* the diff of every pair as the ``wire_diff`` step runs it (``compare_pairs``:
  learned furniture included): body edits by kind, boilerplate by category;
  the same without the page-chrome pass ("before") for comparison;
* the share of substantive body edits that are punctuation / case / whitespace
  only: both sides equal once everything but letters and digits is dropped and
  case folded (NFKC first) (target <= 2%);
* MSRP: share of pairs with a substantive edit of that kind (punctuation, case,
  compounding: ``non-binding`` / ``nonbinding`` fold to one string).

Then, for review and never for committing (it quotes the pages), a fixed-seed
random sample of ``--sample`` substantive body edits of the pairs at the lowest
threshold (the most pairs): the hand count of those
that are page chrome goes into ``benchmarks/RESULTS.md`` (target <= 5%).
"""

from __future__ import annotations

import argparse
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import polars as pl

from benchmarks.shared_data import shared_folder
from harness.discovery import DiscoverySettings, exact_pairs, find_pairs, shingle_hashes
from harness.wirediff import compare_pairs, diff_texts
from harness.wirediff.model import Kind, Segment

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "experiments" / "styles"
SCRAPE = Path("corpora") / "multi-outlet-small"
MSRP = Path("validation") / "msrp-train" / "msr_paraphrase_train.txt"
SEED = 20250723
PARAGRAPH = " ### "


def load_scrape(folder: Path) -> pl.DataFrame:
    """The articles table (doc_id, outlet, headline, body) of the scraped CSV files."""
    rows = []
    for path in sorted(folder.glob("*.csv")):
        for record in pl.read_csv(path, infer_schema_length=0).iter_rows(named=True):
            parts = [p.strip() for p in str(record["text"] or "").split(PARAGRAPH)]
            rows.append(
                {
                    "doc_id": f"{path.stem}-{record['id']}",
                    "outlet": record["publisher"],
                    "headline": parts[0] if parts else "",
                    "body": "\n\n".join(p for p in parts[1:] if p),
                }
            )
    return pl.DataFrame(rows, schema={"doc_id": pl.String, "outlet": pl.String, "headline": pl.String, "body": pl.String})


def typographic_only(a: str, b: str) -> bool:
    """Do two texts differ only in punctuation, case, spacing (and so compounding)?"""

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())

    return fold(a) == fold(b)


# --------------------------------------------------------------- discovery


@dataclass(frozen=True, slots=True)
class Discovery:
    pairs: pl.DataFrame
    exact: int
    found: int
    recall: float | None


def discover(articles: pl.DataFrame, threshold: float) -> Discovery:
    found = find_pairs(articles, settings=DiscoverySettings(threshold=threshold, cross_outlet=True, seed=SEED))
    ids, outlets = articles["doc_id"].to_list(), articles["outlet"].to_list()
    reference = exact_pairs([shingle_hashes(b) for b in articles["body"].to_list()], threshold=threshold)
    exact = {
        frozenset((ids[a], ids[b])) for a, b in reference.select("a_index", "b_index").iter_rows() if outlets[a] != outlets[b]
    }
    lsh = {frozenset(pair) for pair in found.select("a_doc_id", "b_doc_id").iter_rows()}
    recall = len(lsh & exact) / len(exact) if exact else None
    return Discovery(found, len(exact), len(lsh), recall)


# -------------------------------------------------------------------- diff


@contextmanager
def without_chrome_pass() -> Iterator[None]:
    """The diff as it was before page chrome was recognised (for the "before" column)."""
    with mock.patch("harness.wirediff.diff.mark_chrome", lambda edits, *_, **__: edits):
        yield


def body_edits(articles: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    tables = compare_pairs(articles, pairs.select("a_doc_id", "b_doc_id"), styles_dir=STYLES)
    return tables["edits"].filter(pl.col("segment") == Segment.BODY.value)


def _typo_flags(edits: pl.DataFrame) -> list[bool]:
    return [typographic_only(a, b) for a, b in edits.select("a_text", "b_text").iter_rows()]


@dataclass(frozen=True, slots=True)
class DiffFigures:
    kinds: dict[str, int]
    boilerplate: dict[str, int]
    substantive: int
    typographic: int

    @property
    def typographic_share(self) -> float | None:
        return self.typographic / self.substantive if self.substantive else None


def diff_figures(edits: pl.DataFrame) -> DiffFigures:
    kinds = Counter(edits["kind"].to_list())
    boilerplate = Counter(edits.filter(pl.col("kind") == Kind.BOILERPLATE.value)["category"].to_list())
    substantive = edits.filter(pl.col("kind") == Kind.SUBSTANTIVE.value)
    return DiffFigures(
        kinds={k.value: kinds.get(k.value, 0) for k in Kind},
        boilerplate=dict(sorted(boilerplate.items())),
        substantive=substantive.height,
        typographic=sum(_typo_flags(substantive)),
    )


# -------------------------------------------------------------------- MSRP


@dataclass(frozen=True, slots=True)
class MsrpFigures:
    pairs: int
    with_substantive: int
    with_typographic: int  # pairs with a substantive edit that is punctuation / case / compounding only
    seconds: float


def msrp_figures(path: Path) -> MsrpFigures:
    start = time.perf_counter()
    pairs = with_substantive = with_typographic = 0
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("\t")
        if len(fields) != 5 or not fields[0].strip().isdigit():
            continue
        pairs += 1
        substantive = [e for e in diff_texts(fields[3], fields[4]).edits if e.kind is Kind.SUBSTANTIVE]
        with_substantive += bool(substantive)
        with_typographic += any(typographic_only(e.a_text, e.b_text) for e in substantive)
    return MsrpFigures(pairs, with_substantive, with_typographic, time.perf_counter() - start)


# ------------------------------------------------------------------ output


def _pct(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def markdown(articles: pl.DataFrame, found: Discovery, threshold: float, before: DiffFigures, after: DiffFigures) -> str:
    outlets = articles["outlet"].n_unique()
    recall = "n/a" if found.recall is None else f"{found.recall:.3f}"
    lines = [
        f"Scraped copies: {articles.height} articles from {outlets} outlets (multi-outlet-small); "
        f"cross-outlet pairs at Jaccard >= {threshold}: **{found.found}** found by LSH, {found.exact} by exact "
        f"all-pairs Jaccard of the folded shingles: **recall {recall}** (target >= 0.98).",
        "",
        f"| body edits, {found.found} pairs at >= {threshold} | before (no chrome pass) | after |",
        "|---|---:|---:|",
    ]
    for kind in Kind:
        lines.append(f"| {kind.value} | {before.kinds[kind.value]} | {after.kinds[kind.value]} |")
    lines.append(
        f"| substantive that are punctuation/case/whitespace only (target <= 2%) | "
        f"{before.typographic} ({_pct(before.typographic, before.substantive)}) | "
        f"{after.typographic} ({_pct(after.typographic, after.substantive)}) |"
    )
    for category in sorted(set(before.boilerplate) | set(after.boilerplate)):
        lines.append(f"| boilerplate: {category} | {before.boilerplate.get(category, 0)} | {after.boilerplate.get(category, 0)} |")
    return "\n".join(lines)


def msrp_line(msrp: MsrpFigures) -> str:
    return (
        f"MSRP train: {msrp.pairs} sentence pairs; {msrp.with_substantive} have a substantive edit; "
        f"**{msrp.with_typographic} ({_pct(msrp.with_typographic, msrp.pairs)} of pairs)** have a substantive "
        f"edit that is only punctuation/case/compounding ({msrp.seconds:.0f} s on a shared, loaded machine)."
    )


def _context(text: str, start: int, end: int, width: int = 60) -> str:
    shown = f"{text[max(0, start - width):start]}[{text[start:end]}]{text[end:end + width]}"
    return " ".join(shown.split())


def review_sample(articles: pl.DataFrame, edits: pl.DataFrame, size: int, seed: int) -> list[str]:
    """A fixed-seed random sample of substantive body edits, in context, for a hand count."""
    bodies = dict(zip(articles["doc_id"].to_list(), articles["body"].to_list(), strict=True))
    rows = list(edits.filter(pl.col("kind") == Kind.SUBSTANTIVE.value).iter_rows(named=True))
    chosen = sorted(random.Random(seed).sample(range(len(rows)), min(size, len(rows))))
    out = []
    for number, index in enumerate(chosen, start=1):
        row = rows[index]
        a = _context(bodies[row["a_doc_id"]], row["a_start"], row["a_end"])
        b = _context(bodies[row["b_doc_id"]], row["b_start"], row["b_end"])
        out.append(f"{number:2}. {row['category']} ({row['a_doc_id']} -> {row['b_doc_id']})\n    A: {a[:400]}\n    B: {b[:400]}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.2], help="exact Jaccard of copy pairs")
    parser.add_argument("--sample", type=int, default=30, help="substantive edits to print for the hand count")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the review sample")
    parser.add_argument("--no-review", action="store_true", help="skip the review sample")
    parser.add_argument("--review-before", action="store_true", help="sample the edits of the diff without the chrome pass")
    parser.add_argument("--no-msrp", action="store_true", help="skip the MSRP figures (about half a minute)")
    args = parser.parse_args(argv)

    folder = shared_folder()
    scrape = None if folder is None else folder / SCRAPE
    if folder is None or scrape is None or not scrape.is_dir():
        print("skipped: no ../shared/corpora/multi-outlet-small (set HARNESS_SHARED to the data folder)")
        return
    articles = load_scrape(scrape)
    blocks, edits = [], pl.DataFrame()
    for threshold in sorted(args.thresholds, reverse=True):
        found = discover(articles, threshold)
        with without_chrome_pass():
            old_edits = body_edits(articles, found.pairs)
        edits = body_edits(articles, found.pairs)
        blocks.append(markdown(articles, found, threshold, diff_figures(old_edits), diff_figures(edits)))
        if args.review_before:
            edits = old_edits
    msrp_path = folder / MSRP
    if not args.no_msrp and msrp_path.is_file():
        blocks.append(msrp_line(msrp_figures(msrp_path)))
    print("\n\n".join(blocks))
    if not args.no_review and edits.height:
        which = "without" if args.review_before else "with"
        print(f"\nFor review only (quotes the pages: never commit): {args.sample} substantive body edits {which} "
              f"the chrome pass, seed {args.seed}")
        print("\n".join(review_sample(articles, edits, args.sample, args.seed)))


if __name__ == "__main__":
    main()
