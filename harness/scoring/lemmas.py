"""lemminflect's ``getAllLemmas`` with its lemma table kept between runs.

lemminflect reads its whole lemma table (``lemma_lu.csv.gz``: 70k words, a dict per
word) on the first look-up: about 0.2-0.3 s of every run that matches a lexicon. Here
the table is stored by ``harness.tablecache`` as one string per word and a word's
dict is rebuilt only when that word is looked up, then handed to lemminflect's own
lemmatizer (which looks words up with ``.get``), so every answer is lemminflect's:
its overrides and its case handling are untouched. A look-up of every upos (the
lexicon's) repeats ``getAllLemmas`` without its deep copies (see
``_all_lemmas_of_any_upos``). Tests check that the stored table gives the same dict,
entry for entry and in order, as lemminflect's, and the look-up the same answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from lemminflect import getAllLemmas
from lemminflect.core.LexicalUtils import applyCapsStyleToDict, getCapsStyle

from harness.tablecache import Stored, load_or_build, package_version

__all__ = ["LemmaTable", "all_lemmas"]

# Separators that cannot occur inside lemminflect's fields (its CSV splits a line at
# ',' and the spellings at '/', and strips the newline).
_ENTRY = "\n"
_FIELD = ","
_FORM = "/"

LemmaDict = dict[str, tuple[str, ...]]  # upos -> spellings of the lemma


def _encode(entries: LemmaDict) -> str:
    return _ENTRY.join(upos + _FIELD + _FORM.join(forms) for upos, forms in entries.items())


def _decode(encoded: str) -> LemmaDict:
    entries: LemmaDict = {}
    for entry in encoded.split(_ENTRY) if encoded else ():
        upos, forms = entry.split(_FIELD, 1)
        entries[upos] = tuple(forms.split(_FORM))
    return entries


class LemmaTable:
    """lemminflect's lemma dict (word -> {upos: spellings}), decoded word by word."""

    def __init__(self, encoded: dict[str, str]) -> None:
        self._encoded = encoded

    def get(self, word: str, default: Any = None) -> Any:
        encoded = self._encoded.get(word)
        return default if encoded is None else _decode(encoded)

    def __getitem__(self, word: str) -> LemmaDict:
        return _decode(self._encoded[word])

    def __contains__(self, word: object) -> bool:
        return word in self._encoded

    def __iter__(self) -> Iterator[str]:
        return iter(self._encoded)

    def __len__(self) -> int:
        return len(self._encoded)


def _lemmatizer() -> Any:
    from lemminflect.core.Lemmatizer import Lemmatizer

    return Lemmatizer()  # lemminflect's singleton


def _lemma_file() -> Path:
    return Path(_lemmatizer().lemma_lu_fn)


def _stored() -> Stored:
    from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec

    table: dict[str, LemmaDict] = LemmaLUCodec.load(str(_lemma_file()))
    return Stored(value={word: _encode(entries) for word, entries in table.items()})


def _decoded(stored: Stored) -> LemmaTable:
    encoded = stored.value
    if not isinstance(encoded, dict):
        raise TypeError("a lemma table is a dict")
    return LemmaTable(encoded)


def lemma_table() -> LemmaTable:
    """The lemma table, from the cache when it is there."""
    return load_or_build(
        "lemminflect-lemmas",
        sources=[_lemma_file()],
        versions=[package_version("lemminflect")],
        build=_stored,
        decode=_decoded,
    )


@cache
def _install() -> None:
    """Give lemminflect's lemmatizer the stored table, unless it has read its own
    (it reads the file on its first look-up only when it has no ``lemma_dict``)."""
    lemmatizer = _lemmatizer()
    if hasattr(lemmatizer, "lemma_dict") or not hasattr(lemmatizer, "_getLemmaDict"):
        return
    lemmatizer.lemma_dict = lemma_table()


def all_lemmas(word: str, upos: str | None = None) -> dict[str, tuple[str, ...]]:
    """``lemminflect.getAllLemmas``, its table read from the cache."""
    _install()
    if upos is None:
        return _all_lemmas_of_any_upos(word)
    lemmas: dict[str, tuple[str, ...]] = getAllLemmas(word, upos)
    return lemmas


_NO_LEMMAS: LemmaDict = {}


def _all_lemmas_of_any_upos(word: str) -> dict[str, tuple[str, ...]]:
    """``getAllLemmas(word)`` (no upos) without its two deep copies.

    lemminflect deep-copies the word's table entry and its overrides before it puts
    the word's capitals on the spellings; the entries are dicts of tuples of strings
    and the capitals go into new tuples in the copy, so a shallow copy of the entry
    leaves the table as untouched and gives the same dict. The copies were half the
    cost of a word's look-up, paid for each new word of a corpus. Tests check this
    answer against lemminflect's for every word of its table and overrides.
    """
    lemmatizer = _lemmatizer()
    style = getCapsStyle(word)
    lower = word.lower()
    lemmas = dict(lemmatizer._getLemmaDict().get(lower, _NO_LEMMAS))
    lemmas.update(lemmatizer._getOverridesDict().get(lower, _NO_LEMMAS))
    answer: dict[str, tuple[str, ...]] = applyCapsStyleToDict(lemmas, style)
    return answer
