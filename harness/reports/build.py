"""Reports: a pure function of one stored result (tables + manifest).

Rendering never recomputes an analysis: each step's report section reads the
stored tables. Nothing that changes between runs of the same result (run time,
git commit, Python build) appears in a report, so a report is byte-stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from harness.experiments.registry import StepRegistry, default_registry
from harness.outputs import write_together
from harness.reports.blocks import Block, Code, Heading, Paragraph, Table, h, part_of
from harness.results.store import StoredResult
from harness.safetext import printable

# The HTML report loads nothing: no scripts at all, styles inline, images only
# as inline data. The Content-Security-Policy makes the browser enforce it.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.2rem;font-size:.9rem;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ccc;padding:.2rem .45rem;vertical-align:top;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-style:italic;padding:.2rem 0}
pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.note{color:#555;font-size:.85rem}
figure{margin:1rem 0}
figure svg{width:100%;max-width:60rem;height:auto}
td{white-space:nowrap}
td.text{min-width:16rem;white-space:normal}
figcaption{font-size:.85rem;color:#444}
"""


@dataclass(frozen=True, slots=True)
class RenderedReport:
    title: str
    markdown: str
    html: str


def citation_text(stored: StoredResult) -> str:
    """The citation, one line: a newline or control character in the stored version
    (taken from the experiment file) is shown as an escape."""
    m = stored.manifest
    return printable(
        f"{stored.name} (experiment version {m.experiment['version']}), result {stored.result_id}; "
        f"framing-harness {m.environment.get('harness', 'unknown')}. "
        f"Reference: {stored.ref}. Re-verify: harness verify {stored.ref}. "
        f"BibTeX/CFF: harness cite {stored.ref} --format bibtex|cff"
    )


def header_blocks(stored: StoredResult) -> list[Block]:
    """Title, description and one line of provenance: the report opens with its findings."""
    m = stored.manifest
    corpus = m.corpus
    skipped = corpus.get("articles_skipped", 0)
    not_scored = f", {skipped} not scored (table `skipped`)" if skipped else ""
    blocks: list[Block] = [Heading(f"Experiment: {stored.name}", 1)]
    if m.experiment.get("description"):
        blocks.append(Paragraph(m.experiment["description"]))
    blocks.append(
        Paragraph(
            f"Result {stored.ref} (experiment version {m.experiment['version']}, "
            f"config {m.config_hash[:12]}). Corpus {corpus['path']}: "
            f"{corpus['articles_read']} articles read, {corpus['articles_selected']} selected{not_scored}, "
            f"sha256 {corpus['hash'][:16]}. Stored tables, dictionaries and how to cite: at the end."
        )
    )
    return blocks


def provenance_blocks(stored: StoredResult) -> list[Block]:
    """Every stored table with its hash, every dictionary and lexicon, the citation."""
    m = stored.manifest
    tables = pl.DataFrame(
        {
            "table": list(m.tables),
            "rows": [e.rows for e in m.tables.values()],
            "sha256": [e.sha256[:16] for e in m.tables.values()],
        },
        schema={"table": pl.String, "rows": pl.Int64, "sha256": pl.String},
    )
    resources = pl.DataFrame(
        m.resources, schema={"name": pl.String, "version": pl.String, "sha256": pl.String}
    ).with_columns(pl.col("sha256").str.slice(0, 16))
    blocks: list[Block] = [
        Heading("Stored result"),
        Table(tables, "Stored tables (Parquet, hashes in manifest.json): every row behind this report"),
    ]
    if resources.height:
        blocks.append(Table(resources, "Dictionaries and lexicons used"))
    blocks += [Heading("How to cite"), Code(citation_text(stored))]
    return blocks


def section_blocks(stored: StoredResult, registry: StepRegistry) -> list[Block]:
    """Each step's report blocks, laid out part by part: summaries, charts, details."""
    tables = stored.tables()
    blocks: list[Block] = []
    for call in stored.manifest.config.get("resolved_steps", []):
        defn = registry.get(call["use"])
        if defn is None or defn.report is None:
            continue
        blocks.extend(defn.report(tables, call["settings"]))
    return arrange(blocks)


def arrange(blocks: Sequence[Block]) -> list[Block]:
    """Every summary first, then every chart, then every detail; step order within each."""
    return sorted(blocks, key=part_of)  # sorted() is stable


def render_markdown(title: str, blocks: Sequence[Block]) -> str:
    return "\n".join(b.markdown() for b in blocks).rstrip() + "\n"


def render_html(title: str, blocks: Sequence[Block]) -> str:
    body = "".join(b.html() for b in blocks)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{h(title)}</title><style>{CSS}</style></head>\n"
        f"<body>\n{body}</body></html>\n"
    )


def render_report(stored: StoredResult, *, registry: StepRegistry | None = None) -> RenderedReport:
    blocks = [
        *header_blocks(stored),
        *section_blocks(stored, registry or default_registry()),
        *provenance_blocks(stored),
    ]
    title = f"{stored.name}: {stored.result_id}"
    return RenderedReport(title, render_markdown(title, blocks), render_html(title, blocks))


def write_report(report: RenderedReport, name: str, folder: Path) -> tuple[Path, Path]:
    """Write ``<name>.md`` and ``<name>.html`` as a pair: both new, or both as they were.

    A failure on the second file (a full disk) puts the first one back, so the two
    never show different results. Their permissions follow the umask (0644 under
    umask 022), also when an older report was private.
    """
    md, html_path = folder / f"{name}.md", folder / f"{name}.html"
    write_together([(md, report.markdown.encode("utf-8")), (html_path, report.html.encode("utf-8"))])
    return md, html_path
