"""Batch comparison over polars frames, for the experiment step.

:func:`compare_pairs` takes the canonical articles table and a table of pairs
(``a_doc_id`` = the wire story, ``b_doc_id`` = the outlet's copy) and returns
three tables, each built from a schema declared once below:

* ``pairs``: one row per pair: ids, outlets, style sheets used, every similarity
  number (body, then headline), derivation, edit counts per kind and the
  substantive shares;
* ``edits``: one row per edit, with the pair's ids, its field and index, and every
  JSON field of the edit; a sub-edit (a recognised change inside an edit) is a
  row of its own right after its parent, ``parent_edit`` naming the parent's
  ``edit_index`` (null for a top-level edit);
* ``style_rules``: the learned style table: how often each pair of house-style
  forms (a_form in A's outlet, b_form in B's) was seen, per outlet pair;
* ``furniture``: each outlet's learned page furniture (segments repeated across
  its articles, :func:`harness.wirediff.boilerplate.learn_furniture`), used to
  mark that outlet's chrome as boilerplate.

Rows are sorted (pairs by ids, edits by pair then position, style rules by
outlets, category, descending count and forms), so the tables are the same on
every run. Each article is prepared once however many pairs it is in (once per
worker process when a large table is compared on every core:
:mod:`harness.wirediff.pairwork`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from harness.engines.heap import return_freed_memory
from harness.errors import InputError
from harness.wirediff.articlerows import ARTICLE_COLUMNS, articles_by_id
from harness.wirediff.articlerows import bad_doc_id as _bad_doc_id
from harness.wirediff.articlerows import require_columns as _require_columns
from harness.wirediff.defaults import DEFAULT_MIN_ARTICLES
from harness.wirediff.diff import DiffSettings
from harness.wirediff.model import SIMILARITY_FIELDS
from harness.wirediff.pairwork import EDIT_COLUMNS, compare_all, worker_count
from harness.wirediff.styles import StyleSheet, load_style, load_style_file

PAIRS_SCHEMA: dict[str, pl.DataType] = {
    "a_doc_id": pl.String(),
    "b_doc_id": pl.String(),
    "a_outlet": pl.String(),
    "b_outlet": pl.String(),
    "a_style": pl.String(),  # name of the style sheet used for A's outlet
    "b_style": pl.String(),
    "a_words": pl.Int64(),  # body words
    "b_words": pl.Int64(),
    **{name: pl.Float64() for name in SIMILARITY_FIELDS},  # bodies; null when undefined
    **{f"headline_{name}": pl.Float64() for name in SIMILARITY_FIELDS},
    "derivation": pl.String(),  # wholly / partially / non
    "style_edits": pl.Int64(),  # body edits per kind
    "boilerplate_edits": pl.Int64(),
    "substantive_edits": pl.Int64(),
    "headline_edits": pl.Int64(),  # all kinds
    "substantive_share": pl.Float64(),  # null when the body has no non-boilerplate edit
    "substantive_b_share": pl.Float64(),  # null when B's body has no words
}

EDITS_SCHEMA: dict[str, pl.DataType] = {
    "a_doc_id": pl.String(),
    "b_doc_id": pl.String(),
    "segment": pl.String(),
    "edit_index": pl.Int64(),  # position in the pair's edit list (headline edits first)
    "category": pl.String(),
    "kind": pl.String(),
    "rule": pl.String(),
    "explanation": pl.String(),
    "a_text": pl.String(),
    "b_text": pl.String(),
    "a_start": pl.Int64(),
    "a_end": pl.Int64(),
    "b_start": pl.Int64(),
    "b_end": pl.Int64(),
    "parent_edit": pl.Int64(),  # edit_index of the edit this one lies inside; null for a top-level edit
}

STYLE_RULES_SCHEMA: dict[str, pl.DataType] = {
    "a_outlet": pl.String(),
    "b_outlet": pl.String(),
    "category": pl.String(),
    "a_form": pl.String(),
    "b_form": pl.String(),
    "count": pl.Int64(),
}

FURNITURE_SCHEMA: dict[str, pl.DataType] = {
    "outlet": pl.String(),
    "segment_hash": pl.String(),  # BLAKE2b-64 of the normalised segment (case, typography, figures folded)
    "segment": pl.String(),  # the segment as first seen (articles in doc_id order)
    "articles_count": pl.Int64(),  # the outlet's articles (distinct headlines) that have it
}

PAIR_COLUMNS = ("a_doc_id", "b_doc_id")


def _pair_articles(articles: pl.LazyFrame, pairs: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """``articles_by_id`` of the articles the pairs name, from a lazy table: the whole
    table's doc_ids are checked (the same error for the same record), only those
    articles' rows are held."""
    doc_ids = articles.select("doc_id").collect().to_series()
    if doc_ids.null_count() or doc_ids.n_unique() < doc_ids.len():
        seen: set[object] = set()
        for number, doc_id in enumerate(doc_ids.to_list()):
            if doc_id is None or doc_id in seen:
                raise _bad_doc_id(number, doc_id)
            seen.add(doc_id)
    named = pl.concat([pairs["a_doc_id"].cast(pl.String()), pairs["b_doc_id"].cast(pl.String())]).unique()
    return articles_by_id(articles.filter(pl.col("doc_id").cast(pl.String()).is_in(named.implode())).collect())


