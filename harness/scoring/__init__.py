"""The framing scorecard: readability, sentiment, loaded terms and attribution.

    tables = score_documents(articles)                    # articles: doc_id, outlet, headline, body
    tables["documents"]["loaded_per_1k_narrator"]         # one row per document
    tables["hits"]                                         # KWIC: every lexicon hit with offsets

Every metric is reported for the whole text and for narrator and quoted voice
(``harness.text.voice``), headline apart from body. Readability numbers are
textstat's, sentiment numbers VADER's (per sentence); loaded terms come from
versioned lexicon files in ``harness/scoring/lexicons`` plus any the user adds.

At corpus scale, ``score_core`` computes the reference suite alone (textstat's eight
formulas and VADER per sentence on whole texts, headline and body), vectorised over
batches of texts with the same values (``harness.scoring.core``).

Speed: texts are scored in batches of documents, on every core for a large corpus
(``score_documents(..., workers=N)``; ``harness.scoring.batch``). Within a batch, all
readability texts are counted at once (``readability_batch``: each distinct whitespace
chunk measured once) and all sentence texts scored at once (``vader_batch``: VADER's
rules over whole columns); both give textstat's and vaderSentiment's values exactly
(``tests/test_scoring_readability_batch.py``, ``tests/test_scoring_vader_batch.py``,
``python -m benchmarks.bench_score`` on the whole BBC corpus).

The names below are imported on first use (PEP 562): a module of this package
(e.g. ``harness.scoring.arms``, read before a corpus is) loads only what it needs,
not the whole scorecard with NLTK and textstat.
"""

from __future__ import annotations

from harness.lazy import keep_functions_named_as_modules, lazy_exports

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.scoring.attribution import QuoteAttribution, attribute_quotes
    from harness.scoring.lexicon import ATTRIBUTION_CATEGORIES, LOADED_ATTRIBUTION, NEUTRAL_ATTRIBUTION
    from harness.scoring.lexicon import Lexicon, LexiconEntry, TermHit, TermMatcher, builtin_lexicon_paths
    from harness.scoring.lexicon import load_lexicon, load_lexicons
    from harness.scoring.core import score_core
    from harness.scoring.readability import cmudict_resource, install_cmudict, readability
    from harness.scoring.schemas import CORE_DOCUMENTS_SCHEMA, CORE_SENTENCES_SCHEMA, CORE_TABLES
    from harness.scoring.schemas import DOCUMENTS_SCHEMA, HITS_SCHEMA, METRICS_SCHEMA, QUOTES_SCHEMA
    from harness.scoring.schemas import READABILITY_METRICS, RATES_SCHEMA, SCHEMAS, SENTENCES_SCHEMA
    from harness.scoring.schemas import SPEAKERS_SCHEMA, TABLES, wide_column_name
    from harness.scoring.score import ScoredSlice, clear_caches, most_negative, score_documents, score_slices
    from harness.scoring.score import scoring_resources
    from harness.scoring.sentiment import SentimentScore, sentence_sentiment, vader_resources
    from harness.scoring.units import TextUnits, analyse_text, voice_text
    from harness.scoring.views import VIEWS, View
    from harness.scoring.validation import VALIDATION_SCHEMA, ValidationKind, validate

_HOME = {
    "ATTRIBUTION_CATEGORIES": "harness.scoring.lexicon",
    "CORE_DOCUMENTS_SCHEMA": "harness.scoring.schemas",
    "CORE_SENTENCES_SCHEMA": "harness.scoring.schemas",
    "CORE_TABLES": "harness.scoring.schemas",
    "DOCUMENTS_SCHEMA": "harness.scoring.schemas",
    "HITS_SCHEMA": "harness.scoring.schemas",
    "LOADED_ATTRIBUTION": "harness.scoring.lexicon",
    "METRICS_SCHEMA": "harness.scoring.schemas",
    "NEUTRAL_ATTRIBUTION": "harness.scoring.lexicon",
    "QUOTES_SCHEMA": "harness.scoring.schemas",
    "RATES_SCHEMA": "harness.scoring.schemas",
    "READABILITY_METRICS": "harness.scoring.schemas",
    "SCHEMAS": "harness.scoring.schemas",
    "SENTENCES_SCHEMA": "harness.scoring.schemas",
    "SPEAKERS_SCHEMA": "harness.scoring.schemas",
    "TABLES": "harness.scoring.schemas",
    "VALIDATION_SCHEMA": "harness.scoring.validation",
    "VIEWS": "harness.scoring.views",
    "Lexicon": "harness.scoring.lexicon",
    "LexiconEntry": "harness.scoring.lexicon",
    "QuoteAttribution": "harness.scoring.attribution",
    "ScoredSlice": "harness.scoring.score",
    "SentimentScore": "harness.scoring.sentiment",
    "TermHit": "harness.scoring.lexicon",
    "TermMatcher": "harness.scoring.lexicon",
    "TextUnits": "harness.scoring.units",
    "ValidationKind": "harness.scoring.validation",
    "View": "harness.scoring.views",
    "analyse_text": "harness.scoring.units",
    "attribute_quotes": "harness.scoring.attribution",
    "builtin_lexicon_paths": "harness.scoring.lexicon",
    "clear_caches": "harness.scoring.score",
    "cmudict_resource": "harness.scoring.readability",
    "install_cmudict": "harness.scoring.readability",
    "load_lexicon": "harness.scoring.lexicon",
    "load_lexicons": "harness.scoring.lexicon",
    "most_negative": "harness.scoring.score",
    "readability": "harness.scoring.readability",
    "score_core": "harness.scoring.core",
    "score_documents": "harness.scoring.score",
    "score_slices": "harness.scoring.score",
    "scoring_resources": "harness.scoring.score",
    "sentence_sentiment": "harness.scoring.sentiment",
    "vader_resources": "harness.scoring.sentiment",
    "validate": "harness.scoring.validation",
    "voice_text": "harness.scoring.units",
    "wide_column_name": "harness.scoring.schemas",
}

__all__ = [
    "ATTRIBUTION_CATEGORIES",
    "CORE_DOCUMENTS_SCHEMA",
    "CORE_SENTENCES_SCHEMA",
    "CORE_TABLES",
    "DOCUMENTS_SCHEMA",
    "HITS_SCHEMA",
    "LOADED_ATTRIBUTION",
    "METRICS_SCHEMA",
    "NEUTRAL_ATTRIBUTION",
    "QUOTES_SCHEMA",
    "RATES_SCHEMA",
    "READABILITY_METRICS",
    "SCHEMAS",
    "SENTENCES_SCHEMA",
    "SPEAKERS_SCHEMA",
    "TABLES",
    "VALIDATION_SCHEMA",
    "VIEWS",
    "Lexicon",
    "LexiconEntry",
    "QuoteAttribution",
    "ScoredSlice",
    "SentimentScore",
    "TermHit",
    "TermMatcher",
    "TextUnits",
    "ValidationKind",
    "View",
    "analyse_text",
    "attribute_quotes",
    "builtin_lexicon_paths",
    "clear_caches",
    "cmudict_resource",
    "install_cmudict",
    "load_lexicon",
    "load_lexicons",
    "most_negative",
    "readability",
    "score_documents",
    "score_slices",
    "score_core",
    "scoring_resources",
    "sentence_sentiment",
    "vader_resources",
    "validate",
    "voice_text",
    "wide_column_name",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())
# ``readability`` is the function, never its module (harness.scoring.readability).
keep_functions_named_as_modules(__name__, ("readability",))
