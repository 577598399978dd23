"""Writing output files: what a path names decides how it is written.

Every file the harness writes, except the tables inside a result, goes through
here: ``-o`` outputs (``score``, ``diff``, ``pairs``), streamed scores, reports
and the ``LATEST`` pointer.

* A new path or a regular file: written to a temporary sibling, fsynced, then
  renamed over the name in one step, so the old file stays whole until the new
  one is complete. Bytes made piece by piece (``harness score --format jsonl -o``:
  slice by slice as they are scored) go to that sibling as they come, each synced
  to disk while the next is made (``output_in_pieces``), and the rename waits for
  the last. A new file gets what a plain ``open()`` gives, 0666 minus the
  umask. A replaced ``-o`` file keeps its mode (and, for root, its owner), as
  ``sed -i`` does; files the harness owns (reports, ``LATEST``) follow the umask,
  so a report an older version left at 0600 becomes readable again. Like
  ``sed -i``, a rename leaves the old content to the file's other hard links.
* A symbolic link is followed: its target is written as above and the link stays
  a link (a shell's ``>`` writes through links too).
* A device, a FIFO, or an open descriptor (``/dev/stdout``, ``/proc/self/fd/1``,
  ``/dev/fd/3``): written through, never replaced. This process's own descriptor
  is written directly (so a pipe, a socket or a ``>>`` file behind it works as
  for anything printed); others are opened without creating or truncating. This
  cannot be atomic: if writing fails (``/dev/full``: no space), a reader may
  have seen part of it.
* A folder or a socket: refused.

An output that is one of the command's inputs (also through links or hard links),
or lies inside an input folder, is refused: writing it would destroy or change
the input. Commands call :func:`check_output` before the long work, so a bad
output path fails at once; the write checks again.

Temporary files and folders are named ``.tmp-<pid>-XXXXXXXX`` (streamed scores:
``.tmp-score-<pid>-XXXXXXXX``); the next write into the same folder removes the
ones whose process is gone (killed with ``kill -9``).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from harness.errors import StoreError, UsageError

TMP_PREFIX = ".tmp-"
# A descriptor path once links are followed: /proc/<pid>/fd/N (also .../task/<tid>/fd/N).
_DESCRIPTOR = re.compile(r"^/proc/(\d+)(?:/task/\d+)?/fd/(\d+)$")
_MAX_LINKS = 40  # the kernel's limit too (ELOOP)
_COPY_CHUNK = 1 << 20
_umask_lock = threading.Lock()

Kind = Literal["new", "file", "through"]


# -- permissions -----------------------------------------------------------------------------------


def current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` can only set it).

    Linux shows it in /proc/self/status; elsewhere set and restore it under a lock.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _umask_lock:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def new_file_mode() -> int:
    """What ``open()`` gives a new file: 0666 minus the umask (0644 under umask 022)."""
    return 0o666 & ~current_umask()


def new_folder_mode() -> int:
    """What ``mkdir`` gives a new folder: 0777 minus the umask (0755 under umask 022)."""
    return 0o777 & ~current_umask()


# -- where an output goes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """Where an output's bytes go, and how.

    ``given`` is the path as the user wrote it (for messages); ``path`` is where the
    bytes land once symbolic links are followed; ``fd`` is this process's own
    descriptor when the path names one (``/dev/stdout``): written to directly.
    """

    given: Path
    path: Path
    kind: Kind
    info: os.stat_result | None = None
    fd: int | None = None

    @property
    def staging_dir(self) -> Path:
        """Where temporary files for this output go: beside it when it is renamed
        into place (same file system), else the system's temporary folder."""
        return self.path.parent if self.kind != "through" else Path(tempfile.gettempdir())


def _follow(path: Path) -> tuple[Path, bool]:
    """``path`` with every symbolic link followed, and whether it names an open
    descriptor (``/proc/<pid>/fd/N``: resolving such a "magic" link further would
    give ``pipe:[123]`` or a file that is not where the descriptor writes)."""
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        head, tail = os.path.split(current)
        current = os.path.join(os.path.realpath(head), tail)
        if _DESCRIPTOR.match(current):
            return Path(current), True
        if not os.path.islink(current):
            return Path(current), False
        current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
    raise UsageError("too many levels of symbolic links", where=path, hint="fix the link or choose another output")


def _own_descriptor(final: Path) -> int | None:
    match = _DESCRIPTOR.match(str(final))
    if match and int(match.group(1)) == os.getpid():
        return int(match.group(2))
    return None


