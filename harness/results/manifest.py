"""The manifest: everything that produced a result, in one typed record.

Its first field is the format version. Two hashes keep it honest:

- the result id covers every field that is the same for the same inputs on any
  machine (``ID_FIELDS``: experiment, config, corpus, tables, resources), so a
  cited id vouches for what the manifest says about them;
- ``seal`` holds a short digest of every field (down to ``tables.NAME.rows``),
  including this machine's ``environment``, ``git`` state, the ``run`` block and
  the ``inputs`` list, which differ between machines and runs and so cannot be in
  the id. An edited field no longer matches its digest, and the seal names it.

``inputs`` names every file of the project's the result was read from (the
experiment file, the corpus, lexicons and style sheets named in settings) with
its SHA-256 and its git status, so a file git does not hold (untracked, ignored,
edited since the commit) is named, and makes ``git.dirty`` true: the commit a
citation names would not give it back. The id leaves the files' bytes out on
purpose: the corpus's content is in the id already (``corpus.hash``), and a
comment edited in the experiment file does not change what the result is.

Neither is a signature: someone who recomputes both can forge a manifest, but
then its id changes, and the id is what a citation names.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from harness import installed
from harness.results.hashing import field_digests, result_id
from harness.safetext import unicode_text

# 2: the result id covers every reproducible field, and the manifest carries a seal.
MANIFEST_FORMAT = 2
MANIFEST_FILE = "manifest.json"
# What a result id vouches for: what went in and what came out. The other fields,
# environment, git and run (where and when it ran), are sealed but not in the id:
# on another machine, or in another run, they differ for the same inputs.
ID_FIELDS = ("format_version", "experiment", "config_hash", "config", "corpus", "tables", "resources")
SEAL_FIELD = "seal"
INPUTS_FIELD = "inputs"
# Fields a manifest of this format may lack: it was written before they were added.
OPTIONAL_FIELDS = frozenset({INPUTS_FIELD})
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
    # Added within format 2: a manifest written before it has none (an empty list).
    inputs: list[dict[str, Any]] = field(default_factory=list)
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
        names = [f.name for f in fields(cls) if f.name in data or f.name not in OPTIONAL_FIELDS]
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
            versions[name] = installed.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def environment(project: Path) -> dict[str, Any]:
    # Whether the diff ran compiled by mypyc or from its sources (same bytes out, as the
    # tests check): recorded, so that a timing or a difference can be traced to it.
    from harness.wirediff.compiled import describe as wirediff_core

    return {
        "harness": installed.version("framing-harness"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "wirediff_core": wirediff_core(),
        "packages": package_versions(project),
    }


def _git(root: Path, *args: str) -> str | None:
    """git's stdout, or None when git is missing, fails or ``root`` is not in a checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            # File names are bytes: one that is not UTF-8 comes back as it went in.
            encoding="utf-8",
            errors="surrogateescape",
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


# The statuses an input can have, least committed first: a folder takes its worst file's.
INPUT_STATUSES = ("outside", "ignored", "untracked", "modified", "tracked")
# Statuses of a file inside the checkout that the commit does not give back as it was read.
UNCOMMITTED = frozenset({"ignored", "untracked", "modified"})


