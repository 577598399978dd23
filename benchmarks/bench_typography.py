"""Typography on development data (issue 13, deliverable 3): what stays substantive.

    python -m benchmarks.bench_typography [--threshold 0.5]

Two figures, read from ``../shared`` (``HARNESS_SHARED``; nothing is printed
without it, and nothing from the data is stored):

* ``multi-outlet-small``: articles split into headline and body (" ### "
  separates paragraphs), cross-outlet copy pairs found by
  :func:`harness.discovery.find_pairs` at ``--threshold``, each pair diffed with
  generic rules. Reported: substantive edits (reorders aside), how many of them
  differ only in punctuation, case or whitespace, and how many explanations
  contradict their kind ("punctuation added/left out", "0 words → 0 words");
* ``msrp-train``: every sentence pair diffed; the edits the typography rules
  made style, per rule id.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from pathlib import Path

from benchmarks.shared_data import shared_file
from harness.wirediff import Kind, diff_articles, diff_texts

MULTI = ("corpora/multi-outlet-small/census_articles.csv", "corpora/multi-outlet-small/spotify_articles.csv")
MSRP = "validation/msrp-train/msr_paraphrase_train.txt"
TYPOGRAPHY_RULES = ("typography.", "compounding.", "scare_quotes.", "quote_style.glyphs", "quote_style.unpaired")


def _trivial(a_text: str, b_text: str) -> bool:
    """Equal once punctuation, spacing and case are set aside."""
    def norm(text: str) -> str:
        return re.sub(r"[^\w]|_", "", text).casefold()

    return norm(a_text) == norm(b_text)


def multi_outlet(threshold: float) -> None:
    import polars as pl

    from harness.discovery.pairs import DiscoverySettings, find_pairs

    rows = []
    csv.field_size_limit(1 << 30)
    for name in MULTI:
        path = shared_file(Path(name))
        if path is None:
            print(f"multi-outlet-small: {name} not found (set HARNESS_SHARED)")
            return
        with path.open(encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                parts = record["text"].split(" ### ")
                rows.append(
                    {"doc_id": f"{path.stem[:3]}{record['id']}", "outlet": record["publisher"],
                     "headline": parts[0], "body": "\n".join(parts[1:])}
                )
    articles = pl.DataFrame(rows)
    pairs = find_pairs(articles, settings=DiscoverySettings(threshold=threshold, cross_outlet=True))
    by_id = {r["doc_id"]: r for r in rows}
    substantive = trivial = contradicting = 0
    for a_id, b_id in pairs.select("a_doc_id", "b_doc_id").iter_rows():
        a, b = by_id[a_id], by_id[b_id]
        for edit in diff_articles(a["headline"], a["body"], b["headline"], b["body"]).edits:
            if edit.kind is not Kind.SUBSTANTIVE or edit.category.value == "reorder":
                continue
            substantive += 1
            trivial += _trivial(edit.a_text, edit.b_text)
            contradicting += "punctuation" in edit.explanation or "0 words → 0 words" in edit.explanation
    share = trivial / substantive if substantive else 0.0
    print(
        f"multi-outlet-small, {pairs.height} cross-outlet pairs (Jaccard >= {threshold}): {substantive} substantive "
        f"edits, {trivial} punctuation/case/whitespace-only ({share:.1%}), {contradicting} contradicting explanations"
    )


def msrp() -> None:
    path = shared_file(Path(MSRP))
    if path is None:
        print("msrp-train: not found (set HARNESS_SHARED)")
        return
    rules: Counter[str] = Counter()
    pairs = 0
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            _, _, _, first, second = line.rstrip("\n").split("\t")
            pairs += 1
            rules.update(e.rule for e in diff_texts(first, second).edits if e.rule.startswith(TYPOGRAPHY_RULES))
    print(f"msrp-train, {pairs} pairs: typography edits now style: {sum(rules.values())}")
    for rule, count in sorted(rules.items()):
        print(f"  {rule:<24} {count}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, default=0.5, help="discovery Jaccard threshold (default 0.5)")
    args = parser.parse_args(argv)
    multi_outlet(args.threshold)
    msrp()


if __name__ == "__main__":
    main()
