"""Constructed pairs: one or more per category of the fixed vocabulary."""

from __future__ import annotations

import pytest

from harness.wirediff import Category, Kind, StyleSheet, apply_edits, diff_texts

C = Category

CASES: list[tuple[str, str, str, list[tuple[Category, str, str]]]] = [
    # id, A, B, expected (category, a_text, b_text) in order
    ("quotes-double-single", 'He said "yes" today.', "He said 'yes' today.", [(C.QUOTE_STYLE, '"', "'")] * 2),
    ("quotes-curly", 'He said "yes".', "He said “yes”.", [(C.QUOTE_STYLE, '"', "“"), (C.QUOTE_STYLE, '"', "”")]),
    ("apostrophe", "Ukraine's army", "Ukraine’s army", [(C.QUOTE_STYLE, "Ukraine's", "Ukraine’s")]),
    ("transliteration", "Zelenskiy spoke.", "Zelenskyy spoke.", [(C.SPELLING, "Zelenskiy", "Zelenskyy")]),
    ("transliteration-name-ending", "Mr Dmitriy Peskoviy", "Mr Dmitriy Peskovyy", [(C.SPELLING, "Peskoviy", "Peskovyy")]),
    ("british-american", "The defence minister", "The defense minister", [(C.SPELLING, "defence", "defense")]),
    ("british-american-ise", "They organise rallies.", "They organize rallies.", [(C.SPELLING, "organise", "organize")]),
    ("known-place", "Kiev is big.", "Kyiv is big.", [(C.SPELLING, "Kiev", "Kyiv")]),
    ("acronym-dots", "The U.S. envoy left.", "The US envoy left.", [(C.ABBREVIATION, "U.S.", "US")]),
    ("honorific", "Mr. Smith left.", "Mr Smith left.", [(C.ABBREVIATION, "Mr.", "Mr")]),
    ("expansion", "Gov. Smith said no.", "Governor Smith said no.", [(C.ABBREVIATION, "Gov.", "Governor")]),
    ("date-order", "on May 16 in Kyiv", "on 16 May in Kyiv", [(C.DATE_FORMAT, "May 16", "16 May")]),
    ("date-year", "in Istanbul, July 23, 2025 talks", "in Istanbul, 23 July 2025 talks",
     [(C.DATE_FORMAT, "July 23, 2025", "23 July 2025")]),
    ("date-month-abbreviation", "on Aug. 5 it fell", "on August 5 it fell", [(C.DATE_FORMAT, "Aug. 5", "August 5")]),
    ("thousands", "About 1,200 people came.", "About 1200 people came.", [(C.NUMBER_FORMAT, "1,200", "1200")]),
    ("range", "ceasefires of 24-48 hours", "ceasefires of 24 to 48 hours", [(C.NUMBER_FORMAT, "24-48", "24 to 48")]),
    ("percent", "Prices rose 5 per cent on Monday.", "Prices rose 5% on Monday.",
     [(C.NUMBER_FORMAT, "5 per cent", "5%")]),
    ("percent-word", "up 5 percent", "up 5 per cent", [(C.NUMBER_FORMAT, "5 percent", "5 per cent")]),
    ("number-word", "It took five days.", "It took 5 days.", [(C.NUMBER_FORMAT, "five", "5")]),
    ("capitals", "The West must act.", "The west must act.", [(C.CAPITALISATION, "West", "west")]),
    ("title-prefix-apposition", "Russian President Vladimir Putin spoke.",
     "The Russian president, Vladimir Putin, spoke.",
     [(C.TITLE_STYLE, "Russian President Vladimir Putin", "The Russian president, Vladimir Putin,")]),
    ("apposition-commas", "its chief delegate Rustem Umerov said", "its chief delegate, Rustem Umerov, said",
     [(C.TITLE_STYLE, "delegate Rustem Umerov", "delegate, Rustem Umerov,")]),
    ("attribution", '"We will win," Smith said.', '"We will win," said Smith.',
     [(C.ATTRIBUTION_ORDER, "Smith said", "said Smith")]),
    ("attribution-description", "the war is over, the spokesman said.", "the war is over, said the spokesman.",
     [(C.ATTRIBUTION_ORDER, "the spokesman said", "said the spokesman")]),
    ("commas", "The plan, however, failed.", "The plan however failed.",
     [(C.PUNCTUATION, ",", ""), (C.PUNCTUATION, ",", "")]),
    ("dash", "a pause – then war", "a pause — then war", [(C.PUNCTUATION, "–", "—")]),
    # Hyphenation is compounding (issue 13): the edit is the compound, both ways.
    ("hyphen", "The five-year plan", "The five year plan", [(C.COMPOUNDING, "five-year", "five year")]),
    ("spacing", "a  b", "a b", [(C.PUNCTUATION, " ", "")]),
    ("paragraph-break", "One fell.\nTwo fell.", "One fell. Two fell.", [(C.PUNCTUATION, "\n", " ")]),
    ("dateline", "KYIV, May 3 (Reuters) - Troops advanced.", "Troops advanced.",
     [(C.DATELINE, "KYIV, May 3 (Reuters) - ", "")]),
    ("dateline-ap", "WASHINGTON (AP) — The vote failed.", "The vote failed.",
     [(C.DATELINE, "WASHINGTON (AP) — ", "")]),
    ("wire-credit", "Troops advanced.\nReporting by Tom Balmforth; Editing by Alex Richardson",
     "Troops advanced.", [(C.WIRE_CREDIT, "\nReporting by Tom Balmforth; Editing by Alex Richardson", "")]),
    ("agencies-line", "Troops advanced.\nwith agencies", "Troops advanced.", [(C.WIRE_CREDIT, "\nwith agencies", "")]),
    ("byline", "By Guy Faulconbridge\nTroops advanced.", "Troops advanced.",
     [(C.BYLINE, "By Guy Faulconbridge\n", "")]),
    ("substitution", "The plan failed badly.", "The plan failed completely.",
     [(C.SUBSTITUTION, "badly", "completely")]),
    ("insertion", "The plan failed.", "The plan failed badly.", [(C.INSERTION, "", " badly")]),
    ("deletion", "The plan failed badly.", "The plan failed.", [(C.DELETION, " badly", "")]),
    # Scare quotes taken off shared words: one style edit of its own category (issue 13).
    ("quote-marks-removed", 'a "so-called" deal', "a so-called deal", [(C.SCARE_QUOTES, '"so-called"', "so-called")]),
    ("reorder-sentence", "First one is here. Second one is here. Third comes now.",
     "First one is here. Third comes now. Second one is here.",
     [(C.REORDER, " Third comes now.", " Third comes now.")]),
    ("reorder-phrase", "On Monday the minister resigned after a long row.",
     "The minister resigned after a long row on Monday.",
     [(C.REORDER, "On Monday", " on Monday"), (C.CAPITALISATION, " the", "The")]),
]


