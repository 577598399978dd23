"""``harness corpus import``: saved web pages and WARC crawls into an articles corpus.

Inputs are saved HTML files (``.html``, ``.htm``, ``.xhtml``, ``.shtml``, each also
gzipped as ``.gz``), WARC/ARC files (``.warc``, ``.arc``, gzipped or not) and
folders of them (read recursively; ``README*`` and hidden files are documentation,
the ``NAME_files/`` folder a browser saves beside ``NAME.html`` holds that page's
images and scripts, and other files are counted and left alone). Pages are read
in the order of their file's path (then record order), whatever order the inputs
were named in.

Each page becomes one article (see :data:`IMPORT_SCHEMA`): its main text and
metadata from trafilatura (:mod:`harness.corpus.webpage`), its provenance (file,
WARC record, extractor and version, a SHA-256 of the page's bytes). ``doc_id`` is
the harness's content id of outlet, headline and body (the id the corpus readers
give an article without one), so it is the same however the pages are named or
listed, and a page read twice (the same article saved or crawled again) is
rejected as a duplicate of the first. Pages that give no article are counted and
listed, never fatal; an import that gives no article at all is an error.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import polars as pl

from harness.corpus.markup import html_evidence
from harness.corpus.schema import content_doc_id
from harness.corpus.webarchive import NotImported, PageSource, RawPage, archive_pages
from harness.corpus.webpage import (
    EXTRACTOR,
    MAX_PAGE_BYTES,
    PageRejected,
    content_sha256,
    decode_page,
    extract_page,
    extractor_version,
    page_outlet,
    saved_from_url,
)
from harness.errors import InputError, UsageError
from harness.experiments.settings import Help, Range
from harness.safetext import unicode_text

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
ARCHIVE_SUFFIXES = (".warc", ".arc")
OUTPUT_SUFFIXES = (".jsonl", ".parquet")
DEFAULT_MIN_WORDS = 30
_SUFFIXES_SHOWN = "/".join(PAGE_SUFFIXES + ARCHIVE_SUFFIXES) + " files, each also gzipped (.gz)"

# The imported corpus: the articles fields every corpus reader takes (doc_id ...
# published), then what the page said of itself, then provenance. Read back as a
# corpus, the columns after `published` land in `meta`. Column names are a contract.
IMPORT_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "outlet": pl.String(),
    "headline": pl.String(),
    "body": pl.String(),
    "published": pl.String(),  # ISO 8601 date (YYYY-MM-DD), null when the page gives none
    "author": pl.String(),
    "url": pl.String(),  # the page's canonical URL, else the address it was fetched from
    "sitename": pl.String(),  # the site's name as the extractor found it (null when none)
    "source_file": pl.String(),  # the file, as given on the command line
    "warc_record_id": pl.String(),
    "warc_target_uri": pl.String(),
    "warc_date": pl.String(),  # when the crawler fetched the page
    "extractor": pl.String(),
    "extractor_version": pl.String(),
    "content_sha256": pl.String(),  # of the page's bytes as fetched or saved (decompressed)
    "encoding": pl.String(),  # the codec the page was decoded with
    "replaced_bytes": pl.Int64(),  # invalid bytes decoded as U+FFFD (0 for a clean page)
}

Progress = Callable[[int], None]


MinWords = Annotated[
    int,
    Range(1, 100_000),
    Help("Reject a page whose main text has fewer words (whitespace-separated) than this."),
]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    min_words: MinWords = DEFAULT_MIN_WORDS


@dataclass(slots=True)
class ImportResult:
    """The imported articles, and every page or record that gave none."""

    articles: pl.DataFrame
    not_imported: list[NotImported] = field(default_factory=list)
    ignored_files: int = 0  # files in a folder that are neither pages nor archives

    @property
    def pages(self) -> int:
        """Pages looked at: those imported and those rejected (skipped records are not pages)."""
        return self.articles.height + sum(self.counts("rejected").values())

    def counts(self, status: str) -> Counter[str]:
        return Counter(item.reason for item in self.not_imported if item.status == status)

    @property
    def replaced_pages(self) -> int:
        """Articles decoded with at least one invalid byte replaced."""
        return int((self.articles["replaced_bytes"] > 0).sum())

    def summary(self) -> str:
        """One line: how many articles, what was skipped and rejected, per reason."""
        parts = [f"{_count(self.articles.height, 'article')} from {_count(self.pages, 'page')}"]
        for status in ("skipped", "rejected"):
            counts = self.counts(status)
            if counts:
                reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items()))
                parts.append(f"{sum(counts.values())} {status} ({reasons})")
        if self.replaced_pages:
            parts.append(f"{_count(self.replaced_pages, 'page')} decoded with invalid bytes replaced")
        if self.ignored_files:
            parts.append(f"{_count(self.ignored_files, 'other file')} ignored")
        return "; ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- inputs ----------------------------------------------------------------------------------------


def _kind(name: str) -> Literal["page", "archive"] | None:
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(PAGE_SUFFIXES):
        return "page"
    if lower.endswith(ARCHIVE_SUFFIXES):
        return "archive"
    return None


def _unsupported(path: Path) -> InputError:
    return InputError(
        "not a web page or web archive",
        where=unicode_text(path),
        hint=f"name folders, or {_SUFFIXES_SHOWN}",
    )


def check_import_input(path: Path) -> None:
    """A path given on the command line can be read (one line, exit 2, before any work)."""
    shown = unicode_text(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file or folder", where=shown, hint="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=shown, hint="check the path") from None
    if stat.S_ISDIR(info.st_mode):
        if not os.access(path, os.R_OK | os.X_OK):
            raise InputError("cannot read the folder: permission denied", where=shown, hint="check its permissions")
        return
    if not stat.S_ISREG(info.st_mode):
        raise InputError("is not a regular file", where=shown, hint="save the pages to files first")
    if _kind(path.name) is None:
        raise _unsupported(path)
    if not os.access(path, os.R_OK):
        raise InputError("cannot read the file: permission denied", where=shown, hint="check its permissions")


def _is_documentation(name: str) -> bool:
    return name.startswith(".") or name.upper().startswith("README")


def _saved_resources(files: list[str]) -> set[str]:
    """Folders ``NAME_files`` beside a saved ``NAME.html``: that page's resources."""
    stems = {name.removesuffix(".gz").rsplit(".", 1)[0] for name in files if _kind(name) == "page"}
    return {f"{stem}_files" for stem in stems}


