"""wire-copy-diff: align copies of one wire story and classify every difference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import polars as pl

from harness.errors import ConfigError, HarnessError
from harness.experiments.registry import Tables, rows_where, scan_table, step
from harness.experiments.settings import Help, Length, ProjectPath, Range
from harness.reports.blocks import Block, Heading, Paragraph, Table, TrustedHtml
from harness.resources import Resource, project_resource
from harness.wirediff.defaults import DEFAULT_MIN_ARTICLES

# The diff itself is imported where it is used: reading an experiment registers this
# step, and a run hands its corpus to the diff's early workers (``_start_workers``)
# before it loads the diff's modules for itself, after discovery (see
# ``harness.wirediff.defaults``).
TYPE_CHECKING = False  # as in harness/__init__.py
if TYPE_CHECKING:
    from harness.wirediff import DiffResult

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {"a_doc_id": pl.String(), "b_doc_id": pl.String()}
DEFAULT_STYLES = "experiments/styles"
CONTEXT = 80
# A result of many pairs is read in its tables (`harness export`): its report shows the
# first pairs side by side, and the first rows of its long tables (49,270 pairs of 1M
# articles made a 1.1 GB HTML report, 7 GB in memory to render).
REPORT_PAIRS = 200
REPORT_ROWS = 1_000


def _pairs_for(articles: pl.DataFrame, a_outlet: str, b_outlet: str) -> list[tuple[str, str]]:
    a_ids = articles.filter(pl.col("outlet") == a_outlet)["doc_id"].to_list()
    b_ids = articles.filter(pl.col("outlet") == b_outlet)["doc_id"].to_list()
    return [(a, b) for a in a_ids for b in b_ids if a != b]


@step(outputs=("candidate_pairs",))
def outlet_pairs(
    articles: pl.DataFrame,
    *,
    pairs: Annotated[
        list[Annotated[list[str], Length(2, 2)]],
        Help("[wire outlet, copy outlet] pairs, outlets as the corpus spells them: each article of the first is paired with each of the second."),
    ],
) -> Tables:
    """Every article of outlet A paired with every article of outlet B, per [A, B] listed."""
    present = set(articles["outlet"].to_list())
    rows: list[tuple[str, str]] = []
    for index, pair in enumerate(pairs):
        if len(pair) != 2:
            raise ConfigError(f"settings.pairs[{index}] must be [wire_outlet, copy_outlet], got {pair!r}")
        missing = [o for o in pair if o not in present]
        if missing:
            raise ConfigError(
                f"settings.pairs[{index}] names outlet(s) not in the selected articles: {', '.join(missing)}",
                hint="outlets present: " + ", ".join(sorted(present)),
            )
        rows.extend(_pairs_for(articles, pair[0], pair[1]))
    return {"candidate_pairs": pl.DataFrame(rows, schema=CANDIDATE_SCHEMA, orient="row")}


def _style_resources(settings: Mapping[str, Any]) -> list[Resource]:
    from harness.wirediff import wirediff_resources

    resources = wirediff_resources(Path(settings.get("styles_dir", DEFAULT_STYLES)))
    for path in sorted(set((settings.get("style_sheets") or {}).values())):
        resources.append(project_resource(Path(path), f"style_sheets/{Path(path).name}"))
    return resources


def _check_style_outlets(articles: pl.DataFrame | pl.LazyFrame, style_sheets: Mapping[str, str]) -> None:
    """A sheet named for an outlet the articles do not have is most likely a typo."""
    if not style_sheets:
        return
    present = set(articles.lazy().select(pl.col("outlet").drop_nulls().unique()).collect().to_series().to_list())
    missing = [outlet for outlet in style_sheets if outlet not in present]
    if missing:
        raise ConfigError(
            f"settings.style_sheets names outlet(s) not in the selected articles: {', '.join(map(repr, missing))}",
            hint="outlets present: " + ", ".join(sorted(present)),
        )


# ---------------------------------------------------------------------------
# Report: rebuilt from the stored `pairs`, `edits` and `articles` rows alone.


def _result_from_rows(pair: Mapping[str, Any], edits: pl.DataFrame) -> DiffResult:
    from harness.wirediff import Category, Derivation, DiffResult, Edit, Kind, Segment, Similarity
    from harness.wirediff.model import SIMILARITY_FIELDS

    def similarity(prefix: str) -> Similarity:
        return Similarity(**{name: pair[f"{prefix}{name}"] for name in SIMILARITY_FIELDS})

    def edit(row: Mapping[str, Any], subs: tuple[Edit, ...] = ()) -> Edit:
        return Edit(
            category=Category(row["category"]),
            kind=Kind(row["kind"]),
            rule=row["rule"],
            explanation=row["explanation"],
            a_text=row["a_text"],
            b_text=row["b_text"],
            a_start=row["a_start"],
            a_end=row["a_end"],
            b_start=row["b_start"],
            b_end=row["b_end"],
            segment=Segment(row["segment"]),
            sub_edits=subs,
        )

    rows = list(edits.sort("edit_index").iter_rows(named=True))
    # Sub-edit rows (parent_edit set) go back inside their parent edit.
    nested: dict[int, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("parent_edit") is not None:
            nested.setdefault(row["parent_edit"], []).append(row)
    stored = tuple(
        edit(row, tuple(edit(sub) for sub in nested.get(row["edit_index"], [])))
        for row in rows
        if row.get("parent_edit") is None
    )
    return DiffResult(
        edits=stored,
        similarity=similarity(""),
        derivation=Derivation(pair["derivation"]),
        substantive_share=pair["substantive_share"],
        substantive_b_share=pair["substantive_b_share"],
        a_words=pair["a_words"],
        b_words=pair["b_words"],
        headline_similarity=similarity("headline_"),
    )


def _clip(text: str, limit: int = 240) -> str:
    """A long edited passage shown by its ends; the stored table has it whole."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} … [{len(text) - limit} characters] … {text[-half:]}"


