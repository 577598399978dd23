"""Reading a researcher's human-rated set (CSV, JSONL or Parquet) for `validate`."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from harness.corpus import read_corpus
from harness.errors import InputError

GOLD_SCHEMA: dict[str, pl.DataType] = {
    "text": pl.String(),
    "rating": pl.Float64(),
    "label": pl.String(),
}


def _rating(value: object, where: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(
            f"rating {value!r} is not a number", where=where, hint="ratings must be numeric"
        ) from None


def read_gold(path: Path) -> pl.DataFrame:
    """``text`` plus ``rating`` and/or ``label``; every row keeps its source for errors.

    The file is read by the corpus readers (same formats, same errors); the text
    column may be called ``text`` or ``body``.
    """
    try:
        records = read_corpus(path)
    except InputError as exc:
        if not exc.message.startswith("invalid UTF-8"):
            raise
        # The corpus readers' hint offers --invalid-utf8, which `validate` does not take:
        # a gold file with replaced characters would change the very texts being rated.
        raise InputError(
            exc.message, where=exc.where, hint="re-save the gold file as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`)"
        ) from None
    rows: list[dict[str, object]] = []
    for row in records.iter_rows(named=True):
        meta = json.loads(row["meta"])
        where = f"{path.parent / row['source']}" if path.is_file() else row["source"]
        label = meta.get("label")
        rows.append(
            {
                "text": row["body"],
                "rating": _rating(meta.get("rating"), where),
                "label": None if label in (None, "") else str(label),
            }
        )
    gold = pl.DataFrame(rows, schema=GOLD_SCHEMA)
    present = [c for c in ("rating", "label") if gold[c].is_not_null().any()]
    if not present:
        raise InputError(
            "no `rating` or `label` values", where=path, hint="add a numeric `rating` or a `label` column"
        )
    return gold.select("text", *present)
