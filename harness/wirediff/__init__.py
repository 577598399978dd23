"""Wire-copy diff: how much an outlet changed a wire story beyond its house style.

Align two texts (sentences, then words, keeping character offsets into both),
classify every difference as house style, boilerplate or a substantive edit,
and measure how much of B derives from A::

    from harness.wirediff import diff_articles, load_style, to_json
    result = diff_articles(wire_headline, wire_body, headline, body,
                           a_style=load_style("Reuters"), b_style=load_style("The Guardian"))
    result.substantive_share       # substantive edits / all non-boilerplate edits
    to_json(result)["edits"][0]    # {"category", "kind", "rule", "explanation", ...}

The names below are imported on first use (PEP 562), so that a module of this
package (a worker comparing pairs, ``harness.wirediff.pairwork``) loads only what
it needs, not polars with the frames.
"""

from __future__ import annotations

from harness.lazy import keep_functions_named_as_modules, lazy_exports
from harness.wirediff.compiled import choose_core

# Before any module of the package loads: compiled, or the sources when the build is not current.
choose_core()

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.wirediff.align import AlignSettings
    from harness.wirediff.classify import RULES, iter_rules
    from harness.wirediff.diff import DiffSettings, EditList, PreparedArticle, apply_edits, diff_articles, diff_edits, diff_prepared, diff_prepared_articles, diff_texts, prepare_article, to_json
    from harness.wirediff.frames import EDITS_SCHEMA, PAIRS_SCHEMA, STYLE_RULES_SCHEMA, compare_pairs
    from harness.wirediff.lexicon import Lexicon, lexicon
    from harness.wirediff.model import Category, Derivation, DiffResult, Edit, Kind, Segment, Similarity, StyleVariant
    from harness.wirediff.normalise import PASSES, normalise
    from harness.wirediff.prepare import PreparedText, prepare
    from harness.wirediff.provenance import wirediff_resources
    from harness.wirediff.render import render_html, render_html_fragment, render_text
    from harness.wirediff.similarity import DerivationThresholds
    from harness.wirediff.styles import StyleSheet, load_style, load_style_file, outlet_slug

_HOME = {
    "AlignSettings": "harness.wirediff.align",
    "Category": "harness.wirediff.model",
    "Derivation": "harness.wirediff.model",
    "DerivationThresholds": "harness.wirediff.similarity",
    "DiffResult": "harness.wirediff.model",
    "DiffSettings": "harness.wirediff.diff",
    "EDITS_SCHEMA": "harness.wirediff.frames",
    "Edit": "harness.wirediff.model",
    "EditList": "harness.wirediff.diff",
    "Kind": "harness.wirediff.model",
    "Lexicon": "harness.wirediff.lexicon",
    "PAIRS_SCHEMA": "harness.wirediff.frames",
    "PASSES": "harness.wirediff.normalise",
    "PreparedArticle": "harness.wirediff.diff",
    "PreparedText": "harness.wirediff.prepare",
    "RULES": "harness.wirediff.classify",
    "STYLE_RULES_SCHEMA": "harness.wirediff.frames",
    "Segment": "harness.wirediff.model",
    "Similarity": "harness.wirediff.model",
    "StyleSheet": "harness.wirediff.styles",
    "StyleVariant": "harness.wirediff.model",
    "apply_edits": "harness.wirediff.diff",
    "compare_pairs": "harness.wirediff.frames",
    "diff_articles": "harness.wirediff.diff",
    "diff_edits": "harness.wirediff.diff",
    "diff_prepared": "harness.wirediff.diff",
    "diff_prepared_articles": "harness.wirediff.diff",
    "diff_texts": "harness.wirediff.diff",
    "iter_rules": "harness.wirediff.classify",
    "lexicon": "harness.wirediff.lexicon",
    "load_style": "harness.wirediff.styles",
    "load_style_file": "harness.wirediff.styles",
    "normalise": "harness.wirediff.normalise",
    "outlet_slug": "harness.wirediff.styles",
    "prepare": "harness.wirediff.prepare",
    "prepare_article": "harness.wirediff.diff",
    "render_html": "harness.wirediff.render",
    "render_html_fragment": "harness.wirediff.render",
    "render_text": "harness.wirediff.render",
    "to_json": "harness.wirediff.diff",
    "wirediff_resources": "harness.wirediff.provenance",
}

__all__ = [
    "EDITS_SCHEMA",
    "PAIRS_SCHEMA",
    "PASSES",
    "RULES",
    "STYLE_RULES_SCHEMA",
    "AlignSettings",
    "Category",
    "Derivation",
    "DerivationThresholds",
    "DiffResult",
    "DiffSettings",
    "Edit",
    "EditList",
    "Kind",
    "Lexicon",
    "PreparedArticle",
    "PreparedText",
    "Segment",
    "Similarity",
    "StyleSheet",
    "StyleVariant",
    "apply_edits",
    "compare_pairs",
    "diff_articles",
    "diff_edits",
    "diff_prepared",
    "diff_prepared_articles",
    "diff_texts",
    "iter_rules",
    "lexicon",
    "load_style",
    "load_style_file",
    "normalise",
    "outlet_slug",
    "prepare",
    "prepare_article",
    "render_html",
    "render_html_fragment",
    "render_text",
    "to_json",
    "wirediff_resources",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())
# Submodules named as the function they hold: the package's name is the function.
keep_functions_named_as_modules(__name__, ("lexicon", "normalise", "prepare"))
