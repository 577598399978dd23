"""Attribution: neutral/loaded verb counts and who is quoted (the documented heuristic)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from harness.corpus import read_corpus
from harness.scoring import (
    TermMatcher,
    analyse_text,
    attribute_quotes,
    load_lexicons,
    score_documents,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    return TermMatcher(load_lexicons())


def speakers(matcher: TermMatcher, text: str) -> list[tuple[str | None, str | None, str]]:
    """(speaker key, verb surface, method) per quotation."""
    units = analyse_text(text)
    out = []
    for a in attribute_quotes(units, matcher.match(units.tokens)):
        verb = text[a.verb.start : a.verb.end] if a.verb else None
        out.append((a.speaker.key if a.speaker else None, verb, a.method))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'We will win,' Smith said.", [("Smith", "said", "verb after quote")]),
        ("'We will win,' said Jane Smith.", [("Smith", "said", "verb after quote")]),
        ("Smith said: 'We will win.'", [("Smith", "said", "verb before quote")]),
        (
            "'No comment,' the spokeswoman told reporters.",
            [("the spokeswoman", "told", "verb after quote")],
        ),
        (
            "Maria Lopez, a member of the delegation, said the talks were 'useful'.",
            [("Lopez", "said", "verb before quote")],
        ),
        (
            "The chief negotiator, Ann Lee, said the offer was 'final'.",
            [("Lee", "said", "verb before quote")],
        ),
        (
            "Brown said prices were 'too high', adding: 'We need help.'",
            [("Brown", "said", "verb before quote"), ("Brown", "adding", "verb before quote")],
        ),
        ("The weather was 'awful' all week.", [(None, None, "unattributed")]),
    ],
)
def test_speaker_patterns(
    matcher: TermMatcher, text: str, expected: list[tuple[str | None, str | None, str]]
) -> None:
    assert speakers(matcher, text) == expected


def test_pronouns_refer_to_the_previous_subject(matcher: TermMatcher) -> None:
    text = (
        "Mayor Jane Smith opened the bridge on Monday. "
        "'It is a great day,' she said. "
        "She added: 'More will follow.'"
    )
    assert [s[0] for s in speakers(matcher, text)] == ["Smith", "Smith"]
    assert [s[2] for s in speakers(matcher, text)] == ["verb after quote", "verb before quote"]


def test_a_verb_after_a_determiner_is_a_noun(matcher: TermMatcher) -> None:
    text = "His office dismissed the claims as 'nonsense'."
    ((key, verb, _),) = speakers(matcher, text)
    assert verb == "dismissed"
    assert key == "his office"


def test_seed_speakers_and_verbs(matcher: TermMatcher) -> None:
    articles = read_corpus(SEEDS)
    tables = score_documents(articles)
    quoted = tables["speakers"].join(articles.select("doc_id", "outlet"), on=["doc_id", "outlet"])
    reuters = quoted.filter(pl.col("outlet") == "Reuters")
    assert dict(zip(reuters["speaker"], reuters["quotes"], strict=True)) == {
        "Rustem Umerov": 4,
        "Vladimir Medinsky": 2,
    }
    assert reuters["loaded_verbs"].sum() == 0
    mail = quoted.filter(pl.col("outlet") == "Daily Mail")
    top = mail.filter(pl.col("speaker_key").is_not_null()).row(0, named=True)
    assert (top["speaker"], top["quotes"]) == ("Tulsi Gabbard", 9)
    assert mail.filter(pl.col("speaker_key") == "Obama")["loaded_verbs"].to_list() == [1]
    quotes = tables["quotes"].filter(pl.col("verb") == "fired back")
    assert quotes["speaker"].to_list() == ["Obama"]


def test_attribution_counts_per_document(matcher: TermMatcher) -> None:
    frame = pl.DataFrame(
        {
            "doc_id": ["d"],
            "outlet": ["X"],
            "headline": [""],
            "body": [
                "Smith said the plan works. Jones claimed it failed. "
                "'It failed,' Jones insisted. Brown told reporters nothing."
            ],
        }
    )
    row = score_documents(frame)["documents"].row(0, named=True)
    assert row["attribution_neutral"] == 2  # said, told
    assert row["attribution_loaded"] == 2  # claimed, insisted
    assert row["loaded_attribution_share"] == pytest.approx(0.5)
    assert row["attribution_loaded_quoted"] == 0


def test_quotes_table_offsets_point_at_the_text() -> None:
    body = "'We will win,' said Jane Smith. Smith added: 'Soon.'"
    frame = pl.DataFrame({"doc_id": ["d"], "outlet": ["X"], "headline": [""], "body": [body]})
    quotes = score_documents(frame)["quotes"]
    first, second = quotes.iter_rows(named=True)
    assert body[first["start"] : first["end"]] == "'We will win,'"
    assert body[first["speaker_start"] : first["speaker_end"]] == "Jane Smith"
    assert body[first["verb_start"] : first["verb_end"]] == "said"
    assert first["speaker"] == second["speaker"] == "Jane Smith"  # longest form per key
    assert body[second["speaker_start"] : second["speaker_end"]] == "Smith"
