"""Sentence splitting with Punkt, seeded with news abbreviations.

NLTK's pretrained punkt model cannot be downloaded here (and a research tool must
not download silently), so we build an untrained Punkt tokenizer and hand it a
versioned list of abbreviations (``resources/data/news_abbreviations.txt``). That
keeps "U.S. President Donald Trump" in one sentence. Line breaks are paragraph
breaks: scraped news text carries one paragraph per line, and a headline never
runs on into the first sentence of the body.

Two implementations, one answer
-------------------------------
``punkt_split_sentences`` is the reference: every paragraph goes through NLTK's
``PunktSentenceTokenizer.span_tokenize``. It is slow (about 1 s for the 2,225 BBC
bodies), mostly because NLTK decides every candidate break by re-tokenising a small
"context" string into ``PunktToken`` objects and running both annotation passes over
them, and because it finds the word before each candidate with a per-character
Python loop.

``split_sentences`` is the fast path and returns exactly the same sentences
(about 8x faster on the BBC bodies). It re-implements the *flow* of
``span_tokenize`` step for step (NLTK 3.10.4: ``_match_potential_end_contexts``,
``_slices_from_text``, ``_realign_boundaries``) and keeps NLTK's quirks on purpose
(a whitespace at offset 0 of the gap since the previous candidate counts as none;
overlapping candidates such as "!!!" leave only the last one). The speed comes from:

* one scan of the whole text for candidates with NLTK's own ``period_context_re``,
  compiled with ``re`` and with CR/LF kept out of its whitespace (see
  ``_line_period_context`` for why that finds exactly the per-paragraph matches);
  the NLTK patterns it runs are kept here as text (``_PERIOD_CONTEXT``), so NLTK
  itself (about 0.25 s to import) loads only when a candidate needs its decision;
* ``str.rfind`` for the last ASCII whitespace instead of NLTK's character loop;
  ``str.split`` for the paragraphs (the spans of ``[^\r\n]+``); the realignment
  regex tried only where a sentence starts with one of its opening characters;
* above all, deciding candidates without building ``PunktToken`` objects.

The decision. Our ``PunktParameters`` are untrained: only ``abbrev_types`` is set,
collocations and sentence starters are empty and every orthographic context is 0.
Reading ``_first_pass_annotation``, ``_second_pass_annotation`` and
``_ortho_heuristic`` under those parameters: the orthographic heuristic never says
"sentence starter"; it says "not a starter" for a lone ``; : , . ! ?`` or a word
starting lower-case and "unknown" otherwise. So the second pass never *adds* a
break; it only removes one from a number (next token "not a starter") or an
initial (next token "not a starter" or upper-case). Only tokens holding a
sentence-end character can be breaks at all, and ``text_contains_sentbreak`` is
True when a break is followed by another token. Hence, for a candidate's context
``word + stop + after`` (``after`` is one punctuation character or whitespace and
the next word):

1. Stop ``?``, ``!`` or a CJK/Devanagari stop: a non-word character to Punkt's word
   tokenizer, so a token of its own, a break in the first pass, never removed, and
   followed by the after-token -> True.
2. Stop ``.``: ``word`` is split the way Punkt's word tokenizer would
   (``_word_kind``): after a non-word character (``said".``) the stop is a token of
   its own and a break -> True. ``word...`` ends in an ellipsis token, no break.
   Otherwise, when the part of ``word`` before its last token has no sentence-end
   character, the last token ``tail + "."`` gets Punkt's own tests (abbreviation
   list incl. the last hyphen part, NLTK's initial and number regexes): a plain
   break -> True; a number or initial -> the heuristic on the next token's first
   character decides; an abbreviation -> no break here.
3. No break at the stop: only a break inside the next word followed by another of
   its tokens could count, so a next word with no sentence-end character before its
   last character -> False.

Whatever these rules do not settle (about 0.1% of BBC candidates: odd whitespace
inside the word, ``--``, several stops in one word, a next word starting with
``. ! ?`` after a number or initial) goes to NLTK's own ``text_contains_sentbreak``
(memoised per context). Memos are emptied by ``clear_sentence_caches``.

The tests (``tests/test_text_sentences_fast.py``) check equality with the reference
on the seed page, on a BBC sample (or synthetic text) and on hypothesis-generated
text built from the troublesome cases (abbreviations, initials, numbers, ellipses,
quotes and brackets after stops, CJK and Devanagari stops, odd whitespace).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

import regex

from harness.resources import Resource, packaged_resource

__all__ = [
    "ABBREVIATIONS_FILE",
    "PunktHooks",
    "Sentence",
    "abbreviations_resource",
    "clear_sentence_caches",
    "punkt_hooks",
    "punkt_split_sentences",
    "sentence_bounds",
    "sentence_spans",
    "sentence_spans_in_python",
    "split_sentences",
    "text_resources",
]

ABBREVIATIONS_FILE = "news_abbreviations.txt"

_PARAGRAPH_RE = re.compile(r"[^\r\n]+")
_HAS_WORD = re.compile(r"\w")


# Punkt's English sentence ends, plus the full stops of CJK and Devanagari text:
# non-English articles are flagged rather than scored as English, but they must
# still split into sentences at their own full stops (``_news_language_vars``).
SENT_END_CHARS = (".", "?", "!", "\u3002", "\uff01", "\uff1f", "\u0964")
_SENT_END_CHARS = frozenset(SENT_END_CHARS)

# The patterns of NLTK 3.10.4's Punkt that the fast path runs, for the language
# variables above: (source, flags of the ``regex`` engine). Kept here so that
# splitting sentences does not import NLTK (about 0.25 s: ``import nltk`` loads the
# whole toolkit) until a candidate needs NLTK's own decision, which few texts have
# (module docstring). ``_punkt`` checks them against NLTK's when it loads it, and
# tests/test_text_sentences_fast.py checks them too.
_PERIOD_CONTEXT = (
    (
        '\n        [\\.\\?!。！？।]             # a potential sentence ending'
        '\n        (?=(?P<after_tok>'
        '\n            (?:[)\\";}\\]\\*:@\\\'\\({\\[\\u2018\\u2019\\u201c\\u201d\\xab\\xbb!\\?।。！？])              # either other punctuation'
        '\n            |'
        '\n            \\s+(?P<next_tok>\\S+)     # or whitespace and some other token'
        '\n        ))'
    ),
    8288,
)
_BOUNDARY_REALIGNMENT = ('["\\\')\\]}\\u2018\\u2019\\u201c\\u201d\\xab\\xbb]+?(?:\\s+|(?=--)|$)', 8232)
_RE_INITIAL = ('[^\\W\\d]\\.$', 8224)
_RE_NUMERIC = ('^-?[\\.,]?\\d[\\d,\\.-]*\\.?$', 8224)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int


# A sentence as (text, start, end): what ``split_sentences`` returns, without building
# an object per sentence (the core suite puts them straight into columns).
_Span = tuple[str, int, int]


def abbreviations_resource() -> Resource:
    return packaged_resource(ABBREVIATIONS_FILE)


def _news_language_vars() -> Any:
    """Punkt's English variables with :data:`SENT_END_CHARS` (imports NLTK)."""
    from nltk.tokenize.punkt import PunktLanguageVars

    class NewsLanguageVars(PunktLanguageVars):  # type: ignore[misc]  # nltk is untyped
        sent_end_chars = SENT_END_CHARS

    return NewsLanguageVars()


