"""The diff benchmark runs and prints one line per measurement."""

from __future__ import annotations

import random

import pytest

from benchmarks import bench_diff
from harness.wirediff import Kind, diff_texts


def test_benchmark_runs_on_the_synthetic_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    bench_diff.main(["--synthetic", "--pairs", "2", "--repeat", "1", "--cli-pairs", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("corpus: synthetic (seeded); 2 pairs")
    assert [line.split("  ")[0] for line in lines[2:6]] == [
        "diff+classify (edits)",
        "+ similarity, derivation",
        "end to end (tokenising included)",
        "whole process, 1 pairs",
    ]
    rates = lines[5].split()[-4:-1]  # pairs/s of harness diff and of the plain script, their ratio
    assert all(float(rate) > 0 for rate in rates)


def test_benchmark_pairs_are_the_same_every_run() -> None:
    first = bench_diff.make_pairs(2, synthetic=True)
    assert bench_diff.make_pairs(2, synthetic=True) == first
    a, b = first[1][0]
    kinds = {e.kind for e in diff_texts(a, b).edits}
    assert kinds == {Kind.STYLE, Kind.SUBSTANTIVE}


def test_edited_copy_keeps_paragraphs() -> None:
    text = "One sentence here. Two sentences here.\n\nThree are here. Four are here. Five are here."
    copy = bench_diff.edited_copy(text, random.Random(1))
    assert copy.count("\n\n") == 1
