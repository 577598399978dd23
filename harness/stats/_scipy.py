"""The one import of scipy.stats in the harness.

scipy ships no type stubs and the project's mypy settings do not list it among the
untyped libraries, so the ignore lives here, once. Installing ``scipy-stubs`` (or
adding ``scipy.*`` to the mypy overrides) makes this comment the only line to drop.
"""

from scipy import stats

__all__ = ["stats"]
