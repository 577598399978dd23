"""Story keys: which articles report the same event.

Framing is compared on the *same* events: an outlet that covered a war and another
that covered a scandal differ in topic before they differ in framing. A corpus says
which articles share an event with a story key, read by :func:`story_keys`:

* a column of the articles table named ``match_on`` (e.g. one a later step adds), or
* a field of the input records of that name, which the readers keep in ``meta``
  (a ``story`` column of a CSV, a ``"story"`` key of a JSONL record, front matter).

``match_on`` defaults to ``story``, which a corpus may simply not have: then every
comparison is flagged as confounded with topic. A ``match_on`` set by the user that
no article carries is an error (a misspelt key would otherwise pass silently).
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from harness.errors import InputError

DEFAULT_STORY_KEY = "story"
STORY_SCHEMA: dict[str, pl.DataType] = {"doc_id": pl.String(), "story": pl.String()}
# Columns of the articles table that are never a story key (the text and its identity).
_NOT_KEYS = frozenset({"doc_id", "body", "headline", "outlet", "meta", "source"})


def _key_text(value: Any, key: str, where: str) -> str | None:
    """A story key as text; None (no story) for null or blank."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(
            f"story key `{key}` must be text or a number, not {type(value).__name__} {value!r}",
            where=where,
            hint=f"give each article one `{key}` value naming its event, e.g. \"2025-07-23 Istanbul talks\"",
        )
    text = str(value).strip()
    return text or None


def _from_meta(articles: pl.DataFrame, key: str) -> list[str | None]:
    keys = []
    for meta, source in zip(articles["meta"], articles["source"], strict=True):
        fields = json.loads(meta) if meta else {}
        value = fields.get(key) if isinstance(fields, dict) else None
        keys.append(_key_text(value, key, source or "articles"))
    return keys


def _from_column(articles: pl.DataFrame, key: str) -> list[str | None]:
    column = articles[key]
    sources = articles["source"] if "source" in articles.columns else [None] * articles.height
    if column.dtype.is_numeric() or column.dtype in (pl.String, pl.Null):
        return [_key_text(v, key, s or "articles") for v, s in zip(column.to_list(), sources, strict=True)]
    raise InputError(
        f"story key column `{key}` holds {column.dtype}, not text or numbers",
        where="articles",
        hint=f"make `{key}` one text value per article naming its event",
    )


def story_keys(articles: pl.DataFrame, match_on: str | None = None) -> pl.DataFrame | None:
    """``doc_id -> story`` for the articles that carry a key; None when none does.

    ``match_on=None`` looks for ``story`` and is content without it; a named key
    that no article carries raises :class:`InputError`.
    """
    key = match_on or DEFAULT_STORY_KEY
    if key in _NOT_KEYS:
        raise InputError(
            f"match_on = {key!r} names the article's own {key}, not its story",
            where="compare_outlets",
            hint="name the field that says which event an article reports, e.g. match_on = \"story\"",
        )
    if key in articles.columns:
        keys = _from_column(articles, key)
    elif "meta" in articles.columns:
        keys = _from_meta(articles, key)
    else:
        keys = [None] * articles.height
    table = pl.DataFrame(
        {"doc_id": articles["doc_id"], "story": pl.Series(keys, dtype=pl.String())}, schema=STORY_SCHEMA
    ).filter(pl.col("story").is_not_null())
    if table.height == 0:
        if match_on is not None:
            raise InputError(
                f"no article has the story key `{match_on}` (match_on)",
                where="compare_outlets",
                hint=f"add the field `{match_on}` to the articles, or remove match_on to compare without stories",
            )
        return None
    return table.sort("doc_id")
