"""VADER sentence scores for many texts at once, equal to vaderSentiment's value for value.

``vader_batch(texts)`` returns, for every text, exactly
``SentimentIntensityAnalyzer().polarity_scores(text)`` of vaderSentiment 3.3.2 (identical
floats, sign of zero included). On the ~42k sentences of the BBC corpus it takes about a
tenth of a second where the library takes about 1.5 s, because VADER's per-word rules
run once for the whole batch with numpy instead of sentence by sentence in Python.

Design, and why every step is exact:

1. Words. VADER's words are ``text.split()`` with ``string.punctuation`` stripped from
   each token unless at most two characters would remain. Polars splits every text on
   ``" "``; the empty tokens this makes (runs of spaces, leading or trailing spaces)
   are exactly what ``split()`` drops, and are dropped. A token holding any other
   whitespace (tab, newline, no-break space, ...) marks a text where the two splits
   differ: it is routed (step 5).
2. Per DISTINCT token, not per occurrence: tokens are factorised with a polars
   Categorical (fresh categories per call, the code-to-token mapping is checked), and
   the word, its lower case, ``isupper()``, lexicon valence, booster value and the
   handful of words the rules test for ("no", "least", "never", "so", "this", "but",
   negations, the words of "kind of" and of the idioms) are found once per distinct
   token, the lexicon by one join. On ASCII tokens polars' string operations agree with
   Python's (strip of an ASCII set, ``lower``; ``isupper`` is "an upper-case letter and
   no lower-case one"); tokens with any non-ASCII character get Python's own
   ``strip``/``lower``/``isupper``, once each.
3. Valences. A lexicon word with no rule-relevant word among the three before it, not
   "no" and not capitalised for emphasis has its lexicon value. Every other one replays
   ``sentiment_valence`` with numpy: "no" as item and before it, ALL-CAPS emphasis
   (``is_cap_diff`` from the count of ALL-CAPS words per text), boosters/dampeners 1-3
   words before with their 0.95/0.9 damping, ``_negation_check`` ("never so/this",
   "without doubt", negations incl. "n't"), the multi-word boosters ("kind of", "sort
   of", "just enough") of ``_special_idioms_check``, ``_least_check``, and the "kind
   of" skip of ``polarity_scores``; each step is the library's float operation in the
   library's order, so every intermediate is the same IEEE double as in Python.
4. Sentence scores. ``score_valence``'s sums are sequential in Python 3.11 (``sum`` of
   floats is plain left-to-right addition; ``_sift_sentiment_scores`` is a loop), so
   they are added here one word rank at a time in list order; zero valences are left
   out, which changes nothing (x + 0.0 == x, and a running sum that starts at 0.0 is
   never -0.0). (Python 3.12 made ``sum`` compensated; there, texts with more than two
   nonzero valences are routed, since only up to two terms are both sums the same.)
   Punctuation emphasis, ``normalize`` (IEEE ``sqrt``) and the ratios are
   the same operations. ``round`` is Python's for every value that lies near a half-way
   point or rounds to zero, and otherwise ``rint`` then a division, which gives the same
   double (see ``_python_round``).
5. Routed to the exact per-sentence path (:func:`harness.scoring.sentiment.vader_scores`,
   which runs the library's methods): texts with an emoji character (VADER rewrites
   them before anything else), with whitespace other than a space inside a token, with
   a bigram that begins a SPECIAL_CASES idiom ("the bomb", "kiss of", "yeah right", ...
   every sequence ``_special_idioms_check`` could match begins with one), that are not
   valid UTF-8 (lone surrogates), and texts with "but" where ``_but_check`` would hit
   its ``list.index`` quirk (a valence equal to an earlier one already rescaled) or
   that hold very many valences. Otherwise "but" is the position rule the quirk-free
   loop amounts to: valences before the first "but" times 0.5, after it times 1.5.
   On the BBC corpus about 25 sentences in 42k are routed.

Batches below ``_SMALL_BATCH`` texts go to the exact per-sentence path directly: there
the fixed cost of the polars calls (about 2 ms) is the larger one.

A text's score never depends on the other texts of the batch: every rule looks only
inside its own text (neighbour tests check the text). There is no cache of results;
the features of each distinct token (step 2) depend on the token alone and are kept
between batches (``_KindMemo``), so a batch finds only the tokens it is the first to
meet. :func:`clear_vader_batch_caches` forgets them, so callers can time cold runs
uniformly (the word tables built from the lexicon files are one-off data loads). The equality is
tested against a fresh analyser in ``tests/test_scoring_vader_batch.py``.
"""

