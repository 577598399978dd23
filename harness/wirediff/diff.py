"""Compare two texts or two articles: alignment, classification, offsets, numbers.

The comparison is symmetric by construction: it is always computed in one fixed
orientation (the pair ordered by text) and mirrored when A and B come the other
way round, so swapping A and B swaps every edit (insertion <-> deletion) rather
than giving a slightly different diff where the alignment has ties.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.errors import InputError
from harness.wirediff.align import AlignSettings, align
from harness.wirediff.boilerplate import Chrome, mark_chrome
from harness.wirediff.classify import Classified, classify
from harness.wirediff.collector import collector_paused
from harness.wirediff.frozen import Frozen
from harness.wirediff.lexicon import lexicon
from harness.wirediff.model import (
    KIND_OF,
    VALUES,
    Category,
    DiffResult,
    Edit,
    Kind,
    Segment,
    Similarity,
    StyleVariant,
)
from harness.wirediff.prepare import PreparedText, prepare_unpaused
from harness.wirediff.similarity import DerivationThresholds, derivation, similarity
from harness.wirediff.styles import StyleSheet


SPACING_RULE = "punctuation.whitespace"


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffSettings(Frozen):
    """Every threshold of a comparison, so that a study can state them."""

    align: AlignSettings = field(default_factory=AlignSettings)
    derivation: DerivationThresholds = field(default_factory=DerivationThresholds)


# The settings of a comparison given none, made once: frozen, so one object serves every
# call (a new one is three dataclass __init__s run by the interpreter, per comparison).
DEFAULT_SETTINGS = DiffSettings()


@dataclass(frozen=True, slots=True)
class SegmentDiff(Frozen):
    """The comparison of one field (headline or body)."""

    edits: tuple[Edit, ...]
    variants: tuple[StyleVariant, ...]
    similarity: Similarity
    a_words: int
    b_words: int
    substantive_b_words: int

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        edits: tuple[Edit, ...],
        variants: tuple[StyleVariant, ...],
        similarity: Similarity,
        a_words: int,
        b_words: int,
        substantive_b_words: int,
    ) -> None:
        object.__setattr__(self, "edits", edits)
        object.__setattr__(self, "variants", variants)
        object.__setattr__(self, "similarity", similarity)
        object.__setattr__(self, "a_words", a_words)
        object.__setattr__(self, "b_words", b_words)
        object.__setattr__(self, "substantive_b_words", substantive_b_words)


# ------------------------------------------------------------------ variant book


def variant_book(*sheets: StyleSheet | None) -> dict[str, str]:
    """Known single-word variants of all sheets, merged into shared groups.

    Two sheets may name different house forms for one group (Zelenskiy /
    Zelenskyy); forms linked through any sheet end up in one group, named by its
    alphabetically first form, so the book does not depend on sheet order.
    """
    parent: dict[str, str] = {}

    def root(form: str) -> str:
        while parent.setdefault(form, form) != form:
            form = parent[form]
        return form

    for sheet in sheets:
        if sheet is None:
            continue
        for form, house in sorted(sheet.variant_groups().items()):
            low, high = sorted((root(form), root(house)))
            parent[high] = low
    return {form: root(form) for form in sorted(parent)}


# The book of each pair of sheets, made once: a corpus run compares many pairs of the
# same outlets, and merging the sheets' groups again cost about 90,000 instructions a
# pair. By the sheets' ids, with the sheets kept so that an id is never another's
# (sheets are frozen); a few hundred pairs of sheets at most, then it starts afresh.
_BOOKS: dict[tuple[int, int], tuple[StyleSheet | None, StyleSheet | None, dict[str, str]]] = {}
BOOKS_LIMIT = 256


def _book(a_style: StyleSheet | None, b_style: StyleSheet | None) -> Mapping[str, str]:
    """``variant_book(a_style, b_style)``, remembered (read only: it is shared)."""
    key = (id(a_style), id(b_style))
    found = _BOOKS.get(key)
    if found is None or found[0] is not a_style or found[1] is not b_style:
        if len(_BOOKS) >= BOOKS_LIMIT:
            _BOOKS.clear()
        found = _BOOKS[key] = (a_style, b_style, variant_book(a_style, b_style))
    return found[2]


# ---------------------------------------------------------------------- offsets


def _trim_common_space(a: str, b: str, span: list[int]) -> None:
    """Move whitespace both sides share at the edges out of the edit."""
    a_start, a_end, b_start, b_end = span
    while a_start < a_end and b_start < b_end and a[a_start] == b[b_start] and a[a_start].isspace():
        a_start, b_start = a_start + 1, b_start + 1
    while a_start < a_end and b_start < b_end and a[a_end - 1] == b[b_end - 1] and a[a_end - 1].isspace():
        a_end, b_end = a_end - 1, b_end - 1
    span[:] = [a_start, a_end, b_start, b_end]


def _slide(text: str, other: str, lo: int, hi: int, at: int, busy: set[int], other_busy: set[int]) -> tuple[int, int, int]:
    """Slide a one-sided edit right past the whitespace it starts with.

    " the" inserted after "and" is the same change as "the " inserted before the
    next word; the second reads better. Only done while the text carried along is
    identical on both sides and no other edit begins where the edit moves to.
    """
    while (
        hi < len(text)
        and lo < hi
        and text[lo].isspace()
        and text[hi] == text[lo]
        and at < len(other)
        and other[at] == text[lo]
        and hi not in busy
        and at not in other_busy
    ):
        busy.discard(lo)
        lo, hi, at = lo + 1, hi + 1, at + 1
        busy.add(lo)
    return lo, hi, at


def _unit_span(edit: Classified, a: PreparedText, b: PreparedText) -> list[int]:
    if edit.rule == SPACING_RULE:
        # Same token, different whitespace before it: the edit is the whitespace.
        return [a.unit_start(edit.a_lo), a.starts[edit.a_lo], b.unit_start(edit.b_lo), b.starts[edit.b_lo]]
    span = [*a.span(edit.a_lo, edit.a_hi), *b.span(edit.b_lo, edit.b_hi)]
    last_same = edit.a_hi > edit.a_lo and edit.b_hi > edit.b_lo and a.tokens[edit.a_hi - 1] == b.tokens[edit.b_hi - 1]
    if edit.category is Category.PUNCTUATION and last_same:
        # "five-year" / "five year": the edit is the hyphen and the space, not "year".
        span[1], span[3] = a.starts[edit.a_hi - 1], b.starts[edit.b_hi - 1]
    return span


def _absorb_spacing(edits: list[Classified], spans: list[list[int]]) -> None:
    """A spacing change right next to an edit is that edit's by-product.

    Deleting a dateline leaves the next word without the space before it; that
    space goes with the dateline rather than standing as an edit of its own.
    """
    k = 0
    while k < len(edits):
        if edits[k].rule != SPACING_RULE:
            k += 1
            continue
        a_start, a_end, b_start, b_end = spans[k]
        before = k - 1 if k > 0 and spans[k - 1][1] == a_start and spans[k - 1][3] == b_start else None
        after = k + 1 if k + 1 < len(edits) and spans[k + 1][0] == a_end and spans[k + 1][2] == b_end else None
        target = next((t for t in (before, after) if t is not None and _one_sided(spans[t])), None)
        if target is None:
            k += 1
            continue
        low, high = spans[min(target, k)], spans[max(target, k)]
        spans[target] = [low[0], high[1], low[2], high[3]]
        del edits[k], spans[k]


def _hand_over_leading_space(edits: list[Classified], spans: list[list[int]], a: str, b: str) -> None:
    """Whitespace that starts an edit on one side only goes to a one-sided edit just before.

    A dropped dateline leaves the space after its dash in front of the next edit
    (a changed quote mark); it belongs to the dateline.
    """
    for k in range(1, len(spans)):
        prev, cur = spans[k - 1], spans[k]
        if edits[k - 1].category is Category.REORDER or edits[k].category is Category.REORDER:
            continue
        if prev[1] != cur[0] or prev[3] != cur[2]:
            continue
        if prev[2] == prev[3]:  # A only: move A's leading whitespace
            while cur[0] < cur[1] and a[cur[0]].isspace() and not (cur[2] < cur[3] and b[cur[2]] == a[cur[0]]):
                prev[1] = cur[0] = cur[0] + 1
        elif prev[0] == prev[1]:  # B only
            while cur[2] < cur[3] and b[cur[2]].isspace() and not (cur[0] < cur[1] and a[cur[0]] == b[cur[2]]):
                prev[3] = cur[2] = cur[2] + 1


def _one_sided(span: list[int]) -> bool:
    return span[0] == span[1] or span[2] == span[3]


def _char_spans(
    edits: list[Classified], a: PreparedText, b: PreparedText, reserved: tuple[int, int] | None
) -> list[tuple[int, int, int, int]]:
    """Character spans of the edits; may merge spacing edits into neighbours.

    ``reserved`` is where another edit (the trailing whitespace) starts in A and B.
    """
    spans = [_unit_span(e, a, b) for e in edits]
    _absorb_spacing(edits, spans)
    for edit, span in zip(edits, spans, strict=True):
        # A moved passage keeps its separating whitespace on both sides: it
        # leaves one place and arrives at another, so nothing at its edges is shared.
        if edit.category is not Category.REORDER:
            _trim_common_space(a.text, b.text, span)
    _hand_over_leading_space(edits, spans, a.text, b.text)
    a_busy = {s[0] for s in spans if s[1] > s[0]} | ({reserved[0]} if reserved else set())
    b_busy = {s[2] for s in spans if s[3] > s[2]} | ({reserved[1]} if reserved else set())
    for edit, span in zip(edits, spans, strict=True):
        if edit.category is Category.REORDER:
            continue
        a_start, a_end, b_start, b_end = span
        if a_start == a_end and b_end > b_start:
            b_start, b_end, a_start = _slide(b.text, a.text, b_start, b_end, a_start, b_busy, a_busy)
            a_end = a_start
        elif b_start == b_end and a_end > a_start:
            a_start, a_end, b_start = _slide(a.text, b.text, a_start, a_end, b_start, a_busy, b_busy)
            b_end = b_start
        span[:] = [a_start, a_end, b_start, b_end]
    return [(s[0], s[1], s[2], s[3]) for s in spans]


# ------------------------------------------------------------------ explanation


def _words(text: PreparedText, start: int, end: int) -> int:
    lo, hi = text.token_range(start, end)
    return text.word_count(lo, hi)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _substantive_text(category: Category, a_words: int, b_words: int) -> str:
    if category is Category.INSERTION:
        return f"added in B: {_plural(b_words, 'word')}" if b_words else "punctuation added in B"
    if category is Category.DELETION:
        return f"left out of B: {_plural(a_words, 'word')}" if a_words else "punctuation left out of B"
    return f"wording changed: {_plural(a_words, 'word')} → {_plural(b_words, 'word')}"


def _conforms(sheet: StyleSheet, category: Category, form: str) -> bool:
    """Does a form (pattern or word) follow the sheet's convention?"""
    if category is Category.DATE_FORMAT and sheet.date_order != "any":
        return form.startswith("<d") == (sheet.date_order == "day-month")
    if category is Category.TITLE_STYLE and sheet.title_style != "any":
        return ("," in form) == (sheet.title_style == "apposition")
    if category is Category.ATTRIBUTION_ORDER and sheet.attribution_after_quote != "any":
        return form.startswith("<subject>") == (sheet.attribution_after_quote == "name-first")
    if category is Category.SPELLING:
        return any(form.casefold() == house.casefold() for house, _ in sheet.variants)
    if category is Category.NUMBER_FORMAT and sheet.percent != "any" and "#" in form:
        wanted = {"%": "#%", "percent": "# percent", "per cent": "# per cent"}[sheet.percent]
        return wanted in form.replace(" %", "%")
    return False


