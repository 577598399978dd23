"""Generated scorecard tables with realistic between-article variation, for the stats tests.

Real corpora are not a bag of independent sentences: some articles are far more
loaded or negative than others. ``generated_tables`` draws, per article, a word
count (log-normal), a loaded-term rate and an emotive-term rate (gamma: most
articles have few hits, a few have many), a sentiment offset that every sentence of
the article shares, and a readability score; then the sentences and hits of the
article from those. It returns the three tables ``compare_outlets`` reads
(``documents``, ``sentences``, ``hits``) with only the columns it needs, so the tests
call the statistics directly without the scoring pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

VOICES = ("all", "narrator", "quoted")
STANCE_RATES = ("hedge_per_1k", "certainty_per_1k", "intensifier_per_1k")


@dataclass(frozen=True)
class Corpus:
    documents: pl.DataFrame
    sentences: pl.DataFrame
    hits: pl.DataFrame

    def relabelled(self, outlets: list[str]) -> Corpus:
        """The same articles with outlet labels given in doc_id order (a shuffle)."""
        documents = self.documents.sort("doc_id").with_columns(pl.Series("outlet", outlets))
        return Corpus(documents, self.sentences, self.hits)


def _voice_columns(prefix: str, values: list[float | int | None], quoted: list[float | int | None]) -> dict[str, list[float | int | None]]:
    return {prefix: values, f"{prefix}_narrator": values, f"{prefix}_quoted": quoted}


def generated_tables(
    seed: int,
    outlets: dict[str, int],
    *,
    loaded_shape: float = 0.7,
    loaded_per_1k: float = 6.0,
    sentiment_sd: float = 0.3,
    stories: int | None = None,
) -> tuple[Corpus, dict[str, str]]:
    """Articles per outlet as asked, every outlet drawn from one population (no true difference).

    With ``stories``, article ``i`` of every outlet reports story ``i % stories`` and
    shares that story's strong effect on sentiment and loadedness; the second value
    returned maps doc_id to story.
    """
    rng = np.random.default_rng(seed)
    story_effect = rng.normal(0.0, 0.4, stories or 1)
    story_load = rng.gamma(1.5, 1 / 1.5, stories or 1)
    docs: dict[str, list[object]] = {"doc_id": [], "outlet": []}
    words: list[int] = []
    sentiment: list[float] = []
    readability: list[float] = []
    sentence_rows: list[dict[str, object]] = []
    hit_rows: list[dict[str, object]] = []
    story_of: dict[str, str] = {}
    for outlet, count in outlets.items():
        for i in range(count):
            doc_id = f"{outlet}-{i:03d}"
            story = i % stories if stories else 0
            if stories:
                story_of[doc_id] = f"story-{story:03d}"
            n_words = int(rng.lognormal(np.log(600), 0.5)) + 50
            load = story_load[story] if stories else 1.0
            loaded = rng.poisson(n_words * rng.gamma(loaded_shape, loaded_per_1k / 1000 / loaded_shape) * load)
            emotive = rng.poisson(n_words * rng.gamma(0.5, 2.0 / 1000 / 0.5) * load)
            offset = rng.normal(0.0, sentiment_sd) + (story_effect[story] if stories else 0.0)
            compounds = np.clip(offset + rng.normal(0.0, 0.35, int(rng.integers(15, 35))), -1, 1)
            docs["doc_id"].append(doc_id)
            docs["outlet"].append(outlet)
            words.append(n_words)
            sentiment.append(float(compounds.mean()))
            readability.append(float(rng.normal(60, 10)))
            for voice in ("all", "narrator"):  # no quoted text
                sentence_rows += [
                    {"doc_id": doc_id, "field": "body", "voice": voice, "index": k, "compound": float(c)}
                    for k, c in enumerate(compounds)
                ]
            for category, n_hits in (("emotive", emotive), ("pejorative", loaded)):
                hit = {"doc_id": doc_id, "field": "body", "voice": "narrator", "category": category, "loaded": True}
                hit_rows += [hit] * int(n_hits)
    nulls: list[float | int | None] = [None] * len(words)
    documents = pl.DataFrame(
        {
            **docs,
            **_voice_columns("words", list(words), [0] * len(words)),
            **_voice_columns("sentiment_mean", list(sentiment), nulls),
            **_voice_columns("flesch_reading_ease", list(readability), nulls),
            **_voice_columns("flesch_kincaid_grade", list(readability), nulls),
            **_voice_columns("gunning_fog", list(readability), nulls),
            **_voice_columns(
                "loaded_per_1k",
                [1000.0 * c / w for c, w in zip(_loaded_counts(hit_rows, docs["doc_id"]), words, strict=True)],
                nulls,
            ),
            # outlet_summary covers the stance rates too; no stance markers here (no draws, so
            # the other columns are those of earlier versions).
            **{k: v for m in STANCE_RATES for k, v in _voice_columns(m, [0.0] * len(words), nulls).items()},
        },
        schema_overrides={"words_quoted": pl.Int64, "sentiment_mean_quoted": pl.Float64},
        strict=False,
    )
    sentences = pl.DataFrame(sentence_rows)
    hits = pl.DataFrame(
        hit_rows,
        schema={"doc_id": pl.String, "field": pl.String, "voice": pl.String, "category": pl.String, "loaded": pl.Boolean},
    )
    return Corpus(documents, sentences, hits), story_of


def _loaded_counts(hit_rows: list[dict[str, object]], doc_ids: list[object]) -> list[int]:
    counts = dict.fromkeys(doc_ids, 0)
    for row in hit_rows:
        counts[row["doc_id"]] += 1
    return [counts[d] for d in doc_ids]


def stories_frame(story_of: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"doc_id": list(story_of), "story": list(story_of.values())},
        schema={"doc_id": pl.String, "story": pl.String},
    )
