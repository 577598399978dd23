"""The matcher's shortcuts (issue 16, item 3): per-word start plans and the start filter.

``TermMatcher._best_at`` answers most starts from a plan worked out once per word text;
``TermMatcher._may_hit`` leaves out starts where no term can hit. Both must give what
the full loop over every candidate (``_best_by_loop``) gives at every start.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.scoring import batch
from harness.scoring.lexicon import TermMatcher, load_lexicons
from harness.scoring.units import analyse_texts
from harness.text import tokenize
from harness.text.tokens import TokenView

_MATCHER = TermMatcher(load_lexicons())
_WORDS = st.sampled_from(
    ["a", "lot", "of", "in", "fact", "said", "says", "told", "claimed", "claims", "witch", "-", "\u2011", "hunt",
     "would", "be", "would-be", "the", "Slammed", "May", "may", ",", ".", "'s", "\u201c", "\u201d", "so",
     "called", "so-called", "dismissed", "allegations", "U.S.", "Officials", "1,200", "hunts", "lots"]
)
_TEXTS = st.lists(_WORDS, max_size=30).map(" ".join) | st.lists(_WORDS, max_size=30).map("".join)


def test_a_start_answered_from_its_plan_gives_the_full_loops_hit() -> None:
    tokens = TokenView.of(tokenize("Officials said a lot of the so-called claims were a witch-hunt, he claimed."))
    starts = _MATCHER._start_positions(tokens)
    assert starts
    for i in starts:
        assert _MATCHER._best_at(tokens, i) == _MATCHER._best_by_loop(tokens, i)
    # The hits the matcher found before the shortcuts (same terms, same order).
    assert [hit.entry.term for hit in _MATCHER.match(tokens)] == ["say", "so-called", "claim", "witch hunt", "claim"]


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_best_at_equals_the_full_loop_at_every_start(text: str) -> None:
    tokens = TokenView.of(tokenize(text))
    for i in _MATCHER._start_positions(tokens):
        assert _MATCHER._best_at(tokens, i) == _MATCHER._best_by_loop(tokens, i)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXTS, max_size=6))
def test_filtered_starts_give_the_same_hits(texts: list[str]) -> None:
    analysed = analyse_texts(texts)
    for units, starts in zip(analysed.units, batch._starts_by_text(_MATCHER, analysed), strict=True):
        assert _MATCHER.match(units.tokens, starts) == _MATCHER.match(units.tokens)