def _house_note(edit: Classified, a_style: StyleSheet | None, b_style: StyleSheet | None) -> str:
    variant = next((v for v in edit.variants if v.category is edit.category), None)
    if variant is None:
        return ""
    notes = []
    if a_style is not None and _conforms(a_style, edit.category, variant.a_form):
        notes.append(f"A follows {a_style.name} style")
    if b_style is not None and _conforms(b_style, edit.category, variant.b_form):
        notes.append(f"B follows {b_style.name} style")
    return " (" + "; ".join(notes) + ")" if notes else ""


def _to_edits(
    classified: list[Classified],
    a: PreparedText,
    b: PreparedText,
    segment: Segment,
    a_style: StyleSheet | None,
    b_style: StyleSheet | None,
) -> list[Edit]:
    out: list[Edit] = []
    trailing = _trailing_space_edit(a, b, segment) if a.trailing != b.trailing else None
    reserved = (trailing.a_start, trailing.b_start) if trailing else None
    spans = _char_spans(classified, a, b, reserved)  # may merge spacing edits into neighbours
    for c, (a_start, a_end, b_start, b_end) in zip(classified, spans, strict=True):
        if c.category is not Category.REORDER and a.text[a_start:a_end] == b.text[b_start:b_end]:
            # The same text left and re-entered at one place (a comma that the
            # sentence alignment split off): it changes nothing, so it is no edit.
            continue
        explanation = c.explanation.render()
        if KIND_OF[c.category] is Kind.SUBSTANTIVE and c.category is not Category.REORDER:
            explanation = _substantive_text(c.category, _words(a, a_start, a_end), _words(b, b_start, b_end))
        explanation += _house_note(c, a_style, b_style)
        subs = tuple(_sub_edit(sub, a, b, segment) for sub in c.subs)
        out.append(
            Edit(
                category=c.category,
                kind=KIND_OF[c.category],
                rule=c.rule,
                explanation=explanation,
                a_text=a.text[a_start:a_end],
                b_text=b.text[b_start:b_end],
                a_start=a_start,
                a_end=a_end,
                b_start=b_start,
                b_end=b_end,
                segment=segment,
                sub_edits=subs,
            )
        )
    if trailing is not None:
        out.append(trailing)
    return out


