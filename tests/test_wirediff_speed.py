"""The diff's fast paths (issue 16) give exactly what the plain per-token code gives.

Each fast path is checked against a reference written the plain way (the code it
replaced), on hypothesis text built from the characters where the two could part:
apostrophe-like marks between letters, combining marks, digits glued to letters,
dotted abbreviations, rare whitespace, superscript digits, non-Latin scripts.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import itertools
import os
import re
import subprocess
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.text import split_sentences, tokenize
from harness.text.tokens import TokenKind
from harness.wirediff import PreparedText, apply_edits, diff_texts, prepare
from harness.wirediff.boilerplate import (
    SANDWICH_MAX_WORDS,
    ChromeRules,
    Verdict,
    _core_length,
    _plain,
    _Side,
    _words,
    chrome_rules,
    first_chrome_pattern,
)
from harness.wirediff.lexicon import lexicon
from harness.wirediff.openers import nonempty_openers, parsed_openings
from harness.wirediff.openers import openers as _openers
from harness.wirediff.prepare import (
    BOILERPLATE_KEY,
    SHINGLE_SIZE,
    Flag,
    _boilerplate_mask,
    _line_starts,
    _matches,
    fold_key,
    key_flags,
    line_anchor,
    required_literal,
    sentence_ranges_in_python,
)
from harness.wirediff.similarity import shingle_counts, type_counts, word_distance
from harness.wirediff.tokens import TokenArrays, fast_path_applies, same_classes, token_arrays
from harness.wirediff.typography import join_apostrophes

# Characters where the fast tokeniser and the reference could disagree, plus plain ones.
TRICKY = (
    "aZé5_.,'’´`′ʼ‘\"-–()%$"  # letters, digits, the marks join_apostrophes replaces
    " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000"  # whitespace, some of it rare
    "\u0301\u0915\u093e\u0964"  # combining accent, Devanagari letter, vowel sign, danda
    "²½ªº\u00b5\u2160\u3002\u4e2d\u0661\u200b\u200d"  # superscript, fraction, Roman numeral, CJK, Arabic digit
)
WORDS = ["U.S.", "e.g.", "Russia´s", "Russia‘s", "Russiaʼs", "don't", "1,200", "3.5", "2nd", "a.b.c.", "cafe\u0301"]
tricky_text = st.one_of(
    st.text(alphabet=TRICKY, max_size=60),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(alphabet=TRICKY, max_size=3)), max_size=20).map("".join),
    st.text(max_size=60),
)


def reference_tokens(text: str) -> TokenArrays:
    """``tokenize(join_apostrophes(text))`` the plain way, sliced from ``text``."""
    tokens = tokenize(join_apostrophes(text))
    ends = [t.end for t in tokens]
    return TokenArrays(
        [text[t.start : t.end] for t in tokens],
        [t.start for t in tokens],
        ends,
        [t.kind is not TokenKind.PUNCT for t in tokens],
        [text[(ends[i - 1] if i else 0) : ends[i]] for i in range(len(tokens))],
    )


@settings(max_examples=400, deadline=None)
@given(tricky_text)
def test_fast_tokens_equal_the_reference(text: str) -> None:
    assert token_arrays(text) == reference_tokens(text)


def test_ascii_and_news_typography_take_the_fast_path() -> None:
    assert all(same_classes(chr(code)) for code in range(128))
    assert fast_path_applies("“Russia‘s talks,” he said — 5 °C, £1,200, café")
    # Where the engines part, the text goes to the reference tokeniser.
    assert not same_classes("\u0301")
    assert not fast_path_applies("cafe\u0301")
    assert token_arrays("cafe\u0301 x²").texts == ["cafe\u0301", "x", "²"]


def test_apostrophe_marks_join_words_only_between_letters() -> None:
    found = token_arrays("Russia´s ‘quote‘ 5‘s")
    assert found.texts == ["Russia´s", "‘", "quote", "‘", "5", "‘", "s"]
    assert found.is_word == [True, False, True, False, True, False, True]
    assert found.units == ["Russia´s", " ‘", "quote", "‘", " 5", "‘", "s"]


# ------------------------------------------------------------- prepare


def reference_mask(text: str, starts: list[int], ends: list[int]) -> tuple[str, ...]:
    """The boilerplate mask with every pattern scanned over the whole text."""
    mask = [""] * len(starts)
    for pattern in lexicon().boilerplate:
        for found in pattern.regex.finditer(text):
            for index in range(bisect_left(starts, found.start()), bisect_right(ends, found.end())):
                mask[index] = mask[index] or pattern.category
    return tuple(mask)


def reference_prepare(text: str) -> PreparedText:
    """``prepare`` as it was written before the fast paths: one Python loop per field."""
    lex = lexicon()
    found = reference_tokens(text)
    texts, starts, ends, is_word = found.texts, found.starts, found.ends, found.is_word
    mask = reference_mask(text, starts, ends)
    folded = [fold_key(t) for t in texts]
    keys = [BOILERPLATE_KEY + k if m else k for k, m in zip(folded, mask, strict=True)]
    words = [t.casefold() for t, w in zip(texts, is_word, strict=True) if w]
    sentences: tuple[tuple[int, int], ...] = ()
    if starts:
        cuts = [bisect_left(starts, s.start) for s in split_sentences(text)[1:]]
        bounds = [0, *cuts, len(starts)]
        sentences = tuple((lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False) if hi > lo)
    flags = [key_flags(k) for k in folded]
    complements = lex.title_complements
    for i, flag in enumerate(flags):
        if flag & Flag.TITLE:
            j = i + 1
            if j + 1 < len(texts) and texts[j].casefold() == "of" and texts[j + 1].casefold() in complements:
                j += 1
                while j + 1 < len(texts) and texts[j + 1].casefold() in complements:
                    j += 1
                j += 1
            after = texts[j + 1] if j + 1 < len(texts) and texts[j] == "," else texts[j] if j < len(texts) else ""
            if after[:1].isupper():
                flags[i] |= Flag.TITLE_BEFORE_NAME

    def sentence_keys(lo: int, hi: int) -> tuple[str, ...]:
        return tuple(keys[i] for i in range(lo, hi) if is_word[i]) or tuple(keys[lo:hi])

    return PreparedText(
        text=text,
        tokens=tuple(texts),
        starts=tuple(starts),
        ends=tuple(ends),
        is_word=tuple(is_word),
        keys=tuple(keys),
        units=tuple(found.units),
        sentences=sentences,
        boilerplate=mask,
        sentence_keys=tuple(sentence_keys(lo, hi) for lo, hi in sentences),
        flags=tuple(flags),
        words_before=(0, *itertools.accumulate(is_word)),
        folded_words=tuple(words),
    )


NEWS = [
    "ISTANBUL, May 16 (Reuters) -", "KYIV, June 2 -", "By Jane Doe", "Reporting by", "Reuters contributed reporting",
    "AP contributed to this report.", "Our Standards: The Thomson Reuters Trust Principles.", "(AFP)", "The", "Secretary of State Antony Blinken", "President Putin", "president, Putin",
    "said", "told", "the", "talks", "1,200", "five", "per cent", "%", "June", "Reporting by Jane Doe;",
    "(AP)", "U.S.", "Zelenskiy's", "“", "”", "‘", "’", ".", ",", "\n\n", "\n", " ",
]
news_text = st.lists(st.sampled_from(NEWS), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(news_text, tricky_text))
def test_prepare_equals_the_plain_reference(text: str) -> None:
    fast, reference = prepare(text), reference_prepare(text)
    for field in fields(PreparedText):
        assert getattr(fast, field.name) == getattr(reference, field.name), field.name
    words = list(fast.folded_words)
    assert fast.shingles == frozenset(map(" ".join, zip(*(words[k:] for k in range(SHINGLE_SIZE)), strict=False)))


def test_required_literal_is_what_every_match_contains() -> None:
    assert required_literal(re.compile(r"(?m)^[ \t]*(?:A|B) contributed(?: x)?")) == " contributed"
    assert required_literal(re.compile(r"\((?:AP|PA)\) by ")) == ") by "
    assert required_literal(re.compile(r"(?:AP|PA)")) == ""  # inside an alternation: not required
    assert required_literal(re.compile(r"(?:credit)?x")) == "x"
    assert required_literal(re.compile(r"(?i)by reuters")) == ""  # case-insensitive: always scanned


def test_boilerplate_patterns_name_their_required_literals() -> None:
    # The packaged patterns that cost most to scan have one; the mask tests above check the result.
    literals = {required_literal(p.regex) for p in lexicon().boilerplate}
    assert "contributed" in literals
    text = "ISTANBUL, May 16 (Reuters) - Talks resumed.\nBy Jane Doe\nThe talks ended. AP contributed to this report."
    prepared = prepare(text)
    assert {"dateline", "byline", "wire_credit"} <= set(prepared.boilerplate)
    assert prepared == reference_prepare(text)


def test_prepare_marks_title_before_name() -> None:
    text = "Secretary of State Antony Blinken met President Putin and the president, who said"
    prepared = prepare(text)
    titled = [prepared.tokens[i] for i, f in enumerate(prepared.flags) if f & Flag.TITLE_BEFORE_NAME]
    assert titled == ["Secretary", "President"]
    assert prepared == reference_prepare(text)


def test_diff_of_texts_off_the_fast_path_still_rebuilds() -> None:
    a, b = "The cafe\u0301 said x² rose.", "The café said x² rose sharply."
    assert not fast_path_applies(a)
    edits = diff_texts(a, b).edits
    assert apply_edits(a, edits) == b
    assert " sharply" in [e.b_text for e in edits]


# ------------------------------------------------------------- similarity


def reference_counts(a: list[str], b: list[str]) -> tuple[int, int, int]:
    a_set, b_set = (frozenset(map(" ".join, zip(*(w[k:] for k in range(SHINGLE_SIZE)), strict=False))) for w in (a, b))
    return len(a_set), len(b_set), len(a_set & b_set)


small_vocabulary = st.lists(st.sampled_from(["a", "b", "c", "the", "said", "Putin"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(small_vocabulary, small_vocabulary)
def test_shingle_counts_on_tuples_equal_the_string_sets(a: list[str], b: list[str]) -> None:
    assert shingle_counts(a, b) == reference_counts(a, b)


@settings(max_examples=300, deadline=None)
@given(small_vocabulary, small_vocabulary)
def test_type_counts_equal_the_word_type_sets(a: list[str], b: list[str]) -> None:
    """Word types counted as 1-grams (units.c where compiled): the sizes of the two sets and their intersection."""
    a_types, b_types = frozenset(a), frozenset(b)
    assert type_counts(a, b) == (len(a_types), len(b_types), len(a_types & b_types))


@settings(max_examples=400, deadline=None)
@given(small_vocabulary, small_vocabulary, st.integers(0, 40))
def test_word_distance_is_the_levenshtein_distance(a: list[str], b: list[str], repeat: int) -> None:
    """Banded first or not, within the band or past it: the distance rapidfuzz computes in full."""
    from rapidfuzz.distance import Levenshtein

    long_a, long_b = a * repeat + b, a * repeat + a  # long copies that differ by a little or a lot
    for x, y in ((a, b), (long_a, long_b), (long_a, b * repeat), (long_b, [])):
        assert word_distance(x, y) == Levenshtein.distance(x, y)


def test_word_distance_of_copies_past_the_band() -> None:
    from rapidfuzz.distance import Levenshtein

    words = [f"w{k}" for k in range(600)]
    edited = [w if k % 5 else "x" for k, w in enumerate(words)]  # 120 words changed: past 600 // 6
    assert word_distance(words, edited) == Levenshtein.distance(words, edited) == 120
    assert word_distance(words, words[:590]) == 10  # within the band


def test_token_jaccard_is_the_jaccard_of_the_word_types() -> None:
    a = prepare("Officials said the talks in Istanbul ended. The talks ended, officials said.")
    b = prepare("The officials said talks in Kyiv had ended on Friday.")
    shared = a.word_types & b.word_types
    assert len(a.word_types) == 7 and len(b.word_types) == 10 and len(shared) == 6
    assert diff_texts(a.text, b.text).similarity.token_jaccard == 6 / (7 + 10 - 6)


def test_shingle_counts_of_a_large_vocabulary_equal_the_string_sets() -> None:
    a = [f"w{i}" for i in range(5000)]
    b = a[:2500] + ["x"] + a[2500:]
    assert shingle_counts(a, b) == reference_counts(a, b) == (4996, 4997, 4992)
    assert shingle_counts(a[:4], a[:4]) == (0, 0, 0)  # fewer than five words: no shingle


def test_similarity_counts_shingles_of_folded_words() -> None:
    a = prepare("The talks resumed in Istanbul on Friday, officials said.")
    b = prepare("The talks resumed in Istanbul on Friday, the officials said.")
    result = diff_texts(a.text, b.text)
    shared = len(a.shingles & b.shingles)
    assert result.similarity.shingle_containment == shared / len(b.shingles) == 3 / 6


# ---------------------------------------------- issue 16: anchored patterns, chrome screens


def _reference_chrome_pattern(text: str, rules: ChromeRules) -> int | None:
    """The first packaged chrome pattern (file order) matching all of ``text``, one by one."""
    return next((n for n, (_, pattern) in enumerate(rules.patterns) if pattern.fullmatch(text)), None)


# Pieces that trip the screened (scanning) patterns, case variants, and characters
# whose IGNORECASE twins are not their lower() ones (ſ/s, K/k, İ/i), which must
# send the text to the full alternation.
CHROME_PIECES = [
    "Please consider supporting", "PLEASE CONSIDER subscribing", "please consider a donation", "All rights reserved",
    "ALL RIGHTS RESERVED.", "Reuters contributed to this report", "AP CONTRIBUTED reporting to this story", "5 min read",
    "10 MIN listen", "22 °C", "sunny", "Show more (Photo/AP)", "(Getty/AFP)", "©", "2024", "Kyiv", "The talks", "said",
    "ſ", "K", "İ", "pleaſe conſider ſubſcribing", "“", "’", "—", ".", ",", ":", " ", "\n",
    # Openings of the unscreened patterns, in both cases, and openings none of them has.
    "Advertisement", "ADVERTISEMENT", "advertisement", "Read more:", "READ MORE", "Photo: AP", "(AP Photo/Jane Doe)",
    "Image copyright", "Getty Images", "Sign up", "x", "X", "Share", "© 2024", "Copyright 2024 Reuters",
    "3 of 12 photos", "Comments (4)", "12°C", "Up next", "Editor's picks", "Jane Doe / Reuters", "zebra", "_", "@", "\t",
    # Entries held by their literals or cut off by their longest match, and the marks any entry may end with.
    "Jane Doe reported from Kyiv", "Jane Doe and John Roe reported from", "Reuters contributed", "|", "»", " :", "…",
    "Show more " * 4, "Menu" + " " * 30 + "|", "Home »", "Skip to content",
    # Entries screened by their openings: agency credits, weather, and what opens like them.
    "Reuters photo", "REUTERS Images / Jane Doe", "AP Photo", "ap graphics", "Partly sunny", "MOSTLY CLOUDY with showers",
    "rain and wind", "Fog", "Editor’s picks", "Editors' pick", "Listen to this article", "(c) 2024", "(C) 2024 AP",
    "Additional reporting by Jane Doe", "further editing by", "Dpa", "Xinhua", "partly", "Reutersphoto",
]
chrome_text = st.lists(st.sampled_from(CHROME_PIECES), max_size=12).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(chrome_text, tricky_text))
def test_screened_chrome_patterns_find_the_first_match(text: str) -> None:
    rules = chrome_rules()
    assert first_chrome_pattern(text, rules) == _reference_chrome_pattern(text, rules)


HEADER_PIECES = CHROME_PIECES + ["By Jane Doe", "By", "AP", "Updated", "12:30", "Monday", "and", "Reuters", "the talks went on",
                                  "said the minister on Friday in Kyiv", "BBC News", "5 May 2024"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(HEADER_PIECES), min_size=1, max_size=30).map(" ".join), st.booleans())
def test_a_segment_judged_by_its_count_gets_the_verdict_of_its_words(text: str, paragraph: bool) -> None:
    """Segments longer than a header, or opening as running text, are judged without
    listing their words: the same verdicts as with them."""
    from harness.wirediff.boilerplate import MAX_SEGMENT_WORDS, _judge_counted, _judge_words

    rules, words = chrome_rules(), _words(text)
    if 1 <= len(words) <= MAX_SEGMENT_WORDS:
        assert _judge_counted(text, len(words), paragraph, rules) == _judge_words(text, words, paragraph, rules)


def test_a_long_byline_is_found_by_its_by() -> None:
    from harness.wirediff.boilerplate import HEADER_MAX_WORDS, _judge_counted

    text = "News now The Associated Press — By Jane Doe, John Roe and " + "Ann Poe, " * 8 + "Associated Press"
    assert len(_words(text)) > HEADER_MAX_WORDS
    verdict = _judge_counted(text, len(_words(text)), False, chrome_rules())
    assert verdict is not None and verdict.rule == "byline.names_and_agency"


DATELINE_PIECES = ["MOSCOW", "—", "-", "--", "(AP)", "(CNN)", "(Reuters)", ",", "D.C.", "Texas", "FILE", "The", "A",
                   "U.S.", "O'NEIL", "’", "(", ")", " ", "\u00a0", "said", "KYIV", "-A", "AB", ".", "'"]
dateline_text = st.lists(st.sampled_from(DATELINE_PIECES), min_size=1, max_size=8).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(dateline_text, dateline_text.map(lambda t: t.replace("", " ").strip()), tricky_text), st.integers(0, 3))
def test_the_dateline_screen_passes_over_no_match(text: str, start: int) -> None:
    """Where the two-character screen says no, the dateline pattern finds nothing."""
    from harness.wirediff.boilerplate import _DATELINE, _may_open_dateline

    for end in (len(text), len(text) - 1):
        if 0 <= start <= end and not _may_open_dateline(text, start, end):
            assert _DATELINE.match(text, start, end) is None
    if not _may_open_dateline(text, 0, len(text)):
        assert _DATELINE.fullmatch(text + " ") is None


def test_chrome_entries_screen_by_held_literals_and_longest_matches() -> None:
    """Most entries are passed over by a literal they hold or by their longest match."""
    rules = chrome_rules()
    entries = {number: (literal, longest) for items in rules.by_opener.values() for number, literal, longest, _ in items}
    assert entries[71][0] == " reported from "  # inside a repeat and a group, not at the top
    assert sum(1 for literal, _ in entries.values() if literal) >= 40
    assert sum(1 for _, longest in entries.values() if longest < 100) >= 30
    assert all(literal == literal.lower() and (not literal or literal.strip()) for literal, _ in entries.values())
    assert _core_length("Menu  | » …\n") == 4 and _core_length(" :|") == 0 and _core_length("Menu.") == 5


def test_scanning_chrome_patterns_are_held_by_their_literals() -> None:
    rules = chrome_rules()
    held = {literal for _, literal, _, _ in rules.entries}
    assert {"please consider ", "all rights reserved", "contributed"} <= held
    assert [number for number, _, _, _ in rules.entries] == list(range(len(rules.patterns)))
    assert first_chrome_pattern("All rights reserved", rules) == _reference_chrome_pattern("All rights reserved", rules)
    assert first_chrome_pattern("All rights reserved", rules) is not None
    # A long s is no "s" to lower(), but IGNORECASE matches it: such a text is not screened by literals.
    assert first_chrome_pattern("All rightſ reserved", rules) == _reference_chrome_pattern("All rightſ reserved", rules)
    assert first_chrome_pattern("All rightſ reserved", rules) is not None
    # A text opening beyond ASCII (a curly quote) meets every entry, by literal and length.
    assert first_chrome_pattern("“Advertisement", rules) == _reference_chrome_pattern("“Advertisement", rules)


def _openings_of(pattern: str, flags: int = re.IGNORECASE) -> tuple[str, ...]:
    parser: Any = importlib.import_module("re._parser")
    return parsed_openings(parser.parse(pattern, flags))


def test_openings_are_read_from_the_parse() -> None:
    assert _openings_of("(?:partly |mostly )?(?:sunny|fog)") == ("fog", "mostly fog", "mostly sunny", "partly fog",
                                                                 "partly sunny", "sunny")
    assert _openings_of(r"\(?Photos? by\b.*") == ("(photo by", "(photos by", "photo by", "photos by")
    assert _openings_of(r"(?:show (?:more|less)\s*)+x") == ("show less", "show more")  # a repeat: no growing past it
    assert _openings_of("[fc]oo|ad") == ("ad", "coo", "foo")
    assert _openings_of("read|read more|reading") == ("read",)  # one opening holds the others
    # Anything may open it, or an opening may be empty: nothing to tell.
    assert _openings_of(r"(?-i:[A-Z])\w+") == _openings_of(".{0,9}x") == _openings_of("(?:ad)?") == ()
    # A character IGNORECASE pairs with others than its lower() (the Kelvin sign) stops the opening before it.
    assert _openings_of("ab\u212ac") == ("ab",) and _openings_of("\u212a") == ()
    assert _openings_of("(?:a|b)(?:c|d)(?:e|f)", 0) == ("ace", "acf", "ade", "adf", "bce", "bcf", "bde", "bdf")
    many = "(?:" + "|".join(f"w{n:02d}" for n in range(70)) + ")x"
    assert _openings_of(many) == ("w",)  # more than the limit: the opening before the alternation


OPENING_PIECES = ["ab", "(?:c|de)", "x?", "(?:fo)+", r"\b", "[fc]", "[a-z]", ".", "(?-i:Q)", "é", r"\d", "(?:y|)",
                  "(?:ſt|st)", "\u212a", "(?:read|read more)", " ", "(?:a|b){2}", "(?=a)", "z{0,2}"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(OPENING_PIECES), min_size=1, max_size=5).map("".join), st.data())
def test_a_plain_match_opens_with_one_of_the_openings(pattern: str, data: st.DataObject) -> None:
    """What the chrome screen relies on: a match of a text of ASCII and caseless
    characters opens, lower-cased, with one of the pattern's openings."""
    compiled = re.compile(pattern, re.IGNORECASE)
    text = data.draw(st.from_regex(compiled, fullmatch=True))
    openings = _openings_of(pattern)
    if openings and _plain(text):
        assert text.lower().startswith(openings), (pattern, text, openings)


