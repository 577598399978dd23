"""The ``harness`` entry point, and how an interrupt ends a command.

This module imports nothing heavy, so that Ctrl-C is one line at any time,
including the second or so it takes to import polars, numpy and typer:

- while importing, nothing has been written yet: the workers started before the
  imports (if any) are killed, the line is printed and the process exits at once;
- afterwards, Ctrl-C raises KeyboardInterrupt as usual, so every ``finally``
  block runs (staging folders and temporary output files are removed, Ray is shut
  down) before the command ends with the same line and exit code 130.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time

TYPE_CHECKING = False  # not typing's: see harness/__init__.py
if TYPE_CHECKING:
    from collections.abc import Callable, Collection
    from types import FrameType
    from typing import Any, NoReturn

INTERRUPTED = "interrupted; nothing stored"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


def _interrupted_line() -> str:
    """The line: "nothing stored", or what was stored before the interrupt: results
    (``run --all`` stops between experiments, and a result is published together
    with its LATEST pointer, never half: see harness.results.store) and output
    files put in place whole (harness.outputs), so the line matches the disk."""
    stored: list[str] = []
    for module, names in (("harness.results.store", "STORED"), ("harness.outputs", "WRITTEN")):
        stored.extend(getattr(sys.modules.get(module), names, ()))
    return f"interrupted; stored before the interrupt: {', '.join(stored)}" if stored else INTERRUPTED


def _say_interrupted() -> None:
    # os.write: no Python buffer that could be half-flushed when the process ends.
    try:
        os.write(2, (_interrupted_line() + "\n").encode())
    except OSError:  # stderr closed: nothing to tell
        pass


def _exit_at_once(signum: int, frame: FrameType | None) -> None:
    # Workers started before the imports (`harness score`, `harness run`) ignore Ctrl-C and
    # hold the command's output pipes: killed first, or they would wait for work for ever.
    # Found in /proc, not in their pool, which may still be starting them; multiprocessing's
    # resource tracker is spared, to hear the pools' semaphores released.
    _kill_descendants(spare=_resource_tracker())
    _say_interrupted()
    _leave_without_finalizing(EXIT_INTERRUPTED)


def _resource_tracker() -> set[int]:
    """The pid of multiprocessing's resource tracker, if this process started one."""
    tracker = getattr(sys.modules.get("multiprocessing.resource_tracker"), "_resource_tracker", None)
    pid = getattr(tracker, "_pid", None)
    return {pid} if isinstance(pid, int) else set()


_PRESSED: list[int] = []
"""The Ctrl-Cs the command has seen (what ``_interrupt`` noted)."""

UNWIND_SECONDS = 20.0
"""How long a Ctrl-C waits for the command to unwind before the process ends anyway."""

_CTRL_C = threading.Event()  # set at the first Ctrl-C: the watchdog's cue


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C while a command runs: noted, then KeyboardInterrupt as usual.

    Noted because Python swallows an exception raised inside a ``__del__`` (the
    garbage collector can run one at any allocation, e.g. the ``regex`` package's
    parser objects): seen there, the interrupt would otherwise be lost.
    """
    _PRESSED.append(signum)
    _CTRL_C.set()
    raise KeyboardInterrupt


def _start_watchdog() -> None:
    """A thread that ends the process if a Ctrl-C has not ended it within UNWIND_SECONDS.

    KeyboardInterrupt can land anywhere, also inside a library that cannot take it:
    seen with Ray Data, where it left a lock of the ``logging`` module held and Ray's
    threads (and the command waiting on them) blocked for good, its daemons still
    running. Started before the command runs, not from the signal handler (starting a
    thread takes locks the interrupted code may hold); a daemon thread, so it never
    keeps a finished process alive.
    """
    if not _WATCHDOG:  # one per process, however often main() runs in it
        _WATCHDOG.append(threading.Thread(target=_end_if_still_running, name="harness-ctrl-c-watchdog", daemon=True))
        _WATCHDOG[0].start()


_WATCHDOG: list[threading.Thread] = []


def _end_if_still_running() -> None:
    _CTRL_C.wait()
    time.sleep(UNWIND_SECONDS)
    # Still here: the command did not unwind. Its child processes (Ray's daemons and
    # workers, the scoring pool) would outlive it and keep its output pipes open.
    _kill_descendants()
    _say_interrupted()
    os._exit(EXIT_INTERRUPTED)


def _kill_descendants(spare: Collection[int] = ()) -> None:
    """SIGKILL every process below this one but ``spare`` (Linux: read from /proc; elsewhere nothing)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue  # gone meanwhile
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ")"
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    below, queue = [], [os.getpid()]
    while queue:
        for child in children.get(queue.pop(), []):
            below.append(child)
            queue.append(child)
    for pid in below:
        if pid in spare:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass  # already gone, or not ours to kill


