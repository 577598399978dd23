"""Which data files a comparison depends on, for run manifests."""

from __future__ import annotations

from pathlib import Path

from harness.resources import Resource
from harness.wirediff.boilerplate import chrome_resource
from harness.wirediff.lexicon import breame_resource, lexicon_resource
from harness.wirediff.styles import load_style_file


def wirediff_resources(styles_dir: Path | None = None) -> list[Resource]:
    """The lexicon, the British/American spelling list and the page-chrome rules;
    with ``styles_dir``, every style sheet in it too (sorted by file name)."""
    resources = [lexicon_resource(), breame_resource(), chrome_resource()]
    if styles_dir is not None:
        sheets = [load_style_file(path) for path in sorted(styles_dir.glob("*.toml"))]
        resources += [r for r in (sheet.resource() for sheet in sheets) if r is not None]
    return resources
