"""Slices scored wholly by the workers (issue 16): language check, tables and output bytes.

``score_slices`` moves all per-article work of ``harness score`` off the parent process:
each piece of a slice has its language checked, its tables built and its JSON Lines
encoded where it is scored. Everything here is compared with the way it was done
before: ``split_by_language`` on the whole corpus, then ``score_documents``, then
``printable_jsonl_bytes`` of the whole documents table.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from benchmarks.multilingual import generated_texts
from harness.cli import app
from harness.cli.jsonlines import printable_jsonl_bytes
from harness.scoring import score as score_module
from harness.scoring.score import ScoredSlice, score_documents, score_slices
from harness.text.language import SKIPPED_SCHEMA, split_by_language

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_bed8e93c8511a76b.txt"
runner = CliRunner()


def english_bodies() -> list[str]:
    seed = [line for line in SEED.read_text(encoding="utf-8").split("\n") if len(line.split()) > 8]
    return [*seed, 'He said: "it is a witch-hunt". Officials claimed it was bizarre.', "", "'Yes,' she told reporters."]


def mixed_articles() -> pl.DataFrame:
    """English bodies with generated French, German, Spanish... texts and mixtures between them."""
    foreign = [text for _, text in generated_texts(40)]
    bodies = [body for pair in zip(english_bodies() * 3, foreign, strict=False) for body in pair]
    return pl.DataFrame(
        {
            "doc_id": [f"d{k:03d}" for k in range(len(bodies))],
            "outlet": [None if k % 7 == 0 else f"outlet{k % 3}" for k in range(len(bodies))],
            "headline": [f"Headline number {k}" for k in range(len(bodies))],
            "body": bodies,
        },
        schema={"doc_id": pl.String, "outlet": pl.String, "headline": pl.String, "body": pl.String},
    )


def reference(frame: pl.DataFrame, tables: tuple[str, ...]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    english, skipped = split_by_language(frame.with_columns(pl.col("outlet").fill_null("unknown")))
    return score_documents(english, workers=1, tables=tables), skipped


def joined(slices: list[ScoredSlice]) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, bytes]:
    tables = {name: pl.concat([part.tables[name] for part in slices]) for name in slices[0].tables}
    skipped = pl.concat([part.skipped for part in slices])
    return tables, skipped, b"".join(part.encoded or b"" for part in slices)


def test_slices_with_the_language_check_equal_splitting_first_then_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Also with slices cut into several pieces (SLICE_BATCH_DOCS): the pieces' rows and bytes join."""
    frame = mixed_articles()
    expected, expected_skipped = reference(frame, ("documents", "hits"))
    assert 0 < expected_skipped.height < frame.height  # the check really drops some, keeps most
    for piece_size in (512, 3):
        monkeypatch.setattr(score_module, "SLICE_BATCH_DOCS", piece_size)
        slices = list(
            score_slices(frame, 10, workers=1, tables=("documents", "hits"), english_only=True, encode=printable_jsonl_bytes)
        )
        assert len(slices) == -(-frame.height // 10)
        tables, skipped, encoded = joined(slices)
        assert skipped.equals(expected_skipped)
        for name in ("documents", "hits"):
            assert tables[name].equals(expected[name]), (piece_size, name)
        assert encoded == printable_jsonl_bytes(expected["documents"])
        assert [json.loads(line)["doc_id"] for line in encoded.decode().splitlines()] == expected["documents"][
            "doc_id"
        ].to_list()


def test_without_the_language_check_every_article_is_scored_and_nothing_encoded() -> None:
    frame = mixed_articles().head(12)
    slices = list(score_slices(frame, 5, workers=1))
    tables, skipped, _ = joined(slices)
    assert skipped.height == 0 and skipped.schema == pl.Schema(SKIPPED_SCHEMA)
    assert all(part.encoded is None for part in slices)
    whole = score_documents(frame, workers=1)
    assert list(tables) == list(whole)
    for name, table in whole.items():
        assert tables[name].equals(table), name


def test_a_corpus_with_no_english_article_or_no_article_gives_empty_tables() -> None:
    skipped_ids = reference(mixed_articles(), ("documents",))[1]["doc_id"].implode()
    foreign = mixed_articles().filter(pl.col("doc_id").is_in(skipped_ids))
    for frame in (foreign, foreign.head(0)):
        slices = list(score_slices(frame, 4, workers=1, english_only=True, tables=("documents",), encode=printable_jsonl_bytes))
        tables, skipped, encoded = joined(slices)
        assert tables["documents"].height == 0
        assert tables["documents"].schema == score_documents(frame.head(0), workers=1, tables=("documents",))["documents"].schema
        assert skipped["doc_id"].to_list() == foreign["doc_id"].to_list()[: frame.height]
        assert encoded == b""


def test_slices_in_worker_processes_equal_slices_here() -> None:
    from harness.scoring.batch import shutdown_workers

    frame = mixed_articles()
    options = {"tables": ("documents",), "english_only": True, "encode": printable_jsonl_bytes}
    here = list(score_slices(frame, 7, workers=1, **options))  # type: ignore[arg-type]
    try:
        there = list(score_slices(frame, 7, workers=2, **options))  # type: ignore[arg-type]
    finally:
        shutdown_workers()
    assert len(here) == len(there)
    for mine, theirs in zip(here, there, strict=True):
        assert mine.tables["documents"].equals(theirs.tables["documents"])
        assert mine.skipped.equals(theirs.skipped)
        assert mine.encoded == theirs.encoded


def test_the_closing_line_counts_the_articles_scored_after_the_skip_warnings(tmp_path: Path) -> None:
    frame = mixed_articles().filter(pl.col("body") != "")  # a corpus file refuses an empty body
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": r["doc_id"], "title": r["headline"], "text": r["body"]}) + "\n" for r in frame.iter_rows(named=True)),
        encoding="utf-8",
    )
    _, skipped = reference(frame, ("documents",))
    done = runner.invoke(app, ["score", str(corpus), "-f", "jsonl"])
    assert done.exit_code == 0, done.output
    lines = done.stderr.splitlines()
    assert [line.split(" not scored")[0] for line in lines[:-1]] == [f"warning: {d}" for d in skipped["doc_id"]]
    assert lines[-1].startswith(f"score: {frame.height - skipped.height} documents in ")
    assert len(done.stdout.splitlines()) == frame.height - skipped.height