@dataclass(slots=True)
class Inputs:
    """What the paths given hold: files to read, other files, folders that could not be listed."""

    files: list[tuple[str, Path]] = field(default_factory=list)  # (shown name, path), sorted by name
    ignored: int = 0
    unreadable: list[NotImported] = field(default_factory=list)


def _walk(folder: Path, inputs: Inputs) -> list[Path]:
    """Page and archive files under ``folder``, sorted; other files and unreadable
    subfolders are noted in ``inputs``."""
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        where = _shown(Path(error.filename)) if error.filename else _shown(folder)
        inputs.unreadable.append(NotImported(PageSource(where), "rejected", "unreadable", error.strerror or str(error)))

    for current, dirs, files in os.walk(folder, onerror=unreadable):
        resources = _saved_resources(files)
        dirs[:] = sorted(d for d in dirs if not _is_documentation(d) and d not in resources)
        for name in sorted(files):
            if _is_documentation(name):
                continue
            if _kind(name) is None:
                inputs.ignored += 1
            else:
                found.append(Path(current) / name)
    return found


def _shown(path: Path) -> str:
    return unicode_text(Path(os.path.normpath(path)).as_posix())


def import_files(paths: Sequence[Path]) -> Inputs:
    """Every file to read, as (shown name, path) sorted by name, once each; the other
    files the folders hold, and their subfolders that could not be listed."""
    for path in paths:
        check_import_input(path)
    inputs = Inputs()
    files: dict[str, tuple[str, Path]] = {}  # by real path: a file named twice is read once
    for path in paths:
        if path.is_dir():
            found = _walk(path, inputs)
            if not found and not inputs.unreadable:
                raise InputError(
                    "folder holds no web pages or web archives",
                    where=unicode_text(path),
                    hint=f"put {_SUFFIXES_SHOWN} in it, or check the path",
                )
        else:
            found = [path]
        for file in found:
            key, entry = os.path.realpath(file), (_shown(file), file)
            files[key] = min(files.get(key, entry), entry, key=lambda item: item[0])  # not by input order
    inputs.files = sorted(files.values(), key=lambda item: item[0])
    return inputs


