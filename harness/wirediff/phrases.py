"""Parsers for the short phrases house styles write differently.

Each parser reads a window of tokens and says whether the *whole* window is one
phrase of its type, returning a canonical value (equal for two stylings of the
same thing) and a pattern (how it is styled, with the particulars abstracted, for
the learned style table):

* dates: "May 16", "16 May", "Wednesday, May 16, 2025", "Aug. 5";
* numbers: "1,200" / "1200", "24-48" / "24 to 48", "5 per cent" / "5%", "five" / "5";
* titles before names: "Russian President Vladimir Putin" /
  "the Russian president, Vladimir Putin,";
* attributions: "Medinsky said" / "said Medinsky".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.wirediff.frozen import Frozen
from harness.wirediff.lexicon import Lexicon

_DAY = re.compile(r"(?P<day>\d{1,2})(?P<suffix>st|nd|rd|th)?", re.IGNORECASE)
_YEAR = re.compile(r"(?:1[5-9]|2[0-9])\d\d")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_DIGITS = re.compile(r"\d+")
_NUMBER_WITH_SCALE = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<scale>[a-z]+)", re.IGNORECASE)
_HYPHEN = frozenset("-‐‑")


@dataclass(frozen=True, slots=True)
class DatePhrase(Frozen):
    value: tuple[int, int, int, int]  # weekday (-1 when absent), month, day, year (0)
    pattern: str
    day_text: str  # as written ("16", "16th")


@dataclass(frozen=True, slots=True)
class NumberPhrase(Frozen):
    value: str
    pattern: str

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(self, value: str, pattern: str) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "pattern", pattern)


@dataclass(frozen=True, slots=True)
class TitlePhrase(Frozen):
    """``[det] title-words [,] name [,]`` with the title ending in a title noun."""

    canonical: tuple[tuple[str, ...], tuple[str, ...]]  # (title keys, name keys)
    form: tuple[str, tuple[bool, ...], bool]  # (determiner, title-word capitals, comma before name)
    comma_after: bool
    pattern: str
    title_slice: tuple[int, int]  # token offsets inside the window
    name_slice: tuple[int, int]

    # Written out, as the dataclass would write it: compiled, it is native (see Frozen).
    def __init__(
        self,
        canonical: tuple[tuple[str, ...], tuple[str, ...]],
        form: tuple[str, tuple[bool, ...], bool],
        comma_after: bool,
        pattern: str,
        title_slice: tuple[int, int],
        name_slice: tuple[int, int],
    ) -> None:
        object.__setattr__(self, "canonical", canonical)
        object.__setattr__(self, "form", form)
        object.__setattr__(self, "comma_after", comma_after)
        object.__setattr__(self, "pattern", pattern)
        object.__setattr__(self, "title_slice", title_slice)
        object.__setattr__(self, "name_slice", name_slice)


def _bare(token: str) -> str:
    return token.casefold().rstrip(".")


def _day(token: str) -> tuple[int, str] | None:
    # Every match opens with a digit (\d: a decimal digit, which isdigit holds for):
    # most tokens asked are words, told apart without running the pattern.
    found = _DAY.fullmatch(token) if token[:1].isdigit() else None
    if found is None or not 1 <= int(found.group("day")) <= 31:
        return None
    return int(found.group("day")), "<d>" + ("th" if found.group("suffix") else "")


def _month_pattern(token: str, month: int, dotted: bool, lex: Lexicon) -> str:
    if token.casefold() == lex.month_names[month - 1].casefold():
        return "<Month>"
    return "<Mon.>" if dotted else "<Mon>"


def parse_date(tokens: Sequence[str], lex: Lexicon) -> DatePhrase | None:
    """A whole window that is one calendar date with a day (and maybe weekday, year)."""
    n = len(tokens)
    k = 0
    weekday = -1
    parts: list[str] = []
    if k < n and _bare(tokens[k]) in lex.weekdays:
        weekday = lex.weekdays[_bare(tokens[k])]
        parts.append("<Weekday>")
        k += 1
        if k < n and tokens[k] == ",":
            parts.append(",")
            k += 1

    def month_at(index: int) -> tuple[int, int, str] | None:
        if index >= n or tokens[index].casefold() not in lex.months:
            return None
        month = lex.months[tokens[index].casefold()]
        # "Aug." takes its full stop; after "May" or "August" a full stop ends the sentence.
        full_name = tokens[index].casefold() == lex.month_names[month - 1].casefold()
        dotted = not full_name and index + 1 < n and tokens[index + 1] == "."
        return month, index + (2 if dotted else 1), _month_pattern(tokens[index], month, dotted, lex)

    month_first = month_at(k)
    if month_first is not None:
        month, k, pattern = month_first
        day = _day(tokens[k]) if k < n else None
        if day is None:
            return None
        parts += [pattern, day[1]]
        day_text = tokens[k]
        k += 1
    else:
        day = _day(tokens[k]) if k < n else None
        if day is None:
            return None
        day_text = tokens[k]
        k += 1
        if k < n and tokens[k].casefold() == "of":
            k += 1
        after = month_at(k)
        if after is None:
            return None
        month, k, pattern = after
        parts += [day[1], pattern]
    year = 0
    if k + 1 < n and tokens[k] == "," and _YEAR.fullmatch(tokens[k + 1]):
        year, k = int(tokens[k + 1]), k + 2
        parts += [",", "<yyyy>"]
    elif k < n and _YEAR.fullmatch(tokens[k]):
        year, k = int(tokens[k]), k + 1
        parts.append("<yyyy>")
    if k != n:
        return None
    return DatePhrase((weekday, month, day[0], year), " ".join(parts).replace(" ,", ","), day_text)


def parse_number(tokens: Sequence[str], lex: Lexicon) -> NumberPhrase | None:
    """A whole window that is a number phrase: figures, ranges, percentages, scales."""
    value: list[str] = []
    has_number = False
    k, n = 0, len(tokens)
    while k < n:
        token = tokens[k]
        low = token.casefold()
        # Both figure patterns open with a digit (\d: a decimal digit, which isdigit
        # holds for): a word is told apart without running them.
        digit = token[:1].isdigit()
        if digit and _NUMBER.fullmatch(token):
            value.append(token.replace(",", ""))
            has_number = True
        elif low in lex.number_words:
            value.append(lex.number_words[low])
            has_number = True
        # Matched only here, where it is asked (most tokens are words, found above or not numbers).
        elif digit and (scaled := _NUMBER_WITH_SCALE.fullmatch(token)) and scaled.group("scale").casefold() in lex.scales:
            value += [scaled.group("number"), lex.scales[scaled.group("scale").casefold()]]
            has_number = True
        elif low in lex.percent_words:
            value.append("%")
        # The phrase's first word is this token's (the tuple is made only then).
        elif (
            lex.percent_phrase
            and lex.percent_phrase[0] == low
            and tuple(t.casefold() for t in tokens[k : k + 2]) == lex.percent_phrase
        ):
            value.append("%")
            k += 1
        elif low in lex.scales:
            value.append(lex.scales[low])
        elif low in lex.currency:
            value.append(low)
        elif token == "." and value and k + 1 < n and tokens[k + 1][:1].isdigit():
            value.append(".")  # a decimal point the tokeniser split off ("1.2bn")
        elif (token in lex.dashes or low in lex.range_words) and value and k + 1 < n:
            value.append("-")
        else:
            return None
        k += 1
    if not has_number:
        return None
    text = " ".join(tokens)
    return NumberPhrase("".join(value), _DIGITS.sub("#", text))


def name_end(tokens: Sequence[str], is_word: Sequence[bool], start: int, lex: Lexicon) -> int:
    """Index after a personal name starting at ``start`` (``start`` when none)."""
    k, n = start, len(tokens)
    last_capital = start
    while k < n:
        token = tokens[k]
        if is_word[k] and token[:1].isupper():
            k += 1
            last_capital = k
        elif is_word[k] and token.casefold() in lex.name_particles and k + 1 < n:
            k += 1
        elif token in _HYPHEN and k > start and k + 1 < n and is_word[k + 1]:
            k += 1
        else:
            break
    return last_capital


def _title_complement_end(keys: Sequence[str], noun: int, lex: Lexicon) -> int:
    """The last token of a title noun's "of ..." complement ("Secretary [of State]"), or the noun."""
    n = len(keys)
    if noun + 2 >= n or keys[noun + 1] != "of":
        return noun
    end = noun + 1
    while end + 1 < n and keys[end + 1] in lex.title_complements:
        end += 1
    return end if end > noun + 1 else noun