@cache
def _punkt() -> Any:
    """NLTK's Punkt tokenizer with the news abbreviations: the reference, and the fast
    path's fallback. Imports NLTK, without scipy.stats (``harness.text.nltk_import``)."""
    from harness.text import nltk_import  # noqa: F401  # first: NLTK without scipy.stats (see there)
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = set(abbreviations_resource().lines())
    tokenizer = PunktSentenceTokenizer(params, lang_vars=_news_language_vars())
    if _nltk_patterns(tokenizer) != (_PERIOD_CONTEXT, _BOUNDARY_REALIGNMENT, _RE_INITIAL, _RE_NUMERIC):
        raise RuntimeError("NLTK's Punkt patterns changed; re-check harness/text/sentences.py")
    return tokenizer


def _nltk_patterns(tokenizer: Any) -> tuple[tuple[str, int], ...]:
    """NLTK's own (source, flags) of the kept patterns, in their form here: NLTK lists the
    other sentence ends in its candidate pattern in a set's order, which varies with
    string hashing from process to process; here they are sorted (same character class)."""
    from nltk.tokenize.punkt import PunktToken

    lang_vars = tokenizer._lang_vars
    found = [(getattr(p, "pattern"), getattr(p, "flags")) for p in (
        lang_vars.period_context_re(), lang_vars.re_boundary_realignment, PunktToken._RE_INITIAL, PunktToken._RE_NUMERIC
    )]
    others = set(SENT_END_CHARS) - {"."}  # as NLTK's _re_non_word_chars builds it
    source, flags = found[0]
    found[0] = (source.replace(re.escape("".join(others)), re.escape("".join(sorted(others))), 1), flags)
    return tuple(found)


