"""Running, verifying and citing experiments."""

from harness.run.cite import CiteFormat, cite
from harness.run.runner import Computed, compute, run_experiment
from harness.run.selection import select_articles
from harness.run.spill import WorkFolder, work_folder
from harness.run.verify import Verification, verify_result

__all__ = [
    "CiteFormat",
    "Computed",
    "Verification",
    "WorkFolder",
    "cite",
    "compute",
    "run_experiment",
    "select_articles",
    "verify_result",
    "work_folder",
]
