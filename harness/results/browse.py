"""Finding stored results: list them with their dates, open one, export a table.

The library behind ``harness results``, ``show`` and ``export``, and the Python
API a notebook uses::

    import harness
    harness.list_results("corpus-profile")            # polars DataFrame, newest first
    result = harness.open_result("corpus-profile")    # LATEST; or NAME@ID, NAME~1
    result.table("profile")                           # polars DataFrame

A reference is ``NAME`` (the result ``LATEST`` names), ``NAME@RESULT_ID``, or
``NAME~N``: the result N places below the newest in the listing (``NAME~0`` is the
newest, ``NAME~1`` the one before it), so two runs can be compared without
copying ids.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

import polars as pl

from harness.errors import HarnessError, NotFoundError, UsageError
from harness.experiments.spec import NAME_RE
from harness.results.store import ResultStore, StoredResult, parse_ref

ExportFormat = Literal["csv", "parquet", "jsonl", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "parquet", "jsonl", "json")
TEXT_FORMATS = ("csv", "jsonl", "json")
# NAME~N: the N-th result below the newest (a small, fixed number of digits: never a path).
RELATIVE_REF_RE = re.compile(r"(?P<name>[^~@]+)~(?P<back>[0-9]{1,6})")

# The columns of `harness results --json` and `list_results()`: a stable contract
# (README, "Finding, comparing and exporting results"). New keys may be added at the end.
LISTING_COLUMNS: dict[str, Any] = {
    "name": pl.String,
    "result_id": pl.String,
    "ref": pl.String,
    "latest": pl.Boolean,
    "created": pl.String,
    "experiment_version": pl.String,
    "config_hash": pl.String,
    "corpus_path": pl.String,
    "corpus_hash": pl.String,
    "articles": pl.Int64,
    "tables": pl.List(pl.String),
    "engine": pl.String,
    "commit": pl.String,
    "dirty": pl.Boolean,
    "harness_version": pl.String,
    "problem": pl.String,
}


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of the listing. ``problem`` is set (and most fields None) when the
    manifest cannot be read: the listing still shows the result exists; with
    ``check``, also for a damaged result (its fields as its manifest says)."""

    name: str
    result_id: str
    latest: bool
    created: str | None = None
    experiment_version: str | None = None
    config_hash: str | None = None
    corpus_path: str | None = None
    corpus_hash: str | None = None
    articles: int | None = None
    tables: tuple[str, ...] = ()
    engine: str | None = None
    commit: str | None = None
    dirty: bool | None = None
    harness_version: str | None = None
    problem: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.result_id}"

    def to_json(self) -> dict[str, Any]:
        row = {column: getattr(self, column) for column in LISTING_COLUMNS}
        row["tables"] = list(self.tables)
        return row


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _listed(stored: StoredResult, latest: bool) -> Listed:
    m = stored.manifest
    articles = m.corpus.get("articles_selected")
    dirty = m.git.get("dirty") if isinstance(m.git, dict) else None
    return Listed(
        name=stored.name,
        result_id=stored.result_id,
        latest=latest,
        created=_text(m.run.get("started_at")) if isinstance(m.run, dict) else None,
        experiment_version=_text(m.experiment.get("version")),
        config_hash=_text(m.config_hash),
        corpus_path=_text(m.corpus.get("path")),
        corpus_hash=_text(m.corpus.get("hash")),
        articles=articles if isinstance(articles, int) and not isinstance(articles, bool) else None,
        tables=tuple(m.tables),
        engine=_text(m.run.get("engine")) if isinstance(m.run, dict) else None,
        commit=_text(m.git.get("commit")) if isinstance(m.git, dict) else None,
        dirty=dirty if isinstance(dirty, bool) else None,
        harness_version=_text(m.environment.get("harness")),
    )


def latest_or_none(store: ResultStore, name: str) -> str | None:
    try:
        return store.latest_id(name)
    except HarnessError:
        return None  # no pointer, or a broken one: the listing still shows every result


def stored_names(store: ResultStore) -> list[str]:
    """Experiments with a folder in the store (only folders named like an experiment)."""
    if not store.root.is_dir():
        return []
    return sorted(p.name for p in store.root.iterdir() if NAME_RE.fullmatch(p.name) and p.is_dir())


