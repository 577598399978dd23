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

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from harness.resources import Resource, packaged_resource

ABBREVIATIONS_FILE = "news_abbreviations.txt"

_PARAGRAPH_RE = re.compile(r"[^\r\n]+")


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
    return PunktSentenceTokenizer(params)


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text`` with offsets; whitespace-only text has none."""
    tokenizer = _punkt()
    out: list[Sentence] = []
    for para in _PARAGRAPH_RE.finditer(text):
        base = para.start()
        for start, end in tokenizer.span_tokenize(para.group()):
            chunk = para.group()[start:end]
            # Punkt keeps surrounding whitespace out of spans, but a paragraph of
            # spaces alone yields an empty-looking span: drop it.
            if chunk.strip():
                out.append(Sentence(chunk, base + start, base + end))
    return out


def text_resources() -> list[Resource]:
    """Resources the text units depend on (for manifests)."""
    return [abbreviations_resource()]
