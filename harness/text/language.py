"""Which language an article is in, so that English instruments never score other languages.

py3langid (a maintained fork of langid.py) ships its model inside the package: no
download. A text is called non-English only when the identifier is confident and
the text is long enough for the guess to mean something; short or mixed texts
stay in (a headline-length snippet is too short to judge).

Cost. py3langid walks a text byte by byte in Python (about a millisecond per news
article), which made language identification the largest cost of scoring a large
corpus. Two things bound it:

- the identifier reads a *sample* of each text: the whole text up to
  ``SAMPLE_CHARS`` characters; of a longer one, ``SAMPLE_PIECES`` pieces spread
  evenly from its start to its end, each cut at word boundaries (deterministic: the
  same text always gives the same sample). Pieces from all over the text weigh a
  foreign quote or a foreign lead paragraph as the whole text would, where a prefix
  would be decided by its first paragraph alone. The sample is recorded in every
  manifest (``language_resource``);
- many texts are identified at once (``detect_languages``): the same automaton walk
  as py3langid's, over all texts in step with numpy, one sort of (text, feature)
  keys for the counts, and each text's counts times the model's table. The language is py3langid's own decision on the sample (tested
  against ``LanguageIdentifier.classify``); the confidence agrees to about 1e-6.

``benchmarks/bench_language.py`` compares the decisions on the sample with the
decisions on whole texts (BBC News, scraped multi-outlet pages, the seeds and
generated multilingual text): they are the same, except on some texts exactly half
English and half another language, where the whole-text call is itself a toss-up
(the sample is then less confident, and the text is kept and scored).

Start-up: py3langid's model ships LZMA-compressed; decompressing it took about
0.35 s of every run. Its arrays are kept decompressed in the table cache
(``harness.tablecache``) and memory-mapped, so a run reads only the rows it uses.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from harness.resources import Resource, external_resource
from harness.tablecache import Stored, load_or_build, package_version
from harness.text.tokens import word_count

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from py3langid.langid import LanguageIdentifier

ENGLISH = "en"
MIN_CONFIDENCE = 0.9
MIN_WORDS = 20
# The sample the identifier reads: texts up to this long whole, longer ones in pieces.
SAMPLE_CHARS = 1600
SAMPLE_PIECES = 4
# Texts walked together: bounds the byte matrix and the feature matrix of one step.
_BATCH_TEXTS = 2048
_SPACE = re.compile(r"\s")

SKIPPED_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "reason": pl.String(),  # e.g. "language: fr"
    "detail": pl.String(),
}


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    confidence: float  # normalised probability, 0..1
    words: int | None  # words in the text; None for an English guess (never needed)
    sampled: bool = False  # True when the identifier read a sample, not the whole text

    def non_english(self, *, min_confidence: float = MIN_CONFIDENCE, min_words: int = MIN_WORDS) -> bool:
        return self.language != ENGLISH and self.confidence >= min_confidence and (self.words or 0) >= min_words


def language_resource() -> Resource:
    """The model file, with how it is applied (the sample) in its version."""
    import py3langid.langid as langid_module

    path = Path(langid_module.__file__).parent / langid_module.MODEL_FILE
    model = external_resource("py3langid model.npz.xz", "py3langid", path)
    how = f"sample: whole text up to {SAMPLE_CHARS} characters, else {SAMPLE_PIECES} pieces spread over it"
    return replace(model, version=f"{model.version}; {how}")


@cache
def _identifier() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_sample(text: str, chars: int = SAMPLE_CHARS, pieces: int = SAMPLE_PIECES) -> str:
    """What the identifier reads of ``text``: all of it when short, else ``pieces``
    pieces of about ``chars / pieces`` characters spread from its start to its end,
    each cut at whitespace (never inside a word), joined by newlines."""
    if len(text) <= chars:
        return text
    size = chars // pieces
    step = (len(text) - size) / max(1, pieces - 1)
    parts = []
    for k in range(pieces):
        start = _word_start(text, int(k * step))
        end = _word_end(text, start, min(len(text), start + size))
        parts.append(text[start:end].strip())
    return "\n".join(part for part in parts if part)


def _word_start(text: str, at: int) -> int:
    """``at``, moved forward past the rest of a word it falls inside."""
    if at == 0 or text[at - 1].isspace():
        return at
    space = _SPACE.search(text, at)
    return space.start() if space else at


def _word_end(text: str, start: int, end: int) -> int:
    """``end``, moved back to the last whitespace before it (a cut word is left out)."""
    if end >= len(text) or text[end].isspace():
        return end
    cut = max(text.rfind(c, start, end) for c in (" ", "\n", "\t"))
    return cut if cut > start else end


def _encode(text: str) -> bytes:
    """The bytes py3langid reads (``LanguageIdentifier._encode`` for a str)."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