def _sub_edit(sub: Classified, a: PreparedText, b: PreparedText, segment: Segment) -> Edit:
    """A recognised change inside an edit: its tokens only, no surrounding space."""
    a_start, a_end = a.starts[sub.a_lo], a.ends[sub.a_hi - 1]
    b_start, b_end = b.starts[sub.b_lo], b.ends[sub.b_hi - 1]
    return Edit(
        category=sub.category,
        kind=KIND_OF[sub.category],
        rule=sub.rule,
        explanation=sub.explanation.render(),
        a_text=a.text[a_start:a_end],
        b_text=b.text[b_start:b_end],
        a_start=a_start,
        a_end=a_end,
        b_start=b_start,
        b_end=b_end,
        segment=segment,
    )


def _trailing_space_edit(a: PreparedText, b: PreparedText, segment: Segment) -> Edit:
    a_start, b_start = len(a.text) - len(a.trailing), len(b.text) - len(b.trailing)
    return Edit(
        category=Category.PUNCTUATION,
        kind=Kind.STYLE,
        rule=SPACING_RULE,
        explanation="spacing or line break at the end",
        a_text=a.trailing,
        b_text=b.trailing,
        a_start=a_start,
        a_end=len(a.text),
        b_start=b_start,
        b_end=len(b.text),
        segment=segment,
    )


