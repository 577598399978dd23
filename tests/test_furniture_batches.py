"""Page furniture learned in two passes over batches is the furniture learned from every article at once.

``harness.wirediff.furniture_batches`` holds a hash per (article, segment) instead of
every segment's text; the rows must be ``learn_furniture``'s, in doc_id order, for any
order of the articles, any batch size and any hash collisions.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import harness.wirediff.furniture_batches as furniture_batches
import harness.wirediff.pairwork as pairwork
from harness.wirediff.boilerplate import FurnitureRow, learn_furniture
from harness.wirediff.furniture_batches import furniture_in_batches

SEGMENTS = [
    "Follow us on the Valley Herald app for more local news.",
    "Reporting by Ann Lee; editing by Bo Chan.",
    "Eastbrook has about 40,000 residents.",
    "Sign up for the morning briefing.",
    "The council meets again on Tuesday.",
    "Photograph: Valley Herald archive.",
]
OUTLETS = ["Valley Herald", "Daily Post", "Wire", None]
HEADLINES = ["Council passes budget", "Bridge closes", "School opens", "Storm hits coast", None]

Article = tuple[str | None, str | None, str | None]


def _eager(articles: pl.DataFrame, least: int) -> list[FurnitureRow]:
    """``learn_furniture`` as ``compare_pairs`` calls it: every article, in doc_id order."""
    rows = articles.sort("doc_id").select("outlet", "headline", "body").iter_rows()
    return learn_furniture(list(rows), min_articles=least)


def _frame(articles: list[Article]) -> pl.DataFrame:
    doc_ids = [f"d{(n * 7919) % 1009:04d}" for n in range(len(articles))]  # not in table order
    outlets, headlines, bodies = zip(*articles, strict=True) if articles else ((), (), ())
    schema = dict.fromkeys(("doc_id", "outlet", "headline", "body"), pl.String())
    return pl.DataFrame(
        {"doc_id": doc_ids, "outlet": list(outlets), "headline": list(headlines), "body": list(bodies)}, schema=schema
    )


def _body(paragraphs: list[int], story: int) -> str:
    own = f"Story {story} begins with a long sentence of its own about the matter at hand in town."
    return "\n\n".join([own, *(SEGMENTS[p] for p in paragraphs)])


articles_strategy = st.lists(
    st.tuples(
        st.sampled_from(OUTLETS),
        st.sampled_from(HEADLINES),
        st.one_of(st.none(), st.builds(_body, st.lists(st.integers(0, len(SEGMENTS) - 1), max_size=4), st.integers(0, 3))),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(articles=articles_strategy, least=st.integers(2, 4), batch=st.integers(1, 9))
def test_two_passes_over_batches_give_the_rows_of_every_article_at_once(
    articles: list[Article], least: int, batch: int
) -> None:
    frame = _frame(articles)
    expected = _eager(frame, least)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(furniture_batches, "READ_ROWS", batch)
        assert furniture_in_batches(frame.lazy(), min_articles=least) == expected


def _many_articles() -> pl.DataFrame:
    """Furniture in three outlets; a line every article has; a line one outlet repeats
    and two others print once each; and updates of one story."""
    articles: list[Article] = []
    for n in range(30):
        outlet = OUTLETS[n % 3]
        paragraphs = [n % 2, 2, 5] if outlet == "Valley Herald" else [3 + n % 2, 2]
        if n in (1, 2):  # Daily Post and Wire print the Valley Herald's line once, and nothing repeated
            articles.append((outlet, f"Their own story {n}", _body([5], 10 + n)))
            continue
        articles.append((outlet, f"{HEADLINES[n % 4]} {n // 8}", _body(paragraphs, n % 4)))
    return _frame(articles)


def test_the_example_has_furniture_and_shared_lines_that_are_none() -> None:
    expected = _eager(_many_articles(), 2)
    assert {row.outlet for row in expected} == {"Valley Herald", "Daily Post", "Wire"}
    # Three outlets have each of these lines: text they share, not one outlet's chrome;
    # the second only once in two of them, which the second pass must read too.
    assert not any(row.segment in (SEGMENTS[2], SEGMENTS[5]) for row in expected)
    assert furniture_in_batches(_many_articles().lazy(), min_articles=2) == expected
    valley = [row for row in _eager(_many_articles(), 4) if row.outlet == "Valley Herald"]
    assert SEGMENTS[5] in {row.segment for row in valley}  # at 4, the other two outlets are too few to share it


def test_every_hash_colliding_gives_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A collision only makes the second pass read more: the rows stay exact."""
    articles = _many_articles()
    for module in (furniture_batches, pairwork):  # pass 1 hashes in pairwork's task, pass 2 here
        monkeypatch.setattr(module, "segment_key_hash", lambda key: 0)
    monkeypatch.setattr(furniture_batches, "_OUTLET_MIX", np.uint64(0))  # every outlet's counts merged too
    monkeypatch.setattr(furniture_batches, "READ_ROWS", 7)
    for least in (2, 3, 4):
        assert furniture_in_batches(articles.lazy(), min_articles=least) == _eager(articles, least)
    assert furniture_in_batches(articles.lazy(), min_articles=31) == []


def test_a_segments_hash_is_the_furniture_tables() -> None:
    """The same in every process (BLAKE2b, not Python's salted hash): pass 1 runs on workers."""
    from harness.wirediff.boilerplate import segment_hash

    assert pairwork.segment_key_hash("sign up for the morning briefing") == int(
        segment_hash("sign up for the morning briefing"), 16
    )


def test_no_articles_no_furniture() -> None:
    assert furniture_in_batches(_frame([]).lazy(), min_articles=2) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 3)), max_size=40),  # (segment, outlet) of each row
    st.integers(0, 6),
)
def test_repeated_hashes_are_those_an_outlet_has_least_times(rows: list[tuple[int, int]], least: int) -> None:
    """Pass 1's count, against a Counter: a segment's hash is kept when one outlet has it
    ``least`` times or more (``least`` 0 or 1: every hash), fewer rows than that included."""
    hashes = np.array([segment for segment, _ in rows], dtype=np.uint64)
    mixed = np.array([segment * 10 + outlet for segment, outlet in rows], dtype=np.uint64)
    counts: dict[int, int] = {}
    for value in mixed.tolist():
        counts[value] = counts.get(value, 0) + 1
    expected = sorted({value // 10 for value, count in counts.items() if count >= least})
    found = furniture_batches._repeated_hashes(hashes, mixed, least)
    assert found.dtype == np.uint64
    assert found.tolist() == expected
