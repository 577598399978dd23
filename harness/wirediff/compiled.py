"""Whether the diff runs compiled (mypyc) or from its Python sources, and why.

``make`` compiles the diff's per-pair modules (:data:`COMPILED_MODULES`) with mypyc
(``scripts/build_compiled.py``): the same typed Python, turned into C by mypy's
own compiler, with every edit the same bytes: alignment and classification about
1.7x as fast, a whole comparison a fifth fewer instructions (benchmarks/RESULTS.md). The sources stay the definition; the compiled modules lie
beside them (``classify.cpython-311-x86_64-linux-gnu.so``), with a record of the
build (``compiled.json``: a digest of each source, the compiler's version).

Python's import system prefers an extension module to a ``.py`` of the same name,
so a source edited after the build would silently lose to its stale compiled
form. This module, run by the package before any of those modules loads, reads
the record: unless every source is the one that was compiled, the compiled library
loads and ``HARNESS_PURE_PYTHON`` is unset (or ``0``), the import system is made to take the
sources, for all of them at once, since the compiled modules call one another
inside one shared library. Results say which ran: a manifest's environment holds
:func:`describe` (``harness.results.manifest``).

Some loops are written in C by hand (:data:`NATIVE_MODULES`, ``units.c``: cutting a
text into units and reading their memoised facts into columns, Punkt's fast path, the
page-chrome rules' sentences and words, the similarity's word counts, the alignment of a
pair, discovery's word keys, shingles, MinHash minima and shared shingles; the README
lists them). Even compiled, those spent their time in CPython's runtime (a list, tuple or
string built and freed per unit, match or word). They are built and recorded with the
rest, and used only when the rest runs compiled (:func:`native_function`): the sources,
when they run, run alone.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import sys
import sysconfig
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TYPE_CHECKING = False  # as in harness/__init__.py
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from typing import Any
    from types import ModuleType

PACKAGE = "harness.wirediff"
FOLDER = Path(__file__).resolve().parent

COMPILED_MODULES = (
    "align", "boilerplate", "classify", "diff", "frozen", "lexicon", "model", "names",
    "normalise", "phrases", "prepare", "similarity", "tokens", "typography",
)
"""The modules a comparison spends its time in (not frames or styles: loaded once). The
lexicon is loaded once too, but the rules read its word lists hundreds of times a pair:
compiled, ``Lexicon`` is a native class and those reads are native."""

NATIVE_MODULES = {"_units": "units.c"}
"""Extension modules written in C (module -> its source beside this file), built with the
others: loops that stay in CPython's runtime even compiled (``units.c`` says which)."""

SHARED_LIBRARY = "core__mypyc"  # mypyc's library of the group "harness.wirediff.core": the code itself
BUILT_FILES = (*COMPILED_MODULES, SHARED_LIBRARY, *NATIVE_MODULES)  # each an extension module of this Python
RECORD_NAME = "compiled.json"
PURE_ENV = "HARNESS_PURE_PYTHON"  # set (not "0"): run the sources even when compiled


@dataclass(frozen=True, slots=True)
class CoreState:
    """How the diff's modules run in this process."""

    compiled: bool
    detail: str  # the compiler ("mypyc 2.4.1"), or why the sources run

    def describe(self) -> str:
        return f"compiled ({self.detail})" if self.compiled else f"python ({self.detail})"


def _sources(folder: Path) -> dict[str, Path]:
    """Module name -> its source, for every module the build compiles."""
    return {
        **{name: folder / f"{name}.py" for name in COMPILED_MODULES},
        **{name: folder / source for name, source in NATIVE_MODULES.items()},
    }


def source_digests(folder: Path = FOLDER) -> dict[str, str]:
    """Module name -> blake2b of its source bytes, for every compiled module."""
    return {name: hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest() for name, path in _sources(folder).items()}


def extension_suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def extension_paths(folder: Path = FOLDER) -> list[Path]:
    """The compiled files of this Python that exist in ``folder``."""
    suffix = extension_suffix()
    return [path for name in BUILT_FILES if (path := folder / f"{name}{suffix}").exists()]


def pure_requested(environ: Mapping[str, str]) -> bool:
    return environ.get(PURE_ENV, "") not in ("", "0")


def read_state(folder: Path, environ: Mapping[str, str]) -> CoreState:
    """What the record in ``folder`` says, checked against the sources and this Python."""
    if pure_requested(environ):
        return CoreState(False, f"{PURE_ENV} is set")
    try:
        record = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return CoreState(False, "not compiled: `make` compiles it")
    except (OSError, ValueError) as error:
        return CoreState(False, f"unreadable {RECORD_NAME}: {error}")
    if not isinstance(record, dict) or not record.get("compiled"):
        reason = record.get("reason") if isinstance(record, dict) else None
        return CoreState(False, f"not compiled: {reason or 'no reason recorded'}")
    if record.get("ext_suffix") != extension_suffix():
        return CoreState(False, f"compiled for another Python ({record.get('ext_suffix')})")
    if len(extension_paths(folder)) != len(BUILT_FILES):
        return CoreState(False, "compiled files missing: `make` compiles them again")
    changed = sorted(name for name, digest in source_digests(folder).items() if record.get("sources", {}).get(name) != digest)
    if changed:
        return CoreState(False, f"{', '.join(changed)} changed since compiled: `make` compiles again")
    return CoreState(True, str(record.get("compiler", "mypyc")))


def native_function(module: str, name: str) -> Callable[..., Any] | None:
    """``name`` of the C module ``module`` (:data:`NATIVE_MODULES`) when the core runs
    compiled, else None: the caller runs its Python definition, as every module then does."""
    if not core_state().compiled:
        return None
    function: Callable[..., Any] = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
    return function


class SourceFinder:
    """Finds the compiled modules' ``.py`` sources ahead of their extension modules
    (a meta path finder: ``find_spec`` is all ``sys.meta_path`` asks of one)."""

    def __init__(self, folder: Path, names: Sequence[str]) -> None:
        self.sources = {f"{PACKAGE}.{name}": folder / f"{name}.py" for name in names}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.sources.get(fullname)
        return None if source is None else importlib.util.spec_from_file_location(fullname, source)


_STATE: list[CoreState] = []  # this process's state, once chosen


def core_state() -> CoreState:
    """This process's state (read once: every worker reads the same files)."""
    return _STATE[0] if _STATE else choose_core()


def describe() -> str:
    """``compiled (mypyc 2.4.1)`` or ``python (why)``: what a result's manifest records."""
    return core_state().describe()


def _loads(name: str) -> str | None:
    """None when the compiled library loads, else why not (a build for a lost library, say)."""
    try:
        importlib.import_module(f"{PACKAGE}.{name}")
    except ImportError as error:
        return f"compiled files do not load ({error}): `make` compiles again"
    return None


def choose_core() -> CoreState:
    """Make the sources win over compiled files that are not current, not wanted or not loadable."""
    if _STATE:
        return _STATE[0]
    state = read_state(FOLDER, os.environ)
    if state.compiled:
        failure = next(filter(None, map(_loads, (SHARED_LIBRARY, *NATIVE_MODULES))), None)
        if failure is not None:
            state = CoreState(False, failure)
    if not state.compiled and extension_paths():
        sys.meta_path.insert(0, SourceFinder(FOLDER, COMPILED_MODULES))
    _STATE.append(state)
    return state
