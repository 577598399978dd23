"""`harness run` of a discovery experiment on a large corpus: read in batches, the same result.

A corpus of ``STREAM_FROM_BYTES`` or more is never held whole when every step that
reads the articles takes them lazily (1M synthetic articles took 4.5 GB that way):
its batches are spilled to the run's work folder. Here the limit and the batch size
are lowered, so that small corpora take that path in many batches, and the stored
result (its id covers every table's bytes and the corpus's digests) is held against
reading whole.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Collection
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import harness.run.runner as run_module
import harness.run.spill as spill_module
import harness.steps.discovery  # noqa: F401  (registers discover_pairs)
from harness.cli import app
from harness.corpus import CorpusDigest, corpus_hash, read_corpus
from harness.corpus.stream import write_batches
from harness.experiments import STEPS
from harness.experiments.registry import StepRegistry, Tables, step
from harness.experiments.spec import load_experiment_file
from harness.project import Project
from harness.results.hashing import table_bytes, write_table
from harness.run import run_experiment, verify_result
from harness.run.spill import reads_in_batches
from tests.test_pairs_stream import _articles, _refuse, _write
from tests.conftest import ROOT
from tests.test_streaming import POLARS_FULL_DISK

runner = CliRunner()


def _project(tmp_path: Path, corpus: str, *, steps: str = "discover_pairs", corpus_lines: str = "") -> tuple[Project, Path]:
    """A project whose one experiment runs ``steps`` over ``corpus`` (written by the test)."""
    root = tmp_path / "project"
    (root / "experiments").mkdir(parents=True)
    uses = "".join(f'\n[[steps]]\nuse = "{use}"\n' for use in steps.split())
    (root / "experiments" / "found.toml").write_text(
        f'name = "found"\nversion = "1.0.0"\ndescription = "copies"\n\n[corpus]\npath = "{corpus}"\n{corpus_lines}{uses}',
        encoding="utf-8",
    )
    return Project(root), root / corpus


def _run(project: Project) -> tuple[str, dict[str, object], dict[str, str]]:
    """The stored result's id, corpus record and table hashes."""
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    manifest = stored.manifest
    return stored.result_id, manifest.corpus, {name: entry.sha256 for name, entry in manifest.tables.items()}


