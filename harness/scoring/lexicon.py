"""Loaded-term lexicons (versioned TSV files) and the matcher that finds their terms.

A lexicon file is tab-separated with the header ``term category weight source note``;
``#`` lines are comments and one of them declares ``# version: N``. See
``harness/scoring/lexicons/README.md`` for how the built-in lexicon was made.

Matching rules (the same for every lexicon, built-in or the user's):

* Text is cut into ``harness.text.tokenize`` tokens, so a term never matches inside a
  word ("claim" does not match "acclaim").
* A term word matches a text word when it equals the word (lower-cased, possessive
  ``'s`` removed) or is one of lemminflect's lemmas of that word, so base forms catch
  their inflections: "fire back" matches "fired back", "claim" matches "claims".
* A term written ``=form`` matches that exact, case-sensitive surface form only
  ("=may" skips the month "May"; "=blasted" skips the noun "blast").
* Multi-word terms match consecutive tokens; any punctuation between the words breaks
  the phrase (a term never spans a sentence), except hyphens as follows. A hyphen in a
  term must be a hyphen in the text, joined to both words: "would-be" matches
  "would-be", never the modal "would be". A space in a term matches a space or a
  joining hyphen ("witch hunt" matches "witch-hunt"). Where a hyphenated term's
  spaced form means the same ("so called"), the lexicon lists it as its own entry.
* Part of speech where the category needs it: the attribution categories are verbs
  of saying, so a hit there is dropped when the word reads as a noun in context
  ("dismissed the claims", "bizarre allegations"); see ``harness.scoring.pos``.
* Hits never overlap: at each word the longest term wins, then a term matching the
  surface form over one matching by lemma, then the heavier weight, then the later
  lexicon file. Matching resumes after the hit.
* The same term in two files: the later file's entry wins (user files come after the
  built-in one, so a user can re-weight or re-categorise a built-in term).

Which hits count as loaded language (``LexiconEntry.loaded``): weight above 0 and a
category other than the stance markers (``hedge``, ``certainty``, ``intensifier``)
and neutral attribution. Stance markers are reported as their own rates.
"""

from __future__ import annotations

import csv
import itertools
import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path

import numpy as np

from harness.errors import ConfigError, at
from harness.safetext import unicode_text
from harness.resources import Resource
from harness.scoring.datafiles import builtin_data_path, data_file_resource
from harness.scoring.lemmas import all_lemmas as getAllLemmas
from harness.scoring.pos import Reading, verb_reading
from harness.text import Token, tokenize
from harness.text.tokens import PUNCT_CODE, TokenKind, TokenView
from harness.text.vocabulary import TextFact, TokenIds, Vocabulary

BUILTIN_LEXICONS: tuple[str, ...] = ("news_loaded.tsv",)
LEXICON_COLUMNS: tuple[str, ...] = ("term", "category", "weight", "source", "note")

# Category names the attribution counts look for (any lexicon may add entries to them).
NEUTRAL_ATTRIBUTION = "attribution_neutral"
LOADED_ATTRIBUTION = "attribution_loaded"
ATTRIBUTION_CATEGORIES: tuple[str, ...] = (NEUTRAL_ATTRIBUTION, LOADED_ATTRIBUTION)
# Categories whose terms must read as verbs in context (harness.scoring.pos).
VERB_CATEGORIES: frozenset[str] = frozenset(ATTRIBUTION_CATEGORIES)

# Stance markers: framing features, but not what annotators call loaded language.
# Each is reported as its own rate (metric column) and never counts as loaded.
HEDGE = "hedge"
CERTAINTY = "certainty"
INTENSIFIER = "intensifier"
STANCE_RATES: dict[str, str] = {
    HEDGE: "hedge_per_1k",
    CERTAINTY: "certainty_per_1k",
    INTENSIFIER: "intensifier_per_1k",
}
NOT_LOADED_CATEGORIES: frozenset[str] = frozenset({NEUTRAL_ATTRIBUTION, *STANCE_RATES})