def test_the_agency_and_weather_entries_are_screened_by_their_openings() -> None:
    rules = chrome_rules()
    agency = next(entry for entry in rules.entries if "reuters " in entry[3])
    weather = next(entry for entry in rules.entries if "partly sunny" in entry[3])
    assert agency[1] == weather[1] == ""  # no literal to screen them by
    assert {"associated press ", "(ap) "} & set(agency[3]) == {"associated press "}
    assert sum(1 for entry in rules.entries if entry[3]) >= 60
    for text in ("Reuters photo", "Partly sunny", "Mostly cloudy with rain", "AP graphic"):
        assert first_chrome_pattern(text, rules) == _reference_chrome_pattern(text, rules) is not None
    for text in ("Reuters said on Friday", "Sunny spells are expected", "The talks", "Sunnyvale"):
        assert first_chrome_pattern(text, rules) == _reference_chrome_pattern(text, rules)


def test_a_plain_text_meets_only_the_entries_its_head_may_open() -> None:
    from harness.wirediff.boilerplate import _entries_for_head

    rules = chrome_rules()
    heads = {head: [entry[0] for entry in _entries_for_head(head, rules)] for head in ("re", "th", "“a", "", "x")}
    assert len(heads["th"]) <= len(rules.by_opener["t"]) / 2  # "this material...", not "tags", "top news"...
    assert len(heads["“a"]) < len(rules.entries) / 5  # a curly quote opened every pattern to the opener table
    numbers = {number for number, (_, pattern) in enumerate(rules.patterns) if "(?:read|see|watch|listen)" in pattern.pattern}
    assert numbers <= set(heads["re"])
    assert heads[""] == [entry[0] for entry in rules.entries] and rules.by_head["re"] == _entries_for_head("re", rules)
    for text in ("Read more: the talks", "Related stories", "Reuters photo", "x", "“Advertisement", "Xinhua"):
        assert first_chrome_pattern(text, rules) == _reference_chrome_pattern(text, rules)


