"""Where a project keeps things: experiments, results, reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, NotFoundError

TYPE_CHECKING = False  # not typing's: see harness/__init__.py
if TYPE_CHECKING:
    from harness.results.store import ResultStore



def _is_project(folder: Path) -> bool:
    """A folder with experiment files (experiments/*.toml) or stored results (results/NAME/LATEST).

    The folders alone are not enough: a Python package may well have an
    ``experiments`` or ``results`` subpackage (the harness's own source has both).
    """
    return any((folder / "experiments").glob("*.toml")) or any((folder / "results").glob("*/LATEST"))


@dataclass(frozen=True, slots=True)
class Project:
    root: Path

    @property
    def experiments_dir(self) -> Path:
        return self.root / "experiments"

    @property
    def results_dir(self) -> Path:
        return self.root / "results"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def styles_dir(self) -> Path:
        return self.experiments_dir / "styles"

    def store(self) -> ResultStore:
        from harness.results.store import ResultStore  # polars: not for finding the project (harness.cli.run_start)

        return ResultStore(self.results_dir, experiments=self.experiment_names)

    def experiment_names(self) -> list[str] | None:
        """The names of the project's experiments; None when they cannot be read
        (a broken experiment file is reported by the commands that load it)."""
        from harness.experiments import load_catalogue  # the catalogue imports the steps: only when asked

        try:
            return load_catalogue(self.experiments_dir).names()
        except HarnessError:
            return None

    def resolve(self, relative: str) -> Path:
        """A path from an experiment file: relative to the project folder."""
        return (self.root / relative).resolve()


def find_project(start: Path) -> Project:
    """The project ``start`` lies in: the nearest folder, ``start`` or above, holding
    experiment files or stored results (so commands work from any subfolder, as git does).

    A NotFoundError naming ``start`` when no folder up to the file system's root is one.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if _is_project(folder):
            return Project(folder)
    raise NotFoundError(
        "not inside a project (no experiments/*.toml or results/ here or in any parent folder)",
        where=start,
        hint="change to the project folder or pass --project DIR (-C DIR)",
    )
