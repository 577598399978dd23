"""Is this word a verb here? Contextual rules for the lexicon categories that need it.

The attribution categories list verbs of saying ("claim", "dismiss", "reveal"), whose
forms are often nouns as well ("the claims", "bizarre allegations", "his remarks").
No offline part-of-speech tagger ships its model in a well-kept package we can use
(nltk's tagger needs a data download, spaCy's models are not on PyPI), so the reading
is decided by rules on the word itself and the word before it:

1. **The word form.** lemminflect's ``getAllLemmas(word)`` lists the parts of speech a
   form can have. A form that cannot be a verb ("allegations", "revelation") is not
   one; a form that can be a verb but not a noun ("claimed", "insists", "said") is.
2. **The word before**, for forms that can be both ("claims", "remarks", "hit"):
   a determiner or possessive ("the", "his", "Trump's"), a number, an
   adjective-only word ("bizarre", "false", "new") or a preposition before a form not
   ending in "-ing" ("over claims", "amid warnings") make it a noun (or an adjective:
   "the alleged victim"); a form that can only be a verb is one whatever comes before; a personal or
   relative pronoun, "to", an auxiliary or modal ("has", "will"), or an adverb in
   "-ly" make it a verb. After a quantifier ("many", "some", "all") a form in "-s"
   is a noun ("many claims") and any other form a verb ("many claim").
3. Otherwise the reading is unknown, and a hit is kept (as before these rules).

The rules err towards keeping a hit: they remove the common noun readings that the
category's precision suffers from, and say why in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from functools import lru_cache

from harness.scoring.lemmas import all_lemmas as getAllLemmas
from harness.text import Token

_CACHE = 1 << 16

# Closed word classes (lower case): short, fixed lists of English function words.
DETERMINERS = frozenset(
    "the a an this these those his her its their our my your such no any every each another "
    "much either neither whose two three four five six seven eight nine ten dozens hundreds thousands".split()
)
# Quantifiers are also subjects: "many claims" (noun) but "many claim" (verb).
QUANTIFIERS = frozenset("many few several some most more all both others".split())
PRONOUNS = frozenset("i you he she it we they who which".split())
AUXILIARIES = frozenset(
    "to will would shall should can could may might must do does did has have had having "
    "is are was were be been being am 'll 've 'd n't not never also then just still once "
    "reportedly allegedly".split()
)
PREPOSITIONS = frozenset(
    "of about over amid amidst despite against after before following on in for with without "
    "among between into onto from by under behind like than".split()
)
_POSSESSIVE_ENDINGS = ("'s", "\u2019s", "s'", "s\u2019")


class Reading(Enum):
    NOUN = "noun"  # not a verb here
    VERB = "verb"
    UNKNOWN = "unknown"


@lru_cache(maxsize=_CACHE)
def _parts_of_speech(lower: str) -> frozenset[str]:
    return frozenset(getAllLemmas(lower))


def _previous_word(tokens: Sequence[Token], i: int) -> Token | None:
    """The word right before token ``i``, if no punctuation stands between."""
    if i == 0:
        return None
    before = tokens[i - 1]
    return before if before.is_word else None


def _is_ly_adverb(lower: str) -> bool:
    """ "publicly", "angrily": manner adverbs sit before verbs, not nouns."""
    return lower.endswith("ly") and len(lower) > 3 and "ADV" in _parts_of_speech(lower)


def _reading_after(previous: Token, word: str) -> Reading:
    """What the word before says about ``word`` (rule 2 of the module docs)."""
    text = previous.text
    lower = text.lower()
    if lower in PRONOUNS or lower in AUXILIARIES or _is_ly_adverb(lower):
        return Reading.VERB
    if lower in QUANTIFIERS:
        return Reading.NOUN if word.endswith("s") else Reading.VERB
    if lower in DETERMINERS or text.endswith(_POSSESSIVE_ENDINGS) or any(ch.isdigit() for ch in text):
        return Reading.NOUN
    if lower in PREPOSITIONS and not word.endswith("ing"):
        return Reading.NOUN
    if _parts_of_speech(lower) == frozenset({"ADJ"}):
        return Reading.NOUN
    return Reading.UNKNOWN


def verb_reading(tokens: Sequence[Token], i: int) -> Reading:
    """Whether token ``i`` reads as a verb, a noun (anything but a verb) or is unknown."""
    word = tokens[i].text.lower()
    parts = _parts_of_speech(word)
    if not parts:
        return Reading.UNKNOWN  # a word lemminflect does not know: no evidence either way
    if "VERB" not in parts:
        return Reading.NOUN
    if parts == {"VERB"}:
        return Reading.VERB  # "claimed", "insists": "they all insisted" stays a verb
    previous = _previous_word(tokens, i)
    return Reading.UNKNOWN if previous is None else _reading_after(previous, word)


def clear_pos_caches() -> None:
    _parts_of_speech.cache_clear()