CLOCK_PIECES = ["1", "12", "٣", "²", "૭", ":", ".", "-", "/", "30", "am", "P.M.", "p", "st", "TH", "a", "x", "Ⅻ", "½", " ",
                ",", "bn", "m", "five"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(CLOCK_PIECES), max_size=5).map("".join))
def test_the_digit_screens_of_figure_patterns_are_exact(word: str) -> None:
    """The patterns open with \\d (a decimal digit; superscripts, Roman numerals and
    fractions are digits or numerics to str, none decimal): the screens drop no match."""
    from harness.wirediff.boilerplate import _CLOCK, _DATE_FIGURES, _clock, _date_figures
    from harness.wirediff.phrases import _DAY, _NUMBER, _NUMBER_WITH_SCALE

    assert _clock(word) == (_CLOCK.fullmatch(word) is not None)
    assert _date_figures(word.casefold()) == (_DATE_FIGURES.fullmatch(word.casefold()) is not None)
    # The figure patterns of number and date phrases, screened the same way.
    for pattern in (_DAY, _NUMBER, _NUMBER_WITH_SCALE):
        assert pattern.fullmatch(word) is None or word[:1].isdigit()


def test_chrome_entries_are_kept_between_runs_and_read_back_equal(tmp_path: Path) -> None:
    """The entries come from the table cache once stored there; a fresh process reads them
    back equal to those made from the patterns, without numpy."""
    import harness.wirediff.boilerplate as boilerplate

    made = boilerplate._decoded_entries(boilerplate._built_entries())
    assert made[0] == chrome_rules().entries and made[1] == dict(chrome_rules().by_opener)
    script = (
        "import sys; from harness.wirediff.boilerplate import chrome_rules, _rule_entries; r = chrome_rules(); "
        "print(repr((r.entries, sorted(r.by_opener.items()))), 'numpy' in sys.modules)"
    )
    expected = f"{(made[0], sorted(made[1].items()))!r} False"
    assert _two_fresh_runs(script, tmp_path, "chrome-entries") == [expected, expected]


def _two_fresh_runs(script: str, cache: Path, table: str) -> list[str]:
    """``script``'s output in two fresh processes sharing the table cache ``cache``: the
    first stores the table ``table`` (the only entry there), the second reads it back."""
    env = {**os.environ, "HARNESS_CACHE_DIR": str(cache)}
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    assert [path.name.rsplit("-", 1)[0] for path in cache.iterdir()] == [table]
    return [run.stdout.strip() for run in runs]


def test_a_chrome_pattern_is_checked_by_its_parse_and_compiled_only_when_tried() -> None:
    import harness.wirediff.boilerplate as boilerplate

    with pytest.raises(re.error):
        boilerplate._check(boilerplate.LazyPattern("(?:an (unclosed group"))
    good = boilerplate.LazyPattern("(?:read more)[\\s:|]*")
    boilerplate._check(good)
    assert (good.pattern, good.flags) not in boilerplate._COMPILED
    assert good.fullmatch("READ MORE: ") is not None and (good.pattern, good.flags) in boilerplate._COMPILED


def test_chrome_patterns_are_compiled_when_first_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    import harness.wirediff.boilerplate as boilerplate

    monkeypatch.setattr(boilerplate, "_COMPILED", {})
    boilerplate.chrome_rules.cache_clear()
    try:
        rules = boilerplate.chrome_rules()
        assert boilerplate._COMPILED == {}  # reading the rules compiles nothing
        assert first_chrome_pattern("Advertisement", rules) is not None
        tried = set(boilerplate._COMPILED)
        assert 0 < len(tried) < len(rules.patterns) // 4  # only those that may open with an "a"
        assert first_chrome_pattern("Zebras crossed the road in the town centre on Tuesday.", rules) is None
        assert rules.agencies.search("By Jane Doe, Reuters") is not None
    finally:
        boilerplate.chrome_rules.cache_clear()


# (pattern, the lower-cased ASCII characters a match may open with; None: any)
OPENERS = [
    ("abc", "a"), ("(?:a|B)c", "ab"), ("a?b*c", "abc"), ("(?:a|)b", "ab"), ("[a-c]x", "abc"), ("[A-C]x", "abc"),
    ("(?-i:[A-Z])x", "abcdefghijklmnopqrstuvwxyz"), (r"\d+x", "0123456789"), ("(?=a)ab", "a"), (r"\bword", "w"),
    (r"^\(x", "("), ("[^a]x", None), (".x", None), (r"(a)\1", "a"), ("\u212ax", "k"), ("\u017fx", "s"),
    ("[\u212a5]x", "5k"), ("(?:read|see)(?: more)?", "rs"), (r"\s*x", None), ("(?:©|\\(c\\)|copyright)", "(c"),
    ("©x", ""), ("[©é]x", ""), ("[\u00e0-\u00ff]x", "abcdefghijklmnopqrstuvwxyz"),
]