def _in_context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT) : start]
    right = text[end : end + CONTEXT]
    return f"…{left}[{_clip(text[start:end])}]{right}…"


def _substantive_rows(substantive: pl.DataFrame, texts: Mapping[str, Mapping[str, str]]) -> pl.DataFrame:
    rows = []
    for row in substantive.iter_rows(named=True):
        a_text = texts[row["a_doc_id"]][row["segment"]]
        b_text = texts[row["b_doc_id"]][row["segment"]]
        rows.append(
            {
                "pair": f"{row['a_doc_id'][:8]}→{row['b_doc_id'][:8]}",
                "segment": row["segment"],
                "category": row["category"],
                "A in context": _in_context(a_text, row["a_start"], row["a_end"]),
                "B in context": _in_context(b_text, row["b_start"], row["b_end"]),
                "explanation": row["explanation"],
            }
        )
    schema = dict.fromkeys(["pair", "segment", "category", "A in context", "B in context", "explanation"], pl.String())
    return pl.DataFrame(rows, schema=schema)


def _pair_texts(tables: Tables, *frames: pl.DataFrame) -> dict[str, dict[str, str]]:
    """Headline and body of each article the rows of ``frames`` name, by doc_id: only
    those are read (a run on a large corpus stores every article of it)."""
    named = pl.concat([frame[column] for frame in frames for column in ("a_doc_id", "b_doc_id")]).unique()
    articles = rows_where(tables, "articles", pl.col("doc_id").is_in(named.implode()))
    return {r["doc_id"]: {"headline": r["headline"], "body": r["body"]} for r in articles.iter_rows(named=True)}


