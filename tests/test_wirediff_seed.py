"""The seed page: Reuters' wire story against the Guardian's restyled copy."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from harness.wirediff import (
    Category,
    Derivation,
    DiffResult,
    Edit,
    Kind,
    Segment,
    apply_edits,
    diff_articles,
    diff_texts,
    load_style,
    normalise,
    to_json,
    wirediff_resources,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_bed8e93c8511a76b.txt"
STYLES = ROOT / "experiments" / "styles"


def load_seed_articles(path: Path = SEED) -> dict[str, tuple[str, str]]:
    """Outlet -> (headline, body) from an aggregator page.

    Each article is introduced by the outlet's name, an age line and "- Outlet";
    the headline and the body follow on one line each. (A deliberately tiny
    reader, independent of ``harness.corpus``.)
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    articles: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(lines):
        found = re.fullmatch(r"- (.+)", line)
        if found and number >= 2 and lines[number - 2].strip() == found.group(1):
            articles[found.group(1)] = (lines[number + 1], lines[number + 2])
    return articles


@pytest.fixture(scope="module")
def seed() -> dict[str, tuple[str, str]]:
    return load_seed_articles()


@pytest.fixture(scope="module")
def reuters_vs_guardian(seed: dict[str, tuple[str, str]]) -> tuple[str, str, DiffResult]:
    a, b = seed["Reuters"][1], seed["The Guardian"][1]
    result = diff_texts(a, b, a_style=load_style("Reuters", STYLES), b_style=load_style("The Guardian", STYLES))
    return a, b, result


def _find(result: DiffResult, a_text: str, b_text: str) -> Edit:
    matches = [e for e in result.edits if e.a_text == a_text and e.b_text == b_text]
    assert len(matches) == 1, [(e.a_text, e.b_text) for e in result.edits]
    return matches[0]


def test_seed_loader_finds_three_outlets(seed: dict[str, tuple[str, str]]) -> None:
    assert sorted(seed) == ["Daily Mail", "Reuters", "The Guardian"]
    assert seed["Reuters"][1].startswith("ISTANBUL, July 23 (Reuters) - Russia and Ukraine")


def test_every_listed_difference_lands_in_its_category(reuters_vs_guardian: tuple[str, str, DiffResult]) -> None:
    _, _, result = reuters_vs_guardian
    assert _find(result, "ISTANBUL, July 23 (Reuters) - ", "").category is Category.DATELINE
    assert _find(result, "U.S. President Donald Trump", "the US president, Donald Trump,").category is (
        Category.TITLE_STYLE
    )
    assert _find(result, "Russian President Vladimir Putin", "the Russian president, Vladimir Putin").category is (
        Category.TITLE_STYLE
    )
    assert _find(result, "May 16", "16 May").category is Category.DATE_FORMAT
    assert _find(result, "June 2", "2 June").category is Category.DATE_FORMAT
    assert _find(result, "Medinsky said", "said Medinsky").category is Category.ATTRIBUTION_ORDER
    assert _find(result, "West", "west").category is Category.CAPITALISATION
    assert _find(result, "Zelenskiy's", "Zelenskyy's").category is Category.SPELLING
    spellings = [e for e in result.edits if e.a_text == "Zelenskiy" and e.b_text == "Zelenskyy"]
    assert len(spellings) == 2 and all(e.category is Category.SPELLING for e in spellings)
    quotes = [e for e in result.edits if e.category is Category.QUOTE_STYLE]
    assert len(quotes) == 12
    assert {(e.a_text, e.b_text) for e in quotes} == {('"', "'")}


def test_the_wording_change_is_the_only_substantive_edit(reuters_vs_guardian: tuple[str, str, DiffResult]) -> None:
    _, _, result = reuters_vs_guardian
    substantive = [e for e in result.edits if e.kind is Kind.SUBSTANTIVE]
    assert len(substantive) <= 2
    assert [(e.category, e.a_text, e.b_text) for e in substantive] == [
        (Category.SUBSTITUTION, "Zelenskiy", "Ukraine's president")
    ]
    boilerplate = [e for e in result.edits if e.kind is Kind.BOILERPLATE]
    assert [e.category for e in boilerplate] == [Category.DATELINE]


def test_seed_numbers(reuters_vs_guardian: tuple[str, str, DiffResult]) -> None:
    a, b, result = reuters_vs_guardian
    counts = Counter(e.category.value for e in result.edits)
    assert counts == {
        "quote_style": 12,
        "title_style": 4,
        "spelling": 3,
        "date_format": 2,
        "dateline": 1,
        "attribution_order": 1,
        "substitution": 1,
        "capitalisation": 1,
    }
    assert result.substantive_share == pytest.approx(1 / 24)
    assert result.substantive_b_share == pytest.approx(2 / result.b_words)
    assert result.derivation is Derivation.WHOLLY
    assert result.similarity.copied_share is not None and result.similarity.copied_share > 0.95
    assert apply_edits(a, result.edits) == b