def _stat(given: Path, final: Path, fd: int | None) -> os.stat_result | None:
    try:
        return os.fstat(fd) if fd is not None else os.stat(final)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if fd is not None:
            raise UsageError(
                "names a descriptor that is not open", where=given, hint="name a file, or a descriptor the shell opened"
            ) from None
        if exc.errno == errno.ENOTDIR:
            blocking = next(p for p in reversed(final.parents) if os.path.lexists(p) and not p.is_dir())
            raise UsageError(f"{blocking} is not a folder", where=given, hint="choose another output path") from None
        raise UsageError(
            f"cannot use as output: {exc.strerror or exc}", where=given, hint="choose another output path"
        ) from None


def _check_new_path(given: Path, final: Path) -> None:
    """The nearest existing folder above a new output must be a folder we may write in."""
    ancestor = final.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{ancestor} is not a folder", where=given, hint="choose another output path")
    _check_writable_folder(given, ancestor)


def _check_writable_folder(given: Path, folder: Path) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(
            f"cannot write in the folder {folder}: permission denied",
            where=given,
            hint="choose a folder you may write in",
        )


def _check_not_input(given: Path, final: Path, info: os.stat_result | None, inputs: Iterable[Path]) -> None:
    """Refuse an output that is an input file, or lies inside an input folder."""
    for source in inputs:
        try:
            source_info = os.stat(source)
        except OSError:
            continue  # a missing input fails on its own, with its own message
        if stat.S_ISDIR(source_info.st_mode):
            folder = os.path.realpath(source)
            if os.path.commonpath([folder, str(final)]) == folder:
                raise UsageError(
                    f"the output is inside the input folder {source}: it would become part of the input",
                    where=given,
                    hint="write the output outside that folder",
                )
        elif info is not None and (info.st_dev, info.st_ino) == (source_info.st_dev, source_info.st_ino):
            raise UsageError(
                f"the output is the input file {source}: writing it would destroy the input",
                where=given,
                hint="choose another output file; the input was not changed",
            )


def check_output(path: Path, inputs: Iterable[Path] = ()) -> Target:
    """Where writing ``path`` would put the bytes, or a one-line error if it must not.

    Call it before the long work so a bad output path fails at once.
    """
    final, descriptor = _follow(path)
    fd = _own_descriptor(final) if descriptor else None
    info = _stat(path, final, fd)
    if info is None:
        if descriptor:
            raise UsageError("names a descriptor that is not open", where=path, hint="name a file instead")
        _check_new_path(path, final)
        kind: Kind = "new"
    elif stat.S_ISDIR(info.st_mode):
        raise UsageError("the output is a folder", where=path, hint=f"name a file, e.g. {path / 'output.json'}")
    elif stat.S_ISSOCK(info.st_mode) and fd is None:
        raise UsageError("the output is a socket", where=path, hint="name a file, a named pipe or a device")
    elif stat.S_ISREG(info.st_mode) and not descriptor:
        kind = "file"
        _check_writable_folder(path, final.parent)
        if not os.access(final, os.W_OK):
            raise UsageError("the output file is read-only", where=path, hint="make it writable or choose another file")
    else:
        kind = "through"  # a device, a FIFO, or an open descriptor
    if info is None or stat.S_ISREG(info.st_mode):
        _check_not_input(path, final, info, inputs)
    return Target(path, final, kind, info, fd)


# -- writing -------------------------------------------------------------------------------------------

Fill = Callable[[BinaryIO], None]


# Files this process has put in place, as the user named them, in order: an
# interrupted command names them (harness.cli.entry) instead of saying "nothing
# stored" when Ctrl-C lands after an output was written.
WRITTEN: list[str] = []


def _bytes(data: bytes) -> Fill:
    def fill(handle: BinaryIO) -> None:
        handle.write(data)

    return fill


def write_output(path: Path, data: bytes, *, inputs: Iterable[Path] = (), keep_mode: bool = True) -> None:
    """Write ``data`` to ``path`` as the module docstring says: atomically, through a
    device, or not at all (one-line error). ``inputs`` are never overwritten."""
    target = check_output(path, inputs)
    if target.kind == "through":
        _write_through(target, _bytes(data))
    else:
        _replace(target, _bytes(data), keep_mode=keep_mode)
        WRITTEN.append(str(target.given))


