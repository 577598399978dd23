"""Pages out of WARC and ARC files (gzipped per record or not), read with warcio.

Every ``response`` record (HTTP) and ``resource`` record (no HTTP) is a candidate
page; other record types (``request``, ``metadata``, ``warcinfo``, ``revisit``)
are not pages and are passed over. A candidate that is not an HTML page is
*skipped* with its reason: another content type, a redirect, a status other than
200. A record that cannot be read whole (cut short, a broken gzip member, a
payload that cannot be decoded) is *rejected*. A file that stops being readable
part way keeps the pages read before, and the rest is one rejection naming the
record it stopped at.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.corpus.webpage import MAX_PAGE_BYTES, header_charset

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_PAGE_RECORDS = frozenset({"response", "resource"})
_WARC_MAGIC = b"WARC/"
_ARC_MAGIC = b"filedesc://"


@dataclass(frozen=True, slots=True)
class PageSource:
    """Where one page came from: a file, and the record within it for an archive."""

    source_file: str  # as given on the command line (a folder's files below it)
    record: int | None = None  # 1-based record number in an archive
    record_id: str | None = None  # WARC-Record-ID (ARC records have none)
    target_uri: str | None = None
    warc_date: str | None = None

    @property
    def where(self) -> str:
        """For messages: ``crawl.warc.gz record 4`` or the file."""
        return self.source_file if self.record is None else f"{self.source_file} record {self.record}"


@dataclass(frozen=True, slots=True)
class RawPage:
    """A page's bytes (HTTP payload, decompressed) with its source and declared charset."""

    source: PageSource
    data: bytes
    charset: str | None = None  # from the HTTP Content-Type header


@dataclass(frozen=True, slots=True)
class NotImported:
    """An input that gave no article: ``skipped`` (not a page) or ``rejected`` (a bad page)."""

    source: PageSource
    status: str  # "skipped" or "rejected"
    reason: str  # a short category, counted in the summary
    detail: str = ""

    def json(self) -> dict[str, Any]:
        s = self.source
        return {
            "source_file": s.source_file,
            "record": s.record,
            "warc_record_id": s.record_id,
            "warc_target_uri": s.target_uri,
            "status": self.status,
            "reason": self.reason,
            "detail": self.detail,
        }


def _skipped(source: PageSource, reason: str, detail: str = "") -> NotImported:
    return NotImported(source, "skipped", reason, detail)


def _rejected(source: PageSource, reason: str, detail: str = "") -> NotImported:
    return NotImported(source, "rejected", reason, detail)


def _first_bytes(path: Path) -> bytes:
    """The archive's first bytes, decompressed when it is gzipped."""
    with path.open("rb") as handle:
        head = handle.read(64)
        if not head.startswith(b"\x1f\x8b"):
            return head
        handle.seek(0)
        try:
            with gzip.GzipFile(fileobj=handle) as unzipped:
                return unzipped.read(64)
        except (OSError, EOFError, zlib.error):
            return b""


def _archive_kind(path: Path) -> str | None:
    head = _first_bytes(path).lstrip(b"\r\n")
    if head.startswith(_WARC_MAGIC):
        return "WARC"
    if head.startswith(_ARC_MAGIC):
        return "ARC"
    return None


def archive_pages(path: Path, shown: str) -> Iterator[RawPage | NotImported]:
    """The pages of one archive file, and what was skipped or rejected, in record order."""
    whole = PageSource(shown)
    try:
        kind = _archive_kind(path)
    except OSError as exc:
        yield _rejected(whole, "unreadable", exc.strerror or str(exc))
        return
    if kind is None:
        yield _rejected(whole, "not a WARC file", "it does not start with a WARC or ARC header")
        return
    with path.open("rb") as handle:
        done = yield from _records(handle, shown)
    if done is not None:
        # The whole file was gzipped as one stream (`gzip crawl.warc`), not record by
        # record as WARC tools write it: warcio stops after the first record. Read the
        # decompressed stream instead, from the record after those already read.
        with gzip.open(path, "rb") as unzipped:
            yield from _records(unzipped, shown, skip=done)


