"""Type-checking experiment-file values against a step's annotations.

Supported annotations: str, int, float, bool, Literal[...] of those, list[T] and
tuple[T, ...] of supported T, dict[str, T] (a TOML table with text keys), ``T | None``, and ``Annotated[T, constraint]`` where
the constraint is a :class:`Range` (numbers) or a :class:`Length` (lists). TOML has
no null, so ``None`` can only come from the default.

Every number setting declares its range next to its type, so a value that fits
the type but not the step (``n_boot = 0``, ``threshold = 1.5``, ``seed = -1``,
``nan``) is refused when the experiment file is loaded, with the allowed range
in the message, rather than failing deep inside a run::

    n_boot: Annotated[int, Range(minimum=1, maximum=1_000_000)] = 2000

What a setting does is declared next to it too, with :class:`Help`; ``harness
steps`` shows every setting's type, default, allowed values and help from these
same annotations::

    n_boot: Annotated[int, Range(100, 1_000_000), Help("Bootstrap resamples per interval.")] = 2000
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal


class ProjectPath(str):
    """A file or folder named in an experiment file, relative to the project folder.

    A step that reads data files (style sheets, user lexicons) annotates the
    setting with this type; the runner hands the step an absolute path, so the
    step stays a pure function of its arguments.
    """


class SettingTypeError(ValueError):
    """A value does not fit a setting's annotation; the message names what fits."""


