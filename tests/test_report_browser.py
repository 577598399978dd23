"""The HTML report in a real browser: hostile article text stays text.

A corpus whose headlines and outlet names carry ``<script>``, event handlers,
HTML entities, Markdown links and references to a local "attacker" web server is
run through the CLI (``run`` then ``report``), and the HTML report is opened in
headless Chromium (Debian's ``chromium``; ``scripts/ensure_chromium.sh`` installs
it). The test asserts that

* no script ran: the hostile code would set ``document.title`` and add a
  ``<pwned>`` element, and the DOM dumped after load has neither;
* no request left the page: the local server saw nothing, the page's CSP is
  ``default-src 'none'``, and the DOM has no element that loads a URL;
* the page shows the expected table, each hostile string as literal cell text;
* a screenshot is a non-empty PNG of the size asked for;
* outlet names drawn into the framing report's inline SVG charts stay text too;
* a large report (2,225 articles, generated stored tables) is under 1.5 MB, opens
  with the summary by outlet, draws its charts, and screenshots.

A control page (the same payload, unescaped and without the CSP) proves the
oracle works: in this browser, with these flags, the payload does run and does
call the server. When Chromium is missing the test FAILS, never skips.
"""

from __future__ import annotations

import http.server
import json
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.project import Project

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = (
    "Chromium is required for the HTML report test and was not found at /usr/bin/chromium. "
    "Run `scripts/ensure_chromium.sh` as root (it runs `apt-get update && apt-get install -y chromium`)."
)
PWNED = "PWNED"
WINDOW = (1280, 1600)

runner = CliRunner()


# -- a local "attacker" server that counts requests --------------------------------------


@dataclass
class RequestLog:
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def attacker() -> Iterator[tuple[str, RequestLog]]:
    """An HTTP server on 127.0.0.1 that records every request made to it."""
    log = RequestLog()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            log.paths.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def hostile_strings(base: str) -> list[str]:
    """Payloads that would run code, load a URL or inject markup if not escaped."""
    title = f"document.title='{PWNED}';document.documentElement.appendChild(document.createElement('pwned'))"
    return [
        f"<script>{title}</script>Talks end",
        f'<img src="{base}/img" onerror="{title}"> swaps agreed',
        f"<svg onload=\"{title}\"></svg><iframe src='{base}/frame'></iframe>",
        f'</td></tr></table><script src="{base}/script.js"></script><table><tr><td>',
        f"<link rel=stylesheet href={base}/style.css><style>@import url({base}/import.css)</style>",
        f'<meta http-equiv="refresh" content="0;url={base}/refresh"><base href="{base}/">',
        f"[click]({base}/md) **bold** `code` # heading &amp; &lt;b&gt;not bold&lt;/b&gt; &#60;i&#62;",
        f'<object data="{base}/object"></object><video src="{base}/video"></video> « quoted »',
    ]


