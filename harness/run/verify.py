"""Re-verify a stored result: check it is intact, re-run its experiment, compare table bytes.

A stored copy that no longer matches itself (a table's bytes, a manifest field
edited) is a check that failed, like a re-run that differs: ``ok`` is false and
the summary names the tables and fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.experiments.catalogue import load_catalogue
from harness.experiments.registry import STEPS, StepRegistry
from harness.project import Project
from harness.results.hashing import sha256_bytes, table_bytes
from harness.results.store import StoredResult
from harness.run.runner import Progress, compute


@dataclass(frozen=True, slots=True)
class Verification:
    ref: str
    tampered: tuple[str, ...]  # stored bytes no longer match the manifest
    differing: tuple[str, ...]  # a fresh run gives other bytes
    missing: tuple[str, ...]  # stored, but the fresh run does not make them
    extra: tuple[str, ...]  # the fresh run makes them, the stored result lacks them
    config_changed: bool  # the experiment file changed since the result was stored
    edited: tuple[str, ...] = ()  # manifest fields that differ from what was stored

    @property
    def ok(self) -> bool:
        return not (self.tampered or self.edited or self.differing or self.missing or self.extra)

    def summary(self) -> str:
        if self.ok:
            note = " (experiment file edited since, same tables)" if self.config_changed else ""
            return f"{self.ref}: verified, every table is byte-identical{note}"
        parts = []
        for label, names in (
            ("tampered on disk", self.tampered),
            ("manifest fields edited", self.edited),
            ("different on re-run", self.differing),
            ("no longer produced", self.missing),
            ("new on re-run", self.extra),
        ):
            if names:
                parts.append(f"{label}: {', '.join(names)}")
        if self.config_changed:
            parts.append("the experiment file changed since this result was stored")
        return f"{self.ref}: NOT verified; " + "; ".join(parts)


def verify_result(
    stored: StoredResult,
    project: Project,
    *,
    registry: StepRegistry = STEPS,
    progress: Progress | None = None,
) -> Verification:
    """Re-run in memory (nothing is written) and compare with the stored bytes."""
    store = project.store()
    damage = store.damage(stored)
    experiment = load_catalogue(project.experiments_dir, registry=registry).get(stored.name)
    fresh = compute(experiment, project, registry=registry, progress=progress)
    fresh_hashes = {name: sha256_bytes(table_bytes(frame)) for name, frame in fresh.tables.items()}
    stored_hashes = {name: entry.sha256 for name, entry in stored.manifest.tables.items()}
    common = sorted(set(fresh_hashes) & set(stored_hashes))
    return Verification(
        ref=stored.ref,
        tampered=damage.tables,
        differing=tuple(n for n in common if fresh_hashes[n] != stored_hashes[n]),
        missing=tuple(sorted(set(stored_hashes) - set(fresh_hashes))),
        extra=tuple(sorted(set(fresh_hashes) - set(stored_hashes))),
        config_changed=experiment.config_hash() != stored.manifest.config_hash,
        edited=damage.fields,
    )
