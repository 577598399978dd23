"""Every registered step, described from its declarations (``harness steps``).

The description is read from the same places the experiment-file checks read:
each setting's annotation (type, ``Range``/``Length``, choices, ``Help``) and
default in the step's signature, the step's declared inputs and outputs, and the
first line of its docstring. There is no second list to keep in step.

JSON form (``harness steps --json``), one object per step, sorted by name::

    {"name": "compare_outlets", "description": "...", "inputs": ["articles", ...],
     "outputs": ["comparisons", ...], "batch_over": null,
     "settings": [{"name": "n_boot", "type": "integer", "default": 2000,
                   "required": false, "allowed": "an integer in [100, 1000000]",
                   "help": "..."}]}

``default`` is the value as an experiment file would write it (``null`` when the
setting is required, or when its default is "none"); ``allowed`` is ``null`` when
every value of the type is accepted.
"""

from __future__ import annotations

import json
from typing import Any

from harness.errors import NotFoundError
from harness.experiments.registry import Setting, StepDef, StepRegistry
from harness.experiments.settings import allowed_values, type_name


def _plain(value: Any) -> Any:
    """A default as JSON data: tuples as lists, paths as text."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str):
        return str(value)
    return value


def setting_info(setting: Setting) -> dict[str, Any]:
    return {
        "name": setting.name,
        "type": type_name(setting.annotation),
        "default": None if setting.required else _plain(setting.default),
        "required": setting.required,
        "allowed": allowed_values(setting.annotation),
        "help": setting.help,
    }


def step_info(defn: StepDef) -> dict[str, Any]:
    return {
        "name": defn.name,
        "description": defn.summary,
        "inputs": list(defn.inputs),
        "outputs": list(defn.outputs),
        "batch_over": defn.batch_over,
        "settings": [setting_info(s) for s in defn.settings],
    }


def steps_info(registry: StepRegistry, name: str | None = None) -> list[dict[str, Any]]:
    """Every step of ``registry`` (or the one called ``name``), described."""
    if name is None:
        return [step_info(defn) for defn in registry]
    defn = registry.get(name)
    if defn is None:
        raise NotFoundError(f"unknown step {name!r}", hint="registered steps: " + ", ".join(registry.names()))
    return [step_info(defn)]


def _toml(value: Any) -> str:
    """A default as an experiment file writes it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _setting_lines(info: dict[str, Any]) -> list[str]:
    default = "required" if info["required"] else f"default {_toml(info['default'])}"
    allowed = f"; allowed: {info['allowed']}" if info["allowed"] else ""
    lines = [f"    {info['name']} ({info['type']}, {default}{allowed})"]
    if info["help"]:
        lines.append(f"      {info['help']}")
    return lines


def step_text(info: dict[str, Any]) -> str:
    """One step as plain text: a heading line, its tables, then each setting and its help."""
    lines = [
        f"{info['name']}: {info['description']}" if info["description"] else info["name"],
        f"  inputs: {', '.join(info['inputs']) or 'none'}",
        f"  outputs: {', '.join(info['outputs'])}",
    ]
    if info["batch_over"]:
        lines.append(f"  runs in slices of: {info['batch_over']} (local processes or Ray)")
    if not info["settings"]:
        lines.append("  settings: none")
    else:
        lines.append("  settings:")
        for setting in info["settings"]:
            lines.extend(_setting_lines(setting))
    return "\n".join(lines) + "\n"


def steps_text(infos: list[dict[str, Any]]) -> str:
    return "\n".join(step_text(info) for info in infos)
