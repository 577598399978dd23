"""framing-harness: compare how news outlets frame the same events.

The library a researcher imports; the ``harness`` command is a thin layer over it.

    from harness import Project, load_catalogue, run_experiment, render_report
    project = Project(Path("."))
    experiment = load_catalogue(project.experiments_dir).get("corpus-profile")
    stored = run_experiment(experiment, project)
"""

import harness.steps  # noqa: F401  (registers every step)
from harness.corpus import ARTICLE_SCHEMA, read_corpus
from harness.errors import HarnessError
from harness.experiments import Experiment, load_catalogue, step
from harness.project import Project
from harness.reports import render_report, write_report
from harness.results import ResultStore, StoredResult
from harness.run import cite, compute, run_experiment, verify_result

__all__ = [
    "ARTICLE_SCHEMA",
    "Experiment",
    "HarnessError",
    "Project",
    "ResultStore",
    "StoredResult",
    "cite",
    "compute",
    "load_catalogue",
    "read_corpus",
    "render_report",
    "run_experiment",
    "step",
    "verify_result",
    "write_report",
]
