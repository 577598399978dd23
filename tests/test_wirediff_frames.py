"""Batch comparison over polars frames (the experiment step's entry point)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import harness.wirediff.frames as frames
from harness.corpus.schema import ARTICLE_SCHEMA
from harness.errors import InputError
from harness.results.hashing import table_bytes
from harness.wirediff import EDITS_SCHEMA, PAIRS_SCHEMA, STYLE_RULES_SCHEMA, compare_pairs
from harness.wirediff.pairwork import EDIT_COLUMNS
from tests.test_wirediff_seed import load_seed_articles

STYLES = Path(__file__).resolve().parent.parent / "experiments" / "styles"
IDS = {"Reuters": "r", "The Guardian": "g", "Daily Mail": "m"}


@pytest.fixture(scope="module")
def articles() -> pl.DataFrame:
    rows = [
        {"doc_id": IDS[outlet], "outlet": outlet, "headline": headline, "body": body, "published": None,
         "source": f"seed:{IDS[outlet]}", "meta": "{}"}
        for outlet, (headline, body) in sorted(load_seed_articles().items())
    ]
    rows.append({"doc_id": "e", "outlet": "Empty Post", "headline": "", "body": "", "published": None,
                 "source": "seed:e", "meta": "{}"})
    return pl.DataFrame(rows, schema=ARTICLE_SCHEMA)


@pytest.fixture(scope="module")
def tables(articles: pl.DataFrame) -> dict[str, pl.DataFrame]:
    pairs = pl.DataFrame({"a_doc_id": ["r", "r", "r", "r", "e"], "b_doc_id": ["m", "g", "g", "e", "e"]})
    return compare_pairs(articles, pairs, styles_dir=STYLES)


def test_tables_follow_their_declared_schemas(tables: dict[str, pl.DataFrame]) -> None:
    assert sorted(tables) == ["edits", "furniture", "pairs", "style_rules"]
    assert tables["pairs"].schema == pl.Schema(PAIRS_SCHEMA)
    assert tables["edits"].schema == pl.Schema(EDITS_SCHEMA)
    assert tables["style_rules"].schema == pl.Schema(STYLE_RULES_SCHEMA)


def test_one_row_per_distinct_pair_in_id_order(tables: dict[str, pl.DataFrame]) -> None:
    pairs = tables["pairs"]
    assert pairs.select("a_doc_id", "b_doc_id").rows() == [("e", "e"), ("r", "e"), ("r", "g"), ("r", "m")]
    guardian = pairs.row(2, named=True)
    assert (guardian["a_outlet"], guardian["b_outlet"]) == ("Reuters", "The Guardian")
    assert (guardian["a_style"], guardian["b_style"]) == ("Reuters", "The Guardian")
    assert guardian["derivation"] == "wholly"
    assert (guardian["style_edits"], guardian["boilerplate_edits"], guardian["substantive_edits"]) == (23, 1, 1)
    assert guardian["substantive_share"] == pytest.approx(1 / 24)
    assert guardian["headline_edits"] > 0
    assert pairs.row(3, named=True)["derivation"] == "non"


def test_undefined_numbers_are_nulls(tables: dict[str, pl.DataFrame]) -> None:
    empty = tables["pairs"].row(0, named=True)
    assert empty["a_words"] == 0 and empty["b_words"] == 0
    for column in ("token_jaccard", "shingle_containment", "edit_distance", "copied_share", "substantive_share",
                   "substantive_b_share", "headline_token_jaccard"):
        assert empty[column] is None
    assert empty["b_style"] == "Generic"


def test_edits_table_holds_every_json_field(tables: dict[str, pl.DataFrame]) -> None:
    edits = tables["edits"].filter((pl.col("a_doc_id") == "r") & (pl.col("b_doc_id") == "g"))
    body = edits.filter(pl.col("segment") == "body")
    assert body.height == 27  # 25 edits and 2 sub-edits (U.S. / US and one Zelenskiy / Zelenskyy in titles)
    top = body.filter(pl.col("parent_edit").is_null())
    assert top.height == 25
    subs = body.filter(pl.col("parent_edit").is_not_null())
    assert sorted(subs["category"].to_list()) == ["abbreviation", "spelling"]
    for sub in subs.iter_rows(named=True):
        parent = edits.filter(pl.col("edit_index") == sub["parent_edit"]).row(0, named=True)
        assert parent["category"] == "title_style" and parent["parent_edit"] is None
        assert parent["a_start"] <= sub["a_start"] < sub["a_end"] <= parent["a_end"]
        assert parent["b_start"] <= sub["b_start"] < sub["b_end"] <= parent["b_end"]
    dateline = body.filter(pl.col("category") == "dateline").row(0, named=True)
    assert dateline["kind"] == "boilerplate" and dateline["a_text"] == "ISTANBUL, July 23 (Reuters) - "
    assert (dateline["a_start"], dateline["a_end"], dateline["b_start"], dateline["b_end"]) == (0, 30, 0, 0)
    assert edits["edit_index"].to_list() == list(range(edits.height))
    assert edits.filter(pl.col("segment") == "headline")["edit_index"].max() < body["edit_index"].min()


def test_learned_style_table_counts_variant_pairs(tables: dict[str, pl.DataFrame]) -> None:
    rules = tables["style_rules"].filter(pl.col("b_outlet") == "The Guardian")
    as_dict = {(r["category"], r["a_form"], r["b_form"]): r["count"] for r in rules.iter_rows(named=True)}
    assert as_dict[("quote_style", '"', "'")] == 12
    assert as_dict[("spelling", "Zelenskiy", "Zelenskyy")] == 4
    assert as_dict[("date_format", "<Month> <d>", "<d> <Month>")] == 2
    assert as_dict[("title_style", "<Title> <name>", "the <title>, <name>,")] == 1
    assert as_dict[("attribution_order", "<subject> said", "said <subject>")] == 1
    counts = rules["count"].to_list()
    categories = rules["category"].to_list()
    assert categories == sorted(categories)
    for category in set(categories):
        mine = [c for c, cat in zip(counts, categories, strict=True) if cat == category]
        assert mine == sorted(mine, reverse=True)


def test_same_tables_every_run(articles: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> None:
    pairs = pl.DataFrame({"a_doc_id": ["e", "r", "r", "r"], "b_doc_id": ["e", "g", "e", "m"]})
    again = compare_pairs(articles, pairs, styles_dir=STYLES)
    for name, frame in tables.items():
        assert again[name].equals(frame), name


def test_unknown_ids_and_missing_columns_are_input_errors(articles: pl.DataFrame) -> None:
    with pytest.raises(InputError) as caught:
        compare_pairs(articles, pl.DataFrame({"a_doc_id": ["r", "x"], "b_doc_id": ["g", "g"]}), styles_dir=STYLES)
    assert caught.value.where == "pairs record 1"
    with pytest.raises(InputError, match="b_doc_id"):
        compare_pairs(articles, pl.DataFrame({"a_doc_id": ["r"]}), styles_dir=STYLES)
    with pytest.raises(InputError, match="duplicate doc_id"):
        compare_pairs(pl.concat([articles, articles]), pl.DataFrame({"a_doc_id": ["r"], "b_doc_id": ["g"]}),
                      styles_dir=STYLES)


def test_a_lazy_articles_table_gives_the_same_tables(articles: pl.DataFrame, tables: dict[str, pl.DataFrame]) -> None:
    """A corpus too large to hold comes as a lazy table (harness.run.spill)."""
    pairs = pl.DataFrame({"a_doc_id": ["r", "r", "r", "r", "e"], "b_doc_id": ["m", "g", "g", "e", "e"]})
    lazy = compare_pairs(articles.reverse().lazy(), pairs, styles_dir=STYLES)
    for name, frame in tables.items():
        assert lazy[name].equals(frame), name


@pytest.mark.parametrize(
    "doctor",
    [
        lambda a: pl.concat([a, a.head(2)]),  # a doc_id seen before, after every pair's article
        lambda a: pl.concat([a.head(1), a.head(4).with_columns(doc_id=pl.lit(None, pl.String()))]),
        lambda a: a.filter(pl.col("doc_id") != "g"),  # a pair names an article that is not there
        lambda a: a.drop("headline"),
    ],
    ids=["duplicate", "no doc_id", "unknown", "no column"],
)
def test_a_lazy_table_gives_the_same_errors(articles: pl.DataFrame, doctor: object) -> None:
    pairs = pl.DataFrame({"a_doc_id": ["r", "r"], "b_doc_id": ["m", "g"]})
    doctored = doctor(articles)  # type: ignore[operator]
    with pytest.raises(InputError) as eager:
        compare_pairs(doctored, pairs, styles_dir=STYLES)
    with pytest.raises(InputError) as lazy:
        compare_pairs(doctored.lazy(), pairs, styles_dir=STYLES)
    assert (lazy.value.message, lazy.value.where) == (eager.value.message, eager.value.where)


def test_no_pairs_gives_empty_tables(articles: pl.DataFrame) -> None:
    empty = pl.DataFrame(schema={"a_doc_id": pl.String(), "b_doc_id": pl.String()})
    result = compare_pairs(articles, empty, styles_dir=STYLES)
    assert all(frame.height == 0 for frame in result.values())
    assert result["pairs"].schema == pl.Schema(PAIRS_SCHEMA)
    assert result["edits"].schema == pl.Schema(EDITS_SCHEMA)


def test_the_edits_table_made_column_by_column_is_the_same_bytes(
    tables: dict[str, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """edits_frame lets each column's rows go once they are a series and, for a large
    table, hands the freed memory back (harness.engines.heap) before the next column."""
    edits = tables["edits"]
    assert edits.height > 1 and edits["parent_edit"].null_count() > 0  # nulls and numbers both
    returned: list[bool] = []
    monkeypatch.setattr(frames, "return_freed_memory", lambda: returned.append(True) or True)
    whole = pl.DataFrame({name: edits[name].to_list() for name in EDIT_COLUMNS}, schema=EDITS_SCHEMA)
    for large, calls in [(edits.height, len(EDIT_COLUMNS)), (edits.height + 1, 0)]:
        returned.clear()
        monkeypatch.setattr(frames, "RETURNED_ROWS", large)
        columns = [edits[name].to_list() for name in EDIT_COLUMNS]
        made = frames.edits_frame(columns)
        assert table_bytes(made) == table_bytes(whole) == table_bytes(edits)
        assert columns == [[] for _ in EDIT_COLUMNS]  # each list emptied
        assert len(returned) == calls


def test_reads_the_corpus_readers_table() -> None:
    from harness.corpus import read_corpus

    articles = read_corpus(Path(__file__).resolve().parent.parent / "seeds")
    by_outlet = dict(zip(articles["outlet"], articles["doc_id"], strict=True))
    pairs = pl.DataFrame({"a_doc_id": [by_outlet["Reuters"]], "b_doc_id": [by_outlet["The Guardian"]]})
    row = compare_pairs(articles, pairs, styles_dir=STYLES)["pairs"].row(0, named=True)
    assert row["derivation"] == "wholly"
    assert row["substantive_edits"] <= 2


def test_outlet_names_are_names_and_sheet_files_are_named_explicitly(articles: pl.DataFrame, tmp_path: Path) -> None:
    """An outlet called like a path gets the default sheet; ``style_files`` names a file for an outlet."""
    hostile = articles.with_columns(
        pl.when(pl.col("doc_id") == "g").then(pl.lit(str(STYLES / "guardian.toml"))).otherwise(pl.col("outlet")).alias("outlet")
    )
    pairs = pl.DataFrame({"a_doc_id": ["r"], "b_doc_id": ["g"]})
    row = compare_pairs(hostile, pairs, styles_dir=STYLES)["pairs"].row(0, named=True)
    assert (row["a_style"], row["b_style"]) == ("Reuters", "Generic")
    named = {str(STYLES / "guardian.toml"): STYLES / "guardian.toml"}
    row = compare_pairs(hostile, pairs, styles_dir=STYLES, style_files=named)["pairs"].row(0, named=True)
    assert (row["a_style"], row["b_style"]) == ("Reuters", "The Guardian")
    # The explicit file gives the same tables as the name lookup did for "The Guardian".
    by_name = compare_pairs(articles, pairs, styles_dir=STYLES)["edits"]
    by_file = compare_pairs(hostile, pairs, styles_dir=STYLES, style_files=named)["edits"]
    assert by_file.equals(by_name)


def test_a_missing_named_sheet_file_is_an_error(articles: pl.DataFrame, tmp_path: Path) -> None:
    from harness.errors import NotFoundError

    pairs = pl.DataFrame({"a_doc_id": ["r"], "b_doc_id": ["g"]})
    with pytest.raises(NotFoundError, match="style sheet not found"):
        compare_pairs(articles, pairs, styles_dir=STYLES, style_files={"Nobody": tmp_path / "nope.toml"})
