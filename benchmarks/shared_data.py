"""Where the benchmarks and tests find data that is never committed: ``../shared``.

A checkout next to a ``shared`` folder (the developers' machines, CI) reads real corpora
from it, e.g. ``../shared/corpora/bbc-news/articles.jsonl``; any other clone has none and
falls back to generated text. ``HARNESS_SHARED=none`` hides the folder even when it is
there, so that the fallback can be tested on a machine that has the data (``.ci/run``
does: ``make test`` once with the data, the tests that use it again without);
``HARNESS_SHARED=<folder>`` reads the data from another folder.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
VARIABLE = "HARNESS_SHARED"
HIDDEN = "none"
BBC_RELATIVE = Path("corpora") / "bbc-news" / "articles.jsonl"


def shared_folder() -> Path | None:
    """The data folder: ``$HARNESS_SHARED`` if set, else ``../shared``; None when ``none``.

    Read at call time, not import time, so that a test can set the variable.
    """
    value = os.environ.get(VARIABLE, "")
    if value.strip().lower() == HIDDEN:
        return None
    return Path(value) if value else SHARED


def shared_file(relative: Path) -> Path | None:
    """``<data folder>/<relative>`` when that is a file, else None (absent or hidden)."""
    folder = shared_folder()
    path = None if folder is None else folder / relative
    return path if path is not None and path.is_file() else None


def bbc_corpus() -> Path | None:
    """The BBC News corpus (fields id, category, title, text), or None when absent or hidden."""
    return shared_file(BBC_RELATIVE)
