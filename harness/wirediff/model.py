"""Records of a wire-copy comparison: edits, similarity, the result of one pair.

The vocabulary is fixed, because reports and tables aggregate over it:

* kind ``style``: quote_style, spelling, abbreviation, date_format, number_format,
  capitalisation, title_style, attribution_order, punctuation, typography,
  compounding, scare_quotes;
* kind ``boilerplate``: dateline, wire_credit, byline; page chrome of scraped
  copies (see :mod:`harness.wirediff.boilerplate`): navigation, caption_credit,
  promo, related_links, widget, script, timestamp, copyright, outlet_furniture;
* kind ``substantive``: substitution, insertion, deletion, reorder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from harness.wirediff.frozen import Frozen


class Kind(StrEnum):
    STYLE = "style"
    BOILERPLATE = "boilerplate"
    SUBSTANTIVE = "substantive"


class Category(StrEnum):
    QUOTE_STYLE = "quote_style"
    SPELLING = "spelling"
    ABBREVIATION = "abbreviation"
    DATE_FORMAT = "date_format"
    NUMBER_FORMAT = "number_format"
    CAPITALISATION = "capitalisation"
    TITLE_STYLE = "title_style"
    ATTRIBUTION_ORDER = "attribution_order"
    PUNCTUATION = "punctuation"
    TYPOGRAPHY = "typography"  # dash glyphs, spacing around punctuation, elisions
    COMPOUNDING = "compounding"  # non-binding / nonbinding, cyber assets / cyberassets
    SCARE_QUOTES = "scare_quotes"  # quotation marks put around (or taken off) shared words
    DATELINE = "dateline"
    WIRE_CREDIT = "wire_credit"
    BYLINE = "byline"
    # -- page chrome of scraped copies (issue 13; harness.wirediff.boilerplate)
    NAVIGATION = "navigation"
    CAPTION_CREDIT = "caption_credit"
    PROMO = "promo"
    RELATED_LINKS = "related_links"
    WIDGET = "widget"
    SCRIPT = "script"
    TIMESTAMP = "timestamp"
    COPYRIGHT = "copyright"
    OUTLET_FURNITURE = "outlet_furniture"
    # --
    SUBSTITUTION = "substitution"
    INSERTION = "insertion"
    DELETION = "deletion"
    REORDER = "reorder"

    @property
    def kind(self) -> Kind:
        # The diff's own loops read KIND_OF[category]: compiled, this property of an
        # enum is reached by a generic attribute look-up (about 500 instructions).
        return KIND_OF[self]

    def mirrored(self) -> Category:
        """The category of the same edit read from B to A."""
        if self is Category.INSERTION:
            return Category.DELETION
        if self is Category.DELETION:
            return Category.INSERTION
        return self


KIND_OF: dict[Category, Kind] = {
    Category.QUOTE_STYLE: Kind.STYLE,
    Category.SPELLING: Kind.STYLE,
    Category.ABBREVIATION: Kind.STYLE,
    Category.DATE_FORMAT: Kind.STYLE,
    Category.NUMBER_FORMAT: Kind.STYLE,
    Category.CAPITALISATION: Kind.STYLE,
    Category.TITLE_STYLE: Kind.STYLE,
    Category.ATTRIBUTION_ORDER: Kind.STYLE,
    Category.PUNCTUATION: Kind.STYLE,
    Category.TYPOGRAPHY: Kind.STYLE,
    Category.COMPOUNDING: Kind.STYLE,
    Category.SCARE_QUOTES: Kind.STYLE,
    Category.DATELINE: Kind.BOILERPLATE,
    Category.WIRE_CREDIT: Kind.BOILERPLATE,
    Category.BYLINE: Kind.BOILERPLATE,
    # -- page chrome (issue 13)
    Category.NAVIGATION: Kind.BOILERPLATE,
    Category.CAPTION_CREDIT: Kind.BOILERPLATE,
    Category.PROMO: Kind.BOILERPLATE,
    Category.RELATED_LINKS: Kind.BOILERPLATE,
    Category.WIDGET: Kind.BOILERPLATE,
    Category.SCRIPT: Kind.BOILERPLATE,
    Category.TIMESTAMP: Kind.BOILERPLATE,
    Category.COPYRIGHT: Kind.BOILERPLATE,
    Category.OUTLET_FURNITURE: Kind.BOILERPLATE,
    # --
    Category.SUBSTITUTION: Kind.SUBSTANTIVE,
    Category.INSERTION: Kind.SUBSTANTIVE,
    Category.DELETION: Kind.SUBSTANTIVE,
    Category.REORDER: Kind.SUBSTANTIVE,
}


class Segment(StrEnum):
    HEADLINE = "headline"
    BODY = "body"


class Derivation(StrEnum):
    """METER's three classes (Clough et al.): how much of B derives from A."""

    WHOLLY = "wholly"
    PARTIALLY = "partially"
    NON = "non"


