"""Terminal and HTML views of a comparison."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from harness.errors import InputError
from harness.wirediff import diff_articles, diff_texts, render_html, render_html_fragment, render_text

A = 'KYIV, May 3 (Reuters) - "We won," U.S. President Joe Biden said on May 16 <script>alert(1)</script> & more.'
B = "'We won,' said the US president, Joe Biden, on 16 May <script>alert(2)</script> & less."


def test_html_page_is_self_contained_and_escaped() -> None:
    result = diff_texts(A, B)
    page = render_html(result, A, B, title="Reuters <vs> Guardian")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Reuters &lt;vs&gt; Guardian</title>" in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(" in page and "&lt;/script&gt;" in page
    for remote in ("http:", "https:", "src=", "<link", "@import", "url("):
        assert remote not in page
    assert page.count("<style>") == 1


def test_every_edit_is_marked_on_both_sides_and_listed() -> None:
    result = diff_texts(A, B)
    page = render_html(result, A, B, title="t")
    assert len(re.findall(r'<mark class="wd-k-\w+ wd-c-', page)) == 2 * len(result.edits)
    assert page.count('<tr class="wd-k-') == len(result.all_edits())  # sub-edits listed, not marked
    kinds = set(re.findall(r'<mark class="wd-k-(\w+) wd-c-', page))
    assert kinds == {"style", "boilerplate", "substantive"}


def test_fragment_is_one_section_with_scoped_style() -> None:
    result = diff_texts(A, B)
    fragment = render_html_fragment(result, A, B)
    assert fragment.startswith('<section class="wd"><style>')
    assert fragment.endswith("</section>")
    assert "<html" not in fragment and "<h2>" not in fragment
    assert "<h2>Pair 1</h2>" in render_html_fragment(result, A, B, title="Pair 1")


def test_article_results_take_headline_and_body() -> None:
    result = diff_articles("Talks <end> today", A, "Talks <end> now", B)
    page = render_html(result, ("Talks <end> today", A), ("Talks <end> now", B), title="articles")
    assert "<h3>Headline</h3>" in page and "<h3>Body</h3>" in page
    assert "Talks &lt;end&gt;" in page
    with pytest.raises(InputError, match="compares articles"):
        render_html(result, A, B, title="x")
    with pytest.raises(InputError):
        render_text(result, ("h", A), B)


def test_terminal_view_lists_edits_with_categories() -> None:
    result = diff_texts(A, B)
    console = Console(record=True, width=200, color_system=None)
    console.print(render_text(result, A, B))
    text = console.export_text()
    assert text.splitlines()[0].startswith("derivation: partially (copied 68.8%)")
    for category in ("dateline", "quote_style", "attribution_order", "date_format", "substitution"):
        assert category in text
