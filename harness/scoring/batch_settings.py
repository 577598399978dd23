"""What every scoring batch receives besides its documents, and the private key columns of its frames.

Apart from ``harness.scoring.batch`` (the scoring itself) so that the code that only
hands batches to the workers (``harness.scoring.score.score_slices``) builds and
pickles them without importing any scorer.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass

from harness.scoring.lexicon import Lexicon
from harness.scoring.schemas import TABLES

__all__ = ["DOC", "FIELD", "VIEW", "BatchSettings"]

# Private ordering columns: outputs are sorted by input order, never by hashing.
DOC = "_doc"
FIELD = "_field"
VIEW = "_view"


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """What every batch needs besides its documents (picklable: sent to workers)."""

    lexicons: tuple[Lexicon, ...]
    context_chars: int
    # The public tables the caller wants (``score_documents(tables=...)``): a batch
    # leaves out the work and the columns that only the others need.
    tables: frozenset[str] = frozenset(TABLES)

    def __reduce__(self) -> tuple[Callable[[bytes, bytes], BatchSettings], tuple[bytes, bytes]]:
        """Pickled as its fields' bytes and their digest, both made once (see ``_settings_of``)."""
        return _settings_of, _pickled_settings(self)


# Every task sent to a worker carries its settings, whose lexicons pickle to about
# 160 KB: pickling them for each task, unpickling them in the worker and comparing them
# with the last task's (to keep the term matcher) cost about 6 ms a task. The settings
# last pickled are kept here with their bytes, so a run pickles them once; a worker
# keeps the settings it has read by digest, so it reads them once, and every task then
# holds the same object (the matcher's check is an identity check).
_last_pickled: tuple[BatchSettings, tuple[bytes, bytes]] | None = None
_read_settings: dict[bytes, BatchSettings] = {}
_READ_SETTINGS_KEPT = 8  # distinct settings a worker keeps (a run has one)


def _pickled_settings(settings: BatchSettings) -> tuple[bytes, bytes]:
    """(digest, bytes) of the settings' fields, made once for the same settings object."""
    global _last_pickled
    if _last_pickled is None or _last_pickled[0] is not settings:
        data = pickle.dumps((settings.lexicons, settings.context_chars, settings.tables), pickle.HIGHEST_PROTOCOL)
        _last_pickled = (settings, (hashlib.sha256(data).digest(), data))
    return _last_pickled[1]


def _settings_of(digest: bytes, data: bytes) -> BatchSettings:
    """The settings pickled as ``data``: read once per digest, then the same object."""
    settings = _read_settings.get(digest)
    if settings is None:
        lexicons, context_chars, tables = pickle.loads(data)
        if len(_read_settings) >= _READ_SETTINGS_KEPT:
            _read_settings.clear()
        settings = _read_settings[digest] = BatchSettings(lexicons, context_chars, tables)
    return settings
