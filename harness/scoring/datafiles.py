"""Provenance for the scoring library's own data files (lexicons, word lists).

``harness.resources.packaged_resource`` only looks in ``harness/resources/data``;
the scoring data lives next to the code that reads it (``harness/scoring/lexicons``)
and user lexicons live anywhere, so they get the same record here: name, declared
``# version:`` line and SHA-256 of the bytes that were read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from harness.errors import NotFoundError
from harness.resources import Resource

LEXICON_DIR = Path(__file__).parent / "lexicons"

# A version line must sit in the file's leading comment block.
_VERSION_SCAN_LINES = 20


def declared_version(text: str) -> str:
    """The ``# version: N`` a data file declares about itself, else ``unversioned``."""
    for line in text.splitlines()[:_VERSION_SCAN_LINES]:
        stripped = line.lstrip("# \t")
        if line.lstrip().startswith("#") and stripped.startswith("version:"):
            return stripped.split(":", 1)[1].strip()
    return "unversioned"


def data_file_resource(path: Path, *, name: str | None = None) -> Resource:
    """A :class:`Resource` for any data file (built-in or the user's)."""
    if not path.is_file():
        raise NotFoundError(
            "data file not found",
            where=path,
            hint="check the path (relative to the working folder)",
        )
    raw = path.read_bytes()
    version = declared_version(raw.decode("utf-8", errors="replace"))
    return Resource(name or path.name, version, hashlib.sha256(raw).hexdigest(), path)


def builtin_data_path(filename: str) -> Path:
    """A data file shipped in ``harness/scoring/lexicons``."""
    return LEXICON_DIR / filename
