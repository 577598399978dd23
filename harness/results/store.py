"""The result store: ``results/<experiment>/<result-id>/`` holding one Parquet
file per table and ``manifest.json``.

Results are immutable. A new result is written into a temporary folder beside its
final place and renamed into place in one step, so a crash (or ``kill -9``) leaves
either no result or a complete one. Renaming onto an existing result id fails, and
that is fine: the same id means the same content (compare-and-rename, no lock).
Unless the stored copy is damaged (a table's bytes altered or missing, the
manifest edited or gone): then it is renamed aside, the new copy renamed in, and
the old one removed, and the caller is told.
The ``LATEST`` pointer is replaced atomically too.

A stored result is checked before it is used (``check_intact``): every table's
bytes against the manifest's hashes, and the manifest against its seal, its
result id and the tables themselves (see ``harness.results.manifest``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from harness.errors import HarnessError, NotFoundError, StoreError
from harness.experiments.spec import NAME_RE
from harness.interrupts import interrupts_deferred
from harness.outputs import new_folder_mode, pid_alive
from harness.outputs import write_atomic as write_atomic  # re-exported: harness.results.write_atomic
from harness.results.hashing import field_path, sha256_of
from harness.results.manifest import (
    ID_FIELDS,
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    Manifest,
    TableEntry,
    derive_result_id,
    top_field,
    unsealed_fields,
)

ID_RE = re.compile(r"[0-9a-f]{16}")  # used with fullmatch, like NAME_RE
LATEST = "LATEST"
TMP_PREFIX = ".tmp-"
# A table file is a plain name inside the result folder, never a path elsewhere.
TABLE_FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\.parquet$")
LATEST_MAX_BYTES = 64
# os.rename onto a folder that holds something (or onto a file): the id is taken.
_TAKEN = (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR)
PUBLISH_ATTEMPTS = 5

Notice = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class StoredResult:
    name: str
    result_id: str
    path: Path
    manifest: Manifest
    # The manifest as read from disk, fields this format does not know included:
    # integrity checks look at what is stored, not at what was parsed from it.
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.result_id}"

    def table(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self._file(name))

    def scan(self, name: str) -> pl.LazyFrame:
        """Table ``name`` as a lazy table over its file (a filter reads only what it keeps)."""
        return pl.scan_parquet(self._file(name))

    def _file(self, name: str) -> Path:
        file = _table_file(self, self.manifest.tables[name])
        if file is None:
            raise StoreError(
                f"result {self.ref} is damaged: table {name} is missing",
                where=self.path,
                hint=f"run `harness run {self.name}` again to replace the damaged copy",
            )
        return file

    def tables(self) -> Mapping[str, pl.DataFrame]:
        """Every table by name, each read when first asked for (see ``StoredTables``)."""
        return StoredTables(self)


class StoredTables(Mapping[str, pl.DataFrame]):
    """A stored result's tables by name, each read from its file the first time it is
    asked for: a report reads the tables its sections use, not an articles table of
    a million articles (1.6 GB in memory) that none of them shows."""

    def __init__(self, stored: StoredResult) -> None:
        self._stored = stored
        self._read: dict[str, pl.DataFrame] = {}

    def __getitem__(self, name: str) -> pl.DataFrame:
        if name not in self._stored.manifest.tables:
            raise KeyError(name)
        if name not in self._read:
            self._read[name] = self._stored.table(name)
        return self._read[name]

    def scan(self, name: str) -> pl.LazyFrame:
        """Table ``name`` read lazily (``harness.experiments.registry.rows_where``)."""
        if name not in self._stored.manifest.tables:
            raise KeyError(name)
        return self._read[name].lazy() if name in self._read else self._stored.scan(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored.manifest.tables)

    def __len__(self) -> int:
        return len(self._stored.manifest.tables)


@dataclass(frozen=True, slots=True)
class Damage:
    """What no longer matches in a stored result (empty: intact)."""

    tables: tuple[str, ...] = ()  # table files missing, or bytes altered
    fields: tuple[str, ...] = ()  # manifest fields edited since the result was stored

    def __bool__(self) -> bool:
        return bool(self.tables or self.fields)

    def describe(self) -> str:
        vouched = [f for f in self.fields if top_field(f) in (*ID_FIELDS, "result_id")]
        recorded = [f for f in self.fields if f not in vouched]
        parts = []
        if self.tables:
            parts.append(f"table(s) {', '.join(self.tables)} missing or altered")
        if vouched:
            parts.append(f"manifest field(s) {', '.join(vouched)} differ from what the result id vouches for")
        if recorded:
            parts.append(f"manifest field(s) {', '.join(recorded)} differ from what was recorded at run time")
        return "; ".join(parts)


def _table_file(stored: StoredResult, entry: TableEntry) -> Path | None:
    """The table's file, if its name is a plain file name and a regular file is there."""
    if not isinstance(entry.file, str) or not TABLE_FILE_RE.match(entry.file):
        return None
    file = stored.path / entry.file
    return file if file.is_file() else None


