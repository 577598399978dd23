"""Run an experiment: corpus -> steps -> tables -> immutable stored result."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from harness.corpus import corpus_hash, load_corpus
from harness.engines import BatchCall, Engine, LocalEngine, ReadsCorpus
from harness.errors import ConfigError
from harness.safetext import unicode_text
from harness.experiments.registry import ENGINE_PARAMETER, STEPS, StepDef, StepRegistry
from harness.experiments.settings import resolve_paths
from harness.experiments.spec import INPUT_TABLE, Experiment, StepCall
from harness.project import Project
from harness.resources import Resource, resource_versions
from harness.results.hashing import sha256_bytes, table_bytes
from harness.results.manifest import (
    MANIFEST_FORMAT,
    SEAL_FIELD,
    Manifest,
    TableEntry,
    derive_result_id,
    describe_inputs,
    environment,
    git_state,
    seal_of,
)
from harness.results.store import Notice, ResultStore, StoredResult

Progress = Callable[[str], None]
# A step that leaves articles out returns them in a table of this name (columns
# doc_id, reason, ...): every input article is accounted for in the manifest.
SKIPPED_TABLE = "skipped"


class StepContractError(RuntimeError):
    """A step returned something other than its declared tables: a bug in the step."""


@dataclass(frozen=True, slots=True)
class Computed:
    """An experiment's tables and provenance, before they are stored."""

    experiment: Experiment
    tables: dict[str, pl.DataFrame]
    corpus: dict[str, Any]
    resources: list[Resource]
    resolved_settings: list[dict[str, Any]]
    # Files of the project's the tables were made from (experiment file, corpus,
    # lexicons, style sheets): the manifest's ``inputs``.
    input_paths: tuple[Path, ...] = ()


def select_articles(articles: pl.DataFrame, experiment: Experiment) -> pl.DataFrame:
    """Keep the articles the experiment asks for; name what it asked for and is absent."""
    spec = experiment.corpus
    selected = articles
    if spec.outlets:
        present = set(articles["outlet"].to_list())
        missing = [o for o in spec.outlets if o not in present]
        if missing:
            raise ConfigError(
                f"corpus.outlets names outlet(s) not in the corpus: {', '.join(missing)}",
                where=experiment.file,
                hint="outlets present: " + ", ".join(sorted(present)),
            )
        selected = selected.filter(pl.col("outlet").is_in(list(spec.outlets)))
    if spec.doc_ids:
        present = set(articles["doc_id"].to_list())
        missing = [d for d in spec.doc_ids if d not in present]
        if missing:
            raise ConfigError(
                f"corpus.doc_ids names id(s) not in the corpus: {', '.join(missing)}",
                where=experiment.file,
            )
        selected = selected.filter(pl.col("doc_id").is_in(list(spec.doc_ids)))
    if selected.height == 0:
        # Both lists name articles that exist, but no article is in both.
        raise ConfigError(
            "corpus.outlets and corpus.doc_ids together select no article",
            where=experiment.file,
            hint="list doc_ids of the listed outlets, or drop one of the two",
        )
    return selected


def _call_step(
    defn: StepDef, tables: Mapping[str, pl.DataFrame], settings: Mapping[str, Any], engine: Engine
) -> dict[str, pl.DataFrame]:
    if defn.batch_over is not None:
        call = BatchCall(defn.func, defn.batch_over, tables, defn.inputs, settings, defn.func_outputs)
        produced: Mapping[str, pl.DataFrame] = engine.run(call)
    else:
        extra = {ENGINE_PARAMETER: engine} if defn.wants_engine else {}
        produced = defn.func(*(tables[name] for name in defn.inputs), **settings, **extra)
    if set(produced) != set(defn.func_outputs):
        raise StepContractError(
            f"step {defn.name!r} returned tables {sorted(produced)}, declared {list(defn.func_outputs)}"
        )
    if defn.gather is not None:
        # Once, over every batch's rows: summaries that no slice of the articles can make.
        produced = {**produced, **defn.gather.func(produced, settings)}
        if set(produced) != set(defn.outputs):
            raise StepContractError(
                f"step {defn.name!r} gathered tables {sorted(produced)}, declared {list(defn.outputs)}"
            )
    for name, frame in produced.items():
        if not isinstance(frame, pl.DataFrame):
            raise StepContractError(f"step {defn.name!r} returned a {type(frame).__name__} for {name!r}")
    return {name: produced[name] for name in defn.outputs}