from __future__ import annotations

import string
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import polars as pl
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    C_INCR,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
)

from harness.scoring.sentiment import _analyzer, _emoji_characters, vader_scores

__all__ = ["SCORE_COLUMNS", "clear_vader_batch_caches", "vader_batch"]

SCORE_COLUMNS = ("compound", "neg", "neu", "pos")

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

# Flags of the words VADER's rules compare against (on the lower-cased word).
_NO = 1
_LEAST = 2
_NEVER = 4
_WITHOUT = 8
_DOUBT = 16
_SO_THIS = 32
_OR_NOR = 64
_AT_VERY = 128
_BUT = 256
_NEGATE_WORD = 512
_KIND = 1024
_OF = 2048
_BIGRAM_WORD = 4096  # a word of "kind of", "sort of", "just enough"
_FLAG_WORDS: dict[int, tuple[str, ...]] = {
    _NO: ("no",),
    _LEAST: ("least",),
    _NEVER: ("never",),
    _WITHOUT: ("without",),
    _DOUBT: ("doubt",),
    _SO_THIS: ("so", "this"),
    _OR_NOR: ("or", "nor"),
    _AT_VERY: ("at", "very"),
    _BUT: ("but",),
    _NEGATE_WORD: tuple(NEGATE),
    _KIND: ("kind",),
    _OF: ("of",),
    _BIGRAM_WORD: tuple(w for k in BOOSTER_DICT if " " in k for w in k.split(" ")),
}

# Whitespace that str.split() splits on but a split on " " does not, as far as ASCII goes;
# non-ASCII tokens are tested in Python (str.isspace).
_ASCII_OTHER_SPACE = r"[\t\n\x0B\x0C\r\x1C-\x1F]"
_PUNCTUATION = string.punctuation

# A long run of valences in one "but" text makes the pairwise quirk test quadratic;
# such texts go to the exact path.
_MAX_BUT_VALENCES = 24


def _special_case_bigrams() -> set[tuple[str, str]]:
    """Word pairs that start every SPECIAL_CASES sequence _special_idioms_check can match."""
    keys = [k.split(" ") for k in SPECIAL_CASES if " " in k]
    return {(parts[0], parts[1]) for parts in keys}


def _booster_bigrams() -> dict[tuple[str, str], float]:
    """The multi-word BOOSTER_DICT keys ("kind of", ...): two words each."""
    pairs = {tuple(k.split(" ")): v for k, v in BOOSTER_DICT.items() if " " in k}
    assert all(len(pair) == 2 for pair in pairs)
    return {(pair[0], pair[1]): v for pair, v in pairs.items()}


@dataclass(frozen=True, slots=True)
class _Tables:
    """Word features keyed by lower-cased word, built once from VADER's lexicon."""

    features: pl.DataFrame  # low, lex, boost, flags, idiom
    special_pairs: I64  # first * _IDIOM_BASE + second, sorted
    booster_pairs: I64  # the same for the multi-word boosters, sorted
    booster_pair_values: F64  # their BOOSTER_DICT values, in the same order
    emoji: frozenset[str]


_IDIOM_BASE = 64


@cache
def _tables() -> _Tables:
    lexicon: dict[str, float] = _analyzer().lexicon
    # The rules treat these words as plain (not lexicon) words; the routing and the
    # "but" handling rely on it.
    assert not {"but", "least", "so", "this", "or", "nor", "at", "very"} & set(lexicon)
    assert not set(BOOSTER_DICT) & set(lexicon)
    flags: dict[str, int] = {}
    for flag, words in _FLAG_WORDS.items():
        for word in words:
            flags[word] = flags.get(word, 0) | flag
    special = _special_case_bigrams()
    boosters2 = _booster_bigrams()
    idiom_words = sorted({w for pair in (*special, *boosters2) for w in pair})
    assert len(idiom_words) < _IDIOM_BASE
    idiom_code = {w: n + 1 for n, w in enumerate(idiom_words)}
    boosters = {k: v for k, v in BOOSTER_DICT.items() if " " not in k}
    keys = sorted(set(lexicon) | set(boosters) | set(flags) | set(idiom_code))
    features = pl.DataFrame(
        {
            "low": keys,
            "lex": [lexicon.get(k) for k in keys],
            "boost": [float(boosters.get(k, 0.0)) for k in keys],
            "flags": [flags.get(k, 0) for k in keys],
            "idiom": [idiom_code.get(k, 0) for k in keys],
        },
        schema={
            "low": pl.String,
            "lex": pl.Float64,
            "boost": pl.Float64,
            "flags": pl.Int64,
            "idiom": pl.Int64,
        },
    )

    def code(pair: tuple[str, str]) -> int:
        return idiom_code[pair[0]] * _IDIOM_BASE + idiom_code[pair[1]]

    booster_order = sorted(boosters2, key=code)
    return _Tables(
        features,
        np.array(sorted(map(code, special)), dtype=np.int64),
        np.array([code(pair) for pair in booster_order], dtype=np.int64),
        np.array([boosters2[pair] for pair in booster_order], dtype=np.float64),
        _emoji_characters(),
    )


