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
