"""`harness corpus import`: saved web pages and WARC crawls into a corpus `run` accepts.

The tests write their own pages (with navigation, header and footer chrome, a
title, a meta date, og:site_name) and WARC files (with warcio's own writer).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from harness.cli import app
from harness.corpus import read_corpus
from harness.corpus.schema import content_doc_id
from harness.corpus.webimport import IMPORT_SCHEMA, ImportOptions, corpus_bytes, import_pages, jsonl_bytes
from harness.corpus.webpage import PageRejected, decode_page, page_outlet, strip_site_suffix
from harness.project import Project

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

GRAIN = [
    "Ministers from both countries agreed on Tuesday to extend the grain corridor for another year, "
    "officials said after two days of talks in Istanbul.",
    "The agreement lets cargo ships leave three ports under inspection by a joint centre, a system that "
    "has moved more than thirty million tonnes of grain since it began.",
    "\u201cThis is a good day for the hungry of the world,\u201d the secretary-general told reporters, "
    "adding that prices had already fallen in early trading.",
    "Critics said the deal did nothing to address the attacks on port infrastructure that had halted "
    "shipments twice this spring.",
]
FLOODS = [
    "Heavy rain flooded low-lying districts of the capital overnight, forcing hundreds of families to "
    "leave their homes as rivers burst their banks.",
    "Emergency crews used boats to reach residents trapped on rooftops, and the army opened schools as "
    "temporary shelters for those who had lost everything.",
    "The weather service warned that more storms were expected over the weekend and urged people living "
    "near the river to move to higher ground.",
]
ELECTION = [
    "Voters in the northern province went to the polls on Sunday in an election seen as a test of the "
    "governing coalition's popularity before next year's national vote.",
    "Turnout was higher than at the last provincial election, the electoral commission said, with long "
    "queues reported outside polling stations in the larger towns.",
    "Results are expected on Monday afternoon, and both main parties have said they will accept the "
    "outcome whatever it is.",
]
CHROME = ("SIGN UP for our newsletter", "All rights reserved", "Related stories from the Planet", "Metropolis 21")


def page(
    title: str,
    paragraphs: list[str],
    *,
    site: str | None = "The Daily Planet",
    date: str | None = "2025-07-23T09:15:00+00:00",
    url: str | None = "https://www.dailyplanet.example/world/grain-deal",
    author: str | None = "Lois Lane",
    charset: str = "utf-8",
    head: str = "",
) -> str:
    """A news page as sites serve them: chrome around one article."""
    meta = [f'<meta charset="{charset}">', f"<title>{title}{' | ' + site if site else ''}</title>"]
    if site:
        meta.append(f'<meta property="og:site_name" content="{site}">')
    if date:
        meta.append(f'<meta property="article:published_time" content="{date}">')
    if author:
        meta.append(f'<meta name="author" content="{author}">')
    if url:
        meta.append(f'<link rel="canonical" href="{url}">')
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head>{"".join(meta)}{head}</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<header><div class="weather">Metropolis 21°C</div><a href="/signup">SIGN UP for our newsletter</a></header>
<article><h1>{title}</h1>
{body}
</article>
<aside><h3>Related stories from the Planet</h3><ul><li><a href="/a">Wheat prices fall</a></li></ul></aside>
<footer><p>© 2025 Daily Planet. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


GRAIN_PAGE = page("Ministers agree new grain deal after talks", GRAIN)


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    record: str,
    extra: tuple[tuple[str, str], ...] = (),
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # known: warcio needs no temporary file
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2025-07-24T06:00:00Z", "WARC-Record-ID": f"<urn:uuid:{record}>"},
        )
    )


def crawl(gzipped: bool) -> bytes:
    """A small crawl: two articles (a response and a resource record), an image, a 404,
    a redirect, an empty 200 page and a request record."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    floods = page("Floods force hundreds from their homes", FLOODS, site="Morning Courier", url=None, date="2025-07-22")
    request = b"GET /floods HTTP/1.1\r\nHost: courier.example.net\r\n\r\n"
    writer.write_record(
        writer.create_warc_record(
            "https://courier.example.net/floods",
            "request",
            payload=io.BytesIO(request),
            length=len(request),
            warc_headers_dict={"WARC-Date": "2025-07-24T06:00:00Z", "WARC-Record-ID": "<urn:uuid:r0>"},
        )
    )
    response(writer, "https://courier.example.net/floods", floods.encode(), record="r1")
    response(writer, "https://courier.example.net/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png", record="r2")
    response(writer, "https://courier.example.net/gone", b"<html><body>Not found</body></html>", status="404 Not Found", record="r3")
    response(
        writer, "http://courier.example.net/", b"", status="301 Moved Permanently", record="r4",
        extra=(("Location", "https://courier.example.net/"),),
    )
    response(writer, "https://courier.example.net/blank", b"", record="r5")
    election = page("Northern province votes", ELECTION, site=None, url=None, date="2025-07-20", author=None)
    writer.write_record(
        writer.create_warc_record(
            "https://www.yahoo.com/news/northern-province-votes",
            "resource",
            payload=io.BytesIO(election.encode()),
            length=len(election.encode()),
            warc_content_type="text/html; charset=utf-8",
            warc_headers_dict={"WARC-Date": "2025-07-24T06:05:00Z", "WARC-Record-ID": "<urn:uuid:r6>"},
        )
    )
    return buffer.getvalue()


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    (folder / "planet").mkdir(parents=True)
    (folder / "planet" / "grain.html").write_text(GRAIN_PAGE, encoding="utf-8")
    return folder


