"""Aggregator pages: the seed page and other pages of the same layout."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from harness.corpus import (
    ARTICLE_SCHEMA,
    UNKNOWN_OUTLET,
    PageArticle,
    layout_resource,
    looks_like_aggregator_page,
    parse_aggregator_page,
    read_corpus,
)
from harness.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_bed8e93c8511a76b.txt"
DATA = Path(__file__).resolve().parent / "data" / "corpus"

FURNITURE = (
    "Hashtags",
    "Try Our AI Features",
    "Explore what",
    "can do for you",
    "Comments",
    "No comments yet",
    "Related Articles",
    "- The Guardian",
    "- Daily Mail",
    "- Reuters",
    "minutes ago",
    "hours ago",
)

SEED_HEADLINES = [
    "Russia says it expects agreement next week on date for next peace talks with Ukraine",
    "Russia and Ukraine agree new POW swaps but no progress on ceasefire talks",
    "Tulsi Gabbard details damning allegations against Hillary Clinton",
    "Russia, Ukraine discuss more POW swaps; no deal on ceasefire or leaders' meeting",
]


@pytest.fixture(scope="module")
def seed_articles() -> list[PageArticle]:
    return parse_aggregator_page(SEED.read_text(encoding="utf-8"))


def first_and_last_words(body: str) -> tuple[str, str]:
    words = body.split()
    return words[0], words[-1]


def test_seed_page_has_four_articles(seed_articles: list[PageArticle]) -> None:
    assert [a.outlet for a in seed_articles] == [None, "The Guardian", "Daily Mail", "Reuters"]
    assert [a.headline for a in seed_articles] == SEED_HEADLINES
    assert [a.line for a in seed_articles] == [2, 16, 23, 30]
    assert [(a.age, a.position) for a in seed_articles] == [
        (None, None),
        ("26 minutes ago", 1),
        ("2 hours ago", 2),
        ("2 hours ago", 3),
    ]


def test_seed_bodies_start_and_end_where_the_articles_do(seed_articles: list[PageArticle]) -> None:
    assert [first_and_last_words(a.body) for a in seed_articles] == [
        ("Kremlin", "fleet."),
        ("Russia", "advance."),
        ("Tulsi", "statement."),
        ("ISTANBUL,", "advance."),
    ]
    lead = seed_articles[0]
    assert lead.body.count("\n") == 3  # four paragraphs, one per line
    assert lead.body.startswith("Kremlin aide Vladimir Medinsky, who heads the Russian delegation,")


def test_no_furniture_reaches_a_body(seed_articles: list[PageArticle]) -> None:
    for article in seed_articles:
        for furniture in FURNITURE:
            assert furniture not in article.body, (article.headline, furniture)
        assert article.headline not in article.body


def test_seed_folder_reads_to_the_articles_table() -> None:
    frame = read_corpus(SEEDS)  # README.md is documentation and is skipped
    assert frame.schema == pl.Schema(ARTICLE_SCHEMA)
    assert frame["outlet"].to_list() == [UNKNOWN_OUTLET, "The Guardian", "Daily Mail", "Reuters"]
    assert frame["headline"].to_list() == SEED_HEADLINES
    assert frame["source"].to_list() == [
        "000_bed8e93c8511a76b.txt:2",
        "000_bed8e93c8511a76b.txt:16",
        "000_bed8e93c8511a76b.txt:23",
        "000_bed8e93c8511a76b.txt:30",
    ]
    assert frame["meta"].to_list() == [
        "{}",
        '{"age": "26 minutes ago", "position": 1}',
        '{"age": "2 hours ago", "position": 2}',
        '{"age": "2 hours ago", "position": 3}',
    ]
    assert frame["published"].to_list() == [None, None, None, None]
    assert frame["doc_id"].n_unique() == 4
    assert all(len(doc_id) == 16 for doc_id in frame["doc_id"])


def test_seed_file_read_directly_matches_folder_read() -> None:
    assert read_corpus(SEED).equals(read_corpus(SEEDS))


def test_page_with_other_outlets_and_multi_line_bodies() -> None:
    articles = parse_aggregator_page((DATA / "aggregator_two_related.txt").read_text(encoding="utf-8"))
    assert [(a.outlet, a.age, a.position) for a in articles] == [
        (None, None, None),
        ("BBC News", "5 minutes ago", 1),
        ("Al Jazeera", "1 day ago", 2),
    ]
    assert articles[0].headline == "Storm closes ports along the northern coast"
    assert articles[0].body.split("\n") == [
        "Harbour authorities closed three ports on Tuesday as a storm brought winds of up to 120 km/h.",
        '"We expect to reopen on Thursday," a port spokesperson said.',
    ]
    assert articles[1].body == (
        "Ferry operators cancelled all crossings on Tuesday.\nPassengers were offered refunds or later sailings."
    )
    assert articles[2].headline == "Fishermen count the cost of a week at anchor"
    for article in articles:
        assert "NewsBot" not in article.body and "Comments" not in article.body


def test_page_with_zero_related_articles() -> None:
    text = (DATA / "aggregator_no_related.txt").read_text(encoding="utf-8")
    assert looks_like_aggregator_page(text)
    (lead,) = parse_aggregator_page(text)
    assert lead.outlet is None
    assert lead.headline == "Council approves new bus lanes"
    assert lead.body == "The city council voted 31 to 12 on Monday to add bus lanes on four roads.\nWork will start in the spring."


def test_page_with_no_lead_item() -> None:
    text = "Related Articles\nReuters\n3 hours ago\n- Reuters\nA headline\nA body.\n"
    (article,) = parse_aggregator_page(text)
    assert (article.outlet, article.headline, article.body, article.line) == ("Reuters", "A headline", "A body.", 2)


def test_windows_line_endings_parse_the_same(seed_articles: list[PageArticle]) -> None:
    crlf = SEED.read_text(encoding="utf-8").replace("\n", "\r\n")
    assert parse_aggregator_page(crlf) == seed_articles


def test_a_dash_line_in_a_body_is_kept_unless_it_is_the_byline() -> None:
    text = (
        "Lead headline\nLead body.\nRelated Articles\n"
        "AP\n2 hours ago\n- AP\nHeadline\nFirst paragraph.\n- a bullet point\n- AP\nLast paragraph.\n"
    )
    articles = parse_aggregator_page(text)
    assert articles[1].body == "First paragraph.\n- a bullet point\nLast paragraph."


def test_byline_must_repeat_the_outlet() -> None:
    # Without the matching "- Outlet" line, "Reuters / 2 hours ago" is body text.
    text = "Lead headline\nLead body.\nReuters\n2 hours ago\n- Someone else\nMore.\nRelated Articles\n"
    (lead,) = parse_aggregator_page(text)
    assert lead.body == "Lead body.\nReuters\n2 hours ago\n- Someone else\nMore."


def test_plain_text_is_not_an_aggregator_page() -> None:
    assert not looks_like_aggregator_page("A headline\nA body that mentions Related Articles inline.\n")
    assert not looks_like_aggregator_page(SEED.read_text(encoding="utf-8").replace("Related Articles", "More"))


def test_fields_put_age_and_position_in_meta(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    meta = [json.loads(m) for m in read_corpus(tmp_path)["meta"]]
    assert meta[1] == {"age": "26 minutes ago", "position": 1}


def test_page_without_any_article_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Hashtags\nComments\nRelated Articles\n", encoding="utf-8")
    with pytest.raises(InputError, match="page.txt: aggregator page with no articles"):
        read_corpus(page)


def test_related_article_without_body_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Lead\nLead body.\nRelated Articles\nAP\n1 hour ago\n- AP\nOnly a headline\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"page.txt:4: record with no body"):
        read_corpus(page)


def test_layout_is_a_versioned_data_file() -> None:
    resource = layout_resource()
    assert resource.name == "aggregator_furniture.txt"
    assert resource.version == "1"
    assert "Related Articles" in resource.text()
