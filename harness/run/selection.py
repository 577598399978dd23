"""Which of the corpus's articles an experiment reads (``corpus.outlets``, ``corpus.doc_ids``).

One filter and one set of checks, for a corpus read whole (``select_articles``)
and one read in batches (``harness.run.spill``): the same articles, and the same
message for a name that is not in the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from harness.errors import ConfigError
from harness.experiments.spec import Experiment


def selection(experiment: Experiment) -> pl.Expr | None:
    """The rows the experiment keeps, or None for every row."""
    spec = experiment.corpus
    keep: list[pl.Expr] = []
    if spec.outlets:
        keep.append(pl.col("outlet").is_in(list(spec.outlets)))
    if spec.doc_ids:
        keep.append(pl.col("doc_id").is_in(list(spec.doc_ids)))
    return pl.all_horizontal(keep) if keep else None


def check_selection(experiment: Experiment, outlets: Iterable[str | None], doc_ids: Iterable[str], selected_rows: int) -> None:
    """Name what the experiment asked for and the corpus lacks; refuse an empty selection.

    ``outlets``: every outlet of the corpus (needed only when it lists outlets);
    ``doc_ids``: the corpus's ids among those it lists.
    """
    spec = experiment.corpus
    if spec.outlets:
        present = {o for o in outlets if o is not None}
        _refuse_missing(experiment, "outlets", "outlet(s)", spec.outlets, present, "outlets present: " + ", ".join(sorted(present)))
    if spec.doc_ids:
        _refuse_missing(experiment, "doc_ids", "id(s)", spec.doc_ids, set(doc_ids))
    if selected_rows == 0:
        # Both lists name articles that exist, but no article is in both.
        raise ConfigError(
            "corpus.outlets and corpus.doc_ids together select no article",
            where=experiment.file,
            hint="list doc_ids of the listed outlets, or drop one of the two",
        )


def _refuse_missing(
    experiment: Experiment, key: str, what: str, asked: Iterable[str], present: set[str], hint: str | None = None
) -> None:
    missing = [name for name in asked if name not in present]
    if missing:
        raise ConfigError(f"corpus.{key} names {what} not in the corpus: {', '.join(missing)}", where=experiment.file, hint=hint)


def select_articles(articles: pl.DataFrame, experiment: Experiment) -> pl.DataFrame:
    """Keep the articles the experiment asks for; name what it asked for and is absent."""
    keep = selection(experiment)
    selected = articles if keep is None else articles.filter(keep)
    spec = experiment.corpus
    check_selection(
        experiment,
        articles["outlet"].to_list() if spec.outlets else (),
        articles.filter(pl.col("doc_id").is_in(list(spec.doc_ids)))["doc_id"].to_list() if spec.doc_ids else (),
        selected.height,
    )
    return selected