def clear_vader_batch_caches() -> None:
    """Forget remembered results: the features of the tokens met so far (the word
    tables built from the lexicon files stay loaded)."""
    global _memo
    _memo = None


@dataclass(frozen=True, slots=True)
class _Kinds:
    """Features of each distinct token of the batch (index = token kind)."""

    lex: F64  # lexicon valence of the word, NaN when not in the lexicon
    boost: F64  # booster/dampener value, 0.0 when none
    flags: I64  # _NO, _LEAST, ... of the lower-cased word
    idiom: I64  # code of the word in the idiom bigrams, 0 when none
    upper: Mask  # word.isupper()
    negated: Mask  # vaderSentiment.negated([word.lower()])
    route: Mask  # emoji, or whitespace other than " ": the exact path handles it
    plain: Mask  # none of boost, flags, negated: no rule reads it as a neighbour


@dataclass(frozen=True, slots=True)
class _Words:
    """Every word of the batch in order, as the kind of its token."""

    kind: I64
    sid: I64  # text index of each word
    index: I64  # position of the word in its text
    n_words: I64  # words per text
    kinds: _Kinds


def _python_features(tokens: list[str], emoji: frozenset[str]) -> dict[str, list[object]]:
    """Python's own semantics for tokens with non-ASCII characters (few)."""
    low: list[object] = []
    upper: list[object] = []
    negated: list[object] = []
    route: list[object] = []
    negate = set(NEGATE)
    for token in tokens:
        stripped = token.strip(_PUNCTUATION)
        word = token if len(stripped) <= 2 else stripped
        lower = word.lower()
        twice = lower.lower()  # negated() lower-cases the lower-cased word again
        low.append(lower)
        upper.append(word.isupper())
        negated.append(twice in negate or "n't" in twice)
        route.append(any(c.isspace() or c in emoji for c in token))
    return {"low": low, "upper": upper, "negated": negated, "route": route}


_LOWER = list("abcdefghijklmnopqrstuvwxyz")
_UPPER = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _token_kinds(tokens: pl.Series, tables: _Tables) -> _Kinds:
    """Features of each distinct token, vectorised for ASCII, in Python for the rest."""
    stripped = pl.col("tok").str.strip_chars(_PUNCTUATION)
    word = pl.when(stripped.str.len_chars() > 2).then(stripped).otherwise(pl.col("tok"))
    frame = (
        pl.DataFrame({"tok": tokens})
        .with_columns(word.alias("word"))
        .select(
            pl.col("word").str.to_lowercase().alias("low"),
            # ASCII isupper(): an upper-case letter and no lower-case one.
            (
                pl.col("word").str.contains_any(_UPPER)
                & ~pl.col("word").str.contains_any(_LOWER)
            ).alias("upper"),
            pl.col("tok").str.contains(_ASCII_OTHER_SPACE).alias("route"),
            (pl.col("tok").str.len_bytes() != pl.col("tok").str.len_chars()).alias("non_ascii"),
        )
        .with_columns(
            (
                pl.col("low").is_in(pl.Series(NEGATE, dtype=pl.String).implode())
                | pl.col("low").str.contains("n't", literal=True)
            ).alias("negated")
        )
    )
    non_ascii = frame["non_ascii"].arg_true()
    if len(non_ascii):
        python = _python_features(tokens.gather(non_ascii).to_list(), tables.emoji)
        frame = frame.with_columns(
            frame[name].scatter(non_ascii, pl.Series(values)) for name, values in python.items()
        )
    frame = frame.join(tables.features, on="low", how="left", maintain_order="left")
    boost = frame["boost"].fill_null(0.0).to_numpy()
    flags = frame["flags"].fill_null(0).to_numpy().astype(np.int64)
    negated = frame["negated"].to_numpy()
    return _Kinds(
        lex=frame["lex"].fill_null(float("nan")).to_numpy().astype(np.float64),
        boost=boost.astype(np.float64),
        flags=flags,
        idiom=frame["idiom"].fill_null(0).to_numpy().astype(np.int64),
        upper=frame["upper"].to_numpy().astype(np.bool_),
        negated=negated.astype(np.bool_),
        route=frame["route"].to_numpy().astype(np.bool_),
        plain=(boost == 0.0) & (flags == 0) & ~negated,
    )


