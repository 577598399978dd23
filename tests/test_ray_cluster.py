"""A two-node Ray cluster on this machine gives the local engine's tables, byte for byte.

The cluster (``ray_cluster`` in conftest: ``ray start --head`` + one ``ray start
--address`` node, token authentication) is joined over ``--ray-address`` as a
remote cluster would be. Every experiment runs on the seeds (read by the driver)
and on the seeds as a partitioned Parquet corpus (read by the cluster's workers,
one or two rows a piece), and ``score --stream`` scores a partitioned Parquet
corpus on the cluster: same tables, same result ids as the local engine. A bad
Parquet corpus read on the cluster fails with the local reader's line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.corpus import read_corpus
from harness.engines import Engine, LocalEngine, open_engine
from harness.errors import InputError
from harness.experiments import load_catalogue
from harness.project import Project
from harness.results.hashing import sha256_bytes, table_bytes
from harness.run import compute
from harness.run.runner import serialise

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'framing-harness[ray]')")

from benchmarks.local_cluster import LocalCluster  # noqa: E402

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = sorted(path.stem for path in (ROOT / "experiments").glob("*.toml"))
WORDS = (
    "the minister said talks would resume next week while critics slammed the shocking plan "
    "officials told reporters that prices rose sharply after the storm and the council insisted"
).split()


@pytest.fixture(scope="module")
def joined(ray_cluster: LocalCluster) -> Iterator[LocalCluster]:
    """This process joined to the cluster (with its token) for the module's tests."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in ray_cluster.driver_env().items():
            env.setenv(name, value)
        with open_engine("ray", address=ray_cluster.address):
            yield ray_cluster


def _cluster_engine(read_rows: int = 1) -> Engine:
    from harness.engines.ray_engine import RayEngine

    # Small slices and pieces: even four articles make several tasks on both nodes.
    return RayEngine(batch_size=2, read_rows=read_rows)


def test_the_cluster_has_two_nodes(joined: LocalCluster) -> None:
    alive = [node for node in ray.nodes() if node["Alive"]]
    assert len(alive) == 2
    assert ray.cluster_resources()["CPU"] == 2


def _parquet_seeds(project: Project) -> None:
    """The seeds as two Parquet partitions, and every experiment again over them."""
    articles = read_corpus(project.root / "seeds").drop("source", "meta")
    folder = project.root / "seeds-parquet"
    folder.mkdir()
    articles.slice(0, 1).write_parquet(folder / "part-0.parquet")
    articles.slice(1).write_parquet(folder / "part-1.parquet", row_group_size=2)
    for name in EXPERIMENTS:
        text = (project.experiments_dir / f"{name}.toml").read_text(encoding="utf-8")
        text = text.replace('path = "seeds"', 'path = "seeds-parquet"').replace(f'name = "{name}"', f'name = "{name}-parquet"')
        (project.experiments_dir / f"{name}-parquet.toml").write_text(text, encoding="utf-8")


def _tables_and_id(project: Project, name: str, engine: Engine) -> tuple[dict[str, str], str]:
    experiment = load_catalogue(project.experiments_dir).get(name)
    computed = compute(experiment, project, engine=engine)
    manifest, _, _ = serialise(computed, project, run_info={"engine": engine.name})
    hashes = {table: sha256_bytes(table_bytes(frame)) for table, frame in computed.tables.items()}
    return hashes, manifest.result_id


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_identical_on_the_cluster(joined: LocalCluster, project: Project, name: str) -> None:
    """The seeds' articles as Parquet partitions: read by the workers, every step on the cluster."""
    _parquet_seeds(project)
    name = f"{name}-parquet"
    local = _tables_and_id(project, name, LocalEngine())
    assert _tables_and_id(project, name, _cluster_engine()) == local


def test_run_command_joins_the_cluster(joined: LocalCluster, project: Project) -> None:
    """The CLI over --ray-address: the same result id as the local engine."""
    _parquet_seeds(project)
    ids = []
    for engine in (["--engine", "local"], ["--engine", "ray", "--ray-address", joined.address]):
        result = runner.invoke(app, ["run", "corpus-profile-parquet", *engine, "--project", str(project.root)])
        assert result.exit_code == 0, result.output
        ids.append(sorted(path.name for path in project.results_dir.iterdir() if path.is_dir()))
    assert len(ids[0]) == 1 and ids[1] == ids[0]


def _story(i: int) -> str:
    body = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(30 + i % 11)).capitalize() + "."
    quote = f' "{" ".join(WORDS[(i + k) % len(WORDS)] for k in range(6))}," she said.' if i % 3 == 0 else ""
    return body + quote


