"""Names a package exports but imports on first use (PEP 562).

``harness``, ``harness.discovery``, ``harness.scoring``, ``harness.stats``, ``harness.text`` and
``harness.wirediff`` re-export their public API this way, so that
importing the package is instant and each submodule loads only when one of its
names is asked for.
"""

from __future__ import annotations

import importlib
import sys
import types

# As in harness/__init__.py: not typing.TYPE_CHECKING, whose import would cost more
# than the package it serves; mypy reads this constant the same way.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, MutableMapping
    from typing import Any


def lazy_exports(
    package: str, home: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: ``home`` maps a name to its module."""

    def __getattr__(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *home])

    return __getattr__, __dir__


def keep_functions_named_as_modules(package: str, names: tuple[str, ...]) -> None:
    """Keep each of ``package``'s attributes ``names`` the function of that name, never
    the submodule of that name that holds it.

    Importing ``package.name`` binds the submodule to the package's attribute
    ``name``; a package that imported its names eagerly rebound it to the function
    straight after, and a lazy one would keep the module. Called at the end of the
    package's ``__init__``.
    """

    class _Package(types.ModuleType):
        def __setattr__(self, name: str, value: object) -> None:
            if name in names and isinstance(value, types.ModuleType):
                value = getattr(value, name)
            super().__setattr__(name, value)

    sys.modules[package].__class__ = _Package

