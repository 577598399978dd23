"""Alignment of two prepared texts: sentences first, then words inside sentences.

1. **Sentences.** Every sentence pair gets a similarity (rapidfuzz's normalised
   Indel similarity over word keys, i.e. 2·LCS / (|a| + |b|)). Candidate links
   are pairs at or above ``sentence_threshold`` plus two-to-one and one-to-two
   groups (a sentence split or two merged) whose parts each reach
   ``merge_threshold``. The kept links are the monotone chain with the most
   aligned words (a weighted longest chain over the candidates).
2. **Moves.** Sentences left out of the chain on both sides that still match at
   ``move_threshold`` or more are paired as moves; consecutive moved sentences
   form one moved passage. Their tokens leave the main path: the classifier
   turns each passage into a single ``reorder`` edit.
3. **Words.** Inside each linked group, tokens are aligned by longest common
   subsequence of their keys (rapidfuzz ``Indel.opcodes``). Aligned tokens whose
   units (whitespace + token) are identical are EQUAL; same key but different
   text or spacing is a VARIANT. Unlinked sentences become DELETE / INSERT runs.

The result is a *path*: runs in reading order whose EQUAL units, read in order,
are the same in A and B. Everything outside them becomes an edit.
"""

from __future__ import annotations

from heapq import heappop, heappush  # by name: compiled, heapq.x is a module attribute look-up
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, cast

from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from harness.wirediff.compiled import native_function
from harness.wirediff.frozen import Frozen
from harness.wirediff.prepare import PreparedText


class Op(IntEnum):
    EQUAL = 0
    VARIANT = 1
    DELETE = 2
    INSERT = 3
    MOVED_A = 4  # a moved passage left A here (a range; empty b range)
    MOVED_B = 5  # a moved passage arrives in B here (b range; empty a range)


@dataclass(frozen=True, slots=True)
class Run(Frozen):
    """Tokens ``a_lo..a_hi`` of A against ``b_lo..b_hi`` of B under one operation."""

    op: Op
    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    whole: bool = False  # whole sentences that no sentence of the other text matched

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(self, op: Op, a_lo: int, a_hi: int, b_lo: int, b_hi: int, whole: bool = False) -> None:
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "a_lo", a_lo)
        object.__setattr__(self, "a_hi", a_hi)
        object.__setattr__(self, "b_lo", b_lo)
        object.__setattr__(self, "b_hi", b_hi)
        object.__setattr__(self, "whole", whole)


@dataclass(frozen=True, slots=True)
class Move(Frozen):
    """A passage (whole sentences) that stands elsewhere in B than in A."""

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    similarity: float
    aligned_a_words: int
    aligned_b_words: int
    changed_tokens: int  # tokens of A and B inside the passage not aligned verbatim


@dataclass(frozen=True, slots=True)
class Link(Frozen):
    """Sentences ``a_lo..a_hi`` of A aligned with sentences ``b_lo..b_hi`` of B.

    Every sentence pair above threshold becomes a candidate link: its ``__init__``
    is written out (see Frozen).
    """

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    similarity: float

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(self, a_lo: int, a_hi: int, b_lo: int, b_hi: int, similarity: float) -> None:
        object.__setattr__(self, "a_lo", a_lo)
        object.__setattr__(self, "a_hi", a_hi)
        object.__setattr__(self, "b_lo", b_lo)
        object.__setattr__(self, "b_hi", b_hi)
        object.__setattr__(self, "similarity", similarity)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignSettings(Frozen):
    """Thresholds on sentence similarity (0..1, normalised Indel similarity)."""

    sentence_threshold: float = 0.4
    merge_threshold: float = 0.3
    move_threshold: float = 0.6


DEFAULT_ALIGN = AlignSettings()  # frozen: one object for every call given no settings


