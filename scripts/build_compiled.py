"""Compile the diff's per-pair modules with mypyc, beside their sources. ``make`` runs it.

    python scripts/build_compiled.py [--force]

Quick when the record (``harness/wirediff/compiled.json``) already matches every
source and the compiled library loads. Otherwise the old compiled files go first,
so that a failed build leaves the sources in use; then mypyc (from the pinned mypy
of the dev environment) turns the modules of
``harness.wirediff.compiled.COMPILED_MODULES`` into one C library with gcc, in a
temporary folder; the files are moved in and the record written last. With GCC the
library is profile-guided (:func:`compiler_flags`): built once counting, run on a
seeded workload (``scripts/profile_training.py``, a few seconds) and built again
with the counts, for a diff some 6-11% quicker end to end (``benchmarks/RESULTS.md``);
``HARNESS_PLAIN_BUILD=1`` builds once, without the training run (half the time),
and a failed guided build falls back to a plain one. The compiler's output goes to ``build/compiled.log``. Any failure (no
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
import sysconfig
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.wirediff.compiled import (  # noqa: E402  # after the path is set
    BUILT_FILES, COMPILED_MODULES, FOLDER, NATIVE_MODULES, PURE_ENV, RECORD_NAME, core_state, extension_suffix,
    pure_requested, source_digests,
)

PLAIN_ENV = "HARNESS_PLAIN_BUILD"
PROFILE_GUIDED = "profile-guided"
GUIDED_FAILED = "plain: the profile-guided build failed (see the log)"
TRAINING_SECONDS = 600  # a few seconds on a 2-core VM; a hang falls back to a plain build
GROUP = "harness.wirediff.core"  # one shared library: the modules call one another natively
LOG = ROOT / "build" / "compiled.log"


def compile_into(build: Path, flags: list[str]) -> None:
    """The extension files, built under ``build`` (run in a child: its output goes to the log).

    ``flags`` go to the compiler and the linker of every extension (:func:`compiler_flags`).
    """
    from mypyc.build import mypycify
    from setuptools import Distribution, Extension

    os.chdir(ROOT)  # mypyc names a module by its path from here
    paths = [f"harness/wirediff/{name}.py" for name in COMPILED_MODULES]
    extensions = mypycify(paths, group_name=GROUP, target_dir=str(build / "c"))
    extensions += [
        Extension(f"harness.wirediff.{name}", [f"harness/wirediff/{source}"], extra_compile_args=["-O2"])
        for name, source in NATIVE_MODULES.items()
    ]
    for extension in extensions:
        extension.extra_compile_args = [*(extension.extra_compile_args or []), *flags]
        extension.extra_link_args = [*(extension.extra_link_args or []), *flags]
    command = Distribution({"name": "harness-compiled", "ext_modules": extensions}).get_command_obj("build_ext")
    command.build_lib = str(build / "lib")  # type: ignore[attr-defined]
    command.build_temp = str(build / "temp")  # type: ignore[attr-defined]
    command.parallel = os.cpu_count() or 1  # type: ignore[attr-defined]
    command.ensure_finalized()
    command.run()


def gcc_version() -> int:
    """The major version of GCC where GCC is the C compiler setuptools will call, else 0
    (the flags of :func:`compiler_flags` are GCC's own; ``-fprofile-partial-training`` needs 10)."""
    command = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()
    try:
        said = subprocess.run([command[0], "--version"], capture_output=True, text=True, check=False, timeout=30)
        major = subprocess.run([command[0], "-dumpversion"], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return 0
    banner = said.stdout.lower()
    if said.returncode != 0 or "clang" in banner or not ("gcc" in banner or "free software foundation" in banner):
        return 0
    head = major.stdout.strip().split(".")[0]
    return int(head) if major.returncode == 0 and head.isdigit() else 0


GUIDED_GCC = 10  # the first GCC with -fprofile-partial-training


def compiler_flags(stage: str, profile: Path) -> list[str]:
    """GCC's flags for one stage of the build: ``generate`` (counting), ``use`` or ``plain``.

    * ``-fno-semantic-interposition``: mypyc's library exports every function, so
      without it each call between two of them goes through the PLT and none is
      inlined (a shared library's exported function may be replaced at load time;
      ours never is). CPython's own optimised builds use it.
    * Profile-guided optimisation: the library is built once counting its branches and
      calls (``-fprofile-generate``), run on a seeded workload
      (``scripts/profile_training.py``), and built again with those counts
      (``-fprofile-use``): hot paths laid out together and inlined, cold ones moved
      aside. Code the workload never ran keeps its ordinary optimisation
      (``-fprofile-partial-training``). Same edits: the counts choose the machine
      code, never what it computes.
    """
    shared = ["-fno-semantic-interposition"]
    if stage == "generate":
        return [*shared, f"-fprofile-generate={profile}", "-fprofile-update=single"]
    if stage == "use":
        return [*shared, f"-fprofile-use={profile}", "-fprofile-partial-training", "-Wno-missing-profile"]
    return shared


def remove_compiled() -> None:
    (FOLDER / RECORD_NAME).unlink(missing_ok=True)
    for name in BUILT_FILES:
        (FOLDER / f"{name}{extension_suffix()}").unlink(missing_ok=True)


def write_record(record: dict[str, object]) -> None:
    staged = FOLDER / f".{RECORD_NAME}.tmp"
    staged.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staged, FOLDER / RECORD_NAME)


def _compile(tmp: Path, flags: list[str], log: IO[str]) -> bool:
    """One build of every extension into ``tmp/lib`` (object files in ``tmp/temp``)."""
    for made in ("temp", "lib"):  # objects of an earlier stage are never reused
        shutil.rmtree(tmp / made, ignore_errors=True)
    log.flush()
    done = subprocess.run(
        [sys.executable, __file__, "--inner", str(tmp), *flags], stdout=log, stderr=subprocess.STDOUT, check=False
    )
    return done.returncode == 0


def _train(tmp: Path, digests: dict[str, str], log: IO[str]) -> bool:
    """Run the counting build on the training workload, in a copy of the package.

    The copy (``tmp/train``) keeps the counting library out of the project: an
    interrupted build never leaves it where the harness would load it.
    """
    tree = tmp / "train"
    shutil.rmtree(tree, ignore_errors=True)
    suffix = extension_suffix()
    shutil.copytree(
        ROOT / "harness", tree / "harness", ignore=shutil.ignore_patterns("__pycache__", f"*{suffix}", RECORD_NAME)
    )
    folder = tree / "harness" / "wirediff"
    for name in BUILT_FILES:
        shutil.copyfile(tmp / "lib" / "harness" / "wirediff" / f"{name}{suffix}", folder / f"{name}{suffix}")
    record = {"compiled": True, "compiler": "mypyc (counting build)", "ext_suffix": suffix, "sources": digests}
    (folder / RECORD_NAME).write_text(json.dumps(record), encoding="utf-8")
    environ = {key: value for key, value in os.environ.items() if key != PURE_ENV}
    environ["PYTHONPATH"] = os.pathsep.join([str(tree), str(ROOT)])  # the copy's harness first
    log.flush()
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "profile_training.py")],
            cwd=tree, env=environ, stdout=log, stderr=subprocess.STDOUT, check=False, timeout=TRAINING_SECONDS,
        )
    except subprocess.TimeoutExpired:
        print(f"profile training: over {TRAINING_SECONDS} s, stopped", file=log, flush=True)
        return False
    return done.returncode == 0


