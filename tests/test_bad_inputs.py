"""The bad input catalogue, end to end through the CLI.

Every bad input gives a one-line error on stderr naming the file and the line or
record, exit code 2, no traceback, and writes nothing (no result, no report, no
output file). Inputs that are odd but valid are read and processed with sensible
values. Files live in ``tests/data/bad/`` (see its README); binary and very large
cases are generated here.

HTML instead of text (a choice, documented in ``harness/corpus/markup.py``): a
body that *is* an HTML page (a doctype or ``<html>`` root, or laid out with two or
more structural tags such as ``<p>``, ``<div>``, ``<td>``) is an error, because
its offsets and counts would include the markup. Inline markup quoted in prose
(``<script>``, ``<b>``, ``&amp;``) is text; reports escape it
(``tests/test_report_browser.py``).

Invalid UTF-8 is an error by default; ``invalid_utf8="replace"`` (library:
``load_corpus``/``read_corpus``) reads the file with one U+FFFD per bad byte and
reports the count per file.

Catalogue (case -> test; "lib" = library-level test elsewhere, the CLI-level test is here)

=================================  ==============================================================
case                               test
=================================  ==============================================================
empty file                         test_bad_corpus_file[empty]; lib test_corpus_readers::test_empty_file
binary file                        test_bad_corpus_file[binary]; lib test_corpus_readers::test_binary_file
invalid UTF-8                      test_bad_corpus_file[invalid-utf8]; lib test_corpus_readers::test_invalid_utf8_*
invalid UTF-8, replace flag        test_invalid_utf8_replace_counts_bytes (library option; CLI flag: see report)
UTF-16 file (Notepad "Unicode")    test_bad_corpus_file[utf16]
UTF-8 BOM, Windows line endings    test_bom_and_crlf_give_the_same_numbers_as_lf; lib test_bom_and_windows_line_endings
JSONL malformed line N             test_bad_corpus_file[malformed-jsonl]; lib test_malformed_jsonl_line
JSONL key given twice              test_bad_corpus_file[duplicate-key]
JSONL nested too deeply            test_bad_generated_corpus[deep-json]
JSON lone surrogate escape         test_bad_corpus_file[lone-surrogate]
CSV missing required column        test_bad_corpus_file[missing-body-column]; lib test_csv_without_body_column_*
CSV with ';' delimiter             test_bad_corpus_file[semicolon-csv]
CSV with a repeated column         test_bad_corpus_file[duplicate-column]
Parquet with wrong column types    test_bad_generated_corpus[parquet-wrong-types]; lib test_parquet_wrong_column_types
duplicate doc ids                  test_bad_corpus_file[duplicate-ids]; lib test_duplicate_doc_ids_name_both_records
front matter with an impossible    test_bad_corpus_file[bad-date]
  date
empty corpus folder                test_bad_generated_corpus[empty-folder]
10 MB single article               test_ten_megabyte_article
article with no sentences          test_odd_articles_profile (no-sentences); test_odd_articles_score
                                   (sentence count: test_sentences_need_a_word)
article that is only a quotation   test_odd_articles_profile (only-quote)
unbalanced quotation marks         test_odd_articles_profile (unbalanced)
HTML instead of text               test_bad_corpus_file[html-page], [html-body]; test_inline_markup_is_text
right-to-left, non-Latin scripts   test_odd_articles_profile (ar, he, ru, el, zh, mixed-bidi)
                                   (combining marks: test_words_keep_combining_marks)
unknown experiment                 test_cli::test_unknown_experiment_is_one_line_exit_2
malformed TOML                     test_cli::test_malformed_toml_is_one_line_exit_2; lib test_malformed_toml_reports_line
unknown step                       test_bad_experiment_file[unknown-step]; lib test_experiments_spec
unknown parameter                  test_bad_experiment_file[unknown-setting]; lib test_experiments_spec
parameter of the wrong type        test_bad_experiment_file[wrong-type]; lib test_experiments_spec
two experiments with the same name test_two_experiments_with_one_name; lib test_two_experiments_with_one_name_*
missing corpus path                test_bad_generated_corpus[missing-path]; test_cli::test_corpus_show_missing_path
result store not writable          test_result_store_not_writable; lib test_unwritable_store_is_a_clear_error
disk full during write             test_disk_full_during_run; lib test_write_failure_leaves_nothing_behind
                                   (during `report`: test_disk_full_during_report)
result id that does not exist      test_result_id_that_does_not_exist; lib test_missing_result_id_is_a_clear_error
malformed result reference         test_result_id_that_does_not_exist (bad-ref)
corrupt manifest                   test_corrupt_manifest
table file deleted from a result   test_report_on_a_result_missing_a_table; verify: exit 1
`verify` on a tampered result      test_cli::test_verify_exits_1_and_names_the_table (exit 1 by design)
lexicon file with a bad row        test_bad_lexicon_row; lib test_scoring_lexicon::test_bad_rows_*
lexicon file that is missing       test_missing_lexicon_file
experiment file is a folder,       test_experiment_file_that_cannot_be_read[folder], [symlink-loop], [dangling-symlink],
  symlink loop, FIFO, not UTF-8,   [fifo], [not-utf8], [huge]
  over 1 MiB
experiment file unreadable         test_unreadable_experiment_file; folder: test_unlistable_experiments_folder
step setting out of range          test_step_setting_out_of_range (n_boot 0/-5, seed -1, threshold 0/1.5/nan,
                                   num_perm 0/huge, min_events 0, context_chars -1, pairs of one, empty path);
                                   every number declares a range: test_every_number_setting_declares_its_range
command-line option out of range   test_options_are_checked_before_the_corpus_is_read[pairs-*, score-batch-size]
options checked before reading     test_options_are_checked_before_the_corpus_is_read; test_pairs_checks_the_suffix_before_the_work
ray:// address, no ray[client]    test_ray_client_address_without_ray_client
Ray address nobody answers at      test_unreachable_ray_address_is_quick; not a Ray cluster / malformed:
                                   test_address_that_is_not_a_ray_cluster; with the local engine: [ray-address-local]
click usage errors (missing        test_usage_errors_are_one_line; --help and bare `harness`: test_help_still_works
  argument, unknown option/command,
  bad choice)
Ctrl-C at any time                 test_ctrl_c_is_one_line_at_any_time (0.3 s: importing; 0.9 s, 2 s); Ray: test_ctrl_c_while_ray_starts;
                                   test_ctrl_c_leaves_no_output_file; workers: test_worker_processes_leave_ctrl_c_to_the_parent
file name that is not UTF-8        test_file_name_that_is_not_utf8 (read; shown as caf\\xe9.txt)
CSV/Parquet with a header and no   test_corpus_with_a_header_and_no_rows; lib test_corpus_readers::
  rows; folder of such files       test_header_only_csv_is_an_error_like_an_empty_file
outlets + doc_ids selecting none   test_selection_of_no_article
corpus file that is a FIFO         test_corpus_that_is_a_fifo
corpus.path empty or with NUL      test_corpus_path_that_names_no_file
=================================  ==============================================================
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from harness.cli import app
from harness.corpus import ReplacedBytes, load_corpus, read_corpus
from harness.engines.address import CONNECT_TIMEOUT_S, check_reachable, parse_ray_address
from harness.errors import InputError, UsageError
from harness.project import Project
from harness.text import split_sentences, words

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).resolve().parent / "data" / "bad"
ODD = BAD / "odd"

runner = CliRunner()


# -- helpers -----------------------------------------------------------------------------------


def cli(project: Project, *args: str) -> Result:
    return runner.invoke(app, [*args, "--project", str(project.root)])


def error_line(result: Result, exit_code: int = 2) -> str:
    """The one error line; fails unless exit code, one line, no traceback all hold."""
    assert result.exit_code == exit_code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a clean exit, not a crash
    assert "Traceback" not in result.output
    # The progress spinner may leave an empty line on stderr; the message is one line.
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def write_experiment(project: Project, corpus_path: str, *, name: str = "bad", steps: str = "") -> Path:
    file = project.experiments_dir / f"{name}.toml"
    file.write_text(
        f'name = "{name}"\nversion = "1"\n[corpus]\npath = "{corpus_path}"\n'
        + (steps or '[[steps]]\nuse = "profile_articles"\n'),
        encoding="utf-8",
    )
    return file


def stored_results(project: Project) -> list[str]:
    """Every result id and LATEST pointer in the store (staging folders excluded)."""
    if not project.results_dir.is_dir():
        return []
    return sorted(
        str(p.relative_to(project.results_dir))
        for p in project.results_dir.glob("*/*")
        if not p.name.startswith(".")
    )


def assert_nothing_written(project: Project) -> None:
    assert stored_results(project) == []
    assert not project.reports_dir.exists()


def install(project: Project, source: Path) -> str:
    """Copy a bad file into the project; return its project-relative path."""
    target = project.root / "bad" / source.name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(source, target)
    return f"bad/{source.name}"


def expect_corpus_error(project: Project, corpus: str, expected: str) -> None:
    """`run` and `score -o` both fail with ``expected`` and write nothing."""
    write_experiment(project, corpus)
    line = error_line(cli(project, "run", "bad"))
    assert expected in line, line
    assert_nothing_written(project)

    out = project.root / "scores.json"
    result = runner.invoke(app, ["score", str(project.root / corpus), "--format", "json", "-o", str(out)])
    assert expected in error_line(result)
    assert not out.exists()


# -- bad corpus files ---------------------------------------------------------------------------

CORPUS_CASES = [
    pytest.param("empty.jsonl", "empty.jsonl: empty file", id="empty"),
    pytest.param("binary.txt", "binary.txt:2: binary file (NUL byte at byte offset 27)", id="binary"),
    pytest.param("invalid_utf8.jsonl", "invalid_utf8.jsonl:2: invalid UTF-8 at byte offset 70", id="invalid-utf8"),
    pytest.param("utf16.txt", "utf16.txt:1: file is UTF-16 text (byte order mark ff fe), not UTF-8", id="utf16"),
    pytest.param("malformed.jsonl", "malformed.jsonl:3: malformed JSON on line 3 (column 25", id="malformed-jsonl"),
    pytest.param("duplicate_key.jsonl", "duplicate_key.jsonl:2: line 2 gives the key `body` twice", id="duplicate-key"),
    pytest.param(
        "lone_surrogate.jsonl",
        "lone_surrogate.jsonl:2: `body` holds a lone surrogate '\\ud83c' at character 13",
        id="lone-surrogate",
    ),
    pytest.param(
        "missing_body.csv",
        "missing_body.csv: no `body` or `text` column (columns found: doc_id, headline, content)",
        id="missing-body-column",
    ),
    pytest.param("semicolon.csv", "the header looks ';'-separated: save the file with commas", id="semicolon-csv"),
    pytest.param("duplicate_column.csv", "duplicate_column.csv:1: the header names the column `body` twice", id="duplicate-column"),
    pytest.param("duplicate_ids.jsonl", "duplicate_ids.jsonl:3: duplicate doc id 'x1'", id="duplicate-ids"),
    pytest.param("bad_date.md", "bad_date.md:1: front matter holds a value YAML cannot read", id="bad-date"),
    pytest.param(
        "html_page.txt", "html_page.txt:1: body is an HTML page, not plain text (<!DOCTYPE html> at character 0",
        id="html-page",
    ),
    pytest.param(
        "html_body.jsonl",
        'html_body.jsonl:2: body is an HTML page, not plain text (<div class="story"> at character 0 and 5 more',
        id="html-body",
    ),
]


@pytest.mark.parametrize(("filename", "expected"), CORPUS_CASES)
def test_bad_corpus_file(project: Project, filename: str, expected: str) -> None:
    expect_corpus_error(project, install(project, BAD / filename), expected)


def _parquet_wrong_types(project: Project) -> str:
    (project.root / "bad").mkdir()
    pl.DataFrame({"doc_id": ["a"], "body": ["Text."], "headline": [3.5]}).write_parquet(project.root / "bad/p.parquet")
    return "bad/p.parquet"


def _deep_json(project: Project) -> str:
    (project.root / "bad").mkdir()
    depth = 100_000  # beyond Python's recursion limit
    line = '{"body": "x", "extra": ' + "[" * depth + "]" * depth + "}\n"
    (project.root / "bad/deep.jsonl").write_text('{"body": "fine"}\n' + line, encoding="utf-8")
    return "bad/deep.jsonl"


def _empty_folder(project: Project) -> str:
    (project.root / "bad" / "nothing").mkdir(parents=True)
    (project.root / "bad" / "nothing" / "README.md").write_text("Articles go here.\n", encoding="utf-8")
    return "bad/nothing"


def _missing_path(project: Project) -> str:
    return "bad/nowhere.jsonl"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(_parquet_wrong_types, "p.parquet: column `headline` has type Float64, expected String", id="parquet-wrong-types"),
        pytest.param(_deep_json, "deep.jsonl:2: line 2 nests JSON arrays or objects too deeply", id="deep-json"),
        pytest.param(_empty_folder, "nothing: folder holds no article files", id="empty-folder"),
        pytest.param(_missing_path, "nowhere.jsonl: no such file or folder", id="missing-path"),
    ],
)
def test_bad_generated_corpus(project: Project, make: Callable[[Project], str], expected: str) -> None:
    expect_corpus_error(project, make(project), expected)


def test_invalid_utf8_replace_counts_bytes() -> None:
    read = load_corpus(BAD / "invalid_utf8.jsonl", invalid_utf8="replace")
    assert read.replaced == (ReplacedBytes("invalid_utf8.jsonl", 3),)
    assert read.replaced_bytes == 3
    assert read.articles["body"].to_list() == ["Talks resumed.", "Caf\ufffd talks in Istanbul, \ufffdquoted\ufffd."]
    clean = load_corpus(ODD / "lf_twin.md", invalid_utf8="replace")
    assert clean.replaced == () and clean.replaced_bytes == 0
    with pytest.raises(UsageError, match="invalid_utf8 must be one of error, replace"):
        read_corpus(BAD / "invalid_utf8.jsonl", invalid_utf8="ignore")  # type: ignore[arg-type]


def test_inline_markup_is_text(tmp_path: Path) -> None:
    """Only a page laid out in HTML is refused; quoted tags and entities stay as written."""
    body = 'Officials found <script>alert(1)</script>, an <img src=x> and <b>bold</b> text &amp; said "<p> is a tag".'
    (tmp_path / "c.jsonl").write_text(json.dumps({"body": body}) + "\n", encoding="utf-8")
    assert read_corpus(tmp_path / "c.jsonl")["body"].to_list() == [body]
    # A second structural tag makes it a page laid out in HTML.
    (tmp_path / "c.jsonl").write_text(json.dumps({"body": body + " Then <br> a break."}) + "\n", encoding="utf-8")
    first = body.index("<p>")
    with pytest.raises(InputError, match=rf"c.jsonl:1: body is an HTML page, not plain text \(<p> at character {first} and 1 more"):
        read_corpus(tmp_path / "c.jsonl")


# -- odd but valid --------------------------------------------------------------------------------


def profile_of(project: Project, corpus: str) -> dict[str, dict[str, object]]:
    write_experiment(project, corpus, name="odd")
    result = cli(project, "run", "odd")
    assert result.exit_code == 0, result.output
    profile = project.store().resolve("odd").table("profile")
    return {row["doc_id"]: row for row in profile.iter_rows(named=True)}


def test_odd_articles_profile(project: Project) -> None:
    shutil.copytree(ODD, project.root / "odd")
    rows = profile_of(project, "odd")
    counts = {
        doc: (r["body_words"], r["body_sentences"], r["paragraphs"], r["quotations"], r["quoted_words"])
        for doc, r in rows.items()
    }
    # Only a quotation: every word quoted.
    assert counts["only-quote"] == (14, 2, 1, 1, 14)
    assert rows["only-quote"]["quoted_share"] == 1.0
    # No words at all: zero words, no quoted share (null, never NaN or a division error).
    assert rows["no-sentences"]["body_words"] == 0
    assert rows["no-sentences"]["quoted_words"] == 0
    assert rows["no-sentences"]["quoted_share"] is None
    # Unbalanced marks: an open quotation closes at its paragraph's end (9 + 4 words);
    # a stray closing mark in the third paragraph opens nothing.
    assert counts["unbalanced"] == (29, 3, 3, 2, 13)
    # Right-to-left and non-Latin scripts: words, sentences and «»/„“/「」 quotations.
    assert counts["ar"] == (6, 2, 1, 1, 2)
    assert counts["he"] == (6, 2, 1, 1, 2)
    assert counts["ru"] == (6, 2, 1, 1, 2)
    assert counts["el"] == (5, 2, 1, 1, 1)
    assert counts["zh"][3:] == (1, 1)  # one 「」 quotation; word segmentation: see report
    # Bidi controls (RLM, LRM, RLO/PDF) are not words and do not split words.
    assert counts["mixed-bidi"] == (11, 1, 1, 1, 2)


def test_odd_doc_ids_and_sources() -> None:
    frame = read_corpus(ODD)
    by_id = dict(zip(frame["doc_id"], frame["source"], strict=True))
    assert by_id["only-quote"] == "only_quote.md:1"
    assert by_id["zh"] == "non_latin.jsonl:5"
    assert by_id["unbalanced"] == "unbalanced_quotes.txt:1"
    assert by_id["bom-crlf"] == "bom_crlf.txt:1"


def test_bom_and_crlf_give_the_same_numbers_as_lf(project: Project) -> None:
    shutil.copytree(ODD, project.root / "odd")
    rows = profile_of(project, "odd")
    frame = read_corpus(ODD)
    bodies = dict(zip(frame["source"], frame["body"], strict=True))
    assert bodies["bom_crlf.txt:1"] == bodies["lf_twin.md:1"]  # no BOM, no "\r" left
    assert "\ufeff" not in bodies["bom_crlf.txt:1"] and "\r" not in bodies["bom_crlf.txt:1"]
    keys = ("body_words", "body_sentences", "paragraphs", "quotations", "quoted_words", "quoted_share")
    assert {k: rows["bom-crlf"][k] for k in keys} == {k: rows["lf-twin"][k] for k in keys}
    assert rows["lf-twin"]["body_words"] == 23 and rows["lf-twin"]["quoted_words"] == 7


def test_odd_articles_score(project: Project) -> None:
    result = runner.invoke(app, ["score", str(ODD), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["doc_id"]: row for row in json.loads(result.stdout)}
    assert len(rows) == 11
    assert rows["no-sentences"]["words"] == 0
    assert rows["no-sentences"]["flesch_reading_ease"] is None  # no words: no readability
    assert rows["only-quote"]["words_quoted"] == 14 and rows["only-quote"]["words_narrator"] == 0
    assert rows["ar"]["words"] == 6


def test_ten_megabyte_article(project: Project) -> None:
    """One article of 10 MB: read and profiled, with counts that scale exactly."""
    paragraph = (
        "Russia and Ukraine discussed further prisoner swaps on Wednesday at a brief session of "
        'peace talks in Istanbul. "We have progress on the humanitarian track," Umerov said.'
    )
    copies = 10 * 1024 * 1024 // (len(paragraph) + 1) + 1
    (project.root / "big").mkdir()
    (project.root / "big" / "article.txt").write_text((paragraph + "\n") * copies, encoding="utf-8")
    assert (project.root / "big" / "article.txt").stat().st_size >= 10 * 1024 * 1024

    rows = profile_of(project, "big/article.txt")
    (row,) = rows.values()
    per_paragraph = len(words(paragraph))
    assert row["body_words"] == per_paragraph * copies
    assert row["body_sentences"] == len(split_sentences(paragraph)) * copies == 2 * copies
    assert row["paragraphs"] == copies
    assert row["quotations"] == copies
    assert row["quoted_words"] == 7 * copies  # "We have progress on the humanitarian track"


# -- experiments, store, lexicons -------------------------------------------------------------------

COMPARE = '[[steps]]\nuse = "score_framing"\n[[steps]]\nuse = "compare_outlets"\nsettings = {{ {settings} }}\n'


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param('[[steps]]\nuse = "profile_everything"\n', "unknown step steps[0].use = 'profile_everything'", id="unknown-step"),
        pytest.param(
            '[[steps]]\nuse = "profile_articles"\nsettings = { colour = "red" }\n',
            "unknown setting steps[0].settings.colour",
            id="unknown-setting",
        ),
        pytest.param(COMPARE.format(settings='n_boot = "many"'), "steps[1].settings.n_boot: expected integer, got 'many'", id="wrong-type"),
    ],
)
def test_bad_experiment_file(project: Project, steps: str, expected: str) -> None:
    write_experiment(project, "seeds", steps=steps)
    line = error_line(cli(project, "run", "bad"))
    assert "bad.toml" in line and expected in line, line
    assert_nothing_written(project)


def test_two_experiments_with_one_name(project: Project) -> None:
    shutil.copy(project.experiments_dir / "corpus-profile.toml", project.experiments_dir / "copy.toml")
    line = error_line(cli(project, "list"))
    assert "copy.toml" in line and "also used by" in line and "corpus-profile.toml" in line, line
    assert_nothing_written(project)


def test_result_store_not_writable(project: Project) -> None:
    project.results_dir.write_text("not a folder\n", encoding="utf-8")
    line = error_line(cli(project, "run", "corpus-profile"))
    assert "results" in line and "cannot write the result store" in line, line
    assert project.results_dir.read_text(encoding="utf-8") == "not a folder\n"


def test_disk_full_during_run(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC surfaces at fsync (delayed allocation): nothing is stored, no LATEST."""

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    line = error_line(cli(project, "run", "corpus-profile"))
    assert "corpus-profile" in line and "No space left on device" in line, line
    assert_nothing_written(project)