# -- the reference -------------------------------------------------------------------


def punkt_split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets, straight from NLTK's Punkt (the reference)."""
    tokenizer = _punkt()
    out: list[Sentence] = []
    for para in _PARAGRAPH_RE.finditer(text):
        _append_sentences(out, para.group(), para.start(), tokenizer.span_tokenize(para.group()))
    return out


def _append_sentences(out: list[Sentence], para: str, base: int, spans: Iterable[tuple[int, int]]) -> None:
    for start, end in spans:
        chunk = para[start:end]
        # A span can begin with a paragraph's indentation; a sentence starts at
        # its first visible character. A span with no word at all ("***",
        # "— …") is decoration, not a sentence.
        indent = len(chunk) - len(chunk.lstrip())
        chunk = chunk[indent:].rstrip()
        if _HAS_WORD.search(chunk):
            out.append(Sentence(chunk, base + start + indent, base + start + indent + len(chunk)))


# -- the fast path -------------------------------------------------------------------

# Characters Punkt's word tokenizer ends a word before (``_re_non_word_chars``) and
# characters that cannot start a word (``_re_word_start`` negated). The tests check
# both sets against NLTK's own character classes over every code point.
_NON_WORD_CHARS = frozenset(")\";}]*:@'({[\u2018\u2019\u201c\u201d\xab\xbb") | (
    frozenset(SENT_END_CHARS) - {"."}
)
_NOT_WORD_START = frozenset('("`{[:;&#*@)}]-,')
# Punkt's ``PUNCTUATION``: a token equal to one of these is "not a sentence starter".
_PUNKT_PUNCTUATION = frozenset(";:,.!?")
# One-character tokens for sure (never the start of a longer token): a next word that
# starts with one of them is "not a sentence starter".
_LONE_PUNCTUATION = frozenset(",;:")
# NLTK's ``_get_last_whitespace_index`` looks for ``string.whitespace`` only. A space
# is by far the most common; tabs and form feeds are looked for only when present
# (line breaks never are: they separate paragraphs).
_RARE_ASCII_WHITESPACE = "\t\x0b\x0c"
# Opening characters of NLTK's ``re_boundary_realignment``: without one of them at a
# sentence's start the pattern cannot match, so the regex call is skipped.
_REALIGN_OPENERS = frozenset("\"')]}\u2018\u2019\u201c\u201d\xab\xbb")

# Whitespace to Python's ``re`` but not to the ``regex`` engine NLTK compiles with.
_RE_ONLY_WHITESPACE = r"\x1c-\x1f"
# Group numbers in the candidate pattern (checked when it is compiled).
_AFTER_TOK = 1
_NEXT_TOK = 2
_Match = re.Match[str]

# What the token ``word + "."`` does, whatever follows it (module docstring).
_ALWAYS_BREAK = 0  # a break, kept by the second pass
_NEVER_BREAK = 1  # an abbreviation or an ellipsis, and no break earlier in the word
_NUMBER = 2  # a number: a break unless the next token is "not a sentence starter"
_INITIAL = 3  # an initial: a break only if the next token is neither case nor punctuation
_UNSURE = 4  # ask NLTK


@dataclass(frozen=True, slots=True)
class _FastPunkt:
    """NLTK's patterns and abbreviations, loaded once, plus the fallback decider."""

    line_period_context: re.Pattern[str]
    realignment: regex.Pattern[str]
    initial: regex.Pattern[str]
    numeric: regex.Pattern[str]
    whitespace: regex.Pattern[str]
    abbreviations: frozenset[str]
    nltk_contains_sentbreak: Callable[[str], bool]


def _recompiled(kept: tuple[str, int]) -> regex.Pattern[str]:
    """An NLTK pattern (which NLTK wraps in nltk.redos's timeout guard) compiled plainly.

    Same source, same flags, same ``regex`` engine: the same matches, without the
    per-call wrapper and timeout bookkeeping.
    """
    compiled: regex.Pattern[str] = regex.compile(*kept)
    return compiled


