"""Installed versions read from the metadata's headers (``harness.installed``) are
``importlib.metadata``'s: every distribution of this environment, and made-up ones
whose headers are written in the ways the email parser reads."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from pathlib import Path

import pytest

from harness import installed


def test_every_installed_distribution_has_importlib_s_version() -> None:
    names = sorted({d.metadata["Name"] for d in importlib.metadata.distributions() if d.metadata["Name"]})
    assert len(names) > 20  # the pinned environment, not an empty path
    for name in names:
        assert installed.version.__wrapped__(name) == importlib.metadata.version(name), name


@pytest.mark.parametrize(
    "metadata",
    [
        "Metadata-Version: 2.1\nName: madeup\nVersion: 1.2.3\n\nVersion: 9.9.9 (the body, not a header)\n",
        "Metadata-Version: 2.1\nName: madeup\nversion:1.2.3  \nSummary: x\n\nbody\n",  # case, blanks kept as parsed
        "Metadata-Version: 2.1\r\nName: madeup\r\nVersion: 1.2.3\r\n\r\nbody\r\n",  # Windows line ends
        "Metadata-Version: 2.1\nName: madeup\nSummary: one\n  folded line\nVersion: 2.0\nVersion: 3.0\n",  # the first
        "Metadata-Version: 2.1\nName: madeup\n\nVersion: 4.0\n",  # only in the body: importlib's answer (None)
    ],
)
def test_a_made_up_distribution_reads_as_importlib_reads_it(
    metadata: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "madeup-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_bytes(metadata.encode("utf-8"))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert installed.version.__wrapped__("madeup") == importlib.metadata.version("madeup")


def test_an_unknown_distribution_is_refused_as_importlib_refuses_it() -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        installed.version.__wrapped__("no-such-distribution-here")
    assert "harness.installed" in sys.modules
