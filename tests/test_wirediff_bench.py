"""The diff benchmark runs and prints one line per measurement."""

from __future__ import annotations

import random
import re

import pytest

from benchmarks import bench_diff, bench_diff_step
from harness.wirediff import Kind, diff_texts
from harness.wirediff.compiled import core_state


def test_benchmark_runs_on_the_synthetic_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    bench_diff.main(["--synthetic", "--pairs", "2", "--repeat", "1", "--cli-pairs", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("corpus: synthetic (seeded); 2 pairs") and lines[0].endswith(f"diff core: {core_state().describe()}")
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


def test_step_benchmark_runs_on_the_synthetic_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    bench_diff_step.main(["--synthetic", "--stories", "2", "--copies", "2", "--repeat", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("corpus: synthetic (seeded); 6 articles (2 copies of each story), 6 pairs; default workers: 1")
    rows = lines[2:-1]
    labels = [line.split("  ")[0] for line in rows]
    assert labels[:4] == [
        "wire_diff step (compare_pairs), default workers",
        "wire_diff step (compare_pairs), workers=1",
        "reference: tokenize once + SequenceMatcher",
        "whole process: harness run (discovery + diff)",
    ]
    # Compiled (make), the same run from the sources, in the same rounds.
    sources = ["whole process: the same, from the sources"] if core_state().compiled else []
    assert labels[4:-1] == sources
    # The plain script diffs the pairs the run's discovery found: at least each story's wire copy
    # against its two copies (the synthetic copies of one story differ more from each other).
    found = re.fullmatch(r"whole process: plain script, same (\d+) pairs", labels[-1])
    assert found is not None and 4 <= int(found.group(1)) <= 6
    for line in rows:  # seconds, pairs/s and (ours) the ratio: all measured
        numbers = [float(n) for n in re.findall(r"\d+\.\d+", line)]
        assert len(numbers) >= 2 and all(n > 0 for n in numbers), line


def test_step_benchmark_reports_the_ratio_round_by_round() -> None:
    """Best against best, and the plain script over ours within each round: median and range."""
    rounds = {
        bench_diff_step.OURS: [2.0, 1.0, 4.0],
        bench_diff_step.PLAIN: [4.0, 3.0, 4.0],
        bench_diff_step.SOURCES: [8.0, 6.0, 6.0],
    }
    lines = bench_diff_step.process_lines(rounds, 100)
    labels = [
        "whole process: harness run (discovery + diff)",
        "whole process: the same, from the sources",
        "whole process: plain script, same 100 pairs",
    ]
    assert [line.split("  ")[0] for line in lines] == labels
    figures = [line[len(label):].split() for line, label in zip(lines, labels, strict=True)]
    # ours: best 1.0 s, 100 pairs/s, the plain script's best 3.0 s over it; by round 2.0x, 3.0x, 1.0x
    assert figures[0] == ["1.00", "100.0", "3.00x", "by", "round:", "median", "2.00x", "(1.00-3.00)"]
    assert figures[1] == ["6.00", "16.7", "0.50x", "by", "round:", "median", "0.50x", "(0.50-0.67)"]
    assert figures[2] == ["3.00", "33.3"]
    one_round = bench_diff_step.process_lines({bench_diff_step.OURS: [2.0], bench_diff_step.PLAIN: [3.0]}, 10)
    assert one_round[0][len(labels[0]):].split() == ["2.00", "5.0", "1.50x"]  # one round: no ratio by round


def test_step_benchmark_pairs_every_two_versions_of_a_story() -> None:
    _, articles = bench_diff_step.corpus(2, 3, synthetic=True)
    pairs = bench_diff_step.story_pairs(articles)
    assert len(articles) == 8 and len(pairs) == 2 * 6
    assert ("s0000-0", "s0000-3") in pairs and ("s0000-1", "s0000-2") in pairs
    assert all(a.split("-")[0] == b.split("-")[0] and a < b for a, b in pairs)