def _line_period_context(kept: tuple[str, int]) -> re.Pattern[str]:
    """NLTK's candidate pattern, made to run once over a whole text with ``re``.

    Two changes, neither changing a match. (1) The only part that can reach past a
    line break is the whitespace before the next token; excluding CR and LF from it
    makes a match in the whole text exactly a match in the paragraph alone (the next
    token stops at a line break as it stops at the paragraph's end, and the stop and
    punctuation characters never are CR or LF). (2) ``re`` scans faster than the
    ``regex`` engine NLTK uses; the only difference the pattern can see is ``\\s``,
    which in ``regex`` excludes U+001C..U+001F (the tests compare the two classes
    over every code point), so those are spelled out.
    """
    source, flags = kept
    whitespace = r"\s+(?P<next_tok>\S+)"
    rest = source.replace(whitespace, "")
    engine_classes = ("\\s", "\\w", "\\d", "\\b")  # lower-cased: \S \W \D \B too
    if (
        source.count(whitespace) != 1
        or any(escape in rest.lower() for escape in engine_classes)
        or flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL)
    ):
        raise RuntimeError("NLTK's Punkt period-context pattern changed; re-check sentences.py")
    line_source = source.replace(
        whitespace, r"[^\S\r\n%s]+(?P<next_tok>[\S%s]+)" % (_RE_ONLY_WHITESPACE, _RE_ONLY_WHITESPACE)
    )
    compiled = re.compile(line_source, re.VERBOSE)
    if compiled.groupindex != {"after_tok": _AFTER_TOK, "next_tok": _NEXT_TOK}:
        raise RuntimeError("NLTK's Punkt period-context groups changed; re-check sentences.py")
    return compiled


@cache
def _fast_punkt() -> _FastPunkt:
    """The fast path's patterns and abbreviations, without importing NLTK (see ``_PERIOD_CONTEXT``)."""
    return _FastPunkt(
        line_period_context=_line_period_context(_PERIOD_CONTEXT),
        realignment=_recompiled(_BOUNDARY_REALIGNMENT),
        initial=_recompiled(_RE_INITIAL),
        numeric=_recompiled(_RE_NUMERIC),
        whitespace=regex.compile(r"\s", _PERIOD_CONTEXT[1]),
        abbreviations=frozenset(abbreviations_resource().lines()),
        nltk_contains_sentbreak=_nltk_contains_sentbreak,
    )


def _nltk_contains_sentbreak(context: str) -> bool:
    """NLTK's own decision (loads NLTK the first time: few texts ever ask)."""
    found: bool = _punkt().text_contains_sentbreak(context)
    return found


# Memoised results; ``clear_sentence_caches`` empties them for cold timings. They are
# emptied when they grow past ``_MEMO_LIMIT`` entries, so a long run over a large
# corpus keeps bounded memory.
_SENTBREAK_MEMO: dict[str, bool] = {}
_WORD_KINDS: dict[str, int] = {}
_MEMO_LIMIT = 200_000


def clear_sentence_caches() -> None:
    """Forget memoised Punkt decisions (for cold timings); data tables stay loaded."""
    _SENTBREAK_MEMO.clear()
    _WORD_KINDS.clear()


def _nltk_decision(punkt: _FastPunkt, context: str) -> bool:
    found = _SENTBREAK_MEMO.get(context)
    if found is None:
        if len(_SENTBREAK_MEMO) >= _MEMO_LIMIT:
            _SENTBREAK_MEMO.clear()
        found = _SENTBREAK_MEMO[context] = punkt.nltk_contains_sentbreak(context)
    return found


def _is_abbreviation(punkt: _FastPunkt, word: str) -> bool:
    """Punkt's first-pass abbreviation test for the token ``word + '.'``."""
    lower = word.lower()
    return lower in punkt.abbreviations or lower.split("-")[-1] in punkt.abbreviations


def _last_token_kind(punkt: _FastPunkt, word: str) -> int:
    """The kind of ``word + "."`` when it is a single Punkt token (or ``_UNSURE``)."""
    token = word + "."
    abbreviation = _is_abbreviation(punkt, word)
    if punkt.initial.match(token):
        return _NEVER_BREAK if abbreviation else _INITIAL
    typ = punkt.numeric.sub("##number##", token.lower())
    if len(typ) > 1 and typ[-1] == ".":
        typ = typ[:-1]
    if typ == "##number##":
        return _NEVER_BREAK if abbreviation else _NUMBER
    return _NEVER_BREAK if abbreviation else _ALWAYS_BREAK


