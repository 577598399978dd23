"""Citations for a stored result: BibTeX, CFF and plain text."""

from __future__ import annotations

from typing import Literal

from harness.results.store import StoredResult

CiteFormat = Literal["bibtex", "cff", "text"]
SOFTWARE = "framing-harness"


def _fields(stored: StoredResult) -> dict[str, str]:
    m = stored.manifest
    return {
        "ref": stored.ref,
        "name": stored.name,
        "version": m.experiment["version"],
        "rid": stored.result_id,
        "software_version": m.environment.get("harness", "unknown"),
        "commit": m.git.get("commit") or "unknown",
        "corpus_hash": m.corpus.get("hash", "unknown"),
        "year": (m.run.get("started_at") or "")[:4] or "n.d.",
    }


def cite(stored: StoredResult, fmt: CiteFormat) -> str:
    f = _fields(stored)
    title = f"{f['name']} (experiment version {f['version']}), result {f['rid']}"
    if fmt == "bibtex":
        key = f"{f['name'].replace('-', '_')}_{f['rid']}"
        return (
            f"@misc{{{key},\n"
            f"  title = {{{title}}},\n"
            f"  author = {{{{framing-harness contributors}}}},\n"
            f"  year = {{{f['year']}}},\n"
            f"  note = {{{SOFTWARE} {f['software_version']}, commit {f['commit']}; "
            f"corpus sha256 {f['corpus_hash']}; verify with `harness verify {f['ref']}`}},\n"
            f"  howpublished = {{Result id {f['ref']}}}\n"
            "}\n"
        )
    if fmt == "cff":
        return (
            "cff-version: 1.2.0\n"
            "message: If you use this result, please cite it as below.\n"
            "type: dataset\n"
            f'title: "{title}"\n'
            "authors:\n  - name: framing-harness contributors\n"
            f'version: "{f["rid"]}"\n'
            "identifiers:\n"
            "  - type: other\n"
            f'    value: "{f["ref"]}"\n'
            f'    description: "harness result reference; verify with harness verify"\n'
            f'commit: "{f["commit"]}"\n'
            "references:\n"
            "  - type: software\n"
            f'    title: "{SOFTWARE}"\n'
            f'    version: "{f["software_version"]}"\n'
            "    authors:\n      - name: framing-harness contributors\n"
        )
    return (
        f"{title}. Produced with {SOFTWARE} {f['software_version']} (commit {f['commit']}); "
        f"corpus sha256 {f['corpus_hash']}. Result reference: {f['ref']} "
        f"(re-verify with `harness verify {f['ref']}`).\n"
    )
