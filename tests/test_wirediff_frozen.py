"""The diff's frozen dataclasses that write their ``__init__`` out (see harness.wirediff.frozen).

Each must be exactly what ``dataclass`` would generate: one parameter per field, in
field order, with the field's annotation and default, and a body that sets each
field with ``object.__setattr__``, in the same order. Read from the sources, so the
check is the same whether the modules run compiled or not.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import pickle
import types
import typing
from pathlib import Path
from typing import Any

import pytest

import harness.wirediff as wirediff
from harness.wirediff.compiled import core_state

FOLDER = Path(wirediff.__file__).parent
WRITTEN_OUT = {
    "align": ["Run", "Link", "Alignment"],
    "classify": ["Explanation", "Classified", "Found", "Window"],
    "diff": ["SegmentDiff", "EditList"],
    "model": ["Edit", "StyleVariant", "Similarity", "DiffResult"],
    "phrases": ["NumberPhrase", "TitlePhrase"],
    "prepare": ["PreparedText"],
}


def _classes_with_init() -> dict[tuple[str, str], ast.ClassDef]:
    found = {}
    for path in sorted(FOLDER.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body
            ) and any("dataclass" in ast.unparse(d) for d in node.decorator_list):
                found[(path.stem, node.name)] = node
    return found


def test_the_written_out_inits_are_the_ones_listed() -> None:
    assert sorted(_classes_with_init()) == sorted((m, c) for m, names in WRITTEN_OUT.items() for c in names)


@pytest.mark.parametrize("key", sorted(_classes_with_init()), ids=lambda key: f"{key[0]}.{key[1]}")
def test_a_written_out_init_is_the_one_dataclass_would_generate(key: tuple[str, str]) -> None:
    node = _classes_with_init()[key]
    fields = [item for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)]
    init = next(item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__")
    arguments = init.args
    assert not (arguments.kwonlyargs or arguments.vararg or arguments.kwarg or arguments.posonlyargs)
    assert [a.arg for a in arguments.args] == ["self", *(f.target.id for f in fields)]  # type: ignore[union-attr]
    assert [ast.unparse(a.annotation) for a in arguments.args[1:]] == [ast.unparse(f.annotation) for f in fields]  # type: ignore[arg-type]
    defaults = [ast.unparse(f.value) for f in fields if f.value is not None]
    assert [ast.unparse(d) for d in arguments.defaults] == defaults
    assert all(f.value is None for f in fields[: len(fields) - len(defaults)])  # defaults only at the end
    assert not any("field(" in ast.unparse(f.value) for f in fields if f.value is not None)  # no factories
    body = [s for s in init.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    expected = [f'object.__setattr__(self, {f.target.id!r}, {f.target.id})' for f in fields]  # type: ignore[union-attr]
    assert [ast.unparse(s).replace('"', "'") for s in body] == [e.replace('"', "'") for e in expected]
    assert not any(isinstance(item, ast.FunctionDef) and item.name == "__post_init__" for item in node.body)


def _source_hints(cls: type) -> dict[str, Any]:
    """The fields' annotations as written, evaluated in the class's module (a compiled
    class keeps only the outer type: ``tuple`` for ``tuple[str, ...]``)."""
    module = importlib.import_module(cls.__module__)
    tree = ast.parse((FOLDER / f"{cls.__module__.rsplit('.', 1)[-1]}.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__)
    return {
        item.target.id: eval(ast.unparse(item.annotation), vars(module))  # noqa: S307  # our own source
        for item in node.body
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
    }


def _example(hint: Any, depth: int = 0) -> Any:
    """A value of the type ``hint`` (compiled classes check their fields' types)."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _example(next(a for a in arguments if a is not type(None)), depth)
    if origin is tuple:
        return () if len(arguments) == 2 and arguments[1] is Ellipsis else tuple(_example(a, depth) for a in arguments)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next(iter(hint))
    if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or hasattr(hint, "_fields")):
        hints = _source_hints(hint)
        names = [f.name for f in dataclasses.fields(hint)] if dataclasses.is_dataclass(hint) else list(hint._fields)
        return hint(*(_example(hints[name], depth + 1) for name in names))
    return {int: 3 + depth, str: f"s{depth}", bool: True, float: 0.5}[hint]


@pytest.mark.parametrize("key", sorted(_classes_with_init()), ids=lambda key: f"{key[0]}.{key[1]}")
def test_a_written_out_init_keeps_the_dataclass_behaviour(key: tuple[str, str]) -> None:
    cls = getattr(importlib.import_module(f"harness.wirediff.{key[0]}"), key[1])
    if core_state().compiled:
        assert not inspect.isfunction(cls.__init__)  # native: not the dataclass's generated __init__
    hints = _source_hints(cls)
    values = {f.name: _example(hints[f.name]) for f in dataclasses.fields(cls)}
    made = cls(**values)
    assert made == cls(*values.values())
    assert hash(made) == hash(cls(*values.values()))
    assert {name: getattr(made, name) for name in values} == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, next(iter(values)), values[next(iter(values))])
    assert dataclasses.replace(made) == made
    assert pickle.loads(pickle.dumps(made)) == made
    optional = [f for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING]
    required = {f.name: values[f.name] for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING}
    assert all(getattr(cls(**required), f.name) == f.default for f in optional)
