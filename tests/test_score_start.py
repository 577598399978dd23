"""`harness score`'s workers started before the typer app is imported (``harness.cli.score_start``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.cli.score_start import SCORE_FLAGS, SCORE_OPTIONS_WITH_VALUES, score_inputs
from tests.cli_commands import option_tables, typer_reads

ROOT = Path(__file__).resolve().parents[1]


def test_the_table_names_every_option_of_score() -> None:
    assert option_tables("score") == (SCORE_OPTIONS_WITH_VALUES, SCORE_FLAGS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "a.jsonl"], (["a.jsonl"], "full")),
        (["score", "a.jsonl", "--suite", "core", "-o", "out.jsonl", "--format=jsonl"], (["a.jsonl"], "core")),
        (["score", "--lexicon", "extra.tsv", "a.jsonl", "b.csv", "--any-language"], (["a.jsonl", "b.csv"], "full")),
        (["score", "-", "--engine=local"], (["-"], "full")),
        (["score", "--", "-odd-name.jsonl"], (["-odd-name.jsonl"], "full")),
        (["score", "a.jsonl", "--help"], None),
        (["score", "a.jsonl", "--stream", "-f", "jsonl", "-o", "x"], None),
        (["score", "a.jsonl", "--engine", "ray"], None),
        (["score", "a.jsonl", "--ray-address", "auto"], None),
        (["score", "-fjsonl", "a.jsonl"], None),  # a value attached to a short option: typer's to read
        (["score", "a.jsonl", "-o"], None),  # a value missing: typer says so
        (["score", "a.jsonl", "--suite", "fast"], None),
        (["score", "--no-such-option", "a.jsonl"], None),
        (["score"], None),
        (["run", "corpus-profile"], None),
        ([], None),
    ],
)
def test_score_inputs_reads_what_it_knows_and_nothing_else(args: list[str], expected: object) -> None:
    assert score_inputs(args) == expected


_TOKENS = st.one_of(
    st.sampled_from(["a.jsonl", "b.csv", "-", "--", "core", "full", "local", "ray", "jsonl", "x=y"]),
    st.sampled_from(sorted(SCORE_OPTIONS_WITH_VALUES | SCORE_FLAGS | {"--help", "-x"})),
    st.builds(lambda name, value: f"{name}={value}", st.sampled_from(sorted(SCORE_OPTIONS_WITH_VALUES)),
              st.sampled_from(["core", "full", "local", "ray", "jsonl", ""])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=8))
def test_score_inputs_agrees_with_typer(rest: list[str]) -> None:
    """Whenever the early reading starts workers, typer reads the same corpus arguments
    and suite from the same line, without --stream and on this machine."""
    found = score_inputs(["score", *rest])
    if found is None:
        return
    params = typer_reads("score", rest)
    if params is None:
        return  # typer refuses the line: the early pool is stopped as the command fails
    inputs, suite = found
    assert [str(p) for p in params["path"]] == inputs
    assert params["suite"] == suite
    assert not params["stream"] and params["engine"] in (None, "local")
    assert params["ray_address"] is None


def test_the_workers_start_before_the_app_is_imported(tmp_path: Path) -> None:
    corpus = tmp_path / "large.jsonl"
    corpus.write_bytes(b" " * 4_000_000)  # the size decides (WORKERS_FROM_BYTES), not the content
    probe = (
        "import sys\n"
        "from harness.engines import worker_start\n"
        "def started(workers, module, name):\n"
        "    print(workers >= 1, module, name, 'harness.cli.app' in sys.modules, 'polars' in sys.modules)\n"
        "    raise SystemExit(0)\n"
        "worker_start.start_early = started\n"
        f"sys.argv = ['harness', 'score', {str(corpus)!r}, '--format', 'jsonl']\n"
        "from harness.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
    assert done.stdout.split() == ["True", "harness.scoring.batch", "_warm_worker", "False", "False"], (
        done.stdout,
        done.stderr[-2000:],
    )
