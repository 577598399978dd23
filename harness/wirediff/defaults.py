"""Defaults of the ``wire_diff`` step's settings, kept apart from the diff's modules.

An experiment's steps are registered when it is read, before its corpus is: the
step's module (``harness.steps.wirecopy``) must not import the diff to learn a
default. Importing the diff's modules takes some 60-80 ms (their classes and
patterns); a run hands its corpus to the diff's early workers only after that
(``harness.run.runner``: the corpus, then each step's ``prestart``).
"""

from __future__ import annotations

DEFAULT_MIN_ARTICLES = 3  # learned furniture: articles of one outlet a segment must be in
