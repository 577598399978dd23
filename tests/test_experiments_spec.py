"""Experiment files are checked at load time: errors name the file, key and allowed values."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from harness.errors import ConfigError, NotFoundError
from harness.experiments import StepRegistry, load_catalogue, parse_experiment, step
from harness.experiments.registry import DuplicateStepError, Tables
from typing import Annotated, Literal

from harness.experiments.settings import Range

FILE = Path("experiments/x.toml")


def make_registry() -> StepRegistry:
    registry = StepRegistry()

    @step(outputs=("counts",), registry=registry)
    def count(
        articles: pl.DataFrame,
        *,
        mode: Literal["words", "chars"] = "words",
        limit: Annotated[int, Range(minimum=1)] = 10,
        ratio: Annotated[float, Range(0, 1)] = 0.5,
        outlets: list[str] | None = None,
    ) -> Tables:
        """Count things."""
        return {"counts": articles}

    @step(outputs=("summary",), registry=registry)
    def summarise(counts: pl.DataFrame, *, title: str) -> Tables:
        return {"summary": counts}

    return registry


BASE = """
name = "x"
version = "1"
[corpus]
path = "seeds"
"""


def parse(text: str) -> object:
    return parse_experiment(BASE + text, file=FILE, registry=make_registry())


def test_valid_file_parses_with_typed_settings() -> None:
    exp = parse_experiment(
        BASE
        + '[[steps]]\nuse = "count"\nsettings = {mode = "chars", ratio = 1, outlets = ["A"]}\n'
        + '[[steps]]\nuse = "summarise"\nsettings = {title = "t"}\n',
        file=FILE,
        registry=make_registry(),
    )
    assert [c.use for c in exp.steps] == ["count", "summarise"]
    assert exp.steps[0].settings == {"mode": "chars", "ratio": 1.0, "outlets": ["A"]}
    assert isinstance(exp.steps[0].settings["ratio"], float)
    assert len(exp.config_hash()) == 64


def test_config_hash_ignores_key_order() -> None:
    a = parse('[[steps]]\nuse = "count"\nsettings = {mode = "chars", limit = 3}\n')
    b = parse('[[steps]]\nuse = "count"\nsettings = {limit = 3, mode = "chars"}\n')
    assert a.config_hash() == b.config_hash()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[steps]]\nuse = "nope"\n', "unknown step steps[0].use = 'nope'"),
        ('[[steps]]\nuse = "count"\nsettings = {colour = 1}\n', "unknown setting steps[0].settings.colour"),
        ('[[steps]]\nuse = "count"\nsettings = {limit = "ten"}\n', "steps[0].settings.limit: expected integer, got 'ten'"),
        ('[[steps]]\nuse = "count"\nsettings = {limit = true}\n', "expected integer, got True"),
        ('[[steps]]\nuse = "count"\nsettings = {mode = "lines"}\n', "expected one of 'words', 'chars', got 'lines'"),
        ('[[steps]]\nuse = "summarise"\nsettings = {title = "t"}\n', "needs table(s) counts"),
        ('[[steps]]\nuse = "count"\n[[steps]]\nuse = "summarise"\n', "missing required setting(s): title"),
        ('colour = "red"\n[[steps]]\nuse = "count"\n', "unknown key 'corpus.colour'"),
        ("", "at least one [[steps]]"),
        ('[[steps]]\nuse = "count"\nsettings = {limit = \n', "malformed TOML"),
    ],
)
def test_bad_files_name_file_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text)
    line = info.value.one_line()
    assert line.startswith("experiments/x.toml: ")
    assert expected in line
    assert "\n" not in line


def test_unknown_step_lists_allowed_values() -> None:
    with pytest.raises(ConfigError) as info:
        parse('[[steps]]\nuse = "nope"\n')
    assert info.value.hint == "registered steps: count, summarise"


def test_unknown_setting_lists_allowed_settings() -> None:
    with pytest.raises(ConfigError) as info:
        parse('[[steps]]\nuse = "count"\nsettings = {colour = 1}\n')
    assert info.value.hint == "allowed: mode, limit, ratio, outlets"


def test_unknown_top_level_key() -> None:
    with pytest.raises(ConfigError, match="unknown key 'colour'") as info:
        parse_experiment('colour = 1\n' + BASE, file=FILE, registry=make_registry())
    assert info.value.hint == "allowed keys: name, version, description, corpus, steps, engine"


def test_malformed_toml_reports_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_experiment('name = "x"\nversion = \n', file=FILE, registry=make_registry())
    assert "line 2" in info.value.message


@pytest.mark.parametrize("name", ["../etc", "Upper", "a/b", "", "x" * 65])
def test_unsafe_experiment_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="is not allowed"):
        parse_experiment(f'name = "{name}"\nversion = "1"\n', file=FILE, registry=make_registry())


def test_registry_refuses_duplicate_names() -> None:
    registry = make_registry()
    with pytest.raises(DuplicateStepError, match="'count' is registered twice"):

        @step("count", outputs=("x",), registry=registry)
        def other(articles: pl.DataFrame) -> Tables:
            return {"x": articles}


def test_the_builtin_table_names_every_step_of_every_step_module() -> None:
    """BUILTIN_STEPS is how the registry finds a step's module: each built-in step
    under its own module, and no module of harness/steps left out of it."""
    import importlib
    import pkgutil

    import harness.steps
    from harness.experiments.registry import BUILTIN_STEPS, default_registry

    for module in pkgutil.iter_modules(harness.steps.__path__):
        importlib.import_module(f"harness.steps.{module.name}")  # registers its steps, if any
    registered = {defn.name: defn.func.__module__ for defn in default_registry()}
    assert registered == BUILTIN_STEPS


def test_step_settings_must_be_annotated() -> None:
    with pytest.raises(TypeError, match="needs a type annotation"):

        @step(outputs=("x",), registry=StepRegistry())
        def bad(articles: pl.DataFrame, *, n=3) -> Tables:  # type: ignore[no-untyped-def]
            return {"x": articles}


def test_two_experiments_with_one_name_is_an_error(tmp_path: Path) -> None:
    body = BASE + '[[steps]]\nuse = "count"\n'
    (tmp_path / "a.toml").write_text(body)
    (tmp_path / "b.toml").write_text(body)
    with pytest.raises(ConfigError, match="also used by"):
        load_catalogue(tmp_path, registry=make_registry())


def test_unknown_experiment_names_known_ones(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(BASE + '[[steps]]\nuse = "count"\n')
    with pytest.raises(NotFoundError) as info:
        load_catalogue(tmp_path, registry=make_registry()).get("y")
    assert "unknown experiment 'y'" in info.value.one_line()
    assert "known: x" in info.value.one_line()


@pytest.mark.parametrize("escaped", ["t\\n", "t\\r\\n", "\\nt", "t\\u0000", "t\\u2028"])
def test_names_with_control_characters_are_refused(escaped: str) -> None:
    """`$` in a regex matches before a final newline: names are checked with fullmatch."""
    with pytest.raises(ConfigError, match="is not allowed"):
        parse_experiment(f'name = "{escaped}"\nversion = "1"\n', file=FILE, registry=make_registry())


def test_table_settings_are_checked_and_resolved(tmp_path: Path) -> None:
    from harness.experiments.settings import ProjectPath, coerce, describe, resolve_paths

    annotation = dict[str, ProjectPath] | None
    value = coerce({"The Guardian": "styles/g.toml"}, annotation)
    assert value == {"The Guardian": "styles/g.toml"} and isinstance(value["The Guardian"], ProjectPath)
    assert resolve_paths(value, tmp_path) == {"The Guardian": str(tmp_path / "styles/g.toml")}
    assert describe(annotation) == "table of path"
    from harness.experiments.settings import SettingTypeError

    for bad in (["styles/g.toml"], {"The Guardian": 3}, "styles/g.toml"):
        with pytest.raises(SettingTypeError, match="expected table of path"):
            coerce(bad, annotation)