EXACT_MARK = "="
_CATEGORY_RE = re.compile(r"[a-z][a-z0-9_]*")  # used with fullmatch
# Hyphen and dash characters inside a term join its words with a hyphen.
_JOINERS = frozenset("-\u2010\u2011\u2012\u2013\u2014")
# What joins a hyphenated compound in text (dashes are breaks, not hyphens).
_HYPHENS = frozenset("-\u2010\u2011")
_POSSESSIVE_RE = re.compile(r"['\u2019]s$", re.IGNORECASE)
_LEMMA_CACHE = 1 << 16
_ALL_BITS = (1 << 63) - 1  # every second-word bit (TermMatcher._second_bits)


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    term: str  # as written in the file (with "=" when exact)
    words: tuple[str, ...]  # what is matched: lower-cased base forms, or exact forms
    exact: bool
    category: str
    weight: float
    source: str
    note: str
    lexicon: str  # file name
    line: int
    # Per gap between words: True when the term writes a hyphen there ("would-be").
    hyphens: tuple[bool, ...] = ()

    @property
    def loaded(self) -> bool:
        """Counts as loaded language: weight above 0, and not a stance marker.

        Weight 0 marks a tracked reference term ("said"); hedges, certainty markers
        and intensifiers are framing features with rates of their own.
        """
        return self.weight > 0 and self.category not in NOT_LOADED_CATEGORIES

    @property
    def verb_only(self) -> bool:
        """The term's first word must read as a verb (attribution verbs)."""
        return self.category in VERB_CATEGORIES


@dataclass(frozen=True, slots=True)
class Lexicon:
    name: str
    path: Path
    version: str
    entries: tuple[LexiconEntry, ...]
    resource: Resource


@dataclass(frozen=True, slots=True)
class TermHit:
    """One lexicon hit: ``text[start:end]`` is the matched surface text."""

    start: int
    end: int
    first_token: int  # index into the token list that was matched
    entry: LexiconEntry
    by_surface: bool  # every word matched its surface form (no lemma needed)


def builtin_lexicon_paths() -> list[Path]:
    return [builtin_data_path(name) for name in BUILTIN_LEXICONS]