# Each member's value, by member: ``member.value`` runs enum's property in the
# interpreter (about 0.15 us more than this look-up), and the diff reads one for
# every rule it names and three for every edit it writes out.
VALUES: dict[StrEnum, str] = {member: member.value for enum in (Kind, Category, Segment, Derivation) for member in enum}


@dataclass(frozen=True, slots=True)
class Edit(Frozen):
    """One difference between A and B, with offsets into both original texts.

    ``a_text == a[a_start:a_end]`` and ``b_text == b[b_start:b_end]`` always hold
    (for article comparisons the texts are the edit's ``segment`` field). An empty
    side marks a position: an insertion has ``a_start == a_end``. A ``reorder``
    edit's A span is where the passage was, its B span where it now stands; its
    texts keep the whitespace that separated the passage from its neighbours.

    ``sub_edits`` are recognised changes inside this one (the U.S. -> US
    abbreviation and the Zelenskiy -> Zelenskyy spelling inside a restyled title):
    each a style edit whose texts lie within this edit's texts, in both. They
    complete the per-category counts; the shares count the parent edit only.
    """

    category: Category
    kind: Kind
    rule: str
    explanation: str
    a_text: str
    b_text: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    segment: Segment = Segment.BODY
    sub_edits: tuple[Edit, ...] = ()

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        category: Category,
        kind: Kind,
        rule: str,
        explanation: str,
        a_text: str,
        b_text: str,
        a_start: int,
        a_end: int,
        b_start: int,
        b_end: int,
        segment: Segment = Segment.BODY,
        sub_edits: tuple[Edit, ...] = (),
    ) -> None:
        object.__setattr__(self, "category", category)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "explanation", explanation)
        object.__setattr__(self, "a_text", a_text)
        object.__setattr__(self, "b_text", b_text)
        object.__setattr__(self, "a_start", a_start)
        object.__setattr__(self, "a_end", a_end)
        object.__setattr__(self, "b_start", b_start)
        object.__setattr__(self, "b_end", b_end)
        object.__setattr__(self, "segment", segment)
        object.__setattr__(self, "sub_edits", sub_edits)


@dataclass(frozen=True, slots=True)
class StyleVariant(Frozen):
    """A pair of house-style forms seen in one edit (for the learned style table)."""

    category: Category
    a_form: str
    b_form: str

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(self, category: Category, a_form: str, b_form: str) -> None:
        object.__setattr__(self, "category", category)
        object.__setattr__(self, "a_form", a_form)
        object.__setattr__(self, "b_form", b_form)

    def mirrored(self) -> StyleVariant:
        return StyleVariant(self.category, self.b_form, self.a_form)


