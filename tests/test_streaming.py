"""Corpora larger than memory: read and scored in batches, with the same numbers."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.corpus import iter_article_batches, read_corpus, records
from harness.errors import InputError
from harness.scoring import score_documents
from harness.scoring.stream import score_stream

runner = CliRunner()
WORDS = "the council said prices rose sharply while critics slammed the shocking plan and officials insisted".split()


def _corpus(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 40))).capitalize() + "."
            out.write(json.dumps({"id": f"d{i:04d}", "outlet": f"O{i % 3}", "title": f"T{i}", "text": body}) + "\n")


def test_batches_concatenate_to_the_whole_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 250)
    batches = list(iter_article_batches(corpus, batch_size=100))
    assert [b.height for b in batches] == [100, 100, 50]
    assert pl.concat(batches).equals(read_corpus(corpus))
    parquet = tmp_path / "c.parquet"
    read_corpus(corpus).write_parquet(parquet)
    from_parquet = pl.concat(list(iter_article_batches(parquet, batch_size=64)))
    assert from_parquet.drop("source", "meta").equals(read_corpus(parquet).drop("source", "meta"))
    assert from_parquet["source"].to_list() == read_corpus(parquet)["source"].to_list()


def test_stream_errors_name_the_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 5)
    with corpus.open("a", encoding="utf-8") as out:
        out.write('{"id": "d0001", "text": "A repeated id."}\n')
    with pytest.raises(InputError, match="duplicate doc id 'd0001'") as info:
        list(iter_article_batches(corpus, batch_size=2))
    assert info.value.where == f"{corpus}:6"
    broken = tmp_path / "b.jsonl"
    broken.write_bytes(b'{"text": "fine"}\n{"text": "bad \xff byte"}\n')
    with pytest.raises(InputError, match="invalid UTF-8 on line 2"):
        list(iter_article_batches(broken, batch_size=10))


def test_duplicate_across_batches_names_both_records(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 5)
    with corpus.open("a", encoding="utf-8") as out:
        out.write('{"id": "d0001", "text": "A repeated id."}\n')
    with pytest.raises(InputError) as info:
        list(iter_article_batches(corpus, batch_size=2))  # d0001 is in batch 1, the repeat in batch 3
    assert f"{corpus}:2 and {corpus}:6" in str(info.value)


def test_colliding_id_digests_are_not_duplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Earlier batches keep 8-byte digests: equal digests of different ids must pass."""
    monkeypatch.setattr(records, "_id_digest", lambda doc_id: 42)
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 9)
    batches = list(iter_article_batches(corpus, batch_size=2))
    assert pl.concat(batches)["doc_id"].to_list() == [f"d{i:04d}" for i in range(9)]
    with corpus.open("a", encoding="utf-8") as out:
        out.write('{"id": "d0007", "text": "A repeated id."}\n')
    with pytest.raises(InputError, match="duplicate doc id 'd0007'") as info:
        list(iter_article_batches(corpus, batch_size=2))
    assert f"{corpus}:8 and {corpus}:10" in str(info.value)


def test_streamed_scores_equal_whole_scores(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 120)
    out = tmp_path / "scores.parquet"
    summary = score_stream(corpus, out, fmt="parquet", batch_size=50)
    assert (summary.batches, summary.documents, summary.skipped) == (3, 120, 0)
    whole = score_documents(read_corpus(corpus), workers=1)["documents"]
    assert pl.read_parquet(out).equals(whole)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")] == []


def test_score_command_stream_jsonl(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 30)
    out = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(corpus), "--stream", "--batch-size", "7", "--format", "jsonl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "30 documents scored in 5 batches, 0 skipped" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in rows] == [f"d{i:04d}" for i in range(30)]
    result = runner.invoke(app, ["score", str(corpus), "--stream", "--format", "json"])
    assert result.exit_code == 2
    assert "--stream needs" in result.stderr


# -- issue 11: the last line of a JSON Lines file needs no newline ---------------------
# Editors and `printf` often leave the final newline out; a reader that only takes
# lines ending in "\n" (or cuts the last character off every line) loses or damages
# the last record. Both readers, every line ending, the last record checked whole.

_TWO = ['{"id": "a", "title": "First", "text": "One."}', '{"id": "b", "title": "Last", "text": "Two, \u2028then \u00e9."}']
NO_FINAL_NEWLINE = {
    "lf": "\n".join(_TWO),
    "crlf": "\r\n".join(_TWO),
    "final-cr": "\r\n".join(_TWO) + "\r",
    "blank-line-before-last": _TWO[0] + "\n\n" + _TWO[1],
    "bom-one-record": "\ufeff" + _TWO[1],
    "one-record": _TWO[1],
}


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
@pytest.mark.parametrize("content", list(NO_FINAL_NEWLINE.values()), ids=list(NO_FINAL_NEWLINE))
def test_the_last_record_without_a_final_newline_is_read_whole(tmp_path: Path, content: str, suffix: str) -> None:
    (tmp_path / "without").mkdir()
    (tmp_path / "with").mkdir()
    without = tmp_path / "without" / f"c{suffix}"
    without.write_bytes(content.encode("utf-8"))
    with_newline = tmp_path / "with" / f"c{suffix}"
    with_newline.write_bytes((content.rstrip("\r") + "\n").encode("utf-8"))
    whole = read_corpus(without)
    assert whole.equals(read_corpus(with_newline))
    last = whole.row(-1, named=True)
    lines = content.removeprefix("\ufeff").split("\n")
    assert (last["doc_id"], last["headline"], last["body"]) == ("b", "Last", "Two, \u2028then \u00e9.")
    assert last["source"] == f"c{suffix}:{len(lines)}"
    assert whole["doc_id"].to_list() == ["a", "b"][2 - len([line for line in lines if line.strip()]) :]
    for batch_size in (1, 2, 10):
        assert pl.concat(list(iter_article_batches(without, batch_size=batch_size))).equals(whole)


# -- a full disk while polars writes: one line, not polars' ComputeError ---------------
# Polars reports a failed write (ENOSPC) as a ComputeError naming the OS error; every
# Parquet file the harness writes with polars goes through polars_os_errors.
POLARS_FULL_DISK = "parquet: File out of specification: underlying IO error: No space left on device (os error 28)"


def test_polars_write_failures_are_os_errors(tmp_path: Path) -> None:
    from harness.polars_io import polars_os_errors

    with pytest.raises(OSError) as info, polars_os_errors():
        raise pl.exceptions.ComputeError(POLARS_FULL_DISK)
    assert (info.value.errno, info.value.strerror) == (28, "No space left on device")
    with pytest.raises(pl.exceptions.ComputeError, match="not an I/O"), polars_os_errors():
        raise pl.exceptions.ComputeError("not an I/O failure")  # a bug stays a bug
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full here")
    for write in (lambda: pl.DataFrame({"a": ["x" * 1000] * 20_000}).write_parquet(full),
                  lambda: pl.LazyFrame({"a": ["x" * 1000] * 20_000}).sink_parquet(full)):
        with pytest.raises(OSError) as info, polars_os_errors():
            write()  # the device is written through (a character device is never replaced)
        assert info.value.errno == 28


def test_score_stream_on_a_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "c.jsonl"
    _corpus(corpus, 30)

    def full(*args: object, **kwargs: object) -> None:
        raise pl.exceptions.ComputeError(POLARS_FULL_DISK)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)  # the batches' part files
    out = tmp_path / "scores.parquet"
    result = runner.invoke(app, ["score", str(corpus), "--stream", "--batch-size", "7", "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "could not write scores.parquet: No space left on device" in result.stderr
    assert not out.exists()