# -- pages -----------------------------------------------------------------------------------------


def _read_page_file(path: Path) -> bytes:
    """A saved page's bytes (gunzipped), at most MAX_PAGE_BYTES + 1 of them."""
    with path.open("rb") as handle:
        if path.name.lower().endswith(".gz"):
            with gzip.GzipFile(fileobj=handle) as unzipped:
                return unzipped.read(MAX_PAGE_BYTES + 1)
        return handle.read(MAX_PAGE_BYTES + 1)


def page_file(path: Path, shown: str) -> RawPage | NotImported:
    source = PageSource(shown)
    try:
        data = _read_page_file(path)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return NotImported(source, "rejected", "truncated or damaged gzip", f"{type(exc).__name__}: {exc}")
    except OSError as exc:
        return NotImported(source, "rejected", "unreadable", exc.strerror or str(exc))
    if len(data) > MAX_PAGE_BYTES:
        return NotImported(source, "rejected", "too large", f"over {MAX_PAGE_BYTES:,} bytes")
    return RawPage(source, data)


def _pages(files: list[tuple[str, Path]]) -> Iterator[RawPage | NotImported]:
    for shown, path in files:
        if _kind(path.name) == "archive":
            yield from archive_pages(path, shown)
        else:
            yield page_file(path, shown)


def _folder(shown: str) -> str | None:
    parent = Path(shown).parent.name.strip()
    return parent if parent not in ("", ".", "..") else None


def _max_date(warc_date: str | None) -> str | None:
    """The newest acceptable publication date of a crawled page: the day after it was
    fetched (a page dated in a time zone ahead of the crawler's clock is not future)."""
    if not warc_date or len(warc_date) < 10:
        return None
    import datetime as dt

    try:
        fetched = dt.date.fromisoformat(warc_date[:10])
    except ValueError:
        return None
    return (fetched + dt.timedelta(days=1)).isoformat()


def article_row(page: RawPage, options: ImportOptions, version: str) -> dict[str, object]:
    """The article of one page; :class:`PageRejected` when it gives none."""
    decoded = decode_page(page.data, page.charset)
    source = page.source
    saved = saved_from_url(decoded.text)
    extracted = extract_page(
        decoded.text, url=source.target_uri or saved, max_date=_max_date(source.warc_date)
    )
    words = len(extracted.body.split())
    if words < options.min_words:
        raise PageRejected("too short", f"{_count(words, 'word')} of main text, at least {options.min_words} needed")
    evidence = html_evidence(extracted.body)
    if evidence is not None:  # a corpus reader would refuse it: keep the corpus readable
        raise PageRejected("markup in main text", evidence.describe())
    outlet = page_outlet(extracted.sitename, (extracted.url, source.target_uri, saved), _folder(source.source_file))
    return {
        "doc_id": content_doc_id(outlet, extracted.headline, extracted.body),
        "outlet": outlet,
        "headline": extracted.headline,
        "body": extracted.body,
        "published": extracted.published,
        "author": extracted.author,
        "url": extracted.url or source.target_uri or saved,
        "sitename": extracted.sitename,
        "source_file": source.source_file,
        "warc_record_id": source.record_id,
        "warc_target_uri": source.target_uri,
        "warc_date": source.warc_date,
        "extractor": EXTRACTOR,
        "extractor_version": version,
        "content_sha256": content_sha256(page.data),
        "encoding": decoded.encoding,
        "replaced_bytes": decoded.replaced,
    }


