"""The characters a regular expression's match may open with, read from re's own parse.

A caller that tries a pattern at many positions (the page-chrome rules at each
segment, the boilerplate mask at each line start) skips the positions whose first
character no match can open with. The sets are only ever too large: lookarounds
and anchors are passed over, every character stands for its other case too (a
character beyond ASCII for the ASCII ones IGNORECASE pairs it with), and anything
unknown means "any" (None). Read once per pattern, so
this module is not compiled.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

_ASCII = tuple(chr(code) for code in range(128))
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
# Zero-width elements (anchors, lookarounds): passed over, which can only let more patterns through.
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


class _AnyOpener(Exception):
    """An element that may open with any character (``.``, a back-reference, an unknown element)."""


def _category_holds(category: str, char: str) -> bool | None:
    """Does ``\\d``/``\\w``/``\\s`` (or a negation) hold for an ASCII ``char``? None: unknown category."""
    tests = {"DIGIT": str.isdigit, "WORD": lambda c: c.isalnum() or c == "_", "SPACE": str.isspace}
    negated = category.startswith("CATEGORY_NOT_")
    test = tests.get(category.removeprefix("CATEGORY_NOT_" if negated else "CATEGORY_"))
    return None if test is None else test(char) != negated


@functools.cache
def _ascii_twins(code: int) -> frozenset[str]:
    """The ASCII characters re's IGNORECASE matches the character ``code`` (beyond ASCII)
    with, asked of re itself: "k" and "K" for the Kelvin sign, "s" and "S" for the long
    s, none for most ("©", "—", "é")."""
    single = re.compile(re.escape(chr(code)), re.IGNORECASE)
    return frozenset(char for char in _ASCII if single.fullmatch(char))


def _set_openers(items: list[tuple[Any, Any]]) -> set[str]:
    """The ASCII characters a character set (``IN``) matches, case aside. A character
    beyond ASCII adds its IGNORECASE twins (:func:`_ascii_twins`); a range reaching
    beyond ASCII adds every letter (the Kelvin sign pairs with "k"). In a negated set
    the characters beyond ASCII are passed over: the set is then only ever too large."""
    negate, found, beyond_ascii = False, set(), False
    twins: set[str] = set()
    for op, argument in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            if argument > 127:
                twins |= _ascii_twins(argument)
            else:
                found.add(argument)
        elif name == "RANGE":
            found.update(range(argument[0], min(argument[1], 127) + 1))
            beyond_ascii = beyond_ascii or argument[1] > 127
        elif name == "CATEGORY":
            holds = [_category_holds(str(argument), char) for char in _ASCII]
            if None in holds:
                raise _AnyOpener
            found.update(code for code, yes in enumerate(holds) if yes)
        else:
            raise _AnyOpener
    chars = {char for char in _ASCII if (ord(char) in found) != negate}
    if not negate:
        chars |= twins
    return chars | set(_ASCII_LETTERS) if beyond_ascii and not negate else chars


def _sequence_openers(items: list[tuple[Any, Any]]) -> tuple[set[str], bool]:
    """(ASCII characters a match of the sequence may open with, can it match nothing)."""
    chars: set[str] = set()
    for op, argument in items:
        name = str(op)
        if name == "LITERAL":
            opens, empty = ({chr(argument)}, False) if argument < 128 else (set(_ascii_twins(argument)), False)
        elif name == "IN":
            opens, empty = _set_openers(list(argument)), False
        elif name in _ZERO_WIDTH:
            opens, empty = set(), True
        elif name == "SUBPATTERN":
            opens, empty = _sequence_openers(list(argument[-1]))
        elif name == "ATOMIC_GROUP":
            opens, empty = _sequence_openers(list(argument))
        elif name == "BRANCH":
            branches = [_sequence_openers(list(branch)) for branch in argument[1]]
            opens, empty = set().union(*(b[0] for b in branches)), any(b[1] for b in branches)
        elif name in _REPEATS:
            opens, empty = _sequence_openers(list(argument[2]))
            empty = empty or argument[0] == 0
        else:
            raise _AnyOpener
        chars |= opens
        if not empty:
            return chars, False
    return chars, True


def openers(pattern: re.Pattern[str], parsed: Any = None) -> frozenset[str] | None:
    """The lower-cased ASCII characters a non-empty match of ``pattern`` may open with
    (None: any), read from re's parse of it (``parsed``, when the caller has it already).
    Only ever too many: lookarounds and anchors are passed over, and every character
    stands for its other case too."""
    found = _read(pattern, parsed)
    return None if found is None else frozenset(char.lower() for char in found[0])


def parsed_openers(parsed: Any) -> frozenset[str] | None:
    """:func:`openers` from re's parse of a pattern alone (a caller that compiles its
    patterns only when it first tries them)."""
    try:
        found = _sequence_openers(list(parsed))
    except Exception:  # an element read as "any", or another Python: no cut, same answer
        return None
    return frozenset(char.lower() for char in found[0])


def nonempty_openers(pattern: re.Pattern[str], parsed: Any = None) -> frozenset[str] | None:
    """:func:`openers` of a pattern that cannot match the empty string, else None (any).

    Whoever skips the positions a match cannot open at must know that no empty
    match could stand there either. ``parsed``: re's parse of the pattern, when the
    caller has it already.
    """
    found = _read(pattern, parsed)
    return None if found is None or found[1] else frozenset(char.lower() for char in found[0])


def _read(pattern: re.Pattern[str], parsed: Any = None) -> tuple[set[str], bool] | None:
    """(opening characters, can it match nothing), or None where the parse says "any"."""
    try:
        if parsed is None:
            parser: Any = importlib.import_module("re._parser")  # CPython's own parse of the pattern
            parsed = parser.parse(pattern.pattern, pattern.flags)
        return _sequence_openers(list(parsed))
    except Exception:  # an element read as "any", or another Python: no cut, same answer
        return None


def _consumes_newline(items: list[tuple[Any, Any]]) -> bool:
    """Can a match of the sequence take in a "\\n"? Only ever yes when unsure."""
    for op, argument in items:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue  # reads around the position, takes nothing in
        if name == "LITERAL":
            found = argument == 10
        elif name == "NOT_LITERAL":
            found = argument != 10
        elif name == "IN":
            found = "\n" in _set_openers(list(argument))
        elif name == "SUBPATTERN":
            found = _consumes_newline(list(argument[-1]))
        elif name == "ATOMIC_GROUP":
            found = _consumes_newline(list(argument))
        elif name == "BRANCH":
            found = any(_consumes_newline(list(branch)) for branch in argument[1])
        elif name in _REPEATS:
            found = _consumes_newline(list(argument[2]))
        else:  # "." (DOTALL or not), a back-reference, anything else: maybe
            return True
        if found:
            return True
    return False


def within_a_line(pattern: re.Pattern[str], parsed: Any = None) -> bool:
    """Does every match of ``pattern`` lie within one line (no "\\n" taken in)?

    Read from re's parse as :func:`openers` is; anything unknown (``.``, a
    back-reference, a set the reader cannot list) counts as taking one in. A caller
    may then look for a literal every match holds within the line alone.
    """
    try:
        if parsed is None:
            parser: Any = importlib.import_module("re._parser")
            parsed = parser.parse(pattern.pattern, pattern.flags)
        return not _consumes_newline(list(parsed))
    except Exception:  # an element the reader does not know, or another Python: maybe not
        return False


# ------------------------------------------------------------------ openings

# At most this many openings are kept for a pattern: a longer list would cost its
# caller more to compare than the pattern's own failing match.
OPENINGS_LIMIT = 64
# A character set is read as openings only when it lists at most this many characters.
_SET_LIMIT = 8

# A set of (opening, complete): an opening every match of the element may start with,
# and whether it is the whole of that match (what follows may then extend it).
_Openings = set[tuple[str, bool]]


def _plain_char(char: str) -> bool:
    """ASCII, or a character without case: IGNORECASE matches it as ``lower()`` compares it."""
    return char.isascii() or (char.lower() == char == char.upper() and char.casefold() == char)


def _element_openings(name: str, argument: Any, limit: int) -> _Openings | None:
    """The openings of one element of re's parse; None where it may open with anything
    (or with a character IGNORECASE pairs with others than its ``lower()``)."""
    if name == "LITERAL":
        char = chr(argument)
        return {(char.lower(), True)} if _plain_char(char) else None
    if name == "IN":
        items = list(argument)
        chars = [chr(code) for op, code in items if str(op) == "LITERAL"]
        if len(chars) != len(items) or len(chars) > _SET_LIMIT or not all(map(_plain_char, chars)):
            return None  # a range, a category, a negation, a long list: anything
        return {(char.lower(), True) for char in chars}
    if name in _ZERO_WIDTH:
        return {("", True)}  # takes nothing in: passed over, which only keeps more texts
    if name == "SUBPATTERN":
        return _sequence_openings(list(argument[-1]), limit)
    if name == "BRANCH":
        return set().union(*(_sequence_openings(list(branch), limit) for branch in argument[1]))
    if name in _REPEATS:
        low, high, items = argument
        inner = _sequence_openings(list(items), limit)
        if low == high == 1:
            return inner
        once = inner if high == 1 else {(opening, False) for opening, _ in inner}
        return once if low >= 1 else once | {("", True)}
    return None


def _sequence_openings(items: list[tuple[Any, Any]], limit: int) -> _Openings:
    """The openings of a sequence: each complete opening grown by the next element's,
    until an element may open with anything or there would be more than ``limit``."""
    found: _Openings = {("", True)}
    for op, argument in items:
        if not any(complete for _, complete in found):
            break
        step = _element_openings(str(op), argument, limit)
        grown = None if step is None else {
            (opening + more, whole) if complete else (opening, False)
            for opening, complete in found
            for more, whole in (step if complete else (("", False),))
        }
        if grown is None or len(grown) > limit:
            return {(opening, False) for opening, _ in found}
        found = grown
    return found


def parsed_openings(parsed: Any, limit: int = OPENINGS_LIMIT) -> tuple[str, ...]:
    """Lower-cased strings, one of which opens every match of a pattern, read from re's
    parse of it; () where there are none to tell (an opening that may be anything).

    Each holds only ASCII and caseless characters, so for a text of such characters
    ``text.lower().startswith(openings)`` is necessary for a match at its start, case
    aside. Lookarounds and anchors are passed over; a list stops short of an element
    that may open with anything, or of growing beyond ``limit``. None holds another:
    a longer one is dropped for the shorter it opens with.
    """
    try:
        found = {opening for opening, _ in _sequence_openings(list(parsed), limit)}
    except Exception:  # an element the reader does not know, or another Python: no cut
        return ()
    if "" in found:
        return ()
    return tuple(sorted(opening for opening in found if not any(
        other != opening and opening.startswith(other) for other in found)))
