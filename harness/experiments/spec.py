"""Experiment files: plain TOML, checked against the step registry at load time.

    name = "corpus-profile"
    version = "1.0.0"
    description = "Per-article word, sentence and quote counts."

    [corpus]
    path = "seeds"                 # relative to the project folder
    outlets = ["Reuters"]          # optional: keep only these outlets
    doc_ids = []                   # optional: keep only these ids
    columns = { outlet = "category" }   # optional: the corpus's own column names

    [[steps]]
    use = "profile_articles"       # a registered step
    [steps.settings]               # its keyword-only settings (optional)
    count_quotes = true

No code lives in an experiment file: every behaviour is a registered step.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.corpus.columns import NO_COLUMNS, ColumnMap, ColumnMapError, column_map
from harness.errors import ConfigError
from harness.experiments.registry import INPUT_TABLE, StepDef, StepRegistry, default_registry
from harness.experiments.settings import SettingRangeError, SettingTypeError, coerce, describe

# Experiment names become folder names in the result store: keep them boring.
NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # used with fullmatch: "$" would let "name\n" through
TOP_KEYS = ("name", "version", "description", "corpus", "steps", "engine")
ENGINES = ("local", "ray")
CORPUS_KEYS = ("path", "outlets", "doc_ids", "invalid_utf8", "columns")
INVALID_UTF8 = ("error", "replace")
STEP_KEYS = ("use", "settings")
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class CorpusSpec:
    path: str
    outlets: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    invalid_utf8: Literal["error", "replace"] = "error"  # replace: one U+FFFD per bad byte, counted
    columns: ColumnMap = NO_COLUMNS  # article field -> the corpus's column (``outlet = "category"``)


@dataclass(frozen=True, slots=True)
class StepCall:
    use: str
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Experiment:
    name: str
    version: str
    description: str
    corpus: CorpusSpec
    steps: tuple[StepCall, ...]
    file: Path
    engine: Literal["local", "ray"] = "local"  # where batch steps run; never changes the tables

    def canonical(self) -> dict[str, Any]:
        """The experiment as plain data, stable for hashing and manifests.

        ``columns`` is there only when the experiment maps columns: an experiment
        without a mapping keeps the config hash (and result ids) it always had.
        """
        corpus: dict[str, Any] = {
            "path": self.corpus.path,
            "outlets": list(self.corpus.outlets),
            "doc_ids": list(self.corpus.doc_ids),
            "invalid_utf8": self.corpus.invalid_utf8,
        }
        if self.corpus.columns:
            corpus["columns"] = self.corpus.columns.as_dict()
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "corpus": corpus,
            "steps": [
                {"use": call.use, "settings": _jsonable(dict(call.settings))}
                for call in self.steps
            ],
        }

    def config_hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in sorted(value.items())}
    return value


def _unknown_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str, what: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(
                f"unknown key '{what}{key}'",
                where=where,
                hint="allowed keys: " + ", ".join(allowed),
            )


def _require(table: Mapping[str, Any], key: str, kind: type, where: str, what: str = "") -> Any:
    if key not in table:
        raise ConfigError(f"missing key '{what}{key}'", where=where)
    value = table[key]
    if not isinstance(value, kind):
        raise ConfigError(
            f"key '{what}{key}' must be {describe(kind)}, got {value!r}", where=where
        )
    return value


def _string_list(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    try:
        return tuple(coerce(value, list[str]))
    except SettingTypeError as exc:
        raise ConfigError(f"key corpus.{key}: {exc}", where=where) from None


def _parse_corpus(raw: Any, where: str) -> CorpusSpec:
    if not isinstance(raw, dict):
        raise ConfigError("[corpus] must be a table with at least `path`", where=where)
    _unknown_keys(raw, CORPUS_KEYS, where, "corpus.")
    path = _require(raw, "path", str, where, "corpus.")
    if not path.strip() or "\x00" in path:
        # "" would name the project folder itself; no file name holds a NUL.
        raise ConfigError(
            f"key 'corpus.path' = {_toml_value(path)} is not allowed",
            where=where,
            hint="name the corpus file or folder, relative to the project folder",
        )
    invalid = raw.get("invalid_utf8", "error")
    if invalid not in INVALID_UTF8:
        raise ConfigError(
            f"key 'corpus.invalid_utf8' must be one of {', '.join(map(repr, INVALID_UTF8))}, got {invalid!r}",
            where=where,
        )
    return CorpusSpec(
        path,
        _string_list(raw, "outlets", where),
        _string_list(raw, "doc_ids", where),
        invalid,
        _columns(raw.get("columns", {}), where),
    )


def _columns(raw: Any, where: str) -> ColumnMap:
    """``columns = { outlet = "category" }``: checked here, against the corpus when it is read."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"key 'corpus.columns' must be a table, got {_toml_value(raw)}",
            where=where,
            hint='e.g. columns = { outlet = "category", headline = "title" }',
        )
    try:
        return column_map(raw)
    except ColumnMapError as exc:
        raise ConfigError(f"corpus.columns: {exc.message}", where=where, hint=exc.hint) from None


