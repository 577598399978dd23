"""Discovery's word hashes of one text, without numpy: typography folded, each word key
hashed with BLAKE2b (``harness.discovery.shingles`` builds the shingles from them).

Apart from ``shingles`` so that a process that has not imported numpy can make them:
`harness run` hands the bodies of a JSON Lines corpus to the diff's early workers
(``harness.wirediff.pairwork.word_hashes_from_file``), which hash their words while
this process is still importing, and discovery takes them (``shingles.word_hashes_known``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from functools import cache

import regex

__all__ = ["FOLD_TABLE", "blake64", "fold_typography", "plain_word_hashes", "separators_beyond_ascii", "text_word_hash_bytes"]


def blake64(word: str) -> int:
    """A word's stable 64-bit hash: the first 8 bytes of its BLAKE2b, little-endian."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


# Typographic variants of one character, folded to the plain form. Applied after
# NFKC, which already maps compatibility forms (ligatures, full-width letters,
# non-breaking spaces, "…") but keeps curly quotes and dashes apart.
_APOSTROPHES = "\u2019\u2018\u201a\u201b\u02bc\u02bb\u02b9\u2032\u0060\u00b4\uff07\u2035\u275b\u275c"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u301d\u301e\u301f\uff02\u275d\u275e\u2e42"
_SINGLE_GUILLEMETS = "\u2039\u203a"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
# Invisible characters inside a word (soft hyphen, joiners, BOM) would split it.
_INVISIBLE = "\u00ad\u200c\u200d\u2060\ufeff\u180e"
FOLD_TABLE = str.maketrans(
    {
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_SINGLE_GUILLEMETS, "'"),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_INVISIBLE, ""),
        "\u200b": " ",  # zero-width space: a word break
    }
)


def fold_typography(text: str) -> str:
    """``text`` with typography folded: NFKC, then one apostrophe, one quote, one dash.

    Only keys are made from the folded text (offsets are never taken from it),
    so it may change the text's length.
    """
    if text.isascii():  # NFKC leaves ASCII alone; of the variants only ` is ASCII
        return text.replace("`", "'")
    # str.translate looks every character up in the table (about 0.2 ms for a news
    # article); a character class finds the few variants, and only those are replaced.
    return _FOLD_CHARS.sub(_folded_char, unicodedata.normalize("NFKC", text))


_FOLD_BY_CHAR = {chr(point): replacement for point, replacement in FOLD_TABLE.items()}
_FOLD_CHARS = re.compile("[" + re.escape("".join(_FOLD_BY_CHAR)) + "]")


def _folded_char(match: re.Match[str]) -> str:
    return _FOLD_BY_CHAR[match.group()]


def separators_beyond_ascii(text: str) -> bool:
    """Is every character of ``text`` beyond ASCII (a pound sign, a degree sign) a
    separator: neither in ``shingles._WORD_RE``'s word class nor a word character to the
    C loop (``str.isalnum``)? Then the pattern reads only ASCII words, as the loop does,
    and their keys are ASCII."""
    return all(map(_separator, set(_NON_ASCII.findall(text))))


@cache
def _separator(char: str) -> bool:
    return _WORD_OR_MARK.match(char) is None and not char.isalnum()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_OR_MARK = regex.compile(r"[\w\p{M}]")


@cache
def plain_word_hashes() -> Callable[[str, Callable[[str], int]], bytes] | None:
    """The C loop of ``harness/wirediff/units.c`` (``plain_word_hashes``), or None when
    the diff's compiled modules are not in use (see ``shingles._plain_word_keys``)."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "plain_word_hashes")


def text_word_hash_bytes(text: str) -> bytes | None:
    """The word hashes of ``text`` (``blake64`` of each word key of the folded text, in
    order, as uint64 bytes in this machine's order): ``shingles._text_word_hashes(
    fold_typography(text))``'s bytes, when the C loop reads the text (tested equal);
    None when it does not (a word beyond ASCII, or no compiled modules)."""
    native = plain_word_hashes()
    if native is None:
        return None
    folded = fold_typography(text)
    if not (folded.isascii() or separators_beyond_ascii(folded)):
        return None
    return native(folded, blake64)
