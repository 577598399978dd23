"""The manifest: everything that produced a result, in one typed record.

Its first field is the format version. Two hashes keep it honest:

- the result id covers every field that is the same for the same inputs on any
  machine (``ID_FIELDS``: experiment, config, corpus, tables, resources), so a
  cited id vouches for what the manifest says about them;
- ``seal`` holds a short digest of every field (down to ``tables.NAME.rows``),
  including this machine's ``environment``, ``git`` state and the ``run`` block,
  which differ between machines and runs and so cannot be in the id. An edited
  field no longer matches its digest, and the seal names it.

Neither is a signature: someone who recomputes both can forge a manifest, but
then its id changes, and the id is what a citation names.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from harness.results.hashing import field_digests, result_id

# 2: the result id covers every reproducible field, and the manifest carries a seal.
MANIFEST_FORMAT = 2
MANIFEST_FILE = "manifest.json"
# What a result id vouches for: what went in and what came out. The other fields,
# environment, git and run (where and when it ran), are sealed but not in the id:
# on another machine, or in another run, they differ for the same inputs.
ID_FIELDS = ("format_version", "experiment", "config_hash", "config", "corpus", "tables", "resources")
SEAL_FIELD = "seal"
SEAL_DEPTH = 3  # tables.profile.rows, corpus.articles_read, environment.packages.polars


@dataclass(frozen=True, slots=True)
class TableEntry:
    file: str
    sha256: str
    rows: int
    columns: dict[str, str]


@dataclass(frozen=True, slots=True)
class Manifest:
    format_version: int
    result_id: str
    experiment: dict[str, Any]
    config_hash: str
    config: dict[str, Any]
    corpus: dict[str, Any]
    tables: dict[str, TableEntry]
    resources: list[dict[str, str]]
    environment: dict[str, Any]
    git: dict[str, Any]
    run: dict[str, Any] = field(default_factory=dict)
    seal: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """The typed record; ValueError/TypeError when the shape is not a manifest's.

        Fields this format does not define are ignored here; the seal check names them.
        """
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        names = [f.name for f in fields(cls)]
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError(f"no field(s) {', '.join(missing)}")
        if not isinstance(data["tables"], dict):
            raise ValueError("tables is not an object")
        tables = {name: TableEntry(**entry) for name, entry in data["tables"].items()}
        return cls(**{name: data[name] for name in names} | {"tables": tables})


def derive_result_id(data: Mapping[str, Any]) -> str:
    """The result id the manifest's own fields give (missing fields count as null)."""
    return result_id({name: data.get(name) for name in ID_FIELDS})


def seal_of(data: Mapping[str, Any]) -> dict[str, str]:
    """A digest of every field but the seal itself, keyed by field path."""
    return field_digests({k: v for k, v in data.items() if k != SEAL_FIELD}, SEAL_DEPTH)


def unsealed_fields(data: Mapping[str, Any]) -> list[str]:
    """Fields whose value no longer matches the seal: edited, added or removed."""
    recorded = data.get(SEAL_FIELD)
    if not isinstance(recorded, dict):
        return [SEAL_FIELD]
    now = seal_of(data)
    differ = {path for path in now.keys() | recorded.keys() if now.get(path) != recorded.get(path)}
    # An empty object that gained members, or members that became a scalar: name the parent once.
    return sorted(path for path in differ if not any(_inside(path, parent) for parent in differ))


def _inside(path: str, parent: str) -> bool:
    return path != parent and path.startswith(parent) and path[len(parent)] in ".["


def top_field(path: str) -> str:
    """``tables`` for ``tables.profile.rows``; ``result_id`` for ``result_id``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _lock_names(lock: Path) -> list[str]:
    if not lock.is_file():
        return []
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock.read_text(encoding="utf-8"), re.M)
    return sorted(set(names))


def package_versions(project: Path) -> dict[str, str]:
    """Installed versions of every package pinned in the project's lock file.

    A version that differs from the lock shows up here, so a manifest always says
    what actually ran, not what was meant to.
    """
    versions: dict[str, str] = {}
    names = _lock_names(project / "requirements.lock") or ["polars", "textstat", "nltk", "scipy"]
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment(project: Path) -> dict[str, Any]:
    return {
        "harness": importlib.metadata.version("framing-harness"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": package_versions(project),
    }


def git_state(project: Path) -> dict[str, Any]:
    """Commit and dirty flag of the project checkout; nulls outside a git checkout."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(project), *args],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}
