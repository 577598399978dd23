"""Installed distributions' versions, read from their metadata's headers alone.

``importlib.metadata.version`` parses a distribution's whole METADATA file with the
email parser, its long description included: about half a millisecond a package. A
result's manifest records every package of the project's lock file (88 here), on
every run, and a table cache names the packages its tables came from. The version
is a header, and the headers end at the first blank line: this module reads them
only, and gives the same string (``tests/test_installed.py`` checks every installed
distribution against ``importlib.metadata``).
"""

from __future__ import annotations

import importlib.metadata
import re
from functools import cache

__all__ = ["version"]

# The first "Version:" header (names are read case-insensitively, as the email parser
# reads them); its value as compat32 keeps it: leading blanks dropped, the line end too.
_VERSION = re.compile(r"^version:[ \t]*(.*?)\r?$", re.IGNORECASE | re.MULTILINE)


@cache
def version(name: str) -> str:
    """``importlib.metadata.version(name)``, from the metadata's headers; once per
    process (``harness run --all`` writes a manifest per experiment).

    Raises ``importlib.metadata.PackageNotFoundError`` as that function does; a
    distribution whose headers hold no version is left to ``importlib.metadata``.
    """
    distribution = importlib.metadata.distribution(name)
    text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO")
    if text:
        headers = re.split(r"\r?\n[ \t]*\r?\n", text, maxsplit=1)[0]
        found = _VERSION.search(headers)
        if found is not None:
            return found.group(1)
    return distribution.version
