"""Command-line interface (typer). Every command calls the library and nothing else.

Importing this package is cheap: ``main`` (``harness.cli.entry``) loads the typer
app itself, after its Ctrl-C handler is in place. ``harness.cli.app`` is the typer
app (loaded on first use), as it always was, even though a submodule has that name.
A ``harness diff`` command line gets the group holding that command alone
(``harness.cli.diff``), which loads no polars: one pair is mostly start-up.
"""

from __future__ import annotations

import sys
import types

from harness.cli.entry import command, main

TYPE_CHECKING = False  # not typing's: see harness/__init__.py
if TYPE_CHECKING:
    from harness.cli.app import app

__all__ = ["app", "command", "main"]


class _Package(types.ModuleType):
    """This package, with ``app`` loaded on first use.

    A property rather than a module ``__getattr__``: importing the submodule
    ``harness.cli.app`` sets the package attribute ``app`` to that module, which
    would hide the typer app; the property's setter ignores it.
    """

    @property
    def app(self) -> object:
        from harness.cli.app import app

        return app

    @app.setter
    def app(self, value: object) -> None:
        pass  # the import system recording the submodule


sys.modules[__name__].__class__ = _Package
