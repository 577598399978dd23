"""Classification of the differences on an alignment path into edits.

The path (see :mod:`harness.wirediff.align`) is flattened into *change steps*:
one per deleted, inserted or variant token, in reading order, with the number of
identical tokens between neighbours. Classification walks the steps left to
right. At the first step not yet covered, every rule of :data:`RULES` is asked in
table order whether it explains a *window* starting at that step: some changes,
plus identical tokens around them that the rule needs to see (the title before a
name, the month next to a day). Window edges always fall between tokens, so an
edit is made of whole words. The first rule that matches makes one edit.

When no rule matches, the step starts a substantive edit that grows over the
following contiguous changes until one of them starts something a rule explains.
That is how an edit mixing kinds is split into its parts: a restyled title next
to a changed word gives a style edit and a substantive one.

A change of punctuation, spacing or case alone is never substantive, and a
passage equal to the other but for typography (quote and dash glyphs, spacing
around punctuation, compounding, elisions, scare quotes; see
:mod:`harness.wirediff.typography`) is one style edit, also when the aligner cut
it into pieces (:func:`merge_typographic`).

Afterwards, a deletion and an insertion of the same words (two or more) become
one ``reorder`` edit, and every passage the aligner found moved becomes one
``reorder`` edit of its own. Each edit of several tokens lists the recognised
token changes inside it as sub-edits (:func:`sub_edits`).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from harness.wirediff.align import Alignment, Op, Run
from harness.wirediff.compiled import native_function
from harness.wirediff.frozen import Frozen
from harness.wirediff.lexicon import Lexicon
from harness.wirediff.model import KIND_OF, VALUES, Category, Kind, StyleVariant
from harness.wirediff.names import same_name
from harness.wirediff.phrases import is_subject, parse_date, parse_number, parse_title
from harness.wirediff.prepare import Flag, PreparedText, fold_name_ending, split_possessive
from harness.wirediff.typography import Typographic, typographic_difference

# How far rules look for the words they need around a change (in tokens).
NEAR = 6
DATE_REACH = 4  # the farthest a change in a date can be from its month name
MIN_MOVED_WORDS = 2
TYPOGRAPHY_RULE = "typography.fold"
UNPAIRED = "quote_style.unpaired"
SCARE_QUOTE_TOKENS = 8  # the most shared tokens between two quote marks paired into one edit
TYPO_CHANGES = 12  # the most change steps one typographic edit spans (a short sentence re-typed)
UNEXPLAINED = "unexplained"  # rule id suffix of substantive edits


@dataclass(frozen=True, slots=True)
class Explanation(Frozen):
    """Why an edit got its category: ``summary: a_detail → b_detail; notes``.

    Kept in parts so that reading the comparison from B to A can swap them.
    """

    summary: str
    a_detail: str = ""
    b_detail: str = ""
    notes: tuple[tuple[str, str, str], ...] = ()  # (label, A form, B form)

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        summary: str,
        a_detail: str = "",
        b_detail: str = "",
        notes: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "a_detail", a_detail)
        object.__setattr__(self, "b_detail", b_detail)
        object.__setattr__(self, "notes", notes)

    def mirrored(self) -> Explanation:
        notes = tuple((label, b, a) for label, a, b in self.notes)
        return Explanation(self.summary, self.b_detail, self.a_detail, notes)

    def render(self) -> str:
        text = self.summary
        if self.a_detail or self.b_detail:
            text += f": {self.a_detail or '(none)'} → {self.b_detail or '(none)'}"
        for label, a_form, b_form in self.notes:
            text += f"; {label} {a_form} → {b_form}"
        return text


@dataclass(frozen=True, slots=True)
class Classified(Frozen):
    """An edit before offsets: token ranges (whole units) in A and B."""

    category: Category
    rule: str
    explanation: Explanation
    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    variants: tuple[StyleVariant, ...] = ()
    subs: tuple[Classified, ...] = ()  # recognised changes inside this edit (see Edit.sub_edits)

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        category: Category,
        rule: str,
        explanation: Explanation,
        a_lo: int,
        a_hi: int,
        b_lo: int,
        b_hi: int,
        variants: tuple[StyleVariant, ...] = (),
        subs: tuple[Classified, ...] = (),
    ) -> None:
        object.__setattr__(self, "category", category)
        object.__setattr__(self, "rule", rule)
        object.__setattr__(self, "explanation", explanation)
        object.__setattr__(self, "a_lo", a_lo)
        object.__setattr__(self, "a_hi", a_hi)
        object.__setattr__(self, "b_lo", b_lo)
        object.__setattr__(self, "b_hi", b_hi)
        object.__setattr__(self, "variants", variants)
        object.__setattr__(self, "subs", subs)

    def mirrored(self) -> Classified:
        """The same edit read from B to A."""
        category = self.category.mirrored()
        rule = self.rule
        if category is not self.category:  # "insertion.unexplained" -> "deletion.unexplained"
            rule = VALUES[category] + rule.removeprefix(VALUES[self.category])
        return Classified(
            category,
            rule,
            self.explanation.mirrored(),
            self.b_lo,
            self.b_hi,
            self.a_lo,
            self.a_hi,
            tuple(v.mirrored() for v in self.variants),
            tuple(sub.mirrored() for sub in self.subs),
        )


@dataclass(frozen=True, slots=True)
class Window(Frozen):
    """Changes ``first..last`` plus ``left``/``right`` identical tokens around them.

    Rules try many windows per change: its ``__init__`` is written out (see Frozen).
    """

    first: int
    last: int
    left: int
    right: int
    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        first: int,
        last: int,
        left: int,
        right: int,
        a_lo: int,
        a_hi: int,
        b_lo: int,
        b_hi: int,
    ) -> None:
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", last)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)
        object.__setattr__(self, "a_lo", a_lo)
        object.__setattr__(self, "a_hi", a_hi)
        object.__setattr__(self, "b_lo", b_lo)
        object.__setattr__(self, "b_hi", b_hi)


@dataclass(frozen=True, slots=True)
class Part(Frozen):
    """A piece of a window that gets its own edit (see :class:`Found`)."""

    first: int
    last: int
    category: Category
    rule: str
    explanation: Explanation
    variants: tuple[StyleVariant, ...] = ()


@dataclass(frozen=True, slots=True)
class Found(Frozen):
    """A rule's match: the window it explains, why, and the style forms seen.

    ``parts`` splits a window that mixes kinds (a title restyled and its title
    word changed) into one edit per run of steps of one kind.
    """

    window: Window
    explanation: Explanation
    variants: tuple[StyleVariant, ...] = ()
    parts: tuple[Part, ...] = ()
    category: Category | None = None  # for a rule that finds several kinds of change
    rule: str = ""

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        window: Window,
        explanation: Explanation,
        variants: tuple[StyleVariant, ...] = (),
        parts: tuple[Part, ...] = (),
        category: Category | None = None,
        rule: str = "",
    ) -> None:
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "explanation", explanation)
        object.__setattr__(self, "variants", variants)
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "category", category)
        object.__setattr__(self, "rule", rule)


class Context:
    """The change steps of one path, and the two texts they point into."""

    def __init__(
        self, a: PreparedText, b: PreparedText, runs: tuple[Run, ...], lex: Lexicon, book: Mapping[str, str]
    ) -> None:
        self.a = a
        self.b = b
        self.lex = lex
        self.book = book  # known variants: case-folded spelling -> group
        self.ops: list[Op] = []
        self.apos: list[int] = []  # A token (or A position for an insertion)
        self.bpos: list[int] = []
        self.eq_before: list[int] = []  # identical tokens right before the step
        self.eq_after: list[int] = []
        self.linked: list[bool] = []  # step and the next joined by identical tokens only
        self.a_token: list[str] = []  # the step's A token ("" for an insertion)
        self.b_token: list[str] = []
        self.boilerplate: list[str] = []  # boilerplate category of the step's tokens, or ""
        self.whole: list[bool] = []  # inside a sentence the other text has nothing like
        self._variants: dict[int, tuple[Category, str, str] | None] = {}
        self.number_token, self.date_token = _token_tests(lex)
        self._flatten(runs)

    def _flatten(self, runs: tuple[Run, ...]) -> None:
        """One step per changed token; identical tokens only counted between steps."""
        pending = 0
        barrier = True  # a moved passage (or the start) since the last step
        a, b = self.a, self.b
        for run in runs:
            op = run.op
            if op is Op.EQUAL:
                width = run.a_hi - run.a_lo
                if self.ops and not barrier:
                    self.eq_after[-1] += width
                pending += width
                continue
            if op is Op.MOVED_A or op is Op.MOVED_B:
                barrier, pending = True, 0
                continue
            width = max(run.a_hi - run.a_lo, run.b_hi - run.b_lo)
            if self.ops:
                self.linked.append(not barrier)
            if width == 1 and op is not Op.VARIANT:  # most runs: one token, appended (no list per column)
                self.ops.append(op)
                self.whole.append(run.whole)
                self.eq_before.append(pending)
                self.eq_after.append(0)
                self.apos.append(run.a_lo)
                self.bpos.append(run.b_lo)
                if op is Op.DELETE:
                    self.a_token.append(a.tokens[run.a_lo])
                    self.b_token.append("")
                    self.boilerplate.append(a.boilerplate[run.a_lo])
                else:
                    self.a_token.append("")
                    self.b_token.append(b.tokens[run.b_lo])
                    self.boilerplate.append(b.boilerplate[run.b_lo])
                pending, barrier = 0, False
                continue
            self.linked += [True] * (width - 1)
            self.ops += [op] * width
            self.whole += [run.whole] * width
            self.eq_before += [pending] + [0] * (width - 1)
            self.eq_after += [0] * width
            if op is Op.DELETE:
                self.apos += range(run.a_lo, run.a_hi)
                self.bpos += [run.b_lo] * width
                self.a_token += a.tokens[run.a_lo : run.a_hi]
                self.b_token += [""] * width
                self.boilerplate += a.boilerplate[run.a_lo : run.a_hi]
            elif op is Op.INSERT:
                self.apos += [run.a_lo] * width
                self.bpos += range(run.b_lo, run.b_hi)
                self.a_token += [""] * width
                self.b_token += b.tokens[run.b_lo : run.b_hi]
                self.boilerplate += b.boilerplate[run.b_lo : run.b_hi]
            else:  # a variant: one token on each side
                self.apos.append(run.a_lo)
                self.bpos.append(run.b_lo)
                self.a_token.append(a.tokens[run.a_lo])
                self.b_token.append(b.tokens[run.b_lo])
                same = a.boilerplate[run.a_lo] == b.boilerplate[run.b_lo]
                self.boilerplate.append(a.boilerplate[run.a_lo] if same else "")
            pending, barrier = 0, False
        if self.ops:
            self.linked.append(False)

    def __len__(self) -> int:
        return len(self.ops)

    def a_after(self, step: int) -> int:
        return self.apos[step] + (self.ops[step] is not Op.INSERT)

    def b_after(self, step: int) -> int:
        return self.bpos[step] + (self.ops[step] is not Op.DELETE)

    def contiguous(self, step: int) -> bool:
        """Is the next step directly after this one (no identical token between)?"""
        return step + 1 < len(self.ops) and self.linked[step] and self.eq_after[step] == 0

    def window(self, first: int, last: int, left: int, right: int) -> Window:
        return Window(
            first,
            last,
            left,
            right,
            self.apos[first] - left,
            self.a_after(last) + right,
            self.bpos[first] - left,
            self.b_after(last) + right,
        )

    def windows(
        self, first: int, room: int, *, changes: int, left: int, right: int
    ) -> Iterator[Window]:
        """Windows starting at step ``first``, smallest first (then fewest changes)."""
        ops, apos, bpos, eq_after, linked = self.ops, self.apos, self.bpos, self.eq_after, self.linked
        a0, b0 = apos[first], bpos[first]
        # A window's shape is (size, last step, left context, right context), ordered as
        # that tuple; the shapes are counted as one int each, in those four mixed-radix
        # digits, so that the sort compares ints (no tuple per shape). Every digit stays
        # below its radix: steps < max(changes, 1) (the loop stops there), extra_left <
        # lefts, extra_right < rights.
        lefts, rights, steps = min(room, left) + 1, right + 1, max(changes, 1)
        a_ends: list[int] = []
        b_ends: list[int] = []
        shapes: list[int] = []
        last = first
        while True:
            a_end = apos[last] + (ops[last] is not Op.INSERT)
            b_end = bpos[last] + (ops[last] is not Op.DELETE)
            a_ends.append(a_end)
            b_ends.append(b_end)
            base = (a_end - a0) + (b_end - b0)
            for extra_right in range(min(eq_after[last], right) + 1):
                for extra_left in range(lefts):
                    size = base + 2 * (extra_left + extra_right)
                    shapes.append(((size * steps + (last - first)) * lefts + extra_left) * rights + extra_right)
            if last - first + 1 >= changes or not (last + 1 < len(ops) and linked[last]):
                break
            last += 1
        shapes.sort()
        for shape in shapes:  # built one by one: most rules stop early
            hi = shape % rights
            lo = shape // rights % lefts
            step = shape // rights // lefts % steps
            yield Window(first, first + step, lo, hi, a0 - lo, a_ends[step] + hi, b0 - lo, b_ends[step] + hi)

    def _bigger(self, window: Window) -> Window | None:
        """The window one token further right (None at a barrier or the end)."""
        if window.right < self.eq_after[window.last]:
            return self.window(window.first, window.last, window.left, window.right + 1)
        if window.last + 1 < len(self.ops) and self.linked[window.last]:
            return self.window(window.first, window.last + 1, window.left, 0)
        return None

    def grow(self, window: Window, accept: Callable[[Window], bool], *, reach: int = 1) -> Window:
        """Extend ``window`` rightwards while ``accept`` holds within ``reach`` tokens.

        A reach above one lets a phrase grow over a few tokens that only make
        sense together ("May 16" -> "May 16, 2025").
        """
        while True:
            candidate: Window | None = window
            grown = None
            for _ in range(reach):
                candidate = self._bigger(candidate) if candidate is not None else None
                if candidate is None:
                    break
                if accept(candidate):
                    grown = candidate
                    break
            if grown is None:
                return window
            window = grown

    def a_tokens(self, w: Window) -> tuple[str, ...]:
        return self.a.tokens[w.a_lo : w.a_hi]

    def b_tokens(self, w: Window) -> tuple[str, ...]:
        return self.b.tokens[w.b_lo : w.b_hi]

    def step_tokens(self, step: int) -> tuple[str, str]:
        """(A token, B token) of a step; "" on the side that has none."""
        return self.a_token[step], self.b_token[step]

    def variant_of(self, step: int) -> tuple[Category, str, str] | None:
        """:func:`token_variant` of a VARIANT step, computed once."""
        if step not in self._variants:
            a_token, b_token = self.step_tokens(step)
            self._variants[step] = token_variant(self.lex, self.book, a_token, b_token)
        return self._variants[step]

    def near(self, step: int, flag: int, *, both: bool = False, radius: int = NEAR) -> bool:
        """Is a token with ``flag`` (a :class:`Flag` bit) within ``radius`` tokens of
        the step, in either text (``both``: in each text)?"""
        a_at, b_at = self.apos[step], self.bpos[step]
        in_a = any(f & flag for f in self.a.flags[max(a_at - radius, 0) : a_at + radius + 1])
        if in_a and not both:
            return True
        if not in_a and both:
            return False
        return any(f & flag for f in self.b.flags[max(b_at - radius, 0) : b_at + radius + 1])

    def step_all(self, step: int, test: Callable[[str], bool]) -> bool:
        """Do the step's tokens (one or both sides) all pass ``test``?"""
        a_token, b_token = self.a_token[step], self.b_token[step]
        return (not a_token or test(a_token)) and (not b_token or test(b_token))


