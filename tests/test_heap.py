"""Freed memory handed back to the system (harness.engines.heap)."""

from __future__ import annotations

import platform
import sys

from harness.engines.heap import return_freed_memory


def test_freed_memory_is_returned_where_glibc_is_the_c_library() -> None:
    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert return_freed_memory() is glibc
    assert return_freed_memory() is glibc  # looked up once, callable again
