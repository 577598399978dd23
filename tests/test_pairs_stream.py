"""`harness pairs` on a large corpus: read in batches, spilled to Parquet, the same pairs.

A corpus file of ``STREAM_FROM_BYTES`` or more is never held whole (1M synthetic
articles took 4.5 GB that way): its batches are written to a temporary folder that
discovery reads lazily. Here the limit is lowered so that small corpora take that
path, and everything the command prints and writes is held against reading whole.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import harness.cli.pairs as pairs_cli
from harness.cli import app
from harness.corpus import read_corpus, spill_corpus
from harness.corpus.stream import SpillError, streamed_bytes
from harness.discovery.defaults import DISCOVERY_COLUMNS
from harness.discovery.synthetic import synthetic_corpus
from harness.errors import InputError
from tests.test_streaming import POLARS_FULL_DISK

runner = CliRunner()
OUTLETS = ["Reuters", "The Guardian", "AP", "Daily Mail", "unknown"]


def _articles(count: int = 400) -> pl.DataFrame:
    """Planted copies among distinct articles, with outlets (agencies among them) and
    some publication times: every way discovery orients a pair."""
    articles = synthetic_corpus(count, seed=11, copy_share=0.2, min_words=60, max_words=120).articles
    published = [None if i % 3 == 0 else f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z" for i in range(articles.height)]
    return articles.with_columns(
        outlet=pl.Series([OUTLETS[i % len(OUTLETS)] for i in range(articles.height)]),
        published=pl.Series(published, dtype=pl.String),
    ).select("doc_id", "outlet", "headline", "body", "published")


def _write(articles: pl.DataFrame, path: Path) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(row) + "\n" for row in articles.iter_rows(named=True)), encoding="utf-8")
    elif path.suffix == ".parquet":
        articles.write_parquet(path, row_group_size=64)
    else:  # a folder: Parquet partitions ("parts"), or JSON Lines shards and a Parquet file
        path.mkdir()
        for part in range(3):
            shard = articles.slice(part * 150, 150)
            if path.name == "parts" or part == 1:
                shard.write_parquet(path / f"part-{part}.parquet")
            else:
                _write(shard, path / f"part-{part}.jsonl")
    return path


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON Lines or Parquet corpus is read in batches."""
    monkeypatch.setattr(pairs_cli, "STREAM_FROM_BYTES", 0)


@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.parquet", "parts", "shards"])
def test_a_streamed_corpus_gives_the_same_pairs_and_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    corpus = _write(_articles(), tmp_path / name)
    whole = [runner.invoke(app, ["pairs", str(corpus), *extra]) for extra in ([], ["--cross-outlet"])]
    monkeypatch.setattr(pairs_cli, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(pairs_cli, "load_corpus", _refuse)  # a streamed corpus is never read whole
    batched = [runner.invoke(app, ["pairs", str(corpus), *extra]) for extra in ([], ["--cross-outlet"])]
    for one, other in zip(whole, batched, strict=True):
        assert (one.exit_code, other.exit_code) == (0, 0), (one.output, other.output)
        assert one.stdout == other.stdout
        assert one.stderr.split(" in ")[0] == other.stderr.split(" in ")[0]  # the summary, not the time
    found = json.loads(batched[0].stdout)
    assert len(found) > 40 and len(json.loads(batched[1].stdout)) < len(found)
    assert {(row["a_outlet"], row["b_outlet"]) for row in found} >= {("Reuters", "The Guardian")}


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the corpus was read whole")


def test_a_streamed_corpus_writes_the_same_parquet_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _write(_articles(), tmp_path / "corpus.parquet")
    outputs = tmp_path / "whole.parquet", tmp_path / "streamed.parquet"
    assert runner.invoke(app, ["pairs", str(corpus), "-o", str(outputs[0])]).exit_code == 0
    monkeypatch.setattr(pairs_cli, "STREAM_FROM_BYTES", 0)
    assert runner.invoke(app, ["pairs", str(corpus), "-o", str(outputs[1])]).exit_code == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()


def test_the_temporary_folder_goes_with_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: None) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    corpus = _write(_articles(), tmp_path / "corpus.jsonl")
    assert runner.invoke(app, ["pairs", str(corpus)]).exit_code == 0
    assert list(temporary.iterdir()) == []
    with corpus.open("a", encoding="utf-8") as out:  # a bad record after many good batches
        out.write('{"doc_id": "late", "body": \n')
    failed = runner.invoke(app, ["pairs", str(corpus)])
    assert failed.exit_code == 2 and failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and f"{corpus}:401" in failed.stderr
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize(
    "failure",
    [OSError(errno.ENOSPC, "No space left on device"), pl.exceptions.ComputeError(POLARS_FULL_DISK)],
    ids=["OSError", "polars"],
)
def test_no_room_for_the_batches_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: None, failure: Exception
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise failure  # as Python reports it, or as polars does

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)  # the batches' files, not the corpus
    corpus = _write(_articles(40), tmp_path / "corpus.jsonl")
    failed = runner.invoke(app, ["pairs", str(corpus), "-o", str(tmp_path / "pairs.json")])
    assert failed.exit_code == 2 and failed.stdout == ""
    assert failed.stderr.startswith("error: ") and failed.stderr.count("\n") == 1
    assert "harness-pairs-" in failed.stderr and "cannot write the corpus's batches: No space left on device" in failed.stderr
    assert "(set TMPDIR to a folder with free space" in failed.stderr
    assert not (tmp_path / "pairs.json").exists()
    with pytest.raises(SpillError, match="No space left on device") as info:  # the library's own line
        spill_corpus(corpus, tmp_path)
    assert info.value.where == str(tmp_path) and "TMPDIR" not in info.value.one_line()