def test_disk_full_during_report(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(project, "run", "corpus-profile").exit_code == 0

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    line = error_line(cli(project, "report", "corpus-profile"))
    assert "No space left on device" in line
    assert not any(project.reports_dir.glob("*"))


@pytest.mark.parametrize("command", ["report", "cite", "verify"])
def test_result_id_that_does_not_exist(project: Project, command: str) -> None:
    assert cli(project, "run", "corpus-profile").exit_code == 0
    before = stored_results(project)
    line = error_line(cli(project, command, "corpus-profile@0123456789abcdef"))
    assert "result corpus-profile@0123456789abcdef does not exist" in line, line
    line = error_line(cli(project, command, "corpus-profile@not-an-id"))
    assert "'not-an-id' is not a result id" in line, line
    line = error_line(cli(project, command, "never-run"))
    assert "no stored result for experiment 'never-run'" in line, line
    assert stored_results(project) == before
    assert not project.reports_dir.exists()


def test_corrupt_manifest(project: Project) -> None:
    assert cli(project, "run", "corpus-profile").exit_code == 0
    stored = project.store().resolve("corpus-profile")
    manifest = stored.path / "manifest.json"
    os.chmod(manifest, 0o644)
    manifest.write_text("{broken", encoding="utf-8")
    for command in ("report", "cite", "verify"):
        line = error_line(cli(project, command, "corpus-profile"))
        assert "manifest.json: unreadable manifest" in line, line
    assert not project.reports_dir.exists()


def test_report_on_a_result_missing_a_table(project: Project) -> None:
    assert cli(project, "run", "corpus-profile").exit_code == 0
    stored = project.store().resolve("corpus-profile")
    os.chmod(stored.path, 0o755)
    (stored.path / "profile.parquet").unlink()
    line = error_line(cli(project, "report", "corpus-profile"))
    assert "profile" in line
    assert not project.reports_dir.exists()


def test_bad_lexicon_row(project: Project) -> None:
    out = project.root / "scores.json"
    result = runner.invoke(
        app,
        ["score", str(ODD / "lf_twin.md"), "--lexicon", str(BAD / "bad_lexicon.tsv"), "-f", "json", "-o", str(out)],
    )
    line = error_line(result)
    assert "bad_lexicon.tsv:4: weight 'heavy' is not a number" in line, line
    assert not out.exists()


def test_missing_lexicon_file(project: Project) -> None:
    result = runner.invoke(app, ["score", str(ODD / "lf_twin.md"), "--lexicon", str(BAD / "nope.tsv")])
    assert "nope.tsv" in error_line(result)


# -- unicode words and decorative spans (once known limitations, now fixed) ------------------------


def test_words_keep_combining_marks() -> None:
    assert [w.text for w in words("नमस्ते दुनिया")] == ["नमस्ते", "दुनिया"]
    assert [w.text for w in words("cafe\u0301 talks")] == ["cafe\u0301", "talks"]


def test_sentences_need_a_word() -> None:
    assert split_sentences("\u2014 \u2026 *** \u2014\n\u00b7 \u00b7 \u00b7") == []


# -- issue 11: one-line errors (area E) ---------------------------------------------------------
# Experiment files that are not files, settings out of range, Ray addresses, Ctrl-C, click's
# usage errors, options checked before any reading, file names that are not UTF-8, corpora
# with a header and no rows.


def _make_folder(file: Path) -> None:
    file.mkdir()


def _make_loop(file: Path) -> None:
    file.symlink_to(file.name)  # points at itself


def _make_dangling(file: Path) -> None:
    file.symlink_to("nowhere.toml")


def _make_fifo(file: Path) -> None:
    os.mkfifo(file)  # opening it would block until a writer came


def _make_latin1(file: Path) -> None:
    file.write_bytes(b'name = "caf\xe9"\nversion = "1"\n')


def _make_huge(file: Path) -> None:
    file.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(_make_folder, "x.toml: is a folder, not an experiment file", id="folder"),
        pytest.param(_make_loop, "x.toml: cannot read the experiment file: Too many levels of symbolic links", id="symlink-loop"),
        pytest.param(_make_dangling, "x.toml: experiment file not found", id="dangling-symlink"),
        pytest.param(_make_fifo, "x.toml: is a named pipe (FIFO), not an experiment file", id="fifo"),
        pytest.param(_make_latin1, "x.toml: not UTF-8 text (invalid continuation byte at byte 11, line 1)", id="not-utf8"),
        pytest.param(_make_huge, "too large for an experiment file", id="huge"),
    ],
)
def test_experiment_file_that_cannot_be_read(project: Project, make: Callable[[Path], None], expected: str) -> None:
    make(project.experiments_dir / "x.toml")
    for command in (("list",), ("run", "corpus-profile")):
        line = error_line(cli(project, *command))
        assert expected in line, line
    assert_nothing_written(project)


