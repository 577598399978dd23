"""Sentence splitting with Punkt, seeded with news abbreviations.

NLTK's pretrained punkt model cannot be downloaded here (and a research tool must
not download silently), so we build an untrained Punkt tokenizer and hand it a
versioned list of abbreviations (``resources/data/news_abbreviations.txt``). That
keeps "U.S. President Donald Trump" in one sentence. Line breaks are paragraph
breaks: scraped news text carries one paragraph per line, and a headline never
runs on into the first sentence of the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer

from harness.resources import Resource, packaged_resource

ABBREVIATIONS_FILE = "news_abbreviations.txt"

_PARAGRAPH_RE = re.compile(r"[^\r\n]+")
_HAS_WORD = re.compile(r"\w")


class _NewsLanguageVars(PunktLanguageVars):  # type: ignore[misc]  # nltk is untyped
    """Punkt's English variables, plus the full stops of CJK and Devanagari text.

    Non-English articles are flagged rather than scored as English, but they must
    still split into sentences at their own full stops.
    """

    sent_end_chars = (".", "?", "!", "\u3002", "\uff01", "\uff1f", "\u0964")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int


def abbreviations_resource() -> Resource:
    return packaged_resource(ABBREVIATIONS_FILE)


@cache
def _punkt() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(abbreviations_resource().lines())
    return PunktSentenceTokenizer(params, lang_vars=_NewsLanguageVars())


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets; whitespace-only text has none."""
    tokenizer = _punkt()
    out: list[Sentence] = []
    for para in _PARAGRAPH_RE.finditer(text):
        base = para.start()
        for start, end in tokenizer.span_tokenize(para.group()):
            chunk = para.group()[start:end]
            # A span can begin with a paragraph's indentation; a sentence starts at
            # its first visible character. A span with no word at all ("***",
            # "— …") is decoration, not a sentence.
            indent = len(chunk) - len(chunk.lstrip())
            chunk = chunk[indent:].rstrip()
            if _HAS_WORD.search(chunk):
                out.append(Sentence(chunk, base + start + indent, base + start + indent + len(chunk)))
    return out


def text_resources() -> list[Resource]:
    """Resources the text units depend on (for manifests)."""
    return [abbreviations_resource()]