@dataclass(frozen=True)
class _Model:
    """The model as numpy arrays, with what ``detect_languages`` needs of py3langid's."""

    nextmove: NDArray[Any]  # the automaton's distinct transition rows, flat
    rowbase: NDArray[np.int64]  # state -> its row's offset in nextmove
    output: NDArray[np.int32]  # state -> the feature it emits, or -1
    ptc: NDArray[np.float32]  # p(feature | class), feature x class
    pc: NDArray[np.float32]  # the class priors
    classes: tuple[str, ...]
    alias_pairs: tuple[tuple[int, int], ...]  # (first, dupe) columns of a repeated label


def _model_stored() -> Stored:
    """Built from py3langid's own identifier (the only code that reads its model file)."""
    import numpy as np

    model = _identifier()
    arrays = {
        "nextmove": np.frombuffer(model.tk_nextmove, dtype=model.tk_nextmove.typecode).copy(),
        "rowbase": np.asarray(model._rowbase, dtype=np.int64),
        "output": np.asarray(model.tk_output, dtype=np.int32),
        "ptc": np.asarray(model.nb_ptc, dtype=np.float32),
        "pc": np.asarray(model.nb_pc, dtype=np.float32),
    }
    value = (tuple(str(c) for c in model.nb_classes), tuple((int(a), int(b)) for a, b in model._alias_pairs))
    return Stored(arrays, value)


def _model_decoded(stored: Stored) -> _Model:
    classes, pairs = stored.value
    a = stored.arrays
    return _Model(a["nextmove"], a["rowbase"], a["output"], a["ptc"], a["pc"],
                  tuple(classes), tuple((int(x), int(y)) for x, y in pairs))


@cache
def _model() -> _Model:
    """py3langid's model, kept decompressed between runs (``harness.tablecache``):
    decompressing it cost about 0.35 s of every start."""
    import py3langid.langid as langid_module

    path = Path(langid_module.__file__).parent / langid_module.MODEL_FILE
    return load_or_build(
        "py3langid-model",
        sources=[path],
        versions=[package_version("py3langid")],
        build=_model_stored,
        decode=_model_decoded,
    )


def _tables() -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int32], NDArray[np.float32]]:
    """The model as numpy arrays: transitions, row offsets, feature per state, p(feature|class)."""
    model = _model()
    return model.nextmove, model.rowbase, model.output, model.ptc


def _byte_grid(encoded: Sequence[bytes]) -> NDArray[np.uint8]:
    """The texts' bytes as one row per byte position, one column per text (zero after
    a text's end): written text by text as rows (contiguous copies), then transposed."""
    import numpy as np

    longest = max((len(e) for e in encoded), default=0)
    by_text = np.zeros((len(encoded), longest), dtype=np.uint8)
    for row, text in zip(by_text, encoded, strict=True):
        row[: len(text)] = np.frombuffer(text, dtype=np.uint8)
    return np.ascontiguousarray(by_text.T)


def _walk(encoded: Sequence[bytes]) -> NDArray[np.int32]:
    """The feature the automaton emits at every byte position of every text (-1: none,
    or past the text's end): one row per position, one column per text.

    The walk of ``py3langid.langid.visit_counts``, one byte position at a time for
    every text still that long; ``encoded`` must be sorted longest first.
    """
    import numpy as np

    nextmove, rowbase, output, _ = _tables()
    lengths = [len(e) for e in encoded]
    data = _byte_grid(encoded)
    states = np.zeros(len(encoded), dtype=np.int64)
    emitted = np.full(data.shape, -1, dtype=np.int32)
    active = len(encoded)
    for position in range(data.shape[0]):
        while active and lengths[active - 1] <= position:
            active -= 1
        now = nextmove[rowbase[states[:active]] + data[position, :active]]
        states[:active] = now
        emitted[position, :active] = output[now]
    return emitted