@dataclass(frozen=True, slots=True)
class _KindMemo:
    """The features of every distinct token met so far (they depend on the token alone):
    a batch finds only the tokens no earlier batch had."""

    tokens: pl.DataFrame  # "tok", "row": the token's index in ``kinds``
    kinds: _Kinds


# Bounds the memo's memory (about 100 bytes a token); it starts again when full.
_MEMO_TOKENS = 1_000_000
_memo: _KindMemo | None = None


def _kinds_rows(kinds: _Kinds, rows: I64) -> _Kinds:
    return _Kinds(*(getattr(kinds, name)[rows] for name in _Kinds.__slots__))


def _kinds_joined(first: _Kinds, second: _Kinds) -> _Kinds:
    return _Kinds(
        *(np.concatenate([getattr(first, name), getattr(second, name)]) for name in _Kinds.__slots__)
    )


def _known_token_kinds(distinct: pl.Series, tables: _Tables) -> _Kinds:
    """``_token_kinds(distinct, tables)``, finding only the tokens not met before."""
    global _memo
    if _memo is None or _memo.tokens.height + distinct.len() > _MEMO_TOKENS:
        kinds = _token_kinds(distinct, tables)
        rows = np.arange(distinct.len(), dtype=np.int64)
        _memo = _KindMemo(pl.DataFrame({"tok": distinct, "row": rows}), kinds)
        return kinds
    memo = _memo
    row = (
        pl.DataFrame({"tok": distinct})
        .join(memo.tokens, on="tok", how="left", maintain_order="left")["row"]
    )
    new = row.is_null().to_numpy()
    if not new.any():
        return _kinds_rows(memo.kinds, row.to_numpy().astype(np.int64))
    unknown = distinct.filter(pl.Series(new))
    found = _token_kinds(unknown, tables)
    first = memo.tokens.height
    added = np.arange(first, first + unknown.len(), dtype=np.int64)
    joined = _kinds_joined(memo.kinds, found)
    _memo = _KindMemo(pl.concat([memo.tokens, pl.DataFrame({"tok": unknown, "row": added})]), joined)
    rows = row.fill_null(0).to_numpy().astype(np.int64)
    rows[new] = added
    return _kinds_rows(joined, rows)


def _split_words(series: pl.Series, tables: _Tables) -> _Words:
    pieces = series.str.split(" ")
    lengths = pieces.list.len().to_numpy().astype(np.int64)
    tokens = pieces.explode()
    # A fresh Categories per call: the codes are dense and the batch shares nothing.
    code = (
        tokens.cast(pl.Categorical(pl.Categories.random()))
        .to_physical()
        .to_numpy()
        .astype(np.int64)
    )
    # The distinct tokens in code order: the first occurrence of each code.
    first = np.zeros(int(code.max(initial=-1)) + 1, dtype=np.int64)
    first[code[::-1]] = np.arange(len(code) - 1, -1, -1)
    distinct = tokens.gather(first)
    if not (distinct.gather(code) == tokens).all():  # polars contract, checked: 3 ms
        raise RuntimeError("polars categorical codes do not identify tokens")
    kinds = _known_token_kinds(distinct, tables)
    sid = np.repeat(np.arange(len(series), dtype=np.int64), lengths)
    # split(" ") yields "" between consecutive spaces; str.split() has no such word.
    keep = (distinct.str.len_bytes() > 0).to_numpy()[code]
    if not keep.all():
        code, sid = code[keep], sid[keep]
    n_words = np.bincount(sid, minlength=len(series)).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(n_words)[:-1]))
    index = np.arange(len(code), dtype=np.int64) - starts[sid]
    return _Words(code, sid, index, n_words, kinds)


