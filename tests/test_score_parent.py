"""The parent process of ``harness score`` (full scorecard): what it does beside the workers.

* ``printable_jsonl_bytes`` is ``json_printable(frame_jsonl(frame))`` as UTF-8 (hypothesis,
  with the characters ``json_printable`` escapes in values and in column names);
* ``harness score --format jsonl`` writes the same bytes to a file and to standard output,
  with the characters ``json_printable`` escapes escaped in the headline.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from harness.cli.app import app
from harness.cli import jsonlines
from harness.cli.jsonlines import frame_jsonl, printable_jsonl_bytes
from harness.safetext import json_printable

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


# Values on both sides of _plain's bounds, the non-finite ones, zeros and nulls.
_EDGE_FLOATS = st.none() | st.sampled_from([0.0, -0.0, 1e-4, -1e-4, 9.99e-5, 1e16, 9.99e15, -1e16, 5e-324, 1.5])
_ANY_FLOAT = _EDGE_FLOATS | st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_ANY_FLOAT, _EDGE_FLOATS, _ANY_FLOAT), max_size=10), st.booleans())
def test_the_irregular_float_columns_are_those_of_the_polars_check(rows: list[tuple[float | None, ...]], float32: bool) -> None:
    """The numpy pass reads a null as NaN: a column with nulls beside NaN, or nulls only, must come out as polars' check."""
    second = pl.Float32() if float32 else pl.Float64()
    frame = pl.DataFrame(
        [(a, "t", b, c) for a, b, c in rows],
        schema={"^a.*$": pl.Float64(), "s": pl.String(), "*": second, "c": pl.Float64()},  # names pl.col would read as patterns
        orient="row",
    )
    floats = [0, 2, 3]
    expected = {
        index for index in floats
        if frame.select(jsonlines._plain(pl.nth(index).cast(pl.Float64)).not_().any()).item()
    }
    assert jsonlines._irregular_floats(frame, floats) == expected


def test_printable_jsonl_bytes_falls_back_for_other_types() -> None:
    nested = pl.DataFrame({"l": [[1, 2], None], "s": ["a\u202e", "b"]})
    assert printable_jsonl_bytes(nested) == b'{"l": [1, 2], "s": "a\\u202e"}\n{"l": null, "s": "b"}\n'
    assert printable_jsonl_bytes(pl.DataFrame(schema={"x": pl.Float64()})) == b""


def test_score_jsonl_to_a_file_and_to_stdout_is_the_escaped_json_of_each_row(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    records = [
        {"id": "a\u202e1", "title": "Officials \u2028said\x85 it", "text": "Officials said the plan was a disaster. It failed."},
        {"id": "b2", "title": "Caf\u00e9", "text": "\"It is fine,\" she told reporters. The mayor claimed victory."},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "scores.jsonl"
    to_file = CliRunner().invoke(app, ["score", str(corpus), "--format", "jsonl", "-o", str(out)])
    assert to_file.exit_code == 0, to_file.output
    to_stdout = CliRunner().invoke(app, ["score", str(corpus), "--format", "jsonl"])
    assert to_stdout.exit_code == 0, to_stdout.output
    written = out.read_bytes()
    assert to_stdout.stdout_bytes == written
    lines = written.decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["doc_id"] for row in rows] == ["a\u202e1", "b2"]  # the escapes decode back
    assert rows[0]["headline"] == "Officials \u2028said\x85 it"
    for line, row in zip(lines, rows, strict=True):
        assert line == json_printable(json.dumps(row, ensure_ascii=False))
        assert "\u202e" not in line and "\u2028" not in line and "\x85" not in line