@pytest.mark.parametrize(("pattern", "opens"), OPENERS)
def test_openers_read_the_characters_a_match_may_open_with(pattern: str, opens: str | None) -> None:
    found = _openers(re.compile(pattern, re.IGNORECASE))
    if opens is None:  # "any", or every character the set names: either is a correct answer
        assert found is None or len(found) > 60 or r"\s" in pattern
        if r"\s" in pattern:
            assert found is not None and {" ", "\t", "\x1c", "x"} <= found
    else:
        assert found == frozenset(opens)


REGEX_PIECES = [
    "a", "b", "K", "\u212a", "ſ", "©", "é", "\\(", "[a-c]", "[\u212a5]", "[ſ(]", "[©k]", "[^a]", "[^\u212a]", "[A-Z]",
    r"\d", r"\w", r"\s", ".", r"\b", "^",
]


@st.composite
def small_regex(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["piece", "piece", "group", "lookahead", "case"] if depth < 2 else ["piece"]))
        if kind == "piece":
            part = draw(st.sampled_from(REGEX_PIECES))
        else:
            inner = "|".join(draw(st.lists(small_regex(depth + 1), min_size=1, max_size=2)))
            part = {"group": f"(?:{inner})", "lookahead": f"(?={inner})", "case": f"(?-i:{inner})"}[kind]
        anchor = part in (r"\b", "^") or part.startswith("(?=")  # re repeats no zero-width element
        parts.append(part + ("" if anchor else draw(st.sampled_from(["", "", "?", "*", "+", "{0,2}"]))))
    return "".join(parts)


@settings(max_examples=1500, deadline=None)
@given(small_regex(), st.text(alphabet="abkKsſ\u212a©é(AZ5_ \t\x1cx", min_size=1, max_size=6))
def test_a_match_opens_with_one_of_the_openers(pattern: str, text: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    opens = _openers(compiled)
    if compiled.fullmatch(text) and text[0].isascii():
        assert opens is None or text[0].lower() in opens
    # What the boilerplate mask relies on: a pattern with a set may match nothing only where it says so.
    nonempty = nonempty_openers(compiled)
    found = compiled.match(text)
    if found is not None and found.end() == 0:
        assert nonempty is None
    if nonempty is not None:
        assert nonempty == opens
        assert found is None or not text[0].isascii() or text[0].lower() in nonempty


@settings(max_examples=1000, deadline=None)
@given(small_regex(), st.text(alphabet="abkK(AZ5_ \t\nx", min_size=1, max_size=8))
def test_a_pattern_within_a_line_takes_in_no_line_break(pattern: str, text: str) -> None:
    from harness.wirediff.openers import within_a_line

    compiled = re.compile(pattern, re.IGNORECASE)
    if within_a_line(compiled):
        assert all("\n" not in found.group() for start in range(len(text)) if (found := compiled.match(text, start)))


@pytest.mark.parametrize(
    ("pattern", "anchor"),
    [("^a", "text"), ("(?m)^a", "line"), ("a^", ""), ("^a|b", ""), ("(?:^a)", "text"), ("[ ]*^a", ""), (r"\Aa", "")],
)
def test_line_anchor_reads_the_leading_caret(pattern: str, anchor: str) -> None:
    assert line_anchor(re.compile(pattern)) == anchor


def test_mask_patterns_read_each_lexicon_pattern_as_the_public_readings_do() -> None:
    """The mask's readings come from one parse per pattern; each equals the reading
    made from the pattern alone (a parse of its own)."""
    import importlib

    from harness.wirediff.openers import within_a_line

    prepare_module = importlib.import_module("harness.wirediff.prepare")
    lex = lexicon()
    readings = prepare_module._mask_patterns(lex)
    assert len(readings) == len(lex.boilerplate) >= 8
    for reading, pattern in zip(readings, lex.boilerplate, strict=True):
        regex = pattern.regex
        assert reading.regex is regex and reading.category == pattern.category
        assert reading.needed == required_literal(regex)
        assert reading.anchor == line_anchor(regex)
        assert reading.opens == (nonempty_openers(regex) if reading.anchor else None)
        line = reading.anchor == "line" and bool(reading.needed) and within_a_line(regex)
        assert reading.line_literal == (reading.needed if line else "")
    assert any(reading.line_literal for reading in readings)  # the line screen is in use


def test_mask_readings_are_kept_between_runs_and_another_lexicon_is_read_afresh(tmp_path: Path) -> None:
    import importlib

    prepare_module = importlib.import_module("harness.wirediff.prepare")
    made = [prepare_module.mask_reading(pattern.regex) for pattern in lexicon().boilerplate]
    # The diff's own order of imports: prepare comes in through boilerplate (compiled, a module
    # imported so was once given a __file__ that does not exist, and no key could be made).
    script = (
        "import importlib, sys; import harness.wirediff.boilerplate; from harness.wirediff.lexicon import lexicon; "
        "m = importlib.import_module('harness.wirediff.prepare')._mask_patterns(lexicon()); "
        "print(repr([(p.needed, p.anchor, None if p.opens is None else sorted(p.opens), p.line_literal) for p in m]), "
        "'numpy' in sys.modules)"
    )
    expected = repr([(n, a, None if o is None else sorted(o), line) for n, a, o, line in made]) + " False"
    assert _two_fresh_runs(script, tmp_path, "mask-readings") == [expected, expected]
    # A pattern the packaged lexicon does not hold gets its reading made here.
    other = prepare_module._MaskPattern(re.compile(r"(?m)^Posted by [A-Z]\w+"), "byline")
    assert (other.needed, other.anchor, other.line_literal) == ("Posted by ", "line", "Posted by ")
    assert other.opens == frozenset("p")


@pytest.mark.parametrize(
    ("pattern", "within"),
    [(r"(?m)^by [^\n]*$", True), (r"(?m)^[ \t]*[A-Z]\w* \(AP\)", True), (r"(?m)(?<=\n)x", True), (r"(?m)^\s*x", False),
     (r"(?m)^[^x]*x", False), (r"a.b", False), (r"(?s)a.b", False), (r"(a)\1", False), (r"x\ny", False), (r"[\W]x", False),
     (r"(?:a|b\n)", False), (r"(?:a|b)+c", True), (r"\d{2}[-/]\d", True)],
)
def test_within_a_line_reads_what_a_match_takes_in(pattern: str, within: bool) -> None:
    from harness.wirediff.openers import within_a_line

    assert within_a_line(re.compile(pattern)) is within


ANCHORED = [
    re.compile(r"(?m)^[ \t]*By [A-Z]\w*(?:\n[A-Z]\w*)?"),  # may run over a line break
    re.compile(r"(?m)^(?<=\n)x+"),  # a lookbehind reads the text before the position tried
    re.compile(r"^[A-Z]+ -"),
    re.compile(r"(?m)^x*"),  # may match empty: finditer's own rules apply
    re.compile(r"(?m)^\s*x"),  # may open with a line break: blank lines are tried too
    re.compile(r"(?im)^by x"),  # either case opens it
    re.compile(r"(?m)^«x"),  # opens beyond ASCII
    re.compile(r"(?m)^[ \t]*By [A-Z]\w* \(AP\)"),  # within a line: looked for line by line
    re.compile(r"(?m)^By\s+Doe \(AP\)"),  # \s takes line breaks in: the literal may be on the next line
    re.compile(r"(?m)^x[^\n]*\(AP\)$"),  # a set without the line break
]
line_text = st.lists(
    st.sampled_from(["By Jane", "By", "Doe", "x", "xx", "AB -", "\n", "\r\n", " ", "\t", "bY x", "«x", " (AP)", "(AP)"]),
    max_size=15,
).map(
    "".join
)


@settings(max_examples=400, deadline=None)
@given(line_text)
def test_anchored_patterns_match_where_finditer_does(text: str) -> None:
    for regex in [*ANCHORED, *(p.regex for p in lexicon().boilerplate)]:
        assert [m.span() for m in _matches(regex, text, _line_starts(text))] == [m.span() for m in regex.finditer(text)]


def _reference_between(side: _Side, start: int, end: int) -> Verdict | None:
    """``_Side._between_chrome`` as written before it stopped at a side without chrome."""
    own = len(_words(side.text[start:end]))
    if own > SANDWICH_MAX_WORDS:
        return None
    words = own
    ends: list[Verdict | None] = []
    for step in (-1, 1):
        leaf: tuple[int, int] | None = (start, end)
        found = None
        while words <= SANDWICH_MAX_WORDS:
            leaf = side.segments.neighbour(leaf, step) if leaf is not None else None
            if leaf is None:
                break
            found = side._leaf_verdict(leaf)
            if found is not None:
                break
            words += len(_words(side.text[leaf[0] : leaf[1]]))
        ends.append(found)
    before, after = ends
    if before is None or after is None or before.category is not after.category or words > SANDWICH_MAX_WORDS:
        return None
    return Verdict(before.category, f"{before.category.value}.between_chrome")


PAGE_LINES = [
    "Advertisement", "Share this article", "Reuters contributed to this report.", "The talks resumed on Friday.",
    "Officials said little.", "Photo: AP", "Read more: the talks", "Home", "Subscribe", "It rained.", "© 2024 Reuters",
]
page_text = st.lists(st.lists(st.sampled_from(PAGE_LINES), min_size=1, max_size=3).map(" ".join), max_size=8).map(
    "\n\n".join
)


@settings(max_examples=200, deadline=None)
@given(page_text)
def test_sandwich_rule_is_unchanged(text: str) -> None:
    side = _Side(text, None, chrome_rules())
    for span in side.segments.all_spans():
        assert side._between_chrome(*span) == _reference_between(side, *span)


# ------------------------------------------------- prepare by units (issue 16, item 4)


@settings(max_examples=400, deadline=None)
@given(tricky_text)
def test_unit_columns_equal_the_token_columns(text: str) -> None:
    """The unit memo (one lookup per whitespace + token) gives every column the
    token path gives: tokens, offsets, word flags, units, keys, flags, folded forms."""
    from harness.wirediff.prepare import _columns, _plain_columns

    assert _columns(text) == _plain_columns(text)
    assert prepare(text) == reference_prepare(text)


# What units.c decides character by character: separators inside numbers, a word
# character after a number, abbreviations, apostrophes and the joined marks between
# letters or not, "_", a numeric that is no digit (²), letters beyond ASCII, every
# kind of whitespace `re` knows (\x1c-\x1f among them).
scanner_text = st.text(
    alphabet="aZé1٣²_.,'’´`′‘-—\"“ \n\t\x1c\xa0\u2009", max_size=40
) | st.lists(st.sampled_from(["U.S.", "3.5bn", "1,000", "12.", "1990s", "e.g.x", "Putin’s", "Russia´s", "a_b", " "]), max_size=12).map(
    "".join
)


def _unit_columns_in_python(text: str) -> object:
    """The unit path as Python runs it: findall of the pattern, then the memo."""
    from harness.wirediff.prepare import _plain_columns, unit_columns
    from harness.wirediff.tokens import token_units

    units = token_units(text)
    return _plain_columns(text) if units is None else unit_columns(units)


@functools.cache
def _c_units() -> Any:
    """``units.c``'s module, built here from the current source (setuptools and the C
    compiler, as ``make`` builds it), so that it is tested whether or not this process
    runs compiled and whether or not ``make`` has run since the source changed. Only a
    machine with no C compiler skips: there the sources run and nothing uses the loops."""
    import atexit
    import importlib.util
    import os
    import shutil
    import tempfile

    from setuptools import Distribution, Extension

    from harness.wirediff import compiled

    if not (shutil.which("gcc") or shutil.which("cc")):
        pytest.skip("no C compiler: the diff runs from its sources and units.c is never used")
    build = Path(tempfile.mkdtemp(prefix="harness-units-"))
    atexit.register(shutil.rmtree, build, True)  # gone with the test process (the library stays mapped until then)
    source = compiled.FOLDER / compiled.NATIVE_MODULES["_units"]
    command = Distribution({"name": "units-test", "ext_modules": [
        Extension("_units", [str(source)], extra_compile_args=["-O2"])
    ]}).get_command_obj("build_ext")
    command.build_lib = str(build / "lib")  # type: ignore[attr-defined]
    command.build_temp = str(build / "temp")  # type: ignore[attr-defined]
    command.ensure_finalized()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        command.run()
    built = next((build / "lib").glob(f"_units{compiled.extension_suffix()}"))
    spec = importlib.util.spec_from_file_location("harness.wirediff._units", built)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _c_unit_columns() -> Callable[..., Any]:
    function: Callable[..., Any] = _c_units().unit_columns
    return function


@settings(max_examples=1500, deadline=None)
@given(st.one_of(scanner_text, tricky_text, news_text))
def test_the_c_unit_loop_equals_the_python_unit_path(text: str) -> None:
    """``units.c`` scans as ``re`` matches the pattern and reads the same memo."""
    import importlib

    from harness.wirediff.tokens import joined_marks_in

    prepare_module = importlib.import_module("harness.wirediff.prepare")
    joined = joined_marks_in(text)
    if joined is None:
        return  # not the unit path's text (test_unit_columns_equal_the_token_columns covers the rest)
    made = _c_unit_columns()(text, joined, prepare_module._UNITS, prepare_module._UNITS_LIMIT, prepare_module._unit_fact)
    assert prepare_module._Columns._make(made) == _unit_columns_in_python(text)


def test_the_c_unit_loop_refuses_what_is_not_its_input() -> None:
    import importlib

    prepare_module = importlib.import_module("harness.wirediff.prepare")
    unit_columns = _c_unit_columns()
    with pytest.raises(TypeError, match="tuple of 6 facts"):
        unit_columns("a b", False, {}, 10, lambda unit: (unit,))
    with pytest.raises(TypeError, match="text must be a str"):
        unit_columns(b"a b", False, {}, 10, prepare_module._unit_fact)
    with pytest.raises(ZeroDivisionError):  # the memo's function raising: no half-built columns
        unit_columns("a b", False, {}, 10, lambda unit: 1 / 0)
    memo: dict[str, object] = {}
    empty = unit_columns(" \n ", False, memo, 10, prepare_module._unit_fact)
    assert empty == ((), (), (), (), (), (), [], (), ()) and memo == {}
    # A compiled process uses it; one running the sources does not.
    assert (prepare_module._UNIT_COLUMNS is not None) == importlib.import_module("harness.wirediff.compiled").core_state().compiled


def test_equal_token_key_and_folded_form_are_one_object() -> None:
    """A prepared text's columns point at one object where a token, its key and its
    folded form are equal strings (fewer objects for every later stage to read)."""
    prepared = prepare("The envoy said talks resumed.\n\nsaid the envoy")
    assert all(token is key for token, key in zip(prepared.tokens, prepared.keys, strict=True) if token == key)
    said = [k for k, token in enumerate(prepared.tokens) if token == "said"]
    assert prepared.tokens[said[0]] is prepared.tokens[said[1]]  # " said" and "\n\nsaid": one object
    words = [k for k, is_word in enumerate(prepared.is_word) if is_word]
    assert all(prepared.folded_words[n] is prepared.keys[k] for n, k in enumerate(words)
               if prepared.folded_words[n] == prepared.keys[k])


def test_the_c_unit_loop_shares_offsets_and_reads_texts_past_the_shared_ones() -> None:
    """Offsets below the C module's shared range are shared int objects; a text longer than
    that range (40,000 characters and more) still gets every offset right."""
    import importlib

    prepare_module = importlib.import_module("harness.wirediff.prepare")
    text = "The envoy's talks resumed on 12 May, officials said. " * 800  # 42,400 characters
    made = _c_unit_columns()(text, False, prepare_module._UNITS, prepare_module._UNITS_LIMIT, prepare_module._unit_fact)
    assert prepare_module._Columns._make(made) == _unit_columns_in_python(text)
    starts, ends = made[1], made[2]
    assert starts[-1] > 40_000 and ends[-1] == len(text.rstrip())
    again = _c_unit_columns()(text[:60], False, {}, 10, prepare_module._unit_fact)
    assert again[1][3] is starts[3] and again[2][3] is ends[3]  # the same int objects


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(scanner_text, tricky_text, news_text), min_size=1, max_size=4), st.sampled_from([2, 5, 1 << 16]))
def test_the_c_unit_loop_finds_units_seen_before_by_their_characters(texts: list[str], limit: int) -> None:
    """Units are found again by their characters (units.c's table of units seen before):
    text after text, through one memo, with the memo starting afresh at a small limit,
    the columns are those of the Python path, and an equal unit is one string object."""
    import importlib

    from harness.wirediff.tokens import joined_marks_in

    prepare_module = importlib.import_module("harness.wirediff.prepare")
    memo: dict[str, Any] = {}
    units_seen: dict[str, str] = {}
    for text in texts + texts:  # the second round finds every unit in the table
        joined = joined_marks_in(text)
        if joined is None:
            continue
        made = _c_unit_columns()(text, joined, memo, limit, prepare_module._unit_fact)
        assert prepare_module._Columns._make(made) == _unit_columns_in_python(text)
        assert len(memo) <= limit + 1
        if limit > 1000:  # nothing forgotten: one object per distinct unit
            for unit in made[4]:
                assert units_seen.setdefault(unit, unit) is unit


