"""One text made ready for diffing: tokens, alignment keys, sentences, boilerplate.

Tokens and sentences come from :mod:`harness.text`, so every edit can be traced to
character offsets in the original text. Each token also gets:

* a **unit**: the whitespace before it plus the token itself. Units tile the text
  (with the trailing whitespace), so edits built from whole units rebuild the
  other text exactly and never cut a word in half;
* an **alignment key**: a folded form under which house-style variants compare
  equal (quote marks, dashes, case, full stops in acronyms, thousands commas,
  British/American spelling, known transliterations). Two tokens with the same
  key and different text are a *variant*; the classifier says which style rule
  explains it.

Preparing is the costly part of a comparison (tokenising and sentence splitting),
so a corpus run prepares each article once and compares it many times.
"""

from __future__ import annotations

import importlib
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate, compress
from operator import itemgetter, sub
from typing import Any, Final, NamedTuple, TypeVar

from harness.tablecache import Stored
from harness.text.sentences import sentence_bounds
from harness.wirediff.collector import collector_paused
from harness.wirediff.compiled import FOLDER as SOURCES
from harness.wirediff.compiled import native_function
from harness.wirediff.frozen import Frozen
from harness.wirediff.lexicon import LEXICON_PATH, Lexicon, lexicon
from harness.wirediff.openers import nonempty_openers, within_a_line
from harness.wirediff.tokens import joined_marks_in, token_arrays, token_units

_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
BOILERPLATE_KEY = "\x00"
_APOSTROPHE_KEY = str.maketrans(dict.fromkeys("’ʼ´`′‘", "'"))
SHINGLE_SIZE = 5  # words per shingle (containment and Jaccard of word 5-grams)
_POSSESSIVE = re.compile(r"(?P<base>.+?)(?P<suffix>['’ʼ´`′‘][sS])$")


# PreparedText.token_range's two searches in one C call where the core runs compiled
# (units.c): the offsets read as C integers, not compared through int objects' methods;
# the diff asks it for every edit's words (some 40 times a pair).
_TOKEN_RANGE = native_function("_units", "token_range")


