"""`harness run NAME` read before the typer app is imported (``harness.cli.run_start``): its
diff workers started early, and the command called without the app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.cli import run_start
from harness.cli.run_start import (
    DIFF_WORKERS_FROM_BYTES,
    RUN_FLAGS,
    RUN_OPTIONS_WITH_VALUES,
    direct_run,
    run_arguments,
    run_target,
)
from harness.engines import worker_start
from harness.project import Project
from tests.cli_commands import option_tables, refused_with_one_line, typer_reads

ROOT = Path(__file__).resolve().parents[1]


def test_the_table_names_every_option_of_run() -> None:
    assert option_tables("run") == (RUN_OPTIONS_WITH_VALUES, RUN_FLAGS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "copies"], (None, "copies")),
        (["run", "copies", "-C", "proj", "--json"], (Path("proj"), "copies")),
        (["run", "--project=proj", "copies", "--engine", "local"], (Path("proj"), "copies")),
        (["run", "--engine=local", "--", "copies"], (None, "copies")),
        (["run", "copies", "--help"], None),
        (["run", "--all"], None),
        (["run", "copies", "--all"], None),
        (["run", "copies", "--engine", "ray"], None),
        (["run", "copies", "--ray-address", "127.0.0.1:6379"], None),
        (["run", "-Cproj", "copies"], None),  # a value attached to a short option: typer's to read
        (["run", "copies", "-C"], None),  # a value missing: typer says so
        (["run", "a", "b"], None),
        (["run", "--no-such-option", "copies"], None),
        (["run"], None),
        (["score", "copies"], None),
        ([], None),
    ],
)
def test_run_target_reads_what_it_knows_and_nothing_else(args: list[str], expected: object) -> None:
    assert run_target(args) == expected


_TOKENS = st.one_of(
    st.sampled_from(["copies", "proj", "-", "--", "local", "ray", "x=y"]),
    st.sampled_from(sorted(RUN_OPTIONS_WITH_VALUES | RUN_FLAGS | {"--help", "-x"})),
    st.builds(lambda name, value: f"{name}={value}", st.sampled_from(sorted(RUN_OPTIONS_WITH_VALUES)),
              st.sampled_from(["local", "ray", "proj", ""])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS, max_size=8))
def test_a_line_read_here_is_read_as_typer_reads_it(rest: list[str]) -> None:
    """Whenever the early reading takes a line (to start workers, and to call the
    command without the app: ``direct_run``), typer would call the command with exactly
    the same arguments: one experiment, on this machine."""
    values = run_arguments(["run", *rest])
    assert (values is None) == (direct_run(["run", *rest]) is None) == (run_target(["run", *rest]) is None)
    if values is None:
        return
    assert typer_reads("run", rest) == values
    assert run_target(["run", *rest]) == (values["project"], values["name"])
    assert not values["all_"] and values["engine"] in (None, "local") and values["ray_address"] is None


@pytest.mark.parametrize(
    "args",
    [
        ["run", "corpus-profile"],
        ["run", "--json", "corpus-profile"],
        ["run", "nope"],  # an unknown experiment: one line, exit 2
        ["run", "corpus-profile", "--engine", "local"],
    ],
)
def test_a_run_without_the_app_ends_as_one_through_it(project: Project, args: list[str]) -> None:
    """The same output, error line and exit code, and the same result stored, whether
    the command is called directly (``harness run NAME``) or by the typer app."""
    direct = _harness([*args, "-C", str(project.root)], through_app=False)
    first = sorted(project.results_dir.glob("*/*/manifest.json"))
    through_app = _harness([*args, "-C", str(project.root)], through_app=True)
    assert sorted(project.results_dir.glob("*/*/manifest.json")) == first
    assert (direct.returncode, _without_seconds(direct.stderr), _without_times(direct.stdout)) == (
        through_app.returncode, _without_seconds(through_app.stderr), _without_times(through_app.stdout)
    )
    if args[1:] == ["nope"]:
        assert direct.returncode == 2 and direct.stderr.count("\n") == 1
    else:
        assert direct.returncode == 0 and "corpus-profile@" in direct.stdout


def _harness(args: list[str], *, through_app: bool) -> subprocess.CompletedProcess[str]:
    """``harness ARGS`` in a fresh process: as the command runs it, or with the typer app
    reading the line (as every line was read before ``direct_run``)."""
    entry = "from harness.cli.app import app; app(prog_name='harness')" if through_app else "from harness.cli import main; main()"
    script = f"import sys; sys.argv = ['harness', *sys.argv[1:]]; {entry}"
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False, env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )


def _without_times(stdout: str) -> str:
    """``run --json``'s output without the moment each result was made."""
    return re.sub(r'"created": "[^"]*"', '"created": ""', stdout)