def _term_words(term: str, *, where: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The term's words, and per gap between two words whether a hyphen joins them."""
    words: list[str] = []
    hyphens: list[bool] = []
    joined = False
    for token in tokenize(term):
        if token.text in _JOINERS:
            joined = True
            continue
        if words:
            hyphens.append(joined)
        words.append(token.text)
        joined = False
    tokens = tokenize(term)
    if not words or not (tokens[0].is_word and tokens[-1].is_word):
        raise ConfigError(
            f"term {term!r} must start and end with a word",
            where=where,
            hint="write a word or phrase in column 1 (punctuation only inside a phrase)",
        )
    return tuple(words), tuple(hyphens)


def _parse_weight(raw: str, *, where: str) -> float:
    try:
        weight = float(raw)
    except ValueError:
        weight = math.nan
    if not math.isfinite(weight) or weight < 0:
        raise ConfigError(
            f"weight {raw!r} is not a number >= 0",
            where=where,
            hint="use 0 for tracked reference terms, 0.5 or 1 for loaded ones",
        )
    return weight


def _parse_entry(fields: list[str], *, lexicon: str, line: int, where: str) -> LexiconEntry:
    if len(fields) != len(LEXICON_COLUMNS):
        raise ConfigError(
            f"expected {len(LEXICON_COLUMNS)} tab-separated columns, found {len(fields)}",
            where=where,
            hint="columns are: " + ", ".join(LEXICON_COLUMNS) + " (separated by tabs)",
        )
    term, category, weight, source, note = (f.strip() for f in fields)
    exact = term.startswith(EXACT_MARK)
    bare = term.removeprefix(EXACT_MARK).strip()
    words, hyphens = _term_words(bare, where=where)
    if not _CATEGORY_RE.fullmatch(category):
        raise ConfigError(
            f"category {category!r} is not a lower-case identifier",
            where=where,
            hint="use letters, digits and underscores, e.g. attribution_loaded",
        )
    if not source:
        raise ConfigError(
            "the source column is empty", where=where, hint="say where the term comes from"
        )
    return LexiconEntry(
        term=term,
        words=words if exact else tuple(w.lower() for w in words),
        exact=exact,
        category=category,
        weight=_parse_weight(weight, where=where),
        source=source,
        note=note,
        lexicon=lexicon,
        line=line,
        hyphens=hyphens,
    )


def _data_rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank, non-comment line."""
    with path.open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.rstrip("\r\n")
            if stripped.strip() and not stripped.lstrip().startswith("#"):
                yield number, next(csv.reader([stripped], delimiter="\t", quoting=csv.QUOTE_NONE))


def load_lexicon(path: Path) -> Lexicon:
    """Read and check one lexicon file; every problem names ``file:line``."""
    resource = data_file_resource(path)
    rows = iter(_data_rows(path))
    header = next(rows, None)
    if header is None or [h.strip().lower() for h in header[1]] != list(LEXICON_COLUMNS):
        raise ConfigError(
            "missing or wrong header line",
            where=at(path, header[0] if header else None),
            hint="the first non-comment line must be: " + "\\t".join(LEXICON_COLUMNS),
        )
    entries: list[LexiconEntry] = []
    seen: dict[tuple[bool, tuple[str, ...], tuple[bool, ...]], int] = {}
    for number, fields in rows:
        where = at(path, number)
        entry = _parse_entry(fields, lexicon=unicode_text(path.name), line=number, where=where)
        key = entry_key(entry)
        if key in seen:
            raise ConfigError(
                f"term {entry.term!r} is listed twice (first at line {seen[key]})",
                where=where,
                hint="keep one entry per term and file",
            )
        seen[key] = number
        entries.append(entry)
    return Lexicon(unicode_text(path.name), path, resource.version, tuple(entries), resource)


def entry_key(entry: LexiconEntry) -> tuple[bool, tuple[str, ...], tuple[bool, ...]]:
    """What makes two entries the same term: exactness, words and hyphens."""
    return (entry.exact, entry.words, entry.hyphens)


@cache
def _builtin_lexicon(path: Path) -> Lexicon:
    return load_lexicon(path)


def load_lexicons(
    paths: Sequence[Path] = (), *, include_builtin: bool = True, loaded_lexicon: str = "harness"
) -> list[Lexicon]:
    """The built-in lexicon (unless excluded), then the user's files in order.

    ``loaded_lexicon`` picks the instrument for loaded language (``harness.scoring.arms``):
    ``"harness"`` the built-in lexicon; ``"vader-strong"`` VADER's strong words in place
    of its loaded vocabulary (its attribution verbs and stance markers stay).
    """
    from harness.scoring import arms

    arms.check_arm(loaded_lexicon)
    builtins = [_builtin_lexicon(p) for p in builtin_lexicon_paths()] if include_builtin else []
    if loaded_lexicon == arms.VADER_STRONG_ARM:
        builtins = [arms.vader_strong_lexicon(), *(arms.kept_part(lx) for lx in builtins)]
    return builtins + [load_lexicon(Path(p)) for p in paths]


@lru_cache(maxsize=_LEMMA_CACHE)
def word_forms(word: str) -> frozenset[str]:
    """What a text word can match: itself (lower-cased, no possessive) and its lemmas."""
    lower = _POSSESSIVE_RE.sub("", word).lower()
    forms = {lower}
    for lemmas in getAllLemmas(lower).values():
        forms.update(lemmas)
    return frozenset(forms)


# A candidate match: its rank key, the hit, and the token after it.
_Ranked = tuple[tuple[int, bool, float, int, str], TermHit, int]


@dataclass(frozen=True)
class _StartPlan:
    """See ``TermMatcher._plan_of``."""

    seconds: frozenset[str]
    context: bool
    single: tuple[LexiconEntry, bool] | None
    bits: int  # -1: some one-word term matches; else the phrases' second-word bits


_PLAN_BITS = operator.attrgetter("bits")


@dataclass(frozen=True, slots=True)
class _IdFacts:
    """A matcher's per-text facts by token id (``TermMatcher.start_positions_in``)."""

    vocabulary: Vocabulary
    starts: TextFact  # 1: some term may start with this text as a word
    plan_bits: TextFact  # _StartPlan.bits
    word_form_bits: TextFact  # _form_bits(text, True)
    punct_form_bits: TextFact  # _form_bits(text, False)


class TermMatcher:
    """Finds lexicon terms in tokenised text (see the module docstring for the rules)."""

    def __init__(self, lexicons: Sequence[Lexicon]) -> None:
        self.lexicons = tuple(lexicons)
        # Later files override earlier ones term by term; the rank keeps file order.
        chosen: dict[tuple[bool, tuple[str, ...], tuple[bool, ...]], tuple[int, LexiconEntry]] = {}
        for rank, lexicon in enumerate(self.lexicons):
            for entry in lexicon.entries:
                chosen[entry_key(entry)] = (rank, entry)
        self._rank = {entry: rank for rank, entry in chosen.values()}
        self.entries = tuple(entry for _, entry in chosen.values())
        self._by_first: dict[str, list[LexiconEntry]] = {}
        self._exact_by_first: dict[str, list[LexiconEntry]] = {}
        # Candidates depend only on a word's surface form: look each form up once.
        self._candidate_cache: dict[str, tuple[LexiconEntry, ...]] = {}
        # Per word text, what its candidates settle without looking at its neighbours.
        self._plan_cache: dict[str, _StartPlan] = {}
        # Per word text, the one-word terms it matches (as a word: True, as punctuation:
        # False) and its phrase candidates (``_best_by_loop``).
        self._single_cache: dict[bool, dict[str, tuple[tuple[tuple[int, bool, float, int, str], LexiconEntry, bool], ...]]] = {True: {}, False: {}}
        self._phrase_cache: dict[str, tuple[LexiconEntry, ...]] = {}
        for entry in self.entries:
            index = self._exact_by_first if entry.exact else self._by_first
            index.setdefault(entry.words[0], []).append(entry)
        # One of 63 bits per phrase second word (shared when there are more), in sorted order.
        seconds = sorted({entry.words[1] for entry in self.entries if len(entry.words) > 1})
        self._second_bits = {word: 1 << (k % 63) for k, word in enumerate(seconds)}
        # _form_bits of a text as a word (True) and as punctuation (False).
        self._form_bits_cache: dict[bool, dict[str, int]] = {True: {}, False: {}}
        # The same facts kept by token id, for batches that come with ids (``_facts_of``).
        self._id_facts: _IdFacts | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({e.category for e in self.entries}))

    def resources(self) -> list[Resource]:
        return [lexicon.resource for lexicon in self.lexicons]

    def match(self, tokens: Sequence[Token], starts: Sequence[int] | None = None) -> list[TermHit]:
        """Non-overlapping hits, in text order.

        ``starts``: the tokens' start positions when the caller has them
        (``start_positions_in``, for many texts at once), else found here. The matching
        reads the tokens' columns (``TokenView``): a view is read as it is, any other
        sequence of tokens is put in columns first.
        """
        view = TokenView.of(tokens)
        hits: list[TermHit] = []
        resume = 0  # matching resumes after the last hit
        for i in self._start_positions(view) if starts is None else starts:
            if i < resume:
                continue
            best = self._best_at(view, i)
            if best is not None:
                hit, resume = best
                hits.append(hit)
        return hits

    def _start_positions(self, tokens: Sequence[Token]) -> list[int]:
        """Indices of the word tokens that start some candidate term, in order.

        Most words start no term: one dictionary look-up per token settles them, in
        one loop with no method call for the common case (this runs on every token).
        """
        cache = self._candidate_cache
        punct = TokenKind.PUNCT
        starts: list[int] = []
        for i, token in enumerate(tokens):
            if token.kind is punct:
                continue
            found = cache.get(token.text)
            if found is None:
                found = self._candidates(token)
            if found:
                starts.append(i)
        return starts

    def start_positions_in(
        self,
        texts: Sequence[str],
        is_word: np.ndarray,
        token_text: np.ndarray | None = None,
        token_ids: TokenIds | None = None,
    ) -> np.ndarray:
        """``_start_positions`` of a whole column of tokens (many texts, one after another):
        indices of the tokens (``is_word``: not punctuation) whose text starts some term.

        The candidates of each distinct text not met before are found once, then one
        look-up per token runs in C (``map``) instead of a Python loop; with
        ``token_ids`` (the texts' ids, ``harness.text.vocabulary``) each fact is an
        array gather by id instead. With ``token_text`` (which text each token is in),
        starts where no term can hit are left out (``_may_hit``): ``match`` gives the
        same hits without them.
        """
        if token_ids is None:
            cache = self._candidate_cache
            words = list(itertools.compress(texts, is_word.tolist()))
            for text in set(words).difference(cache):
                self._candidates_of(text)
            starts = np.fromiter(map(bool, map(cache.__getitem__, words)), dtype=bool, count=len(words))
        else:
            starts = self._facts_of(token_ids).starts.of(token_ids.subset(is_word)).astype(bool)
        positions: np.ndarray = np.flatnonzero(is_word)[starts]
        if token_text is None or not len(positions):
            return positions
        kept: np.ndarray = positions[self._may_hit(texts, is_word, token_text, positions, token_ids)]
        return kept

    def _may_hit(
        self,
        texts: Sequence[str],
        is_word: np.ndarray,
        token_text: np.ndarray,
        positions: np.ndarray,
        token_ids: TokenIds | None = None,
    ) -> np.ndarray:
        """Which start positions ``_best_at`` could find a hit at (a superset).

        Most starts are words like "a" or "in" that begin phrases only ("a lot of",
        "in fact") and whose next word fits none of them: ``_best_at`` finds nothing
        there. Each phrase's second word has a bit (``_second_bits``); a start is kept
        when one of its one-word terms matches it (``_StartPlan.single``/``context``),
        or when its phrases' second-word bits meet the bits of the forms of the token
        after it (all bits after a hyphen, which may join the next word). Shared bits
        only keep a start too many, which ``_best_at`` then settles.
        """
        n = len(texts)
        following = np.minimum(positions + 1, n - 1)
        if token_ids is None:
            plans = self._plan_cache
            start_texts = [texts[i] for i in positions.tolist()]
            for text in set(start_texts).difference(plans):
                plans[text] = self._plan_of(text)
            needs = np.fromiter(
                map(_PLAN_BITS, map(plans.__getitem__, start_texts)), dtype=np.int64, count=len(start_texts)
            )
            next_bits = self._forms_bits_of([texts[j] for j in following.tolist()], is_word[following])
        else:
            facts = self._facts_of(token_ids)
            needs = facts.plan_bits.of(token_ids.subset(positions))
            next_bits = self._forms_bits_by_id(facts, token_ids.subset(following), is_word[following])
        always = needs < 0
        same_text = (positions + 1 < n) & (token_text[following] == token_text[positions])
        mask: np.ndarray = always | (same_text & ((np.maximum(needs, 0).astype(np.uint64) & next_bits) != 0))
        return mask

    def _forms_bits_by_id(self, facts: _IdFacts, token_ids: TokenIds, is_word: np.ndarray) -> np.ndarray:
        """``_forms_bits_of`` by the tokens' ids: the word and punctuation tokens' bits apart."""
        bits = np.zeros(len(is_word), dtype=np.uint64)
        bits[is_word] = facts.word_form_bits.of(token_ids.subset(is_word))
        is_punct = ~is_word
        bits[is_punct] = facts.punct_form_bits.of(token_ids.subset(is_punct))
        return bits

    def _facts_of(self, token_ids: TokenIds) -> _IdFacts:
        """This matcher's per-text facts, kept by id in ``token_ids``' vocabulary."""
        vocabulary = token_ids.vocabulary
        if self._id_facts is None or self._id_facts.vocabulary is not vocabulary:
            self._id_facts = _IdFacts(
                vocabulary,
                starts=TextFact(vocabulary, self._starts_a_term, np.int8),
                plan_bits=TextFact(vocabulary, self._plan_bits),
                word_form_bits=TextFact(vocabulary, partial(self._form_bits, is_word=True), np.uint64),
                punct_form_bits=TextFact(vocabulary, partial(self._form_bits, is_word=False), np.uint64),
            )
        return self._id_facts

    def _starts_a_term(self, text: str) -> int:
        """1 when some term may start with a word token of this text (it has candidates)."""
        return 1 if self._candidates_of(text) else 0

    def _plan_bits(self, text: str) -> int:
        """``_StartPlan.bits`` of a start word's text (its plan kept for ``_best_at``)."""
        plan = self._plan_cache.get(text)
        if plan is None:
            plan = self._plan_cache[text] = self._plan_of(text)
        return plan.bits

    def _forms_bits_of(self, texts: list[str], is_word: np.ndarray) -> np.ndarray:
        """``_form_bits`` of each token (its text, whether a word), one look-up each in C."""
        bits = np.zeros(len(texts), dtype=np.uint64)
        for word in (True, False):
            where = is_word if word else ~is_word
            chosen = list(itertools.compress(texts, where.tolist()))
            memo = self._form_bits_cache[word]
            for text in set(chosen).difference(memo):
                memo[text] = self._form_bits(text, word)
            bits[where] = np.fromiter(map(memo.__getitem__, chosen), dtype=np.uint64, count=len(chosen))
        return bits

    def _form_bits(self, text: str, is_word: bool) -> int:
        """The second-word bits of every form of a token (all bits for a hyphen)."""
        if text in _HYPHENS:
            return _ALL_BITS
        bits = 0
        for form in _token_forms(text, is_word):
            bits |= self._second_bits.get(form, 0)
        return bits

    def _candidates(self, token: Token) -> tuple[LexiconEntry, ...]:
        return self._candidates_of(token.text)

    def _candidates_of(self, text: str) -> tuple[LexiconEntry, ...]:
        cached = self._candidate_cache.get(text)
        if cached is None:
            found = list(self._exact_by_first.get(text, ()))
            for form in sorted(word_forms(text)):
                found.extend(self._by_first.get(form, ()))
            cached = self._candidate_cache[text] = tuple(found)
        return cached

    def _best_at(self, tokens: TokenView, i: int) -> tuple[TermHit, int] | None:
        """The best hit starting at token ``i`` and where matching resumes after it.

        Most starts have no phrase whose second word fits the next token and no verb
        of saying among their one-word terms: then the answer depends on the word's
        text alone and comes from its ``_StartPlan`` (worked out once per distinct
        text, the same choice as the full loop in ``_best_by_loop``).
        """
        text = tokens.texts[i]
        plan = self._plan_cache.get(text)
        if plan is None:
            plan = self._plan_cache[text] = self._plan_of(text)
        if plan.context or tokens.codes[i] == PUNCT_CODE:
            return self._best_by_loop(tokens, i)
        if plan.seconds and not plan.seconds.isdisjoint(_second_word_forms(tokens, i)):
            return self._best_by_loop(tokens, i)
        if plan.single is None:
            return None
        entry, by_surface = plan.single
        return TermHit(tokens.starts[i], tokens.ends[i], i, entry, by_surface), i + 1

    def _plan_of(self, text: str) -> _StartPlan:
        """What a start word's candidates give before its neighbours are looked at.

        ``seconds``: the second words of its phrases; ``context``: some one-word term
        that matches is a verb of saying (the reading needs the sentence); ``single``:
        the best matching one-word term by the loop's rule (first of equal keys wins).
        The word is taken as a word token (starts never fall on punctuation).
        """
        seconds: set[str] = set()
        context = False
        best: tuple[tuple[int, bool, float, int, str], LexiconEntry, bool] | None = None
        for entry in self._candidates_of(text):
            if len(entry.words) > 1:
                seconds.add(entry.words[1])
                continue
            ok, by_surface = _word_matches_text(entry, entry.words[0], text, True)
            if not ok:
                continue
            if entry.verb_only:
                context = True
            key = (1, by_surface, entry.weight, self._rank[entry], entry.term)
            if best is None or key > best[0]:
                best = (key, entry, by_surface)
        single = None if best is None else (best[1], best[2])
        bits = 0
        for word in seconds:
            bits |= self._second_bits[word]
        return _StartPlan(frozenset(seconds), context, single, -1 if context or single else bits)

    def _best_by_loop(self, tokens: TokenView, i: int) -> tuple[TermHit, int] | None:
        """``_best_by_full_loop``, with the one-word terms that match token ``i``'s text
        found once per distinct text (``_single_matches``): only a verb of saying among
        them still reads the sentence. A matched phrase (two or more words) outranks every
        one-word term (the key starts with the number of words), so the best phrase, if
        any, else the best one-word term, is the full loop's choice; within each, the
        candidates keep their order, so the first of equal keys still wins."""
        text = tokens.texts[i]
        is_word = tokens.codes[i] != PUNCT_CODE
        memo = self._single_cache[is_word]
        singles = memo.get(text)
        if singles is None:
            singles = memo[text] = self._single_matches(text, is_word)
        best: tuple[tuple[int, bool, float, int, str], TermHit, int] | None = None
        for key, entry, by_surface in singles:
            if entry.verb_only and verb_reading(tokens, i) is Reading.NOUN:
                continue  # "dismissed the claims": the noun is no verb of saying
            if best is None or key > best[0]:
                best = (key, TermHit(tokens.starts[i], tokens.ends[i], i, entry, by_surface), i + 1)
        phrases = self._phrase_cache.get(text)
        if phrases is None:
            phrases = self._phrase_cache[text] = tuple(
                entry for entry in self._candidates_of(text) if len(entry.words) > 1
            )
        if not phrases:
            return None if best is None else (best[1], best[2])
        best_phrase = self._best_phrase(tokens, i, phrases)
        if best_phrase is not None:
            return best_phrase
        return None if best is None else (best[1], best[2])

    def _single_matches(
        self, text: str, is_word: bool
    ) -> tuple[tuple[tuple[int, bool, float, int, str], LexiconEntry, bool], ...]:
        """The one-word candidate terms a token with this text matches, in candidate
        order: (the loop's key, the entry, matched by surface)."""
        found = []
        for entry in self._candidates_of(text):
            if len(entry.words) > 1:
                continue
            ok, by_surface = _word_matches_text(entry, entry.words[0], text, is_word)
            if ok:
                found.append(((1, by_surface, entry.weight, self._rank[entry], entry.term), entry, by_surface))
        return tuple(found)

    def _best_phrase(
        self, tokens: TokenView, i: int, phrases: Sequence[LexiconEntry]
    ) -> tuple[TermHit, int] | None:
        """The full loop over the phrase candidates only (each has two or more words)."""
        best: _Ranked | None = None
        following = _second_word_forms(tokens, i)
        for entry in phrases:
            # Most phrases fail at their second word ("a" starts "a lot of", "a bit"):
            # one set look-up rules them out before the word-by-word match.
            if entry.words[1] not in following:
                continue
            best = self._better(best, entry, tokens, i)
        return None if best is None else (best[1], best[2])

    def _better(self, best: _Ranked | None, entry: LexiconEntry, tokens: TokenView, i: int) -> _Ranked | None:
        """``best``, or ``entry``'s match at token ``i`` when it matches and ranks higher
        (more words, then by surface, weight, lexicon rank and term)."""
        matched = _match_words(entry, tokens, i)
        if matched is None:
            return best
        if entry.verb_only and verb_reading(tokens, i) is Reading.NOUN:
            return best  # "dismissed the claims": the noun is no verb of saying
        last, by_surface = matched
        key = (len(entry.words), by_surface, entry.weight, self._rank[entry], entry.term)
        if best is not None and key <= best[0]:
            return best
        return key, TermHit(tokens.starts[i], tokens.ends[last], i, entry, by_surface), last + 1

    def _best_by_full_loop(self, tokens: TokenView, i: int) -> tuple[TermHit, int] | None:
        """Every candidate term tried at token ``i`` (the reference ``_best_by_loop``
        is tested against)."""
        best: _Ranked | None = None
        following: frozenset[str] | None = None
        for entry in self._candidates_of(tokens.texts[i]):
            if len(entry.words) > 1:
                # Most phrases fail at their second word ("a" starts "a lot of", "a bit"):
                # one set look-up rules them out before the word-by-word match.
                if following is None:
                    following = _second_word_forms(tokens, i)
                if entry.words[1] not in following:
                    continue
            best = self._better(best, entry, tokens, i)
        return None if best is None else (best[1], best[2])



