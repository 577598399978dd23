"""When two spellings of a passage differ only in typography, and in which way.

Scraped copies of one story differ in glyphs that say nothing about the story:
straight or curly quotes, doubled single marks (‘‘ ’’, `` '') for double ones,
primes and accents used as apostrophes, a detached ``’s`` ("Russia ’s"), a
dash written as ``-``, ``–``, ``—``, ``--`` or ``_``, spaces around punctuation,
hyphenation and compounding (non-binding / nonbinding, cyber assets /
cyberassets), a dropped apostrophe in a contraction (don't / dont), and
quotation marks put around words both copies share ("witch hunt").

:func:`typographic_difference` compares the two texts of a passage under a
ladder of folds, from the narrowest to the widest, and names the first fold
under which they are equal. Each fold is a plain string rewrite, so a passage
is either equal under it or not: no threshold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from harness.wirediff.frozen import Frozen
from harness.wirediff.lexicon import Lexicon
from harness.wirediff.model import Category

# Two single marks standing for one double mark.
_DOUBLED = (("‘‘", "“"), ("’’", "”"), ("``", "“"), ("''", '"'), (",,", "„"), ("′′", "″"))
_LETTER = r"[^\W\d_]"
# An underscore standing alone is a dash typed on a keyboard without one.
_UNDERSCORE_DASH = re.compile(r"(?<![\w])_+(?![\w])")
_SPACE_AT_PUNCT = re.compile(r"\s+(?=[^\w\s])|(?<=[^\w\s])\s+")
_SPACES = re.compile(r"\s+")
_ELIDED = re.compile(rf"(?<={_LETTER})'(?={_LETTER})")
# Hyphens or spaces joining two letter runs ("non-binding", "cyber assets").
_JOIN = re.compile(rf"({_LETTER}+)([\s\-]+)(?={_LETTER})")
# Compiled once: re's module functions look a pattern string up in its cache at every call.
_DASH_RUN = re.compile(r"-{2,}")
_JOINERS = re.compile(r"[\s\-]+")
_COMPOUND = re.compile(rf"{_LETTER}+(?:[\s\-]+{_LETTER}+)*")
_INNER_JOINERS = re.compile(rf"(?<={_LETTER})[\s\-]+(?={_LETTER})")
MIN_JOINED_PIECE = 2  # "a part" / "apart" is two words, not a compound
MAX_COMPOUND_PIECES = 3


# Marks typed for an apostrophe between two letters ("Russia´s", "Russia‘s").
_APOSTROPHE_LIKE = re.compile(r"(?<=[^\W\d_])[´`′ʼ‘](?=[^\W\d_])")


def join_apostrophes(text: str) -> str:
    """``text`` with apostrophe-like marks between letters written ``'``.

    One character for one, so offsets into the result are offsets into ``text``:
    tokenising the result keeps "Russia´s" one word, as "Russia's" is.
    """
    return _APOSTROPHE_LIKE.sub("'", text)


@dataclass(frozen=True, slots=True)
class Typographic(Frozen):
    """How two texts of a passage differ: category, rule id, summary."""

    category: Category
    rule: str
    summary: str


def _doubled(text: str) -> str:
    for pair, single in _DOUBLED:
        text = text.replace(pair, single)
    return text


def fold_quotes(text: str, lex: Lexicon) -> str:
    """Every quotation mark and apostrophe glyph as ``'`` (doubled marks first as one)."""
    text = _doubled(text)
    return "".join("'" if ch in lex.quote_marks or ch in lex.apostrophes else ch for ch in text)


def fold_dashes(text: str, lex: Lexicon) -> str:
    """Every dash or hyphen glyph, a run of them ("--") or a lone "_" as one ``-``."""
    text = _UNDERSCORE_DASH.sub("-", text)
    text = "".join("-" if ch in lex.dashes else ch for ch in text)
    return _DASH_RUN.sub("-", text)


