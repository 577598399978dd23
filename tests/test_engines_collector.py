"""The collector kept away from a process's imports (harness.engines.collector)."""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from harness.engines import collector
from harness.engines.collector import freeze_survivors, modules_kept_apart, owns_process
from harness.engines.worker_start import warm_by_name

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def not_owned(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test process as a library caller's, whatever an earlier test made of it."""
    monkeypatch.setattr(collector, "_OWNED", [False])


@pytest.mark.usefixtures("not_owned")
def test_imports_in_a_process_of_ours_are_frozen_and_the_collector_is_on_after() -> None:
    before = gc.get_freeze_count()
    try:
        with modules_kept_apart(whole_process=True):
            assert not gc.isenabled()
            made = [[n] for n in range(1000)]  # tracked containers, as an import makes
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(made)
        assert owns_process()
    finally:
        gc.unfreeze()  # this test process goes on: its objects back in the generations


@pytest.mark.usefixtures("not_owned")
def test_a_library_caller_s_process_and_collector_are_left_as_they_are() -> None:
    before = gc.get_freeze_count()
    with modules_kept_apart(whole_process=False):
        assert gc.isenabled()
    assert gc.get_freeze_count() == before
    gc.disable()
    try:
        with modules_kept_apart(whole_process=True):
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == before
    finally:
        gc.enable()
    assert not owns_process()


@pytest.mark.usefixtures("not_owned")
def test_survivors_are_frozen_only_in_a_process_of_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    made = [[n] for n in range(1000)]
    before = gc.get_freeze_count()
    freeze_survivors()
    assert gc.get_freeze_count() == before  # a library caller's objects are left alone
    monkeypatch.setattr(collector, "_OWNED", [True])
    try:
        freeze_survivors()
        assert gc.get_freeze_count() >= before + len(made)
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(("leave", "frozen"), [(True, "True"), (False, "False")])
def test_the_harness_command_freezes_its_imports_in_its_own_process(leave: bool, frozen: str) -> None:
    """``main(leave=True)`` is the ``harness`` process: the app's imports are frozen
    before the command runs. Called by other code (leave=False), nothing is."""
    probe = (
        "import gc, sys\n"
        "sys.argv = ['harness', 'list']\n"
        "from harness.cli import entry\n"
        "real = entry._app_for\n"
        "def command():\n"
        "    print(gc.get_freeze_count() > 10_000, gc.isenabled(), file=sys.stderr)\n"
        "    sys.exit(0)\n"
        "entry._app_for = lambda args: (real(args), command)[1]  # the real imports, then the probe\n"
        f"entry.main(leave={leave})\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stderr.split() == [frozen, "True"], done.stderr


def _freeze_count() -> tuple[int, bool]:
    return gc.get_freeze_count(), owns_process()


def test_a_warm_worker_has_frozen_what_it_loaded() -> None:
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"),
        initializer=warm_by_name("harness.wirediff.pairwork", "_warm_worker"),
    )
    with pool:
        frozen, owned = pool.submit(_freeze_count).result(timeout=120)
        assert frozen > 10_000 and owned
