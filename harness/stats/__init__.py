"""Outlet comparison statistics for the framing scorecard.

    stories = story_keys(articles)                      # None when the corpus has no story key
    comparisons = compare_outlets(tables["documents"], tables["sentences"], tables["hits"], stories=stories)
    summary = outlet_summary(tables["documents"], seed=1, n_boot=2000)

The unit of analysis is the article whenever an outlet has two or more (Mann-Whitney
U and Cliff's delta on per-article values; a Poisson count model with the article's
words as exposure for hit rates), the story when outlets share stories (Wilcoxon
signed-rank over per-story differences), and the sentence or word only for an outlet
with a single article, labelled so. Benjamini-Hochberg across the whole table. Every
row reports its unit, its n and the articles behind it, flags n too small for a claim,
and says when outlet and story are confounded.

The constants are imported at once (from the scipy-free ``harness.stats.defaults``);
every other name on first use (PEP 562), so that registering the comparison step,
whose signature shows the defaults, does not load scipy.stats.
"""

from __future__ import annotations

from harness.lazy import lazy_exports
from harness.stats.defaults import DEFAULT_N_BOOT, DEFAULT_N_PERM, DEFAULT_SEED, MIN_ARTICLES, MIN_STORIES

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.stats.compare import COMPARISON_SCHEMA, benjamini_hochberg, compare_outlets
    from harness.stats.counts import ArticleRateRatio, article_rate_ratio, article_rate_ratios
    from harness.stats.effects import LocationTest, cliffs_delta, cliffs_delta_ci, mann_whitney
    from harness.stats.paired import PairedTest, bootstrap_mean_ci, paired_test
    from harness.stats.rates import RateRatio, rate_ratio_test
    from harness.stats.stories import DEFAULT_STORY_KEY, story_keys
    from harness.stats.summary import OUTLET_SUMMARY_SCHEMA, SUMMARY_METRICS, outlet_summary

_HOME = {
    "ArticleRateRatio": "harness.stats.counts",
    "COMPARISON_SCHEMA": "harness.stats.compare",
    "DEFAULT_STORY_KEY": "harness.stats.stories",
    "LocationTest": "harness.stats.effects",
    "OUTLET_SUMMARY_SCHEMA": "harness.stats.summary",
    "PairedTest": "harness.stats.paired",
    "RateRatio": "harness.stats.rates",
    "SUMMARY_METRICS": "harness.stats.summary",
    "article_rate_ratio": "harness.stats.counts",
    "article_rate_ratios": "harness.stats.counts",
    "benjamini_hochberg": "harness.stats.compare",
    "bootstrap_mean_ci": "harness.stats.paired",
    "cliffs_delta": "harness.stats.effects",
    "cliffs_delta_ci": "harness.stats.effects",
    "compare_outlets": "harness.stats.compare",
    "mann_whitney": "harness.stats.effects",
    "outlet_summary": "harness.stats.summary",
    "paired_test": "harness.stats.paired",
    "rate_ratio_test": "harness.stats.rates",
    "story_keys": "harness.stats.stories",
}

__all__ = [
    "COMPARISON_SCHEMA",
    "DEFAULT_N_BOOT",
    "DEFAULT_N_PERM",
    "DEFAULT_SEED",
    "DEFAULT_STORY_KEY",
    "MIN_ARTICLES",
    "MIN_STORIES",
    "OUTLET_SUMMARY_SCHEMA",
    "SUMMARY_METRICS",
    "ArticleRateRatio",
    "LocationTest",
    "PairedTest",
    "RateRatio",
    "article_rate_ratio",
    "article_rate_ratios",
    "benjamini_hochberg",
    "bootstrap_mean_ci",
    "cliffs_delta",
    "cliffs_delta_ci",
    "compare_outlets",
    "mann_whitney",
    "outlet_summary",
    "paired_test",
    "rate_ratio_test",
    "story_keys",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())
