"""One article file compared as the wire_diff step compares corpus articles.

``harness diff a.txt b.md`` must give the edits and substantive share that
``harness run wire-copy-diff`` gives for the same two articles. So a file is
read by the corpus's own code for a single .txt/.md article (UTF-8 checks, BOM,
line endings, YAML front matter, the ``headline``/``title``, ``outlet`` and
``published`` keys), and the pair goes through :func:`compare_articles`, which
the step uses too: headline compared with headline, body with body.

Front matter is metadata, never text to compare. Without a ``headline`` (or
``title``) key the file's first line is the headline and the rest the body; a
file of one line is all body (a sentence compared with a sentence).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.safetext import unicode_text
from harness.wirediff.boilerplate import Chrome
from harness.wirediff.diff import DiffSettings, PreparedArticle, diff_prepared_articles, prepare_article, to_json
from harness.wirediff.model import DiffResult
from harness.wirediff.styles import StyleSheet

if TYPE_CHECKING:
    from harness.corpus.textfile import InvalidUtf8


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An article read from one file; edit offsets index ``headline`` or ``body``."""

    headline: str
    body: str
    outlet: str | None  # from the front matter; None when it names none
    published: str | None
    replaced_bytes: int = 0  # invalid bytes replaced by U+FFFD (``invalid_utf8="replace"``)


def split_headline(headline: str, body: str) -> tuple[str, str]:
    """A headline from the front matter, else the first line of a text of several lines."""
    if headline.strip():
        return headline, body
    first, newline, rest = body.partition("\n")
    if not newline or not rest.strip():
        return "", body  # one line: a sentence, not a headline without a story
    return first.strip(), rest.strip()


def read_article_file(path: Path, *, invalid_utf8: InvalidUtf8 = "error") -> ArticleFile:
    """One .txt/.md article, read with the corpus reader's checks and front matter rules."""
    # The corpus reader (and polars) here, not at import: a worker comparing pairs reads no file.
    from harness.corpus.documents import article_file_record
    from harness.corpus.records import article_row
    from harness.corpus.schema import UNKNOWN_OUTLET
    from harness.corpus.textfile import CorpusFile, invalid_utf8_bytes, read_text

    file = CorpusFile(path, unicode_text(path), unicode_text(path.name), invalid_utf8=invalid_utf8)
    row = article_row(article_file_record(read_text(file), file))
    headline, body = split_headline(row["headline"] or "", row["body"] or "")
    outlet = row["outlet"] if row["outlet"] != UNKNOWN_OUTLET else None
    return ArticleFile(headline, body, outlet, row["published"], invalid_utf8_bytes(file))


def prepared_article(row: Mapping[str, Any]) -> PreparedArticle:
    """An articles-table row (or anything with ``headline`` and ``body``) ready to compare."""
    return prepare_article(row["headline"] or "", row["body"] or "")


def compare_articles(
    a: PreparedArticle,
    b: PreparedArticle,
    *,
    a_style: StyleSheet | None,
    b_style: StyleSheet | None,
    settings: DiffSettings | None = None,
    chrome: Chrome | None = None,
) -> DiffResult:
    """One pair, exactly as the wire_diff step compares it (``compare_pairs`` calls this).

    ``chrome``: the outlets' learned page furniture; ``harness diff`` on two files
    has no corpus to learn from, so it finds page chrome by the rules alone.
    """
    return diff_prepared_articles(a, b, a_style=a_style, b_style=b_style, settings=settings, chrome=chrome)


def diff_article_files(
    a: ArticleFile, b: ArticleFile, *, a_style: StyleSheet | None, b_style: StyleSheet | None
) -> DiffResult:
    """Two article files compared as two corpus articles would be."""
    rows = ({"headline": a.headline, "body": a.body}, {"headline": b.headline, "body": b.body})
    return compare_articles(prepared_article(rows[0]), prepared_article(rows[1]), a_style=a_style, b_style=b_style)


def _side_json(article: ArticleFile, style: StyleSheet | None) -> dict[str, Any]:
    return {
        "outlet": article.outlet,
        "style": style.name if style is not None else None,
        "headline": article.headline,
        "body": article.body,
    }


def article_files_json(
    result: DiffResult, articles: tuple[ArticleFile, ArticleFile], styles: tuple[StyleSheet | None, StyleSheet | None]
) -> dict[str, Any]:
    """:func:`harness.wirediff.to_json` plus ``a`` and ``b``: each article's outlet, style
    sheet, headline and body, the texts an edit's offsets index (its ``segment`` says which)."""
    return {
        **to_json(result),
        "a": _side_json(articles[0], styles[0]),
        "b": _side_json(articles[1], styles[1]),
    }
