"""The benchmarks' own machinery: the synthetic corpora are deterministic, the value check
works, the corpus sample falls back to generated articles without ../shared."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from benchmarks.bench_score import check_core_values, sample_articles, synthetic_articles
from benchmarks.news_sample import SCHEMA, news_sample
from benchmarks.shared_data import bbc_corpus
from benchmarks.synthetic_news import synthetic_batches, write_corpus
from harness.text import split_sentences


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


# -- the corpus sample without ../shared (issue 11) ------------------------------


def _write_bbc_like(folder: Path) -> None:
    corpus = folder / "corpora" / "bbc-news" / "articles.jsonl"
    corpus.parent.mkdir(parents=True)
    lines = [{"id": f"x/{k}.txt", "category": "x", "title": f"Title {k}", "text": f"Body {k}. More."} for k in range(3)]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def test_harness_shared_names_the_folder_or_hides_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_bbc_like(tmp_path)
    monkeypatch.setenv("HARNESS_SHARED", str(tmp_path))
    assert bbc_corpus() == tmp_path / "corpora" / "bbc-news" / "articles.jsonl"
    assert sample_articles(2)["doc_id"].to_list() == ["x/0.txt", "x/1.txt"]
    for hidden in ("none", "None", " none "):
        monkeypatch.setenv("HARNESS_SHARED", hidden)
        assert bbc_corpus() is None
        assert sample_articles(2).equals(news_sample(2))
    monkeypatch.setenv("HARNESS_SHARED", str(tmp_path / "elsewhere"))
    assert bbc_corpus() is None
    assert sample_articles(2)["doc_id"].to_list() == ["generated-00000", "generated-00001"]


def test_news_sample_is_deterministic_and_prefix_stable() -> None:
    forty = news_sample(40)
    assert forty.equals(news_sample(40))
    assert news_sample(90).head(40).equals(forty)
    assert forty.schema == pl.Schema(SCHEMA)
    assert forty["doc_id"].n_unique() == forty["headline"].n_unique() == forty["body"].n_unique() == 40
    assert news_sample(0).height == 300


def test_news_sample_is_as_varied_as_news_copy() -> None:
    bodies = news_sample(40)["body"].to_list()
    text = "\n".join(bodies)
    chunks = set(text.split())
    assert len(chunks) > 4000  # 40 BBC articles: 4,133 distinct chunks (headlines and voices too)
    sentences = [s.text for body in bodies for s in split_sentences(body)]
    assert len(set(sentences)) > 650  # 40 BBC articles: 583 distinct body sentences
    # The typography the reference implementations must agree on.
    for needle in ['," ', "\u201c", "\u201d", ",' ", "?", "!", "...", "; ", ": ", " (", ")", " - ", "\u2014",
                   "%", "$", "\u00a3", "\u20ac", "bn ", "Mr ", "Mr. ", "U.S.", "a.m.", "'s ", "n't ",
                   "\u2019", "\n\n", "-year-old", "\u00e9", "\u00f8"]:
        assert needle in text, needle
    assert any(len(c) > 3 and c.isalpha() and c.isupper() for c in chunks)  # capitals: VADER's emphasis rule


# -- issue 16: whole-process and language benchmarks run ----------------------------------


def test_language_benchmark_runs_without_shared_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import bench_language

    monkeypatch.setenv("HARNESS_SHARED", "none")
    bench_language.main(["--limit", "3"])
    out = capsys.readouterr().out
    assert "seeds" in out and "generated mixtures" in out and "bbc-news" not in out
    assert out.rstrip().endswith(": ok")


def test_cli_benchmark_runs_on_a_tiny_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import bench_cli

    bench_cli.main(["--limit", "3", "--synthetic", "--runs", "core", "--no-in-process"])
    out = capsys.readouterr().out
    assert "3 articles; whole process" in out
    assert "harness score --suite core" in out and "plain textstat + Punkt + VADER loop" in out
    header, *rows = out.split("whole process, start to exit\n")[1].splitlines()[:3]
    assert header.split() == ["seconds", "docs/s", "x", "plain", "CPU", "s"]
    for row in rows:  # wall seconds, docs/s, ratio, CPU seconds (the process and its children)
        wall, _, ratio, cpu = row.split()[-4:]
        assert float(wall) > 0 and ratio.endswith("x") and float(cpu) > 0


def test_cli_benchmark_rounds_start_one_command_later_each_time() -> None:
    from benchmarks.bench_cli import rotated

    names = ["full", "core", "plain"]
    assert [rotated(names, k) for k in range(4)] == [
        ["full", "core", "plain"], ["core", "plain", "full"], ["plain", "full", "core"], ["full", "core", "plain"],
    ]
    assert rotated([], 3) == []


def test_cli_benchmark_ratio_by_round_pairs_each_round_with_its_plain_loop() -> None:
    """Round k of a command is held against round k of the plain loop; the report
    gives the best round's figures and the median and range of those ratios."""
    from benchmarks.bench_cli import report, round_ratios

    plain = [(60.0, 60.0), (50.0, 50.0), (66.0, 66.0)]
    full = [(12.0, 24.0), (12.5, 24.5), (11.0, 22.0)]
    assert round_ratios(full, plain) == [5.0, 4.0, 6.0]
    out = report("bbc-news x 10", 22_250, {"full": full, "plain": plain})
    assert "best of 3 rounds" in out
    row = next(line for line in out.splitlines() if line.startswith("harness score --format jsonl"))
    # best round: 11.0 s (its CPU 22.0); best plain 50.0 s / 11.0 s = 4.55x; by round 4.0, 5.0, 6.0
    assert "11.00" in row and "4.55x" in row and "22.00" in row and row.endswith("5.00x (4.00-6.00)")
    one = report("x", 10, {"full": full[:1], "plain": plain[:1]})
    assert "by round" not in one and "rounds" not in one


def test_worker_instructions_child_scores_the_warm_up_and_the_slices(tmp_path: Path) -> None:
    """The script each callgrind run executes, run plainly: it must keep up with the worker's code."""
    import os
    import subprocess
    import sys

    from benchmarks import worker_instructions
    from benchmarks.bench_cli import write_jsonl

    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(synthetic_articles(9), 1, corpus)
    env = dict(os.environ, PYTHONPATH=str(worker_instructions.ROOT))
    done = subprocess.run(
        [sys.executable, "-c", worker_instructions.CHILD, str(corpus), "3", "6", "4"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr


def test_worker_instructions_reads_callgrinds_total_and_reports_the_change() -> None:
    from benchmarks import worker_instructions

    assert worker_instructions.summary_instructions("events: Ir\nsummary: 12345\n") == 12345
    assert worker_instructions.summary_instructions("events: Ir\ntotals: 77\n") == 77
    with pytest.raises(ValueError):
        worker_instructions.summary_instructions("events: Ir\n")
    text = worker_instructions.report(1024, "BBC News", ["this checkout", "before (x)"], [970.0, 1000.0])
    assert text.splitlines()[1].split() == ["this", "checkout", "970", "M"]
    assert text.splitlines()[2].endswith("this checkout: -3.0%")


def test_worker_instructions_without_valgrind_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import worker_instructions

    monkeypatch.setattr(worker_instructions.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as stopped:
        worker_instructions.main([])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