@dataclass(frozen=True, slots=True)
class Alignment(Frozen):
    runs: tuple[Run, ...]
    moves: tuple[Move, ...]
    links: tuple[Link, ...]
    aligned_a_words: int
    aligned_b_words: int

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        runs: tuple[Run, ...],
        moves: tuple[Move, ...],
        links: tuple[Link, ...],
        aligned_a_words: int,
        aligned_b_words: int,
    ) -> None:
        object.__setattr__(self, "runs", runs)
        object.__setattr__(self, "moves", moves)
        object.__setattr__(self, "links", links)
        object.__setattr__(self, "aligned_a_words", aligned_a_words)
        object.__setattr__(self, "aligned_b_words", aligned_b_words)


def _candidate_links(qa: Sequence[tuple[str, ...]], qb: Sequence[tuple[str, ...]], settings: AlignSettings) -> list[Link]:
    """1-1 links above threshold, plus 2-1 and 1-2 groups for split sentences.

    Sentences whose keys are identical in A and B (most of them, in restyled wire
    copy: the keys fold house style away) link at similarity 1 without scoring;
    only the others are scored against each other.
    """
    in_b: dict[tuple[str, ...], list[int]] = {}
    for j, keys in enumerate(qb):
        in_b.setdefault(tuple(keys), []).append(j)
    links = [Link(i, i + 1, j, j + 1, 1.0) for i, keys in enumerate(qa) for j in in_b.get(tuple(keys), ())]
    exact_a = {link.a_lo for link in links}
    exact_b = {link.b_lo for link in links}
    rows = [i for i in range(len(qa)) if i not in exact_a]
    cols = [j for j in range(len(qb)) if j not in exact_b]
    if not rows or not cols:
        return links
    # The scores as lists of floats, walked row by row (the order numpy's nonzero
    # gives): the matrices are small, a few sentences a side, and an array operation
    # costs more to set up than such a loop.
    sim = _scores([qa[i] for i in rows], [qb[j] for j in cols])
    width = len(cols)
    for r, row in enumerate(sim):
        for c in range(width):
            if row[c] >= settings.sentence_threshold:
                links.append(Link(rows[r], rows[r] + 1, cols[c], cols[c] + 1, row[c]))
    partial = [[score >= settings.merge_threshold for score in row] for row in sim]
    for r in range(len(rows) - 1):
        for c in range(width):
            if not (partial[r][c] and partial[r + 1][c]):
                continue
            i, j = rows[r], cols[c]
            if rows[r + 1] == i + 1:  # two neighbouring A sentences against one of B
                score = Indel.normalized_similarity(qa[i] + qa[i + 1], qb[j])
                if score >= settings.sentence_threshold:
                    links.append(Link(i, i + 2, j, j + 1, float(score)))
    for r in range(len(rows)):
        for c in range(width - 1):
            if not (partial[r][c] and partial[r][c + 1]):
                continue
            i, j = rows[r], cols[c]
            if cols[c + 1] == j + 1:
                score = Indel.normalized_similarity(qa[i], qb[j] + qb[j + 1])
                if score >= settings.sentence_threshold:
                    links.append(Link(i, i + 1, j, j + 2, float(score)))
    return links


def _scores(qa: Sequence[tuple[str, ...]], qb: Sequence[tuple[str, ...]]) -> list[list[float]]:
    """Normalised Indel similarity of every sentence pair (rows A, columns B)."""
    # numpy here, not at the top: compiled, alignment runs in C (units.c), and a diff
    # worker or `harness diff` that never reaches this line starts without numpy (~60 ms).
    import numpy as np

    scores: list[list[float]] = np.asarray(cdist(qa, qb, scorer=Indel.normalized_similarity, dtype=np.float64)).tolist()
    return scores


def _link_weight(link: Link, a_before: Sequence[int], b_before: Sequence[int]) -> float:
    """About twice the words the link aligns: similarity × total length.

    ``a_before[i]``: the lengths of A's sentences before sentence ``i`` summed
    (:func:`_lengths_before`), so a link's length is two differences, not a ``sum``
    over slices (compiled, ``sum`` is looked up on the builtins at every call).
    """
    length = a_before[link.a_hi] - a_before[link.a_lo] + b_before[link.b_hi] - b_before[link.b_lo]
    return link.similarity * max(length, 1)


