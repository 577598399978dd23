"""Type-checking experiment-file values against a step's annotations.

Supported annotations: str, int, float, bool, Literal[...] of those, list[T] and
tuple[T, ...] of supported T, dict[str, T] (a TOML table with text keys), and
``T | None``. TOML has no null, so ``None`` can
only come from the default.
"""

from __future__ import annotations

import types
from pathlib import Path
import typing
from typing import Any, Literal


class ProjectPath(str):
    """A file or folder named in an experiment file, relative to the project folder.

    A step that reads data files (style sheets, user lexicons) annotates the
    setting with this type; the runner hands the step an absolute path, so the
    step stays a pure function of its arguments.
    """


class SettingTypeError(ValueError):
    """A value does not fit a setting's annotation; the message names what fits."""


def describe(annotation: Any) -> str:
    """A human name for an annotation: 'integer', 'one of "a", "b"', 'list of text'."""
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


def coerce(value: Any, annotation: Any) -> Any:
    """Return ``value`` checked (and, for int->float and list->tuple, converted)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        if value in args and type(value) in {type(a) for a in args}:
            return value
        raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
    if origin in (typing.Union, types.UnionType):
        for option in args:
            if option is type(None):
                continue
            try:
                return coerce(value, option)
            except SettingTypeError:
                continue
        raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
        items = [coerce(item, args[0]) for item in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
        return {_coerce_scalar(key, args[0]): coerce(item, args[1]) for key, item in value.items()}
    return _coerce_scalar(value, annotation)


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
        return ProjectPath(value)
    if annotation is str and isinstance(value, str):
        return value
    raise SettingTypeError(f"expected {describe(annotation)}, got {value!r}")
