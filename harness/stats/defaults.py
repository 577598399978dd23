"""The comparison's default settings and claim thresholds, without numpy or scipy.

The ``compare_outlets`` step's signature shows these defaults (``harness steps``,
experiment checks): they live here so that registering the step does not load
scipy.stats, which only running a comparison needs.
"""

from __future__ import annotations

DEFAULT_SEED = 20240101
DEFAULT_N_BOOT = 2000
DEFAULT_N_PERM = 9999
MIN_ARTICLES = 5  # per group, for an article-level claim (4 v 4 cannot reach p < 0.05 by much)
MIN_STORIES = 6  # shared stories, for a paired claim (5 give an exact p of at least 0.0625)
