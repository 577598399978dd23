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
manifest field edited (rows,       test_edited_manifest_field_is_refused[*] (verify exit 1, report/cite exit 2,
  articles_read, result_id, ...)     the field named); lib test_results_store::test_the_seal_names_every_edited_field
manifest edited with its seal      lib test_results_store::test_a_forged_seal_is_still_caught
  recomputed
manifest field points a table      test_edited_manifest_field_is_refused[table-file-outside]
  outside the result
byte flipped in a stored table,    test_run_replaces_a_damaged_copy[*] (`run` replaces it, warns, exit 0; report
  table/manifest deleted, manifest   and cite refuse it before); concurrent runs:
  edited, folder emptied             lib test_results_store::test_a_damaged_copy_is_replaced_by_concurrent_runs
`cite` on a damaged result         test_run_replaces_a_damaged_copy[*] (exit 2)
LATEST: bad bytes, not hex, empty, test_broken_latest_pointer[*]
  huge, a folder, symlink loop,
  dangling, FIFO, missing result
manifest of an older format        test_manifest_of_an_older_format
a table or id-covered field left   lib test_results_store::test_every_vouched_field_changes_the_result_id,
  out of the result id               test_every_table_changes_the_result_id, test_the_fields_are_split_*
outlet name that looks like a      test_outlet_names_are_never_style_sheet_paths (yahoo.com/news,
  path (issue 11)                    Reuters/AP, /etc/passwd, ..\\x.toml); lib test_wirediff_styles::
                                   test_an_outlet_name_is_never_a_path
style sheet file named explicitly  test_style_sheet_files_are_named_in_settings (missing file, unknown
                                   outlet, wrong type, a folder); test_diff_style_sheet_files_are_named_
                                   explicitly (--a-style, --a-outlet with --a-style)
name or ref with a trailing        test_names_and_refs_with_a_trailing_newline_are_refused; lib
  newline                            test_experiments_spec::test_names_with_control_characters_*
hostile outlet name / version in   test_markdown_report_keeps_hostile_names_and_versions_as_text; lib
  a Markdown report                  test_reports::test_every_block_escapes_*, test_code_fence_*
escape sequences, bidi, rich       test_terminal_output_shows_control_characters_as_escapes (corpus show,
  markup in terminal output          score text, warnings); test_diff_text_shows_*; test_list_shows_*;
                                   test_json_output_escapes_*; test_pairs_cite_and_run_output_*
newline / escape in a file name    test_error_lines_stay_one_line_with_hostile_file_names; lib
  in an error line                   test_safetext::test_error_lines_are_one_line
-o onto a device (/dev/full)       test_output_onto_dev_full_is_written_through (written through: ENOSPC, exit 2)
-o into a FIFO                     test_output_into_a_fifo_is_written_through (also --stream)
-o /dev/stdout, /proc/self/fd/1    test_output_to_own_stdout_names; test_output_to_stdout_redirected_into_a_file
-o onto a symbolic link            test_output_through_a_symlink_writes_its_target (target written, link kept)
-o onto an input (score, diff,     test_output_onto_an_input_is_refused; lib test_outputs::test_inputs_*
  pairs, --stream, lexicon; links)
-o inside an input folder          test_output_inside_an_input_folder_is_refused
-o a folder, a socket, below a     test_output_that_is_a_folder_or_socket_is_refused
  file
report pair, disk full on .html    test_report_pair_is_written_as_one; lib test_outputs::test_write_together_*
permissions (umask 022/077/002)    test_permissions_follow_the_umask; test_replaced_output_keeps_its_mode
score --stream killed with -9      test_stream_killed_with_sigkill_is_swept_by_the_next_run;
                                   test_stream_sweeps_staging_of_killed_runs
report killed: temporary files     test_report_sweeps_temporary_files_of_killed_runs; lib test_outputs::test_sweep_*
match_on key that no article has   test_match_on_names_a_key_no_article_has; lib test_stats_compare::
                                   test_story_keys_from_meta_or_a_column_and_absent
story key not text or a number     test_story_key_that_is_not_text
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
outlet names a chart could mangle  test_report_charts_keep_odd_outlet_names_whole; lib test_report_layout::
  ($x$, long and alike, markup)      test_chart_text_is_escaped_whole_and_literal
report of a result in which no     test_report_of_a_result_with_no_scored_article
  article was scored
--column not FIELD=COLUMN, unknown  test_column_option_is_checked_before_the_corpus_is_read (corpus show, score,
  field, field twice, two fields   --stream, pairs); lib test_corpus_columns::test_column_map_refuses
  on one column
mapped column not in the corpus    test_mapped_column_missing_from_the_corpus (JSONL/CSV/Parquet per file, text
                                   folders together: lib test_corpus_columns::test_a_missing_mapped_column_*);
                                   streamed JSONL: test_mapped_column_missing_from_a_streamed_jsonl_file
corpus.columns malformed or names  test_experiment_column_mapping_errors; lib test_corpus_columns::
  a missing column                 test_experiment_columns_refused