def _partitioned_corpus(folder: Path, sizes: tuple[int, ...]) -> Path:
    """Partitions of made-up articles; one is German (skipped as not English)."""
    folder.mkdir()
    start = 0
    for part, size in enumerate(sizes):
        rows = [
            {"doc_id": f"d{i:04d}", "outlet": f"Outlet {i % 3}", "headline": f"Story {i}", "body": _story(i), "section": "news"}
            for i in range(start, start + size)
        ]
        if part == 1:
            rows[0]["body"] = (
                "Die Regierung hat am Montag in Berlin neue Gesetze beschlossen, die ab dem nächsten Jahr gelten "
                "und viele Menschen im ganzen Land betreffen werden. Die Opposition kritisierte die Pläne scharf "
                "und kündigte an, vor dem Verfassungsgericht dagegen zu klagen, weil die Regeln zu weit gingen."
            )
        pl.DataFrame(rows).write_parquet(folder / f"part-{part:03d}.parquet", row_group_size=4)
        start += size
    return folder


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_streamed_score_of_a_partitioned_corpus(joined: LocalCluster, tmp_path: Path, fmt: str) -> None:
    corpus = _partitioned_corpus(tmp_path / "corpus", (7, 5, 9))
    outputs = []
    for engine in (["--engine", "local"], ["--engine", "ray", "--ray-address", joined.address]):
        out = tmp_path / f"{engine[1]}.{fmt}"
        args = ["score", str(corpus), "--stream", "--batch-size", "4", "--format", fmt, "-o", str(out), *engine]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        outputs.append((out.read_bytes() if fmt == "jsonl" else table_bytes(pl.read_parquet(out)), warnings))
    assert outputs[1] == outputs[0]
    documents = pl.read_parquet(tmp_path / "ray.parquet") if fmt == "parquet" else pl.read_ndjson(tmp_path / "ray.jsonl")
    assert documents.height == 20  # 21 articles, one German
    assert documents["doc_id"].to_list() == sorted(documents["doc_id"].to_list())  # reading order
    assert outputs[0][1] == ["warning: d0007 not scored (language: de)"]


def _same_error_on_both(path: Path) -> str:
    from harness.engines.ray_engine import RayEngine

    lines = []
    for engine in (LocalEngine(), RayEngine(batch_size=2, read_rows=2)):
        with pytest.raises(InputError) as info:
            if isinstance(engine, RayEngine):
                engine.load_corpus(path, root=path, invalid_utf8="error", columns=_no_columns())
            else:
                read_corpus(path)
        lines.append(info.value.one_line())
    assert lines[1] == lines[0]
    return lines[0]


def _no_columns():  # type: ignore[no-untyped-def]
    from harness.corpus.columns import NO_COLUMNS

    return NO_COLUMNS


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(lambda f: f.with_columns(pl.lit(3).alias("headline")), "column `headline` has type Int32, expected String", id="wrong-type"),
        pytest.param(lambda f: f.with_columns(pl.when(pl.col("doc_id") == "d0005").then(pl.lit("  ")).otherwise(pl.col("body")).alias("body")), "record 2: record with no body", id="no-body"),
        pytest.param(lambda f: f.with_columns(pl.lit("d0001").alias("doc_id")), "duplicate doc id 'd0001'", id="duplicate-across-partitions"),
        pytest.param(lambda f: f.drop("body"), "no `body` or `text` column", id="no-body-column"),
    ],
)
def test_bad_partition_read_on_the_cluster_is_the_local_line(joined: LocalCluster, tmp_path: Path, damage, expected: str) -> None:  # type: ignore[no-untyped-def]
    corpus = _partitioned_corpus(tmp_path / "corpus", (4, 4, 4))
    second = corpus / "part-001.parquet"
    damage(pl.read_parquet(second)).write_parquet(second)
    line = _same_error_on_both(corpus)
    assert "part-001.parquet" in line and expected in line, line


def test_unreadable_partition_read_on_the_cluster_is_the_local_line(joined: LocalCluster, tmp_path: Path) -> None:
    corpus = _partitioned_corpus(tmp_path / "corpus", (3, 3))
    (corpus / "part-001.parquet").write_bytes(b"PAR1 not really")
    assert "not a readable Parquet file" in _same_error_on_both(corpus)
    (corpus / "part-001.parquet").write_bytes(b"")
    _same_error_on_both(corpus)
    os.remove(corpus / "part-001.parquet")
    pl.DataFrame({"body": []}, schema={"body": pl.String}).write_parquet(corpus / "part-001.parquet")
    assert "no articles" in _same_error_on_both(corpus)


def test_pieces_are_the_local_table(joined: LocalCluster, tmp_path: Path) -> None:
    """Pieces cut inside files (and across row groups) give the local reader's table."""
    corpus = _partitioned_corpus(tmp_path / "corpus", (7, 5, 9))
    local = read_corpus(corpus)
    for rows in (1, 3, 100):
        from harness.engines.ray_engine import RayEngine

        read = RayEngine(batch_size=2, read_rows=rows).load_corpus(corpus, root=corpus, invalid_utf8="error", columns=_no_columns())
        assert table_bytes(read.articles) == table_bytes(local)
    assert json.loads(local["meta"][0]) == {"section": "news"}
