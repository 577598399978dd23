"""Properties of the wire-copy diff that hold on any two texts."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text import tokenize
from harness.wirediff import Edit, Kind, apply_edits, diff_texts

# News-like vocabulary, so that the style rules actually fire: quotes, titles,
# names, months, figures, speech verbs, Reuters/Guardian variants.
WORDS = [
    "the", "a", "Russia", "Ukraine", "talks", "said", "says", "Medinsky", "Zelenskiy", "Zelenskyy",
    "President", "president", "minister", "Vladimir", "Putin", "U.S.", "US", "West", "west",
    "May", "June", "16", "2", "1,200", "1200", "24", "48", "per", "cent", "%", "five", "5",
    "defence", "defense", "organise", "organize", "Mr", "Kyiv", "Kiev", "on", "and", "of",
    "ISTANBUL", "(Reuters)", "Reporting", "by", "ceasefire", "Wednesday", "Ukraine's",
]
PUNCT = [",", ".", '"', "'", "-", "–", ":", ";", "(", ")", "“", "”", "‘", "’"]
SPACES = [" ", " ", " ", "  ", "\n", "\n\n", ""]

piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(PUNCT))
news_text = st.lists(st.tuples(piece, st.sampled_from(SPACES)), max_size=60).map(
    lambda parts: "".join(token + space for token, space in parts)
)
any_text = st.text(max_size=80)
texts = st.one_of(news_text, any_text)


@st.composite
def edited_pair(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a copy of it with a few words, marks and sentences changed."""
    words = draw(st.lists(st.tuples(piece, st.sampled_from(SPACES)), min_size=1, max_size=50))
    copy = list(words)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["replace", "insert", "delete", "move"]))
        at = draw(st.integers(0, max(len(copy) - 1, 0)))
        if action == "replace" and copy:
            copy[at] = (draw(piece), copy[at][1])
        elif action == "insert":
            copy.insert(at, (draw(piece), draw(st.sampled_from(SPACES))))
        elif action == "delete" and copy:
            del copy[at]
        elif action == "move" and len(copy) > 3:
            width = draw(st.integers(1, 3))
            moved, rest = copy[at : at + width], copy[:at] + copy[at + width :]
            where = draw(st.integers(0, len(rest)))
            copy = rest[:where] + moved + rest[where:]
    join = "".join
    return join(t + s for t, s in words), join(t + s for t, s in copy)


pairs = st.one_of(edited_pair(), st.tuples(texts, texts))


def _inside_a_token(text: str, offset: int) -> bool:
    return any(t.start < offset < t.end for t in tokenize(text))


@settings(max_examples=150, deadline=None)
@given(texts)
def test_a_text_against_itself_has_no_edits(a: str) -> None:
    result = diff_texts(a, a)
    assert result.edits == ()
    assert result.substantive_share is None


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_applying_the_edits_to_a_rebuilds_b(pair: tuple[str, str]) -> None:
    a, b = pair
    assert apply_edits(a, diff_texts(a, b).edits) == b


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_offsets_slice_the_originals_at_word_boundaries(pair: tuple[str, str]) -> None:
    a, b = pair
    for edit in diff_texts(a, b).edits:
        assert a[edit.a_start : edit.a_end] == edit.a_text
        assert b[edit.b_start : edit.b_end] == edit.b_text
        assert edit.a_text != edit.b_text or edit.a_start != edit.a_end
        for offset in (edit.a_start, edit.a_end):
            assert not _inside_a_token(a, offset)
        for offset in (edit.b_start, edit.b_end):
            assert not _inside_a_token(b, offset)


def _mirrored(edit: Edit) -> tuple[str, str, int, int, int, int]:
    return (edit.category.mirrored().value, edit.kind.value, edit.b_start, edit.b_end, edit.a_start, edit.a_end)


def _plain(edit: Edit) -> tuple[str, str, int, int, int, int]:
    return (edit.category.value, edit.kind.value, edit.a_start, edit.a_end, edit.b_start, edit.b_end)


@settings(max_examples=200, deadline=None)
@given(pairs)
def test_swapping_a_and_b_mirrors_the_edits(pair: tuple[str, str]) -> None:
    a, b = pair
    forward, backward = diff_texts(a, b), diff_texts(b, a)
    assert sorted(_mirrored(e) for e in forward.edits) == sorted(_plain(e) for e in backward.edits)
    style = Counter(e.category for e in forward.edits if e.kind is Kind.STYLE)
    assert style == Counter(e.category for e in backward.edits if e.kind is Kind.STYLE)


@settings(max_examples=100, deadline=None)
@given(pairs)
def test_numbers_are_shares_or_undefined(pair: tuple[str, str]) -> None:
    a, b = pair
    result = diff_texts(a, b)
    for value in (*result.similarity.as_dict().values(), result.substantive_share, result.substantive_b_share):
        assert value is None or 0.0 <= value <= 1.0
    assert diff_texts(a, b) == result  # same numbers every time