def _declared(
    call: StepCall, registry: StepRegistry, project: Project
) -> tuple[StepDef, dict[str, Any], dict[str, Any]]:
    """A step of the experiment: its definition, its settings as written (defaults
    filled in) and the same with project paths resolved."""
    defn = registry.get(call.use)
    assert defn is not None  # checked when the experiment file was loaded
    declared = {s.name: s.default for s in defn.settings if not s.required} | dict(call.settings)
    return defn, declared, {k: resolve_paths(v, project.root) for k, v in declared.items()}


def compute(
    experiment: Experiment,
    project: Project,
    *,
    registry: StepRegistry = STEPS,
    progress: Progress | None = None,
    engine: Engine | None = None,
    notice: Notice | None = None,
) -> Computed:
    """Run every step in memory. Pure: reads the corpus, writes nothing.

    ``engine`` runs the steps that may be run in slices (default: local); the
    tables, hence the result id, are the same whichever engine ran them.
    ``notice`` hears the corpus's warnings (a column that looks like the outlet).
    """
    engine = engine or LocalEngine()
    corpus_path = project.resolve(experiment.corpus.path)
    # Ray reads a Parquet corpus on the cluster; every other corpus is read here.
    load = engine.load_corpus if isinstance(engine, ReadsCorpus) else load_corpus
    read = load(
        corpus_path,
        root=corpus_path if corpus_path.is_dir() else corpus_path.parent,
        invalid_utf8=experiment.corpus.invalid_utf8,
        columns=experiment.corpus.columns,
    )
    for warning in read.warnings:
        if notice:
            notice(warning)
    articles = read.articles
    selected = select_articles(articles, experiment)
    tables: dict[str, pl.DataFrame] = {INPUT_TABLE: selected}
    skipped: dict[str, str] = {}  # doc_id -> reason, from every step's `skipped` table
    resources: list[Resource] = []
    resolved: list[dict[str, Any]] = []
    steps = [_declared(call, registry, project) for call in experiment.steps]
    for defn, _, settings in steps:
        if defn.prestart is not None:
            defn.prestart(selected, settings)  # e.g. the diff's workers, started while discovery runs
    for defn, declared, settings in steps:
        if progress:
            progress(f"step {defn.name}")
        produced = _call_step(defn, tables, settings, engine)
        tables.update(produced)
        if SKIPPED_TABLE in produced:
            for row in produced[SKIPPED_TABLE].select("doc_id", "reason").iter_rows():
                skipped.setdefault(row[0], row[1])
        if defn.resources:
            resources.extend(defn.resources(settings))
        # The manifest records settings as written (project-relative), never the
        # absolute paths of this checkout.
        resolved.append({"use": defn.name, "settings": _plain(declared)})
    read_hash = corpus_hash(articles)
    corpus = {
        "path": experiment.corpus.path,
        "hash": read_hash,
        "articles_read": articles.height,
        "articles_selected": selected.height,
        # The same frame when the experiment selects every article: hashed once (every row
        # serialised as JSON: about 25 ms per 1,000 news articles).
        "selected_hash": read_hash if selected is articles else corpus_hash(selected),
        "articles_skipped": len(skipped),
        "skipped_reasons": dict(sorted(Counter(skipped.values()).items())),
        "articles_processed": selected.height - len(skipped),
        "invalid_utf8": experiment.corpus.invalid_utf8,
        "replaced_bytes": {r.file: r.count for r in read.replaced},
    }
    return Computed(experiment, tables, corpus, resources, resolved, input_paths(experiment, corpus_path, resources))


