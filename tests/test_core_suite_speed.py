"""Issue 16, core suite as users run it: the faster paths give the same values and bytes.

* ``score_core_english`` (language checked in the scoring batches, foreign articles
  dropped afterwards) equals ``split_by_language`` then ``score_core``, with workers
  or without, and the same skipped rows;
* ``map_with_this_process`` (this process scores beside its workers) keeps the order;
* the readability chunk memo: a batch scored after others equals it scored cold;
* ``frame_jsonl`` equals ``json.dumps`` per row of ``to_dicts()`` (hypothesis), and the
  fast paths of ``normalise_newlines`` and ``json_printable`` change nothing;
* ``harness score --suite core --format jsonl`` writes what ``json.dumps`` per row
  writes, and warns about the articles in another language in input order.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from benchmarks.bench_score import synthetic_articles
from harness.cli.app import app
from harness.cli.jsonlines import frame_jsonl
from harness.corpus.textfile import normalise_newlines
from harness.safetext import json_printable
from harness.scoring import readability_batch as rb
from harness.scoring.batch import map_with_this_process, shutdown_workers
from harness.scoring.core import score_core, score_core_english
from harness.text.language import split_by_language

FRENCH = (
    "Le conseil municipal a adopté mardi le nouveau budget après un long débat. "
    "Les responsables ont indiqué que les négociations reprendraient la semaine prochaine. "
    "La police a fermé la route pendant plusieurs heures après l'accident de la circulation."
)
GERMAN = (
    "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt beschlossen. "
    "Die Verhandlungen sollen nach Angaben der Behörden in der kommenden Woche fortgesetzt werden. "
    "Die Polizei sperrte die Straße für mehrere Stunden, während der Unfall untersucht wurde."
)


def _with_foreign(articles: pl.DataFrame, every: int) -> pl.DataFrame:
    """``articles`` with every ``every``-th body replaced by a French or German text."""
    bodies = [
        (FRENCH if k % 2 else GERMAN) * 2 if k % every == every - 1 else body
        for k, body in enumerate(articles["body"].to_list())
    ]
    return articles.with_columns(pl.Series("body", bodies, dtype=pl.String))


# -- language in the batches ----------------------------------------------------------


def test_core_english_equals_split_then_score() -> None:
    articles = _with_foreign(synthetic_articles(120), every=7)
    english, skipped = split_by_language(articles)
    assert skipped.height == 120 // 7  # the test means something
    expected = score_core(english, workers=1)
    tables, skipped_here = score_core_english(articles, workers=1)
    assert_frame_equal(skipped_here, skipped)
    for name in expected:
        assert_frame_equal(tables[name], expected[name])


def test_core_english_with_a_worker_equals_this_process_alone() -> None:
    articles = _with_foreign(synthetic_articles(300), every=11)
    try:
        in_workers, skipped_workers = score_core_english(articles, workers=2)
    finally:
        shutdown_workers()
    alone, skipped_alone = score_core_english(articles, workers=1)
    assert_frame_equal(skipped_workers, skipped_alone)
    for name in alone:
        assert_frame_equal(in_workers[name], alone[name])


def test_core_english_of_an_all_foreign_corpus_is_empty_tables() -> None:
    articles = pl.DataFrame(
        {"doc_id": ["a", "b"], "outlet": ["x", "x"], "headline": ["Un", "Zwei"], "body": [FRENCH, GERMAN]}
    )
    tables, skipped = score_core_english(articles, workers=1)
    assert skipped["doc_id"].to_list() == ["a", "b"]
    assert tables["core_documents"].height == 0 and tables["core_sentences"].height == 0
    empty = score_core(articles.head(0), workers=1)
    for name in empty:
        assert tables[name].schema == empty[name].schema


def test_core_progress_counts_every_article_once() -> None:
    articles = synthetic_articles(50)
    seen: list[int] = []
    score_core(articles, workers=1, on_progress=seen.append)
    assert seen and seen[-1] == 50 and seen == sorted(seen)


def _square(x: int) -> int:
    return x * x


def test_map_with_this_process_keeps_the_order() -> None:
    done: list[int] = []
    try:
        results = map_with_this_process(_square, list(range(40)), n_workers=2, on_result=done.append)
    finally:
        shutdown_workers()
    assert results == [x * x for x in range(40)]
    assert sorted(done) == list(range(40))


# -- readability: the chunk memo -------------------------------------------------------


def test_readability_batch_after_other_batches_equals_it_cold() -> None:
    texts = synthetic_articles(40)["body"].to_list()
    odd = ["Don't\u00a0stop.  It's 3.5% -- a 'test' of U.S. text!", "", "   ", "Naïve café, Ωmega."]
    rb.clear_readability_batch_caches()
    cold_first = rb.readability_batch(texts[:20] + odd)
    rb.clear_readability_batch_caches()
    rb.readability_batch(texts[20:])  # fills the memo with other texts' chunks
    warm = rb.readability_batch(texts[:20] + odd)
    assert_frame_equal(warm, cold_first)


def test_the_chunk_memo_starts_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = synthetic_articles(10)["body"].to_list()
    rb.clear_readability_batch_caches()
    expected = rb.readability_batch(texts)
    monkeypatch.setattr(rb, "_MEMO_CHUNKS", 50)
    rb.readability_batch(texts[:3])
    assert_frame_equal(rb.readability_batch(texts), expected)
    assert rb._memo is not None and rb._memo.chunks.height <= max(50, rb._memo.features.shape[1])
    rb.clear_readability_batch_caches()


# -- writing ---------------------------------------------------------------------------

_FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e3, max_value=1e3).map(lambda x: round(x, 4)),
    st.sampled_from([0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 5e-324, 1e-05]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text()),
            st.one_of(st.none(), _FLOATS),
            st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
            st.one_of(st.none(), st.booleans()),
            st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)),
        ),
        max_size=12,
    )
)
def test_frame_jsonl_equals_json_dumps_per_row(
    rows: list[tuple[str | None, float | None, int | None, bool | None, float | None]],
) -> None:
    # Two float columns: one may need Python's repr while polars writes the other. The
    # names "*" and "^a.*$" would be patterns to pl.col: columns are taken by position.
    frame = pl.DataFrame(
        rows,
        schema={"doc\u00e9 \"id\"": pl.String(), "x": pl.Float64(), "*": pl.Int64(), "b": pl.Boolean(), "^a.*$": pl.Float64()},
        orient="row",
    )
    expected = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in frame.to_dicts())
    assert frame_jsonl(frame) == expected


def test_frame_jsonl_writes_float32_as_json_does_and_falls_back_for_other_types() -> None:
    frame = pl.DataFrame({"f": [0.1, None, 3.0e-7]}, schema={"f": pl.Float32()})
    assert frame_jsonl(frame) == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in frame.to_dicts())
    nested = pl.DataFrame({"l": [[1, 2], None], "s": ["a", "b"]})
    assert frame_jsonl(nested) == '{"l": [1, 2], "s": "a"}\n{"l": null, "s": "b"}\n'
    assert frame_jsonl(pl.DataFrame(schema={"x": pl.Float64()})) == ""


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "\r", "\n", " ", "é"]), max_size=30))
def test_normalise_newlines_fast_path_changes_nothing(text: str) -> None:
    assert normalise_newlines(text) == re.sub(r"\r+\n", "\n", text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "{", "\x7f", "\x85", "\u2028", "\u202e", "é", "\n"]), max_size=30))
def test_json_printable_fast_path_changes_nothing(text: str) -> None:
    assert json_printable(text) == re.sub(
        "[\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]",
        lambda m: f"\\u{ord(m.group()):04x}",
        text,
    )


# -- the CLI -----------------------------------------------------------------------------


def test_score_core_jsonl_is_json_dumps_of_each_row_and_warns_in_order(tmp_path: Path) -> None:
    articles = _with_foreign(synthetic_articles(30), every=9)
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as handle:
        for row in articles.iter_rows(named=True):
            record = {"id": row["doc_id"], "title": row["headline"], "text": row["body"]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    out = tmp_path / "scores.jsonl"
    result = CliRunner().invoke(app, ["score", str(corpus), "--suite", "core", "--format", "jsonl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    english, skipped = split_by_language(articles.with_columns(pl.lit("").alias("outlet")))
    warned = [line.split()[1] for line in result.output.splitlines() if line.startswith("warning:")]
    assert warned == skipped["doc_id"].to_list() and len(warned) == 3
    written = out.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in written.splitlines()]
    assert [r["doc_id"] for r in rows] == english["doc_id"].to_list()
    assert written == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    assert all(isinstance(r["flesch_reading_ease"], float) and math.isfinite(r["flesch_reading_ease"]) for r in rows)


# -- VADER: the token memo; sentences as spans -----------------------------------------


def test_vader_batch_after_other_batches_equals_it_cold() -> None:
    from harness.scoring import vader_batch as vb
    from harness.text.sentences import split_sentences

    bodies = synthetic_articles(30)["body"].to_list()
    sentences = [s.text for body in bodies for s in split_sentences(body)]
    odd = ["NOT good at all!!!", "It isn't bad, but it's not GREAT :)", "Kind of nice.", "The bomb 💣 exploded."]
    half = len(sentences) // 2
    vb.clear_vader_batch_caches()
    cold = vb.vader_batch(sentences[:half] + odd * 20)
    vb.clear_vader_batch_caches()
    vb.vader_batch(sentences[half:] + odd[:2] * 40)  # fills the memo with other tokens
    assert_frame_equal(vb.vader_batch(sentences[:half] + odd * 20), cold)
    vb.clear_vader_batch_caches()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "B", ".", " ", "\n", "!", '"', "U.S.", "Mr.", "3.5", "Word"]), max_size=40))
def test_sentence_spans_are_split_sentences(pieces: list[str]) -> None:
    from harness.text.sentences import sentence_spans, split_sentences

    text = "".join(pieces)
    assert sentence_spans(text) == [(s.text, s.start, s.end) for s in split_sentences(text)]


def test_core_documents_alone_equal_the_documents_of_both_tables() -> None:
    articles = _with_foreign(synthetic_articles(40), every=13)
    both = score_core(articles, workers=1)
    alone = score_core(articles, workers=1, sentences=False)
    assert list(alone) == ["core_documents"]
    assert_frame_equal(alone["core_documents"], both["core_documents"])
    english, _ = score_core_english(articles, workers=1, sentences=False)
    assert_frame_equal(english["core_documents"], score_core_english(articles, workers=1)[0]["core_documents"])


@pytest.mark.parametrize(("documents", "workers"), [(22_250, 2), (10_000, 2), (22_250, 1), (300, 2), (0, 2), (5_000, 3)])
def test_core_batches_cover_the_corpus_and_shrink_towards_the_end(documents: int, workers: int) -> None:
    from harness.scoring.core import CORE_BATCH_DOCS, CORE_LAST_BATCH_DOCS, _batch_sizes

    sizes = _batch_sizes(documents, workers)
    assert sum(sizes) == documents and all(0 < size <= CORE_BATCH_DOCS for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if workers == 1:
        assert all(size == CORE_BATCH_DOCS for size in sizes[:-1])
    else:
        assert all(size >= CORE_LAST_BATCH_DOCS for size in sizes[:-1])


def test_core_workers_start_early_only_for_a_large_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.scoring import core
    from harness.scoring import pool as scoring_pool

    started: list[int] = []
    monkeypatch.setattr(core, "prestart_workers", lambda workers, warm: started.append(workers))
    monkeypatch.setattr(scoring_pool, "default_workers", lambda: 2)
    core.start_core_workers(core.CORE_WORKERS_FROM_BYTES - 1)
    assert started == []
    core.start_core_workers(core.CORE_WORKERS_FROM_BYTES)
    assert started == [1]  # one worker beside this process


# -- language identification in batches --------------------------------------------------

_MIXED_TEXT = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEFG.,'\néàüßøæ中文字Привет")), max_size=300
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_MIXED_TEXT, min_size=1, max_size=12))
def test_language_feature_counts_are_py3langids_visit_counts(texts: list[str]) -> None:
    """The batch walk and one sort give each text exactly py3langid's feature counts."""
    from py3langid.langid import visit_counts

    from harness.text import language

    model = language._model()
    encoded = sorted((language._encode(t) for t in texts), key=len, reverse=True)
    features, counts, bounds = language._feature_counts(language._walk(encoded), model.ptc.shape[0])
    for k, text in enumerate(encoded):
        expected = visit_counts(model.nextmove, model.rowbase, model.output, text) or {}
        found = dict(zip(features[bounds[k] : bounds[k + 1]].tolist(), counts[bounds[k] : bounds[k + 1]].tolist()))
        assert found == dict(expected)
        assert list(found) == sorted(found)  # ascending within a text: the order the sum is taken in