@dataclass(frozen=True, slots=True)
class PreparedText(Frozen):
    """A text with token-level arrays; index ``i`` is the i-th token everywhere."""

    text: str
    tokens: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    is_word: tuple[bool, ...]
    keys: tuple[str, ...]
    units: tuple[str, ...]  # whitespace before the token + the token
    sentences: tuple[tuple[int, int], ...]  # token index ranges [lo, hi)
    boilerplate: tuple[str, ...]  # "dateline" / "wire_credit" / "byline" / ""
    sentence_keys: tuple[tuple[str, ...], ...]  # word keys per sentence (all keys if no word)
    flags: tuple[int, ...]  # Flag bits per token: what rules look for near a change
    words_before: tuple[int, ...]  # words among tokens 0..i-1, for i in 0..len (prefix sums)
    folded_words: tuple[str, ...]  # case-folded word tokens, for similarity

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        text: str,
        tokens: tuple[str, ...],
        starts: tuple[int, ...],
        ends: tuple[int, ...],
        is_word: tuple[bool, ...],
        keys: tuple[str, ...],
        units: tuple[str, ...],
        sentences: tuple[tuple[int, int], ...],
        boilerplate: tuple[str, ...],
        sentence_keys: tuple[tuple[str, ...], ...],
        flags: tuple[int, ...],
        words_before: tuple[int, ...],
        folded_words: tuple[str, ...],
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "tokens", tokens)
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "ends", ends)
        object.__setattr__(self, "is_word", is_word)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "sentences", sentences)
        object.__setattr__(self, "boilerplate", boilerplate)
        object.__setattr__(self, "sentence_keys", sentence_keys)
        object.__setattr__(self, "flags", flags)
        object.__setattr__(self, "words_before", words_before)
        object.__setattr__(self, "folded_words", folded_words)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def word_types(self) -> frozenset[str]:
        """Distinct folded words.

        Made on demand: the diff counts shared word types as it counts shared
        5-grams (:func:`harness.wirediff.similarity.shingle_counts`, 1-grams), with
        no set built per text.
        """
        return frozenset(self.folded_words)

    @property
    def shingles(self) -> frozenset[str]:
        """Word 5-grams of the folded words, space-joined.

        Made on demand: the diff counts shared 5-grams as tuples of words
        (:func:`harness.wirediff.similarity.shingle_counts`), which is cheaper
        than building these strings for every text.
        """
        words = self.folded_words
        return frozenset(map(" ".join, zip(*(words[k:] for k in range(SHINGLE_SIZE)), strict=False)))

    @property
    def trailing(self) -> str:
        """Whitespace after the last token (the whole text when it has none)."""
        return self.text[self.ends[-1] :] if self.ends else self.text

    def unit_start(self, index: int) -> int:
        """Offset where unit ``index`` begins: the end of the previous token."""
        return self.ends[index - 1] if index > 0 else 0

    def span(self, lo: int, hi: int) -> tuple[int, int]:
        """Character span of units ``lo..hi`` (empty span at ``lo`` when lo == hi)."""
        start = self.unit_start(lo)
        return (start, self.ends[hi - 1]) if hi > lo else (start, start)

    def word_count(self, lo: int = 0, hi: int | None = None) -> int:
        return self.words_before[len(self.tokens) if hi is None else hi] - self.words_before[lo]

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices of the tokens lying inside characters ``start..end``."""
        if _TOKEN_RANGE is not None:
            found: tuple[int, int] = _TOKEN_RANGE(self.starts, self.ends, start, end)
            return found
        return bisect_left(self.starts, start), bisect_right(self.ends, end)


class Flag:
    """Bits of :attr:`PreparedText.flags`: the word classes rules look for.

    ``Final``: compiled (mypyc), a rule reads them as constants from the class.
    """

    TITLE: Final = 1
    SPEECH_VERB: Final = 2
    MONTH: Final = 4
    NUMBER: Final = 8
    TITLE_BEFORE_NAME: Final = 16  # a title noun followed by a capitalised word (maybe after a comma)


def token_flags(key: str, lex: Lexicon) -> int:
    flags = 0
    if key in lex.title_nouns:
        flags |= Flag.TITLE
    if key in lex.speech_verbs:
        flags |= Flag.SPEECH_VERB
    if key in lex.months:
        flags |= Flag.MONTH
    if key[:1].isdigit() or key in lex.percent_words or key in lex.percent_phrase:
        flags |= Flag.NUMBER
    return flags


def split_possessive(word: str) -> tuple[str, str]:
    """``("Zelenskiy", "'s")`` for ``Zelenskiy's``; ``(word, "")`` otherwise."""
    found = _POSSESSIVE.fullmatch(word)
    if found is None:
        return word, ""
    return found.group("base"), "'s"


def fold_name_ending(folded: str, lex: Lexicon) -> str:
    """Fold -iy / -yy / -ii endings of transliterated names to one form."""
    for ending in lex.name_endings:
        if folded.endswith(ending):
            return folded[: -len(ending)] + lex.name_ending_fold
    return folded


def fold_word(word: str, lex: Lexicon) -> str:
    """Alignment key of a word: case, dots, spelling and transliteration folded."""
    base, suffix = split_possessive(word)
    base = base.translate(_APOSTROPHE_KEY)
    capitalised = base[:1].isupper()
    folded = base.replace(".", "").casefold() if "." in base else base.casefold()
    folded = lex.number_words.get(folded, folded)
    folded = lex.expansions.get(folded, folded)
    folded = lex.british_to_american(folded)
    group = lex.transliterations.get(folded)
    if group is not None:
        folded = group.casefold()
    elif capitalised and len(folded) >= 5:
        folded = fold_name_ending(folded, lex)
    return folded + suffix


@lru_cache(maxsize=1 << 16)
def key_flags(key: str) -> int:
    """Memoised :func:`token_flags` under the packaged lexicon."""
    return token_flags(key, lexicon())


@lru_cache(maxsize=1 << 16)
def fold_key(token: str) -> str:
    """Alignment key of one token (memoised: news copy repeats its words)."""
    lex = lexicon()
    if len(token) == 1 and not token.isalnum():
        if token in lex.quote_marks:
            return '"'
        if token in lex.dashes:
            return "-"
        return token
    if token[0].isdigit():
        return token.replace(",", "") if _THOUSANDS.fullmatch(token) else token.casefold()
    return fold_word(token, lex)


def _token_facts(token: str) -> tuple[str, int, str]:
    """(alignment key, flags, case-folded form) of a token: one memo lookup per token, not three."""
    key = fold_key(token)
    lowered = token.casefold()
    # Equal strings as one object ("said": key and folded form): a prepared text's
    # columns then point at fewer objects, which every stage reads again.
    return key, key_flags(key), key if lowered == key else lowered


