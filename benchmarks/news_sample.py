"""Generated news articles that stand in for the BBC sample when ``../shared`` is absent.

Tests compare the harness with the reference implementations (textstat, vaderSentiment,
NLTK's Punkt) on ``bench_score.sample_articles``: the first N BBC News articles when the
corpus is there, else the first N of these. A check is only as strong as the text it
runs on, so these articles are built to exercise as much as BBC articles do, not to be
read: 40 of them hold about as many distinct whitespace chunks as 40 BBC articles (some
4,000), every sentence and headline is distinct, and the typography of news copy is all
there — quotations in three quote styles with their attributions, questions, figures
(76%, $1.13bn, £600m, 1,200, 7.30pm, 3rd), abbreviations Punkt must not split at (Mr.,
U.S., a.m., No. 10, J. K.), hyphenated compounds, possessives, contractions, brackets,
dashes, colons and semicolons, capitals for emphasis, negations and boosters for VADER,
and names CMUdict does not know (some not ASCII) for the syllable fallback.

Words come from ``synthetic_news`` (CMUdict's word list and VADER's sentiment words with
Zipf frequencies). Article ``i`` depends only on ``SEED`` and ``i``: the first 40 of 150
are the 40. Nothing here is copied from any corpus.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from benchmarks.synthetic_news import _name, _vocabulary, _zipf_words

SEED = 20260311
DEFAULT_ARTICLES = 300
WORDS_PER_ARTICLE = 600  # Zipf words drawn per article at a time
FUNCTION_WORDS = 20  # the most frequent ranks of synthetic_news's vocabulary: "the", "of", ...
SCHEMA = {"doc_id": pl.String(), "outlet": pl.String(), "headline": pl.String(), "body": pl.String()}
OUTLETS = ("Generated A", "Generated B", "Generated C")

_DETERMINERS = ["the", "the", "the", "a", "its", "their", "this", "every", "some", "no", "another"]
_AUXILIARIES = ["will", "would", "has", "had", "could", "may", "is", "was", "were", "must"]
_NEGATIONS = ["not", "never", "didn't", "won't", "can't", "isn't", "wouldn't", "hasn't", "don\u2019t", "cannot"]
_BOOSTERS = ["very", "extremely", "really", "hardly", "slightly", "so", "kind of", "sort of", "more", "most",
             "less", "barely", "deeply", "at least", "without a doubt"]
_PREPOSITIONS = ["in", "on", "at", "for", "from", "with", "over", "after", "before", "against", "despite"]
_REPORTING = ["said", "told reporters", "added", "warned", "claimed", "insisted", "argued", "admitted", "explained"]
_PRONOUNS = ["he", "she", "they", "officials", "a spokesman", "a spokeswoman", "the minister", "analysts"]
_TITLES = ["Mr", "Mrs", "Ms", "Dr", "Prof", "Sir", "Mr.", "Mrs.", "Dr.", "Gen.", "Sen.", "Rep."]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_PLACES = ["the U.S.", "the UK", "the EU", "London", "Washington", "São Paulo", "Zürich", "Kraków", "İstanbul",
           "Reykjavík", "Malmö", "the Middle East", "St. Louis", "Washington, D.C."]
_FOREIGN = ["Zoë", "Müller", "Ødegaard", "Nuñez", "Dvořák", "Łukasz", "Çelik", "Søren", "José", "François",
            "Žižek", "Björn", "Renée", "Gonçalves", "Ioannou"]
_LOANS = ["café", "naïve", "fiancée", "rôle", "déjà vu", "über", "coup d'état", "façade", "résumé", "entrée"]
_ABBREVIATIONS = ["e.g.", "i.e.", "etc.", "approx.", "vs.", "No. 10", "Inc.", "Co.", "Ltd.", "a.m.", "p.m."]
_OPEN_CLOSE = [('"', '"'), ('"', '"'), ("\u201c", "\u201d"), ("'", "'")]
_ACRONYM_LETTERS = "ABCDEFGHIKLMNOPRSTUW"
_DASHES = [" - ", " \u2014 ", " \u2013 ", "--", ", "]


class _Writer:
    """One article's text, drawn from one generator and one stream of Zipf words."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._words: Iterator[str] = iter(_zipf_words(rng, WORDS_PER_ARTICLE))

    # -- small pieces ------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, options: list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def word(self) -> str:
        """The next Zipf word that is not a function word (the templates supply those)."""
        function_words = set(_vocabulary()[:FUNCTION_WORDS])
        while True:
            for word in self._words:
                if word not in function_words:
                    return word
            self._words = iter(_zipf_words(self.rng, WORDS_PER_ARTICLE))  # a long article

    def content(self) -> str:
        """A content word, now and then hyphenated, foreign, capitalised or in capitals."""
        roll = self.rng.random()
        if roll < 0.06:
            return f"{self.word()}-{self.word()}"
        if roll < 0.08:
            return self.pick(_LOANS)
        if roll < 0.10:
            return self.word().upper()  # emphasis: VADER's capitals rule
        if roll < 0.13:
            return self.word().capitalize()
        return self.word()

    def surname(self) -> str:
        return self.pick(_FOREIGN) if self.chance(0.15) else _name(self.rng)

    def person(self) -> str:
        roll = self.rng.random()
        if roll < 0.45:
            return f"{self.pick(_TITLES)} {self.surname()}"
        if roll < 0.55:
            return f"{self.pick(list('ABCDEFGHJKLMNPRSTW'))}. {self.pick(list('ABCDEJKLMPRS'))}. {self.surname()}"
        return f"{_name(self.rng)} {self.surname()}"

    def organisation(self) -> str:
        roll = self.rng.random()
        if roll < 0.4:
            size = int(self.rng.integers(2, 5))
            return "".join(self.pick(list(_ACRONYM_LETTERS)) for _ in range(size))
        if roll < 0.6:
            return f"{_name(self.rng)} & {_name(self.rng)}"
        if roll < 0.8:
            return f"{_name(self.rng)} {self.pick(['Inc.', 'Group', 'plc', 'Co.', 'Ltd', 'Holdings'])}"
        return f"the {_name(self.rng)} {self.pick(['Institute', 'Council', 'Commission', 'Foundation'])}"

    def figure(self) -> str:
        """A number as news copy writes it."""
        n, x = int(self.rng.integers(2, 9999)), float(self.rng.uniform(0.1, 99.9))
        formats = [
            f"{n % 100}%", f"{x:.1f}%", f"${x:.2f}bn", f"£{n % 900 + 1}m", f"€{x:.1f}m", f"{n * 137:,}",
            f"{1950 + n % 75}", f"the {1950 + n % 5 * 10}s", f"{n % 28 + 1} {self.pick(_MONTHS)}",
            f"{n % 12 + 1}.{n % 6}0pm", f"{n % 12 + 1} a.m.", f"{n % 9 + 1}-{n % 4}", f"£{x:.2f}",
            f"{x / 100:.2f}", f"{_ordinal(n % 40 + 1)}", f"{n % 90 + 10}-year-old", f"{n:,} people",
        ]
        return self.pick(formats)

    def noun_phrase(self) -> str:
        roll = self.rng.random()
        if roll < 0.10:
            return f"{self.person()}'s {self.content()}"
        if roll < 0.16:
            return self.organisation()
        if roll < 0.24:
            return self.figure()
        if roll < 0.30:
            return f"{self.pick(_DETERMINERS)} {self.content()}s' {self.content()}"
        adjectives = " ".join(self.content() for _ in range(int(self.rng.integers(0, 4))))
        return " ".join(p for p in (self.pick(_DETERMINERS), adjectives, self.content()) if p)

    def verb_phrase(self) -> str:
        parts = []
        if self.chance(0.4):
            parts.append(self.pick(_AUXILIARIES))
        if self.chance(0.2):
            parts.append(self.pick(_NEGATIONS))
        if self.chance(0.25):
            parts.append(self.pick(_BOOSTERS))
        parts.append(self.content())
        return " ".join(parts)

    def clause(self) -> str:
        text = f"{self.noun_phrase()} {self.verb_phrase()} {self.noun_phrase()}"
        roll = self.rng.random()
        if roll < 0.25:
            text += f" {self.pick(_PREPOSITIONS)} {self.noun_phrase()}"
        elif roll < 0.35:
            text += f" in {self.pick(_PLACES)}"
        elif roll < 0.42:
            text += f" ({self.figure()})"
        elif roll < 0.50:
            text += f"{self.pick(_DASHES)}{self.noun_phrase()}"
        elif roll < 0.56:
            text += f", {self.pick(_ABBREVIATIONS)} {self.noun_phrase()}"
        if self.chance(0.15):
            text += f", but {self.clause()}" if self.chance(0.5) else f" and {self.noun_phrase()}"
        return text

    # -- sentences -----------------------------------------------------------------

    def quotation(self, clause: str, end: str) -> str:
        opening, closing = _OPEN_CLOSE[int(self.rng.integers(len(_OPEN_CLOSE)))]
        return f"{opening}{_capital(clause)}{end}{closing}"

    def sentence(self) -> str:
        roll = self.rng.random()
        speaker = self.person() if self.chance(0.6) else self.pick(_PRONOUNS)
        if roll < 0.18:  # a quotation, then who said it
            said = self.pick(_REPORTING)
            if self.chance(0.3):  # two sentences inside the quotation marks
                inner = f"{_capital(self.clause())}. {_capital(self.clause())}"
                return _capital(f"{self.quotation(inner, ',')} {speaker} {said}.")
            return _capital(f"{self.quotation(self.clause(), self.pick([',', ',', '?', '!']))} {speaker} {said}.")
        if roll < 0.28:  # who said it, then the quotation
            return _capital(f"{speaker} {self.pick(_REPORTING)}: {self.quotation(self.clause(), '.')}")
        if roll < 0.40:  # reported speech
            frame = self.pick([f"{speaker} said", f"{speaker} told {self.organisation()} that",
                               f"according to {speaker},", f"{speaker} {self.pick(_REPORTING)} that"])
            return _capital(f"{frame} {self.clause()}.")
        if roll < 0.46:
            return _capital(self.clause()) + self.pick(["?", "?", "!", "!!", "..."])
        if roll < 0.52:
            items = ", ".join(self.noun_phrase() for _ in range(int(self.rng.integers(2, 5))))
            return f"{_capital(self.clause())}: {items} and {self.noun_phrase()}."
        if roll < 0.58:
            return f"{_capital(self.clause())}; {self.clause()}."
        if roll < 0.62:  # an abbreviation ends the sentence: Punkt must decide
            return f"{_capital(self.clause())} in the {self.pick(['U.S.', 'U.K.', 'E.U.'])}"
        return _capital(self.clause()) + "."

    def headline(self) -> str:
        roll = self.rng.random()
        if roll < 0.2:
            return f"{_capital(self.noun_phrase())}: {self.quotation(self.clause(), '')}"
        if roll < 0.35:
            return f"{self.surname()}'s {self.content()} {self.content()} {self.noun_phrase()}"
        return _capital(f"{self.noun_phrase()} {self.content()} {self.noun_phrase()}")

    def body(self) -> str:
        sentences = [self.sentence() for _ in range(int(self.rng.integers(10, 25)))]
        paragraphs, at = [], 0
        while at < len(sentences):
            size = int(self.rng.integers(1, 5))
            paragraphs.append(" ".join(sentences[at : at + size]))
            at += size
        breaks = ["\n\n"] * 6 + ["\n", "\n \n"]
        text = paragraphs[0]
        for paragraph in paragraphs[1:]:
            text += self.pick(breaks) + paragraph
        return text


def _capital(text: str) -> str:
    """Capitalise the first character, past any opening quotation mark ("$3bn" stays)."""
    start = len(text) - len(text.lstrip("'\"\u201c"))
    return text[:start] + text[start : start + 1].upper() + text[start + 1 :]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def news_sample(limit: int) -> pl.DataFrame:
    """The first ``limit`` generated articles (``DEFAULT_ARTICLES`` when 0)."""
    rows = []
    for number in range(limit or DEFAULT_ARTICLES):
        writer = _Writer(np.random.default_rng([SEED, number]))
        rows.append(
            {
                "doc_id": f"generated-{number:05d}",
                "outlet": OUTLETS[number % len(OUTLETS)],
                "headline": writer.headline(),
                "body": writer.body(),
            }
        )
    return pl.DataFrame(rows, schema=SCHEMA)