def test_language_feature_counts_use_wide_keys_when_narrow_ones_would_overflow() -> None:
    import numpy as np

    from harness.text import language

    emitted = np.array([[5, -1, 7], [5, 3, -1], [-1, 3, 7]], dtype=np.int32)
    for n_features in (10, 2**30):  # 3 texts x 2**30 features: keys past 32 bits
        features, counts, bounds = language._feature_counts(emitted, n_features)
        assert features.tolist() == [5, 3, 7] and counts.tolist() == [2, 2, 2]
        assert bounds.tolist() == [0, 1, 2, 3]


def test_language_scores_do_not_depend_on_the_texts_beside_them() -> None:
    """A text's probabilities are the same alone, in a batch, longest or shortest."""
    import numpy as np

    from harness.text import language

    texts = [FRENCH, GERMAN * 3, "", "Hello.", synthetic_articles(3)["body"][2], "DER STADTRAT " * 40]
    encoded = [language._encode(language.language_sample(t)) for t in texts]
    together = language._scores(encoded)
    for k, one in enumerate(encoded):
        assert np.array_equal(language._scores([one])[0], together[k])
    assert [str(language._model().classes[i]) for i in together.argmax(axis=1)[:2]] == ["fr", "de"]


# -- reading the corpus, ending the process ----------------------------------------------

