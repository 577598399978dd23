"""Story ids against a human grouping: pairwise and B-cubed precision/recall/F1, adjusted Rand.

All three are functions of the contingency table of (predicted story, gold story)
over the articles both name:

* pairwise: a pair of articles is positive when they share a story; precision is the
  share of predicted same-story pairs that gold groups together, recall the reverse;
* B-cubed (Bagga and Baldwin 1998): per article, the share of its predicted story
  that is in its gold story (precision) and of its gold story in its predicted story
  (recall), averaged over articles;
* adjusted Rand index (Hubert and Arabie 1985): pair agreement corrected for chance,
  0 for a random grouping, 1 for identical ones.

``word_overlap_labels`` is the baseline the method is measured against: Jaccard of
the articles' word sets (headline and lead), clustered the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from harness.errors import InputError
from harness.stories.cluster import average_linkage

GOLD_COLUMNS = ("story", "story_id", "gold")
DEFAULT_OVERLAP_THRESHOLD = 0.15
_WORD = re.compile(r"\w+")
MEASURES_SCHEMA: dict[str, pl.DataType] = {"method": pl.String(), "measure": pl.String(), "value": pl.Float64()}


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def scores(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    """Pairwise P/R/F1, B-cubed P/R/F1 and ARI of two labelings of the same articles."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold label different numbers of articles")
    cells = Counter(zip(predicted, gold, strict=True))
    pred_sizes = Counter(predicted)
    gold_sizes = Counter(gold)
    n = len(gold)
    together = sum(_pairs(c) for c in cells.values())
    pred_pairs = sum(_pairs(c) for c in pred_sizes.values())
    gold_pairs = sum(_pairs(c) for c in gold_sizes.values())
    precision = together / pred_pairs if pred_pairs else 1.0
    recall = together / gold_pairs if gold_pairs else 1.0
    b_precision = sum(c * c / pred_sizes[p] for (p, _), c in cells.items()) / n if n else 1.0
    b_recall = sum(c * c / gold_sizes[g] for (_, g), c in cells.items()) / n if n else 1.0
    return {
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": _f1(precision, recall),
        "bcubed_precision": b_precision,
        "bcubed_recall": b_recall,
        "bcubed_f1": _f1(b_precision, b_recall),
        "adjusted_rand": _ari(together, pred_pairs, gold_pairs, _pairs(n)),
        "articles": float(n),
    }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _ari(index: int, a: int, b: int, total: int) -> float:
    if total == 0:
        return 1.0
    expected = a * b / total
    maximum = (a + b) / 2
    if maximum == expected:  # both labelings all singletons or one cluster: identical up to chance
        return 1.0
    return (index - expected) / (maximum - expected)


def word_sets(headlines: Sequence[str], bodies: Sequence[str], lead_words: int) -> list[frozenset[str]]:
    out = []
    for headline, body in zip(headlines, bodies, strict=True):
        words = _WORD.findall((headline or "").casefold()) + _WORD.findall((body or "").casefold())[:lead_words]
        out.append(frozenset(words))
    return out


def word_overlap_labels(
    articles: pl.DataFrame, *, threshold: float = DEFAULT_OVERLAP_THRESHOLD, lead_words: int = 90
) -> list[str]:
    """The baseline: Jaccard of word sets over all pairs, average linkage; labels in the table's order.

    All pairs: meant for evaluation sets (thousands of articles), not for corpora.
    """
    sets = word_sets(articles["headline"].fill_null("").to_list(), articles["body"].fill_null("").to_list(), lead_words)
    ids = articles["doc_id"].to_list()
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    sets = [sets[i] for i in order]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, words in enumerate(sets):
        for w in sorted(words):
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
    import scipy.sparse as sp

    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sets), max(len(vocab), 1)))
    shared = sp.triu(m @ m.T, k=1).tocoo()
    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    union = sizes[shared.row] + sizes[shared.col] - shared.data
    jaccard = np.divide(shared.data, union, out=np.zeros_like(union), where=union > 0)
    labels = average_linkage(
        len(sets), shared.row.astype(np.int64), shared.col.astype(np.int64), jaccard, threshold=threshold
    )
    by_position = {order[i]: f"w{label}" for i, label in enumerate(labels.tolist())}
    return [by_position[i] for i in range(len(ids))]