def test_the_c_unit_table_only_answers_what_the_memo_holds() -> None:
    """The table is a view of the memo: another memo, or the memo emptied, and the facts
    come from that memo's function again, never from what an earlier memo said."""
    unit_columns = _c_unit_columns()

    def facts_by(mark: int) -> Callable[[str], tuple[Any, ...]]:
        return lambda unit: (unit.strip(), len(unit.strip()), True, unit.strip(), mark, unit.strip())

    memo: dict[str, Any] = {}
    assert unit_columns("the envoy", False, memo, 100, facts_by(1))[6] == [1, 1]
    assert unit_columns("the envoy said", False, memo, 100, facts_by(2))[6] == [1, 1, 2]  # the memo's facts
    other: dict[str, Any] = {}
    assert unit_columns("the envoy said", False, other, 100, facts_by(3))[6] == [3, 3, 3]
    assert unit_columns("the envoy", False, memo, 100, facts_by(4))[6] == [1, 1]  # back to the first memo
    memo.clear()
    assert unit_columns("the envoy", False, memo, 100, facts_by(5))[6] == [5, 5]
    # "é" cut from a text stored as UCS-2 is a Latin-1 string of its own: found all the same.
    wide = unit_columns("caf\u00e9 \u0101", False, memo, 100, facts_by(6))
    narrow = unit_columns("caf\u00e9", False, memo, 100, facts_by(7))
    assert narrow[6] == [6] and narrow[4][0] is wide[4][0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), max_size=300), st.integers(0, 3))
def test_the_c_running_counts_equal_accumulate(flags: list[bool], repeat: int) -> None:
    """``units.c``'s running_counts is ``tuple(accumulate(flags, initial=0))``, also past its shared ints."""
    from itertools import accumulate

    long_flags = tuple(flags) * (1 + 120 * repeat)  # up to 108,300 flags: counts beyond the shared range
    counts = _c_units().running_counts(long_flags)
    assert counts == tuple(accumulate(long_flags, initial=0))
    assert all(type(count) is int for count in counts)  # ints, never the first flag itself


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 400), max_size=60), st.lists(st.integers(0, 420), max_size=12))
def test_the_c_sentence_ranges_equal_the_bisects(offsets: list[int], sentence_starts: list[int]) -> None:
    """``units.c``'s sentence_ranges: ``prepare``'s token ranges of sentences (a bisect of
    the tokens' starts per sentence but the first, the empty ranges left out)."""
    starts = tuple(sorted(set(offsets)))
    bounds = [(start, start + 1) for start in sorted(sentence_starts)]
    ranges = _c_units().sentence_ranges(starts, bounds)
    assert ranges == sentence_ranges_in_python(starts, bounds)
    assert type(ranges) is tuple and all(type(r) is tuple and lo < hi for r in ranges for lo, hi in [r])
    if starts:  # the ranges tile the tokens
        assert ranges[0][0] == 0 and ranges[-1][1] == len(starts)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))


