"""Reading and validating the TOML data files of the wire-copy diff.

Style sheets and the lexicon are edited by researchers, so every mistake names the
file, the line (when the key can be found) and the dotted key, and says what to do.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, NotFoundError, at


@dataclass(frozen=True, slots=True)
class TomlFile:
    """A parsed TOML file plus its source text, for error locations."""

    path: Path
    text: str
    data: dict[str, Any]

    def where(self, dotted_key: str) -> str:
        """``file:line`` of ``dotted_key`` when it can be found, else ``file``."""
        line = _key_line(self.text, dotted_key)
        return at(self.path, line)

    def error(self, dotted_key: str, message: str, hint: str) -> ConfigError:
        return ConfigError(f"key '{dotted_key}': {message}", where=self.where(dotted_key), hint=hint)


def read_toml(path: Path) -> TomlFile:
    """Parse ``path``; a missing file or bad TOML is the user's to fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFoundError(
            "file not found", where=path, hint="check the path or the styles folder"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read file: {exc}", where=path, hint="save it as UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno; its message ends "(at line N, column M)".
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise ConfigError(
            f"not valid TOML: {exc}", where=at(path, line), hint="fix the TOML syntax"
        ) from exc
    return TomlFile(path, text, data)


def declared_version(text: str) -> str | None:
    """The ``# version: N`` line among the first 20 (the project's convention for
    data files, read by :mod:`harness.resources` for manifests)."""
    for line in text.splitlines()[:20]:
        stripped = line.lstrip("# \t")
        if line.lstrip().startswith("#") and stripped.startswith("version:"):
            return stripped.split(":", 1)[1].strip() or None
    return None


def require_version(doc: TomlFile) -> str:
    version = declared_version(doc.text)
    if version is None:
        raise ConfigError(
            "no version line", where=at(doc.path, 1), hint="add a line '# version: 1' near the top of the file"
        )
    return version


def _key_line(text: str, dotted_key: str) -> int | None:
    """Best-effort line number of ``a.b.c``: the key ``c`` inside table ``[a.b]``."""
    *tables, leaf = dotted_key.split(".")
    table = ".".join(tables)
    current = ""
    header = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
    key = re.compile(rf"^\s*\"?{re.escape(leaf)}\"?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found:
            current = found.group(1)
            if current == dotted_key:
                return number
            continue
        if current == table and key.match(line):
            return number
    return None


def table(doc: TomlFile, data: Mapping[str, Any], key: str, dotted: str) -> Mapping[str, Any]:
    """Sub-table ``key``; absent means empty."""
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise doc.error(dotted, f"expected a table, got {type(value).__name__}", f"write it as [{dotted}]")
    return value


def string(doc: TomlFile, data: Mapping[str, Any], key: str, dotted: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise doc.error(dotted, f"expected a string, got {value!r}", 'quote the value: key = "..."')
    return value


def choice(
    doc: TomlFile, data: Mapping[str, Any], key: str, dotted: str, options: tuple[str, ...], default: str
) -> str:
    value = string(doc, data, key, dotted, default)
    if value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise doc.error(dotted, f"unknown value {value!r}", f"use one of {allowed}")
    return value


def boolean(doc: TomlFile, data: Mapping[str, Any], key: str, dotted: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise doc.error(dotted, f"expected true or false, got {value!r}", "write true or false")
    return value


def string_list(
    doc: TomlFile, data: Mapping[str, Any], key: str, dotted: str, *, required: bool = False
) -> tuple[str, ...]:
    if key not in data and required:
        raise doc.error(dotted, "missing", f"add {key} = [ ... ] to the file")
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise doc.error(dotted, "expected a list of non-empty strings", 'write ["a", "b"]')
    return tuple(value)


def string_rows(
    doc: TomlFile, data: Mapping[str, Any], key: str, dotted: str, *, width: int | None = None
) -> tuple[tuple[str, ...], ...]:
    """A list of lists of strings (groups, or pairs when ``width`` is 2)."""
    value = data.get(key, [])
    if not isinstance(value, list):
        raise doc.error(dotted, "expected a list of lists of strings", 'write [["a", "b"], ...]')
    rows: list[tuple[str, ...]] = []
    for number, row in enumerate(value, start=1):
        ok = isinstance(row, list) and row and all(isinstance(v, str) and v for v in row)
        if not ok or (width is not None and len(row) != width):
            shape = f"{width} strings" if width else "a non-empty list of strings"
            raise doc.error(dotted, f"entry {number} is not {shape}: {row!r}", 'write ["a", "b"]')
        rows.append(tuple(row))
    return tuple(rows)


def reject_unknown(doc: TomlFile, data: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    """Typos in key names must not be silently ignored."""
    for key in sorted(data):
        if key not in allowed:
            dotted = f"{prefix}.{key}" if prefix else key
            known = ", ".join(sorted(allowed))
            raise doc.error(dotted, "unknown key", f"known keys here: {known}")
