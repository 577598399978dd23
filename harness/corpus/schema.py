"""The canonical articles table: one declared schema for every reader."""

from __future__ import annotations

import hashlib

import polars as pl

# Column order is part of the contract: every reader returns exactly this.
ARTICLE_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),  # input's own doc_id/id, else a stable content hash
    "outlet": pl.String(),  # as printed ("The Guardian"); "unknown" when not named
    "headline": pl.String(),
    "body": pl.String(),
    "published": pl.String(),  # nullable; as given by the input (ISO 8601 when known)
    "source": pl.String(),  # "<file relative to corpus root>:<line or record>"
    "meta": pl.String(),  # every other input field, as JSON with sorted keys
}

UNKNOWN_OUTLET = "unknown"


def empty_articles() -> pl.DataFrame:
    return pl.DataFrame(schema=ARTICLE_SCHEMA)


def content_doc_id(outlet: str, headline: str, body: str) -> str:
    """A stable id for an article that has none: hash of what it says."""
    digest = hashlib.sha256("\x1f".join((outlet, headline, body)).encode("utf-8"))
    return digest.hexdigest()[:16]
