"""Reports: snapshots of the seed corpus, the profile tables and both renderings."""

from __future__ import annotations

import polars as pl
from syrupy.assertion import SnapshotAssertion

from harness.corpus import read_corpus
from harness.experiments import load_catalogue
from harness.project import Project
from harness.reports import Paragraph, Table, render_report
from harness.reports.blocks import md_escape
from harness.run import run_experiment
from tests.conftest import SEEDS, frame_text


def test_seed_corpus_table(snapshot: SnapshotAssertion) -> None:
    assert frame_text(read_corpus(SEEDS)) == snapshot


def test_corpus_profile_tables_and_reports(project: Project, snapshot: SnapshotAssertion) -> None:
    stored = run_experiment(load_catalogue(project.experiments_dir).get("corpus-profile"), project)
    assert frame_text(stored.table("profile")) == snapshot(name="profile-table")
    report = render_report(stored)
    assert report.markdown == snapshot(name="markdown")
    assert report.html == snapshot(name="html")
    assert report.markdown == render_report(project.store().resolve(stored.ref)).markdown


def test_hostile_text_is_escaped() -> None:
    hostile = '<script>alert(1)</script> **bold** [x](http://e) &amp; | pipe'
    table = Table(pl.DataFrame({"text": [hostile]}))
    assert "<script>" not in table.html()
    assert "&lt;script&gt;" in table.html()
    assert "<script>" not in table.markdown()
    assert "\\*\\*bold\\*\\*" in table.markdown()
    assert "\\|" in table.markdown()
    assert "<script>" not in Paragraph(hostile).html()
    assert md_escape("a\nb") == "a b"


def test_nulls_render_blank_never_na() -> None:
    table = Table(pl.DataFrame({"x": [1.0, None]}, schema={"x": pl.Float64}))
    assert "N/A" not in table.markdown() and "None" not in table.markdown()
    assert "| 1.000 |" in table.markdown()


HOSTILE_MD = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![i](http://e/x.png)",
    "<http://evil.example>",
    "*bold* _it_ `tick` | pipe ~~s~~",
    "line one\n# heading\n- item\n1. item\n> quote",
    "[ref]: javascript:alert(1)",
    "&lt;script&gt; &#60;b&#62;",
    "trailing backslash \\",
]


def _rendered(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def test_every_block_escapes_its_text_in_markdown() -> None:
    """Headings, paragraphs, captions, figure notes, the HTML fragment's caption: no markup survives."""
    from harness.reports import Figure, Heading, TrustedHtml

    for text in HOSTILE_MD:
        blocks = [
            Heading(text), Paragraph(text), Table(pl.DataFrame({text: [text]}), caption=text),
            Figure("<svg/>", caption=text, markdown_text=text), TrustedHtml("<section></section>", text),
        ]
        for block in blocks:
            html = _rendered(block.markdown())
            for tag in ("<script", "<a ", "<img", "<strong>", "<code>", "<h1>", "<li>", "<blockquote>", "<b>", "<del>"):
                assert tag not in html, (type(block).__name__, text, html)
            assert html.count("<em>") <= 1, html  # captions are set in italics: the only emphasis


def test_code_fence_cannot_be_closed_by_its_text() -> None:
    from harness.reports import Code

    for text in ("a ``` b", "x\n```\n<script>alert(1)</script>", "x\n````\n<script>alert(1)</script>\n`````"):
        markdown = Code(text).markdown()
        html = _rendered(markdown)
        assert html.count("<pre>") == 1 and "<script" not in html, (text, markdown, html)
        assert html.startswith("<pre><code>") and html.rstrip().endswith("</code></pre>")


def test_citation_is_one_line(project: Project) -> None:
    from harness.reports.build import citation_text

    stored = run_experiment(load_catalogue(project.experiments_dir).get("corpus-profile"), project)
    stored.manifest.experiment["version"] = "1\n```\n<script>alert(1)</script>\x1b[2J"
    text = citation_text(stored)
    assert "\n" not in text and "\x1b" not in text
    assert "experiment version 1\\n```\\n<script>alert(1)</script>\\x1b[2J)" in text