def _word_kind(punkt: _FastPunkt, word: str) -> int:
    """What Punkt makes of ``word`` followed by our candidate ".", whatever follows.

    ``word`` runs from the last ASCII whitespace to the candidate. The cases are
    those of the module docstring (:func:`_word_kind_in_general`); anything else is
    ``_UNSURE``.
    """
    if len(word) > 1 and word.isascii() and word.isalpha():
        # Most words before a stop ("said.", "year."): ASCII letters only, so one token
        # with the stop, neither an initial (one letter) nor a number (no digit), and
        # no hyphen part: what the general steps and _last_token_kind conclude, sooner.
        return _NEVER_BREAK if word.lower() in punkt.abbreviations else _ALWAYS_BREAK
    return _word_kind_in_general(punkt, word)


def _word_kind_in_general(punkt: _FastPunkt, word: str) -> int:
    """:func:`_word_kind` for any ``word``, step by step."""
    if not word:
        return _ALWAYS_BREAK  # "said . Then": the stop alone is a token and a break
    if punkt.whitespace.search(word):
        return _UNSURE
    if word[-1] == ".":
        # "word..." tokenises as "word" and the ellipsis "...", which is no break.
        rest = word.rstrip(".")
        return _NEVER_BREAK if _SENT_END_CHARS.isdisjoint(rest) else _UNSURE
    if word[-1] in _NON_WORD_CHARS:
        # The stop is a token of its own, "." ('said".' -> "said", '"', "."), which
        # the first pass marks as a break, or it joins a lone non-word character
        # ("said'." -> "said", "'."), which is a break too unless a test says otherwise.
        if word[-1] in _NOT_WORD_START:
            return _ALWAYS_BREAK
        return _ALWAYS_BREAK if _last_token_kind(punkt, word[-1]) == _ALWAYS_BREAK else _UNSURE
    cut = len(word) - 1
    while cut >= 0 and word[cut] not in _NON_WORD_CHARS:
        cut -= 1
    if not _SENT_END_CHARS.isdisjoint(word[: cut + 1]):
        return _UNSURE  # an earlier token could be a break
    tail = word[cut + 1 :]
    if "--" in tail or ".." in tail or tail[-1] == ",":
        return _UNSURE  # multi-character punctuation or a word-final comma
    if cut >= 0 and word[cut] not in _NOT_WORD_START:
        tail = word[cut:]  # the non-word character starts the last token ("'s.")
    elif tail[0] in _NOT_WORD_START:
        return _UNSURE
    return _last_token_kind(punkt, tail)


def _starter_case(first: str, lone: bool) -> int:
    """Punkt's orthographic heuristic for the token after the stop, untrained.

    -1: "not a sentence starter" (lone ``; : , . ! ?`` or lower case); 1: unknown and
    upper case; 0: unknown otherwise; 2: cannot tell from ``first`` alone.
    """
    if lone:
        if first in _PUNKT_PUNCTUATION:
            return -1
    elif first in _LONE_PUNCTUATION:
        return -1
    elif first in _PUNKT_PUNCTUATION:
        return 2
    if first.islower():
        return -1
    return 1 if first.isupper() else 0


def _remembered_word_kind(word: str) -> int:
    """``_word_kind`` of ``word``, remembered in ``_WORD_KINDS`` (a word not there yet)."""
    if len(_WORD_KINDS) >= _MEMO_LIMIT:
        _WORD_KINDS.clear()
    kind = _WORD_KINDS[word] = _word_kind(_fast_punkt(), word)
    return kind


def _is_break(punkt: _FastPunkt, text: str, word_start: int, stop: int, match: _Match) -> bool:
    """``text_contains_sentbreak`` on the context of the candidate at ``stop``, fast when sure."""
    if text[stop] != ".":
        return True  # ? ! and the CJK/Devanagari stops are always breaks
    word = text[word_start:stop]
    kind = _WORD_KINDS.get(word)
    if kind is None:
        kind = _remembered_word_kind(word)
    if kind == _ALWAYS_BREAK:
        return True
    if kind != _UNSURE:
        next_start = match.start(_NEXT_TOK)
        lone = next_start < 0
        if kind != _NEVER_BREAK:
            case = _starter_case(text[stop + 1] if lone else text[next_start], lone)
            if case == 2:
                kind = _UNSURE
            elif case == 0 or (case == 1 and kind == _NUMBER):
                return True  # a number before an unknown, an initial before a caseless
        if kind != _UNSURE:
            # The stop is no break; only a token inside the next word could be one,
            # and a sentence-end character can only make a break if another token
            # follows it, so one at the very end of the context is harmless.
            if lone or _SENT_END_CHARS.isdisjoint(match.group(_NEXT_TOK)[:-1]):
                return False
    return _nltk_decision(punkt, word + "." + match.group(_AFTER_TOK))