def fold_spacing(text: str) -> str:
    """No whitespace next to punctuation; any other run of whitespace as one space."""
    return _SPACES.sub(" ", _SPACE_AT_PUNCT.sub("", text)).strip()


def fold_glyphs(text: str, lex: Lexicon) -> str:
    """Compatibility forms (NFKC: non-breaking spaces, ligatures, full-width
    letters), quotes, dashes and spacing folded."""
    # Quote glyphs first: NFKC would turn a spacing accent (´) into a combining one.
    folded = fold_spacing(fold_dashes(unicodedata.normalize("NFKC", fold_quotes(text, lex)), lex))
    return _DASH_RUN.sub("-", folded)  # "- -" closed up is one dash too


def _pieces(text: str) -> list[list[str]]:
    """Letter runs joined by hyphens or spaces, per compound candidate."""
    return [_JOINERS.split(m.group(0)) for m in _COMPOUND.finditer(text)]


def _compound_key(text: str) -> str:
    return _INNER_JOINERS.sub("", text)


def _fair_compound(a: str, b: str) -> bool:
    """Are the joins between the two spellings compounds, not words run together?

    Every piece a join removes has at least two letters ("re-entry", not "a part"
    / "apart"), and a compound has at most three pieces.
    """
    for text in (a, b):
        for run in _pieces(text):
            if len(run) > 1 and any(len(piece) < MIN_JOINED_PIECE for piece in run):
                return False
    a_words, b_words = _SPACES.split(a.strip()), _SPACES.split(b.strip())
    return abs(len(a_words) - len(b_words)) < MAX_COMPOUND_PIECES


def _quote_positions(text: str) -> list[int]:
    """Quotation marks in folded text: a ``'`` not between two letters."""
    return [
        k
        for k, ch in enumerate(text)
        if ch == "'" and not (text[k - 1 : k].isalpha() and text[k + 1 : k + 2].isalpha())
    ]


def _without_quotes(text: str) -> str:
    drop = set(_quote_positions(text))
    return fold_spacing("".join(ch for k, ch in enumerate(text) if k not in drop))


def _alnum(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum() and unicodedata.category(ch) != "Lm")


def typographic_difference(a: str, b: str, lex: Lexicon) -> Typographic | None:
    """The narrowest typographic fold under which ``a`` and ``b`` are equal.

    ``None`` when they differ in more than typography (or not at all).
    """
    if a == b or _alnum(a) != _alnum(b):
        return None  # no fold adds, drops or changes a letter or digit
    if fold_spacing(a) == fold_spacing(b):
        return Typographic(Category.TYPOGRAPHY, "typography.spacing", "spacing around punctuation")
    qa, qb = fold_quotes(a, lex), fold_quotes(b, lex)
    if qa == qb:
        return Typographic(Category.QUOTE_STYLE, "quote_style.glyphs", "quotation marks or apostrophes")
    if fold_dashes(qa, lex) == fold_dashes(qb, lex):
        return Typographic(Category.TYPOGRAPHY, "typography.dash", "dash or hyphen")
    fa, fb = fold_glyphs(a, lex), fold_glyphs(b, lex)
    if fa == fb:
        return Typographic(Category.TYPOGRAPHY, "typography.glyphs", "spacing, dashes or apostrophes")
    if _ELIDED.sub("", fa) == _ELIDED.sub("", fb):
        return Typographic(Category.TYPOGRAPHY, "typography.elision", "apostrophe in a contraction")
    if _compound_key(fa) == _compound_key(fb) and _fair_compound(fa, fb):
        return Typographic(Category.COMPOUNDING, "compounding.join", "hyphenation or compounding")
    if _without_quotes(fa) == _without_quotes(fb):
        extra = len(_quote_positions(fb)) - len(_quote_positions(fa))
        if extra and extra % 2 == 0 and _without_quotes(fa):
            return Typographic(Category.SCARE_QUOTES, "scare_quotes.marks", "quotation marks around shared words")
        return Typographic(Category.QUOTE_STYLE, "quote_style.unpaired", "quotation mark added or left out")
    return None