def _texts_with(words: _Words, per_kind: Mask, n_texts: int) -> Mask:
    """Texts holding at least one word whose kind has ``per_kind`` set."""
    out = np.zeros(n_texts, dtype=np.bool_)
    if per_kind.any():
        out[words.sid[per_kind[words.kind]]] = True
    return out


def _idiom_texts(words: _Words, tables: _Tables, n_texts: int) -> Mask:
    """Texts with a bigram that starts a SPECIAL_CASES idiom ("the bomb", "kiss of")."""
    out = np.zeros(n_texts, dtype=np.bool_)
    rows = np.flatnonzero(words.kinds.idiom[words.kind] != 0)
    rows = rows[rows + 1 < len(words.kind)]
    rows = rows[words.sid[rows] == words.sid[rows + 1]]
    first = words.kinds.idiom[words.kind[rows]]
    second = words.kinds.idiom[words.kind[rows + 1]]
    hit = np.isin(first * _IDIOM_BASE + second, tables.special_pairs)
    out[words.sid[rows[hit]]] = True
    return out


def _cap_diff(words: _Words, n_texts: int) -> Mask:
    """allcap_differential: some but not all words ALL CAPS."""
    n_upper = np.bincount(words.sid[words.kinds.upper[words.kind]], minlength=n_texts)
    return np.asarray((n_upper > 0) & (n_upper < words.n_words), dtype=np.bool_)


def _valences(words: _Words, cap_diff: Mask, tables: _Tables) -> tuple[I64, F64]:
    """Rows of the lexicon words and their ``sentiment_valence``.

    Most lexicon words have no rule-relevant word among the three before them, are not
    "no" and not emphasised by capitals: their valence is the lexicon value. The rest
    replay the rules in the library's order of float operations."""
    kinds = words.kinds
    rows = np.flatnonzero(~np.isnan(kinds.lex[words.kind]))
    value = kinds.lex[words.kind[rows]]
    index = words.index[rows]
    special = (kinds.flags[words.kind[rows]] & _NO) != 0
    special |= kinds.upper[words.kind[rows]] & cap_diff[words.sid[rows]]
    for k in (1, 2, 3):
        before = np.maximum(rows - k, 0)
        special |= (index >= k) & ~kinds.plain[words.kind[before]]
    hard = np.flatnonzero(special)
    if len(hard):
        value[hard] = _rule_valences(words, rows[hard], cap_diff, tables)
    # polarity_scores skips "kind" before "of" (0, not its lexicon valence).
    following = np.minimum(rows + 1, len(words.kind) - 1)
    not_last = index < words.n_words[words.sid[rows]] - 1
    kind_of = _has_flag(kinds, words.kind[rows], _KIND) & not_last
    kind_of &= _has_flag(kinds, words.kind[following], _OF)
    value[kind_of] = 0.0
    return rows, value


def _has_flag(kinds: _Kinds, kind: I64, flag: int) -> Mask:
    return np.asarray((kinds.flags[kind] & flag) != 0, dtype=np.bool_)


def _rule_valences(words: _Words, r: I64, cap_diff: Mask, tables: _Tables) -> F64:
    """``sentiment_valence`` for the lexicon words at rows ``r``, with every rule."""
    kinds, kind = words.kinds, words.kind
    i = words.index[r]
    n = words.n_words[words.sid[r]]
    lex = kinds.lex[kind[r]]
    caps = cap_diff[words.sid[r]]
    k1, k2, k3 = (kind[np.maximum(r - k, 0)] for k in (1, 2, 3))
    k_next = kind[np.minimum(r + 1, len(kind) - 1)]
    has1, has2, has3 = i > 0, i > 1, i > 2

    def has(kb: I64, flag: int) -> Mask:
        return _has_flag(kinds, kb, flag)

    v = lex.copy()
    # "no" as the item, followed by a lexicon word: not its own valence.
    item_no = has(kind[r], _NO) & (i != n - 1) & ~np.isnan(kinds.lex[k_next])
    v = np.where(item_no, 0.0, v)
    no_before = (
        (has1 & has(k1, _NO))
        | (has2 & has(k2, _NO))
        | (has3 & has(k3, _NO) & has(k1, _OR_NOR))
    )
    v = np.where(no_before, lex * N_SCALAR, v)
    capped = kinds.upper[kind[r]] & caps
    v = np.where(capped, np.where(v > 0, v + C_INCR, v - C_INCR), v)
    for k, kb, present in ((1, k1, has1), (2, k2, has2), (3, k3, has3)):
        active = present & np.isnan(kinds.lex[kb])
        boost = kinds.boost[kb]
        # scalar_inc_dec
        scalar = np.where(boost != 0.0, np.where(v < 0, boost * -1, boost), 0.0)
        boost_caps = (boost != 0.0) & kinds.upper[kb] & caps
        scalar = np.where(boost_caps, np.where(v > 0, scalar + C_INCR, scalar - C_INCR), scalar)
        if k == 2:
            scalar = np.where(scalar != 0, scalar * 0.95, scalar)
        elif k == 3:
            scalar = np.where(scalar != 0, scalar * 0.9, scalar)
        v = np.where(active, v + scalar, v)
        v = np.where(active, _negation_check(kinds, v, k, k1, k2, k3), v)
        if k == 3:
            v = _booster_ngrams(kinds, tables, v, active, k1, k2, k3)
    # _least_check: "least" just before (not "at least" / "very least") negates.
    least = has1 & np.isnan(kinds.lex[k1]) & has(k1, _LEAST)
    at_least = has2 & has(k2, _AT_VERY)
    v = np.where(least & ~at_least, v * N_SCALAR, v)
    return np.asarray(v, dtype=np.float64)


