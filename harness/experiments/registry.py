"""The one registry of experiment steps.

A step is a plain function over polars frames:

    @step(outputs=("profile",), resources=text_resources, report=profile_report)
    def profile_articles(articles: pl.DataFrame, *, count_quotes: bool = True) -> Tables:
        ...

- Positional parameters are *input tables*, named by the parameter name
  (``articles`` is the selected corpus; later names are earlier steps' outputs).
- Keyword-only parameters are the step's *settings*: their annotations (str, int,
  float, bool, Literal[...], list[...], dict[str, ...]) are what an experiment file is checked
  against at load time, and their defaults make them optional. A number setting
  declares its allowed range with its type, ``Annotated[int, Range(minimum=1)]``
  (see ``harness.experiments.settings``): registering one without is an error.
  ``Help("...")`` in the same ``Annotated`` says what the setting does (shown by
  ``harness steps``, with the type, default and range, from these declarations).
- The function returns a mapping from each declared output name to a frame.
- ``resources`` maps the step's settings to the data files it reads (recorded
  in the manifest); a ``ProjectPath`` setting arrives resolved to an absolute path;
  ``report`` renders the step's section of the report from stored tables alone.
- ``gather`` (optional) makes further tables from the step's whole outputs, once,
  after every batch is in: per-outlet summaries, which no slice of the articles can
  compute. Its tables are stored with the step's own (``StepDef.outputs`` has both).
- ``prestart`` (optional) is called with the selected articles and the step's
  settings before the run's first step: it may start what the step will need
  (worker processes) so that their start overlaps the earlier steps. It changes
  no table; a run is the same without it.
- ``lazy_articles`` says the step also takes ``articles`` as a ``pl.LazyFrame``:
  when every step of an experiment that reads the articles says so, `harness run`
  reads a large corpus in batches instead of holding it (``harness.run.spill``).
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from harness.experiments.settings import SettingTypeError, coerce, help_text, needs_range
from harness.resources import Resource

Tables = Mapping[str, pl.DataFrame]


@typing.runtime_checkable
class ScannableTables(typing.Protocol):
    """Tables that can also be read lazily: a stored result's (``harness.results.StoredTables``)."""

    def scan(self, name: str) -> pl.LazyFrame: ...


def scan_table(tables: Tables, name: str) -> pl.LazyFrame:
    """Table ``name`` as a lazy table: from a stored result, over its file, so that a
    query reads only the columns and rows it needs (a count by category reads five
    short columns of a million edits, not their texts)."""
    if isinstance(tables, ScannableTables):
        return tables.scan(name)
    return tables[name].lazy()


def rows_where(tables: Tables, name: str, predicate: pl.Expr) -> pl.DataFrame:
    """The rows of table ``name`` that ``predicate`` keeps. From a stored result, only
    those are read from the table's file: a report that shows a few articles does not
    read an articles table of a million."""
    return scan_table(tables, name).filter(predicate).collect()


StepFunction = Callable[..., Tables]
# Given the step's resolved settings, the data files it reads (for the manifest).
ResourceList = Callable[[Mapping[str, Any]], Sequence[Resource]]
# A report section is a pure function of stored tables (and the step's settings
# as recorded in the manifest): it must never recompute an analysis.
ReportSection = Callable[[Tables, Mapping[str, Any]], Sequence[Any]]
# Given the step's gathered outputs and its resolved settings, further tables.
GatherFunction = Callable[[Tables, Mapping[str, Any]], Tables]
# Given the selected articles and the step's resolved settings, start what the step
# will need (worker processes) before the run's first step; it returns nothing.
Prestart = Callable[[pl.DataFrame, Mapping[str, Any]], None]

_NO_DEFAULT = inspect.Parameter.empty
# The table every experiment starts from: the selected articles of its corpus.
INPUT_TABLE = "articles"


