"""Typography is style, and nested edits (issue 13, deliverables 3 and 4).

Scraped copies differ in quote glyphs, dashes, spacing, compounding and
elisions; none of that is a substantive edit, and no substantive edit is ever
explained as punctuation only. An edit that contains other recognised changes
lists them as sub-edits, which complete the per-category counts without
counting twice in the shares.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.wirediff import Category, DiffResult, Kind, apply_edits, diff_articles, diff_texts, to_json
from harness.wirediff.lexicon import lexicon
from harness.wirediff.typography import typographic_difference

C = Category


def _edits(a: str, b: str) -> list[tuple[Category, str, str]]:
    return [(e.category, e.a_text, e.b_text) for e in diff_texts(a, b).edits]


# ----------------------------------------------------------------- the folds


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        ("Russia ’s", "Russia's", "typography.glyphs"),  # detached, curly
        ("Court´s", "Court’s", "quote_style.glyphs"),  # an accent used as apostrophe
        ("‘‘", "“", "quote_style.glyphs"),  # doubled single marks for one double
        ("``Yes", "“Yes", "quote_style.glyphs"),
        ("6′", "6'", "quote_style.glyphs"),  # a prime for an apostrophe
        ("a - b", "a – b", "typography.dash"),
        ("_", "--", "typography.dash"),  # a keyboard dash both ways
        ("war—and", "war -- and", "typography.glyphs"),
        ("( AP )", "(AP)", "typography.spacing"),
        ("non-binding", "nonbinding", "compounding.join"),
        ("multi-year", "multiyear", "compounding.join"),
        ("re-entry", "reentry", "compounding.join"),
        ("cyber assets", "cyberassets", "compounding.join"),
        ("don't", "dont", "typography.elision"),
        ("witch hunt.", '"witch hunt."', "scare_quotes.marks"),
        ('"', "", "quote_style.unpaired"),
    ],
)
def test_typographic_fold_names_the_difference(a: str, b: str, rule: str) -> None:
    found = typographic_difference(a, b, lexicon())
    assert found is not None and found.rule == rule
    back = typographic_difference(b, a, lexicon())
    assert back is not None and back.rule == rule


@pytest.mark.parametrize(
    ("a", "b"),
    [("Iran", "Iraq"), ("a part", "apart"), ("its", "it"), ("war.", "war?"), ("5", "6"), ("war", "wars"), (":", "/")],
)
def test_more_than_typography_is_no_typographic_difference(a: str, b: str) -> None:
    assert typographic_difference(a, b, lexicon()) is None


# ----------------------------------------------------------- in the diff


def test_issue_cases_are_style_in_the_diff() -> None:
    assert _edits("Russia ’s war", "Russia's war") == [(C.TYPOGRAPHY, "Russia ’s", "Russia's")]
    assert _edits("a non-binding vote", "a nonbinding vote") == [(C.COMPOUNDING, "non-binding", "nonbinding")]
    assert _edits("I don't know", "I dont know") == [(C.TYPOGRAPHY, "don't", "dont")]
    assert _edits("talks _ then", "talks -- then") == [(C.TYPOGRAPHY, "_", "--")]
    assert _edits("new cyber assets", "new cyberassets") == [(C.COMPOUNDING, "cyber assets", "cyberassets")]


def test_scare_quotes_are_their_own_style_category() -> None:
    edits = diff_texts("He labeled it a witch hunt. Then left.", 'He labeled it a "witch hunt." Then left.').edits
    assert [(e.category, e.kind, e.a_text, e.b_text) for e in edits] == [
        (C.SCARE_QUOTES, Kind.STYLE, "witch hunt.", '"witch hunt."')
    ]


def test_a_lone_mark_next_to_a_changed_one_is_one_quote_style_edit() -> None:
    a, b = "‘‘We will go,’’ he said.", "“We will go,” he said."
    edits = diff_texts(a, b).edits
    assert [(e.category, e.a_text, e.b_text) for e in edits] == [
        (C.QUOTE_STYLE, "‘‘", "“"),
        (C.QUOTE_STYLE, "’’", "”"),
    ]


def test_quote_marks_dropped_with_a_quotation_stay_with_it() -> None:
    edits = diff_texts('He said: "We will win the war." Then left.', "He said: Then left.").edits
    assert [(e.kind, e.a_text.strip()) for e in edits] == [(Kind.SUBSTANTIVE, '"We will win the war."')]


def test_punctuation_or_case_alone_is_never_substantive() -> None:
    assert _edits("Photo: AP Images", "Photo/AP Images")[0] == (C.PUNCTUATION, ":", "/")
    assert _edits("Is it over? Yes.", "Is it over! Yes.") == [(C.PUNCTUATION, "?", "!")]
    assert [e.kind for e in diff_texts("the WHITE HOUSE said", "the White House said").edits] == [Kind.STYLE] * 2


def test_typographic_edits_keep_the_shares_out() -> None:
    result = diff_texts("A non-binding vote, Russia ’s ‘‘idea’’.", "A nonbinding vote, Russia's “idea”.")
    assert result.count(Kind.SUBSTANTIVE) == 0 and result.substantive_share == 0.0


# ------------------------------------------------------------- properties

WORDS = ["Russia's", "Ukraine", "talks", "don't", "said", "the", "non-binding", "war", "it's", "peace", "Kyiv"]


def _restyle(draw: st.DrawFn, text: str) -> str:
    """Random typographic substitutions: quotes, apostrophes, dashes, their spacing."""
    def quote(match: re.Match[str]) -> str:
        return draw(st.sampled_from(['"', "“", "”", "‘‘", "’’", "``", "''", "″"]))

    def apostrophe(match: re.Match[str]) -> str:
        return draw(st.sampled_from(["'", "’", "ʼ", "´", " ’", " '"]))

    def dash(match: re.Match[str]) -> str:
        return draw(st.sampled_from([" - ", " – ", " — ", " -- ", "--", "—", " _ "]))

    text = re.sub(r'"', quote, text)
    text = re.sub(r"(?<=\w)'(?=\w)", apostrophe, text)
    return re.sub(r" - ", dash, text)


@st.composite
def restyled_pair(draw: st.DrawFn) -> tuple[str, str]:
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(WORDS),
                st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(lambda ws: '"' + " ".join(ws) + '"'),
                st.just("-"),
            ),
            min_size=1,
            max_size=25,
        )
    )
    text = " ".join(parts) + "."
    return text, _restyle(draw, text)


@settings(max_examples=150, deadline=None)
@given(restyled_pair())
def test_only_typography_changed_means_no_substantive_edit(pair: tuple[str, str]) -> None:
    a, b = pair
    for x, y in ((a, b), (b, a)):
        result = diff_texts(x, y)
        assert [e for e in result.edits if e.kind is Kind.SUBSTANTIVE] == [], (x, y)
        assert apply_edits(x, result.edits) == y


NEWS = st.lists(st.sampled_from([*WORDS, "U.S.", "US", "President", "president", "Zelenskiy", "Zelenskyy", ",", '"']),
                max_size=30).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(NEWS)
def test_a_text_against_itself_has_no_edit(text: str) -> None:
    result = diff_texts(text, text)
    assert result.edits == () and result.counts_by_category() == dict.fromkeys(result.counts_by_category(), 0)


def _check_sub_edits(result: DiffResult, a: str, b: str) -> None:
    for edit in result.edits:
        for sub in edit.sub_edits:
            assert sub.kind is Kind.STYLE and sub.category is not edit.category and not sub.sub_edits
            assert edit.a_start <= sub.a_start < sub.a_end <= edit.a_end and a[sub.a_start : sub.a_end] == sub.a_text
            assert edit.b_start <= sub.b_start < sub.b_end <= edit.b_end and b[sub.b_start : sub.b_end] == sub.b_text
    everything = Counter(e.category.value for e in result.all_edits())
    assert result.counts_by_category() == {c.value: everything.get(c.value, 0) for c in Category}
    assert sum(result.counts_by_kind().values()) == len(result.edits)  # shares: each change once


@settings(max_examples=150, deadline=None)
@given(NEWS, NEWS)
def test_sub_edit_counts_are_consistent(a: str, b: str) -> None:
    _check_sub_edits(diff_texts(a, b), a, b)


# ------------------------------------------------------------ nested edits


def test_a_restyled_title_reports_the_abbreviation_inside() -> None:
    a = "He met U.S. President Donald Trump on Monday."
    b = "He met the US president, Donald Trump, on Monday."
    result = diff_texts(a, b)
    (title,) = [e for e in result.edits if e.category is C.TITLE_STYLE]
    assert [(s.category, s.a_text, s.b_text) for s in title.sub_edits] == [(C.ABBREVIATION, "U.S.", "US")]
    assert result.counts_by_category()["abbreviation"] == 1
    assert result.counts_by_kind()["style"] == len(result.edits)
    _check_sub_edits(result, a, b)
    data = to_json(result)
    (title_json,) = [e for e in data["edits"] if e["category"] == "title_style"]
    assert title_json["sub_edits"][0]["a_text"] == "U.S." and data["counts"]["category"]["abbreviation"] == 1


def test_sub_edits_mirror_with_their_parent() -> None:
    a = "Ukrainian President Volodymyr Zelenskiy spoke."
    b = "The Ukrainian president, Volodymyr Zelenskyy, spoke."
    forward, backward = diff_texts(a, b), diff_texts(b, a)
    subs = [(s.category, s.a_text, s.b_text) for e in forward.edits for s in e.sub_edits]
    back = [(s.category, s.b_text, s.a_text) for e in backward.edits for s in e.sub_edits]
    assert subs == back == [(C.SPELLING, "Zelenskiy", "Zelenskyy")]


def test_headline_and_body_sub_edits_carry_their_segment() -> None:
    result = diff_articles("U.S. President Donald Trump speaks", "x", "The US president, Donald Trump, speaks", "x")
    assert [s.segment.value for e in result.edits for s in e.sub_edits] == ["headline"]


def test_seed_pair_counts_every_spelling_and_the_abbreviation() -> None:
    from harness.wirediff import load_style
    from tests.test_wirediff_seed import STYLES, load_seed_articles

    seed = load_seed_articles()
    result = diff_texts(
        seed["Reuters"][1],
        seed["The Guardian"][1],
        a_style=load_style("Reuters", STYLES),
        b_style=load_style("The Guardian", STYLES),
    )
    counts = result.counts_by_category()
    assert counts["spelling"] == 4 and counts["abbreviation"] == 1 and counts["title_style"] == 4
    assert result.count(Kind.SUBSTANTIVE) == 1 and result.substantive_share == pytest.approx(1 / 24)
    zelenskiy = [e for e in result.all_edits() if (e.a_text, e.b_text) == ("Zelenskiy", "Zelenskyy")]
    assert len(zelenskiy) == 3 and all(e.category is C.SPELLING for e in zelenskiy)  # + one Zelenskiy's
    _check_sub_edits(result, seed["Reuters"][1], seed["The Guardian"][1])
