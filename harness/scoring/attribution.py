"""Who is quoted, and with which verb: a simple, documented attribution heuristic.

For every quotation (``harness.text.voice.find_quotes``, outermost marks) we look for
an attribution verb (a lexicon hit in the ``attribution_neutral`` or
``attribution_loaded`` category, in narrator voice) and a speaker next to it. The
rules, tried in order, are the common shapes of English news attribution:

0. **Which hits are verbs.** Lexicon hits in the two attribution categories, in
   narrator voice. The matcher already drops hits that read as nouns in context
   (``harness.scoring.pos``: "dismissed the claims", "bizarre allegations"); a hit
   right after a determiner is skipped here as well.
1. **Where to look for the verb.** A *full* quotation (its text ends in ``, . ! ?``
   inside the marks: "'..., ' Gabbard said.") is usually attributed after it, a
   *fragment* ("... not to 'discuss everything from scratch'") before it. So a full
   quotation takes the first verb after its closing mark in the sentence where it
   closes, else the last verb before its opening mark in the sentence where it opens;
   a fragment tries before first, then after. When neither exists and the previous
   sentence ends with ``:`` and holds a verb ("He added:" then the quotation as a new
   paragraph), that verb is used.
2. **Who goes with the verb.** A verb after the quotation: the words between the
   closing mark and the verb are the speaker ("Gabbard said", "his post-presidency
   office said"); with no words between, the name right after the verb ("said
   Medinsky"). A verb before the quotation: the nearest capitalised name within six
   words before the verb, stepping over an appositive ("Oleksandr Bevz, a member of
   the delegation, said"); a comma-delimited name ("the chief delegate, Rustem Umerov,
   said") is taken as the speaker. A possessive name ("Ukraine's chief delegate") is
   never the speaker. With no name, the clause's words before the verb (at most six,
   leading function words such as "And" dropped) are the speaker's description; failing
   that, the subject of the verb's sentence (its first name, or its leading pronoun),
   as in "Trump has seized on ... and accused his rivals of a 'coup'".
3. **Participles.** A verb ending in "-ing" ("..., adding: '...'") shares the speaker
   of the previous attribution verb in its sentence.
4. **Pronouns.** "he", "she", "they" (``speaker_words.tsv``) refer to the current
   subject: the last named speaker of an earlier sentence, or the first non-possessive
   name among the first eight narrator words of an earlier sentence that does not
   itself start with a pronoun.

A speaker's key is the last word of their name (so "President Donald Trump" and
"Trump" count together) or the lower-cased description; the display name is the
longest form seen in the document. Quotations with no verb are ``unattributed``.
This is a heuristic: every attribution is listed with its offsets and the rule used
(``method``) so a researcher can audit it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from harness.errors import ConfigError, at
from harness.resources import Resource
from harness.scoring.datafiles import builtin_data_path, data_file_resource
from harness.scoring.lexicon import ATTRIBUTION_CATEGORIES, TermHit
from harness.scoring.units import TextUnits
from harness.text.tokens import KIND_CODES, PUNCT_CODE, TokenKind, TokenView
from harness.text.voice import Quote, Voice

SPEAKER_WORDS_FILE = "speaker_words.tsv"
SPEAKER_WORD_KINDS: tuple[str, ...] = ("pronoun", "determiner", "function")
SPEAKER_WINDOW = 6  # words searched before a verb for a name or description
FOLLOWING_NAME_WINDOW = 3  # words searched after a verb ("said Medinsky")
SUBJECT_WINDOW = 8  # first narrator words of a sentence searched for its subject
FULL_QUOTE_END = frozenset(",.!?\u2026")
_POSSESSIVE_ENDINGS = ("'s", "\u2019s", "'S", "\u2019S")
WORD_CODE = KIND_CODES[TokenKind.WORD]


@dataclass(frozen=True, slots=True)
class SpeakerWords:
    pronouns: frozenset[str]
    determiners: frozenset[str]
    function_words: frozenset[str]
    not_names: frozenset[str]  # determiners and function words: never start a name


@dataclass(frozen=True, slots=True)
class Mention:
    """Who a verb is attributed to: a name, a description or a resolved pronoun."""

    key: str
    display: str
    start: int  # offsets of the words that name the speaker (the pronoun, if one)
    end: int
    method: str  # name | description | pronoun | participle | sentence subject


@dataclass(frozen=True, slots=True)
class QuoteAttribution:
    quote_index: int
    start: int
    end: int
    words: int
    speaker: Mention | None
    verb: TermHit | None
    method: str  # how the verb was found: verb after/before quote, before colon, unattributed


def speaker_words_resource() -> Resource:
    return data_file_resource(builtin_data_path(SPEAKER_WORDS_FILE))


@cache
def speaker_words() -> SpeakerWords:
    path = builtin_data_path(SPEAKER_WORDS_FILE)
    kinds: dict[str, set[str]] = {kind: set() for kind in SPEAKER_WORD_KINDS}
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith("word\t"):
            continue
        word, _, kind = line.partition("\t")
        if kind not in kinds:
            raise ConfigError(
                f"unknown kind {kind!r}",
                where=at(path, number),
                hint="use one of: " + ", ".join(SPEAKER_WORD_KINDS),
            )
        kinds[kind].add(word.strip().lower())
    return SpeakerWords(
        pronouns=frozenset(kinds["pronoun"]),
        determiners=frozenset(kinds["determiner"]),
        function_words=frozenset(kinds["function"]),
        not_names=frozenset(kinds["determiner"] | kinds["function"]),
    )


def _bare(text: str) -> str:
    for ending in _POSSESSIVE_ENDINGS:
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


class _Attributor:
    """Attribution state for one text: verbs by sentence, the running subject.

    Tokens are read by index from the view's columns (``texts``, ``starts``, ``ends``,
    kind ``codes``): no ``Token`` is made. Attribution reads a few tokens of many
    sentences; making every token of every text with a quotation as a tuple took more
    time than all the reading.
    """

    def __init__(self, units: TextUnits, hits: Sequence[TermHit]) -> None:
        self.units = units
        view = TokenView.of(units.tokens)
        self.texts, self.starts, self.ends, self.codes = view.texts, view.starts, view.ends, view.codes
        words = speaker_words()
        self.pronouns, self.determiners, self.function_words = words.pronouns, words.determiners, words.function_words
        self.never_names = words.not_names | words.pronouns
        self.sentence_of_token = units.sentence_of_token  # made once: read for many tokens
        self.verbs = [
            h
            for h in hits
            if h.entry.category in ATTRIBUTION_CATEGORIES
            and units.voices[h.first_token] is Voice.NARRATOR
            and not self._after_determiner(h.first_token)
        ]
        # Verbs by sentence, in text order: each quotation looks at one or two sentences.
        self.verbs_by_sentence: dict[int, list[TermHit]] = {}
        for verb in self.verbs:
            sentence = self.sentence_of_token[verb.first_token]
            self.verbs_by_sentence.setdefault(sentence, []).append(verb)
        self.verb_speakers: dict[int, Mention | None] = {}
        # The running subject, read lazily: sentences [0, _subject_through) are folded
        # into _subject; those from there to _sentences_seen are noted, not yet read.
        # Only a pronoun speaker asks for the subject, and then the latest sentence that
        # names somebody decides it: most sentences are never read for it.
        self._subject: Mention | None = None
        self._subject_through = 0
        self._sentences_seen = 0
        self._named: dict[int, Mention] = {}  # a sentence's last named speaker
        self.longest: dict[str, str] = {}

    def _after_determiner(self, index: int) -> bool:
        """ "the claims", "his remarks": a lexicon verb after a determiner is a noun."""
        return index > 0 and self.texts[index - 1].lower() in self.determiners

    # -- one token, by index (a list index: negative counts from the end, as a tuple's)

    def _is_word(self, i: int) -> bool:
        """``Token.is_word``: a word or a number."""
        return self.codes[i] != PUNCT_CODE

    def _is_possessive(self, i: int) -> bool:
        return self.texts[i].endswith(_POSSESSIVE_ENDINGS)

    def _is_name_word(self, i: int) -> bool:
        text = self.texts[i]
        return self.codes[i] == WORD_CODE and text[:1].isupper() and text.lower() not in self.never_names

    def _is_pronoun(self, i: int) -> bool:
        return self.codes[i] == WORD_CODE and self.texts[i].lower() in self.pronouns

    # -- names ---------------------------------------------------------------------------

    def _name_ending_at(self, last: int, *, lower: int) -> Mention | None:
        """The capitalised run ending at token ``last`` (not before token ``lower``)."""
        first = last
        while first - 1 >= lower and self._is_name_word(first - 1):
            if self._is_possessive(first - 1):
                break
            first -= 1
        return self._mention(first, last, "name")

    def _name_starting_at(self, first: int, *, upper: int) -> Mention | None:
        last = first
        while last + 1 < upper and self._is_name_word(last + 1):
            last += 1
            if self._is_possessive(last):
                return None
        return self._mention(first, last, "name")

    def _mention(self, first: int, last: int, method: str) -> Mention:
        start, end = self.starts[first], self.ends[last]
        display = _bare(self.units.text[start:end])
        key = _bare(self.texts[last])
        return Mention(key, display, start, end, method)

    def _description(self, first: int, stop: int) -> Mention | None:
        """Words ``first..stop-1`` as a speaker description (1 to SPEAKER_WINDOW words)."""
        words = [i for i in range(first, stop) if self._is_word(i)]
        function_words = self.function_words
        while words and self.texts[words[0]].lower() in function_words:
            words.pop(0)  # "And her doctor" -> "her doctor"; "It also" -> nothing
        if not words or len(words) > SPEAKER_WINDOW:
            return None
        start, end = self.starts[words[0]], self.ends[words[-1]]
        display = " ".join(self.units.text[start:end].split())
        return Mention(display.lower(), display, start, end, "description")

    def _pronoun(self, index: int) -> Mention | None:
        s = self.subject
        if s is None:
            return None
        return Mention(s.key, s.display, self.starts[index], self.ends[index], "pronoun")

    # -- speaker of a verb ---------------------------------------------------------------

    def _sentence_bounds(self, token_index: int) -> tuple[int, int]:
        k = self.sentence_of_token[token_index]
        sentence = self.units.sentences[k]
        return sentence.first_token, sentence.stop_token

    def _narrator_words_between(self, first: int, stop: int, limit: int | None = None) -> list[int]:
        """Narrator word tokens in ``first..stop-1`` (the first ``limit`` of them)."""
        words: list[int] = []
        codes, voices, narrator = self.codes, self.units.voices, Voice.NARRATOR
        for i in range(first, stop):
            if codes[i] != PUNCT_CODE and voices[i] is narrator:
                words.append(i)
                if len(words) == limit:
                    break
        return words

    def speaker_before(self, verb: TermHit) -> Mention | None:
        """Name, pronoun or description before the verb (rule 2, verb before quote)."""
        lower, _ = self._sentence_bounds(verb.first_token)
        i = verb.first_token - 1
        if i >= lower and self.texts[i] == ",":
            return self._appositive_speaker(lower, i)
        seen_words = 0
        while i >= lower and seen_words < SPEAKER_WINDOW:
            if self.units.voices[i] is not Voice.NARRATOR:
                break
            if self._is_word(i):
                seen_words += 1
                if self._is_pronoun(i):
                    return self._pronoun(i)
                if self._is_name_word(i) and not self._is_possessive(i):
                    return self._name_ending_at(i, lower=lower)
            i -= 1
        return self._clause_description(lower, verb.first_token) or self._sentence_subject(
            verb.first_token
        )

    def _sentence_subject(self, token_index: int) -> Mention | None:
        """Fallback: the subject of the verb's sentence ("Trump has ... and accused ...")."""
        k = self.sentence_of_token[token_index]
        sentence = self.units.sentences[k]
        words = self._narrator_words_between(sentence.first_token, token_index)
        if not words:
            return None
        if self._is_pronoun(words[0]):
            return self._pronoun(words[0])
        for i in words[:SUBJECT_WINDOW]:
            if self._is_name_word(i) and not self._is_possessive(i):
                found = self._name_starting_at(i, upper=token_index)
                if found is not None:
                    return Mention(
                        found.key, found.display, found.start, found.end, "sentence subject"
                    )
        return None

    def _appositive_speaker(self, lower: int, comma: int) -> Mention | None:
        opening = comma - 1
        while opening >= lower and self.texts[opening] != ",":
            opening -= 1
        if opening < lower:
            return self._clause_description(lower, comma)
        inside = opening + 1
        if inside < comma and self._is_name_word(inside):
            return self._name_starting_at(inside, upper=comma)
        before = opening - 1
        if before >= lower and self._is_name_word(before):
            return self._name_ending_at(before, lower=lower)
        return self._clause_description(lower, opening)

    def _clause_description(self, lower: int, stop: int) -> Mention | None:
        first = stop
        while first - 1 >= lower and (
            self._is_word(first - 1) or self.texts[first - 1] in "-\u2010\u2011"
        ):
            first -= 1
        if first < stop and self._is_pronoun(first) and first + 1 == stop:
            return self._pronoun(first)
        return self._description(first, stop)

    def speaker_after_quote(self, quote: Quote, verb: TermHit) -> Mention | None:
        """Rule 2 for a verb after the quotation: the words between, else after the verb."""
        first = self._first_token_from(quote.end)
        between = self._narrator_words_between(first, verb.first_token)
        if not between:
            return self._name_after(verb)
        if len(between) == 1 and self._is_pronoun(between[0]):
            return self._pronoun(between[0])
        for i in reversed(between):
            if self._is_name_word(i) and not self._is_possessive(i):
                return self._name_ending_at(i, lower=between[0])
        return self._description(between[0], between[-1] + 1)

    def _name_after(self, verb: TermHit) -> Mention | None:
        _, upper = self._sentence_bounds(verb.first_token)
        last_verb_token = self._first_token_from(verb.end) - 1
        words = 0
        for i in range(last_verb_token + 1, upper):
            if not self._is_word(i):
                continue
            words += 1
            if words > FOLLOWING_NAME_WINDOW:
                break
            if self._is_pronoun(i):
                return self._pronoun(i)
            if self._is_name_word(i) and not self._is_possessive(i):
                return self._name_starting_at(i, upper=upper)
        return None

    def _first_token_from(self, offset: int) -> int:
        return bisect.bisect_left(self.starts, offset)

    def speaker_of(self, verb: TermHit, quote: Quote | None) -> Mention | None:
        """Speaker of ``verb`` (cached per verb so participles can reuse it)."""
        if verb.start in self.verb_speakers:
            return self.verb_speakers[verb.start]
        speaker = self._participle_speaker(verb)
        if speaker is None:
            after = quote is not None and verb.start >= quote.end
            speaker = (
                self.speaker_after_quote(quote, verb)
                if after and quote is not None
                else self.speaker_before(verb)
            )
        self.verb_speakers[verb.start] = speaker
        return speaker

    def _participle_speaker(self, verb: TermHit) -> Mention | None:
        surface = self.units.text[verb.start : verb.end].split()[0].lower()
        if not surface.endswith("ing"):
            return None
        k = self.sentence_of_token[verb.first_token]
        earlier = [
            v
            for v in self.verbs
            if v.start < verb.start and self.sentence_of_token[v.first_token] == k
        ]
        if not earlier:
            return None
        previous = self.speaker_of(earlier[-1], None)
        if previous is None:
            return None
        return Mention(previous.key, previous.display, previous.start, previous.end, "participle")

    # -- verbs of a quotation ------------------------------------------------------------

    def _verbs_in(self, sentence: int) -> list[TermHit]:
        return self.verbs_by_sentence.get(sentence, [])

    def verb_for(self, quote: Quote, first: int, last: int) -> tuple[TermHit | None, str]:
        open_sentence = self.sentence_of_token[first]
        close_sentence = self.sentence_of_token[last]
        after = [v for v in self._verbs_in(close_sentence) if v.start >= quote.end]
        before = [v for v in self._verbs_in(open_sentence) if v.end <= quote.start]
        full = self._is_full_quote(quote)
        order = (("after", after[:1]), ("before", before[-1:]))
        for side, found in order if full else order[::-1]:
            if found:
                return found[0], f"verb {side} quote"
        return self._colon_verb(open_sentence)

    def _is_full_quote(self, quote: Quote) -> bool:
        """Ends in , . ! ? inside the marks."""
        inner = self.units.text[quote.start : quote.end]
        inner = inner.removeprefix(quote.open_mark).removesuffix(quote.close_mark).rstrip()
        return bool(inner) and inner[-1] in FULL_QUOTE_END

    def _colon_verb(self, sentence: int) -> tuple[TermHit | None, str]:
        if sentence <= 0:
            return None, "unattributed"
        previous = self.units.sentences[sentence - 1]
        ends_with_colon = (
            previous.stop_token > previous.first_token
            and self.texts[previous.stop_token - 1] == ":"
        )
        verbs = self._verbs_in(sentence - 1) if ends_with_colon else []
        if verbs:
            return verbs[-1], "verb before colon"
        return None, "unattributed"

    # -- subject tracking ----------------------------------------------------------------

    def update_subject(self, sentence_index: int, speakers: list[Mention]) -> None:
        """Sentence ``sentence_index`` (called for every sentence, in order) is done, with
        ``speakers`` found for its quotations: after it, the subject is its last named
        speaker, else the name its first narrator words start with, else unchanged."""
        named = [s for s in speakers if s.method != "description"]
        if named:
            self._named[sentence_index] = named[-1]
        self._sentences_seen = sentence_index + 1

    @property
    def subject(self) -> Mention | None:
        """The running subject after the sentences done so far (``update_subject``)."""
        for k in range(self._sentences_seen - 1, self._subject_through - 1, -1):
            found = self._named.get(k) or self._name_opening(k)
            if found is not None:
                self._subject = found
                break
        self._subject_through = self._sentences_seen
        return self._subject

    def _name_opening(self, sentence_index: int) -> Mention | None:
        """The name that starts among the sentence's first narrator words (None when the
        first is a pronoun: the subject stays who it was)."""
        sentence = self.units.sentences[sentence_index]
        # Only the first SUBJECT_WINDOW narrator words can start the subject.
        words = self._narrator_words_between(
            sentence.first_token, sentence.stop_token, limit=SUBJECT_WINDOW
        )
        if not words or self._is_pronoun(words[0]):
            return None
        for i in words[:SUBJECT_WINDOW]:
            if self._is_name_word(i) and not self._is_possessive(i):
                return self._name_starting_at(i, upper=sentence.stop_token)
        return None