def _second_word_forms(tokens: TokenView, i: int) -> frozenset[str]:
    """Every term word that could match the word after token ``i`` (a superset).

    That word sits right after token ``i``, or after a joining hyphen
    (``_next_word``); it matches a term word equal to its text, to its surface form or
    (words only) to one of its lemmas (``_word_matches``).
    """
    position = i + 2 if _joining_hyphen(tokens, i + 1) else i + 1
    if position >= len(tokens):
        return frozenset()
    return _token_forms(tokens.texts[position], tokens.codes[position] != PUNCT_CODE)


@lru_cache(maxsize=_LEMMA_CACHE)
def _token_forms(text: str, is_word: bool) -> frozenset[str]:
    forms = {text, _surface(text)}
    return frozenset(forms | word_forms(text)) if is_word else frozenset(forms)


def clear_lexicon_caches() -> None:
    """Forget remembered lemmas and surface forms (benchmarks start cold)."""
    word_forms.cache_clear()
    _token_forms.cache_clear()
    _surface.cache_clear()
    _has_alnum.cache_clear()


@lru_cache(maxsize=_LEMMA_CACHE)
def _has_alnum(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


@lru_cache(maxsize=_LEMMA_CACHE)
def _surface(text: str) -> str:
    """A token's text as term words are written: lower-cased, possessive 's removed."""
    return _POSSESSIVE_RE.sub("", text).lower()


def _word_matches(entry: LexiconEntry, word: str, tokens: TokenView, position: int) -> tuple[bool, bool]:
    """(matches, matches the surface form) for one term word against one token."""
    return _word_matches_text(entry, word, tokens.texts[position], tokens.codes[position] != PUNCT_CODE)


def _word_matches_text(entry: LexiconEntry, word: str, text: str, is_word: bool) -> tuple[bool, bool]:
    """``_word_matches`` given the token's text and whether it is a word."""
    if entry.exact or not _has_alnum(word):
        same = text == word
        return same, same
    surface = _surface(text)
    if surface == word:
        return True, True
    return is_word and word in word_forms(text), False


def _joining_hyphen(tokens: TokenView, position: int) -> bool:
    """Token ``position`` is a hyphen written tight between two words ("would-be")."""
    if not (0 < position < len(tokens) - 1) or tokens.texts[position] not in _HYPHENS:
        return False
    starts, ends = tokens.starts, tokens.ends
    return ends[position - 1] == starts[position] and ends[position] == starts[position + 1]


def _next_word(tokens: TokenView, position: int, hyphenated: bool) -> int | None:
    """Where the term's next word must be, after the word at ``position``.

    A hyphenated gap needs a joining hyphen; a spaced gap takes the next token, or
    the word after a joining hyphen ("witch hunt" matches "witch-hunt").
    """
    following = position + 1
    if _joining_hyphen(tokens, following):
        return following + 1
    if hyphenated or following >= len(tokens):
        return None
    return following


def _match_words(entry: LexiconEntry, tokens: TokenView, i: int) -> tuple[int, bool] | None:
    """Index of the last matched token and whether all words matched by surface."""
    by_surface = True
    position = i
    for k, word in enumerate(entry.words):
        if k > 0:
            hyphenated = entry.hyphens[k - 1] if k - 1 < len(entry.hyphens) else False
            found = _next_word(tokens, position, hyphenated)
            if found is None:
                return None
            position = found
        ok, surface = _word_matches(entry, word, tokens, position)
        if not ok:
            return None
        by_surface = by_surface and surface
    return position, by_surface
