"""Page chrome in the wire-copy diff is boilerplate (issue 13): rules, learned furniture.

Every article here is made up for the test; none comes from a real page.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from harness.cli.app import app
from harness.wirediff import Category, Edit, Kind, apply_edits, compare_pairs, diff_texts
from harness.wirediff.boilerplate import judge, learn_furniture, normalise_segment, segment_hash

STYLES = Path(__file__).resolve().parent.parent / "experiments" / "styles"

STORY = [
    "The town council of Eastbrook approved a new budget on Tuesday after a long debate.",
    'Mayor Lena Ortiz said the plan would "protect libraries and parks" for another year.',
    "Opposition members argued that the tax rise was larger than voters had been promised.",
    "The budget now goes to the regional assembly, which is expected to vote next month.",
]


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def with_line(line: str, at: int, story: list[str] = STORY) -> str:
    """The story with ``line`` as a paragraph of its own before paragraph ``at``."""
    return article(*story[:at], line, *story[at:])


def body_edits(a: str, b: str) -> list[tuple[str, str, str]]:
    return [(e.kind.value, e.category.value, e.rule) for e in diff_texts(a, b).edits]


# ------------------------------------------------------------ rules per category

CHROME_LINES = [
    (Category.NAVIGATION, "Skip to main content"),
    (Category.NAVIGATION, "Local Sports Weather"),
    (Category.CAPTION_CREDIT, "Photo: Mara Quinn/Eastbrook Gazette"),
    (Category.CAPTION_CREDIT, "(AP Photo/Tomas Reyes, File)"),
    (Category.CAPTION_CREDIT, "FILE - In this March 2, 2021, file photo, council members meet in Eastbrook. The hall reopened last year."),
    (Category.PROMO, "Sign up for our Morning Briefing newsletter"),
    (Category.PROMO, "SIGN UP"),
    (Category.PROMO, "Advertisement"),
    (Category.PROMO, "Share this article on Facebook"),
    (Category.RELATED_LINKS, "Read more: Eastbrook library hours to be cut"),
    (Category.RELATED_LINKS, "Related stories from the Valley Herald"),
    (Category.RELATED_LINKS, "Why the regional assembly keeps delaying its vote"),
    (Category.WIDGET, "Eastbrook 14°C Partly cloudy"),
    (Category.WIDGET, "View 12 comments"),
    (Category.SCRIPT, "window._taboola = window._taboola || []; _taboola.push({mode: 'thumbs-a', placement: 'below'});"),
    (Category.TIMESTAMP, "Updated 9:14 am EST, Monday, March 4, 2024"),
    (Category.TIMESTAMP, "Published 04/03/2024 at 09:14"),
    (Category.BYLINE, "By JANE DOE and OMAR FIELD - Associated Press"),
    (Category.BYLINE, "Jane Doe and Omar Field, The Associated Press"),
    (Category.COPYRIGHT, "© 2024 Valley Media Group. All rights reserved."),
    (Category.WIRE_CREDIT, "Associated Press writer Ana Lima in Northport contributed to this report."),
]


@pytest.mark.parametrize(("category", "line"), CHROME_LINES, ids=[f"{c.value}:{t[:20]}" for c, t in CHROME_LINES])
@pytest.mark.parametrize("at", [0, 2, 4])
def test_a_chrome_line_in_one_copy_is_boilerplate_of_its_category(category: Category, line: str, at: int) -> None:
    a, b = article(*STORY), with_line(line, at)
    result = diff_texts(a, b)
    assert [(e.kind, e.category) for e in result.edits] == [(Kind.BOILERPLATE, category)]
    assert result.edits[0].b_text.strip() == line
    assert result.substantive_share is None  # no non-boilerplate edit left
    assert apply_edits(a, result.edits) == b


def test_the_rules_judge_whole_segments() -> None:
    assert judge("MOSCOW —", paragraph=False) is not None
    assert judge("Photo: Mara Quinn/Eastbrook Gazette", paragraph=True).category is Category.CAPTION_CREDIT  # type: ignore[union-attr]
    assert judge("The council said the photo was taken in March.", paragraph=True) is None


def test_a_dateline_against_a_timestamp_and_byline_header_is_one_boilerplate_edit() -> None:
    # The Associated Press's web header against a printed dateline: all chrome on both sides.
    a = article("EASTBROOK, Vermont — " + STORY[0], *STORY[1:])
    b = article("at 1:52 am JANE DOE The Associated Press", STORY[0], *STORY[1:])
    result = diff_texts(a, b)
    worded = [e for e in result.edits if e.rule != "punctuation.whitespace"]  # the line break after it is spacing
    assert [(e.kind, e.category) for e in worded] == [(Kind.BOILERPLATE, Category.DATELINE)]
    assert result.count(Kind.SUBSTANTIVE) == 0
    assert apply_edits(a, result.edits) == b


def test_chrome_next_to_a_real_change_splits_off_and_the_change_stays_substantive() -> None:
    extra = "The vote was nine to four, with two members absent."
    a = article(*STORY)
    b = article(*STORY[:2], "Advertisement", extra, *STORY[2:])
    kinds = [(e.kind, e.category) for e in diff_texts(a, b).edits]
    assert kinds == [(Kind.BOILERPLATE, Category.PROMO), (Kind.SUBSTANTIVE, Category.INSERTION)]


def test_chrome_swapped_for_text_keeps_the_text_substantive() -> None:
    a = article(*STORY[:3], "Sign up for our newsletter", STORY[3])
    b = article(*STORY[:3], "Council members will meet again on Friday.", STORY[3])
    result = diff_texts(a, b)
    assert sorted((e.kind.value, e.category.value) for e in result.edits) == [
        ("boilerplate", "promo"),
        ("substantive", "insertion"),
    ]
    assert apply_edits(a, result.edits) == b


# ------------------------------------------------ short sentences stay substantive

SHORT_SENTENCES = [
    "He resigned.",
    "Prices rose.",
    "Nobody was hurt.",
    "It was May 3.",
    "Reuters said nothing.",
    "The vote was 9 to 4.",
    "Share prices fell sharply on Monday.",
    "Ortiz said she would subscribe to the plan.",
    '"We won," Ortiz said.',
]


@pytest.mark.parametrize("sentence", SHORT_SENTENCES)
def test_a_short_sentence_is_never_boilerplate_for_being_short(sentence: str) -> None:
    as_paragraph = body_edits(article(*STORY), with_line(sentence, 2))
    inside = body_edits(article(*STORY), article(*STORY[:2], STORY[2] + " " + sentence, STORY[3]))
    assert [kind for kind, _, _ in as_paragraph] == ["substantive"]
    assert [kind for kind, _, _ in inside] == ["substantive"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ceasefire agreed in Gaza", "Talks collapse in Cairo"),  # two headline-like one-liners
        ("Council Approves Budget", "Mayor Resigns Over Budget"),  # two title-case one-liners
    ],
)
def test_a_text_of_one_line_is_no_page(a: str, b: str) -> None:
    assert {kind for kind, _, _ in body_edits(a, b)} == {"substantive"}


def test_a_hard_wrapped_text_has_no_menu_lines() -> None:
    # Lines broken mid-sentence (no blank lines): a line is not a paragraph, so an
    # inserted sentence that fills whole lines is not a "headline-like line".
    a = "The council met on Tuesday and approved the budget for next\nyear after a long and heated debate among its members.\nOpposition members said the rise in taxes was larger than\nvoters had been promised during the campaign last spring."
    extra = "Several Residents Who Attended The Meeting Left Early Because\nthe debate ran late into the night and the hall was cold.\n"
    b = a.replace("Opposition", extra + "Opposition")
    assert {kind for kind, _, _ in body_edits(a, b)} == {"substantive"}


def test_a_changed_word_inside_a_sentence_is_not_chrome() -> None:
    b = article(*STORY[:1], STORY[1].replace("another", "one more"), *STORY[2:])
    assert [kind for kind, _, _ in body_edits(article(*STORY), b)] == ["substantive"]


def test_a_changed_name_inside_a_byline_is_boilerplate() -> None:
    a = article("By JANE DOE - Associated Press", *STORY)
    b = article("By JANE DOE and OMAR FIELD - Associated Press", *STORY)
    assert {(kind, category) for kind, category, _ in body_edits(a, b)} == {("boilerplate", "byline")}


# ------------------------------------------------------------- learned furniture

HOUSE_LINE = "The Valley Herald is owned by its readers and answers to nobody else."

OTHER_STORIES = [
    [
        "A storm closed the coastal road between Northport and Eastbrook overnight.",
        "Crews expect to reopen one lane by Thursday evening, officials said.",
    ],
    [
        "The regional hospital opened a new children's ward on Saturday.",
        "Staff said the ward doubles the number of beds for young patients.",
    ],
]


def _frame(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["doc_id", "outlet", "headline", "body"], orient="row")


def _corpus() -> pl.DataFrame:
    """Outlet X prints its house line under every story; Y once, under its copy."""
    return _frame(
        [
            ("x1", "Valley Herald", "Council passes budget", article(*STORY, HOUSE_LINE)),
            ("x2", "Valley Herald", "Coastal road closed", article(*OTHER_STORIES[0], HOUSE_LINE)),
            ("x3", "Valley Herald", "Hospital opens ward", article(*OTHER_STORIES[1], HOUSE_LINE)),
            ("y1", "Daily Courier", "Eastbrook budget approved", article(*STORY)),
            ("y2", "Daily Courier", "Budget approved in Eastbrook", article(*STORY, HOUSE_LINE)),
            ("z1", "Plain Wire", "Eastbrook budget", article(*STORY)),
        ]
    )


def _edits_of(tables: dict[str, pl.DataFrame], a_id: str, b_id: str) -> list[tuple[str, str]]:
    edits = tables["edits"].filter(pl.col("a_doc_id") == a_id, pl.col("b_doc_id") == b_id, pl.col("segment") == "body")
    return [(r["kind"], r["category"]) for r in edits.iter_rows(named=True)]


def test_a_line_in_three_articles_of_an_outlet_is_its_furniture_and_no_one_elses() -> None:
    pairs = pl.DataFrame({"a_doc_id": ["z1", "z1"], "b_doc_id": ["x1", "y2"]})
    tables = compare_pairs(_corpus(), pairs, styles_dir=STYLES)
    furniture = tables["furniture"]
    assert furniture.to_dicts() == [
        {
            "outlet": "Valley Herald",
            "segment_hash": segment_hash(normalise_segment(HOUSE_LINE)),
            "segment": HOUSE_LINE,
            "articles_count": 3,
        }
    ]
    assert _edits_of(tables, "z1", "x1") == [("boilerplate", "outlet_furniture")]
    assert _edits_of(tables, "z1", "y2") == [("substantive", "insertion")]  # not the Courier's furniture
    pair_rows = {r["b_doc_id"]: r for r in tables["pairs"].iter_rows(named=True)}
    assert pair_rows["x1"]["boilerplate_edits"] == 1 and pair_rows["x1"]["substantive_edits"] == 0
    assert pair_rows["y2"]["substantive_edits"] == 1


def test_furniture_needs_k_articles() -> None:
    pairs = pl.DataFrame({"a_doc_id": ["z1"], "b_doc_id": ["x1"]})
    tables = compare_pairs(_corpus(), pairs, styles_dir=STYLES, furniture_min_articles=4)
    assert tables["furniture"].height == 0
    assert _edits_of(tables, "z1", "x1") == [("substantive", "insertion")]


def test_a_text_judged_with_furniture_is_judged_anew_without_it() -> None:
    """Each text's chrome verdicts are kept across pairs (boilerplate._SIDES): a run
    with other furniture (or none) for the same text must not read the ones kept."""
    pairs = pl.DataFrame({"a_doc_id": ["z1"], "b_doc_id": ["x1"]})
    for least, expected in [(3, "outlet_furniture"), (4, "insertion"), (3, "outlet_furniture")]:
        tables = compare_pairs(_corpus(), pairs, styles_dir=STYLES, furniture_min_articles=least, workers=1)
        assert [category for _, category in _edits_of(tables, "z1", "x1")] == [expected]


def test_updates_of_one_story_count_once() -> None:
    rows = [("Valley Herald", "Council passes budget", article(*STORY, HOUSE_LINE))] * 3
    assert learn_furniture(rows, min_articles=2) == []


def test_text_many_outlets_share_is_not_furniture() -> None:
    line = "Eastbrook has about 40,000 residents."
    rows = [
        (outlet, f"{outlet} story {n}", article(story[0], line))
        for outlet in ("A", "B", "C", "D")
        for n, story in enumerate([STORY, *OTHER_STORIES])
    ]
    assert learn_furniture(rows, min_articles=3) == []


# ------------------------------------------------------------- property: chrome


KNOWN_CHROME = [line for _, line in CHROME_LINES]
WORDS = ["council", "budget", "river", "school", "vote", "road", "plan", "market", "report", "winter"]
sentences = st.lists(st.sampled_from(WORDS), min_size=4, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)
paragraphs = st.lists(sentences, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraphs, min_size=1, max_size=5), st.sampled_from(KNOWN_CHROME), st.integers(0, 5), st.booleans())
def test_adding_a_chrome_line_adds_only_boilerplate_edits(story: list[str], line: str, at: int, to_a: bool) -> None:
    at = min(at, len(story))
    plain, chrome = article(*story), article(*story[:at], line, *story[at:])
    a, b = (chrome, plain) if to_a else (plain, chrome)
    result = diff_texts(a, b)
    assert result.edits and all(e.kind is Kind.BOILERPLATE for e in result.edits)
    assert apply_edits(a, result.edits) == b
    backward = diff_texts(b, a)  # the same edits read the other way round
    assert sorted((e.category.mirrored(), e.b_start, e.b_end, e.a_start, e.a_end) for e in result.edits) == sorted(
        (e.category, e.a_start, e.a_end, e.b_start, e.b_end) for e in backward.edits
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(paragraphs, min_size=1, max_size=4),
    st.sampled_from(KNOWN_CHROME),
    st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=1, max_size=10),
)
def test_a_side_s_pieces_met_again_are_those_found_anew(story: list[str], line: str, spans: list[tuple[int, int]]) -> None:
    """A side keeps each edit span's pieces (the same edit recurs in the text's other
    pairs): every span, asked again or after others sharing its start, gets what a new
    side finds for it."""
    from harness.wirediff.boilerplate import _Side, chrome_rules

    text = article(*story[:1], line, *story[1:])
    rules = chrome_rules()
    kept = _Side(text, None, rules)
    for start, end in spans + spans[::-1]:
        start, end = sorted((min(start, len(text)), min(end, len(text))))
        for stop in (end, max(start, end - 1)):
            assert kept.pieces(start, stop) == _Side(text, None, rules).pieces(start, stop)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraphs, min_size=1, max_size=4), st.sampled_from(KNOWN_CHROME), st.randoms(use_true_random=False))
def test_a_side_s_verdicts_met_again_are_those_found_anew(story: list[str], line: str, order: random.Random) -> None:
    """A side keeps each segment's verdict (every edit inside the segment asks for it):
    every segment, asked in any order, gets what a new side finds, also where a paragraph
    and its first sentence start together (the chrome line opens a paragraph of story)."""
    from harness.wirediff.boilerplate import _Side, chrome_rules

    text = article(*story[:1], f"{line} {story[0]}", *story[1:])
    rules = chrome_rules()
    kept = _Side(text, None, rules)
    spans = kept.segments.all_spans()
    order.shuffle(spans)
    for start, end in spans + spans:
        paragraph = kept.segments.is_paragraph((start, end))
        assert kept._verdict(start, end, paragraph) == _Side(text, None, rules)._verdict(start, end, paragraph)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraphs, min_size=1, max_size=4), st.none() | st.sampled_from(KNOWN_CHROME), st.integers(0, 4))
def test_a_side_is_free_of_chrome_exactly_when_no_segment_is_chrome(story: list[str], line: str | None, at: int) -> None:
    """``chrome_free`` (which lets the pass keep a clean pair's edits at once) says what
    the verdicts of all segments say, asked of a new side."""
    from harness.wirediff.boilerplate import _Side, chrome_rules

    text = article(*story) if line is None else with_line(line, min(at, len(story)), story)
    rules = chrome_rules()
    fresh = _Side(text, None, rules)
    verdicts = [fresh._verdict(s, e, fresh.segments.is_paragraph((s, e))) for s, e in fresh.segments.all_spans()]
    assert _Side(text, None, rules).chrome_free() == all(v is None for v in verdicts)
    if line is not None:
        assert not _Side(text, None, rules).chrome_free()  # every known line judges as chrome


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(paragraphs, min_size=1, max_size=4),
    st.lists(paragraphs, min_size=1, max_size=2),
    st.none() | st.sampled_from(KNOWN_CHROME),
    st.integers(0, 4),
)
def test_a_clean_pair_keeps_the_edits_the_labels_would_give(
    story: list[str], other: list[str], line: str | None, at: int
) -> None:
    """The pass keeps every edit of two texts free of chrome without labelling their
    pieces: the edits are those it makes when it labels them (a side told it may hold
    chrome), with a chrome line in B or none."""
    from harness.wirediff import boilerplate

    a = article(*story)
    changed = [*story[:at], *other, *story[at + 1 :]]
    b = article(*changed) if line is None else with_line(line, min(at, len(changed)), changed)

    def edits(labelled: bool) -> tuple[Edit, ...]:
        boilerplate._SIDES.clear()
        for text in (a, b):
            side = boilerplate._side(text, None, boilerplate.chrome_rules())  # met before: the shortcut may apply
            if labelled:
                side._chrome_free = False
        return tuple(diff_texts(a, b).edits)

    try:
        assert edits(labelled=False) == edits(labelled=True)
    finally:
        boilerplate._SIDES.clear()


def test_a_text_met_once_is_not_judged_whole() -> None:
    """The pass judges every segment of a text (to keep a clean pair's edits at once)
    only from the text's second pair: a one-pair diff labels the pieces its edits touch."""
    from harness.wirediff import boilerplate

    a = article(*STORY)
    b = article(*STORY[:1], "A sentence only this copy has, about the budget vote on Monday.", *STORY[1:])
    boilerplate._SIDES.clear()
    try:
        first = diff_texts(a, b).edits
        sides = [boilerplate._SIDES[text] for text in (a, b)]
        assert [side.pairs for side in sides] == [1, 1]
        assert any(e.kind is Kind.SUBSTANTIVE for e in first)
        assert [side._chrome_free for side in sides] == [None, None]
        assert diff_texts(a, b).edits == first
        assert [side.pairs for side in sides] == [2, 2] and [side._chrome_free for side in sides] == [True, True]
    finally:
        boilerplate._SIDES.clear()


# ------------------------------------------------------------------ harness diff


def test_harness_diff_on_two_files_finds_chrome_by_the_rules(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Council passes budget\n" + article(*STORY) + "\n", encoding="utf-8")
    b.write_text("Council passes budget\n" + with_line("Sign up for our Morning Briefing newsletter", 2) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff", str(a), str(b), "--styles", str(STYLES), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(e["kind"], e["category"]) for e in data["edits"]] == [("boilerplate", "promo")]
    assert data["counts"]["kind"] == {"style": 0, "boilerplate": 1, "substantive": 0}


def _normalise_segment_as_defined(text: str) -> str:
    """normalise_segment's definition, step by step (it skips the translate on ASCII
    text, and turns an ASCII text's figures to 0 by a byte table, not the pattern)."""
    import re
    import unicodedata

    from harness.wirediff.boilerplate import _FOLD

    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return " ".join(re.sub(r"\d", "0", folded).split()).strip(" .,:;|-\"'")


@given(st.text(alphabet=st.sampled_from("Ab1 ,.-`'\"‘’“”–—−«»\u00a0٣ﬁÉß\tx"), max_size=40) | st.text(max_size=40))
def test_a_segment_key_is_its_definition(text: str) -> None:
    assert normalise_segment(text) == _normalise_segment_as_defined(text)


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60) | st.text(alphabet=st.sampled_from(" \t\n\x1c\x1fAz09`'\".,:;|-"), max_size=30))
def test_an_ascii_segment_key_is_its_definition(text: str) -> None:
    """ASCII text (every character, str.split's control-character spaces among them) takes
    the one-pass key where the core runs compiled: the definition's key."""
    assert normalise_segment(text) == _normalise_segment_as_defined(text)


def test_the_one_pass_segment_key_is_used_compiled_and_refuses_other_tables() -> None:
    import importlib

    boilerplate = importlib.import_module("harness.wirediff.boilerplate")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (boilerplate._ASCII_SEGMENT_KEY is not None) == compiled
    if not compiled:
        return
    key = boilerplate._ASCII_SEGMENT_KEY
    tables = (boilerplate._KEY_CHARS, boilerplate._KEY_SPACES, boilerplate._KEY_ENDS)
    assert key("  Read `more`\t 2024 FILES. ", *tables) == "read 'more' 0000 files"
    assert key("Café 12", *tables) is None  # beyond ASCII: the definition's steps
    with pytest.raises(TypeError, match="three tables of 128 bytes"):
        key("text", tables[0][:-1], *tables[1:])
    with pytest.raises(ValueError, match="ASCII to ASCII"):
        key("text", b"\xff" * 128, *tables[1:])


def test_a_segment_key_folds_typography_case_and_figures() -> None:
    assert normalise_segment("  “Read More” – 12 Photos `here`. ") == 'read more" - 00 photos \'here'


@given(
    st.text(alphabet=st.sampled_from("aB1 .!?…\"”’')]“‘([\n\u00a0"), max_size=60),
    st.integers(min_value=0, max_value=70),
    st.integers(min_value=0, max_value=70),
)
def test_sentence_ends_found_from_the_stops_are_finditer_s(text: str, start: int, end: int) -> None:
    from harness.wirediff.boilerplate import _SENTENCE_END, _sentence_ends

    expected = [match.span() for match in _SENTENCE_END.finditer(text, start, end)]
    assert [match.span() for match in _sentence_ends(text, start, end)] == expected
