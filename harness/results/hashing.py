"""Content hashes: table bytes, canonical JSON, result ids."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from harness.polars_io import polars_os_errors

# One fixed Parquet encoding so the same table gives the same bytes: the result
# id covers the hashes of these bytes, and `verify` compares them.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "statistics": True,
    "row_group_size": 65_536,
}


def table_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    # One contiguous chunk per column: how a frame was assembled (one call, or
    # slices concatenated by an engine) must not change its bytes.
    frame.rechunk().write_parquet(buffer, **PARQUET_OPTIONS)
    return buffer.getvalue()


def write_table(frame: pl.DataFrame | pl.LazyFrame, path: Path) -> None:
    """``table_bytes(frame)`` written to ``path``. A lazy table (a corpus spilled in
    batches) is written as it is read, never held whole: polars' streaming Parquet
    sink cuts the same row groups and pages, so the bytes are the same (tested)."""
    if isinstance(frame, pl.LazyFrame):
        with polars_os_errors():  # a full disk: the caller's OSError line
            frame.sink_parquet(path, **PARQUET_OPTIONS)
    else:
        path.write_bytes(table_bytes(frame))


def sha256_of(data: bytes | Path) -> str:
    """The SHA-256 of bytes, or of a file's bytes (read a MiB at a time)."""
    if isinstance(data, bytes):
        return sha256_bytes(data)
    digest = hashlib.sha256()
    with data.open("rb") as handle:
        while chunk := handle.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def short_digest(value: Any) -> str:
    """A 16-hex digest of a JSON value (key order does not matter)."""
    return sha256_bytes(canonical_json(value).encode("utf-8"))[:16]


def result_id(fields: Mapping[str, Any]) -> str:
    """The citable id of a result: derived from what it vouches for, never from time.

    ``fields`` are the manifest fields that are the same for the same inputs on
    any machine (see ``harness.results.manifest.ID_FIELDS``): same fields = same
    id, and any change to one of them, a table's bytes included, is a new id.
    """
    return short_digest(dict(fields))


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def field_path(*keys: str | int) -> str:
    """A field's path for messages: ``tables.profile.rows``, ``resources[0]``,
    ``corpus.replaced_bytes["a.txt"]`` (odd keys quoted, so never ambiguous)."""
    path = ""
    for key in keys:
        if isinstance(key, int):
            path += f"[{key}]"
        elif _PLAIN_KEY.match(key):
            path += f".{key}" if path else key
        else:
            path += f"[{json.dumps(key, ensure_ascii=False)}]"
    return path


def field_digests(value: Mapping[str, Any], depth: int) -> dict[str, str]:
    """A digest of every field down to ``depth`` levels, keyed by its path.

    ``{"tables": {"profile": {"rows": 4}}}`` gives ``{"tables.profile.rows": ...}``.
    Deeper values (and empty objects or lists, so that a removed empty field is
    noticed too) are digested whole. Comparing two such maps names the fields
    that differ.
    """
    digests: dict[str, str] = {}

    def walk(keys: tuple[str | int, ...], node: Any) -> None:
        if len(keys) < depth and isinstance(node, (dict, list)) and node:
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                walk((*keys, key), child)
        else:
            digests[field_path(*keys)] = short_digest(node)

    for key, child in value.items():
        walk((key,), child)
    return digests