def write_hostile_project(project: Project, base: str) -> list[str]:
    """A corpus and an experiment whose report shows every hostile string as a cell."""
    payloads = hostile_strings(base)
    corpus = project.root / "hostile"
    corpus.mkdir()
    with (corpus / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for number, text in enumerate(payloads, start=1):
            record = {
                "doc_id": f"h{number}",
                "outlet": f"Outlet <b>{number}</b>",
                "headline": text,
                # Prose with inline markup is text (a body laid out with <p>/<td> tags
                # would be refused as an HTML page: see tests/test_bad_inputs.py).
                "body": f"Officials found <script>alert({number})</script> on a site. 'Nothing ran,' they said.",
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (project.experiments_dir / "hostile.toml").write_text(
        'name = "hostile"\nversion = "1"\n'
        'description = "<script>document.title=\'PWNED\'</script> & *markdown*"\n'
        '[corpus]\npath = "hostile"\n[[steps]]\nuse = "profile_articles"\n',
        encoding="utf-8",
    )
    return payloads


# -- Chromium ------------------------------------------------------------------------------


def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.fail(INSTALL_HINT, pytrace=False)
    return CHROMIUM


# A run takes about 2 s. Now and then headless Chromium never exits after a
# --virtual-time-budget run (once in CI, 2026-12-04: the 2,225-article report's
# screenshot hung for the whole timeout; the same test passes in 5 s alone). One more
# try, in a fresh profile, tells such a hang from a page that never finishes loading,
# which times out both times and fails the test.
CHROMIUM_TRIES = 2
CHROMIUM_TIMEOUT = 90  # seconds per try


def chromium_run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    for attempt in range(CHROMIUM_TRIES):
        user_data = profile if attempt == 0 else profile.with_name(f"{profile.name}-try{attempt + 1}")
        command = [
            str(chromium()),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={user_data}",
            # Let timers, onerror and onload handlers fire before the DOM is dumped.
            "--virtual-time-budget=3000",
            *extra,
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            if attempt + 1 == CHROMIUM_TRIES:
                raise
            continue
        assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
        return done
    raise AssertionError("unreachable: the last try returns or raises")


def dump_dom(page: Path, tmp_path: Path) -> str:
    return chromium_run(page, tmp_path / "profile-dom", "--dump-dom").stdout


def screenshot(page: Path, tmp_path: Path) -> Path:
    png = tmp_path / "report.png"
    chromium_run(
        page, tmp_path / "profile-shot", f"--screenshot={png}", f"--window-size={WINDOW[0]},{WINDOW[1]}"
    )
    return png


# -- reading the dumped DOM -------------------------------------------------------------------

# Elements that fetch a URL or run code when present in a live DOM (HTML and SVG;
# the parser lower-cases names). Our own charts are inline <svg> with none of them,
# except <use> that points at a marker defined in the same chart ("#id"), which
# loads nothing: DomSummary counts such a <use> as "use-local".
LOADING_TAGS = {
    "script", "img", "iframe", "frame", "link", "object", "embed", "video", "audio", "source", "base",
    "image", "use", "foreignobject", "meta-refresh",
}


class DomSummary(HTMLParser):
    """Title, tag names, CSP and table cells of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.csp: list[str] = []
        self.title = ""
        self.cells: list[str] = []
        self._in_title = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        href = values.get("xlink:href") or values.get("href") or ""
        local = tag == "use" and href.startswith("#") and len(values.keys() & {"xlink:href", "href"}) == 1
        self.tags.append("use-local" if local else tag)
        self.attributes += [(name, value or "") for name, value in attrs]
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.tags.append("meta-refresh")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(values.get("content") or "")
        if tag == "title":
            self._in_title = True
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.title += data
        if self._cell is not None:
            self._cell.append(data)


def summarise(dom: str) -> DomSummary:
    summary = DomSummary()
    summary.feed(dom)
    summary.close()
    return summary


def assert_inert(dom: DomSummary, base: str) -> None:
    """Nothing in the live DOM can run code or fetch a URL."""
    assert PWNED not in dom.title
    assert "pwned" not in dom.tags
    assert not LOADING_TAGS & set(dom.tags), sorted(LOADING_TAGS & set(dom.tags))
    assert [name for name, _ in dom.attributes if name.startswith("on")] == []
    assert [value for _, value in dom.attributes if base in value or "javascript:" in value] == []
    assert dom.csp and all("default-src 'none'" in csp for csp in dom.csp)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


# -- tests ---------------------------------------------------------------------------------


def render_hostile_report(project: Project, base: str) -> tuple[Path, list[str]]:
    payloads = write_hostile_project(project, base)
    done = runner.invoke(app, ["run", "hostile", "--project", str(project.root)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["report", "hostile", "--project", str(project.root)])
    assert done.exit_code == 0, done.output
    return project.reports_dir / "hostile.html", payloads


def test_hostile_report_runs_no_script_and_loads_nothing(
    project: Project, tmp_path: Path, attacker: tuple[str, RequestLog]
) -> None:
    base, requests = attacker
    page, payloads = render_hostile_report(project, base)

    dom = summarise(dump_dom(page, tmp_path))
    assert_inert(dom, base)
    assert dom.title.startswith("hostile: ")
    # The table shows every payload as the literal text of its headline cell.
    for payload in payloads:
        assert payload in dom.cells, payload
    assert "Outlet <b>1</b>" in dom.cells

    png = screenshot(page, tmp_path)
    assert png.stat().st_size > 1000
    assert png_size(png) == WINDOW
    assert requests.paths == []

    markdown = (project.reports_dir / "hostile.md").read_text(encoding="utf-8")
    assert "<script" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;" in markdown


def test_hostile_outlet_names_in_charts(project: Project, tmp_path: Path, attacker: tuple[str, RequestLog]) -> None:
    """The framing report draws outlet names into inline SVG charts: still inert text."""
    base, requests = attacker
    outlets = [f"<script>document.title='{PWNED}'</script>Wire", f'Daily <img src="{base}/o" onerror="x()"> &amp; Co']
    corpus = project.root / "hostile"
    corpus.mkdir()
    with (corpus / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for outlet in outlets:
            for number in range(3):
                body = (
                    f"Officials said talks number {number} failed badly. 'We will fight on,' the minister "
                    f"said. Critics slammed the chaotic plan as a disaster."
                )
                handle.write(json.dumps({"outlet": outlet, "headline": f"Talks {number}", "body": body}) + "\n")
    (project.experiments_dir / "hostile-framing.toml").write_text(
        'name = "hostile-framing"\nversion = "1"\n[corpus]\npath = "hostile"\n'
        '[[steps]]\nuse = "score_framing"\n[[steps]]\nuse = "compare_outlets"\nsettings = { seed = 1, n_boot = 200 }\n',
        encoding="utf-8",
    )
    for command in ("run", "report"):
        done = runner.invoke(app, [command, "hostile-framing", "--project", str(project.root)])
        assert done.exit_code == 0, done.output
    page = project.reports_dir / "hostile-framing.html"
    dom = summarise(dump_dom(page, tmp_path))
    assert_inert(dom, base)
    assert "svg" in dom.tags  # the charts are there, drawn inline
    shown = "".join(dom.text)
    for outlet in outlets:
        assert outlet in shown, outlet  # each name shown literally
    assert requests.paths == []


def test_large_report_opens_with_the_summary_and_draws_its_charts(tmp_path: Path) -> None:
    """2,225 articles in five outlets with long, alike names: small, inert, summary first."""
    from tests.report_tables import large_framing_html

    page = tmp_path / "large.html"
    page.write_text(large_framing_html(2225), encoding="utf-8")
    assert page.stat().st_size < 1_500_000
    dom = summarise(dump_dom(page, tmp_path))
    assert_inert(dom, "http://127.0.0.1")
    assert dom.tags.count("svg") == 9 and "use-local" in dom.tags
    ids = {value for name, value in dom.attributes if name == "id"}
    local = [value for name, value in dom.attributes if name in ("href", "xlink:href")]
    assert local and all(value.startswith("#") and value[1:] in ids for value in local)
    # The first section after the title and provenance is the summary table by outlet.
    assert dom.tags.index("h2") < dom.tags.index("table") < dom.tags.index("svg")
    shown = "".join(dom.text)
    assert shown.index("Summary by outlet") < shown.index("Sentiment: outlet against outlet")
    assert "The Northern Evening Chronicle and Courier (weekend edition)" in dom.cells
    png = screenshot(page, tmp_path)
    assert png_size(png) == WINDOW
    assert png.stat().st_size > 50_000  # text, a table and the first chart, not a blank page


def test_control_page_shows_the_oracle_detects_script_and_requests(
    tmp_path: Path, attacker: tuple[str, RequestLog]
) -> None:
    """The same payloads, unescaped and without CSP, do run and do call the server."""
    base, requests = attacker
    page = tmp_path / "control.html"
    rows = "".join(f"<tr><td>{payload}</td></tr>" for payload in hostile_strings(base))
    page.write_text(f"<!DOCTYPE html><html><head><title>control</title></head><body><table>{rows}</table></body></html>")
    dom = summarise(dump_dom(page, tmp_path))
    assert dom.title == PWNED
    assert "pwned" in dom.tags
    assert requests.paths, "the unprotected page should have requested the attacker's server"


def test_ensure_chromium_script_is_a_no_op_when_installed() -> None:
    script = Path(__file__).resolve().parent.parent / "scripts" / "ensure_chromium.sh"
    chromium()  # the script only installs when the browser is missing
    done = subprocess.run(["sh", str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # no apt-get run


def test_chromium_is_installed() -> None:
    """Named on its own so a missing browser is one clear failure, not a skip."""
    path = chromium()
    version = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert version.returncode == 0 and "Chromium" in version.stdout, version.stderr
    assert shutil.which("chromium") is not None or path.is_file()


def test_a_chromium_run_that_hangs_once_is_tried_again_in_a_fresh_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run = subprocess.run
    profiles: list[str] = []

    def hangs_first(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        profiles.append(next(arg for arg in command if arg.startswith("--user-data-dir=")))
        if len(profiles) == 1:
            raise subprocess.TimeoutExpired(command, kwargs["timeout"])
        return real_run(command, **kwargs)

    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>t</title><p>shown</p>", encoding="utf-8")
    monkeypatch.setattr(subprocess, "run", hangs_first)
    assert "shown" in dump_dom(page, tmp_path)
    assert len(profiles) == 2 and profiles[0] != profiles[1]
