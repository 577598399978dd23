"""A Ctrl-C that Python swallows still ends the command as interrupted.

Python ignores an exception raised inside a ``__del__`` (it only reports it): a
Ctrl-C arriving while the garbage collector runs one (the ``regex`` package's
parser objects have them) lost its KeyboardInterrupt, printed a traceback and let
the command finish with exit 0. ``harness.cli.entry`` notes every Ctrl-C, hides
that report and turns such an end into the interrupt line and exit 130.
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness.cli import entry
from harness.engines.processes import kill_pool

ROOT = Path(__file__).resolve().parent.parent

# A command that meets a Ctrl-C inside a __del__, then finishes as if nothing happened.
_SWALLOWING_COMMAND = """
import signal, sys
import harness.cli.app  # loaded first: main() imports `app` from it
from harness.cli import entry

class Doomed:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)  # Ctrl-C while a finalizer runs

def app():
    Doomed()  # collected at once: the KeyboardInterrupt is raised inside __del__
    print("finished")
    sys.exit(0)

sys.modules["harness.cli.app"].app = app  # harness.cli re-exports the typer app as `app`
entry.main()
"""


def _run(script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_ctrl_c_swallowed_in_a_finalizer_still_ends_the_command_as_interrupted() -> None:
    done = _run(_SWALLOWING_COMMAND)
    assert (done.returncode, done.stdout, done.stderr) == (130, "finished\n", "interrupted; nothing stored\n")


def test_a_command_without_ctrl_c_ends_as_it_says() -> None:
    done = _run(_SWALLOWING_COMMAND.replace("signal.raise_signal(signal.SIGINT)", "pass"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "finished\n", "")


def test_the_hook_hides_only_keyboard_interrupts(capsys: pytest.CaptureFixture[str]) -> None:
    class Failing:
        def __init__(self, error: BaseException) -> None:
            self.error = error

        def __del__(self) -> None:
            raise self.error

    previous = sys.unraisablehook
    sys.unraisablehook = entry._quiet_swallowed_interrupt
    try:
        Failing(KeyboardInterrupt())
        gc.collect()
        assert capsys.readouterr().err == ""
        Failing(ValueError("a real bug"))
        gc.collect()
        assert "ValueError: a real bug" in capsys.readouterr().err
    finally:
        sys.unraisablehook = previous


# -- a swallowed Ctrl-C stops the command at its next checkpoint, not at its end ------------

# A command whose Ctrl-C is lost in a finalizer, then reports progress, then would go on.
_CHECKPOINT_COMMAND = """
import signal, sys
import harness.cli.app  # loaded first: main() imports `app` from it
from harness.cli import entry
from harness.cli.common import progress

class Doomed:
    def __del__(self):
        signal.raise_signal(signal.SIGINT)

def app():
    Doomed()  # the KeyboardInterrupt is raised inside __del__ and lost
    print("after the Ctrl-C")
    try:
        with progress("work", "items", total=2) as work:
            work.count(1)  # a checkpoint: the lost Ctrl-C is raised again here
            print("went on past the checkpoint")
    except KeyboardInterrupt:
        print("stopped at the checkpoint")
        entry.exit_interrupted()
    sys.exit(0)

sys.modules["harness.cli.app"].app = app
entry.main()
"""


def test_a_swallowed_ctrl_c_stops_the_command_at_its_next_progress_update() -> None:
    done = _run(_CHECKPOINT_COMMAND)
    assert (done.returncode, done.stdout, done.stderr) == (
        130,
        "after the Ctrl-C\nstopped at the checkpoint\n",
        "interrupted; nothing stored\n",
    )


def test_progress_updates_pass_when_no_ctrl_c_was_pressed() -> None:
    done = _run(_CHECKPOINT_COMMAND.replace("signal.raise_signal(signal.SIGINT)", "pass"))
    assert (done.returncode, done.stdout) == (0, "after the Ctrl-C\nwent on past the checkpoint\n")
    assert done.stderr.startswith("work: 1 of 2 items in ")


def test_a_ctrl_c_while_typer_builds_the_command_line_is_the_one_line() -> None:
    """Before the command runs (typer building its parameters), KeyboardInterrupt used to
    escape main() as a traceback and a death by SIGINT (-2)."""
    script = _SWALLOWING_COMMAND.replace("    Doomed()  # collected at once: the KeyboardInterrupt is raised inside __del__\n", "    raise KeyboardInterrupt\n")
    assert "raise KeyboardInterrupt" in script
    done = _run(script)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "interrupted; nothing stored\n")


# -- a command that a Ctrl-C leaves stuck still ends ----------------------------------------

# A command whose Ctrl-C lands in code that then blocks for good (as Ray Data did: a
# `logging` lock left held, its threads and the command waiting forever), with a child
# process of its own that would outlive it.
_STUCK_COMMAND = """
import signal, subprocess, sys, threading
import harness.cli.app  # loaded first: main() imports `app` from it
from harness.cli import entry

entry.UNWIND_SECONDS = 1.0

def app():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print(child.pid, flush=True)
    stuck = threading.Lock()
    stuck.acquire()
    try:
        signal.raise_signal(signal.SIGINT)
    except KeyboardInterrupt:
        stuck.acquire()  # never returns: the watchdog must end the process
    sys.exit(0)