def rows_by_file(frame: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {str(r["source_file"]) + ":" + str(r["warc_record_id"]): r for r in frame.iter_rows(named=True)}


# -- one saved page ----------------------------------------------------------------------------------


def test_a_saved_page_gives_its_article_and_provenance(pages: Path) -> None:
    result = import_pages([pages])
    assert result.articles.schema == pl.Schema(IMPORT_SCHEMA)
    [row] = result.articles.to_dicts()
    assert row["outlet"] == "The Daily Planet"
    assert row["headline"] == "Ministers agree new grain deal after talks"  # " | The Daily Planet" cut
    assert row["body"] == "\n".join(GRAIN)  # one paragraph per line; the <h1> is the headline, not body
    for chrome in CHROME:
        assert chrome not in row["body"]
    assert row["published"] == "2025-07-23"
    assert row["author"] == "Lois Lane"
    assert row["url"] == "https://www.dailyplanet.example/world/grain-deal"
    assert row["sitename"] == "The Daily Planet"
    assert row["source_file"] == f"{pages.as_posix()}/planet/grain.html"
    assert (row["warc_record_id"], row["warc_target_uri"], row["warc_date"]) == (None, None, None)
    assert (row["extractor"], row["extractor_version"]) == ("trafilatura", version("trafilatura"))
    data = (pages / "planet" / "grain.html").read_bytes()
    assert row["content_sha256"] == hashlib.sha256(data).hexdigest()
    assert (row["encoding"], row["replaced_bytes"]) == ("utf-8", 0)
    assert row["doc_id"] == content_doc_id(row["outlet"], row["headline"], row["body"])
    assert result.not_imported == []


def test_a_gzipped_page_and_a_browser_saved_folder(tmp_path: Path) -> None:
    """.html.gz is read gunzipped; NAME_files/ beside NAME.html holds the page's resources."""
    folder = tmp_path / "saved"
    (folder / "grain_files").mkdir(parents=True)
    (folder / "grain.html.gz").write_bytes(gzip.compress(GRAIN_PAGE.encode(), mtime=0))
    (folder / "grain_files" / "ad.htm").write_text(page("Buy now", FLOODS, site="Ads"))
    (folder / "grain_files" / "style.css").write_text("body{}")
    (folder / "README.md").write_text("# saved pages\n")
    result = import_pages([folder])
    assert result.articles["source_file"].to_list() == [f"{folder.as_posix()}/grain.html.gz"]
    assert result.articles["content_sha256"][0] == hashlib.sha256(GRAIN_PAGE.encode()).hexdigest()
    assert result.ignored_files == 0 and result.not_imported == []


# -- a WARC crawl ----------------------------------------------------------------------------------


@pytest.mark.parametrize("gzipped", [False, True], ids=["warc", "warc.gz"])
def test_a_warc_gives_one_article_per_html_page(tmp_path: Path, gzipped: bool) -> None:
    name = "crawl.warc.gz" if gzipped else "crawl.warc"
    (tmp_path / name).write_bytes(crawl(gzipped))
    result = import_pages([tmp_path / name])
    shown = (tmp_path / name).as_posix()
    rows = rows_by_file(result.articles)
    assert list(rows) == [f"{shown}:<urn:uuid:r1>", f"{shown}:<urn:uuid:r6>"]
    floods, election = rows.values()
    assert floods["outlet"] == "Morning Courier" and floods["headline"] == "Floods force hundreds from their homes"
    assert floods["body"] == "\n".join(FLOODS) and floods["published"] == "2025-07-22"
    assert floods["warc_target_uri"] == floods["url"] == "https://courier.example.net/floods"
    assert floods["warc_date"] == "2025-07-24T06:00:00Z"
    # No site name on the page: the registered domain of the URL, the /news path not part of it.
    assert election["outlet"] == "yahoo.com" and election["sitename"] != "Northern province votes"
    assert election["warc_target_uri"] == "https://www.yahoo.com/news/northern-province-votes"
    assert result.counts("skipped") == {"not HTML": 1, "HTTP status not 200": 1, "redirect": 1}
    assert result.counts("rejected") == {"empty page": 1}
    blank = [i for i in result.not_imported if i.reason == "empty page"][0]
    assert (blank.source.record, blank.source.record_id) == (6, "<urn:uuid:r5>")
    assert result.pages == 3
    assert result.summary() == "2 articles from 3 pages; 3 skipped (HTTP status not 200: 1, not HTML: 1, redirect: 1); 1 rejected (empty page: 1)"


def test_a_truncated_gzip_record_keeps_the_pages_before_it(tmp_path: Path) -> None:
    data = crawl(True)
    (tmp_path / "cut.warc.gz").write_bytes(data[: len(data) - 300])  # into the last record's gzip member
    result = import_pages([tmp_path / "cut.warc.gz"])
    assert result.articles["warc_record_id"].to_list() == ["<urn:uuid:r1>"]
    last = result.not_imported[-1]
    assert last.status == "rejected" and last.reason in {"truncated record", "damaged archive", "unreadable record"}
    assert last.source.record == 7


def test_a_truncated_uncompressed_record_is_rejected(tmp_path: Path) -> None:
    data = crawl(False)
    cut = data.index(b"Emergency crews")  # inside the first article's payload
    (tmp_path / "cut.warc").write_bytes(data[:cut])
    (tmp_path / "page.html").write_text(GRAIN_PAGE)
    result = import_pages([tmp_path])
    assert result.articles["outlet"].to_list() == ["The Daily Planet"]
    [bad] = [i for i in result.not_imported if i.status == "rejected"]
    assert bad.reason == "truncated record" and bad.source.record_id == "<urn:uuid:r1>"


# -- outlet, charset ---------------------------------------------------------------------------------


def test_outlet_falls_back_to_the_domain_then_the_folder(tmp_path: Path) -> None:
    (tmp_path / "guardian").mkdir()
    (tmp_path / "guardian" / "a.html").write_text(page("Floods", FLOODS, site=None, url=None))
    (tmp_path / "b.html").write_text(
        page("Votes", ELECTION, site=None, url="https://news.bbc.co.uk/2/hi/votes.stm")
    )
    (tmp_path / "c.html").write_text(
        "<!-- saved from url=(0038)https://www.example.org/grain-deal -->\n"
        + page("Grain", GRAIN, site=None, url=None)
    )
    outlets = dict(zip(import_pages([tmp_path]).articles["source_file"], import_pages([tmp_path]).articles["outlet"]))
    assert outlets == {
        f"{tmp_path.as_posix()}/b.html": "bbc.co.uk",
        f"{tmp_path.as_posix()}/c.html": "example.org",
        f"{tmp_path.as_posix()}/guardian/a.html": "guardian",
    }


@pytest.mark.parametrize(
    ("sitename", "urls", "folder", "expected"),
    [
        ("The Guardian", ("https://www.theguardian.com/world/x",), None, "The Guardian"),
        ("https://www.facebook.com/cnn", ("https://edition.cnn.com/x",), None, "cnn.com"),
        ("yahoo.com", ("https://www.yahoo.com/news/x",), None, "yahoo.com"),
        ("news.yahoo.com", ("https://news.yahoo.com/x",), None, "yahoo.com"),
        (None, (None, "https://apnews.com/article/x"), "pages", "apnews.com"),
        (None, ("http://localhost:8000/x",), None, "localhost"),
        # Without a site name the extractor takes a title segment holding a ".": half a sentence.
        ("including its view on the ruling: \"It's not hard to write,\" he says.", ("https://www.npr.org/x",), None, "npr.org"),
        ("The Times of India", ("https://timesofindia.indiatimes.com/x",), None, "The Times of India"),
        (None, (), "reuters", "reuters"),
        (None, (), None, "unknown"),
    ],
)
def test_page_outlet(sitename: str | None, urls: tuple[str | None, ...], folder: str | None, expected: str) -> None:
    assert page_outlet(sitename, urls, folder) == expected


def test_charsets_from_the_header_the_meta_tag_or_utf8(tmp_path: Path) -> None:
    curly = page("Grain", GRAIN, charset="iso-8859-1").replace("\u2019", "'").encode("cp1252")
    (tmp_path / "latin.html").write_bytes(curly)  # says latin-1, holds windows-1252 quotes
    broken = GRAIN_PAGE.encode().replace("Istanbul".encode(), b"Istanbul\xff\xfe")
    (tmp_path / "broken.html").write_bytes(broken.replace(b'charset="utf-8"', b""))
    result = import_pages([tmp_path / "latin.html", tmp_path / "broken.html"])
    rows = {Path(str(r["source_file"])).name: r for r in result.articles.iter_rows(named=True)}
    assert rows["latin.html"]["encoding"] == "cp1252" and "\u201cThis is a good day" in str(rows["latin.html"]["body"])
    assert rows["broken.html"]["encoding"] == "utf-8" and rows["broken.html"]["replaced_bytes"] == 2
    assert "Istanbul\ufffd\ufffd" in str(rows["broken.html"]["body"])
    assert result.replaced_pages == 1 and "1 page decoded with invalid bytes replaced" in result.summary()


def test_decoding_rules() -> None:
    cp1252 = "“quoted”".encode("cp1252")
    assert decode_page(b"<meta charset=latin1>" + cp1252).text.endswith("“quoted”")
    assert decode_page("“q”".encode(), http_charset="utf-8").encoding == "utf-8"
    # The HTTP header outranks the page's own declaration; a BOM outranks both.
    assert decode_page(b'<meta charset="utf-8">' + cp1252, http_charset="windows-1252").encoding == "cp1252"
    assert decode_page(b"\xef\xbb\xbf<p>x</p>", http_charset="cp1252").text == "<p>x</p>"
    assert decode_page(b"<meta charset=utf-16><p>x</p>").encoding == "utf-8"  # not declarable in the page
    assert decode_page(b"<meta charset=no-such-thing><p>x</p>").encoding == "utf-8"
    with pytest.raises(PageRejected, match="undecodable"):
        decode_page(bytes(range(128, 256)) * 4)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([None, "utf-8", "cp1252", "shift_jis", "bogus"]))