no outlet, a column looks like one test_a_column_that_looks_like_the_outlet_is_named (warning, exit 0);
  (e.g. BBC's `category`)          run: test_run_prints_the_outlet_warning_with_its_notices; named outlets:
                                   test_no_outlet_warning_when_the_corpus_names_outlets
mapped corpus, end to end          test_a_mapped_csv_runs_end_to_end; ids kept: test_seed_experiments_keep_their_config_without_columns
harness steps of an unknown step   test_steps_of_an_unknown_name_is_one_line; lib test_steps_command
result ref unknown, NAME~N too     test_result_commands_refuse_bad_references_and_options[*] (show, compare,
  far, not a name; unknown table;    results, export); lib test_results_cli::test_unknown_references
  parquet to stdout; bad format
export -o onto a stored table or   test_export_onto_an_input_is_refused (anywhere inside results/; a folder)
  into results/
show/export/compare/report -o on   test_result_commands_refuse_a_damaged_result (nothing written; `results`
  a damaged result                   lists it, `results --check` names the damage); lib
                                   test_results_cli::test_commands_refuse_a_damaged_result
`results` past a broken LATEST,    test_results_lists_past_a_broken_latest_pointer; unreadable manifest:
  a stray file in results/           lib test_results_cli::test_results_lists_an_unreadable_manifest_*
list column exported as CSV        lib test_results_cli::test_export_of_a_list_column_to_csv_is_refused (refused,
                                   one line naming the columns; jsonl keeps it)
report -o a file, or into results/ test_report_output_folder_that_is_a_file
harness diff on invalid UTF-8,     test_diff_invalid_utf8_is_one_line_naming_the_option_it_has
  with/without --invalid-utf8
harness diff: front matter is      test_diff_front_matter_is_metadata_not_text; equal to the experiment:
  metadata, headline apart         test_wirecopy_experiment::test_diff_on_article_files_equals_the_experiment
harness diff: first line headline  test_diff_first_line_is_the_headline_and_compared_apart
harness diff: bad front matter     test_diff_front_matter_errors_are_one_line
harness diff: front matter outlet  test_diff_front_matter_outlet_is_a_name_never_a_path
  is a name, never a path
harness diff: outlet, no styles    test_diff_front_matter_outlet_without_a_styles_folder_warns (warning, exit 0)
untracked experiment file          test_untracked_experiment_file_makes_the_result_dirty (git.dirty true,
                                   named in git.untracked_inputs and inputs with its sha256)
edited tracked lexicon, ignored    test_edited_and_ignored_inputs_are_named; outside the checkout (named,
  corpus folder                    not dirty): test_an_input_outside_the_checkout_is_named_but_not_dirty
verify after a lexicon edit        test_verify_names_an_edited_lexicon_and_its_hashes (exit 1, both hashes);
                                   comment edit: test_verify_notes_an_edited_comment_and_passes (exit 0);
                                   input deleted: test_verify_names_a_missing_input; built-in data file:
                                   test_verify_names_a_changed_built_in_resource
cite --author/--orcid              test_cite_with_authors_snapshot[*] (text, bibtex, cff);
                                   test_cite_cff_is_valid_yaml_with_the_authors
cite defaults from CITATION.cff    test_cite_takes_its_authors_from_citation_cff
cite: LaTeX specials in a name     test_cite_bibtex_escapes_latex_specials
bad ORCID, --orcid without         test_cite_bad_author_options[*]; lib test_orcid_check_digit
  --author, empty --author
malformed CITATION.cff (YAML, no   test_cite_with_a_malformed_citation_cff[*]
  authors, bad author or ORCID,
  python tag, not UTF-8)
no project here or above (-C)      test_no_project_found_is_one_line (found from a subfolder:
                                   test_cli_conventions::test_the_project_is_found_from_a_subfolder)
unknown experiment in a result     test_unknown_name_lists_the_experiments[*] (no `harness run nope`;
  command (report nope)              a known one not yet run: `harness run NAME first`)
glob pattern matching nothing      test_glob_matching_nothing (score, pairs, corpus show)
corpus input named twice (also     test_corpus_input_named_twice
  via a pattern; - twice)
duplicate doc id across inputs     test_duplicate_ids_across_inputs (files; stdin and a file)
empty / malformed JSONL on stdin   test_bad_standard_input (names <stdin>:LINE)
- with a terminal on stdin         test_standard_input_that_is_a_terminal_is_refused (library level)
-o onto a file a pattern matched   test_output_onto_a_globbed_input_is_refused (score, pairs)
score --stream with several        test_stream_refuses_several_inputs
  inputs or -
corpus show --limit -1             test_corpus_show_limit_out_of_range
loaded-terms sentence file:        test_bad_sentence_bias_file[*]; not UTF-8:
  missing column, unknown label,   test_sentence_bias_file_not_utf8
  bad word list, header only,
  short record, empty text, empty
loaded-terms span folder: offsets  test_bad_span_folder[*]
  outside the text or reversed,
  not numbers, wrong field count,
  label without article, no        no label files: test_span_folder_without_label_files
  articles, no label files
score --hits: bad suffix, with     test_bad_hits_option[*]; onto an input: test_hits_onto_an_input_is_refused
  --stream or --suite core, same
  file as -o
corpus import: missing path,       test_corpus_import_of_a_missing_path;
  another file type, folder with     test_corpus_import_refuses_paths_it_cannot_read (one line each,
  no page, FIFO                      nothing written)
corpus import: no page gives an    test_corpus_import_of_no_article_is_one_line (exit 2, counts per reason, the
  article                            first rejected page; no output, no rejects file)
corpus import: -o/--rejects of     test_corpus_import_checks_its_options_before_the_work
  the wrong suffix or place,
  --min-words 0
corpus import: bad pages (empty,   test_corpus_import_lists_rejected_pages_as_warnings (exit 0; first 20 named,
  truncated .gz, ...) beside good    all in --rejects); lib test_corpus_import::test_bad_pages_are_counted_*
corpus import: damaged WARC, a     test_corpus_import_keeps_the_pages_of_a_damaged_warc; truncated records:
  .warc that is not one              lib test_corpus_import::test_a_truncated_*
corpus import: unreadable page or  test_corpus_import_of_an_unreadable_page_in_a_folder (not as root);
  dangling link in a folder          test_corpus_import_of_a_dangling_link_in_a_folder
unknown loaded_lexicon setting     test_unknown_loaded_lexicon_setting
wire_diff furniture_min_articles   test_furniture_min_articles_out_of_range (1, 0, -3: allowed
  below 2                            [2, 1000000])
stories: no text, no date, future  test_stories_odd_articles_are_counted (counted in the summary,
  date; a one-article corpus         never a crash); test_stories_single_article_is_one_story
validate stories: gold file        test_validate_stories_bad_gold[*] (missing columns, unknown
  without doc_id/story, unknown      doc ids, unreadable format, no --corpus); stories -o *.csv:
  doc ids, no --corpus               test_stories_output_suffix
stories --pairs without a_doc_id,  test_stories_pairs_without_pair_columns
  b_doc_id
generic gold file not UTF-8        test_gold_file_not_utf8_hint_names_no_missing_option (re-save as
                                     UTF-8; no --invalid-utf8, which validate lacks)
Ray cluster with token auth:       test_ray_cluster_refuses_a_missing_token[*] (RAY_AUTH_MODE unset, token mode
  token missing or wrong           without a token, wrong RAY_AUTH_TOKEN; names the setting, < 5 s);
                                   as a process, nothing of Ray's own log: test_ray_auth_refusal_is_one_line_in_a_process
--ray-address of a worker node     test_ray_address_of_a_node_that_is_not_the_head
--loaded-lexicon: unknown arm,     test_bad_loaded_lexicon_option[*] (score and validate; nothing
  with --suite core, with            written)
  validate sentiment
score --stream --engine ray: a     test_ray_worker_that_cannot_write_its_part_is_one_line (the parts' folder
  worker cannot write its part       is a file: NotADirectoryError on the worker; nothing written)
=================================  ==============================================================
"""

from __future__ import annotations

import errno
import gzip
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any
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


# The closing line of long work on a non-terminal stderr ("score: 4 documents in 1.2 s").
PROGRESS_LINE = re.compile(r".* in \d+\.\d s$")


def stderr_lines(result: Result) -> list[str]:
    """stderr's lines but progress closing lines and blank ones."""
    return [line for line in result.stderr.splitlines() if line.strip() and not PROGRESS_LINE.fullmatch(line)]


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


# -- issue 11: B, a stored result must not lie, and a damaged one must be repairable ------------


def stored_profile(project: Project) -> tuple[str, Path]:
    """Run corpus-profile through the CLI; its reference and folder."""
    result = cli(project, "run", "corpus-profile")
    assert result.exit_code == 0, result.output
    ref = result.stdout.split()[0]
    return ref, project.results_dir / "corpus-profile" / ref.split("@")[1]


def edit_manifest(folder: Path, keys: tuple[str, ...], value: object) -> None:
    """Change one manifest field, as someone with a text editor would (the seal untouched)."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    node = data
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def flip_a_byte(file: Path) -> None:
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("keys", "value"),
    [
        pytest.param(("tables", "profile", "rows"), 999, id="rows"),
        pytest.param(("corpus", "articles_read"), 1000, id="articles-read"),
        pytest.param(("result_id",), "0123456789abcdef", id="result-id"),
        pytest.param(("experiment", "version"), "9.9.9", id="version"),
        pytest.param(("tables", "profile", "file"), "../../../seeds/x.parquet", id="table-file-outside"),
        pytest.param(("environment", "platform"), "Plan 9", id="platform"),
        pytest.param(("run", "started_at"), "1999-01-01T00:00:00+00:00", id="run-year"),
    ],
)
def test_edited_manifest_field_is_refused(project: Project, keys: tuple[str, ...], value: object) -> None:
    """verify (a check: exit 1), report and cite (exit 2) name the edited field."""
    ref, folder = stored_profile(project)
    edit_manifest(folder, keys, value)
    field = ".".join(keys)
    line = error_line(cli(project, "verify", "corpus-profile"), exit_code=1)
    assert f"{ref}: NOT verified" in line and f"manifest fields edited: {field}" in line, line
    for command in ("report", "cite"):
        line = error_line(cli(project, command, "corpus-profile"))
        assert f"result {ref} is damaged: " in line, line
        assert f"manifest field(s) {field} differ from what" in line, line
        assert "harness run corpus-profile" in line, line
    assert not project.reports_dir.exists()


def _flip_table(folder: Path) -> str:
    flip_a_byte(folder / "profile.parquet")
    return "table(s) profile missing or altered"


def _delete_table(folder: Path) -> str:
    (folder / "articles.parquet").unlink()
    return "table(s) articles missing or altered"


def _delete_manifest(folder: Path) -> str:
    (folder / "manifest.json").unlink()
    return "has lost its manifest.json"


def _edit_manifest(folder: Path) -> str:
    edit_manifest(folder, ("corpus", "articles_read"), 1000)
    return "manifest field(s) corpus.articles_read differ"


def _empty_folder(folder: Path) -> str:
    for item in folder.iterdir():
        item.unlink()
    return "has lost its manifest.json"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_flip_table, id="flipped-byte"),
        pytest.param(_delete_table, id="deleted-table"),
        pytest.param(_delete_manifest, id="deleted-manifest"),
        pytest.param(_edit_manifest, id="edited-manifest"),
        pytest.param(_empty_folder, id="empty-folder"),
    ],
)
def test_run_replaces_a_damaged_copy(project: Project, damage: Callable[[Path], str]) -> None:
    """report and cite refuse a damaged copy; `run` replaces it, says so, and it verifies."""
    ref, folder = stored_profile(project)
    expected = damage(folder)
    for command in ("report", "cite"):
        line = error_line(cli(project, command, ref))
        assert expected in line and "harness run corpus-profile" in line, line
    result = cli(project, "run", "corpus-profile")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[0] == ref  # same inputs, same id
    warnings = stderr_lines(result)
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"warning: {folder}: the stored copy of {ref} was damaged (")
    assert warnings[0].endswith("); replaced it with this run's result"), warnings[0]
    assert stored_results(project) == sorted(["corpus-profile/LATEST", f"corpus-profile/{ref.split('@')[1]}"])
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # nothing set aside is left
    result = cli(project, "verify", ref)
    assert result.exit_code == 0 and "verified" in result.stdout, result.output
    assert cli(project, "report", ref).exit_code == 0
    assert ref in cli(project, "cite", ref).stdout
    # An intact copy is kept as it is, silently.
    before = (folder / "manifest.json").read_bytes()
    result = cli(project, "run", "corpus-profile")
    # No warning: only the closing progress line ("run corpus-profile: 3 of 3 steps in 0.4 s").
    assert result.exit_code == 0 and "warning" not in result.stderr, result.output
    assert result.stderr.startswith("run corpus-profile: ") and result.stderr.count("\n") == 1, result.stderr
    assert (folder / "manifest.json").read_bytes() == before


def _latest_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda pointer: pointer.write_bytes(data)


def _latest_folder(pointer: Path) -> None:
    (pointer / "inside").mkdir(parents=True)


def _latest_loop(pointer: Path) -> None:
    pointer.symlink_to(pointer.name)


def _latest_dangling(pointer: Path) -> None:
    pointer.symlink_to("nowhere")


def _latest_fifo(pointer: Path) -> None:
    os.mkfifo(pointer)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(_latest_bytes(b"\xff\xfe\x00\x81"), "holds bytes that are not a result id", id="bad-bytes"),
        pytest.param(_latest_bytes(b"not-a-result-id\n"), "does not hold a result id", id="not-hex"),
        pytest.param(_latest_bytes(b""), "is empty", id="empty"),
        pytest.param(_latest_bytes(b"0" * 100_000), "is too long to be a result id", id="huge"),
        pytest.param(_latest_bytes(b"0123456789abcdef\n"), "points to result corpus-profile@0123456789abcdef, which does not exist", id="missing-result"),
        pytest.param(_latest_folder, "is a folder, not a file", id="folder"),
        pytest.param(_latest_loop, "cannot be followed: Too many levels of symbolic links", id="symlink-loop"),
        pytest.param(_latest_dangling, "cannot be followed: No such file or directory", id="dangling-symlink"),
        pytest.param(_latest_fifo, "is not a regular file", id="fifo"),
    ],
)
def test_broken_latest_pointer(project: Project, make: Callable[[Path], None], expected: str) -> None:
    """One line, exit 2, with what to do; a named id still works; `run` mends the pointer."""
    ref, folder = stored_profile(project)
    pointer = folder.parent / "LATEST"
    pointer.unlink()
    make(pointer)
    for command in ("report", "cite", "verify"):
        line = error_line(cli(project, command, "corpus-profile"))
        assert f"{pointer}: the LATEST pointer is broken: it {expected}" in line, line
        assert f"(run `harness run corpus-profile` again, or name a result id corpus-profile@ID; stored ids: {ref.split('@')[1]})" in line, line
    assert not project.reports_dir.exists()
    assert cli(project, "cite", ref).exit_code == 0
    result = cli(project, "run", "corpus-profile")
    assert result.exit_code == 0, result.output
    assert pointer.read_text() == ref.split("@")[1] + "\n"
    assert cli(project, "report", "corpus-profile").exit_code == 0


def test_manifest_of_an_older_format(project: Project) -> None:
    ref, folder = stored_profile(project)
    edit_manifest(folder, ("format_version",), 1)
    for command in ("report", "cite", "verify"):
        line = error_line(cli(project, command, "corpus-profile"))
        assert f"result {ref} has manifest format 1; this harness reads format 2" in line, line
        assert "(run `harness run corpus-profile` again to store it in the current format)" in line, line
    assert not project.reports_dir.exists()


# -- issue 11: names are names, untrusted text stays text (area C) ---------------------------------

# What a hostile corpus or experiment file may put in a name, a headline or an id.
MARKUP = "<script>alert(1)</script> [x](javascript:alert(1)) *bold* `tick` | pipe"
TERMINAL = "\x1b]0;pwned\x07 \x1b[2J \x9b31m \u202egnp.exe \x7f"
RICH = "[link=http://evil.example]click[/link] [bold]loud[/bold]"


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's for BMP text)."""
    return json.dumps(text)


WIRE = "Officials said on Monday the talks in Kyiv had failed. The minister said \"the door is open\"."
COPY = "Officials said on Tuesday that talks in Kiev had collapsed. The minister said 'the door is open'."


def _pair_experiment(project: Project, a_outlet: str, b_outlet: str, *, version: str = "1", diff_settings: str = "") -> None:
    _jsonl(project.root / "bad" / "pair.jsonl", [
        {"doc_id": "a", "outlet": a_outlet, "headline": "Talks fail", "body": WIRE},
        {"doc_id": "b", "outlet": b_outlet, "headline": "Talks collapse", "body": COPY},
    ])
    (project.experiments_dir / "pair.toml").write_text(
        f'name = "pair"\nversion = {_toml_string(version)}\n[corpus]\npath = "bad/pair.jsonl"\n'
        f"[[steps]]\nuse = \"outlet_pairs\"\nsettings = {{ pairs = [[{_toml_string(a_outlet)}, {_toml_string(b_outlet)}]] }}\n"
        f"[[steps]]\nuse = \"wire_diff\"\nsettings = {{ {diff_settings} }}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("a_outlet", "b_outlet"),
    [("yahoo.com/news", "Reuters/AP"), ("/etc/passwd", "experiments/styles/guardian.toml"), ("..\\..\\x.toml", "~")],
)
def test_outlet_names_are_never_style_sheet_paths(project: Project, a_outlet: str, b_outlet: str) -> None:
    """Issue 11 §3: an outlet name is looked up as a name; one without a sheet gets the default."""
    _pair_experiment(project, a_outlet, b_outlet)
    result = cli(project, "run", "pair")
    assert result.exit_code == 0, result.output
    pairs = project.store().resolve("pair").table("pairs")
    assert pairs.select("a_outlet", "b_outlet", "a_style", "b_style").rows() == [(a_outlet, b_outlet, "Generic", "Generic")]


def test_style_sheet_files_are_named_in_settings(project: Project) -> None:
    """`style_sheets = {outlet = file}` names a sheet file; a bad entry is one line, nothing stored."""
    _pair_experiment(project, "yahoo.com/news", "Reuters/AP",
                     diff_settings='style_sheets = { "Reuters/AP" = "experiments/styles/guardian.toml" }')
    assert cli(project, "run", "pair").exit_code == 0
    row = project.store().resolve("pair").table("pairs").row(0, named=True)
    assert (row["a_style"], row["b_style"]) == ("Generic", "The Guardian")
    shutil.rmtree(project.results_dir)
    for settings, expected in (
        ('style_sheets = { "Reuters/AP" = "experiments/styles/nope.toml" }', "nope.toml: style sheet not found"),
        ('style_sheets = { "Reuters" = "experiments/styles/reuters.toml" }',
         "settings.style_sheets names outlet(s) not in the selected articles: 'Reuters'"),
        ('style_sheets = ["experiments/styles/reuters.toml"]', "steps[1].settings.style_sheets: expected table of path"),
        ('style_sheets = { "Reuters/AP" = "experiments/styles" }', "styles: cannot read file"),
    ):
        _pair_experiment(project, "yahoo.com/news", "Reuters/AP", diff_settings=settings)
        line = error_line(cli(project, "run", "pair"))
        assert expected in line, line
        assert_nothing_written(project)


def test_diff_style_sheet_files_are_named_explicitly(tmp_path: Path) -> None:
    """`harness diff`: --a-outlet is a name (never opened), --a-style FILE is a sheet file."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(WIRE, encoding="utf-8")
    b.write_text(COPY, encoding="utf-8")
    styles = Path(__file__).resolve().parent.parent / "experiments" / "styles"

    def diff(*options: str) -> Result:
        return runner.invoke(app, ["diff", str(a), str(b), "--styles", str(styles), "-f", "json", *options])

    for outlet in ("/etc/passwd", "yahoo.com/news", str(styles / "guardian.toml")):
        assert diff("--a-outlet", outlet).exit_code == 0, outlet
    by_file = diff("--a-style", str(styles / "reuters.toml"), "--b-style", str(styles / "guardian.toml"))
    by_name = diff("--a-outlet", "Reuters", "--b-outlet", "The Guardian")
    assert by_file.exit_code == 0 and json.loads(by_file.stdout) == json.loads(by_name.stdout)
    assert "style sheet not found" in error_line(diff("--b-style", str(tmp_path / "nope.toml")))
    line = error_line(diff("--a-outlet", "Reuters", "--a-style", str(styles / "reuters.toml")))
    assert "--a-outlet and --a-style both choose A's style sheet" in line, line


def test_names_and_refs_with_a_trailing_newline_are_refused(project: Project) -> None:
    """Issue 11 §3: `$` let "t\\n" through; names and ids are checked whole."""
    (project.experiments_dir / "t.toml").write_text(
        'name = "t\\n"\nversion = "1"\n[corpus]\npath = "seeds"\n[[steps]]\nuse = "profile_articles"\n', encoding="utf-8"
    )
    line = error_line(cli(project, "run", "t"))
    assert "t.toml: experiment name 't\\n' is not allowed" in line, line
    assert not project.results_dir.exists()
    (project.experiments_dir / "t.toml").unlink()
    assert cli(project, "run", "corpus-profile").exit_code == 0
    rid = project.store().resolve("corpus-profile").result_id
    for ref, expected in (
        ("corpus-profile\n", "'corpus-profile\\n' is not an experiment name"),
        (f"corpus-profile@{rid}\n", f"'{rid}\\n' is not a result id"),
        (f"corpus-profile\n@{rid}", "is not an experiment name"),
    ):
        for command in ("report", "cite", "verify"):
            line = error_line(cli(project, command, ref))
            assert expected in line, (command, line)
    assert not project.reports_dir.exists()


def test_markdown_report_keeps_hostile_names_and_versions_as_text(project: Project) -> None:
    """Issue 11 §6: outlet names (the "Side by side" line, tables) and the experiment version
    (result paragraph, citation) are escaped: rendered by a CommonMark renderer, the report
    has no tag and no link of its own making."""
    from markdown_it import MarkdownIt

    a_outlet = MARKUP + "\n# heading <img src=x onerror=alert(1)>"
    b_outlet = "[y]: javascript:alert(2) <a href='javascript:alert(3)'>z</a> ![i](x.png) <http://evil.example>"
    version = "1 " + MARKUP + "\n````\n<script>alert(4)</script>\n```"
    _pair_experiment(project, a_outlet, b_outlet, version=version)
    assert cli(project, "run", "pair").exit_code == 0
    assert cli(project, "report", "pair").exit_code == 0
    markdown = (project.reports_dir / "pair.md").read_text(encoding="utf-8")
    # The citation is verbatim text in a fence longer than any backtick run in it (one line);
    # everywhere else no markup survives even unrendered.
    fenced = re.search(r"^(`{3,})\n(.*)\n\1$", markdown, re.MULTILINE)
    assert fenced is not None and "\n" not in fenced.group(2) and "version 1 <script>" in fenced.group(2)
    outside = markdown.replace(fenced.group(0), "")
    assert "*Side by side: &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:alert(1))" in outside
    for raw in ("<script", "<img", "<a ", "<http", "[x](javascript", "\n# heading"):
        assert raw not in outside, raw
    for renderer in (MarkdownIt("commonmark"), MarkdownIt("gfm-like", {"linkify": False})):
        rendered = renderer.render(markdown)
        for tag in ("<script", "<img", "<a ", "<h1>heading"):
            assert tag not in rendered, (tag, rendered)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    html = (project.reports_dir / "pair.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<a " not in html


def _hostile_corpus(folder: Path) -> Path:
    return _jsonl(folder / "hostile.jsonl", [
        {"doc_id": "id" + TERMINAL, "outlet": RICH, "headline": "Head " + TERMINAL + " " + RICH,
         "body": "Officials said the talks were fine today. They met again on Tuesday."},
        {"doc_id": "fr" + TERMINAL, "outlet": "Le Monde",
         "body": "Les responsables ont déclaré que les négociations se sont bien passées aujourd'hui et qu'ils "
                 "se retrouveront demain matin pour discuter encore de la situation dans la région du nord."},
    ])


def _assert_terminal_safe(text: str) -> None:
    for char in ("\x1b", "\x07", "\x9b", "\u202e", "\x7f"):
        assert char not in text, (char, text)


WIDE = {"COLUMNS": "250"}


def test_terminal_output_shows_control_characters_as_escapes(tmp_path: Path) -> None:
    """Issue 11 §6: `corpus show`, `score -f text`, warnings: escapes visible, markup inert."""
    corpus = _hostile_corpus(tmp_path)
    shown = runner.invoke(app, ["corpus", "show", str(corpus)], env=WIDE)
    assert shown.exit_code == 0, shown.output
    _assert_terminal_safe(shown.output)
    assert "id\\x1b]0;pwned\\x07 \\x1b[2J \\x9b31m \\u202egnp.exe \\x7f" in shown.stdout
    assert RICH in shown.stdout  # shown as written: rich did not read it as markup
    scored = runner.invoke(app, ["score", str(corpus), "-f", "text"], env=WIDE)
    assert scored.exit_code == 0, scored.output
    _assert_terminal_safe(scored.stdout + scored.stderr)
    assert "[link=http://evil.example]click[/link]" in scored.stdout and "id\\x1b]0;pwned" in scored.stdout
    assert "warning: fr\\x1b]0;pwned\\x07" in scored.stderr  # the not-English article, one line
    assert len(stderr_lines(scored)) == 1


def test_json_output_escapes_terminal_controls_and_keeps_values(tmp_path: Path) -> None:
    corpus = _hostile_corpus(tmp_path)
    for args in (["corpus", "show", str(corpus), "-f", "json"], ["score", str(corpus), "-f", "json", "--any-language"],
                 ["score", str(corpus), "-f", "jsonl", "--any-language"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        _assert_terminal_safe(result.stdout)
        rows = [json.loads(line) for line in result.stdout.splitlines()] if "jsonl" in args else json.loads(result.stdout)
        assert rows[0]["doc_id"] == "id" + TERMINAL  # the same value, only written as \\u escapes


def test_diff_text_shows_control_characters_and_markup_as_text(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The talks " + TERMINAL + " failed on Monday.", encoding="utf-8")
    b.write_text("The talks " + RICH + " collapsed on Tuesday.", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(a), str(b)], env=WIDE)
    assert result.exit_code == 0, result.output
    _assert_terminal_safe(result.stdout)
    assert "\\x1b]0;pwned\\x07" in result.stdout
    assert "[link=http://evil.example]click[/link]" in result.stdout


def test_list_shows_experiment_fields_as_text(project: Project) -> None:
    (project.experiments_dir / "odd.toml").write_text(
        f'name = "odd"\nversion = {_toml_string("1" + TERMINAL)}\ndescription = {_toml_string(RICH + TERMINAL)}\n'
        '[corpus]\npath = "seeds"\n[[steps]]\nuse = "profile_articles"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["list", "--project", str(project.root)], env=WIDE)
    assert result.exit_code == 0, result.output
    _assert_terminal_safe(result.stdout)
    assert RICH + "\\x1b]0;pwned" in result.stdout


def test_each_command_reads_the_terminal_width_it_is_given(project: Project) -> None:
    """A command run in the same process after a narrow one gets its own width (the
    table console is made per command, not once per process)."""
    narrow = runner.invoke(app, ["list", "--project", str(project.root)], env={"COLUMNS": "60"})
    wide = runner.invoke(app, ["list", "--project", str(project.root)], env=WIDE)
    assert narrow.exit_code == wide.exit_code == 0
    assert max(map(len, narrow.stdout.splitlines())) <= 60 < max(map(len, wide.stdout.splitlines()))


@pytest.mark.parametrize(
    "name",
    ["new\nline.jsonl", "osc\x1b]0;title\x07.jsonl", "c1\x9b31m.jsonl", "bidi\u202e.jsonl"],
)
def test_error_lines_stay_one_line_with_hostile_file_names(tmp_path: Path, name: str) -> None:
    """A file name (or value) with a newline or an escape sequence: still one line, shown escaped."""
    result = runner.invoke(app, ["corpus", "show", str(tmp_path / name)])
    line = error_line(result)
    _assert_terminal_safe(result.stderr)
    assert "no such file or folder" in line
    duplicate = _jsonl(tmp_path / "dup.jsonl", [{"doc_id": name, "body": "One."}, {"doc_id": name, "body": "Two."}])
    line = error_line(runner.invoke(app, ["corpus", "show", str(duplicate)]))
    assert "duplicate doc id" in line


def test_pairs_cite_and_run_output_are_terminal_safe(project: Project) -> None:
    """`pairs` JSON and the `run`/`cite`/`verify` lines carry ids and the version as written, escaped."""
    body = "Officials said on Monday the talks in the capital had failed after three days of meetings. " * 3
    corpus = _jsonl(project.root / "bad" / "copies.jsonl", [
        {"doc_id": "a" + TERMINAL, "outlet": "Wire", "body": body},
        {"doc_id": "b" + TERMINAL, "outlet": "Paper", "body": body},
    ])
    found = runner.invoke(app, ["pairs", str(corpus), "--threshold", "0.5"])
    assert found.exit_code == 0, found.output
    _assert_terminal_safe(found.stdout)
    assert json.loads(found.stdout)[0]["a_doc_id"] == "a" + TERMINAL
    (project.experiments_dir / "odd.toml").write_text(
        f'name = "odd"\nversion = {_toml_string("1" + TERMINAL)}\n'
        '[corpus]\npath = "seeds"\n[[steps]]\nuse = "profile_articles"\n',
        encoding="utf-8",
    )
    for args in (["run", "odd"], ["cite", "odd"], ["cite", "odd", "-f", "bibtex"], ["verify", "odd"]):
        result = cli(project, *args)
        assert result.exit_code == 0, (args, result.output)
        _assert_terminal_safe(result.stdout)
    assert "\\x1b]0;pwned" in cli(project, "cite", "odd").stdout


# -- issue 11: output files (area D) -------------------------------------------------------------
# `-o` onto devices, FIFOs, links, folders and inputs; the report pair written as one; permissions
# from the umask; temporary folders of killed runs swept. The rules: harness/outputs.py.

REPO = Path(__file__).resolve().parent.parent
ARTICLE = ODD / "lf_twin.md"  # one article
OTHER = ODD / "only_quote.md"
LEXICON = REPO / "harness" / "scoring" / "lexicons" / "news_loaded.tsv"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def doc_ids(data: bytes) -> list[str]:
    return [row["doc_id"] for row in json.loads(data)]


def small_corpus(path: Path) -> Path:
    rows = [
        {"id": f"d{i}", "outlet": "Herald", "text": f"The council said prices rose {i} times. Critics disagreed."}
        for i in range(3)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def harness_process(*args: str, stdout: int | object) -> subprocess.CompletedProcess[bytes]:
    """The CLI in its own process (this checkout's code), for real descriptors."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], stdout=stdout, stderr=subprocess.PIPE, env=env, timeout=300, check=False
    )


DEV_FULL_COMMANDS = {
    "score": ["score", str(ARTICLE), "-f", "json"],
    "score-parquet": ["score", str(ARTICLE), "-f", "parquet"],
    "score-stream": ["score", str(ODD / "non_latin.jsonl"), "--any-language", "--stream", "-f", "jsonl"],
    "diff": ["diff", str(ARTICLE), str(OTHER), "-f", "json"],
}


@pytest.fixture
def dev_full(tmp_path: Path) -> Path:
    """A device that is always full: a private copy of /dev/full when root (so a
    regression that renames over it destroys only the copy), else /dev/full itself
    (which a user cannot replace)."""
    if os.geteuid() != 0:
        if not os.path.exists("/dev/full"):
            pytest.skip("needs /dev/full")
        return Path("/dev/full")
    device = tmp_path / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        with device.open("wb") as probe:
            probe.write(b"x")
            probe.flush()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return device
        pytest.skip(f"cannot make a /dev/full device here: {exc}")
    pytest.skip("the copy of /dev/full accepted a write")


@pytest.mark.parametrize("command", DEV_FULL_COMMANDS.values(), ids=DEV_FULL_COMMANDS.keys())
def test_output_onto_dev_full_is_written_through(dev_full: Path, command: list[str]) -> None:
    """As root the old rename replaced /dev/full with a regular file; now the device
    is written (ENOSPC: one line, exit 2) and stays the device."""
    before = os.stat(dev_full)
    line = error_line(runner.invoke(app, [*command, "-o", str(dev_full)]))
    assert line.startswith(f"error: {dev_full}: could not write: No space left on device ("), line
    after = os.lstat(dev_full)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def read_fifo_in_thread(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as handle:
            got.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, got


def release_fifo_reader(fifo: Path, thread: threading.Thread) -> None:
    """If the command failed before opening the FIFO, let the reader finish.

    A reader that already got its end of file may still be alive for a moment, with
    the FIFO closed: opening it then for writing without blocking fails with ENXIO
    (no reader), which only means there is nothing to release. So wait a little first,
    and retry the release while the reader has not yet opened its end.
    """
    deadline = time.monotonic() + 30
    thread.join(timeout=1)
    while thread.is_alive() and time.monotonic() < deadline:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        thread.join(timeout=0.1)
    thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_output_into_a_fifo_is_written_through(tmp_path: Path, stream: bool) -> None:
    fifo = tmp_path / "scores.pipe"
    os.mkfifo(fifo)
    corpus = small_corpus(tmp_path / "c.jsonl")
    thread, got = read_fifo_in_thread(fifo)
    try:
        extra = ["--stream", "-f", "jsonl"] if stream else ["-f", "json"]
        result = runner.invoke(app, ["score", str(corpus), *extra, "-o", str(fifo)])
    finally:
        release_fifo_reader(fifo, thread)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not a file renamed over it
    rows = [json.loads(line) for line in got[0].splitlines()] if stream else json.loads(got[0])
    assert [row["doc_id"] for row in rows] == ["d0", "d1", "d2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl", "scores.pipe"]  # no temporary files
    leftovers = list(Path(tempfile.gettempdir()).glob(f".tmp-score-{os.getpid()}-*"))
    assert leftovers == []


def stdout_links(tmp_path: Path) -> None:
    """Private copies of the /dev links (a regression run as root must not replace
    the machine's /dev/stdout): stdout -> /proc/self/fd/1, fd -> /proc/self/fd."""
    if not os.path.exists("/proc/self/fd/1"):
        pytest.skip("needs /proc")
    (tmp_path / "stdout").symlink_to("/proc/self/fd/1")
    (tmp_path / "fd").symlink_to("/proc/self/fd")


def diff_json_to(path: Path, stdout: int | object) -> subprocess.CompletedProcess[bytes]:
    return harness_process("diff", str(ARTICLE), str(OTHER), "-f", "json", "-o", str(path), stdout=stdout)


@pytest.mark.parametrize("name", ["stdout", "fd/1", "/proc/self/fd/1"])
def test_output_to_own_stdout_names(tmp_path: Path, name: str) -> None:
    """/dev/stdout, /dev/fd/1, /proc/self/fd/1 name this process's descriptor: the
    output goes there (here a pipe), and the links stay links."""
    stdout_links(tmp_path)
    piped = diff_json_to(tmp_path / name, subprocess.PIPE)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["similarity"]["token_jaccard"] > 0
    assert os.readlink(tmp_path / "stdout") == "/proc/self/fd/1"
    assert os.readlink(tmp_path / "fd") == "/proc/self/fd"


def test_output_to_stdout_redirected_into_a_file(tmp_path: Path) -> None:
    """`-o /dev/stdout > file` fills the file; `>> file` appends to it (the descriptor
    is written as it is, not the file behind it replaced)."""
    stdout_links(tmp_path)
    redirected = tmp_path / "redirected.json"
    with redirected.open("wb") as handle:
        assert diff_json_to(tmp_path / "stdout", handle).returncode == 0
    first = redirected.read_bytes()
    assert json.loads(first)["similarity"]["token_jaccard"] > 0
    with redirected.open("ab") as handle:
        assert diff_json_to(tmp_path / "stdout", handle).returncode == 0
    assert redirected.read_bytes() == first + first


def test_output_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    """Decision: a link is followed (as a shell's `>` does); its target is replaced
    atomically, keeping its mode, and the link itself stays a link."""
    target = tmp_path / "scores.json"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "latest.json"
    link.symlink_to("scores.json")
    result = runner.invoke(app, ["score", str(ARTICLE), "-f", "json", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "scores.json"
    assert doc_ids(target.read_bytes()) == ["lf-twin"]
    assert mode_of(target) == 0o640
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("made/here.json")
    result = runner.invoke(app, ["diff", str(ARTICLE), str(OTHER), "-f", "json", "-o", str(dangling)])
    assert result.exit_code == 0, result.output
    assert dangling.is_symlink() and json.loads((tmp_path / "made" / "here.json").read_bytes())


def output_spellings(tmp_path: Path, original: Path) -> dict[str, Path]:
    """Ways to name ``original``: itself, a symbolic link, a hard link, a detour."""
    link = tmp_path / f"link-{original.name}"
    link.symlink_to(original)
    hard = tmp_path / f"hard-{original.name}"
    os.link(original, hard)
    return {"same": original, "symlink": link, "hardlink": hard, "detour": tmp_path / "x" / ".." / original.name}


def assert_refused_unchanged(command: list[str], original: Path, input_name: str) -> None:
    before = original.read_bytes()
    line = error_line(runner.invoke(app, command))
    assert f"the output is the input file {input_name}" in line, line
    assert "choose another output file" in line, line
    assert original.read_bytes() == before
    assert not original.is_symlink()


def test_output_onto_an_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """score, score --stream, diff and pairs: the output may not be an input (also a
    lexicon), however the path is spelled. Checked before the work, nothing written."""

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the output should have been refused before the work")

    # The commands import these in their bodies (not for --help): patched where they live.
    for module, name in (
        ("harness.scoring.stream", "scoring_call"),
        ("harness.scoring.stream", "score_stream"),
        ("harness.wirediff.articlefile", "read_article_file"),
        ("harness.wirediff.articlefile", "diff_article_files"),
        ("harness.discovery", "find_pairs"),
    ):
        monkeypatch.setattr(importlib.import_module(module), name, no_work)
    article = tmp_path / "article.md"
    shutil.copy(ARTICLE, article)
    corpus = small_corpus(tmp_path / "c.jsonl")
    lexicon = tmp_path / "lexicon.tsv"
    shutil.copy(LEXICON, lexicon)
    table = tmp_path / "corpus.parquet"
    read_corpus(corpus).select("doc_id", "outlet", "body").write_parquet(table)
    for output in output_spellings(tmp_path, article).values():
        for command in (
            ["score", str(article), "-f", "json", "-o", str(output)],
            ["diff", str(OTHER), str(article), "-f", "html", "-o", str(output)],
            ["diff", str(article), str(OTHER), "-o", str(output)],
        ):
            assert_refused_unchanged(command, article, str(article))
    for output in output_spellings(tmp_path, corpus).values():
        assert_refused_unchanged(["score", str(corpus), "--stream", "-f", "jsonl", "-o", str(output)], corpus, str(corpus))
    for output in output_spellings(tmp_path, lexicon).values():
        command = ["score", str(ARTICLE), "--lexicon", str(lexicon), "-f", "json", "-o", str(output)]
        assert_refused_unchanged(command, lexicon, str(lexicon))
    assert_refused_unchanged(["pairs", str(table), "-o", str(table)], table, str(table))
    assert_refused_unchanged(["score", str(table), "-f", "parquet", "-o", str(table)], table, str(table))


def test_output_inside_an_input_folder_is_refused(tmp_path: Path) -> None:
    """A corpus folder is read whole: an output inside it would be read as an article next time."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / "a.md")
    for command in (["score", str(folder), "-f", "json"], ["pairs", str(folder)]):
        line = error_line(runner.invoke(app, [*command, "-o", str(folder / "out" / "scores.json")]))
        assert f"the output is inside the input folder {folder}" in line, line
    assert sorted(p.name for p in folder.iterdir()) == ["a.md"]


def test_output_that_is_a_folder_or_socket_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    line = error_line(runner.invoke(app, ["score", str(ARTICLE), "-f", "json", "-o", str(folder)]))
    assert line == f"error: {folder}: the output is a folder (name a file, e.g. {folder / 'output.json'})", line
    line = error_line(runner.invoke(app, ["score", str(ARTICLE), "--stream", "-f", "jsonl", "-o", str(folder)]))
    assert "the output is a folder" in line, line
    assert list(folder.iterdir()) == []
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    line = error_line(runner.invoke(app, ["pairs", str(REPO / "seeds"), "-o", str(blocker / "pairs.json")]))
    assert f"{blocker} is not a folder" in line, line
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.sock"))
        line = error_line(runner.invoke(app, ["score", str(ARTICLE), "-f", "json", "-o", str(tmp_path / "s.sock")]))
    assert "the output is a socket" in line, line
    assert stat.S_ISSOCK(os.lstat(tmp_path / "s.sock").st_mode)


def fail_html_rename(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Disk full when the report's second file (.html) is renamed into place."""
    real = os.replace
    calls: list[str] = []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(dst).name)
        if str(dst).endswith(".html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def reports_on_disk(project: Project) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in project.reports_dir.iterdir()}


def test_report_pair_is_written_as_one(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """NAME.md and NAME.html: both new or neither; a failure on the .html puts the .md back."""
    assert cli(project, "run", "corpus-profile").exit_code == 0
    with monkeypatch.context() as patch:
        calls = fail_html_rename(patch)
        line = error_line(cli(project, "report", "corpus-profile"))
    assert calls[:2] == ["corpus-profile.md", "corpus-profile.html"]  # the .md was in place, then taken back
    assert "corpus-profile.html: could not write the file: No space left on device" in line, line
    assert reports_on_disk(project) == {}  # no pair before: none now, no temporary files

    assert cli(project, "report", "corpus-profile").exit_code == 0
    old = reports_on_disk(project)
    seed = next((project.root / "seeds").glob("*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8").replace("Kremlin aide", "Senior Kremlin aide"), encoding="utf-8")
    assert cli(project, "run", "corpus-profile").exit_code == 0
    with monkeypatch.context() as patch:
        fail_html_rename(patch)
        error_line(cli(project, "report", "corpus-profile"))
    assert reports_on_disk(project) == old  # the previous pair, whole: the .md is neither new nor missing

    assert cli(project, "report", "corpus-profile").exit_code == 0
    new = reports_on_disk(project)
    assert sorted(new) == ["corpus-profile.html", "corpus-profile.md"]
    assert new["corpus-profile.md"] != old["corpus-profile.md"] and new["corpus-profile.html"] != old["corpus-profile.html"]


@pytest.mark.parametrize(("umask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700), (0o002, 0o664, 0o775)])
def test_permissions_follow_the_umask(project: Project, umask: int, file_mode: int, folder_mode: int) -> None:
    """Result folders, tables, manifest, LATEST, reports and -o files get what any
    tool gives under the umask (not mkstemp's 0600 / mkdtemp's 0700); a report that
    an older version left at 0600 is fixed too. (As root: modes only, no access test.)"""
    out = project.root / "out"
    project.reports_dir.mkdir(mode=0o755)
    os.chmod(project.reports_dir, 0o777 & ~umask)
    (project.reports_dir / "corpus-profile.md").write_text("old\n", encoding="utf-8")
    os.chmod(project.reports_dir / "corpus-profile.md", 0o600)
    previous = os.umask(umask)
    try:
        commands = [
            ["run", "corpus-profile"],
            ["report", "corpus-profile"],
            ["score", str(ARTICLE), "-f", "json", "-o", str(out / "new" / "scores.json")],
            ["score", str(ARTICLE), "-f", "parquet", "-o", str(out / "scores.parquet")],
            ["score", str(small_corpus(project.root / "c.jsonl")), "--stream", "-f", "jsonl", "-o", str(out / "stream.jsonl")],
            ["pairs", str(project.root / "seeds"), "-o", str(out / "pairs.json")],
            ["diff", str(ARTICLE), str(OTHER), "-f", "html", "-o", str(out / "diff.html")],
        ]
        for command in commands:
            result = runner.invoke(app, [*command, "--project", str(project.root)] if command[0] in ("run", "report") else command)
            assert result.exit_code == 0, (command, result.output)
    finally:
        os.umask(previous)
    stored = project.store().load("corpus-profile")
    folders = [project.results_dir, stored.path.parent, stored.path, out, out / "new"]
    files = [*stored.path.iterdir(), stored.path.parent / "LATEST", *project.reports_dir.iterdir()]
    files += [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 3 + 1 + 2 + 5
    assert {str(p): oct(mode_of(p)) for p in folders} == {str(p): oct(folder_mode) for p in folders}
    assert {str(p): oct(mode_of(p)) for p in files} == {str(p): oct(file_mode) for p in files}


def test_replaced_output_keeps_its_mode(tmp_path: Path) -> None:
    """A replaced -o file keeps its mode (as `sed -i` does); only new files follow the umask."""
    output = tmp_path / "scores.json"
    output.write_text("[]\n", encoding="utf-8")
    os.chmod(output, 0o640)
    for command in (["score", str(ARTICLE), "-f", "json"], ["score", str(small_corpus(tmp_path / "c.jsonl")), "--stream", "-f", "jsonl"]):
        assert runner.invoke(app, [*command, "-o", str(output)]).exit_code == 0
        assert mode_of(output) == 0o640


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stream_sweeps_staging_of_killed_runs(tmp_path: Path) -> None:
    """`.tmp-score-<pid>-*` of a dead process goes at the next streamed run in that
    folder; a live run's, and names not ours, stay. Pid-less ones of older versions
    go when a day old."""
    out = tmp_path / "out"
    out.mkdir()
    dead = dead_pid()
    abandoned = out / f".tmp-score-{dead}-ab12cd34"
    abandoned.mkdir()
    (abandoned / "part-00000000.parquet").write_bytes(b"half")
    live = out / f".tmp-score-{os.getpid()}-ab12cd34"
    live.mkdir()
    not_ours = out / f".tmp-score-{dead}-keep.me"
    not_ours.mkdir()
    legacy_old, legacy_new = out / ".tmp-score-k3j4h5g6", out / ".tmp-score-a1b2c3d4"
    legacy_old.mkdir()
    legacy_new.mkdir()
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(legacy_old, (two_days_ago, two_days_ago))
    corpus = small_corpus(tmp_path / "c.jsonl")
    result = runner.invoke(app, ["score", str(corpus), "--stream", "-f", "parquet", "-o", str(out / "s.parquet")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([live.name, not_ours.name, legacy_new.name, "s.parquet"])
    assert pl.read_parquet(out / "s.parquet")["doc_id"].to_list() == ["d0", "d1", "d2"]


STREAM_CHILD = """
import sys, time
from pathlib import Path
import harness.scoring.stream as stream

real = stream._score_batch
def slow(*args, **kwargs):
    scored = real(*args, **kwargs)
    print("SCORED", flush=True)
    time.sleep(600)
    return scored
stream._score_batch = slow
stream.score_stream(Path(sys.argv[1]), Path(sys.argv[2]), fmt="parquet", batch_size=1)
"""


def test_stream_killed_with_sigkill_is_swept_by_the_next_run(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "c.jsonl")
    output = tmp_path / "out" / "scores.parquet"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", STREAM_CHILD, str(corpus), str(output)], stdout=subprocess.PIPE, text=True, env=env
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "SCORED"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        staged = [p.name for p in output.parent.iterdir()]
        assert [name.startswith(f".tmp-score-{child.pid}-") for name in staged] == [True]
    result = runner.invoke(app, ["score", str(corpus), "--stream", "-f", "parquet", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in output.parent.iterdir()] == ["scores.parquet"]


def test_report_sweeps_temporary_files_of_killed_runs(project: Project) -> None:
    assert cli(project, "run", "corpus-profile").exit_code == 0
    project.reports_dir.mkdir()
    dead = dead_pid()
    (project.reports_dir / f".tmp-{dead}-zz99yy88").write_text("half a report", encoding="utf-8")
    (project.reports_dir / f".tmp-{os.getpid()}-zz99yy88").write_text("a live write", encoding="utf-8")
    assert cli(project, "report", "corpus-profile").exit_code == 0
    names = sorted(p.name for p in project.reports_dir.iterdir())
    assert names == sorted([f".tmp-{os.getpid()}-zz99yy88", "corpus-profile.html", "corpus-profile.md"])


# -- issue 12: story keys for outlet comparisons ----------------------------------------------

STORY_STEPS = '[[steps]]\nuse = "score_framing"\n[[steps]]\nuse = "compare_outlets"\nsettings = {{ n_boot = 100, n_perm = 99{extra} }}\n'


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
    """On a terminal Ctrl-C reaches every process of the group: workers never see it (no tracebacks).

    The pool's processes are started inside ``workers_ignore_sigint``: a blocked
    signal stays blocked across fork and exec, so a spawned Python has SIGINT
    blocked from its start; the parent keeps its own handler and mask.
    """
    from harness.engines.processes import workers_ignore_sigint

    probe = [sys.executable, "-c", "import signal; print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))"]
    with workers_ignore_sigint():
        started_inside = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    started_outside = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()
    assert (started_inside, started_outside) == ("True", "False")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the parent's is back
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # and unblocked


def test_pool_workers_start_with_ctrl_c_blocked() -> None:
    """Through the pool itself: its first start of multiprocessing's resource tracker
    unblocks SIGINT in the spawning thread (bpo-33613), which must not undo the window."""
    import concurrent.futures
    import multiprocessing

    from harness.engines.processes import workers_ignore_sigint

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        with workers_ignore_sigint():
            blocked = pool.submit(signal.pthread_sigmask, signal.SIG_BLOCK, [])
        assert signal.SIGINT in blocked.result()


def test_a_ctrl_c_in_the_spawning_window_is_not_lost() -> None:
    """Pressed while workers are being spawned, Ctrl-C is handled as the window closes
    (an "ignore" there lost it: once in 40 stress runs of ``harness run``)."""
    import time

    from harness.engines.processes import workers_ignore_sigint

    reached: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        with workers_ignore_sigint():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            reached.append("the rest of the window")
    assert reached == ["the rest of the window"]  # never halfway through a spawn
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def _wait_until_sigint_is_caught(pid: int, timeout: float = 60.0) -> None:
    """Wait until the process handles SIGINT (its SigCgt mask in /proc has bit 2).

    Before that the interpreter is still starting (a few ms, longer on a loaded
    machine) and Ctrl-C kills it as it would any program, before any harness code
    exists to answer: the delays below count from the harness's first line.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
        except FileNotFoundError:
            return  # already finished
        caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
        if caught & (1 << (signal.SIGINT - 1)):
            return
        time.sleep(0.005)
    raise AssertionError(f"process {pid} never installed a SIGINT handler")


def _interrupt(args: list[str], cwd: Path, delay: float) -> subprocess.CompletedProcess[str]:
    """Run `python -m harness ARGS` in its own process group; Ctrl-C the group after ``delay``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", *args],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    _wait_until_sigint_is_caught(process.pid)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _generated_experiment(project: Project) -> str:
    """An experiment scoring 3,000 generated articles: seconds of work, where the seeds
    now take well under one, so a Ctrl-C at 2 s still lands while it scores."""
    _generated_corpus(project.root, 3000)
    (project.experiments_dir / "generated-framing.toml").write_text(
        'name = "generated-framing"\nversion = "1.0.0"\ndescription = "Scorecard on generated articles."\n\n'
        '[corpus]\npath = "corpus.jsonl"\n\n[[steps]]\nuse = "score_framing"\n',
        encoding="utf-8",
    )
    return "generated-framing"


@pytest.mark.parametrize("delay", [0.3, 0.9, 2.0])
def test_ctrl_c_is_one_line_at_any_time(project: Project, delay: float) -> None:
    """While importing, loading, scoring (workers included): one line, exit 130, nothing stored."""
    name = _generated_experiment(project)
    done = _interrupt(["run", name, "--project", str(project.root)], project.root, delay)
    if done.returncode == 0:
        pytest.skip("the run finished before the interrupt")  # a very fast machine
    assert (done.returncode, done.stderr, done.stdout) == (130, "interrupted; nothing stored\n", "")
    assert_nothing_written(project)
    left = [p for p in project.results_dir.rglob("*") if p.is_file()] if project.results_dir.exists() else []
    assert left == []  # no staging folder or temporary file either


def _generated_corpus(folder: Path, articles: int) -> Path:
    """A JSONL corpus of ``articles`` generated news articles: seconds of scoring to interrupt."""
    from benchmarks.bench_score import synthetic_articles

    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for row in synthetic_articles(articles).iter_rows(named=True):
            handle.write(json.dumps({"id": row["doc_id"], "title": row["headline"], "text": row["body"]}) + "\n")
    return path


@pytest.mark.parametrize("output_format", ["json", "jsonl"])
def test_ctrl_c_leaves_no_output_file(
    project: Project, tmp_path_factory: pytest.TempPathFactory, output_format: str
) -> None:
    """Ctrl-C while the worker pool scores: one line, no file, and no worker left behind
    (an orphaned worker keeps the pipes open, so ``_interrupt`` would time out).
    ``jsonl`` writes each slice's lines to the output's temporary file as they come:
    that file goes too."""
    # The seeds score in well under a second now; 3,000 generated articles take a few
    # seconds, so the interrupt lands while they are scored, not after the file is written.
    corpus = _generated_corpus(tmp_path_factory.mktemp("corpus"), 3000)
    out = project.root / f"scores.{output_format}"
    done = _interrupt(["score", str(corpus), "--format", output_format, "--output", str(out)], project.root, 1.5)
    if done.returncode == 0:
        pytest.skip("scoring finished before the interrupt")  # 3,000 articles in 1.5 s: not on 2 cores today
    assert done.returncode == 130
    if done.stderr.endswith(f"interrupted; stored before the interrupt: {out}\n"):
        # Ctrl-C landed after the file was put in place (a loaded machine): it is whole, and said so.
        lines = out.read_text().splitlines() if output_format == "jsonl" else [out.read_text()]
        assert all(json.loads(line) for line in lines)
        return
    assert done.stderr == "interrupted; nothing stored\n"
    assert sorted(p.name for p in project.root.iterdir()) == ["experiments", "requirements.lock", "seeds"]


def test_interrupt_line_names_an_output_already_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The interrupt line matches the disk: an output put in place before Ctrl-C is named, not "nothing stored"."""
    from harness.cli.entry import _interrupted_line
    from harness.outputs import write_output

    monkeypatch.setattr("harness.results.store.STORED", [])
    monkeypatch.setattr("harness.outputs.WRITTEN", [])
    assert _interrupted_line() == "interrupted; nothing stored"
    write_output(tmp_path / "scores.json", b"{}")
    write_output(Path("/dev/null"), b"{}")  # written through a device: nothing stored
    assert _interrupted_line() == f"interrupted; stored before the interrupt: {tmp_path / 'scores.json'}"


def test_ctrl_c_while_python_finalizes_keeps_the_exit_code(tmp_path: Path) -> None:
    """A Ctrl-C after the command has ended, while the interpreter frees its modules
    (when Python has reset its own SIGINT handler), used to kill a finished command
    by SIGINT (-2, seen in CI). The signal is sent from a finalizer, so the timing is exact."""
    script = tmp_path / "ctrl_c_at_exit.py"
    script.write_text(
        "import os, signal, sys\n"
        "from harness.cli import entry\n"
        "class CtrlCWhenFreed:\n"
        "    def __del__(self) -> None:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "freed_last = CtrlCWhenFreed()\n"
        "sys.argv = ['harness', '--help']\n"
        "entry.main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert "Usage: harness" in done.stdout


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


# -- issue 12: reports by outlet ---------------------------------------------------------------

ODD_OUTLETS = (
    "Money $x$ & $y$ Daily",
    "The Northern Evening Chronicle and Courier (weekday edition)",
    "The Northern Evening Chronicle and Courier (weekend edition)",
    "<b>Bold</b> Wire",
)


def _chart_text(html_text: str) -> str:
    """The text of every chart, lines of wrapped labels run together, unescaped."""
    import html as html_module

    svgs = re.findall(r"<svg .*?</svg>", html_text, flags=re.S)
    return html_module.unescape("".join("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)) for svg in svgs))


def test_report_charts_keep_odd_outlet_names_whole(project: Project) -> None:
    folder = project.root / "odd"
    folder.mkdir()
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(12):
            body = f"Officials said talks number {i} failed. Critics slammed the chaotic plan as a disaster. 'We go on,' she said."
            handle.write(json.dumps({"outlet": ODD_OUTLETS[i % 4], "headline": f"Talks {i}", "body": body}) + "\n")
    write_experiment(project, "odd", steps=STORY_STEPS.format(extra=""))
    for command in ("run", "report"):
        result = cli(project, command, "bad")
        assert result.exit_code == 0, result.output
    page = (project.reports_dir / "bad.html").read_text(encoding="utf-8")
    charts = "".join(_chart_text(page).split())  # a wrapped label loses the space at its break
    for outlet in ODD_OUTLETS:
        assert "".join(outlet.split()) in charts, outlet  # never cut short; "$" and markup as text
    assert "<b>" not in page and re.findall(r"<h2>(.*?)</h2>", page)[0] == "Summary by outlet"


def test_report_of_a_result_with_no_scored_article(project: Project) -> None:
    folder = project.root / "fr"
    folder.mkdir()
    body = (
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites. "
        "Les syndicats ont appelé à la grève générale dans tout le pays."
    )
    lines = [json.dumps({"outlet": f"Le Monde {i % 2}", "headline": f"Réforme {i}", "body": f"{body} Numéro {i}."}) for i in range(4)]
    (folder / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_experiment(project, "fr", steps=STORY_STEPS.format(extra=""))
    for command in ("run", "report"):
        result = cli(project, command, "bad")
        assert result.exit_code == 0, result.output
    markdown = (project.reports_dir / "bad.md").read_text(encoding="utf-8")
    assert "No article has a value: nothing to summarise or draw" in markdown
    assert "4 not scored (table \\`skipped\\`)" in markdown and "language: fr" in markdown
    assert "<svg" not in (project.reports_dir / "bad.html").read_text(encoding="utf-8")


# -- issue 12: corpus columns and step settings (area H) -------------------------------------------
# `columns = { outlet = "category" }` in an experiment and `--column FIELD=COLUMN` on score, pairs
# and corpus show; the warning about a column that looks like the outlet; `harness steps`.

BBC_CATEGORIES = ("business", "sport", "tech")
BBC_BODIES = (
    "Shares in the firm rose sharply after profits beat forecasts. Critics said the deal was a shocking giveaway.",
    "The striker scored twice as the club won the final. The manager insisted the team had been brilliant.",
    "The company launched a new phone with a faster chip. Analysts warned that prices would rise sharply.",
)


def bbc_like_csv(path: Path, n: int = 12) -> Path:
    """A CSV shaped like the BBC News corpus: the outlet-like grouping is `category`, the headline `title`."""
    rows = [
        {"id": f"{BBC_CATEGORIES[i % 3]}/{i:03d}.txt", "category": BBC_CATEGORIES[i % 3], "title": f"Story {i}", "text": f"{BBC_BODIES[i % 3]} Day {i}."}
        for i in range(n)
    ]
    pl.DataFrame(rows).write_csv(path)
    return path


COLUMN_COMMANDS = {
    "corpus-show": ["corpus", "show", "{corpus}"],
    "score": ["score", "{corpus}", "-f", "json"],
    "score-stream": ["score", "{corpus}", "--stream", "-f", "jsonl", "-o", "{out}"],
    "pairs": ["pairs", "{corpus}"],
}


def _column_command(kind: str, corpus: Path, out: Path, *columns: str) -> list[str]:
    args = [a.format(corpus=corpus, out=out) for a in COLUMN_COMMANDS[kind]]
    return [*args, *(part for c in columns for part in ("--column", c))]


@pytest.mark.parametrize("kind", sorted(COLUMN_COMMANDS))
@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        pytest.param(["outlet"], "error: --column 'outlet' is not FIELD=COLUMN (e.g. --column outlet=category; fields: doc_id, outlet, headline, body, published)", id="no-equals"),
        pytest.param(["=category"], "error: --column '=category' is not FIELD=COLUMN", id="no-field"),
        pytest.param(["category=outlet"], "error: --column: unknown article field 'category' (fields that can be mapped: doc_id, outlet, headline, body, published; the field goes on the left)", id="reversed"),
        pytest.param(["outlet="], "error: --column: outlet = '' names no column", id="no-column"),
        pytest.param(["outlet=a", "outlet=b"], "error: --column maps outlet twice ('a' and 'b') (give each field one column)", id="field-twice"),
        pytest.param(["outlet=t", "headline=t"], "error: --column: outlet and headline are both mapped to the column 't' (map each field to its own column)", id="one-column-twice"),
    ],
)
def test_column_option_is_checked_before_the_corpus_is_read(tmp_path: Path, kind: str, columns: list[str], expected: str) -> None:
    """The corpus does not exist: the error about --column proves nothing was read first."""
    out = tmp_path / "o.jsonl"
    line = error_line(runner.invoke(app, _column_command(kind, tmp_path / "missing.csv", out, *columns)))
    assert line.startswith(expected), line
    assert not out.exists()


@pytest.mark.parametrize("kind", sorted(COLUMN_COMMANDS))
def test_mapped_column_missing_from_the_corpus(tmp_path: Path, kind: str) -> None:
    corpus = bbc_like_csv(tmp_path / "bbc.csv")
    out = tmp_path / "o.jsonl"
    line = error_line(runner.invoke(app, _column_command(kind, corpus, out, "outlet=categry")))
    assert line == (
        f"error: {corpus}: the column `categry` mapped to outlet is not in the file; "
        "columns found: `id`, `category`, `title`, `text` (fix the column name in the mapping)"
    )
    assert not out.exists()


def test_mapped_column_missing_from_a_streamed_jsonl_file(tmp_path: Path) -> None:
    """Streaming reads the file in batches: the column is looked for before the first batch is scored."""
    corpus = tmp_path / "c.jsonl"
    read_corpus(bbc_like_csv(tmp_path / "bbc.csv")).select("doc_id", "body").write_ndjson(corpus)
    out = tmp_path / "o.jsonl"
    args = ["score", str(corpus), "--stream", "--batch-size", "2", "-f", "jsonl", "-o", str(out), "--column", "outlet=category"]
    line = error_line(runner.invoke(app, args))
    assert "c.jsonl: the column `category` mapped to outlet is not in the file; columns found: `doc_id`, `body`" in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        pytest.param('{ category = "outlet" }', "bad.toml: corpus.columns: unknown article field 'category' (fields that can be mapped: doc_id, outlet, headline, body, published; the field goes on the left)", id="reversed"),
        pytest.param('"outlet=category"', "bad.toml: key 'corpus.columns' must be a table, got \"outlet=category\"", id="not-a-table"),
        pytest.param('{ outlet = "title", headline = "title" }', "bad.toml: corpus.columns: outlet and headline are both mapped to the column 'title'", id="one-column-twice"),
        pytest.param('{ outlet = "categry" }', "bbc.csv: the column `categry` mapped to outlet is not in the file; columns found: `id`, `category`, `title`, `text`", id="missing-column"),
    ],
)
def test_experiment_column_mapping_errors(project: Project, columns: str, expected: str) -> None:
    bbc_like_csv(project.root / "bbc.csv")
    file = write_experiment(project, "bbc.csv")
    file.write_text(file.read_text(encoding="utf-8").replace('path = "bbc.csv"\n', f'path = "bbc.csv"\ncolumns = {columns}\n'), encoding="utf-8")
    line = error_line(cli(project, "run", "bad"))
    assert expected in line, line
    assert_nothing_written(project)


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


def test_a_column_that_looks_like_the_outlet_is_named(tmp_path: Path) -> None:
    corpus = bbc_like_csv(tmp_path / "bbc.csv")
    expected = (
        f"warning: {corpus}: no column names the articles' outlet, so every outlet is 'unknown'; "
        "column `category` looks like a grouping (3 values: business, sport, tech) "
        '(to use it as the outlet: --column outlet=category, or columns = { outlet = "category" } under [corpus] in the experiment)'
    )
    for kind in sorted(COLUMN_COMMANDS):
        out = tmp_path / "o.jsonl"
        result = runner.invoke(app, _column_command(kind, corpus, out))
        assert result.exit_code == 0, (kind, result.output)
        assert _warnings(result.stderr) == [expected], kind
        mapped = runner.invoke(app, _column_command(kind, corpus, out, "outlet=category"))
        assert mapped.exit_code == 0 and _warnings(mapped.stderr) == [], kind
    shown = runner.invoke(app, ["corpus", "show", str(corpus), "--column", "outlet=category", "--format", "json"])
    assert [row["outlet"] for row in json.loads(shown.stdout)] == [BBC_CATEGORIES[i % 3] for i in range(12)]


def test_no_outlet_warning_when_the_corpus_names_outlets(project: Project) -> None:
    result = runner.invoke(app, ["corpus", "show", str(project.root / "seeds")])
    assert result.exit_code == 0 and _warnings(result.stderr) == []


def test_run_prints_the_outlet_warning_with_its_notices(project: Project) -> None:
    bbc_like_csv(project.root / "bbc.csv")
    write_experiment(project, "bbc.csv")
    result = cli(project, "run", "bad")
    assert result.exit_code == 0, result.output
    (warning,) = _warnings(result.stderr)
    assert "bbc.csv: no column names the articles' outlet" in warning and "--column outlet=category" in warning
    assert len(stored_results(project)) == 2  # the result and LATEST: a warning, not an error


def test_a_mapped_csv_runs_end_to_end(project: Project) -> None:
    """A BBC-shaped CSV, `category` as the outlet: a few lines of experiment give per-outlet results."""
    bbc_like_csv(project.root / "bbc.csv", n=15)
    (project.experiments_dir / "bbc.toml").write_text(
        'name = "bbc"\nversion = "1"\n'
        '[corpus]\npath = "bbc.csv"\ncolumns = { outlet = "category", headline = "title" }\n'
        '[[steps]]\nuse = "score_framing"\n'
        '[[steps]]\nuse = "compare_outlets"\nsettings = { n_boot = 100, n_perm = 99 }\n',
        encoding="utf-8",
    )
    result = cli(project, "run", "bbc")
    assert result.exit_code == 0, result.output
    assert _warnings(result.stderr) == []
    stored = project.store().resolve("bbc")
    articles = stored.table("articles")
    assert articles["outlet"].to_list() == [BBC_CATEGORIES[i % 3] for i in range(15)]
    assert articles["headline"].to_list() == [f"Story {i}" for i in range(15)]
    assert all("category" not in json.loads(m) and "title" not in json.loads(m) for m in articles["meta"])
    comparisons = stored.table("comparisons")
    assert sorted(set(zip(comparisons["outlet_a"], comparisons["outlet_b"]))) == [("business", "sport"), ("business", "tech"), ("sport", "tech")]
    assert set(comparisons["unit"]) >= {"article"}  # five articles per outlet: the article is the unit
    # The mapping is part of the configuration the result id vouches for.
    manifest = json.loads((stored.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["corpus"]["columns"] == {"outlet": "category", "headline": "title"}
    report = cli(project, "report", "bbc")
    assert report.exit_code == 0, report.output
    markdown = (project.reports_dir / "bbc.md").read_text(encoding="utf-8")
    assert all(category in markdown for category in BBC_CATEGORIES)


def test_seed_experiments_keep_their_config_without_columns(project: Project) -> None:
    """No `columns` key: the canonical config has none, so stored result ids do not change."""
    from harness.experiments import load_catalogue

    for experiment in load_catalogue(project.experiments_dir).experiments:
        assert "columns" not in experiment.canonical()["corpus"], experiment.name


def test_steps_of_an_unknown_name_is_one_line() -> None:
    line = error_line(runner.invoke(app, ["steps", "score"]))
    assert line.startswith("error: unknown step 'score' (registered steps: compare_outlets, ")


# -- issue 15: finding, comparing and exporting results (area J) --------------------------------------


def _profile_ref(project: Project) -> str:
    result = cli(project, "run", "corpus-profile")
    assert result.exit_code == 0, result.output
    return result.stdout.split()[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "corpus-profile@0123456789abcdef"], "result corpus-profile@0123456789abcdef does not exist"),
        (["show", "corpus-profile~1"], "'corpus-profile~1': experiment 'corpus-profile' has 1 stored result(s)"),
        (["compare", "corpus-profile", "nope"], "no stored result for experiment 'nope'"),
        (["results", "nope"], "no stored result for experiment 'nope' (no experiment is named 'nope'; experiments: "),
        (["results", "../x"], "'../x' is not an experiment name"),
        (["export", "corpus-profile", "--table", "../profile"], "has no table '../profile' (tables: articles, profile)"),
        (["export", "corpus-profile", "-t", "profile", "-f", "parquet"], "--format parquet needs -o FILE"),
        (["export", "corpus-profile", "-t", "profile", "-f", "parquet", "-o", "-"], "--format parquet needs -o FILE"),
        (["export", "corpus-profile", "-t", "profile", "-f", "xml"], "Invalid value for '--format' / '-f'"),
    ],
    ids=["unknown-id", "relative-ref-too-far", "compare-unknown", "results-unknown", "results-path",
         "bad-table", "parquet-stdout", "parquet-dash", "bad-format"],
)
def test_result_commands_refuse_bad_references_and_options(project: Project, args: list[str], expected: str) -> None:
    _profile_ref(project)
    line = error_line(cli(project, *args))
    assert expected in line, line


def test_export_onto_an_input_is_refused(project: Project) -> None:
    """-o onto a stored table (or anywhere inside results/) would change a result: refused first."""
    ref = _profile_ref(project)
    folder = project.results_dir / "corpus-profile" / ref.split("@")[1]
    table = folder / "profile.parquet"
    before = table.read_bytes()
    for target in (table, folder / "copy.csv", project.results_dir / "profile.csv"):
        line = error_line(cli(project, "export", "corpus-profile", "-t", "profile", "-o", str(target)))
        assert f"{target}: the output is inside the input folder {project.results_dir}" in line, line
    assert table.read_bytes() == before and not (folder / "copy.csv").exists()
    line = error_line(cli(project, "export", "corpus-profile", "-t", "profile", "-o", str(project.root)))
    assert "the output is a folder" in line


def test_result_commands_refuse_a_damaged_result(project: Project) -> None:
    ref = _profile_ref(project)
    folder = project.results_dir / "corpus-profile" / ref.split("@")[1]
    os.chmod(folder, 0o755)
    (folder / "profile.parquet").unlink()
    out = project.root / "out.csv"
    for args in (
        ["show", ref],
        ["export", ref, "-t", "articles", "-o", str(out)],
        ["compare", ref, ref],
        ["report", ref, "-o", str(project.root / "side")],
    ):
        line = error_line(cli(project, *args))
        assert f"result {ref} is damaged: table(s) profile missing or altered" in line, line
    assert not out.exists() and not (project.root / "side").exists()
    listed = cli(project, "results", "--json")  # the listing reads manifests only: it still lists it
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["ref"] == ref
    assert json.loads(listed.stdout)[0]["problem"] is None
    checked = cli(project, "results", "--check", "--json")  # --check hashes the tables: damage is named
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)[0]["problem"] == "damaged: table(s) profile missing or altered"
    assert "damaged: table(s) profile missing or altered" in cli(project, "results", "--check").stdout


def test_results_lists_past_a_broken_latest_pointer(project: Project) -> None:
    ref = _profile_ref(project)
    pointer = project.results_dir / "corpus-profile" / "LATEST"
    pointer.write_text("not an id\n")
    (project.results_dir / "stray-file").write_text("x")  # not an experiment folder: skipped
    listed = cli(project, "results", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(row["ref"], row["latest"]) for row in json.loads(listed.stdout)] == [(ref, False)]


def test_report_output_folder_that_is_a_file(project: Project) -> None:
    _profile_ref(project)
    a_file = project.root / "notes.txt"
    a_file.write_text("keep me")
    line = error_line(cli(project, "report", "corpus-profile", "-o", str(a_file)))
    assert f"{a_file}/report.md: {a_file} is not a folder" in line, line
    assert a_file.read_text() == "keep me"
    line = error_line(cli(project, "report", "corpus-profile", "-o", str(project.results_dir)))
    assert "inside the input folder" in line, line


# -- issue 13: `harness diff` reads article files as the corpus does --------------------------------


def _diff_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["diff", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_diff_invalid_utf8_is_one_line_naming_the_option_it_has(tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes(b"Headline\n\nThe caf\xe9 and the \xff\xfe shop.\n")
    good.write_text("Headline\n\nThe café and the shop.\n", encoding="utf-8")
    line = error_line(runner.invoke(app, ["diff", str(bad), str(good)]))
    assert line.startswith("error: ") and "bad.txt:3: invalid UTF-8 at byte offset 17" in line
    assert "--invalid-utf8 replace" in line
    # The option the hint names exists on diff, and works as on `score`.
    result = runner.invoke(app, ["diff", str(bad), str(good), "--invalid-utf8", "replace", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"warning: {bad}: replaced 3 invalid bytes with U+FFFD"
    data = json.loads(result.stdout)
    assert data["a"]["body"] == "The caf\ufffd and the \ufffd\ufffd shop."
    assert data["a"]["headline"] == "Headline"
    bogus = runner.invoke(app, ["diff", str(bad), str(good), "--invalid-utf8", "ignore"])
    assert "--invalid-utf8" in error_line(bogus) and "ignore" in error_line(bogus)


def test_diff_front_matter_is_metadata_not_text(tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("---\noutlet: Reuters\nheadline: Talks end\n---\nThe talks ended on Wednesday.\n", encoding="utf-8")
    b.write_text("---\noutlet: The Guardian\ntitle: Talks end\n---\nThe talks ended on Wednesday.\n", encoding="utf-8")
    data = _diff_json(str(a), str(b), "--styles", str(ROOT / "experiments" / "styles"))
    assert data["edits"] == [] and data["substantive_share"] is None
    assert data["a"] == {"outlet": "Reuters", "style": "Reuters", "headline": "Talks end", "body": "The talks ended on Wednesday."}
    assert data["b"]["style"] == "The Guardian"  # type: ignore[index]


def test_diff_first_line_is_the_headline_and_compared_apart(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Talks end in Istanbul\n\nThe talks ended on Wednesday.\n", encoding="utf-8")
    b.write_text("Talks collapse in Istanbul\n\nThe talks ended on Wednesday.\n", encoding="utf-8")
    data = _diff_json(str(a), str(b))
    edits = data["edits"]
    assert isinstance(edits, list) and {e["segment"] for e in edits} == {"headline"}
    assert data["substantive_share"] is None  # the body has no edit: headlines are counted apart
    for edit in edits:
        assert "Talks end in Istanbul"[edit["a_start"] : edit["a_end"]] == edit["a_text"]


def test_diff_front_matter_errors_are_one_line(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Some text.\n", encoding="utf-8")
    cases = {
        "---\noutlet: Reuters\nNo closing fence.\n": "unclosed.md:1: front matter opened with --- is never closed",
        "---\noutlet: [Reuters\n---\nBody.\n": "front matter is not valid YAML",
        "---\noutlet: Reuters\n---\n\n": "record with no body",
        "---\nbody: text\n---\nBody.\n": "front matter has a `body` key",
    }
    for number, (text, expected) in enumerate(cases.items()):
        bad = tmp_path / ("unclosed.md" if number == 0 else f"bad{number}.md")
        bad.write_text(text, encoding="utf-8")
        line = error_line(runner.invoke(app, ["diff", str(bad), str(good)]))
        assert expected in line, line


def test_diff_front_matter_outlet_is_a_name_never_a_path(tmp_path: Path) -> None:
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "experiments" / "styles", styles)
    (tmp_path / "evil.toml").write_text("not a sheet", encoding="utf-8")
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("---\noutlet: ../evil\n---\nThe talks ended.\n", encoding="utf-8")
    b.write_text("---\noutlet: /etc/passwd\n---\nThe talks ended.\n", encoding="utf-8")
    data = _diff_json(str(a), str(b), "--styles", str(styles))
    assert (data["a"]["style"], data["b"]["style"]) == ("Generic", "Generic")  # type: ignore[index]


def test_diff_front_matter_outlet_without_a_styles_folder_warns(tmp_path: Path) -> None:
    a = tmp_path / "a.md"
    a.write_text("---\noutlet: Reuters\n---\nThe talks ended.\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(a), str(a), "--styles", str(tmp_path / "none"), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: no styles folder") and "--styles DIR" in result.stderr
    assert json.loads(result.stdout)["a"]["style"] is None
    # An outlet named on the command line is asked for: its sheet must be found.
    line = error_line(runner.invoke(app, ["diff", str(a), str(a), "--styles", str(tmp_path / "none"), "--a-outlet", "Reuters"]))
    assert "no style sheet for outlet 'Reuters'" in line


# -- issue 15: provenance (inputs git does not hold; verify names changed inputs; cite --author) --------


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
LEXICON_ROWS = "term\tcategory\tweight\tsource\tnote\nslam\tloaded_conflict\t1\ttest\ta loaded verb\n"


def git(project: Project, *args: str) -> None:
    subprocess.run(["git", "-C", str(project.root), *args], check=True, capture_output=True, env=os.environ | GIT_ENV)


def committed(project: Project) -> Project:
    """The project as a git checkout with every file committed (results/ ignored, as in a real one)."""
    (project.root / ".gitignore").write_text("results/\nreports/\n", encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "seeds and experiments")
    return project


def manifest_of(project: Project, ref: str) -> dict[str, object]:
    name, rid = ref.split("@")
    data: dict[str, object] = json.loads((project.results_dir / name / rid / "manifest.json").read_text(encoding="utf-8"))
    return data


def run_ref(project: Project, name: str) -> str:
    result = cli(project, "run", name)
    assert result.exit_code == 0, result.output
    return result.stdout.split()[0]


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_untracked_experiment_file_makes_the_result_dirty(project: Project) -> None:
    committed(project)
    clean = manifest_of(project, run_ref(project, "corpus-profile"))
    assert clean["git"] == {"commit": clean["git"]["commit"], "dirty": False, "untracked_inputs": []}  # type: ignore[index]
    assert [(r["path"], r["git"]) for r in clean["inputs"]] == [  # type: ignore[attr-defined]
        ("experiments/corpus-profile.toml", "tracked"),
        ("seeds", "tracked"),
    ]
    file = write_experiment(project, "seeds", name="mine")  # never added to git
    dirty = manifest_of(project, run_ref(project, "mine"))
    assert dirty["git"]["dirty"] is True  # type: ignore[index]
    assert dirty["git"]["untracked_inputs"] == ["experiments/mine.toml"]  # type: ignore[index]
    assert dirty["inputs"][0] == {"path": "experiments/mine.toml", "sha256": sha256_of(file), "git": "untracked"}  # type: ignore[index]
    # The id says what the result is: the same tables from the same corpus, whoever's file asked.
    assert dirty["corpus"] == clean["corpus"]


def lexicon_experiment(project: Project, lexicon: str = "lexicons/mine.tsv") -> Path:
    path = project.root / lexicon
    path.parent.mkdir(exist_ok=True)
    path.write_text(LEXICON_ROWS, encoding="utf-8")
    steps = f'[[steps]]\nuse = "score_framing"\nsettings = {{ lexicons = ["{lexicon}"], include_builtin = false }}\n'
    write_experiment(project, "seeds", name="lex", steps=steps)
    return path


def test_edited_and_ignored_inputs_are_named(project: Project) -> None:
    lexicon = lexicon_experiment(project)
    committed(project)
    (project.root / ".gitignore").write_text("results/\nreports/\nprivate/\n", encoding="utf-8")
    git(project, "commit", "-qam", "ignore private/")
    lexicon.write_text(LEXICON_ROWS + "row\tloaded_conflict\t1\ttest\ta loaded noun\n", encoding="utf-8")  # tracked, edited
    (project.root / "private").mkdir()
    shutil.copytree(project.root / "seeds", project.root / "private" / "corpus")  # ignored, yet read
    text = (project.experiments_dir / "lex.toml").read_text(encoding="utf-8").replace('"seeds"', '"private/corpus"')
    (project.experiments_dir / "lex.toml").write_text(text, encoding="utf-8")
    data = manifest_of(project, run_ref(project, "lex"))
    status = {r["path"]: r["git"] for r in data["inputs"]}  # type: ignore[attr-defined]
    assert status == {"experiments/lex.toml": "modified", "lexicons/mine.tsv": "modified", "private/corpus": "ignored"}
    assert data["git"]["dirty"] is True  # type: ignore[index]
    assert data["git"]["untracked_inputs"] == ["experiments/lex.toml", "lexicons/mine.tsv", "private/corpus"]  # type: ignore[index]
    lexicon_row = next(r for r in data["inputs"] if r["path"] == "lexicons/mine.tsv")  # type: ignore[attr-defined]
    assert lexicon_row["sha256"] == sha256_of(lexicon)


def test_an_input_outside_the_checkout_is_named_but_not_dirty(project: Project, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("corpus") / "seeds"
    shutil.copytree(project.root / "seeds", elsewhere)
    write_experiment(project, str(elsewhere), name="far")
    committed(project)
    data = manifest_of(project, run_ref(project, "far"))
    far = next(r for r in data["inputs"] if r["path"] == str(elsewhere))  # type: ignore[attr-defined]
    assert far["git"] == "outside" and far["files"] == 1
    assert data["git"]["dirty"] is False  # type: ignore[index]


def test_verify_names_an_edited_lexicon_and_its_hashes(project: Project) -> None:
    lexicon = lexicon_experiment(project)
    ref = run_ref(project, "lex")
    before = sha256_of(lexicon)
    lexicon.write_text(LEXICON_ROWS.replace("slam\t", "ceasefire\t"), encoding="utf-8")  # a word the seeds use
    after = sha256_of(lexicon)
    result = cli(project, "verify", ref)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == (
        f"input lexicons/mine.tsv changed since the result (sha256 {before[:12]}\u2026 \u2192 {after[:12]}\u2026)"
    )
    assert "1 input changed since the result" in error_line(result, exit_code=1)


def test_verify_notes_an_edited_comment_and_passes(project: Project) -> None:
    ref = run_ref(project, "corpus-profile")
    file = project.experiments_dir / "corpus-profile.toml"
    before = sha256_of(file)
    file.write_text(file.read_text(encoding="utf-8") + "# a note\n", encoding="utf-8")
    result = cli(project, "verify", ref)
    assert result.exit_code == 0, result.output  # same tables: the result stands
    first, verdict = result.stdout.splitlines()
    assert first == (
        f"input experiments/corpus-profile.toml changed since the result "
        f"(sha256 {before[:12]}\u2026 \u2192 {sha256_of(file)[:12]}\u2026)"
    )
    assert verdict == f"{ref}: verified, every table is byte-identical (1 input changed since, same tables)"


def test_verify_names_a_missing_input(project: Project) -> None:
    lexicon = lexicon_experiment(project)
    ref = run_ref(project, "lex")
    lexicon.unlink()
    result = cli(project, "verify", ref)
    # The re-run cannot read the lexicon: one error line, after the note that it is gone.
    assert "lexicons/mine.tsv" in error_line(result)
    assert result.stdout == "input lexicons/mine.tsv is missing (it was read for this result)\n"


ORCID = "0000-0002-1825-0097"  # ORCID's own example iD (valid check digit)


def normalised(text: str) -> str:
    """The citation's form, without what changes between runs, machines and seed edits: the year,
    the harness version, hashes and the result id (the test checks those are present)."""
    text = re.sub(r"\b[0-9a-f]{64}\b", "SHA256", text)
    text = re.sub(r"\b[0-9a-f]{16}\b", "RESULTID", text)
    text = re.sub(r"\b20\d\d\b", "YEAR", text)
    return re.sub(r"framing-harness \d[^\s,;)]*", "framing-harness VERSION", text).replace("version: 0.1.0", "version: VERSION")


@pytest.mark.parametrize("fmt", ["text", "bibtex", "cff"])
def test_cite_with_authors_snapshot(project: Project, fmt: str, snapshot: object) -> None:
    ref = run_ref(project, "corpus-profile")
    result = cli(project, "cite", ref, "-f", fmt, "--author", "Doe, Jane", "--orcid", ORCID, "--author", "de la Cruz, Ana María")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needed in (ref, "1.0.0", manifest_of(project, ref)["corpus"]["hash"], sha256_of(project.experiments_dir / "corpus-profile.toml")):  # type: ignore[index]
        assert needed in out, (needed, out)
    assert f"https://orcid.org/{ORCID}" in out
    assert normalised(out) == snapshot


def test_cite_cff_is_valid_yaml_with_the_authors(project: Project) -> None:
    import yaml

    ref = run_ref(project, "corpus-profile")
    out = cli(project, "cite", ref, "-f", "cff", "--author", "Doe, Jane", "--orcid", f"https://orcid.org/{ORCID}", "--author", "Lab").stdout
    data = yaml.safe_load(out)
    assert data["authors"] == [
        {"family-names": "Doe", "given-names": "Jane", "orcid": f"https://orcid.org/{ORCID}"},
        {"name": "Lab"},
    ]
    assert data["cff-version"] == "1.2.0" and data["type"] == "dataset"
    assert {i["type"] for i in data["identifiers"]} == {"other"}
    assert [i["description"] for i in data["identifiers"][2:]] == ["input file experiments/corpus-profile.toml", "input file seeds"]


def test_cite_takes_its_authors_from_citation_cff(project: Project) -> None:
    ref = run_ref(project, "corpus-profile")
    (project.root / "CITATION.cff").write_text(
        "cff-version: 1.2.0\nauthors:\n  - family-names: Doe\n    given-names: Jane\n"
        f"    orcid: https://orcid.org/{ORCID}\n  - name: The Framing Lab\n",
        encoding="utf-8",
    )
    bib = cli(project, "cite", ref, "-f", "bibtex").stdout
    assert "  author = {Doe, Jane and {The Framing Lab}},\n" in bib
    assert f"ORCID Jane Doe https://orcid.org/{ORCID}" in bib
    text = cli(project, "cite", ref, "--author", "Roe, Richard").stdout  # --author wins over the file
    assert text.startswith("Richard Roe (") and "Jane" not in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--author", "A", "--orcid", "0000-0002-1825-0098"), "error: --orcid: '0000-0002-1825-0098' has a wrong check digit"),
        (("--author", "A", "--orcid", "1234"), "error: --orcid: '1234' is not an ORCID iD"),
        (("--orcid", ORCID), "error: --orcid: 1 --orcid for 0 --author"),
        (("--author", " "), "error: --author: an empty --author"),
    ],
    ids=["check-digit", "not-an-orcid", "orcid-without-author", "empty-author"],
)
def test_cite_bad_author_options(project: Project, args: tuple[str, ...], expected: str) -> None:
    ref = run_ref(project, "corpus-profile")
    assert error_line(cli(project, "cite", ref, *args)).startswith(expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("authors: [\n", "CITATION.cff: not readable as YAML (line 2: expected the node content"),
        ("title: x\n", "CITATION.cff: no list of authors"),
        ("authors:\n  - orcid: x\n", "CITATION.cff author 1: an author needs family-names (a person) or name (a group)"),
        ("authors:\n  - name: Lab\n    orcid: 0000-0002-1825-0091\n", "CITATION.cff author 1: '0000-0002-1825-0091' has a wrong check digit"),
        ("authors: !!python/object:os.system x\n", "CITATION.cff: not readable as YAML (line 1: "),
        (b"authors:\n  - name: \xff\n", "CITATION.cff: not readable as YAML ("),
    ],
    ids=["unclosed", "no-authors", "author-without-name", "bad-orcid", "python-tag", "not-utf8"],
)
def test_cite_with_a_malformed_citation_cff(project: Project, content: str | bytes, expected: str) -> None:
    ref = run_ref(project, "corpus-profile")
    path = project.root / "CITATION.cff"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    line = error_line(cli(project, "cite", ref))
    assert f"error: {path}" in line and expected in line, line
    assert cli(project, "cite", ref, "--author", "Doe, Jane").exit_code == 0  # --author does not need the file


def test_orcid_check_digit() -> None:
    from harness.run.cite import orcid_id

    assert orcid_id("0000-0002-1694-233X") == "0000-0002-1694-233X"  # check digit X (10)
    assert orcid_id("https://orcid.org/0000-0001-5109-3700") == "0000-0001-5109-3700"
    for bad in ("0000-0002-1694-2331", "0000-0002-1825-009", "0000 0002 1825 0097", "https://example.org/0000-0002-1825-0097"):
        with pytest.raises(UsageError):
            orcid_id(bad)


def test_verify_names_a_changed_built_in_resource(project: Project) -> None:
    from harness.resources import Resource
    from harness.run.verify import changed_resources

    now = Resource("news_loaded.tsv", "2", "b" * 64, project.root / "x")
    stored = [{"name": "news_loaded.tsv", "version": "1", "sha256": "a" * 64}, {"name": "gone.txt", "version": "1", "sha256": "c" * 64}]
    assert changed_resources(stored, [now], project, skip=set()) == [
        "resource news_loaded.tsv changed since the result (sha256 aaaaaaaaaaaa\u2026 \u2192 bbbbbbbbbbbb\u2026, version 1 \u2192 2)"
    ]
    assert changed_resources(stored, [now], project, skip={"x"}) == []  # named once, as an input


def test_cite_bibtex_escapes_latex_specials(project: Project) -> None:
    ref = run_ref(project, "corpus-profile")
    bib = cli(project, "cite", ref, "-f", "bibtex", "--author", "O_Brien, Pat {50%}", "--author", "R&D").stdout
    assert "  author = {O\\_Brien, Pat \\{50\\%\\} and {R\\&D}},\n" in bib, bib


# -- issue 15: CLI conventions (project discovery, corpus inputs, hints) -------------------------


def _ids_jsonl(*ids: str) -> str:
    return "".join(json.dumps({"doc_id": i, "outlet": "Reuters", "body": "The talks resumed on Monday."}) + "\n" for i in ids)


def test_no_project_found_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside any project: one line naming the working folder and -C, for every project command."""
    outside = tmp_path / "elsewhere" / "deep"
    outside.mkdir(parents=True)
    (tmp_path / "elsewhere" / "experiments").mkdir()  # a folder of that name without experiment files
    monkeypatch.chdir(outside)
    for args in (["list"], ["run", "--all"], ["report", "x"], ["results"], ["verify", "x"]):
        line = error_line(runner.invoke(app, args))
        assert line == (
            f"error: {outside}: not inside a project (no experiments/*.toml or results/ here or in any parent "
            "folder) (change to the project folder or pass --project DIR (-C DIR))"
        ), line
    assert not (outside / "results").exists() and not (outside / "reports").exists()


@pytest.mark.parametrize("command", ["report", "verify", "cite", "show", "results", "export"])
def test_unknown_name_lists_the_experiments(project: Project, command: str) -> None:
    """`report nope` used to suggest `harness run nope`, an experiment that does not exist."""
    _profile_ref(project)
    args = [command, "nope"] + (["-t", "profile"] if command == "export" else [])
    line = error_line(cli(project, *args))
    assert "harness run nope" not in line, line
    assert "no experiment is named 'nope'; experiments: core-scorecard, corpus-profile, " in line, line
    assert line.endswith("stored results: corpus-profile)"), line
    # A real experiment not run yet: running it is the next step.
    line = error_line(cli(project, "report", "tabloid-framing"))
    assert line.endswith("(run `harness run tabloid-framing` first)"), line


def test_glob_matching_nothing(tmp_path: Path) -> None:
    pattern = str(tmp_path / "nope-*.jsonl")
    for args in (["score", pattern], ["pairs", pattern], ["corpus", "show", pattern]):
        line = error_line(runner.invoke(app, args))
        assert line.startswith(f"error: {pattern}: no file matches this pattern (check the pattern"), line


def test_corpus_input_named_twice(tmp_path: Path) -> None:
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(_ids_jsonl("a1"))
    for args in ([str(corpus), str(tmp_path / "*.jsonl")], ["-", "-"]):
        line = error_line(runner.invoke(app, ["corpus", "show", *args], input=""))
        assert "is given twice as a corpus input (name each input once)" in line, line


def test_duplicate_ids_across_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(_ids_jsonl("x1", "x2"))
    (tmp_path / "b.jsonl").write_text(_ids_jsonl("x3", "x2"))
    line = error_line(runner.invoke(app, ["score", str(tmp_path / "*.jsonl")]))
    assert f"duplicate doc id 'x2': {tmp_path}/a.jsonl:2 and {tmp_path}/b.jsonl:2" in line, line
    line = error_line(runner.invoke(app, ["corpus", "show", "-", str(tmp_path / "b.jsonl")], input=_ids_jsonl("x2")))
    assert f"duplicate doc id 'x2': <stdin>:1 and {tmp_path}/b.jsonl:2" in line, line


def test_bad_standard_input(tmp_path: Path) -> None:
    """Empty or malformed JSONL on stdin: the usual errors, naming <stdin>."""
    assert error_line(runner.invoke(app, ["score", "-"], input="")).startswith("error: <stdin>: empty file")
    line = error_line(runner.invoke(app, ["score", "-"], input=_ids_jsonl("a1") + "{not json\n"))
    assert line.startswith("error: <stdin>:2: "), line


def test_standard_input_that_is_a_terminal_is_refused() -> None:
    """Reading would wait for typing that is not coming: refused at once (library level;
    CliRunner's stdin is never a terminal)."""

    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(UsageError, match="standard input is a terminal"):
        load_corpus("-", stdin=Terminal())


def test_output_onto_a_globbed_input_is_refused(tmp_path: Path) -> None:
    """-o onto a file a pattern matched: refused like any input (the pattern is expanded first)."""
    (tmp_path / "a.jsonl").write_text(_ids_jsonl("a1"))
    (tmp_path / "b.json").write_text("[]")  # not a corpus format: the output check comes first
    before = (tmp_path / "a.jsonl").read_bytes()
    line = error_line(runner.invoke(app, ["score", str(tmp_path / "*.jsonl"), "-f", "jsonl", "-o", str(tmp_path / "a.jsonl")]))
    assert "the output is the input file" in line, line
    line = error_line(runner.invoke(app, ["pairs", str(tmp_path / "*.json*"), "-o", str(tmp_path / "b.json")]))
    assert "the output is the input file" in line, line
    assert (tmp_path / "a.jsonl").read_bytes() == before and (tmp_path / "b.json").read_text() == "[]"


def test_stream_refuses_several_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(_ids_jsonl("a1"))
    out = tmp_path / "out.jsonl"
    for inputs in ([str(tmp_path / "a.jsonl"), str(tmp_path / "a.jsonl")], ["-"]):
        line = error_line(runner.invoke(app, ["score", *inputs, "--stream", "-f", "jsonl", "-o", str(out)], input=""))
        assert "--stream reads one corpus file or folder" in line or "given twice" in line, line
    assert not out.exists()


def test_corpus_show_limit_out_of_range() -> None:
    line = error_line(runner.invoke(app, ["corpus", "show", "seeds", "--limit", "-1"]))
    assert line == "error: --limit -1 is out of range (allowed: an integer in [0, 1000000000])", line


# -- issue 14: loaded-language validation and score --hits -----------------------------------------

_BABE_HEADER = "text;label_bias;biased_words"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("text;label_bias\nA sentence.;Biased\n", "gold.csv: no biased words column (columns: text, label_bias)"),
        (_BABE_HEADER + "\nA sentence.;Biased;[]\nAnother.;maybe;[]\n", "gold.csv:3: label 'maybe' is not a bias label"),
        (_BABE_HEADER + "\nA sentence.;Biased;\"['a', \"\n", "gold.csv:2: biased words \"['a',\" is not a list of strings"),
        (_BABE_HEADER + "\n", "gold.csv: no sentences below the header"),
        (_BABE_HEADER + "\nA sentence.;Biased\n", "gold.csv:2: 2 field(s), the header has more"),
        (_BABE_HEADER + "\n;Biased;[]\n", "gold.csv:2: text is empty"),
        ("", "gold.csv: empty file"),
    ],
    ids=["missing-column", "unknown-label", "bad-word-list", "header-only", "short-record", "empty-text", "empty"],
)
def test_bad_sentence_bias_file(tmp_path: Path, content: str, expected: str) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text(content, encoding="utf-8")
    line = error_line(runner.invoke(app, ["validate", "loaded-terms", "--gold", str(gold)]))
    assert line.startswith(f"error: {tmp_path}/{expected}"), line


def test_sentence_bias_file_not_utf8(tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_bytes(b"text;label_bias;biased_words\nCaf\xe9 crisis.;Biased;[]\n")
    line = error_line(runner.invoke(app, ["validate", "loaded-terms", "--gold", str(gold)]))
    assert line.startswith(f"error: {gold}:2: invalid UTF-8 at byte offset 32 (save the file as UTF-8)"), line


def _span_folder(root: Path, labels: str, *, articles: dict[str, str] | None = None) -> Path:
    folder = root / "ptc"
    folder.mkdir()
    for article_id, text in (articles if articles is not None else {"7": "A shocking plan."}).items():
        (folder / f"article{article_id}.txt").write_text(text, encoding="utf-8")
    if labels is not None:
        (folder / "article7.labels.tsv").write_text(labels, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("labels", "articles", "expected"),
    [
        ("7\tLoaded_Language\t2\t99\n", None, "ptc/article7.labels.tsv:1: span 2-99 is outside article7.txt (16 characters) or empty"),
        ("7\tLoaded_Language\t10\t2\n", None, "ptc/article7.labels.tsv:1: span 10-2 is outside"),
        ("7\tLoaded_Language\tten\t12\n", None, "ptc/article7.labels.tsv:1: offsets 'ten', '12' are not whole numbers"),
        ("7\tLoaded_Language\n", None, "ptc/article7.labels.tsv:1: 2 field(s)"),
        ("7\tLoaded_Language\t2\t10\n8\tDoubt\t0\t3\n", None, "ptc/article7.labels.tsv:2: no article8.txt for this label"),
        ("7\tLoaded_Language\t2\t10\n", {}, "ptc: no article<ID>.txt files in this folder"),
    ],
    ids=["end-outside", "reversed", "not-numbers", "fields", "no-article", "no-articles"],
)
def test_bad_span_folder(tmp_path: Path, labels: str, articles: dict[str, str] | None, expected: str) -> None:
    folder = _span_folder(tmp_path, labels, articles=articles)
    line = error_line(runner.invoke(app, ["validate", "loaded-terms", "--gold", str(folder)]))
    assert line.startswith(f"error: {tmp_path}/{expected}"), line


def test_span_folder_without_label_files(tmp_path: Path) -> None:
    folder = tmp_path / "ptc"
    folder.mkdir()
    (folder / "article7.txt").write_text("A shocking plan.", encoding="utf-8")
    line = error_line(runner.invoke(app, ["validate", "loaded-terms", "--gold", str(folder)]))
    assert line.startswith(f"error: {folder}: no label files (*.labels, *.labels.tsv)"), line


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--hits", "{tmp}/hits.txt"], "error: {tmp}/hits.txt: --hits FILE must end in .parquet, .csv or .jsonl"),
        (["--hits", "{tmp}/h.csv", "--stream", "-f", "jsonl", "-o", "{tmp}/o.jsonl"], "error: --hits does not work with --stream"),
        (["--hits", "{tmp}/h.csv", "--suite", "core"], "error: --hits needs --suite full"),
        (["--hits", "{tmp}/h.jsonl", "-f", "jsonl", "-o", "{tmp}/h.jsonl"], "error: {tmp}/h.jsonl: --hits and --output name the same file"),
    ],
    ids=["suffix", "stream", "core", "same-as-output"],
)
def test_bad_hits_option(tmp_path: Path, options: list[str], expected: str) -> None:
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(_ids_jsonl("a1"))
    args = [o.replace("{tmp}", str(tmp_path)) for o in options]
    line = error_line(runner.invoke(app, ["score", str(corpus), *args]))
    assert line.startswith(expected.replace("{tmp}", str(tmp_path))), line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]  # nothing written


def test_hits_onto_an_input_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(_ids_jsonl("a1"))
    before = corpus.read_bytes()
    line = error_line(runner.invoke(app, ["score", str(corpus), "--hits", str(corpus)]))
    assert "the output is the input file" in line, line
    assert corpus.read_bytes() == before
# -- issue 13: corpus import of web pages and WARC crawls ------------------------------------------

_WEB_PARAGRAPHS = (
    "Ministers from both countries agreed on Tuesday to extend the grain corridor for another year, "
    "officials said after two days of talks in Istanbul.",
    "The agreement lets cargo ships leave three ports under inspection by a joint centre, a system that "
    "has moved more than thirty million tonnes of grain since it began.",
)
_WEB_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Grain deal extended | The Planet</title>'
    '<meta property="og:site_name" content="The Planet"></head><body><nav><a href="/">Home</a></nav>'
    "<article><h1>Grain deal extended</h1>" + "".join(f"<p>{p}</p>" for p in _WEB_PARAGRAPHS) + "</article>"
    "<footer>All rights reserved.</footer></body></html>"
)


def _import(*args: str) -> Result:
    return runner.invoke(app, ["corpus", "import", *args])


def test_corpus_import_of_a_missing_path(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    line = error_line(_import(str(tmp_path / "missing.html"), "-o", str(out)))
    assert line == f"error: {tmp_path / 'missing.html'}: no such file or folder (check the path)", line
    assert not out.exists()


def test_corpus_import_refuses_paths_it_cannot_read(tmp_path: Path) -> None:
    """A file of another type, a folder with no page, a FIFO: one line each, nothing written."""
    out = tmp_path / "out.jsonl"
    (tmp_path / "notes.txt").write_text("not a page\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "style.css").write_text("body {}\n")
    os.mkfifo(tmp_path / "pipe.html")
    cases = {
        "notes.txt": "notes.txt: not a web page or web archive (name folders, or .html/",
        "empty": "empty: folder holds no web pages or web archives (put .html/",
        "pipe.html": "pipe.html: is not a regular file (save the pages to files first)",
    }
    for name, expected in cases.items():
        line = error_line(_import(str(tmp_path / name), "-o", str(out)))
        assert f"{tmp_path / expected}" in line or expected in line, line
    assert not out.exists()


def test_corpus_import_of_no_article_is_one_line(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "empty.html").write_text("")
    (pages / "nav.html").write_text("<html><head><title>Index</title></head><body><nav>Home</nav></body></html>")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    line = error_line(_import(str(pages), "-o", str(out), "--rejects", str(rejects)))
    assert line == (
        f"error: {pages}: no article imported: empty page: 1, too short: 1 "
        f"(first: {pages}/empty.html: empty page; an import needs at least one HTML page holding an article)"
    ), line
    assert not out.exists() and not rejects.exists()


def test_corpus_import_checks_its_options_before_the_work(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(_WEB_PAGE)
    out = tmp_path / "out.jsonl"
    cases = [
        (["-o", str(tmp_path / "out.csv")], "cannot tell the output format from 'out.csv' (-o: name the file *.jsonl or *.parquet)"),
        (["-o", str(pages / "out.jsonl")], f"the output is inside the input folder {pages}: it would become part of the input"),
        (["-o", str(out), "--rejects", str(out)], "--rejects and -o name the same file"),
        (["-o", str(out), "--rejects", str(tmp_path / "r.txt")], "the list is JSON Lines (name the file *.jsonl)"),
        (["-o", str(out), "--rejects", str(pages / "r.jsonl")], "the output is inside the input folder"),
        (["-o", str(out), "--min-words", "0"], "--min-words 0 is out of range (allowed: an integer in [1, 100000])"),
    ]
    for options, expected in cases:
        line = error_line(_import(str(pages), *options))
        assert expected in line, (options, line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages"] and os.listdir(pages) == ["a.html"]


def test_corpus_import_lists_rejected_pages_as_warnings(tmp_path: Path) -> None:
    """Bad pages never stop an import: each is named on stderr (the first 20), all in --rejects."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "good.html").write_text(_WEB_PAGE)
    for n in range(22):
        (pages / f"empty{n:02d}.html").write_text("")
    (pages / "cut.html.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    result = _import(str(pages), "-o", str(out), "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    lines = stderr_lines(result)
    assert lines[0] == (
        f"warning: {pages}/cut.html.gz: not imported: truncated or damaged gzip (EOFError: "
        "Compressed file ended before the end-of-stream marker was reached)"
    ), lines[0]
    assert lines[1] == f"warning: {pages}/empty00.html: not imported: empty page"
    assert lines[-1] == f"warning: ... and 3 more rejected pages (listed in {rejects})"
    assert len(lines) == 21 and "Traceback" not in result.output
    assert "corpus import: 1 article from 24 pages; 23 rejected (empty page: 22, truncated or damaged gzip: 1)" in result.stderr
    assert len(rejects.read_text().splitlines()) == 23
    assert json.loads(out.read_text())["outlet"] == "The Planet"


def test_corpus_import_keeps_the_pages_of_a_damaged_warc(tmp_path: Path) -> None:
    """A WARC that stops being readable part way: the pages before count; the rest is one rejection."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    body = _WEB_PAGE.encode()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        "https://planet.example/grain", "response", payload=io.BytesIO(body), length=len(body), http_headers=headers,
        warc_headers_dict={"WARC-Date": "2025-07-24T06:00:00Z", "WARC-Record-ID": "<urn:uuid:one>"},
    )
    writer.write_record(record)
    damaged = gzip.compress(b"hello, this is not a WARC record\r\n\r\n", mtime=0)  # a second member
    (tmp_path / "crawl.warc.gz").write_bytes(buffer.getvalue() + damaged)
    (tmp_path / "notes.warc").write_text("this is not a web archive\n")
    out = tmp_path / "out.jsonl"
    result = _import(str(tmp_path / "crawl.warc.gz"), str(tmp_path / "notes.warc"), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = stderr_lines(result)
    assert lines[0] == (f"warning: {tmp_path}/crawl.warc.gz record 2: not imported: damaged archive (unreadable after record 1: "
        "ArchiveLoadFailed: Invalid WARC record, first line: hello, this is not a WARC record)"
    ), lines
    assert lines[1] == f"warning: {tmp_path}/notes.warc: not imported: not a WARC file (it does not start with a WARC or ARC header)"
    assert json.loads(out.read_text())["warc_record_id"] == "<urn:uuid:one>"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_corpus_import_of_an_unreadable_page_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "good.html").write_text(_WEB_PAGE)
    locked = tmp_path / "pages" / "locked.html"
    locked.write_text(_WEB_PAGE.replace("Grain", "Wheat"))
    locked.chmod(0)
    result = _import(str(tmp_path / "pages"), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert f"warning: {locked}: not imported: unreadable (Permission denied)" in stderr_lines(result)


def test_corpus_import_of_a_dangling_link_in_a_folder(tmp_path: Path) -> None:
    """A page that cannot be opened inside a folder is one rejected page, not the end of the import."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "good.html").write_text(_WEB_PAGE)
    (tmp_path / "pages" / "gone.html").symlink_to(tmp_path / "nowhere.html")
    result = _import(str(tmp_path / "pages"), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert f"warning: {tmp_path}/pages/gone.html: not imported: unreadable (No such file or directory)" in stderr_lines(result)
# -- issue 14: loaded-language instrument ---------------------------------------------------------


def test_unknown_loaded_lexicon_setting(project: Project) -> None:
    """An arm the harness does not have: one line naming the file, the key and the allowed values."""
    (project.experiments_dir / "bad-arm.toml").write_text(
        'name = "bad-arm"\nversion = "1"\n[corpus]\npath = "seeds"\n[[steps]]\nuse = "score_framing"\n'
        'settings = { loaded_lexicon = "liwc" }\n',
        encoding="utf-8",
    )
    line = error_line(cli(project, "run", "bad-arm"))
    assert "bad-arm.toml" in line and "loaded_lexicon" in line and "vader-strong" in line, line
    assert not (project.root / "results" / "bad-arm").exists()
# -- issue 13: page chrome in the wire-copy diff (boilerplate) -------------------------------------


@pytest.mark.parametrize("value", ["1", "0", "-3"])
def test_furniture_min_articles_out_of_range(project: Project, value: str) -> None:
    """Furniture needs a segment repeated in at least 2 of an outlet's articles: 1 would make
    every segment of every article furniture, and nothing would be substantive."""
    steps = (
        '[[steps]]\nuse = "outlet_pairs"\nsettings = { pairs = [["Reuters", "The Guardian"]] }\n'
        f'[[steps]]\nuse = "wire_diff"\nsettings = {{ furniture_min_articles = {value} }}\n'
    )
    write_experiment(project, "seeds", steps=steps)
    line = error_line(cli(project, "run", "bad"))
    expected = f"steps[1].settings.furniture_min_articles = {value} is out of range (allowed: an integer in [2, 1000000])"
    assert "bad.toml" in line and expected in line, line
    assert_nothing_written(project)
# -- issue 17: stories -------------------------------------------------------------------------


def _story_jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_stories_odd_articles_are_counted(tmp_path: Path) -> None:
    corpus = tmp_path / "odd.jsonl"
    corpus.write_text(
        _story_jsonl(
            [
                {"doc_id": "a", "outlet": "Reuters", "headline": "", "body": "It is what it is. — …", "published": "2024-03-05"},
                {"doc_id": "b", "outlet": "BBC", "headline": "Rail strike halts trains", "body": "GDL drivers walked out.", "published": None},
                {"doc_id": "c", "outlet": "BBC", "headline": "Rail strike", "body": "Trains stopped.", "published": "not a date"},
                {"doc_id": "d", "outlet": "Sun", "headline": "Strike!", "body": "Trains halted.", "published": "2999-01-01"},
            ]
        )
    )
    result = runner.invoke(app, ["stories", str(corpus), "--json", "--as-of", "2025-01-01"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["articles"] == 4 and summary["no_text"] == 1 and summary["undated"] == 2
    assert summary["future_date"] == 1
    assert "no text 1, no date 2, future date 1" in result.stderr


def test_stories_single_article_is_one_story(tmp_path: Path) -> None:
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(_story_jsonl([{"doc_id": "only", "outlet": "Reuters", "body": "The talks resumed on Monday."}]))
    out = tmp_path / "stories.parquet"
    result = runner.invoke(app, ["stories", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table["doc_id"].to_list() == ["only"] and table["story_size"].to_list() == [1]


def test_stories_output_suffix(tmp_path: Path) -> None:
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(_story_jsonl([{"doc_id": "only", "outlet": "Reuters", "body": "The talks resumed."}]))
    line = error_line(runner.invoke(app, ["stories", str(corpus), "-o", str(tmp_path / "s.csv")]))
    assert line.startswith("error: ") and "name the file *.parquet or *.json" in line, line
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize(
    "case, gold, message",
    [
        ("missing-columns", "doc_id,label\nonly,x\n", "the gold file needs columns doc_id and story"),
        ("unknown-ids", "doc_id,story\nonly,x\nnope,y\n", "1 doc id(s) not in the corpus, e.g. 'nope'"),
        ("no-corpus", "doc_id,story\nonly,x\n", "validate stories needs --corpus"),
        ("format", "doc_id,story\nonly,x\n", "cannot tell the gold file's format"),
    ],
)
def test_validate_stories_bad_gold(tmp_path: Path, case: str, gold: str, message: str) -> None:
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(_story_jsonl([{"doc_id": "only", "outlet": "Reuters", "body": "The talks resumed."}]))
    path = tmp_path / ("gold.txt" if case == "format" else "gold.csv")
    path.write_text(gold)
    args = ["validate", "stories", "--gold", str(path)] + ([] if case == "no-corpus" else ["--corpus", str(corpus)])
    line = error_line(runner.invoke(app, args))
    assert message in line, line


def test_stories_pairs_without_pair_columns(tmp_path: Path) -> None:
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(_story_jsonl([{"doc_id": "only", "outlet": "Reuters", "body": "The talks resumed."}]))
    (tmp_path / "p.json").write_text('[{"x": 1}]')
    line = error_line(runner.invoke(app, ["stories", str(corpus), "--pairs", str(tmp_path / "p.json")]))
    assert line == f"error: {tmp_path / 'p.json'}: no column(s) a_doc_id, b_doc_id (give the table `harness pairs -o FILE` writes)", line


# -- issue 13: hints name only options the command has ---------------------------------------


def test_gold_file_not_utf8_hint_names_no_missing_option(tmp_path: Path) -> None:
    """`validate` has no --invalid-utf8: the hint says to re-save the gold file instead."""
    gold = tmp_path / "gold.csv"
    gold.write_bytes(b'text,rating\n"caf\xe9 tastes fine",1\n')
    line = error_line(runner.invoke(app, ["validate", "sentiment", "--gold", str(gold)]))
    assert "gold.csv:2: invalid UTF-8 at byte offset" in line
    assert "re-save the gold file as UTF-8" in line
    assert "--invalid-utf8" not in line
# -- issue 18: joining a Ray cluster -----------------------------------------------------------
# The session's two-node cluster (conftest ``ray_cluster``) runs with token authentication.


@needs_ray
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, "requires token authentication, and RAY_AUTH_MODE is not set here (set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN to the cluster's token", id="mode-unset"),
        pytest.param({"RAY_AUTH_MODE": "disabled"}, "and RAY_AUTH_MODE is 'disabled' here", id="mode-disabled"),
        pytest.param({"RAY_AUTH_MODE": "token"}, "RAY_AUTH_MODE is token, but there is no token here to give the Ray cluster at", id="no-token"),
        pytest.param({"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": "0" * 64}, "refused the token in RAY_AUTH_TOKEN (give the cluster's own token", id="wrong-token"),
    ],
)
def test_ray_cluster_refuses_a_missing_token(
    project: Project,
    ray_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    env: dict[str, str],
    expected: str,
) -> None:
    """Ray itself retries a refused token for 20 s, logging each try, then says only
    "Failed to connect": the harness asks once and names the setting that is missing.
    Ray's C++ client logs on file descriptor 2 (past Python's sys.stderr): none of it shows."""
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH", "RAY_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.ray/auth_token of this user's
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    started = time.monotonic()
    line = error_line(cli(project, "run", "corpus-profile", "--engine", "ray", "--ray-address", ray_cluster.address))
    assert time.monotonic() - started < 15  # Ray's own retries take 20 s (importing Ray takes seconds here)
    assert line.startswith("error: --ray-address: ") and ray_cluster.address in line, line
    assert expected in line, line
    assert "`ray get-auth-token` on the head node prints it" in line
    assert capfd.readouterr().err == ""  # the file descriptor itself: nothing of Ray's log
    assert_nothing_written(project)


@needs_ray
def test_ray_address_of_a_node_that_is_not_the_head(project: Project, ray_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker node's port speaks gRPC too (the reachability check passes), but has no GCS."""
    for name, value in ray_cluster.driver_env().items():
        monkeypatch.setenv(name, value)
    address = f"127.0.0.1:{ray_cluster.node_manager_ports[1]}"
    line = error_line(cli(project, "run", "corpus-profile", "--engine", "ray", "--ray-address", address))
    assert f"--ray-address: {address} answers, but is not a Ray head node (no GCS service there)" in line, line
    assert "(give the head's GCS port, the --port of `ray start --head` (6379 by default)" in line
    assert_nothing_written(project)


# -- issue 14: --loaded-lexicon, the second loaded-language arm ------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["score", "{corpus}", "--loaded-lexicon", "nrc"],
            "error: Invalid value for '--loaded-lexicon': 'nrc' is not one of 'harness', 'vader-strong'.",
            id="score-unknown",
        ),
        pytest.param(
            ["score", "{corpus}", "--suite", "core", "--loaded-lexicon", "vader-strong"],
            "error: --loaded-lexicon needs --suite full (the core suite matches no lexicon)",
            id="score-core",
        ),
        pytest.param(
            ["score", "{corpus}", "--suite", "core", "--loaded-lexicon", "vader-strong", "--stream", "-f", "parquet", "-o", "{tmp}/o.parquet"],
            "error: --loaded-lexicon needs --suite full (the core suite matches no lexicon)",
            id="stream-core",
        ),
        pytest.param(
            ["validate", "loaded-terms", "--gold", "{corpus}", "--loaded-lexicon", "VADER"],
            "error: Invalid value for '--loaded-lexicon': 'VADER' is not one of 'harness', 'vader-strong'.",
            id="validate-unknown",
        ),
        pytest.param(
            ["validate", "sentiment", "--gold", "{corpus}", "--loaded-lexicon", "vader-strong"],
            "error: --loaded-lexicon does not work with validate sentiment (it picks the loaded-terms instrument)",
            id="validate-sentiment",
        ),
    ],
)
def test_bad_loaded_lexicon_option(tmp_path: Path, args: list[str], expected: str) -> None:
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(_ids_jsonl("a1"))
    filled = [a.replace("{corpus}", str(corpus)).replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2
    line = error_line(result)
    assert line.startswith(expected), line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]  # nothing written
# -- issue 18: a Ray worker that cannot write its part file ------------------------------------


@needs_ray
def test_ray_worker_that_cannot_write_its_part_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each piece's task writes its part file where the driver says (storage every node
    can write). Where that is not a folder (as root, a read-only folder is no test), the
    worker's OSError comes back as data and is raised in the driver as one line."""
    import harness.scoring.stream as stream

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    pl.DataFrame({"doc_id": ["a1", "a2"], "outlet": ["x", "y"], "body": ["The minister said talks would resume."] * 2}).write_parquet(
        corpus / "part-0.parquet"
    )
    not_a_folder = tmp_path / "parts-here"
    not_a_folder.write_text("a file where the parts' folder should be\n")
    monkeypatch.setattr(stream, "make_staging_dir", lambda folder, prefix: not_a_folder)
    output = tmp_path / "scores.jsonl"
    result = runner.invoke(app, ["score", str(corpus), "--stream", "-f", "jsonl", "-o", str(output), "--engine", "ray"])
    line = error_line(result)
    assert line.startswith(f"error: {not_a_folder}: a Ray worker could not write part-00000000.jsonl: "), line
    assert "(nothing was written; the output's folder must be writable, at the same path, from every node)" in line
    assert not output.exists()
