"""Lexicon v2 (issue 14): exact hyphens, verb-only attribution, loaded vs stance categories,
the VADER second arm, and the matcher on arbitrary text."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.scoring import TermMatcher, load_lexicons, score_documents
from harness.scoring.arms import VADER_STRONG_THRESHOLD, check_arm, vader_strong_lexicon
from harness.scoring.lexicon import NOT_LOADED_CATEGORIES, STANCE_RATES, load_lexicon
from harness.scoring.pos import Reading, verb_reading
from harness.errors import HarnessError, UsageError
from harness.experiments import load_catalogue
from harness.project import Project
from harness.run import run_experiment
from harness.text import tokenize

HEADER = "# version: 1\nterm\tcategory\tweight\tsource\tnote\n"


@pytest.fixture(scope="module")
def builtin() -> TermMatcher:
    return TermMatcher(load_lexicons())


def hits(matcher: TermMatcher, text: str) -> list[tuple[str, str, str]]:
    """(matched text, term, category) of every hit."""
    return [(text[h.start : h.end], h.entry.term, h.entry.category) for h in matcher.match(tokenize(text))]


def own_lexicon(tmp_path: Path, rows: list[str]) -> TermMatcher:
    path = tmp_path / "mine.tsv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return TermMatcher([load_lexicon(path)])


def one_article(body: str, headline: str = "A headline") -> pl.DataFrame:
    return pl.DataFrame({"doc_id": ["d1"], "outlet": ["X"], "headline": [headline], "body": [body]})


# -- hyphens ----------------------------------------------------------------------------


def test_would_be_matches_the_compound_only(builtin: TermMatcher) -> None:
    text = "It would be a good idea. The would-be assassin fled. She would be president."
    assert hits(builtin, text) == [("would-be", "would-be", "pejorative_label")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a self-styled expert", ["self-styled"]),
        ("a self styled expert", []),  # no spaced entry: the spaced form is not the compound
        ("a self \u2013 styled expert", []),  # a spaced dash is a break, not a hyphen
        ("a self - styled expert", []),
        ("a witch-hunt", ["witch-hunt"]),  # a spaced term takes the hyphenated spelling
        ("a so called expert", ["so called"]),  # listed as its own entry: same meaning
    ],
)
def test_hyphenated_terms_need_a_joining_hyphen(builtin: TermMatcher, text: str, expected: list[str]) -> None:
    assert [m for m, _, _ in hits(builtin, text)] == expected


def test_hyphens_in_a_user_lexicon(tmp_path: Path) -> None:
    matcher = own_lexicon(tmp_path, ["ice-cold\temotive\t1\tme\tx", "hot dog\temotive\t1\tme\ty"])
    assert [m for m, _, _ in hits(matcher, "an ice-cold, ice cold hot-dog and a hot dog")] == [
        "ice-cold",
        "hot-dog",
        "hot dog",
    ]


def test_a_term_spelt_both_ways_is_two_entries(tmp_path: Path) -> None:
    matcher = own_lexicon(tmp_path, ["so-called\tpejorative_label\t1\tme\tx", "so called\tpejorative_label\t0.5\tme\ty"])
    found = {h.entry.term: h.entry.weight for h in matcher.match(tokenize("so-called and so called"))}
    assert found == {"so-called": 1.0, "so called": 0.5}


# -- part of speech ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She dismissed the claims.", [("dismissed", "attribution_loaded")]),
        ("These are bizarre allegations.", [("bizarre", "emotive")]),
        ("Trump's claims were rejected.", []),
        ("Amid claims of fraud, he resigned.", []),
        ("He claims it was fine.", [("claims", "attribution_loaded")]),
        ("They all insisted.", [("insisted", "attribution_loaded")]),
        ("Officials have claimed victory.", [("claimed", "attribution_loaded")]),
        ("Critics trashed the plan.", [("trashed", "attribution_loaded")]),
        ("They took out the trash.", []),
    ],
)
def test_attribution_verbs_must_be_verbs(
    builtin: TermMatcher, text: str, expected: list[tuple[str, str]]
) -> None:
    found = [(m, c) for m, _, c in hits(builtin, text) if c in ("attribution_loaded", "emotive")]
    assert found == expected


def test_declared_and_argued_are_neutral_reporting_verbs(builtin: TermMatcher) -> None:
    found = builtin.match(tokenize("He declared victory and argued the point."))
    assert [(h.entry.term, h.entry.category, h.entry.loaded) for h in found] == [
        ("declare", "attribution_neutral", False),
        ("argue", "attribution_neutral", False),
    ]


@pytest.mark.parametrize(
    ("text", "index", "reading"),
    [
        ("the claims", 1, Reading.NOUN),
        ("false claims", 1, Reading.NOUN),
        ("he claims", 1, Reading.VERB),
        ("to claim", 1, Reading.VERB),
        ("allegations", 0, Reading.NOUN),
        ("insisted", 0, Reading.VERB),
        ("claims", 0, Reading.UNKNOWN),
        ("zxqv", 0, Reading.UNKNOWN),
        ("many claims", 1, Reading.NOUN),
        ("many claim", 1, Reading.VERB),
        ("two claims", 1, Reading.NOUN),
        ("they publicly claim", 2, Reading.VERB),
        ("she never claims", 2, Reading.VERB),
    ],
)
def test_verb_reading_rules(text: str, index: int, reading: Reading) -> None:
    assert verb_reading(tokenize(text), index) is reading


# -- loaded categories and stance rates ---------------------------------------------------


def test_stance_markers_are_not_loaded(builtin: TermMatcher) -> None:
    assert set(STANCE_RATES) <= NOT_LOADED_CATEGORIES
    for entry in builtin.entries:
        if entry.category in NOT_LOADED_CATEGORIES:
            assert not entry.loaded, entry.term
        else:
            assert entry.loaded == (entry.weight > 0), entry.term


def test_loaded_rate_and_stance_rates_are_counted_apart() -> None:
    # 21 words: one emotive, one pejorative, two hedges, one booster, one intensifier.
    body = (
        "The shocking report allegedly shows the regime perhaps failed, and clearly "
        "officials were very quiet about it in the end today."
    )
    tables = score_documents(one_article(body), workers=1)
    doc = tables["documents"].row(0, named=True)
    words = doc["words"]
    assert words == 21
    hit_rows = tables["hits"].filter(pl.col("field") == "body")
    by_category = dict(hit_rows.group_by("category").len().iter_rows())
    assert by_category == {"emotive": 1, "pejorative_label": 1, "hedge": 2, "certainty": 1, "intensifier": 1}
    assert doc["loaded_hits"] == 2
    assert doc["loaded_per_1k"] == pytest.approx(2 * 1000 / words)
    assert doc["loaded_weighted_per_1k"] == pytest.approx(2 * 1000 / words)  # stance weights left out
    assert doc["hedge_per_1k"] == pytest.approx(2 * 1000 / words)
    assert doc["certainty_per_1k"] == pytest.approx(1000 / words)
    assert doc["intensifier_per_1k"] == pytest.approx(1000 / words)
    assert doc["hedge_per_1k_narrator"] == pytest.approx(2 * 1000 / words)
    assert doc["hedge_per_1k_quoted"] is None  # no quoted words
    assert hit_rows.filter(pl.col("loaded"))["category"].sort().to_list() == ["emotive", "pejorative_label"]
    metrics = tables["metrics"]
    assert {"hedge_per_1k", "certainty_per_1k", "intensifier_per_1k"} <= set(metrics.columns)


def test_stance_rates_are_zero_without_hits_and_null_without_words() -> None:
    tables = score_documents(one_article("Nothing here at all.", headline=""), workers=1)
    doc = tables["documents"].row(0, named=True)
    assert doc["hedge_per_1k"] == 0.0
    assert doc["headline_hedge_per_1k"] is None


# -- the second arm ------------------------------------------------------------------------


def test_vader_strong_arm_reads_vaders_lexicon() -> None:
    lexicon = vader_strong_lexicon()
    assert lexicon.resource.name == "vader_lexicon.txt"
    assert lexicon.resource.version.startswith("vaderSentiment==")
    assert len(lexicon.entries) > 3000
    assert all(e.weight == 1 and e.category in ("vader_negative", "vader_positive") for e in lexicon.entries)
    assert all(float(e.note.removeprefix("mean valence ")) ** 2 >= VADER_STRONG_THRESHOLD**2 for e in lexicon.entries)
    lines = lexicon.path.read_text(encoding="utf-8").splitlines()
    for entry in lexicon.entries[:50]:
        assert lines[entry.line - 1].split("\t")[0] == entry.term


def test_vader_arm_swaps_the_loaded_vocabulary_and_keeps_attribution() -> None:
    body = 'The horrible regime claimed it loves chaos. "We won," she said.'
    harness = score_documents(one_article(body), workers=1)
    vader = score_documents(one_article(body), workers=1, loaded_lexicon="vader-strong")
    vader_terms = vader["hits"].filter(pl.col("loaded"))["term"].to_list()
    assert "horrible" in vader_terms and "regime" not in vader_terms
    assert "regime" in harness["hits"].filter(pl.col("loaded"))["term"].to_list()
    assert set(vader["hits"].filter(pl.col("term") == "horrible")["lexicon"]) == {"vader_lexicon.txt"}
    # attribution verbs and the quotes table are the same under both arms
    assert vader["quotes"].equals(harness["quotes"])
    assert vader["hits"].filter(pl.col("term") == "claim")["category"].to_list() == ["attribution_loaded"]


def test_unknown_arm_is_a_usage_error() -> None:
    assert check_arm("harness") == "harness"
    with pytest.raises(UsageError, match="unknown loaded_lexicon 'nope'"):
        load_lexicons(loaded_lexicon="nope")


# -- arbitrary text -------------------------------------------------------------------------


@cache
def arm_matcher(arm: str) -> TermMatcher:
    return TermMatcher(load_lexicons(loaded_lexicon=arm))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["would", "be", "would-be", "-", "\u2013", "so", "called", "the", "claims", "claim", "he",
                 "witch", "hunt", "health", "scare", "seized", "on", "'s", ".", ",", " ", "  "]
            ),
            st.text(max_size=6),
        ),
        max_size=30,
    )
)
def test_matcher_on_random_text_stays_in_bounds(parts: list[str]) -> None:
    text = " ".join(parts)
    tokens = tokenize(text)
    for arm in ("harness", "vader-strong"):
        found = arm_matcher(arm).match(tokens)
        last_end = -1
        for hit in found:
            assert 0 <= hit.first_token < len(tokens)
            assert tokens[hit.first_token].start == hit.start
            assert 0 <= hit.start < hit.end <= len(text)
            assert hit.start >= last_end  # no overlaps, text order
            last_end = hit.end


# -- the arm as a step setting ----------------------------------------------------------------


def test_framing_step_setting_selects_the_vader_arm(project: Project) -> None:
    records = [
        {"outlet": "A", "headline": "Plan", "body": "The horrible plan was a disaster, critics claimed."},
        {"outlet": "B", "headline": "Plan", "body": "The council approved the plan on Monday."},
    ]
    (project.root / "two").mkdir()
    (project.root / "two" / "articles.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    (project.experiments_dir / "arm.toml").write_text(
        'name = "arm"\nversion = "1"\n[corpus]\npath = "two"\n[[steps]]\nuse = "score_framing"\n'
        'settings = { loaded_lexicon = "vader-strong" }\n',
        encoding="utf-8",
    )
    stored = run_experiment(load_catalogue(project.experiments_dir).get("arm"), project)
    loaded = stored.table("hits").filter(pl.col("loaded"))
    assert set(loaded["lexicon"]) == {"vader_lexicon.txt", "news_loaded.tsv"}
    assert set(loaded.filter(pl.col("lexicon") == "news_loaded.tsv")["category"]) == {"attribution_loaded"}
    resources = {r["name"]: r["version"] for r in stored.manifest.resources}
    assert resources["vader_lexicon.txt"].startswith("vaderSentiment==")
    assert "news_loaded.tsv" in resources


def test_unknown_arm_in_an_experiment_file_is_refused(project: Project) -> None:
    (project.experiments_dir / "bad-arm.toml").write_text(
        'name = "bad-arm"\nversion = "1"\n[corpus]\npath = "seeds"\n[[steps]]\nuse = "score_framing"\n'
        'settings = { loaded_lexicon = "liwc" }\n',
        encoding="utf-8",
    )
    with pytest.raises(HarnessError, match="loaded_lexicon"):
        load_catalogue(project.experiments_dir).get("bad-arm")
