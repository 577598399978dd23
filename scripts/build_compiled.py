"""Compile the diff's per-pair modules with mypyc, beside their sources. ``make`` runs it.

    python scripts/build_compiled.py [--force]

Quick when the record (``harness/wirediff/compiled.json``) already matches every
source and the compiled library loads. Otherwise the old compiled files go first,
so that a failed build leaves the sources in use; then mypyc (from the pinned mypy
of the dev environment) turns the modules of
``harness.wirediff.compiled.COMPILED_MODULES`` into one C library with gcc, in a
temporary folder; the files are moved in and the record written last. The compiler's output goes to ``build/compiled.log``. Any failure (no
compiler, no mypyc, a module mypyc rejects) is one line and exit 0: the harness
then runs the same code from its sources, only slower (``HARNESS_PURE_PYTHON=1``
does the same on purpose, at build or at run time).

Why mypyc and not hand-written C: the rules stay one readable, type-checked
Python definition, which mypy already checks strictly; mypy and black ship
compiled the same way. The one exception, ``harness/wirediff/units.c``
(``NATIVE_MODULES``), holds loops over characters, memo look-ups, 5-gram hashes and
the alignment's chains and LCS, with no house-style rule in them, which compiled Python
still runs through CPython's runtime; it
is built in the same step and recorded with the rest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.wirediff.compiled import (  # noqa: E402  # after the path is set
    BUILT_FILES, COMPILED_MODULES, FOLDER, NATIVE_MODULES, PURE_ENV, RECORD_NAME, core_state, extension_suffix,
    pure_requested, source_digests,
)

GROUP = "harness.wirediff.core"  # one shared library: the modules call one another natively
LOG = ROOT / "build" / "compiled.log"


def compile_into(build: Path) -> None:
    """The extension files, built under ``build`` (run in a child: its output goes to the log)."""
    from mypyc.build import mypycify
    from setuptools import Distribution, Extension

    os.chdir(ROOT)  # mypyc names a module by its path from here
    paths = [f"harness/wirediff/{name}.py" for name in COMPILED_MODULES]
    extensions = mypycify(paths, group_name=GROUP, target_dir=str(build / "c"))
    extensions += [
        Extension(f"harness.wirediff.{name}", [f"harness/wirediff/{source}"], extra_compile_args=["-O2"])
        for name, source in NATIVE_MODULES.items()
    ]
    command = Distribution({"name": "harness-compiled", "ext_modules": extensions}).get_command_obj("build_ext")
    command.build_lib = str(build / "lib")  # type: ignore[attr-defined]
    command.build_temp = str(build / "temp")  # type: ignore[attr-defined]
    command.parallel = os.cpu_count() or 1  # type: ignore[attr-defined]
    command.ensure_finalized()
    command.run()


def remove_compiled() -> None:
    (FOLDER / RECORD_NAME).unlink(missing_ok=True)
    for name in BUILT_FILES:
        (FOLDER / f"{name}{extension_suffix()}").unlink(missing_ok=True)


def write_record(record: dict[str, object]) -> None:
    staged = FOLDER / f".{RECORD_NAME}.tmp"
    staged.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staged, FOLDER / RECORD_NAME)


def build() -> str:
    """Compile and install; the line to print."""
    if pure_requested(os.environ):
        write_record({"compiled": False, "reason": f"{PURE_ENV} was set at build time"})
        return f"diff core: not compiled ({PURE_ENV} is set); the sources run"
    digests = source_digests()
    LOG.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="harness-mypyc-") as tmp, LOG.open("w", encoding="utf-8") as log:
        done = subprocess.run(
            [sys.executable, __file__, "--inner", tmp], stdout=log, stderr=subprocess.STDOUT, check=False
        )
        if done.returncode != 0:
            # With the digests: the next `make` does not try again until a source changes (or --force).
            write_record({
                "compiled": False, "reason": f"mypyc or the C compiler failed, see {LOG.relative_to(ROOT)}",
                "ext_suffix": extension_suffix(), "sources": digests,
            })
            return f"diff core: not compiled (mypyc or the C compiler failed: see {LOG.relative_to(ROOT)}); the sources run"
        if source_digests() != digests:
            write_record({"compiled": False, "reason": "sources changed during the build"})
            return "diff core: not compiled (sources changed during the build: run make again); the sources run"
        for name in BUILT_FILES:
            built = Path(tmp) / "lib" / "harness" / "wirediff" / f"{name}{extension_suffix()}"
            staged = FOLDER / f".{built.name}.tmp"
            shutil.copyfile(built, staged)
            os.replace(staged, FOLDER / built.name)
    from mypy.version import __version__ as mypy_version

    write_record({
        "compiled": True,
        "compiler": f"mypyc {mypy_version}",
        "ext_suffix": extension_suffix(),
        "sources": digests,
    })
    return (
        f"diff core: compiled with mypyc {mypy_version} ({len(COMPILED_MODULES)} modules)"
        f" and {len(NATIVE_MODULES)} C module ({', '.join(NATIVE_MODULES.values())})"
    )


def failed_before() -> bool:
    """The last build failed on the same sources with this Python (a failure records them)."""
    try:
        record = json.loads((FOLDER / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict) and record.get("compiled") is False and not pure_requested(os.environ)
        and record.get("ext_suffix") == extension_suffix() and record.get("sources") == source_digests()
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--inner"]:
        compile_into(Path(argv[1]))
        return 0
    # core_state: the record checked against the sources and the library loaded (importing
    # the package chose it), so a library that does not load is built again.
    if "--force" not in argv and (core_state().compiled or failed_before()):
        return 0  # up to date, or failed on these very sources: nothing new to say
    remove_compiled()
    print(build(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
