"""Citations for a stored result: BibTeX, CFF and plain text.

Every format names the result reference (experiment name and result id), the
experiment version, the corpus hash and the SHA-256 of each input file the
manifest lists, so a reader can check that the files they hold are the ones
that were cited.

Authors: given on the command line (``--author``, ``--orcid``), else those of
the project's ``CITATION.cff``, else "framing-harness contributors".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.errors import InputError, UsageError
from harness.results.store import StoredResult

CiteFormat = Literal["bibtex", "cff", "text"]
SOFTWARE = "framing-harness"
CITATION_FILE = "CITATION.cff"
ORCID_URL = "https://orcid.org/"
_ORCID_RE = re.compile(r"(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])")


@dataclass(frozen=True, slots=True)
class Author:
    """A person (family and given names) or a group (``name`` only), with an optional ORCID iD."""

    family: str = ""
    given: str = ""
    name: str = ""  # a group, or a person given as one string that has no space
    orcid: str = ""  # the bare iD, 0000-0002-1825-0097

    @classmethod
    def from_text(cls, text: str, orcid: str = "") -> Author:
        """``Family, Given`` or ``Given Family``; one word is taken as a group's name."""
        text = " ".join(text.split())
        if "," in text:
            family, given = (part.strip() for part in text.split(",", 1))
            return cls(family=family, given=given, orcid=orcid)
        if " " in text:
            given, family = text.rsplit(" ", 1)
            return cls(family=family, given=given, orcid=orcid)
        return cls(name=text, orcid=orcid)

    @property
    def display(self) -> str:
        return self.name or " ".join(part for part in (self.given, self.family) if part)

    def cff(self) -> dict[str, str]:
        entry = {"name": self.name} if self.name else {"family-names": self.family, "given-names": self.given}
        entry = {k: v for k, v in entry.items() if v}
        if self.orcid:
            entry["orcid"] = ORCID_URL + self.orcid
        return entry


DEFAULT_AUTHORS = (Author(name=f"{SOFTWARE} contributors"),)


def orcid_id(value: str, *, where: str | Path = "--orcid") -> str:
    """The bare ORCID iD of ``value`` (bare or as its https://orcid.org/ URL); checks the check digit."""
    match = _ORCID_RE.fullmatch(value.strip())
    if match is None or not _orcid_checksum_ok(match.group(1)):
        problem = "is not an ORCID iD" if match is None else "has a wrong check digit"
        raise UsageError(
            f"{value!r} {problem}",
            where=where,
            hint="an ORCID iD is 16 digits in groups of four, e.g. 0000-0002-1825-0097; copy it from orcid.org",
        )
    return match.group(1)


def _orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2, as ORCID computes its last character."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def command_line_authors(names: Sequence[str], orcids: Sequence[str]) -> list[Author]:
    """Authors from ``--author`` options, each ``--orcid`` paired with an author in order."""
    if len(orcids) > len(names):
        raise UsageError(
            f"{len(orcids)} --orcid for {len(names)} --author",
            where="--orcid",
            hint="give an --author for each --orcid; the n-th --orcid belongs to the n-th --author",
        )
    if any(not name.strip() for name in names):
        raise UsageError("an empty --author", where="--author", hint="give each author's name, e.g. --author 'Doe, Jane'")
    ids = [orcid_id(value) for value in orcids]
    return [Author.from_text(name, ids[i] if i < len(ids) else "") for i, name in enumerate(names)]


def project_authors(root: Path) -> list[Author] | None:
    """The authors of the project's CITATION.cff; None when there is no such file."""
    path = root / CITATION_FILE
    if not path.is_file():
        return None
    import yaml  # only for this file

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(
            f"not readable as YAML ({_first_line(exc)})",
            where=path,
            hint="fix the file, or give --author",
        ) from None
    authors = data.get("authors") if isinstance(data, dict) else None
    if not isinstance(authors, list) or not authors:
        raise InputError("no list of authors", where=path, hint="add `authors:` (CFF 1.2.0), or give --author")
    return [_cff_author(entry, path, i) for i, entry in enumerate(authors, 1)]