# ------------------------------------------------------------------- comparison


def _classified(
    a: PreparedText, b: PreparedText, book: Mapping[str, str], settings: DiffSettings
) -> tuple[list[Classified], int, int]:
    """Edits in the fixed orientation, plus aligned word counts of A and B."""
    if a.text == b.text:
        return [], a.word_count(), b.word_count()
    if a.text > b.text:
        edits, aligned_b, aligned_a = _classified(b, a, book, settings)
        return [e.mirrored() for e in edits], aligned_a, aligned_b
    alignment = align(a, b, settings.align)
    edits = classify(a, b, alignment, lexicon(), book)
    return edits, alignment.aligned_a_words, alignment.aligned_b_words


@dataclass(frozen=True, slots=True)
class EditList(Frozen):
    """The edits of one comparison without the similarity numbers."""

    edits: tuple[Edit, ...]
    variants: tuple[StyleVariant, ...]  # house-style forms seen, for the learned style table
    aligned_b_words: int  # B words aligned to A words with the same key

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(self, edits: tuple[Edit, ...], variants: tuple[StyleVariant, ...], aligned_b_words: int) -> None:
        object.__setattr__(self, "edits", edits)
        object.__setattr__(self, "variants", variants)
        object.__setattr__(self, "aligned_b_words", aligned_b_words)


