"""Checking a command's options before it reads anything.

A command checks every option, and every combination of options, first: a bad
value found after minutes of reading and scoring wastes the minutes. Number
options share their allowed ranges with the step settings they correspond to
(``harness.experiments.settings.Range``), so `harness pairs --threshold` and
``threshold`` in an experiment file accept the same values.

The options several commands share (``--project``, ``--engine``, ``--json``,
``--ray-address``) are declared here too: typer's, for the app only (the direct
``harness run NAME`` imports no typer: ``harness.cli.common``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from harness.corpus.columns import MAPPABLE_FIELDS, ColumnMap, ColumnMapError, column_map
from harness.errors import UsageError

if TYPE_CHECKING:
    from harness.engines import EngineName

# The engines and the experiments' settings (polars, the step registry) are imported
# by the functions below that use them: `harness diff` reads this module without them.

InvalidUtf8Option = Annotated[
    Literal["error", "replace"],
    typer.Option("--invalid-utf8", help="error: refuse bytes that are not UTF-8; replace: one U+FFFD each, counted."),
]

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-C",
        help="Project folder (holds experiments/, results/, reports/); default: the working folder "
        "or the nearest parent holding experiments/*.toml or stored results/.",
        show_default=False,
    ),
]

EngineOption = Annotated[
    Literal["local", "ray"] | None,
    typer.Option("--engine", help="Where batch steps run: local (default, or the experiment's `engine`) or ray."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of text (keys: see the README).")]
RayAddressOption = Annotated[
    str | None,
    typer.Option("--ray-address", help="Join this Ray cluster; without it a local Ray starts with this machine's cores."),
]

ColumnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        metavar="FIELD=COLUMN",
        help="Read an article field from a column of another name, e.g. outlet=category (repeatable; "
        f"fields: {', '.join(MAPPABLE_FIELDS)}).",
    ),
]

# The names of harness.scoring.arms.LOADED_LEXICONS, spelt out so --help imports no
# lexicon code (tests/test_loaded_arm_cli.py checks the two agree).
LoadedLexicon = Literal["harness", "vader-strong"]
LoadedLexiconOption = Annotated[
    LoadedLexicon,
    typer.Option(
        "--loaded-lexicon",
        help="Loaded-language instrument: harness (the built-in lexicon) or vader-strong (VADER's words "
        "with |valence| >= 1.5); attribution verbs and stance markers stay (the loaded_lexicon setting).",
    ),
]


def check_option(option: str, value: Any, annotation: Any) -> None:
    """A UsageError naming ``option`` when ``value`` is outside the annotation's declared range."""
    from harness.experiments.settings import SettingTypeError, coerce

    try:
        coerce(value, annotation)
    except SettingTypeError as exc:
        allowed = getattr(exc, "allowed", None)
        raise UsageError(
            f"{option} {value} is out of range" if allowed else f"{option}: {exc}",
            hint=f"allowed: {allowed}" if allowed else None,
        ) from None


def check_engine_option(engine: EngineName | None, ray_address: str | None) -> None:
    """``--engine`` and ``--ray-address`` together: Ray installed, its cluster answering."""
    from harness.engines import check_engine

    check_engine(engine or "local", address=ray_address)


def column_option(values: Sequence[str] | None) -> ColumnMap:
    """``--column FIELD=COLUMN`` (repeatable) as a checked mapping; a UsageError names a bad one."""
    mapping: dict[str, str] = {}
    for value in values or ():
        name, sep, column = value.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(
                f"--column {value!r} is not FIELD=COLUMN",
                hint="e.g. --column outlet=category; fields: " + ", ".join(MAPPABLE_FIELDS),
            )
        if name in mapping:
            raise UsageError(
                f"--column maps {name} twice ({mapping[name]!r} and {column!r})", hint="give each field one column"
            )
        mapping[name] = column
    try:
        return column_map(mapping)
    except ColumnMapError as exc:
        raise UsageError(f"--column: {exc.message}", hint=exc.hint) from None