_JSON_LINES = st.one_of(
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=8)), max_size=4).map(
        json.dumps
    ),
    st.text(alphabet=st.sampled_from(list('{}[]":,\\ ab1\ufeff')), max_size=20),
    st.lists(st.sampled_from(['"a"', '"b"', "1"]), min_size=2, max_size=4).map(
        lambda keys: "{" + ", ".join(f"{k}: 1" for k in keys) + "}"
    ),
)


def _parse_outcome(parse: object, line: str) -> tuple[str, object]:
    from harness.errors import InputError

    try:
        return "value", parse(line)  # type: ignore[operator]
    except InputError as error:
        return "error", (error.where, error.message)


@settings(max_examples=200, deadline=None)
@given(_JSON_LINES)
def test_json_line_parsing_is_json_loads_with_its_errors(line: str) -> None:
    """One shared decoder per process gives what json.loads gave: values, and the same
    error line (a byte order mark, a repeated key, malformed JSON)."""
    from harness.corpus import tabular
    from harness.corpus.textfile import CorpusFile
    from harness.errors import InputError

    file = CorpusFile(Path("c.jsonl"), "c.jsonl", "c.jsonl")

    def reference(text: str) -> object:
        try:
            return json.loads(text, object_pairs_hook=tabular._object_without_repeats)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON on line 3 (column {exc.colno}: {exc.msg})", where=file.at_line(3)) from None
        except tabular._DuplicateKey as exc:
            raise InputError(f"line 3 gives the key `{exc.key}` twice", where=file.at_line(3)) from None

    kind, found = _parse_outcome(lambda text: tabular._parse_json_line(text, 3, file), line)
    expected_kind, expected = _parse_outcome(reference, line)
    assert (kind, found) == (expected_kind, expected)


