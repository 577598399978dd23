"""framing-harness: compare how news outlets frame the same events.

The library a researcher imports; the ``harness`` command is a thin layer over it.

    from harness import Project, load_catalogue, run_experiment, render_report
    project = Project(Path("."))
    experiment = load_catalogue(project.experiments_dir).get("corpus-profile")
    stored = run_experiment(experiment, project)
    harness.open_result("corpus-profile").table("profile")   # a stored result, as polars

(``list_results``, not ``results``: ``harness.results`` is the result store's package.)

The names below are imported on first use (PEP 562): importing ``harness`` itself
is instant, which lets the ``harness`` command answer Ctrl-C with one line even
while polars and numpy are still loading (``harness.cli.entry``). The built-in
steps register themselves the first time the step registry is consulted.
"""

from __future__ import annotations

from harness.lazy import lazy_exports

# Not typing.TYPE_CHECKING: importing typing alone takes longer than the rest of
# this module, and mypy reads any constant of this name the same way.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from harness.corpus import ARTICLE_SCHEMA, read_corpus
    from harness.errors import HarnessError
    from harness.experiments import Experiment, load_catalogue, step
    from harness.project import Project
    from harness.reports import render_report, write_report
    from harness.results import ResultStore, StoredResult
    from harness.results.browse import list_results, open_result
    from harness.run import compute, run_experiment, verify_result
    from harness.run.cite import cite

_HOME = {
    "ARTICLE_SCHEMA": "harness.corpus",
    "read_corpus": "harness.corpus",
    "HarnessError": "harness.errors",
    "Experiment": "harness.experiments",
    "load_catalogue": "harness.experiments",
    "step": "harness.experiments",
    "Project": "harness.project",
    "render_report": "harness.reports",
    "write_report": "harness.reports",
    "ResultStore": "harness.results",
    "StoredResult": "harness.results",
    "list_results": "harness.results.browse",
    "open_result": "harness.results.browse",
    "cite": "harness.run",
    "compute": "harness.run",
    "run_experiment": "harness.run",
    "verify_result": "harness.run",
}

__all__ = sorted(_HOME)

__getattr__, __dir__ = lazy_exports(__name__, _HOME, globals())