def raise_if_interrupted() -> None:
    """Raise again a Ctrl-C that was swallowed on its way (``_interrupt`` noted it).

    Called at the command's checkpoints (every progress update, ``harness.cli.common``):
    a KeyboardInterrupt lost inside a ``__del__``, or inside a library's bare ``except``
    (an optional import while ``ray`` loads, say), would otherwise let the command run
    to its end before it could say it was interrupted. A Ctrl-C that was not lost has
    already unwound the command: no checkpoint is reached after it.
    """
    if _PRESSED:
        raise KeyboardInterrupt


def _quiet_swallowed_interrupt(unraisable: Any) -> None:
    """``sys.unraisablehook``: a KeyboardInterrupt Python had to ignore (``_interrupt``
    noted it) prints no traceback; anything else is reported as Python would."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def _exit_silently(signum: int, frame: FrameType | None) -> None:
    os._exit(EXIT_INTERRUPTED)


def exit_interrupted() -> NoReturn:
    """End the command after an interrupt: one line on stderr, exit code 130.

    Called once cleanup has run (the KeyboardInterrupt has unwound the command). A
    second Ctrl-C while the interpreter shuts down ends it at once, without a
    second line or a traceback.
    """
    _install(_exit_silently)
    sys.stderr.flush()
    _say_interrupted()
    sys.exit(EXIT_INTERRUPTED)


def _install(handler: Callable[[int, FrameType | None], object]) -> None:
    """Set the SIGINT handler, unless Ctrl-C is ignored (started with nohup or in the background)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return
    signal.signal(signal.SIGINT, handler)