def test_a_byte_order_mark_inside_a_jsonl_file_keeps_json_loads_message(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"body": "One."}\n\ufeff{"body": "Two."}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(corpus), "--suite", "core", "--format", "jsonl"])
    assert result.exit_code == 2
    assert "line 2 (column 1: Unexpected UTF-8 BOM" in result.output


def test_meta_of_a_record_without_extra_fields_is_empty_json() -> None:
    from harness.corpus.records import RawRecord, article_row

    row = article_row(RawRecord({"body": "Text.", "id": "a"}, "c.jsonl:1", "c.jsonl:1"))
    assert row["meta"] == "{}" == json.dumps({})
    with_extra = article_row(RawRecord({"body": "Text.", "id": "a", "z": 1, "b": [2]}, "c.jsonl:1", "c.jsonl:1"))
    assert with_extra["meta"] == '{"b": [2], "z": 1}'


def test_a_finished_command_runs_exit_functions_and_flushes_before_leaving(tmp_path: Path) -> None:
    """The end without the interpreter's teardown still joins threads, runs every exit
    function (in order: last registered first) and flushes buffered output."""
    import subprocess
    import sys

    script = (
        "import atexit, sys, threading, time\n"
        "from harness.cli import entry\n"
        "atexit.register(print, 'registered first, runs last')\n"
        "atexit.register(print, 'registered last, runs first')\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread joined'))).start()\n"
        "sys.stdout.write('buffered, no newline')\n"
        "entry._finish_without_teardown(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == (
        "buffered, no newlinethread joined\nregistered last, runs first\nregistered first, runs last\n"
    )
    assert done.stderr == ""