def test_decoding_never_fails_but_by_rejecting(data: bytes, charset: str | None) -> None:
    try:
        decoded = decode_page(data, charset)
    except PageRejected as exc:
        assert exc.reason == "undecodable"
        return
    decoded.text.encode("utf-8")  # no lone surrogates: the text can be stored
    assert decoded.replaced == 0 or decoded.text.count("\ufffd") >= decoded.replaced


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Grain deal | The Planet", "The Planet", "Grain deal"),
        ("Grain deal - the planet", "The Planet", "Grain deal"),
        ("Grain deal - a review", "The Planet", "Grain deal - a review"),
        ("The Planet", "The Planet", "The Planet"),
        ("Grain deal", None, "Grain deal"),
    ],
)
def test_strip_site_suffix(title: str, site: str | None, expected: str) -> None:
    assert strip_site_suffix(title, site) == expected


# -- bad pages -----------------------------------------------------------------------------------------


def test_bad_pages_are_counted_and_listed_never_fatal(tmp_path: Path) -> None:
    (tmp_path / "good.html").write_text(GRAIN_PAGE)
    (tmp_path / "empty.html").write_text("")
    (tmp_path / "blank.htm").write_text("  \n ")
    (tmp_path / "nav.html").write_text("<html><head><title>Index</title></head><body><nav><a href=/>Home</a></nav></body></html>")
    (tmp_path / "script.html").write_text("<html><head><title>App</title></head><body><script>var x = 1;</script></body></html>")
    (tmp_path / "short.html").write_text(page("Short", ["Ministers met on Tuesday."]))
    (tmp_path / "text.html").write_text("Just some words, not a page at all.\n")
    (tmp_path / "binary.html").write_bytes(bytes(range(128, 256)) * 20)
    (tmp_path / "cut.html.gz").write_bytes(gzip.compress(GRAIN_PAGE.encode())[:200])
    (tmp_path / "copy.html").write_text(GRAIN_PAGE)
    (tmp_path / "not.warc").write_text("this is not a web archive\n")
    (tmp_path / "notes.txt").write_text("ignored\n")
    result = import_pages([tmp_path])
    assert result.articles["source_file"].to_list() == [f"{tmp_path.as_posix()}/copy.html"]  # first by name
    reasons = {Path(i.source.source_file).name: i.reason for i in result.not_imported}
    assert reasons == {
        "binary.html": "undecodable",
        "blank.htm": "empty page",
        "cut.html.gz": "truncated or damaged gzip",
        "empty.html": "empty page",
        "good.html": "duplicate",
        "nav.html": "too short",  # "Home"
        "script.html": "no main text",
        "not.warc": "not a WARC file",
        "short.html": "too short",
        "text.html": "not HTML",
    }
    assert result.ignored_files == 1
    assert all(i.status == "rejected" for i in result.not_imported)


