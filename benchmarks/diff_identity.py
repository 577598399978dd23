"""Dump every edit of a fixed set of comparisons, to check that a speed-up changes none.

    python -m benchmarks.diff_identity OUT.jsonl [--pairs 100]

Run it once with the old code and once with the new one (``PYTHONPATH`` pointing
at each checkout) and compare the files (``cmp old.jsonl new.jsonl``; the script
prints a digest of its output too). Each line is one comparison: its source, its
number and ``harness.wirediff.to_json`` of the result (every edit field, sub-edits
included), or one row of the ``wire_diff`` step's tables (``parent_edit`` included),
or a digest of one prepared text (tokens, keys, sentences, flags, shingles).

Comparisons, in order (sections whose data is absent are skipped, and say so):

* ``bench_diff``: the benchmark's BBC pairs (synthetic without the corpus), both
  orientations, without style sheets and with the Reuters / Guardian sheets;
* ``synthetic``: the benchmark's seeded synthetic pairs;
* ``seed``: every ordered pair of outlets on the seed page, headline and body, with
  each outlet's sheet;
* ``scrape``: the ``wire_diff`` step (``compare_pairs``, furniture learned) on the
  cross-outlet pairs of ``multi-outlet-small`` at Jaccard 0.2, plus seeded random
  body pairs through ``diff_texts``;
* ``msrp``: the first ``--msrp`` sentence pairs of MSRP (short texts, odd edges).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.bench_diff import STYLES, make_pairs
from benchmarks.shared_data import shared_folder
from harness.wirediff import diff_articles, diff_texts, load_style, prepare, to_json

SEED = 20250723


def _prepared_digest(text: str) -> str:
    p = prepare(text)
    # Word positions read as ints: before 2026-12-05 the first one after a word was True
    # (accumulate's first item is the flag itself), a repr this digest would tell apart.
    fields = (p.tokens, p.starts, p.ends, p.is_word, p.keys, p.units, p.sentences, p.boilerplate, p.sentence_keys,
              p.flags, tuple(map(int, p.words_before)), p.folded_words, sorted(p.word_types), sorted(p.shingles))
    return hashlib.sha256(repr(fields).encode()).hexdigest()


def _bench_pairs(count: int, synthetic: bool) -> Iterator[dict[str, Any]]:
    _, pairs = make_pairs(count, synthetic)
    sheets = load_style("Reuters", STYLES), load_style("The Guardian", STYLES)
    for number, (a, b) in enumerate(pairs):
        yield {"n": number, "prepared": [_prepared_digest(a), _prepared_digest(b)]}
        yield {"n": number, "plain": to_json(diff_texts(a, b))}
        yield {"n": number, "swapped": to_json(diff_texts(b, a))}
        yield {"n": number, "styled": to_json(diff_texts(a, b, a_style=sheets[0], b_style=sheets[1]))}


def _seed() -> Iterator[dict[str, Any]]:
    from tests.test_wirediff_seed import SEED as PAGE
    from tests.test_wirediff_seed import load_seed_articles

    articles = load_seed_articles(PAGE)
    for a_name, (a_head, a_body) in sorted(articles.items()):
        for b_name, (b_head, b_body) in sorted(articles.items()):
            if a_name == b_name:
                continue
            result = diff_articles(a_head, a_body, b_head, b_body, a_style=load_style(a_name, STYLES),
                                   b_style=load_style(b_name, STYLES))
            yield {"a": a_name, "b": b_name, "result": to_json(result)}


def _scrape(folder: Path) -> Iterator[dict[str, Any]]:
    from benchmarks.bench_webdiff import discover, load_scrape
    from harness.wirediff import compare_pairs

    articles = load_scrape(folder)
    found = discover(articles, 0.2)
    tables = compare_pairs(articles, found.pairs.select("a_doc_id", "b_doc_id"), styles_dir=STYLES)
    for name in sorted(tables):
        for row in tables[name].iter_rows(named=True):
            yield {"table": name, "row": row}
    bodies = articles["body"].to_list()
    for body in bodies:
        yield {"prepared": _prepared_digest(body)}
    rng = random.Random(SEED)
    for number in range(100):
        a, b = rng.sample(bodies, 2)
        yield {"n": number, "random_pair": to_json(diff_texts(a, b))}


def _msrp(path: Path, limit: int) -> Iterator[dict[str, Any]]:
    count = 0
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("\t")
        if len(fields) != 5 or not fields[0].strip().isdigit():
            continue
        yield {"n": count, "result": to_json(diff_texts(fields[3], fields[4]))}
        count += 1
        if count == limit:
            break


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pairs", type=int, default=100, help="benchmark pairs")
    parser.add_argument("--msrp", type=int, default=1000, help="MSRP sentence pairs")
    args = parser.parse_args(argv)
    folder = shared_folder()
    sections: list[tuple[str, Iterator[dict[str, Any]] | None]] = [
        ("bench_diff", _bench_pairs(args.pairs, synthetic=False)),
        ("synthetic", _bench_pairs(30, synthetic=True)),
        ("seed", _seed()),
    ]
    scrape = None if folder is None else folder / "corpora" / "multi-outlet-small"
    sections.append(("scrape", _scrape(scrape) if scrape is not None and scrape.is_dir() else None))
    msrp = None if folder is None else folder / "validation" / "msrp-train" / "msr_paraphrase_train.txt"
    sections.append(("msrp", _msrp(msrp, args.msrp) if msrp is not None and msrp.is_file() else None))
    digest = hashlib.sha256()
    with args.out.open("w", encoding="utf-8") as handle:
        for name, lines in sections:
            if lines is None:
                print(f"{name}: skipped (no data)")
                continue
            count = 0
            for record in lines:
                line = json.dumps({"section": name, **record}, ensure_ascii=False, sort_keys=True, default=str) + "\n"
                handle.write(line)
                digest.update(line.encode())
                count += 1
            print(f"{name}: {count} lines")
    print(f"sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
