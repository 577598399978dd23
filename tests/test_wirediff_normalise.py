"""The normaliser: rewriting a text into another outlet's house style."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.wirediff import PASSES, Kind, StyleSheet, diff_texts, load_style, normalise

STYLES = Path(__file__).resolve().parent.parent / "experiments" / "styles"


@pytest.fixture(scope="module")
def sheets() -> dict[str, StyleSheet]:
    return {name: load_style(name, STYLES) for name in ("guardian", "reuters", "ap", "default")}


@pytest.mark.parametrize(
    ("sheet", "before", "after"),
    [
        ("guardian", "He said: \"They told us 'no' twice.\"", "He said: 'They told us \"no\" twice.'"),
        ("reuters", "He said: 'They told us \"no\" twice.'", "He said: \"They told us 'no' twice.\""),
        ("guardian", "the leaders' meeting", "the leaders' meeting"),
        ("guardian", "Officials said the U.S. envoy and the U.N. met.", "Officials said the US envoy and the UN met."),
        ("guardian", "They met in the U.S.", "They met in the US."),
        ("ap", "The US and UK envoys met in the UN.", "The U.S. and U.K. envoys met in the U.N."),
        ("guardian", "Mr. Smith met Dr. Jones.", "Mr Smith met Dr Jones."),
        ("ap", "Talks on August 5 and on 16 May 2025 and Sept 3.", "Talks on Aug. 5 and on May 16, 2025 and Sept. 3."),
        ("guardian", "Talks on Aug. 5, 2025 and on May 16.", "Talks on 5 August 2025 and on 16 May."),
        ("guardian", "It may 16 times", "It may 16 times"),
        ("guardian", "It ended on May 16.", "It ended on 16 May."),
        ("guardian", "It ended on 16 May.", "It ended on 16 May."),
        ("ap", "It ended on 5 August.", "It ended on Aug. 5."),
        ("guardian", "Prices rose 5% and 7 percent.", "Prices rose 5 per cent and 7 per cent."),
        ("reuters", "Prices rose 5 per cent.", "Prices rose 5%."),
        ("guardian", "The organization will analyze the color of the draft.",
         "The organisation will analyse the colour of the draft."),
        ("ap", "The organisation will analyse the colour of the programme.",
         "The organization will analyze the color of the programme."),
        ("guardian", "Russian President Vladimir Putin met President Donald Trump.",
         "The Russian president, Vladimir Putin, met the president, Donald Trump."),
        ("guardian", "Foreign Minister Sergei Lavrov said no.", "The foreign minister, Sergei Lavrov, said no."),
        ("guardian", "Ukraine's President Volodymyr Zelenskiy and Russian President Vladimir Putin.",
         "Ukraine's president, Volodymyr Zelenskyy, and the Russian president, Vladimir Putin."),
        ("guardian", "He met President Donald Trump's envoy.", "He met President Donald Trump's envoy."),
        ("reuters", "the Russian president, Vladimir Putin, met the US president, Donald Trump.",
         "Russian President Vladimir Putin met U.S. President Donald Trump."),
        ("guardian", '"We will win," Smith said. "No," he said.', "'We will win,' said Smith. 'No,' he said."),
        ("reuters", "'We will win,' said Smith.", '"We will win," Smith said.'),
        ("guardian", "the West Bank and the West agree.", "the West Bank and the west agree."),
        ("guardian", "Zelenskiy's aide met Zelenskiy in the Putin-Zelenskiy talks.",
         "Zelenskyy's aide met Zelenskyy in the Putin-Zelenskyy talks."),
        ("guardian", "ISTANBUL, July 23 (Reuters) - Talks ended.", "Talks ended."),
        ("reuters", "ISTANBUL, July 23 (Reuters) - Talks ended.", "ISTANBUL, July 23 (Reuters) - Talks ended."),
    ],
)
def test_restyling(sheets: dict[str, StyleSheet], sheet: str, before: str, after: str) -> None:
    assert normalise(before, to_style=sheets[sheet]) == after


def test_the_generic_sheet_changes_nothing(sheets: dict[str, StyleSheet]) -> None:
    text = 'ISTANBUL, July 23 (Reuters) - "Yes," U.S. President Donald Trump said on May 16, up 5%.'
    assert normalise(text, to_style=sheets["default"]) == text


def test_passes_run_in_a_fixed_order() -> None:
    assert [name for name, _ in PASSES] == [
        "datelines", "abbreviations", "variants", "spelling", "quotes", "dates", "percent", "attribution", "titles",
        "attribution_after_titles",
    ]


def test_after_normalising_only_substance_is_left(sheets: dict[str, StyleSheet]) -> None:
    a = 'KYIV, May 3 (Reuters) - "We will fight on," Ukrainian President Volodymyr Zelenskiy said on May 2.'
    b = "'We will fight on until the end,' said the Ukrainian president, Volodymyr Zelenskyy, on 2 May."
    raw = diff_texts(a, b)
    assert {e.kind for e in raw.edits} == {Kind.BOILERPLATE, Kind.STYLE, Kind.SUBSTANTIVE}
    residual = diff_texts(normalise(a, to_style=sheets["guardian"]), b)
    assert [(e.kind, e.b_text) for e in residual.edits] == [(Kind.SUBSTANTIVE, " until the end")]


words = st.sampled_from(
    ["the", "said", "Smith", "U.S.", "President", "Donald", "Trump", "May", "16", "5%", '"', "'", ",", ".", "colour"]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(words, max_size=25).map(" ".join))
def test_normalising_twice_changes_nothing_more(text: str) -> None:
    guardian = load_style("guardian", STYLES)
    once = normalise(text, to_style=guardian)
    assert normalise(once, to_style=guardian) == once