def test_the_workers_start_before_reading_only_for_a_large_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.scoring import pool as scoring_pool

    started: list[int] = []
    monkeypatch.setattr(scoring_pool, "prestart_workers_for", lambda n: started.append(n))
    scoring_pool.start_workers_for_input(scoring_pool.WORKERS_FROM_BYTES - 1)
    assert started == []
    scoring_pool.start_workers_for_input(scoring_pool.WORKERS_FROM_BYTES)
    assert started == [scoring_pool.MIN_DOCS_TO_START_WORKERS]


def write_corpus(frame: pl.DataFrame, path: Path) -> Path:
    rows = frame.filter(pl.col("body") != "").iter_rows(named=True)  # a corpus file refuses an empty body
    path.write_text("".join(json.dumps({"id": r["doc_id"], "title": r["headline"], "text": r["body"]}) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_to_a_file_is_written_slice_by_slice_with_the_bytes_of_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    app_module = importlib.import_module("harness.cli.app")

    monkeypatch.setattr(app_module, "SCORE_SLICE", 7)  # many slices, each written as it comes
    corpus = write_corpus(mixed_articles(), tmp_path / "mixed.jsonl")
    to_stdout = runner.invoke(app, ["score", str(corpus), "-f", "jsonl"])
    output = tmp_path / "scores.jsonl"
    to_file = runner.invoke(app, ["score", str(corpus), "-f", "jsonl", "-o", str(output)])
    assert (to_stdout.exit_code, to_file.exit_code) == (0, 0), to_file.output
    assert output.read_bytes() == to_stdout.stdout_bytes
    assert to_file.stderr.splitlines()[:-1] == to_stdout.stderr.splitlines()[:-1]  # the same skip warnings
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed.jsonl", "scores.jsonl"]


def test_a_run_that_fails_after_some_slices_leaves_the_old_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    app_module = importlib.import_module("harness.cli.app")

    monkeypatch.setattr(app_module, "SCORE_SLICE", 7)
    real = score_module.score_slices

    def two_then_fail(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        slices = real(*args, **kwargs)  # type: ignore[arg-type]
        yield next(slices)
        yield next(slices)
        raise RuntimeError("a worker died")

    monkeypatch.setattr(score_module, "score_slices", two_then_fail)
    corpus = write_corpus(mixed_articles(), tmp_path / "mixed.jsonl")
    output = tmp_path / "scores.jsonl"
    output.write_bytes(b"the old scores\n")
    done = runner.invoke(app, ["score", str(corpus), "-f", "jsonl", "-o", str(output)])
    assert isinstance(done.exception, RuntimeError)
    assert output.read_bytes() == b"the old scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed.jsonl", "scores.jsonl"]


def test_the_documents_table_is_read_from_the_metrics_grid_whose_layout_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = mixed_articles().head(12)
    documents = score_documents(articles, workers=1, tables=("documents", "metrics"))
    metrics, wide = documents["metrics"], documents["documents"]
    body_quoted = metrics.filter((pl.col("field") == "body") & (pl.col("voice") == "quoted"))
    headline_all = metrics.filter((pl.col("field") == "headline") & (pl.col("voice") == "all"))
    assert wide["words_quoted"].to_list() == body_quoted["words"].to_list()
    assert wide["headline_words"].to_list() == headline_all["words"].to_list()
    real = score_module._documents
    monkeypatch.setattr(score_module, "_documents", lambda frame, grid: real(frame, grid.reverse()))
    with pytest.raises(RuntimeError, match="not one per document x field x view in order"):
        score_documents(articles, workers=1, tables=("documents",))


def test_the_last_slice_of_each_worker_goes_in_quarters(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []

    def here(function, tasks, *, n_documents, workers):  # type: ignore[no-untyped-def]
        sizes.extend(task.frame.height for task in tasks)
        return map(function, tasks)

    monkeypatch.setattr(score_module, "map_in_order", here)
    monkeypatch.setattr(score_module, "worker_count", lambda workers, n_documents: 2)
    frame = mixed_articles().head(30)
    slices = list(score_slices(frame, 7, tables=("documents",)))
    # slices of 7, 7, 7, 7 and 2 articles; the last two (one per worker) in quarters
    assert sizes == [7, 7, 7, 2, 2, 2, 1, 1, 1]
    assert [part.tables["documents"].height for part in slices] == [7, 7, 7, 7, 2]


def test_settings_are_pickled_once_and_read_once() -> None:
    """Every task carries the run's settings: they pickle to the same bytes each time
    (made once), and unpickling them again gives back the object read first, so a
    worker reads the lexicons once and keeps its term matcher (an identity check)."""
    import pickle

    from harness.scoring import batch_settings

    _, settings, _ = score_module._prepare(mixed_articles(), (), True, 80, "harness", frozenset({"documents"}))
    first, second = pickle.dumps(settings), pickle.dumps(settings)
    assert first == second
    assert batch_settings._pickled_settings(settings) is batch_settings._pickled_settings(settings)
    batch_settings._read_settings.clear()
    read = pickle.loads(first)
    assert read == settings and read is not settings
    assert read.lexicons == settings.lexicons and read.context_chars == 80
    assert read.tables == frozenset({"documents"})
    assert pickle.loads(second) is read
    other = batch_settings.BatchSettings(settings.lexicons, 120, settings.tables)
    read_other = pickle.loads(pickle.dumps(other))
    assert read_other == other and read_other is not read and read_other.context_chars == 120
    assert pickle.loads(first) is read  # the first settings are still kept


def test_a_worker_keeps_a_bounded_number_of_settings() -> None:
    import pickle

    from harness.scoring import batch_settings

    batch_settings._read_settings.clear()
    _, settings, _ = score_module._prepare(mixed_articles(), (), True, 80, "harness", frozenset({"documents"}))
    for chars in range(batch_settings._READ_SETTINGS_KEPT + 3):
        assert pickle.loads(pickle.dumps(batch_settings.BatchSettings(settings.lexicons, chars))).context_chars == chars
    assert 0 < len(batch_settings._read_settings) <= batch_settings._READ_SETTINGS_KEPT