@collector_paused
def diff_edits(
    a: PreparedText,
    b: PreparedText,
    *,
    segment: Segment = Segment.BODY,
    a_style: StyleSheet | None = None,
    b_style: StyleSheet | None = None,
    settings: DiffSettings | None = None,
) -> EditList:
    """Align and classify only: the edits, in A order, with offsets into both texts."""
    return _diff_edits(a, b, segment, a_style, b_style, settings)


# The public functions pause the collector (collector_paused: an interpreted wrapper);
# inside one, the diff calls these native bodies instead, paused already.


def _diff_edits(
    a: PreparedText, b: PreparedText, segment: Segment, a_style: StyleSheet | None, b_style: StyleSheet | None,
    settings: DiffSettings | None,
) -> EditList:
    settings = settings or DEFAULT_SETTINGS
    book = _book(a_style, b_style)
    classified, _, aligned_b = _classified(a, b, book, settings)
    classified.sort(key=lambda e: (e.a_lo, e.a_hi, e.b_lo, e.b_hi))
    edits = _to_edits(classified, a, b, segment, a_style, b_style)
    edits.sort(key=lambda e: (e.a_start, e.a_end, e.b_start, e.b_end))
    variants = tuple(
        v
        for c in classified
        if KIND_OF[c.category] is Kind.STYLE
        for v in c.variants
        if KIND_OF[v.category] is Kind.STYLE
    )
    return EditList(tuple(edits), variants, aligned_b)


@collector_paused
def diff_segment(
    a: PreparedText,
    b: PreparedText,
    *,
    segment: Segment = Segment.BODY,
    a_style: StyleSheet | None = None,
    b_style: StyleSheet | None = None,
    settings: DiffSettings | None = None,
    chrome: Chrome | None = None,
) -> SegmentDiff:
    """Compare two prepared texts (one field of an article): edits and numbers."""
    return _diff_segment(a, b, segment, a_style, b_style, settings, chrome)


def _diff_segment(
    a: PreparedText, b: PreparedText, segment: Segment, a_style: StyleSheet | None, b_style: StyleSheet | None,
    settings: DiffSettings | None, chrome: Chrome | None,
) -> SegmentDiff:
    found = _diff_edits(a, b, segment, a_style, b_style, settings)
    edits = found.edits
    if segment is Segment.BODY:  # page chrome is boilerplate (issue 13): harness.wirediff.boilerplate
        edits = mark_chrome(edits, a, b, chrome=chrome, explain=_substantive_text)
    substantive_b = sum(_words(b, e.b_start, e.b_end) for e in edits if e.kind is Kind.SUBSTANTIVE)
    return SegmentDiff(
        edits=edits,
        variants=found.variants,
        similarity=similarity(a, b, found.aligned_b_words),
        a_words=len(a.folded_words),
        b_words=len(b.folded_words),
        substantive_b_words=substantive_b,
    )


def _shares(body: SegmentDiff) -> tuple[float | None, float | None]:
    counted = [e for e in body.edits if e.kind is not Kind.BOILERPLATE]
    substantive = sum(1 for e in counted if e.kind is Kind.SUBSTANTIVE)
    share = substantive / len(counted) if counted else None
    b_share = body.substantive_b_words / body.b_words if body.b_words else None
    return share, b_share