@pytest.fixture
def in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON Lines or Parquet corpus is read in batches of 37 rows, never whole."""
    monkeypatch.setattr(spill_module, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(spill_module, "SPILL_BATCH", 37)
    monkeypatch.setattr(run_module, "load_corpus", _refuse)


@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.parquet", "parts", "shards"])
@pytest.mark.parametrize(
    "corpus_lines",
    ["", 'outlets = ["Reuters", "AP", "unknown"]\n', 'outlets = ["Reuters", "AP"]\ndoc_ids = ["syn-0000000", "syn-0000003", "syn-0000210", "syn-0000397"]\n'],
    ids=["every article", "outlets", "outlets and ids"],
)
def test_a_corpus_read_in_batches_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, corpus_lines: str
) -> None:
    project, corpus = _project(tmp_path, name, corpus_lines=corpus_lines)
    _write(_articles(), corpus)
    whole = _run(project)
    monkeypatch.setattr(spill_module, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(spill_module, "SPILL_BATCH", 37)
    monkeypatch.setattr(run_module, "load_corpus", _refuse)
    assert _run(project) == whole  # the same id: every table's bytes and the corpus's digests
    corpus_record, tables = whole[1], whole[2]
    assert corpus_record["articles_read"] == 400
    assert set(tables) == {"articles", "candidate_pairs"}
    if corpus_lines:
        assert corpus_record["selected_hash"] != corpus_record["hash"]
        assert 0 < int(str(corpus_record["articles_selected"])) < int(str(corpus_record["articles_read"]))


def test_mapped_columns_and_extra_fields_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`columns = {...}` maps the corpus's own names; fields nobody maps land in `meta`."""
    lines = 'columns = { outlet = "site", headline = "title", body = "text" }\n'
    project, corpus = _project(tmp_path, "corpus.jsonl", corpus_lines=lines)
    articles = _articles(120).rename({"outlet": "site", "headline": "title", "body": "text"})
    _write(articles.with_columns(section=pl.lit("world"), words=pl.col("text").str.len_chars()), corpus)
    whole = _run(project)
    monkeypatch.setattr(spill_module, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(spill_module, "SPILL_BATCH", 37)
    monkeypatch.setattr(run_module, "load_corpus", _refuse)
    assert _run(project) == whole
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    assert set(stored.table("articles")["outlet"]) == {"Reuters", "The Guardian", "AP", "Daily Mail", "unknown"}
    assert json.loads(stored.table("articles")["meta"][1]) == {"section": "world", "words": len(articles["text"][1])}


def test_the_stored_articles_and_pairs_are_the_whole_reads(tmp_path: Path, in_batches: None) -> None:
    project, corpus = _project(tmp_path, "corpus.jsonl")
    articles = _articles()
    _write(articles, corpus)
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    read = read_corpus(corpus)
    assert stored.table("articles").equals(read) and stored.manifest.tables["articles"].rows == 400
    assert stored.manifest.corpus["hash"] == corpus_hash(read)
    assert stored.table("candidate_pairs").height > 40  # planted copies found
    verified = verify_result(stored, project)  # re-run in batches too: every table the same
    assert verified.ok, verified.summary()


def test_the_work_folder_goes_with_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    project, corpus = _project(tmp_path, "corpus.jsonl")
    _write(_articles(), corpus)
    ran = runner.invoke(app, ["run", "found", "--project", str(project.root)])
    assert ran.exit_code == 0, ran.output
    assert list(temporary.iterdir()) == []
    with corpus.open("a", encoding="utf-8") as out:  # a bad record after many good batches
        out.write('{"doc_id": "late", "body": \n')
    failed = runner.invoke(app, ["run", "found", "--project", str(project.root)])
    assert failed.exit_code == 2 and failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and "corpus.jsonl:401" in failed.stderr
    assert list(temporary.iterdir()) == []
    assert len(list((project.root / "results" / "found").iterdir())) == 2  # the first result and LATEST


@pytest.mark.parametrize(
    "failure",
    [OSError(errno.ENOSPC, "No space left on device"), pl.exceptions.ComputeError(POLARS_FULL_DISK)],
    ids=["OSError", "polars"],
)
def test_no_room_to_spill_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None, failure: Exception) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise failure  # as polars reports it, or as Python would

    project, corpus = _project(tmp_path, "corpus.jsonl")
    _write(_articles(40), corpus)
    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)  # the batches' files, not the corpus
    failed = runner.invoke(app, ["run", "found", "--project", str(project.root)])
    assert failed.exit_code == 2 and failed.stdout == ""
    assert failed.stderr.startswith("error: ") and failed.stderr.count("\n") == 1
    assert "harness-run-" in failed.stderr and "cannot write the corpus's batches: No space left on device" in failed.stderr
    assert "(set TMPDIR to a folder with free space" in failed.stderr
    assert not (project.root / "results" / "found").exists() or not any((project.root / "results" / "found").iterdir())