def _pair_ids(pairs: pl.DataFrame, known: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """Distinct (a_doc_id, b_doc_id) pairs, sorted; unknown ids are errors."""
    found: set[tuple[str, str]] = set()
    for number, row in enumerate(pairs.select(PAIR_COLUMNS).iter_rows()):
        for doc_id in row:
            if doc_id is None or str(doc_id) not in known:
                raise InputError(
                    f"unknown doc_id {doc_id!r}",
                    where=f"pairs record {number}",
                    hint="pair only doc_ids that are in the articles table",
                )
        found.add((str(row[0]), str(row[1])))
    return sorted(found)


def _styles_by_outlet(
    ids: Iterable[tuple[str, str]], known: Mapping[str, Mapping[str, Any]], styles_dir: Path,
    style_files: Mapping[str, Path],
) -> dict[str, StyleSheet]:
    """The sheet of every outlet the pairs name ("" for none), loaded in pair order.

    An outlet named in ``style_files`` (exactly as the corpus spells it) gets that
    sheet file, loaded even if no pair needs it (a missing file is an error either
    way); every other outlet's name is looked up in ``styles_dir``. All are loaded
    before any pair is compared, so a bad sheet stops the run before the work.
    """
    sheets: dict[str, StyleSheet] = {o: load_style_file(Path(f)) for o, f in style_files.items()}
    for pair in ids:
        for doc_id in pair:
            name = known[doc_id]["outlet"] or ""
            if name not in sheets:
                sheets[name] = load_style(name, styles_dir)
    return sheets


def compare_pairs(
    articles: pl.DataFrame | pl.LazyFrame,
    pairs: pl.DataFrame,
    *,
    styles_dir: Path,
    style_files: Mapping[str, Path] | None = None,
    settings: DiffSettings | None = None,
    furniture_min_articles: int = DEFAULT_MIN_ARTICLES,
    workers: int | None = None,
) -> dict[str, pl.DataFrame]:
    """Compare every pair; return the ``pairs``, ``edits``, ``style_rules`` and ``furniture`` tables.

    ``style_files`` maps an outlet name to its sheet file; other outlets' sheets
    are found by name in ``styles_dir`` (see :func:`harness.wirediff.load_style`).
    Page furniture is learned from all of ``articles``: a segment in at least
    ``furniture_min_articles`` articles of one outlet.

    ``workers``: processes comparing pairs (default: every core for a table of
    ``MIN_PARALLEL_PAIRS`` pairs or more, else this process alone). The tables are
    the same bytes whatever the number.

    A lazy ``articles`` (a corpus too large to hold, read in batches: ``harness.run.spill``)
    gives the same tables: only the pairs' articles are held, and the furniture is
    learned in two passes over batches (``harness.wirediff.furniture_batches``).
    """
    _require_columns(articles, ARTICLE_COLUMNS, "articles")
    _require_columns(pairs, PAIR_COLUMNS, "pairs")
    known = _pair_articles(articles, pairs) if isinstance(articles, pl.LazyFrame) else articles_by_id(articles)
    ids = _pair_ids(pairs, known)
    styles = _styles_by_outlet(ids, known, styles_dir, style_files or {})
    # Eager: learned by compare_all from `known`, every article; lazy: `known` is the pairs'
    # articles only, and the furniture is learned from the lazy table, on the same workers.
    learn = None
    if isinstance(articles, pl.LazyFrame):
        from harness.wirediff.furniture_batches import furniture_in_batches  # numpy: for a lazy table only

        learn = functools.partial(furniture_in_batches, articles, min_articles=furniture_min_articles)
    furniture, rows = compare_all(
        ids, known, styles=styles, settings=settings, furniture_min_articles=furniture_min_articles,
        workers=worker_count(len(ids), workers), learn=learn,
    )
    del known, ids  # the pairs' articles: let go before the tables are made
    style_rows = [
        dict(zip(STYLE_RULES_SCHEMA, (*key, count), strict=True))
        for key, count in sorted(rows.learned.items(), key=lambda kv: (kv[0][:3], -kv[1], kv[0][3:]))
    ]
    pairs_frame = pl.DataFrame(rows.pairs, schema=PAIRS_SCHEMA)
    rows.pairs = []
    return {
        "pairs": pairs_frame,
        "edits": edits_frame(rows.edits),
        "style_rules": pl.DataFrame(style_rows, schema=STYLE_RULES_SCHEMA),
        "furniture": pl.DataFrame([r._asdict() for r in furniture], schema=FURNITURE_SCHEMA),
    }


# Edits from which each column's rows, once a series, are handed back to the system.
RETURNED_ROWS = 100_000


def edits_frame(columns: list[list[Any]]) -> pl.DataFrame:
    """The edits table from its columns (``EDIT_COLUMNS``), emptying each list once it is a
    series, and for a large table handing the freed memory back at once
    (``harness.engines.heap``): the rows and the table are not held whole together.
    At 1M articles (995,097 edits) the step ends at 1,049 MiB, not 1,463."""
    series = []
    for k, name in enumerate(EDIT_COLUMNS):
        size = len(columns[k])
        series.append(pl.Series(name, columns[k], dtype=EDITS_SCHEMA[name]))
        columns[k] = []
        if size >= RETURNED_ROWS:
            return_freed_memory()
    return pl.DataFrame(series)