def _last_whitespace(text: str, lo: int, hi: int) -> int:
    """Index of the last ``string.whitespace`` character in ``text[lo:hi]``, or -1."""
    found = text.rfind(" ", lo, hi)
    for char in _RARE_ASCII_WHITESPACE:
        found = max(found, text.rfind(char, lo, hi))
    return found


def _break_slices(
    punkt: _FastPunkt, text: str, start: int, end: int, matches: list[_Match], rare_whitespace: bool
) -> list[tuple[int, int]]:
    """``_slices_from_text`` over ``_match_potential_end_contexts`` for ``text[start:end]``.

    Offsets are absolute; a candidate match is the one stop character, so its end is
    its start + 1. NLTK's quirks are kept: a whitespace at offset 0 of the gap since
    the last candidate counts as none, and the word then reaches back to the previous
    word's start; overlapping candidates ("!!!") leave only the last one.
    """
    slices: list[tuple[int, int]] = []
    last_break = start
    pending: _Match | None = None
    word_start = word_stop = start
    for match in matches:
        candidate = match.start()
        if rare_whitespace:
            space = _last_whitespace(text, word_stop, candidate)
        else:
            space = text.rfind(" ", word_stop, candidate)
        new_start = space + 1 if space > word_stop else word_start
        if pending is not None and word_stop <= new_start and _is_break(punkt, text, word_start, word_stop, pending):
            slices.append((last_break, word_stop + 1))
            next_start = pending.start(_NEXT_TOK)
            last_break = next_start if next_start >= 0 else word_stop + 1
        pending, word_start, word_stop = match, new_start, candidate
    if pending is not None and _is_break(punkt, text, word_start, word_stop, pending):
        slices.append((last_break, word_stop + 1))
        next_start = pending.start(_NEXT_TOK)
        last_break = next_start if next_start >= 0 else word_stop + 1
    slices.append((last_break, start + len(text[start:end].rstrip())))
    return slices


def _append_realigned(out: list[_Span], punkt: _FastPunkt, text: str, slices: list[tuple[int, int]]) -> None:
    """``_realign_boundaries`` (closing quotes and brackets join the sentence before),
    then the trimming and word test of ``_append_sentences``, for absolute slices."""
    realign = 0
    start, stop = slices[0]
    for next_start, next_stop in slices[1:]:
        start += realign
        found = None
        if next_start < next_stop and text[next_start] in _REALIGN_OPENERS:
            # pos/endpos act like slicing: the pattern has no ^ and no lookbehind.
            found = punkt.realignment.match(text, next_start, next_stop)
        if found:
            _append_trimmed(out, text, start, next_start + len(found.group().rstrip()))
            realign = found.end() - next_start
        else:
            realign = 0
            if start < stop:
                _append_trimmed(out, text, start, stop)
        start, stop = next_start, next_stop
    if start + realign < stop:
        _append_trimmed(out, text, start + realign, stop)