def test_unreadable_experiment_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, which reads any file: the permission error is simulated."""
    file = project.experiments_dir / "corpus-profile.toml"
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == file:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    line = error_line(cli(project, "run", "corpus-profile"))
    assert "corpus-profile.toml: cannot read the experiment file: Permission denied (check the file's permissions)" in line


def test_unlistable_experiments_folder(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def scandir(path: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(os, "scandir", scandir)
    line = error_line(cli(project, "list"))
    assert "experiments: cannot list the experiments folder: Permission denied" in line, line


def _compare(settings: str) -> str:
    return COMPARE.format(settings=settings)


_DISCOVER = '[[steps]]\nuse = "discover_pairs"\nsettings = {{ {settings} }}\n'
_PAIRS = '[[steps]]\nuse = "outlet_pairs"\nsettings = {{ {settings} }}\n'


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param(_compare("n_boot = 0"), "steps[1].settings.n_boot = 0 is out of range (allowed: an integer in [100, 1000000])", id="n_boot-0"),
        pytest.param(_compare("n_boot = -5"), "steps[1].settings.n_boot = -5 is out of range (allowed: an integer in [100, 1000000])", id="n_boot-negative"),
        pytest.param(_compare("seed = -1"), "steps[1].settings.seed = -1 is out of range (allowed: an integer >= 0)", id="seed-negative"),
        pytest.param(_compare("min_events = 0"), "steps[1].settings.min_events = 0 is out of range (allowed: an integer >= 1)", id="min_events-0"),
        pytest.param(_compare("by_category = 1"), "steps[1].settings.by_category: expected true/false, got 1", id="bool-as-int"),
        pytest.param(
            '[[steps]]\nuse = "score_framing"\nsettings = { context_chars = -1 }\n',
            "steps[0].settings.context_chars = -1 is out of range (allowed: an integer in [0, 10000])",
            id="context_chars-negative",
        ),
        pytest.param(_DISCOVER.format(settings="threshold = 0"), "steps[0].settings.threshold = 0 is out of range (allowed: a number in (0, 1])", id="threshold-0"),
        pytest.param(_DISCOVER.format(settings="threshold = 1.5"), "threshold = 1.5 is out of range (allowed: a number in (0, 1])", id="threshold-above-1"),
        pytest.param(_DISCOVER.format(settings="threshold = nan"), "threshold = nan is out of range", id="threshold-nan"),
        pytest.param(_DISCOVER.format(settings="num_perm = 0"), "num_perm = 0 is out of range (allowed: an integer in [1, 1024])", id="num_perm-0"),
        pytest.param(_DISCOVER.format(settings="num_perm = 9223372036854775807"), "num_perm = 9223372036854775807 is out of range", id="num_perm-huge"),
        pytest.param(
            _PAIRS.format(settings='pairs = [["Reuters", "The Guardian"], ["Reuters"]]'),
            'steps[0].settings.pairs[1] = ["Reuters"] is not allowed (allowed: a list of exactly 2 text items)',
            id="pairs-of-one",
        ),
        pytest.param(
            _PAIRS.format(settings='pairs = [["Reuters", "The Guardian"]]') + '[[steps]]\nuse = "wire_diff"\nsettings = { styles_dir = "" }\n',
            'steps[1].settings.styles_dir = "" is not allowed (allowed: a non-empty path',
            id="empty-path",
        ),
    ],
)
def test_step_setting_out_of_range(project: Project, steps: str, expected: str) -> None:
    write_experiment(project, "seeds", steps=steps)
    line = error_line(cli(project, "run", "bad"))
    assert "bad.toml" in line and expected in line, line
    assert_nothing_written(project)


def test_every_number_setting_declares_its_range() -> None:
    from harness.experiments import STEPS, StepRegistry, step
    from harness.experiments.settings import needs_range

    settings = [(defn.name, s) for defn in STEPS for s in defn.settings]
    assert len(settings) >= 14
    assert [f"{name}.{s.name}" for name, s in settings if needs_range(s.annotation)] == []
    with pytest.raises(TypeError, match="'limit' of count is a number without a declared range"):

        @step(outputs=("x",), registry=StepRegistry())
        def count(articles: pl.DataFrame, *, limit: int = 3) -> dict[str, pl.DataFrame]:
            return {"x": articles}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["pairs", "--threshold", "0"], "error: --threshold 0.0 is out of range (allowed: a number in (0, 1])", id="pairs-threshold"),
        pytest.param(["pairs", "--num-perm", "0"], "error: --num-perm 0 is out of range (allowed: an integer in [1, 1024])", id="pairs-num-perm"),
        pytest.param(["pairs", "--seed", "-1"], "error: --seed -1 is out of range (allowed: an integer >= 0)", id="pairs-seed"),
        pytest.param(["pairs", "-o", "p.csv"], "p.csv: cannot tell the output format from 'p.csv' (name the file *.parquet or *.json)", id="pairs-suffix"),
        pytest.param(["score", "--batch-size", "0", "--stream", "-f", "jsonl", "-o", "o.jsonl"], "--batch-size 0 is out of range (allowed: an integer in [1, 10000000])", id="score-batch-size"),
        pytest.param(["score", "-f", "parquet"], "--format parquet needs --output FILE", id="score-parquet-stdout"),
        pytest.param(["score", "--stream", "-f", "json", "-o", "o.json"], "--stream needs --format jsonl or parquet", id="score-stream-format"),
        pytest.param(
            ["score", "--stream", "-f", "jsonl", "-o", "o.jsonl", "--invalid-utf8", "replace"],
            "--invalid-utf8 replace does not work with --stream",
            id="score-stream-replace",
        ),
        pytest.param(["score", "--ray-address", "127.0.0.1:6379"], "--ray-address: given, but the engine is local", id="ray-address-local"),
    ],
)
def test_options_are_checked_before_the_corpus_is_read(tmp_path: Path, args: list[str], expected: str) -> None:
    """The corpus does not exist: the error about the option proves nothing was read first."""
    command, *options = args
    result = runner.invoke(app, [command, str(tmp_path / "no-such-corpus.jsonl"), *options])
    line = error_line(result)
    assert expected in line and "no-such-corpus" not in line, line
    assert list(tmp_path.iterdir()) == []


def test_pairs_checks_the_suffix_before_the_work(tmp_path: Path) -> None:
    """`pairs c.jsonl -o p.csv` on a real corpus: refused at once, nothing written."""
    result = runner.invoke(app, ["pairs", str(ROOT / "seeds"), "-o", str(tmp_path / "p.csv")])
    assert "cannot tell the output format from 'p.csv'" in error_line(result)
    assert result.stderr.count("\n") == 1  # not even the "N pairs among M articles" summary
    assert list(tmp_path.iterdir()) == []


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="the ray extra is not installed")


@needs_ray
def test_ray_client_address_without_ray_client(project: Project) -> None:
    """The README's old form, ray://HEAD:10001, needs ray[client] (grpcio), which the lock leaves out."""
    address = f"ray://127.0.0.1:{_closed_port()}"
    line = error_line(cli(project, "run", "corpus-profile", "--engine", "ray", "--ray-address", address))
    if importlib.util.find_spec("grpc") is None:
        assert f"--ray-address: a ray:// address ({address}) needs Ray Client, which needs the package ray[client]" in line
        assert "give the cluster's GCS address instead, 127.0.0.1:6379 by default" in line
    else:  # with ray[client] installed: the address is checked like any other
        assert "cannot reach a Ray cluster" in line
    assert_nothing_written(project)


