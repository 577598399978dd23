"""A partitioned Parquet corpus scored on a two-node Ray cluster: the driver's memory stays flat.

    python -m benchmarks.bench_ray_cluster [--sizes 100000 300000 1000000] [--batch-size 10000]
                                           [--no-local | --no-cluster]

For each size a deterministic synthetic corpus (``benchmarks.synthetic_news``, ~300
words an article) is written as a folder of Parquet partitions of 10,000 articles
(not timed), then ``score --stream --suite core`` runs in a fresh driver process:

- ``ray``: joined to a two-node cluster on this machine (``benchmarks.local_cluster``:
  ``ray start --head`` + one ``ray start --address`` node, one CPU each, token
  authentication). The workers read the partitions, score them and write the parts;
  the driver plans, gathers counts and concatenates the parts.
- ``local``: the local engine on the same folder, streamed piece by piece
  (``--no-cluster``: this one only, no Ray process started).

Printed per size and engine: seconds, documents/s, the driver's peak resident memory
(its own VmHWM) while scoring (before the parts are joined into the output) and at
the end, what its resident memory is made of just before the join (private heap,
``RssAnon``; pages of Ray's shared-memory object store, ``RssShmem``), and, on the cluster, each node's largest Ray worker process (peak
VmHWM seen) and the node's peak total over all its processes (raylet, GCS, workers,
sampled every 0.2 s); locally, the largest scoring worker.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.local_cluster import LocalCluster, descendants, two_node_cluster
from benchmarks.synthetic_news import synthetic_batches

DEFAULT_SIZES = (100_000, 300_000, 1_000_000)
DEFAULT_BATCH = 10_000
MIB = 2**20
ROOT = Path(__file__).resolve().parent.parent

DRIVER = """
import json, resource, sys, time
from pathlib import Path
from harness.engines import open_engine
import harness.scoring.stream as stream
from harness.scoring.stream import score_stream

def hwm():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))

before_join = {}
join = stream._gather_parts
def status(*keys):
    with open("/proc/self/status") as lines:
        return {line.split(":")[0]: int(line.split()[1]) * 1024 for line in lines if line.split(":")[0] in keys}

def measured_join(*args):  # the driver's peak while scoring, before the parts are joined
    before_join["peak"] = hwm()
    # Private heap vs pages of Ray's shared-memory object store mapped into the driver.
    before_join.update(status("RssAnon", "RssShmem", "RssFile"))
    return join(*args)
stream._gather_parts = measured_join
corpus, out, batch, engine = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
address = sys.argv[5] if len(sys.argv) > 5 else None
with open_engine(engine, address=address) as chosen:
    start = time.perf_counter()
    summary = score_stream(corpus, out, fmt="parquet", batch_size=batch, suite="core", english_only=False, engine=chosen)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "documents": summary.documents, "driver_scoring_peak": before_join["peak"],
                  "driver_anon": before_join.get("RssAnon", 0), "driver_shmem": before_join.get("RssShmem", 0),
                  "driver_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def write_partitions(n: int, folder: Path) -> Path:
    """``n`` synthetic articles as partitions of one generation batch (10,000) each."""
    folder.mkdir(parents=True)
    for number, frame in enumerate(synthetic_batches(n)):
        frame.write_parquet(folder / f"part-{number:06d}.parquet")
    return folder


