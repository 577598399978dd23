"""Results are content-addressed, immutable, atomic and verifiable."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from harness.errors import NotFoundError, StoreError
from harness.experiments import load_catalogue
from harness.project import Project
from harness.results import ResultStore, parse_ref
from harness.results.hashing import result_id, table_bytes
from harness.run import cite, run_experiment, verify_result


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
    assert manifest["format_version"] == 1
    assert manifest["experiment"]["name"] == "corpus-profile"
    assert manifest["experiment"]["version"] == "1.0.0"
    assert manifest["corpus"]["articles_read"] == 4
    assert len(manifest["corpus"]["hash"]) == 64
    assert len(manifest["config_hash"]) == 64
    assert {r["name"] for r in manifest["resources"]} >= {"news_abbreviations.txt"}
    assert manifest["environment"]["packages"]["polars"] == pl.__version__
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert "started_at" in manifest["run"]
    assert (project.results_dir / "corpus-profile" / "LATEST").read_text().strip() == stored.result_id  # type: ignore[attr-defined]


def test_result_id_depends_on_table_bytes_not_time() -> None:
    frame = pl.DataFrame({"a": [1, 2]})
    assert table_bytes(frame) == table_bytes(frame.clone())
    one = result_id("x", "1", {"t": "aa"})
    assert one == result_id("x", "1", {"t": "aa"})
    assert one != result_id("x", "1", {"t": "ab"})
    assert one != result_id("x", "2", {"t": "aa"})


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
    assert "cff-version: 1.2.0" in cff and f'value: "{ref}"' in cff
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