def _profiled(tmp: Path, digests: dict[str, str], log: IO[str]) -> bool:
    """Build, train, build again with the counts; False when any stage fails."""
    profile = tmp / "profile"
    return (
        _compile(tmp, compiler_flags("generate", profile), log)
        and _train(tmp, digests, log)
        and _compile(tmp, compiler_flags("use", profile), log)
    )


def build() -> str:
    """Compile and install; the line to print."""
    if pure_requested(os.environ):
        write_record({"compiled": False, "reason": f"{PURE_ENV} was set at build time"})
        return f"diff core: not compiled ({PURE_ENV} is set); the sources run"
    digests = source_digests()
    LOG.parent.mkdir(exist_ok=True)
    version = gcc_version()
    gcc = version > 0
    with tempfile.TemporaryDirectory(prefix="harness-mypyc-") as folder, LOG.open("w", encoding="utf-8") as log:
        tmp = Path(folder)
        can_guide = version >= GUIDED_GCC and not plain_requested(os.environ)
        guided = can_guide and _profiled(tmp, digests, log)
        how = (
            PROFILE_GUIDED if guided else GUIDED_FAILED if can_guide
            else f"plain: {PLAIN_ENV} was set" if plain_requested(os.environ)
            else f"plain: the C compiler is not GCC {GUIDED_GCC} or newer"
        )
        if how == GUIDED_FAILED:
            print(f"{GUIDED_FAILED}: one plain build instead", file=log, flush=True)
        if not guided and not _compile(tmp, compiler_flags("plain", tmp / "profile") if gcc else [], log):
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
            built = tmp / "lib" / "harness" / "wirediff" / f"{name}{extension_suffix()}"
            staged = FOLDER / f".{built.name}.tmp"
            shutil.copyfile(built, staged)
            os.replace(staged, FOLDER / built.name)
    from mypy.version import __version__ as mypy_version

    guided_note = f", {PROFILE_GUIDED}" if guided else ""
    write_record({
        "build": how,
        "compiled": True,
        "compiler": f"mypyc {mypy_version}{guided_note}",
        "ext_suffix": extension_suffix(),
        "sources": digests,
    })
    return (
        f"diff core: compiled with mypyc {mypy_version} ({len(COMPILED_MODULES)} modules)"
        f" and {len(NATIVE_MODULES)} C module ({', '.join(NATIVE_MODULES.values())}), {how}"
    )


def plain_requested(environ: Mapping[str, str]) -> bool:
    """``HARNESS_PLAIN_BUILD`` set (not "0"): one build, no training run (half the time)."""
    return environ.get(PLAIN_ENV, "") not in ("", "0")


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
        compile_into(Path(argv[1]), argv[2:])
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