def test_no_room_for_the_articles_table_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None) -> None:
    real = pl.LazyFrame.sink_parquet

    def full(frame: pl.LazyFrame, path: Path, **options: object) -> None:
        if Path(path).name == "articles.parquet":  # the stored table, not the spilled batches
            raise pl.exceptions.ComputeError(POLARS_FULL_DISK)
        real(frame, path, **options)  # type: ignore[arg-type]

    project, corpus = _project(tmp_path, "corpus.jsonl")
    _write(_articles(40), corpus)
    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", full)
    failed = runner.invoke(app, ["run", "found", "--project", str(project.root)])
    assert failed.exit_code == 2 and failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and "cannot write table articles.parquet: No space left on device" in failed.stderr
    assert "(set TMPDIR to a folder with free space" in failed.stderr


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('outlets = ["Reuters", "Le Monde"]\n', "corpus.outlets names outlet(s) not in the corpus: Le Monde"),
        ('doc_ids = ["syn-0000001", "nope"]\n', "corpus.doc_ids names id(s) not in the corpus: nope"),
        ('outlets = ["AP"]\ndoc_ids = ["syn-0000001"]\n', "corpus.outlets and corpus.doc_ids together select no article"),
    ],
    ids=["outlet", "doc_id", "nothing selected"],
)
def test_a_selection_error_is_the_whole_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: str, expected: str) -> None:
    project, corpus = _project(tmp_path, "corpus.jsonl", corpus_lines=lines)
    _write(_articles(40), corpus)
    whole = runner.invoke(app, ["run", "found", "--project", str(project.root)])
    monkeypatch.setattr(spill_module, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(run_module, "load_corpus", _refuse)
    batched = runner.invoke(app, ["run", "found", "--project", str(project.root)])
    assert whole.exit_code == batched.exit_code == 2
    assert whole.stderr == batched.stderr and whole.stderr.count("\n") == 1
    assert expected in whole.stderr
    if "Le Monde" in expected:
        assert "outlets present: AP, Daily Mail, Reuters, The Guardian, unknown" in whole.stderr


def test_which_runs_read_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spill_module, "STREAM_FROM_BYTES", 1000)

    cases = iter(range(100))

    def check(steps: str, corpus: str, *, lines: str = "", size: int = 2000) -> bool:
        project, path = _project(tmp_path / str(next(cases)), corpus, steps=steps, corpus_lines=lines)
        path.write_bytes(b"x" * size)
        experiment = load_experiment_file(project.experiments_dir / "found.toml")
        defns = [STEPS.get(call.use) for call in experiment.steps]
        return reads_in_batches(path, experiment, [d for d in defns if d is not None])

    assert check("discover_pairs", "c.jsonl") and check("discover_pairs", "c.parquet")
    assert not check("discover_pairs", "c.jsonl", size=999)  # small: read whole, faster
    assert not check("discover_pairs", "c.csv")  # read whole, then cut: nothing to gain
    assert not check("discover_pairs", "c.jsonl", lines='invalid_utf8 = "replace"\n')  # a stream cannot repair bytes
    assert check("discover_pairs wire_diff", "c.jsonl")  # the diff holds the pairs' articles only
    assert not check("profile_articles", "c.jsonl")


def _files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the Parquet files read whole from now on, in order."""
    read: list[str] = []
    real = pl.read_parquet

    def reading(source: Path, *args: object, **kwargs: object) -> pl.DataFrame:
        read.append(Path(source).name)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pl, "read_parquet", reading)
    return read


def _diff_project(tmp_path: Path, articles: pl.DataFrame) -> Project:
    """A project whose experiment finds copies in ``articles``, then diffs them."""
    project, corpus = _project(tmp_path, "corpus.jsonl", steps="discover_pairs wire_diff")
    shutil.copytree(ROOT / "experiments" / "styles", project.experiments_dir / "styles")
    _write(articles, corpus)
    return project


def _with_furniture(articles: pl.DataFrame) -> pl.DataFrame:
    """Two outlets' page furniture at the end of their bodies: a furniture table to learn."""
    lines = {"Reuters": "Reporting by the Reuters desk; editing by the night team.", "AP": "Follow AP for live updates."}
    return articles.with_columns(
        body=pl.col("body") + pl.col("outlet").replace_strict(lines, default="").map_elements(
            lambda line: f"\n\n{line}" if line else "", return_dtype=pl.String
        )
    )


def test_an_experiment_with_the_diff_gives_the_same_result_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery, then the diff: the diff learns the furniture in two passes over the
    spilled batches and holds the pairs' articles only; every table is the same."""
    from harness.reports import render_report
    from harness.results import ResultStore

    project = _diff_project(tmp_path, _with_furniture(_articles(150)))
    whole = _run(project)
    report = render_report(ResultStore(project.results_dir).load("found")).markdown
    shutil.rmtree(project.root / "results")
    monkeypatch.setattr(spill_module, "STREAM_FROM_BYTES", 0)
    monkeypatch.setattr(spill_module, "SPILL_BATCH", 37)
    monkeypatch.setattr(run_module, "load_corpus", _refuse)
    monkeypatch.setattr("harness.wirediff.furniture_batches.READ_ROWS", 41)
    assert _run(project) == whole
    stored = ResultStore(project.results_dir).load("found")
    assert stored.table("pairs").height > 10 and set(stored.table("furniture")["outlet"]) == {"Reuters", "AP"}
    assert render_report(stored).markdown == report
    verified = verify_result(stored, project)  # re-run in batches too: every table the same
    assert verified.ok, verified.summary()