def _booster_ngrams(
    kinds: _Kinds, tables: _Tables, v: F64, active: Mask, k1: I64, k2: I64, k3: I64
) -> F64:
    """``_special_idioms_check`` when no SPECIAL_CASES bigram is in the text (those
    texts are routed): only its multi-word booster test, "w-3 w-2" then "w-2 w-1"."""
    for first, second in ((k3, k2), (k2, k1)):
        code = kinds.idiom[first] * _IDIOM_BASE + kinds.idiom[second]
        at = np.minimum(np.searchsorted(tables.booster_pairs, code), len(tables.booster_pairs) - 1)
        hit = active & (tables.booster_pairs[at] == code)
        v = np.where(hit, v + tables.booster_pair_values[at], v)
    return v


def _negation_check(kinds: _Kinds, v: F64, k: int, k1: I64, k2: I64, k3: I64) -> F64:
    """``_negation_check`` for the word ``k`` places before the item."""

    def has(kb: I64, flag: int) -> Mask:
        return _has_flag(kinds, kb, flag)

    if k == 1:
        return np.where(kinds.negated[k1], v * N_SCALAR, v)
    if k == 2:
        never = has(k2, _NEVER) & has(k1, _SO_THIS)
        without = has(k2, _WITHOUT) & has(k1, _DOUBT)
        negated = ~never & ~without & kinds.negated[k2]
        return np.where(never, v * 1.25, np.where(negated, v * N_SCALAR, v))
    never = (has(k3, _NEVER) & has(k2, _SO_THIS)) | has(k1, _SO_THIS)
    without = has(k3, _WITHOUT) & (has(k2, _DOUBT) | has(k1, _DOUBT))
    negated = ~never & ~without & kinds.negated[k3]
    return np.where(never, v * 1.25, np.where(negated, v * N_SCALAR, v))


@dataclass(frozen=True, slots=True)
class _Valences:
    """The nonzero entries of every text's ``sentiments`` list, in list order."""

    sid: I64
    index: I64
    value: F64


def _but_scaled(
    words: _Words, found: _Valences, n_texts: int
) -> tuple[_Valences, Mask]:
    """``_but_check`` by position, and the texts where the library's loop would differ.

    The library rescales ``sentiments[sentiments.index(x)]`` for each x in turn: that is
    x's own place unless an earlier entry, already rescaled, equals x (zeros never equal
    a nonzero x and stay zero either way). Those texts are routed."""
    but_word = ((words.kinds.flags & _BUT) != 0)[words.kind]
    first_but = np.full(n_texts, -1, dtype=np.int64)
    # Reverse order so that the first "but" of each text is written last.
    rows = np.flatnonzero(but_word)[::-1]
    first_but[words.sid[rows]] = words.index[rows]
    bi = first_but[found.sid]
    in_but_text = bi >= 0
    factor = np.where(found.index < bi, 0.5, 1.5)
    scaled = np.where(in_but_text, found.value * factor, found.value)
    route = np.zeros(n_texts, dtype=np.bool_)
    but_rows = np.flatnonzero(in_but_text)
    if len(but_rows):
        route |= _but_quirk_texts(found, but_rows, scaled, n_texts)
    return _Valences(found.sid, found.index, np.asarray(scaled, dtype=np.float64)), route


