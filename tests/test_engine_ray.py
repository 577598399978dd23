"""The Ray engine gives the local engine's tables byte for byte: same result id."""

from __future__ import annotations

import importlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.engines import Engine, LocalEngine, open_engine
from harness.errors import UsageError
from harness.experiments import load_catalogue
from harness.project import Project
from harness.run import compute, run_experiment
from harness.results.hashing import sha256_bytes, table_bytes

runner = CliRunner()
WORDS = (
    "the minister said talks would resume next week while critics slammed the shocking plan "
    "officials told reporters that prices rose sharply after the storm and the council insisted"
).split()


@pytest.fixture(scope="module")
def ray_engine() -> Iterator[Engine]:
    # A local Ray instance with this machine's cores (2 here and in CI); small
    # batches so that even the seeds are cut into several slices.
    with open_engine("ray", batch_size=2) as engine:
        yield engine


def _hashes(project: Project, name: str, engine: Engine) -> dict[str, str]:
    experiment = load_catalogue(project.experiments_dir).get(name)
    tables = compute(experiment, project, engine=engine).tables
    return {table: sha256_bytes(table_bytes(frame)) for table, frame in tables.items()}


SEED_EXPERIMENTS = sorted(path.stem for path in (Path(__file__).resolve().parent.parent / "experiments").glob("*.toml"))


@pytest.mark.parametrize("name", SEED_EXPERIMENTS)
def test_seed_experiments_identical_on_ray(project: Project, ray_engine: Engine, name: str) -> None:
    assert _hashes(project, name, ray_engine) == _hashes(project, name, LocalEngine())


def _synthetic_corpus(path: Path, n: int) -> None:
    rng = random.Random(20240101)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))) + "."
            quote = f' "{" ".join(rng.choice(WORDS) for _ in range(6))}," she said.' if i % 3 == 0 else ""
            out.write(json.dumps({"id": f"s{i:05d}", "outlet": f"Outlet {i % 4}", "title": f"Story {i}", "text": body.capitalize() + quote}) + "\n")


@pytest.mark.usefixtures("ray_engine")
def test_synthetic_corpus_same_result_id_on_ray(project: Project) -> None:
    _synthetic_corpus(project.root / "synthetic.jsonl", 2000)
    (project.experiments_dir / "synthetic.toml").write_text(
        'name = "synthetic"\nversion = "1"\nengine = "ray"\n[corpus]\npath = "synthetic.jsonl"\n'
        '[[steps]]\nuse = "profile_articles"\n[[steps]]\nuse = "score_framing"\n',
        encoding="utf-8",
    )
    experiment = load_catalogue(project.experiments_dir).get("synthetic")
    assert experiment.engine == "ray"
    from harness.engines.ray_engine import RayEngine

    local = run_experiment(experiment, project, engine=LocalEngine())
    # The module's Ray instance, with batches of a realistic size (8 slices).
    on_ray = run_experiment(experiment, project, engine=RayEngine(batch_size=250))
    assert on_ray.result_id == local.result_id
    assert local.manifest.tables["profile"].rows == 2000


def test_score_command_on_ray_matches_local(ray_engine: Engine) -> None:
    seeds = str(Path(__file__).resolve().parent.parent / "seeds")
    local = runner.invoke(app, ["score", seeds, "--format", "json"])
    on_ray = runner.invoke(app, ["score", seeds, "--format", "json", "--engine", "ray"])
    assert local.exit_code == 0 and on_ray.exit_code == 0, on_ray.output
    assert json.loads(on_ray.stdout) == json.loads(local.stdout)


def test_missing_ray_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.delitem(sys.modules, "harness.engines.ray_engine", raising=False)
    with pytest.raises(UsageError, match="needs Ray") as info:
        importlib.import_module("harness.engines.ray_engine")
    assert "framing-harness[ray]" in info.value.one_line()


def test_discovery_on_ray_finds_the_same_pairs(ray_engine: Engine) -> None:
    from harness.discovery import DiscoverySettings, find_pairs
    from harness.discovery.synthetic import synthetic_corpus
    from harness.engines.ray_engine import RayEngine

    corpus = synthetic_corpus(1500, seed=7, copy_share=0.1)
    settings = DiscoverySettings(threshold=0.5)
    local = find_pairs(corpus.articles, settings=settings)
    on_ray = find_pairs(corpus.articles, settings=settings, engine=RayEngine(batch_size=200))
    assert local.height >= 50
    assert table_bytes(on_ray) == table_bytes(local)


def test_pairs_command_on_ray(ray_engine: Engine) -> None:
    seeds = str(Path(__file__).resolve().parent.parent / "seeds")
    local = runner.invoke(app, ["pairs", seeds])
    on_ray = runner.invoke(app, ["pairs", seeds, "--engine", "ray"])
    assert local.exit_code == 0 and on_ray.exit_code == 0, on_ray.output
    assert json.loads(on_ray.stdout) == json.loads(local.stdout)
    assert len(json.loads(local.stdout)) == 1
