"""Fuzzing the corpus readers: random unicode and random bytes in JSONL, CSV, Parquet
and front matter.

Whatever the input, a reader either returns a table with exactly ``ARTICLE_SCHEMA``
or raises a ``HarnessError`` (which the CLI prints as one line); nothing else
escapes. When the input is a valid corpus, what comes back is what went in:
bodies and headlines character for character (after the documented "\\r\\n" -> "\\n"),
sources numbered by line or record. (The simpler all-unicode JSONL round trip is
``test_corpus_readers::test_jsonl_round_trips_any_unicode``.)
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.corpus import ARTICLE_SCHEMA, load_corpus, read_corpus
from harness.errors import HarnessError


def crlf(text: str) -> str:
    """The readers' line endings: CRLF, and a run of CRs before LF, are one "\\n"."""
    return re.sub(r"\r+\n", "\n", text)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Characters that stress readers: line and paragraph separators, BOM, NUL, quotes,
# delimiters, surrogates (JSON escapes them), RTL marks, HTML and YAML syntax.
NASTY = [
    "\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\ufeff", "\x00", "\t", '"', "'", ",", ";",
    "\u201c", "\u201d", "\u00ab", "\u00bb", "\u200f", "\u202e", "<p>", "</div>", "<script>", "&amp;",
    "---", ": ", "- ", "#", "{", "}", "[", "]", "\\", "\ud800", "\U0001f30d", "e\u0301", "\u0627\u0644",
]
nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=8)), max_size=12).map("".join)
any_text = st.one_of(st.text(), nasty_text)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), any_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)
FIELD_NAMES = st.sampled_from(["doc_id", "id", "body", "text", "headline", "title", "outlet", "source",
                               "publisher", "published", "date", "extra"])
json_records = st.dictionaries(st.one_of(FIELD_NAMES, any_text), json_values, max_size=6)


def read_or_harness_error(path: Path) -> pl.DataFrame | None:
    """The table, or None when a HarnessError (a one-line user error) was raised."""
    try:
        frame = read_corpus(path)
    except HarnessError as error:
        line = error.one_line()
        assert line and error.where is not None, line  # says where
        return None
    assert frame.schema == pl.Schema(ARTICLE_SCHEMA)
    assert frame["doc_id"].n_unique() == frame.height
    for column in ("doc_id", "outlet", "headline", "body", "source", "meta"):
        assert frame[column].null_count() == 0, column
    for meta in frame["meta"]:
        json.loads(meta)  # always valid, standard JSON
    for row in frame.iter_rows():
        for value in row:
            if value is not None:
                value.encode("utf-8")  # every value is storable text
    return frame


# -- JSONL --------------------------------------------------------------------------------


@FUZZ
@given(st.lists(st.one_of(json_records, json_values), min_size=1, max_size=5))
def test_jsonl_of_any_json_values(tmp_path: Path, values: list[Any]) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    frame = read_or_harness_error(path)
    if frame is not None:
        assert frame["source"].to_list() == [f"c.jsonl:{n}" for n in range(1, len(values) + 1)]