def _records(handle: io.BufferedIOBase, shown: str, skip: int = 0) -> Generator[RawPage | NotImported, None, int | None]:
    """The file's records after the first ``skip``; returns how many were read when the
    file turns out to be one gzip stream (see ``archive_pages``), else None."""
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
    from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

    # warcio logs a note for each URI it repairs; with no handler Python would print it on stderr.
    logging.getLogger("warcio").addHandler(logging.NullHandler())
    records = iter(ArchiveIterator(handle))  # ARC records as ARC: converting invents random record ids
    number = 0
    while True:
        try:
            # warcio writes notes about stray bytes to stderr itself: they are not ours to print.
            with contextlib.redirect_stderr(io.StringIO()):
                record = next(records)
        except StopIteration:
            return None
        except ArchiveLoadFailed as exc:
            if "non-chunked gzip" in str(exc) and skip == 0:
                return number
            yield _rejected(PageSource(shown, number + 1), "damaged archive", f"unreadable after record {number}: {_message(exc)}")
            return None
        except Exception as exc:  # warcio raises many types on a damaged file (even AttributeError)
            yield _rejected(PageSource(shown, number + 1), "damaged archive", f"unreadable after record {number}: {_message(exc)}")
            return None
        number += 1
        if number > skip and record.rec_type in _PAGE_RECORDS:
            yield _record_page(record, _source(record, shown, number))


def _message(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _source(record: Any, shown: str, number: int) -> PageSource:
    headers = record.rec_headers
    if record.format == "arc":  # no record id; the date as 14 digits
        return PageSource(shown, number, target_uri=headers.get_header("uri"), warc_date=_arc_date(headers.get_header("archive-date")))
    return PageSource(
        shown,
        number,
        record_id=headers.get_header("WARC-Record-ID"),
        target_uri=headers.get_header("WARC-Target-URI"),
        warc_date=headers.get_header("WARC-Date"),
    )


def _arc_date(value: str | None) -> str | None:
    """``20250724060000`` (ARC) as ``2025-07-24T06:00:00Z`` (WARC), else as given."""
    if value is None or len(value) != 14 or not value.isdigit():
        return value
    v = value
    return f"{v[:4]}-{v[4:6]}-{v[6:8]}T{v[8:10]}:{v[10:12]}:{v[12:14]}Z"


def _mime(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def _record_page(record: Any, source: PageSource) -> RawPage | NotImported:
    """One response or resource record: its page, or why it is not one."""
    http = record.http_headers if record.rec_type == "response" else None
    if http is not None:
        status = http.get_statuscode()
        if status and status.startswith("3"):
            return _skipped(source, "redirect", f"HTTP {status} to {http.get_header('Location') or '?'}")
        if status != "200":
            return _skipped(source, "HTTP status not 200", f"HTTP {status}")
        content_type = http.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    mime = _mime(content_type)
    if mime is not None and mime not in HTML_TYPES:
        return _skipped(source, "not HTML", mime)
    return _payload(record, source, header_charset(content_type))


def _payload(record: Any, source: PageSource, charset: str | None) -> RawPage | NotImported:
    try:
        data = record.content_stream().read(MAX_PAGE_BYTES + 1)
    except Exception as exc:  # a broken gzip member or chunked/compressed body: warcio's many types
        return _rejected(source, "unreadable record", _message(exc))
    if len(data) > MAX_PAGE_BYTES:
        return _rejected(source, "too large", f"over {MAX_PAGE_BYTES:,} bytes")
    missing = getattr(record.raw_stream, "limit", 0) or 0
    if missing > 0:
        return _rejected(source, "truncated record", f"{missing:,} bytes of the record are missing")
    return RawPage(source, data, charset)