def _without_seconds(stderr: str) -> str:
    """The closing line without its duration ("2 steps in 0.1 s"): two runs of the same
    experiment take 0.04 and 0.06 s on a busy machine."""
    return re.sub(r" in \d+\.\d s$", " in _ s", stderr, flags=re.MULTILINE)


EXPERIMENT = """name = "copies"
version = "1.0.0"
description = "find the copies, compare them"
{engine}
[corpus]
path = "{corpus}"

[[steps]]
use = "discover_pairs"

[[steps]]
use = "{step}"
"""


def _project(tmp_path: Path, *, size: int, step: str = "wire_diff", engine: str = "", folder: bool = False) -> Path:
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "other.toml").write_text('name = "other"\n')
    (tmp_path / "experiments" / "broken.toml").write_text("name = [\n")  # passed over: the catalogue says what is wrong
    corpus = "corpus" if folder else "corpus.jsonl"
    experiment = EXPERIMENT.format(engine=engine, corpus=corpus, step=step)
    (tmp_path / "experiments" / "copies.toml").write_text(experiment)
    if folder:
        (tmp_path / "corpus" / "a").mkdir(parents=True)
        for number in range(4):  # the size decides, not the content
            (tmp_path / "corpus" / "a" / f"{number}.txt").write_bytes(b" " * (size // 4))
    else:
        (tmp_path / "corpus.jsonl").write_bytes(b" " * size)
    return tmp_path


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def start(workers: int, *, fork: bool = False) -> bool:
        assert fork  # before the run's imports: forked where that is safe (worker_start.fork_is_safe)
        calls.append(workers)
        return True

    monkeypatch.setattr(worker_start, "start_diff_early", start)
    monkeypatch.setattr(worker_start, "available_cores", lambda: 2)
    return calls


@pytest.mark.parametrize("folder", [False, True])
def test_a_local_run_that_compares_copies_of_a_large_corpus_starts_them(
    tmp_path: Path, started: list[int], folder: bool
) -> None:
    project = _project(tmp_path, size=DIFF_WORKERS_FROM_BYTES, folder=folder)
    assert run_start.start_diff_workers_for_run(project, "copies")
    assert started == [1]  # every core but this process's, which compares pairs too


def test_the_project_is_found_from_the_working_folder_up(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, size=DIFF_WORKERS_FROM_BYTES)
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    assert run_start.start_diff_workers_for_run(None, "copies") and started == [1]


@pytest.mark.parametrize(
    ("size", "step", "engine", "name"),
    [
        (DIFF_WORKERS_FROM_BYTES - 4, "wire_diff", "", "copies"),  # too small a corpus
        (DIFF_WORKERS_FROM_BYTES, "profile", "", "copies"),  # nothing to compare
        (DIFF_WORKERS_FROM_BYTES, "wire_diff", 'engine = "ray"', "copies"),  # not on this machine
        (DIFF_WORKERS_FROM_BYTES, "wire_diff", "", "nope"),  # no such experiment
        (DIFF_WORKERS_FROM_BYTES, "wire_diff", "", "other"),  # no steps, no corpus
    ],
)
def test_anything_else_starts_nothing(
    tmp_path: Path, started: list[int], size: int, step: str, engine: str, name: str
) -> None:
    project = _project(tmp_path, size=size, step=step, engine=engine)
    assert not run_start.start_diff_workers_for_run(project, name)
    assert started == []


def test_a_missing_corpus_or_project_starts_nothing(tmp_path: Path, started: list[int]) -> None:
    project = _project(tmp_path, size=DIFF_WORKERS_FROM_BYTES)
    (project / "corpus.jsonl").unlink()
    assert not run_start.start_diff_workers_for_run(project, "copies")
    assert not run_start.start_diff_workers_for_run(tmp_path / "nowhere", "copies")
    assert started == []


def test_the_workers_start_before_the_app_is_imported(tmp_path: Path) -> None:
    project = _project(tmp_path, size=DIFF_WORKERS_FROM_BYTES)
    probe = (
        "import sys\n"
        "from harness.engines import worker_start\n"
        "def started(workers, *, fork=False):\n"
        "    print(workers >= 1, 'harness.cli.app' in sys.modules, 'polars' in sys.modules, fork, worker_start.fork_is_safe())\n"
        "    raise SystemExit(0)\n"
        "worker_start.start_diff_early = started\n"
        f"sys.argv = ['harness', 'run', 'copies', '-C', {str(project)!r}]\n"
        "from harness.cli import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False)
    # Before the app, polars and any thread: the workers are forked (on Linux).
    forked = str(sys.platform == "linux")
    assert done.stdout.split() == ["True", "False", "False", "True", forked], (done.stdout, done.stderr[-2000:])


def test_a_corpus_refused_after_the_early_start_ends_with_one_line(tmp_path: Path) -> None:
    """The workers start before the corpus is read; a corpus then refused still ends
    with its one line and exit 2, nothing stored, and the command does not wait on them."""
    project = _project(tmp_path, size=0)
    for other in ("broken.toml", "other.toml"):  # the catalogue would refuse them first
        (project / "experiments" / other).unlink()
    line = '{"id": "a", "text": "' + "word " * 1000 + '"}\n'
    with (project / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        handle.write("{not json\n")
        handle.writelines([line] * (DIFF_WORKERS_FROM_BYTES // len(line) + 1))
    line = refused_with_one_line(["run", "copies", "-C", str(project)])
    assert "line 1" in line
    assert not (project / "results").exists()


def test_reading_the_command_line_loads_no_toml_parser_or_typing() -> None:
    """Every command line passes through run_start before the app is imported: what it
    loads there delays every command, and the workers' early start."""
    probe = "import sys, harness.cli.run_start; print('tomllib' in sys.modules, 'typing' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("discovers", [True, False])
def test_the_workers_get_discovery_s_word_hashes_to_make_only_for_a_run_that_discovers(
    tmp_path: Path, started: list[int], monkeypatch: pytest.MonkeyPatch, discovers: bool
) -> None:
    """After the furniture pass and before the preparations: the bodies' word hashes,
    for the discover_pairs step (harness.steps.discovery), when the experiment has one."""
    project = _project(tmp_path, size=DIFF_WORKERS_FROM_BYTES)
    if not discovers:
        experiment = project / "experiments" / "copies.toml"
        experiment.write_text(experiment.read_text().replace('use = "discover_pairs"', 'use = "profile"'))
    handed: list[tuple[str, str]] = []
    monkeypatch.setattr(worker_start.DIFF_EARLY, "hand", lambda module, name, arguments: handed.append((module, name)) or True)
    assert run_start.start_diff_workers_for_run(project, "copies")
    words = [worker_start.DIFF_WORD_HASHES] if discovers else []
    assert handed == [run_start.FILE_PASS, *words, run_start.FILE_AHEAD]