def list_stored(store: ResultStore, name: str | None = None, *, check: bool = False) -> list[Listed]:
    """Every stored result (of experiment ``name``), newest first.

    Ordered by ``run.started_at`` (newest first), then name and id; results whose
    manifest cannot be read come last, with ``problem`` saying why. Table bytes are
    checked only with ``check`` (every table is hashed: slower); a damaged result
    then has ``problem`` "damaged: ...".
    """
    names = stored_names(store)
    if name is not None:
        parse_ref(name)  # a name, never a path
        if "@" in name or name not in names:
            raise NotFoundError(
                f"no stored result for experiment {name!r}",
                where=store.root,
                hint=store.missing_hint(name, names),
            )
        names = [name]
    rows: list[Listed] = []
    for experiment in names:
        latest = latest_or_none(store, experiment)
        for rid in store.result_ids(experiment):
            try:
                stored = store.load(experiment, rid)
                damage = store.damage(stored) if check else None
                row = _listed(stored, rid == latest)
                rows.append(replace(row, problem=f"damaged: {damage.describe()}") if damage else row)
            except HarnessError as exc:
                rows.append(Listed(experiment, rid, rid == latest, problem=exc.message))
    return sorted(rows, key=_order)


def _order(row: Listed) -> tuple[bool, float, str, str]:
    return (row.created is None, -_timestamp(row.created), row.name, row.result_id)


def _timestamp(created: str | None) -> float:
    if created is None:
        return 0.0
    try:
        return datetime.fromisoformat(created).timestamp()
    except ValueError:
        return 0.0


def listing_frame(rows: list[Listed]) -> pl.DataFrame:
    """The listing as a DataFrame, ``created`` parsed as a UTC datetime."""
    frame = pl.DataFrame([row.to_json() for row in rows], schema=LISTING_COLUMNS, orient="row")
    return frame.with_columns(
        pl.col("created").str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_zone="UTC")
    )


def resolve_ref(store: ResultStore, ref: str) -> StoredResult:
    """``NAME``, ``NAME@ID`` or ``NAME~N`` (see the module docstring); not yet checked intact."""
    relative = RELATIVE_REF_RE.fullmatch(ref)
    if relative is None:
        return store.resolve(ref)
    name, back = relative["name"], int(relative["back"])
    readable = [row for row in list_stored(store, name) if row.problem is None]
    if back >= len(readable):
        raise NotFoundError(
            f"{ref!r}: experiment {name!r} has {len(readable)} stored result(s); "
            f"{name}~{back} would be number {back + 1}",
            hint=f"see `harness results {name}`",
        )
    return store.load(name, readable[back].result_id)


def open_checked(store: ResultStore, ref: str) -> StoredResult:
    """The result ``ref`` names, refused (one line) if its tables or manifest were altered."""
    stored = resolve_ref(store, ref)
    store.check_intact(stored)
    return stored


def _project_store(project: str | os.PathLike[str] | None) -> ResultStore:
    """The store of the project at ``project``; by default the project the working
    folder lies in (found as the ``harness`` command finds it: a notebook in a
    subfolder opens the project's results)."""
    from harness.project import Project, find_project  # the project module imports this package

    return (find_project(Path.cwd()) if project is None else Project(Path(project).resolve())).store()


def open_result(ref: str, project: str | os.PathLike[str] | None = None) -> StoredResult:
    """A stored result of the project at ``project`` (default: found from the working folder up), checked intact.

    ``.table("profile")`` gives a polars DataFrame, ``.tables()`` each of them by name
    (read when first asked for); ``.manifest`` everything that produced it; ``.ref``
    its citable ``NAME@ID``.
    """
    return open_checked(_project_store(project), ref)


def list_results(
    name: str | None = None, project: str | os.PathLike[str] | None = None, *, check: bool = False
) -> pl.DataFrame:
    """Every stored result (of experiment ``name``), newest first: the columns of
    ``harness results --json``, with ``created`` as a datetime. ``check=True`` hashes
    every table and marks a damaged result in ``problem``."""
    return listing_frame(list_stored(_project_store(project), name, check=check))


# -- export -------------------------------------------------------------------------------------------


def table_of(stored: StoredResult, table: str) -> pl.DataFrame:
    """A table by name (looked up in the manifest: never a path)."""
    if table not in stored.manifest.tables:
        raise NotFoundError(
            f"result {stored.ref} has no table {table!r}",
            hint=f"tables: {', '.join(sorted(stored.manifest.tables))}",
        )
    return stored.table(table)


def csv_unwritable(frame: pl.DataFrame) -> list[str]:
    """Columns CSV has no text form for: lists, arrays, structs, durations, bytes, objects."""
    return [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_nested() or isinstance(dtype, pl.Duration | pl.Binary | pl.Object)
    ]


SUFFIX_FORMATS: dict[str, ExportFormat] = {
    ".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"
}


