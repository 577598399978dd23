"""Reports rendered from stored results: Markdown and self-contained HTML."""

from harness.reports.blocks import Block, Code, Figure, Heading, Paragraph, Part, Section, Table, TrustedHtml, top_rows
from harness.reports.build import RenderedReport, render_report, write_report

__all__ = [
    "Block",
    "Code",
    "Figure",
    "Heading",
    "Paragraph",
    "Part",
    "RenderedReport",
    "Section",
    "Table",
    "TrustedHtml",
    "render_report",
    "top_rows",
    "write_report",
]
