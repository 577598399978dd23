"""Parquet files written by polars: a failed write is the OSError it is.

Polars reports an operating-system failure while writing a file (a full disk, a
permission) as a ``ComputeError`` whose text names the OS error ("underlying IO
error: No space left on device (os error 28)"). Every caller that writes a file
turns an ``OSError`` into one line naming the file and what to do; this gives them
polars' failures in that form, and leaves every other error (a bug) as it is.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import polars as pl

_OS_ERROR = re.compile(r"(?:IO error: )?([^:()]+?) \(os error (\d+)\)")


@contextlib.contextmanager
def polars_os_errors() -> Iterator[None]:
    """Raise polars' report of a failed file operation as ``OSError(errno, strerror)``."""
    try:
        yield
    except pl.exceptions.ComputeError as exc:
        found = _OS_ERROR.search(str(exc))
        if found is None:
            raise
        raise OSError(int(found.group(2)), found.group(1).strip()) from None
