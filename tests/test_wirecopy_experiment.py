"""wire-copy-diff end to end: stored tables, the report, and `harness diff` on files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

from harness.cli import app
from harness.corpus import read_corpus
from harness.experiments import load_catalogue
from harness.project import Project
from harness.reports import render_report
from harness.run import run_experiment
from tests.conftest import SEEDS, frame_text

runner = CliRunner()


def test_wire_copy_diff_result_and_report(project: Project, snapshot: SnapshotAssertion) -> None:
    stored = run_experiment(load_catalogue(project.experiments_dir).get("wire-copy-diff"), project)
    assert set(stored.manifest.tables) == {"articles", "candidate_pairs", "pairs", "edits", "style_rules", "furniture"}
    pairs = stored.table("pairs")
    guardian = pairs.filter(pl.col("b_outlet") == "The Guardian").row(0, named=True)
    assert guardian["a_outlet"] == "Reuters"
    assert guardian["derivation"] == "wholly"
    assert guardian["substantive_edits"] <= 2  # the bar: at most 2 substantive edits
    edits = stored.table("edits").filter(pl.col("b_doc_id") == guardian["b_doc_id"], pl.col("segment") == "body")
    categories = set(edits["category"].to_list())
    assert {"quote_style", "spelling", "title_style", "date_format", "attribution_order", "dateline"} <= categories
    dateline = edits.filter(pl.col("category") == "dateline").row(0, named=True)
    assert dateline["kind"] == "boilerplate"
    assert dateline["a_text"].startswith("ISTANBUL, July 23 (Reuters)")
    # Offsets slice the stored article bodies exactly: every number is auditable.
    articles = {r["doc_id"]: r for r in stored.table("articles").iter_rows(named=True)}
    for e in edits.iter_rows(named=True):
        assert articles[e["a_doc_id"]]["body"][e["a_start"] : e["a_end"]] == e["a_text"]
        assert articles[e["b_doc_id"]]["body"][e["b_start"] : e["b_end"]] == e["b_text"]
    assert {r["name"] for r in stored.manifest.resources} >= {"styles/guardian.toml", "styles/reuters.toml"}
    assert frame_text(pairs) == snapshot(name="pairs")
    assert frame_text(stored.table("edits")) == snapshot(name="edits")
    assert frame_text(stored.table("style_rules")) == snapshot(name="style_rules")
    report = render_report(stored)
    assert "Every substantive edit in context" in report.markdown
    assert "Side by side" in report.html and "<script" not in report.html
    assert report.markdown == snapshot(name="markdown")
    assert report.html == snapshot(name="html")


def _seed_body(outlet: str) -> str:
    articles = read_corpus(SEEDS)
    return str(articles.filter(pl.col("outlet") == outlet)["body"][0])


def test_diff_command_json_contract(tmp_path: Path) -> None:
    a, b = tmp_path / "reuters.txt", tmp_path / "guardian.txt"
    a.write_text(_seed_body("Reuters"), encoding="utf-8")
    b.write_text(_seed_body("The Guardian"), encoding="utf-8")
    result = runner.invoke(
        app, ["diff", str(a), str(b), "--a-outlet", "reuters", "--b-outlet", "guardian", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"similarity", "derivation", "edits"}
    assert data["derivation"] == "wholly"
    fields = {"category", "kind", "rule", "explanation", "a_text", "b_text", "a_start", "a_end", "b_start", "b_end"}
    a_text, b_text = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
    for edit in data["edits"]:
        assert fields <= set(edit)
        assert a_text[edit["a_start"] : edit["a_end"]] == edit["a_text"]
        assert b_text[edit["b_start"] : edit["b_end"]] == edit["b_text"]
    assert sum(1 for e in data["edits"] if e["kind"] == "substantive") <= 2


def test_diff_command_html_and_text(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text('He said "<script>x</script> fine".\n', encoding="utf-8")
    b.write_text("He said '<script>x</script> fine'.\n", encoding="utf-8")
    out = tmp_path / "diff.html"
    result = runner.invoke(app, ["diff", str(a), str(b), "--format", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script>x" not in page and "&lt;script&gt;" in page
    result = runner.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 0
    assert "quote_style" in result.stdout


def test_diff_command_bad_input(tmp_path: Path) -> None:
    empty, binary, good = tmp_path / "empty.txt", tmp_path / "bin.txt", tmp_path / "good.txt"
    empty.write_text("")
    binary.write_bytes(b"abc\x00def")
    good.write_text("Some text.")
    for a, b, expected in (
        (tmp_path / "missing.txt", good, "no such file"),
        (empty, good, "empty file"),
        (good, binary, "binary file"),
    ):
        result = runner.invoke(app, ["diff", str(a), str(b)])
        assert result.exit_code == 2
        assert expected in result.stderr
        assert result.stderr.count("\n") == 1


def test_style_sheet_files_named_in_settings_give_the_same_tables(project: Project) -> None:
    """`style_sheets = {outlet = file}` is the explicit way to name a sheet file; naming the
    sheets the folder lookup finds anyway changes no table."""
    catalogue = load_catalogue(project.experiments_dir)
    plain = run_experiment(catalogue.get("wire-copy-diff"), project)
    file = project.experiments_dir / "wire-copy-diff.toml"
    text = file.read_text(encoding="utf-8").replace(
        'settings = { styles_dir = "experiments/styles" }',
        'settings = { styles_dir = "experiments/styles", style_sheets = { "The Guardian" = "experiments/styles/guardian.toml" } }',
    )
    file.write_text(text.replace('version = "1.0.0"', 'version = "1.0.0-files"'), encoding="utf-8")
    named = run_experiment(load_catalogue(project.experiments_dir).get("wire-copy-diff"), project)
    for table in ("pairs", "edits", "style_rules"):
        assert named.table(table).equals(plain.table(table)), table
    assert "style_sheets/guardian.toml" in {r["name"] for r in named.manifest.resources}
    assert "style_sheets/guardian.toml" not in {r["name"] for r in plain.manifest.resources}


# -- issue 13: `harness diff` on article files equals the experiment ---------------------------

EDIT_FIELDS = ("segment", "category", "kind", "rule", "explanation", "a_text", "b_text", "a_start", "a_end", "b_start", "b_end")


def _article_file(path: Path, row: dict[str, str], *, front_matter: bool) -> Path:
    """A seed article as a file: with YAML front matter, or headline line + body."""
    if front_matter:
        headline = json.dumps(row["headline"], ensure_ascii=False)  # a JSON string is a YAML string
        path.write_text(f"---\noutlet: {row['outlet']}\nheadline: {headline}\n---\n{row['body']}\n", encoding="utf-8")
    else:
        path.write_text(f"{row['headline']}\n\n{row['body']}\n", encoding="utf-8")
    return path


def test_diff_on_article_files_equals_the_experiment(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = run_experiment(load_catalogue(project.experiments_dir).get("wire-copy-diff"), project)
    pair = stored.table("pairs").filter(pl.col("b_outlet") == "The Guardian").row(0, named=True)
    articles = {r["doc_id"]: r for r in stored.table("articles").iter_rows(named=True)}
    rows = (
        stored.table("edits")
        .filter(pl.col("a_doc_id") == pair["a_doc_id"], pl.col("b_doc_id") == pair["b_doc_id"])
        .sort("edit_index")
    )
    expected = [{field: row[field] for field in EDIT_FIELDS} for row in rows.iter_rows(named=True) if row["parent_edit"] is None]
    expected_subs = [
        {field: row[field] for field in EDIT_FIELDS} for row in rows.iter_rows(named=True) if row["parent_edit"] is not None
    ]
    assert len(expected_subs) == 2
    assert any(e["segment"] == "headline" for e in expected) and pair["substantive_share"] < 0.05
    monkeypatch.chdir(project.root)  # the default --styles is the project's experiments/styles
    runs = {
        # Front matter names the outlets: their sheets are found as the step finds them.
        "front matter": [
            _article_file(tmp_path / "reuters.md", articles[pair["a_doc_id"]], front_matter=True),
            _article_file(tmp_path / "guardian.md", articles[pair["b_doc_id"]], front_matter=True),
        ],
        # Plain text: the first line is the headline; the outlets come from the options.
        "first line": [
            _article_file(tmp_path / "reuters.txt", articles[pair["a_doc_id"]], front_matter=False),
            _article_file(tmp_path / "guardian.txt", articles[pair["b_doc_id"]], front_matter=False),
            "--a-outlet", "Reuters", "--b-outlet", "The Guardian",
        ],
    }
    for name, args in runs.items():
        result = runner.invoke(app, ["diff", *map(str, args), "--format", "json"])
        assert result.exit_code == 0, (name, result.output)
        data = json.loads(result.stdout)
        assert [{f: e[f] for f in EDIT_FIELDS} for e in data["edits"]] == expected, name
        assert [{f: s[f] for f in EDIT_FIELDS} for e in data["edits"] for s in e["sub_edits"]] == expected_subs, name
        assert data["substantive_share"] == pair["substantive_share"], name
        assert data["substantive_b_share"] == pair["substantive_b_share"], name
        assert data["derivation"] == pair["derivation"], name
        assert (data["a"]["style"], data["b"]["style"]) == (pair["a_style"], pair["b_style"]), name
        # `outlet` is the front matter's: the options choose sheets, they do not change the file.
        outlets = ("Reuters", "The Guardian") if name == "front matter" else (None, None)
        assert (data["a"]["outlet"], data["b"]["outlet"]) == outlets, name
        # Offsets index the field the edit's segment names; front matter is never text.
        for edit in data["edits"]:
            field = edit["segment"]
            assert data["a"][field][edit["a_start"] : edit["a_end"]] == edit["a_text"]
            assert data["b"][field][edit["b_start"] : edit["b_end"]] == edit["b_text"]
        assert "outlet:" not in data["a"]["body"] + data["b"]["body"]


def test_diff_reads_headline_from_front_matter_title_or_first_line(tmp_path: Path) -> None:
    from harness.wirediff.articlefile import read_article_file

    titled = tmp_path / "titled.md"
    titled.write_text("---\ntitle: A title\noutlet: AP\npublished: 2025-07-23\n---\n\nFirst line.\nSecond.\n", encoding="utf-8")
    article = read_article_file(titled)
    assert (article.headline, article.body, article.outlet, article.published) == ("A title", "First line.\nSecond.", "AP", "2025-07-23")
    plain = tmp_path / "plain.txt"
    plain.write_text("\n  The headline  \n\nThe body.\n\nMore body.\n", encoding="utf-8")
    article = read_article_file(plain)
    assert (article.headline, article.body, article.outlet) == ("The headline", "The body.\n\nMore body.", None)
    one_line = tmp_path / "one.txt"
    one_line.write_text("Only a sentence.\n", encoding="utf-8")
    assert (read_article_file(one_line).headline, read_article_file(one_line).body) == ("", "Only a sentence.")


def test_report_shows_a_pair_without_edits_and_each_pair_with_its_own() -> None:
    from harness.reports.blocks import TrustedHtml
    from harness.steps.wirecopy import wirecopy_report
    from harness.wirediff import compare_pairs

    story = "The council approved the budget on Tuesday.\n\nIt now goes to the assembly."
    articles = pl.DataFrame(
        {"doc_id": ["a", "b", "c"], "outlet": ["Wire", "Copy", "Other"], "headline": ["Budget"] * 3,
         "body": [story, story, story.replace("Tuesday", "Monday")]}
    )
    pairs = pl.DataFrame({"a_doc_id": ["a", "a"], "b_doc_id": ["b", "c"]})
    tables = compare_pairs(articles, pairs, styles_dir=Path(__file__).resolve().parent.parent / "experiments" / "styles")
    assert tables["edits"].filter(pl.col("b_doc_id") == "b").height == 0
    blocks = wirecopy_report({**tables, "articles": articles}, {})
    fragments = [b.fragment for b in blocks if isinstance(b, TrustedHtml)]
    assert len(fragments) == 2  # one side by side per pair, the identical copy's included
    same, changed = fragments
    assert "Monday" not in same and "Monday" in changed
