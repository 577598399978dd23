"""Column names: the accepted aliases, a corpus's own column mapping, the outlet warning.

CLI-level cases (one-line errors, the warning on stderr, an experiment run with a
mapping) are in ``tests/test_bad_inputs.py``, section "issue 12: corpus columns".
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from harness.corpus import iter_article_batches, load_corpus, read_corpus
from harness.corpus.columns import (
    CORPUS_FIELDS,
    MAPPABLE_FIELDS,
    NO_COLUMNS,
    ColumnMap,
    ColumnMapError,
    column_map,
    columns_markdown,
    grouping_columns,
    grouping_warning,
)
from harness.errors import ConfigError, InputError
from harness.experiments import parse_experiment

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("business", "sport", "tech")


def bbc_rows(n: int = 12) -> list[dict[str, str]]:
    """Records shaped like the BBC News corpus: id, category, title, text."""
    return [
        {
            "id": f"{CATEGORIES[i % 3]}/{i:03d}.txt",
            "category": CATEGORIES[i % 3],
            "title": f"Headline {i}",
            "text": f"Officials said the plan changed on day {i}. Critics were not convinced.",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    pl.DataFrame(rows).write_parquet(path)
    return path


def write_md_folder(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.mkdir()
    for i, row in enumerate(rows):
        front = "".join(f"{k}: {json.dumps(v)}\n" for k, v in row.items() if k != "text")
        (path / f"{i:03d}.md").write_text(f"---\n{front}---\n{row['text']}\n", encoding="utf-8")
    return path


WRITERS: dict[str, Callable[[Path, list[dict[str, Any]]], Path]] = {
    "jsonl": lambda d, rows: write_jsonl(d / "c.jsonl", rows),
    "csv": lambda d, rows: write_csv(d / "c.csv", rows),
    "parquet": lambda d, rows: write_parquet(d / "c.parquet", rows),
    "md-folder": lambda d, rows: write_md_folder(d / "articles", rows),
}
OUTLET_IS_CATEGORY = column_map({"outlet": "category"})


# -- the alias table and the README ---------------------------------------------------------------


def test_readme_lists_every_accepted_column_name() -> None:
    """The README's table is generated from the code's; edit CORPUS_FIELDS, then paste columns_markdown()."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- corpus-columns:[^\n]*-->\n(.*?)<!-- /corpus-columns -->", readme, re.DOTALL)
    assert block is not None, "README.md lost its corpus-columns block"
    assert block.group(1) == columns_markdown()
    for f in CORPUS_FIELDS:
        for alias in (*f.aliases, *f.name_only):
            assert f"`{alias}`" in block.group(1)


def test_the_readers_use_the_alias_table() -> None:
    """Each alias, alone in a record, fills its field: the table is what the readers read."""
    from harness.corpus.records import RawRecord, article_row

    for f in CORPUS_FIELDS:
        for alias in f.aliases:
            fields: dict[str, Any] = {"body": "Some text here."} if f.name != "body" else {}
            fields[alias] = "2025-01-02" if f.name == "published" else "Value"
            row = article_row(RawRecord(fields, "c:1", "c:1"))
            assert row[f.name] == fields[alias], (f.name, alias)
            assert alias not in json.loads(row["meta"] or "{}")


# -- the mapping itself ---------------------------------------------------------------------------


def test_column_map_keeps_field_order_and_round_trips() -> None:
    columns = column_map({"headline": "title", "outlet": "category"})
    assert columns.pairs == (("outlet", "category"), ("headline", "title"))
    assert columns.as_dict() == {"outlet": "category", "headline": "title"}
    assert columns.column("outlet") == "category" and columns.column("body") is None
    assert bool(columns) and not NO_COLUMNS
    assert MAPPABLE_FIELDS == ("doc_id", "outlet", "headline", "body", "published")


@pytest.mark.parametrize(
    ("mapping", "message", "hint"),
    [
        ({"category": "outlet"}, "unknown article field 'category'", "doc_id, outlet, headline, body, published"),
        ({"source": "url"}, "unknown article field 'source'", "the field goes on the left"),
        ({"outlet": 3}, "outlet must name a column (text), not 3", 'outlet = "my_column"'),
        ({"outlet": " "}, "outlet = ' ' names no column", "as in the corpus"),
        ({"outlet": "title", "headline": "title"}, "outlet and headline are both mapped to the column 'title'", "its own column"),
    ],
)
def test_column_map_refuses(mapping: dict[str, Any], message: str, hint: str) -> None:
    with pytest.raises(ColumnMapError) as info:
        column_map(mapping)
    assert info.value.message == message
    assert hint in info.value.hint


