"""Stories: which articles from different outlets report the same event.

``match_stories`` assigns story ids (TF-IDF over headline, lead and name-like tokens,
candidates from an inverted index in a time window, average-linkage clustering);
``evaluate`` scores story ids against a human grouping (pairwise and B-cubed
precision/recall/F1, adjusted Rand index). See the README, "Stories".
"""

from harness.stories.match import StoryMatch, StorySettings, match_stories, story_id

__all__ = ["StoryMatch", "StorySettings", "match_stories", "story_id"]
