"""Issue 18 gaps: a folder of Parquet partitions streamed locally piece by piece, and
`score --engine ray` (without --stream) reading a Parquet corpus on the workers.

The local stream used to read such a folder whole and cut it into batches; it now
reads the pieces the Ray workers read and cuts them again into the same batches, so
the output bytes and the batch count are those of the whole read.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import harness.corpus.stream as corpus_stream
from harness.corpus import load_corpus, read_corpus
from harness.corpus.columns import column_map
from harness.corpus.stream import iter_article_batches
from harness.errors import InputError
from harness.scoring.stream import score_stream

_BODIES = [
    "The minister said talks would resume next week.",
    "Critics slammed the shocking plan, officials told reporters.",
    "Prices rose sharply after the storm, and the council insisted.",
    "Le conseil municipal a voté le budget hier soir après un long débat sur les écoles, les routes "
    "et les impôts de la ville. Les habitants étaient nombreux dans la salle et plusieurs ont pris "
    "la parole pour critiquer la hausse des taxes.",
]


def _partitions(folder: Path, sizes: list[int], *, outlet: bool = True) -> Path:
    """Partitions named so that sorting is reading order; doc ids unique across them."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for k, size in enumerate(sizes):
        rows = {
            "doc_id": [f"d{n + i}" for i in range(size)],
            "body": [_BODIES[(n + i) % len(_BODIES)] for i in range(size)],
            "section": ["north" if (n + i) % 2 else "south" for i in range(size)],
        }
        if outlet:
            rows["outlet"] = [f"o{(n + i) % 3}" for i in range(size)]
        pl.DataFrame(rows).write_parquet(folder / f"part-{k:03d}.parquet", row_group_size=2)
        n += size
    return folder


def _whole_cut(folder: Path, batch_size: int) -> list[pl.DataFrame]:
    whole = read_corpus(folder)
    return [whole.slice(o, batch_size) for o in range(0, max(whole.height, 1), batch_size)]


def _check_batches_are_the_whole_read_cut(folder: Path, batch_size: int) -> None:
    batches = list(iter_article_batches(folder, batch_size=batch_size))
    expected = _whole_cut(folder, batch_size)
    assert [b.height for b in batches] == [e.height for e in expected]
    for got, want in zip(batches, expected, strict=True):
        assert got.equals(want)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5), batch_size=st.integers(1, 9))
def test_folder_batches_are_the_whole_read_cut(tmp_path_factory: pytest.TempPathFactory, sizes: list[int], batch_size: int) -> None:
    _check_batches_are_the_whole_read_cut(_partitions(tmp_path_factory.mktemp("corpus"), sizes), batch_size)


def test_a_parquet_folder_is_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _partitions(tmp_path / "corpus", [3, 4, 2])

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("the folder was read whole")

    monkeypatch.setattr(corpus_stream, "load_corpus", whole)
    assert sum(b.height for b in iter_article_batches(folder, batch_size=4)) == 9