@FUZZ
@given(st.lists(st.tuples(any_text, any_text, any_text), min_size=1, max_size=5))
def test_jsonl_valid_records_round_trip(tmp_path: Path, records: list[tuple[str, str, str]]) -> None:
    path = tmp_path / "c.jsonl"
    lines = [
        json.dumps({"doc_id": f"d{n}", "headline": h, "body": b, "note": x})
        for n, (h, b, x) in enumerate(records, start=1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_or_harness_error(path)
    readable = all(
        "\ud800" not in h + b + x and crlf(b).strip() for h, b, x in records
    )
    if frame is None:
        # Only a blank body, a lone surrogate or an HTML-page body may be refused.
        assert not readable or any("<" in b for _, b, _ in records)
        return
    assert frame["body"].to_list() == [crlf(b) for _, b, _ in records]
    assert frame["headline"].to_list() == [crlf(h) for h, _, _ in records]
    assert [json.loads(m) for m in frame["meta"]] == [{"note": x} for _, _, x in records]


@FUZZ
@given(st.binary(max_size=300), st.sampled_from([".jsonl", ".csv", ".txt", ".md", ".parquet"]))
@example(b"\xff\xfe\x00a", ".txt")
@example(b"PAR1\x00\x00PAR1", ".parquet")
@example(b'{"body": "x"}\r\n\r\n{"body": "y"}', ".jsonl")
def test_random_bytes_in_any_format(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"c{suffix}"
    path.write_bytes(data)
    read_or_harness_error(path)


@FUZZ
@given(st.binary(max_size=200))
def test_replace_mode_reads_any_bytes_without_nul(tmp_path: Path, data: bytes) -> None:
    """With invalid_utf8="replace" only structure errors remain, and the count is exact."""
    data = data.replace(b"\x00", b"")
    path = tmp_path / "c.txt"
    path.write_bytes(data)
    try:
        read = load_corpus(path, invalid_utf8="replace")
    except HarnessError as error:
        assert "UTF-8" not in error.message or "UTF-16" in error.message or "UTF-32" in error.message
        return
    expected = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    invalid = sum(1 for ch in expected if "\udc80" <= ch <= "\udcff")
    assert read.replaced_bytes == invalid
    assert all(r.file == "c.txt" and r.count > 0 for r in read.replaced)


# -- CSV ----------------------------------------------------------------------------------


@FUZZ
@given(st.lists(st.tuples(any_text, any_text), min_size=1, max_size=5))
@example(rows=[("\r\r\n", "0")])  # CR CR LF: one line ending, the same on both passes
def test_csv_cells_round_trip(tmp_path: Path, rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    # Quote every cell, as spreadsheet programs do: Python's writer would leave a
    # lone "\r" unquoted, which no CSV reader can tell from a line end.
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(["doc_id", "headline", "body"])
    writer.writerows([f"d{n}", h, b] for n, (h, b) in enumerate(rows, start=1))
    path = tmp_path / "c.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    frame = read_or_harness_error(path)
    if frame is None:
        return
    assert frame["doc_id"].to_list() == [f"d{n}" for n in range(1, len(rows) + 1)]
    assert frame["body"].to_list() == [crlf(b) for _, b in rows]
    assert frame["headline"].to_list() == [crlf(h) for h, _ in rows]


@FUZZ
@given(any_text)
def test_csv_of_any_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    read_or_harness_error(path)


# -- Parquet ------------------------------------------------------------------------------


@FUZZ
@given(
    st.dictionaries(
        st.one_of(FIELD_NAMES, st.text(min_size=1, max_size=5)),
        st.sampled_from([pl.String, pl.Int64, pl.Float64, pl.Boolean, pl.Date, pl.List(pl.String), pl.Null]),
        min_size=1,
        max_size=5,
    ),
    st.integers(min_value=0, max_value=3),
)
def test_parquet_of_any_column_types(tmp_path: Path, columns: dict[str, Any], rows: int) -> None:
    frame = pl.DataFrame(
        {name: pl.Series(name, [None] * rows, dtype=dtype) for name, dtype in columns.items()}
    )
    frame = frame.with_columns(
        pl.lit("text", dtype=pl.String).alias(name) for name, dtype in columns.items() if dtype == pl.String
    )
    path = tmp_path / "c.parquet"
    frame.write_parquet(path)
    read_or_harness_error(path)


# -- front matter -------------------------------------------------------------------------


@FUZZ
@given(st.dictionaries(st.sampled_from(["title", "outlet", "doc_id", "section"]), any_text, max_size=4), any_text)
@example(fields={"title": "\r\r\n"}, body="0")  # found by hypothesis: "\r\r\n" is one line ending
def test_front_matter_round_trips(tmp_path: Path, fields: dict[str, str], body: str) -> None:
    front = yaml.safe_dump(fields, allow_unicode=True) if fields else ""
    path = tmp_path / "c.md"
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8", errors="surrogatepass")
    frame = read_or_harness_error(path)
    if frame is None:
        return
    row = frame.row(0, named=True)
    # YAML folds line breaks in plain scalars; compare what YAML itself reads back.
    expected = yaml.safe_load(front) or {}
    if "title" in expected:
        assert row["headline"] == crlf(str(expected["title"]))
    assert row["body"] == crlf(body).strip()


@FUZZ
@given(st.lists(any_text, max_size=6), any_text)
def test_front_matter_of_any_lines(tmp_path: Path, lines: list[str], body: str) -> None:
    path = tmp_path / "c.md"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8", errors="surrogatepass")
    read_or_harness_error(path)


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_aggregator_detection_never_crashes_on_seed_like_noise(tmp_path: Path, suffix: str) -> None:
    """A page of headers with no bodies: either articles or a HarnessError."""
    text = "The Guardian\n26 minutes ago\n- The Guardian\n\n\nDaily Mail\n2 hours ago\n- Daily Mail\n"
    (tmp_path / f"p{suffix}").write_text(text, encoding="utf-8")
    read_or_harness_error(tmp_path / f"p{suffix}")
