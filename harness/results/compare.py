"""What differs between two stored results: inputs first, then every table.

A comparison is a report, not a check: it never fails because things differ.

- Inputs: the experiment version, every config setting (dotted paths), the corpus
  (path, hash, counts), every resource (by name: version and SHA-256), every
  package version, and the harness and Python versions.
- Tables: those only in one result; for each common table the columns added,
  removed or retyped, the row counts, and rows added / removed / changed. Rows are
  matched on a natural key when the table has one (``doc_id``, or the shortest run
  of leading text/integer columns that is unique in both results); otherwise whole
  rows are compared (added/removed only). For each numeric column, the largest
  absolute change over the matched rows, with the key where it happens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from harness.results.store import StoredResult

MAX_KEY_COLUMNS = 6  # metrics: doc_id, outlet, field, voice; rates: + category
_KEY_TYPES = (pl.String, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64, pl.Date)


@dataclass(frozen=True, slots=True)
class Change:
    """One manifest field that differs: ``path`` and the value on each side (None: absent)."""

    path: str
    a: Any
    b: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.path, "a": self.a, "b": self.b}


@dataclass(frozen=True, slots=True)
class LargestChange:
    column: str
    key: dict[str, Any]
    a: Any
    b: Any
    abs_change: float
    rows_changed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "rows_changed": self.rows_changed,
            "largest_abs_change": self.abs_change,
            "at": self.key,
            "a": self.a,
            "b": self.b,
        }


@dataclass(frozen=True, slots=True)
class TableDiff:
    name: str
    rows_a: int
    rows_b: int
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: list[Change] = field(default_factory=list)
    key: list[str] = field(default_factory=list)  # empty: rows matched whole
    rows_added: int = 0
    rows_removed: int = 0
    rows_changed: int | None = None  # None: no key, rows cannot be paired
    numeric: list[LargestChange] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (
            self.columns_added or self.columns_removed or self.columns_retyped
            or self.rows_added or self.rows_removed or self.rows_changed
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.name,
            "same": self.same,
            "rows_a": self.rows_a,
            "rows_b": self.rows_b,
            "columns_added": self.columns_added,
            "columns_removed": self.columns_removed,
            "columns_retyped": [c.to_json() for c in self.columns_retyped],
            "key": self.key,
            "rows_added": self.rows_added,
            "rows_removed": self.rows_removed,
            "rows_changed": self.rows_changed,
            "numeric_changes": [n.to_json() for n in self.numeric],
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    a: str
    b: str
    inputs: dict[str, list[Change]]  # section -> changes (experiment, config, corpus, files, resources, packages, environment)
    tables_only_in_a: list[str]
    tables_only_in_b: list[str]
    tables: list[TableDiff]

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "inputs": {section: [c.to_json() for c in changes] for section, changes in self.inputs.items()},
            "tables_only_in_a": self.tables_only_in_a,
            "tables_only_in_b": self.tables_only_in_b,
            "tables": [t.to_json() for t in self.tables],
        }


# -- inputs -------------------------------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists of dicts as ``a.b[0].c`` -> leaf value; a list of plain
    values (doc ids, outlets) is one leaf, shown whole."""
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value):
        out = {}
        for index, inner in enumerate(value):
            out.update(flatten(inner, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def diff_fields(a: Any, b: Any, prefix: str = "") -> list[Change]:
    flat_a, flat_b = flatten(a, prefix), flatten(b, prefix)
    return [
        Change(path, flat_a.get(path), flat_b.get(path))
        for path in sorted(flat_a.keys() | flat_b.keys())
        if flat_a.get(path) != flat_b.get(path) or (path in flat_a) != (path in flat_b)
    ]


def _by_name(resources: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {str(r.get("name")): {k: v for k, v in r.items() if k != "name"} for r in resources if isinstance(r, dict)}


def resource_changes(a: list[dict[str, str]], b: list[dict[str, str]]) -> list[Change]:
    """By name: a resource used by one result only is one change (``version V, sha256 H``);
    one used by both, a change per field that differs (``NAME.sha256``)."""
    by_a, by_b = _by_name(a), _by_name(b)
    changes: list[Change] = []
    for name in sorted(by_a.keys() | by_b.keys()):
        if name in by_a and name in by_b:
            changes += diff_fields(by_a[name], by_b[name], name)
        else:
            changes.append(Change(name, _resource_text(by_a.get(name)), _resource_text(by_b.get(name))))
    return changes


def _resource_text(fields: dict[str, str] | None) -> str | None:
    if fields is None:
        return None
    return ", ".join(f"{key} {value}" for key, value in sorted(fields.items()))


def _inputs_by_path(inputs: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The manifest's input files as named entries (path -> sha256, git status, files)."""
    return [
        {"name": str(i.get("path")), **{k: str(v) for k, v in i.items() if k != "path"}}
        for i in inputs
        if isinstance(i, dict)
    ]


def input_changes(a: StoredResult, b: StoredResult) -> dict[str, list[Change]]:
    ma, mb = a.manifest, b.manifest
    env_a = {k: v for k, v in ma.environment.items() if k != "packages"}
    env_b = {k: v for k, v in mb.environment.items() if k != "packages"}
    return {
        "experiment": diff_fields(
            {"name": a.name, "version": ma.experiment.get("version")},
            {"name": b.name, "version": mb.experiment.get("version")},
        ),
        "config": diff_fields(
            {k: v for k, v in ma.config.items() if k != "resolved_steps"} | {"config_hash": ma.config_hash},
            {k: v for k, v in mb.config.items() if k != "resolved_steps"} | {"config_hash": mb.config_hash},
        )
        + diff_fields(ma.config.get("resolved_steps"), mb.config.get("resolved_steps"), "resolved_steps"),
        "corpus": diff_fields(ma.corpus, mb.corpus),
        # The files themselves (experiment file, corpus, lexicons, style sheets) by hash.
        "files": resource_changes(_inputs_by_path(ma.inputs), _inputs_by_path(mb.inputs)),
        "resources": resource_changes(ma.resources, mb.resources),
        "packages": diff_fields(ma.environment.get("packages", {}), mb.environment.get("packages", {})),
        "environment": diff_fields(env_a, env_b),
    }


# -- tables -------------------------------------------------------------------------------------------


def _unique(frame: pl.DataFrame, columns: list[str]) -> bool:
    keys = frame.select(columns)
    return keys.null_count().sum_horizontal().item() == 0 and not keys.is_duplicated().any()


def natural_key(a: pl.DataFrame, b: pl.DataFrame) -> list[str]:
    """``doc_id`` if unique in both; else the shortest run of leading text/integer
    columns (common to both, same type) that is; else none."""
    common = [c for c in a.columns if c in b.columns and a.schema[c] == b.schema[c]]
    if "doc_id" in common and _unique(a, ["doc_id"]) and _unique(b, ["doc_id"]):
        return ["doc_id"]
    leading: list[str] = []
    for column in a.columns[:MAX_KEY_COLUMNS]:
        if column not in common or a.schema[column] not in _KEY_TYPES:
            break
        leading.append(column)
        if _unique(a, leading) and _unique(b, leading):
            return leading
    return []


def _differs(column: str) -> pl.Expr:
    return pl.col(f"{column}__a").ne_missing(pl.col(f"{column}__b"))


def _numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() and dtype != pl.Boolean


def _largest(joined: pl.DataFrame, key: list[str], column: str) -> LargestChange | None:
    changed = joined.filter(_differs(column))
    if changed.height == 0:
        return None
    delta = (pl.col(f"{column}__b").cast(pl.Float64) - pl.col(f"{column}__a").cast(pl.Float64)).abs()
    ranked = changed.with_columns(delta.alias("__delta")).sort("__delta", descending=True, nulls_last=True)
    top = ranked.row(0, named=True)
    size = top["__delta"]
    return LargestChange(
        column=column,
        key={k: top[k] for k in key},
        a=top[f"{column}__a"],
        b=top[f"{column}__b"],
        abs_change=float(size) if size is not None else float("nan"),
        rows_changed=changed.height,
    )


def _keyed(diff: dict[str, Any], a: pl.DataFrame, b: pl.DataFrame, key: list[str], values: list[str]) -> None:
    """Rows added / removed / changed, matched on ``key``; the largest numeric changes."""
    left = a.select(key + values).rename({c: f"{c}__a" for c in values}).with_columns(pl.lit(True).alias("__in_a"))
    right = b.select(key + values).rename({c: f"{c}__b" for c in values}).with_columns(pl.lit(True).alias("__in_b"))
    joined = left.join(right, on=key, how="full", coalesce=True)
    diff["rows_added"] = joined.filter(pl.col("__in_a").is_null()).height
    diff["rows_removed"] = joined.filter(pl.col("__in_b").is_null()).height
    both = joined.filter(pl.col("__in_a") & pl.col("__in_b"))
    diff["rows_changed"] = both.filter(pl.any_horizontal([_differs(c) for c in values])).height if values else 0
    diff["numeric"] = [
        change
        for c in values
        if _numeric(a.schema[c]) and _numeric(b.schema[c])
        for change in [_largest(both, key, c)]
        if change is not None
    ]


def _whole_rows(diff: dict[str, Any], a: pl.DataFrame, b: pl.DataFrame, values: list[str]) -> None:
    """Without a key: rows counted as a multiset of whole rows (common columns)."""
    if not values:
        diff["rows_added"], diff["rows_removed"] = max(b.height - a.height, 0), max(a.height - b.height, 0)
        return
    counts_a = a.select(values).group_by(values).len("__n_a")
    counts_b = b.select(values).group_by(values).len("__n_b")
    joined = counts_a.join(counts_b, on=values, how="full", coalesce=True, nulls_equal=True)
    n_a, n_b = (pl.col(c).cast(pl.Int64).fill_null(0) for c in ("__n_a", "__n_b"))  # len() is unsigned
    diff["rows_added"] = int(joined.select((n_b - n_a).clip(lower_bound=0).sum()).item())
    diff["rows_removed"] = int(joined.select((n_a - n_b).clip(lower_bound=0).sum()).item())


def compare_tables(name: str, a: pl.DataFrame, b: pl.DataFrame) -> TableDiff:
    common = [c for c in a.columns if c in b.columns]
    retyped = [Change(c, str(a.schema[c]), str(b.schema[c])) for c in common if a.schema[c] != b.schema[c]]
    key = natural_key(a, b)
    values = [c for c in common if c not in key]
    # A retyped column may still hold the same values: numbers are compared as
    # numbers (Int64 1 and Float64 1.0 are equal), anything else as text.
    common_type = [
        pl.col(c.path).cast(pl.Float64 if _numeric(a.schema[c.path]) and _numeric(b.schema[c.path]) else pl.String)
        for c in retyped
    ]
    a_cmp, b_cmp = a.with_columns(common_type), b.with_columns(common_type)
    diff: dict[str, Any] = {}
    if key:
        _keyed(diff, a_cmp, b_cmp, key, values)
    else:
        _whole_rows(diff, a_cmp, b_cmp, values)
        diff["rows_changed"] = None
    return TableDiff(
        name=name,
        rows_a=a.height,
        rows_b=b.height,
        columns_added=[c for c in b.columns if c not in a.columns],
        columns_removed=[c for c in a.columns if c not in b.columns],
        columns_retyped=retyped,
        key=key,
        **diff,
    )


def compare_results(a: StoredResult, b: StoredResult) -> Comparison:
    """Everything that differs from ``a`` to ``b`` (both should be checked intact first)."""
    names_a, names_b = set(a.manifest.tables), set(b.manifest.tables)
    tables = [compare_tables(name, a.table(name), b.table(name)) for name in sorted(names_a & names_b)]
    return Comparison(
        a=a.ref,
        b=b.ref,
        inputs=input_changes(a, b),
        tables_only_in_a=sorted(names_a - names_b),
        tables_only_in_b=sorted(names_b - names_a),
        tables=tables,
    )


# -- text ---------------------------------------------------------------------------------------------


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value) if not isinstance(value, str) else value


def _input_lines(comparison: Comparison) -> list[str]:
    lines = ["inputs:"]
    for section, changes in comparison.inputs.items():
        if not changes:
            lines.append(f"  {section}: same")
            continue
        lines.append(f"  {section}: {len(changes)} difference(s)")
        lines += [f"    {c.path}: {_value(c.a)} -> {_value(c.b)}" for c in changes]
    return lines


def _table_lines(t: TableDiff) -> list[str]:
    head = f"  {t.name}: rows {t.rows_a} -> {t.rows_b}"
    if t.same:
        return [head + ", same"]
    lines = [head + (f", matched on {', '.join(t.key)}" if t.key else ", no key: whole rows compared")]
    for label, columns in (("columns added", t.columns_added), ("columns removed", t.columns_removed)):
        if columns:
            lines.append(f"    {label}: {', '.join(columns)}")
    lines += [f"    column {c.path} retyped: {c.a} -> {c.b}" for c in t.columns_retyped]
    changed = "" if t.rows_changed is None else f", {t.rows_changed} changed"
    lines.append(f"    rows: {t.rows_added} added, {t.rows_removed} removed{changed}")
    for n in t.numeric:
        at = ", ".join(f"{k}={_value(v)}" for k, v in n.key.items())
        size = _value(n.abs_change) if n.abs_change == n.abs_change else "n/a (a value became or was null)"
        lines.append(
            f"    {n.column}: {n.rows_changed} row(s) changed; largest |change| {size} "
            f"at {at} ({_value(n.a)} -> {_value(n.b)})"
        )
    return lines


def render_comparison(comparison: Comparison) -> str:
    """The comparison as plain text lines (values not yet made terminal-safe)."""
    lines = [f"a: {comparison.a}", f"b: {comparison.b}", ""] + _input_lines(comparison) + ["", "tables:"]
    for label, names in (("only in a", comparison.tables_only_in_a), ("only in b", comparison.tables_only_in_b)):
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    for table in comparison.tables:
        lines += _table_lines(table)
    return "\n".join(lines) + "\n"