_FACTS: dict[str, tuple[str, int, str]] = {}
_KEY, _FLAGS, _LOWERED = itemgetter(0), itemgetter(1), itemgetter(2)  # columns of a fact
_FACTS_LIMIT = 1 << 16  # distinct tokens remembered; past it the memo starts afresh (bounded memory)


_K = TypeVar("_K")
_V = TypeVar("_V")


def _remembered(keys: list[_K], memo: dict[_K, _V], limit: int, compute: Callable[[_K], _V]) -> list[_V]:
    """``[compute(k) for k in keys]`` through the plain dict ``memo``.

    ``map(dict.get, ...)`` looks every key up in one C loop (a third of what an
    ``lru_cache`` call per key costs); only keys not seen before are computed. Past
    ``limit`` entries the memo starts afresh (bounded memory).
    """
    found: list[_V | None] = list(map(memo.get, keys))
    if None in found:
        if len(memo) > limit:
            memo.clear()
        for index in [i for i, value in enumerate(found) if value is None]:
            key = keys[index]
            value = memo.get(key)
            if value is None:
                value = memo[key] = compute(key)
            found[index] = value
    return found  # type: ignore[return-value]  # no None left


def token_facts(texts: list[str]) -> list[tuple[str, int, str]]:
    """:func:`_token_facts` of every token, from a plain dict memo."""
    return _remembered(texts, _FACTS, _FACTS_LIMIT, _token_facts)


UnitFact = tuple[str, int, bool, str, int, str]
"""What a unit (whitespace + token) gives: token, its length, is it a word, key, flags, folded form."""

_UNITS: dict[str, UnitFact] = {}
_UNITS_LIMIT = 1 << 16  # distinct units remembered (bounded memory, as ``_FACTS``)
_U_TOKEN, _U_LENGTH, _U_WORD, _U_KEY, _U_FLAGS, _U_LOWERED = (itemgetter(k) for k in range(6))


def _unit_fact(unit: str) -> UnitFact:
    """A token is its unit less the leading whitespace; a word when it starts with a word
    character (``str.isalnum`` or "_", as :func:`harness.wirediff.tokens.token_arrays` says)."""
    token = unit.lstrip()
    # A new unit is mostly a known token after other whitespace (" The" / "\n\nThe"):
    # the token memo answers it with one lookup.
    found = _FACTS.get(token)
    if found is None:
        if len(_FACTS) > _FACTS_LIMIT:
            _FACTS.clear()
        found = _FACTS[token] = _token_facts(token)
    key, flags, lowered = found
    # The token as the same object as its key or folded form when equal (see _token_facts).
    token = key if token == key else lowered if token == lowered else token
    return token, len(token), token[0].isalnum() or token[0] == "_", key, flags, lowered


def unit_facts(units: list[str]) -> list[UnitFact]:
    """:func:`_unit_fact` of every unit, from a plain dict memo (as :func:`token_facts`).

    News copy repeats its units (" the", " said", ","), so one lookup per unit
    replaces stripping, the word test and the token memo's lookup.
    """
    return _remembered(units, _UNITS, _UNITS_LIMIT, _unit_fact)


class _Columns(NamedTuple):
    """The per-token sequences :func:`prepare` builds on (tuples where it keeps them as they are)."""

    texts: Sequence[str]
    starts: Sequence[int]
    ends: Sequence[int]
    is_word: Sequence[bool]
    units: Sequence[str]
    folded: tuple[str, ...]
    flags: list[int]  # title names are marked in place
    # The words' own columns (``compress(folded, is_word)`` and the lowered forms of the
    # words), read in the same pass: two more passes over every token otherwise.
    word_folded: tuple[str, ...]
    word_lowered: tuple[str, ...]


_UNIT_COLUMNS = native_function("_units", "unit_columns")  # None: the sources run (compiled.py)