def import_pages(
    paths: Sequence[Path], options: ImportOptions = ImportOptions(), *, progress: Progress | None = None
) -> ImportResult:
    """Every page under ``paths`` as an article (see the module docstring).

    An InputError for a path that cannot be read, or when no page gave an article.
    """
    if not paths:
        raise UsageError("no input given", hint="name saved pages, WARC files or folders of them")
    inputs = import_files(paths)
    version = extractor_version()
    rows: list[dict[str, object]] = []
    first: dict[str, str] = {}  # doc_id -> where it was first read
    result = ImportResult(pl.DataFrame(schema=IMPORT_SCHEMA), list(inputs.unreadable), inputs.ignored)
    for seen, item in enumerate(_pages(inputs.files), start=1):
        if isinstance(item, NotImported):
            result.not_imported.append(item)
        else:
            _import_one(item, options, version, rows, first, result)
        if progress is not None:
            progress(seen)
    result.articles = pl.DataFrame(rows, schema=IMPORT_SCHEMA, orient="row") if rows else result.articles
    if not rows:
        raise _nothing_imported(paths, result)
    return result


def _import_one(
    page: RawPage,
    options: ImportOptions,
    version: str,
    rows: list[dict[str, object]],
    first: dict[str, str],
    result: ImportResult,
) -> None:
    try:
        row = article_row(page, options, version)
    except PageRejected as exc:
        result.not_imported.append(NotImported(page.source, "rejected", exc.reason, exc.detail))
        return
    doc_id = str(row["doc_id"])
    if doc_id in first:
        detail = f"same outlet, headline and text as {first[doc_id]}"
        result.not_imported.append(NotImported(page.source, "rejected", "duplicate", detail))
        return
    first[doc_id] = page.source.where
    rows.append(row)


def _nothing_imported(paths: Sequence[Path], result: ImportResult) -> InputError:
    shown = " ".join(unicode_text(p) for p in paths)
    counts = Counter(i.reason for i in result.not_imported)
    reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(counts.items())) or "no page found"
    return InputError(
        f"no article imported: {reasons}",
        where=shown,
        hint=_first_rejected(result) + "an import needs at least one HTML page holding an article",
    )


def _first_rejected(result: ImportResult) -> str:
    rejected = [i for i in result.not_imported if i.status == "rejected"] or result.not_imported
    if not rejected:
        return ""
    first = rejected[0]
    return f"first: {first.source.where}: {first.reason}; "


# -- output ----------------------------------------------------------------------------------------


def check_import_output(output: Path, option: str = "-o") -> None:
    """The output format comes from the suffix: checked before any work."""
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(
            f"cannot tell the output format from {unicode_text(output.name)!r}",
            where=unicode_text(output),
            hint=f"{option}: name the file *.jsonl or *.parquet",
        )


def jsonl_bytes(frame: pl.DataFrame) -> bytes:
    """One JSON object per line, columns in schema order: the same rows, the same bytes."""
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in frame.iter_rows(named=True))
    return "".join(lines).encode("utf-8")


def corpus_bytes(frame: pl.DataFrame, output: Path) -> bytes:
    from harness.results import table_bytes

    check_import_output(output)
    return table_bytes(frame) if output.suffix.lower() == ".parquet" else jsonl_bytes(frame)


def rejects_bytes(result: ImportResult) -> bytes:
    """Every page or record not imported, one JSON object per line, in reading order."""
    return "".join(json.dumps(item.json(), ensure_ascii=False) + "\n" for item in result.not_imported).encode("utf-8")
