"""Defaults of the ``wire_diff`` step's settings, kept apart from the diff's modules.

An experiment's steps are registered when it is read, before its corpus is: the
step's module (``harness.steps.wirecopy``) must not import the diff to learn a
default. Importing the diff's modules takes some 70-100 ms (their classes and
patterns), and a run hands its corpus to the diff's early workers before that
(``harness.run.runner``: the corpus, then each step's ``prestart``, which needs only
``harness.wirediff.articlerows`` and ``harness.wirediff.pairwork``, neither of which
loads the diff).
"""

from __future__ import annotations

DEFAULT_MIN_ARTICLES = 3  # learned furniture: articles of one outlet a segment must be in