def _exit_code(code: object) -> int:
    """The process exit code ``sys.exit(code)`` gives."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _quiet_shutdown(code: int) -> None:
    """After the command has ended, Ctrl-C no longer interrupts Python's shutdown
    (joining the worker pool's threads): a traceback from the shutdown code would
    be the only thing it could add. A second Ctrl-C ends the process at once, with
    the command's own exit code, in case shutting down hangs."""
    pressed: list[int] = []

    def finish(signum: int, frame: FrameType | None) -> None:
        pressed.append(signum)
        if len(pressed) > 1:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()  # os._exit would drop what is still buffered
                except (OSError, ValueError):
                    pass
            os._exit(code)

    _install(finish)


def _ignore_ctrl_c_while_finalizing() -> None:
    """The last exit function: from here on Ctrl-C is ignored.

    After the exit functions, the interpreter resets a Python-level SIGINT handler
    to the system default and then frees every module, which takes a while after
    a big run; a Ctrl-C in that window killed a finished command by SIGINT (-2)
    instead of letting it exit with its own code. No Python code of ours runs any
    more, so there is nothing left for Ctrl-C to stop; "ignore" is kept by the
    interpreter where a Python handler is not.
    """
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def version_line() -> str:
    """``harness <version>``: the installed distribution's version (or "unknown" from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"harness {version('framing-harness')}"
    except PackageNotFoundError:
        return "harness (version unknown: not installed)"


def _asks_version(args: list[str]) -> bool:
    """``harness --version`` (or ``-V``) alone: answered before the typer app is imported."""
    return len(args) == 1 and args[0] in ("--version", "-V")


def main(*, leave: bool = False) -> None:
    """``harness``: the typer app, loaded after a quick-exit Ctrl-C handler is in place.

    ``leave``: this call is the whole process (``python -m harness``, the ``harness``
    script): once the command has ended, the process ends without the interpreter's
    teardown (``_finish_without_teardown``). Otherwise ``SystemExit`` is raised as
    usual, for a caller that goes on.
    """
    if _asks_version(sys.argv[1:]):
        # Fast (no polars, no typer) and always exit 0: a script checking what is installed.
        sys.stdout.write(version_line() + "\n")
        sys.exit(0)
    # Registered first, so it runs last, after the exit functions of everything imported below.
    atexit.register(_ignore_ctrl_c_while_finalizing)
    _install(_exit_at_once)
    from harness.engines.blas import one_blas_thread
    from harness.engines.collector import modules_kept_apart

    one_blas_thread()  # before numpy is imported: see harness.engines.blas.BLAS_THREADS
    from harness.cli.run_start import start_run_workers_early
    from harness.cli.score_start import start_score_workers_early

    start_score_workers_early(sys.argv[1:])  # `harness score` on a large corpus: before the imports below
    start_run_workers_early(sys.argv[1:])  # `harness run` of an experiment that compares copies: the same
    with modules_kept_apart(whole_process=leave):
        app = _app_for(sys.argv[1:])  # the heavy imports

    _PRESSED.clear()
    _CTRL_C.clear()
    _install(_interrupt)
    _start_watchdog()
    sys.unraisablehook = _quiet_swallowed_interrupt
    try:
        app()  # always ends in SystemExit (see harness.cli.group)
    except KeyboardInterrupt:
        # Ctrl-C before the command itself runs (typer still building the command
        # line), where harness.cli.group does not yet turn it into exit 130: nothing
        # has started, so nothing needs cleaning up.
        _stop_scoring_workers()
        _say_interrupted()
        _leave_without_finalizing(EXIT_INTERRUPTED)
    except SystemExit as ended:
        code = _exit_code(ended.code)
        if code == 0 and _PRESSED:
            # The Ctrl-C's KeyboardInterrupt was swallowed on its way (raised inside a
            # __del__, which Python reports and ignores) and the command ran to the end:
            # it still ends as interrupted, its line naming what it stored.
            _say_interrupted()
            code = EXIT_INTERRUPTED
        if code == EXIT_INTERRUPTED:
            # The interrupt has unwound every `finally` already; what is left is the
            # interpreter's teardown, which can turn the exit into a death by SIGINT
            # (-2, seen on a loaded machine) or, with Ray half-started, a crash (-11).
            # Skipping it skips the exit functions too, so the worker pool is stopped here.
            _stop_scoring_workers()
            _leave_without_finalizing(code)
        _quiet_shutdown(code)
        if leave and (ended.code is None or isinstance(ended.code, int)):
            _finish_without_teardown(code)
        raise  # a message to print: the interpreter's own exit prints it


def _app_for(args: list[str]) -> Callable[[], object]:
    """What runs this command line: ``harness run NAME`` and ``harness diff A B`` read
    in full, the command alone, called with the arguments read (``harness.cli.direct``);
    another ``harness diff ...`` line the group holding that command alone
    (``harness.cli.diff``: no polars, no reports, about half the start of the full
    app); any other command line the full app."""
    from harness.cli.direct import direct_command

    direct = direct_command(args)  # `harness run NAME`, `harness diff A B`: the command alone, no app
    if direct is not None:
        return direct
    if args[:1] == ["diff"]:
        from harness.cli.diff import diff_app

        return diff_app
    from harness.cli.app import app

    return app


def _finish_without_teardown(code: int) -> NoReturn:
    """End a finished command as the interpreter would, without its last step.

    What the program relies on runs as at any exit: threads are joined (the worker
    pool's), then every exit function (workers stopped, Ray shut down, temporary
    folders removed, coverage saved), and buffered output is flushed. Skipped is the
    interpreter freeing every module and object one by one, which after a large run
    (a corpus of tens of thousands of articles in memory) took a few tenths of a
    second after the output was complete; the OS frees the process at once.
    """
    import threading

    shutdown_threads = getattr(threading, "_shutdown", None)  # what Py_Finalize calls first
    if shutdown_threads is not None:
        shutdown_threads()
    atexit._run_exitfuncs()
    _leave_without_finalizing(code)


def _stop_scoring_workers() -> None:
    """Kill the scoring worker processes, and the diff's started early, if this command started any.

    They ignore SIGINT (the parent decides what an interrupt means) and a pool's
    queues hold both pipe ends in every worker, so without this they would wait for
    work forever after the parent has gone. Looked up, not imported: a command that
    never scored has no pool and must not pay for importing one.
    """
    for module, name in (
        ("harness.engines.worker_start", "stop_early_now"),
        ("harness.scoring.pool", "stop_workers_now"),
        ("harness.wirediff.pairwork", "stop_early_workers"),
    ):
        stop = getattr(sys.modules.get(module), name, None)
        if stop is not None:
            stop()


def _leave_without_finalizing(code: int) -> NoReturn:
    """Exit now, skipping the interpreter's teardown.

    After an interrupt the teardown has nothing of ours left to do, and it can end
    the process otherwise than with 130: Ray interrupted while it starts crashes it
    (a segmentation fault after the "interrupted" line, -11), and a KeyboardInterrupt
    noted by the interpreter makes it die by SIGINT (-2). Everything of the
    harness's own is already cleaned up by then (the interrupt has unwound every
    ``finally``, Ray is shut down): only Python's finalizers are skipped, but for
    multiprocessing's own (``_release_pool_semaphores``).
    """
    _release_pool_semaphores()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _release_pool_semaphores() -> None:
    """Run multiprocessing's finalizers of priority 0 and up, as its own exit function does.

    A worker pool's queues hold named semaphores, each given back when its queue is
    freed. A killed pool's queue can still be held at this point (by the pool's thread,
    when it stopped on the race ``kill_pool`` describes), and skipped finalizers leave
    them to the resource tracker, which frees them after the exit and says so on stderr
    ("There appear to be 3 leaked semaphore objects", seen once in CI below the one
    "interrupted" line). The finalizers below priority 0 (joining queue threads) are
    left out: they could wait on a pipe nobody reads.
    """
    util = sys.modules.get("multiprocessing.util")  # no pool ever made: nothing to release
    run_finalizers = getattr(util, "_run_finalizers", None)
    if run_finalizers is not None:
        run_finalizers(0)


def command() -> None:
    """The ``harness`` script and ``python -m harness``: ``main`` as the whole process."""
    main(leave=True)
