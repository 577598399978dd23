"""Shared fixtures: a throw-away copy of the project, the seed corpus."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

from harness.project import Project

if TYPE_CHECKING:
    from benchmarks.local_cluster import LocalCluster

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of a module that uses the corpus sample ``corpus_sample``.

    Its data differ with and without ``../shared``; ``.ci/run`` runs these modules
    again with the folder hidden (``-m corpus_sample``, ``HARNESS_SHARED=none``), so
    that a clone without it stays green. Marked by what the module imports, so a new
    test module that takes the sample is covered without anyone remembering to.
    """
    for item in items:
        helper = getattr(getattr(item, "module", None), "sample_articles", None)
        # By name, so that collecting other tests does not import the benchmarks.
        if getattr(helper, "__module__", None) == "benchmarks.bench_score":
            item.add_marker(pytest.mark.corpus_sample)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The real experiments and seeds, in a temporary folder with an empty store."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")
    shutil.copy(ROOT / "requirements.lock", tmp_path / "requirements.lock")
    return Project(tmp_path)


def frame_text(frame: pl.DataFrame) -> str:
    """A deterministic text form of a table for snapshots: schema, then CSV rows."""
    schema = "\n".join(f"# {name}: {dtype}" for name, dtype in frame.schema.items())
    return schema + "\n" + frame.write_csv(float_precision=9)


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[LocalCluster]:
    """A two-node Ray cluster on this machine (head + one worker node, 1 CPU each, token
    authentication), one per test session, stopped even when a test fails.

    Shared by the cluster tests and the connection-error tests; skipped without Ray.
    """
    if importlib.util.find_spec("ray") is None:
        pytest.skip("the ray extra is not installed (pip install 'framing-harness[ray]')")
    from benchmarks.local_cluster import two_node_cluster

    with two_node_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session", autouse=True)
def table_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The data-table cache (``harness.tablecache``) of a test session: its own folder,
    not the developer's ``~/.cache`` (unless ``HARNESS_CACHE_DIR`` says otherwise).
    Set in the environment, so that the commands tests start share it."""
    import os

    if "HARNESS_CACHE_DIR" in os.environ:
        yield
        return
    os.environ["HARNESS_CACHE_DIR"] = str(tmp_path_factory.mktemp("table-cache"))
    try:
        yield
    finally:
        os.environ.pop("HARNESS_CACHE_DIR", None)