def format_for(output: Path | None) -> ExportFormat:
    """The export format an output's suffix names; CSV when it names none."""
    if output is None:
        return "csv"
    return SUFFIX_FORMATS.get(output.suffix.lower(), "csv")


def check_export_options(fmt: str, to_stdout: bool) -> None:
    """Before anything is read: Parquet goes to a file."""
    if fmt == "parquet" and to_stdout:
        raise UsageError("--format parquet needs -o FILE", hint="Parquet is binary: it is not written to a terminal")


def export_bytes(frame: pl.DataFrame, fmt: ExportFormat, *, table: str = "table") -> bytes:
    """The table in ``fmt``. CSV refuses list and struct columns, and durations and
    bytes (CSV has no place for them; flattening would be a guess): the error names
    them and suggests JSONL/Parquet.
    JSON and JSONL write NaN and infinities as null."""
    if fmt == "csv":
        unwritable = csv_unwritable(frame)
        if unwritable:
            raise UsageError(
                f"table {table} has column(s) CSV cannot hold: "
                + ", ".join(f"{name} ({frame.schema[name]})" for name in unwritable),
                hint="export it with --format jsonl, json or parquet",
            )
        try:
            return frame.write_csv().encode("utf-8")
        except pl.exceptions.PolarsError as exc:  # a type polars adds later: still one line
            raise UsageError(
                f"table {table} cannot be written as CSV: {str(exc).splitlines()[0]}",
                hint="export it with --format jsonl, json or parquet",
            ) from None
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    rows = [json_safe(row) for row in frame.to_dicts()]
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    return (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def json_safe(value: Any) -> Any:
    """A value JSON can hold: NaN and infinities as null (JSON has no spelling for
    them); dates, times, durations and decimals as text (ISO 8601 for dates)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# -- show ---------------------------------------------------------------------------------------------


def summary(stored: StoredResult, *, latest: bool) -> dict[str, Any]:
    """What `harness show` prints: the listing's fields, then tables, resources, environment."""
    m = stored.manifest
    row = _listed(stored, latest).to_json()
    row.pop("problem")
    row.pop("tables")
    env = {k: v for k, v in m.environment.items() if k != "packages"}
    return row | {
        "description": m.experiment.get("description"),
        "duration_s": m.run.get("duration_s") if isinstance(m.run, dict) else None,
        "corpus": m.corpus,
        "inputs": m.inputs,
        "resources": m.resources,
        "environment": env,
        "packages": len(m.environment.get("packages", {}) or {}),
        "tables": [
            {"table": name, "rows": entry.rows, "columns": entry.columns, "sha256": entry.sha256}
            for name, entry in m.tables.items()
        ],
        "path": str(stored.path),
    }


def render_summary(info: dict[str, Any]) -> str:
    """`harness show` as plain text lines (values not yet made terminal-safe)."""
    corpus = info["corpus"]
    dirty = {True: "yes", False: "no", None: "unknown"}[info["dirty"]]
    lines = [
        f"result      {info['ref']}{'  (LATEST)' if info['latest'] else ''}",
        f"experiment  {info['name']} version {info['experiment_version']}",
    ]
    if info["description"]:
        lines.append(f"            {info['description']}")
    lines += [
        f"created     {info['created']} ({info['duration_s']} s, engine {info['engine']})",
        f"config      {info['config_hash']}",
        f"corpus      {corpus.get('path')}: {corpus.get('articles_read')} articles read, "
        f"{corpus.get('articles_selected')} selected; sha256 {corpus.get('hash')}",
        f"git         commit {info['commit'] or 'unknown'}, dirty: {dirty}",
        f"harness     {info['harness_version']}, Python {info['environment'].get('python')} "
        f"({info['packages']} packages recorded)",
        "inputs:",
    ]
    # The project's files it was read from, each with its git status: what `cite`
    # points at, and what `verify` re-hashes.
    lines += [f"  {i.get('path')} ({i.get('git')}) sha256 {str(i.get('sha256'))[:16]}" for i in info["inputs"]]
    lines.append("resources:")
    lines += [f"  {r.get('name')} {r.get('version')} sha256 {str(r.get('sha256'))[:16]}" for r in info["resources"]]
    lines.append("tables:")
    for t in info["tables"]:
        lines.append(f"  {t['table']}: {t['rows']} rows, {len(t['columns'])} columns: {', '.join(t['columns'])}")
    return "\n".join(lines) + "\n"


def listed_row(stored: StoredResult, *, latest: bool) -> Listed:
    """One stored result as `harness results` lists it (used by `run --json`)."""
    return _listed(stored, latest)