def _old_way(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stream as it was: every folder read whole (the partitioned path turned off)."""
    with monkeypatch.context() as patch:
        patch.setattr(corpus_stream, "_parquet_folder", lambda *args: None)
        yield


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize("batch_size", [1, 3, 100])
def test_streamed_folder_output_bytes_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, batch_size: int) -> None:
    folder = _partitions(tmp_path / "corpus", [2, 5, 1, 4])
    skipped_new: list[str] = []
    skipped_old: list[str] = []
    new = score_stream(
        folder, tmp_path / f"new.{fmt}", fmt=fmt, batch_size=batch_size, suite="core",  # type: ignore[arg-type]
        on_skip=lambda row: skipped_new.append(row["doc_id"]),
    )
    for _ in _old_way(monkeypatch):
        old = score_stream(
            folder, tmp_path / f"old.{fmt}", fmt=fmt, batch_size=batch_size, suite="core",  # type: ignore[arg-type]
            on_skip=lambda row: skipped_old.append(row["doc_id"]),
        )
    assert (tmp_path / f"new.{fmt}").read_bytes() == (tmp_path / f"old.{fmt}").read_bytes()
    assert new == old  # batches, documents, skipped: the progress line's counts too
    assert new.batches == -(-12 // batch_size) and new.documents + new.skipped == 12
    assert skipped_new == skipped_old and skipped_new  # the French bodies, in order


def test_duplicate_across_partitions_is_the_whole_read_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _partitions(tmp_path / "corpus", [3, 3])
    pl.DataFrame({"doc_id": ["x", "d1"], "body": ["One more story.", "Again."]}).write_parquet(folder / "part-009.parquet")
    with pytest.raises(InputError) as new:
        list(iter_article_batches(folder, batch_size=2))
    with pytest.raises(InputError) as whole:
        read_corpus(folder)
    assert new.value.one_line() == whole.value.one_line()
    assert "duplicate doc id 'd1'" in new.value.one_line()


@pytest.mark.parametrize("mapping", [{"outlet": "publisher"}, {"body": "text"}])
def test_a_missing_mapped_column_is_the_whole_read_error(tmp_path: Path, mapping: dict[str, str]) -> None:
    folder = _partitions(tmp_path / "corpus", [2, 3])
    columns = column_map(mapping)
    with pytest.raises(InputError) as new:
        list(iter_article_batches(folder, batch_size=2, columns=columns))
    with pytest.raises(InputError) as whole:
        read_corpus(folder, columns=columns)
    assert new.value.one_line() == whole.value.one_line()


def test_outlet_warning_judged_on_the_first_batch(tmp_path: Path) -> None:
    folder = _partitions(tmp_path / "corpus", [2, 3], outlet=False)
    heard: list[str] = []
    list(iter_article_batches(folder, batch_size=2, on_warning=heard.append))
    assert len(heard) == 1
    assert heard[0].startswith(f"{folder}: no column names the articles' outlet")
    assert "column `section`" in heard[0]
    assert heard == list(load_corpus(folder).warnings)  # the whole read's line, here


needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="the ray extra is not installed")


@needs_ray
def test_score_on_ray_reads_a_parquet_corpus_on_the_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --stream the scores are gathered here, but the corpus is read by the
    workers (the pieces of `run --engine ray`): the driver's own reader is never called."""
    from harness.cli import app

    cli_module = sys.modules["harness.cli.app"]  # the package's `app` is the Typer app

    folder = _partitions(tmp_path / "corpus", [3, 2, 4])
    runner = CliRunner()
    local = runner.invoke(app, ["score", str(folder), "-f", "jsonl", "-o", str(tmp_path / "local.jsonl")])
    assert local.exit_code == 0, local.output

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("the driver read the corpus")

    monkeypatch.setattr(cli_module, "load_corpus", whole)
    monkeypatch.setattr("harness.engines.ray_engine.load_corpus", whole)
    on_ray = runner.invoke(app, ["score", str(folder), "-f", "jsonl", "-o", str(tmp_path / "ray.jsonl"), "--engine", "ray"])
    assert on_ray.exit_code == 0, on_ray.output
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert local.stderr.count("not scored") == on_ray.stderr.count("not scored") == 2  # the French bodies


# A folder of JSON Lines files (Parquet files among them or not) is read file after
# file: the batches, and the errors of a duplicate, an empty file or a missing mapped
# column, are those of the whole read.


def _shards(folder: Path, sizes: list[int], *, parquet_at: int | None = None, outlet: bool = True) -> Path:
    """JSON Lines shards (one of them Parquet when ``parquet_at``), in reading order."""
    _partitions(folder, sizes, outlet=outlet)
    for k, part in enumerate(sorted(folder.glob("part-*.parquet"))):
        if k != parquet_at:
            pl.read_parquet(part).write_ndjson(folder / f"{part.stem}.jsonl")
            part.unlink()
    return folder


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5), batch_size=st.integers(1, 9),
    parquet_at=st.none() | st.integers(0, 4),
)
def test_shard_batches_are_the_whole_read_cut(
    tmp_path_factory: pytest.TempPathFactory, sizes: list[int], batch_size: int, parquet_at: int | None
) -> None:
    _check_batches_are_the_whole_read_cut(_shards(tmp_path_factory.mktemp("corpus"), sizes, parquet_at=parquet_at), batch_size)


def test_a_folder_of_shards_is_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _shards(tmp_path / "corpus", [3, 4, 2], parquet_at=1)

    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("the folder was read whole")

    monkeypatch.setattr(corpus_stream, "load_corpus", whole)
    assert sum(b.height for b in iter_article_batches(folder, batch_size=4)) == 9
    assert corpus_stream.streamed_bytes(folder) == sum(p.stat().st_size for p in folder.iterdir())
    (folder / "notes.csv").write_text("doc_id,body\nz,Text.\n", encoding="utf-8")
    assert corpus_stream.streamed_bytes(folder) is None  # a CSV file: read whole, then cut


def _same_error_both_ways(folder: Path, batch_size: int, **options: object) -> str:
    with pytest.raises(InputError) as streamed:
        list(iter_article_batches(folder, batch_size=batch_size, **options))  # type: ignore[arg-type]
    with pytest.raises(InputError) as whole:
        read_corpus(folder, **options)  # type: ignore[arg-type]
    assert streamed.value.one_line() == whole.value.one_line()
    return streamed.value.one_line()


def test_shard_errors_are_the_whole_read_errors(tmp_path: Path) -> None:
    folder = _shards(tmp_path / "dup", [3, 3])
    (folder / "part-009.jsonl").write_text('{"doc_id": "x", "body": "More."}\n{"doc_id": "d1", "body": "Again."}\n')
    line = _same_error_both_ways(folder, 2)
    assert "duplicate doc id 'd1'" in line and "part-000.jsonl:2" in line and "part-009.jsonl:2" in line
    empty = _shards(tmp_path / "empty", [2, 2])
    (empty / "part-001.jsonl").write_text("\n", encoding="utf-8")
    assert "part-001.jsonl" in _same_error_both_ways(empty, 3)
    for mapping in ({"outlet": "publisher"}, {"body": "text"}):
        _same_error_both_ways(_shards(tmp_path / f"map-{len(mapping)}-{next(iter(mapping))}", [2, 3]), 2, columns=column_map(mapping))


def test_shards_outlet_warning_is_the_first_batch_s(tmp_path: Path) -> None:
    folder = _shards(tmp_path / "corpus", [2, 3], outlet=False)
    heard: list[str] = []
    list(iter_article_batches(folder, batch_size=2, on_warning=heard.append))
    assert heard == list(load_corpus(folder).warnings) and len(heard) == 1
