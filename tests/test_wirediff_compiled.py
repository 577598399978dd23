"""The diff compiled by mypyc: the same bytes as its sources, and never a stale build.

``make`` compiles the diff's per-pair modules (``scripts/build_compiled.py``);
``harness.wirediff.compiled`` decides at import whether they run compiled. These
tests hold it to three promises: the compiled code gives every edit and every
table byte for byte as the sources do; a source changed since the build is what
runs (never its stale compiled form); and whatever crosses to a worker pickles.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.wirediff import compiled
from harness.wirediff.compiled import BUILT_FILES, COMPILED_MODULES, NATIVE_MODULES, PURE_ENV, RECORD_NAME, SHARED_LIBRARY, read_state
from harness.wirediff.frozen import Frozen

ROOT = Path(__file__).resolve().parent.parent

# Every edit of the identity set's synthetic and seed comparisons, then the wire_diff
# step's tables (furniture, learned styles, two workers) on the pairwork test's corpus.
_CHILD = """
import hashlib, io, sys
from benchmarks.diff_identity import main as identity
from harness.wirediff.compiled import describe
import harness.wirediff.classify as classify
from harness.wirediff import compare_pairs
from tests.test_wirediff_pairwork import STYLES, _articles
import polars as pl

print(describe())
print(classify.__file__.rsplit(".", 1)[-1])
identity([sys.argv[1], "--pairs", "8", "--msrp", "0"])
articles = _articles()
ids = articles["doc_id"].to_list()
pairs = pl.DataFrame([(a, b) for a in ids for b in ids if a != b], schema=["a_doc_id", "b_doc_id"], orient="row")
tables = compare_pairs(articles, pairs, styles_dir=STYLES, style_files={"Valley Herald": STYLES / "guardian.toml"}, workers=2)
for name in sorted(tables):
    out = io.BytesIO()
    tables[name].write_parquet(out)
    print(name, tables[name].height, hashlib.sha256(out.getvalue()).hexdigest())
