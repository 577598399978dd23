"""The base of the diff's frozen dataclasses: pickling that works compiled or not.

The diff's modules may run compiled by mypyc (see :mod:`harness.wirediff.compiled`).
A compiled class pickles by setting each attribute again, which a frozen
dataclass refuses (``FrozenInstanceError``), so a pair context sent to a worker,
or a result a user pickles, would fail only when compiled. ``Frozen`` gives every
such class one ``__reduce__`` that rebuilds the object field by field, the same
way in both cases.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def _rebuild(cls: Any, values: dict[str, Any]) -> Any:
    """An instance of ``cls`` with ``values`` set, past the frozen ``__setattr__``."""
    instance = cls.__new__(cls)
    for name, value in values.items():
        object.__setattr__(instance, name, value)
    return instance


class Frozen:
    """Mixed into each frozen dataclass of the diff (no slots of its own)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, dict[str, Any]]]:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]  # every subclass is a dataclass
        return _rebuild, (type(self), {field.name: getattr(self, field.name) for field in fields})