def test_the_c_sentence_ranges_refuse_what_is_not_offsets() -> None:
    units = _c_units()
    assert units.sentence_ranges((), [(0, 5), (6, 9)]) == ()
    assert units.sentence_ranges([3, 8, 12], [[0, 5], [7, 9]]) == ((0, 1), (1, 3))  # any sequences
    with pytest.raises(TypeError, match="two arguments"):
        units.sentence_ranges((1,))
    with pytest.raises(TypeError, match="must be a sequence"):
        units.sentence_ranges(5, [])
    with pytest.raises(TypeError):
        units.sentence_ranges((1, "2"), [(0, 1), (1, 2)])
    with pytest.raises(TypeError):
        units.sentence_ranges((1, 2), [(0, 1), 5])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from("abcde"), max_size=30), st.lists(st.sampled_from("abcdef"), max_size=30))
def test_matching_blocks_are_difflibs(a: list[str], b: list[str]) -> None:
    """classify's matching_blocks (sub-edits pair tokens by them) gives difflib's blocks."""
    import difflib

    from harness.wirediff.classify import matching_blocks

    expected = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    assert matching_blocks(a, b) == [tuple(block) for block in expected]
    assert matching_blocks(tuple(a), tuple(b)) == [tuple(block) for block in expected]


class _Untrue:
    def __bool__(self) -> bool:
        raise ZeroDivisionError


def test_the_c_running_counts_refuse_what_is_not_a_tuple() -> None:
    import importlib

    from harness.wirediff.prepare import running_counts

    with pytest.raises(TypeError, match="must be a tuple"):
        _c_units().running_counts([True])
    with pytest.raises(ZeroDivisionError):  # a flag whose truth raises: the error, no counts
        _c_units().running_counts((True, _Untrue()))
    assert _c_units().running_counts(()) == (0,)
    assert running_counts((True, False, True)) == (0, 1, 1, 2)
    assert type(running_counts((True,))[1]) is int
    prepare_module = importlib.import_module("harness.wirediff.prepare")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (prepare_module._RUNNING_COUNTS is not None) == compiled  # used where the core runs compiled


# What chrome_words decides: word characters ASCII or not ("_" is none, "²" and "٣" are),
# each separator between word characters or not, a final ".", combining marks.
chrome_word_text = st.text(alphabet="aZé1٣²½_.:/'’-‐–,; \n\u0301\u4e2d", max_size=40) | st.lists(
    st.sampled_from(["U.S.", "e.g.", "co-op", "10:30", "a/b", "Putin’s", "don't", "x_y", "end.", "..", "-", " "]), max_size=12
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(chrome_word_text, tricky_text, news_text, chrome_text), st.integers(0, 6))
def test_the_c_chrome_words_equal_findall(text: str, limit: int) -> None:
    """``units.c``'s chrome_words finds the words ``boilerplate._WORD.findall`` finds,
    and with a limit the first of them (``boilerplate._first_words``)."""
    from harness.wirediff.boilerplate import _WORD, _first_words

    assert _c_units().chrome_words(text) == _WORD.findall(text)
    assert _c_units().chrome_words(text, limit) == _WORD.findall(text)[:limit] == _first_words(text, limit)


@settings(max_examples=500, deadline=None)
@given(st.one_of(chrome_word_text, tricky_text, news_text, chrome_text), st.integers(0, 12))
def test_the_c_chrome_word_count_is_findall_s_length_up_to_the_limit(text: str, limit: int) -> None:
    """``units.c``'s chrome_word_count: the furniture pass's test of a short segment."""
    from harness.wirediff import boilerplate

    expected = min(len(boilerplate._WORD.findall(text)), limit)
    assert _c_units().chrome_word_count(text, limit) == expected == boilerplate._word_count(text, limit)


@settings(max_examples=800, deadline=None)
@given(st.one_of(chrome_word_text, tricky_text, news_text, chrome_text), st.data())
def test_a_span_s_chrome_word_count_is_its_slice_s(text: str, data: st.DataObject) -> None:
    """``chrome_word_count(text, limit, start, end)`` reads the span in place as the
    slice would be read: a word at its end stops there (``_Side._word_count``)."""
    from harness.wirediff import boilerplate

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    limit = data.draw(st.integers(0, 45))
    expected = min(len(boilerplate._WORD.findall(text[start:end])), limit)
    assert _c_units().chrome_word_count(text, limit, start, end) == expected
    assert boilerplate._span_word_count(text, start, end, limit) == expected


def test_a_span_outside_the_text_is_refused() -> None:
    for start, end in ((-1, 2), (2, 1), (0, 4)):
        with pytest.raises(ValueError, match="start <= end <= len"):
            _c_units().chrome_word_count("a b", 9, start, end)
    with pytest.raises(TypeError, match="start and end"):
        _c_units().chrome_word_count("a b", 9, 0, "3")
    with pytest.raises(TypeError, match="limit"):
        _c_units().chrome_word_count("a b", 9, 0)
    assert _c_units().chrome_word_count("end. Then more", 9, 0, 3) == 1  # "end", its full stop outside
    assert _c_units().chrome_word_count("U.S. co-op", 9, 0, 3) == 1  # "U.S" up to the span's end


def test_the_c_chrome_words_refuse_what_is_not_text() -> None:
    import importlib

    with pytest.raises(TypeError, match="text must be a str"):
        _c_units().chrome_words(b"a b")
    assert _c_units().chrome_words("") == [] == _c_units().chrome_words("a b", 0)
    with pytest.raises(TypeError, match="limit"):
        _c_units().chrome_words("a b", "2")
    with pytest.raises(ValueError, match="negative"):
        _c_units().chrome_words("a b", -1)
    assert _c_units().chrome_words("By U.S. co-op’s 10:30 a_b end.") == ["By", "U.S.", "co-op’s", "10:30", "a", "b", "end."]
    boilerplate = importlib.import_module("harness.wirediff.boilerplate")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (boilerplate._CHROME_WORDS is not None) == compiled  # used where the core runs compiled
    assert (boilerplate._CHROME_WORD_COUNT is not None) == compiled
    with pytest.raises(TypeError, match="text must be a str"):
        _c_units().chrome_word_count(b"a b", 3)
    with pytest.raises(TypeError, match="limit"):
        _c_units().chrome_word_count("a b", "3")
    assert _c_units().chrome_word_count("By U.S. co-op’s 10:30 a_b end.", 99) == 7
    assert _c_units().chrome_word_count("By U.S. co-op’s 10:30 a_b end.", 3) == 3


# What the segment splitter decides: stops, closers after them, spaces, an opener, a
# capital or a digit or neither, abbreviations and initials before a full stop.
segment_text = st.lists(
    st.sampled_from(["He left", ".", "!", "?", "\u2026", '"', "\u201d", "\u2019", ")", "]", " ", "  ", "\n", "\t",
                     "\u201c", "(", "[", "'", "The", "the", "3", "Mr.", "U.S.", "Gen.", "J.", "e.g.", "x_y.", "\u00e9t\u00e9.",
                     "Dr", "No.", "\u00c9cole", "\u0663"]),
    max_size=16,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(segment_text, tricky_text, news_text, chrome_text), st.integers(0, 8), st.integers(0, 8))
def test_the_c_segment_sentence_starts_equal_the_python(text: str, cut_start: int, cut_end: int) -> None:
    """``units.c``'s segment_sentence_starts cuts a paragraph where the Python definition does,
    also for a span inside a longer text (a stop's lookahead sees nothing past the span)."""
    from harness.wirediff.boilerplate import _ABBREVIATIONS, sentence_starts_in_python

    start, end = min(cut_start, len(text)), max(min(len(text) - cut_end, len(text)), 0)
    start = min(start, end)
    assert _c_units().segment_sentence_starts(text, start, end, _ABBREVIATIONS) == sentence_starts_in_python(text, start, end)


def test_the_c_segment_sentence_starts_refuse_what_is_not_their_input() -> None:
    import importlib

    from harness.wirediff.boilerplate import _ABBREVIATIONS

    starts = _c_units().segment_sentence_starts
    with pytest.raises(TypeError, match="abbreviations: a set"):
        starts("A. B.", 0, 5, ["mr"])
    with pytest.raises(ValueError, match="within the text"):
        starts("A. B.", 0, 9, _ABBREVIATIONS)
    assert starts("He left. Then Mr. Smith came. 3 more.", 0, 37, _ABBREVIATIONS) == [0, 9, 30]
    boilerplate = importlib.import_module("harness.wirediff.boilerplate")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (boilerplate._SEGMENT_SENTENCE_STARTS is not None) == compiled  # used where the core runs compiled


def _tuple_counts(a: list[Any], b: list[Any], size: int) -> tuple[int, int, int]:
    a_set, b_set = (set(zip(*(w[k:] for k in range(size)), strict=False)) for w in (a, b))
    return len(a_set), len(b_set), len(a_set & b_set)


@settings(max_examples=800, deadline=None)
@given(small_vocabulary, small_vocabulary, st.integers(1, 7))
def test_the_c_shingle_counts_equal_the_sets(a: list[str], b: list[str], size: int) -> None:
    """``units.c``'s shingle_counts counts what sets of word tuples count, at every n-gram size."""
    assert _c_units().shingle_counts(a, b, size) == _tuple_counts(a, b, size)
    assert _c_units().shingle_counts(tuple(a), tuple(b), SHINGLE_SIZE) == reference_counts(a, b)


