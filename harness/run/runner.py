"""Run an experiment: corpus -> steps -> tables -> immutable stored result."""

from __future__ import annotations

import concurrent.futures
import functools
import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from harness.corpus import corpus_hash, load_corpus
from harness.corpus.stream import SpillError
from harness.engines import BatchCall, Engine, LocalEngine, ReadsCorpus
from harness.safetext import unicode_text
from harness.experiments.registry import ENGINE_PARAMETER, INPUT_TABLE, STEPS, StepDef, StepRegistry
from harness.experiments.settings import resolve_paths
from harness.experiments.spec import Experiment, StepCall
from harness.run.selection import select_articles
from harness.run.spill import WorkFolder, reads_in_batches, spill_articles, work_folder
from harness.project import Project
from harness.resources import Resource, resource_versions
from harness.results.hashing import sha256_of, table_bytes, write_table
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
# A step's table, or the articles of a corpus read in batches (harness.run.spill).
Table = pl.DataFrame | pl.LazyFrame
# A step that leaves articles out returns them in a table of this name (columns
# doc_id, reason, ...): every input article is accounted for in the manifest.
SKIPPED_TABLE = "skipped"


class StepContractError(RuntimeError):
    """A step returned something other than its declared tables: a bug in the step."""


@dataclass(frozen=True, slots=True)
class Computed:
    """An experiment's tables and provenance, before they are stored.

    A table is lazy only when the corpus was read in batches (the articles, spilled
    to a work folder: see ``compute``); its Parquet file is written there as soon as
    the corpus is spilled (``written``).
    """

    experiment: Experiment
    tables: dict[str, Table]
    corpus: dict[str, Any]
    resources: list[Resource]
    resolved_settings: list[dict[str, Any]]
    # Files of the project's the tables were made from (experiment file, corpus,
    # lexicons, style sheets): the manifest's ``inputs``.
    input_paths: tuple[Path, ...] = ()
    written: Mapping[str, Path] = field(default_factory=dict)  # each lazy table's Parquet file
    # Each table's Parquet bytes, encoded on a thread while the corpus is hashed (see compute).
    encoded: Mapping[str, concurrent.futures.Future[bytes]] = field(default_factory=dict)

    def data(self, name: str) -> bytes | Path:
        """Table ``name``'s Parquet bytes, or for a lazy table the file they are in."""
        frame = self.tables[name]
        if isinstance(frame, pl.LazyFrame):
            return self.written[name]
        if name in self.encoded:
            return self.encoded[name].result()
        return table_bytes(frame)


def _encode_on_a_thread(tables: Mapping[str, Table]) -> dict[str, concurrent.futures.Future[bytes]]:
    """Every table in memory encoded to its Parquet bytes (``table_bytes``) on a thread of
    its own, in name order, while this one goes on (the corpus's digest, the manifest).

    polars encodes without the GIL, on the core a run's diff workers leave idle once the
    pairs are compared: on the diff bench's project the tables' 25-35 ms then overlap
    the corpus's digest and the manifest's other facts (traced: the run's last steps
    after the pairs, about 110 ms, took about 80). The bytes are the same: each table is
    one call of the same function."""
    frames = {name: frame for name, frame in sorted(tables.items()) if isinstance(frame, pl.DataFrame)}
    if not frames:
        return {}
    encoder = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tables")
    try:
        return {name: encoder.submit(table_bytes, frame) for name, frame in frames.items()}
    finally:
        encoder.shutdown(wait=False)  # the thread ends once the last table is encoded


def _call_step(
    defn: StepDef, tables: Mapping[str, Table], settings: Mapping[str, Any], engine: Engine
) -> dict[str, pl.DataFrame]:
    if defn.batch_over is not None:
        frames = {name: frame for name in defn.inputs if isinstance(frame := tables[name], pl.DataFrame)}
        # A lazy articles table goes only to steps that take it (harness.run.spill), never batched ones.
        assert len(frames) == len(defn.inputs)
        call = BatchCall(defn.func, defn.batch_over, frames, defn.inputs, settings, defn.func_outputs)
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
    workdir: WorkFolder | None = None,
) -> Computed:
    """Run every step in memory. Pure: reads the corpus, writes nothing but into ``workdir``.

    ``engine`` runs the steps that may be run in slices (default: local); the
    tables, hence the result id, are the same whichever engine ran them.
    ``notice`` hears the corpus's warnings (a column that looks like the outlet).
    ``workdir`` (a folder made if needed, which the caller removes once the result
    is stored: see ``work_folder``) lets a local run read a large corpus in batches and spill it
    there when every step that reads the articles can take them lazily
    (``harness.run.spill``); without it the corpus is read whole. The tables are the
    same either way.
    """
    engine = engine or LocalEngine()
    corpus_path = project.resolve(experiment.corpus.path)
    steps = [_declared(call, registry, project) for call in experiment.steps]
    selected: Table
    written: dict[str, Path] = {}
    if (
        workdir is not None
        and isinstance(engine, LocalEngine)
        and reads_in_batches(corpus_path, experiment, [defn for defn, _, _ in steps])
    ):
        selected, corpus = _read_in_batches(experiment, corpus_path, workdir, notice)
        # Written now, while memory holds little: polars buffers a row group of the
        # articles (some 500 MB at 1M), on top of what the steps' tables would hold.
        written[INPUT_TABLE] = _write_lazy(selected, f"{INPUT_TABLE}.parquet", workdir)
    else:
        selected, corpus = _read_whole(experiment, corpus_path, engine, notice)
    tables: dict[str, Table] = {INPUT_TABLE: selected}
    skipped: dict[str, str] = {}  # doc_id -> reason, from every step's `skipped` table
    resources: list[Resource] = []
    resolved: list[dict[str, Any]] = []
    for defn, _, settings in steps:
        if defn.prestart is not None and isinstance(selected, pl.DataFrame):
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
    encoded = _encode_on_a_thread(tables)
    corpus_record = {
        "path": experiment.corpus.path,
        "hash": corpus.read_hash(),
        "articles_read": corpus.read_rows,
        "articles_selected": corpus.selected_rows,
        "selected_hash": corpus.selected_hash(),
        "articles_skipped": len(skipped),
        "skipped_reasons": dict(sorted(Counter(skipped.values()).items())),
        "articles_processed": corpus.selected_rows - len(skipped),
        "invalid_utf8": experiment.corpus.invalid_utf8,
        "replaced_bytes": corpus.replaced_bytes,
    }
    return Computed(
        experiment,
        tables,
        corpus_record,
        resources,
        resolved,
        input_paths(experiment, corpus_path, resources),
        written,
        encoded,
    )


