"""A streamed score's part files: one per batch, named so that sorting gives batch order.

The local stream writes them batch by batch; on Ray each piece's task writes its
own (``harness.engines.ray_corpus``). Either way the same function writes them, so
the gathered output has the same rows in the same order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import polars as pl

from harness.polars_io import polars_os_errors

PartFormat = Literal["jsonl", "parquet"]
PART_PREFIX = "part-"


def part_name(index: int, fmt: PartFormat) -> str:
    return f"{PART_PREFIX}{index:08d}.{fmt}"


def write_part(scored: pl.DataFrame, path: Path, fmt: PartFormat) -> None:
    """One batch's ``documents`` rows: Parquet, or one JSON object per line."""
    if fmt == "parquet":
        with polars_os_errors():  # a full disk: the caller's OSError line
            scored.write_parquet(path)
        return
    with path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in scored.to_dicts())
