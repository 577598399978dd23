"""Romanisation variants of one proper name: Peskov / Peskow, Shoigu / Shoygu.

Names from Russian, Ukrainian, Arabic or Persian reach English copy in several
romanisations. The curated list (``lexicon.toml`` ``spelling.transliterations``)
names the common ones; this module's general rule finds the rest, and is
deliberately cautious, because two different names that look alike (Iran /
Iraq, Niger / Nigeria, Paul / Saul) must stay a substantive change:

1. both words are capitalised, alphabetic, four letters or more;
2. their **skeletons** are equal: lower case, diacritics folded, and the letter
   alternations transliteration systems differ on folded (kh/h, gh/g, dh/d,
   th/t, zh/j, sch/sh, ph/f, ou/u, w/v, j/y/i, c/k/q, tz/ts, x/ks, ch/h inside
   a word, doubled letters);
3. or, for names of six letters or more that are not known place names and
   do not start a sentence (where any word has a capital), their skeletons
   differ in vowels only (equal consonant skeletons), by at most a
   quarter of the length (Levenshtein, via rapidfuzz);

and never when

* the two words are different entries of the list of real place names
  (``spelling.distinct_names``: ISO 3166 country names and time-zone cities from
  CLDR), or
* one skeleton starts with the other (Niger / Nigeria: a suffix is a
  different name), or their first letters differ after folding (Paul / Saul).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from harness.wirediff.lexicon import Lexicon

MIN_NAME = 4  # letters; shorter words are too easily another word
MIN_VOWEL_VARIANT = 6  # letters before vowels alone may differ
VOWEL_SHARE = 0.25  # at most this share of the skeleton may differ in vowels

# Applied in order, to lower-case text without diacritics.
_FOLDS: tuple[tuple[str, str], ...] = (
    ("tsch", "ch"),
    ("sch", "sh"),
    ("kh", "h"),
    ("x", "ks"),
    ("gh", "g"),
    ("dh", "d"),
    ("th", "t"),
    ("zh", "j"),
    ("ph", "f"),
    ("ou", "u"),
    ("ck", "k"),
    ("tz", "ts"),
    ("w", "v"),
    ("q", "k"),
    ("c", "k"),  # after the digraphs that hold a "c"
    ("j", "y"),
    ("y", "i"),
)
_VOWELS = re.compile("[aeiou]")
_INNER_CH = re.compile(r"(?<=.)ch")
_DOUBLED = re.compile(r"(.)\1+")


def _plain(word: str) -> str:
    """Lower case without diacritics ("Erdoğan" -> "erdogan")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def skeleton(word: str) -> str:
    """The name with the letter alternations of romanisation systems folded."""
    # German writes "ch" inside a name for kh (Michail / Mikhail); at the start
    # it is as often English ch (Chernobyl), so it is left for the folds below.
    text = _INNER_CH.sub("h", _plain(word))
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _DOUBLED.sub(r"\1", text.replace("kh", "h"))  # "ch" -> "kh" after c/k: one h


def _consonants(skel: str) -> str:
    return skel[:1] + _VOWELS.sub("", skel[1:]).replace("i", "")


def _is_name(word: str) -> bool:
    return len(word) >= MIN_NAME and word.isalpha() and word[:1].isupper()


def _guarded(a: str, b: str, sa: str, sb: str, lex: Lexicon) -> bool:
    """Are these two different names whatever their skeletons say?"""
    a_low, b_low = a.casefold(), b.casefold()
    if a_low in lex.distinct_names and b_low in lex.distinct_names:
        return True  # Iran / Iraq: both real places
    return sa[:1] != sb[:1] or (sa != sb and (sa.startswith(sb) or sb.startswith(sa)))


def same_name(a: str, b: str, lex: Lexicon, *, vowels: bool = True) -> bool:
    """Are ``a`` and ``b`` two romanisations of one proper name?

    ``vowels=False`` allows skeleton matches only: for words whose capital may
    just start a sentence ("Former" / "Farmer" differ in a vowel too).
    """
    if a == b or not (_is_name(a) and _is_name(b)):
        return False
    sa, sb = skeleton(a), skeleton(b)
    if _guarded(a, b, sa, sb, lex):
        return False
    if sa == sb:
        return True
    known = a.casefold() in lex.distinct_names or b.casefold() in lex.distinct_names
    if not vowels or known or min(len(sa), len(sb)) < MIN_VOWEL_VARIANT or _consonants(sa) != _consonants(sb):
        return False
    return Levenshtein.distance(sa, sb) <= VOWEL_SHARE * max(len(sa), len(sb))
