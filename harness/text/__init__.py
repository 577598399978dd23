"""Text units shared by every analysis: sentences, word tokens, voice.

Everything here keeps character offsets into the original text, so that a count
can always be audited down to the word.

The names below are imported on first use (PEP 562): a module of this package
(e.g. ``harness.text.language``) loads only what it needs, and NLTK (Punkt) only
when the sentence splitter (``harness.text.sentences``) meets a candidate break its
rules leave to NLTK (it imports NLTK through ``harness.text.nltk_import``).
"""

from __future__ import annotations

from harness.lazy import lazy_exports

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.resources import Resource
    from harness.text.sentences import Sentence, split_sentences
    from harness.text.tokens import Token, TokenKind, tokenize, word_count, words
    from harness.text.voice import Quote, Voice, find_quotes, token_voices, voice_resources


def text_resources() -> list[Resource]:
    """Every data file the text units read (abbreviations, quote elisions), for manifests."""
    from harness.text import sentences
    from harness.text.voice import voice_resources

    return [*sentences.text_resources(), *voice_resources()]


_HOME = {
    "Quote": "harness.text.voice",
    "Sentence": "harness.text.sentences",
    "Token": "harness.text.tokens",
    "TokenKind": "harness.text.tokens",
    "Voice": "harness.text.voice",
    "find_quotes": "harness.text.voice",
    "split_sentences": "harness.text.sentences",
    "token_voices": "harness.text.voice",
    "tokenize": "harness.text.tokens",
    "voice_resources": "harness.text.voice",
    "word_count": "harness.text.tokens",
    "words": "harness.text.tokens",
}

__all__ = [
    "Quote",
    "Sentence",
    "Token",
    "TokenKind",
    "Voice",
    "find_quotes",
    "split_sentences",
    "text_resources",
    "token_voices",
    "tokenize",
    "voice_resources",
    "word_count",
    "words",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())
