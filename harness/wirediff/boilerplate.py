"""Page chrome in a diff: the furniture of a scraped page is ``boilerplate``, not an edit.

Scraped copies of one story carry their page around them: navigation, captions
and photo credits, share/subscribe blocks, "Read more" links, widgets, scripts,
timestamps, bylines, datelines. A passage of that kind that one copy has and the
other does not says nothing about how the outlet edited the story, so it must
not count as a substantive edit.

After the diff has classified a segment (see :func:`mark_chrome`), every
substantive insertion, deletion or substitution is cut into *segments* of its
text: paragraphs, the sentences of a paragraph, and a dateline at a paragraph's
start. Each whole segment is judged by

(a) general rules: phrase patterns and word lists kept as data
    (``harness/resources/data/page_chrome.txt``: credits, calls to action, related
    links, widgets, copyright and credit lines, agencies, date words), and shape
    tests after jusText and Kohlschütter et al. (2010): a short line of title-case
    words (navigation), a headline-like line without sentence punctuation (a
    related link), code-like text (a script), a line of names, dates and an
    agency (byline, timestamp), an all-capital place and a dash (dateline);
(b) what the corpus shows: a segment repeated in at least ``k`` articles of one
    outlet is that outlet's furniture (:func:`learn_furniture`, per corpus, in
    the ``wire_diff`` step); it only counts for that outlet's side of a pair.

A segment is only ever judged whole: a short sentence is never chrome for being
short, and a few words inside a sentence are chrome only when the sentence
around them is (a changed name inside a byline). Runs of chrome segments become
``boilerplate`` edits of their own category; the rest of the edit stays
substantive. Only one-copy-only text is judged: text both copies share is no
edit. Headlines are left alone (a headline is always a short title-case line).
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import islice, repeat
from typing import Any, NamedTuple

from harness.errors import ConfigError, at
from harness.resources import Resource, packaged_resource
from harness.tablecache import Stored
from harness.wirediff.compiled import FOLDER as SOURCES
from harness.wirediff.compiled import native_function
from harness.wirediff.defaults import DEFAULT_MIN_ARTICLES
from harness.wirediff.frozen import Frozen
from harness.wirediff.model import KIND_OF, VALUES, Category, Edit, Kind
from harness.wirediff.openers import parsed_openers, parsed_openings
from harness.wirediff.prepare import PreparedText

CHROME_FILE = "page_chrome.txt"
MAX_SEGMENT_WORDS = 40  # longer segments are text, never furniture (learned or by shape)
NAV_MAX_WORDS = 6  # a navigation line: at most this many title-case words
LINK_MAX_WORDS = 15  # a related-link line: a headline, at most this many words
HEADER_MAX_WORDS = 25  # a byline / timestamp line
WRAP_MIN_CHARS = 40  # lines this long that mostly end mid-sentence: a hard-wrapped text
# A paragraph opening with a caption (or a call to action) is one, up to this many words.
OPENING_WORDS = {Category.CAPTION_CREDIT: 200, Category.PROMO: 80}
SANDWICH_MAX_WORDS = 25  # a segment between two chrome ones is chrome when at most this long
BY_PREFIX_WORDS = 6  # a label before "By NAME" ("news now The Associated Press — By ...")

_REGEX_SECTIONS = (
    "navigation", "caption_credit", "promo", "related_links", "widget", "copyright", "wire_credit",
)
_WORD_SECTIONS = ("agency", "label", "time_word")
_SECTION_RE = re.compile(r"\[(?P<name>[a-z_]+)\]")

# When a substitution is chrome on both sides in different categories, the
# edit gets the first of them in this order (an order, so A/B cannot matter).
PRIORITY: tuple[Category, ...] = (
    Category.DATELINE, Category.BYLINE, Category.TIMESTAMP, Category.WIRE_CREDIT, Category.COPYRIGHT,
    Category.CAPTION_CREDIT, Category.PROMO, Category.RELATED_LINKS, Category.WIDGET, Category.SCRIPT,
    Category.NAVIGATION, Category.OUTLET_FURNITURE,
)
DESCRIPTION: dict[Category, str] = {
    Category.DATELINE: "dateline",
    Category.BYLINE: "byline or agency line",
    Category.TIMESTAMP: "timestamp",
    Category.WIRE_CREDIT: "wire credit",
    Category.COPYRIGHT: "copyright notice",
    Category.CAPTION_CREDIT: "caption or photo credit",
    Category.PROMO: "promotion, ad label or call to action",
    Category.RELATED_LINKS: "related-stories link",
    Category.WIDGET: "widget",
    Category.SCRIPT: "script or style code",
    Category.NAVIGATION: "navigation",
    Category.OUTLET_FURNITURE: "repeated in the outlet's other articles",
}


# ----------------------------------------------------------------------- data


# Packaged patterns compiled so far, by (source, flags): each once per process, when first tried.
_COMPILED: dict[tuple[str, int], re.Pattern[str]] = {}


@dataclass(frozen=True, slots=True)
class LazyPattern(Frozen):
    """A packaged regular expression, compiled the first time it is tried.

    Compiling all 74 chrome patterns and the agency names, and at the first
    segment opening with a character beyond ASCII (a curly quote) an alternation
    of 73 of them, took about 40 ms of every process's start: a diff worker's, a
    ``harness diff``'s. A segment meets only the patterns that may match it
    (:func:`first_chrome_pattern`): the 1,120 pairs of ``bench_diff_step`` try 44
    of the 74.
    """

    pattern: str
    flags: int = re.IGNORECASE

    def compiled(self) -> re.Pattern[str]:
        key = (self.pattern, self.flags)
        found = _COMPILED.get(key)
        if found is None:
            found = _COMPILED[key] = re.compile(self.pattern, self.flags)
        return found

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled().fullmatch(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled().search(text)


# One entry of the rules: (position in the data file, a lower-cased literal every match
# holds or "", the most characters the entry can match before its trailing marks, the
# lower-cased openings one of which every match opens with or none).
Entry = tuple[int, str, int, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ChromeRules(Frozen):
    """The packaged patterns and word lists (see the data file's header)."""

    patterns: tuple[tuple[Category, LazyPattern], ...]
    agencies: LazyPattern  # any agency name, as a whole word
    agency_words: frozenset[str]  # casefolded words of agency names
    labels: frozenset[str]
    time_words: frozenset[str]
    # Every pattern in file order, each with a literal every match holds ("": none,
    # or none usable) and its entry's longest match: see first_chrome_pattern.
    entries: tuple[Entry, ...] = ()
    # Per lower-cased ASCII character, the entries (file order) of the patterns a
    # segment opening with it may match: see _by_opener.
    by_opener: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
    # Per first two lower-cased characters of a plain text (see _plain), the entries
    # whose openings it may open with, made as texts meet them: see _entries_for_head.
    by_head: dict[str, tuple[Entry, ...]] = field(default_factory=dict, compare=False, repr=False)


def chrome_resource() -> Resource:
    return packaged_resource(CHROME_FILE)


def _sections(resource: Resource) -> dict[str, list[tuple[int, str]]]:
    sections: dict[str, list[tuple[int, str]]] = {name: [] for name in (*_REGEX_SECTIONS, *_WORD_SECTIONS)}
    current: str | None = None
    for number, raw in enumerate(resource.text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION_RE.fullmatch(line)
        where = at(resource.path.name, line=number)
        if header is not None:
            current = header.group("name")
            if current not in sections:
                raise ConfigError(f"unknown section [{current}]", where=where, hint=f"use one of {', '.join(sections)}")
        elif current is None:
            raise ConfigError("entry before any [section]", where=where, hint="start with [navigation]")
        else:
            sections[current].append((number, line))
    return sections


def _agency_regex(names: Sequence[str]) -> LazyPattern:
    # Short names (AP, PA) only in capitals; longer ones in any case. Longest first.
    ordered = sorted(set(names), key=lambda s: (-len(s), s))
    parts = [re.escape(n) if len(n) <= 3 else f"(?i:{re.escape(n)})" for n in ordered]
    return LazyPattern(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", 0)


@cache
def chrome_rules() -> ChromeRules:
    """The packaged chrome rules, read once per process (each pattern compiled when
    first tried: :class:`LazyPattern`; the entries kept between runs: :func:`_rule_entries`)."""
    read = _read_rules()
    entries, by_opener = _rule_entries()
    agencies = read.agencies
    return ChromeRules(
        patterns=read.patterns,
        agencies=_agency_regex(agencies),
        agency_words=frozenset(w.casefold() for name in agencies for w in name.split()),
        labels=read.labels,
        time_words=read.time_words,
        entries=entries,
        by_opener=by_opener,
    )


class _ReadRules(NamedTuple):
    patterns: tuple[tuple[Category, LazyPattern], ...]
    lines: tuple[int, ...]  # each pattern's line in the data file
    agencies: tuple[str, ...]
    labels: frozenset[str]
    time_words: frozenset[str]


@cache
def _read_rules() -> _ReadRules:
    """The data file's patterns (not compiled) and word lists."""
    resource = chrome_resource()
    sections = _sections(resource)
    agencies = tuple(name for _, name in sections["agency"])
    alternation = "|".join(re.escape(n) for n in sorted(set(agencies), key=lambda s: (-len(s), s)))
    patterns: list[tuple[Category, LazyPattern]] = []
    lines: list[int] = []
    for name in _REGEX_SECTIONS:
        for number, source in sections[name]:
            text = source.replace("{agency}", alternation)
            # Trailing interface marks (":", "|", "»", "›") may follow any entry.
            patterns.append((Category(name), LazyPattern(rf"(?:{text})[\s:|•·»›>…]*")))
            lines.append(number)
    return _ReadRules(
        patterns=tuple(patterns),
        lines=tuple(lines),
        agencies=agencies,
        labels=frozenset(w.casefold() for _, w in sections["label"]),
        time_words=frozenset(w.casefold() for _, w in sections["time_word"]),
    )


def _rule_entries() -> tuple[tuple[Entry, ...], dict[str, tuple[Entry, ...]]]:
    """The entries and the entries by opening character (:func:`_built_entries`), kept
    in the table cache (:mod:`harness.tablecache`) by the data file's contents, the
    code that reads them (this module's and ``openers``' sources) and the Python
    version (re's parser). Reading them back takes well under a millisecond; making
    them parses every pattern, about 12 ms of each process's start, compiled."""
    from harness.tablecache import load_or_build

    return load_or_build(
        "chrome-entries",
        sources=[chrome_resource().path],
        versions=[f"python {sys.version}"],
        build=_built_entries,
        decode=_decoded_entries,
        arrays=False,
        code=[SOURCES / "boilerplate.py", SOURCES / "openers.py"],
    )


def _built_entries() -> Stored:
    """Each pattern checked (re's parse of it: ``ConfigError`` naming its line) and read
    for its entry; then the entries by opening character."""
    read = _read_rules()
    for (_, pattern), number in zip(read.patterns, read.lines, strict=True):
        try:
            _check(pattern)
        except re.error as exc:
            where = at(CHROME_FILE, line=number)
            raise ConfigError(f"bad regular expression: {exc}", where=where, hint="fix the pattern") from exc
    entries = _entries(read.patterns)
    by_opener = _by_opener(read.patterns, entries)
    _PARSED.clear()  # needed only to make the entries
    return Stored(value=(entries, by_opener))


def _decoded_entries(stored: Stored) -> tuple[tuple[Entry, ...], dict[str, tuple[Entry, ...]]]:
    """The entries of a stored or a fresh table, checked against the patterns read now."""
    found, opening = stored.value
    count = len(_read_rules().patterns)
    entries = tuple(
        (int(n), str(literal), int(longest), tuple(str(text) for text in openings))
        for n, literal, longest, openings in found
    )
    if [entry[0] for entry in entries] != list(range(count)):
        raise ValueError("the stored entries are not one per pattern")
    by_opener = {str(char): tuple(entries[int(item[0])] for item in items) for char, items in opening.items()}
    if set(by_opener) != {chr(code).lower() for code in range(128)}:
        raise ValueError("the stored entries by opener miss a character")
    return entries, by_opener


def _check(pattern: LazyPattern) -> None:
    """Raise ``re.error`` for a pattern that would not compile: re's parse of it finds
    what is wrong (it is kept for the entries); compiled where there is no such parser."""
    if _parsed(pattern) is None:
        pattern.compiled()


@cache
def _caseless(char: str) -> bool:
    """A character that re's IGNORECASE matches with itself only (no case, no case-fold twin)."""
    return char.lower() == char == char.upper() and char.casefold() == char


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plain(text: str) -> bool:
    """Only ASCII and caseless characters: lower-casing keeps the length, and
    IGNORECASE equality of its characters is equality of their ``lower()``."""
    return text.isascii() or all(map(_caseless, set(_NON_ASCII.findall(text))))


def _entries(patterns: Sequence[tuple[Category, LazyPattern]]) -> tuple[Entry, ...]:
    """Each pattern's entry: its position, a literal every match holds
    (:func:`_held_literal`), its longest match (:func:`_longest_match`) and the
    openings of its matches (:func:`_openings`)."""
    return tuple(
        (n, _held_literal(pattern), _longest_match(pattern), _openings(pattern)) for n, (_, pattern) in enumerate(patterns)
    )


def _by_opener(patterns: Sequence[tuple[Category, LazyPattern]], entries: Sequence[Entry]) -> dict[str, tuple[Entry, ...]]:
    """For each lower-cased ASCII character, the entries (file order) of the patterns
    that may match a segment opening with it (:func:`harness.wirediff.openers.openers`)."""
    opens = [_openers(pattern) for _, pattern in patterns]
    return {
        char: tuple(entry for entry, chars in zip(entries, opens, strict=True) if chars is None or char in chars)
        for char in {chr(code).lower() for code in range(128)}
    }


def _openers(pattern: LazyPattern) -> frozenset[str] | None:
    parsed = _parsed(pattern)
    return None if parsed is None else parsed_openers(parsed)


def _openings(pattern: LazyPattern) -> tuple[str, ...]:
    """Lower-cased openings, one of which every match of ``pattern`` opens with
    (:func:`harness.wirediff.openers.parsed_openings`; () where none tell)."""
    parsed = _parsed(pattern)
    return () if parsed is None else parsed_openings(parsed)


_UNBOUNDED = sys.maxsize
# Besides whitespace, what the compiled form of every entry lets follow it ([\s:|•·»›>…]*).
_TRAILING_MARKS = frozenset(":|•·»›>…")


# The parse of each packaged pattern (re's own parser), shared by the entries made from it.
_PARSED: dict[str, Any] = {}


def _parsed(pattern: LazyPattern) -> Any:
    """re's parse of ``pattern``, once for all the entries (None where there is no such
    parser); ``re.error`` for a pattern re cannot read."""
    if pattern.pattern not in _PARSED:
        try:
            parser: Any = importlib.import_module("re._parser")
            parsed = parser.parse(pattern.pattern, pattern.flags)
        except re.error:
            raise
        except Exception:  # another Python: entries without literals or bounds, same answer
            parsed = None
        _PARSED[pattern.pattern] = parsed
    return _PARSED[pattern.pattern]


def _longest_match(pattern: LazyPattern) -> int:
    """The most characters an entry (the pattern before its trailing marks) can match;
    unbounded (``sys.maxsize``) for a repeat without an upper limit, or when the parser
    says nothing usable. Case-insensitive matching in ``re`` maps one character to one."""
    try:
        parser: Any = importlib.import_module("re._parser")
        parsed = _parsed(pattern)
        op, (low, high, _) = parsed[-1]  # the trailing marks: [\s:|•·»›>…]*, last in every pattern
        if op is not parser.MAX_REPEAT or low != 0 or high != parser.MAXREPEAT:
            return _UNBOUNDED
        width = parsed[:-1].getwidth()[1]
    except Exception:  # another Python: no bound, same answer
        return _UNBOUNDED
    return width if isinstance(width, int) and 0 <= width < 1 << 31 else _UNBOUNDED


def _core_length(text: str) -> int:
    """How much of ``text`` is left without its trailing run of whitespace and marks.

    A whole-text match is the entry's match and then trailing marks, so the entry
    matches at least this much: an entry whose longest match is shorter cannot match.
    """
    end = len(text)
    while end > 0 and (text[end - 1].isspace() or text[end - 1] in _TRAILING_MARKS):
        end -= 1
    return end


def _literal_runs(items: list[tuple[Any, Any]], parser: Any) -> list[str]:
    """Runs of literal characters every match consumes: at the top level, inside groups,
    and inside repeats of at least one (not inside alternations or optional parts)."""
    runs: list[str] = []
    run = ""
    for op, argument in items:
        if op is parser.LITERAL:
            run += chr(argument)
            continue
        runs.append(run)
        run = ""
        if op is parser.SUBPATTERN:
            runs += _literal_runs(list(argument[3]), parser)
        elif (op is parser.MAX_REPEAT or op is parser.MIN_REPEAT) and argument[0] >= 1:
            runs += _literal_runs(list(argument[2]), parser)
    runs.append(run)
    return runs


def _held_literal(pattern: LazyPattern) -> str:
    """The longest lower-cased literal every match of ``pattern`` holds ("" if none usable).

    Only literals of ASCII and caseless characters (see :func:`_plain`): for a plain
    text, ``literal in text.lower()`` is then what IGNORECASE would find.
    """
    try:
        parser: Any = importlib.import_module("re._parser")
        runs = _literal_runs(list(_parsed(pattern)), parser)
    except Exception:  # another Python: no screen, same answer
        return ""
    usable = [run for run in runs if run.strip() and _plain(run)]
    return max(usable, key=lambda run: (len(run.strip()), run)).lower() if usable else ""


def first_chrome_pattern(text: str, rules: ChromeRules) -> int | None:
    """Position (in the data file's order) of the first pattern matching all of ``text``.

    What trying every pattern in file order finds, trying fewer. re tries every
    branch of an IGNORECASE alternation at a segment's start (its quick
    first-character test is for case-sensitive literals only), and compiling one
    of all 74 patterns took some 14 ms; most patterns open with a word of their own
    ("advertisement", "read more"). So a segment opening with an ASCII character
    meets only the patterns that may open with it (``by_opener``), and any segment
    passes over a pattern whose longest match is shorter than the segment's core
    (:func:`_core_length`), or, for a text of ASCII and caseless characters
    (:func:`_plain`, where IGNORECASE comparison is comparison of ``lower()``), whose
    literal is not in it or none of whose openings it opens with (the agency and
    weather entries hold no literal, and were tried on most segments); such a text
    meets only the entries its first two characters may open (:func:`_entries_for_head`).
    The rest are tried one by one, each compiled when first tried. A character
    beyond ASCII can open any pattern: its IGNORECASE twins are not its ``lower()``
    ones (the Kelvin sign is a "k").
    """
    plain = _plain(text)
    lowered = text.lower() if plain else ""
    if plain:
        entries = _entries_for_head(lowered[:2], rules)
    else:
        opening = text[:1]
        entries = rules.by_opener[opening.lower()] if opening and opening.isascii() and rules.by_opener else rules.entries
    size = _core_length(text)
    for number, literal, longest, openings in entries:
        # An entry too short for the text, none of the entry's openings at its start,
        # or a literal not in it (the dearest test, a search of the text): no match.
        if longest < size:
            continue
        if plain and (openings and not lowered.startswith(openings) or literal and literal not in lowered):
            continue
        if rules.patterns[number][1].fullmatch(text) is not None:
            return number
    return None


# Distinct heads remembered per rules; emptied when full (a text in a script without
# case has as many heads as pairs of its characters).
HEADS_LIMIT = 4096


def _entries_for_head(head: str, rules: ChromeRules) -> tuple[Entry, ...]:
    """The entries a plain text whose first two lower-cased characters are ``head``
    may match: those of its opening character (``by_opener``) with no openings, or
    with some that agree with ``head`` as far as both go, each keeping only those
    (:func:`_openings_with`). Each segment then compares its start with a few
    openings, not with those of every entry of its opening character (a seventh of
    the chrome judgements' instructions went to those comparisons)."""
    found = rules.by_head.get(head)
    if found is None:
        if len(rules.by_head) >= HEADS_LIMIT:
            rules.by_head.clear()
        opening = head[:1]
        base = rules.by_opener[opening] if opening and opening.isascii() and rules.by_opener else rules.entries
        found = rules.by_head[head] = tuple(
            entry if not entry[3] else (entry[0], entry[1], entry[2], _openings_with(entry[3], head))
            for entry in base
            if not entry[3] or _openings_with(entry[3], head)
        )
    return found


def _openings_with(openings: tuple[str, ...], head: str) -> tuple[str, ...]:
    """The ``openings`` a text that opens with ``head`` may open with: those that agree
    with it as far as both go (the agency entry's 22 are one, "the associated press ",
    for a text opening "th")."""
    return tuple(opening for opening in openings if opening[: len(head)] == head[: len(opening)])


# ------------------------------------------------------------------- segments

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr gen gov sen rep lt col sgt capt prof no inc co corp ltd vs etc jan feb aug sept oct nov dec".split()
)
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_SENTENCE_STOPS = ".!?…"  # every match of _SENTENCE_END opens with one of these
_WORD = re.compile(r"[^\W_]+(?:[.:/'’\-][^\W_]+)*\.?")
_DASH = r"(?:[ \u00a0]*[—–][ \u00a0]*|[ \u00a0]+--?[ \u00a0]+)"
# "MOSCOW —", "AUSTIN, Texas (AP) —", or a credit alone: "(CNN) —". ("FILE -" opens a caption.)
_DATELINE = re.compile(
    r"(?:(?!FILE\b)[A-Z][A-Z.'’\-]+(?:[ \u00a0]+[A-Z][A-Z.'’\-]+){0,3}"
    r"(?:,[ \u00a0]+[A-Z][\w.'’\-]+(?:[ \u00a0]+[A-Z][\w.'’\-]+){0,2})?"
    r"(?:[ \u00a0]*\([A-Za-z .\-]{2,30}\))?" + _DASH + r"|\([A-Z][A-Za-z .\-]{1,30}\)" + _DASH + ")"
)


_DATELINE_SECOND = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ.'’-")


def _may_open_dateline(text: str, start: int, end: int) -> bool:
    """Can a ``_DATELINE`` match open at ``start``? Its two alternatives open with two
    capitals (or a capital and ``.'’-``) or with "(" and a capital: most sentences
    ("The ...") fail at the second character, without a regex run (or a copy of the text)."""
    if end - start < 2:
        return False
    first, second = text[start], text[start + 1]
    if first == "(":
        return "A" <= second <= "Z"
    return "A" <= first <= "Z" and second in _DATELINE_SECOND


_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_SENTENCE_CLOSE = ".!?…:\"”’)»"


def _hard_wrapped(text: str) -> bool:
    """Lines broken inside sentences: half or more of the long lines do not end a sentence."""
    long_lines = [line.rstrip() for line in text.split("\n") if len(line.strip()) >= WRAP_MIN_CHARS]
    open_ended = sum(1 for line in long_lines if line[-1] not in _SENTENCE_CLOSE)
    return len(long_lines) >= 3 and open_ended * 2 >= len(long_lines)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs: blank-line separated if the text has blank lines, else lines (unless the
    lines are a hard-wrapped text's, which is then one paragraph)."""
    if _BLANK_LINE.search(text):
        breaker = re.compile(r"\n[ \t\u00a0]*\n\s*")
    elif _hard_wrapped(text):
        return [span for span in [_strip_span(text, 0, len(text))] if span[1] > span[0]]
    else:
        breaker = re.compile(r"\n\s*")
    spans, start = [], 0
    for found in breaker.finditer(text):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in (_strip_span(text, s, e) for s, e in spans) if e > s]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_abbreviation(text: str, end: int) -> bool:
    """Does the full stop ending at ``end`` close an initial or abbreviation?"""
    start = end - 1
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1  # back over the word the full stop ends (not a search from the text's start)
    stem = text[start:end].rstrip(".")
    return len(stem) <= 1 or "." in stem or stem.casefold() in _ABBREVIATIONS


def _sentence_ends(text: str, start: int, end: int) -> list[re.Match[str]]:
    """``list(_SENTENCE_END.finditer(text, start, end))``, tried only at the stops.

    Every match opens with a stop and holds at least that character, so trying the
    pattern at each stop from where the last match ended finds exactly the matches
    ``finditer`` finds; ``str.find`` reaches the stops without trying every position.
    """
    stops: list[int] = []
    for stop in _SENTENCE_STOPS:
        at = text.find(stop, start, end)
        while at >= 0:
            stops.append(at)
            at = text.find(stop, at + 1, end)
    stops.sort()
    found: list[re.Match[str]] = []
    resume = start
    for at in stops:
        if at >= resume:
            match = _SENTENCE_END.match(text, at, end)
            if match is not None:
                found.append(match)
                resume = match.end()
    return found


# The same starts by a C loop where the core runs compiled (units.c): a chrome pass cuts
# every paragraph an edit touches into its sentences.
_SEGMENT_SENTENCE_STARTS = native_function("_units", "segment_sentence_starts")


def _sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Where the sentences of ``text[start:end]`` start (the first at ``start``)."""
    if _SEGMENT_SENTENCE_STARTS is not None:
        found: list[int] = _SEGMENT_SENTENCE_STARTS(text, start, end, _ABBREVIATIONS)
        return found
    return sentence_starts_in_python(text, start, end)


def sentence_starts_in_python(text: str, start: int, end: int) -> list[int]:
    """:func:`_sentence_starts` as Python: the definition the C loop follows."""
    starts = [start]
    for found in _sentence_ends(text, start, end):
        if text[found.start()] == "." and _is_abbreviation(text, found.start() + 1):
            continue
        nxt = found.end()
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt < end:
            starts.append(nxt)
    return starts


Span = tuple[int, int]


class Segments:
    """Where the segments of one text start and end (first and last non-space).

    Paragraphs are found at once; a paragraph's parts (a dateline at its start,
    its sentences) only when asked for: most paragraphs of a copy hold no edit.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs: tuple[Span, ...] = tuple(_paragraph_spans(text))
        self._paragraph_set = frozenset(self.paragraphs)
        self._starts = [p[0] for p in self.paragraphs]
        self._parts: dict[int, tuple[Span, ...]] = {}

    def is_paragraph(self, span: Span) -> bool:
        return span in self._paragraph_set

    def paragraph_index(self, position: int) -> int | None:
        index = bisect_right(self._starts, position) - 1
        return index if index >= 0 and position < self.paragraphs[index][1] else None

    def paragraph_of(self, position: int) -> Span | None:
        index = self.paragraph_index(position)
        return None if index is None else self.paragraphs[index]

    def parts(self, index: int) -> tuple[Span, ...]:
        """A dateline at the paragraph's start and its sentences; () for a paragraph of one sentence."""
        if index not in self._parts:
            p_start, p_end = self.paragraphs[index]  # not *-unpacked: a native call, compiled
            self._parts[index] = _paragraph_parts(self.text, p_start, p_end)
        return self._parts[index]

    def leaves(self, index: int) -> tuple[Span, ...]:
        """The smallest segments of a paragraph, in reading order."""
        return self.parts(index) or (self.paragraphs[index],)

    def spans_around(self, position: int) -> list[Span]:
        """The paragraph holding ``position`` and its parts."""
        index = self.paragraph_index(position)
        return [] if index is None else [self.paragraphs[index], *self.parts(index)]

    def is_whole(self, start: int, end: int) -> bool:
        """Does ``start..end`` begin where a segment begins and end where one ends?"""
        spans = self.spans_around(start)
        return any(s == start for s, _ in spans) and any(e == end for _, e in self.spans_around(max(start, end - 1)))

    def enclosing(self, start: int, end: int) -> list[Span]:
        """Segments around ``start..end``, innermost first."""
        around = [(s, e) for s, e in self.spans_around(start) if s <= start and end <= e]
        if len(around) < 2:
            return around
        if len(around) == 2:  # the paragraph and one of its parts (they never overlap): no key calls
            (s0, e0), (s1, e1) = around
            return [around[1], around[0]] if e1 - s1 < e0 - s0 else around
        return sorted(around, key=lambda span: span[1] - span[0])

    def cuts(self, start: int, end: int) -> list[int]:
        """Segment starts strictly inside ``start..end``, in order."""
        first, last = self.paragraph_index(start), self.paragraph_index(max(start, end - 1))
        lo = first if first is not None else bisect_right(self._starts, start)
        hi = last if last is not None else bisect_right(self._starts, end) - 1
        found: set[int] = set()
        for k in range(lo, hi + 1):
            paragraph_start = self.paragraphs[k][0]
            if start < paragraph_start < end:
                found.add(paragraph_start)
            for part_start, _ in self.parts(k):
                if start < part_start < end:
                    found.add(part_start)
        return sorted(found)

    def neighbour(self, leaf: Span, step: int) -> Span | None:
        """The leaf before (step -1) or after (step 1) ``leaf`` in reading order."""
        index = self.paragraph_index(leaf[0])
        if index is None:
            return None
        own = self.leaves(index)
        at = own.index(leaf) + step if leaf in own else -1
        if 0 <= at < len(own):
            return own[at]
        other = index + step
        if not 0 <= other < len(self.paragraphs):
            return None
        leaves = self.leaves(other)
        return leaves[-1] if step < 0 else leaves[0]

    def all_spans(self) -> list[Span]:
        """Every segment, paragraphs first within each paragraph."""
        return [span for k in range(len(self.paragraphs)) for span in (self.paragraphs[k], *self.parts(k))]


def _paragraph_parts(text: str, p_start: int, p_end: int) -> tuple[Span, ...]:
    dateline = _DATELINE.match(text, p_start, p_end) if _may_open_dateline(text, p_start, p_end) else None
    body_start = p_start
    parts: list[Span] = []
    if dateline is not None and dateline.end() < p_end:
        parts.append(_strip_span(text, p_start, dateline.end()))
        body_start = dateline.end()
    starts = _sentence_starts(text, body_start, p_end)
    if len(starts) > 1 or body_start != p_start:
        parts += [_strip_span(text, s, e) for s, e in zip(starts, [*starts[1:], p_end], strict=True)]
    return tuple(parts)


@lru_cache(maxsize=1024)
def segments(text: str) -> Segments:
    """Paragraphs, the sentences of a paragraph of several, a dateline at a paragraph's start.

    Cached: a corpus run compares each article with several others.
    """
    return Segments(text)


# ------------------------------------------------------------------- judging


class Verdict(NamedTuple):
    category: Category
    rule: str


# The same words found by a C loop where the core runs compiled (units.c): a chrome
# pass reads the words of every segment it judges, and findall is most of that cost.
_CHROME_WORDS = native_function("_units", "chrome_words")


def _words(text: str) -> list[str]:
    if _CHROME_WORDS is not None:
        words: list[str] = _CHROME_WORDS(text)
        return words
    return _WORD.findall(text)


def _first_words(text: str, limit: int) -> list[str]:
    """``_words(text)[:limit]``, the rest of the text not read."""
    if _CHROME_WORDS is not None:
        words: list[str] = _CHROME_WORDS(text, limit)
        return words
    return [found.group() for found in islice(_WORD.finditer(text), limit)]


# The count alone, by a C loop that stops at the limit (units.c): most paragraphs are
# longer than a segment of furniture, and their words were found only to be counted.
_CHROME_WORD_COUNT = native_function("_units", "chrome_word_count")


def _word_count(text: str, limit: int) -> int:
    """``min(len(_words(text)), limit)``."""
    if _CHROME_WORD_COUNT is not None:
        count: int = _CHROME_WORD_COUNT(text, limit)
        return count
    return min(len(_words(text)), limit)


def _span_word_count(text: str, start: int, end: int, limit: int) -> int:
    """``_word_count(text[start:end], limit)``, the span read in place (no copy)."""
    if _CHROME_WORD_COUNT is not None:
        count: int = _CHROME_WORD_COUNT(text, limit, start, end)
        return count
    return min(len(_words(text[start:end])), limit)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


_CONNECTORS = frozenset("and & of the for to in on at a an with from by".split())
_CLOCK = re.compile(r"\d{1,2}[:.]\d{2}(?:[ap]\.?m\.?)?|\d{1,2}[ap]\.?m\.?", re.IGNORECASE)
_DATE_FIGURES = re.compile(r"\d{1,4}(?:[/.\-]\d{1,4}){0,2}(?:st|nd|rd|th)?", re.IGNORECASE)


def _clock(word: str) -> bool:
    """Is ``word`` a clock time? Every match opens with a digit (``\\d``, a decimal digit,
    which ``isdigit`` holds for): the words of a segment are mostly not, and the test
    is a tenth of the pattern's failing match."""
    return word[:1].isdigit() and _CLOCK.fullmatch(word) is not None


def _date_figures(folded: str) -> bool:
    """Is ``folded`` (a casefolded word) figures of a date? Screened as :func:`_clock`."""
    return folded[:1].isdigit() and _DATE_FIGURES.fullmatch(folded) is not None


_TIME_LABELS = frozenset("updated published posted modified ago yesterday today".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def _timestamp(words: list[str], rules: ChromeRules) -> bool:
    """Only date words, figures, clock times and labels, with a date marker among them."""
    marker = False
    for word in words:
        folded = word.casefold().rstrip(".")
        if _clock(word) or folded in _TIME_LABELS or folded in _WEEKDAYS:
            marker = True
        elif _date_figures(folded):
            marker = marker or any(w.casefold().rstrip(".") in rules.time_words for w in words)
        elif folded not in rules.time_words and folded not in rules.labels:
            return False
    return marker


def _time_word(word: str, rules: ChromeRules) -> bool:
    """A word :func:`_timestamp` passes over (any other makes the segment no timestamp)."""
    folded = word.casefold().rstrip(".")
    return (_clock(word) or folded in _TIME_LABELS or folded in _WEEKDAYS or _date_figures(folded)
            or folded in rules.time_words or folded in rules.labels)


def _header_words(words: list[str], rules: ChromeRules) -> bool:
    """Names (capitalised), agency words, dates and labels only: no running text."""
    for word in words:
        if not _header_word(word, rules):
            return False
    return True


def _header_word(word: str, rules: ChromeRules) -> bool:
    folded = word.casefold().rstrip(".")
    if _capitalised(word) or folded in rules.agency_words or folded in rules.labels:
        return True
    return folded in rules.time_words or _clock(word) or _date_figures(folded) or folded in _CONNECTORS


# How many of a segment's first words are read to tell running text (see _running_text).
RUNNING_TEXT_WORDS = 4


def _running_text(words: list[str], rules: ChromeRules) -> bool:
    """Do ``words`` (a segment's first) hold a word no timestamp holds and one no line of
    names holds? Then the segment is no timestamp (:func:`_timestamp`), no names-only
    byline (:func:`_header_words`) and no menu item (a word not capitalised, no
    connector), whatever its other words: running text shows it by its second word."""
    return not all(_time_word(word, rules) for word in words) and not _header_words(words, rules)


_BY = re.compile(r"(?:^|[\s—–\-|:/·•])By\s+(?=[A-Z])")


def _byline(text: str, words: list[str], rules: ChromeRules) -> bool:
    """``By NAME(S) [- Agency]`` (a short label may come first) or names plus an agency."""
    credit = _by_credit(text, rules)
    if credit is not None:
        return credit
    # Running text fails the word test at its first verb: test that before searching for an agency.
    return len(words) <= HEADER_MAX_WORDS and _header_words(words, rules) and rules.agencies.search(text) is not None


def _by_credit(text: str, rules: ChromeRules) -> bool | None:
    """Is ``text`` ``By NAME(S) [- Agency]`` after at most a short label, read at its last
    "By"? None where there is no "By" to read it at."""
    by = None
    # Every match holds "By" (the pattern is case-sensitive): without it there is none to scan for.
    for by in _BY.finditer(text) if "By" in text else ():
        pass
    if by is None:
        return None
    before, after = _words(text[: by.start()]), _words(text[by.end() :])
    return len(before) <= BY_PREFIX_WORDS and 0 < len(after) <= HEADER_MAX_WORDS and _header_words(after, rules)


_CODE_CHARS = re.compile(r"[{}();=<>\[\]]")
_CODE_MARK = re.compile(r"[{;]|=>|\bfunction\b|\bvar\s|</|\bwindow\.|\bdocument\.|_taboola|googletag")


def _script(text: str) -> bool:
    """Code-like: many brackets and operators, a mark only code has, no sentence end.

    Prose that quotes a tag ("... <script>alert(1)</script> & more.") ends as a
    sentence does; code ends with ``;``, ``}`` or ``)``.
    """
    if len(text) < 12 or text[-1] in ".!?\"”’":
        return False
    return len(_CODE_CHARS.findall(text)) / len(text) >= 0.05 and _CODE_MARK.search(text) is not None


def _navigation_line(words: list[str], text: str) -> bool:
    """A short line of title-case words (a menu item, a site name), no sentence."""
    if not 1 <= len(words) <= NAV_MAX_WORDS or text[-1] in ".!?…,;\"”’)":
        return False
    return any(_capitalised(w) for w in words) and all(_capitalised(w) or w.casefold() in _CONNECTORS for w in words)


def _link_line(words: list[str], text: str) -> bool:
    """A headline-like line: capitalised start, no sentence punctuation at the end."""
    return _link_shape(len(words), text)


def _link_shape(count: int, text: str) -> bool:
    """:func:`_link_line` of a text of ``count`` words."""
    if not 2 <= count <= LINK_MAX_WORDS or text[-1] in ".!?…,;:\"”’)":
        return False
    return text[0].isupper() or text[0].isdigit()


def judge(text: str, *, paragraph: bool, rules: ChromeRules | None = None) -> Verdict | None:
    """The chrome category of one whole segment, or None when it reads as text.

    ``paragraph``: the segment is a whole paragraph (line), which the shape
    tests for navigation and related links need.
    """
    return _judge_words(text, _words(text), paragraph, rules or chrome_rules())


def _judge_words(text: str, words: list[str], paragraph: bool, rules: ChromeRules) -> Verdict | None:
    """:func:`judge` given the segment's words (``_words(text)``)."""
    if not words or len(words) > MAX_SEGMENT_WORDS:
        return None
    found = _pattern_verdict(text, rules)
    return found if found is not None else _shape_verdict(text, words, paragraph, rules)


def _judge_counted(text: str, count: int, paragraph: bool, rules: ChromeRules) -> Verdict | None:
    """:func:`_judge_words` of a segment of ``count`` words (1 to ``MAX_SEGMENT_WORDS``),
    the words listed only where a shape test needs them. A segment longer than a
    header (a third of those judged), or whose first words are running text
    (:func:`_running_text`, most of the rest), is no timestamp or menu item, a byline
    only by its "By" (:func:`_by_credit`) and a link line only by its shape: listing
    its words took a fifth of the chrome judgements' instructions, for nothing."""
    found = _pattern_verdict(text, rules)
    if found is not None:
        return found
    # Running text (most segments) is told by its first words: no timestamp, names-only
    # byline or menu item, whatever follows; its byline is a "By" credit, its link line a shape.
    prose = count > HEADER_MAX_WORDS or (
        count > RUNNING_TEXT_WORDS and _running_text(_first_words(text, RUNNING_TEXT_WORDS), rules)
    )
    if not prose:
        return _shape_verdict(text, _words(text), paragraph, rules)
    if _by_credit(text, rules):
        return Verdict(Category.BYLINE, "byline.names_and_agency")
    if paragraph and _link_shape(count, text):
        return Verdict(Category.RELATED_LINKS, "related_links.headline_line")
    return None


def _pattern_verdict(text: str, rules: ChromeRules) -> Verdict | None:
    """The verdict of the tests that read the segment's characters: code, a dateline,
    a packaged pattern."""
    if _script(text):
        return Verdict(Category.SCRIPT, "script.code_like")
    if _may_open_dateline(text, 0, len(text)) and _DATELINE.fullmatch(text + " "):
        return Verdict(Category.DATELINE, "dateline.place_dash")
    number = first_chrome_pattern(text, rules)
    if number is not None:
        category = rules.patterns[number][0]
        return Verdict(category, f"{VALUES[category]}.page_chrome")
    return None


def _shape_verdict(text: str, words: list[str], paragraph: bool, rules: ChromeRules) -> Verdict | None:
    """The verdict of the tests that read the segment's words: a timestamp, a byline,
    a menu item or a link."""
    if len(words) <= HEADER_MAX_WORDS and _timestamp(words, rules):
        return Verdict(Category.TIMESTAMP, "timestamp.date_time")
    if _byline(text, words, rules):
        return Verdict(Category.BYLINE, "byline.names_and_agency")
    if paragraph and _navigation_line(words, text):
        return Verdict(Category.NAVIGATION, "navigation.short_title_line")
    if paragraph and _link_line(words, text):
        return Verdict(Category.RELATED_LINKS, "related_links.headline_line")
    return None


# Verdicts of the packaged rules by (segment, paragraph), remembered across pairs:
# copies share most of their sentences. Emptied when full (a cache, not a record).
_JUDGED: dict[tuple[str, bool], Verdict | None] = {}
JUDGED_LIMIT = 16384


def _judged(text: str, paragraph: bool, count: int) -> Verdict | None:
    """:func:`judge` with the packaged rules, remembered; ``count``: the segment's
    words (``len(_words(text))``, 1 to ``MAX_SEGMENT_WORDS``), counted by the caller."""
    key = (text, paragraph)
    if key in _JUDGED:
        return _JUDGED[key]
    if len(_JUDGED) >= JUDGED_LIMIT:
        _JUDGED.clear()
    verdict = _JUDGED[key] = _judge_counted(text, count, paragraph, chrome_rules())
    return verdict


def clear_text_caches() -> None:
    """Forget what is remembered per text or segment (segments, rule verdicts), for cold timings.

    A benchmark that compares the same pairs several times would otherwise time
    the later rounds with every text already cut into segments and judged.
    """
    segments.cache_clear()
    _JUDGED.clear()
    _SIDES.clear()


# Categories a few changed words inherit from the segment around them: the
# segment's form (a byline, a credit) holds whatever words change inside it.
_STRUCTURAL = frozenset(
    {Category.DATELINE, Category.BYLINE, Category.TIMESTAMP, Category.WIRE_CREDIT, Category.COPYRIGHT,
     Category.CAPTION_CREDIT, Category.SCRIPT, Category.OUTLET_FURNITURE}
)


# --------------------------------------------------------- learned furniture

_FOLD = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"} | {c: "-" for c in "‐‑‒–—―−"})


# The ASCII characters _FOLD changes: an ASCII text without them needs no translate
# (str.translate looks every character up in the table).
_FOLD_ASCII = tuple(chr(code) for code in _FOLD if code < 128)
_DIGIT = re.compile(r"\d")
# In ASCII text \d is 0-9 alone: the same figures as 0 by one table look-up a byte,
# several times quicker than the pattern's search (the furniture pass keys every
# short segment of every article).
_ASCII_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


_KEY_STRIP = " .,:;|-\"'"  # what a key's ends lose


def _ascii_key_char(char: str) -> str:
    """What normalise_segment makes of one ASCII character (NFKC keeps it as it is)."""
    folded = char.translate(_FOLD).casefold()
    return folded.encode("ascii").translate(_ASCII_DIGITS_AS_ZERO).decode("ascii")


# normalise_segment of an ASCII text by one C pass where the core runs compiled (units.c,
# ascii_segment_key): each of its steps maps an ASCII character to one ASCII character,
# so they come down to one table; str.split's spaces and the stripped ends are tables
# too. All three are made here from the steps themselves. The furniture pass keys
# every short segment of every article: some 15,000 instructions a key the sources'
# way, compiled (nine passes over the text, each making a string).
_ASCII_SEGMENT_KEY = native_function("_units", "ascii_segment_key")
_KEY_CHARS = "".join(_ascii_key_char(chr(code)) for code in range(128)).encode("ascii")
_KEY_SPACES = bytes(chr(code).isspace() for code in range(128))
_KEY_ENDS = bytes(chr(code) in _KEY_STRIP for code in range(128))


def normalise_segment(text: str) -> str:
    """The key a segment is counted by: folded typography and case, figures as 0."""
    if _ASCII_SEGMENT_KEY is not None:
        key: str | None = _ASCII_SEGMENT_KEY(text, _KEY_CHARS, _KEY_SPACES, _KEY_ENDS)
        if key is not None:
            return key
    folded = unicodedata.normalize("NFKC", text)
    if not folded.isascii() or any(char in folded for char in _FOLD_ASCII):
        folded = folded.translate(_FOLD)
    folded = folded.casefold()
    if folded.isascii():
        folded = folded.encode("ascii").translate(_ASCII_DIGITS_AS_ZERO).decode("ascii")
    else:
        folded = _DIGIT.sub("0", folded)
    return " ".join(folded.split()).strip(_KEY_STRIP)


def segment_hash(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


class FurnitureRow(NamedTuple):
    """One row of the ``furniture`` table."""

    outlet: str
    segment_hash: str
    segment: str  # as first seen (articles in doc_id order)
    articles_count: int  # the outlet's articles (distinct headlines) that have it


@dataclass(frozen=True, slots=True)
class Furniture(Frozen):
    """One outlet's learned furniture: segment hash -> articles_count."""

    outlet: str
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Chrome(Frozen):
    """What the chrome pass knows about a pair beyond the rules: each side's furniture."""

    a: Furniture | None = None
    b: Furniture | None = None


def _article_keys(body: str) -> dict[str, str]:
    """Normalised key -> original text of every short segment of a body."""
    found = segments(body)
    keys: dict[str, str] = {}
    for start, end in found.all_spans():
        text = body[start:end]
        if 0 < _word_count(text, MAX_SEGMENT_WORDS + 1) <= MAX_SEGMENT_WORDS:
            keys.setdefault(normalise_segment(text), text)
    return keys


class ArticleSegments(NamedTuple):
    """What furniture learning reads of one article (see :func:`article_segments`)."""

    outlet: str
    story: str  # the normalised headline (else the body's start): updates of one story count once
    keys: dict[str, str]  # normalised segment -> its text as written


def article_segments(outlet: str | None, headline: str | None, body: str | None) -> ArticleSegments | None:
    """One article's short segments, by key; None for an article without outlet or body.

    The per-article part of :func:`learn_furniture`, which is most of its time:
    articles can be read on several cores and merged in order by :func:`furniture_rows`.
    """
    if not outlet or not body:
        return None
    story = normalise_segment(headline or "") or normalise_segment(body[:200])
    return ArticleSegments(outlet, story, {key: text for key, text in _article_keys(body).items() if key})


def learn_furniture(
    articles: Iterable[tuple[str | None, str | None, str | None]], *, min_articles: int = DEFAULT_MIN_ARTICLES
) -> list[FurnitureRow]:
    """Segments repeated across one outlet's articles: that outlet's page furniture.

    ``articles``: (outlet, headline, body) in a fixed order (doc_id). A segment
    (paragraph or sentence, at most ``MAX_SEGMENT_WORDS`` words) is furniture of
    outlet X when at least ``min_articles`` of X's articles with different
    headlines have it (updates of one story count once) and articles of fewer
    than ``min_articles`` other outlets have it (text many outlets share is the
    story itself, or generic chrome the rules know). Sorted by outlet, then
    descending count, then hash.
    """
    return furniture_rows((article_segments(*article) for article in articles), min_articles=min_articles)


def furniture_rows(articles: Iterable[ArticleSegments | None], *, min_articles: int) -> list[FurnitureRow]:
    """:func:`learn_furniture` from each article's segments, in the same fixed order."""
    read = [article for article in articles if article is not None]
    # Most segments are in one article of an outlet only (every copy of a wire story is
    # another outlet's). Counted first by C loops, they are passed over below, so that
    # the sets of stories are made for the few segments an outlet repeats.
    in_outlet: Counter[tuple[str, str]] = Counter()  # (outlet, segment) -> articles
    for outlet, _, keys in read:
        in_outlet.update(zip(repeat(outlet), keys))
    repeated = {key for (_, key), count in in_outlet.items() if count >= min_articles}
    if not repeated:
        return []
    outlets_with = Counter(key for _, key in in_outlet if key in repeated)  # outlets that have it
    headlines: dict[tuple[str, str], set[str]] = defaultdict(set)
    first_text: dict[tuple[str, str], str] = {}
    for outlet, story, keys in read:
        for key, text in keys.items():
            if key in repeated:
                headlines[(outlet, key)].add(story)
                first_text.setdefault((outlet, key), text)
    rows = [
        FurnitureRow(outlet, segment_hash(key), first_text[(outlet, key)], len(stories))
        for (outlet, key), stories in headlines.items()
        if len(stories) >= min_articles and outlets_with[key] - 1 < min_articles
    ]
    return sorted(rows, key=lambda r: (r.outlet, -r.articles_count, r.segment_hash))


def furniture_by_outlet(rows: Iterable[FurnitureRow]) -> dict[str, Furniture]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row.outlet][row.segment_hash] = row.articles_count
    return {outlet: Furniture(outlet, table) for outlet, table in counts.items()}


# ----------------------------------------------------------------- the pass

Label = Verdict | None | str  # a verdict, None (text) or NEUTRAL (no word: joins its neighbours)
NEUTRAL = "neutral"


class _Side:
    """One text of the pair, its segments and (maybe) its outlet's furniture."""

    def __init__(self, text: str, furniture: Furniture | None, rules: ChromeRules) -> None:
        self.text = text
        self.furniture = furniture
        self.rules = rules
        # The memos below are keyed by a span as one int, start * (len(text) + 1) + end:
        # compiled, a tuple key was a tuple and two int objects made per look-up.
        self._width = len(text) + 1
        self._judged: dict[int, Verdict | None] = {}
        self._rules_said: dict[int, Verdict | None] = {}  # key * 2 + paragraph
        # An edit's pieces: the same edit of this text recurs in its other pairs (a sentence
        # one copy dropped is an insertion against each of the others).
        self._pieces: dict[int, list[tuple[int, int, Label]]] = {}
        self._verdicts: dict[int, Verdict | None] = {}  # a segment's: every edit inside it asks
        self._segments: Segments | None = None
        self._chrome_free: bool | None = None
        self.pairs = 0  # the pairs the pass has met this side in (``_side``)

    @property
    def segments(self) -> Segments:
        """Made on first use: most bodies have no substantive edit to judge.

        (A property over an attribute, not ``cached_property``: compiled, a property is
        a native getter, while ``cached_property`` runs its ``__get__`` in the
        interpreter at every use, about 1,300 instructions.)
        """
        if self._segments is None:
            self._segments = segments(self.text)
        return self._segments

    def _whole(self, start: int, end: int) -> tuple[bool, bool]:
        """(is a whole segment, is a whole paragraph) for a stripped span."""
        whole = self.segments.is_whole(start, end)
        return whole, whole and self.segments.is_paragraph((start, end))

    def _opening(self, start: int, end: int) -> Verdict | None:
        """The category of a paragraph that opens as a caption or a call to action.

        A caption's later sentences ("FILE - In this photo, ... . <context>") read
        like story text, and so do those after "Chat with us on Messenger.": they
        belong to the caption or the promotion. A promotion must open with a
        sentence of its own (an inline "Advertisement" label opens no paragraph).
        """
        index = self.segments.paragraph_index(start)
        if index is None or end > self.segments.paragraphs[index][1]:
            return None
        around, first = self.segments.paragraphs[index], self.segments.leaves(index)[0]
        if first == around or first == (start, end):
            return None
        opening = self._judge(first[0], first[1], paragraph=False)
        if opening is None or opening.category not in OPENING_WORDS:
            return None
        most = OPENING_WORDS[opening.category]
        if self._word_count(around[0], around[1], most + 1) > most:
            return None
        if opening.category is Category.PROMO and self.text[first[1] - 1] not in ".!":
            return None
        return Verdict(opening.category, f"{VALUES[opening.category]}.{VALUES[opening.category]}_paragraph")

    def _judge(self, start: int, end: int, *, paragraph: bool) -> Verdict | None:
        # A text of one paragraph (a sentence compared with a sentence) is no page: its
        # only line is not judged by shape as a menu item or a link.
        paragraph = paragraph and len(self.segments.paragraphs) > 1
        key = (start * self._width + end) * 2 + (1 if paragraph else 0)
        if key not in self._rules_said:
            count = self._word_count(start, end, MAX_SEGMENT_WORDS + 1)
            # A segment too long for any rule is text: its words are never listed, nor
            # is it hashed for the shared memo (most segments are paragraphs of text).
            too_long = count == 0 or count > MAX_SEGMENT_WORDS
            self._rules_said[key] = None if too_long else _judged(self.text[start:end], paragraph, count)
        return self._rules_said[key]

    def _base(self, start: int, end: int, paragraph: bool) -> Verdict | None:
        key = start * self._width + end
        if key not in self._judged:
            text = self.text[start:end]
            found = self._judge(start, end, paragraph=paragraph)
            if found is None and self.furniture is not None:
                if segment_hash(normalise_segment(text)) in self.furniture.counts:
                    found = Verdict(Category.OUTLET_FURNITURE, "outlet_furniture.repeated_segment")
            self._judged[key] = found or self._opening(start, end)
        return self._judged[key]

    def _word_count(self, start: int, end: int, limit: int) -> int:
        """A segment's words, counted only up to ``limit``: one past the limit its
        caller compares them with. Most segments are paragraphs of text, and the
        rules ask only whether one is short: its first words answer."""
        return _span_word_count(self.text, start, end, limit)

    def _leaf_verdict(self, leaf: Span) -> Verdict | None:
        return self._base(leaf[0], leaf[1], self.segments.is_paragraph(leaf))

    def _between_chrome(self, start: int, end: int) -> Verdict | None:
        """jusText's context rule: short text between two chrome segments of one category is one too.

        The segments between the two (this one included) may hold at most
        ``SANDWICH_MAX_WORDS`` words: a caption's own sentences between its credit
        lines, a line of a subscription appeal.
        """
        own = self._word_count(start, end, SANDWICH_MAX_WORDS + 1)
        if own > SANDWICH_MAX_WORDS:
            return None
        words = own
        ends: list[Verdict | None] = []
        for step in (-1, 1):
            leaf: Span | None = (start, end)
            found = None
            while words <= SANDWICH_MAX_WORDS:
                leaf = self.segments.neighbour(leaf, step) if leaf is not None else None
                if leaf is None:
                    break
                found = self._leaf_verdict(leaf)
                if found is not None:
                    break
                words += self._word_count(leaf[0], leaf[1], SANDWICH_MAX_WORDS + 1)
            if found is None:
                return None  # no chrome on this side: the other side cannot make a sandwich
            ends.append(found)
        before, after = ends
        if before is None or after is None or before.category is not after.category or words > SANDWICH_MAX_WORDS:
            return None
        return Verdict(before.category, f"{VALUES[before.category]}.between_chrome")

    def _verdict(self, start: int, end: int, paragraph: bool) -> Verdict | None:
        # Keyed by the span alone, as _base is: ``paragraph`` is whether the span is one.
        key = start * self._width + end
        if key not in self._verdicts:
            self._verdicts[key] = self._base(start, end, paragraph) or self._between_chrome(start, end)
        return self._verdicts[key]

    def label(self, start: int, end: int) -> Label:
        start, end = _strip_span(self.text, start, end)
        if not any(c.isalnum() for c in self.text[start:end]):
            return NEUTRAL
        whole, paragraph = self._whole(start, end)
        if whole:
            return self._verdict(start, end, paragraph)
        for s, e in self.segments.enclosing(start, end):
            around = self._verdict(s, e, self.segments.is_paragraph((s, e)))
            if around is not None and around.category in _STRUCTURAL:
                return around
            if around is None:
                return None  # inside running text: the words are text
        return None

    def chrome_free(self) -> bool:
        """Is no segment of the text chrome? Then no piece of it is labelled chrome.

        A piece's label is a segment's verdict (:meth:`label`), and a segment's
        verdict is its own judgement (:meth:`_base`: the rules, the outlet's
        furniture, a caption or promotion opening its paragraph) or, between two
        chrome segments, theirs (:meth:`_between_chrome`). So when every segment's
        own judgement is text, every label is text or neutral. Each segment is
        judged by the same memoised call the labels make, once per text: the side
        is kept across the pairs its text is in (a clean text is judged whole
        once, and its edits in every pair are then passed over at once).
        """
        if self._chrome_free is None:
            spans = self.segments.all_spans()
            self._chrome_free = all(self._base(s, e, self.segments.is_paragraph((s, e))) is None for s, e in spans)
        return self._chrome_free

    def pieces(self, start: int, end: int) -> list[tuple[int, int, Label]]:
        """``start..end`` cut at the segments inside it, each piece labelled (read, never changed, by the caller)."""
        key = start * self._width + end
        if key not in self._pieces:
            cuts = self.segments.cuts(start, end)
            bounds = [start, *cuts, end]
            # By index: compiled, zip(..., strict=False) is the builtin looked up and called generically.
            self._pieces[key] = [(bounds[k], bounds[k + 1], self.label(bounds[k], bounds[k + 1]))
                                 for k in range(len(bounds) - 1) if bounds[k + 1] > bounds[k]]
        return self._pieces[key]


# Each text's side, kept across the pairs it is in: a corpus run compares an article
# with several others, and its segments' verdicts and words (the side's memos) are the
# same in each. A side depends on its text, its outlet's furniture and the rules alone
# (never on the other text), so a side made for another furniture or rules is replaced.
# Oldest out first when full: pairs come in doc_id order, an article's pairs close together.
_SIDES: dict[str, _Side] = {}
SIDES_LIMIT = 256


def _side(text: str, furniture: Furniture | None, rules: ChromeRules) -> _Side:
    side = _SIDES.get(text)
    if side is None or side.furniture is not furniture or side.rules is not rules:
        if len(_SIDES) >= SIDES_LIMIT and text not in _SIDES:
            del _SIDES[next(iter(_SIDES))]
        side = _SIDES[text] = _Side(text, furniture, rules)
    side.pairs += 1
    return side


def _same(one: Label, other: Label) -> bool:
    if isinstance(one, Verdict) and isinstance(other, Verdict):
        return one.category is other.category
    return one == other


def _runs(pieces: list[tuple[int, int, Label]]) -> list[tuple[int, int, Label]]:
    """Neighbouring pieces of one category merged; wordless pieces join their neighbour."""
    runs: list[tuple[int, int, Label]] = []
    for start, end, label in pieces:
        if runs:
            first, _, previous = runs[-1]
            if label == NEUTRAL or previous == NEUTRAL or _same(label, previous):
                runs[-1] = (first, end, label if previous == NEUTRAL else previous)
                continue
        runs.append((start, end, label))
    return runs


def _is_chrome(label: Label) -> bool:
    return isinstance(label, Verdict)


Explain = Callable[[Category, int, int], str]


class _Pair:
    def __init__(self, edit: Edit, a: _Side, b: _Side, words: Callable[[str, int, int], int], explain: Explain) -> None:
        self.edit, self.a, self.b, self.words, self.explain = edit, a, b, words, explain

    def chrome(self, verdict: Verdict, side: str, a_span: tuple[int, int], b_span: tuple[int, int]) -> Edit:
        where = {"a": "A", "b": "B", "both": "A and B"}[side]
        explanation = f"page chrome in {where}: {DESCRIPTION[verdict.category]}"
        return self._edit(verdict.category, verdict.rule, explanation, a_span, b_span)

    def text(self, a_span: tuple[int, int], b_span: tuple[int, int]) -> Edit:
        empty_a, empty_b = a_span[0] == a_span[1], b_span[0] == b_span[1]
        category = Category.INSERTION if empty_a else Category.DELETION if empty_b else Category.SUBSTITUTION
        explanation = self.explain(category, self.words("a", *a_span), self.words("b", *b_span))
        return self._edit(category, f"{VALUES[category]}.unexplained", explanation, a_span, b_span)

    def _edit(self, category: Category, rule: str, explanation: str, a_span: tuple[int, int], b_span: tuple[int, int]) -> Edit:
        return replace(
            self.edit,
            category=category,
            kind=KIND_OF[category],
            rule=rule,
            explanation=explanation,
            a_text=self.a.text[a_span[0] : a_span[1]],
            b_text=self.b.text[b_span[0] : b_span[1]],
            a_start=a_span[0],
            a_end=a_span[1],
            b_start=b_span[0],
            b_end=b_span[1],
        )


def _one_sided(pair: _Pair, side: _Side, runs: list[tuple[int, int, Label]], on_a: bool) -> list[Edit]:
    e = pair.edit
    out = []
    for start, end, label in runs:
        a_span, b_span = ((start, end), (e.b_start, e.b_start)) if on_a else ((e.a_start, e.a_start), (start, end))
        if isinstance(label, Verdict):
            out.append(pair.chrome(label, "a" if on_a else "b", a_span, b_span))
        else:
            out.append(pair.text(a_span, b_span))
    return out


def _trim(runs: list[tuple[int, int, Label]]) -> tuple[list[tuple[int, int, Label]], list[tuple[int, int, Label]], list[tuple[int, int, Label]]]:
    """(leading chrome runs, middle runs, trailing chrome runs)."""
    lo, hi = 0, len(runs)
    while lo < hi and _is_chrome(runs[lo][2]):
        lo += 1
    while hi > lo and _is_chrome(runs[hi - 1][2]):
        hi -= 1
    return runs[:lo], runs[lo:hi], runs[hi:]


def _first(categories: Iterable[Verdict]) -> Verdict:
    return min(categories, key=lambda v: (PRIORITY.index(v.category), v.rule))


def _core(lead: list[tuple[int, int, Label]], middle: list[tuple[int, int, Label]], start: int) -> tuple[int, int]:
    """The span left between the chrome runs (empty, after the leading ones, if none)."""
    if middle:
        return middle[0][0], middle[-1][1]
    at = lead[-1][1] if lead else start
    return at, at


def _substitution(pair: _Pair, a_runs: list[tuple[int, int, Label]], b_runs: list[tuple[int, int, Label]]) -> list[Edit]:
    e = pair.edit
    a_chrome = [r[2] for r in a_runs if isinstance(r[2], Verdict)]
    b_chrome = [r[2] for r in b_runs if isinstance(r[2], Verdict)]
    if not a_chrome and not b_chrome:
        return [e]
    if all(_is_chrome(r[2]) or r[2] == NEUTRAL for r in a_runs + b_runs):
        return [pair.chrome(_first(a_chrome + b_chrome), "both", (e.a_start, e.a_end), (e.b_start, e.b_end))]
    a_lead, a_mid, a_tail = _trim(a_runs)
    b_lead, b_mid, b_tail = _trim(b_runs)
    if not (a_lead or a_tail or b_lead or b_tail):
        return [e]  # chrome only in the middle of running text: leave the edit whole
    out: list[Edit] = []
    for s, t, label in a_lead:
        assert isinstance(label, Verdict)
        out.append(pair.chrome(label, "a", (s, t), (e.b_start, e.b_start)))
    for s, t, label in b_lead:
        assert isinstance(label, Verdict)
        out.append(pair.chrome(label, "b", (e.a_start, e.a_start), (s, t)))
    a_core = _core(a_lead, a_mid, e.a_start)
    b_core = _core(b_lead, b_mid, e.b_start)
    if a_mid or b_mid:
        out.append(pair.text(a_core, b_core))
    for s, t, label in a_tail:
        assert isinstance(label, Verdict)
        out.append(pair.chrome(label, "a", (s, t), (e.b_end, e.b_end)))
    for s, t, label in b_tail:
        assert isinstance(label, Verdict)
        out.append(pair.chrome(label, "b", (e.a_end, e.a_end), (s, t)))
    return out


def _moved_chrome(edit: Edit, sides: tuple[_Side, _Side], words: Callable[[str, int, int], int], explain: Explain) -> Edit:
    """A passage moved with nothing but chrome in it (a credit line) is boilerplate."""
    labels = [r[2] for r in _runs(sides[0].pieces(edit.a_start, edit.a_end))]
    if not all(isinstance(label, Verdict) or label == NEUTRAL for label in labels):
        return edit  # text in A: B's side cannot change that (most moved passages are text)
    labels += [r[2] for r in _runs(sides[1].pieces(edit.b_start, edit.b_end))]
    verdicts = [label for label in labels if isinstance(label, Verdict)]
    if not verdicts or not all(isinstance(label, Verdict) or label == NEUTRAL for label in labels):
        return edit
    pair = _Pair(edit, sides[0], sides[1], words, explain)
    return pair.chrome(_first(verdicts), "both", (edit.a_start, edit.a_end), (edit.b_start, edit.b_end))


def mark_chrome(
    edits: Sequence[Edit],
    a: PreparedText,
    b: PreparedText,
    *,
    chrome: Chrome | None,
    explain: Explain,
) -> tuple[Edit, ...]:
    """The edits of one body with page chrome taken out of the substantive ones.

    Substantive insertions, deletions and substitutions are cut into segments;
    runs of chrome become ``boilerplate`` edits, the rest stays substantive
    (``explain`` words its explanation as the diff does). A substitution whose
    two sides are all chrome becomes one boilerplate edit. The edits still tile
    the same text, so :func:`harness.wirediff.apply_edits` rebuilds B.
    """
    rules = chrome_rules()
    chrome = chrome or Chrome()
    sides = (_side(a.text, chrome.a, rules), _side(b.text, chrome.b, rules))
    texts = {"a": a, "b": b}

    def words(side: str, start: int, end: int) -> int:
        prepared = texts[side]
        lo, hi = prepared.token_range(start, end)
        return prepared.word_count(lo, hi)

    out: list[Edit] = []
    clean: bool | None = None  # both texts free of chrome: asked at the first substantive edit
    for edit in edits:
        if edit.kind is not Kind.SUBSTANTIVE:
            out.append(edit)
            continue
        if clean is None:
            # Judging every segment of a text pays back across its pairs, not in its first:
            # a text met once (``harness diff A B``, a pair of texts found nowhere else)
            # has only the pieces its edits touch labelled (judging it whole made the diff
            # of two news articles met once a third slower).
            clean = all(side.pairs > 1 and side.chrome_free() for side in sides)
        if clean:
            out.append(edit)  # every piece is text: each branch below would keep the edit as it is
            continue
        if edit.category is Category.REORDER:
            out.append(_moved_chrome(edit, sides, words, explain))
            continue
        pair = _Pair(edit, sides[0], sides[1], words, explain)
        a_runs = _runs(sides[0].pieces(edit.a_start, edit.a_end)) if edit.a_end > edit.a_start else []
        b_runs = _runs(sides[1].pieces(edit.b_start, edit.b_end)) if edit.b_end > edit.b_start else []
        if not b_runs and a_runs and any(_is_chrome(r[2]) for r in a_runs):
            out += _one_sided(pair, sides[0], a_runs, on_a=True)
        elif not a_runs and b_runs and any(_is_chrome(r[2]) for r in b_runs):
            out += _one_sided(pair, sides[1], b_runs, on_a=False)
        elif a_runs and b_runs:
            out += _substitution(pair, a_runs, b_runs)
        else:
            out.append(edit)
    out.sort(key=lambda e: (e.a_start, e.a_end, e.b_start, e.b_end))
    return tuple(out)
