"""The parent process of ``harness score`` (full scorecard): what it does beside the workers.

* ``printable_jsonl_bytes`` is ``json_printable(frame_jsonl(frame))`` as UTF-8 (hypothesis,
  with the characters ``json_printable`` escapes in values and in column names);
* ``collect_slices(select=...)``: each slice's selected rows, scored, equal the same rows
  scored alone, in this process and in worker processes, a slice left empty included;
* the last slices' batches are cut small (``_slice_batch_sizes``);
* ``harness score`` (full scorecard, in slices) leaves out the articles in another
  language and warns about them in input order before its closing line, the same rows
  as scoring the English articles alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from benchmarks.bench_score import synthetic_articles
from harness.cli.app import app
from harness.cli.jsonlines import frame_jsonl, printable_jsonl_bytes
from harness.safetext import json_printable
from harness.scoring.batch import BATCH_DOCS, SLICE_BATCH_DOCS, _slice_batch_sizes, shutdown_workers
from harness.scoring.score import score_documents, score_documents_in_slices

FRENCH = (
    "Le conseil municipal a adopté mardi le nouveau budget après un long débat. "
    "Les responsables ont indiqué que les négociations reprendraient la semaine prochaine. "
    "La police a fermé la route pendant plusieurs heures après l'accident de la circulation."
)

_TEXT = st.text(alphabet=st.sampled_from(["a", "é", '"', "\\", "\n", "\x7f", "\x85", "\u2028", "\u202e", "\u061c"]), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.none() | _TEXT, st.none() | st.floats(allow_nan=True, allow_infinity=True), st.none() | st.integers(-(2**62), 2**62)),
        min_size=0,
        max_size=8,
    ),
    _TEXT,
)
def test_printable_jsonl_bytes_is_the_escaped_text_of_frame_jsonl(rows: list[tuple[str | None, float | None, int | None]], name: str) -> None:
    frame = pl.DataFrame(rows, schema={name or "s": pl.String(), "x\u2029": pl.Float64(), "n": pl.Int64()}, orient="row")
    assert printable_jsonl_bytes(frame) == json_printable(frame_jsonl(frame)).encode("utf-8")


def test_printable_jsonl_bytes_falls_back_for_other_types() -> None:
    nested = pl.DataFrame({"l": [[1, 2], None], "s": ["a\u202e", "b"]})
    assert printable_jsonl_bytes(nested) == b'{"l": [1, 2], "s": "a\\u202e"}\n{"l": null, "s": "b"}\n'
    assert printable_jsonl_bytes(pl.DataFrame(schema={"x": pl.Float64()})) == b""


def test_the_last_slices_are_cut_into_balanced_batches() -> None:
    sizes = _slice_batch_sizes([445] * 10, 2)
    assert sizes[:7] == [445] * 7  # one batch per slice while many remain
    assert sizes[7:] == [112] * 3 and max(sizes[7:]) <= BATCH_DOCS  # the last 2 * 512 articles and more
    assert _slice_batch_sizes([30, 0], 2) == [15, 1]
    assert _slice_batch_sizes([SLICE_BATCH_DOCS * 3], 1) == [BATCH_DOCS]


def _articles(bodies: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": [f"d{k}" for k in range(len(bodies))],
            "outlet": ["A", "B"] * (len(bodies) // 2) + ["A"] * (len(bodies) % 2),
            "headline": [f"Headline {k}" for k in range(len(bodies))],
            "body": bodies,
        }
    )


def _every_other_row(part: pl.DataFrame) -> pl.DataFrame:
    return part.filter(pl.col("doc_id").str.slice(1).cast(pl.Int64) % 2 == 0)


def _no_row(part: pl.DataFrame) -> pl.DataFrame:
    return part.head(0)


def test_selected_slices_equal_the_selected_rows_scored_alone() -> None:
    bodies = ["Officials said the plan was a disaster. \"It is fine,\" she told reporters.", "A quiet day.", ""] * 4
    frame = _articles(bodies)
    for workers in (1, 2):
        try:
            sliced = list(score_documents_in_slices(frame, 5, workers=workers, tables=("documents", "hits"), select=_every_other_row))
        finally:
            shutdown_workers()
        assert len(sliced) == 3
        for k, tables in enumerate(sliced):
            alone = score_documents(_every_other_row(frame.slice(5 * k, 5)), workers=1, tables=("documents", "hits"))
            for name, table in alone.items():
                assert tables[name].equals(table), (workers, k, name)
    empty = list(score_documents_in_slices(frame, 6, workers=1, tables=("documents",), select=_no_row))
    assert [tables["documents"].height for tables in empty] == [0, 0]


def _write_corpus(articles: pl.DataFrame, path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in articles.iter_rows(named=True):
            record = {"id": row["doc_id"], "title": row["headline"], "text": row["body"]}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def test_score_in_slices_leaves_out_other_languages_and_warns_first_in_order(tmp_path: Path) -> None:
    english = synthetic_articles(420)
    bodies = english["body"].to_list()
    foreign = {3, 250, 251, 419}  # the first slice, two in a row, the last article
    mixed = english.with_columns(pl.Series("body", [FRENCH * 3 if k in foreign else b for k, b in enumerate(bodies)]))
    corpus, only_english = tmp_path / "mixed.jsonl", tmp_path / "english.jsonl"
    _write_corpus(mixed, corpus)
    _write_corpus(mixed.filter(~pl.int_range(pl.len()).is_in(sorted(foreign))), only_english)
    out, reference = tmp_path / "scores.jsonl", tmp_path / "reference.jsonl"
    result = CliRunner().invoke(app, ["score", str(corpus), "--format", "jsonl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    expected = CliRunner().invoke(app, ["score", str(only_english), "--any-language", "--format", "jsonl", "-o", str(reference)])
    assert expected.exit_code == 0, expected.output
    assert out.read_bytes() == reference.read_bytes()
    lines = result.stderr.splitlines()
    ids = [mixed["doc_id"][k] for k in sorted(foreign)]
    assert [line.split()[1] for line in lines[:-1]] == ids
    assert all("not scored (language: fr" in line for line in lines[:-1])
    assert lines[-1].startswith(f"score: {420 - len(foreign)} documents in ")
