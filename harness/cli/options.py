"""Checking a command's options before it reads anything.

A command checks every option, and every combination of options, first: a bad
value found after minutes of reading and scoring wastes the minutes. Number
options share their allowed ranges with the step settings they correspond to
(``harness.experiments.settings.Range``), so `harness pairs --threshold` and
``threshold`` in an experiment file accept the same values.
"""

from __future__ import annotations

from typing import Any

from harness.engines import EngineName, check_engine
from harness.errors import UsageError
from harness.experiments.settings import SettingTypeError, coerce


def check_option(option: str, value: Any, annotation: Any) -> None:
    """A UsageError naming ``option`` when ``value`` is outside the annotation's declared range."""
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
    check_engine(engine or "local", address=ray_address)
