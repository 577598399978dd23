"""Reports by outlet at any size (issue 12, item 4).

Every scoring report reads: summary by outlet, then per metric a distribution chart
and a forest plot of the comparisons, then per-article tables capped to a few rows
with doc_id and headline. Charts are matplotlib SVG: escaped, whole names, the same
bytes in every process. Sizes are checked on a result of 2,000+ articles built from
generated stored tables (``tests/report_tables.py``); the real BBC run is described in
the README.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from harness.engines import BatchCall
from harness.experiments import StepRegistry, load_catalogue
from harness.experiments.registry import Gather, step
from harness.project import Project
from harness.reports import render_report
from harness.reports.blocks import Heading, Paragraph, Part, Section, Table, format_cell, top_rows
from harness.reports.build import arrange
from harness.reports.charts import (
    Distribution,
    ForestPanel,
    ForestRow,
    Interval,
    OutletRow,
    distribution_chart,
    forest_chart,
)
from harness.run import run_experiment
from harness.run.runner import _call_step
from tests.report_tables import OUTLETS, framing_report_blocks, large_framing_tables

ROOT = Path(__file__).resolve().parent.parent
MAX_HTML_BYTES = 1_500_000


def _headings(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


def _svg_text(svg: str) -> str:
    """Every text node of a chart, joined (the lines of a wrapped label run together)."""
    return "".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


# -- cells ---------------------------------------------------------------------------------


def test_infinity_shows_as_infinity_and_missing_as_blank() -> None:
    assert format_cell(math.inf) == "∞"
    assert format_cell(-math.inf) == "−∞"
    assert format_cell(math.nan) == ""
    assert format_cell(None) == ""
    assert format_cell(2.5) == "2.500"
    table = Table(pl.DataFrame({"ratio": [math.inf, None, 1.0]}, schema={"ratio": pl.Float64}))
    assert "| ∞ |" in table.markdown() and "| 1.000 |" in table.markdown()
    assert "None" not in table.markdown() and "inf" not in table.html()


def test_per_article_tables_are_capped_and_say_where_the_rest_is() -> None:
    frame = pl.DataFrame({"doc_id": [f"d{i}" for i in range(100)], "x": [float(i % 7) for i in range(100)]})
    table = top_rows(frame, by="x", descending=True, n=25, what="Articles", table="documents")
    assert table.frame.height == 25 and table.frame["x"].to_list() == [6.0] * 14 + [5.0] * 11
    assert table.frame["doc_id"][:2].to_list() == ["d6", "d13"]  # ties keep the stored order
    assert table.caption == "Articles: the 25 of 100 with the highest x; all rows in table `documents`"
    small = top_rows(frame.head(3), by="x", descending=False, n=25, what="Articles", table="documents")
    assert small.caption == "Articles: all 3, lowest x first (table `documents`)"


def test_sections_are_laid_out_summary_charts_details_in_step_order() -> None:
    blocks = arrange(
        [
            Section(Part.DETAILS, (Heading("details 1"),)),
            Paragraph("loose block"),
            Section(Part.CHARTS, (Heading("charts 1"),)),
            Section(Part.SUMMARY, (Heading("summary 1"),)),
            Section(Part.DETAILS, (Heading("details 2"),)),
            Section(Part.SUMMARY, (Heading("summary 2"),)),
        ]
    )
    text = "".join(b.markdown() for b in blocks)
    order = ["summary 1", "summary 2", "charts 1", "details 1", "loose block", "details 2"]
    assert [text.index(t) for t in order] == sorted(text.index(t) for t in order)


# -- charts ----------------------------------------------------------------------------------

HOSTILE = ("<script>alert(1)</script>Wire", "Money $x$ & $y$ Daily", "Bell\x1b[31m Times", "A" * 70)


def _hostile_charts() -> tuple[str, str]:
    rng = np.random.default_rng(5)
    rows = [
        OutletRow(name, {"all": Distribution(rng.normal(i, 1.0, size=n), Interval(float(i), i - 0.2, i + 0.2))})
        for i, (name, n) in enumerate(zip(HOSTILE, (3, 30, 300, 1), strict=True))
    ]
    distribution = distribution_chart(rows, series=["all"], title="Values <b>by</b> outlet", x_label="x & y")
    label = f"{HOSTILE[0]} vs {HOSTILE[1]}"
    panel = ForestPanel(
        "loaded_rate",
        "rate ratio",
        [
            ForestRow(label, "all", Interval(2.0, 1.5, 2.5)),
            ForestRow(label, "narrator", Interval(math.inf)),
            ForestRow(label, "quoted", Interval(0.0), hollow=True),
        ],
        log=True,
    )
    forest = forest_chart([panel], labels=[label], series=["all", "narrator", "quoted"], title="Pairs")
    return distribution, forest


CHART_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {root!r})
from tests.test_report_layout import _hostile_charts
print(hashlib.sha256("".join(_hostile_charts()).encode()).hexdigest())
"""


