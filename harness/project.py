"""Where a project keeps things: experiments, results, reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.results.store import ResultStore


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
        return ResultStore(self.results_dir)

    def resolve(self, relative: str) -> Path:
        """A path from an experiment file: relative to the project folder."""
        return (self.root / relative).resolve()