def parse_title(
    tokens: Sequence[str], keys: Sequence[str], is_word: Sequence[bool], lex: Lexicon
) -> TitlePhrase | None:
    """A whole window reading ``[the] <title words> [,] <Name> [,]``."""
    n = len(tokens)
    k = 0
    determiner = ""
    if n and keys[0] in lex.determiners:
        determiner, k = keys[0], 1
    for t in range(k, n):
        if not (is_word[t] or tokens[t] in _HYPHEN):
            return None
        if keys[t] not in lex.title_nouns:
            continue
        t = _title_complement_end(keys, t, lex)
        rest = t + 1
        comma_before = rest < n and tokens[rest] == ","
        rest += comma_before
        end = name_end(tokens, is_word, rest, lex)
        if end == rest:
            continue
        comma_after = end < n and tokens[end] == ","
        if end + comma_after != n:
            continue
        capitals = tuple(tokens[i][:1].isupper() for i in range(k, t + 1))
        noun = "<Title>" if tokens[t][:1].isupper() else "<title>"
        pattern = (determiner + " " if determiner else "") + noun
        pattern += ("," if comma_before else "") + " <name>" + ("," if comma_after else "")
        return TitlePhrase(
            canonical=(tuple(keys[k : t + 1]), tuple(keys[rest:end])),
            form=(determiner, capitals, comma_before),
            comma_after=comma_after,
            pattern=pattern,
            title_slice=(k, t + 1),
            name_slice=(rest, end),
        )
    return None


def is_subject(tokens: Sequence[str], keys: Sequence[str], is_word: Sequence[bool], lex: Lexicon) -> bool:
    """Could these tokens be who is speaking ("Medinsky", "the spokesman", "he",
    "the US president, Joe Biden,")?"""
    if not 1 <= len(tokens) <= 8 or tokens[0] == ",":
        return False
    if any(key in lex.speech_verbs for key in keys):
        return False
    if not all(is_word[i] or tokens[i] in _HYPHEN or tokens[i] == "," for i in range(len(tokens))):
        return False  # commas only around an apposition ("the president, Joe Biden,")
    first = tokens[0]
    return first[:1].isupper() or keys[0] in lex.determiners or len(tokens) == 1
