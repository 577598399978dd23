"""The base of the diff's frozen dataclasses: pickling that works compiled or not.

The diff's modules may run compiled by mypyc (see :mod:`harness.wirediff.compiled`).
A compiled class pickles by setting each attribute again, which a frozen
dataclass refuses (``FrozenInstanceError``), so a pair context sent to a worker,
or a result a user pickles, would fail only when compiled. ``Frozen`` gives every
such class one ``__reduce__`` that rebuilds the object through its ``__init__``
from its fields' values, the same way in both cases.

The classes built for every edit (``Classified``, ``Edit``, ``Explanation``, ``Run``,
...) write their ``__init__`` out, exactly as the dataclass would generate it
(``object.__setattr__`` per field, in field order, with the fields' defaults):
the dataclass's own ``__init__`` is made at run time and stays interpreted even in
a compiled module (some 700 ns per object), while a written-out one compiles to
native stores (some 30 ns). ``tests/test_wirediff_frozen.py`` checks every such
``__init__`` against its fields.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def _rebuild(cls: Any, values: dict[str, Any]) -> Any:
    """An instance of ``cls`` with its fields' ``values`` (every field is an ``__init__``
    parameter: none is ``init=False``). Not ``cls.__new__`` and attributes set one by
    one: a compiled class with a written-out ``__init__`` makes no empty instance."""
    return cls(**values)


class Frozen:
    """Mixed into each frozen dataclass of the diff (no slots of its own)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, dict[str, Any]]]:
        fields = dataclasses.fields(self)  # type: ignore[arg-type]  # every subclass is a dataclass
        return _rebuild, (type(self), {field.name: getattr(self, field.name) for field in fields})
