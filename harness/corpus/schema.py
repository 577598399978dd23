"""The canonical articles table: one declared schema for every reader."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    ARTICLE_SCHEMA: dict[str, pl.DataType]  # made on first use: see __getattr__

# Column order is part of the contract: every reader returns exactly these, all strings.
ARTICLE_COLUMNS = (
    "doc_id",  # input's own doc_id/id, else a stable content hash
    "outlet",  # as printed ("The Guardian"); "unknown" when not named
    "headline",
    "body",
    "published",  # nullable; as given by the input (ISO 8601 when known)
    "source",  # "<file relative to corpus root>:<line or record>"
    "meta",  # every other input field, as JSON with sorted keys
)

UNKNOWN_OUTLET = "unknown"


def __getattr__(name: str) -> object:
    """``ARTICLE_SCHEMA`` (the columns as polars strings), made when first asked for: a
    reader of one article file (``harness diff``) never imports polars."""
    if name != "ARTICLE_SCHEMA":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import polars as pl

    schema: dict[str, pl.DataType] = {column: pl.String() for column in ARTICLE_COLUMNS}
    globals()[name] = schema  # later lookups skip this function
    return schema


def empty_articles() -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(schema=ARTICLE_SCHEMA)


def content_doc_id(outlet: str, headline: str, body: str) -> str:
    """A stable id for an article that has none: hash of what it says."""
    digest = hashlib.sha256("\x1f".join((outlet, headline, body)).encode("utf-8"))
    return digest.hexdigest()[:16]
