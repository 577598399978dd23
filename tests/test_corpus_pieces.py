"""A Parquet corpus cut into pieces (what Ray's workers read) is the local reader's table.

No Ray here: the pieces are read in this process in order, exactly as the cluster's
tasks read them and the driver checks their ids; the cluster itself is tested in
test_ray_cluster.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.corpus import read_corpus
from harness.corpus.pieces import iter_pieces_locally, parquet_corpus_files, plan_pieces
from harness.errors import InputError
from harness.results.hashing import table_bytes

TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_categories=("Cs",)), min_size=1, max_size=40)


def _write(folder: Path, partitions: list[list[dict[str, object]]], row_group_size: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, rows in enumerate(partitions):
        schema = {"doc_id": pl.String, "outlet": pl.String, "body": pl.String, "views": pl.Int64}
        pl.DataFrame(rows, schema=schema).write_parquet(folder / f"p{number:02d}.parquet", row_group_size=row_group_size)


def _in_pieces(folder: Path, rows: int) -> pl.DataFrame:
    files = parquet_corpus_files(folder)
    assert files is not None
    return pl.concat(list(iter_pieces_locally(plan_pieces(files, rows))), how="vertical")


def _local_error(folder: Path) -> str:
    with pytest.raises(InputError) as info:
        read_corpus(folder)
    return info.value.one_line()


def _pieces_error(folder: Path, rows: int) -> str:
    with pytest.raises(InputError) as info:
        _in_pieces(folder, rows)
    return info.value.one_line()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=4),
    rows=st.integers(min_value=1, max_value=12),
    bodies=st.lists(TEXT.filter(lambda t: t.strip() != ""), min_size=40, max_size=40),
)
def test_pieces_concatenated_are_the_local_table(sizes: list[int], rows: int, bodies: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        start = 0
        partitions = []
        for size in sizes:
            partitions.append(
                [{"doc_id": f"d{i}", "outlet": f"O{i % 3}", "body": bodies[i], "views": i * 7} for i in range(start, start + size)]
            )
            start += size
        _write(folder, partitions)
        local = read_corpus(folder)
        assert local.height == sum(sizes)
        assert table_bytes(_in_pieces(folder, rows)) == table_bytes(local)


@pytest.mark.parametrize("rows", [1, 2, 5])
def test_a_doc_id_repeated_across_pieces_is_the_local_error(tmp_path: Path, rows: int) -> None:
    partitions = [
        [{"doc_id": f"d{i}", "outlet": "O", "body": f"Text {i}.", "views": i} for i in range(4)],
        [{"doc_id": doc_id, "outlet": "O", "body": "More.", "views": 0} for doc_id in ("x1", "d2", "x2", "x2")],
    ]
    _write(tmp_path / "corpus", partitions)
    expected = _local_error(tmp_path / "corpus")
    assert "duplicate doc id 'd2'" in expected and "p00.parquet record 3 and " in expected
    assert _pieces_error(tmp_path / "corpus", rows) == expected


def test_a_repeat_before_a_bad_record_in_one_piece_comes_first(tmp_path: Path) -> None:
    """The local reader meets the repeated id (record 1) before the empty body (record 2)."""
    partitions = [
        [{"doc_id": "a", "outlet": "O", "body": "Text.", "views": 1}],
        [{"doc_id": "a", "outlet": "O", "body": "More.", "views": 1}, {"doc_id": "b", "outlet": "O", "body": " ", "views": 1}],
    ]
    _write(tmp_path / "corpus", partitions)
    expected = _local_error(tmp_path / "corpus")
    assert "duplicate doc id 'a'" in expected
    assert _pieces_error(tmp_path / "corpus", 10) == expected


@pytest.mark.parametrize("rows", [1, 4])
def test_schema_errors_are_the_local_line(tmp_path: Path, rows: int) -> None:
    folder = tmp_path / "corpus"
    _write(folder, [[{"doc_id": f"d{i}", "outlet": "O", "body": "Text.", "views": i} for i in range(6)]] * 1)
    pl.DataFrame({"doc_id": ["z1", "z2"], "outlet": [1.5, 2.5], "body": ["a", "b"]}).write_parquet(folder / "p01.parquet")
    expected = _local_error(folder)
    assert "column `outlet` has type Float64, expected String" in expected
    assert _pieces_error(folder, rows) == expected


def test_only_a_corpus_of_parquet_files_is_cut(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    _write(folder, [[{"doc_id": "d", "outlet": "O", "body": "Text.", "views": 1}]])
    assert parquet_corpus_files(folder) is not None
    (folder / "more.jsonl").write_text('{"body": "x"}\n', encoding="utf-8")
    assert parquet_corpus_files(folder) is None
    assert parquet_corpus_files([folder / "p00.parquet", folder / "more.jsonl"]) is None
