"""Token texts as integer ids, and facts about each text kept in arrays indexed by id.

A batch of news text repeats its words. Several stages want a fact that depends only
on a token's text: its letters and syllables (the word statistics), whether a lexicon
term can start with it, which phrase second words its forms can be. Kept as one
dictionary per fact, keyed by the text, each stage paid one look-up per token of the
batch. Here the batch's tokens are looked up once (``Vocabulary.ids``), and each fact is
then one numpy gather over an array filled the first time a text needs it
(``TextFact.of``). The values are the same functions of the text: only where they are
remembered changes.

Ids are handed out in order of first sight, so they are the same from run to run. The
vocabulary is bounded: past ``max_size`` texts it starts afresh and every fact over it
forgets its values. Ids carry the generation they were given in, and a fact refuses ids
of an earlier one, so ids kept across a restart cannot read another text's values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from harness.arrays import sorted_distinct

__all__ = ["DEFAULT_MAX_TEXTS", "TextFact", "TokenIds", "Vocabulary"]

# Distinct token texts remembered before starting afresh (a news corpus of millions of
# articles meets a few hundred thousand; each text costs about 150 bytes here).
DEFAULT_MAX_TEXTS = 1 << 20


class TokenIds(NamedTuple):
    """The ids of a column of token texts, and the vocabulary generation they belong to."""

    ids: np.ndarray  # int64
    vocabulary: Vocabulary
    generation: int

    def subset(self, which: np.ndarray) -> TokenIds:
        """The ids at ``which`` (a boolean mask or integer positions)."""
        return TokenIds(self.ids[which], self.vocabulary, self.generation)


class Vocabulary:
    """The token texts met so far, each with its id (0, 1, 2, ... in order of first sight)."""

    def __init__(self, max_size: int = DEFAULT_MAX_TEXTS) -> None:
        self.max_size = max_size
        self.generation = 0
        self._ids = _IdTable()

    @property
    def texts(self) -> list[str]:
        """Every text met, by id (read-only: the vocabulary appends to it)."""
        return self._ids.texts

    def __len__(self) -> int:
        return len(self._ids.texts)

    def clear(self) -> None:
        """Forget every text (and so every fact's values): ids given before are refused."""
        self.generation += 1
        self._ids = _IdTable()

    def ids(self, texts: Sequence[str]) -> TokenIds:
        """The id of each text, new texts added: one dictionary look-up per text, in C
        (a text met for the first time is given the next id on the way, so ids follow
        the order of first sight: the same ids from run to run)."""
        if len(self._ids) > self.max_size:
            self.clear()
        ids = np.fromiter(map(self._ids.__getitem__, texts), dtype=np.int64, count=len(texts))
        return TokenIds(ids, self, self.generation)


class _IdTable(dict[str, int]):
    """Text -> id; a text not in it gets the next id when first looked up.

    ``dict.__getitem__`` stays the C look-up and calls ``__missing__`` on a miss only,
    so one pass over a batch's texts both reads the known ids and adds the new texts
    (a pass that stopped at the first new text and a second pass cost a fifth more).
    """

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def __missing__(self, text: str) -> int:
        new_id = self[text] = len(self.texts)
        self.texts.append(text)
        return new_id


class TextFact:
    """One integer per token text, ``compute(text)``, worked out the first time an id
    needs it and then read by array indexing. ``compute`` must be a pure function of the
    text: the values are remembered for as long as the vocabulary keeps its texts.
    ``compute_many``, when given, must equal ``compute`` of each text: the texts a
    batch meets for the first time are then worked out in one call."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        compute: Callable[[str], int],
        dtype: type = np.int64,
        compute_many: Callable[[list[str]], Sequence[int]] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self._compute = compute
        self._compute_many = compute_many
        self._dtype = dtype
        self._generation = vocabulary.generation
        self._values: np.ndarray = np.zeros(0, dtype=dtype)
        self._known: np.ndarray = np.zeros(0, dtype=np.bool_)

    def clear(self) -> None:
        """Forget every value (they are worked out again on need)."""
        self._values = np.zeros(0, dtype=self._dtype)
        self._known = np.zeros(0, dtype=np.bool_)

    def of(self, token_ids: TokenIds) -> np.ndarray:
        """The fact of each id's text, in the ids' order."""
        vocabulary = self.vocabulary
        if token_ids.vocabulary is not vocabulary or token_ids.generation != vocabulary.generation:
            raise ValueError("token ids of another vocabulary, or of one since started afresh")
        if self._generation != vocabulary.generation:
            self._generation = vocabulary.generation
            self.clear()
        self._grow(len(vocabulary))
        ids = token_ids.ids
        if not self._known[ids].all():
            new = sorted_distinct(ids[~self._known[ids]])
            new_texts = list(map(vocabulary.texts.__getitem__, new.tolist()))
            if self._compute_many is not None:
                self._values[new] = np.array(self._compute_many(new_texts), dtype=self._dtype)
            else:
                self._values[new] = np.fromiter(map(self._compute, new_texts), dtype=self._dtype, count=len(new))
            self._known[new] = True
        values: np.ndarray = self._values[ids]
        return values

    def _grow(self, size: int) -> None:
        """Room for ``size`` ids, grown by doubling (a batch adds a few hundred texts)."""
        if len(self._known) >= size:
            return
        room = max(size, 2 * len(self._known), 1024)
        values: np.ndarray = np.zeros(room, dtype=self._dtype)
        values[: len(self._values)] = self._values
        known = np.zeros(room, dtype=np.bool_)
        known[: len(self._known)] = self._known
        self._values, self._known = values, known
