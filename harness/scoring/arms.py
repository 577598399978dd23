"""Second instruments for loaded language: published lexicons a study can swap in.

``loaded_lexicon = "harness"`` (the default) uses ``news_loaded.tsv``.
``loaded_lexicon = "vader-strong"`` replaces its loaded vocabulary by the words of
VADER's lexicon (Hutto and Gilbert 2014; MIT licence; the ``vader_lexicon.txt`` that
the installed vaderSentiment package ships, read at run time) whose mean valence is
at least ``VADER_STRONG_THRESHOLD`` in absolute value. The built-in attribution verbs
and stance markers (hedge, certainty, intensifier) stay, so the attribution table and
the stance rates are the same under both arms and only ``loaded_per_1k`` changes
instrument. A study reporting both arms shows whether a finding survives the choice
of word list.

Rule for the VADER words: an entry of letters (optionally joined by hyphens, so no
emoticons or abbreviations with digits), |mean valence| >= 1.5, category
``vader_negative`` or ``vader_positive`` by sign, weight 1; matched with the harness's
rules (lemmas, hyphens). Hits name the file ``vader_lexicon.txt`` and its line.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from harness.errors import UsageError
from harness.resources import Resource

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.scoring.lexicon import Lexicon, LexiconEntry

# The lexicon code (NumPy, the lemma tables) is imported where a lexicon is built, not
# here: `harness score` checks --loaded-lexicon (``check_suite_arm``) before it reads
# the corpus, and the core suite never matches a lexicon.

HARNESS_ARM = "harness"
VADER_STRONG_ARM = "vader-strong"
LOADED_LEXICONS: tuple[str, ...] = (HARNESS_ARM, VADER_STRONG_ARM)
VADER_STRONG_THRESHOLD = 1.5
VADER_ARM_NAME = "vader_lexicon.txt"
_VADER_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def check_arm(name: str) -> str:
    if name not in LOADED_LEXICONS:
        raise UsageError(
            f"unknown loaded_lexicon {name!r}",
            hint="use one of: " + ", ".join(LOADED_LEXICONS),
        )
    return name


def check_suite_arm(suite: str, loaded_lexicon: str) -> None:
    """Refuse an unknown instrument, and any but the default with the core suite
    (``harness score``'s check before it reads a corpus: this module loads no scorer)."""
    check_arm(loaded_lexicon)
    if suite == "core" and loaded_lexicon != HARNESS_ARM:
        raise UsageError("--loaded-lexicon needs --suite full", hint="the core suite matches no lexicon")


def vader_resource() -> Resource:
    """The VADER word lexicon file (also recorded by the sentiment instrument)."""
    from harness.scoring.sentiment import vader_resources

    return next(r for r in vader_resources() if r.name == VADER_ARM_NAME)


def _vader_entry(line: str, number: int, name: str) -> LexiconEntry | None:
    from harness.scoring.lexicon import LexiconEntry

    fields = line.split("\t")
    if len(fields) < 2 or not _VADER_WORD.fullmatch(fields[0]):
        return None
    try:
        valence = float(fields[1])
    except ValueError:
        return None
    if abs(valence) < VADER_STRONG_THRESHOLD:
        return None
    parts = tuple(fields[0].split("-"))
    return LexiconEntry(
        term=fields[0],
        words=parts,
        exact=False,
        category="vader_negative" if valence < 0 else "vader_positive",
        weight=1.0,
        source="VADER",
        note=f"mean valence {valence:g}",
        lexicon=name,
        line=number,
        hyphens=(True,) * (len(parts) - 1),
    )


@cache
def vader_strong_lexicon() -> Lexicon:
    """VADER's words with |valence| >= the threshold, as a harness lexicon."""
    from harness.scoring.lexicon import Lexicon

    resource = vader_resource()
    path = Path(resource.path)
    entries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            entry = _vader_entry(line.rstrip("\r\n"), number, VADER_ARM_NAME)
            if entry is not None:
                entries.append(entry)
    return Lexicon(VADER_ARM_NAME, path, resource.version, tuple(entries), resource)


def kept_part(lexicon: Lexicon) -> Lexicon:
    """The built-in lexicon's attribution verbs and stance markers only (the categories
    kept under every arm: they are not the loaded vocabulary)."""
    from harness.scoring.lexicon import ATTRIBUTION_CATEGORIES, STANCE_RATES, Lexicon

    kept_categories = {*ATTRIBUTION_CATEGORIES, *STANCE_RATES}
    kept = tuple(e for e in lexicon.entries if e.category in kept_categories)
    return Lexicon(lexicon.name, lexicon.path, lexicon.version, kept, lexicon.resource)
