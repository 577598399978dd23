"""Corpus readers: every format into ARTICLE_SCHEMA, clear errors, a stable hash."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.corpus import (
    ARTICLE_SCHEMA,
    SUPPORTED_SUFFIXES,
    UNKNOWN_OUTLET,
    content_doc_id,
    corpus_hash,
    empty_articles,
    read_corpus,
)
from harness.errors import InputError


def crlf(text: str) -> str:
    """The readers' line endings: CRLF, and a run of CRs before LF, are one "\\n"."""
    return re.sub(r"\r+\n", "\n", text)

DATA = Path(__file__).resolve().parent / "data" / "corpus"

# A small corpus in input form: aliases, missing fields and extra fields.
RECORDS: list[dict[str, Any]] = [
    {
        "doc_id": "a1",
        "outlet": "The Guardian",
        "headline": "Talks end after 40 minutes",
        "body": "Russia and Ukraine met.\n'We have progress,' Umerov said.",
        "published": "2025-07-23",
        "section": "world",
    },
    {
        "id": "b2",
        "publisher": "Reuters",
        "title": "Russia, Ukraine discuss swaps",
        "text": "ISTANBUL (Reuters) - Talks lasted 40 minutes.",
        "date": "2025-07-23T14:00:00Z",
        "wordcount": "7",
    },
    {
        "source": "https://example.com/story",  # a URL, not a name: stays in meta
        "headline": "Üñíçødé headline \u201cquoted\u201d",
        "body": "Body with emoji \U0001f30d and a line\nbreak.",
    },
]

EXPECTED = pl.DataFrame(
    {
        "doc_id": ["a1", "b2", content_doc_id(UNKNOWN_OUTLET, RECORDS[2]["headline"], RECORDS[2]["body"])],
        "outlet": ["The Guardian", "Reuters", UNKNOWN_OUTLET],
        "headline": [RECORDS[0]["headline"], RECORDS[1]["title"], RECORDS[2]["headline"]],
        "body": [RECORDS[0]["body"], RECORDS[1]["text"], RECORDS[2]["body"]],
        "published": ["2025-07-23", "2025-07-23T14:00:00Z", None],
        "source": ["corpus.X:1", "corpus.X:2", "corpus.X:3"],
        "meta": ['{"section": "world"}', '{"wordcount": "7"}', '{"source": "https://example.com/story"}'],
    },
    schema=ARTICLE_SCHEMA,
)

ALL_FIELDS = sorted({key for record in RECORDS for key in record})


def expected_for(suffix: str, lines: list[int] | None = None) -> pl.DataFrame:
    sources = [f"corpus{suffix}:{n}" for n in (lines or [1, 2, 3])]
    return EXPECTED.with_columns(pl.Series("source", sources, dtype=pl.String))


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def write_csv(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ALL_FIELDS)
        writer.writeheader()
        writer.writerows(records)


def write_parquet(path: Path, records: list[dict[str, Any]]) -> None:
    columns = {name: [r.get(name) for r in records] for name in ALL_FIELDS}
    pl.DataFrame(columns, schema={name: pl.String for name in ALL_FIELDS}).write_parquet(path)


