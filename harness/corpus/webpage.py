"""One saved web page to one article: decode its bytes, extract its main text and metadata.

Decoding follows what a browser does, in this order: a byte order mark, the
charset of the HTTP ``Content-Type`` header (WARC records), a ``<meta charset>``
(or ``http-equiv``) declaration near the top, then UTF-8. The first that decodes
the bytes without error is used; when none does, the page is decoded as the
first of them with one U+FFFD per invalid byte, and the count is kept (a page
that is mostly invalid bytes is refused as undecodable). As browsers do, the
labels ``iso-8859-1``, ``latin1`` and ``ascii`` mean windows-1252: pages that say
latin-1 usually hold curly quotes from windows-1252.

The main text and metadata come from trafilatura with fixed options (see
:data:`EXTRACTION_OPTIONS`), so the same page gives the same article on any
machine and any day: the newest date htmldate may accept is the crawl's date
(WARC records) or a fixed far date (saved files), never today's.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.corpus.markup import html_evidence
from harness.corpus.schema import UNKNOWN_OUTLET

if TYPE_CHECKING:
    from trafilatura.settings import Document

EXTRACTOR = "trafilatura"
# Every option passed to trafilatura.bare_extraction, fixed: part of what an import means.
EXTRACTION_OPTIONS: dict[str, Any] = {
    "fast": False,
    "favor_precision": False,
    "favor_recall": False,
    "include_comments": False,  # reader comments are not the article
    "include_tables": True,
    "include_images": False,
    "include_formatting": False,
    "include_links": False,
    "deduplicate": False,  # no state shared between pages: each page on its own
    "with_metadata": True,
    "output_format": "python",
}
# The newest publication date accepted for a saved file, which has no crawl date.
# A constant, not today: the same file must give the same date next year.
FILE_MAX_DATE = "2099-12-31"
MIN_DATE = "1995-01-01"  # htmldate's own earliest date, written out so it cannot drift
# A page larger than this is not an article page (trafilatura's own MAX_FILE_SIZE).
MAX_PAGE_BYTES = 20_000_000
# Above this share of invalid bytes the "text" is not text in any declared encoding.
MAX_REPLACED_SHARE = 0.05
_PRESCAN_BYTES = 4096  # how far a <meta charset> is looked for (browsers: 1024)

_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# A page's structure, beyond what markup.html_evidence needs (a doctype, <html>, or two block tags).
_PAGE_TAG = re.compile(r"<(?:head|body|title|meta)\b", re.IGNORECASE)
# Chrome and Internet Explorer mark a saved page: <!-- saved from url=(0046)https://... -->
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG: these labels are decoded as windows-1252 by every browser.
_AS_WINDOWS_1252 = frozenset({"iso8859-1", "ascii", "latin-1"})
# Never honoured from a page: UTF-16 cannot be declared inside the bytes it encodes,
# and UTF-7 is refused by browsers (it smuggles markup past filters).
_NOT_DECLARABLE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-7"})
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_SENTENCE_ENDS = (".", "!", "?", "\"", "\u201d", ",", ":", ";")
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")


@dataclass(frozen=True, slots=True)
class Decoded:
    """A page's text, the encoding it was read in, and how many bytes were replaced."""

    text: str
    encoding: str
    replaced: int


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the extractor found on one page (before the article is checked)."""

    headline: str
    body: str
    published: str | None
    author: str | None
    url: str | None
    sitename: str | None


class PageRejected(Exception):
    """A page that gives no article: ``reason`` is a short category, ``detail`` says more."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def extractor_version() -> str:
    from importlib.metadata import version

    return version(EXTRACTOR)


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- decoding ----------------------------------------------------------------------------------------


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label as browsers read it, None when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def header_charset(content_type: str | None) -> str | None:
    """The charset label of an HTTP ``Content-Type`` value, if any."""
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _declared(data: bytes) -> str | None:
    match = _CHARSET.search(data[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _candidates(data: bytes, http_charset: str | None) -> list[str]:
    """Encodings to try, most authoritative first, without repeats."""
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return [bom_codec]  # a byte order mark overrides every declaration
    found: list[str] = []
    for label in (http_charset, _declared(data)):
        name = codec_name(label)
        if name is not None and name not in _NOT_DECLARABLE and name not in found:
            found.append(name)
    if "utf-8" not in found:
        found.append("utf-8")
    return found


def decode_page(data: bytes, http_charset: str | None = None) -> Decoded:
    """The page as text (see the module docstring for the order of encodings tried)."""
    candidates = _candidates(data, http_charset)
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        return Decoded(text.removeprefix("\ufeff"), name, 0)
    first = candidates[0]
    escaped = data.decode(first, errors="surrogateescape")
    text, replaced = _ESCAPED_BYTE.subn("\ufffd", escaped)
    if replaced > MAX_REPLACED_SHARE * len(data):
        raise PageRejected("undecodable", f"{replaced} of {len(data)} bytes are not {first}")
    return Decoded(text.removeprefix("\ufeff"), first, replaced)


def looks_like_html(text: str) -> bool:
    return html_evidence(text) is not None or _PAGE_TAG.search(text) is not None


def saved_from_url(text: str) -> str | None:
    """The address a browser noted when it saved the page, if it did."""
    match = _SAVED_FROM.search(text[:_PRESCAN_BYTES])
    return match.group(1) if match and _is_web_url(match.group(1)) else None


# -- extraction -------------------------------------------------------------------------------------


def _date_params(max_date: str | None) -> dict[str, Any]:
    return {
        "original_date": True,  # the publication date, not the last update
        "extensive_search": True,
        "outputformat": "%Y-%m-%d",
        "min_date": MIN_DATE,
        "max_date": max_date or FILE_MAX_DATE,
    }


def extract_page(text: str, *, url: str | None, max_date: str | None) -> Extracted:
    """Main text and metadata of a decoded page; :class:`PageRejected` when it has none."""
    import trafilatura  # lxml and friends: only when pages are imported

    if not text.strip():
        raise PageRejected("empty page")
    if not looks_like_html(text):
        raise PageRejected("not HTML", "no HTML document structure")
    try:
        document = trafilatura.bare_extraction(
            text, url=url, date_extraction_params=_date_params(max_date), **EXTRACTION_OPTIONS
        )
    except Exception as exc:  # lxml and the extractor's heuristics on hostile markup: any type
        raise PageRejected("extractor failed", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
    if document is None or isinstance(document, dict) or not (document.text or "").strip():
        raise PageRejected("no main text", "the extractor found no article text on the page")
    return _extracted(document)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _extracted(document: Document) -> Extracted:
    sitename = _clean(document.sitename)
    headline = strip_site_suffix(_clean(document.title) or "", sitename)
    return Extracted(
        headline=headline,
        body=body_text(document.text or "", headline),
        published=_clean(document.date),
        author=_clean(document.author),
        url=_clean(document.url),
        sitename=sitename,
    )


def strip_site_suffix(title: str, sitename: str | None) -> str:
    """``Headline | Site Name`` -> ``Headline`` when the tail is the site's name."""
    if not sitename:
        return title
    for separator in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and tail.strip().casefold() == sitename.casefold():
            return head.strip()
    return title


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def body_text(text: str, headline: str) -> str:
    """One paragraph per line, blank lines dropped; a first line that repeats the
    headline is the page's <h1>, not the body's first paragraph."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if lines and headline and _same_text(lines[0], headline):
        lines = lines[1:]
    return "\n".join(lines)


# -- the outlet ----------------------------------------------------------------------------------------


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def url_domain(url: str | None) -> str | None:
    """The registered domain of ``url`` (``news.yahoo.com/...`` -> ``yahoo.com``; the path
    never counts), else its host without ``www.``; None without a host."""
    host = _host(url)
    if host is None:
        return None
    from tld import get_fld  # a dependency of trafilatura's URL library; bundles the public suffix list

    registered = get_fld(host, fail_silently=True, fix_protocol=True)
    if isinstance(registered, str) and registered:
        return registered
    return host.removeprefix("www.")


def _host_fallback(url: str | None) -> str | None:
    """What trafilatura names a site that names none: the host without ``www.``/``w1.``."""
    host = _host(url)
    return re.sub(r"^(?:www|w[0-9]+)\.", "", host) if host else None


MAX_SITE_NAME_WORDS = 8  # "The Times of India", "Daily Mail Online": names are short
MAX_SITE_NAME_CHARS = 80


def is_site_name(value: str) -> bool:
    """A publication's name, not a URL (``article:publisher`` often holds a Facebook page) nor
    a clause of a title: without a site name the extractor takes any part of the title
    holding a ``.``, which may be half a sentence."""
    if "://" in value or "/" in value or len(value) > MAX_SITE_NAME_CHARS:
        return False
    return len(value.split()) <= MAX_SITE_NAME_WORDS and not value.rstrip().endswith(_SENTENCE_ENDS)


def page_outlet(sitename: str | None, urls: tuple[str | None, ...], folder: str | None) -> str:
    """The site's own name; else the registered domain of the first known URL; else the
    file's folder; else ``unknown``.

    A site name that is a URL (``article:publisher`` often holds a Facebook page) or
    merely the page's host (trafilatura's fallback) is not a name the site gave.
    """
    known = [url for url in urls if url]
    if sitename and is_site_name(sitename):
        if not known or sitename.casefold() != (_host_fallback(known[0]) or "").casefold():
            return sitename
    for url in known:
        domain = url_domain(url)
        if domain:
            return domain
    return folder or UNKNOWN_OUTLET