def test_the_diffs_report_reads_only_the_pairs_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its side-by-side views need the texts of the pairs' articles: only those rows are
    read from the stored articles table, which holds the whole corpus. The edits table
    is queried, never read whole: counts, the first edits and the shown pairs' edits."""
    from harness.experiments.registry import rows_where, scan_table
    from harness.reports import render_report

    project = _diff_project(tmp_path, _articles(150))
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    pairs = stored.table("pairs")
    named = sorted(set(pairs["a_doc_id"]) | set(pairs["b_doc_id"]))
    read = _files_read(monkeypatch)
    assert "Side by side" in render_report(stored).markdown
    assert "articles.parquet" not in read and "edits.parquet" not in read and "pairs.parquet" in read
    tables = stored.tables()
    assert scan_table(tables, "edits").collect().equals(stored.table("edits"))
    assert scan_table(dict(tables.items()), "edits").collect().equals(stored.table("edits"))
    kept = rows_where(tables, "articles", pl.col("doc_id").is_in(named))
    assert kept["doc_id"].to_list() == sorted(named) and 0 < kept.height < 150 and read[-1] != "articles.parquet"
    assert rows_where(dict(tables.items()), "articles", pl.col("doc_id").is_in(named)).equals(kept)


def test_a_report_of_many_pairs_shows_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """49,270 pairs of 1M articles made a 1.1 GB HTML report: a result of many pairs shows
    the first side by side and the first rows of its per-pair tables, and says so."""
    import harness.steps.wirecopy as wirecopy
    from harness.reports import render_report

    project = _diff_project(tmp_path, _articles(150))
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    pairs, edits = stored.table("pairs"), stored.table("edits")
    substantive = edits.filter(pl.col("kind") == "substantive").height
    whole = render_report(stored)
    assert whole.markdown.count("Side by side: ") == pairs.height > 3 and "The first" not in whole.markdown
    monkeypatch.setattr(wirecopy, "REPORT_PAIRS", 3)
    monkeypatch.setattr(wirecopy, "REPORT_ROWS", 5)
    assert substantive > 5
    first = render_report(stored)
    assert first.markdown.count("Side by side: ") == 4  # the note, then three pairs
    assert f"Side by side: the first 3 of {pairs.height} pairs" in first.markdown
    assert f"The first 5 of {substantive} substantive edits" in first.markdown
    assert f"First 3 of {pairs.height} rows" in first.markdown
    assert f"First 5 of {stored.table('style_rules').height} rows" in first.markdown
    def views(markdown: str) -> list[str]:
        return [view.split("see the HTML report.")[0] for view in markdown.split("Side by side: ")]

    assert views(first.markdown)[2:5] == views(whole.markdown)[1:4]  # the same first three, in table order
    assert first.html.count('<section class="wd">') == 3 and whole.html.count('<section class="wd">') == pairs.height


def test_a_lazy_articles_step_must_read_articles_unbatched() -> None:
    registry = StepRegistry()
    with pytest.raises(TypeError, match="lazy_articles needs an 'articles' input"):

        @step(outputs=("out",), lazy_articles=True, registry=registry)
        def reads_pairs(pairs: pl.DataFrame) -> Tables:
            return {"out": pairs}

    with pytest.raises(TypeError, match="lazy_articles needs an 'articles' input"):

        @step(outputs=("out",), lazy_articles=True, batch_over="articles", registry=registry)
        def batched(articles: pl.DataFrame) -> Tables:
            return {"out": articles}


FRAMES = st.lists(
    st.tuples(
        st.text(max_size=30),
        st.one_of(st.none(), st.text(max_size=12)),
        st.one_of(st.none(), st.integers(-(2**40), 2**40)),
    ),
    min_size=1,
    max_size=120,
).map(lambda rows: pl.DataFrame(rows, schema={"doc_id": pl.String, "outlet": pl.String, "n": pl.Int64}, orient="row"))


@settings(max_examples=40, deadline=None)
@given(FRAMES, st.integers(1, 50), st.sets(st.integers(0, 10), max_size=3))
def test_batches_digest_and_write_as_the_whole_table(frame: pl.DataFrame, size: int, empty_at: set[int]) -> None:
    """Any cut, with batches a selection left empty among them (the first one included)."""
    digest = CorpusDigest(frame.columns)
    for start in range(0, frame.height, size):
        digest.update(frame.slice(start, size))
    assert digest.hexdigest() == corpus_hash(frame)
    _check_written_from_batches(frame, size, empty_at)


