"""Results are content-addressed, immutable, atomic and verifiable."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from harness.errors import NotFoundError, StoreError
from harness.experiments import load_catalogue
from harness.project import Project
from harness.results import ID_FIELDS, Damage, Manifest, ResultStore, derive_result_id, parse_ref
from harness.results.hashing import result_id, short_digest, table_bytes
from harness.results.manifest import SEAL_DEPTH, seal_of
from harness.run import Computed, cite, compute, run_experiment, verify_result
from harness.run.runner import serialise


def run_profile(project: Project) -> object:
    experiment = load_catalogue(project.experiments_dir).get("corpus-profile")
    return run_experiment(experiment, project)


def test_same_inputs_give_the_same_result_id(project: Project) -> None:
    first = run_profile(project)
    second = run_profile(project)
    assert first.result_id == second.result_id  # type: ignore[attr-defined]
    assert len(first.result_id) == 16  # type: ignore[attr-defined]
    assert project.store().result_ids("corpus-profile") == [first.result_id]  # type: ignore[attr-defined]


def test_result_layout_and_manifest(project: Project) -> None:
    stored = run_profile(project)
    folder = project.results_dir / "corpus-profile" / stored.result_id  # type: ignore[attr-defined]
    assert sorted(p.name for p in folder.iterdir()) == ["articles.parquet", "manifest.json", "profile.parquet"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert next(iter(manifest)) == "format_version"  # first field, as promised
    assert manifest["format_version"] == 2
    assert list(manifest)[-1] == "seal"  # last: a digest of every field before it
    assert manifest["seal"]["tables.profile.rows"] == short_digest(4)
    assert manifest["experiment"]["name"] == "corpus-profile"
    assert manifest["experiment"]["version"] == "1.0.0"
    assert manifest["corpus"]["articles_read"] == 4
    assert len(manifest["corpus"]["hash"]) == 64
    assert len(manifest["config_hash"]) == 64
    assert {r["name"] for r in manifest["resources"]} >= {"news_abbreviations.txt"}
    assert manifest["environment"]["packages"]["polars"] == pl.__version__
    assert set(manifest["git"]) == {"commit", "dirty", "untracked_inputs"}
    # Not a git checkout: every input is outside one; each is named with its hash.
    assert [(row["path"], row["git"]) for row in manifest["inputs"]] == [
        ("experiments/corpus-profile.toml", "outside"),
        ("seeds", "outside"),
    ]
    experiment_file = project.root / "experiments" / "corpus-profile.toml"
    assert manifest["inputs"][0]["sha256"] == hashlib.sha256(experiment_file.read_bytes()).hexdigest()
    assert manifest["inputs"][1]["files"] == len([p for p in (project.root / "seeds").iterdir() if not p.name.startswith("README")])
    assert list(manifest)[-2:] == ["inputs", "seal"]
    assert "started_at" in manifest["run"]
    assert (project.results_dir / "corpus-profile" / "LATEST").read_text().strip() == stored.result_id  # type: ignore[attr-defined]


def test_result_id_depends_on_table_bytes_not_time() -> None:
    frame = pl.DataFrame({"a": [1, 2]})
    assert table_bytes(frame) == table_bytes(frame.clone())
    one = result_id({"experiment": {"name": "x", "version": "1"}, "tables": {"t": "aa"}})
    assert one == result_id({"tables": {"t": "aa"}, "experiment": {"version": "1", "name": "x"}})
    assert one != result_id({"experiment": {"name": "x", "version": "1"}, "tables": {"t": "ab"}})
    assert one != result_id({"experiment": {"name": "x", "version": "2"}, "tables": {"t": "aa"}})


def test_verify_passes_on_a_fresh_run(project: Project) -> None:
    stored = run_profile(project)
    outcome = verify_result(stored, project)  # type: ignore[arg-type]
    assert outcome.ok
    assert outcome.differing == ()
    assert "verified" in outcome.summary()


def test_verify_names_a_tampered_table(project: Project) -> None:
    stored = run_profile(project)
    path = stored.path / "profile.parquet"  # type: ignore[attr-defined]
    frame = pl.read_parquet(path).with_columns(pl.col("body_words") + 1)
    os.chmod(path, 0o644)
    frame.write_parquet(path)
    outcome = verify_result(project.store().resolve(stored.ref), project)  # type: ignore[attr-defined]
    assert not outcome.ok
    assert outcome.tampered == ("profile",)
    assert outcome.differing == ()
    assert "profile" in outcome.summary()


def test_verify_notices_changed_numbers(project: Project) -> None:
    stored = run_profile(project)
    seed = next((project.root / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text().replace("Kremlin aide", "Kremlin aide and adviser"))
    outcome = verify_result(stored, project)  # type: ignore[arg-type]
    assert outcome.differing == ("articles", "profile")


def test_write_failure_leaves_nothing_behind(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", full_disk)
    with pytest.raises(StoreError, match="No space left on device"):
        run_profile(project)
    folder = project.results_dir / "corpus-profile"
    assert [p.name for p in folder.iterdir()] == []


def test_unwritable_store_is_a_clear_error(project: Project) -> None:
    project.results_dir.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot write the result store"):
        run_profile(project)


@pytest.mark.parametrize(
    "ref",
    ["../x", "corpus-profile@../../etc", "corpus-profile@XYZ", "a/b", "corpus-profile\n",
     "corpus-profile@0123456789abcdef\n", "corpus-profile\n@0123456789abcdef"],
)
def test_refs_cannot_escape_the_store(ref: str) -> None:
    with pytest.raises(NotFoundError):
        parse_ref(ref)


def test_missing_result_id_is_a_clear_error(project: Project) -> None:
    run_profile(project)
    with pytest.raises(NotFoundError, match="does not exist"):
        project.store().resolve("corpus-profile@0123456789abcdef")
    with pytest.raises(NotFoundError, match="no stored result"):
        ResultStore(project.results_dir).resolve("other")


def test_citations_name_the_result(project: Project) -> None:
    stored = run_profile(project)
    ref = stored.ref  # type: ignore[attr-defined]
    bib = cite(stored, "bibtex")  # type: ignore[arg-type]
    assert bib.startswith("@misc{corpus_profile_")
    assert ref in bib
    cff = cite(stored, "cff")  # type: ignore[arg-type]
    assert "cff-version: 1.2.0" in cff and f"value: {ref}" in cff
    text = cite(stored, "text")  # type: ignore[arg-type]
    assert f"harness verify {ref}" in text


def test_result_is_independent_of_checkout_location(project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    import shutil

    other_root = tmp_path_factory.mktemp("elsewhere") / "deep" / "copy"
    shutil.copytree(project.root, other_root)
    assert run_profile(project).result_id == run_profile(Project(other_root)).result_id  # type: ignore[attr-defined]


def test_results_folder_created_on_demand(project: Project) -> None:
    assert not project.results_dir.exists()
    run_profile(project)
    assert Path(project.results_dir).is_dir()


# -- issue 11: what a result id and the seal vouch for -------------------------------------------

# Every manifest field but the id itself and the seal, by role. Written out here (not
# imported) so that a field dropped from ID_FIELDS, or a new field nobody placed, fails.
VOUCHED = ("format_version", "experiment", "config_hash", "config", "corpus", "tables", "resources")
RECORDED = ("environment", "git", "run", "inputs")  # this machine, this run, files as read: sealed, not in the id


def leaves(value: Any, keys: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every value in a JSON document (empty objects and lists included)."""
    if isinstance(value, dict) and value:
        for key, child in value.items():
            yield from leaves(child, (*keys, key))
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            yield from leaves(child, (*keys, index))
    else:
        yield keys