def test_core_cli_exits_with_its_code_and_complete_output(tmp_path: Path) -> None:
    import subprocess
    import sys

    corpus = tmp_path / "c.jsonl"
    articles = synthetic_articles(30)
    corpus.write_text(
        "".join(json.dumps({"id": r["doc_id"], "title": r["headline"], "text": r["body"]}) + "\n" for r in articles.iter_rows(named=True)),
        encoding="utf-8",
    )
    argv = [sys.executable, "-m", "harness", "score", str(corpus), "--suite", "core", "--format", "jsonl"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 30 and done.stdout.endswith("}\n")
    bad = subprocess.run([*argv[:4], str(tmp_path / "missing.jsonl")], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ")


def test_main_called_by_a_program_still_raises_system_exit() -> None:
    """Only ``command`` (the process's entry) ends the process itself; ``main`` returns
    control by SystemExit, for a caller that goes on."""
    import subprocess
    import sys

    probe = (
        "import sys; sys.argv = ['harness', 'list', '--help']\n"
        "from harness.cli import main\ntry: main()\nexcept SystemExit as e: print('caught', e.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "caught 0"


def test_shutting_the_workers_down_without_waiting_forgets_the_pool() -> None:
    import os

    from harness.engines import worker_start
    from harness.scoring import pool as scoring_pool

    pool = scoring_pool._executor(1, worker_start._started)
    assert pool.submit(os.getpid).result(timeout=120) != os.getpid()
    processes = list(pool._processes.values())  # type: ignore[attr-defined]
    scoring_pool.shutdown_workers(wait=False)
    assert scoring_pool._pool is None
    for process in processes:
        assert _ends_cleanly(process, seconds=60)


def _ends_cleanly(process: Any, seconds: float) -> bool:
    """The worker exits (code 0) within ``seconds``.

    The pool's manager thread joins its workers too and may reap one first; this
    process's join then finds no child and multiprocessing reports no exit code. So
    a reaped worker is one whose pid no longer exists.
    """
    import os
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process.join(timeout=0.1)
        if process.exitcode is not None:
            return bool(process.exitcode == 0)
        try:
            os.kill(process.pid, 0)
        except ProcessLookupError:
            return True  # reaped by the pool's own thread
    return False