def meta_without_nulls(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """CSV and Parquet have every column in every row: drop the empty ones for comparison."""
    return [{k: v for k, v in json.loads(m).items() if v is not None} for m in frame["meta"]]


# -- round trips -------------------------------------------------------------------


def test_jsonl_round_trip(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    frame = read_corpus(tmp_path / "corpus.jsonl")
    assert frame.schema == pl.Schema(ARTICLE_SCHEMA)
    assert frame.equals(expected_for(".jsonl"))


@pytest.mark.parametrize(
    ("suffix", "writer"),
    [(".csv", write_csv), (".parquet", write_parquet)],
)
def test_table_formats_round_trip(
    tmp_path: Path, suffix: str, writer: Callable[[Path, list[dict[str, Any]]], None]
) -> None:
    writer(tmp_path / f"corpus{suffix}", RECORDS)
    frame = read_corpus(tmp_path / f"corpus{suffix}")
    assert frame.schema == pl.Schema(ARTICLE_SCHEMA)
    assert frame.drop("meta").equals(expected_for(suffix).drop("meta"))
    assert meta_without_nulls(frame) == [json.loads(m) for m in EXPECTED["meta"]]


def test_csv_keeps_ids_as_text(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("id,body\n007,First.\n8,Second.\n", encoding="utf-8")
    assert read_corpus(tmp_path / "c.csv")["doc_id"].to_list() == ["007", "8"]


def test_parquet_integer_ids_and_dates(tmp_path: Path) -> None:
    import datetime as dt

    frame = pl.DataFrame(
        {"id": [1, 2], "body": ["One.", "Two."], "published": [dt.date(2025, 7, 23), None]},
    )
    frame.write_parquet(tmp_path / "p.parquet")
    read = read_corpus(tmp_path / "p.parquet")
    assert read["doc_id"].to_list() == ["1", "2"]
    assert read["published"].to_list() == ["2025-07-23", None]


def test_text_folder_round_trip(tmp_path: Path) -> None:
    for index, record in enumerate(RECORDS, start=1):
        front = {k: v for k, v in record.items() if k not in ("body", "text")}
        body = record.get("body") or record["text"]
        text = "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + body + "\n"
        (tmp_path / f"{index:02d}.md").write_text(text, encoding="utf-8")
    frame = read_corpus(tmp_path)
    expected = EXPECTED.with_columns(pl.Series("source", ["01.md:1", "02.md:1", "03.md:1"]))
    assert frame.equals(expected)


def test_mixed_folder_skips_readme_and_hidden_files_and_sorts_by_path() -> None:
    frame = read_corpus(DATA / "mixed")
    assert frame["source"].to_list() == [
        "01_front_matter.md:1",
        "02_plain.txt:1",
        "pages/03_page.txt:2",
        "pages/03_page.txt:14",
        "pages/03_page.txt:22",
    ]
    first = frame.row(0, named=True)
    assert first == {
        "doc_id": "gazette-001",
        "outlet": "Example Gazette",
        "headline": "Bridge reopens after repairs",
        "body": "The bridge reopened on Wednesday after six months of repairs.\nDrivers said the queues had already gone.",
        "published": "2025-07-23",  # a YAML date, written back as ISO 8601
        "source": "01_front_matter.md:1",
        "meta": '{"tags": ["transport", "city"]}',
    }
    plain = frame.row(1, named=True)
    assert plain["headline"] == ""  # no front matter: the first line is body, not headline
    assert plain["body"].startswith("A plain text article")
    assert plain["outlet"] == UNKNOWN_OUTLET


def test_source_is_relative_to_root_never_absolute(tmp_path: Path) -> None:
    sub = tmp_path / "corpora" / "week1"
    sub.mkdir(parents=True)
    write_jsonl(sub / "corpus.jsonl", RECORDS[:1])
    assert read_corpus(sub / "corpus.jsonl")["source"].to_list() == ["corpus.jsonl:1"]
    assert read_corpus(sub, root=tmp_path)["source"].to_list() == ["corpora/week1/corpus.jsonl:1"]
    assert str(tmp_path) not in read_corpus(sub).write_csv()


def test_file_outside_root_is_an_error(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", RECORDS[:1])
    (tmp_path / "other").mkdir()
    with pytest.raises(InputError, match="outside the corpus root"):
        read_corpus(tmp_path / "corpus.jsonl", root=tmp_path / "other")


def test_bom_and_windows_line_endings(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("\ufeffFirst line.\r\nSecond line.\r\n".encode())
    (tmp_path / "b.jsonl").write_bytes(b'\xef\xbb\xbf{"body": "One\\r\\nTwo"}\r\n{"body": "Three"}\r\n')
    (tmp_path / "c.csv").write_bytes(b'\xef\xbb\xbfbody,headline\r\n"Four\r\nFive",H\r\n')
    frame = read_corpus(tmp_path)
    assert frame["body"].to_list() == ["First line.\nSecond line.", "One\nTwo", "Three", "Four\nFive"]
    assert frame["headline"].to_list() == ["", "", "", "H"]


def test_outlet_from_source_or_publisher_only_when_a_name(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"body": "a", "source": "Daily Mail"},
            {"body": "b", "source": "feeds/dm.xml", "publisher": "Daily Mail"},
            {"body": "c", "source": {"id": "dm"}},
            {"body": "d", "outlet": "  BBC News  ", "source": "BBC"},
            {"body": "e", "outlet": "AP/Reuters"},  # the outlet field is taken as given
        ],
    )
    frame = read_corpus(tmp_path / "c.jsonl")
    assert frame["outlet"].to_list() == ["Daily Mail", "Daily Mail", UNKNOWN_OUTLET, "BBC News", "AP/Reuters"]
    assert frame["meta"].to_list() == [
        "{}",
        '{"source": "feeds/dm.xml"}',
        '{"source": {"id": "dm"}}',
        '{"source": "BBC"}',
        "{}",
    ]


def test_meta_is_sorted_json_without_ascii_escapes(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", [{"body": "x", "zeta": 1, "alpha": "ü", "mid": [1, None]}])
    assert read_corpus(tmp_path / "c.jsonl")["meta"].item() == '{"alpha": "ü", "mid": [1, null], "zeta": 1}'


def test_empty_articles_has_the_schema() -> None:
    assert empty_articles().schema == pl.Schema(ARTICLE_SCHEMA)
    assert empty_articles().height == 0


def test_header_only_csv_is_an_error_like_an_empty_file(tmp_path: Path) -> None:
    """A header with no rows would store a result of 0 articles: refused, like an empty JSONL."""
    (tmp_path / "c.csv").write_text("headline,body\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.csv: no articles \(the file has no records\)"):
        read_corpus(tmp_path / "c.csv")


# -- errors ------------------------------------------------------------------------


def raises_input_error(path: Path, pattern: str, **kwargs: Any) -> InputError:
    with pytest.raises(InputError, match=pattern) as info:
        read_corpus(path, **kwargs)
    assert info.value.hint  # every error says what to do
    return info.value


def test_missing_path(tmp_path: Path) -> None:
    error = raises_input_error(tmp_path / "nope.jsonl", "no such file or folder")
    assert error.where == str(tmp_path / "nope.jsonl")


@pytest.mark.parametrize("name", ["e.jsonl", "e.csv", "e.txt", "e.md", "e.parquet"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("\n  \n", encoding="utf-8")
    raises_input_error(tmp_path / name, rf"{name}: empty file")


_BYTE_PIECES = [b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\x1c", b"\xa0", b"a", b"\x00", b"\xef\xbb\xbf"]


@given(st.lists(st.sampled_from(_BYTE_PIECES), max_size=8).map(b"".join), st.booleans())
def test_a_file_is_blank_as_stripping_a_copy_says(data: bytes, bom: bool) -> None:
    """The blank-file check reads the bytes in place (a large file is not copied); it
    answers as ``not data.removeprefix(BOM).strip()`` did."""
    from harness.corpus.textfile import _BLANK_BYTES, UTF8_BOM

    data = UTF8_BOM + data if bom else data
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    assert (_BLANK_BYTES.fullmatch(data, start) is not None) == (not data.removeprefix(UTF8_BOM).strip())


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(b"line one\nline\x00two\n")
    raises_input_error(tmp_path / "b.txt", r"b.txt:2: binary file \(NUL byte at byte offset 13\)")


def test_invalid_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_bytes(b'{"body": "ok"}\n{"body": "caf\xe9"}\n')
    raises_input_error(tmp_path / "c.jsonl", r"c.jsonl:2: invalid UTF-8 at byte offset 28")


def test_invalid_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_bytes(b"\xef\xbb\xbfab\xff")
    raises_input_error(tmp_path / "c.txt", r"c.txt:1: invalid UTF-8 at byte offset 5")


def test_malformed_jsonl_line(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"body": "ok"}\n\n{"body": "broken}\n', encoding="utf-8")
    raises_input_error(tmp_path / "c.jsonl", r"c.jsonl:3: malformed JSON on line 3")


def test_jsonl_line_that_is_not_an_object(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"body": "ok"}\n["body"]\n', encoding="utf-8")
    raises_input_error(tmp_path / "c.jsonl", r"c.jsonl:2: line 2 holds a JSON list, not an object")


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("c.jsonl", '{"body": "ok"}\n{"headline": "no body"}\n', "c.jsonl:2"),
        ("c.jsonl", '{"body": "ok"}\n{"body": "   "}\n', "c.jsonl:2"),
        ("c.csv", "headline,body\nA,ok\nB,\n", "c.csv record 2"),
        ("c.md", "---\ntitle: Only a title\n---\n\n", "c.md:1"),
    ],
)
def test_record_with_no_body(tmp_path: Path, name: str, content: str, where: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    raises_input_error(tmp_path / name, rf"{where}: record with no body")


def test_body_of_the_wrong_type(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"body": 12}\n', encoding="utf-8")
    raises_input_error(tmp_path / "c.jsonl", r"c.jsonl:1: `body` must be text")


def test_csv_without_body_column_names_the_columns(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("headline,content\nA,B\n", encoding="utf-8")
    raises_input_error(tmp_path / "c.csv", r"c.csv: no `body` or `text` column \(columns found: headline, content\)")


def test_malformed_csv(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text('body,headline\n"unclosed,A\n', encoding="utf-8")
    raises_input_error(tmp_path / "c.csv", r"c.csv: not a readable CSV file")


def test_parquet_without_body_column(tmp_path: Path) -> None:
    pl.DataFrame({"headline": ["A"], "words": [3]}).write_parquet(tmp_path / "p.parquet")
    raises_input_error(tmp_path / "p.parquet", r"p.parquet: no `body` or `text` column \(columns found: headline, words\)")


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"body": [1, 2]}, "column `body` has type Int64, expected String"),
        ({"body": ["a", "b"], "headline": [1.5, 2.5]}, "column `headline` has type Float64, expected String"),
        ({"body": ["a", "b"], "id": [1.5, 2.5]}, "column `id` has type Float64, expected String or an integer"),
        ({"body": ["a", "b"], "published": [2025, 2024]}, "column `published` has type Int64, expected String, Date"),
    ],
)
def test_parquet_wrong_column_types(tmp_path: Path, columns: dict[str, list[Any]], message: str) -> None:
    pl.DataFrame(columns).write_parquet(tmp_path / "p.parquet")
    raises_input_error(tmp_path / "p.parquet", rf"p.parquet: {message}")


def test_not_a_parquet_file(tmp_path: Path) -> None:
    (tmp_path / "p.parquet").write_text("body\nhello\n", encoding="utf-8")
    raises_input_error(tmp_path / "p.parquet", r"p.parquet: not a readable Parquet file")


def test_duplicate_doc_ids_name_both_records(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", [{"id": "x", "body": "a"}, {"id": "y", "body": "b"}, {"id": "x", "body": "c"}])
    error = raises_input_error(tmp_path / "c.jsonl", r"duplicate doc id 'x'")
    assert error.where is not None and error.where.endswith("c.jsonl:3")
    assert "c.jsonl:1 and " in error.message


def test_duplicate_articles_across_files(tmp_path: Path) -> None:
    text = (DATA / "aggregator_two_related.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    error = raises_input_error(tmp_path, r"b.txt:2: duplicate doc id")
    assert "a.txt:2" in error.message


def test_unsupported_suffix_lists_supported(tmp_path: Path) -> None:
    (tmp_path / "c.docx").write_text("x", encoding="utf-8")
    error = raises_input_error(tmp_path / "c.docx", r"c.docx: unsupported file type")
    assert error.hint is not None
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in error.hint


def test_unsupported_file_in_a_folder(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "c.jsonl", RECORDS[:1])
    (tmp_path / "notes.docx").write_text("x", encoding="utf-8")
    raises_input_error(tmp_path, r"notes.docx: unsupported file type")


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("---\ntitle: A\nbody text\n", r"c.md:1: front matter opened with --- is never closed"),
        ("---\ntitle: [unclosed\n---\nBody.\n", r"c.md:\d+: front matter is not valid YAML"),
        ("---\n- a list\n---\nBody.\n", r"c.md:2: front matter must be `key: value` lines"),
        ("---\nbody: In the front matter\n---\nBody.\n", r"c.md:1: front matter has a `body` key"),
        ("---\n1: numeric key\n---\nBody.\n", r"c.md:1: field name 1 is not text"),
    ],
)
def test_front_matter_errors(tmp_path: Path, content: str, pattern: str) -> None:
    (tmp_path / "c.md").write_text(content, encoding="utf-8")
    raises_input_error(tmp_path / "c.md", pattern)


# -- corpus hash -------------------------------------------------------------------


def test_corpus_hash_depends_on_content_and_order(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    frame = read_corpus(tmp_path / "corpus.jsonl")
    digest = corpus_hash(frame)
    assert len(digest) == 64 and digest == corpus_hash(frame.clone())
    assert corpus_hash(frame.reverse()) != digest
    assert corpus_hash(frame.with_columns(pl.col("body").str.replace("Russia", "Moscow"))) != digest
    assert corpus_hash(frame.head(2)) != digest
    assert corpus_hash(frame.select(pl.all().reverse())) != digest


def test_corpus_hash_of_empty_table_is_fixed() -> None:
    assert corpus_hash(empty_articles()) == corpus_hash(pl.DataFrame(schema=ARTICLE_SCHEMA))


def test_corpus_hash_is_stable_across_processes() -> None:
    script = (
        "from pathlib import Path; from harness.corpus import read_corpus, corpus_hash; "
        f"print(corpus_hash(read_corpus(Path({str(DATA / 'mixed')!r}))))"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert digests == {corpus_hash(read_corpus(DATA / "mixed"))}


# Strings with everything the digest's JSON escapes, and more: quotes, backslashes, every
# control character, DEL, the line and paragraph separators, accents, emoji.
_DIGEST_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(['"', "\\", "\n", "\r", "\t", "\b", "\f", "\x7f", "\u2028", "\u2029", "\u00e9", "\U0001f600", "/"]),
        st.characters(max_codepoint=0x1F),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=30,
)
_DIGEST_ROWS = st.lists(st.tuples(st.one_of(st.none(), _DIGEST_TEXT), st.one_of(st.none(), _DIGEST_TEXT)), max_size=8)


def _json_rows() -> Callable[[list[tuple[object, ...]]], bytes | None] | None:
    """The C loop, used exactly when the diff's compiled modules are (else None)."""
    from harness.corpus import reader
    from harness.wirediff.compiled import core_state

    native = reader._json_rows()
    assert (native is not None) == core_state().compiled
    return native


def _reference_lines(rows: list[tuple[str | None, str | None]]) -> bytes:
    """The digest's lines as written down here, apart from the reader: each row's JSON
    array, non-ASCII as it is, no spaces, then a line feed."""
    return b"".join(json.dumps(list(row), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n" for row in rows)


@settings(max_examples=400, deadline=None)
@given(_DIGEST_ROWS)
def test_the_digest_s_lines_are_each_row_s_json(rows: list[tuple[str | None, str | None]]) -> None:
    """Python's way (``_json_line``) and, when the core runs compiled, ``json_rows``
    (units.c) give every row's JSON line, for any rows of strings and nulls."""
    from harness.corpus import reader

    expected = _reference_lines(rows)
    assert b"".join(map(reader._json_line, rows)) == expected
    native = _json_rows()
    assert native is None or native(list(rows)) == expected


def test_the_c_loop_leaves_other_values_to_python() -> None:
    """Any value but a string or null (or a lone surrogate) goes Python's way; a call
    with anything but a list of tuples is refused. Without the compiled core every row
    goes Python's way, and a value json cannot write as UTF-8 is refused there."""
    from harness.corpus import reader

    with pytest.raises(UnicodeEncodeError):
        reader._json_line(("lone \ud800 surrogate",))
    assert reader._json_line((1, None, 1.5)) == b"[1,null,1.5]\n"
    native = _json_rows()
    if native is None:
        return
    for value in (1, 1.5, True, b"bytes", ["a"], "lone \ud800 surrogate"):
        assert native([("a", None), ("b", value)]) is None
    assert native([]) == b"" and native([()]) == b"[]\n"
    untyped: Any = native
    for bad in ((("a",),), ["a"], None):
        with pytest.raises(TypeError, match="list of tuples"):
            untyped(bad)


@settings(max_examples=60, deadline=None)
@given(_DIGEST_ROWS, st.integers(1, 5))
def test_the_digest_is_the_same_with_the_c_loop_or_without(rows: list[tuple[str | None, str | None]], block: int) -> None:
    """Slices of any size, by the C loop or Python's json: one digest, the header's
    line and then every row's."""
    from harness.corpus import reader

    frame = pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String}, orient="row")
    expected = hashlib.sha256(b'["a", "b"]\n' + b"".join(map(reader._json_line, rows))).hexdigest()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "DIGEST_ROWS", block)
        assert corpus_hash(frame) == expected
        patch.setattr(reader, "_json_rows", lambda: None)
        assert corpus_hash(frame) == expected


# -- property ----------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.text(), st.text().filter(lambda body: body.strip() != "")),
        min_size=1,
        max_size=5,
        # Equal after newline normalisation means the same content id: a duplicate.
        unique_by=lambda pair: (crlf(pair[0]), crlf(pair[1])),
    )
)
def test_jsonl_round_trips_any_unicode(tmp_path: Path, articles: list[tuple[str, str]]) -> None:
    path = tmp_path / "corpus.jsonl"
    write_jsonl(path, [{"headline": h, "body": b} for h, b in articles])
    frame = read_corpus(path)
    assert frame["headline"].to_list() == [crlf(h) for h, _ in articles]
    assert frame["body"].to_list() == [crlf(b) for _, b in articles]
    assert frame["source"].to_list() == [f"corpus.jsonl:{n}" for n in range(1, len(articles) + 1)]


def _decode_outcome(decode: Callable[[str], Any], line: str) -> tuple[str, Any]:
    try:
        return "value", decode(line)
    except Exception as exc:  # the exception's type and message are what the reader reports
        return type(exc).__name__, str(exc)


_JSON_PIECES = st.sampled_from(['{', '}', '[', ']', '"a"', '"b"', ':', ',', ' ', '1', '-2.5e3', 'true', 'null', '"\\u00e9"', 'x', '\t'])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_JSON_PIECES, max_size=14).map("".join), st.text(max_size=20)))
def test_json_line_fast_path_equals_decode(line: str) -> None:
    """The scanner called directly (``tabular._decoded``) gives what ``decode`` gives on
    any line: the same object, or the same exception with the same message (malformed
    JSON, a repeated key, extra data after the object, whitespace around it)."""
    from harness.corpus import tabular

    assert _decode_outcome(tabular._decoded, line) == _decode_outcome(tabular._DECODER.decode, line)


@pytest.mark.parametrize(
    "line", ['{"a": }', '{"a": 1', '{"a": 1} x', '{"a": 1}  ', '  {"a": 1}', '{"a":1,"a":2}', '{', '{"a": [1, }', '[1]', '{}']
)
def test_json_line_fast_path_known_lines(line: str) -> None:
    from harness.corpus import tabular

    assert _decode_outcome(tabular._decoded, line) == _decode_outcome(tabular._DECODER.decode, line)