def _but_quirk_texts(found: _Valences, rows: I64, scaled: F64, n_texts: int) -> Mask:
    """Texts where an entry equals an earlier entry after that one was rescaled."""
    sid = found.sid[rows]
    counts = np.bincount(sid, minlength=n_texts)
    route = counts > _MAX_BUT_VALENCES
    texts, first = np.unique(sid, return_index=True)
    rank = np.arange(len(rows)) - np.repeat(first, counts[texts])
    slot = np.searchsorted(texts, sid)
    width = int(min(counts.max(), _MAX_BUT_VALENCES))
    keep = rank < width
    original = np.full((len(texts), width), np.nan)
    rescaled = np.full((len(texts), width), np.nan)
    original[slot[keep], rank[keep]] = found.value[rows[keep]]
    rescaled[slot[keep], rank[keep]] = scaled[rows[keep]]
    clash = np.zeros(len(texts), dtype=np.bool_)
    for later in range(1, width):
        for earlier in range(later):
            clash |= rescaled[:, earlier] == original[:, later]
    route[texts[clash]] = True
    return route


@dataclass(frozen=True, slots=True)
class _Sums:
    total: F64  # float(sum(sentiments))
    positive: F64  # _sift_sentiment_scores' pos_sum
    negative: F64  # its neg_sum
    nonzero: I64


def _sequential_sums(found: _Valences, n_texts: int) -> _Sums:
    """The three sums of score_valence, added left to right as Python does."""
    total = np.zeros(n_texts)
    positive = np.zeros(n_texts)
    negative = np.zeros(n_texts)
    nonzero = np.bincount(found.sid, minlength=n_texts).astype(np.int64)
    if len(found.sid):
        first = np.concatenate(([0], np.cumsum(nonzero)[:-1]))
        rank = np.arange(len(found.sid)) - first[found.sid]
        order = np.argsort(rank, kind="stable")
        bounds = np.cumsum(np.bincount(rank))[:-1]
        # One step per rank: each text appears at most once per step, in list order.
        for step in np.split(order, bounds):
            sid, value = found.sid[step], found.value[step]
            total[sid] = total[sid] + value
            positive[sid] = np.where(value > 0, positive[sid] + (value + 1), positive[sid])
            negative[sid] = np.where(value < 0, negative[sid] + (value - 1), negative[sid])
    return _Sums(total, positive, negative, nonzero)


def _score_valence(sums: _Sums, n_words: I64, bangs: I64, queries: I64) -> dict[str, F64]:
    """``score_valence`` before rounding, with the library's float operations."""
    emphasis = np.minimum(bangs, 4) * 0.292
    emphasis = emphasis + np.where(queries > 1, np.where(queries <= 3, queries * 0.18, 0.96), 0.0)
    total = sums.total
    total = np.where(total > 0, total + emphasis, np.where(total < 0, total - emphasis, total))
    compound = np.clip(total / np.sqrt(total * total + 15), -1.0, 1.0)
    positive, negative = sums.positive, sums.negative
    neutral = (n_words - sums.nonzero).astype(np.float64)
    pos_wins = positive > np.fabs(negative)
    neg_wins = positive < np.fabs(negative)
    positive = np.where(pos_wins, positive + emphasis, positive)
    negative = np.where(neg_wins, negative - emphasis, negative)
    weight = positive + np.fabs(negative) + neutral
    empty = n_words == 0
    safe = np.where(empty, 1.0, weight)
    return {
        "compound": np.where(empty, 0.0, compound),
        "neg": np.where(empty, 0.0, np.fabs(negative / safe)),
        "neu": np.where(empty, 0.0, np.fabs(neutral / safe)),
        "pos": np.where(empty, 0.0, np.fabs(positive / safe)),
    }


# Half-way cases and zeros of round(): decided by Python itself (see _python_round).
_TIE_MARGIN = 1e-6