@dataclass(frozen=True, slots=True)
class _CorpusFacts:
    """What the manifest says of the corpus read; the digests are taken when asked
    (after the steps: read whole, every row is serialised to JSON, about 25 ms per
    1,000 news articles)."""

    read_rows: int
    selected_rows: int
    read_hash: Callable[[], str]
    selected_hash: Callable[[], str]
    replaced_bytes: dict[str, int]


def _read_whole(
    experiment: Experiment, corpus_path: Path, engine: Engine, notice: Notice | None
) -> tuple[pl.DataFrame, _CorpusFacts]:
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
    read_hash = functools.cache(lambda: corpus_hash(articles))
    return selected, _CorpusFacts(
        read_rows=articles.height,
        selected_rows=selected.height,
        read_hash=read_hash,
        # The same frame when the experiment selects every article: hashed once.
        selected_hash=read_hash if selected is articles else (lambda: corpus_hash(selected)),
        replaced_bytes={r.file: r.count for r in read.replaced},
    )


def _read_in_batches(
    experiment: Experiment, corpus_path: Path, workdir: WorkFolder, notice: Notice | None
) -> tuple[pl.LazyFrame, _CorpusFacts]:
    folder = workdir.path / "corpus"
    folder.mkdir()
    spilled = spill_articles(experiment, corpus_path, folder, on_warning=notice)
    return spilled.selected, _CorpusFacts(
        read_rows=spilled.read_rows,
        selected_rows=spilled.selected_rows,
        read_hash=lambda: spilled.read_hash,
        selected_hash=lambda: spilled.selected_hash,
        replaced_bytes={},  # invalid bytes are refused when reading in batches
    )


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


def serialise(
    computed: Computed, project: Project, *, run_info: dict[str, Any]
) -> tuple[Manifest, dict[str, bytes | Path], bytes]:
    """Tables to Parquet bytes (a lazy table: a Parquet file in the work folder), and
    the manifest that describes them."""
    experiment = computed.experiment
    files: dict[str, bytes | Path] = {}
    entries: dict[str, TableEntry] = {}
    for name, frame in sorted(computed.tables.items()):
        filename = f"{name}.parquet"
        data = files[filename] = computed.data(name)
        entries[name] = TableEntry(
            file=filename,
            sha256=sha256_of(data),
            rows=_rows(frame, data),
            columns={col: str(dtype) for col, dtype in frame.collect_schema().items()},
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


def _write_lazy(frame: pl.LazyFrame, filename: str, workdir: WorkFolder) -> Path:
    """A lazy table's Parquet bytes, written to ``filename`` in ``workdir``."""
    path = workdir.path / filename
    try:
        write_table(frame, path)
    except OSError as exc:
        raise SpillError(f"cannot write table {filename}: {exc.strerror or exc}", where=unicode_text(workdir.path)) from None
    return path


def _rows(frame: Table, data: bytes | Path) -> int:
    if isinstance(frame, pl.DataFrame):
        return frame.height
    assert isinstance(data, Path)  # see Computed.data
    return int(pl.scan_parquet(data).select(pl.len()).collect().item())  # from the file's footer


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
    with work_folder() as workdir:
        computed = compute(
            experiment, project, registry=registry, progress=progress, engine=engine, notice=notice, workdir=workdir
        )
        run_info = {
            "started_at": started_at,
            "duration_s": round(time.monotonic() - started, 3),
            "engine": engine.name,
        }
        manifest, files, manifest_json = serialise(computed, project, run_info=run_info)
        if progress:
            progress(f"store {manifest.result_id}")
        return (store or project.store()).write(manifest, files, manifest_json, notice=notice)
