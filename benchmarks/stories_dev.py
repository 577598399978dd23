"""Development evaluation of story matching: same-day multi-outlet scrapes among BBC distractors.

Builds a corpus (never committed) from ``../shared``:

* ``corpora/multi-outlet-small/{census,spotify}_articles.csv``: the headline is the first
  ` ### ` segment of four or more words (scraped page chrome comes first in many), the
  body the segments after it, ``published`` the scrape time. Gold grouping, by a
  documented heuristic (checked by reading the headlines): in the census file, an article
  naming "census" and "citizenship" or "Hofeller" reports the census-question story; in
  the Spotify file, one naming "Spotify" and "conduct", "hate" or "R. Kelly" reports the
  policy reversal; every other article is a story of its own.
* ``corpora/bbc-news``: a seeded sample of distractors, each its own story except exact
  duplicate texts, which share one. The BBC corpus has no dates: each distractor gets a
  seeded date uniformly within 15 days either side of the two scrape days, so the time
  window leaves many distractors (about a third of them) around each event; with
  ``--undated`` they have none and every one is compared with every article.

Prints pairwise/B-cubed F1 and ARI of ``match_stories`` and of the word-overlap baseline
for each slice and for both together::

    nice -n 10 .venv/bin/python -m benchmarks.stories_dev --distractors 1000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from benchmarks.shared_data import shared_folder
from harness.stories import StorySettings, match_stories
from harness.stories.evaluate import scores, word_overlap_labels

TOPICS = {
    "census": lambda t: "census" in t and ("citizenship" in t or "hofeller" in t),
    "spotify": lambda t: "spotify" in t and ("conduct" in t or "hate" in t or "r. kelly" in t),
}


def scrape(path: Path, topic: str) -> pl.DataFrame:
    rows = []
    for record in pl.read_csv(path).iter_rows(named=True):
        parts = [p.strip() for p in str(record["text"]).split(" ### ")]
        first = next((i for i, p in enumerate(parts) if len(p.split()) >= 4), 0)
        headline, body = parts[first], " ".join(parts[first + 1 :])
        same = TOPICS[topic](str(record["text"]).casefold())
        doc_id = f"{topic}-{record['id']}"
        rows.append(
            {
                "doc_id": doc_id,
                "outlet": record["publisher"],
                "headline": headline,
                "body": body,
                "published": record["scrape_time"],
                "gold": f"{topic}-story" if same else doc_id,
            }
        )
    return pl.DataFrame(rows)


EVENT_DAYS = (date(2018, 6, 1), date(2019, 5, 31))


def distractors(path: Path, n: int, seed: int, dated: bool = True) -> pl.DataFrame:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    picked = rng.sample(records, min(n, len(records)))
    first_of: dict[str, str] = {}
    rows = []
    for r in picked:
        doc_id = "bbc-" + r["id"]
        gold = first_of.setdefault(r["text"], doc_id)  # exact duplicates share a story
        day = EVENT_DAYS[rng.randrange(2)] + timedelta(days=rng.randint(-15, 15))
        published = f"{day.isoformat()}T12:00:00+00:00" if dated else None
        rows.append({"doc_id": doc_id, "outlet": "BBC", "headline": r["title"], "body": r["text"], "published": published, "gold": gold})
    return pl.DataFrame(rows, schema={"doc_id": pl.String, "outlet": pl.String, "headline": pl.String, "body": pl.String, "published": pl.String, "gold": pl.String})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--distractors", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--undated", action="store_true", help="distractors without dates")
    parser.add_argument("--threshold", type=float, default=None, help="story threshold (default: the setting's)")
    parser.add_argument("--overlap-threshold", type=float, default=0.15)
    parser.add_argument("--weighting", choices=("tfidf", "bm25"), default="tfidf")
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--min-shared", type=int, default=None)
    args = parser.parse_args(argv)
    root = shared_folder()
    if root is None:
        print("../shared is not available: nothing to evaluate", file=sys.stderr)
        return 2
    outlets = root / "corpora" / "multi-outlet-small"
    parts = {
        "census": scrape(outlets / "census_articles.csv", "census"),
        "spotify": scrape(outlets / "spotify_articles.csv", "spotify"),
    }
    bbc = distractors(root / "corpora" / "bbc-news" / "articles.jsonl", args.distractors, args.seed, dated=not args.undated)
    chosen = {"threshold": args.threshold, "top_k": args.top_k, "min_shared": args.min_shared}
    settings = StorySettings(weighting=args.weighting, **{k: v for k, v in chosen.items() if v is not None})
    print(f"| slice | articles | gold stories (2+) | method | pairwise P | pairwise R | pairwise F1 | B-cubed F1 | ARI |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, frame in [*parts.items(), ("both", pl.concat(list(parts.values())))]:
        corpus = pl.concat([frame, bbc])
        found = match_stories(corpus.drop("gold"), settings=settings).assignments
        method = dict(found.select("doc_id", "story_id").iter_rows())
        overlap = dict(zip(corpus["doc_id"].to_list(), word_overlap_labels(corpus, threshold=args.overlap_threshold), strict=True))
        gold = corpus["gold"].to_list()
        ids = corpus["doc_id"].to_list()
        multi = corpus.group_by("gold").len().filter(pl.col("len") > 1).height
        for label, labels in (("stories", method), ("word overlap", overlap)):
            s = scores([labels[i] for i in ids], gold)
            print(
                f"| {name} | {corpus.height} | {multi} | {label} | {s['pairwise_precision']:.3f} | {s['pairwise_recall']:.3f} "
                f"| {s['pairwise_f1']:.3f} | {s['bcubed_f1']:.3f} | {s['adjusted_rand']:.3f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
