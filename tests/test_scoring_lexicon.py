"""Loaded-term lexicons: file format, inflections, phrases, boundaries, user files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.errors import ConfigError, NotFoundError
from harness.scoring import (
    TermMatcher,
    builtin_lexicon_paths,
    load_lexicon,
    load_lexicons,
    score_documents,
)
from harness.text import tokenize

HEADER = "term\tcategory\tweight\tsource\tnote\n"


def write_lexicon(path: Path, rows: list[str], *, version: str | None = "1") -> Path:
    head = f"# test lexicon\n# version: {version}\n" if version else "# test lexicon\n"
    path.write_text(head + HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def builtin() -> TermMatcher:
    return TermMatcher(load_lexicons())


def matched(matcher: TermMatcher, text: str) -> list[tuple[str, str]]:
    """(matched text, lexicon term) of every hit."""
    return [(text[h.start : h.end], h.entry.term) for h in matcher.match(tokenize(text))]


# -- the built-in lexicon -----------------------------------------------------------


def test_builtin_lexicon_is_versioned_sourced_and_covers_every_category() -> None:
    (path,) = builtin_lexicon_paths()
    lexicon = load_lexicon(path)
    assert lexicon.version == "2"
    assert 800 <= len(lexicon.entries) <= 1500
    assert {e.category for e in lexicon.entries} == {
        "attribution_loaded",
        "attribution_neutral",
        "certainty",
        "conflict_metaphor",
        "emotive",
        "hedge",
        "intensifier",
        "pejorative_label",
        "tabloid",
    }
    assert all(e.source and e.note for e in lexicon.entries)
    neutral = {e.term for e in lexicon.entries if e.category == "attribution_neutral"}
    assert {"say", "tell", "add"} <= neutral
    assert all(e.weight == 0 for e in lexicon.entries if e.category == "attribution_neutral")
    loaded = {e.term for e in lexicon.entries if e.category == "attribution_loaded"}
    assert {"claim", "admit", "insist", "fire back", "unleash", "slam"} <= loaded


# -- matching rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She claimed it.", [("claimed", "claim")]),
        ("He claims it.", [("claims", "claim")]),
        ("Claiming victory", [("Claiming", "claim")]),
        ("They slammed the plan", [("slammed", "slam")]),
        ("He admits it; she admitted it", [("admits", "admit"), ("admitted", "admit")]),
        ("Officials insisted", [("insisted", "insist")]),
        ("the party's spokesman said", [("said", "say")]),
        ("She told reporters", [("told", "tell")]),
    ],
)
def test_inflected_forms_match_their_base_form(
    builtin: TermMatcher, text: str, expected: list[tuple[str, str]]
) -> None:
    assert matched(builtin, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Obama fired back at critics", [("fired back", "fire back")]),
        ("she fires back", [("fires back", "fire back")]),
        ("The minister hit back.", [("hit back", "hit back")]),
        ("a war of words", [("war of words", "war of words")]),
        ("two witch hunts", [("witch hunts", "witch hunt")]),
        ("a so-called expert", [("so-called", "so-called")]),
        ("a so called expert", [("so called", "so called")]),  # listed as its own entry (v2)
    ],
)
def test_phrases_match_with_inflection_and_hyphens(
    builtin: TermMatcher, text: str, expected: list[tuple[str, str]]
) -> None:
    assert matched(builtin, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The film was acclaimed.",  # claim inside acclaimed
        "a disclaimer",
        "reclaimed land",
        "the fire, back then",  # punctuation breaks a phrase
        "He will fire. Back home",  # so does a sentence end
    ],
)
def test_terms_never_match_inside_words_or_across_punctuation(
    builtin: TermMatcher, text: str
) -> None:
    terms = [term for _, term in matched(builtin, text)]
    assert "claim" not in terms
    assert "fire back" not in terms


def test_exact_forms_are_case_sensitive_and_not_inflected(builtin: TermMatcher) -> None:
    assert matched(builtin, "Talks on May 16") == []
    assert matched(builtin, "it may rain") == [("may", "=may")]
    # "=demanded": the verb, never the noun "demands".
    assert matched(builtin, "territorial demands") == []
    assert matched(builtin, "he demanded") == [("demanded", "=demanded")]


def test_longest_term_wins_and_hits_do_not_overlap(tmp_path: Path) -> None:
    path = write_lexicon(
        tmp_path / "lex.tsv",
        [
            "fire\tconflict_metaphor\t1\ttest\tsingle word",
            "fire back\tattribution_loaded\t1\ttest\tphrase",
            "back\tintensifier\t1\ttest\tsecond word alone",
        ],
    )
    matcher = TermMatcher(load_lexicons([path], include_builtin=False))
    assert matched(matcher, "They fired back.") == [("fired back", "fire back")]
    assert matched(matcher, "They fired. Back") == [("fired", "fire"), ("Back", "back")]


def test_surface_match_beats_lemma_match(tmp_path: Path) -> None:
    path = write_lexicon(
        tmp_path / "lex.tsv",
        [
            "shock\temotive\t0.5\ttest\tlemma of shocking",
            "shocking\tintensifier\t1\ttest\tthe surface form",
        ],
    )
    matcher = TermMatcher(load_lexicons([path], include_builtin=False))
    assert matched(matcher, "a shocking claim") == [("shocking", "shocking")]
    assert matched(matcher, "they were shocked") == [("shocked", "shock")]


# -- user lexicons ------------------------------------------------------------------


def test_user_lexicon_adds_terms_and_overrides_builtin_ones(tmp_path: Path) -> None:
    path = write_lexicon(
        tmp_path / "mine.tsv",
        [
            "kerfuffle\temotive\t1\tmy study\tnew term",
            "accuse\tattribution_loaded\t1\tmy study\tre-weighted built-in term",
        ],
    )
    frame = pl.DataFrame(
        {
            "doc_id": ["d1"],
            "outlet": ["X"],
            "headline": [""],
            "body": ["A kerfuffle broke out. Kyiv accuses Moscow of lying."],
        }
    )
    hits = score_documents(frame, lexicons=[path])["hits"]
    rows = {r["matched"]: r for r in hits.iter_rows(named=True)}
    assert rows["kerfuffle"]["lexicon"] == "mine.tsv"
    assert rows["kerfuffle"]["category"] == "emotive"
    assert rows["accuses"]["category"] == "attribution_loaded"
    assert rows["accuses"]["lexicon"] == "mine.tsv"
    assert rows["accuses"]["lexicon_line"] == 5
    plain = score_documents(frame)["hits"]
    assert plain.filter(pl.col("matched") == "accuses")["category"].to_list() == [
        "attribution_neutral"
    ]


def test_user_lexicon_is_recorded_even_without_a_version(tmp_path: Path) -> None:
    path = write_lexicon(tmp_path / "mine.tsv", ["kerfuffle\temotive\t1\tme\tx"], version=None)
    (lexicon,) = load_lexicons([path], include_builtin=False)
    assert lexicon.version == "unversioned"
    assert lexicon.resource.name == "mine.tsv"
    assert len(lexicon.resource.sha256) == 64


@pytest.mark.parametrize(
    ("rows", "line", "message"),
    [
        (["claim\tattribution_loaded\t1\tsource"], 4, "expected 5 tab-separated columns"),
        (["claim\tattribution_loaded\theavy\tsrc\tnote"], 4, "weight 'heavy'"),
        (["claim\tattribution_loaded\t-1\tsrc\tnote"], 4, "weight '-1'"),
        (["claim\tattribution_loaded\tnan\tsrc\tnote"], 4, "weight 'nan'"),
        (["claim\tLoaded Verbs\t1\tsrc\tnote"], 4, "category 'Loaded Verbs'"),
        (["claim\tattribution_loaded\t1\t\tnote"], 4, "source column is empty"),
        (["--\temotive\t1\tsrc\tnote"], 4, "must start and end with a word"),
        (
            ["say\tattribution_neutral\t0\tsrc\tnote", "", "say\temotive\t1\tsrc\tnote"],
            6,
            "listed twice (first at line 4)",
        ),
    ],
)
def test_bad_rows_raise_config_error_naming_file_and_line(
    tmp_path: Path, rows: list[str], line: int, message: str
) -> None:
    path = write_lexicon(tmp_path / "bad.tsv", rows)
    with pytest.raises(ConfigError) as caught:
        load_lexicon(path)
    assert caught.value.where == f"{path}:{line}"
    assert message in caught.value.message
    assert caught.value.hint


def test_missing_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "noheader.tsv"
    path.write_text("# version: 1\nclaim\tattribution_loaded\t1\tsrc\tnote\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_lexicon(path)
    assert caught.value.where == f"{path}:2"
    assert "header" in caught.value.message


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_lexicons([tmp_path / "nope.tsv"])


# -- properties ---------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "said",
        "claimed",
        "fired",
        "back",
        "war",
        "of",
        "words",
        "so",
        "called",
        "-",
        ",",
        ".",
        "'",
        "shocking",
        "the",
        "may",
        "May",
        "acclaimed",
        "very",
        "hit",
        "out",
        "Trump's",
        "\u2019",
        "allegedly",
        "witch",
        "hunts",
        "a",
        "slew",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, max_size=30), st.sampled_from([" ", "", "\n"]))
def test_hits_are_ordered_disjoint_token_spans(
    builtin: TermMatcher, words: list[str], sep: str
) -> None:
    text = sep.join(words) if sep else " ".join(words).replace(" -", "-")
    tokens = tokenize(text)
    hits = builtin.match(tokens)
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    previous_end = -1
    for hit in hits:
        assert hit.start in starts and hit.end in ends  # whole tokens only
        assert hit.start >= previous_end  # never overlapping, in text order
        assert tokens[hit.first_token].start == hit.start
        previous_end = hit.end