@dataclass
class Peaks:
    """Peak memory per process (VmHWM) and per group's sampled total."""

    process: dict[int, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    group_total: dict[str, int] = field(default_factory=dict)


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes (Linux /proc; no psutil in the lock)."""
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1]) * 1024
    return found


def _cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()


def _sample(groups: dict[str, int], peaks: Peaks) -> None:
    """One look at every process each group's root started (a node's Ray workers run in
    sessions of their own: found by parent, not by process group)."""
    for group, root in groups.items():
        total = 0
        for pid in [root, *descendants(root)]:
            try:
                memory = _status(pid)
                peaks.process[pid] = max(peaks.process.get(pid, 0), memory.get("VmHWM", 0))
                peaks.names.setdefault(pid, f"{group}:{_cmdline(pid)[:300]}")
                total += memory.get("VmRSS", 0)
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile
        peaks.group_total[group] = max(peaks.group_total.get(group, 0), total)


@contextmanager
def sampling(groups: dict[str, int]) -> Iterator[Peaks]:
    peaks = Peaks()
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            _sample(groups, peaks)
            stop.wait(0.2)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        stop.set()
        thread.join()


def run_driver(corpus: Path, out: Path, batch: int, engine: str, cluster: LocalCluster | None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    args = [sys.executable, "-c", DRIVER, str(corpus), str(out), str(batch), engine]
    if cluster is not None:
        env |= cluster.driver_env()
        args.append(cluster.address)
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    groups = {"driver": process.pid}
    if cluster is not None:
        groups |= {"head": cluster.processes[0].pid, "worker": cluster.processes[1].pid}
    with sampling(groups) as peaks:
        stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"driver failed:\n{stderr[-3000:]}")
    result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    for group in groups:
        members = [pid for pid, name in peaks.names.items() if name.startswith(f"{group}:") and pid != process.pid]
        workers = [pid for pid in members if "ray::" in peaks.names[pid] or "default_worker" in peaks.names[pid] or group == "driver"]
        result[f"{group}_worker_peak"] = max((peaks.process[p] for p in workers), default=0)
        result[f"{group}_total_peak"] = peaks.group_total.get(group, 0)
    return result


def _row(label: str, engine: str, run: dict[str, float]) -> str:
    rate = run["documents"] / run["seconds"]
    text = (
        f"{label:>10} {engine:>6} {run['seconds']:9.1f} {rate:9,.0f} {run['driver_scoring_peak'] / MIB:11,.0f}"
        f" {run['driver_peak'] / MIB:10,.0f}"
    )
    if engine == "ray":
        text += f" {run['driver_anon'] / MIB:9,.0f} {run['driver_shmem'] / MIB:9,.0f}"
        for node in ("head", "worker"):
            text += f" {run[f'{node}_worker_peak'] / MIB:12,.0f} {run[f'{node}_total_peak'] / MIB:11,.0f}"
    else:
        text += f" {'-':>9} {'-':>9} {run['driver_worker_peak'] / MIB:12,.0f} {'-':>11} {'-':>12} {'-':>11}"
    return text


HEADER = (
    f"{'articles':>10} {'engine':>6} {'seconds':>9} {'docs/s':>9} {'drv scoring':>11} {'drv at end':>10}"
    f" {'drv anon':>9} {'drv shmem':>9}"
    f" {'head wkr MiB':>12} {'head total':>11} {'node2 wkr':>12} {'node2 total':>11}"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--no-local", action="store_true", help="only the cluster")
    parser.add_argument("--no-cluster", action="store_true", help="only the local engine (no Ray processes started)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the corpora (default: a temporary one)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-ray-cluster-", dir=args.work))
    try:
        with (nullcontext(None) if args.no_cluster else two_node_cluster(num_cpus=1)) as cluster:
            where = "the local engine only" if cluster is None else "two-node cluster on this machine (1 CPU each)"
            print(f"{where}; partitions of 10,000 articles; pieces of {args.batch_size:,}")
            print(HEADER, flush=True)
            for n in sorted(args.sizes):
                started = time.perf_counter()
                corpus = write_partitions(n, work / f"corpus-{n}")
                made = time.perf_counter() - started
                out = work / "scores.parquet"
                if cluster is not None:
                    run = run_driver(corpus, out, args.batch_size, "ray", cluster)
                    print(_row(f"{n:,}", "ray", run) + f"   (corpus written in {made:.0f} s)", flush=True)
                if not args.no_local:
                    out.unlink(missing_ok=True)
                    run = run_driver(corpus, out, args.batch_size, "local", None)
                    print(_row(f"{n:,}", "local", run), flush=True)
                out.unlink(missing_ok=True)
                shutil.rmtree(corpus)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
