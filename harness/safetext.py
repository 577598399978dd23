"""Untrusted text made safe to show on one line of a terminal.

Headlines, doc ids, outlet names, file names and experiment fields come from
files the harness did not write. Printed raw, an ESC or C1 byte starts a terminal
escape sequence (colours, cursor moves, window titles, OSC 8 links), a newline
splits a one-line error into two, and a bidirectional override reorders what the
reader sees; a lone surrogate (a file name that is not UTF-8) cannot be written
at all. :func:`printable` shows each such character as a visible escape
(``\\x1b``, ``\\n``, ``\\u202e``, ``\\udcff``) and leaves every other character,
including all ordinary Unicode text, as it is.

JSON output is made safe by :func:`json_printable`, which writes the same
characters as JSON ``\\uXXXX`` escapes (``json.dumps`` with ``ensure_ascii=False``
escapes only U+0000-U+001F, not DEL, C1, bidi controls or lone surrogates): the
decoded values are unchanged.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included: output must stay on its line), DEL, C1
# controls, and the Unicode line/paragraph separators.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
# Bidirectional formatting characters: marks, embeddings, overrides and isolates
# (the "Trojan Source" characters). Other format characters (zero-width joiner in
# emoji, soft hyphen) are ordinary text.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Lone surrogates: what Python makes of bytes that are not UTF-8 in a file name.
_SURROGATES = "\ud800-\udfff"
_UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}{_SURROGATES}]")
# In JSON text C0 controls are escaped inside strings already, and outside them
# they are the layout (newlines, indents).
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}{_SURROGATES}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


_SURROGATE = re.compile(f"[{_SURROGATES}]")


def _escape_surrogate(code: int) -> str:
    # U+DC80..U+DCFF is one byte of a file name that is not UTF-8 (Python's
    # "surrogateescape"): show the byte itself, as in ``caf\\xe9.txt``.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return _escape_surrogate(code)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with every control and bidi formatting character shown as an escape."""
    return _UNSAFE.sub(_escape, str(text))


def unicode_text(text: object) -> str:
    """``text`` as valid Unicode: a byte of a file name that is not UTF-8 shows as ``\\xe9``.

    ``caf\\xe9.txt`` for the file whose name is the bytes ``caf``, 0xE9, ``.txt``:
    visible, unambiguous to a reader, and storable and hashable (a lone surrogate
    cannot be encoded as UTF-8). Used for file names in the ``source`` column, in
    manifests and in messages. Valid text, control characters included, comes
    back unchanged (:func:`printable` is for the terminal).
    """
    return _SURROGATE.sub(lambda m: _escape_surrogate(ord(m.group())), str(text))


def json_printable(text: str) -> str:
    """JSON text with DEL, C1, bidi and line-separator characters as ``\\uXXXX`` escapes.

    Only valid for text produced by ``json.dumps``, where such characters can
    appear only inside strings; C0 controls are already escaped there.
    """
    if text.isascii() and "\x7f" not in text:  # nothing to escape; isascii is O(1)
        return text
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