def _parquet_shape(file: Path) -> tuple[int, list[str]] | None:
    """Row count and column names from the Parquet footer; None if unreadable."""
    try:
        columns = list(pl.read_parquet_schema(file))
        rows = pl.scan_parquet(file).select(pl.len()).collect().item()
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None  # unreadable: nothing to compare with
    return int(rows), columns


def _shape_fields(name: str, entry: TableEntry, file: Path) -> list[str]:
    """``tables.NAME.rows``/``columns`` when they differ from the Parquet file's own."""
    shape = _parquet_shape(file)
    if shape is None:
        return []
    rows, columns = shape
    fields = []
    if entry.rows != rows:
        fields.append(field_path("tables", name, "rows"))
    if not isinstance(entry.columns, dict) or list(entry.columns) != columns:
        fields.append(field_path("tables", name, "columns"))
    return fields


def _remove(path: Path) -> None:
    """Remove a file or folder of the store's own (a damaged copy, a broken pointer)."""
    if path.is_dir() and not path.is_symlink():
        for folder, _, _ in os.walk(path):
            try:  # a read-only copy must not survive as litter
                os.chmod(folder, stat.S_IRWXU)
            except OSError:
                pass
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def parse_ref(ref: str) -> tuple[str, str | None]:
    """``name`` or ``name@result_id``, both checked so no path can escape the store."""
    name, _, rid = ref.partition("@")
    if not NAME_RE.fullmatch(name):
        raise NotFoundError(f"{ref!r} is not an experiment name", hint="see `harness list`")
    if rid and not ID_RE.fullmatch(rid):
        raise NotFoundError(
            f"{rid!r} is not a result id", hint="a result id is 16 hexadecimal characters"
        )
    return name, rid or None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Results this process has stored, in order: an interrupted command names them
# (harness.cli.entry) instead of saying "nothing stored".
STORED: list[str] = []


