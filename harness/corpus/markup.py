"""Telling an HTML page from article text.

The harness measures text as given: offsets, word and sentence counts are those
of the body string. A body that is really an HTML page (a saved web page, a
scraper's raw ``innerHTML``) would be measured with its markup, so it is
refused with a clear error rather than read silently (see ``records.article_row``).

What counts as HTML is *structure*, not the presence of a ``<``:

* the text opens as an HTML document (``<!DOCTYPE html>``, ``<html>``), or
* it is laid out with at least :data:`MIN_STRUCTURE_TAGS` structural tags
  (paragraphs, line breaks, blocks, lists, tables; the element names live in
  ``data/html_structure_tags.txt``).

Inline markup inside prose (an article quoting ``<script>``, an ``<img>`` or a
``<b>``, HTML entities such as ``&amp;``) is text: it is read as written and
escaped wherever a report shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.resources import Resource, project_resource

STRUCTURE_TAGS_FILE = Path(__file__).parent / "data" / "html_structure_tags.txt"

# Two tags: even a one-paragraph page has <p> and </p>, while prose that
# mentions a single tag (or a hostile <script>) stays text.
MIN_STRUCTURE_TAGS = 2

_DOCUMENT_START = re.compile(r"\A\s*<(?:!doctype\s+html\b|html\b)", re.IGNORECASE)
# An opening, closing or self-closing tag: "<p>", "</p>", "<br/>", "<div class='x'>".
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")


@dataclass(frozen=True, slots=True)
class HtmlEvidence:
    """Why a text was taken for HTML, for the error message."""

    first_tag: str  # as written, e.g. "<p>"
    offset: int  # character offset of the first tag in the text
    structure_tags: int  # how many structural tags the text holds

    def describe(self) -> str:
        more = self.structure_tags - 1
        extra = f" and {more} more structural tag{'s' if more != 1 else ''}" if more > 0 else ""
        return f"{self.first_tag} at character {self.offset}{extra}"


def structure_tags_resource() -> Resource:
    return project_resource(STRUCTURE_TAGS_FILE, "corpus/html_structure_tags.txt")


@cache
def _structure_tag_names() -> frozenset[str]:
    return frozenset(name.lower() for name in structure_tags_resource().lines())


def html_evidence(text: str) -> HtmlEvidence | None:
    """Evidence that ``text`` is an HTML page rather than article text, else None."""
    if "<" not in text:  # both patterns begin with "<": one C scan instead of a regex pass per body
        return None
    names = _structure_tag_names()
    tags = [m for m in _TAG.finditer(text) if m.group(1).lower() in names]
    document = _DOCUMENT_START.match(text)
    if document is not None:
        start = document.end() - len(document.group().lstrip())
        tag_end = text.find(">", start)
        shown = text[start : tag_end + 1] if tag_end >= 0 else text[start : start + 15]
        return HtmlEvidence(_short(shown), start, max(len(tags), 1))
    if len(tags) < MIN_STRUCTURE_TAGS:
        return None
    first = tags[0]
    return HtmlEvidence(_short(first.group()), first.start(), len(tags))


def _short(tag: str, limit: int = 40) -> str:
    """A tag for a one-line message: no line breaks, long attributes cut."""
    flat = " ".join(tag.split())
    return flat if len(flat) <= limit else flat[: limit - 4] + " ...>"
