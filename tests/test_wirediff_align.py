"""Sentence-then-word alignment: split, merged, moved, dropped and added sentences."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.wirediff import Category, Kind, apply_edits, diff_texts, prepare
from harness.wirediff.align import AlignSettings, Link, Op, _candidate_links, align, best_chain


def _links(a: str, b: str) -> list[tuple[int, int, int, int]]:
    return [(k.a_lo, k.a_hi, k.b_lo, k.b_hi) for k in align(prepare(a), prepare(b)).links]


def test_a_split_sentence_links_one_to_two() -> None:
    a = "The army advanced on the city, and the mayor fled to the coast. Rain fell."
    b = "The army advanced on the city. The mayor fled to the coast. Rain fell."
    assert _links(a, b) == [(0, 1, 0, 2), (1, 2, 2, 3)]
    assert [(e.category, e.a_text, e.b_text) for e in diff_texts(a, b).edits] == [
        (Category.SUBSTITUTION, ", and", "."),
        (Category.CAPITALISATION, "the", "The"),
    ]


def test_merged_sentences_link_two_to_one() -> None:
    a = "The army advanced on the city. The mayor fled to the coast. Rain fell."
    b = "The army advanced on the city, and the mayor fled to the coast. Rain fell."
    assert _links(a, b) == [(0, 2, 0, 1), (2, 3, 1, 2)]


def test_a_moved_passage_is_one_reorder_edit() -> None:
    a = "Talks began. The army advanced on the city. The mayor fled to the coast. Rain fell all day. Peace came."
    b = "Talks began. Rain fell all day. Peace came. The army advanced on the city. The mayor fled to the coast."
    result = diff_texts(a, b)
    assert [(e.category, e.a_text, e.b_text) for e in result.edits] == [
        (Category.REORDER, " Rain fell all day. Peace came.", " Rain fell all day. Peace came."),
    ]
    assert result.edits[0].explanation == "2 sentences moved"
    assert apply_edits(a, result.edits) == b


STORY_PARAGRAPHS = [
    "Officials met in Istanbul on Friday to discuss the talks on a ceasefire.",
    "The two sides agreed to meet again next week in the same city.",
    "The talks were the first in three years, a spokesman said.",
]


def test_a_moved_credit_line_is_boilerplate_and_a_moved_paragraph_is_not() -> None:
    credit = "Reporting by Jane Doe; Editing by John Smith"
    a, b = "\n\n".join([*STORY_PARAGRAPHS, credit]), "\n\n".join([credit, *STORY_PARAGRAPHS])
    moved = [e for e in diff_texts(a, b).edits if e.kind is not Kind.STYLE]
    assert [(e.category, e.rule, e.b_text) for e in moved] == [(Category.WIRE_CREDIT, "wire_credit.page_chrome", credit)]
    a, b = "\n\n".join(STORY_PARAGRAPHS), "\n\n".join([STORY_PARAGRAPHS[2], *STORY_PARAGRAPHS[:2]])
    moved = [e for e in diff_texts(a, b).edits if e.kind is not Kind.STYLE]
    assert [(e.category, e.b_text) for e in moved] == [(Category.REORDER, STORY_PARAGRAPHS[2])]


def test_a_moved_sentence_with_a_changed_word_says_so() -> None:
    a = "Talks began on time. The army advanced on the city. Rain fell all day long."
    b = "Talks began on time. Rain fell all day and night. The army advanced on the city."
    (edit,) = diff_texts(a, b).edits
    assert edit.category is Category.REORDER
    assert edit.explanation == "1 sentence moved (3 tokens differ inside)"


def test_a_dropped_sentence_is_one_deletion() -> None:
    a = "Talks began in Istanbul. The army advanced on the city. Rain fell all day."
    b = "Talks began in Istanbul. Rain fell all day."
    assert _links(a, b) == [(0, 1, 0, 1), (2, 3, 1, 2)]
    assert [(e.category, e.a_text) for e in diff_texts(a, b).edits] == [
        (Category.DELETION, "The army advanced on the city. ")
    ]


def test_an_added_sentence_is_one_insertion() -> None:
    a = "Talks began in Istanbul. Rain fell all day."
    b = "Talks began in Istanbul. Nobody expected a deal this week. Rain fell all day."
    assert [(e.category, e.b_text) for e in diff_texts(a, b).edits] == [
        (Category.INSERTION, "Nobody expected a deal this week. ")
    ]


def test_an_unrelated_sentence_is_a_substitution_not_a_word_salad() -> None:
    a = "Talks began in Istanbul. The army advanced on the city. Rain fell all day."
    b = "Talks began in Istanbul. Markets in Tokyo closed higher. Rain fell all day."
    assert [(e.category, e.a_text, e.b_text) for e in diff_texts(a, b).edits] == [
        (Category.SUBSTITUTION, "The army advanced on the city.", "Markets in Tokyo closed higher.")
    ]


def test_paths_keep_every_token_once() -> None:
    a = prepare("One two three. Four five six. Seven eight.")
    b = prepare("One two 3. Seven eight. Four five six!")
    alignment = align(a, b)
    covered_a = sorted(i for r in alignment.runs if r.op is not Op.MOVED_B for i in range(r.a_lo, r.a_hi))
    covered_b = sorted(j for r in alignment.runs if r.op is not Op.MOVED_A for j in range(r.b_lo, r.b_hi))
    assert covered_a == list(range(len(a)))
    assert covered_b == list(range(len(b)))


def test_best_chain_prefers_the_heavier_of_two_crossing_links() -> None:
    light, heavy, after = Link(0, 1, 1, 2, 0.5), Link(1, 2, 0, 1, 0.9), Link(2, 3, 2, 3, 1.0)
    chain = best_chain([light, heavy, after], [1.0, 5.0, 2.0], 3)
    assert chain == [heavy, after]


_LINK = st.tuples(st.integers(0, 5), st.integers(1, 2), st.integers(0, 5), st.integers(1, 2), st.sampled_from([0.4, 0.5, 1.0]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINK, min_size=1, max_size=7, unique=True), st.booleans())
def test_best_chain_is_a_heaviest_chain(raw: list[tuple[int, int, int, int, float]], tied: bool) -> None:
    """The chain increases in A and B without overlaps, and no chain weighs more
    (every chain of up to seven links tried); equal weights make ties."""
    links = [Link(a, a + da, b, b + db, sim) for a, da, b, db, sim in raw]
    weights = [1.0 if tied else link.similarity * (k + 1) for k, link in enumerate(links)]

    def fits(chain: list[Link]) -> bool:
        return all(x.a_hi <= y.a_lo and x.b_hi <= y.b_lo for x, y in zip(chain, chain[1:]))

    def weight(chain: list[Link]) -> float:
        return sum(weights[links.index(link)] for link in chain)

    chain = best_chain(links, weights, 8)
    assert chain and fits(chain)
    heaviest = max(
        weight(sorted(subset, key=lambda k: (k.a_lo, k.b_lo)))
        for size in range(1, len(links) + 1)
        for subset in combinations(links, size)
        if fits(sorted(subset, key=lambda k: (k.a_lo, k.b_lo)))
    )
    assert abs(weight(chain) - heaviest) < 1e-9


def _links_one_by_one(qa: list[tuple[str, ...]], qb: list[tuple[str, ...]], s: AlignSettings) -> list[Link]:
    """The candidate links by their definition, every pair scored on its own, in the order
    ``_candidate_links`` promises: exact, then 1-1 row by row, then 2-1, then 1-2."""
    from rapidfuzz.distance import Indel

    exact = [Link(i, i + 1, j, j + 1, 1.0) for i, x in enumerate(qa) for j, y in enumerate(qb) if x == y]
    rows = [i for i in range(len(qa)) if i not in {k.a_lo for k in exact}]
    cols = [j for j in range(len(qb)) if j not in {k.b_lo for k in exact}]
    if not rows or not cols:
        return exact
    score = {(i, j): Indel.normalized_similarity(qa[i], qb[j]) for i in rows for j in cols}
    ones = [Link(i, i + 1, j, j + 1, score[i, j]) for i in rows for j in cols if score[i, j] >= s.sentence_threshold]
    fair = {key for key, value in score.items() if value >= s.merge_threshold}
    merged = [
        Link(i, i + 2, j, j + 1, Indel.normalized_similarity(qa[i] + qa[i + 1], qb[j]))
        for r, i in enumerate(rows[:-1]) for j in cols
        if (i, j) in fair and (rows[r + 1], j) in fair and rows[r + 1] == i + 1
    ]
    split = [
        Link(i, i + 1, j, j + 2, Indel.normalized_similarity(qa[i], qb[j] + qb[j + 1]))
        for i in rows for c, j in enumerate(cols[:-1])
        if (i, j) in fair and (i, cols[c + 1]) in fair and cols[c + 1] == j + 1
    ]
    keep = [k for k in merged + split if k.similarity >= s.sentence_threshold]
    return exact + ones + keep


_SENTENCE = st.lists(st.sampled_from(["a", "b", "c", "d", "said", "the"]), min_size=1, max_size=6).map(tuple)


@settings(max_examples=400, deadline=None)
@given(st.lists(_SENTENCE, max_size=7), st.lists(_SENTENCE, max_size=7))
def test_candidate_links_are_every_pair_scored_on_its_own(qa: list[tuple[str, ...]], qb: list[tuple[str, ...]]) -> None:
    """The links (and their order, which breaks the chain's ties) are what scoring every
    pair on its own gives: exact sentences, then pairs at the threshold, then merges and splits."""
    s = AlignSettings()
    assert _candidate_links(qa, qb, s) == _links_one_by_one(qa, qb, s)


def test_empty_texts() -> None:
    assert diff_texts("", "").edits == ()
    (edit,) = diff_texts("", "New text.").edits
    assert (edit.category, edit.b_text, edit.a_start, edit.a_end) == (Category.INSERTION, "New text.", 0, 0)