class SettingRangeError(SettingTypeError):
    """A value of the right type outside the setting's declared range.

    ``at`` locates the value inside the setting (``"[1]"`` for a list item, else
    ``""``); ``allowed`` describes what the setting accepts.
    """

    def __init__(self, value: Any, allowed: str, at: str = "") -> None:
        super().__init__(f"{value!r} is out of range (allowed: {allowed})")
        self.value = value
        self.allowed = allowed
        self.at = at


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True, slots=True)
class Range:
    """The values a number setting allows: ``Annotated[float, Range(0, 1, exclusive_minimum=True)]``.

    Bounds are inclusive unless marked exclusive; ``None`` leaves that side open.
    NaN and infinities (which TOML can write) are never in range.
    """

    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False

    def admits(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.minimum is not None and (value <= self.minimum if self.exclusive_minimum else value < self.minimum):
            return False
        if self.maximum is not None and (value >= self.maximum if self.exclusive_maximum else value > self.maximum):
            return False
        return True

    def describe(self, kind: str) -> str:
        """``an integer >= 1``, ``a number in (0, 1]``: what the message shows."""
        low = None if self.minimum is None else _number(self.minimum)
        high = None if self.maximum is None else _number(self.maximum)
        if low is not None and high is not None:
            left = "(" if self.exclusive_minimum else "["
            right = ")" if self.exclusive_maximum else "]"
            return f"{kind} in {left}{low}, {high}{right}"
        if low is not None:
            return f"{kind} {'>' if self.exclusive_minimum else '>='} {low}"
        if high is not None:
            return f"{kind} {'<' if self.exclusive_maximum else '<='} {high}"
        return f"any finite {kind.split()[-1]}"


@dataclass(frozen=True, slots=True)
class Length:
    """How many items a list setting holds: ``Annotated[list[str], Length(2, 2)]``."""

    minimum: int = 0
    maximum: int | None = None

    def admits(self, size: int) -> bool:
        return size >= self.minimum and (self.maximum is None or size <= self.maximum)

    def describe(self, items: str) -> str:
        if self.maximum == self.minimum:
            return f"a list of exactly {self.minimum} {items}"
        if self.maximum is None:
            return f"a list of at least {self.minimum} {items}"
        return f"a list of {self.minimum} to {self.maximum} {items}"


Constraint = Range | Length


@dataclass(frozen=True, slots=True)
class Help:
    """What a setting does, in a sentence or two: ``Annotated[bool, Help("...")]``.

    Shown by ``harness steps``; it changes nothing about which values are accepted.
    """

    text: str


def help_text(annotation: Any) -> str | None:
    """The :class:`Help` declared with ``annotation``, if any."""
    if typing.get_origin(annotation) is Annotated:
        return next((e.text for e in typing.get_args(annotation)[1:] if isinstance(e, Help)), None)
    return None

# Ranges many steps share.
Seed = Annotated[int, Range(minimum=0)]  # numpy's SeedSequence takes no negative seed


def _split_annotated(annotation: Any) -> tuple[Any, tuple[Constraint, ...]]:
    """``Annotated[T, c, ...]`` -> (T, constraints); anything else -> (annotation, ())."""
    if typing.get_origin(annotation) is Annotated:
        base, *extras = typing.get_args(annotation)
        return base, tuple(e for e in extras if isinstance(e, Range | Length))
    return annotation, ()


def describe(annotation: Any) -> str:
    """A human name for an annotation: 'integer', 'one of "a", "b"', 'list of text'."""
    annotation, _ = _split_annotated(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (list, tuple):
        return f"list of {describe(args[0])}"
    if origin is dict:
        return f"table of {describe(args[1])}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in args if a is not type(None))
    names = {str: "text", int: "integer", float: "number", bool: "true/false", ProjectPath: "path"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


_ARTICLES = {int: "an integer", float: "a number"}
_TYPE_NAMES = {str: "text", int: "integer", float: "number", bool: "true/false", ProjectPath: "path"}
_PLURALS = {str: "texts", int: "integers", float: "numbers", bool: "true/false values", ProjectPath: "paths"}


def type_name(annotation: Any, *, plural: bool = False) -> str:
    """A setting's type as ``harness steps`` shows it: 'integer', 'list of paths',
    'table of paths', 'text or none' (ranges and choices: :func:`allowed_values`)."""
    base, _ = _split_annotated(annotation)
    origin = typing.get_origin(base)
    args = typing.get_args(base)
    if origin is Literal:
        return "choices" if plural else "choice"
    if origin in (list, tuple):
        return ("lists of " if plural else "list of ") + type_name(args[0], plural=True)
    if origin is dict:
        return ("tables of " if plural else "table of ") + type_name(args[1], plural=True)
    if origin in (typing.Union, types.UnionType):
        # TOML has no null: ``None`` is only ever the default, shown as such.
        return " or ".join(type_name(a, plural=plural) for a in args if a is not type(None))
    names = _PLURALS if plural else _TYPE_NAMES
    return names.get(base, getattr(base, "__name__", str(base)))


def allowed_values(annotation: Any) -> str | None:
    """What a setting accepts beyond its type (a range, a length, choices), if anything."""
    base, constraints = _split_annotated(annotation)
    if constraints:
        return allowed(annotation)
    origin = typing.get_origin(base)
    args = typing.get_args(base)
    if origin is Literal:
        return describe(base)
    if origin in (list, tuple):
        item = allowed_values(args[0])
        return f"each item: {item}" if item else None
    if origin is dict:
        item = allowed_values(args[1])
        return f"each value: {item}" if item else None
    if origin in (typing.Union, types.UnionType):
        parts = [part for a in args if a is not type(None) and (part := allowed_values(a))]
        return "; ".join(parts) or None
    if base is ProjectPath:
        return "a path relative to the project folder"
    return None


def allowed(annotation: Any) -> str:
    """What a setting accepts, range included: 'an integer >= 1', 'a number in (0, 1]'."""
    base, constraints = _split_annotated(annotation)
    for constraint in constraints:
        if isinstance(constraint, Range):
            return constraint.describe(_ARTICLES.get(base, describe(base)))
        if isinstance(constraint, Length):
            item = typing.get_args(base)[0] if typing.get_args(base) else Any
            return constraint.describe(f"{describe(item)} items")
    return describe(base)


def coerce(value: Any, annotation: Any) -> Any:
    """Return ``value`` checked (and, for int->float and list->tuple, converted).

    A value of the wrong type raises :class:`SettingTypeError`; one of the right
    type outside a declared range, :class:`SettingRangeError`.
    """
    base, constraints = _split_annotated(annotation)
    checked = _coerce_type(value, base)
    for constraint in constraints:
        size_or_value = len(checked) if isinstance(constraint, Length) else checked
        if not constraint.admits(size_or_value):
            raise SettingRangeError(value, allowed(annotation))
    return checked


def _coerce_type(value: Any, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        if value in args and type(value) in {type(a) for a in args}:
            return value
        raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
    if origin in (typing.Union, types.UnionType):
        return _coerce_union(value, annotation)
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
        items = [_coerce_item(item, args[0], index) for index, item in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
        return {_coerce_scalar(key, args[0]): coerce(item, args[1]) for key, item in value.items()}
    return _coerce_scalar(value, annotation)


def _coerce_union(value: Any, annotation: Any) -> Any:
    """The first option the value fits; a range error of a fitting type wins over type errors."""
    out_of_range: SettingRangeError | None = None
    for option in typing.get_args(annotation):
        if option is type(None):
            continue
        try:
            return coerce(value, option)
        except SettingRangeError as exc:
            out_of_range = out_of_range or exc
        except SettingTypeError:
            continue
    if out_of_range is not None:
        raise out_of_range
    raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")


def _coerce_item(item: Any, annotation: Any, index: int) -> Any:
    """One list item; a range error names the item's index."""
    try:
        return coerce(item, annotation)
    except SettingRangeError as exc:
        raise SettingRangeError(exc.value, exc.allowed, f"[{index}]{exc.at}") from None


def resolve_paths(value: Any, base: Path) -> Any:
    """Every ProjectPath inside ``value`` made absolute against ``base``."""
    if isinstance(value, ProjectPath):
        return ProjectPath(str((base / value).resolve()))
    if isinstance(value, list):
        return [resolve_paths(v, base) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve_paths(v, base) for v in value)
    if isinstance(value, dict):
        return {k: resolve_paths(v, base) for k, v in value.items()}
    return value


def _coerce_scalar(value: Any, annotation: Any) -> Any:
    # bool is a subclass of int in Python: refuse true/false where a number is asked.
    if annotation is bool and isinstance(value, bool):
        return value
    if annotation is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if annotation is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if annotation is ProjectPath and isinstance(value, str):
        return _project_path(value)
    if annotation is str and isinstance(value, str):
        return value
    raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")


def _project_path(value: str) -> ProjectPath:
    # An empty path would name the project folder itself; a NUL byte no file at all
    # (the operating system refuses it): both are mistakes in the file, not paths.
    if not value.strip() or "\x00" in value:
        raise SettingRangeError(value, "a non-empty path relative to the project folder, without NUL characters")
    return ProjectPath(value)


def needs_range(annotation: Any) -> bool:
    """True when a number inside ``annotation`` has no declared :class:`Range`."""
    base, constraints = _split_annotated(annotation)
    if base in (int, float):
        return not any(isinstance(c, Range) for c in constraints)
    return any(needs_range(arg) for arg in typing.get_args(base) if typing.get_origin(base) is not Literal)