RuleFn = Callable[[Context, int, int], Found | None]


ANY_STEP = frozenset(Op)
ONE_SIDED = frozenset({Op.DELETE, Op.INSERT})
VARIANT_ONLY = frozenset({Op.VARIANT})


@dataclass(frozen=True, slots=True)
class Rule(Frozen):
    """One entry of the rule table: an id, the category it gives, its test.

    ``starts_on`` lists the kinds of step the rule's windows can start on, so the
    driver skips rules that cannot apply without calling them.
    """

    id: str
    category: Category
    apply: RuleFn
    starts_on: frozenset[Op] = ANY_STEP


# --------------------------------------------------------------------- boilerplate


def _boilerplate_rule(category: str, label: str) -> RuleFn:
    """Changes inside a dateline, credit or byline the lexicon's patterns found."""

    def rule(ctx: Context, first: int, room: int) -> Found | None:
        if ctx.boilerplate[first] != category:
            return None
        last = first
        while ctx.contiguous(last) and ctx.boilerplate[last + 1] == category:
            last += 1
        return Found(ctx.window(first, last, 0, 0), Explanation(label))

    return rule


# ------------------------------------------------------------------ phrase rules
# Quick tests on the changed token itself, before a rule tries its windows: a
# title phrase holds words, hyphens and commas; a date, words, figures and
# commas or full stops; no phrase rule reads quotation marks.


def _word_token(token: str) -> bool:
    return token[:1].isalnum()