def test_explanations_name_the_house_styles(reuters_vs_guardian: tuple[str, str, DiffResult]) -> None:
    _, _, result = reuters_vs_guardian
    date = _find(result, "May 16", "16 May")
    assert date.explanation == (
        "date format: <Month> <d> → <d> <Month> (A follows Reuters style; B follows The Guardian style)"
    )
    title = _find(result, "President Volodymyr Zelenskiy", "president, Volodymyr Zelenskyy,")
    assert "spelling Zelenskiy → Zelenskyy" in title.explanation


def test_title_edit_records_the_inner_spelling_variant(reuters_vs_guardian: tuple[str, str, DiffResult]) -> None:
    _, _, result = reuters_vs_guardian
    spellings = Counter((v.a_form, v.b_form) for v in result.variants if v.category is Category.SPELLING)
    assert spellings == {("Zelenskiy", "Zelenskyy"): 4}


def test_normalising_reuters_into_guardian_style_leaves_the_real_change(seed: dict[str, tuple[str, str]]) -> None:
    guardian = load_style("The Guardian", STYLES)
    restyled = normalise(seed["Reuters"][1], to_style=guardian)
    residual = diff_texts(restyled, seed["The Guardian"][1])
    # The Guardian set one apposition in commas and left another ("Russia's chief
    # delegate Vladimir Medinsky") alone: no style sheet can predict both.
    assert [(e.category, e.a_text, e.b_text) for e in residual.edits] == [
        (Category.TITLE_STYLE, "delegate Rustem Umerov", "delegate, Rustem Umerov,"),
        (Category.SUBSTITUTION, "Zelenskyy", "Ukraine's president"),
    ]


def test_normalising_guardian_back_into_reuters_style(seed: dict[str, tuple[str, str]]) -> None:
    reuters = load_style("Reuters", STYLES)
    restyled = normalise(seed["The Guardian"][1], to_style=reuters)
    residual = diff_texts(restyled, seed["Reuters"][1])
    assert [(e.category, e.b_text) for e in residual.edits] == [
        (Category.DATELINE, "ISTANBUL, July 23 (Reuters) - "),
        (Category.SUBSTITUTION, "Zelenskiy"),
    ]


def test_articles_compare_headlines_separately(seed: dict[str, tuple[str, str]]) -> None:
    (a_head, a_body), (b_head, b_body) = seed["Reuters"], seed["The Guardian"]
    result = diff_articles(a_head, a_body, b_head, b_body)
    headline = [e for e in result.edits if e.segment is Segment.HEADLINE]
    body = [e for e in result.edits if e.segment is Segment.BODY]
    assert headline and body
    assert all(a_head[e.a_start : e.a_end] == e.a_text and b_head[e.b_start : e.b_end] == e.b_text for e in headline)
    assert all(a_body[e.a_start : e.a_end] == e.a_text and b_body[e.b_start : e.b_end] == e.b_text for e in body)
    assert apply_edits(a_head, headline) == b_head
    assert result.headline_similarity is not None
    # Shared word types: russia ukraine pow swaps no on ceasefire (7 of 19).
    assert result.headline_similarity.token_jaccard == pytest.approx(7 / 19)
    # The headline rewrite does not count towards the body's substantive share.
    assert result.substantive_share == pytest.approx(1 / 24)


def test_an_unrelated_story_is_not_derived(seed: dict[str, tuple[str, str]]) -> None:
    result = diff_texts(seed["Reuters"][1], seed["Daily Mail"][1])
    assert result.derivation is Derivation.NON
    assert result.similarity.copied_share is not None and result.similarity.copied_share < 0.05
    assert apply_edits(seed["Reuters"][1], result.edits) == seed["Daily Mail"][1]


GOLDEN = Path(__file__).resolve().parent / "data" / "wirediff" / "seed_reuters_guardian.json"


def test_same_json_as_the_stored_result(reuters_vs_guardian: tuple[str, str, DiffResult]) -> None:
    """The whole JSON of the seed comparison is stored: any change in a number,
    a category, an offset or an explanation shows up here. After an intended
    change, rewrite the file with::

        python -c "from tests.test_wirediff_seed import write_golden; write_golden()"
    """
    _, _, result = reuters_vs_guardian
    assert to_json(result) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def write_golden() -> None:
    seed = load_seed_articles()
    result = diff_texts(
        seed["Reuters"][1],
        seed["The Guardian"][1],
        a_style=load_style("Reuters", STYLES),
        b_style=load_style("The Guardian", STYLES),
    )
    GOLDEN.write_text(json.dumps(to_json(result), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def test_resources_for_manifests() -> None:
    names = [r.name for r in wirediff_resources(STYLES)]
    assert names[:3] == ["wirediff/lexicon.toml", "breame/spelling_constants.py", "page_chrome.txt"]
    assert names[3:] == [f"styles/{n}.toml" for n in ("ap", "bbc", "default", "guardian", "reuters")]
    assert wirediff_resources()[0].version == "3"
