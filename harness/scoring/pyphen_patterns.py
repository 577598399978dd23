"""Pyphen's parsed hyphenation patterns kept between runs (``harness.tablecache``).

textstat counts the syllables of a word CMUdict lacks with Pyphen, whose first use
parses its ``hyph_*.dic`` file (about 0.1 s of a start). Pyphen keeps parsed files
in its own module-level cache (``pyphen.hdcache``, path -> ``HyphDict``) and only
parses a file that is not there; :func:`install_pyphen_patterns` puts the stored
patterns there first. The patterns are Pyphen's own, as parsed (tested equal to a
fresh ``HyphDict``); a dictionary with nonstandard hyphenation (values carrying
data) is left to Pyphen.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from harness.tablecache import Stored, load_or_build, package_version

__all__ = ["install_pyphen_patterns"]


def _path(lang: str) -> Path:
    import pyphen

    return Path(pyphen.LANGUAGES[pyphen.language_fallback(lang)])


def _stored(lang: str) -> Stored:
    import pyphen

    parsed = pyphen.HyphDict(_path(lang))
    plain = all(type(v) is int for _, values in parsed.patterns.values() for v in values)
    if not plain:  # DataInt values carry data marshal cannot hold: not stored
        return Stored(value=None)
    patterns = {key: (int(start), tuple(values)) for key, (start, values) in parsed.patterns.items()}
    return Stored(value={"patterns": patterns, "maxlen": int(parsed.maxlen)})


def _decoded(stored: Stored) -> Any:
    """A ``pyphen.HyphDict`` holding the stored patterns, or None."""
    import pyphen

    if stored.value is None:
        return None
    patterns = {str(key): (int(start), tuple(values)) for key, (start, values) in stored.value["patterns"].items()}
    hyph_dict = object.__new__(pyphen.HyphDict)  # what HyphDict.__init__ leaves, without the parsing
    hyph_dict.patterns = patterns
    hyph_dict.cache = {}
    hyph_dict.maxlen = int(stored.value["maxlen"])
    return hyph_dict


def parsed_patterns(lang: str) -> Any:
    """The ``HyphDict`` of ``lang``'s patterns, from the cache when it is there (or None)."""
    return load_or_build(
        "pyphen-patterns",
        sources=[_path(lang)],
        versions=[package_version("pyphen"), lang],
        build=lambda: _stored(lang),
        decode=_decoded,
    )


@cache
def install_pyphen_patterns(lang: str) -> None:
    """Give Pyphen ``lang``'s patterns from the cache unless it has parsed them already."""
    import pyphen

    path = _path(lang)
    if not hasattr(pyphen, "hdcache") or path in pyphen.hdcache:
        return
    hyph_dict = parsed_patterns(lang)
    if hyph_dict is not None:
        pyphen.hdcache[path] = hyph_dict
