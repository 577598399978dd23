"""Finding, showing, exporting and comparing stored results (issue 15), and the
README's examples for them, run as written."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import Result
from syrupy.assertion import SnapshotAssertion
from typer.testing import CliRunner

import harness
from harness.cli import app
from harness.errors import NotFoundError, StoreError, UsageError
from harness.experiments import load_catalogue
from harness.experiments.registry import StepRegistry, step
from harness.project import Project
from harness.results import StoredResult
from harness.results.browse import LISTING_COLUMNS, export_bytes, json_safe
from harness.results.compare import compare_tables
from harness.run import run_experiment

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
runner = CliRunner()


def cli(project: Project, *args: str) -> Result:
    return runner.invoke(app, [*args, "--project", str(project.root)])


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    return result.stdout


def error_line(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def run(project: Project, name: str = "corpus-profile") -> StoredResult:
    return run_experiment(load_catalogue(project.experiments_dir).get(name), project)


def make_variant(project: Project) -> None:
    """Experiment version 1.1.0 over three of the four seed articles."""
    file = project.experiments_dir / "corpus-profile.toml"
    articles = run(project).table("articles")  # already stored: same id, no new result
    ids = json.dumps(articles["doc_id"].to_list()[:3])
    text = file.read_text().replace('version = "1.0.0"', 'version = "1.1.0"')
    file.write_text(text.replace('path = "seeds"', f'path = "seeds"\ndoc_ids = {ids}'))


@pytest.fixture
def two(project: Project) -> tuple[Project, StoredResult, StoredResult]:
    """Two results of corpus-profile, one second apart (run times have whole seconds)."""
    old = run(project)
    time.sleep(1.05)
    make_variant(project)
    new = run(project)
    assert old.result_id != new.result_id
    return project, old, new


def flip_byte(stored: StoredResult, table: str = "profile") -> None:
    file = stored.path / stored.manifest.tables[table].file
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    file.chmod(0o644)
    file.write_bytes(bytes(data))


def normalised(text: str) -> str:
    """Output that differs per run or machine replaced by placeholders (for snapshots)."""
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 \([0-9.]+ s", "<time> (<duration> s", text)
    return re.sub(r"Python [0-9.]+ \(\d+ packages", "Python <version> (<n> packages", text)


# -- results ------------------------------------------------------------------------------------------


def test_results_lists_newest_first_with_dates(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    lines = ok(cli(project, "results")).splitlines()
    assert lines[0].split()[:3] == ["ref", "latest", "created"]
    assert lines[1].startswith(f"{new.ref}  LATEST  {new.manifest.run['started_at'][:10]} ")
    assert " 1.1.0 " in lines[1] and " 1.0.0 " in lines[2]
    assert lines[2].startswith(old.ref) and "LATEST" not in lines[2]
    listed = json.loads(ok(cli(project, "results", "corpus-profile", "--json")))
    assert [row["ref"] for row in listed] == [new.ref, old.ref]
    assert list(listed[0]) == list(LISTING_COLUMNS)  # the documented contract, in order
    assert listed[0] | {"created": None} == {
        "name": "corpus-profile",
        "result_id": new.result_id,
        "ref": new.ref,
        "latest": True,
        "created": None,
        "experiment_version": "1.1.0",
        "config_hash": new.manifest.config_hash,
        "corpus_path": "seeds",
        "corpus_hash": new.manifest.corpus["hash"],
        "articles": 3,
        "tables": ["articles", "profile"],
        "engine": "local",
        "commit": None,
        "dirty": None,
        "harness_version": new.manifest.environment["harness"],
        "problem": None,
    }
    assert listed[0]["created"] == new.manifest.run["started_at"]
    assert listed[1]["latest"] is False and listed[1]["articles"] == 4


def test_results_without_a_name_lists_every_experiment(project: Project) -> None:
    text = (project.experiments_dir / "corpus-profile.toml").read_text()
    (project.experiments_dir / "profile-two.toml").write_text(text.replace('"corpus-profile"', '"profile-two"'))
    first = run(project)
    time.sleep(1.05)
    second = run(project, "profile-two")
    listed = json.loads(ok(cli(project, "results", "--json")))
    assert [row["ref"] for row in listed] == [second.ref, first.ref]
    assert all(row["latest"] for row in listed)


def test_results_of_an_empty_store(project: Project) -> None:
    result = cli(project, "results")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no stored results" in result.stderr
    assert json.loads(ok(cli(project, "results", "--json"))) == []
    line = error_line(cli(project, "results", "corpus-profile"))
    assert "no stored result for experiment 'corpus-profile'" in line


def test_results_lists_an_unreadable_manifest_with_its_problem(project: Project) -> None:
    stored = run(project)
    (stored.path / "manifest.json").write_text("{not json")
    listed = json.loads(ok(cli(project, "results", "--json")))
    assert listed[0]["ref"] == stored.ref and listed[0]["created"] is None
    assert "unreadable manifest" in listed[0]["problem"]
    assert "unreadable" in ok(cli(project, "results"))


# -- show ---------------------------------------------------------------------------------------------


def test_show_text_snapshot(two: tuple[Project, StoredResult, StoredResult], snapshot: SnapshotAssertion) -> None:
    project, old, new = two
    assert normalised(ok(cli(project, "show", "corpus-profile"))) == snapshot
    assert "(LATEST)" not in ok(cli(project, "show", "corpus-profile~1"))


def test_show_json(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    info = json.loads(ok(cli(project, "show", old.ref, "--json")))
    assert info["ref"] == old.ref and info["latest"] is False
    assert [(t["table"], t["rows"]) for t in info["tables"]] == [("articles", 4), ("profile", 4)]
    assert info["corpus"]["articles_selected"] == 4
    assert {r["name"] for r in info["resources"]} == {r["name"] for r in old.manifest.resources}


# -- export -------------------------------------------------------------------------------------------


def test_export_csv_to_a_file_and_to_stdout(two: tuple[Project, StoredResult, StoredResult], tmp_path: Path) -> None:
    project, old, new = two
    out = tmp_path / "profile.csv"
    assert ok(cli(project, "export", "corpus-profile~1", "--table", "profile", "-o", str(out))) == ""
    assert pl.read_csv(out).equals(old.table("profile"))
    printed = ok(cli(project, "export", "corpus-profile", "--table", "profile"))
    assert pl.read_csv(printed.encode()).equals(new.table("profile"))
    assert ok(cli(project, "export", "corpus-profile", "-t", "profile", "-o", "-")) == printed


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "json"])
def test_export_other_formats_round_trip(
    two: tuple[Project, StoredResult, StoredResult], tmp_path: Path, fmt: str
) -> None:
    project, old, new = two
    out = tmp_path / f"articles.{fmt}"
    ok(cli(project, "export", old.ref, "--table", "articles", "--format", fmt, "-o", str(out)))
    read = {"parquet": pl.read_parquet, "jsonl": pl.read_ndjson, "json": pl.read_json}[fmt]
    assert read(out).equals(old.table("articles"))
    by_suffix = tmp_path / f"by-suffix.{fmt}"  # no --format: the suffix decides
    ok(cli(project, "export", old.ref, "--table", "articles", "-o", str(by_suffix)))
    assert by_suffix.read_bytes() == out.read_bytes()


def test_export_refusals(two: tuple[Project, StoredResult, StoredResult], tmp_path: Path) -> None:
    project, old, new = two
    line = error_line(cli(project, "export", "corpus-profile", "--table", "nope"))
    assert "has no table 'nope' (tables: articles, profile)" in line
    line = error_line(cli(project, "export", "corpus-profile", "--table", "profile", "--format", "parquet"))
    assert "--format parquet needs -o FILE" in line
    table_file = new.path / "profile.parquet"
    before = table_file.read_bytes()
    line = error_line(cli(project, "export", "corpus-profile", "-t", "profile", "-o", str(table_file)))
    assert "inside the input folder" in line and table_file.read_bytes() == before
    line = error_line(cli(project, "export", "corpus-profile", "-t", "profile", "-o", str(tmp_path)))
    assert "the output is a folder" in line
    line = error_line(cli(project, "export", "corpus-profile", "-t", "profile", "--format", "xlsx"))
    assert "xlsx" in line


def list_column_result(project: Project) -> StoredResult:
    """A result with a list column (a step of the test's own)."""
    registry = StepRegistry()

    @step(outputs=("tokens",), registry=registry)
    def tokens(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
        """Headline words as a list."""
        return {"tokens": articles.select("doc_id", pl.col("headline").str.split(" ").alias("words"))}

    folder = project.root / "own-steps"  # only this experiment: the others use steps this registry lacks
    folder.mkdir()
    (folder / "tokens.toml").write_text(
        'name = "tokens"\nversion = "1"\n[corpus]\npath = "seeds"\n[[steps]]\nuse = "tokens"\n'
    )
    experiment = load_catalogue(folder, registry=registry).get("tokens")
    return run_experiment(experiment, project, registry=registry)


def test_export_of_a_list_column_to_csv_is_refused(project: Project, tmp_path: Path) -> None:
    stored = list_column_result(project)
    out = tmp_path / "tokens.csv"
    line = error_line(cli(project, "export", "tokens", "--table", "tokens", "-o", str(out)))
    assert line == (
        "error: table tokens has column(s) CSV cannot hold: words (List(String)) "
        "(export it with --format jsonl, json or parquet)"
    )
    assert not out.exists()
    rows = [json.loads(x) for x in ok(cli(project, "export", "tokens", "-t", "tokens", "-f", "jsonl")).splitlines()]
    assert rows[0]["words"] == stored.table("tokens")["words"][0].to_list()


# -- compare ------------------------------------------------------------------------------------------


def test_compare_text_snapshot(two: tuple[Project, StoredResult, StoredResult], snapshot: SnapshotAssertion) -> None:
    project, old, new = two
    text = ok(cli(project, "compare", "corpus-profile~1", "corpus-profile"))
    assert text == snapshot
    assert "    version: 1.0.0 -> 1.1.0" in text


def test_compare_json_names_the_input_that_changed(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    report = json.loads(ok(cli(project, "compare", old.ref, new.ref, "--json")))
    assert (report["a"], report["b"]) == (old.ref, new.ref)
    changed = {section: [c["field"] for c in changes] for section, changes in report["inputs"].items()}
    assert changed == {
        "experiment": ["version"],
        "config": ["config_hash", "corpus.doc_ids", "version"],
        "corpus": ["articles_processed", "articles_selected", "selected_hash"],
        "files": ["experiments/corpus-profile.toml.sha256"],  # the edited experiment file, by hash
        "resources": [],
        "packages": [],
        "environment": [],
    }
    profile = next(t for t in report["tables"] if t["table"] == "profile")
    assert (profile["key"], profile["rows_removed"], profile["rows_added"], profile["rows_changed"]) == (
        ["doc_id"], 1, 0, 0
    )
    same = json.loads(ok(cli(project, "compare", old.ref, old.ref, "--json")))
    assert all(t["same"] for t in same["tables"]) and not any(same["inputs"].values())


def test_compare_tables_on_a_key_finds_the_largest_change() -> None:
    a = pl.DataFrame({"doc_id": ["x", "y", "z"], "words": [10, 20, 30], "share": [0.1, 0.2, 0.3], "note": ["a"] * 3})
    b = pl.DataFrame({"doc_id": ["x", "y", "w"], "words": [10, 25, 1], "share": [0.5, 0.2, 0.0], "extra": [1, 2, 3]})
    diff = compare_tables("t", a, b)
    assert diff.key == ["doc_id"]
    assert (diff.rows_added, diff.rows_removed, diff.rows_changed) == (1, 1, 2)
    assert (diff.columns_added, diff.columns_removed) == (["extra"], ["note"])
    largest = {n.column: (n.key, n.a, n.b, n.abs_change, n.rows_changed) for n in diff.numeric}
    assert largest["words"] == ({"doc_id": "y"}, 20, 25, 5.0, 1)
    assert largest["share"][:3] == ({"doc_id": "x"}, 0.1, 0.5) and largest["share"][3] == pytest.approx(0.4)


def test_compare_tables_without_a_key_counts_whole_rows() -> None:
    a = pl.DataFrame({"score": [1.5, 1.5, 2.0], "label": ["p", "p", "q"]})
    b = pl.DataFrame({"score": [1.5, 3.0], "label": ["p", "q"]})
    diff = compare_tables("t", a, b)
    assert diff.key == [] and diff.rows_changed is None
    assert (diff.rows_added, diff.rows_removed) == (1, 2)


def test_compare_tables_on_a_compound_key_and_a_retyped_column() -> None:
    a = pl.DataFrame({"outlet": ["A", "A", "B"], "metric": ["m", "n", "m"], "value": [1, 2, 3]})
    b = pl.DataFrame({"outlet": ["A", "A", "B"], "metric": ["m", "n", "m"], "value": [1.0, 2.0, 4.0]})
    diff = compare_tables("t", a, b)
    assert diff.key == ["outlet", "metric"]
    assert [(c.path, c.a, c.b) for c in diff.columns_retyped] == [("value", "Int64", "Float64")]
    assert diff.rows_changed == 1


# -- report -o ----------------------------------------------------------------------------------------


def test_two_reports_side_by_side(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    out_a, out_b = project.root / "reports" / "variant-a", project.root / "reports" / "variant-b"
    assert ok(cli(project, "report", "corpus-profile~1", "-o", str(out_a))).split()[0] == old.ref
    ok(cli(project, "report", new.ref, "-o", str(out_b)))
    assert old.result_id in (out_a / "corpus-profile.md").read_text()
    assert new.result_id in (out_b / "corpus-profile.md").read_text()
    assert (out_a / "corpus-profile.html").is_file() and (out_b / "corpus-profile.html").is_file()
    ok(cli(project, "report", "corpus-profile"))  # the default place is unchanged
    assert new.result_id in (project.reports_dir / "corpus-profile.md").read_text()


def test_report_output_folder_refusals(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    a_file = project.root / "a-file"
    a_file.write_text("x")
    assert "is not a folder" in error_line(cli(project, "report", "corpus-profile", "-o", str(a_file)))
    line = error_line(cli(project, "report", "corpus-profile", "-o", str(project.results_dir / "corpus-profile")))
    assert "inside the input folder" in line
    assert not (project.results_dir / "corpus-profile" / "corpus-profile.md").exists()


# -- every command refuses what it cannot use -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", "{ref}"],
        ["export", "{ref}", "--table", "articles"],
        ["compare", "{ref}", "corpus-profile~1"],
        ["compare", "corpus-profile~1", "{ref}"],
        ["report", "{ref}", "-o", "{root}/side"],
    ],
)
def test_commands_refuse_a_damaged_result(two: tuple[Project, StoredResult, StoredResult], args: list[str]) -> None:
    project, old, new = two
    flip_byte(new)
    line = error_line(cli(project, *(a.replace("{ref}", new.ref).replace("{root}", str(project.root)) for a in args)))
    assert f"result {new.ref} is damaged: table(s) profile missing or altered" in line
    assert not (project.root / "side").exists()


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("nope", "no stored result for experiment 'nope'"),
        ("corpus-profile@0123456789abcdef", "result corpus-profile@0123456789abcdef does not exist"),
        ("corpus-profile~2", "'corpus-profile~2': experiment 'corpus-profile' has 2 stored result(s)"),
        ("../etc", "'../etc' is not an experiment name"),
        ("corpus-profile~x", "is not an experiment name"),
    ],
)
def test_unknown_references(two: tuple[Project, StoredResult, StoredResult], ref: str, expected: str) -> None:
    project, old, new = two
    for args in (["show", ref], ["export", ref, "-t", "profile"], ["compare", ref, "corpus-profile"]):
        assert expected in error_line(cli(project, *args))


# -- the Python API -------------------------------------------------------------------------------------


def test_python_api(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    listing = harness.list_results("corpus-profile", project=project.root)
    assert listing.columns == list(LISTING_COLUMNS)
    assert listing["ref"].to_list() == [new.ref, old.ref]
    assert listing.schema["created"] == pl.Datetime("us", "UTC")
    assert listing["created"][0] > listing["created"][1]
    opened = harness.open_result("corpus-profile~1", project=project.root)
    assert opened.ref == old.ref and opened.table("profile").equals(old.table("profile"))
    assert set(opened.tables()) == {"articles", "profile"}
    flip_byte(new)
    with pytest.raises(StoreError, match="is damaged"):
        harness.open_result("corpus-profile", project=project.root)
    with pytest.raises(NotFoundError):
        harness.list_results("nope", project=str(project.root))
    assert {"open_result", "list_results"} <= set(harness.__all__)


# -- the README's examples, run as written ---------------------------------------------------------


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n### {title}\n")
    end = text.index("\n#", start + 1)
    return text[start:end]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def in_project(project: Project, code: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(project.root)}
    return subprocess.run(
        [sys.executable, *argv], input=code, cwd=project.root, env=env, capture_output=True, text=True, timeout=120
    )


def test_readme_python_examples_run(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    blocks = code_blocks(readme_section("Using results in Python/Jupyter"), "python")
    assert len(blocks) >= 2
    for block in blocks:
        done = in_project(project, block, "-")
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    first = in_project(project, blocks[0], "-").stdout
    assert new.ref in first and "1.1.0" in first


def shell_commands(section: str) -> list[list[str]]:
    commands = []
    for block in code_blocks(section, "sh"):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line:
                commands.append(shlex.split(line, comments=True))
    return commands


def test_readme_shell_examples_run(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    commands = shell_commands(readme_section("Finding, comparing and exporting results"))
    assert {c[1] for c in commands} == {"results", "show", "export", "compare", "report"}
    for command in commands:
        assert command[0] == "harness"
        done = in_project(project, "", "-m", "harness", *command[1:])
        assert done.returncode == 0, (command, done.stderr)
    assert pl.read_csv(project.root / "profile.csv").equals(new.table("profile"))
    assert pl.read_ndjson(project.root / "articles.jsonl").equals(old.table("articles"))
    assert old.result_id in (project.root / "reports" / "variant-a" / "corpus-profile.md").read_text()
    assert new.result_id in (project.root / "reports" / "variant-b" / "corpus-profile.md").read_text()


LEXICON_HEADER = "term\tcategory\tweight\tsource\tnote\n"
LEXICON_EXPERIMENT = """name = "lexicon-variant"
version = "1.0.0"
description = "Loaded terms with a project lexicon."

[corpus]
path = "seeds"

[[steps]]
use = "score_framing"
settings = { lexicons = ["lex/extra.tsv"] }
"""


def test_compare_names_the_lexicon_that_changed(project: Project, snapshot: SnapshotAssertion) -> None:
    """Two lexicon variants: the resource's hash is the input that changed, and the
    rates it moved are matched row by row on their natural keys."""
    lexicon = project.root / "lex" / "extra.tsv"
    lexicon.parent.mkdir()
    lexicon.write_text(LEXICON_HEADER + "agreement\tdiplomacy\t1\ttest\tv1\n")
    (project.experiments_dir / "lexicon-variant.toml").write_text(LEXICON_EXPERIMENT)
    old = run(project, "lexicon-variant")
    time.sleep(1.05)
    lexicon.write_text(lexicon.read_text() + "talks\tdiplomacy\t1\ttest\tv2\n")
    new = run(project, "lexicon-variant")
    text = ok(cli(project, "compare", "lexicon-variant~1", "lexicon-variant"))
    assert text == snapshot
    report = json.loads(ok(cli(project, "compare", old.ref, new.ref, "--json")))
    assert [c["field"] for c in report["inputs"]["resources"]] == ["extra.tsv.sha256"]
    assert not report["inputs"]["config"] and not report["inputs"]["corpus"]
    rates = next(t for t in report["tables"] if t["table"] == "rates")
    assert rates["key"] == ["doc_id", "outlet", "field", "voice", "category"]
    hits = next(n for n in rates["numeric_changes"] if n["column"] == "hits")
    assert hits["at"]["category"] == "diplomacy" and hits["b"] - hits["a"] == hits["largest_abs_change"] > 0


def test_hostile_values_stay_inert_text(project: Project) -> None:
    """An experiment version with an escape sequence and markup: shown as escapes, never obeyed."""
    text = (project.experiments_dir / "corpus-profile.toml").read_text()
    (project.experiments_dir / "corpus-profile.toml").write_text(
        text.replace('version = "1.0.0"', 'version = "1\\u001b[31m[bold]x\\u202e"')
    )
    stored = run(project)
    for args in (["results"], ["show", "corpus-profile"], ["compare", stored.ref, stored.ref]):
        out = ok(cli(project, *args))
        assert "\x1b" not in out and "\u202e" not in out
    assert "1\\x1b[31m[bold]x\\u202e" in ok(cli(project, "show", "corpus-profile"))
    listed = ok(cli(project, "results", "--json"))
    assert "\\u001b" in listed and json.loads(listed)[0]["experiment_version"] == "1\x1b[31m[bold]x\u202e"


def test_list_results_check_marks_a_damaged_result(two: tuple[Project, StoredResult, StoredResult]) -> None:
    project, old, new = two
    flip_byte(old)
    fast = harness.list_results(project=project.root)
    assert fast["problem"].to_list() == [None, None]  # manifests only
    checked = harness.list_results(project=project.root, check=True)
    assert checked["problem"].to_list() == [None, "damaged: table(s) profile missing or altered"]
    assert checked["experiment_version"].to_list() == ["1.1.0", "1.0.0"]  # still listed with its fields


def test_export_and_compare_values_json_has_no_spelling_for() -> None:
    """Dates as ISO text, NaN as null, durations refused by CSV with their type named."""
    frame = pl.DataFrame(
        {"day": [date(2024, 1, 1), date(2024, 1, 2)], "share": [float("nan"), 0.5], "gap": [timedelta(days=1), None]}
    )
    rows = [json.loads(line) for line in export_bytes(frame, "jsonl").decode().splitlines()]
    assert rows[0]["day"] == "2024-01-01" and rows[0]["share"] is None and rows[1]["share"] == 0.5
    with pytest.raises(UsageError, match=r"column\(s\) CSV cannot hold: gap \(Duration\(time_unit='us'\)\)"):
        export_bytes(frame, "csv")
    diff = compare_tables("t", frame, frame.with_columns(pl.col("share") * 2))
    report = json.loads(json.dumps(json_safe(diff.to_json()), allow_nan=False))
    assert report["key"] == ["day"]
    assert report["numeric_changes"][0]["at"] == {"day": "2024-01-02"}
    assert report["numeric_changes"][0]["largest_abs_change"] == 0.5
