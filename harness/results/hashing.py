"""Content hashes: table bytes, canonical JSON, result ids."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from typing import Any

import polars as pl

# One fixed Parquet encoding so the same table gives the same bytes: the result
# id is a hash of these bytes, and `verify` compares them.
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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def result_id(experiment: str, version: str, table_hashes: Mapping[str, str]) -> str:
    """The citable id of a result: derived from what it contains, never from time.

    Same experiment name and version + same table bytes = same id, on any machine.
    """
    payload = canonical_json(
        {"experiment": experiment, "version": version, "tables": dict(sorted(table_hashes.items()))}
    )
    return sha256_bytes(payload.encode("utf-8"))[:16]