def _python_round(values: F64, digits: int) -> F64:
    """Python's ``round(x, digits)`` for each value.

    CPython rounds the exact binary value of x to ``digits`` decimals, half to even,
    and returns the double nearest that decimal k / 10**digits. Here |x| <= 1 and
    digits <= 4, so x * 10**digits is within 1e-12 of its exact value: unless it lies
    within 1e-6 of a half-integer, k is its nearest integer (``rint``), and k / 10**digits
    (IEEE division of exact integers) is that nearest double. Values near a half-way
    point, and those rounding to zero (sign of -0.0), are rounded by Python, once per
    distinct value."""
    scale = 10.0**digits
    scaled = values * scale
    k = np.rint(scaled)
    out = k / scale
    fraction = np.abs(scaled - np.floor(scaled) - 0.5)
    doubtful = np.flatnonzero((fraction < _TIE_MARGIN) | (k == 0) | ~(np.abs(values) <= 1.0))
    if len(doubtful):
        distinct, inverse = np.unique(values[doubtful].view(np.int64), return_inverse=True)
        rounded = [round(x, digits) for x in distinct.view(np.float64).tolist()]
        out[doubtful] = np.asarray(rounded, dtype=np.float64)[inverse.reshape(-1)]
    return np.asarray(out, dtype=np.float64)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_series(texts: list[str]) -> tuple[pl.Series, Mask]:
    """The texts as a polars column, and the texts it cannot hold (lone surrogates), which
    are scored by the exact path (an empty text stands in for them in the column)."""
    try:
        return pl.Series("text", texts, dtype=pl.String), np.zeros(len(texts), dtype=np.bool_)
    except UnicodeEncodeError:
        unfit = np.array([not _utf8(text) for text in texts], dtype=np.bool_)
        kept = ["" if bad else text for text, bad in zip(texts, unfit.tolist(), strict=True)]
        return pl.Series("text", kept, dtype=pl.String), unfit


def _count(series: pl.Series, char: str) -> I64:
    return series.str.count_matches(char, literal=True).to_numpy().astype(np.int64)


# Below this many texts the fixed cost of the vectorised pass (about 2 ms of polars
# calls) exceeds the per-sentence path's, which is exact too.
_SMALL_BATCH = 64


def vader_batch(texts: Sequence[str]) -> pl.DataFrame:
    """VADER's ``polarity_scores`` of each text: columns compound, neg, neu, pos (Float64),
    one row per text in input order, each value identical to vaderSentiment 3.3.2's."""
    texts = list(texts)
    if len(texts) < _SMALL_BATCH:
        return _frame({name: [vader_scores(t)[name] for t in texts] for name in SCORE_COLUMNS})
    # A text met twice is scored once (the scores are a function of the text alone):
    # the scorecard's sentences come once per view, and an unquoted sentence has the
    # same text in ``all`` and in the narrator's voice.
    number: dict[str, int] = {}
    ids = [number.setdefault(text, len(number)) for text in texts]
    if len(number) == len(texts):
        return _vectorised_scores(texts)
    scores = _vectorised_scores(list(number))
    return scores.select(pl.all().gather(np.asarray(ids, dtype=np.int64)))


def _frame(columns: Mapping[str, Sequence[float] | F64]) -> pl.DataFrame:
    return pl.DataFrame(
        [pl.Series(name, columns[name], dtype=pl.Float64) for name in SCORE_COLUMNS]
    )


def _vectorised_scores(texts: list[str]) -> pl.DataFrame:
    """The batch pass of the module docstring (any batch size; tests call it directly)."""
    n_texts = len(texts)
    if not n_texts:
        return _frame({name: [] for name in SCORE_COLUMNS})
    tables = _tables()
    series, route = _text_series(texts)
    words = _split_words(series, tables)
    route |= _texts_with(words, words.kinds.route, n_texts)
    route |= _idiom_texts(words, tables, n_texts)
    rows, value = _valences(words, _cap_diff(words, n_texts), tables)
    nonzero = value != 0
    found = _Valences(words.sid[rows][nonzero], words.index[rows][nonzero], value[nonzero])
    found, but_route = _but_scaled(words, found, n_texts)
    route |= but_route
    sums = _sequential_sums(found, n_texts)
    if sys.version_info >= (3, 12):
        # From Python 3.12 the library's ``sum`` of floats is compensated (Neumaier),
        # which equals plain left-to-right addition for at most two nonzero terms only.
        route |= sums.nonzero > 2
    raw = _score_valence(sums, words.n_words, _count(series, "!"), _count(series, "?"))
    scores = {
        name: _python_round(raw[name], 4 if name == "compound" else 3) for name in SCORE_COLUMNS
    }
    for t in np.flatnonzero(route).tolist():
        exact = vader_scores(texts[t])
        for name in SCORE_COLUMNS:
            scores[name][t] = exact[name]
    return _frame(scores)
