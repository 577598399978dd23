"""Re-verify a stored result: check it is intact, re-run its experiment, compare table bytes.

A stored copy that no longer matches itself (a table's bytes, a manifest field
edited) is a check that failed, like a re-run that differs: ``ok`` is false and
the summary names the tables and fields.

Before the tables, every input the manifest names (experiment file, corpus,
lexicons, style sheets; and the data files in ``resources``) is hashed again and
each one that changed is named with both hashes (``changes``). A changed input is
a note, not a failure: the tables decide. An edited comment in the experiment
file, or a lexicon edit that matches no word, gives the same tables, and then
the result still stands; when the tables differ, the notes say why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.experiments.catalogue import load_catalogue
from harness.experiments.registry import STEPS, StepRegistry
from harness.project import Project
from harness.resources import Resource, resource_versions
from harness.results.hashing import sha256_of
from harness.results.manifest import input_digest, input_path, shown_path
from harness.results.store import StoredResult
from harness.run.runner import Progress, compute
from harness.run.spill import work_folder


@dataclass(frozen=True, slots=True)
class Verification:
    ref: str
    tampered: tuple[str, ...]  # stored bytes no longer match the manifest
    differing: tuple[str, ...]  # a fresh run gives other bytes
    missing: tuple[str, ...]  # stored, but the fresh run does not make them
    extra: tuple[str, ...]  # the fresh run makes them, the stored result lacks them
    config_changed: bool  # the experiment file changed since the result was stored
    edited: tuple[str, ...] = ()  # manifest fields that differ from what was stored
    changes: tuple[str, ...] = ()  # one line per input whose hash changed since the result


    @property
    def ok(self) -> bool:
        return not (self.tampered or self.edited or self.differing or self.missing or self.extra)

    def _changed_count(self) -> str:
        count = len(self.changes)
        return "1 input" if count == 1 else f"{count} inputs"

    def summary(self) -> str:
        if self.ok:
            note = " (experiment file edited since, same tables)" if self.config_changed else ""
            if self.changes:
                note = f" ({self._changed_count()} changed since, same tables)"
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
        if self.changes:
            parts.append(f"{self._changed_count()} changed since the result")
        return f"{self.ref}: NOT verified; " + "; ".join(parts)


def verify_result(
    stored: StoredResult,
    project: Project,
    *,
    registry: StepRegistry = STEPS,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> Verification:
    """Re-run in memory (nothing is written) and compare with the stored bytes.

    ``notice`` hears each changed input as it is found: the inputs first, so
    that a deleted lexicon is named even when the re-run then fails on it.
    """
    store = project.store()
    damage = store.damage(stored)
    experiment = load_catalogue(project.experiments_dir, registry=registry).get(stored.name)
    changes = _told(changed_inputs(stored.manifest.inputs, project), notice)
    with work_folder() as workdir:
        fresh = compute(experiment, project, registry=registry, progress=progress, workdir=workdir)
        recorded = {row["path"] for row in stored.manifest.inputs}
        changes += _told(changed_resources(stored.manifest.resources, fresh.resources, project, skip=recorded), notice)
        fresh_hashes = {name: sha256_of(fresh.data(name)) for name in fresh.tables}
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
        changes=tuple(changes),
    )


def _told(lines: list[str], notice: Callable[[str], None] | None) -> list[str]:
    for line in lines:
        if notice:
            notice(line)
    return lines


def _short(sha256: str) -> str:
    return sha256[:12] + "\u2026"


def changed_inputs(inputs: Sequence[Mapping[str, Any]], project: Project) -> list[str]:
    """One line per recorded input whose bytes (or, for a folder, files) changed or that is gone."""
    lines = []
    for row in inputs:
        path = input_path(row["path"], project.root)
        if not path.exists():
            lines.append(f"input {row['path']} is missing (it was read for this result)")
            continue
        sha256, count = input_digest(path)
        if sha256 == row["sha256"]:
            continue
        files = f", {row['files']} \u2192 {count} files" if "files" in row and row["files"] != count else ""
        lines.append(
            f"input {row['path']} changed since the result (sha256 {_short(row['sha256'])} \u2192 {_short(sha256)}{files})"
        )
    return lines


def changed_resources(
    stored: Sequence[Mapping[str, str]], fresh: Sequence[Resource], project: Project, *, skip: set[str]
) -> list[str]:
    """A data file (built-in lexicon, a package's word list) whose version or hash changed.

    Files already named as inputs (``skip``) are not named twice.
    """
    before = {row["name"]: row for row in stored}
    paths = {r.name: shown_path(r.path, project.root) for r in fresh}
    lines = []
    for row in resource_versions(fresh):
        old = before.get(row["name"])
        if old is None or paths[row["name"]] in skip or old.get("sha256") == row["sha256"]:
            continue
        version = f", version {old.get('version')} \u2192 {row['version']}" if old.get("version") != row["version"] else ""
        lines.append(
            f"resource {row['name']} changed since the result "
            f"(sha256 {_short(str(old.get('sha256')))} \u2192 {_short(row['sha256'])}{version})"
        )
    return lines