class DuplicateStepError(ValueError):
    """Two steps claim one name: a programming error, raised at import time."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One keyword-only setting of a step."""

    name: str
    annotation: Any
    default: Any = _NO_DEFAULT

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT

    @property
    def help(self) -> str | None:
        """What the setting does (its ``Help`` annotation), if declared."""
        return help_text(self.annotation)


@dataclass(frozen=True, slots=True)
class Gather:
    """Tables made once from a step's whole outputs (see the module docs)."""

    outputs: tuple[str, ...]
    func: GatherFunction


@dataclass(frozen=True, slots=True)
class StepDef:
    name: str
    func: StepFunction
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    settings: tuple[Setting, ...]
    resources: ResourceList | None
    report: ReportSection | None
    summary: str
    batch_over: str | None = None  # an input table the step may be run on in slices
    wants_engine: bool = False  # takes the keyword `engine` (see ENGINE_PARAMETER)
    gather: Gather | None = None  # its outputs are in `outputs` too, after the function's own
    prestart: Prestart | None = None  # starts what the step will need, before the run's first step
    lazy_articles: bool = False  # takes `articles` as a pl.LazyFrame too (see the module docstring)

    @property
    def func_outputs(self) -> tuple[str, ...]:
        """The tables the step function itself returns (per batch, for a batched step)."""
        gathered = set(self.gather.outputs) if self.gather else set()
        return tuple(name for name in self.outputs if name not in gathered)

    def setting(self, name: str) -> Setting | None:
        return next((s for s in self.settings if s.name == name), None)


class StepRegistry:
    """Name -> step. Refuses a second step with a name already taken.

    ``builtin`` maps each built-in step's name to the module whose import registers
    it. A module is imported the first time one of its steps is asked for (``get``,
    ``in``), and every one when the registry is listed (``names``, iteration), so the
    registry is never seen without them; a run imports only the modules of the steps
    its experiments use (the scorecard's modules are not loaded to find copies).
    """

    def __init__(self, builtin: Mapping[str, str] | None = None) -> None:
        self._steps: dict[str, StepDef] = {}
        self._unloaded: dict[str, str] = dict(builtin or {})  # step name -> module not yet imported

    def _load(self, modules: set[str]) -> None:
        for module in sorted(modules):
            unloaded = {name: at for name, at in self._unloaded.items() if at == module}
            for name in unloaded:  # first: the module's import reads nothing of it
                del self._unloaded[name]
            try:
                importlib.import_module(module)
            except BaseException:
                self._unloaded.update(unloaded)  # interrupted or broken: try again next time
                raise

    def _load_step(self, name: object) -> None:
        module = self._unloaded.get(name) if isinstance(name, str) else None
        if module is not None:
            self._load({module})

    def _load_builtin(self) -> None:
        if self._unloaded:
            self._load(set(self._unloaded.values()))

    def add(self, defn: StepDef) -> None:
        if defn.name in self._steps:
            raise DuplicateStepError(
                f"step {defn.name!r} is registered twice "
                f"({self._steps[defn.name].func.__module__} and {defn.func.__module__})"
            )
        self._steps[defn.name] = defn

    def get(self, name: str) -> StepDef | None:
        self._load_step(name)
        return self._steps.get(name)

    def names(self) -> list[str]:
        self._load_builtin()
        return sorted(self._steps)

    def __iter__(self) -> Iterator[StepDef]:
        return iter(self._steps[name] for name in self.names())

    def __contains__(self, name: object) -> bool:
        self._load_step(name)
        return name in self._steps


# Each built-in step and the module that registers it (the step modules import this
# module). A test checks the table against what the modules register.
BUILTIN_STEPS = {
    "compare_outlets": "harness.steps.framing",
    "discover_pairs": "harness.steps.discovery",
    "match_stories": "harness.steps.stories",
    "outlet_pairs": "harness.steps.wirecopy",
    "profile_articles": "harness.steps.profile",
    "score_core_suite": "harness.steps.framing",
    "score_framing": "harness.steps.framing",
    "wire_diff": "harness.steps.wirecopy",
}
STEPS = StepRegistry(builtin=BUILTIN_STEPS)