def test_min_words_is_a_setting(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(GRAIN_PAGE)
    words = len("\n".join(GRAIN).split())
    assert import_pages([tmp_path], ImportOptions(min_words=words)).articles.height == 1
    with pytest.raises(Exception, match="too short"):
        import_pages([tmp_path], ImportOptions(min_words=words + 1))


# -- determinism --------------------------------------------------------------------------------------


def test_same_inputs_same_bytes_in_any_order(tmp_path: Path, pages: Path) -> None:
    (tmp_path / "crawl.warc.gz").write_bytes(crawl(True))
    (tmp_path / "crawl.warc").write_bytes(crawl(False).replace(b"r1>", b"x1>").replace(b"r6>", b"x6>"))
    inputs = [pages, tmp_path / "crawl.warc.gz", tmp_path / "crawl.warc"]
    first = import_pages(inputs)
    again = import_pages(list(reversed(inputs)))
    for suffix in (".jsonl", ".parquet"):
        assert corpus_bytes(first.articles, Path("x" + suffix)) == corpus_bytes(again.articles, Path("x" + suffix))
    # The same articles crawled twice: the second copy is a duplicate of the first, by name order.
    assert first.counts("rejected")["duplicate"] == 2
    assert first.articles["doc_id"].n_unique() == first.articles.height == 3


# -- the corpus it makes ------------------------------------------------------------------------------


def test_the_import_is_a_corpus_that_run_and_show_accept(tmp_path: Path, pages: Path) -> None:
    project = Project(tmp_path / "project")
    (project.root / "experiments").mkdir(parents=True)
    (project.root / "crawl.warc.gz").write_bytes(crawl(True))
    args = ["corpus", "import", str(pages), str(project.root / "crawl.warc.gz"), "-o", str(project.root / "web.jsonl")]
    done = runner.invoke(app, [*args, "--rejects", str(tmp_path / "rejects.jsonl")])
    assert done.exit_code == 0, done.output
    assert "corpus import: 3 articles from 4 pages; 3 skipped (" in done.stderr
    assert "crawl.warc.gz record 6: not imported: empty page" in done.stderr
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert [(r["record"], r["status"], r["reason"]) for r in rejects] == [
        (3, "skipped", "not HTML"),
        (4, "skipped", "HTTP status not 200"),
        (5, "skipped", "redirect"),
        (6, "rejected", "empty page"),
    ]
    parquet = project.root / "web.parquet"
    assert runner.invoke(app, [*args[:-1], str(parquet)]).exit_code == 0
    from_jsonl, from_parquet = read_corpus(project.root / "web.jsonl"), read_corpus(parquet)
    assert from_jsonl.drop("source").equals(from_parquet.drop("source"))
    # Pages in the order of their file's path: pages/ before project/crawl.warc.gz.
    assert from_jsonl["outlet"].to_list() == ["The Daily Planet", "Morning Courier", "yahoo.com"]
    meta = json.loads(from_jsonl["meta"][1])
    assert meta["warc_record_id"] == "<urn:uuid:r1>" and meta["extractor"] == "trafilatura"

    shown = runner.invoke(app, ["corpus", "show", str(project.root / "web.jsonl"), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert [r["headline"] for r in json.loads(shown.stdout)][0] == "Ministers agree new grain deal after talks"

    (project.experiments_dir / "web.toml").write_text(
        'name = "web"\nversion = "1"\n[corpus]\npath = "web.jsonl"\n[[steps]]\nuse = "score_core_suite"\n'
    )
    ran = runner.invoke(app, ["run", "web", "--project", str(project.root)])
    assert ran.exit_code == 0, ran.output
    assert project.store().resolve("web").manifest.corpus["articles_read"] == 3


def test_help_loads_neither_extractor_nor_warc_reader() -> None:
    code = "import sys\nfrom harness.cli.entry import main\nsys.argv = ['harness', 'corpus', 'import', '--help']\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass\n"
    code += "print([m for m in ('trafilatura', 'warcio', 'lxml', 'htmldate') if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_jsonl_is_one_object_per_line_in_schema_order(pages: Path) -> None:
    data = jsonl_bytes(import_pages([pages]).articles).decode()
    [line] = data.splitlines()
    assert list(json.loads(line)) == list(IMPORT_SCHEMA)


# -- other archive shapes ------------------------------------------------------------------------------


def test_a_warc_gzipped_as_one_stream_is_read_whole(tmp_path: Path) -> None:
    """`gzip crawl.warc` makes one gzip stream, not one member per record: read all the same."""
    (tmp_path / "whole.warc.gz").write_bytes(gzip.compress(crawl(False), mtime=0))
    (tmp_path / "members.warc.gz").write_bytes(crawl(True))
    whole, members = import_pages([tmp_path / "whole.warc.gz"]), import_pages([tmp_path / "members.warc.gz"])
    assert whole.articles.drop("source_file").equals(members.articles.drop("source_file"))
    assert [(i.source.record, i.reason) for i in whole.not_imported] == [
        (i.source.record, i.reason) for i in members.not_imported
    ]


def arc_file(body: bytes, url: str = "https://courier.example.net/floods") -> bytes:
    """An ARC v1 file (the Internet Archive's format before WARC) with one HTTP response."""
    desc = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://test.arc 0.0.0.0 20250724060000 text/plain %d\n" % len(desc) + desc + b"\n"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    return out + url.encode() + b" 192.0.2.1 20250724060000 text/html %d\n" % len(http) + http + b"\n"


@pytest.mark.parametrize("gzipped", [False, True], ids=["arc", "arc.gz"])
def test_an_arc_file(tmp_path: Path, gzipped: bool) -> None:
    data = arc_file(page("Floods force hundreds from their homes", FLOODS, site="Morning Courier", url=None).encode())
    name = "old.arc.gz" if gzipped else "old.arc"
    (tmp_path / name).write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    [row] = import_pages([tmp_path / name]).articles.to_dicts()
    assert (row["outlet"], row["warc_record_id"]) == ("Morning Courier", None)  # ARC records have no id
    assert (row["warc_target_uri"], row["warc_date"]) == ("https://courier.example.net/floods", "2025-07-24T06:00:00Z")


# -- any page: an article or a reason -------------------------------------------------------------------

_FRAGMENTS = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<script>", "</script>", "<title>", "</title>", "<meta charset=x>",
     "<h1>", "</h1>", "&amp;", "&#0;", "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0' encoding='utf-8'?>",
     "\u201c", "\u2019", "\x00", "\ufffd", "\n", " ", "word ", "grain deal talks "]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=60), st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_any_page_gives_an_article_or_a_reason(parts: list[str], encoding: str) -> None:
    """Hostile or broken markup never escapes as an exception: an article the corpus readers
    accept, or a PageRejected with a reason."""
    from harness.corpus.records import RawRecord
    from harness.corpus.records import article_row as corpus_row
    from harness.corpus.webarchive import PageSource, RawPage
    from harness.corpus.webimport import article_row

    data = ("<html><body>" + "".join(parts) + "</body></html>").encode(encoding, errors="replace")
    try:
        row = article_row(RawPage(PageSource("p.html"), data), ImportOptions(min_words=1), "x")
    except PageRejected as exc:
        assert exc.reason
        return
    fields = {k: v for k, v in row.items() if k != "doc_id"}
    read = corpus_row(RawRecord(fields, "p.jsonl:1", "p.jsonl:1"))
    assert read["doc_id"] == row["doc_id"] and read["body"] == row["body"]


def test_a_subfolder_that_cannot_be_listed_is_one_rejection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """(Simulated: the tests may run as root, who can list any folder.)"""
    import os

    (tmp_path / "pages" / "locked").mkdir(parents=True)
    (tmp_path / "pages" / "a.html").write_text(GRAIN_PAGE)
    real_walk = os.walk

    def walk(top: Path, onerror: object = None, **kwargs: object):  # type: ignore[no-untyped-def]
        for entry in real_walk(top, onerror=onerror, **kwargs):  # type: ignore[arg-type]
            if Path(entry[0]).name == "locked":
                onerror(PermissionError(13, "Permission denied", entry[0]))  # type: ignore[operator]
                continue
            yield entry

    monkeypatch.setattr("harness.corpus.webimport.os.walk", walk)
    result = import_pages([tmp_path / "pages"])
    assert result.articles.height == 1
    [item] = result.not_imported
    assert (item.source.source_file, item.reason, item.detail) == (
        f"{(tmp_path / 'pages' / 'locked').as_posix()}", "unreadable", "Permission denied"
    )