def _append_trimmed(out: list[_Span], text: str, start: int, end: int) -> None:
    """``_append_sentences`` for one absolute span of ``text``."""
    chunk = text[start:end]
    visible = chunk.strip()
    # ``str.isalnum`` on one character is exactly ``re``'s ``\w`` minus "_".
    if visible and (visible[0].isalnum() or _HAS_WORD.search(visible)):
        if len(visible) != len(chunk):
            start += len(chunk) - len(chunk.lstrip())
        out.append((visible, start, start + len(visible)))


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """The spans of ``_PARAGRAPH_RE`` (maximal runs without CR or LF), via str.split."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in text.replace("\r", "\n").split("\n"):
        if piece:
            spans.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return spans


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets; whitespace-only text has none.

    Exactly ``punkt_split_sentences(text)``, several times faster (module docstring).
    """
    return [Sentence(*span) for span in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[str, int, int]]:
    """``split_sentences(text)`` as (text, start, end) tuples."""
    native = _native_bounds()
    if native is not None:
        return [(text[start:end], start, end) for start, end in native(text, punkt_hooks())]
    return sentence_spans_in_python(text)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of ``text`` (:func:`sentence_spans` without the texts)."""
    native = _native_bounds()
    if native is not None:
        bounds: list[tuple[int, int]] = native(text, punkt_hooks())
        return bounds
    return [(start, end) for _, start, end in sentence_spans_in_python(text)]


@cache
def _native_bounds() -> Callable[[str, PunktHooks], list[tuple[int, int]]] | None:
    """The fast path as one C loop, where the wire diff's core runs compiled, else None.

    ``harness/wirediff/units.c``'s ``sentence_bounds`` follows
    :func:`sentence_spans_in_python` step for step and gives the same spans (tested),
    about 2.5x faster (74 -> 21 us for a BBC article of 900 tokens, memos warm). It is
    built with the diff's compiled modules, so it is used exactly when they are
    (``harness.wirediff.compiled``: built, current, not turned off by
    ``HARNESS_PURE_PYTHON``); looking that up costs a few ms, once per process.
    """
    from harness.wirediff.compiled import native_function

    return native_function("_units", "sentence_bounds")


def sentence_spans_in_python(text: str) -> list[tuple[str, int, int]]:
    """:func:`sentence_spans` in Python: the fast path's definition."""
    punkt = _fast_punkt()
    # One scan of the whole text; the pattern never looks across a line break, so
    # each paragraph gets exactly the candidates NLTK finds in it alone.
    matches = list(punkt.line_period_context.finditer(text))
    starts = [match.start() for match in matches]
    rare_whitespace = any(char in text for char in _RARE_ASCII_WHITESPACE)
    out: list[_Span] = []
    first = 0
    for start, end in _paragraphs(text):
        last = bisect_left(starts, end, first)
        if last > first:
            slices = _break_slices(punkt, text, start, end, matches[first:last], rare_whitespace)
            _append_realigned(out, punkt, text, slices)
            first = last
        else:
            _append_trimmed(out, text, start, end)
    return out


class PunktHooks(NamedTuple):
    """What a native loop needs to run :func:`sentence_spans` (``harness.wirediff``'s
    ``units.c``, ``sentence_bounds``): the fast path's character sets and memo, and the
    steps it leaves to Python (a word's kind on a memo miss, NLTK's own decision, the
    realignment regex)."""

    sentence_ends: str  # SENT_END_CHARS
    after_stop: str  # a punctuation character that may follow a stop in the candidate pattern
    realign_openers: str
    word_kinds: dict[str, int]
    word_kind: Callable[[str], int]  # for a word not in word_kinds: its kind, remembered there
    decide: Callable[[str], bool]  # NLTK's text_contains_sentbreak on a context (memoised)
    realign: Callable[[str, int, int], tuple[int, int] | None]
    # For the first case of _word_kind (a word of ASCII letters), decided in the loop
    # itself and remembered in word_kinds as _remembered_word_kind does.
    abbreviations: frozenset[str]
    memo_limit: int


def _decide(context: str) -> bool:
    return _nltk_decision(_fast_punkt(), context)


def _realigned(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """Where the realignment match in ``text[start:stop]`` ends, without and with its
    trailing whitespace (None: no match): the sentence before keeps the first, the next
    one starts after the second."""
    found = _fast_punkt().realignment.match(text, start, stop)
    return None if found is None else (start + len(found.group().rstrip()), found.end())


@cache
def punkt_hooks() -> PunktHooks:
    """The fast path's :class:`PunktHooks` (its patterns are checked when it loads)."""
    _fast_punkt()
    return PunktHooks(
        sentence_ends="".join(SENT_END_CHARS),
        after_stop="".join(sorted(_NON_WORD_CHARS)),
        realign_openers="".join(sorted(_REALIGN_OPENERS)),
        word_kinds=_WORD_KINDS,
        word_kind=_remembered_word_kind,
        decide=_decide,
        realign=_realigned,
        abbreviations=_fast_punkt().abbreviations,
        memo_limit=_MEMO_LIMIT,
    )


def text_resources() -> list[Resource]:
    """Resources the text units depend on (for manifests)."""
    return [abbreviations_resource()]