@contextmanager
def output_in_pieces(path: Path, *, inputs: Iterable[Path] = (), keep_mode: bool = True) -> Iterator[Callable[[bytes], None]]:
    """``write_output`` for bytes made piece by piece: ``with output_in_pieces(p) as
    write: write(piece)``.

    A new path or a regular file gets each piece in its temporary sibling as it is
    made (so the writing overlaps the work that makes the next one), and is put in
    place only when the block ends without an error: an error or Ctrl-C inside it
    removes the temporary file and leaves the old file (or none) as it was. A
    device, FIFO or descriptor gets every piece at once at the end, as from
    ``write_output``: what it received could not be taken back.
    """
    target = check_output(path, inputs)
    if target.kind == "through":
        pieces: list[bytes] = []
        yield pieces.append
        _write_through(target, _bytes(b"".join(pieces)))
        return
    tmp, handle = _open_staged(target, keep_mode)

    def write(piece: bytes) -> None:
        handle.write(piece)
        # On disk piece by piece, while the next piece is made: left to the final
        # fsync, a large output (200 MB for 22,250 scored articles) went to disk after
        # the work (that fsync: 93 ms here; now 0.4 ms, the last piece's sync 16 ms).
        handle.flush()
        _data_sync(handle.fileno())

    with _removed_on_failure(tmp, target):
        with handle:
            yield write
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target.path)
    WRITTEN.append(str(target.given))
    _fsync_dir(target.path.parent)


# fdatasync where the system has it (not macOS): the data, not the file's times.
_data_sync = getattr(os, "fdatasync", os.fsync)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file the harness owns (``LATEST``): permissions from the umask.

    Unlike a user's ``-o`` path, the entry itself is replaced, whatever it is now
    (a stray link, a broken pointer): it is the harness's own, and following a
    link planted there would write wherever the link points.
    """
    target = Target(given=path, path=Path(os.path.abspath(path)), kind="file")
    _replace(target, _bytes(data), keep_mode=False)


def publish_file(finished: Path, target: Target, *, keep_mode: bool = True) -> None:
    """Put a finished file (built in ``target.staging_dir``) in place as ``target``.

    Renamed over a regular file or new path (no copy, however large); copied
    through to a device, FIFO or descriptor.
    """
    if target.kind == "through":

        def copy(handle: BinaryIO) -> None:
            with finished.open("rb") as source:
                shutil.copyfileobj(source, handle, _COPY_CHUNK)

        _write_through(target, copy)
        return
    try:
        with finished.open("rb+") as handle:
            _set_mode(handle.fileno(), target, keep_mode)
            os.fsync(handle.fileno())
        os.replace(finished, target.path)
        WRITTEN.append(str(target.given))
    except OSError as exc:
        raise _write_error(target, exc) from None
    _fsync_dir(target.path.parent)


def write_together(files: Sequence[tuple[Path, bytes]], *, keep_mode: bool = False) -> None:
    """Write several files as one: all new, or (on any failure) all as they were.

    Each new file is written and fsynced beside its name first. Then each old file
    is kept under a hard-linked backup name and the new ones are renamed into
    place; if a rename fails, those already renamed get their old file back (or are
    removed when there was none). Renames need no free space, so a full disk fails
    before anything is replaced. A crash (kill -9, power loss) between two renames
    can still leave a new file beside an old one: a rename is atomic per file only.
    """
    targets = [check_output(path) for path, _ in files]
    for target in targets:
        if target.kind == "through":
            raise UsageError("is not a regular file", where=target.given, hint="remove it or write elsewhere")
    staged: list[Path] = []
    backups: list[Path | None] = []
    renamed: list[int] = []
    current = targets[0]
    try:
        for current, (_, data) in zip(targets, files):
            staged.append(_stage(current, _bytes(data), keep_mode=keep_mode))
        for current in targets:
            backups.append(_backup(current))
        for index, (current, tmp) in enumerate(zip(targets, staged)):
            os.replace(tmp, current.path)
            renamed.append(index)
        WRITTEN.extend(str(target.given) for target in targets)
    except BaseException as exc:
        for index in reversed(renamed):
            _restore(targets[index], backups[index])
        if isinstance(exc, OSError):
            raise _write_error(current, exc) from None
        raise
    finally:
        for leftover in [*staged, *(b for b in backups if b is not None)]:
            leftover.unlink(missing_ok=True)
    for folder in {t.path.parent for t in targets}:
        _fsync_dir(folder)


def _write_error(target: Target, exc: OSError) -> StoreError:
    return StoreError(
        f"could not write the file: {exc.strerror or exc}",
        where=target.given,
        hint="nothing was changed; free space or fix permissions and try again",
    )


def _set_mode(fd: int, target: Target, keep_mode: bool) -> None:
    """A replaced file keeps its mode and owner (when asked); a new one gets the umask's."""
    if keep_mode and target.info is not None:
        os.fchmod(fd, stat.S_IMODE(target.info.st_mode) & 0o777)
        if (target.info.st_uid, target.info.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.fchown(fd, target.info.st_uid, target.info.st_gid)
            except OSError:
                pass  # only root may give a file away: it becomes ours, as with `sed -i`
    else:
        os.fchmod(fd, new_file_mode())


def _temp_name(folder: Path, prefix: str = TMP_PREFIX) -> Path:
    """A fresh name that :func:`sweep_abandoned` can tell is ours and whose owner is known."""
    return folder / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}"


