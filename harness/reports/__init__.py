"""Reports rendered from stored results: Markdown and self-contained HTML."""

from harness.reports.blocks import Block, Code, Figure, Heading, Paragraph, Table, TrustedHtml
from harness.reports.build import RenderedReport, render_report, write_report

__all__ = [
    "Block",
    "Code",
    "Figure",
    "Heading",
    "Paragraph",
    "RenderedReport",
    "Table",
    "TrustedHtml",
    "render_report",
    "write_report",
]