def _title_token(token: str) -> bool:
    return token[:1].isalnum() or token in ",-‐‑"


# The two token tests of each lexicon, made once: each is a set of the lexicon's words
# (about 46,000 instructions a comparison to build anew). By id, with the lexicon kept
# so that its id is never another's; a handful of lexicons at most (tests make some).
_TOKEN_TESTS: dict[int, tuple[Lexicon, Callable[[str], bool], Callable[[str], bool]]] = {}


def _token_tests(lex: Lexicon) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    """(number token test, date token test) of ``lex``."""
    found = _TOKEN_TESTS.get(id(lex))
    if found is None or found[0] is not lex:
        if len(_TOKEN_TESTS) >= 16:
            _TOKEN_TESTS.clear()
        found = _TOKEN_TESTS[id(lex)] = (lex, _number_token(lex), _date_token(lex))
    return found[1], found[2]


def _date_token(lex: Lexicon) -> Callable[[str], bool]:
    """Tokens a date may hold: figures, month and weekday names, commas, full stops."""
    vocabulary = set(lex.months) | set(lex.weekdays) | {",", ".", "of"}
    return lambda token: token[:1].isdigit() or token.casefold() in vocabulary


def _number_token(lex: Lexicon) -> Callable[[str], bool]:
    """Tokens a number phrase may hold: figures, number and scale words, %, dashes."""
    vocabulary = (
        set(lex.number_words) | lex.percent_words | set(lex.percent_phrase) | set(lex.scales)
        | lex.currency | lex.range_words | lex.dashes
    )
    return lambda token: token[:1].isdigit() or token.casefold() in vocabulary


@dataclass(frozen=True, slots=True)
class _TitleMatch(Frozen):
    explanation: Explanation
    variants: tuple[StyleVariant, ...]
    changed_a: frozenset[int]  # A tokens of title words that changed (lenient matches)
    changed_b: frozenset[int]


def _ends_a_name(token: str) -> bool:
    return token[:1].isupper() or token == ","


def _is_title(ctx: Context, w: Window, *, lenient: bool = False) -> _TitleMatch | None:
    """Is the window one title + name styled two ways? (``lenient``: title words may differ.)"""
    a, b, lex = ctx.a, ctx.b, ctx.lex
    if w.a_hi == w.a_lo or w.b_hi == w.b_lo:
        return None
    if not (_ends_a_name(a.tokens[w.a_hi - 1]) and _ends_a_name(b.tokens[w.b_hi - 1])):
        return None  # a title phrase ends with the name (and maybe a comma)
    ta = parse_title(a.tokens[w.a_lo : w.a_hi], a.keys[w.a_lo : w.a_hi], a.is_word[w.a_lo : w.a_hi], lex)
    if ta is None:
        return None
    tb = parse_title(b.tokens[w.b_lo : w.b_hi], b.keys[w.b_lo : w.b_hi], b.is_word[w.b_lo : w.b_hi], lex)
    # Same title and name, styled differently: article, capitals or the comma
    # before the name (a comma after it alone is punctuation).
    if tb is None or ta.form == tb.form or ta.canonical[1] != tb.canonical[1]:
        return None
    a_title, b_title = ta.canonical[0], tb.canonical[0]
    changed = [k for k, (x, y) in enumerate(zip(a_title, b_title, strict=False)) if x != y]
    if (changed and not lenient) or len(a_title) != len(b_title):
        return None
    inner = _inner_variants(ctx, w, ta.title_slice, tb.title_slice) + _inner_variants(
        ctx, w, ta.name_slice, tb.name_slice
    )
    notes = tuple((v.category.value.replace("_", " "), v.a_form, v.b_form) for v in inner)
    variant = StyleVariant(Category.TITLE_STYLE, ta.pattern, tb.pattern)
    return _TitleMatch(
        Explanation("title before a name", ta.pattern, tb.pattern, notes),
        (variant, *inner),
        frozenset(w.a_lo + ta.title_slice[0] + k for k in changed),
        frozenset(w.b_lo + tb.title_slice[0] + k for k in changed),
    )


def _inner_variants(
    ctx: Context, w: Window, a_slice: tuple[int, int], b_slice: tuple[int, int]
) -> tuple[StyleVariant, ...]:
    """Style differences between same-key words inside a phrase (Zelenskiy/Zelenskyy)."""
    out: list[StyleVariant] = []
    a_words = ctx.a.tokens[w.a_lo + a_slice[0] : w.a_lo + a_slice[1]]
    b_words = ctx.b.tokens[w.b_lo + b_slice[0] : w.b_lo + b_slice[1]]
    for a_word, b_word in zip(a_words, b_words, strict=False):
        if a_word != b_word:
            found = token_variant(ctx.lex, ctx.book, a_word, b_word)
            if found is not None and found[0] is not Category.CAPITALISATION:
                out.append(StyleVariant(found[0], a_word, b_word))
    return tuple(out)


def title_apposition(ctx: Context, first: int, room: int) -> Found | None:
    """"U.S. President Donald Trump" / "the US president, Donald Trump,".

    When the title word itself changed too ("President" / "leader"), the window
    is split: the restyling is title_style, the changed word substantive.
    """
    if not ctx.step_all(first, _title_token) or not ctx.near(first, Flag.TITLE_BEFORE_NAME, both=True):
        return None
    fallback: Window | None = None  # smallest window that matches only leniently
    # Windows need only reach the first word of the name: grow() takes the rest.
    # Up to 7 changes: article, acronym, two capitals ("Secretary of State"), two commas.
    for w in ctx.windows(first, room, changes=7, left=6, right=2):
        found = _is_title(ctx, w, lenient=True)
        if found is None:
            continue
        if not found.changed_a:
            return _grown_title(ctx, w, lenient=False)
        fallback = fallback or w
    return _grown_title(ctx, fallback, lenient=True) if fallback else None


def _grown_title(ctx: Context, w: Window, *, lenient: bool) -> Found:
    """The match over the whole name ("President Vladimir" grows to "... Putin")."""
    w = ctx.grow(w, lambda bigger: _is_title(ctx, bigger, lenient=lenient) is not None)
    found = _is_title(ctx, w, lenient=lenient)
    assert found is not None  # grow only accepts windows that parse
    if not found.changed_a:
        return Found(w, found.explanation, found.variants)
    return Found(w, found.explanation, found.variants, _title_parts(ctx, w, found))


def _title_parts(ctx: Context, w: Window, found: _TitleMatch) -> tuple[Part, ...]:
    """Runs of steps that restyle the title (style) or change a title word (substantive)."""

    def changed(step: int) -> bool:
        op = ctx.ops[step]
        return (op is not Op.INSERT and ctx.apos[step] in found.changed_a) or (
            op is not Op.DELETE and ctx.bpos[step] in found.changed_b
        )

    runs: list[list[int]] = []
    for step in range(w.first, w.last + 1):
        joined = runs and ctx.contiguous(runs[-1][-1]) and changed(runs[-1][-1]) == changed(step)
        if joined:
            runs[-1].append(step)
        else:
            runs.append([step])
    parts: list[Part] = []
    styled = False
    for run in runs:
        if changed(run[0]):
            category = _substantive_category({ctx.ops[s] for s in run})
            parts.append(Part(run[0], run[-1], category, f"{VALUES[category]}.title_word", Explanation("")))
        else:
            variants = () if styled else found.variants  # count the title pattern once
            styled = True
            parts.append(
                Part(run[0], run[-1], Category.TITLE_STYLE, "title_style.title_before_name", found.explanation, variants)
            )
    return tuple(parts)


def _substantive_category(ops: set[Op]) -> Category:
    if ops == {Op.INSERT}:
        return Category.INSERTION
    if ops == {Op.DELETE}:
        return Category.DELETION
    return Category.SUBSTITUTION


def _subject_key(keys: tuple[str, ...], lex: Lexicon) -> tuple[str, ...]:
    """A speaker without articles and commas: "the US president, Joe Biden," = "U.S. President Joe Biden"."""
    return tuple(k for k in keys if k not in lex.determiners and k != ",")


