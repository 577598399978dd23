"""Corpora: every input format read into one articles table (``ARTICLE_SCHEMA``)."""

from harness.corpus.aggregator import (
    PageArticle,
    layout_resource,
    looks_like_aggregator_page,
    parse_aggregator_page,
)
from harness.corpus.reader import SUPPORTED_SUFFIXES, corpus_hash, read_corpus
from harness.corpus.schema import ARTICLE_SCHEMA, UNKNOWN_OUTLET, content_doc_id, empty_articles

__all__ = [
    "ARTICLE_SCHEMA",
    "SUPPORTED_SUFFIXES",
    "UNKNOWN_OUTLET",
    "PageArticle",
    "content_doc_id",
    "corpus_hash",
    "empty_articles",
    "layout_resource",
    "looks_like_aggregator_page",
    "parse_aggregator_page",
    "read_corpus",
]
