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
match_on key that no article has   test_match_on_names_a_key_no_article_has; lib test_stats_compare::
                                   test_story_keys_from_meta_or_a_column_and_absent
story key not text or a number     test_story_key_that_is_not_text
=================================  ==============================================================
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import Result
from typer.testing import CliRunner

from harness.cli import app
from harness.corpus import ReplacedBytes, load_corpus, read_corpus
from harness.errors import InputError, UsageError
from harness.project import Project
from harness.text import split_sentences, words

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


# -- issue 12: story keys for outlet comparisons ----------------------------------------------

STORY_STEPS = '[[steps]]\nuse = "score_framing"\n[[steps]]\nuse = "compare_outlets"\nsettings = {{ n_boot = 50, n_perm = 99{extra} }}\n'


def _story_corpus(project: Project, stories: list[object]) -> str:
    folder = project.root / "storied"
    folder.mkdir()
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for i, story in enumerate(stories):
            record = {"outlet": "Wire" if i % 2 else "Daily", "headline": f"Talks {i}", "body": "Officials said talks failed. Critics slammed the plan."}
            if story is not None:
                record["story"] = story
            handle.write(json.dumps(record) + "\n")
    return "storied"


def test_match_on_names_a_key_no_article_has(project: Project) -> None:
    corpus = _story_corpus(project, ["s1", "s1", "s2", "s2"])
    write_experiment(project, corpus, steps=STORY_STEPS.format(extra=', match_on = "event"'))
    line = error_line(cli(project, "run", "bad"))
    assert "no article has the story key `event` (match_on)" in line, line
    assert_nothing_written(project)


def test_story_key_that_is_not_text(project: Project) -> None:
    corpus = _story_corpus(project, ["s1", ["s1", "s2"], "s2", "s2"])
    write_experiment(project, corpus, steps=STORY_STEPS.format(extra=""))
    line = error_line(cli(project, "run", "bad"))
    assert "articles.jsonl:2" in line and "story key `story` must be text or a number, not list" in line, line
    assert_nothing_written(project)