def test_a_table_of_several_row_groups_writes_as_the_whole_table() -> None:
    """Row groups hold 65,536 rows: the sink must cut them where the whole write does."""
    rows = 150_001
    frame = pl.DataFrame({
        "doc_id": [f"d{i}" for i in range(rows)],
        "body": [("word " * (i % 7)) or None for i in range(rows)],
        "published": pl.Series([None if i % 5 else f"2024-01-0{1 + i % 9}" for i in range(rows)], dtype=pl.String),
    })
    _check_written_from_batches(frame, 10_000)


def _check_written_from_batches(frame: pl.DataFrame, size: int, empty_at: Collection[int] = ()) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        batches = [frame.slice(start, size) for start in range(0, frame.height, size)]
        for index in sorted(empty_at, reverse=True):
            batches.insert(min(index, len(batches)), frame.clear())
        lazy, height = write_batches(batches, Path(folder))
        assert height == frame.height
        written = Path(folder) / "table.parquet"
        write_table(lazy, written)
        assert written.read_bytes() == table_bytes(frame)


def test_a_digest_refuses_other_columns() -> None:
    digest = CorpusDigest(["doc_id"])
    with pytest.raises(ValueError, match="columns"):
        digest.update(pl.DataFrame({"id": ["a"]}))


def test_the_run_records_the_spill_nowhere(tmp_path: Path, in_batches: None) -> None:
    """The manifest names the corpus as the experiment does, never the work folder."""
    project, corpus = _project(tmp_path, "corpus.parquet")
    _write(_articles(60), corpus)
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    text = json.dumps(stored.manifest.to_json())
    assert "harness-run-" not in text and stored.manifest.corpus["path"] == "corpus.parquet"


def test_a_report_reads_only_the_tables_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The discovery report shows candidate_pairs: a million-article `articles` table
    (1.6 GB in memory) is never read to render it."""
    from harness.reports import render_report

    project, corpus = _project(tmp_path, "corpus.jsonl")
    _write(_articles(60), corpus)
    stored = run_experiment(load_experiment_file(project.experiments_dir / "found.toml"), project)
    read = _files_read(monkeypatch)
    tables = stored.tables()
    assert list(tables) == ["articles", "candidate_pairs"] and len(tables) == 2 and read == []
    assert "Discovered copies" in render_report(stored).markdown
    assert read == ["candidate_pairs.parquet"]
    assert tables["articles"].height == 60 and read[-1] == "articles.parquet"
    with pytest.raises(KeyError):
        tables["missing"]


def _dead_pid() -> int:
    from harness.outputs import pid_alive

    return next(pid for pid in range(4_000_000, 3_000_000, -1) if not pid_alive(pid))


@pytest.mark.parametrize("command", ["run", "pairs"])
def test_a_killed_runs_spill_is_removed_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_batches: None, command: str) -> None:
    """A run killed with SIGKILL leaves its spill (as large as the corpus) in TMPDIR; the
    next one that spills removes it: its name carries the pid, which is gone."""
    import harness.cli.pairs as pairs_cli

    monkeypatch.setattr(pairs_cli, "STREAM_FROM_BYTES", 0)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    dead = temporary / f"harness-{command}-{_dead_pid()}-abcd1234"
    alive = temporary / f"harness-{command}-{os.getpid()}-abcd1234"  # a live run's: kept
    for folder in (dead, alive):
        folder.mkdir()
        (folder / "batch-0000000.parquet").write_bytes(b"PAR1")
    project, corpus = _project(tmp_path, "corpus.jsonl")
    _write(_articles(60), corpus)
    argv = ["run", "found", "--project", str(project.root)] if command == "run" else ["pairs", str(corpus)]
    assert runner.invoke(app, argv).exit_code == 0
    assert list(temporary.iterdir()) == [alive]


def test_a_run_that_reads_whole_makes_no_work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spill_module, "make_staging_dir", _refuse)
    project, corpus = _project(tmp_path, "corpus.jsonl")
    _write(_articles(60), corpus)
    assert _run(project)[2].keys() == {"articles", "candidate_pairs"}
