"""`harness steps`: every step's tables and settings, from the declarations that check them."""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal

import polars as pl
import pytest
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from harness.cli import app
from harness.experiments import STEPS, StepRegistry, step
from harness.experiments.describe import steps_info, steps_text
from harness.experiments.settings import Help, Length, ProjectPath, Range, allowed_values, coerce, help_text, type_name

runner = CliRunner()
SETTING_KEYS = ["name", "type", "default", "required", "allowed", "help"]
STEP_KEYS = ["name", "description", "inputs", "outputs", "batch_over", "settings"]


def test_compare_outlets_text(snapshot: SnapshotAssertion) -> None:
    result = runner.invoke(app, ["steps", "compare_outlets"])
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot


def test_every_step_in_the_text() -> None:
    result = runner.invoke(app, ["steps"])
    assert result.exit_code == 0, result.output
    headings = [line.split(":")[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert headings == STEPS.names()
    assert "    pairs (list of lists of texts, required; allowed: each item: a list of exactly 2 text items)" in result.stdout
    assert '    styles_dir (path, default "experiments/styles"; allowed: a path relative to the project folder)' in result.stdout
    assert "  settings: none" in result.stdout  # profile_articles


def test_json_contract() -> None:
    result = runner.invoke(app, ["steps", "--json"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    assert [s["name"] for s in steps] == STEPS.names()
    for info in steps:
        assert list(info) == STEP_KEYS
        defn = STEPS.get(info["name"])
        assert defn is not None
        assert (info["inputs"], info["outputs"], info["batch_over"]) == (list(defn.inputs), list(defn.outputs), defn.batch_over)
        assert [s["name"] for s in info["settings"]] == [s.name for s in defn.settings]
        for setting, declared in zip(info["settings"], defn.settings, strict=True):
            assert list(setting) == SETTING_KEYS
            assert setting["required"] is declared.required
            if not declared.required and setting["default"] is not None:
                # The default shown is a value the experiment file accepts for this setting.
                coerce(setting["default"], declared.annotation)
    by_name = {s["name"]: s for s in steps}
    n_boot = next(s for s in by_name["compare_outlets"]["settings"] if s["name"] == "n_boot")
    assert n_boot == {
        "name": "n_boot",
        "type": "integer",
        "default": 2000,
        "required": False,
        "allowed": "an integer in [100, 1000000]",
        "help": "Bootstrap resamples behind each confidence interval.",
    }
    lexicons = next(s for s in by_name["score_framing"]["settings"] if s["name"] == "lexicons")
    assert (lexicons["type"], lexicons["default"]) == ("list of paths", [])


def test_one_step_as_json() -> None:
    result = runner.invoke(app, ["steps", "discover_pairs", "--json"])
    assert result.exit_code == 0, result.output
    (info,) = json.loads(result.stdout)
    threshold = info["settings"][0]
    assert threshold["name"] == "threshold" and threshold["allowed"] == "a number in (0, 1]"


def test_unknown_step_is_one_line() -> None:
    result = runner.invoke(app, ["steps", "nope"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown step 'nope' (registered steps: " + ", ".join(STEPS.names()) + ")\n"
    )


def test_every_setting_of_every_step_has_help() -> None:
    missing = [f"{defn.name}.{s.name}" for defn in STEPS for s in defn.settings if not (s.help or "").strip()]
    assert missing == []
    assert sum(len(defn.settings) for defn in STEPS) >= 20


def test_the_description_is_read_from_the_declarations() -> None:
    """A new step's settings appear with what its signature declares: nothing is listed twice."""
    registry = StepRegistry()

    @step(outputs=("x",), registry=registry)
    def tally(
        articles: pl.DataFrame,
        *,
        limit: Annotated[int, Range(1, 9), Help("At most this many.")] = 3,
        mode: Annotated[Literal["a", "b"], Help("Which mode.")] = "a",
        files: tuple[ProjectPath, ...] = (),
        pairs: Annotated[list[Annotated[list[str], Length(2, 2)]], Help("Pairs.")] = [],  # noqa: B006
    ) -> dict[str, pl.DataFrame]:
        """Count things.

        More text that is not the summary.
        """
        return {"x": articles}

    (info,) = steps_info(registry)
    assert info["description"] == "Count things."
    assert [(s["name"], s["type"], s["default"], s["allowed"], s["help"]) for s in info["settings"]] == [
        ("limit", "integer", 3, "an integer in [1, 9]", "At most this many."),
        ("mode", "choice", "a", "one of 'a', 'b'", "Which mode."),
        ("files", "list of paths", [], "each item: a path relative to the project folder", None),
        ("pairs", "list of lists of texts", [], "each item: a list of exactly 2 text items", "Pairs."),
    ]
    text = steps_text([info])
    assert "    mode (choice, default \"a\"; allowed: one of 'a', 'b')\n      Which mode.\n" in text
    assert "    files (list of paths, default []; allowed: each item: a path relative to the project folder)\n    pairs" in text


@pytest.mark.parametrize(
    ("annotation", "name", "allowed"),
    [
        (int, "integer", None),
        (Annotated[float, Range(0, 1, exclusive_minimum=True)], "number", "a number in (0, 1]"),
        (bool, "true/false", None),
        (str | None, "text", None),
        (dict[str, ProjectPath] | None, "table of paths", "each value: a path relative to the project folder"),
        (list[int], "list of integers", None),
        (Annotated[list[str], Length(1)], "list of texts", "a list of at least 1 text items"),
    ],
)
def test_type_names(annotation: Any, name: str, allowed: str | None) -> None:
    assert type_name(annotation) == name
    assert allowed_values(annotation) == allowed


def test_help_does_not_change_what_is_accepted() -> None:
    plain = Annotated[int, Range(0, 5)]
    helped = Annotated[int, Range(0, 5), Help("Some help.")]
    assert help_text(helped) == "Some help." and help_text(plain) is None
    assert typing.get_args(Annotated[plain, Help("x")])[1:] == (Range(0, 5), Help("x"))  # nested Annotated flattens
    for value in (0, 5):
        assert coerce(value, helped) == coerce(value, plain)
    with pytest.raises(ValueError, match="out of range"):
        coerce(6, helped)


def test_steps_help_has_an_example() -> None:
    result = runner.invoke(app, ["steps", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "Example: harness steps compare_outlets" in result.stdout