def containers(value: Any, keys: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every object member (to delete it)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*keys, key)
            yield from containers(child, (*keys, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from containers(child, (*keys, index))


def changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if value is None:
        return "x"
    return {"x": 1} if isinstance(value, dict) else [1]


def edit(data: dict[str, Any], keys: tuple[str | int, ...], *, delete: bool = False) -> dict[str, Any]:
    copy = json.loads(json.dumps(data))
    node = copy
    for key in keys[:-1]:
        node = node[key]
    if delete:
        del node[keys[-1]]
    else:
        node[keys[-1]] = changed(node[keys[-1]])
    return copy


def display(keys: tuple[str | int, ...]) -> str:
    """The seal's name for a field: three levels deep, odd keys quoted."""
    text = ""
    for key in keys[:SEAL_DEPTH]:
        if isinstance(key, int):
            text += f"[{key}]"
        elif re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", key):
            text += f".{key}" if text else key
        else:
            text += f"[{json.dumps(key, ensure_ascii=False)}]"
    return text


@pytest.fixture(scope="module")
def framing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Computed, dict[str, Any]]:
    """tabloid-framing (ten tables, settings, resources) computed once and serialised."""
    from tests.conftest import ROOT

    root = tmp_path_factory.mktemp("framing")
    for folder in ("seeds", "experiments"):
        shutil.copytree(ROOT / folder, root / folder)
    project = Project(root)
    computed = compute(load_catalogue(project.experiments_dir).get("tabloid-framing"), project)
    _, _, text = serialise(computed, project, run_info={"started_at": "2024-01-01T00:00:00+00:00"})
    return project, computed, json.loads(text)


def test_the_fields_are_split_into_vouched_and_recorded() -> None:
    assert ID_FIELDS == VOUCHED
    every = {f.name for f in dataclasses.fields(Manifest)}
    assert every == {*VOUCHED, *RECORDED, "result_id", "seal"}


def test_every_vouched_field_changes_the_result_id(framing: tuple[Project, Computed, dict[str, Any]]) -> None:
    _, _, data = framing
    rid = data["result_id"]
    assert derive_result_id(data) == rid
    checked = 0
    for keys in leaves({k: data[k] for k in VOUCHED}):
        assert derive_result_id(edit(data, keys)) != rid, f"{display(keys)} is not in the result id"
        checked += 1
    for keys in containers({k: data[k] for k in VOUCHED}):
        assert derive_result_id(edit(data, keys, delete=True)) != rid, f"deleting {keys} keeps the id"
    assert checked > 100  # every table, column, setting, resource and corpus count
    for keys in leaves({k: data[k] for k in RECORDED}):
        assert derive_result_id(edit(data, keys)) == rid, f"{display(keys)} is machine-specific"


def test_every_table_changes_the_result_id(
    framing: tuple[Project, Computed, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One table's bytes differ (same rows, same columns): another id, whichever table."""
    from harness.run import runner

    project, computed, data = framing
    assert len(computed.tables) >= 10
    # compute encoded every table on a thread already: the same bytes as here
    assert sorted(computed.encoded) == sorted(computed.tables)
    for name, encoded in computed.encoded.items():
        assert encoded.result() == table_bytes(computed.tables[name])
    computed = dataclasses.replace(computed, encoded={})  # encoded by serialise, through the patch below
    original = runner.table_bytes
    for name, frame in computed.tables.items():
        monkeypatch.setattr(runner, "table_bytes", lambda f, t=frame: original(f) + (b"!" if f is t else b""))
        manifest, _, _ = serialise(computed, project, run_info={})
        assert manifest.tables[name].rows == data["tables"][name]["rows"]
        assert manifest.result_id != data["result_id"], f"table {name} is not in the result id"
    monkeypatch.setattr(runner, "table_bytes", original)
    assert serialise(computed, project, run_info={})[0].result_id == data["result_id"]


def test_the_seal_names_every_edited_field(project: Project) -> None:
    """Any value edited, or any field removed, anywhere in the manifest: named."""
    stored = run_profile(project)
    store = project.store()
    assert store.damage(stored) == Damage()  # type: ignore[arg-type]
    data = dict(stored.raw)  # type: ignore[attr-defined]
    for keys in leaves({k: v for k, v in data.items() if k != "seal"}):
        edited = edit(data, keys)
        found = store.edited_fields(dataclasses.replace(stored, raw=edited, manifest=Manifest.from_json(edited)))  # type: ignore[call-overload]
        assert found == [display(keys)], (keys, found)
    for keys in containers({k: v for k, v in data.items() if k not in ("seal", "tables")}):
        edited = edit(data, keys, delete=True)
        found = store.edited_fields(dataclasses.replace(stored, raw=edited))  # type: ignore[call-overload]
        # The removed field, the fields that were inside it, or the field it was inside.
        assert found, keys
        assert all(f.startswith(display(keys)) or display(keys).startswith(f) for f in found), (keys, found)


def test_a_forged_seal_is_still_caught(project: Project) -> None:
    """Edited fields with the seal recomputed: the id and the Parquet files still tell."""
    stored = run_profile(project)
    store = project.store()

    def forged(keys: tuple[str | int, ...], value: object) -> list[str]:
        data = json.loads(json.dumps(stored.raw))  # type: ignore[attr-defined]
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
        data["seal"] = seal_of(data)
        return store.edited_fields(dataclasses.replace(stored, raw=data, manifest=Manifest.from_json(data)))  # type: ignore[call-overload]

    assert forged(("corpus", "articles_read"), 1000) == ["result_id"]
    assert forged(("tables", "profile", "rows"), 999) == ["tables.profile.rows"]
    assert forged(("result_id",), "0123456789abcdef") == ["result_id"]
    assert forged(("environment", "platform"), "Plan 9") == []  # not derivable: a forgery that holds


def test_a_damaged_copy_is_replaced_by_concurrent_runs(project: Project) -> None:
    first = run_profile(project)
    path = first.path / "profile.parquet"  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        ids = pool.map(_run_profile, [str(project.root)] * 2)
    assert set(ids) == {first.result_id}  # type: ignore[attr-defined]
    store = project.store()
    assert store.damage(store.load("corpus-profile")) == Damage()
    assert sorted(p.name for p in (project.results_dir / "corpus-profile").iterdir()) == sorted(
        ["LATEST", first.result_id]  # type: ignore[attr-defined]
    )


def _run_profile(root: str) -> str:
    return run_profile(Project(Path(root))).result_id  # type: ignore[attr-defined, no-any-return]


def test_ctrl_c_while_publishing_waits_for_the_latest_pointer(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupt between the rename and LATEST is held back: the result and its
    pointer are stored together, and the interrupt message names the stored result."""
    import signal

    from harness.cli.entry import _interrupted_line
    from harness.results import store as store_module

    real_publish = ResultStore._publish

    def publish_then_ctrl_c(self: ResultStore, staging: Path, final: Path, name: str) -> str | None:
        replaced = real_publish(self, staging, final, name)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right after the rename
        return replaced

    monkeypatch.setattr(ResultStore, "_publish", publish_then_ctrl_c)
    monkeypatch.setattr(store_module, "STORED", [])
    monkeypatch.setattr("harness.outputs.WRITTEN", [])  # files other tests wrote in this process
    assert _interrupted_line() == "interrupted; nothing stored"
    with pytest.raises(KeyboardInterrupt):
        run_profile(project)
    stored = project.store().load("corpus-profile")  # LATEST names it: nothing half-published
    assert store_module.STORED == [stored.ref]
    assert _interrupted_line() == f"interrupted; stored before the interrupt: {stored.ref}"


def test_a_step_s_prestart_runs_before_the_first_step_and_changes_no_table(project: Project) -> None:
    """``prestart`` hooks see the selected articles and their step's resolved settings
    before any step runs (so workers can start while the earlier steps run)."""
    from harness.experiments import StepRegistry, step

    registry = StepRegistry()
    calls: list[str] = []

    @step(outputs=("first",), registry=registry)
    def first(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
        calls.append("first ran")
        return {"first": articles.select("doc_id")}

    def start(articles: pl.DataFrame, settings: Any) -> None:
        calls.append(f"prestart: {articles.height} articles, label={settings['label']}")

    @step(outputs=("second",), registry=registry, prestart=start)
    def second(first: pl.DataFrame, *, label: str = "x") -> dict[str, pl.DataFrame]:
        calls.append("second ran")
        return {"second": first.with_columns(pl.lit(label).alias("label"))}

    folder = project.root / "own-steps"
    folder.mkdir()
    (folder / "two.toml").write_text(
        'name = "two"\nversion = "1"\n[corpus]\npath = "seeds"\n'
        '[[steps]]\nuse = "first"\n[[steps]]\nuse = "second"\nsettings = { label = "y" }\n'
    )
    computed = compute(load_catalogue(folder, registry=registry).get("two"), project, registry=registry)
    articles = computed.tables["articles"].height
    assert calls == [f"prestart: {articles} articles, label=y", "first ran", "second ran"]
    assert computed.tables["second"]["label"].to_list() == ["y"] * articles
