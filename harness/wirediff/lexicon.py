"""The language data behind the wire-copy diff, loaded from ``data/lexicon.toml``.

The lexicon says what counts as a quote mark, a month, a title, a speech verb or a
wire credit. It is data, versioned and hashed like every other resource, so that
a run's manifest shows exactly which word lists produced its numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

from harness.resources import Resource, external_resource, project_resource
from harness.wirediff.compiled import FOLDER
from harness.wirediff.frozen import Frozen
from harness.wirediff.tomlfile import (
    TomlFile,
    read_toml,
    require_version,
    string,
    string_list,
    string_rows,
    table,
)

# The package's folder from a module that always runs from its source: compiled, this
# module's __file__ is the path its source had at build time, relative.
LEXICON_PATH = FOLDER / "data" / "lexicon.toml"

BOILERPLATE_SECTIONS = ("dateline", "wire_credit", "byline")


@dataclass(frozen=True, slots=True)
class BoilerplatePattern(Frozen):
    category: str  # "dateline" | "wire_credit" | "byline"
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Lexicon(Frozen):
    """Lookup tables built once from the lexicon file (all lower-case keys)."""

    version: str
    path: Path
    quote_marks: frozenset[str]
    apostrophes: frozenset[str]
    double_quotes: frozenset[str]
    curly_quotes: frozenset[str]
    dashes: frozenset[str]
    neutral_punctuation: frozenset[str]
    months: dict[str, int]  # name or abbreviation -> 1..12
    month_names: tuple[str, ...]  # full names, January first
    weekdays: dict[str, int]  # name or abbreviation -> 0..6
    number_words: dict[str, str]  # "five" -> "5"
    percent_words: frozenset[str]
    percent_phrase: tuple[str, ...]
    range_words: frozenset[str]
    scales: dict[str, str]  # short or long form -> long form
    currency: frozenset[str]
    speech_verbs: frozenset[str]
    after_verb: frozenset[str]
    title_nouns: frozenset[str]
    formal_titles: frozenset[str]
    title_modifiers: frozenset[str]
    title_complements: frozenset[str]  # after "of" inside a title ("Secretary of State")
    determiners: frozenset[str]
    name_particles: frozenset[str]
    no_article_after: frozenset[str]
    honorifics: frozenset[str]
    expansions: dict[str, str]  # short form -> long form
    dotted_acronyms: frozenset[str]
    transliterations: dict[str, str]  # casefolded spelling -> group's first spelling
    distinct_names: frozenset[str]  # casefolded real place names: never variants of each other
    name_endings: tuple[str, ...]
    name_ending_fold: str
    ambiguous_spellings: frozenset[str]
    boilerplate: tuple[BoilerplatePattern, ...]

    def british_to_american(self, word: str) -> str:
        """American form of a lower-case British spelling (itself if none)."""
        american: str = BRITISH_ENGLISH_SPELLINGS.get(word, word)
        return american

    def american_to_british(self, word: str) -> str:
        """British form of a lower-case American spelling (itself if none)."""
        british: str = AMERICAN_ENGLISH_SPELLINGS.get(word, word)
        return british


def _alternation(items: tuple[str, ...]) -> str:
    # Longest first, so "Associated Press" wins over "AP" inside one alternation.
    ordered = sorted(set(items), key=lambda s: (-len(s), s))
    return "|".join(re.escape(item) for item in ordered)


def _compile_boilerplate(doc: TomlFile, section: dict[str, object]) -> tuple[BoilerplatePattern, ...]:
    agencies = string_list(doc, section, "agencies", "boilerplate.agencies", required=True)
    months = tuple(
        name.capitalize()
        for row in string_rows(doc, doc.data.get("calendar", {}), "months", "calendar.months")
        for name in row
    )
    fill = {"{agency}": _alternation(agencies), "{month}": _alternation(months)}
    patterns: list[BoilerplatePattern] = []
    for category in BOILERPLATE_SECTIONS:
        dotted = f"boilerplate.{category}"
        for source in string_list(doc, section, category, dotted):
            for placeholder, alternation in fill.items():
                source = source.replace(placeholder, alternation)
            try:
                regex = re.compile(source, re.MULTILINE)
            except re.error as exc:
                raise doc.error(dotted, f"bad regular expression: {exc}", "fix the pattern") from exc
            patterns.append(BoilerplatePattern(category, regex))
    return tuple(patterns)


def _groups_to_index(rows: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    return {name.casefold(): number for number, row in enumerate(rows, start=1) for name in row}


def _pairs(rows: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    return {row[0].casefold(): row[1].casefold() for row in rows}


def _lower_set(items: tuple[str, ...]) -> frozenset[str]:
    return frozenset(item.casefold() for item in items)


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Parse and validate a lexicon file (``ConfigError`` names file, line and key)."""
    doc = read_toml(path)
    data = doc.data
    version = require_version(doc)
    quotes = table(doc, data, "quotes", "quotes")
    punct = table(doc, data, "punctuation", "punctuation")
    calendar = table(doc, data, "calendar", "calendar")
    numbers = table(doc, data, "numbers", "numbers")
    attribution = table(doc, data, "attribution", "attribution")
    titles = table(doc, data, "titles", "titles")
    abbreviations = table(doc, data, "abbreviations", "abbreviations")
    spelling = table(doc, data, "spelling", "spelling")
    boilerplate = dict(table(doc, data, "boilerplate", "boilerplate"))

    month_rows = string_rows(doc, calendar, "months", "calendar.months")
    if len(month_rows) != 12:
        raise doc.error("calendar.months", f"expected 12 months, got {len(month_rows)}", "list all twelve")
    weekday_rows = string_rows(doc, calendar, "weekdays", "calendar.weekdays")
    transliterations = {
        name.casefold(): row[0]
        for row in string_rows(doc, spelling, "transliterations", "spelling.transliterations")
        for name in row
    }
    return Lexicon(
        version=version,
        path=path,
        quote_marks=frozenset(string_list(doc, quotes, "marks", "quotes.marks", required=True)),
        apostrophes=frozenset(string_list(doc, quotes, "apostrophes", "quotes.apostrophes")),
        double_quotes=frozenset(string_list(doc, quotes, "double", "quotes.double")),
        curly_quotes=frozenset(string_list(doc, quotes, "curly", "quotes.curly")),
        dashes=frozenset(string_list(doc, punct, "dashes", "punctuation.dashes", required=True)),
        neutral_punctuation=frozenset(string_list(doc, punct, "neutral", "punctuation.neutral")),
        months=_groups_to_index(month_rows),
        month_names=tuple(row[0].capitalize() for row in month_rows),
        weekdays={name: number - 1 for name, number in _groups_to_index(weekday_rows).items()},
        number_words=_pairs(string_rows(doc, numbers, "words", "numbers.words", width=2)),
        percent_words=_lower_set(string_list(doc, numbers, "percent", "numbers.percent")),
        percent_phrase=tuple(
            w.casefold() for w in string_list(doc, numbers, "percent_phrase", "numbers.percent_phrase")
        ),
        range_words=_lower_set(string_list(doc, numbers, "range_words", "numbers.range_words")),
        scales={
            name.casefold(): row[0].casefold()
            for row in string_rows(doc, numbers, "scales", "numbers.scales")
            for name in row
        },
        currency=_lower_set(string_list(doc, numbers, "currency", "numbers.currency")),
        speech_verbs=_lower_set(
            string_list(doc, attribution, "speech_verbs", "attribution.speech_verbs", required=True)
        ),
        after_verb=_lower_set(string_list(doc, attribution, "after_verb", "attribution.after_verb")),
        title_nouns=_lower_set(string_list(doc, titles, "nouns", "titles.nouns", required=True)),
        formal_titles=_lower_set(string_list(doc, titles, "formal", "titles.formal")),
        title_modifiers=_lower_set(string_list(doc, titles, "modifiers", "titles.modifiers")),
        title_complements=_lower_set(string_list(doc, titles, "complements", "titles.complements")),
        determiners=_lower_set(string_list(doc, titles, "determiners", "titles.determiners")),
        name_particles=_lower_set(string_list(doc, titles, "name_particles", "titles.name_particles")),
        no_article_after=_lower_set(
            string_list(doc, titles, "no_article_after", "titles.no_article_after")
        ),
        honorifics=_lower_set(string_list(doc, abbreviations, "honorifics", "abbreviations.honorifics")),
        expansions=_pairs(
            string_rows(doc, abbreviations, "expansions", "abbreviations.expansions", width=2)
        ),
        dotted_acronyms=_lower_set(
            string_list(doc, abbreviations, "dotted_acronyms", "abbreviations.dotted_acronyms")
        ),
        transliterations=transliterations,
        distinct_names=_lower_set(string_list(doc, spelling, "distinct_names", "spelling.distinct_names")),
        name_endings=tuple(string_list(doc, spelling, "name_endings", "spelling.name_endings")),
        name_ending_fold=string(doc, spelling, "name_ending_fold", "spelling.name_ending_fold", "y"),
        ambiguous_spellings=_lower_set(string_list(doc, spelling, "ambiguous", "spelling.ambiguous")),
        boilerplate=_compile_boilerplate(doc, boilerplate),
    )


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon, loaded once per process."""
    return load_lexicon(LEXICON_PATH)


@cache
def lexicon_resource() -> Resource:
    """The lexicon as a manifest resource (name, declared version, SHA-256)."""
    return project_resource(LEXICON_PATH, "wirediff/lexicon.toml")


@cache
def breame_resource() -> Resource:
    """The British/American spelling list (``breame``) the keys and rules use."""
    import breame.data.spelling_constants as constants

    return external_resource("breame/spelling_constants.py", "breame", Path(constants.__file__))