def wirecopy_report(tables: Tables, settings: Mapping[str, Any]) -> Sequence[Block]:
    from harness.wirediff import render_html_fragment

    # The edits table is only queried (lazily, over a stored result's file): the report
    # shows counts and a few edits, and a large result has millions of them.
    pairs, edits = tables["pairs"], scan_table(tables, "edits")
    substantive = edits.filter(pl.col("kind") == "substantive")
    substantive_count = int(substantive.select(pl.len()).collect().item())
    shown, shown_edits = pairs.head(REPORT_PAIRS), substantive.head(REPORT_ROWS).collect()
    texts = _pair_texts(tables, shown, shown_edits)
    counts = (
        edits.group_by("a_doc_id", "b_doc_id", "segment", "kind", "category")
        .agg(pl.len().alias("edits"))
        .sort("a_doc_id", "b_doc_id", "segment", "kind", "category")
        .collect()
    )
    blocks: list[Block] = [
        Heading("Wire-copy pairs"),
        Paragraph(
            "Substantive-edit share (the headline number): substantive edits / all non-boilerplate "
            "edits in the body (style + substantive), after every house-style difference has been "
            "recognised. Headlines are compared and listed apart. Derivation follows METER "
            "(wholly / partially / non derived). Source: table `pairs`."
        ),
        Table(
            pairs.select(
                "a_outlet", "b_outlet", "derivation", "substantive_share", "substantive_b_share",
                "style_edits", "boilerplate_edits", "substantive_edits", "headline_edits",
                "shingle_containment", "shingle_jaccard", "token_jaccard", "edit_distance", "copied_share",
            ),
            "Pairs (A = wire story, B = copy; table `pairs`)",
            max_rows=REPORT_PAIRS,
        ),
        Table(counts, "Edits by segment, kind and category (aggregated from table `edits`)", max_rows=REPORT_ROWS),
        Heading("Every substantive edit in context"),
    ]
    if substantive_count > REPORT_ROWS:
        blocks.append(Paragraph(f"The first {REPORT_ROWS} of {substantive_count} substantive edits; table `edits` has all."))
    blocks.append(
        Table(_substantive_rows(shown_edits, texts), "Substantive edits; [brackets] mark the edited words (table `edits`)")
    )
    style_rules = tables["style_rules"]
    if style_rules.height:
        blocks.append(
            Table(style_rules, "Learned house-style variants per outlet pair (table `style_rules`)", max_rows=REPORT_ROWS)
        )
    furniture = tables.get("furniture")  # results stored before issue 13 have none
    if furniture is not None and furniture.height:
        blocks.append(
            Table(
                furniture, "Learned page furniture per outlet: edits of it are boilerplate (table `furniture`)",
                max_rows=REPORT_ROWS,
            )
        )
    # Each pair's edits from one pass (a filter per pair scanned the whole table each time:
    # quadratic, about 25 s of a report at 10k pairs). The shown pairs' articles filter
    # the scan as it is read; the join then keeps exactly the shown pairs.
    near = pl.col("a_doc_id").is_in(shown["a_doc_id"].implode()) & pl.col("b_doc_id").is_in(shown["b_doc_id"].implode())
    shown_pairs_edits = (
        edits.filter(near).join(shown.select("a_doc_id", "b_doc_id").lazy(), on=["a_doc_id", "b_doc_id"], how="semi")
    ).collect()
    by_pair = shown_pairs_edits.partition_by("a_doc_id", "b_doc_id", as_dict=True, maintain_order=True)
    no_edits = shown_pairs_edits.clear()
    if pairs.height > REPORT_PAIRS:
        blocks.append(
            Paragraph(
                f"Side by side: the first {REPORT_PAIRS} of {pairs.height} pairs (in the order of table `pairs`); "
                "tables `pairs` and `edits` have every pair, and `harness diff` shows any two articles side by side."
            )
        )
    for pair in shown.iter_rows(named=True):
        pair_edits = by_pair.get((pair["a_doc_id"], pair["b_doc_id"]), no_edits)
        result = _result_from_rows(pair, pair_edits)
        a, b = texts[pair["a_doc_id"]], texts[pair["b_doc_id"]]
        title = f"Side by side: {pair['a_outlet']} (A) vs {pair['b_outlet']} (B)"
        fragment = render_html_fragment(result, (a["headline"], a["body"]), (b["headline"], b["body"]), title=title)
        blocks.append(TrustedHtml(fragment, f"{title}: see the HTML report."))
    return blocks


def _start_workers(articles: pl.DataFrame, settings: Mapping[str, Any]) -> None:
    """The diff's worker processes, started while the steps before this one run
    (``harness.wirediff.pairwork.prestart_workers`` decides by the corpus's size), and
    their first work: the furniture pass over the run's articles (``prestart_furniture``)."""
    from harness.wirediff.articlerows import articles_by_id
    from harness.wirediff.pairwork import prestart_furniture, prestart_workers

    if prestart_workers(articles.height):
        try:
            known = articles_by_id(articles)
        except HarnessError:
            return  # the step refuses these articles itself, with the same message
        prestart_furniture(known)


@step(
    outputs=("pairs", "edits", "style_rules", "furniture"), resources=_style_resources, report=wirecopy_report,
    prestart=_start_workers,
    lazy_articles=True,  # a large corpus: only the pairs' articles are held (harness.wirediff.furniture_batches)
)
def wire_diff(
    articles: pl.DataFrame | pl.LazyFrame,
    candidate_pairs: pl.DataFrame,
    *,
    styles_dir: Annotated[
        ProjectPath,
        Help("Folder of house style sheets (*.toml), looked up by outlet name; an outlet without one gets default.toml."),
    ] = ProjectPath(DEFAULT_STYLES),
    style_sheets: Annotated[
        dict[str, ProjectPath] | None,
        Help('A sheet file per outlet, instead of the lookup by name: { "Outlet" = "styles/x.toml" } (outlet as the corpus spells it).'),
    ] = None,
    furniture_min_articles: Annotated[
        int,
        Range(2, 1_000_000),
        Help("Page furniture: a segment (paragraph or sentence) in at least this many of one outlet's articles (distinct headlines) is that outlet's furniture (boilerplate)."),
    ] = DEFAULT_MIN_ARTICLES,
) -> Tables:
    """Align each pair (sentences, then words) and classify every edit by kind and category.

    An outlet's house style sheet is found by the outlet's *name* in ``styles_dir``
    (default sheet if none matches); ``style_sheets = { "Outlet" = "path.toml" }``
    names a sheet file for an outlet explicitly (the outlet exactly as the corpus spells it).
    """
    from harness.wirediff import compare_pairs

    named = style_sheets or {}
    _check_style_outlets(articles, named)
    files = {outlet: Path(path) for outlet, path in named.items()}
    return compare_pairs(
        articles, candidate_pairs, styles_dir=Path(styles_dir), style_files=files,
        furniture_min_articles=furniture_min_articles,
    )