def _result(
    body: SegmentDiff, headline: SegmentDiff | None, settings: DiffSettings
) -> DiffResult:
    share, b_share = _shares(body)
    edits = (headline.edits if headline else ()) + body.edits
    variants = (headline.variants if headline else ()) + body.variants
    return DiffResult(
        edits=edits,
        similarity=body.similarity,
        derivation=derivation(body.similarity, settings.derivation),
        substantive_share=share,
        substantive_b_share=b_share,
        a_words=body.a_words,
        b_words=body.b_words,
        variants=variants,
        headline_similarity=headline.similarity if headline else None,
    )


@collector_paused
def diff_prepared(
    a: PreparedText,
    b: PreparedText,
    *,
    a_style: StyleSheet | None = None,
    b_style: StyleSheet | None = None,
    settings: DiffSettings | None = None,
    chrome: Chrome | None = None,
) -> DiffResult:
    """:func:`diff_texts` on texts already prepared (prepare once, compare often)."""
    return _diff_prepared(a, b, a_style, b_style, settings, chrome)


def _diff_prepared(
    a: PreparedText, b: PreparedText, a_style: StyleSheet | None, b_style: StyleSheet | None,
    settings: DiffSettings | None, chrome: Chrome | None,
) -> DiffResult:
    settings = settings or DEFAULT_SETTINGS
    body = _diff_segment(a, b, Segment.BODY, a_style, b_style, settings, chrome)
    return _result(body, None, settings)


@collector_paused
def diff_texts(
    a: str,
    b: str,
    *,
    a_style: StyleSheet | None = None,
    b_style: StyleSheet | None = None,
    settings: DiffSettings | None = None,
) -> DiffResult:
    """Compare text A (the wire story) with text B (an outlet's version).

    Every edit carries offsets into ``a`` and ``b``; its ``segment`` is "body".
    Style sheets (see :func:`harness.wirediff.load_style`) add the outlets' known
    variants and say in explanations which house style a form follows; ``None``
    compares with generic rules only.
    """
    return _diff_prepared(prepare_unpaused(a), prepare_unpaused(b), a_style, b_style, settings, None)


@dataclass(frozen=True, slots=True)
class PreparedArticle(Frozen):
    headline: PreparedText
    body: PreparedText


@collector_paused
def prepare_article(headline: str, body: str) -> PreparedArticle:
    return PreparedArticle(prepare_unpaused(headline), prepare_unpaused(body))


@collector_paused
def diff_prepared_articles(
    a: PreparedArticle,
    b: PreparedArticle,
    *,
    a_style: StyleSheet | None = None,
    b_style: StyleSheet | None = None,
    settings: DiffSettings | None = None,
    chrome: Chrome | None = None,
) -> DiffResult:
    """:func:`diff_articles` on prepared articles.

    ``chrome`` carries each outlet's learned page furniture (the wire_diff step
    learns it per corpus); without it, page chrome is found by the rules alone.
    """
    settings = settings or DEFAULT_SETTINGS
    headline = _diff_segment(a.headline, b.headline, Segment.HEADLINE, a_style, b_style, settings, None)
    body = _diff_segment(a.body, b.body, Segment.BODY, a_style, b_style, settings, chrome)
    return _result(body, headline, settings)


@collector_paused
def diff_articles(
    a_headline: str,
    a_body: str,
    b_headline: str,
    b_body: str,
    *,
    a_style: StyleSheet | None = None,
    b_style: StyleSheet | None = None,
    settings: DiffSettings | None = None,
) -> DiffResult:
    """Compare two articles, headline with headline and body with body.

    Offsets are relative to each field (``segment`` says which); similarity,
    derivation and the substantive shares describe the bodies, and
    ``headline_similarity`` the headlines.
    """
    return diff_prepared_articles(
        prepare_article(a_headline, a_body),
        prepare_article(b_headline, b_body),
        a_style=a_style,
        b_style=b_style,
        settings=settings,
    )


