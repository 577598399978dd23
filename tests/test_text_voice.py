"""Voice tagger: which tokens are inside quotation marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text import Quote, Voice, find_quotes, text_resources, token_voices, tokenize

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_bed8e93c8511a76b.txt"
QUOTE_CHARS = "\"'\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2039\u203a\u300c\u300d\u300e\u300f\uff02\uff07"


def quoted_spans(text: str) -> list[str]:
    return [text[q.start : q.end] for q in find_quotes(text)]


def quoted_words(text: str) -> list[str]:
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    return [t.text for t, v in zip(tokens, voices, strict=True) if t.is_word and v is Voice.QUOTED]


def narrator_words(text: str) -> list[str]:
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    return [t.text for t, v in zip(tokens, voices, strict=True) if t.is_word and v is Voice.NARRATOR]


def seed_body(headline_start: str) -> str:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(headline_start))
    return lines[index + 1]


# -- quote styles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we will win" today.', ['"we will win"']),
        ("He said 'we will win' today.", ["'we will win'"]),
        ("He said \u201cwe will win\u201d today.", ["\u201cwe will win\u201d"]),
        ("He said \u2018we will win\u2019 today.", ["\u2018we will win\u2019"]),
        ("Il a dit \u00abnous gagnerons\u00bb hier.", ["\u00abnous gagnerons\u00bb"]),
        ("Il a dit \u00ab nous gagnerons \u00bb hier.", ["\u00ab nous gagnerons \u00bb"]),
        ("Er sagte \u201eWir gewinnen\u201c gestern.", ["\u201eWir gewinnen\u201c"]),
        ("Er sagte \u00bbWir gewinnen\u00ab gestern.", ["\u00bbWir gewinnen\u00ab"]),
        ("(\u201cYes,\u201d he said.)", ["\u201cYes,\u201d"]),
        ('He added: "No."', ['"No."']),
    ],
)
def test_quote_styles(text: str, expected: list[str]) -> None:
    assert quoted_spans(text) == expected


def test_quote_records_offsets_and_marks() -> None:
    text = "A \u201cb c\u201d d"
    assert find_quotes(text) == [Quote(start=2, end=7, open_mark="\u201c", close_mark="\u201d")]


def test_nested_quotes_report_only_the_outermost() -> None:
    text = "She said \u201cthey told me \u2018no\u2019 twice\u201d and left."
    assert quoted_spans(text) == ["\u201cthey told me \u2018no\u2019 twice\u201d"]
    assert quoted_words(text) == ["they", "told", "me", "no", "twice"]


def test_nested_straight_quotes() -> None:
    text = "He said \"we 'will' win\" today, and 'more' later."
    assert quoted_spans(text) == ["\"we 'will' win\"", "'more'"]


def test_nested_quotes_at_the_very_start_and_end() -> None:
    text = "\"'Nested'\""
    assert quoted_spans(text) == [text]


def test_quote_across_several_sentences() -> None:
    text = '"Some are back. Work is under way. More will follow," Medinsky said.'
    assert quoted_words(text) == [
        "Some", "are", "back", "Work", "is", "under", "way", "More", "will", "follow",
    ]  # fmt: skip
    assert narrator_words(text) == ["Medinsky", "said"]


def test_open_quote_closes_at_paragraph_end() -> None:
    text = "\u201cThe first paragraph of a long quote\n\u201cThe second one ends it.\u201d He left."
    quotes = find_quotes(text)
    assert [(text[q.start : q.end], q.close_mark) for q in quotes] == [
        ("\u201cThe first paragraph of a long quote", ""),
        ("\u201cThe second one ends it.\u201d", "\u201d"),
    ]
    assert narrator_words(text) == ["He", "left"]


def test_open_quote_does_not_leak_into_next_paragraph() -> None:
    text = "He said 'it is over\nThe next paragraph is narration."
    assert narrator_words(text)[-5:] == ["The", "next", "paragraph", "is", "narration"]


def test_paragraph_end_quote_ends_at_last_visible_character() -> None:
    text = "He said \u201cnothing more   \nNext."
    (quote,) = find_quotes(text)
    assert text[quote.start : quote.end] == "\u201cnothing more"


# -- apostrophes are not quotes ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ukraine's chief delegate met O'Brien.",
        "They don't know and won\u2019t say.",
        "Rock 'n' roll was born in the '50s.",
        "Rock \u2019n\u2019 roll never dies.",
        "The '90s were loud and the \u201990s were louder.",
        "The leaders' meeting was short.",
        "The two sides' positions are far apart, the ministers' aides said.",
        "Let 'em go, he said.",
        "She is 5' 10\" tall.",
    ],
)
def test_apostrophes_are_narrator(text: str) -> None:
    assert find_quotes(text) == []
    assert quoted_words(text) == []


def test_apostrophes_inside_a_quotation() -> None:
    text = "'After what they did to me, whether it's right or wrong, it's time,' Trump said."
    assert quoted_spans(text) == ["'After what they did to me, whether it's right or wrong, it's time,'"]


def test_elision_inside_a_quotation() -> None:
    text = "'Rock 'n' roll is dead,' he said."
    assert quoted_spans(text) == ["'Rock 'n' roll is dead,'"]


def test_decade_inside_a_quotation_does_not_swallow_the_close() -> None:
    text = "'It was the '90s,' she said. 'Really.'"
    assert quoted_spans(text) == ["'It was the '90s,'", "'Really.'"]


def test_elided_word_that_opens_a_real_quotation() -> None:
    # A tentative opening becomes a quotation when a closing mark follows.
    text = "'Cause for concern,' he said, 'cause nobody listens"
    assert quoted_spans(text) == ["'Cause for concern,'"]
    text = "'90s nostalgia is back,' she said."
    assert quoted_spans(text) == ["'90s nostalgia is back,'"]


def test_plural_possessive_after_a_quotation() -> None:
    text = "'Hi,' said the leaders' aide."
    assert quoted_spans(text) == ["'Hi,'"]


def test_plural_possessive_inside_a_quotation_when_a_closer_follows() -> None:
    text = "'They are my parents' friends, and I trust them,' she said."
    assert quoted_spans(text) == ["'They are my parents' friends, and I trust them,'"]


def test_s_quote_closes_when_no_closer_follows() -> None:
    text = "'We met the leaders' she said, and 'many voters' agreed."
    assert quoted_spans(text) == ["'We met the leaders'", "'many voters'"]


def test_s_quote_that_would_leave_the_quotation_empty_is_an_apostrophe() -> None:
    text = "He said ' s' and then 'fine'."
    assert quoted_spans(text) == ["'fine'"]


def test_stray_closing_marks_are_ignored() -> None:
    assert find_quotes("He said no\u201d and left.") == []
    assert find_quotes("A stray ' mark.") == []


# -- token voices ------------------------------------------------------------------


def test_marks_themselves_are_quoted() -> None:
    text = 'He said "yes".'
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    assert [(t.text, v.value) for t, v in zip(tokens, voices, strict=True)] == [
        ("He", "narrator"),
        ("said", "narrator"),
        ('"', "quoted"),
        ("yes", "quoted"),
        ('"', "quoted"),
        (".", "narrator"),
    ]


def test_token_voices_accepts_tokens_with_offsets_into_text() -> None:
    text = "x 'a' y"
    assert token_voices(text, []) == []
    assert [v.value for v in token_voices(text, tokenize(text))] == [
        "narrator", "quoted", "quoted", "quoted", "narrator",
    ]  # fmt: skip


def test_elision_list_is_a_versioned_resource() -> None:
    names = {r.name: r for r in text_resources()}
    assert names["quote_elisions.txt"].version == "1"
    assert len(names["quote_elisions.txt"].sha256) == 64


# -- the seed articles -------------------------------------------------------------


def test_guardian_body_single_quotes() -> None:
    body = seed_body("Russia and Ukraine agree new POW swaps")
    spans = quoted_spans(body)
    assert spans[0] == "'We have progress on the humanitarian track, with no progress on a cessation of hostilities,'"
    assert spans[1] == "'By agreeing to this proposal, Russia can clearly demonstrate its constructive approach.'"
    assert spans[2] == "'discuss everything from scratch'"
    assert spans[4] == "'further progress'"
    assert spans[5] == "'We continue to insist on the release of civilians, including children.'"
    assert len(spans) == 6
    narrator = narrator_words(body)
    assert "hostilities" not in narrator
    first_attribution = narrator.index("Ukraine's")
    assert narrator[first_attribution : first_attribution + 5] == ["Ukraine's", "chief", "delegate", "Rustem", "Umerov"]
    # "leaders' meeting" and "sides' positions" are narration, not quotations.
    assert "leaders" in narrator and "positions" in narrator


def test_reuters_body_double_quotes() -> None:
    body = seed_body("Russia, Ukraine discuss more POW swaps")
    spans = quoted_spans(body)
    assert len(spans) == 6
    assert spans[0].startswith('"We have progress') and spans[0].endswith('hostilities,"')
    assert spans[3].startswith('"Some of the children') and spans[3].endswith('return home,"')
    quoted = quoted_words(body)
    assert quoted[:4] == ["We", "have", "progress", "on"]
    assert "Umerov" not in quoted and "Medinsky" not in quoted


def test_guardian_and_reuters_quote_the_same_words() -> None:
    guardian = quoted_words(seed_body("Russia and Ukraine agree new POW swaps"))
    reuters = quoted_words(seed_body("Russia, Ukraine discuss more POW swaps"))
    assert guardian == reuters
    # Counted by hand: 14 + 12 + 4 + 34 + 2 + 11 words in the six quotations.
    assert len(guardian) == 77


def test_daily_mail_body_quotes_all_close() -> None:
    body = seed_body("Tulsi Gabbard details damning")
    quotes = find_quotes(body)
    assert len(quotes) == 32
    assert all(q.close_mark == "'" for q in quotes)
    assert body[quotes[0].start : quotes[0].end] == "'heavy tranquilizers'"
    assert body[quotes[-1].start : quotes[-1].end].endswith("did not successfully manipulate any votes,'")


# -- properties --------------------------------------------------------------------


# Random unicode rarely holds a quote mark: mix in text made mostly of marks.
QUOTE_HEAVY = st.text(alphabet=st.sampled_from([*QUOTE_CHARS, "a", "s", "9", "_", " ", "\n", ".", ",", "(", "-"]))


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), QUOTE_HEAVY))
def test_any_text_gives_in_bounds_non_overlapping_quotes(text: str) -> None:
    quotes = find_quotes(text)
    for quote in quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start] == quote.open_mark
        assert quote.close_mark == "" or text[quote.end - 1] == quote.close_mark
    for earlier, later in zip(quotes, quotes[1:], strict=False):
        assert earlier.end <= later.start
    tokens = tokenize(text)
    assert len(token_voices(text, tokens)) == len(tokens)
    # A token never straddles a quotation's edge, so word counts add up exactly.
    for token in tokens:
        for quote in quotes:
            inside = quote.start <= token.start and token.end <= quote.end
            outside = token.end <= quote.start or quote.end <= token.start
            assert inside or outside


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters=QUOTE_CHARS)))
def test_text_without_quote_marks_is_all_narrator(text: str) -> None:
    assert find_quotes(text) == []
    assert set(token_voices(text, tokenize(text))) <= {Voice.NARRATOR}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_characters=QUOTE_CHARS + "\r\n"), min_size=1))
def test_wrapping_a_sentence_in_curly_quotes_makes_its_words_quoted(sentence: str) -> None:
    text = f"\u201c{sentence}\u201d"
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    assert all(v is Voice.QUOTED for t, v in zip(tokens, voices, strict=True) if t.is_word)
    assert voices[0] is Voice.QUOTED and voices[-1] is Voice.QUOTED


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(exclude_characters=QUOTE_CHARS + "\r\n"), min_size=1),
    st.text(alphabet=st.characters(exclude_characters=QUOTE_CHARS + "\r\n")),
)
def test_narration_around_a_quotation_stays_narrator(sentence: str, after: str) -> None:
    text = f"He said \u201c{sentence}\u201d and {after}"
    tokens = tokenize(text)
    voices = token_voices(text, tokens)
    quote_end = text.index("\u201d", 9)  # the wrapped sentence has no quote marks
    for token, voice in zip(tokens, voices, strict=True):
        assert (voice is Voice.QUOTED) == (8 <= token.start <= quote_end)