def default_registry() -> StepRegistry:
    """The registry of the built-in steps: each is registered when first asked for
    (listing the registry registers them all)."""
    return STEPS


# A keyword-only parameter of this name is not a setting: the runner hands the step
# the engine it runs on (local or Ray), for steps that spread work themselves.
ENGINE_PARAMETER = "engine"


def _signature_parts(func: StepFunction) -> tuple[tuple[str, ...], tuple[Setting, ...], bool]:
    hints = typing.get_type_hints(func, include_extras=True)  # keep Annotated ranges
    inputs: list[str] = []
    settings: list[Setting] = []
    wants_engine = False
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            inputs.append(param.name)
        elif param.kind is param.KEYWORD_ONLY and param.name == ENGINE_PARAMETER:
            wants_engine = True
        elif param.kind is param.KEYWORD_ONLY:
            if param.name not in hints:
                raise TypeError(f"setting {param.name!r} of {func.__name__} needs a type annotation")
            settings.append(_setting(func, param.name, hints[param.name], param.default))
        else:
            raise TypeError(f"{func.__name__}: *args/**kwargs are not allowed in a step")
    return tuple(inputs), tuple(settings), wants_engine


def _setting(func: StepFunction, name: str, annotation: Any, default: Any) -> Setting:
    """A setting, checked once at registration: numbers declare a range, defaults fit it."""
    if needs_range(annotation):
        raise TypeError(
            f"setting {name!r} of {func.__name__} is a number without a declared range: "
            "annotate it as Annotated[int, Range(minimum=..., maximum=...)]"
        )
    if default is not _NO_DEFAULT and default is not None:
        try:
            coerce(list(default) if isinstance(default, tuple) else default, annotation)
        except SettingTypeError as exc:
            raise TypeError(f"default of setting {name!r} of {func.__name__} does not fit: {exc}") from None
    return Setting(name, annotation, default)


def step(
    name: str | None = None,
    *,
    outputs: Sequence[str],
    resources: ResourceList | None = None,
    report: ReportSection | None = None,
    batch_over: str | None = None,
    gather: Gather | None = None,
    prestart: Prestart | None = None,
    lazy_articles: bool = False,
    registry: StepRegistry = STEPS,
) -> Callable[[StepFunction], StepFunction]:
    """Register a step function; returns it unchanged so it stays a plain function.

    ``batch_over`` names an input table whose consecutive slices can be processed
    apart (every output row comes from one input row, in input order): engines
    such as Ray may then spread the step over workers. ``gather`` names tables made
    from the step's outputs once they are all in (per-outlet summaries). ``prestart``
    starts what the step will need before the run's first step, and ``lazy_articles``
    says the step takes its ``articles`` as a lazy table too (see the module docstring).
    """

    def register(func: StepFunction) -> StepFunction:
        inputs, settings, wants_engine = _signature_parts(func)
        if batch_over is not None and batch_over not in inputs:
            raise TypeError(f"{func.__name__}: batch_over={batch_over!r} is not one of its input tables {inputs}")
        if lazy_articles and (INPUT_TABLE not in inputs or batch_over == INPUT_TABLE):
            raise TypeError(f"{func.__name__}: lazy_articles needs an {INPUT_TABLE!r} input that is not batched")
        summary = (inspect.getdoc(func) or "").strip().splitlines()
        registry.add(
            StepDef(
                name=name or func.__name__,
                func=func,
                inputs=inputs,
                outputs=(*outputs, *(gather.outputs if gather else ())),
                settings=settings,
                resources=resources,
                report=report,
                summary=summary[0] if summary else "",
                batch_over=batch_over,
                wants_engine=wants_engine,
                gather=gather,
                prestart=prestart,
                lazy_articles=lazy_articles,
            )
        )
        return func

    return register