def _feature_counts(
    emitted: NDArray[np.int32], n_features: int
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """(feature, count, bounds) of ``_walk``'s output: every distinct feature of each
    text with its count, texts in column order, features ascending within a text;
    text k's are at ``bounds[k]:bounds[k + 1]``.

    One sort of (text, feature) keys, in 32 bits when they fit (faster than
    ``np.unique``, and no list of positions first).
    """
    import numpy as np

    n_texts = emitted.shape[1]
    narrow = _narrow(n_texts, n_features)
    absent = int(np.iinfo(np.int32 if narrow else np.int64).max)  # sorts after every key, dropped below
    base = np.arange(n_texts, dtype=np.int32 if narrow else np.int64) * n_features
    keys = np.where(emitted >= 0, np.add(emitted, base), absent).ravel()  # the dtype of base
    return _counted(keys, n_texts, n_features, absent)


def _narrow(n_texts: int, n_features: int) -> bool:
    """Do the keys ``text * n_features + feature`` fit in 32 bits (a faster sort)?"""
    import numpy as np

    return n_texts * n_features < np.iinfo(np.int32).max


def _counted(
    keys: NDArray[Any], n_texts: int, n_features: int, absent: int | None = None
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """``_feature_counts``'s (feature, count, bounds) from the keys ``text * n_features +
    feature`` in any order (sorted here, in place), ``absent`` keys dropped."""
    import numpy as np

    keys.sort()
    firsts = np.flatnonzero(np.concatenate(([len(keys) > 0], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(firsts, len(keys)))
    distinct = keys[firsts]
    if absent is not None:
        real = distinct != absent
        distinct, counts = distinct[real], counts[real]
    texts = distinct // n_features
    bounds = np.searchsorted(texts, np.arange(n_texts + 1)).astype(np.int64)
    return distinct - texts * n_features, counts, bounds


def _scores(encoded: Sequence[bytes]) -> NDArray[np.float32]:
    """py3langid's normalised class probabilities (``_decide``) for every text."""
    import numpy as np

    model = _model()
    ptc = model.ptc
    n_classes = ptc.shape[1]
    order, (features, counts, bounds) = _text_features(encoded, ptc.shape[0])
    # log1p(count) of every distinct (text, feature) times the table, summed in
    # float32 text by text, as py3langid does (with the table already in float32:
    # converting its float16 rows for every text was most of py3langid's time).
    # ``take`` copies each row of the table whole (the same rows as ``ptc[features]``,
    # which copies them value by value: a quarter slower).
    weights = np.log1p(counts.astype(np.float32))
    raw = np.zeros((len(encoded), n_classes), dtype=np.float32)
    featureless = np.zeros(len(encoded), dtype=bool)
    for column, k in enumerate(order.tolist()):
        low, high = bounds[column], bounds[column + 1]
        raw[k] = weights[low:high] @ ptc.take(features[low:high], axis=0)
        featureless[k] = low == high
    raw += model.pc
    raw[featureless] = 0.0  # no features: uniform, as py3langid does with norm_probs
    scale = np.array([1.0 / math.sqrt(len(e) or 1) for e in encoded], dtype=np.float32)
    raw *= scale[:, None]
    probabilities: NDArray[np.float32] = np.exp(raw - raw.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    for first, dupe in model.alias_pairs:  # srl -> sr: one label, one score
        probabilities[:, first] += probabilities[:, dupe]
        probabilities[:, dupe] = 0.0
    return probabilities


def _text_features(
    encoded: Sequence[bytes], n_features: int
) -> tuple[NDArray[np.int64], tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]]:
    """(order, _feature_counts's triple): column k of the triple is text order[k].

    Where the wire diff's core runs compiled, one C loop walks the texts 32 at a time,
    side by side (``units.c``, ``langid_keys``), and the columns are the texts in order;
    else numpy walks the whole batch longest first, a byte position at a time. The same
    features and counts for every text (tested), so the same scores: 2,048 BBC samples
    take 67-70 ms instead of 89-96 ms (walk and count; the C walk alone 34-40 ms
    against numpy's 41-58 ms).
    """
    import numpy as np

    native = _native_keys()
    if native is None:
        order = np.argsort([-len(e) for e in encoded], kind="stable").astype(np.int64)
        return order, _feature_counts(_walk([encoded[i] for i in order]), n_features)
    model = _model()
    out = np.empty(sum(map(len, encoded)), dtype=np.int32 if _narrow(len(encoded), n_features) else np.int64)
    written = native(list(encoded), model.nextmove, model.rowbase, model.output, n_features, out)
    return np.arange(len(encoded), dtype=np.int64), _counted(out[:written], len(encoded), n_features)


@cache
def _native_keys() -> Callable[..., int] | None:
    """``units.c``'s ``langid_keys`` where the diff's core runs compiled, else None."""
    from harness.wirediff.compiled import native_function

    return native_function("_units", "langid_keys")


def _word_total(language: str, text: str, sample: str) -> int | None:
    """Words of ``text`` when the guess is not English (only then do they decide anything);
    counted in the sample when that alone clears any threshold in use (bounded cost)."""
    if language == ENGLISH:
        return None
    counted = word_count(sample)
    return counted if sample is text or counted >= 4 * MIN_WORDS else word_count(text)


def detect_languages(texts: Iterable[str]) -> list[LanguageGuess]:
    """The language of every text (see the module docstring: a sample of each, all at once)."""
    texts = list(texts)
    guesses: list[LanguageGuess] = []
    classes = _model().classes
    for start in range(0, len(texts), _BATCH_TEXTS):
        batch = texts[start : start + _BATCH_TEXTS]
        samples = [language_sample(text) for text in batch]
        scores = _scores([_encode(sample) for sample in samples])
        best = scores.argmax(axis=1)
        for k, (text, sample) in enumerate(zip(batch, samples, strict=True)):
            language = str(classes[best[k]])
            confidence = round(float(scores[k, best[k]]), 6)  # not the last bits of a float sum
            words = _word_total(language, text, sample)
            guesses.append(LanguageGuess(language, confidence, words, sample is not text))
    return guesses


def detect_language(text: str) -> LanguageGuess:
    return detect_languages([text])[0]


def detect_language_whole(text: str) -> LanguageGuess:
    """py3langid itself on the whole text: the reference ``detect_language`` is checked against."""
    language, confidence = _identifier().classify(text)
    return LanguageGuess(str(language), round(float(confidence), 6), word_count(text))


def split_by_language(
    articles: pl.DataFrame,
    *,
    min_confidence: float = MIN_CONFIDENCE,
    min_words: int = MIN_WORDS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(English articles, skipped rows): a confident non-English body is skipped, with its reason."""
    guesses = detect_languages(articles["body"].to_list())
    keep, skipped = split_by_guesses(articles, guesses, min_confidence=min_confidence, min_words=min_words)
    return articles.filter(keep), skipped


def split_by_guesses(
    articles: pl.DataFrame,
    guesses: Sequence[LanguageGuess],
    *,
    min_confidence: float = MIN_CONFIDENCE,
    min_words: int = MIN_WORDS,
) -> tuple[pl.Series, pl.DataFrame]:
    """(which articles are kept, skipped rows) from the guesses of their bodies, in order
    (``split_by_language`` once the guesses are made, e.g. batch by batch on workers)."""
    keep = [not g.non_english(min_confidence=min_confidence, min_words=min_words) for g in guesses]
    if len(keep) != articles.height:
        raise ValueError(f"{len(keep)} guesses for {articles.height} articles")
    dropped = [k for k, english in enumerate(keep) if not english]
    skipped = [
        {
            "doc_id": row["doc_id"],
            "outlet": row["outlet"],
            "reason": f"language: {guess.language}",
            "detail": f"py3langid confidence {guess.confidence:.3f} over {guess.words} words"
            + (f" (read: a sample of {SAMPLE_CHARS} characters)" if guess.sampled else "")
            + "; the instruments are English-only",
        }
        for row, guess in zip(
            articles[dropped].select("doc_id", "outlet").iter_rows(named=True),
            [guesses[k] for k in dropped],
            strict=True,
        )
    ]
    return pl.Series(keep, dtype=pl.Boolean), pl.DataFrame(skipped, schema=SKIPPED_SCHEMA)
