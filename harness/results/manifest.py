"""The manifest: everything that produced a result, in one typed record.

Its first field is the format version. ``run`` (start time, duration) is the only
part that changes from one run to the next; it is kept out of every hash.
"""

from __future__ import annotations

import importlib.metadata
import platform
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = 1
MANIFEST_FILE = "manifest.json"


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        tables = {name: TableEntry(**entry) for name, entry in data["tables"].items()}
        return cls(**{**data, "tables": tables})


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