def attribute_quotes(units: TextUnits, hits: Sequence[TermHit]) -> list[QuoteAttribution]:
    """Speaker and verb for every quotation of the text, in text order."""
    quotes = units.quotes
    if not quotes:
        return []  # most headlines, many bodies: no state to build
    attributor = _Attributor(units, hits)
    starts = attributor.starts
    by_sentence: dict[int, list[tuple[int, Quote, int, int]]] = {}
    for n, quote in enumerate(quotes):
        first = bisect.bisect_left(starts, quote.start)
        stop = bisect.bisect_left(starts, quote.end)
        if first < stop and attributor.sentence_of_token[first] >= 0:
            k = attributor.sentence_of_token[first]
            by_sentence.setdefault(k, []).append((n, quote, first, stop - 1))
    results: list[QuoteAttribution] = []
    # The running subject only serves quotations to come: no sentence after the last
    # one with a quotation needs it (a text without quotations needs none).
    for k in range(max(by_sentence, default=-1) + 1):
        speakers: list[Mention] = []
        for n, quote, first, last in by_sentence.get(k, []):
            verb, method = attributor.verb_for(quote, first, last)
            speaker = attributor.speaker_of(verb, quote) if verb is not None else None
            if speaker is not None:
                speakers.append(speaker)
            words = last + 1 - first - attributor.codes.count(PUNCT_CODE, first, last + 1)
            results.append(
                QuoteAttribution(n, quote.start, quote.end, words, speaker, verb, method)
            )
        attributor.update_subject(k, speakers)
    return results


def display_names(attributions: Sequence[QuoteAttribution]) -> dict[str, str]:
    """Longest display form per speaker key (ties: alphabetical, for determinism)."""
    best: dict[str, str] = {}
    for a in attributions:
        if a.speaker is None:
            continue
        current = best.get(a.speaker.key)
        candidate = a.speaker.display
        if current is None or (len(candidate), candidate) > (len(current), current):
            best[a.speaker.key] = candidate
    return best
