"""Corpora: every input format read into one articles table (``ARTICLE_SCHEMA``)."""

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
    CorpusRead,
    ReplacedBytes,
    corpus_hash,
    corpus_inputs,
    load_corpus,
    read_corpus,
)
from harness.corpus.schema import ARTICLE_SCHEMA, UNKNOWN_OUTLET, content_doc_id, empty_articles
from harness.corpus.stream import DEFAULT_STREAM_BATCH, iter_article_batches
from harness.corpus.textfile import INVALID_UTF8_CHOICES, InvalidUtf8, read_plain_text

__all__ = [
    "CORPUS_FIELDS",
    "MAPPABLE_FIELDS",
    "NO_COLUMNS",
    "ColumnMap",
    "column_map",
    "DEFAULT_STREAM_BATCH",
    "iter_article_batches",
    "ARTICLE_SCHEMA",
    "INVALID_UTF8_CHOICES",
    "STDIN",
    "SUPPORTED_SUFFIXES",
    "UNKNOWN_OUTLET",
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