# -- every reader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_reader_maps_columns(tmp_path: Path, fmt: str) -> None:
    rows = bbc_rows()
    path = WRITERS[fmt](tmp_path, rows)
    plain = read_corpus(path)
    assert set(plain["outlet"]) == {"unknown"}
    mapped = read_corpus(path, columns=OUTLET_IS_CATEGORY)
    assert mapped["outlet"].to_list() == [r["category"] for r in rows]
    assert mapped["headline"].to_list() == [r["title"] for r in rows]
    assert all("category" not in json.loads(m) for m in mapped["meta"])
    # Nothing else moves: the mapping changes the outlet and what is left in meta.
    assert mapped.drop("outlet", "meta", "doc_id").equals(plain.drop("outlet", "meta", "doc_id"))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "csv"])
def test_streaming_maps_columns_like_the_whole_read(tmp_path: Path, fmt: str) -> None:
    path = WRITERS[fmt](tmp_path, bbc_rows(25))
    whole = read_corpus(path, columns=OUTLET_IS_CATEGORY)
    batches = list(iter_article_batches(path, batch_size=10, columns=OUTLET_IS_CATEGORY))
    assert [b.height for b in batches] == [10, 10, 5]
    assert pl.concat(batches).equals(whole)


def test_every_field_can_be_mapped(tmp_path: Path) -> None:
    rows = [{"key": "k1", "paper": "The Times", "head": "H", "content": "Some body text.", "when": "2025-07-23"}]
    columns = column_map({"doc_id": "key", "outlet": "paper", "headline": "head", "body": "content", "published": "when"})
    for fmt in ("jsonl", "csv", "parquet"):
        row = read_corpus(WRITERS[fmt](tmp_path, rows), columns=columns).row(0, named=True)
        assert (row["doc_id"], row["outlet"], row["headline"], row["body"], row["published"]) == (
            "k1", "The Times", "H", "Some body text.", "2025-07-23"
        ), fmt
        assert row["meta"] == "{}"


def test_the_mapping_wins_over_the_usual_names(tmp_path: Path) -> None:
    """A column of a usual name that the mapping replaces stays in meta under its own name."""
    rows = [{"outlet": "feed-42", "category": "sport", "headline": "h1", "title": "Real title", "body": "Text."}]
    columns = column_map({"outlet": "category", "headline": "title"})
    row = read_corpus(write_jsonl(tmp_path / "c.jsonl", rows), columns=columns).row(0, named=True)
    assert (row["outlet"], row["headline"]) == ("sport", "Real title")
    assert json.loads(row["meta"]) == {"headline": "h1", "outlet": "feed-42"}


def test_a_mapped_column_is_not_read_under_its_usual_name(tmp_path: Path) -> None:
    """headline = "text": `text` is the headline, and the body comes from `body` alone."""
    rows = [{"text": "A headline", "body": "The body.", "source": "Reuters"}]
    columns = column_map({"headline": "text"})
    row = read_corpus(write_jsonl(tmp_path / "c.jsonl", rows), columns=columns).row(0, named=True)
    assert (row["headline"], row["body"], row["outlet"]) == ("A headline", "The body.", "Reuters")
    # Mapped outlet: `source` is no longer looked at, even when it is a name.
    row = read_corpus(tmp_path / "c.jsonl", columns=column_map({"outlet": "text"})).row(0, named=True)
    assert row["outlet"] == "A headline" and json.loads(row["meta"]) == {"source": "Reuters"}


def test_a_record_without_the_mapped_value(tmp_path: Path) -> None:
    """The column exists in the file; a record where it is null or empty has no outlet."""
    rows = [
        {"category": "sport", "body": "One."},
        {"category": None, "body": "Two."},
        {"category": " ", "body": "Three."},
        {"body": "Four."},
    ]
    frame = read_corpus(write_jsonl(tmp_path / "c.jsonl", rows), columns=OUTLET_IS_CATEGORY)
    assert frame["outlet"].to_list() == ["sport", "unknown", "unknown", "unknown"]


def test_a_mapped_value_is_checked_like_the_usual_one(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [{"category": 3, "body": "Text."}])
    with pytest.raises(InputError, match=r"c.jsonl:1: `category` must be text, not int 3"):
        read_corpus(path, columns=OUTLET_IS_CATEGORY)
    path = write_jsonl(tmp_path / "c.jsonl", [{"category": "sport", "content": "  "}])
    with pytest.raises(InputError, match=r"record with no body \(give every article a non-empty `content` field \(mapped to body\)\)"):
        read_corpus(path, columns=column_map({"body": "content"}))