class _Colliding:
    """Equal by value, every one with the same hash: the table must compare them word by word."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Colliding) and other.value == self.value


class _Unequal:
    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        raise ZeroDivisionError


@settings(max_examples=300, deadline=None)
@given(small_vocabulary, small_vocabulary, st.integers(1, 6))
def test_the_c_shingle_counts_tell_colliding_hashes_apart(a: list[str], b: list[str], size: int) -> None:
    a_objects, b_objects = [_Colliding(w) for w in a], [_Colliding(w) for w in b]
    assert _c_units().shingle_counts(a_objects, b_objects, size) == _tuple_counts(a, b, size)


@pytest.mark.parametrize("name", ["shingle_counts", "word_counts"])
def test_the_c_word_and_gram_counts_refuse_what_is_not_words(name: str) -> None:
    counts = getattr(_c_units(), name)
    with pytest.raises(TypeError, match="unhashable"):
        counts([[1]] * 5, ["a"] * 5, 5)
    with pytest.raises(ZeroDivisionError):  # == raising: the error, no count
        counts([_Unequal(), _Unequal()], [], 1)
    with pytest.raises(ValueError, match=f"{name}: size must be at least 1"):
        counts(["a"], ["a"], 0)
    with pytest.raises(TypeError, match="not iterable"):
        counts(5, ["a"], 1)
    with pytest.raises(TypeError, match=rf"{name}\(a_words, b_words, size\)"):
        counts(["a"], ["a"])


def test_the_c_shingle_counts_of_nothing() -> None:
    import importlib

    shingle_counts_c = _c_units().shingle_counts
    assert shingle_counts_c([], [], 5) == (0, 0, 0)
    assert shingle_counts_c([[1]] * 4, [], 5) == (0, 0, 0)  # no 5-gram, nothing hashed: as set(zip(...))
    similarity = importlib.import_module("harness.wirediff.similarity")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (similarity._SHINGLE_COUNTS is not None) == compiled  # used where the core runs compiled


def _check_word_counts(a: list[Any], b: list[Any], size: int, values_a: list[str], values_b: list[str]) -> None:
    """``word_counts`` against the sets, and its code strings against the words they stand for."""
    from rapidfuzz.distance import Levenshtein

    counts = _c_units().word_counts(a, b, size)
    assert counts[:6] == _tuple_counts(values_a, values_b, size) + _tuple_counts(values_a, values_b, 1)
    a_codes, b_codes = counts[6:]
    assert len(a_codes) == len(a) and len(b_codes) == len(b)
    pairs = set(zip(values_a + values_b, a_codes + b_codes, strict=True))
    assert len(pairs) == len({v for v, _ in pairs}) == len({c for _, c in pairs})  # one code per word, and back
    assert Levenshtein.distance(a_codes, b_codes) == Levenshtein.distance(values_a, values_b)


@settings(max_examples=800, deadline=None)
@given(small_vocabulary, small_vocabulary, st.integers(1, 7))
def test_the_c_word_counts_equal_the_sets_and_the_word_distance(a: list[str], b: list[str], size: int) -> None:
    """``units.c``'s word_counts: the size-gram and word counts of the sets, and one code
    point per distinct word, so that the edit distance of the codes is the words'."""
    _check_word_counts(a, b, size, a, b)


@settings(max_examples=200, deadline=None)
@given(small_vocabulary, small_vocabulary, st.integers(1, 6))
def test_the_c_word_counts_tell_colliding_hashes_apart(a: list[str], b: list[str], size: int) -> None:
    _check_word_counts([_Colliding(w) for w in a], [_Colliding(w) for w in b], size, a, b)


def test_the_c_word_codes_pass_over_the_surrogates() -> None:
    words = [f"w{i}" for i in range(0xD800 + 50)]
    a_codes, b_codes = _c_units().word_counts(words, words[::-1], 5)[6:]
    assert len(set(a_codes)) == len(words) and set(a_codes) == set(b_codes)
    assert not any(0xD800 <= ord(code) <= 0xDFFF for code in a_codes)
    assert ord(a_codes[-1]) == 0xD800 + 49 + 0x800


def test_the_c_word_counts_hash_every_word() -> None:
    import importlib

    word_counts = _c_units().word_counts
    with pytest.raises(TypeError, match="unhashable"):
        word_counts([[1]], ["a"], 5)  # every word gets an id, so every word is hashed
    assert word_counts([], [], 5) == (0, 0, 0, 0, 0, 0, "", "")
    similarity = importlib.import_module("harness.wirediff.similarity")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (similarity._WORD_COUNTS is not None) == compiled  # used where the core runs compiled


def _check_word_codes(texts: list[list[Any]], values: list[list[str]], size: int) -> None:
    """``word_codes`` and ``shared_counts`` against the sets, every two texts coded with one
    table, and the codes against the words they stand for."""
    from rapidfuzz.distance import Levenshtein

    units = _c_units()
    table: dict[Any, int] = {}
    coded = [units.word_codes(words, table, size) for words in texts]
    for words, (codes, _, _, _, _) in zip(values, coded, strict=True):
        assert len(codes) == len(words)
    pairs = {
        (word, code) for words, (codes, *_) in zip(values, coded, strict=True) for word, code in zip(words, codes, strict=True)
    }
    assert len(pairs) == len({w for w, _ in pairs}) == len({c for _, c in pairs}) == len(table)  # a code per word, and back
    for (x, x_coded), (y, y_coded) in itertools.product(zip(values, coded, strict=True), repeat=2):
        x_codes, x_grams, x_types, x_gram_count, x_type_count = x_coded
        y_codes, y_grams, y_types, y_gram_count, y_type_count = y_coded
        shared = units.shared_counts(x_grams, y_grams, x_types, y_types)
        assert (x_gram_count, y_gram_count, shared[0]) == _tuple_counts(x, y, size)
        assert (x_type_count, y_type_count, shared[1]) == _tuple_counts(x, y, 1)
        assert Levenshtein.distance(x_codes, y_codes) == Levenshtein.distance(x, y)


@settings(max_examples=500, deadline=None)
@given(st.lists(small_vocabulary, min_size=1, max_size=3), st.integers(1, 6))
def test_the_c_word_codes_count_what_the_sets_count(texts: list[list[str]], size: int) -> None:
    """Texts coded once each with one table (as a corpus run codes each article once) give,
    two by two, word_counts' six counts and the words' edit distance."""
    _check_word_codes(texts, texts, size)


@settings(max_examples=200, deadline=None)
@given(small_vocabulary, small_vocabulary, st.integers(1, 6))
def test_the_c_word_codes_tell_colliding_hashes_apart(a: list[str], b: list[str], size: int) -> None:
    _check_word_codes([[_Colliding(w) for w in a], [_Colliding(w) for w in b]], [a, b], size)


def test_the_c_word_codes_go_on_from_the_table_and_pass_over_the_surrogates() -> None:
    word_codes = _c_units().word_codes
    table = {f"w{i}": i for i in range(0xD800 - 2)}  # as if a process had met these words
    codes, *_ = word_codes(["new", "w5", "other", "again", "new"], table, 5)
    assert [ord(c) for c in codes] == [0xD800 - 2, 5, 0xD800 - 1, 0xD800 + 0x800, 0xD800 - 2]
    assert table["again"] == 0xD800  # the number; its code point is past the surrogates


def test_the_c_word_codes_say_none_past_the_last_code_point() -> None:
    word_codes = _c_units().word_codes
    last = 0x10FFFF - 0x800  # the last number with a code point
    table = dict.fromkeys(range(last), 0)  # only its size counts for a new word's number
    assert word_codes(["a"], table, 5)[0] == chr(0x10FFFF)
    assert word_codes(["a", "b"], table, 5) is None  # "b" would be number last + 1
    assert "b" not in table  # no number past the last is given


def test_the_c_word_codes_refuse_what_they_cannot_number() -> None:
    units = _c_units()
    with pytest.raises(TypeError, match="unhashable"):
        units.word_codes([[1]], {}, 5)
    with pytest.raises(ZeroDivisionError):  # == raising: the error, no codes
        units.word_codes([_Unequal(), _Unequal()], {}, 1)
    with pytest.raises(TypeError, match=r"word_codes\(words, table, size\): table must be a dict"):
        units.word_codes(["a"], [], 5)
    with pytest.raises(ValueError, match="size must be 1 to 6"):
        units.word_codes(["a"], {}, 7)
    with pytest.raises(ValueError, match="no word number"):
        units.word_codes(["a"], {"a": -1}, 5)
    with pytest.raises(ValueError, match="no word number"):
        units.word_codes(["a"], {"a": "one"}, 5)
    grams, types = units.word_codes(["a", "b"], {}, 1)[1:3]
    with pytest.raises(TypeError, match="the grams and types of word_codes"):
        units.shared_counts(grams, grams[:-1], types, types)
    with pytest.raises(TypeError, match="the grams and types of word_codes"):
        units.shared_counts(grams, grams, types, "types")
    with pytest.raises(TypeError, match=r"shared_counts\(a_grams, b_grams, a_types, b_types\)"):
        units.shared_counts(grams, grams, types)
    full = grams[:16] + b"\x00" * (len(grams) - 16)  # a header over slots none of which is empty: all hold "a"'s gram
    assert units.shared_counts(grams, full, types, types)[0] == 1  # "a" found, "b" looked for in every slot, not forever
    codes, grams, types, gram_count, type_count = units.word_codes([], {}, 5)
    assert (codes, gram_count, type_count) == ("", 0, 0)
    assert units.shared_counts(grams, grams, types, types) == (0, 0)