@needs_ray
def test_unreachable_ray_address_is_quick(project: Project) -> None:
    address = f"127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    line = error_line(cli(project, "run", "corpus-profile", "--engine", "ray", "--ray-address", address))
    assert time.monotonic() - started < CONNECT_TIMEOUT_S + 5
    assert f"--ray-address: cannot reach a Ray cluster at {address}: Connection refused" in line
    assert "(start one with `ray start --head` or check the address)" in line
    assert_nothing_written(project)


@needs_ray
def test_address_that_is_not_a_ray_cluster(project: Project) -> None:
    """Something listens but does not speak gRPC (e.g. the dashboard's HTTP port): named, no hang."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(UsageError, match="no answer within 0.5 s"):
            check_reachable(parse_ray_address(address), timeout=0.5)  # type: ignore[arg-type]
    for bad, expected in [("head", "expected HOST:PORT"), ("http://head:8265", "Ray takes no http:// address"), ("h:70000", "port '70000'")]:
        line = error_line(cli(project, "run", "corpus-profile", "--engine", "ray", "--ray-address", bad))
        assert f"'{bad}' is not a Ray address: {expected}" in line, line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["cite"], "error: Missing argument 'ref'. (see `harness cite --help`)", id="missing-argument"),
        pytest.param(["run", "--bogus"], "error: No such option: --bogus (see `harness run --help`)", id="unknown-option"),
        pytest.param(["runn"], "error: No such command 'runn'. Did you mean 'run'? (see `harness --help`)", id="no-such-command"),
        pytest.param(["corpus", "shw"], "error: No such command 'shw'. Did you mean 'show'? (see `harness corpus --help`)", id="no-such-subcommand"),
        pytest.param(
            ["score", "x.txt", "--format", "xml"],
            "error: Invalid value for '--format' / '-f': 'xml' is not one of 'text', 'json', 'jsonl', 'parquet'. (see `harness score --help`)",
            id="bad-choice",
        ),
        pytest.param(["score", "x.txt", "--batch-size", "many"], "error: Invalid value for '--batch-size'", id="not-a-number"),
        pytest.param(["cite", "x", "--format"], "error: Option '--format' requires an argument. (see `harness cite --help`)", id="option-without-value"),
        pytest.param(["list", "extra"], "error: Got unexpected extra argument(s) (extra) (see `harness list --help`)", id="extra-argument"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args)
    line = error_line(result)
    assert line.startswith(expected) and line.endswith("--help`)"), line
    assert "╭" not in result.output and "Usage:" not in result.output


def test_help_still_works() -> None:
    shown = runner.invoke(app, ["run", "--help"])
    assert shown.exit_code == 0 and "Run an experiment" in shown.stdout
    bare = runner.invoke(app, [])
    assert bare.exit_code == 2 and "Usage" in bare.output and "error:" not in bare.output


def test_file_name_that_is_not_utf8(project: Project) -> None:
    """A valid file whose name is not UTF-8 is read; the name shows with \\xNN escapes."""
    folder = project.root / "latin1"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.txt")  # the surrogate-escaped name Python gives such a file
    (folder / name).write_text("Officials met on Tuesday. They agreed on a plan.\n", encoding="utf-8")

    scored = runner.invoke(app, ["score", str(folder / name), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    assert [row["words"] for row in json.loads(scored.stdout)] == [9]
    shown = runner.invoke(app, ["corpus", "show", str(folder), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert [row["source"] for row in json.loads(shown.stdout)] == ["caf\\xe9.txt:1"]
    table = runner.invoke(app, ["corpus", "show", str(folder)], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "1 articles in" in table.stdout

    write_experiment(project, "latin1")
    assert cli(project, "run", "bad").exit_code == 0
    stored = project.store().resolve("bad")
    assert stored.table("articles")["source"].to_list() == ["caf\\xe9.txt:1"]

    missing = runner.invoke(app, ["score", str(folder / os.fsdecode(b"gon\xe9.txt"))])
    assert "gon\\xe9.txt: no such file" in error_line(missing)


def _header_only_csv(project: Project) -> str:
    (project.root / "bad").mkdir()
    (project.root / "bad" / "h.csv").write_text("doc_id,headline,body\n", encoding="utf-8")
    return "bad/h.csv"


def _zero_row_parquet(project: Project) -> str:
    (project.root / "bad").mkdir()
    pl.DataFrame(schema={"doc_id": pl.String, "body": pl.String}).write_parquet(project.root / "bad" / "z.parquet")
    return "bad/z.parquet"


def _folder_of_header_only_csv(project: Project) -> str:
    _header_only_csv(project)
    return "bad"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(_header_only_csv, "h.csv: no articles (the file has no records)", id="csv-header-only"),
        pytest.param(_zero_row_parquet, "z.parquet: no articles (the file has no records)", id="parquet-zero-rows"),
        pytest.param(_folder_of_header_only_csv, "h.csv: no articles", id="folder-of-empty-csv"),
    ],
)
def test_corpus_with_a_header_and_no_rows(project: Project, make: Callable[[Project], str], expected: str) -> None:
    corpus = make(project)
    expect_corpus_error(project, corpus, expected)  # run and score
    for command in (["corpus", "show"], ["pairs"]):
        assert expected in error_line(runner.invoke(app, [*command, str(project.root / corpus)]))
    if corpus.endswith(".parquet"):
        out = project.root / "o.parquet"
        streamed = runner.invoke(app, ["score", str(project.root / corpus), "--stream", "-f", "parquet", "-o", str(out)])
        assert expected in error_line(streamed)
        assert not out.exists()


def test_selection_of_no_article(project: Project) -> None:
    """corpus.outlets and corpus.doc_ids that exist but share no article: no result of 0 articles."""
    guardian = read_corpus(project.root / "seeds").filter(pl.col("outlet") == "The Guardian")["doc_id"][0]
    file = write_experiment(project, "seeds")
    file.write_text(
        file.read_text(encoding="utf-8").replace('path = "seeds"', f'path = "seeds"\noutlets = ["Reuters"]\ndoc_ids = ["{guardian}"]'),
        encoding="utf-8",
    )
    line = error_line(cli(project, "run", "bad"))
    assert "bad.toml: corpus.outlets and corpus.doc_ids together select no article" in line, line
    assert_nothing_written(project)


def test_worker_processes_leave_ctrl_c_to_the_parent() -> None:
    """On a terminal Ctrl-C reaches every process of the group: workers ignore it (no tracebacks).

    The pool's processes are started inside ``_workers_ignore_sigint``: an ignored
    signal stays ignored across exec, so a spawned Python ignores it from its start.
    """
    from harness.scoring.batch import _workers_ignore_sigint

    probe = [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"]
    with _workers_ignore_sigint():
        started_inside = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    started_outside = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    assert (started_inside, started_outside) == ("True", "False")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the parent's is back


def _interrupt(args: list[str], cwd: Path, delay: float) -> subprocess.CompletedProcess[str]:
    """Run `python -m harness ARGS` in its own process group; Ctrl-C the group after ``delay``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("delay", [0.3, 0.9, 2.0])