def _swapped_attribution(ctx: Context, w: Window) -> tuple[Explanation, StyleVariant] | None:
    """Speaker and speech verb swapped ("Medinsky said" / "said Medinsky").

    The speaker may be restyled on the way (a title before the name): the two
    speakers must be the same words once articles and commas are set aside.
    """
    a, b, lex = ctx.a, ctx.b, ctx.lex
    a_keys, b_keys = a.keys[w.a_lo : w.a_hi], b.keys[w.b_lo : w.b_hi]
    if len(a_keys) < 2 or len(b_keys) < 2 or a_keys == b_keys:
        return None
    verbs = lex.speech_verbs
    if a_keys[-1] in verbs and a_keys[-1] == b_keys[0]:
        a_subject, b_subject, verb = slice(w.a_lo, w.a_hi - 1), slice(w.b_lo + 1, w.b_hi), a_keys[-1]
        forms = (f"<subject> {verb}", f"{verb} <subject>")
    elif a_keys[0] in verbs and a_keys[0] == b_keys[-1]:
        a_subject, b_subject, verb = slice(w.a_lo + 1, w.a_hi), slice(w.b_lo, w.b_hi - 1), a_keys[0]
        forms = (f"{verb} <subject>", f"<subject> {verb}")
    else:
        return None
    if _subject_key(a.keys[a_subject], lex) != _subject_key(b.keys[b_subject], lex):
        return None
    if not (
        is_subject(a.tokens[a_subject], a.keys[a_subject], a.is_word[a_subject], lex)
        and is_subject(b.tokens[b_subject], b.keys[b_subject], b.is_word[b_subject], lex)
    ):
        return None
    a_who, b_who = " ".join(a.tokens[a_subject]), " ".join(b.tokens[b_subject])
    notes = () if a_who == b_who else (("speaker", a_who.replace(" ,", ","), b_who.replace(" ,", ",")),)
    explanation = Explanation("order of speaker and speech verb", *forms, notes)
    return explanation, StyleVariant(Category.ATTRIBUTION_ORDER, *forms)


def attribution_order(ctx: Context, first: int, room: int) -> Found | None:
    """"Medinsky said" / "said Medinsky"."""
    # The swapped halves differ at the window's first token, so the window starts
    # at this change, and the change adds or removes a word (a variant keeps its key).
    if ctx.ops[first] is Op.VARIANT or not ctx.step_all(first, _word_token):
        return None
    # One side's window starts with the verb: "[said] Medinsky" / "[Medinsky] said".
    a_first = ctx.a.keys[ctx.apos[first]] if ctx.apos[first] < len(ctx.a) else ""
    b_first = ctx.b.keys[ctx.bpos[first]] if ctx.bpos[first] < len(ctx.b) else ""
    if a_first not in ctx.lex.speech_verbs and b_first not in ctx.lex.speech_verbs:
        return None
    for w in ctx.windows(first, 0, changes=8, left=0, right=5):
        found = _swapped_attribution(ctx, w)
        if found is not None:
            return Found(w, found[0], (found[1],))
    return None


def date_format(ctx: Context, first: int, room: int) -> Found | None:
    """"May 16" / "16 May", "Aug. 5" / "August 5"."""
    if ctx.a_token[first] == ctx.b_token[first]:
        return None  # spacing only: not a different way of writing the phrase
    # A date is at most a few tokens long ("Wednesday, May 16, 2025"); a comma or
    # full stop changed in one sits right next to the month.
    if not ctx.step_all(first, ctx.date_token):
        return None
    punctuation_only = not (ctx.a_token[first] + ctx.b_token[first])[:1].isalnum()
    if not ctx.near(first, Flag.MONTH, radius=2 if punctuation_only else DATE_REACH):
        return None
    for w in ctx.windows(first, room, changes=4, left=DATE_REACH, right=DATE_REACH):
        if _same_date(ctx, w) is not None:
            w = ctx.grow(w, lambda bigger: _same_date(ctx, bigger) is not None, reach=3)
            patterns = _same_date(ctx, w)
            assert patterns is not None  # grow only accepts matching windows
            variant = StyleVariant(Category.DATE_FORMAT, *patterns)
            return Found(w, Explanation("date format", *patterns), (variant,))
    return None


def _same_date(ctx: Context, w: Window) -> tuple[str, str] | None:
    """The two patterns when both sides of the window are the same date."""
    da, db = parse_date(ctx.a_tokens(w), ctx.lex), parse_date(ctx.b_tokens(w), ctx.lex)
    if da is None or db is None or da.value != db.value:
        return None
    return da.pattern, db.pattern


def number_format(ctx: Context, first: int, room: int) -> Found | None:
    """"1,200" / "1200", "24-48" / "24 to 48", "5%" / "5 per cent", "five" / "5"."""
    if ctx.a_token[first] == ctx.b_token[first]:
        return None  # spacing only: not a different way of writing the phrase
    if not ctx.step_all(first, ctx.number_token) or not ctx.near(first, Flag.NUMBER):
        return None
    # Usually the whole run of number words around the change is the phrase
    # ("5 per cent" / "5%"): try it first, then smaller windows.
    widest = _number_run(ctx, first, room)
    candidates = itertools.chain((widest,), ctx.windows(first, room, changes=3, left=3, right=2))
    for w in candidates:
        if _same_number(ctx, w) is not None:
            w = ctx.grow(w, lambda bigger: _same_number(ctx, bigger) is not None, reach=2)
            patterns = _same_number(ctx, w)
            assert patterns is not None  # grow only accepts matching windows
            variant = StyleVariant(Category.NUMBER_FORMAT, *patterns)
            return Found(w, Explanation("number format", *patterns), (variant,))
    return None


def _number_run(ctx: Context, first: int, room: int) -> Window:
    """The window over number-phrase tokens on both sides of the change."""
    left = 0
    while left < min(room, 3) and ctx.number_token(ctx.a.tokens[ctx.apos[first] - left - 1]):
        left += 1
    w = ctx.window(first, first, left, 0)
    return ctx.grow(w, lambda bigger: all(map(ctx.number_token, (*ctx.a_tokens(bigger), *ctx.b_tokens(bigger)))))


def _same_number(ctx: Context, w: Window) -> tuple[str, str] | None:
    """The two patterns when both sides of the window are the same number phrase."""
    na, nb = parse_number(ctx.a_tokens(w), ctx.lex), parse_number(ctx.b_tokens(w), ctx.lex)
    if na is None or nb is None or na.value != nb.value:
        return None
    return na.pattern, nb.pattern


def honorific_period(ctx: Context, first: int, room: int) -> Found | None:
    """"Mr." / "Mr": a full stop after an honorific or rank."""
    op = ctx.ops[first]
    a_token, b_token = ctx.step_tokens(first)
    if op not in (Op.DELETE, Op.INSERT) or (a_token or b_token) != "." or room < 1:
        return None
    w = ctx.window(first, first, 1, 0)
    honorific = ctx.a.tokens[w.a_lo]
    if honorific.casefold() not in ctx.lex.honorifics:
        return None
    forms = (honorific + ".", honorific) if op is Op.DELETE else (honorific, honorific + ".")
    variant = StyleVariant(Category.ABBREVIATION, *forms)
    return Found(w, Explanation("full stop after an abbreviated title", *forms), (variant,))


def abbreviation_expansion(ctx: Context, first: int, room: int) -> Found | None:
    """"Gov." / "Governor": an abbreviation against its long form."""
    if ctx.ops[first] is not Op.VARIANT:
        return None
    a_token, b_token = ctx.step_tokens(first)
    if a_token.casefold() == b_token.casefold():
        return None
    expansions = ctx.lex.expansions
    short = a_token if a_token.casefold() in expansions else b_token
    if short.casefold() not in expansions:
        return None
    last = first
    # Take the abbreviation's own full stop with it, when it has one.
    if ctx.contiguous(first) and ctx.ops[first + 1] in (Op.DELETE, Op.INSERT):
        dot_a, dot_b = ctx.step_tokens(first + 1)
        if (dot_a or dot_b) == "." and (ctx.ops[first + 1] is Op.DELETE) == (short == a_token):
            last = first + 1
    w = ctx.window(first, last, 0, 0)
    forms = (" ".join(ctx.a_tokens(w)).replace(" .", "."), " ".join(ctx.b_tokens(w)).replace(" .", "."))
    variant = StyleVariant(Category.ABBREVIATION, *forms)
    return Found(w, Explanation("abbreviation", *forms), (variant,))


# ------------------------------------------------------------------- token rules


def _quote_name(mark: str, lex: Lexicon) -> str:
    shape = "curly" if mark in lex.curly_quotes else "straight"
    if mark in "«»‹›":
        shape = "angle"
    weight = "double" if mark in lex.double_quotes else "single"
    return f"{shape} {weight} {mark}"


