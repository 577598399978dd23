"""A two-node Ray cluster on this machine, for the cluster tests and benchmark.

``ray start --head`` and one ``ray start --address`` worker node, each with its own
temporary folder, free ports, ``--num-cpus`` CPUs and token authentication set
explicitly (``RAY_AUTH_MODE=token`` and a fresh ``RAY_AUTH_TOKEN`` for both nodes;
the driver must set the same two). Both run with ``--block`` in a session of their
own, so stopping them is a signal to the two process groups this module started:
never ``ray stop``, which stops every Ray process of the user on the machine
(other people's clusters and drivers on a shared host included).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `ray start --block` prints this once the node has joined the cluster.
_READY = "will now block forever"
START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _node_ports() -> list[str]:
    """Every port a node would otherwise take from a fixed default (two nodes on one host
    must not share one); worker ports 0: each worker gets one from the system."""
    ports = ["--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
             "--dashboard-agent-grpc-port", "--runtime-env-agent-port", "--metrics-export-port"]  # fmt: skip
    chosen: list[str] = []
    for option in ports:
        chosen += [option, str(free_port())]
    return [*chosen, "--min-worker-port", "0", "--max-worker-port", "0"]


@dataclass
class LocalCluster:
    address: str  # the head's GCS address, for --ray-address
    token: str
    base: Path  # the nodes' temporary folders and logs
    node_manager_ports: list[int] = field(default_factory=list)  # gRPC, but not the GCS
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def driver_env(self) -> dict[str, str]:
        """What a driver sets to join: the same authentication as the nodes."""
        return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token}

    def node_pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def _wait_ready(process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if _READY in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(f"ray start exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.25)
    raise RuntimeError(f"ray start did not finish within {START_TIMEOUT_S:g} s:\n{log.read_text(errors='replace')[-3000:]}")


def _start_node(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    ray = str(Path(sys.executable).parent / "ray")
    with log.open("wb") as out:
        # A session of its own: the node's processes (GCS, raylet, workers) share its
        # process group, which stop() signals as a whole.
        return subprocess.Popen([ray, "start", "--block", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_end_with_parent)  # fmt: skip


def _end_with_parent() -> None:
    """In the child: SIGTERM when the process that started it dies, even by SIGKILL or a
    crash, when no ``finally`` runs (``ray start --block`` then stops its node)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (Linux /proc)."""
    found: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{name}/stat") as stat:
                found[int(name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int) -> list[int]:
    """Every process started (directly or not) by ``pid``: a node's Ray workers run in
    sessions of their own, outside the node's process group."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def stop(cluster: LocalCluster, grace_s: float = 2.0) -> None:
    """SIGTERM to each node's process group, SIGKILL to whatever of them (and of the
    processes they started) is left after ``grace_s``."""
    started = [pid for process in cluster.processes for pid in descendants(process.pid)]
    for process in cluster.processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in cluster.processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in cluster.processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the group: the raylet's workers too
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    for pid in started:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)  # by id: only what the nodes started


@contextlib.contextmanager
def two_node_cluster(num_cpus: int = 1, *, extra_env: dict[str, str] | None = None) -> Iterator[LocalCluster]:
    """A head and one worker node on 127.0.0.1, stopped (and their folders removed) on exit."""
    # Short: Ray's socket paths under it must stay within the 107 bytes of a Unix socket name.
    base = Path(tempfile.mkdtemp(prefix="hray-", dir="/tmp"))
    token = secrets.token_hex(32)
    env = {
        **os.environ,
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": token,
        "RAY_USAGE_STATS_ENABLED": "0",
        # The workers import the harness the driver's tasks name: this checkout's.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    }
    gcs_port = free_port()
    cluster = LocalCluster(f"127.0.0.1:{gcs_port}", token, base)
    common = ["--num-cpus", str(num_cpus), "--node-ip-address", "127.0.0.1", "--disable-usage-stats"]
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        head_ports = _node_ports()
        head = _start_node(
            ["--head", "--port", str(gcs_port), "--include-dashboard", "false", "--dashboard-port", str(free_port()),
             "--temp-dir", str(base / "head"), *common, *head_ports],
            env, base / "head.log",
        )  # fmt: skip
        cluster.processes.append(head)
        _wait_ready(head, base / "head.log", deadline)
        worker_ports = _node_ports()
        worker = _start_node(
            ["--address", cluster.address, "--temp-dir", str(base / "worker"), *common, *worker_ports],
            env, base / "worker.log",
        )  # fmt: skip
        cluster.processes.append(worker)
        _wait_ready(worker, base / "worker.log", deadline)
        cluster.node_manager_ports = [int(p[p.index("--node-manager-port") + 1]) for p in (head_ports, worker_ports)]
        yield cluster
    finally:
        stop(cluster)
        shutil.rmtree(base, ignore_errors=True)