def git_state(project: Path, inputs: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Commit and dirty flag of the project checkout; nulls outside a git checkout.

    Dirty when a tracked file is edited, or when one of ``inputs`` (rows of
    :func:`describe_inputs`) is not committed as it was read; those are named in
    ``untracked_inputs``. An input outside the checkout does not make it dirty
    (git cannot hold it), its hash in ``inputs`` is its record.
    """
    commit = _git(project, "rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None, "untracked_inputs": []}
    status = _git(project, "status", "--porcelain", "--untracked-files=no")
    uncommitted = [row["path"] for row in inputs if row.get("git") in UNCOMMITTED]
    return {"commit": commit.strip(), "dirty": bool(status and status.strip()) or bool(uncommitted), "untracked_inputs": uncommitted}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[Path]:
    """The files of a folder corpus the reader reads, sorted by POSIX path.

    Like ``harness.corpus.reader`` (not imported: this module stays light), README*
    files and hidden files or folders are left out: they describe a corpus.
    """
    found = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and not _is_documentation(relative):
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _is_documentation(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts) or relative.name.upper().startswith("README")


def input_digest(path: Path) -> tuple[str, int]:
    """SHA-256 of a file, or for a folder of its files' paths and hashes; and the file count."""
    if not path.is_dir():
        return file_sha256(path), 1
    lines = [f"{p.relative_to(path).as_posix()}\t{file_sha256(p)}\n" for p in folder_files(path)]
    return hashlib.sha256("".join(lines).encode("utf-8", "surrogateescape")).hexdigest(), len(lines)


def input_path(recorded: str, root: Path) -> Path:
    """Where a recorded input is now: project-relative, or absolute when it was outside."""
    path = Path(recorded)
    return path if path.is_absolute() else root / path


def shown_path(path: Path, root: Path) -> str:
    """Project-relative POSIX path, or the absolute one for a file outside the project."""
    absolute = Path(os.path.abspath(path))
    try:
        return unicode_text(absolute.relative_to(Path(os.path.abspath(root))).as_posix())
    except ValueError:
        return unicode_text(absolute)


def describe_inputs(paths: Iterable[Path], root: Path) -> list[dict[str, Any]]:
    """One row per input file or folder: path, sha256, files (folders), git status.

    Sorted by path and unique, so the list does not depend on the order steps read them.
    """
    # An experiment made in code (no file behind it) has no file to name.
    unique = {shown_path(p, root): p for p in paths if p.exists()}
    statuses = _git_statuses([unique[k] for k in sorted(unique)], root)
    rows = []
    for shown in sorted(unique):
        path = unique[shown]
        sha256, count = input_digest(path)
        row: dict[str, Any] = {"path": shown, "sha256": sha256}
        if path.is_dir():
            row["files"] = count
        row["git"] = statuses[path]
        rows.append(row)
    return rows


def _git_statuses(paths: list[Path], root: Path) -> dict[Path, str]:
    """The git status of each path (a folder: of its least committed file)."""
    top = _git(root, "rev-parse", "--show-toplevel")
    statuses = dict.fromkeys(paths, "outside")
    if top is None:
        return statuses
    toplevel = Path(top.strip()).resolve()
    inside: dict[Path, str] = {}
    for path in paths:
        try:
            inside[path] = path.resolve().relative_to(toplevel).as_posix()
        except ValueError:
            continue  # outside the checkout
    if not inside:
        return statuses
    # One call for every path; `:(literal)` so that a name with * or ? is not a pattern.
    specs = [f":(literal){rel}" for rel in inside.values()]
    out = _git(toplevel, "status", "--porcelain=v1", "-z", "--ignored=matching", "--untracked-files=all", "--", *specs)
    listed = _parse_porcelain(out or "")
    for path, rel in inside.items():
        found = [_status_of(code) for name, code in listed if _covers(name, rel)]
        statuses[path] = min(found, key=INPUT_STATUSES.index) if found else "tracked"
    return statuses


def _parse_porcelain(out: str) -> list[tuple[str, str]]:
    """(path, XY code) pairs of ``git status --porcelain=v1 -z``; a rename's old path is skipped."""
    entries: list[tuple[str, str]] = []
    parts = iter(out.split("\0"))
    for part in parts:
        if len(part) < 4:
            continue
        code, name = part[:2], part[3:]
        entries.append((name.rstrip("/"), code))
        if "R" in code or "C" in code:
            next(parts, None)
    return entries


def _status_of(code: str) -> str:
    if code == "??":
        return "untracked"
    if code == "!!":
        return "ignored"
    return "modified"  # staged, edited, added: the commit does not hold these bytes


def _covers(listed: str, rel: str) -> bool:
    """``listed`` is ``rel``, a folder holding it, or a file inside the folder ``rel``."""
    return listed == rel or rel.startswith(listed + "/") or listed.startswith(rel.rstrip("/") + "/") or rel == "."