def _lengths_before(sentences: Sequence[tuple[str, ...]]) -> list[int]:
    """The lengths of ``sentences`` summed before each of them, and in all (len + 1 sums)."""
    total = 0
    sums = [0]
    for sentence in sentences:
        total += len(sentence)
        sums.append(total)
    return sums


class _PrefixMax:
    """Fenwick tree of (score, order) maxima over positions 0..size-1.

    Pairs compare as tuples would (score first, then order), kept in two lists of
    plain numbers: no tuple is built or compared per step. (0.0, 0) stands for
    "no link" (orders are -(link + 1)).
    """

    def __init__(self, size: int) -> None:
        self._scores: list[float] = [0.0] * (size + 1)
        self._orders: list[int] = [0] * (size + 1)

    def update(self, position: int, score: float, order: int) -> None:
        scores, orders = self._scores, self._orders
        index = position + 1
        while index < len(scores):
            if score > scores[index] or (score == scores[index] and order > orders[index]):
                scores[index], orders[index] = score, order
            index += index & -index

    def query(self, position: int) -> tuple[float, int]:
        """Best (score, order) at positions 0..position."""
        scores, orders = self._scores, self._orders
        best_score, best_order = 0.0, 0
        index = position + 1
        while index > 0:
            score, order = scores[index], orders[index]
            if score > best_score or (score == best_score and order > best_order):
                best_score, best_order = score, order
            index -= index & -index
        return best_score, best_order


def _already_monotone(links: Sequence[Link]) -> bool:
    """Do the links, in A order, never overlap or cross? (Then all of them are the chain.)"""
    ordered = sorted(links, key=lambda link: (link.a_lo, link.b_lo))
    return all(
        ordered[k].a_hi <= ordered[k + 1].a_lo and ordered[k].b_hi <= ordered[k + 1].b_lo
        for k in range(len(ordered) - 1)
    )


def best_chain(links: Sequence[Link], weights: Sequence[float], b_count: int) -> list[Link]:
    """The heaviest chain of links increasing in both A and B (no overlaps).

    Links are taken in order of their first A sentence; a link may follow any link
    that ends before it in both texts. A Fenwick tree over B end positions keeps
    this O(k log k). Ties go to the link listed first, so the result is stable.
    """
    if _already_monotone(links):  # every weight is positive: take them all
        return sorted(links, key=lambda link: (link.a_lo, link.b_lo))
    order = sorted(range(len(links)), key=lambda k: (links[k].a_lo, links[k].b_lo, links[k].a_hi))
    best: dict[int, float] = {}
    back: dict[int, int] = {}
    ready: list[tuple[int, int]] = []  # (a_hi, link) waiting to enter the tree
    tree = _PrefixMax(b_count + 1)
    for k in order:
        link = links[k]
        while ready and ready[0][0] <= link.a_lo:
            _, done = heappop(ready)
            # Negated ids: among equal scores the link listed first wins.
            tree.update(links[done].b_hi, best[done], -done - 1)
        score, previous = tree.query(link.b_lo)
        best[k] = score + weights[k]
        back[k] = -previous - 1
        heappush(ready, (link.a_hi, k))
    if not best:
        return []
    # The highest score, the link listed first among equal ones: max(best, key=(score, -k)).
    last, top = -1, 0.0
    for k, score in best.items():
        if last == -1 or score > top or (score == top and k < last):
            last, top = k, score
    chain: list[Link] = []
    while last != -1:
        chain.append(links[last])
        last = back[last]
    chain.reverse()
    return chain


def _pair_moves(
    qa: Sequence[tuple[str, ...]], qb: Sequence[tuple[str, ...]], chain: list[Link], threshold: float
) -> list[tuple[int, int, float]]:
    """Unlinked sentence pairs that still match well: moved sentences."""
    linked_a = {i for link in chain for i in range(link.a_lo, link.a_hi)}
    linked_b = {j for link in chain for j in range(link.b_lo, link.b_hi)}
    free_a = [i for i in range(len(qa)) if i not in linked_a]
    free_b = [j for j in range(len(qb)) if j not in linked_b]
    if not free_a or not free_b:
        return []
    sim = _scores([qa[i] for i in free_a], [qb[j] for j in free_b])
    candidates = sorted(
        (
            (score, free_a[r], free_b[c])
            for r, row in enumerate(sim)
            for c, score in enumerate(row)
            if score >= threshold
        ),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for score, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j, score))
    return sorted(pairs)