def _first_line(exc: Exception) -> str:
    """``line 3: found character '\\t' ...``: where and what, without PyYAML's quoted excerpt."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    text = " ".join(str(problem).split())
    return f"line {mark.line + 1}: {text}" if mark is not None else text


def _cff_author(entry: Any, path: Path, number: int) -> Author:
    where = f"{path} author {number}"

    def text(key: str) -> str:
        value = entry.get(key, "")
        return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""

    if not isinstance(entry, dict) or not (text("family-names") or text("name") or text("given-names")):
        raise InputError(
            "an author needs family-names (a person) or name (a group)",
            where=where,
            hint="see https://citation-file-format.github.io, or give --author",
        )
    orcid = orcid_id(text("orcid"), where=where) if text("orcid") else ""
    if text("family-names") or text("given-names"):
        return Author(family=text("family-names"), given=text("given-names"), orcid=orcid)
    return Author(name=text("name"), orcid=orcid)


def _fields(stored: StoredResult) -> dict[str, Any]:
    m = stored.manifest
    return {
        "ref": stored.ref,
        "name": stored.name,
        "version": str(m.experiment["version"]),
        "rid": stored.result_id,
        "software_version": m.environment.get("harness", "unknown"),
        "commit": m.git.get("commit") or "unknown",
        "dirty": m.git.get("dirty"),
        "corpus_hash": m.corpus.get("hash", "unknown"),
        "year": (m.run.get("started_at") or "")[:4] or "n.d.",
        "inputs": [(str(row["path"]), str(row["sha256"])) for row in m.inputs],
    }


def _commit_text(f: dict[str, Any]) -> str:
    # A dirty checkout: the commit alone does not give the result back, the hashes do.
    return f"commit {f['commit']}" + (" with uncommitted changes" if f["dirty"] else "")


def _inputs_text(f: dict[str, Any]) -> str:
    return "; ".join(f"{path} sha256 {sha}" for path, sha in f["inputs"])


def cite(stored: StoredResult, fmt: CiteFormat, authors: Sequence[Author] = DEFAULT_AUTHORS) -> str:
    f = _fields(stored)
    title = f"{f['name']} (experiment version {f['version']}), result {f['rid']}"
    if fmt == "bibtex":
        return _bibtex(f, title, authors)
    if fmt == "cff":
        return _cff(f, title, authors)
    return _text(f, title, authors)


_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")


def _tex(text: str) -> str:
    """A value as LaTeX text: ``my_lex.tsv`` and a brace in a name do not break the entry."""
    replaced = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
    return _BIBTEX_SPECIAL.sub(lambda m: replaced.get(m.group(1), "\\" + m.group(1)), text)


def _bibtex(f: dict[str, Any], title: str, authors: Sequence[Author]) -> str:
    key = re.sub(r"[^A-Za-z0-9_]", "_", f"{f['name']}_{f['rid']}")
    orcids = "; ".join(f"ORCID {a.display} {ORCID_URL}{a.orcid}" for a in authors if a.orcid)
    inputs = f"; inputs: {_inputs_text(f)}" if f["inputs"] else ""
    note = (
        f"{SOFTWARE} {f['software_version']}, {_commit_text(f)}; corpus sha256 {f['corpus_hash']}{inputs}; "
        f"verify with `harness verify {f['ref']}`" + (f"; {orcids}" if orcids else "")
    )
    return (
        f"@misc{{{key},\n"
        f"  title = {{{_tex(title)}}},\n"
        f"  author = {{{' and '.join(_author_tex(a) for a in authors)}}},\n"
        f"  year = {{{f['year']}}},\n"
        f"  version = {{{_tex(f['version'])}}},\n"
        f"  note = {{{_tex(note)}}},\n"
        f"  howpublished = {{Result id {_tex(f['ref'])}}}\n"
        "}\n"
    )


def _author_tex(author: Author) -> str:
    if author.name:
        return "{" + _tex(author.name) + "}"  # braces: a group's name is not split into first/last
    return f"{_tex(author.family)}, {_tex(author.given)}" if author.given else _tex(author.family)


def _cff(f: dict[str, Any], title: str, authors: Sequence[Author]) -> str:
    import yaml  # only for this format

    identifiers = [
        {"type": "other", "value": f["ref"], "description": "harness result reference; verify with harness verify"},
        {"type": "other", "value": f"sha256:{f['corpus_hash']}", "description": "corpus (hash of the articles table)"},
        *(
            {"type": "other", "value": f"sha256:{sha}", "description": f"input file {path}"}
            for path, sha in f["inputs"]
        ),
    ]
    data = {
        "cff-version": "1.2.0",
        "message": "If you use this result, please cite it as below.",
        "type": "dataset",
        "title": title,
        "authors": [a.cff() for a in authors],
        "version": f["rid"],
        "identifiers": identifiers,
        "commit": f["commit"],
        "references": [
            {
                "type": "software",
                "title": SOFTWARE,
                "version": str(f["software_version"]),
                "authors": [a.cff() for a in DEFAULT_AUTHORS],
            }
        ],
    }
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False))


def _text(f: dict[str, Any], title: str, authors: Sequence[Author]) -> str:
    names = ", ".join(a.display + (f" (ORCID {ORCID_URL}{a.orcid})" if a.orcid else "") for a in authors)
    inputs = f" Inputs: {_inputs_text(f)}." if f["inputs"] else ""
    return (
        f"{names} ({f['year']}). {title}. Produced with {SOFTWARE} {f['software_version']} ({_commit_text(f)}); "
        f"corpus sha256 {f['corpus_hash']}.{inputs} Result reference: {f['ref']} "
        f"(re-verify with `harness verify {f['ref']}`).\n"
    )
