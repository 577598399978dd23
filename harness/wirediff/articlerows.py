"""The articles table's rows by doc_id: what the diff's step and its workers read of it.

Kept apart from the frames (``harness.wirediff.frames``), which import the diff's
modules: a run hands its articles to the diff's early workers
(``harness.steps.wirecopy``) before this process loads the diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from harness.errors import InputError

ARTICLE_COLUMNS = ("doc_id", "outlet", "headline", "body")


def require_columns(frame: pl.DataFrame | pl.LazyFrame, columns: Iterable[str], name: str) -> None:
    present = frame.collect_schema().names()
    missing = [c for c in columns if c not in present]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            where=f"{name} table",
            hint=f"the {name} table needs columns {', '.join(columns)}",
        )


def articles_by_id(articles: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """The articles table's rows (``ARTICLE_COLUMNS``) by doc_id; an InputError names a
    missing column, or a record without a doc_id or with one already seen."""
    require_columns(articles, ARTICLE_COLUMNS, "articles")
    by_id: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(articles.select(ARTICLE_COLUMNS).iter_rows(named=True)):
        doc_id = row["doc_id"]
        if doc_id is None or doc_id in by_id:
            raise bad_doc_id(number, doc_id)
        by_id[str(doc_id)] = row
    return by_id


def bad_doc_id(number: int, doc_id: object) -> InputError:
    problem = "no doc_id" if doc_id is None else f"duplicate doc_id {doc_id!r}"
    return InputError(problem, where=f"articles record {number}", hint="give every article a unique doc_id")