def test_charts_are_the_same_bytes_in_another_process() -> None:
    import hashlib

    here = hashlib.sha256("".join(_hostile_charts()).encode()).hexdigest()
    script = CHART_SCRIPT.format(root=str(ROOT))
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == here


def test_chart_text_is_escaped_whole_and_literal() -> None:
    for svg in _hostile_charts():
        assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
        assert "<script" not in svg and "<style" not in svg and "<?xml" not in svg
        assert "\x1b" not in svg and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
        )
        # Every <use> points inside the chart, at an id the chart defines.
        ids = set(re.findall(r' id="([^"]+)"', svg))
        assert set(re.findall(r'href="#([^"]+)"', svg)) <= ids
    distribution, forest = _hostile_charts()
    shown = _svg_text(distribution)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Wire" in shown
    assert "Money $x$ &amp; $y$ Daily" in shown  # dollar signs are text, not TeX
    assert "Bell\\x1b[31m Times" in shown  # the control character as a visible escape
    assert "A" * 70 in shown and len(re.findall(r">A+</text>", distribution)) == 3  # wrapped, every letter kept
    forest_text = _svg_text(forest)
    assert "∞" in forest_text and re.search(r">0</text>", forest)  # off-scale values labelled


def test_two_charts_in_one_page_never_share_an_id() -> None:
    distribution, forest = _hostile_charts()
    first = set(re.findall(r' id="([^"]+)"', distribution))
    second = set(re.findall(r' id="([^"]+)"', forest))
    assert first and second and not first & second


# -- whole reports -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_tables() -> dict[str, pl.DataFrame]:
    return large_framing_tables(2225)


def test_a_report_of_2225_articles_is_small_and_opens_with_the_summary(large_tables: dict[str, pl.DataFrame]) -> None:
    from harness.reports.build import render_html, render_markdown

    blocks = framing_report_blocks(large_tables)
    html = render_html("large", blocks)
    assert len(html.encode("utf-8")) < MAX_HTML_BYTES
    headings = _headings(html)
    assert headings[0] == "Summary by outlet"
    assert headings[1:6] == ["Sentiment", "Loaded language", "Reading ease", "Grade level", "Gunning fog"]
    assert headings.index("Articles") > headings.index("Gunning fog")
    assert html.count("<tr>") < 400  # was one row per article and per speaker
    assert html.count("<svg ") == 9  # 5 distributions, 3 forest plots, 1 of lexicon categories
    # The summary: one row per outlet, means with their CIs, before any chart.
    summary = html[: html.index("<svg ")]
    for outlet in OUTLETS:
        escaped = outlet.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert re.search(f"<td( class=\"text\")?>{re.escape(escaped)}</td>", summary), outlet
    assert re.search(r"<td>-?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]</td>", summary)
    # Per-article tables: capped, with doc_id and headline, naming the table with every row.
    markdown = render_markdown("large", blocks)
    assert "the 25 of 2225 with the highest loaded\\_per\\_1k; all rows in table \\`documents\\`" in markdown
    assert "the 40 of " in markdown and "all rows in table \\`hits\\`" in markdown
    assert "the 25 of 4450 with the highest quotes; all rows in table \\`speakers\\`" in markdown
    assert markdown.count("| doc\\_id | outlet | headline |") == 4  # two article tables, hits, speakers
    assert "| ∞ |" in markdown  # the infinite upper bound in the comparisons table


