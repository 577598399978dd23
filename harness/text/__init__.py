"""Text units shared by every analysis: sentences, word tokens, voice.

Everything here keeps character offsets into the original text, so that a count
can always be audited down to the word.
"""

from harness.text import nltk_import as _nltk_import  # first: NLTK without scipy.stats (see there)
from harness.resources import Resource
from harness.text import sentences as _sentences
from harness.text.sentences import Sentence, split_sentences
from harness.text.tokens import Token, TokenKind, tokenize, word_count, words
from harness.text.voice import Quote, Voice, find_quotes, token_voices, voice_resources


def text_resources() -> list[Resource]:
    """Every data file the text units read (abbreviations, quote elisions), for manifests."""
    return [*_sentences.text_resources(), *voice_resources()]


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
