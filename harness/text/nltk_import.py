"""Import NLTK (for Punkt) without scipy.stats: about 0.7 s off every scoring run.

``import nltk`` runs the package's ``__init__``, which imports its whole toolkit;
``nltk.metrics.association`` then imports ``scipy.stats`` (the largest single cost
of starting ``harness score``) for ``fisher_exact``, an association measure the
harness never uses. NLTK guards that import with ``except ImportError`` and its
own stub. So while NLTK is first imported, ``scipy.stats`` is made unimportable
(a ``None`` entry in ``sys.modules``; scipy.sparse too when sklearn, which the same
NLTK import needs, is absent), and afterwards NLTK's stub is replaced by a
function that imports scipy's ``fisher_exact`` when called: NLTK behaves as before
for any caller, and only pays for scipy.stats if that measure is used. (NLTK's
other scipy imports, ``scipy.stats.stats.betai`` and ``norm.logsf``, no longer
exist in scipy and fall back to NLTK's own code either way.)

Importing this module imports NLTK; it does nothing when NLTK is already loaded,
and hides nothing already loaded.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def _fisher_exact(*args: Any, **kwargs: Any) -> Any:
    """scipy's ``fisher_exact``, imported on first use (what NLTK binds when scipy is there)."""
    from scipy.stats import fisher_exact

    return fisher_exact(*args, **kwargs)


def _blocked() -> list[str]:
    """The modules to hide while NLTK loads."""
    blocked = [] if "scipy.stats" in sys.modules else ["scipy.stats"]
    # nltk.parse.transitionparser imports scipy.sparse, then sklearn, in one try block:
    # without sklearn the block fails whatever happens to scipy.sparse.
    if "scipy.sparse" not in sys.modules and importlib.util.find_spec("sklearn") is None:
        blocked.append("scipy.sparse")
    return blocked


def _import_nltk() -> None:
    if "nltk" in sys.modules:
        return
    blocked = _blocked()
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # importing it raises ImportError
    try:
        import nltk  # noqa: F401
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    # By module name: the attribute nltk.metrics is rebound by NLTK's own star imports.
    association = sys.modules.get("nltk.metrics.association")
    if association is not None:
        setattr(association, "fisher_exact", _fisher_exact)  # noqa: B010  # NLTK is untyped


_import_nltk()