@dataclass(frozen=True, slots=True)
class Similarity(Frozen):
    """How close two texts are, on their word tokens (case-folded).

    * ``token_jaccard``: |types(A) ∩ types(B)| / |types(A) ∪ types(B)|;
    * ``shingle_jaccard``: the same over word 5-gram shingles;
    * ``shingle_containment``: |shingles(A) ∩ shingles(B)| / |shingles(B)|, how much
      of B's 5-grams occur in A (Broder's containment of B in A);
    * ``edit_distance``: token-level Levenshtein distance / the longer length
      (0 = identical, 1 = nothing in common);
    * ``copied_share``: share of B's words aligned to a word of A with the same
      alignment key (copied verbatim or changed only in house style).

    A value is ``None`` when it is undefined (no words, or fewer than five for
    shingles).
    """

    token_jaccard: float | None
    shingle_jaccard: float | None
    shingle_containment: float | None
    edit_distance: float | None
    copied_share: float | None

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        token_jaccard: float | None,
        shingle_jaccard: float | None,
        shingle_containment: float | None,
        edit_distance: float | None,
        copied_share: float | None,
    ) -> None:
        object.__setattr__(self, "token_jaccard", token_jaccard)
        object.__setattr__(self, "shingle_jaccard", shingle_jaccard)
        object.__setattr__(self, "shingle_containment", shingle_containment)
        object.__setattr__(self, "edit_distance", edit_distance)
        object.__setattr__(self, "copied_share", copied_share)

    def as_dict(self) -> dict[str, float | None]:
        return {
            "token_jaccard": self.token_jaccard,
            "shingle_jaccard": self.shingle_jaccard,
            "shingle_containment": self.shingle_containment,
            "edit_distance": self.edit_distance,
            "copied_share": self.copied_share,
        }


SIMILARITY_FIELDS: tuple[str, ...] = (
    "token_jaccard",
    "shingle_jaccard",
    "shingle_containment",
    "edit_distance",
    "copied_share",
)


@dataclass(frozen=True, slots=True)
class DiffResult(Frozen):
    """Everything one comparison of A (the wire story) with B (an outlet's copy) found.

    ``substantive_share`` is the headline number: substantive edits / all
    non-boilerplate edits (style + substantive) in the body, counting edits, not
    words; ``None`` when the body has no non-boilerplate edit. A reorder counts as
    one substantive edit. ``substantive_b_share`` is the share of B's body words
    that lie inside substantive edits (deletions touch no B word, so they count
    in the first number only); ``None`` when B's body has no words. Headlines are
    compared and listed (``segment == "headline"``) but left out of both shares:
    outlets rewrite headlines as a matter of course.
    """

    edits: tuple[Edit, ...]
    similarity: Similarity
    derivation: Derivation
    substantive_share: float | None
    substantive_b_share: float | None
    a_words: int
    b_words: int
    variants: tuple[StyleVariant, ...] = ()
    headline_similarity: Similarity | None = None

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        edits: tuple[Edit, ...],
        similarity: Similarity,
        derivation: Derivation,
        substantive_share: float | None,
        substantive_b_share: float | None,
        a_words: int,
        b_words: int,
        variants: tuple[StyleVariant, ...] = (),
        headline_similarity: Similarity | None = None,
    ) -> None:
        object.__setattr__(self, "edits", edits)
        object.__setattr__(self, "similarity", similarity)
        object.__setattr__(self, "derivation", derivation)
        object.__setattr__(self, "substantive_share", substantive_share)
        object.__setattr__(self, "substantive_b_share", substantive_b_share)
        object.__setattr__(self, "a_words", a_words)
        object.__setattr__(self, "b_words", b_words)
        object.__setattr__(self, "variants", variants)
        object.__setattr__(self, "headline_similarity", headline_similarity)

    def count(self, kind: Kind, segment: Segment = Segment.BODY) -> int:
        """Top-level edits of one kind (each change once: what the shares count)."""
        return sum(1 for e in self.edits if e.kind is kind and e.segment is segment)

    def all_edits(self) -> tuple[Edit, ...]:
        """Every edit with its sub-edits right after it, in reading order."""
        return tuple(x for e in self.edits for x in (e, *e.sub_edits))

    def counts_by_category(self, segment: Segment | None = None) -> dict[str, int]:
        """Edit counts per category, sub-edits included (every category present, fixed order)."""
        found = Counter(e.category for e in self.all_edits() if segment is None or e.segment is segment)
        return {VALUES[c]: found.get(c, 0) for c in Category}

    def counts_by_kind(self, segment: Segment | None = None) -> dict[str, int]:
        """Top-level edit counts per kind (sub-edits are inside an edit already counted)."""
        found = Counter(e.kind for e in self.edits if segment is None or e.segment is segment)
        return {VALUES[k]: found.get(k, 0) for k in Kind}