def token_variant(
    lex: Lexicon, book: Mapping[str, str], a_token: str, b_token: str
) -> tuple[Category, str, str] | None:
    """Which house-style difference turns one token into the other (if any).

    Returns (category, rule id, summary). Checked from the most specific
    difference to the least; tokens equal but for spacing are punctuation.
    """
    if a_token == b_token:
        return Category.PUNCTUATION, "punctuation.whitespace", "spacing or line break"
    if a_token in lex.quote_marks and b_token in lex.quote_marks:
        return Category.QUOTE_STYLE, "quote_style.marks", "quotation mark"
    if a_token in lex.dashes and b_token in lex.dashes:
        return Category.PUNCTUATION, "punctuation.dash", "dash or hyphen"
    if _apostrophes(a_token, lex) == _apostrophes(b_token, lex):
        return Category.QUOTE_STYLE, "quote_style.apostrophe", "apostrophe"
    a_base, a_suffix = split_possessive(_apostrophes(a_token, lex))
    b_base, b_suffix = split_possessive(_apostrophes(b_token, lex))
    if a_suffix.casefold() != b_suffix.casefold():
        return None
    if "." in a_base + b_base and a_base.replace(".", "").casefold() == b_base.replace(".", "").casefold():
        return Category.ABBREVIATION, "abbreviation.full_stops", "full stops in an abbreviation"
    if _is_figure(a_base, lex) and _is_figure(b_base, lex) and _figure(a_base, lex) == _figure(b_base, lex):
        return Category.NUMBER_FORMAT, "number_format.figures", "number written differently"
    a_low, b_low = a_base.casefold(), b_base.casefold()
    if a_low == b_low:
        return Category.CAPITALISATION, "capitalisation.case", "capital letters"
    if lex.british_to_american(a_low) == lex.british_to_american(b_low):
        return Category.SPELLING, "spelling.british_american", "British/American spelling"
    if _same_group(a_low, b_low, book) or _same_group(a_low, b_low, lex.transliterations):
        return Category.SPELLING, "spelling.known_variant", "known spelling variant"
    if a_base[:1].isupper() and fold_name_ending(a_low, lex) == fold_name_ending(b_low, lex):
        return Category.SPELLING, "spelling.transliteration", "transliteration"
    if same_name(a_base, b_base, lex, vowels=False):  # no position here: skeletons only
        return Category.SPELLING, "spelling.name_variant", "romanisation of a name"
    return None


def _apostrophes(token: str, lex: Lexicon) -> str:
    for mark in lex.apostrophes:
        token = token.replace(mark, "'")
    return token


def _is_figure(token: str, lex: Lexicon) -> bool:
    return token[:1].isdigit() or token.casefold() in lex.number_words


def _figure(token: str, lex: Lexicon) -> str:
    return lex.number_words.get(token.casefold(), token.replace(",", ""))


def _same_group(a_low: str, b_low: str, groups: Mapping[str, str]) -> bool:
    group = groups.get(a_low)
    return group is not None and group == groups.get(b_low)


TOKEN_RULES: tuple[tuple[str, Category], ...] = (
    ("punctuation.whitespace", Category.PUNCTUATION),
    ("quote_style.marks", Category.QUOTE_STYLE),
    ("punctuation.dash", Category.PUNCTUATION),
    ("quote_style.apostrophe", Category.QUOTE_STYLE),
    ("abbreviation.full_stops", Category.ABBREVIATION),
    ("number_format.figures", Category.NUMBER_FORMAT),
    ("capitalisation.case", Category.CAPITALISATION),
    ("spelling.british_american", Category.SPELLING),
    ("spelling.known_variant", Category.SPELLING),
    ("spelling.transliteration", Category.SPELLING),
    ("spelling.name_variant", Category.SPELLING),
)
"""Outcomes of :func:`token_variant`, in the order it tests them."""


def _token_found(ctx: Context, step: int, category: Category, summary: str) -> Found:
    a_token, b_token = ctx.step_tokens(step)
    if category is Category.QUOTE_STYLE and a_token in ctx.lex.quote_marks:
        a_detail, b_detail = _quote_name(a_token, ctx.lex), _quote_name(b_token, ctx.lex)
    elif a_token == b_token:
        a_detail = _spacing_name(ctx.a.units[ctx.apos[step]])
        b_detail = _spacing_name(ctx.b.units[ctx.bpos[step]])
    else:
        a_detail, b_detail = a_token, b_token
    variant = StyleVariant(category, *_variant_forms(category, a_token, b_token, a_detail, b_detail))
    return Found(ctx.window(step, step, 0, 0), Explanation(summary, a_detail, b_detail), (variant,))


def _token_rule(rule_id: str) -> RuleFn:
    """The table entry for one of :func:`token_variant`'s outcomes."""

    def rule(ctx: Context, first: int, room: int) -> Found | None:
        if ctx.ops[first] is not Op.VARIANT:
            return None
        found = ctx.variant_of(first)
        if found is None or found[1] != rule_id:
            return None
        return _token_found(ctx, first, found[0], found[2])

    return rule


def _variant_forms(category: Category, a_token: str, b_token: str, a_detail: str, b_detail: str) -> tuple[str, str]:
    if category is Category.SPELLING:
        return split_possessive(a_token)[0], split_possessive(b_token)[0]
    if category is Category.PUNCTUATION:
        return a_detail, b_detail
    return a_token, b_token


def _spacing_name(unit: str) -> str:
    gap = unit[: len(unit) - len(unit.lstrip())]
    if not gap:
        return "no space"
    if "\n" in gap:
        return "paragraph break" if gap.count("\n") > 1 else "line break"
    return "space" if gap == " " else f"{len(gap)} spaces"


def known_variant_pair(ctx: Context, first: int, room: int) -> Found | None:
    """A deleted and an inserted word that a style sheet lists as variants."""
    if not ctx.contiguous(first) or {ctx.ops[first], ctx.ops[first + 1]} != {Op.DELETE, Op.INSERT}:
        return None
    w = ctx.window(first, first + 1, 0, 0)
    (a_token,), (b_token,) = ctx.a_tokens(w), ctx.b_tokens(w)
    a_base, a_suffix = split_possessive(a_token)
    b_base, b_suffix = split_possessive(b_token)
    if a_suffix != b_suffix:
        return None
    variant = StyleVariant(Category.SPELLING, a_base, b_base)
    if _same_group(a_base.casefold(), b_base.casefold(), ctx.book):
        return Found(w, Explanation("known spelling variant", a_base, b_base), (variant,))
    inside = not (_starts_sentence(ctx.a, w.a_lo) or _starts_sentence(ctx.b, w.b_lo))
    if same_name(a_base, b_base, ctx.lex, vowels=inside):
        explanation = Explanation("romanisation of a name", a_base, b_base)
        return Found(w, explanation, (variant,), (), Category.SPELLING, "spelling.name_variant")
    return None


def _starts_sentence(text: PreparedText, index: int) -> bool:
    """Does token ``index`` open its sentence (maybe after quote marks or brackets)?"""
    for lo, hi in text.sentences:
        if lo <= index < hi:
            return all(not _word_token(t) for t in text.tokens[lo:index])
    return True


def _neutral_step(ctx: Context, step: int) -> bool:
    op = ctx.ops[step]
    if op is Op.VARIANT:
        a_token, b_token = ctx.step_tokens(step)
        return a_token == b_token  # spacing only
    token = ctx.step_tokens(step)[0 if op is Op.DELETE else 1]
    return token in ctx.lex.neutral_punctuation


def _word_change(ctx: Context, step: int) -> bool:
    return ctx.ops[step] in (Op.DELETE, Op.INSERT) and not _neutral_step(ctx, step)


def neutral_punctuation(ctx: Context, first: int, room: int) -> Found | None:
    """Commas, dashes, brackets or full stops added or removed between kept words."""
    if ctx.ops[first] is Op.VARIANT or not _neutral_step(ctx, first):
        return None
    if first > 0 and ctx.contiguous(first - 1) and _word_change(ctx, first - 1):
        return None  # punctuation inside a rewritten passage belongs to it
    last = first
    while ctx.contiguous(last) and _neutral_step(ctx, last + 1):
        last += 1
    if ctx.contiguous(last) and _word_change(ctx, last + 1):
        return None
    w = ctx.window(first, last, 0, 0)
    steps = range(first, last + 1)
    a_marks = "".join(ctx.step_tokens(k)[0] for k in steps if ctx.ops[k] is Op.DELETE)
    b_marks = "".join(ctx.step_tokens(k)[1] for k in steps if ctx.ops[k] is Op.INSERT)
    summary = "punctuation"
    if any(ctx.ops[k] is Op.VARIANT for k in steps):
        summary = "punctuation and spacing"
    variant = StyleVariant(Category.PUNCTUATION, a_marks, b_marks)
    return Found(w, Explanation(summary, a_marks, b_marks), (variant,))


# -------------------------------------------------------------------- typography


def _has_word(text: PreparedText, lo: int, hi: int) -> bool:
    """Any token with a letter or digit ("_" typed for a dash is none)?"""
    return any(_word_token(t) for t in text.tokens[lo:hi])


