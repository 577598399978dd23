"""Wire-copy diff: how much an outlet changed a wire story beyond its house style.

Align two texts (sentences, then words, keeping character offsets into both),
classify every difference as house style, boilerplate or a substantive edit,
and measure how much of B derives from A::

    from harness.wirediff import diff_articles, load_style, to_json
    result = diff_articles(wire_headline, wire_body, headline, body,
                           a_style=load_style("Reuters"), b_style=load_style("The Guardian"))
    result.substantive_share       # substantive edits / all non-boilerplate edits
    to_json(result)["edits"][0]    # {"category", "kind", "rule", "explanation", ...}
"""

from harness.wirediff.align import AlignSettings
from harness.wirediff.classify import RULES, iter_rules
from harness.wirediff.diff import (
    DiffSettings,
    EditList,
    PreparedArticle,
    apply_edits,
    diff_articles,
    diff_edits,
    diff_prepared,
    diff_prepared_articles,
    diff_texts,
    prepare_article,
    to_json,
)
from harness.wirediff.frames import (
    EDITS_SCHEMA,
    PAIRS_SCHEMA,
    STYLE_RULES_SCHEMA,
    compare_pairs,
)
from harness.wirediff.lexicon import Lexicon, lexicon
from harness.wirediff.model import (
    Category,
    Derivation,
    DiffResult,
    Edit,
    Kind,
    Segment,
    Similarity,
    StyleVariant,
)
from harness.wirediff.normalise import PASSES, normalise
from harness.wirediff.prepare import PreparedText, prepare
from harness.wirediff.provenance import wirediff_resources
from harness.wirediff.render import render_html, render_html_fragment, render_text
from harness.wirediff.similarity import DerivationThresholds
from harness.wirediff.styles import StyleSheet, load_style, load_style_file, outlet_slug


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
