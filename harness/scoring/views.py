"""The views a scorecard metric covers: all of a text, its narrator voice, its quoted voice.

Apart from ``harness.scoring.units`` (which splits texts into them) so that the table
schemas and the code that only hands out work read them without the tokeniser, its
sentence splitter (NLTK) or NumPy.
"""

from __future__ import annotations

from enum import StrEnum

TYPE_CHECKING = False  # as in harness/__init__.py: mypy reads this constant as typing's
if TYPE_CHECKING:
    from harness.text.voice import Voice

__all__ = ["VIEWS", "View"]


class View(StrEnum):
    """Which part of a text a metric covers."""

    ALL = "all"
    NARRATOR = "narrator"
    QUOTED = "quoted"

    @property
    def voice(self) -> Voice | None:
        """The token voice this view keeps; None for ``all`` (every token)."""
        from harness.text.voice import Voice  # the tokeniser and NumPy: not for the schemas

        if self is View.NARRATOR:
            return Voice.NARRATOR
        if self is View.QUOTED:
            return Voice.QUOTED
        return None


VIEWS: tuple[View, ...] = (View.ALL, View.NARRATOR, View.QUOTED)
