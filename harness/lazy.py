"""Names a package exports but imports on first use (PEP 562).

``harness`` and ``harness.discovery`` re-export their public API this way, so that
importing the package is instant and each submodule loads only when one of its
names is asked for.
"""

from __future__ import annotations

import importlib

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