def test_similarity_codes_each_text_once_and_starts_afresh_between_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each text's words are coded once (its entry found again for its next pair), and a
    full table starts afresh before a pair, never inside one: the numbers are those of the
    per-pair path, pair by pair. units.c's functions are put in, so the per-text path is
    checked whether or not the core runs compiled."""
    import importlib

    similarity_module = importlib.import_module("harness.wirediff.similarity")
    texts = [prepare(t) for t in ("The council met on Tuesday.", "The council met on Monday.", "Rain fell on the city.")]
    monkeypatch.setattr(similarity_module, "_WORD_CODES", None)  # word_counts compiled, the sets from the sources
    expected = [similarity_module.similarity(a, b, 3) for a, b in itertools.permutations(texts, 2)]
    monkeypatch.setattr(similarity_module, "_WORD_CODES", _c_units().word_codes)
    monkeypatch.setattr(similarity_module, "_COMMON_COUNTS", _c_units().shared_counts)
    monkeypatch.setattr(similarity_module, "CODE_TABLE_LIMIT", 6)
    similarity_module._CODE_TABLE.clear()
    similarity_module._CODES.clear()
    for text in texts:  # met before: every pair below is coded
        similarity_module._met_before(text.folded_words)
    found = [similarity_module.similarity(a, b, 3) for a, b in itertools.permutations(texts, 2)]
    assert found == expected
    words = {w for t in texts for w in t.folded_words}
    assert 0 < len(similarity_module._CODE_TABLE) < len(words)  # started afresh: not every word is in it
    similarity_module._CODE_TABLE.clear()
    similarity_module._CODES.clear()
    first = similarity_module._coded(texts[0].folded_words)
    similarity_module._CODE_TABLE.clear()
    assert similarity_module._coded(texts[0].folded_words) == first and not similarity_module._CODE_TABLE  # found again
    similarity_module._CODES.clear()


def test_similarity_codes_a_text_from_its_second_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pair with a text met for the first time is numbered on its own (word_counts):
    nothing goes into the process's table; the same texts' next pair is coded, with the
    same numbers."""
    import importlib

    similarity_module = importlib.import_module("harness.wirediff.similarity")
    monkeypatch.setattr(similarity_module, "_WORD_CODES", _c_units().word_codes)
    monkeypatch.setattr(similarity_module, "_COMMON_COUNTS", _c_units().shared_counts)
    monkeypatch.setattr(similarity_module, "_MET", {})
    a, b, c = (prepare(t) for t in ("The council met on Tuesday.", "The council met on Monday.", "Rain fell."))
    similarity_module._CODE_TABLE.clear()
    similarity_module._CODES.clear()
    try:
        first = similarity_module.similarity(a, b, 3)
        assert not similarity_module._CODE_TABLE and not similarity_module._CODES
        assert similarity_module.similarity(a, c, 1) == similarity_module.similarity(a, c, 1)  # c met once, then again
        assert similarity_module.similarity(a, b, 3) == first
        coded = {id(words) for words, _ in similarity_module._CODES.values()}
        assert coded == {id(a.folded_words), id(b.folded_words), id(c.folded_words)}
    finally:
        similarity_module._CODE_TABLE.clear()
        similarity_module._CODES.clear()


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.integers(0, 60), max_size=30).map(lambda xs: tuple(sorted(xs))),
    st.lists(st.integers(0, 60), max_size=30).map(lambda xs: tuple(sorted(xs))),
    st.integers(-5, 70),
    st.integers(-5, 70),
)
def test_the_c_token_range_is_the_two_bisections(starts: tuple[int, ...], ends: tuple[int, ...], start: int, end: int) -> None:
    """``units.c``'s token_range: bisect_left of the starts and bisect_right of the ends,
    repeated offsets (empty tokens) and offsets outside the text included."""
    import bisect

    assert _c_units().token_range(starts, ends, start, end) == (bisect.bisect_left(starts, start), bisect.bisect_right(ends, end))


def test_the_c_token_range_refuses_what_is_no_offset() -> None:
    token_range = _c_units().token_range
    with pytest.raises(TypeError, match="two tuples and two ints"):
        token_range([0, 4], (3, 8), 0, 8)
    with pytest.raises(TypeError, match="two tuples and two ints"):
        token_range((0, 4), (3, 8), 0.0, 8)
    with pytest.raises(TypeError, match="offsets must be ints"):
        token_range((0, "4", 9), (3, 8), 5, 8)
    with pytest.raises(OverflowError):
        token_range((0, 4), (3, 8), 1 << 70, 8)


@settings(max_examples=200, deadline=None)
@given(news_text, st.integers(0, 400), st.integers(0, 400))
def test_a_prepared_text_s_token_range_is_the_two_bisections(text: str, start: int, end: int) -> None:
    """What the diff asks for every edit's words, compiled (one C call) or not (bisect)."""
    import bisect

    prepared = prepare(text)
    expected = (bisect.bisect_left(prepared.starts, start), bisect.bisect_right(prepared.ends, end))
    assert prepared.token_range(start, end) == expected


def _letters_as_defined(token: str) -> str:
    import unicodedata

    return "".join(ch for ch in token if ch.isalnum() and unicodedata.category(ch) != "Lm")


def _balanced_ends_as_defined(
    a_token: list[str], b_token: list[str], eq_after: list[int], linked: list[bool], first: int, changes: int, shared_most: int
) -> set[int]:
    """classify's letter_balanced_ends_in_python on plain columns (the definition)."""
    ends: set[int] = set()
    a_letters, b_letters = "", ""
    last, shared = first, 0
    while True:
        a_letters += _letters_as_defined(a_token[last])
        b_letters += _letters_as_defined(b_token[last])
        if a_letters == b_letters:
            ends.add(last)
        shared += eq_after[last]
        if last - first + 1 >= changes or shared > shared_most:
            return ends
        if not (last + 1 < len(a_token) and linked[last]):
            return ends
        last += 1


_TYPO_TOKENS = ["", "'", "’", "ʼ", "\"", "“", "-", "—", "don't", "don’t", "U.S.", "US", "e-mail", "email", "café", "cafe", "١٢", "12", "x²", "Aß"]


@settings(max_examples=600, deadline=None)
@given(st.data(), st.integers(1, 14), st.integers(1, 12), st.integers(0, 8))
def test_the_c_letter_balanced_ends_are_the_walk(data: st.DataObject, steps: int, changes: int, shared_most: int) -> None:
    """``units.c``'s letter_balanced_ends: the steps where both sides' letters agree, walked
    as classify's definition walks them (ASCII tokens read in place, others through letters)."""
    tokens = st.lists(st.sampled_from(_TYPO_TOKENS), min_size=steps, max_size=steps)
    a_token, b_token = data.draw(tokens), data.draw(tokens)
    eq_after = data.draw(st.lists(st.integers(0, 4), min_size=steps, max_size=steps))
    linked = data.draw(st.lists(st.booleans(), min_size=steps, max_size=steps))
    first = data.draw(st.integers(0, steps - 1))
    expected = _balanced_ends_as_defined(a_token, b_token, eq_after, linked, first, changes, shared_most)
    found = _c_units().letter_balanced_ends(a_token, b_token, eq_after, linked, first, changes, shared_most, _letters_as_defined)
    assert found == expected


def test_the_c_letter_balanced_ends_refuse_what_they_cannot_walk() -> None:
    import importlib

    walk = _c_units().letter_balanced_ends
    with pytest.raises(TypeError, match=r"letter_balanced_ends\(a_token"):
        walk(("a",), ["a"], [0], [False], 0, 12, 8, _letters_as_defined)
    with pytest.raises(ValueError, match="columns of one length"):
        walk(["a"], ["a", "b"], [0], [False], 0, 12, 8, _letters_as_defined)
    with pytest.raises(ValueError, match="columns of one length"):
        walk(["a"], ["a"], [0], [False], 1, 12, 8, _letters_as_defined)
    with pytest.raises(TypeError, match="must return a str"):
        walk(["é"], ["e"], [0], [False], 0, 12, 8, lambda token: None)
    with pytest.raises(ZeroDivisionError):
        walk(["é"], ["e"], [0], [False], 0, 12, 8, lambda token: 1 / 0)
    assert walk(["U.S."], ["US"], [0], [False], 0, 12, 8, _letters_as_defined) == {0}
    b_token = ["e", "x"]

    def shrinking(token: str) -> str:  # a letters that empties a column under the walk
        b_token.clear()
        return _letters_as_defined(token)

    with pytest.raises(ValueError, match="changed during the walk"):
        walk(["é", "x"], b_token, [0, 0], [True, True], 0, 12, 8, shrinking)
    classify = importlib.import_module("harness.wirediff.classify")
    compiled = importlib.import_module("harness.wirediff.compiled").core_state().compiled
    assert (classify._LETTER_BALANCED_ENDS is not None) == compiled  # used where the core runs compiled


def test_unit_path_is_taken_for_plain_copy_and_left_for_joined_marks() -> None:
    from harness.wirediff.tokens import token_units

    plain = "The talks resumed on Friday, officials said. Russia's envoy_1 left."
    units = token_units(plain)
    assert units is not None and "".join(units) == plain.rstrip()
    assert units == token_arrays(plain).units
    assert token_units("Russiaʼs envoy") is None  # U+02BC: joined before tokenising
    assert token_units("cafe\u0301 talks") is None  # a combining mark: the reference tokeniser
    # A word starting with "_" is a word on both paths.
    prepared = prepare("_tag and more")
    assert prepared.tokens == ("_tag", "and", "more") and prepared.is_word == (True, True, True)


def test_unit_memo_starts_afresh_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    prepare_module = importlib.import_module("harness.wirediff.prepare")  # the module, not the function
    monkeypatch.setattr(prepare_module, "_UNITS_LIMIT", 3)
    texts = ["Alpha beta gamma delta.", "Epsilon zeta eta theta.", "Alpha beta gamma delta."]
    for text in texts:
        assert prepare(text) == reference_prepare(text)
    assert len(prepare_module._UNITS) <= 3 + 5  # cleared once past the limit, then refilled
