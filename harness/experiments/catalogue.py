"""The experiments of a project: every ``experiments/*.toml`` file, by name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from harness.errors import ConfigError, NotFoundError
from harness.experiments.registry import StepRegistry
from harness.experiments.spec import Experiment, load_experiment_file


@dataclass(frozen=True, slots=True)
class Catalogue:
    folder: Path
    experiments: tuple[Experiment, ...]

    def names(self) -> list[str]:
        return [e.name for e in self.experiments]

    def get(self, name: str) -> Experiment:
        for experiment in self.experiments:
            if experiment.name == name:
                return experiment
        raise NotFoundError(
            f"unknown experiment {name!r}",
            where=self.folder,
            hint="known: " + (", ".join(self.names()) or "none") + "; see `harness list`",
        )


def _experiment_files(folder: Path) -> list[Path]:
    """Top-level ``*.toml`` entries, sorted; subfolders (styles/) hold data.

    Listed by hand rather than globbed: a glob silently yields nothing for a
    folder it may not read, which would look like a project with no experiments.
    """
    try:
        names = [entry.name for entry in os.scandir(folder)]
    except OSError as exc:
        raise ConfigError(
            f"cannot list the experiments folder: {exc.strerror or exc}",
            where=folder,
            hint="check the folder's permissions",
        ) from None
    return [folder / name for name in sorted(names) if name.endswith(".toml") and not name.startswith(".")]


def load_catalogue(folder: Path, *, registry: StepRegistry | None = None) -> Catalogue:
    """Load and check every experiment file; two files with one name is an error."""
    if not folder.is_dir():
        raise NotFoundError(
            "no experiments folder", where=folder, hint="--project DIR names the folder that holds experiments/"
        )
    seen: dict[str, Path] = {}
    experiments: list[Experiment] = []
    for path in _experiment_files(folder):
        experiment = load_experiment_file(path, registry=registry)
        if experiment.name in seen:
            raise ConfigError(
                f"experiment name {experiment.name!r} is also used by {seen[experiment.name]}",
                where=path,
                hint="give each experiment its own name",
            )
        seen[experiment.name] = path
        experiments.append(experiment)
    experiments.sort(key=lambda e: e.name)
    return Catalogue(folder, tuple(experiments))
