"""The result store: ``results/<experiment>/<result-id>/`` holding one Parquet
file per table and ``manifest.json``.

Results are immutable. A new result is written into a temporary folder beside its
final place and renamed into place in one step, so a crash (or ``kill -9``) leaves
either no result or a complete one. Renaming onto an existing result id fails, and
that is fine: the same id means the same bytes (compare-and-rename, no lock).
The ``LATEST`` pointer is replaced atomically too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from harness.errors import NotFoundError, StoreError
from harness.experiments.spec import NAME_RE
from harness.outputs import new_folder_mode
from harness.outputs import write_atomic as write_atomic  # re-exported: harness.results.write_atomic
from harness.results.hashing import sha256_bytes
from harness.results.manifest import MANIFEST_FILE, Manifest

ID_RE = re.compile(r"^[0-9a-f]{16}$")
LATEST = "LATEST"
TMP_PREFIX = ".tmp-"


@dataclass(frozen=True, slots=True)
class StoredResult:
    name: str
    result_id: str
    path: Path
    manifest: Manifest

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.result_id}"

    def table(self, name: str) -> pl.DataFrame:
        entry = self.manifest.tables[name]
        return pl.read_parquet(self.path / entry.file)

    def tables(self) -> dict[str, pl.DataFrame]:
        return {name: self.table(name) for name in self.manifest.tables}


def parse_ref(ref: str) -> tuple[str, str | None]:
    """``name`` or ``name@result_id``, both checked so no path can escape the store."""
    name, _, rid = ref.partition("@")
    if not NAME_RE.match(name):
        raise NotFoundError(f"{ref!r} is not an experiment name", hint="see `harness list`")
    if rid and not ID_RE.match(rid):
        raise NotFoundError(
            f"{rid!r} is not a result id", hint="a result id is 16 hexadecimal characters"
        )
    return name, rid or None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ResultStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self, name: str) -> Path:
        parse_ref(name)
        return self.root / name

    def write(
        self, manifest: Manifest, table_files: Mapping[str, bytes], manifest_json: bytes
    ) -> StoredResult:
        """Store a complete result, or nothing at all."""
        name = manifest.experiment["name"]
        folder = self._folder(name)
        final = folder / manifest.result_id
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._sweep_abandoned(folder)
            staging = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=folder))
        except OSError as exc:
            raise StoreError(f"cannot write the result store: {exc.strerror}", where=folder) from None
        try:
            # mkdtemp makes it 0700 (private while staged); a stored result is
            # readable like any folder the user makes (0755 under umask 022).
            os.chmod(staging, new_folder_mode())
            for filename, data in sorted(table_files.items()):
                (staging / filename).write_bytes(data)
            (staging / MANIFEST_FILE).write_bytes(manifest_json)
            for item in staging.iterdir():
                with item.open("rb") as handle:
                    os.fsync(handle.fileno())
            _fsync_dir(staging)
            self._publish(staging, final)
            write_atomic(folder / LATEST, (manifest.result_id + "\n").encode())
        except OSError as exc:
            raise StoreError(
                f"could not write result {manifest.result_id}: {exc.strerror or exc}",
                where=folder,
                hint="nothing was stored; free space or fix permissions and run again",
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self.load(name, manifest.result_id)

    @staticmethod
    def _sweep_abandoned(folder: Path) -> None:
        """Remove staging folders of runs that died (kill -9): their pid is gone.

        They were never results (nothing is renamed into place half-written),
        only disk space.
        """
        for item in folder.glob(f"{TMP_PREFIX}*"):
            pid_text = item.name[len(TMP_PREFIX) :].split("-", 1)[0]
            if item.is_dir() and pid_text.isdigit() and not _pid_alive(int(pid_text)):
                shutil.rmtree(item, ignore_errors=True)

    @staticmethod
    def _publish(staging: Path, final: Path) -> None:
        try:
            os.rename(staging, final)
        except OSError:
            # Another run stored the same id first: ids are content hashes, so the
            # stored result already holds these exact tables. Keep it untouched.
            if not (final / MANIFEST_FILE).is_file():
                raise

    def latest_id(self, name: str) -> str:
        pointer = self._folder(name) / LATEST
        try:
            rid = pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise NotFoundError(
                f"no stored result for experiment {name!r}",
                where=self.root,
                hint=f"run `harness run {name}` first",
            ) from None
        parse_ref(f"{name}@{rid}")
        return rid

    def load(self, name: str, result_id: str | None = None) -> StoredResult:
        rid = result_id or self.latest_id(name)
        path = self._folder(name) / rid
        manifest_path = path / MANIFEST_FILE
        if path.is_dir() and not manifest_path.is_file():
            raise StoreError(
                f"result {name}@{rid} has lost its manifest.json",
                where=path,
                hint="the result is damaged; run the experiment again",
            )
        if not manifest_path.is_file():
            raise NotFoundError(
                f"result {name}@{rid} does not exist",
                where=self.root,
                hint=f"stored ids: {', '.join(self.result_ids(name)) or 'none'}",
            )
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
            manifest = Manifest.from_json(data)
        except (ValueError, TypeError, KeyError) as exc:
            raise StoreError(f"unreadable manifest: {exc}", where=manifest_path) from None
        return StoredResult(name, rid, path, manifest)

    def resolve(self, ref: str) -> StoredResult:
        name, rid = parse_ref(ref)
        return self.load(name, rid)

    def result_ids(self, name: str) -> list[str]:
        folder = self._folder(name)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if ID_RE.match(p.name))

    def check_intact(self, stored: StoredResult) -> None:
        """Refuse to use a result whose tables no longer match its manifest."""
        bad = self.tampered_tables(stored)
        if bad:
            raise StoreError(
                f"result {stored.ref} is damaged: table(s) {', '.join(bad)} missing or altered",
                where=stored.path,
                hint=f"run `harness verify {stored.ref}` or run the experiment again",
            )

    def tampered_tables(self, stored: StoredResult) -> list[str]:
        """Tables whose bytes on disk no longer match the manifest's hash."""
        bad: list[str] = []
        for name, entry in sorted(stored.manifest.tables.items()):
            file = stored.path / entry.file
            if not file.is_file() or sha256_bytes(file.read_bytes()) != entry.sha256:
                bad.append(name)
        return bad