@pytest.mark.parametrize(("a", "b", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_constructed_pair(a: str, b: str, expected: list[tuple[Category, str, str]]) -> None:
    result = diff_texts(a, b)
    assert [(e.category, e.a_text, e.b_text) for e in result.edits] == expected
    assert all(e.kind is e.category.kind for e in result.edits)
    assert apply_edits(a, result.edits) == b


def test_a_restyled_title_with_a_changed_word_is_split_into_its_parts() -> None:
    a = "Russian President Vladimir Putin spoke."
    b = "The Russian leader, Vladimir Putin, spoke."
    edits = diff_texts(a, b).edits
    assert [(e.kind, e.category, e.b_text) for e in edits] == [
        (Kind.STYLE, C.TITLE_STYLE, "The Russian"),
        (Kind.SUBSTANTIVE, C.SUBSTITUTION, "leader"),
        (Kind.STYLE, C.TITLE_STYLE, ","),
        (Kind.STYLE, C.TITLE_STYLE, ","),
    ]
    assert edits[1].a_text == "President" and edits[1].rule == "substitution.title_word"


def test_a_style_change_next_to_a_new_word_gives_two_edits() -> None:
    edits = diff_texts("the West engaged", "the west never engaged").edits
    assert [(e.category, e.a_text, e.b_text) for e in edits] == [
        (C.CAPITALISATION, "West", "west"),
        (C.INSERTION, "", "never "),
    ]


def test_a_sheet_variant_unknown_to_the_lexicon_is_spelling() -> None:
    sheet = StyleSheet(name="Test", slug="test", version="1", variants=(("Pyongyang", ("Pjöngjang",)),))
    result = diff_texts("in Pjöngjang today", "in Pyongyang today", b_style=sheet)
    assert [(e.category, e.rule) for e in result.edits] == [(C.SPELLING, "spelling.known_variant_pair")]
    # Without the sheet the general romanisation rule (issue 13) finds it too.
    plain = diff_texts("in Pjöngjang today", "in Pyongyang today")
    assert [(e.category, e.rule) for e in plain.edits] == [(C.SPELLING, "spelling.name_variant")]


def test_rule_ids_start_with_their_category() -> None:
    for _, a, b, _ in CASES:
        for edit in diff_texts(a, b).edits:
            assert edit.rule.split(".")[0] == edit.category.value


def test_title_with_an_of_complement_is_one_title_style_edit() -> None:
    from harness.wirediff import diff_texts

    a = "He met U.S. Secretary of State Antony Blinken on Tuesday."
    b = "He met the US secretary of state, Antony Blinken, on Tuesday."
    (edit,) = diff_texts(a, b).edits
    assert (edit.kind.value, edit.category.value) == ("style", "title_style")
    assert edit.a_text == "U.S. Secretary of State Antony Blinken"
    assert edit.b_text == "the US secretary of state, Antony Blinken,"


# -- issue 11: British/American spelling in both directions -------------------------
# Every CASES pair puts the British form in A. A check that maps A's word to American
# and compares it with B's word as it stands passes all of them; these put either
# form first, capitalised and possessive too.

BRITISH_AMERICAN = [
    ("colour", "color"), ("centre", "center"), ("organise", "organize"), ("travelled", "traveled"),
    ("analyse", "analyze"), ("labour", "labor"), ("manoeuvre", "maneuver"), ("jewellery", "jewelry"),
    ("grey", "gray"), ("licence", "license"),
]


@pytest.mark.parametrize("first", ["british", "american"])
@pytest.mark.parametrize(("british", "american"), BRITISH_AMERICAN, ids=[b for b, _ in BRITISH_AMERICAN])
def test_british_american_spelling_is_style_whichever_text_has_which(british: str, american: str, first: str) -> None:
    a, b = (british, american) if first == "british" else (american, british)
    for a_word, b_word in ((a, b), (a.capitalize(), b.capitalize()), (f"{a}'s", f"{b}'s")):
        edits = diff_texts(f"The {a_word} was new.", f"The {b_word} was new.").edits
        assert [(e.kind, e.category, e.rule, e.a_text, e.b_text) for e in edits] == [
            (Kind.STYLE, C.SPELLING, "spelling.british_american", a_word, b_word)
        ]


def test_a_british_and_an_american_word_of_different_meaning_are_not_a_spelling_variant() -> None:
    (edit,) = diff_texts("The colour was new.", "The center was new.").edits
    assert (edit.kind, edit.category) == (Kind.SUBSTANTIVE, C.SUBSTITUTION)
