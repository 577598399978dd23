"""Experiments: registered steps and the TOML files that chain them."""

from harness.experiments.catalogue import Catalogue, load_catalogue
from harness.experiments.registry import (
    STEPS,
    DuplicateStepError,
    Setting,
    StepDef,
    StepRegistry,
    Tables,
    step,
)
from harness.experiments.settings import ProjectPath
from harness.experiments.spec import (
    CorpusSpec,
    Experiment,
    StepCall,
    load_experiment_file,
    parse_experiment,
)

__all__ = [
    "STEPS",
    "Catalogue",
    "CorpusSpec",
    "DuplicateStepError",
    "Experiment",
    "ProjectPath",
    "Setting",
    "StepCall",
    "StepDef",
    "StepRegistry",
    "Tables",
    "load_catalogue",
    "load_experiment_file",
    "parse_experiment",
    "step",
]