def read_gold_stories(path: Path) -> pl.DataFrame:
    """``doc_id`` and ``gold`` (text) from a CSV, JSON Lines or Parquet file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif suffix in (".jsonl", ".ndjson"):
            frame = pl.read_ndjson(path, infer_schema_length=None)
        elif suffix == ".csv":
            frame = pl.read_csv(path, infer_schema_length=0)
        else:
            raise InputError(
                "cannot tell the gold file's format", where=path, hint="name it *.csv, *.jsonl or *.parquet"
            )
    except FileNotFoundError:
        raise InputError("no such file", where=path, hint="check the path given with --gold") from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not readable: {first}", where=path, hint="export it again as CSV, JSONL or Parquet") from None
    key = next((c for c in GOLD_COLUMNS if c in frame.columns), None)
    if "doc_id" not in frame.columns or key is None:
        raise InputError(
            "the gold file needs columns doc_id and story (or story_id, gold); columns found: "
            + ", ".join(frame.columns[:10]),
            where=path,
            hint="one row per article: its doc_id and the id of its story as a person grouped it",
        )
    gold = frame.select(doc_id=pl.col("doc_id").cast(pl.String), gold=pl.col(key).cast(pl.String))
    if gold["doc_id"].null_count() or gold["gold"].null_count():
        raise InputError("a row has no doc_id or no story", where=path, hint="fill in both columns on every row")
    duplicated = gold.filter(pl.col("doc_id").is_duplicated())["doc_id"].unique().sort()
    if duplicated.len():
        raise InputError(f"doc_id {duplicated[0]!r} is listed twice", where=path, hint="give each article one story")
    return gold


def evaluate(
    articles: pl.DataFrame,
    gold: pl.DataFrame,
    predicted: pl.DataFrame,
    *,
    where: str | Path = "gold",
    overlap_threshold: float = DEFAULT_OVERLAP_THRESHOLD,
) -> pl.DataFrame:
    """Measures of the story ids (``predicted``: doc_id, story_id) and of the word-overlap baseline.

    Every gold doc_id must be an article of the corpus; articles the gold file does
    not name are left out of the scores.
    """
    known = set(articles["doc_id"].to_list())
    unknown = sorted(set(gold["doc_id"].to_list()) - known)
    if unknown:
        raise InputError(
            f"{len(unknown)} doc id(s) not in the corpus, e.g. {unknown[0]!r}",
            where=where,
            hint="the gold file's doc_id must name articles of the corpus given with --corpus",
        )
    gold = gold.sort("doc_id")
    method = dict(predicted.select("doc_id", "story_id").iter_rows())
    judged = articles.filter(pl.col("doc_id").is_in(gold["doc_id"].implode())).sort("doc_id")
    baseline = dict(zip(judged["doc_id"].to_list(), word_overlap_labels(judged, threshold=overlap_threshold), strict=True))
    ids = gold["doc_id"].to_list()
    labels = gold["gold"].to_list()
    rows = []
    for name, found in (("stories", method), ("word_overlap", baseline)):
        for measure, value in scores([found[i] for i in ids], labels).items():
            rows.append({"method": name, "measure": measure, "value": value})
    return pl.DataFrame(rows, schema=MEASURES_SCHEMA)


def read_copy_pairs(path: Path) -> pl.DataFrame:
    """``a_doc_id``, ``b_doc_id`` from a table ``harness pairs -o`` wrote (Parquet or JSON)."""
    try:
        frame = pl.read_parquet(path) if path.suffix.lower() == ".parquet" else pl.read_json(path)
    except FileNotFoundError:
        raise InputError("no such file", where=path, hint="check the path given with --pairs") from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"not readable: {first}", where=path, hint="write it with `harness pairs -o FILE`") from None
    if frame.height == 0 and not frame.columns:
        return pl.DataFrame(schema={"a_doc_id": pl.String(), "b_doc_id": pl.String()})
    missing = [c for c in ("a_doc_id", "b_doc_id") if c not in frame.columns]
    if missing:
        raise InputError(
            f"no column(s) {', '.join(missing)}", where=path, hint="give the table `harness pairs -o FILE` writes"
        )
    return frame.select(pl.col("a_doc_id").cast(pl.String), pl.col("b_doc_id").cast(pl.String))