_HARNESS_DIR = Path(__file__).resolve().parent.parent


def input_paths(experiment: Experiment, corpus_path: Path, resources: list[Resource]) -> tuple[Path, ...]:
    """The experiment file, the corpus and every data file the steps read that is not the harness's own.

    A lexicon or style sheet shipped with the harness or another package is not
    the project's: ``resources`` records its version and hash.
    """
    data_files = [
        r.path for r in resources if not r.external and not r.path.resolve().is_relative_to(_HARNESS_DIR)
    ]
    return (experiment.file, corpus_path, *data_files)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    return value


def serialise(computed: Computed, project: Project, *, run_info: dict[str, Any]) -> tuple[Manifest, dict[str, bytes], bytes]:
    """Tables to Parquet bytes, and the manifest that describes them."""
    experiment = computed.experiment
    files: dict[str, bytes] = {}
    entries: dict[str, TableEntry] = {}
    for name, frame in sorted(computed.tables.items()):
        data = table_bytes(frame)
        filename = f"{name}.parquet"
        files[filename] = data
        entries[name] = TableEntry(
            file=filename,
            sha256=sha256_bytes(data),
            rows=frame.height,
            columns={col: str(dtype) for col, dtype in frame.schema.items()},
        )
    inputs = describe_inputs(computed.input_paths, project.root)
    manifest = Manifest(
        format_version=MANIFEST_FORMAT,
        result_id="",  # derived below from the fields it vouches for
        experiment={
            "name": experiment.name,
            "version": experiment.version,
            "description": experiment.description,
            "file": _relative(experiment.file, project.root),
        },
        config_hash=experiment.config_hash(),
        config=experiment.canonical() | {"resolved_steps": computed.resolved_settings},
        corpus=computed.corpus,
        tables=entries,
        resources=resource_versions(computed.resources),
        environment=environment(project.root),
        git=git_state(project.root, inputs),
        run=run_info,
        inputs=inputs,
    )
    # The id and the seal are computed over the JSON as it will be read back
    # (tuples become lists, keys strings), so a reader recomputes the same hashes.
    data = json.loads(json.dumps(manifest.to_json(), ensure_ascii=False))
    data["result_id"] = derive_result_id(data)
    data[SEAL_FIELD] = seal_of(data)
    # Field order is the record's own (format_version first, seal last); every
    # nested mapping is built in a fixed order, so the bytes do not depend on dict history.
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return Manifest.from_json(data), files, text.encode("utf-8")


def _relative(path: Path, root: Path) -> str:
    """For the manifest (UTF-8 JSON): a file name that is not UTF-8 is escaped."""
    try:
        return unicode_text(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return unicode_text(path)


def run_experiment(
    experiment: Experiment,
    project: Project,
    *,
    store: ResultStore | None = None,
    registry: StepRegistry = STEPS,
    progress: Progress | None = None,
    engine: Engine | None = None,
    notice: Notice | None = None,
) -> StoredResult:
    """Compute and store one experiment; returns the stored (immutable) result.

    ``notice`` hears the corpus's warnings, and when a damaged stored copy of the
    same id was replaced.
    """
    started = time.monotonic()
    started_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    engine = engine or LocalEngine()
    computed = compute(experiment, project, registry=registry, progress=progress, engine=engine, notice=notice)
    run_info = {
        "started_at": started_at,
        "duration_s": round(time.monotonic() - started, 3),
        "engine": engine.name,
    }
    manifest, files, manifest_json = serialise(computed, project, run_info=run_info)
    if progress:
        progress(f"store {manifest.result_id}")
    return (store or project.store()).write(manifest, files, manifest_json, notice=notice)
