"""The benchmarks' own machinery: the synthetic corpus is deterministic, the value check works."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from benchmarks.bench_score import check_core_values, synthetic_articles
from benchmarks.synthetic_news import synthetic_batches, write_corpus


def test_synthetic_news_is_deterministic_and_prefix_stable() -> None:
    small = pl.concat(list(synthetic_batches(40)))
    again = pl.concat(list(synthetic_batches(40)))
    larger = pl.concat(list(synthetic_batches(90)))
    assert small.equals(again)
    assert larger.head(40).equals(small)
    assert small["doc_id"].n_unique() == 40
    words = small["text"].str.split(" ").list.len()
    assert 150 < words.mean() < 500  # type: ignore[operator]
    # Invented names make the vocabulary grow with the corpus.
    leads = small["text"].str.split("\n").list.first()
    assert leads.n_unique() == 40


def test_written_corpus_is_readable_parquet(tmp_path: Path) -> None:
    path = write_corpus(25, tmp_path / "c.parquet")
    frame = pl.read_parquet(path)
    assert frame.columns == ["doc_id", "outlet", "title", "text"]
    assert frame.equals(pl.concat(list(synthetic_batches(25))))
    assert not list(tmp_path.glob(".*"))  # the part files are gone


def test_benchmark_value_check_finds_no_difference() -> None:
    readability_gap, sentiment_gap = check_core_values(synthetic_articles(12))
    assert (readability_gap, sentiment_gap) == (0.0, 0.0)