def _columns(text: str) -> _Columns:
    """Tokens, offsets and token facts of ``text``.

    Most texts go by units (:func:`token_units`, :func:`unit_facts`): a column
    read (``map`` with an item getter, in C) per field, made a tuple at once
    (``tuple()`` of a tuple in :func:`prepare` is the same object, no copy). A
    text the unit path does not take goes by :func:`token_arrays` and
    :func:`token_facts`, with the same answer (``tests/test_wirediff_speed.py``
    checks the two agree). Compiled, the unit path is one loop in C
    (``units.c``: the same pattern, memo and facts).
    """
    if _UNIT_COLUMNS is not None:
        joined = joined_marks_in(text)
        if joined is None:
            return _plain_columns(text)
        return _Columns._make(_UNIT_COLUMNS(text, joined, _UNITS, _UNITS_LIMIT, _unit_fact))
    units = token_units(text)
    return _plain_columns(text) if units is None else unit_columns(units)


# The same counts by a C loop where the core runs compiled (units.c), as shared int
# objects: the counts are as many ints as the text has tokens, each one allocated and
# later freed otherwise.
_RUNNING_COUNTS = native_function("_units", "running_counts")


def running_counts(flags: tuple[bool, ...]) -> tuple[int, ...]:
    """How many of ``flags`` are true before each position, as ints (``accumulate(flags)``
    alone would give the first flag itself, a bool)."""
    if _RUNNING_COUNTS is not None:
        counts: tuple[int, ...] = _RUNNING_COUNTS(flags)
        return counts
    return tuple(accumulate(flags, initial=0))


def unit_columns(units: list[str]) -> _Columns:
    """The columns of a text's units (:func:`token_units`), from the unit memo
    (what ``units.c`` does in one loop, compiled)."""
    facts = unit_facts(units)
    ends = tuple(accumulate(map(len, units)))
    is_word, folded, lowered = tuple(map(_U_WORD, facts)), tuple(map(_U_KEY, facts)), tuple(map(_U_LOWERED, facts))
    return _Columns(
        texts=tuple(map(_U_TOKEN, facts)),
        starts=tuple(map(sub, ends, map(_U_LENGTH, facts))),
        ends=ends,
        is_word=is_word,
        units=tuple(units),
        folded=folded,
        flags=list(map(_U_FLAGS, facts)),
        word_folded=tuple(compress(folded, is_word)),
        word_lowered=tuple(compress(lowered, is_word)),
    )


def _plain_columns(text: str) -> _Columns:
    """:func:`_columns` by :func:`token_arrays` and :func:`token_facts` (every text)."""
    found = token_arrays(text)
    facts = token_facts(found.texts)
    is_word, folded, lowered = tuple(found.is_word), tuple(map(_KEY, facts)), tuple(map(_LOWERED, facts))
    return _Columns(
        texts=tuple(found.texts),
        starts=tuple(found.starts),
        ends=tuple(found.ends),
        is_word=is_word,
        units=tuple(found.units),
        folded=folded,
        flags=list(map(_FLAGS, facts)),
        word_folded=tuple(compress(folded, is_word)),
        word_lowered=tuple(compress(lowered, is_word)),
    )


# The same ranges by a C loop where the core runs compiled (units.c): a bisect per sentence
# through the interpreter's call and int comparisons otherwise (about 3% of a pair).
_SENTENCE_RANGES = native_function("_units", "sentence_ranges")


