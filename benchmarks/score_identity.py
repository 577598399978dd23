"""Digest every table of the full scorecard on a fixed corpus, to check that a speed-up changes none.

    HARNESS_SHARED=/work/shared python -m benchmarks.score_identity OUT_DIR

Run it once with the old code and once with the new one (``PYTHONPATH`` pointing at
each checkout) and compare the digests it prints (or the Parquet files it writes to
``OUT_DIR``: ``cmp`` them file by file). The corpus, in order: the 2,225 BBC News
articles (skipped, and said so, without ``../shared``), 150 generated ``news_sample``
articles and the seed page's articles. ``score_documents(workers=1)`` scores it twice:
with every table, and with ``tables=("documents",)`` (what ``harness score`` asks for).
Each table is written to Parquet (no statistics: bytes that depend only on the values)
and digested; the last line is one sha256 over every table's digest, in order.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import polars as pl

from benchmarks.news_sample import news_sample
from benchmarks.shared_data import bbc_corpus
from harness.corpus import load_corpus
from harness.scoring.score import score_documents

ROOT = Path(__file__).resolve().parent.parent
NEWS_SAMPLE = 150
_COLUMNS = ("doc_id", "outlet", "headline", "body")


def corpus() -> pl.DataFrame:
    parts = []
    if bbc_corpus() is not None:
        from benchmarks.bench_score import bbc_articles

        parts.append(bbc_articles(100_000))
        print(f"bbc-news: {parts[-1].height} articles")
    else:
        print("bbc-news: skipped (no data)")
    parts.append(news_sample(NEWS_SAMPLE))
    seeds = load_corpus(ROOT / "seeds").articles
    parts.append(seeds.select(_COLUMNS))
    print(f"news_sample: {NEWS_SAMPLE} articles, seeds: {seeds.height} articles")
    return pl.concat([part.select(_COLUMNS).cast({c: pl.String for c in _COLUMNS}) for part in parts])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder for the Parquet files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    articles = corpus()
    runs = {"all": score_documents(articles, workers=1), "documents_only": score_documents(
        articles, workers=1, tables=("documents",))}
    whole = hashlib.sha256()
    for run, tables in runs.items():
        for name in sorted(tables):
            path = args.out / f"{run}.{name}.parquet"
            tables[name].write_parquet(path, statistics=False)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            whole.update(f"{run}.{name} {digest}\n".encode())
            print(f"{run}.{name}: {tables[name].height} rows x {tables[name].width} columns, sha256 {digest[:16]}")
    print(f"sha256 {whole.hexdigest()}")


if __name__ == "__main__":
    main()