class ResultStore:
    def __init__(self, root: Path, *, experiments: Callable[[], Sequence[str] | None] | None = None) -> None:
        """``experiments`` names the project's experiments (None when they cannot be
        read): used only so that a hint never suggests running an experiment that
        does not exist."""
        self.root = root
        self._experiments = experiments

    def missing_hint(self, name: str, stored: Sequence[str] | None = None) -> str:
        """What to do about ``name`` having no stored result: run it, if it is an
        experiment; otherwise which names exist."""
        known = self._experiments() if self._experiments is not None else None
        if known is None or name in known:
            return f"run `harness run {name}` first"
        stored = sorted({p.parent.name for p in self.root.glob("*/LATEST")}) if stored is None else stored
        return (
            f"no experiment is named {name!r}; experiments: {', '.join(known) or 'none'}; "
            f"stored results: {', '.join(stored) or 'none'}"
        )

    def _folder(self, name: str) -> Path:
        parse_ref(name)
        return self.root / name

    def write(
        self,
        manifest: Manifest,
        table_files: Mapping[str, bytes | Path],
        manifest_json: bytes,
        *,
        notice: Notice | None = None,
    ) -> StoredResult:
        """Store a complete result, or nothing at all.

        A table is its Parquet bytes, or a file holding them (a table too large
        to hold: copied in).

        A damaged stored copy of the same id (or a broken ``LATEST``) is replaced,
        and ``notice`` is told so in one line.
        """
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
                if isinstance(data, Path):
                    shutil.copyfile(data, staging / filename)
                else:
                    (staging / filename).write_bytes(data)
            (staging / MANIFEST_FILE).write_bytes(manifest_json)
            for item in staging.iterdir():
                with item.open("rb") as handle:
                    os.fsync(handle.fileno())
            _fsync_dir(staging)
            with interrupts_deferred():
                replaced = self._publish(staging, final, name)
                self._clear_broken_latest(folder, notice)
                write_atomic(folder / LATEST, (manifest.result_id + "\n").encode())
                STORED.append(f"{name}@{manifest.result_id}")
            if replaced and notice:
                notice(
                    f"{final}: the stored copy of {name}@{manifest.result_id} was damaged "
                    f"({replaced}); replaced it with this run's result"
                )
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
            if item.is_dir() and pid_text.isdigit() and not pid_alive(int(pid_text)):
                shutil.rmtree(item, ignore_errors=True)

    def _publish(self, staging: Path, final: Path, name: str) -> str | None:
        """Rename ``staging`` into place; returns why a damaged stored copy was replaced.

        The id is taken when the rename fails: another run stored the same id
        (ids are content hashes, so it holds this content: keep it untouched), or
        an earlier copy is there and damaged: rename it aside (same folder, so
        the move is atomic), try again, then remove it. Concurrent runs may each
        move a copy aside; whichever rename lands, the copy in place is complete.
        """
        replaced: str | None = None
        asides: list[Path] = []
        try:
            for _ in range(PUBLISH_ATTEMPTS):
                was_empty = final.is_dir() and not final.is_symlink() and not any(final.iterdir())
                try:
                    os.rename(staging, final)
                except OSError as exc:
                    if exc.errno not in _TAKEN:
                        raise
                else:
                    # Renaming onto an empty folder succeeds: it was a copy with nothing left.
                    return replaced or ("its folder was empty" if was_empty else None)
                reason = self.damage_reason(name, final.name)
                if reason is None:
                    return replaced
                aside = final.parent / f"{TMP_PREFIX}{os.getpid()}-damaged-{secrets.token_hex(4)}"
                try:
                    os.rename(final, aside)
                except FileNotFoundError:
                    continue  # another run moved it first
                asides.append(aside)
                replaced = reason
            raise StoreError(
                f"could not replace the damaged stored copy of {name}@{final.name}",
                where=final,
                hint="other runs keep replacing it; run again when they are done",
            )
        finally:
            for aside in asides:
                _remove(aside)

    def _clear_broken_latest(self, folder: Path, notice: Notice | None) -> None:
        """A ``LATEST`` that is a folder cannot be replaced by a file: move it away."""
        pointer = folder / LATEST
        if pointer.is_dir() and not pointer.is_symlink():
            aside = folder / f"{TMP_PREFIX}{os.getpid()}-latest-{secrets.token_hex(4)}"
            os.rename(pointer, aside)
            _remove(aside)
            if notice:
                notice(f"{pointer}: was a folder, not a pointer; replaced it")

    def damage_reason(self, name: str, result_id: str) -> str | None:
        """Why the stored copy of ``name@result_id`` cannot be used; None if intact."""
        path = self._folder(name) / result_id
        if not path.is_dir() or path.is_symlink():
            return "it is not a folder"
        try:
            stored = self.load(name, result_id)
        except HarnessError as exc:
            return exc.message
        damage = self.damage(stored)
        return damage.describe() if damage else None

    def latest_id(self, name: str) -> str:
        """The id ``LATEST`` points to; a clear error when it is missing or broken."""
        pointer = self._folder(name) / LATEST
        if not os.path.lexists(pointer):
            raise NotFoundError(
                f"no stored result for experiment {name!r}",
                where=self.root,
                hint=self.missing_hint(name),
            )
        rid = self._read_pointer(pointer, name)
        if not rid:
            raise self._broken_pointer(pointer, name, "is empty")
        if not ID_RE.match(rid):
            raise self._broken_pointer(pointer, name, "does not hold a result id")
        return rid

    def _read_pointer(self, pointer: Path, name: str) -> str:
        # Only a small regular file is read: never a folder, device, FIFO or a huge file.
        try:
            info = pointer.stat()
        except OSError as exc:
            raise self._broken_pointer(pointer, name, f"cannot be followed: {exc.strerror or exc}") from None
        if stat.S_ISDIR(info.st_mode):
            raise self._broken_pointer(pointer, name, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise self._broken_pointer(pointer, name, "is not a regular file")
        try:
            with pointer.open("rb") as handle:
                data = handle.read(LATEST_MAX_BYTES + 1)
        except OSError as exc:
            raise self._broken_pointer(pointer, name, f"cannot be read: {exc.strerror or exc}") from None
        if len(data) > LATEST_MAX_BYTES:
            raise self._broken_pointer(pointer, name, "is too long to be a result id")
        try:
            return data.decode("ascii").strip()
        except UnicodeDecodeError:
            raise self._broken_pointer(pointer, name, "holds bytes that are not a result id") from None

    def _broken_pointer(self, pointer: Path, name: str, what: str) -> StoreError:
        return StoreError(
            f"the LATEST pointer is broken: it {what}",
            where=pointer,
            hint=f"run `harness run {name}` again, or name a result id {name}@ID; "
            f"stored ids: {', '.join(self.result_ids(name)) or 'none'}",
        )

    def load(self, name: str, result_id: str | None = None) -> StoredResult:
        rid = result_id or self.latest_id(name)
        path = self._folder(name) / rid
        manifest_path = path / MANIFEST_FILE
        if path.is_dir() and not manifest_path.is_file():
            raise StoreError(
                f"result {name}@{rid} has lost its manifest.json",
                where=path,
                hint=f"the result is damaged; run `harness run {name}` again to replace it",
            )
        if not manifest_path.is_file():
            if result_id is None:
                raise self._broken_pointer(
                    self._folder(name) / LATEST, name, f"points to result {name}@{rid}, which does not exist"
                )
            raise NotFoundError(
                f"result {name}@{rid} does not exist",
                where=self.root,
                hint=f"stored ids: {', '.join(self.result_ids(name)) or 'none'}",
            )
        data = self._read_manifest(manifest_path, name, rid)
        try:
            manifest = Manifest.from_json(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise StoreError(f"unreadable manifest: {exc}", where=manifest_path) from None
        return StoredResult(name, rid, path, manifest, data)

    @staticmethod
    def _read_manifest(manifest_path: Path, name: str, rid: str) -> dict[str, Any]:
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"unreadable manifest: {exc}", where=manifest_path) from None
        if not isinstance(data, dict):
            raise StoreError("unreadable manifest: not a JSON object", where=manifest_path)
        version = data.get("format_version")
        if version != MANIFEST_FORMAT:
            raise StoreError(
                f"result {name}@{rid} has manifest format {version!r}; "
                f"this harness reads format {MANIFEST_FORMAT}",
                where=manifest_path,
                hint=f"run `harness run {name}` again to store it in the current format",
            )
        return data

    def resolve(self, ref: str) -> StoredResult:
        name, rid = parse_ref(ref)
        return self.load(name, rid)

    def result_ids(self, name: str) -> list[str]:
        folder = self._folder(name)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if ID_RE.fullmatch(p.name))

    def check_intact(self, stored: StoredResult) -> None:
        """Refuse to use a result whose tables or manifest no longer match what was stored."""
        damage = self.damage(stored)
        if damage:
            raise StoreError(
                f"result {stored.ref} is damaged: {damage.describe()}",
                where=stored.path,
                hint=f"run `harness verify {stored.ref}`, or `harness run {stored.name}` "
                "to replace the damaged copy",
            )

    def damage(self, stored: StoredResult) -> Damage:
        """Everything that no longer matches in ``stored``: tables and manifest fields."""
        files = self._intact_table_files(stored)
        tampered = tuple(name for name, file in files.items() if file is None)
        return Damage(tampered, tuple(self._edited_fields(stored, files)))

    def tampered_tables(self, stored: StoredResult) -> list[str]:
        """Tables whose bytes on disk no longer match the manifest's hash."""
        return [name for name, file in self._intact_table_files(stored).items() if file is None]

    def edited_fields(self, stored: StoredResult) -> list[str]:
        """Manifest fields that differ from what the result id and the seal vouch for."""
        return self._edited_fields(stored, self._intact_table_files(stored))

    @staticmethod
    def _intact_table_files(stored: StoredResult) -> dict[str, Path | None]:
        """Each table's file, or None where it is missing or its bytes do not match."""
        files: dict[str, Path | None] = {}
        for name, entry in sorted(stored.manifest.tables.items()):
            file = _table_file(stored, entry)
            intact = file is not None and sha256_of(file) == entry.sha256  # read a MiB at a time
            files[name] = file if intact else None
        return files

    @staticmethod
    def _edited_fields(stored: StoredResult, files: Mapping[str, Path | None]) -> list[str]:
        """The seal names any edited field. Fields it cannot vouch for (the seal
        edited along with them) are found from what can be derived: the id from
        the fields it covers and from the folder name, rows and columns from the
        Parquet files themselves.
        """
        data = stored.raw or stored.manifest.to_json()
        found = set(unsealed_fields(data))
        if data.get("result_id") != stored.result_id:
            found.add("result_id")
        for name, file in files.items():
            if file is not None:
                found.update(_shape_fields(name, stored.manifest.tables[name], file))
        if derive_result_id(data) != stored.result_id and not any(
            top_field(f) in ID_FIELDS for f in found
        ):
            found.add("result_id")  # the id no longer fits the fields it covers
        return sorted(found)