def _toml_value(value: Any) -> str:
    """A value as TOML writes it (``nan``, ``inf``, ``true``, ``"text"``), for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, str | list):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _check_settings(defn: StepDef, raw: Any, where: str, index: int) -> dict[str, Any]:
    label = f"steps[{index}].settings"
    if not isinstance(raw, dict):
        raise ConfigError(f"{label} must be a table", where=where)
    allowed = [s.name for s in defn.settings]
    checked: dict[str, Any] = {}
    for key, value in raw.items():
        setting = defn.setting(key)
        if setting is None:
            raise ConfigError(
                f"unknown setting {label}.{key} for step {defn.name!r}",
                where=where,
                hint="allowed: " + (", ".join(allowed) if allowed else "none"),
            )
        try:
            checked[key] = coerce(value, setting.annotation)
        except SettingRangeError as exc:
            raise ConfigError(
                f"{label}.{key}{exc.at} = {_toml_value(exc.value)} is "
                + ("out of range" if isinstance(exc.value, int | float) else "not allowed"),
                where=where,
                hint=f"allowed: {exc.allowed}",
            ) from None
        except SettingTypeError as exc:
            raise ConfigError(f"{label}.{key}: {exc}", where=where) from None
    missing = [s.name for s in defn.settings if s.required and s.name not in checked]
    if missing:
        raise ConfigError(f"{label} is missing required setting(s): {', '.join(missing)}", where=where)
    return checked


def _parse_steps(raw: Any, where: str, registry: StepRegistry) -> tuple[StepCall, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError("an experiment needs at least one [[steps]] entry", where=where)
    available = {INPUT_TABLE}
    calls: list[StepCall] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(f"steps[{index}] must be a table", where=where)
        _unknown_keys(entry, STEP_KEYS, where, f"steps[{index}].")
        use = _require(entry, "use", str, where, f"steps[{index}].")
        defn = registry.get(use)
        if defn is None:
            raise ConfigError(
                f"unknown step steps[{index}].use = {use!r}",
                where=where,
                hint="registered steps: " + ", ".join(registry.names()),
            )
        missing = [name for name in defn.inputs if name not in available]
        if missing:
            raise ConfigError(
                f"step {use!r} needs table(s) {', '.join(missing)} that no earlier step makes",
                where=where,
                hint="tables available here: " + ", ".join(sorted(available)),
            )
        available.update(defn.outputs)
        calls.append(StepCall(use, _check_settings(defn, entry.get("settings", {}), where, index)))
    return tuple(calls)


def parse_experiment(text: str, *, file: Path, registry: StepRegistry | None = None) -> Experiment:
    """Parse and check one experiment file's text; ConfigError names file and key."""
    where = str(file)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"malformed TOML: {exc}", where=where, hint="fix the syntax") from None
    _unknown_keys(raw, TOP_KEYS, where, "")
    name = _require(raw, "name", str, where)
    if not NAME_RE.fullmatch(name):
        raise ConfigError(
            f"experiment name {name!r} is not allowed",
            where=where,
            hint="use lower-case letters, digits and '-', at most 64 characters",
        )
    engine = raw.get("engine", "local")
    if engine not in ENGINES:
        raise ConfigError(
            f"key 'engine' must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}", where=where
        )
    return Experiment(
        engine=engine,
        name=name,
        version=_require(raw, "version", str, where),
        description=_require(raw, "description", str, where) if "description" in raw else "",
        corpus=_parse_corpus(raw.get("corpus"), where),
        steps=_parse_steps(raw.get("steps"), where, registry or default_registry()),
        file=file,
    )


# Experiment files are a few hundred bytes of TOML: anything far larger is not one
# (a log or a data file saved as .toml), and reading it whole would waste memory.
MAX_EXPERIMENT_BYTES = 1024 * 1024


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_experiment_bytes(path: Path) -> bytes:
    """The file's bytes, or a ConfigError naming it: never a hang or a traceback.

    Checked with stat before opening, so that a folder, a FIFO (opening one blocks
    until a writer comes), a device or a symlink loop is named for what it is.
    """
    try:
        info = path.stat()  # follows symlinks: a loop or a dangling link fails here
    except FileNotFoundError:
        raise ConfigError("experiment file not found", where=path, hint="a symlink to a missing file?") from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the experiment file: {exc.strerror or exc}", where=path, hint="check the path and its links"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(
            f"is {_file_kind(info.st_mode)}, not an experiment file",
            where=path,
            hint="an experiment is a *.toml file: remove or rename this one",
        )
    if info.st_size > MAX_EXPERIMENT_BYTES:
        raise ConfigError(
            f"is {info.st_size} bytes, too large for an experiment file (at most {MAX_EXPERIMENT_BYTES})",
            where=path,
            hint="an experiment file is a short TOML file; move data files out of experiments/",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read the experiment file: {exc.strerror or exc}", where=path, hint="check the file's permissions"
        ) from None


def load_experiment_file(path: Path, *, registry: StepRegistry | None = None) -> Experiment:
    data = read_experiment_bytes(path).removeprefix(UTF8_BOM)  # Windows editors add one
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}, line {line})",
            where=path,
            hint="re-save the file as UTF-8",
        ) from None
    return parse_experiment(text, file=path, registry=registry)
