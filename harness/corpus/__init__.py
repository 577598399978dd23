"""Corpora: every input format read into one articles table (``ARTICLE_SCHEMA``).

The names below are imported on first use (PEP 562): reading one article file
(``harness diff``) loads the text readers, never polars and the table readers.
"""

from __future__ import annotations

from harness.lazy import lazy_exports

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.corpus.aggregator import (
        PageArticle,
        layout_resource,
        looks_like_aggregator_page,
        parse_aggregator_page,
    )
    from harness.corpus.columns import CORPUS_FIELDS, MAPPABLE_FIELDS, NO_COLUMNS, ColumnMap, column_map
    from harness.corpus.markup import HtmlEvidence, html_evidence
    from harness.corpus.reader import (
        STDIN,
        SUPPORTED_SUFFIXES,
        CorpusDigest,
        CorpusRead,
        ReplacedBytes,
        corpus_hash,
        corpus_inputs,
        load_corpus,
        read_corpus,
    )
    from harness.corpus.schema import ARTICLE_SCHEMA, UNKNOWN_OUTLET, content_doc_id, empty_articles
    from harness.corpus.stream import DEFAULT_STREAM_BATCH, iter_article_batches, spill_corpus
    from harness.corpus.textfile import INVALID_UTF8_CHOICES, InvalidUtf8, read_plain_text

__all__ = [
    "CORPUS_FIELDS",
    "MAPPABLE_FIELDS",
    "NO_COLUMNS",
    "ColumnMap",
    "column_map",
    "DEFAULT_STREAM_BATCH",
    "iter_article_batches",
    "spill_corpus",
    "ARTICLE_SCHEMA",
    "INVALID_UTF8_CHOICES",
    "STDIN",
    "SUPPORTED_SUFFIXES",
    "UNKNOWN_OUTLET",
    "CorpusDigest",
    "CorpusRead",
    "HtmlEvidence",
    "InvalidUtf8",
    "PageArticle",
    "ReplacedBytes",
    "content_doc_id",
    "corpus_hash",
    "corpus_inputs",
    "empty_articles",
    "html_evidence",
    "load_corpus",
    "layout_resource",
    "looks_like_aggregator_page",
    "parse_aggregator_page",
    "read_corpus",
    "read_plain_text",
]

_HOME = {
    "ARTICLE_SCHEMA": "harness.corpus.schema",
    "CORPUS_FIELDS": "harness.corpus.columns",
    "ColumnMap": "harness.corpus.columns",
    "CorpusDigest": "harness.corpus.reader",
    "CorpusRead": "harness.corpus.reader",
    "DEFAULT_STREAM_BATCH": "harness.corpus.stream",
    "HtmlEvidence": "harness.corpus.markup",
    "INVALID_UTF8_CHOICES": "harness.corpus.textfile",
    "InvalidUtf8": "harness.corpus.textfile",
    "MAPPABLE_FIELDS": "harness.corpus.columns",
    "NO_COLUMNS": "harness.corpus.columns",
    "PageArticle": "harness.corpus.aggregator",
    "ReplacedBytes": "harness.corpus.reader",
    "STDIN": "harness.corpus.reader",
    "SUPPORTED_SUFFIXES": "harness.corpus.reader",
    "UNKNOWN_OUTLET": "harness.corpus.schema",
    "column_map": "harness.corpus.columns",
    "content_doc_id": "harness.corpus.schema",
    "corpus_hash": "harness.corpus.reader",
    "corpus_inputs": "harness.corpus.reader",
    "empty_articles": "harness.corpus.schema",
    "html_evidence": "harness.corpus.markup",
    "iter_article_batches": "harness.corpus.stream",
    "layout_resource": "harness.corpus.aggregator",
    "load_corpus": "harness.corpus.reader",
    "looks_like_aggregator_page": "harness.corpus.aggregator",
    "parse_aggregator_page": "harness.corpus.aggregator",
    "read_corpus": "harness.corpus.reader",
    "read_plain_text": "harness.corpus.textfile",
    "spill_corpus": "harness.corpus.stream",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())