def test_parquet_types_follow_the_mapping(tmp_path: Path) -> None:
    """The mapped column must hold text; the column it replaced is an ordinary extra column."""
    path = write_parquet(tmp_path / "c.parquet", [{"category": 3, "outlet": 7, "body": "Text."}])
    with pytest.raises(InputError, match=r"column `category` has type Int64, expected String"):
        read_corpus(path, columns=OUTLET_IS_CATEGORY)
    write_parquet(path, [{"category": "sport", "outlet": 7, "body": "Text."}])
    row = read_corpus(path, columns=OUTLET_IS_CATEGORY).row(0, named=True)
    assert row["outlet"] == "sport" and json.loads(row["meta"]) == {"outlet": 7}
    with pytest.raises(InputError, match=r"column `outlet` has type Int64, expected String"):
        read_corpus(path)  # unmapped, `outlet` is the outlet again


# -- a mapped column the corpus does not have ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_a_missing_mapped_column_names_file_column_and_columns_found(tmp_path: Path, fmt: str) -> None:
    path = WRITERS[fmt](tmp_path, bbc_rows(3))
    with pytest.raises(InputError) as info:
        read_corpus(path, columns=column_map({"outlet": "categry"}))
    assert info.value.where == str(path)
    assert info.value.message == (
        "the column `categry` mapped to outlet is not in the file; columns found: `id`, `category`, `title`, `text`"
    )
    assert info.value.hint == "fix the column name in the mapping"


def test_a_missing_mapped_column_in_a_folder_of_text_files(tmp_path: Path) -> None:
    """One article per file: a front matter key missing from one file is a missing value."""
    rows = bbc_rows(3)
    rows[1].pop("category")
    folder = write_md_folder(tmp_path / "articles", rows)
    frame = read_corpus(folder, columns=OUTLET_IS_CATEGORY)
    assert frame["outlet"].to_list() == ["business", "unknown", "tech"]
    with pytest.raises(InputError) as info:
        read_corpus(folder, columns=column_map({"outlet": "desk"}))
    assert info.value.where == str(folder)
    assert info.value.message.startswith("the column `desk` mapped to outlet is in no file of the folder; columns found: `id`")