def _group_moves(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, int, int, float]]:
    """Consecutive moved sentences (in both texts) form one passage (lowest score kept)."""
    groups: list[tuple[int, int, int, int, float]] = []
    for i, j, score in pairs:
        if groups and groups[-1][1] == i and groups[-1][3] == j:
            a_lo, _, b_lo, _, low = groups[-1]
            groups[-1] = (a_lo, i + 1, b_lo, j + 1, min(low, score))
        else:
            groups.append((i, i + 1, j, j + 1, score))
    return groups


class _PathBuilder:
    """Accumulates runs, merging neighbours of the same operation."""

    def __init__(self, a: PreparedText, b: PreparedText) -> None:
        self.a = a
        self.b = b
        # Runs as mutable lists [op, a_lo, a_hi, b_lo, b_hi, whole] while building:
        # merging neighbours then only moves an end.
        self._runs: list[list[Any]] = []
        self.aligned_a_words = 0
        self.aligned_b_words = 0
        self._same_keys: list[int] | None = None  # [a_lo, a_hi, b_lo] of linked groups not yet added

    @property
    def runs(self) -> tuple[Run, ...]:
        self.flush()
        # Each field named: compiled, Run(*run) is a generic call (the arguments as a
        # tuple through the type's call), not the native constructor.
        return tuple(Run(run[0], run[1], run[2], run[3], run[4], run[5]) for run in self._runs)

    def add(self, op: Op, a_lo: int, a_hi: int, b_lo: int, b_hi: int, *, whole: bool = False) -> None:
        if self._same_keys is not None:
            self.flush()
        if a_lo == a_hi and b_lo == b_hi:
            return
        last = self._runs[-1] if self._runs else None
        mergeable = op is Op.EQUAL or op is Op.DELETE or op is Op.INSERT
        if mergeable and last is not None and last[0] is op and last[5] is whole and last[2] == a_lo and last[4] == b_lo:
            last[2], last[4] = a_hi, b_hi
        else:
            self._runs.append([op, a_lo, a_hi, b_lo, b_hi, whole])

    def flush(self) -> None:
        """Add the pending stretch of same-key groups (compared in one go)."""
        if self._same_keys is not None:
            a_lo, a_hi, b_lo = self._same_keys
            self._same_keys = None
            self._equal_keys(a_lo, a_hi, b_lo)

    def align_tokens(self, a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> None:
        """Word-level alignment of one linked group of sentences."""
        a, b = self.a, self.b
        if a.keys[a_lo:a_hi] == b.keys[b_lo:b_hi]:  # the usual case: nothing but style
            same = self._same_keys
            if same is not None and same[1] == a_lo and same[2] + (a_lo - same[0]) == b_lo:
                same[1] = a_hi  # continues the previous group in both texts
            else:
                self.flush()
                self._same_keys = [a_lo, a_hi, b_lo]
            return
        pending: list[tuple[int, int, int, int]] = []  # a changed stretch: (i1, i2, j1, j2)
        for tag, src_start, src_end, dest_start, dest_end in _opcodes(a.keys[a_lo:a_hi], b.keys[b_lo:b_hi]):
            i1, i2 = a_lo + src_start, a_lo + src_end
            j1, j2 = b_lo + dest_start, b_lo + dest_end
            if tag == "equal":
                self._changed(pending)
                pending = []
                self._equal_keys(i1, i2, j1)
            else:
                pending.append((i1, i2, j1, j2))
        self._changed(pending)

    def _changed(self, stretch: list[tuple[int, int, int, int]]) -> None:
        """Between two aligned stretches: A's tokens out first, then B's in.

        The order inside a changed stretch is arbitrary; a fixed one makes a
        replaced word read as one substitution rather than insert-then-delete.
        """
        if not stretch:
            return
        # The bounds in one loop of native ints (min and max over generators are four
        # builtin look-ups and four generators, compiled).
        a_lo, a_hi, b_lo, b_hi = stretch[0]
        for c in stretch:
            if c[0] < a_lo:
                a_lo = c[0]
            if c[1] > a_hi:
                a_hi = c[1]
            if c[2] < b_lo:
                b_lo = c[2]
            if c[3] > b_hi:
                b_hi = c[3]
        self.add(Op.DELETE, a_lo, a_hi, b_lo, b_lo)
        self.add(Op.INSERT, a_hi, a_hi, b_lo, b_hi)

    def _equal_keys(self, i1: int, i2: int, j1: int) -> None:
        """Same keys: EQUAL where the units are identical, VARIANT elsewhere."""
        a, b = self.a, self.b
        width = i2 - i1
        self.aligned_a_words += a.words_before[i2] - a.words_before[i1]
        self.aligned_b_words += b.words_before[j1 + width] - b.words_before[j1]
        a_units, b_units = a.units[i1:i2], b.units[j1 : j1 + width]
        if a_units == b_units:
            self.add(Op.EQUAL, i1, i2, j1, j1 + width)
            return
        done = 0
        for offset in [k for k in range(width) if a_units[k] != b_units[k]]:
            self.add(Op.EQUAL, i1 + done, i1 + offset, j1 + done, j1 + offset)
            self.add(Op.VARIANT, i1 + offset, i1 + offset + 1, j1 + offset, j1 + offset + 1)
            done = offset + 1
        self.add(Op.EQUAL, i1 + done, i2, j1 + done, j1 + width)


def _opcodes(a_keys: Sequence[str], b_keys: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Indel's opcodes of two key sequences as (tag, a_start, a_end, b_start, b_end) tuples.

    ``Opcodes.as_list`` gives them as plain tuples (rapidfuzz documents them as
    difflib's opcodes; its stub says ``Opcode``): compiled, a tuple is read natively,
    an ``Opcode``'s five attributes by generic look-ups.
    """
    return cast(list[tuple[str, int, int, int, int]], Indel.opcodes(a_keys, b_keys).as_list())


def _move_record(a: PreparedText, b: PreparedText, rng: tuple[int, int, int, int], sim: float) -> Move:
    a_lo, a_hi, b_lo, b_hi = rng
    aligned_a = aligned_b = verbatim = 0
    for tag, src_start, src_end, dest_start, dest_end in _opcodes(a.keys[a_lo:a_hi], b.keys[b_lo:b_hi]):
        if tag == "equal":
            width = src_end - src_start
            aligned_a += a.words_before[a_lo + src_end] - a.words_before[a_lo + src_start]
            aligned_b += b.words_before[b_lo + dest_end] - b.words_before[b_lo + dest_start]
            verbatim += sum(1 for k in range(width) if a.tokens[a_lo + src_start + k] == b.tokens[b_lo + dest_start + k])
    changed = (a_hi - a_lo) + (b_hi - b_lo) - 2 * verbatim
    return Move(a_lo, a_hi, b_lo, b_hi, sim, aligned_a, aligned_b, changed)


# The body of ``align`` below in one C call where the core runs compiled (units.c,
# align_core): the same runs, links and moved passages, without a Python object per
# candidate link, run and score (tests/test_wirediff_align_native.py compares the two).
_ALIGN_CORE = native_function("_units", "align_core")
_OPS = tuple(Op)  # by value


def align(a: PreparedText, b: PreparedText, settings: AlignSettings | None = None) -> Alignment:
    """Sentence-then-word alignment of A and B (see the module docstring)."""
    settings = settings or DEFAULT_ALIGN
    if not a.sentences or not b.sentences:
        builder = _PathBuilder(a, b)
        builder.add(Op.DELETE, 0, len(a), 0, 0)
        builder.add(Op.INSERT, len(a), len(a), 0, len(b))
        return Alignment(builder.runs, (), (), 0, 0)
    if _ALIGN_CORE is not None:
        return _align_native(_ALIGN_CORE, a, b, settings)
    return _align_here(a, b, settings)


def _align_native(align_core: Callable[..., Any], a: PreparedText, b: PreparedText, settings: AlignSettings) -> Alignment:
    core: tuple[list[tuple[int, int, int, int, int, bool]], list[tuple[int, int, int, int, float]],
                list[tuple[int, int, int, int, float]], int, int] = align_core(  # fmt: skip
        a.sentence_keys, b.sentence_keys, a.sentences, b.sentences, a.keys, b.keys, a.units, b.units,
        a.words_before, b.words_before, len(a), len(b),
        settings.sentence_threshold, settings.merge_threshold, settings.move_threshold, _opcodes,
    )
    runs, chain, groups, aligned_a, aligned_b = core
    moves = [_move_record(a, b, _passage_tokens(a, b, g), g[4]) for g in groups]
    for move in moves:
        aligned_a += move.aligned_a_words
        aligned_b += move.aligned_b_words
    return Alignment(
        tuple(Run(_OPS[r[0]], r[1], r[2], r[3], r[4], r[5]) for r in runs),
        tuple(moves),
        tuple(Link(c[0], c[1], c[2], c[3], c[4]) for c in chain),
        aligned_a,
        aligned_b,
    )


def _passage_tokens(a: PreparedText, b: PreparedText, group: tuple[int, int, int, int, float]) -> tuple[int, int, int, int]:
    """The token range of a moved passage given in sentences."""
    a_sent, b_sent = a.sentences, b.sentences
    return a_sent[group[0]][0], a_sent[group[1] - 1][1], b_sent[group[2]][0], b_sent[group[3] - 1][1]


def _align_here(a: PreparedText, b: PreparedText, settings: AlignSettings) -> Alignment:
    builder = _PathBuilder(a, b)
    qa, qb = a.sentence_keys, b.sentence_keys
    candidates = _candidate_links(qa, qb, settings)
    a_before, b_before = _lengths_before(qa), _lengths_before(qb)
    chain = best_chain(candidates, [_link_weight(c, a_before, b_before) for c in candidates], len(qb))
    groups = _group_moves(_pair_moves(qa, qb, chain, settings.move_threshold))
    moved_a = {i: g for g in groups for i in range(g[0], g[1])}
    moved_b = {j: g for g in groups for j in range(g[2], g[3])}
    moves: list[Move] = []
    a_sent, b_sent = a.sentences, b.sentences
    next_a = next_b = 0  # next sentence to place
    for link in [*chain, None]:
        stop_a = link.a_lo if link else len(a_sent)
        stop_b = link.b_lo if link else len(b_sent)
        b_pos = b_sent[next_b][0] if next_b < len(b_sent) else len(b)
        for i in range(next_a, stop_a):
            lo, hi = a_sent[i]
            builder.add(Op.MOVED_A if i in moved_a else Op.DELETE, lo, hi, b_pos, b_pos, whole=True)
        a_pos = a_sent[stop_a][0] if stop_a < len(a_sent) else len(a)
        for j in range(next_b, stop_b):
            lo, hi = b_sent[j]
            builder.add(Op.MOVED_B if j in moved_b else Op.INSERT, a_pos, a_pos, lo, hi, whole=True)
        if link is None:
            break
        builder.align_tokens(
            a_sent[link.a_lo][0], a_sent[link.a_hi - 1][1], b_sent[link.b_lo][0], b_sent[link.b_hi - 1][1]
        )
        next_a, next_b = link.a_hi, link.b_hi
    builder.flush()
    for g in groups:
        moves.append(_move_record(a, b, _passage_tokens(a, b, g), g[4]))
    aligned_a = builder.aligned_a_words + sum(m.aligned_a_words for m in moves)
    aligned_b = builder.aligned_b_words + sum(m.aligned_b_words for m in moves)
    return Alignment(builder.runs, tuple(moves), tuple(chain), aligned_a, aligned_b)