# ------------------------------------------------------------------ apply, JSON


def _checked(a: str, edits: Iterable[Edit]) -> list[Edit]:
    ordered = sorted(edits, key=lambda e: (e.a_start, e.a_end, e.b_start, e.b_end))
    segments = {e.segment for e in ordered}
    if len(segments) > 1:
        raise InputError(
            "edits from more than one segment",
            where="apply_edits",
            hint="pass the edits of one field: [e for e in result.edits if e.segment == 'body']",
        )
    previous_end = 0
    for index, edit in enumerate(ordered):
        where = f"edit {index} ({edit.category.value} at A {edit.a_start}..{edit.a_end})"
        if not 0 <= edit.a_start <= edit.a_end <= len(a) or a[edit.a_start : edit.a_end] != edit.a_text:
            raise InputError("A offsets do not slice A to a_text", where=where, hint="apply edits to the A they came from")
        if edit.a_start < previous_end or edit.b_end - edit.b_start != len(edit.b_text):
            raise InputError("edits overlap or B offsets disagree with b_text", where=where, hint="use edits from one diff")
        previous_end = max(previous_end, edit.a_end)
    return ordered


def apply_edits(a: str, edits: Iterable[Edit]) -> str:
    """Rebuild B from A and the edits of one segment.

    Text outside every edit is the same in A and B and comes in the same order,
    so B is that shared text with each edit's ``b_text`` placed at its B offset.
    That also puts a reordered passage in its new place.
    """
    ordered = _checked(a, edits)
    shared: list[str] = []
    cursor = 0
    for edit in ordered:
        shared.append(a[cursor : edit.a_start])
        cursor = max(cursor, edit.a_end)
    shared.append(a[cursor:])
    stream = "".join(shared)
    out: list[str] = []
    taken = b_cursor = 0
    for edit in sorted(ordered, key=lambda e: (e.b_start, e.b_end)):
        gap = edit.b_start - b_cursor
        if gap < 0 or taken + gap > len(stream):
            raise InputError(
                "B offsets do not fit the text shared with A",
                where=f"edit at B {edit.b_start}..{edit.b_end}",
                hint="use edits from one diff of this A",
            )
        out.append(stream[taken : taken + gap])
        out.append(edit.b_text)
        taken += gap
        b_cursor = edit.b_end
    out.append(stream[taken:])
    return "".join(out)


def edit_json(edit: Edit) -> dict[str, Any]:
    return {
        "category": VALUES[edit.category],
        "kind": VALUES[edit.kind],
        "rule": edit.rule,
        "explanation": edit.explanation,
        "a_text": edit.a_text,
        "b_text": edit.b_text,
        "a_start": edit.a_start,
        "a_end": edit.a_end,
        "b_start": edit.b_start,
        "b_end": edit.b_end,
        "segment": VALUES[edit.segment],
        "sub_edits": [edit_json(sub) for sub in edit.sub_edits],
    }


def to_json(result: DiffResult) -> dict[str, Any]:
    """The JSON contract: similarity, derivation, edits (plus shares and counts).

    Each edit lists the recognised changes inside it under ``sub_edits`` (same
    fields, none nested further). ``counts.kind`` counts top-level body edits
    (what the shares count); ``counts.category`` counts sub-edits too, so that a
    category's count is complete.
    """
    out: dict[str, Any] = {
        "similarity": result.similarity.as_dict(),
        "derivation": VALUES[result.derivation],
        "substantive_share": result.substantive_share,
        "substantive_b_share": result.substantive_b_share,
        "a_words": result.a_words,
        "b_words": result.b_words,
        "counts": {"kind": result.counts_by_kind(Segment.BODY), "category": result.counts_by_category(Segment.BODY)},
        "edits": [edit_json(e) for e in result.edits],
    }
    if result.headline_similarity is not None:
        out["headline_similarity"] = result.headline_similarity.as_dict()
    return out