def _span_text(text: PreparedText, lo: int, hi: int) -> str:
    """The text of tokens ``lo..hi`` (from the first token's start: no leading space)."""
    return text.text[text.starts[lo] : text.ends[hi - 1]] if hi > lo else ""


# _letters by token, remembered (a plain dict: an lru_cache call costs about three times
# its lookup). Emptied when full: a cache, not a record.
_LETTERS: dict[str, str] = {}
_LETTERS_LIMIT = 1 << 16


def _letters(token: str) -> str:
    """Letters and digits of a token; a modifier letter (ʼ typed as an apostrophe) is none."""
    found = _LETTERS.get(token)
    if found is None:
        if len(_LETTERS) >= _LETTERS_LIMIT:
            _LETTERS.clear()
        found = _LETTERS[token] = "".join(ch for ch in token if ch.isalnum() and unicodedata.category(ch) != "Lm")
    return found


def _same_letters(ctx: Context, w: Window) -> bool:
    """Do both sides hold the same letters and digits, in order? (No typographic
    fold changes a letter, so this quick test turns most windows down.)"""
    a_letters = "".join(map(_letters, ctx.a.tokens[w.a_lo : w.a_hi]))
    b_letters = "".join(map(_letters, ctx.b.tokens[w.b_lo : w.b_hi]))
    return a_letters == b_letters


def _typographic(ctx: Context, w: Window) -> Typographic | None:
    if not _same_letters(ctx, w):
        return None
    if w.a_lo == w.a_hi and _has_word(ctx.b, w.b_lo, w.b_hi):
        return None  # words added: no fold makes them typography (the common case in a new passage)
    if w.b_lo == w.b_hi and _has_word(ctx.a, w.a_lo, w.a_hi):
        return None
    a_text, b_text = _span_text(ctx.a, w.a_lo, w.a_hi), _span_text(ctx.b, w.b_lo, w.b_hi)
    return typographic_difference(a_text, b_text, ctx.lex)


def _rewrite_next_to(ctx: Context, w: Window) -> bool:
    """Is a one-sided window glued to an added or dropped word? Then its marks
    belong to that rewritten passage (a quotation dropped with its quote marks)."""
    # Spacing-only steps (the same token after other whitespace) take no side.
    ops = {ctx.ops[k] for k in range(w.first, w.last + 1) if ctx.a_token[k] != ctx.b_token[k]}
    if ops != {Op.DELETE} and ops != {Op.INSERT}:
        return False  # changes on both sides: the fold compares them as they are
    return _glued_word_change(ctx, w.first, -1) or _glued_word_change(ctx, w.last, 1)


def _glued_word_change(ctx: Context, step: int, direction: int) -> bool:
    """Is a word added or dropped right next to ``step``, perhaps across other
    added or dropped marks ("war." before a dropped closing quote)?"""
    while True:
        neighbour = step + direction
        joined = ctx.contiguous(step) if direction > 0 else neighbour >= 0 and ctx.contiguous(neighbour)
        if not joined or ctx.ops[neighbour] is Op.VARIANT:
            return False
        if _word_change(ctx, neighbour) or any(map(_word_token, ctx.step_tokens(neighbour))):
            return True
        step = neighbour


def _one_token(ctx: Context, w: Window) -> bool:
    """One changed token each side that :func:`token_variant` explains: a token rule's case."""
    return w.first == w.last and ctx.ops[w.first] is Op.VARIANT and ctx.variant_of(w.first) is not None


def _one_sided_marks(ctx: Context, w: Window) -> bool:
    """Are all the window's changes added (or dropped) quotation marks (and the
    spacing next to them)?"""
    steps = [k for k in range(w.first, w.last + 1) if ctx.a_token[k] != ctx.b_token[k]]
    return len({ctx.ops[k] for k in steps}) == 1 and all(
        ctx.ops[k] is not Op.VARIANT and (ctx.a_token[k] or ctx.b_token[k]) in ctx.lex.quote_marks for k in steps
    )


# The same walk by one C loop where the core runs compiled (units.c): an ASCII token's
# letters read in place, no string grown per step. The typography rule asks it at every
# change step (some 5,000 instructions a walk the sources' way, compiled).
_LETTER_BALANCED_ENDS = native_function("_units", "letter_balanced_ends")


def _letter_balanced_ends(ctx: Context, first: int) -> set[int]:
    """Last steps of the runs from ``first`` whose changed tokens hold the same
    letters on both sides: the only places a typographic window can end."""
    if _LETTER_BALANCED_ENDS is not None:
        found: set[int] = _LETTER_BALANCED_ENDS(
            ctx.a_token, ctx.b_token, ctx.eq_after, ctx.linked, first, TYPO_CHANGES, SCARE_QUOTE_TOKENS, _letters
        )
        return found
    return letter_balanced_ends_in_python(ctx, first)


def letter_balanced_ends_in_python(ctx: Context, first: int) -> set[int]:
    """:func:`_letter_balanced_ends` as Python: the definition the C loop follows."""
    ends: set[int] = set()
    a_letters, b_letters = "", ""
    last, shared = first, 0
    while True:
        a_letters += _letters(ctx.a_token[last])
        b_letters += _letters(ctx.b_token[last])
        if a_letters == b_letters:
            ends.add(last)
        shared += ctx.eq_after[last]
        if last - first + 1 >= TYPO_CHANGES or shared > SCARE_QUOTE_TOKENS:
            return ends
        if not (last + 1 < len(ctx) and ctx.linked[last]):
            return ends
        last += 1


def typography(ctx: Context, first: int, room: int) -> Found | None:
    """Passages equal but for typography: quotes, dashes, spacing, compounds, elisions.

    Quote marks are paired over the whole quotation: a mark added before shared
    words and one after them are one ``scare_quotes`` edit, and a lone mark next to
    a changed one (‘‘ / “) joins it, rather than standing as a deletion.
    """
    ends = _letter_balanced_ends(ctx, first)
    if not ends or (ends == {first} and ctx.ops[first] is Op.VARIANT and ctx.variant_of(first) is not None):
        return None  # nothing can balance, or one token a token rule explains
    best: tuple[Window, Typographic] | None = None
    # A token of context each side lets a mark the aligner matched elsewhere join
    # in ("-" + "Russia's" / "--" + "Russia ’s"); smaller windows come first.
    for w in ctx.windows(first, room, changes=max(ends) - first + 1, left=1, right=1):
        if w.last not in ends:
            continue
        # Over shared words only a quotation's two added (or dropped) marks, or a
        # run of marks, make one edit; scare quotes hold a few words.
        shared = sum(ctx.eq_after[k] for k in range(w.first, w.last))
        marks_only = shared > 0 and not _has_word(ctx.a, w.a_lo, w.a_hi) and not _has_word(ctx.b, w.b_lo, w.b_hi)
        if shared > SCARE_QUOTE_TOKENS or (shared and not marks_only and not _one_sided_marks(ctx, w)):
            continue
        if _one_token(ctx, w) or _rewrite_next_to(ctx, w) or "\n" in _span_text(ctx.a, w.a_lo, w.a_hi):
            continue
        found = _typographic(ctx, w)
        if found is None:
            continue
        if shared and found.category is not Category.SCARE_QUOTES and not marks_only:
            continue
        if found.rule != UNPAIRED:
            best = (w, found)
            break
        best = best or (w, found)  # a lone mark: look on for its partner first
    if best is None:
        return None
    w, found = best
    while ctx.contiguous(w.last):  # take in the changes glued to it (the second ‘ of ‘‘)
        bigger = ctx.window(w.first, w.last + 1, w.left, 0)  # no right context: the next step follows at once
        grown = None if _rewrite_next_to(ctx, bigger) else _typographic(ctx, bigger)
        if grown is None or (grown.rule == UNPAIRED and found.rule != UNPAIRED):
            break  # a lone quote mark next to it may open a quotation: leave it to pair
        w, found = bigger, grown
    a_text, b_text = _span_text(ctx.a, w.a_lo, w.a_hi), _span_text(ctx.b, w.b_lo, w.b_hi)
    variant = StyleVariant(found.category, a_text, b_text)
    return Found(w, Explanation(found.summary, a_text, b_text), (variant,), (), found.category, found.rule)