def test_distribution_charts_mark_each_article_at_most_once(large_tables: dict[str, pl.DataFrame]) -> None:
    """Large outlets: a box and its outliers, not one mark per article (nor a line per article)."""
    html = render_report_html(large_tables)
    first = html[html.index("<svg ") : html.index("</svg>")]
    assert first.count("<use ") < 2225 * 3 / 4
    assert first.count("<path ") < 200


def test_scores_without_comparisons_still_draw_each_outlet(large_tables: dict[str, pl.DataFrame]) -> None:
    """score_framing alone: no stored summary or comparisons, so distributions without means."""
    from harness.reports.build import render_html
    from harness.steps.framing import framing_report

    tables = {k: v for k, v in large_tables.items() if k not in ("outlet_summary", "comparisons")}
    html = render_html("scores", arrange(framing_report(tables, {})))
    assert _headings(html)[:2] == ["Summary by outlet", "Sentiment"]
    assert "no step compare_outlets" in html
    assert html.count("<svg ") == 5 and "mean and 95% CI" not in html


def render_report_html(tables: Mapping[str, pl.DataFrame]) -> str:
    from harness.reports.build import render_html

    return render_html("large", framing_report_blocks(tables))


def test_framing_and_core_reports_have_one_shape(project: Project) -> None:
    catalogue = load_catalogue(project.experiments_dir)
    reports = {name: render_report(run_experiment(catalogue.get(name), project)) for name in ("tabloid-framing", "core-scorecard")}
    for name, report in reports.items():
        headings = _headings(report.html)
        assert headings[0] == "Summary by outlet", name
        assert headings.index("Sentiment") < headings.index("Reading ease") < headings.index("Articles"), name
        assert headings[-2:] == ["Stored result", "How to cite"], name
        assert "| doc\\_id | outlet | headline |" in report.markdown, name
    core = reports["core-scorecard"].markdown
    assert "table \\`core\\_outlet\\_summary\\`" in core


# -- gathered tables ---------------------------------------------------------------------------


class TwoBatches:
    """An engine that runs a batched step on two slices and concatenates them, as Ray does."""

    name = "local"

    def run(self, call: BatchCall) -> dict[str, pl.DataFrame]:
        table = call.tables[call.batched]
        half = table.height // 2
        parts = [call.call(table.slice(0, half)), call.call(table.slice(half))]
        return {name: pl.concat([p[name] for p in parts]) for name in call.outputs}

    def map_groups(self, frame: pl.DataFrame, keys: tuple[str, ...], func: Any) -> pl.DataFrame:
        raise NotImplementedError


def test_gathered_tables_see_every_batch() -> None:
    registry = StepRegistry()

    def totals(tables: Mapping[str, pl.DataFrame], settings: Mapping[str, Any]) -> dict[str, pl.DataFrame]:
        return {"totals": tables["lengths"].group_by("outlet").agg(pl.len().alias("articles")).sort("outlet")}

    @step(outputs=("lengths",), batch_over="articles", gather=Gather(("totals",), totals), registry=registry)
    def lengths(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
        return {"lengths": articles.select("outlet", pl.col("body").str.len_chars().alias("chars"))}

    defn = registry.get("lengths")
    assert defn is not None and defn.outputs == ("lengths", "totals") and defn.func_outputs == ("lengths",)
    articles = pl.DataFrame({"outlet": ["a", "b", "a", "a", "b", "a"], "body": ["x"] * 6})
    produced = _call_step(defn, {"articles": articles}, {}, TwoBatches())
    assert produced["lengths"].height == 6
    assert produced["totals"].to_dicts() == [{"outlet": "a", "articles": 4}, {"outlet": "b", "articles": 2}]


def test_core_outlet_summary_is_stored_with_the_core_tables(project: Project) -> None:
    stored = run_experiment(load_catalogue(project.experiments_dir).get("core-scorecard"), project)
    summary = stored.table("core_outlet_summary")
    assert set(summary["voice"]) == {"all"} and set(summary["field"]) == {"body"}
    documents = stored.table("core_documents")
    for row in summary.filter(pl.col("metric") == "sentiment_mean").iter_rows(named=True):
        values = documents.filter(pl.col("outlet") == row["outlet"])["sentiment_mean"].drop_nulls()
        assert row["n_articles"] == values.len()
        assert row["mean"] == pytest.approx(values.mean())
    assert json.loads(json.dumps(stored.manifest.tables["core_outlet_summary"].rows)) == summary.height