def test_ctrl_c_is_one_line_at_any_time(project: Project, delay: float) -> None:
    """While importing (the first ~1.5 s), loading, scoring: one line, exit 130, nothing stored."""
    done = _interrupt(["run", "tabloid-framing", "--project", str(project.root)], project.root, delay)
    if done.returncode == 0:
        pytest.skip("the run finished before the interrupt")  # a very fast machine
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted; nothing stored\n", "")
    assert_nothing_written(project)
    left = [p for p in project.results_dir.rglob("*") if p.is_file()] if project.results_dir.exists() else []
    assert left == []  # no staging folder or temporary file either


def test_ctrl_c_leaves_no_output_file(project: Project) -> None:
    out = project.root / "scores.json"
    done = _interrupt(["score", "seeds", "--format", "json", "--output", str(out)], project.root, 1.5)
    if done.returncode == 0:
        pytest.skip("scoring finished before the interrupt")
    assert (done.returncode, done.stderr) == (130, "interrupted; nothing stored\n")
    assert sorted(p.name for p in project.root.iterdir()) == ["experiments", "requirements.lock", "seeds"]


@needs_ray
def test_ctrl_c_while_ray_starts(project: Project) -> None:
    """Half-started Ray used to crash Python's teardown (exit -11 after the line)."""
    done = _interrupt(["run", "corpus-profile", "--engine", "ray", "--project", str(project.root)], project.root, 3.0)
    if done.returncode == 0:
        pytest.skip("the run finished before the interrupt")
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted; nothing stored\n", "")
    assert_nothing_written(project)


def test_corpus_that_is_a_fifo(tmp_path: Path) -> None:
    """Reading a FIFO would wait for a writer forever: refused before it is opened."""
    fifo = tmp_path / "c.jsonl"
    os.mkfifo(fifo)
    for args in (["score", str(fifo)], ["score", str(fifo), "--stream", "-f", "jsonl", "-o", str(tmp_path / "o.jsonl")], ["diff", str(fifo), str(fifo)]):
        assert "c.jsonl: is a named pipe (FIFO), not a file" in error_line(runner.invoke(app, args))


@pytest.mark.parametrize("path", ["", "se\\u0000eds"], ids=["empty", "nul"])
def test_corpus_path_that_names_no_file(project: Project, path: str) -> None:
    write_experiment(project, path)
    line = error_line(cli(project, "run", "bad"))
    assert f"bad.toml: key 'corpus.path' = \"{path}\" is not allowed" in line, line