RULES: tuple[Rule, ...] = (
    Rule("dateline.pattern", Category.DATELINE, _boilerplate_rule("dateline", "wire dateline")),
    Rule("wire_credit.pattern", Category.WIRE_CREDIT, _boilerplate_rule("wire_credit", "wire credit")),
    Rule("byline.pattern", Category.BYLINE, _boilerplate_rule("byline", "byline")),
    Rule("title_style.title_before_name", Category.TITLE_STYLE, title_apposition),
    Rule("attribution_order.speaker_verb", Category.ATTRIBUTION_ORDER, attribution_order, ONE_SIDED),
    Rule("date_format.equivalent_date", Category.DATE_FORMAT, date_format),
    Rule("number_format.equivalent_number", Category.NUMBER_FORMAT, number_format),
    Rule("abbreviation.honorific_full_stop", Category.ABBREVIATION, honorific_period, ONE_SIDED),
    Rule("abbreviation.expansion", Category.ABBREVIATION, abbreviation_expansion, VARIANT_ONLY),
    Rule(TYPOGRAPHY_RULE, Category.TYPOGRAPHY, typography),
    *(Rule(rule_id, category, _token_rule(rule_id), VARIANT_ONLY) for rule_id, category in TOKEN_RULES),
    Rule("spelling.known_variant_pair", Category.SPELLING, known_variant_pair, ONE_SIDED),
    Rule("punctuation.neutral", Category.PUNCTUATION, neutral_punctuation, ONE_SIDED),
)
"""The ordered rule table: the first rule that explains a change wins."""

_TOKEN_RULE_IDS = frozenset(rule_id for rule_id, _ in TOKEN_RULES)


def _worth_asking(rule: Rule, op: Op, boilerplate: bool, whole: bool, quote: bool) -> bool:
    if op not in rule.starts_on:
        return False
    if KIND_OF[rule.category] is Kind.BOILERPLATE:
        return boilerplate
    if rule.id == TYPOGRAPHY_RULE:  # a sentence of its own may differ in typography only
        return True
    if quote:  # no phrase rule reads quotation marks
        return rule.id in _TOKEN_RULE_IDS
    # In a sentence the other text has nothing like, only boilerplate (a credit
    # line, a dateline) can be told apart from plain added or dropped text.
    return not whole


_RULES_FOR: dict[tuple[Op, bool, bool, bool], tuple[Rule, ...]] = {
    (op, boilerplate, whole, quote): tuple(
        rule for rule in RULES if _worth_asking(rule, op, boilerplate, whole, quote)
    )
    for op in Op
    for boilerplate in (False, True)
    for whole in (False, True)
    for quote in (False, True)
}
"""The rules worth asking, by (kind of step, boilerplate tokens?, unmatched
sentence?, a quotation mark changed?). Skipping the others changes no outcome:
their quick tests would turn the step down anyway."""


def _match(ctx: Context, first: int, room: int) -> tuple[list[Classified], Window] | None:
    """Edits from the first rule that explains a window starting at ``first``."""
    quote = ctx.a_token[first] in ctx.lex.quote_marks and ctx.b_token[first] in ctx.lex.quote_marks
    for rule in _RULES_FOR[(ctx.ops[first], bool(ctx.boilerplate[first]), ctx.whole[first], quote)]:
        found = rule.apply(ctx, first, room)
        if found is None:
            continue
        w = found.window
        if not found.parts:
            category, rule_id = found.category or rule.category, found.rule or rule.id
            edit = Classified(category, rule_id, found.explanation, w.a_lo, w.a_hi, w.b_lo, w.b_hi, found.variants)
            return [edit], w
        edits = []
        for part in found.parts:
            p = ctx.window(part.first, part.last, 0, 0)
            edits.append(
                Classified(part.category, part.rule, part.explanation, p.a_lo, p.a_hi, p.b_lo, p.b_hi, part.variants)
            )
        return edits, w
    return None


def _substantive(ctx: Context, first: int) -> tuple[Classified, int]:
    """A substantive edit from ``first`` over contiguous changes no rule explains."""
    last = first
    while ctx.contiguous(last):
        following = last + 1
        plain = ctx.whole[following] and not ctx.boilerplate[following]
        if not plain and _match(ctx, following, 0) is not None:
            break  # a rule explains what follows: the substantive edit ends here
        last = following
    w = ctx.window(first, last, 0, 0)
    typographic = _typographic(ctx, w) if last - first >= TYPO_CHANGES else None
    if typographic is not None:  # a longer passage re-typed (a short sentence the aligner could not match)
        explanation = Explanation(typographic.summary, _span_text(ctx.a, w.a_lo, w.a_hi), _span_text(ctx.b, w.b_lo, w.b_hi))
        variant = StyleVariant(typographic.category, explanation.a_detail, explanation.b_detail)
        return Classified(typographic.category, typographic.rule, explanation, w.a_lo, w.a_hi, w.b_lo, w.b_hi, (variant,)), last
    category = _substantive_category({ctx.ops[s] for s in range(first, last + 1)})
    rule = f"{VALUES[category]}.{UNEXPLAINED}"
    edit = Classified(category, rule, Explanation(""), w.a_lo, w.a_hi, w.b_lo, w.b_hi)
    return _never_substantive(edit, ctx.a, ctx.b), last


def _never_substantive(edit: Classified, a: PreparedText, b: PreparedText) -> Classified:
    """A change of punctuation, spacing or case alone is style, whatever no rule said.

    (":" / "/" in a photo credit, "?" added, the same words split differently
    into sentences.) Anything with a changed word stays as it is.
    """
    a_tokens, b_tokens = a.tokens[edit.a_lo : edit.a_hi], b.tokens[edit.b_lo : edit.b_hi]
    forms = (" ".join(a_tokens), " ".join(b_tokens))
    if a_tokens == b_tokens:
        category, rule, summary = Category.PUNCTUATION, "punctuation.whitespace", "spacing or line break"
    elif tuple(t.casefold() for t in a_tokens) == tuple(t.casefold() for t in b_tokens):
        category, rule, summary = Category.CAPITALISATION, "capitalisation.case", "capital letters"
    elif not _has_word(a, edit.a_lo, edit.a_hi) and not _has_word(b, edit.b_lo, edit.b_hi):
        category, rule, summary = Category.PUNCTUATION, "punctuation.marks", "punctuation"
        forms = ("".join(a_tokens), "".join(b_tokens))
    else:
        return edit
    variant = StyleVariant(category, *forms)
    explanation = Explanation(summary, *forms) if category is not Category.PUNCTUATION or forms[0] != forms[1] else Explanation(summary)
    return Classified(category, rule, explanation, edit.a_lo, edit.a_hi, edit.b_lo, edit.b_hi, (variant,))


def classify_steps(ctx: Context) -> list[Classified]:
    """Cover every change step with exactly one edit, left to right."""
    out: list[Classified] = []
    step = 0
    used_right = 0  # identical tokens the previous edit took after its last change
    while step < len(ctx):
        room = ctx.eq_before[step] - (used_right if step > 0 and ctx.linked[step - 1] else 0)
        matched = _match(ctx, step, max(room, 0))
        if matched is not None:
            edits, window = matched
            out += edits
            last, used_right = window.last, window.right
        else:
            edit, last = _substantive(ctx, step)
            out.append(edit)
            used_right = 0
        step = last + 1
    return out


def _word_keys(text: PreparedText, lo: int, hi: int) -> tuple[str, ...]:
    return tuple(text.keys[i] for i in range(lo, hi) if text.is_word[i])


def pair_moved_phrases(edits: list[Classified], a: PreparedText, b: PreparedText) -> list[Classified]:
    """A deletion and an insertion of the same words (2+) become one reorder edit."""
    insertions = [
        (k, _word_keys(b, e.b_lo, e.b_hi)) for k, e in enumerate(edits) if e.category is Category.INSERTION
    ]
    merged: dict[int, Classified] = {}
    dropped: set[int] = set()
    for k, edit in enumerate(edits):
        if edit.category is not Category.DELETION:
            continue
        keys = _word_keys(a, edit.a_lo, edit.a_hi)
        if len(keys) < MIN_MOVED_WORDS:
            continue
        for i, (j, inserted) in enumerate(insertions):
            if inserted == keys and j not in dropped:
                other = edits[j]
                words = len(keys)
                merged[k] = Classified(
                    Category.REORDER,
                    "reorder.phrase",
                    Explanation(f"{words} words moved"),
                    edit.a_lo,
                    edit.a_hi,
                    other.b_lo,
                    other.b_hi,
                )
                dropped.add(j)
                del insertions[i]
                break
    return [merged.get(k, e) for k, e in enumerate(edits) if k not in dropped]


def moved_passages(alignment: Alignment, a: PreparedText) -> list[Classified]:
    """One reorder edit per passage the aligner found in another place."""
    out: list[Classified] = []
    for move in alignment.moves:
        sentences = sum(1 for lo, _ in a.sentences if move.a_lo <= lo < move.a_hi)
        summary = f"{sentences} sentence{'s' if sentences != 1 else ''} moved"
        if move.changed_tokens:
            summary += f" ({move.changed_tokens} tokens differ inside)"
        out.append(
            Classified(
                Category.REORDER, "reorder.passage", Explanation(summary), move.a_lo, move.a_hi, move.b_lo, move.b_hi
            )
        )
    return out