def _sentence_ranges(text: str, starts: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Token ranges of sentences; a token belongs to the sentence it starts in
    (tokens before the first sentence, to the first)."""
    if not starts:
        return ()
    if _SENTENCE_RANGES is not None:
        ranges: tuple[tuple[int, int], ...] = _SENTENCE_RANGES(starts, sentence_bounds(text))
        return ranges
    return sentence_ranges_in_python(starts, sentence_bounds(text))


def sentence_ranges_in_python(starts: Sequence[int], bounds: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """:func:`_sentence_ranges` given the text's ``sentence_bounds`` (the definition the C loop follows)."""
    if not starts:
        return ()
    cuts = [bisect_left(starts, start) for start, _ in bounds[1:]]
    edges = [0, *cuts, len(starts)]
    return tuple((lo, hi) for lo, hi in zip(edges, edges[1:], strict=False) if hi > lo)


def _with_title_names(flags: list[int], texts: Sequence[str]) -> tuple[int, ...]:
    """Mark title nouns that stand before a capitalised word ("President Putin",
    "president, Putin"): the title rule only looks near one of those."""
    complements = lexicon().title_complements
    for i in range(len(flags)):
        if not flags[i] & Flag.TITLE:
            continue  # most tokens: one test in the compiled loop
        j = i + 1
        # "Secretary of State Antony Blinken": the name follows the complement.
        if j + 1 < len(texts) and texts[j].casefold() == "of" and texts[j + 1].casefold() in complements:
            j += 1
            while j + 1 < len(texts) and texts[j + 1].casefold() in complements:
                j += 1
            j += 1
        after = texts[j + 1] if j + 1 < len(texts) and texts[j] == "," else texts[j] if j < len(texts) else ""
        if after[:1].isupper():
            flags[i] |= Flag.TITLE_BEFORE_NAME
    return tuple(flags)


def _sentence_keys(
    keys: Sequence[str], word_keys: Sequence[str], words_before: tuple[int, ...], lo: int, hi: int
) -> tuple[str, ...]:
    """What sentence alignment compares: the word keys (all keys when none).

    ``word_keys`` are the keys of the word tokens only, so a sentence's word keys
    are one slice of it (``words_before`` maps token to word positions).
    """
    return tuple(word_keys[words_before[lo] : words_before[hi]]) or tuple(keys[lo:hi])


@cache
def required_literal(regex: re.Pattern[str]) -> str:
    """The longest run of plain characters that every match of ``regex`` contains ("" if none).

    Read from the parsed pattern: a literal standing at its top level (not inside
    a group, alternation or repeat) is consumed by every match, and neighbouring
    ones in one piece. A text without that run cannot match, so the pattern's scan
    of it (the costly part of the boilerplate mask) is skipped. Case-insensitive
    patterns, or anything the parser does not give as expected, get "" (always scanned).
    """
    return _required_literal(regex, None)


def _required_literal(regex: re.Pattern[str], parsed: Any) -> str:
    """:func:`required_literal` from re's parse of ``regex`` when the caller has it (``parsed``)."""
    if regex.flags & re.IGNORECASE:
        return ""
    try:
        parser: Any = importlib.import_module("re._parser")  # CPython's own parse of the pattern
        items = list(parser.parse(regex.pattern, regex.flags) if parsed is None else parsed)
        literal = parser.LITERAL
    except Exception:  # another Python: no shortcut, same answer
        return ""
    best = run = ""
    for op, argument in items:
        if op is literal:
            run += chr(argument)
        else:
            best, run = max(best, run, key=len), ""
    return max(best, run, key=len)


@cache
def line_anchor(regex: re.Pattern[str]) -> str:
    """Where ``regex`` can match, read from its leading ``^``: "text" (its start
    only, no MULTILINE), "line" (the start of a line, MULTILINE) or "" (anywhere).

    Read from the parsed pattern, as :func:`required_literal` is; anything
    unexpected gets "" (scanned as before).
    """
    return _line_anchor(regex, None)


def _line_anchor(regex: re.Pattern[str], parsed: Any) -> str:
    """:func:`line_anchor` from re's parse of ``regex`` when the caller has it (``parsed``)."""
    try:
        parser: Any = importlib.import_module("re._parser")
        items = list(parser.parse(regex.pattern, regex.flags) if parsed is None else parsed)
    except Exception:  # another Python: no shortcut, same answer
        return ""
    if not items or items[0][0] is not parser.AT or items[0][1] is not parser.AT_BEGINNING:
        return ""
    return "line" if regex.flags & re.MULTILINE else "text"


_NEWLINE = re.compile("\n")


def _line_starts(text: str) -> list[int]:
    return [0, *(newline.end() for newline in _NEWLINE.finditer(text))]


class _MaskPattern:
    """A boilerplate pattern with what the mask reads of it before scanning a text
    (:func:`required_literal`, :func:`line_anchor`, the characters a match opens with).

    Found once per lexicon (:func:`_mask_patterns`), not looked up per text: the
    lookups are keyed by the compiled pattern, whose hash CPython computes afresh
    on every call from the whole compiled program (thousands of code words for the
    agency alternations), about 3,000 instructions a lookup.
    """

    def __init__(self, regex: re.Pattern[str], category: str, reading: MaskReading | None = None) -> None:
        self.regex = regex
        self.category = category
        self.needed, self.anchor, self.opens, self.line_literal = reading or mask_reading(regex)


# What the mask reads of a pattern: (required literal, line anchor, the characters a match
# may open with or None, the literal looked for line by line or "").
MaskReading = tuple[str, str, frozenset[str] | None, str]


def mask_reading(regex: re.Pattern[str]) -> MaskReading:
    """``regex``'s reading for the mask, from one parse (a lexicon's patterns hold long
    alternations): :func:`required_literal`, :func:`line_anchor`, the characters a
    non-empty match opens with (anchored patterns only), and the required literal again
    when the pattern is tried at line starts and never takes in a line break (it must
    then stand in the line itself, looked for there rather than in the text)."""
    parsed = _parse(regex)
    needed = _required_literal(regex, parsed)
    anchor = _line_anchor(regex, parsed)
    opens = nonempty_openers(regex, parsed) if anchor else None
    line_literal = needed if anchor == "line" and needed and within_a_line(regex, parsed) else ""
    return needed, anchor, opens, line_literal


def _parse(regex: re.Pattern[str]) -> Any:
    """re's parse of ``regex``; None where there is no such parser (each reading then
    parses for itself, and gives up as it would)."""
    try:
        parser: Any = importlib.import_module("re._parser")
        return parser.parse(regex.pattern, regex.flags)
    except Exception:  # another Python
        return None


# The lexicon's boilerplate patterns and their mask patterns, made for the last lexicon seen
# (held here, so that the identity test below never meets another tuple at the same address).
_MASK_FOR: list[tuple[tuple[Any, ...], tuple[_MaskPattern, ...]]] = []


def _mask_patterns(lex: Lexicon) -> tuple[_MaskPattern, ...]:
    if not _MASK_FOR or _MASK_FOR[0][0] is not lex.boilerplate:
        kept = _packaged_readings()
        made = tuple(
            _MaskPattern(p.regex, p.category, kept.get((p.regex.pattern, p.regex.flags))) for p in lex.boilerplate
        )
        _MASK_FOR[:] = [(lex.boilerplate, made)]
    return _MASK_FOR[0][1]


def _packaged_readings() -> dict[tuple[str, int], MaskReading]:
    """The readings of the packaged lexicon's patterns by (source, flags), kept in the
    table cache (:mod:`harness.tablecache`) by the lexicon file's contents, the code that
    makes the patterns and reads them (``lexicon.py``, this module's and ``openers``'
    sources) and the Python version (re's parser). Reading them back takes well under a
    millisecond; making them parses every pattern, about 8 ms of each process's start.
    Another lexicon's patterns are read afresh."""
    from harness.tablecache import load_or_build

    return load_or_build(
        "mask-readings",
        sources=[LEXICON_PATH],
        versions=[f"python {sys.version}"],
        build=_built_readings,
        decode=_decoded_readings,
        arrays=False,
        code=[SOURCES / "lexicon.py", SOURCES / "prepare.py", SOURCES / "openers.py"],
    )


def _built_readings() -> Stored:
    readings = [(p.regex.pattern, p.regex.flags, *mask_reading(p.regex)) for p in lexicon().boilerplate]
    return Stored(value=tuple(readings))


def _decoded_readings(stored: Stored) -> dict[tuple[str, int], MaskReading]:
    """The readings of a stored or fresh table, each checked for its types."""
    readings: dict[tuple[str, int], MaskReading] = {}
    for source, flags, needed, anchor, opens, line_literal in stored.value:
        if opens is not None and not all(isinstance(char, str) for char in opens):
            raise ValueError("a stored reading's opening characters are not characters")
        if anchor not in ("", "text", "line"):
            raise ValueError("a stored reading's anchor is not one of the three")
        chars = None if opens is None else frozenset(opens)
        readings[(str(source), int(flags))] = (str(needed), str(anchor), chars, str(line_literal))
    return readings


def _matches(regex: re.Pattern[str], text: str, line_starts: list[int]) -> list[re.Match[str]]:
    """``list(regex.finditer(text))``, trying a pattern anchored by ``^`` only where ``^`` holds
    (see :func:`_pattern_matches`)."""
    return _pattern_matches(_mask_pattern(regex), text, line_starts)


@cache
def _mask_pattern(regex: re.Pattern[str]) -> _MaskPattern:
    """``regex``'s readings for :func:`_matches`, made once (a caller tries it line by line)."""
    return _MaskPattern(regex, "")


def _pattern_matches(pattern: _MaskPattern, text: str, line_starts: list[int]) -> list[re.Match[str]]:
    """``list(pattern.regex.finditer(text))``, trying a pattern anchored by ``^`` only where ``^`` holds.

    ``finditer`` would try the anchor at every position of the text. Without
    MULTILINE only position 0 can match; with it, the starts of lines
    (``line_starts``: 0 and after each "\n"), tried in order from where the last
    match ended, as ``finditer`` goes on (``match`` at a position sees the text
    before it, so ``^`` and lookbehinds read as in a search). A start whose
    character no match can open with is passed over (:mod:`harness.wirediff.openers`,
    only for patterns that cannot match nothing; a blank line's start, mostly).
    A pattern that never takes in a line break (:func:`harness.wirediff.openers.within_a_line`)
    is tried only at lines that hold its required literal (:func:`required_literal`).
    An empty match (no boilerplate pattern makes one) sends the text to
    ``finditer``, whose rules for what follows one are its own.
    """
    regex, anchor, opens, literal = pattern.regex, pattern.anchor, pattern.opens, pattern.line_literal
    if not anchor:
        return list(regex.finditer(text))
    found: list[re.Match[str]] = []
    resume = 0
    starts = [0] if anchor == "text" else line_starts
    for k, start in enumerate(starts):
        if start < resume:
            continue
        if opens is not None:
            if start == len(text):
                continue  # no character to open a match, and the pattern matches no empty string
            char = text[start]
            if char.isascii() and char.lower() not in opens:
                continue
        if literal and text.find(literal, start, starts[k + 1] - 1 if k + 1 < len(starts) else len(text)) < 0:
            continue  # a match would lie in this line, and every one holds the literal
        match = regex.match(text, start)
        if match is None:
            continue
        if match.end() == match.start():
            return list(regex.finditer(text))
        found.append(match)
        resume = match.end()
    return found


def _boilerplate_mask(text: str, starts: Sequence[int], ends: Sequence[int], lex: Lexicon) -> tuple[str, ...]:
    """Per token: the boilerplate category of the first pattern covering it."""
    mask = [""] * len(starts)
    line_starts: list[int] = []  # found once, for the first pattern anchored at lines
    for pattern in _mask_patterns(lex):
        if pattern.needed and not pattern.line_literal and pattern.needed not in text:
            continue  # no match possible (a pattern with a line literal looks in each line instead)
        if not line_starts and pattern.anchor == "line":
            line_starts = _line_starts(text)
        for found in _pattern_matches(pattern, text, line_starts):
            lo = bisect_left(starts, found.start())
            hi = bisect_right(ends, found.end())
            for index in range(lo, hi):
                if not mask[index]:
                    mask[index] = pattern.category
    return tuple(mask)


@collector_paused
def prepare(text: str) -> PreparedText:
    """Tokenise, split into sentences, fold keys and mark boilerplate."""
    return prepare_unpaused(text)


def prepare_unpaused(text: str) -> PreparedText:
    """:func:`prepare` without its pause of the collector: for the diff's own calls,
    made inside a pause already (``collector_paused`` is an interpreted wrapper)."""
    lex = lexicon()
    # Tokenised with apostrophe-like marks as apostrophes (same offsets), so that
    # "Russia´s" is one word like "Russia's"; the tokens keep the text as written.
    # Per-token work is done with map/compress (C loops), not Python loops: this
    # is most of a comparison's cost.
    found = _columns(text)
    texts, starts, ends, is_word = found.texts, found.starts, found.ends, found.is_word
    mask = _boilerplate_mask(text, starts, ends, lex)
    # Boilerplate keys live apart, so that "ISTANBUL" in a dateline never aligns
    # with "Istanbul" in the other text's first sentence.
    folded, flags = found.folded, found.flags
    if any(mask):
        keys = tuple(BOILERPLATE_KEY + k if m else k for k, m in zip(folded, mask, strict=True))
        word_keys = tuple(compress(keys, is_word))
    else:  # most texts: the keys are the folded forms, and the words' keys a column already
        keys, word_keys = folded, found.word_folded
    words_before = running_counts(tuple(is_word))  # tuple of a tuple: the same object
    sentences = _sentence_ranges(text, starts)
    return PreparedText(
        text=text,
        tokens=tuple(texts),
        starts=tuple(starts),
        ends=tuple(ends),
        is_word=tuple(is_word),
        keys=keys,
        units=tuple(found.units),
        sentences=sentences,
        boilerplate=mask,
        sentence_keys=tuple(_sentence_keys(keys, word_keys, words_before, lo, hi) for lo, hi in sentences),
        flags=_with_title_names(flags, texts),
        words_before=words_before,
        folded_words=found.word_lowered,
    )
