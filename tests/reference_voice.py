"""The quotation reader as it was before the one-scan reading (``harness.text.voice``
up to issue 16): the reference ``tests/test_worker_text_speed.py`` checks the fast
reader against.

Only how marks are found and read differs: before, each paragraph holding a mark
was scanned for its marks with a regular expression, and each mark's role worked
out from its neighbours every time (``_role``, ``_apostrophe_role`` below, as they
were). Everything after (pairing marks into quotations, apostrophes, elisions, the
outermost quotations) is the module's own, shared, so a difference can only come
from the part that changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from harness.text import voice
from harness.text.voice import (
    _MARK_RE,
    _MARKS,
    _SINGLE,
    Quote,
    _closes_after,
    _is_punct,
    _is_word_char,
    _Mark,
    _MarkStyle,
    _opens_before,
    _outermost,
    _plain_role,
    _Role,
)

_PARAGRAPH_RE = re.compile(r"[^\r\n]+")


class _Paragraph(voice._Paragraph):
    """``voice._Paragraph`` reading its marks as before (the marks it is given are ignored)."""

    def __init__(self, text: str, start: int, end: int) -> None:
        super().__init__(text, start, end, ())

    def _read_marks(self, found: Sequence[tuple[int, str]]) -> list[_Mark]:
        marks: list[_Mark] = []
        for m in _MARK_RE.finditer(self.text, self.start, self.end):
            pos = m.start()
            style = _MARKS[m.group()]
            role = _Role.APOSTROPHE if pos in self.apostrophes else self._role(pos, style)
            marks.append(_Mark(pos, m.group(), style.family, role))
        return marks

    def _role(self, pos: int, style: _MarkStyle) -> _Role:
        prev, nxt = self._char(pos - 1), self._char(pos + 1)
        can_open = nxt is not None and not nxt.isspace() and (not _is_punct(nxt) or _opens_before(prev))
        can_close = prev is not None and not prev.isspace() and (not _is_punct(prev) or _closes_after(nxt))
        if style.family == _SINGLE:
            special = self._apostrophe_role(pos, prev, nxt, can_open=can_open, can_close=can_close)
            if special is not None:
                return special
        return _plain_role(style, can_open=can_open, can_close=can_close)

    def _apostrophe_role(
        self, pos: int, prev: str | None, nxt: str | None, *, can_open: bool, can_close: bool
    ) -> _Role | None:
        """The apostrophe readings of a single mark, or None when it is a plain quote mark."""
        if _is_word_char(prev) and _is_word_char(nxt):
            return _Role.APOSTROPHE  # don't, Ukraine's, O'Brien
        if can_open and not can_close and not _is_word_char(prev):
            return self._elision_role(pos)
        if can_close and not can_open and prev in ("s", "S") and nxt is not None and nxt.isspace():
            return _Role.POSSESSIVE_OR_CLOSE
        return None


def find_quotes(text: str) -> list[Quote]:
    """Outermost quotations of ``text`` (nested ones lie inside), sorted by start."""
    quotes: list[Quote] = []
    for para in _PARAGRAPH_RE.finditer(text):
        if _MARK_RE.search(para.group()) is not None:
            quotes.extend(_Paragraph(text, para.start(), para.end()).read())
    return _outermost(quotes)