"""


def _run_child(out: Path, pure: bool) -> list[str]:
    env = {**os.environ, "HARNESS_SHARED": "none"}  # otherwise as this process runs: compiled when it is
    if pure:
        env[PURE_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out)], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_compiled_and_sources_give_the_same_bytes(tmp_path: Path) -> None:
    compiled_lines = _run_child(tmp_path / "compiled.jsonl", pure=False)
    source_lines = _run_child(tmp_path / "sources.jsonl", pure=True)
    assert source_lines[:2] == [f"python ({PURE_ENV} is set)", "py"]
    # The other run is compiled whenever this process is (without a C compiler, or with
    # HARNESS_PURE_PYTHON set, both runs are the sources: the check still runs).
    assert compiled_lines[0] == compiled.describe()
    assert compiled_lines[1] == ("so" if compiled.core_state().compiled else "py")
    edits = (tmp_path / "compiled.jsonl").read_bytes()
    assert edits == (tmp_path / "sources.jsonl").read_bytes()
    assert edits.count(b"\n") > 100 and b'"seed"' in edits  # it compared something: seed page and bench pairs
    assert compiled_lines[2:] == source_lines[2:]
    assert [line.split()[0] for line in compiled_lines if line.startswith(("pairs ", "edits "))] == ["edits", "pairs"]


def test_make_leaves_the_diff_compiled_where_it_can() -> None:
    """A failed build falls back to the sources quietly; here it fails a test instead."""
    state = compiled.core_state()
    if os.environ.get(PURE_ENV) or not (shutil.which("gcc") or shutil.which("cc")):
        pytest.skip(f"sources on purpose, or no C compiler: {state.describe()}")
    if importlib.util.find_spec("mypyc") is None:
        pytest.skip("no mypyc in this environment")
    if "changed since compiled" in state.detail:
        pytest.skip(f"a source was edited after `make`: {state.detail}")
    assert state.compiled, f"the diff core did not compile: {state.describe()} (see build/compiled.log)"
    assert importlib.import_module("harness.wirediff.classify").__file__.endswith(compiled.extension_suffix())
    assert importlib.import_module("harness.wirediff.prepare")._UNIT_COLUMNS is not None  # units.c, built with them


# ------------------------------------------------------------------ the record, read


def _folder(tmp_path: Path, *, compiled_ok: bool = True) -> Path:
    """A package folder with every source, its compiled files and a record of them."""
    for name in COMPILED_MODULES:
        (tmp_path / f"{name}.py").write_text(f"# {name}\n", encoding="utf-8")
    for source in NATIVE_MODULES.values():
        (tmp_path / source).write_text(f"/* {source} */\n", encoding="utf-8")
    for name in BUILT_FILES:
        (tmp_path / f"{name}{compiled.extension_suffix()}").write_bytes(b"")
    record = {
        "compiled": compiled_ok, "compiler": "mypyc 9.9", "ext_suffix": compiled.extension_suffix(),
        "sources": compiled.source_digests(tmp_path),
    }
    if not compiled_ok:
        record["reason"] = "gcc failed"
    (tmp_path / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    return tmp_path


def test_a_current_build_runs_compiled(tmp_path: Path) -> None:
    state = read_state(_folder(tmp_path), {})
    assert state.compiled and state.describe() == "compiled (mypyc 9.9)"
    assert read_state(tmp_path, {PURE_ENV: "0"}).compiled  # "0" asks for nothing


@pytest.mark.parametrize(
    ("spoil", "environ", "detail"),
    [
        pytest.param(lambda f: (f / "classify.py").write_text("# edited\n"), {}, "classify changed since compiled: `make` compiles again", id="edited"),
        pytest.param(lambda f: (f / f"{SHARED_LIBRARY}{compiled.extension_suffix()}").unlink(), {}, "compiled files missing: `make` compiles them again", id="missing"),
        pytest.param(lambda f: (f / "units.c").write_text("/* edited */\n"), {}, "_units changed since compiled: `make` compiles again", id="c-edited"),
        pytest.param(lambda f: (f / f"_units{compiled.extension_suffix()}").unlink(), {}, "compiled files missing: `make` compiles them again", id="c-missing"),
        pytest.param(lambda f: (f / RECORD_NAME).unlink(), {}, "not compiled: `make` compiles it", id="no-record"),
        pytest.param(lambda f: (f / RECORD_NAME).write_text("{"), {}, "unreadable compiled.json", id="unreadable"),
        pytest.param(lambda f: _folder(f, compiled_ok=False), {}, "not compiled: gcc failed", id="failed"),
        pytest.param(lambda f: None, {PURE_ENV: "1"}, f"{PURE_ENV} is set", id="pure"),
    ],
)
def test_anything_but_a_current_build_runs_the_sources(tmp_path: Path, spoil, environ, detail) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path)
    spoil(folder)
    state = read_state(folder, environ)
    assert not state.compiled
    assert state.detail.startswith(detail)


def test_another_python_s_build_runs_the_sources(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    record = json.loads((folder / RECORD_NAME).read_text())
    (folder / RECORD_NAME).write_text(json.dumps({**record, "ext_suffix": ".cpython-399-x.so"}))
    assert read_state(folder, {}).detail == "compiled for another Python (.cpython-399-x.so)"


def test_the_source_finder_takes_the_py_file(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "align.py").write_text("WHERE = 'source'\n")
    finder = compiled.SourceFinder(folder, ["align"])
    spec = finder.find_spec("harness.wirediff.align", None)
    assert spec is not None and spec.origin == str(folder / "align.py")
    assert finder.find_spec("harness.wirediff.frames", None) is None  # not compiled: the usual import


def _edit_names(package: Path) -> None:
    with (package / "wirediff" / "names.py").open("a", encoding="utf-8") as source:
        source.write("\nEDITED = True\n")


def _break_library(package: Path) -> None:
    (package / "wirediff" / f"{SHARED_LIBRARY}{compiled.extension_suffix()}").write_bytes(b"not a library")


def _break_c_module(package: Path) -> None:
    (package / "wirediff" / f"_units{compiled.extension_suffix()}").write_bytes(b"not a library")


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        pytest.param(_edit_names, "True True True python (names changed since compiled: `make` compiles again)", id="edited"),
        pytest.param(_break_library, "False True True python (compiled files do not load (", id="unloadable"),
        pytest.param(_break_c_module, "False True True python (compiled files do not load (", id="c-unloadable"),
    ],
)
def test_a_build_that_is_not_current_or_does_not_load_is_not_what_runs(tmp_path: Path, spoil, expected) -> None:  # type: ignore[no-untyped-def]
    """In a fresh process, from a copy of the package: the sources run, and say why."""
    if not compiled.core_state().compiled:
        pytest.skip(f"the diff core is not compiled here: {compiled.describe()}")
    copy = tmp_path / "harness"
    shutil.copytree(ROOT / "harness", copy, ignore=shutil.ignore_patterns("__pycache__"))
    spoil(copy)
    code = (
        "import importlib, harness.wirediff.names as n, harness.wirediff.classify as c;"
        "from harness.wirediff.compiled import describe;"
        "p = importlib.import_module('harness.wirediff.prepare');"
        "print(hasattr(n, 'EDITED'), c.__file__.endswith('.py'), p._UNIT_COLUMNS is None, describe())"
    )
    env = {key: value for key, value in os.environ.items() if key != PURE_ENV}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(expected), done.stdout


# ------------------------------------------------------------------ pickling


def _frozen_dataclasses() -> list[type]:
    found = []
    for name in COMPILED_MODULES:
        module = importlib.import_module(f"harness.wirediff.{name}")
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and dataclasses.is_dataclass(value):
                if value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
                    found.append(value)
    return found


def test_every_frozen_dataclass_of_the_compiled_modules_pickles_by_frozen() -> None:
    classes = _frozen_dataclasses()
    assert len(classes) > 25
    assert [cls.__qualname__ for cls in classes if not issubclass(cls, Frozen)] == []


def test_a_result_and_a_pair_context_survive_pickling() -> None:
    from harness.wirediff import DiffSettings, diff_articles, load_style
    from harness.wirediff.boilerplate import Furniture
    from harness.wirediff.pairwork import PairContext
    from tests.test_wirediff_seed import load_seed_articles

    articles = load_seed_articles()
    (a_outlet, a), (b_outlet, b) = sorted(articles.items())[:2]
    styles = ROOT / "experiments" / "styles"
    result = diff_articles(*a, *b, a_style=load_style(a_outlet, styles), b_style=load_style(b_outlet, styles))
    assert result.edits and pickle.loads(pickle.dumps(result)) == result
    context = PairContext(styles={}, furniture={"X": Furniture("X", {"h": 2})}, settings=DiffSettings())
    again = pickle.loads(pickle.dumps(context))
    assert again == context and hash(again.settings) == hash(context.settings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.furniture["X"].outlet = "Y"  # type: ignore[misc]  # still frozen after the round trip
    assert hashlib.sha256(pickle.dumps(result)).hexdigest() == hashlib.sha256(pickle.dumps(pickle.loads(pickle.dumps(result)))).hexdigest()


# ------------------------------------------------------------------ the build itself


def _build_script() -> Any:
    spec = importlib.util.spec_from_file_location("build_compiled", ROOT / "scripts" / "build_compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_guided_build_counts_then_uses_the_counts(tmp_path: Path) -> None:
    build = _build_script()
    profile = tmp_path / "profile"
    generate, use, plain = (build.compiler_flags(stage, profile) for stage in ("generate", "use", "plain"))
    assert plain == ["-fno-semantic-interposition"]
    assert generate == [*plain, f"-fprofile-generate={profile}", "-fprofile-update=single"]
    # Code the training never ran keeps its ordinary optimisation, not GCC's size-first one.
    assert use == [*plain, f"-fprofile-use={profile}", "-fprofile-partial-training", "-Wno-missing-profile"]
    assert not build.plain_requested({}) and not build.plain_requested({build.PLAIN_ENV: "0"})
    assert build.plain_requested({build.PLAIN_ENV: "1"})


def test_a_guided_build_that_can_run_did_run() -> None:
    """Where GCC built the core and nobody asked for a plain build, the build was
    profile-guided: a guided build that failed falls back quietly, so this says it."""
    path = compiled.FOLDER / RECORD_NAME
    record = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if not compiled.core_state().compiled or "build" not in record:
        pytest.skip(f"not compiled by this build script: {compiled.describe()}")
    assert record["build"] != _build_script().GUIDED_FAILED, "see build/compiled.log"
    assert (record["build"] == "profile-guided") == ("profile-guided" in compiled.describe())


def test_the_training_runs_only_on_a_counting_build() -> None:
    """Run on any other build it says so and fails (so a guided build falls back to a plain one)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "profile_training.py")], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr[-2000:]
    assert done.stdout.startswith("profile training: the counting build is not what loaded (")
