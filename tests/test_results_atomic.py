"""kill -9 in the middle of a run leaves the previous state or the whole new result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness.experiments import load_catalogue
from harness.project import Project
from harness.run import run_experiment

# The child stores a result, but pauses forever after the first Parquet file is
# staged: the parent kills it there, mid-write, with SIGKILL.
CHILD = """
import sys, time
from pathlib import Path
import harness
from harness.experiments import load_catalogue
from harness.project import Project
from harness.run import run_experiment

original = Path.write_bytes
def slow_write(self, data):
    written = original(self, data)
    if self.suffix == ".parquet":
        print("STAGED", self, flush=True)
        time.sleep(600)
    return written
Path.write_bytes = slow_write
project = Project(Path(sys.argv[1]))
run_experiment(load_catalogue(project.experiments_dir).get("corpus-profile"), project)
"""


def kill_mid_write(project: Project) -> Path:
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(project.root)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("STAGED"), line
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    return Path(line.split(" ", 1)[1].strip())


def result_dirs(project: Project) -> list[str]:
    folder = project.results_dir / "corpus-profile"
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_kill_during_first_run_leaves_no_result(project: Project) -> None:
    staged = kill_mid_write(project)
    assert staged.parent.name.startswith(".tmp-")  # the write was in the staging folder
    assert result_dirs(project) == []  # no result, no LATEST pointer
    # The next run sweeps the dead run's staging folder and stores a whole result.
    stored = run_experiment(load_catalogue(project.experiments_dir).get("corpus-profile"), project)
    assert not staged.parent.exists()
    assert result_dirs(project) == sorted(["LATEST", stored.result_id])  # ids may start with a digit
    assert project.store().tampered_tables(stored) == []


def test_kill_during_a_later_run_keeps_the_previous_result(project: Project) -> None:
    first = run_experiment(load_catalogue(project.experiments_dir).get("corpus-profile"), project)
    seed = next((project.root / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text().replace("Kremlin aide", "Senior Kremlin aide"))
    time.sleep(0.01)
    kill_mid_write(project)
    assert result_dirs(project) == sorted(["LATEST", first.result_id])
    assert project.store().latest_id("corpus-profile") == first.result_id
    assert project.store().tampered_tables(project.store().load("corpus-profile")) == []