def test_which_corpora_are_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = _articles(40)
    jsonl, parquet, parts = (_write(articles, tmp_path / name) for name in ("c.jsonl", "c.parquet", "parts"))
    csv = tmp_path / "c.csv"
    articles.write_csv(csv)
    assert streamed_bytes(jsonl) == jsonl.stat().st_size and streamed_bytes(parquet) == parquet.stat().st_size
    assert streamed_bytes(parts) == sum(p.stat().st_size for p in parts.iterdir())
    assert streamed_bytes(csv) is None and streamed_bytes(tmp_path / "missing.jsonl") is None
    shards = tmp_path / "shards"  # JSON Lines and Parquet files: read file after file
    shards.mkdir()
    (shards / "a.parquet").write_bytes(parquet.read_bytes())
    (shards / "b.jsonl").write_text(jsonl.read_text(encoding="utf-8").replace('"doc_id": "', '"doc_id": "b'), encoding="utf-8")
    assert streamed_bytes(shards) == parquet.stat().st_size + (shards / "b.jsonl").stat().st_size
    (shards / "c.csv").write_bytes(csv.read_bytes())
    assert streamed_bytes(shards) is None  # read whole, then cut: nothing to gain

    streams = pairs_cli.streams
    assert streams([jsonl], "error", None) is None  # small: read whole
    monkeypatch.setattr(pairs_cli, "STREAM_FROM_BYTES", jsonl.stat().st_size)
    assert streams([jsonl], "error", None) == jsonl and streams([jsonl], "error", "local") == jsonl
    assert streams([parquet], "error", None) is None  # below the limit
    assert streams([jsonl], "replace", None) is None  # a stream cannot repair invalid bytes
    assert streams([jsonl], "error", "ray") is None  # Ray takes its slices from a table in memory
    assert streams([jsonl, parquet], "error", None) is None and streams([Path("-")], "error", None) is None
    assert streams([csv], "error", None) is None


def test_a_spilled_corpus_reads_as_the_corpus(tmp_path: Path) -> None:
    corpus = _write(_articles(), tmp_path / "corpus.jsonl")
    folder = tmp_path / "spill"
    folder.mkdir()
    table, height = spill_corpus(corpus, folder, batch_size=128, select=DISCOVERY_COLUMNS)
    whole = read_corpus(corpus)
    assert height == whole.height == 400
    assert table.collect().equals(whole.select(DISCOVERY_COLUMNS))
    assert sorted(p.name for p in folder.iterdir()) == [f"batch-{k:07d}.parquet" for k in range(4)]
    again = tmp_path / "again"
    again.mkdir()
    everything, _ = spill_corpus(corpus, again, batch_size=1000)
    assert everything.collect().equals(whole)
    with corpus.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"doc_id": whole["doc_id"][5], "body": "again"}) + "\n")
    with pytest.raises(InputError, match="duplicate doc id") as info:
        spill_corpus(corpus, folder, batch_size=128)
    assert info.value.where == f"{corpus}:401"