def _stage(target: Target, fill: Fill, *, keep_mode: bool) -> Path:
    """Write a complete, fsynced temporary sibling of ``target``; return its path."""
    tmp, handle = _open_staged(target, keep_mode)
    with _removed_on_failure(tmp, target):
        with handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
    return tmp


def _open_staged(target: Target, keep_mode: bool) -> tuple[Path, BinaryIO]:
    """A new temporary sibling of ``target`` (abandoned ones swept first), open for writing."""
    folder = target.path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sweep_abandoned(folder)
        fd, name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=folder)
    except OSError as exc:
        raise StoreError(f"cannot write: {exc.strerror or exc}", where=folder) from None
    tmp = Path(name)
    handle = os.fdopen(fd, "wb")
    with _removed_on_failure(tmp, target):
        try:
            _set_mode(handle.fileno(), target, keep_mode)
        except BaseException:
            handle.close()
            raise
    return tmp, handle


@contextmanager
def _removed_on_failure(tmp: Path, target: Target) -> Iterator[None]:
    """Delete the temporary file if anything fails (an OSError becomes one line)."""
    try:
        yield
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(target, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _replace(target: Target, fill: Fill, *, keep_mode: bool) -> None:
    tmp = _stage(target, fill, keep_mode=keep_mode)
    with _removed_on_failure(tmp, target):
        os.replace(tmp, target.path)
    _fsync_dir(target.path.parent)


def _write_through(target: Target, fill: Fill) -> None:
    """Write into a device, FIFO or descriptor as it is: open without creating or
    truncating (a regular file behind a descriptor is appended to, as the shell's
    redirection writes), or use this process's own descriptor."""
    try:
        if target.fd is not None:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()  # what was printed before comes first
            fd = os.dup(target.fd)
        else:
            regular = target.info is not None and stat.S_ISREG(target.info.st_mode)
            flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC | (os.O_APPEND if regular else 0)
            fd = os.open(target.given, flags)
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
    except OSError as exc:
        raise StoreError(
            f"could not write: {exc.strerror or exc}",
            where=target.given,
            hint="a device or pipe is written as it is; make room or write to a file",
        ) from None


def _backup(target: Target) -> Path | None:
    """Keep the old file under a temporary name (a hard link: no data copied)."""
    if target.kind == "new":
        return None
    backup = _temp_name(target.path.parent)
    try:
        os.link(target.path, backup)
    except FileNotFoundError:
        return None
    except OSError:
        shutil.copy2(target.path, backup)  # a file system without hard links
    return backup


def _restore(target: Target, backup: Path | None) -> None:
    try:
        if backup is None:
            target.path.unlink(missing_ok=True)
        else:
            os.replace(backup, target.path)
    except OSError:
        pass  # the error being raised already says the write failed


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable. Best effort: the file is already in place."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- temporary files of runs that died ---------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def make_staging_dir(folder: Path, prefix: str = TMP_PREFIX) -> Path:
    """A fresh temporary folder ``<prefix><pid>-XXXXXXXX`` in ``folder``, after sweeping
    the abandoned ones there (their run was killed)."""
    sweep_abandoned(folder, prefix)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=folder))


def sweep_abandoned(folder: Path, prefix: str = TMP_PREFIX) -> list[Path]:
    """Remove temporary files and folders ``<prefix><pid>-XXXXXXXX`` whose process is
    gone. They were never outputs (nothing half-written is renamed into place),
    only disk space. Returns what was removed."""
    pattern = re.compile(re.escape(prefix) + r"(\d{1,7})-[a-z0-9_]{8}")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or int(match.group(1)) <= 0 or pid_alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