def test_each_record_file_of_a_folder_needs_the_mapped_column(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", bbc_rows(2))
    write_jsonl(folder / "b.jsonl", [{"title": "t", "text": "Body."}])
    with pytest.raises(InputError) as info:
        read_corpus(folder, columns=OUTLET_IS_CATEGORY)
    assert info.value.where is not None and info.value.where.endswith("b.jsonl")


def test_streaming_finds_a_mapped_column_past_the_first_batch(tmp_path: Path) -> None:
    """JSONL: a column first seen after the first batch is fine; one never seen fails before any batch."""
    rows: list[dict[str, Any]] = [{"id": f"d{i}", "text": f"Body {i}."} for i in range(30)]
    rows[25]["category"] = "late"
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    frames = list(iter_article_batches(path, batch_size=10, columns=OUTLET_IS_CATEGORY))
    assert pl.concat(frames)["outlet"].to_list().count("late") == 1
    batches = iter_article_batches(path, batch_size=10, columns=column_map({"outlet": "desk"}))
    with pytest.raises(InputError, match=r"the column `desk` mapped to outlet is not in the file; columns found: `id`, `text`, `category`"):
        next(batches)


# -- the warning about a column that looks like the outlet ---------------------------------------


def _frame(rows: list[dict[str, Any]], tmp_path: Path, columns: ColumnMap = NO_COLUMNS) -> pl.DataFrame:
    return read_corpus(write_jsonl(tmp_path / "w.jsonl", rows), columns=columns)


def test_warning_names_a_grouping_column(tmp_path: Path) -> None:
    read = load_corpus(write_jsonl(tmp_path / "bbc.jsonl", bbc_rows()))
    assert read.warnings == (
        f"{tmp_path / 'bbc.jsonl'}: no column names the articles' outlet, so every outlet is 'unknown'; "
        "column `category` looks like a grouping (3 values: business, sport, tech) "
        '(to use it as the outlet: --column outlet=category, or columns = { outlet = "category" } '
        "under [corpus] in the experiment)",
    )
    assert load_corpus(tmp_path / "bbc.jsonl", columns=OUTLET_IS_CATEGORY).warnings == ()


def test_grouping_columns_by_name_or_by_shape(tmp_path: Path) -> None:
    rows = [
        {
            "body": f"Text {i}.",
            "desk": ("metro", "world")[i % 2],  # few values shared by many: a grouping
            "author": f"Writer {i}",  # one per article: not a grouping
            "words": i,  # not text
            "story": f"s{i % 3}",  # a story key, not an outlet
            "url": f"https://x.example/{i % 2}",  # not a name
            "site": "example.com" if i == 0 else None,  # named, but in too few articles
        }
        for i in range(10)
    ]
    assert [(g.column, g.values) for g in grouping_columns(_frame(rows, tmp_path))] == [("desk", ("metro", "world"))]
    rows = [{"body": f"Text {i}.", "desk": ("a", "b")[i % 2], "section": f"S{i}"} for i in range(10)]
    found = grouping_columns(_frame(rows, tmp_path))
    assert [g.column for g in found] == ["section", "desk"]  # a grouping name first, whatever its count


def test_no_warning_when_an_outlet_is_given_or_mapped(tmp_path: Path) -> None:
    rows = bbc_rows()
    rows[0]["outlet"] = "BBC"
    frame = _frame(rows, tmp_path)
    assert grouping_warning(frame, NO_COLUMNS, "w.jsonl") is None  # one article names its outlet
    rows = bbc_rows()
    rows[0]["source"] = "BBC"  # a name in `source` is an outlet too
    assert grouping_warning(_frame(rows, tmp_path), NO_COLUMNS, "w.jsonl") is None
    mapped_to_nothing = column_map({"outlet": "category"})
    rows = [{**r, "category": None, "section": "x"} for r in bbc_rows()]
    frame = _frame(rows, tmp_path, mapped_to_nothing)
    assert set(frame["outlet"]) == {"unknown"}
    assert grouping_warning(frame, mapped_to_nothing, "w.jsonl") is None  # the user chose the column


def test_warning_suggests_a_usable_option_for_an_odd_name(tmp_path: Path) -> None:
    rows = [{"body": f"Text {i}.", "news desk": ("a", "b")[i % 2]} for i in range(6)]
    warning = grouping_warning(_frame(rows, tmp_path), NO_COLUMNS, "w.jsonl")
    assert warning is not None
    assert "--column 'outlet=news desk'" in warning and 'columns = { outlet = "news desk" }' in warning


def test_streaming_warns_once_from_the_first_batch(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "bbc.jsonl", bbc_rows(30))
    heard: list[str] = []
    batches = list(iter_article_batches(path, batch_size=10, on_warning=heard.append))
    assert len(batches) == 3 and len(heard) == 1 and "column `category` looks like a grouping" in heard[0]
    heard.clear()
    list(iter_article_batches(path, batch_size=10, on_warning=heard.append, columns=OUTLET_IS_CATEGORY))
    assert heard == []


# -- experiment files -----------------------------------------------------------------------------

BASE = 'name = "x"\nversion = "1"\n[[steps]]\nuse = "profile_articles"\n[corpus]\npath = "c.jsonl"\n'


def test_experiment_columns_are_parsed_and_hashed() -> None:
    plain = parse_experiment(BASE, file=Path("x.toml"))
    empty = parse_experiment(BASE + "columns = {}\n", file=Path("x.toml"))
    mapped = parse_experiment(BASE + 'columns = { outlet = "category", headline = "title" }\n', file=Path("x.toml"))
    assert mapped.corpus.columns.as_dict() == {"outlet": "category", "headline": "title"}
    # No mapping: the canonical config (hence every result id) is what it always was.
    assert "columns" not in plain.canonical()["corpus"] and empty.config_hash() == plain.config_hash()
    assert mapped.canonical()["corpus"]["columns"] == {"outlet": "category", "headline": "title"}
    assert mapped.config_hash() != plain.config_hash()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('columns = { category = "outlet" }', "corpus.columns: unknown article field 'category'"),
        ('columns = "outlet=category"', "key 'corpus.columns' must be a table, got \"outlet=category\""),
        ('columns = { outlet = "t", headline = "t" }', "corpus.columns: outlet and headline are both mapped to the column 't'"),
        ("columns = { outlet = 1 }", "corpus.columns: outlet must name a column (text), not 1"),
    ],
)
def test_experiment_columns_refused(line: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_experiment(BASE + line + "\n", file=Path("x.toml"))
    assert info.value.message == message
    assert info.value.where == "x.toml"


def test_text_files_put_their_body_where_the_mapping_reads_it(tmp_path: Path) -> None:
    """The body of a text file is the text after the front matter, whatever the body's column is called."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.md").write_text("---\ntext: A headline\nbody: a summary\n---\nThe article itself.\n", encoding="utf-8")
    row = read_corpus(folder, columns=column_map({"headline": "text", "body": "content"})).row(0, named=True)
    assert (row["headline"], row["body"]) == ("A headline", "The article itself.")
    assert json.loads(row["meta"]) == {"body": "a summary"}  # an ordinary key once the body is mapped
    with pytest.raises(InputError, match=r"front matter has a `body` key, but the body is the text after the front matter"):
        read_corpus(folder, columns=column_map({"headline": "text"}))