sys.modules["harness.cli.app"].app = app
entry.main()
"""


def test_a_command_stuck_after_ctrl_c_ends_with_the_line_and_its_children_killed() -> None:
    done = _run(_STUCK_COMMAND)
    assert (done.returncode, done.stderr) == (130, "interrupted; nothing stored\n")
    child = int(done.stdout.split()[0])
    for _ in range(200):  # killed with SIGKILL: gone once init has reaped it
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        os.kill(child, 9)
        raise AssertionError(f"child {child} outlived the command")


def test_a_command_without_ctrl_c_is_left_alone_by_the_watchdog() -> None:
    done = _run(_SWALLOWING_COMMAND.replace("signal.raise_signal(signal.SIGINT)", "pass").replace(
        "entry.main()", "entry.UNWIND_SECONDS = 0.0\nentry.main()"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "finished\n", "")


# An interrupted exit right after the workers are killed, with the pool's task queue
# still held (as the pool's thread holds it when it stopped on the race kill_pool
# describes). A spawned pool needs a main script it can import: a file, guarded.
_EXIT_WITH_A_KILLED_POOL = """
from harness.cli import entry
from harness.scoring import pool

if __name__ == "__main__":
    pool.start_workers(2)
    held = pool._pool._call_queue
    entry._stop_scoring_workers()
    entry._leave_without_finalizing(130)
"""


def test_an_interrupted_exit_leaves_no_pool_semaphore_to_the_resource_tracker(tmp_path: Path) -> None:
    """The tracker would free them after the exit and say so on stderr, below the one line
    (seen in CI: "There appear to be 3 leaked semaphore objects to clean up at shutdown")."""
    script = tmp_path / "killed_pool.py"
    script.write_text(_EXIT_WITH_A_KILLED_POOL)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "")


# -------------------------------------------- stopping a pool, wherever its workers were


def _echo(value: object) -> object:
    return value


def _nap(seconds: float) -> None:
    time.sleep(seconds)


def _kill_within(pool: concurrent.futures.ProcessPoolExecutor, seconds: float) -> bool:
    """Whether ``kill_pool(pool)`` returns within ``seconds`` (it used to wait for ever)."""
    stopper = threading.Thread(target=kill_pool, args=(pool,), daemon=True)
    stopper.start()
    stopper.join(seconds)
    return not stopper.is_alive()


def _spawned_pool() -> concurrent.futures.ProcessPoolExecutor:
    return concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def test_killing_a_pool_halfway_through_a_result_returns() -> None:
    """A worker killed while it sends a result leaves part of it in the pipe: the
    pool's thread, reading the rest, must not keep ``kill_pool`` waiting (seen as a
    20 s hang after Ctrl-C in `harness score`, its temporary output left behind)."""
    pool = _spawned_pool()
    assert pool.submit(_echo, 1).result(timeout=60) == 1  # the worker and the pool's thread are up
    pending = pool.submit(_nap, 60)
    # What a worker killed mid-send leaves: a message's length, then only its start.
    writer = pool._result_queue._writer  # type: ignore[attr-defined]
    os.write(writer.fileno(), struct.pack("!i", 1_000_000) + b"\x80" * 10)
    assert _kill_within(pool, 30)
    assert pending.done()



# -------------------------------------------- Ctrl-C while the command still imports

# The command line starts workers before the app is imported (the corpus is large
# enough); the Ctrl-C then lands while the app is imported, where `_exit_at_once` ends
# the process. The workers ignore Ctrl-C and hold the output pipes: left behind, they
# kept `communicate` (a shell's pipeline) waiting for ever.
_CTRL_C_WHILE_IMPORTING = """
import signal, sys
from harness.cli import entry
from harness.engines import worker_start

def importing(args):
    early = worker_start.DIFF_EARLY.pool or worker_start.SCORING_EARLY.pool
    print(early is not None, flush=True)  # workers started: the case under test
    signal.raise_signal(signal.SIGINT)
    raise AssertionError("the Ctrl-C did not end the process")

entry._app_for = importing
sys.argv = ["harness", *sys.argv[1:]]
entry.main(leave=True)
"""


def _early_project(folder: Path) -> Path:
    (folder / "experiments").mkdir()
    (folder / "experiments" / "copies.toml").write_text(
        'name = "copies"\nversion = "1.0.0"\ndescription = "d"\n\n[corpus]\npath = "corpus.jsonl"\n\n'
        '[[steps]]\nuse = "discover_pairs"\n\n[[steps]]\nuse = "wire_diff"\n',
        encoding="utf-8",
    )
    (folder / "corpus.jsonl").write_bytes(b" " * 4_000_000)  # the size starts them, not the content
    return folder


@pytest.mark.parametrize("command", ["run", "score"])
def test_a_ctrl_c_while_importing_kills_the_workers_started_before(tmp_path: Path, command: str) -> None:
    project = _early_project(tmp_path)
    args = ["run", "copies", "-C", str(project)] if command == "run" else ["score", str(project / "corpus.jsonl")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = tmp_path / "ctrl_c.py"  # a file, not -c: a spawned worker re-imports the main module
    script.write_text(_CTRL_C_WHILE_IMPORTING.replace("entry.main(leave=True)", 'if __name__ == "__main__":\n    entry.main(leave=True)'))
    process = subprocess.Popen(
        [sys.executable, str(script), *args], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=60)  # an orphaned worker holds the pipes: a timeout
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the workers too: they are in its process group
        process.communicate()
        raise AssertionError("a worker outlived the command, holding its output pipes") from None
    assert (process.returncode, out, err) == (130, "True\n", "interrupted; nothing stored\n")