# ------------------------------------------------------- typographic clusters

CLUSTER_GAP = 2  # identical tokens allowed between two edits of one cluster


def _clusters(edits: list[Classified]) -> list[list[int]]:
    """Runs of edits (indices) with at most CLUSTER_GAP identical tokens between."""
    runs: list[list[int]] = []
    for k, edit in enumerate(edits):
        if runs:
            prev = edits[runs[-1][-1]]
            gap_a, gap_b = edit.a_lo - prev.a_hi, edit.b_lo - prev.b_hi
            if 0 <= gap_a <= CLUSTER_GAP and gap_a == gap_b:
                runs[-1].append(k)
                continue
        runs.append([k])
    return runs


def merge_typographic(edits: list[Classified], a: PreparedText, b: PreparedText, lex: Lexicon) -> list[Classified]:
    """A cluster of edits holding a substantive one that is, taken whole, typography
    only becomes one style edit.

    The aligner may match a repeated word to the wrong copy ("Russia's Russia ’s"),
    cutting one re-typed passage into pieces no rule explains one by one.
    """
    out: list[Classified] = []
    for run in _clusters(edits):
        parts = [edits[k] for k in run]
        if not any(KIND_OF[p.category] is Kind.SUBSTANTIVE and p.category is not Category.REORDER for p in parts):
            out += parts
            continue
        a_lo, a_hi = parts[0].a_lo, max(p.a_hi for p in parts)
        b_lo, b_hi = parts[0].b_lo, max(p.b_hi for p in parts)
        same = len(parts) > 1 and "".join(map(_letters, a.tokens[a_lo:a_hi])) == "".join(map(_letters, b.tokens[b_lo:b_hi]))
        a_text, b_text = _span_text(a, a_lo, a_hi), _span_text(b, b_lo, b_hi)
        found = typographic_difference(a_text, b_text, lex) if same else None
        if found is None:
            out += parts
            continue
        variant = StyleVariant(found.category, a_text, b_text)
        out.append(Classified(found.category, found.rule, Explanation(found.summary, a_text, b_text), a_lo, a_hi, b_lo, b_hi, (variant,)))
    return out


# ------------------------------------------------------------------- sub-edits

MAX_SUB_EDIT_SPAN = 40  # tokens a side; longer edits are rewritten passages, not phrases

# Token changes a phrase category already stands for: a restyled title changes
# capitals, a date's month may be abbreviated. They are not reported again inside.
IMPLIED: dict[Category, frozenset[Category]] = {
    Category.TITLE_STYLE: frozenset({Category.CAPITALISATION, Category.PUNCTUATION}),
    Category.DATE_FORMAT: frozenset({Category.ABBREVIATION, Category.NUMBER_FORMAT, Category.PUNCTUATION}),
    Category.NUMBER_FORMAT: frozenset({Category.ABBREVIATION, Category.PUNCTUATION}),
}


def _paired_tokens(a: PreparedText, b: PreparedText, edit: Classified) -> Iterator[tuple[int, int]]:
    """A and B token indices of the edit that share an alignment key, in order."""
    a_keys, b_keys = a.keys[edit.a_lo : edit.a_hi], b.keys[edit.b_lo : edit.b_hi]
    for block_a, block_b, size in matching_blocks(a_keys, b_keys):
        for k in range(size):
            yield edit.a_lo + block_a + k, edit.b_lo + block_b + k


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """``difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()``,
    the same blocks (its final ``(len(a), len(b), 0)`` included), as plain tuples.

    difflib's own steps, compiled: the longest match of a range (the earliest in A,
    then in B, among the longest), the ranges either side of it in turn, the blocks
    sorted and the adjacent ones joined. With no junk the longest match never grows
    at its ends, so difflib's four extension loops have nothing to do. A sub-edit
    spans a few tokens: difflib's object, its dicts and its queue were most of the work.
    """
    positions: dict[str, list[int]] = {}
    for j, key in enumerate(b):
        positions.setdefault(key, []).append(j)
    found: list[tuple[int, int, int]] = []
    queue = [(0, len(a), 0, len(b))]
    while queue:
        a_lo, a_hi, b_lo, b_hi = queue.pop()
        i, j, k = _longest_match(a, positions, a_lo, a_hi, b_lo, b_hi)
        if k:
            found.append((i, j, k))
            if a_lo < i and b_lo < j:
                queue.append((a_lo, i, b_lo, j))
            if i + k < a_hi and j + k < b_hi:
                queue.append((i + k, a_hi, j + k, b_hi))
    found.sort()
    blocks: list[tuple[int, int, int]] = []
    i1 = j1 = k1 = 0
    for i2, j2, k2 in found:
        if i1 + k1 == i2 and j1 + k1 == j2:
            k1 += k2
        else:
            if k1:
                blocks.append((i1, j1, k1))
            i1, j1, k1 = i2, j2, k2
    if k1:
        blocks.append((i1, j1, k1))
    blocks.append((len(a), len(b), 0))
    return blocks


_NOWHERE: list[int] = []  # the positions of a key B does not hold (never added to)


def _longest_match(
    a: Sequence[str], positions: dict[str, list[int]], a_lo: int, a_hi: int, b_lo: int, b_hi: int
) -> tuple[int, int, int]:
    """difflib's ``find_longest_match`` with no junk: (i, j, size) of the longest
    common run of ``a[a_lo:a_hi]`` and B's range (``positions``: where each key is in B)."""
    best_i, best_j, best_size = a_lo, b_lo, 0
    run_at: dict[int, int] = {}  # length of the common run ending at j of B, for the previous i
    for i in range(a_lo, a_hi):
        runs: dict[int, int] = {}
        for j in positions.get(a[i], _NOWHERE):
            if j < b_lo:
                continue
            if j >= b_hi:
                break
            k = runs[j] = run_at.get(j - 1, 0) + 1
            if k > best_size:
                best_i, best_j, best_size = i - k + 1, j - k + 1, k
        run_at = runs
    return best_i, best_j, best_size


def sub_edits(
    edit: Classified, a: PreparedText, b: PreparedText, lex: Lexicon, book: Mapping[str, str]
) -> tuple[Classified, ...]:
    """Recognised token changes inside an edit of several tokens (U.S. / US in a
    restyled title, Zelenskiy / Zelenskyy in one), each a style edit of its own."""
    if edit.category in (Category.REORDER,) or KIND_OF[edit.category] is Kind.BOILERPLATE:
        return ()
    if edit.a_hi - edit.a_lo < 2 and edit.b_hi - edit.b_lo < 2:
        return ()  # one token: the edit is the change
    if edit.a_hi == edit.a_lo or edit.b_hi == edit.b_lo:
        return ()  # one side only: nothing to pair
    if max(edit.a_hi - edit.a_lo, edit.b_hi - edit.b_lo) > MAX_SUB_EDIT_SPAN:
        return ()  # a rewritten passage: its few same-key tokens are not worth a sequence match
    skip = IMPLIED.get(edit.category, frozenset()) | {edit.category}
    out: list[Classified] = []
    for i, j in _paired_tokens(a, b, edit):
        a_token, b_token = a.tokens[i], b.tokens[j]
        if a_token == b_token:
            continue
        found = token_variant(lex, book, a_token, b_token)
        if found is None or found[0] in skip:
            continue
        category, rule, summary = found
        out.append(Classified(category, rule, Explanation(summary, a_token, b_token), i, i + 1, j, j + 1))
    return tuple(out)


def _with_subs(edit: Classified, a: PreparedText, b: PreparedText, lex: Lexicon, book: Mapping[str, str]) -> Classified:
    subs = sub_edits(edit, a, b, lex, book)
    if not subs:
        return edit
    return Classified(
        edit.category, edit.rule, edit.explanation, edit.a_lo, edit.a_hi, edit.b_lo, edit.b_hi, edit.variants, subs
    )


def classify(
    a: PreparedText, b: PreparedText, alignment: Alignment, lex: Lexicon, book: Mapping[str, str]
) -> list[Classified]:
    """All edits of one alignment, in A order (moved passages included), each
    with the recognised changes inside it as sub-edits."""
    ctx = Context(a, b, alignment.runs, lex, book)
    edits = pair_moved_phrases(merge_typographic(classify_steps(ctx), a, b, lex), a, b)
    edits = [_with_subs(e, a, b, lex, book) for e in edits]
    edits += moved_passages(alignment, a)
    return sorted(edits, key=lambda e: (e.a_lo, e.a_hi, e.b_lo, e.b_hi))


def iter_rules() -> Iterator[tuple[str, str]]:
    """(rule id, category) of the rule table, for documentation and reports."""
    for rule in RULES:
        yield rule.id, rule.category.value

