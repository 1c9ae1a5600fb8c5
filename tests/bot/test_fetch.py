"""The title fetcher, replayed from vcrpy cassettes recorded from a local HTTP server.

Replay (the default) needs no server and no network. To re-record, run with
``WIKILINT_RECORD=1``: the tests then start the local server on 127.0.0.1:8765 and overwrite
``tests/cassettes/fetch/*.yaml``. Requests are matched on method, path, query and
User-Agent (not on the port). The slow-response test cannot be recorded (a timeout is not a
response): it always runs against a local server on a free port.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import vcr
from wikilint.bot.web.fetch import FetchConfig, TitleFetcher, extract_title, fetch_titles

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "fetch"
RECORD = os.environ.get("WIKILINT_RECORD") == "1"
PORT = 8765  # fixed while recording; replay matches on the path only
BASE = f"http://127.0.0.1:{PORT}"
CONTACT = "https://example.org/wiki/User:WikilintOps"
HUGE_FILLER = 20 * 1024  # five times the cap used in the tests


def _page(title: str, extra_head: str = "", body: str = "<p>text</p>") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title>{extra_head}"
        f"</head><body>{body}</body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/good":
            self._send(200, _page("  The Good &amp; Proper\n   Page  "))
        elif path == "/og":
            meta = '<meta property="og:title" content="Minutes of the 1921 congress">'
            self._send(200, _page("Minutes of the 1921 congress | Example Archive", meta))
        elif path == "/svg":
            self._send(200, b"<html><body><svg><title>icon</title></svg>"
                            b"<title>Real page title</title></body></html>")
        elif path == "/junk":
            self._send(200, _page("Just a moment..."))
        elif path == "/cloudflare":
            self._send(200, _page("Attention Required! | Cloudflare"))
        elif path == "/hostname":
            self._send(200, _page("127.0.0.1"))
        elif path == "/short":
            self._send(200, _page("Hi"))
        elif path == "/notitle":
            self._send(200, b"<html><head></head><body>no title</body></html>")
        elif path == "/missing":
            self._send(404, _page("Page not found"))
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": "/good"})
        elif path == "/loop":
            self._send(302, b"", headers={"Location": "/loop"})
        elif path == "/huge-late-title":
            filler = b"<!-- " + b"x" * HUGE_FILLER + b" -->"
            self._send(200, b"<html><head>" + filler + b"<title>Too late</title></head></html>")
        elif path == "/huge":
            self._send(200, _page("Big but fine", body="<p>" + "y" * HUGE_FILLER + "</p>"))
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4 <title>not html</title>", "application/pdf")
        elif path == "/latin1":
            self._send(200, "<html><head><title>Caf\xe9 M\xfcller</title></head></html>"
                       .encode("latin-1"), "text/html; charset=iso-8859-1")
        elif path == "/ua":
            ua = self.headers.get("User-Agent", "")
            self._send(200, _page(f"Agent {ua}"))
        elif path == "/slow":
            time.sleep(1.5)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(200, _page("Slow page"))  # the client has given up by now
        else:
            self._send(404, _page("Not Found"))


def _serve(port: int) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="module")
def server() -> Iterator[None]:
    """The local server, only while recording."""
    if not RECORD:
        yield None
        return
    srv, _ = _serve(PORT)
    try:
        yield None
    finally:
        srv.shutdown()
        srv.server_close()


def _same_user_agent(r1: vcr.request.Request, r2: vcr.request.Request) -> None:
    assert r1.headers.get("User-Agent") == r2.headers.get("User-Agent")


VCR = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="all" if RECORD else "none",
    match_on=["method", "path", "query", "user_agent"],
    decode_compressed_response=True,
)
VCR.register_matcher("user_agent", _same_user_agent)


def _fetcher(**limits: object) -> TitleFetcher:
    limits.setdefault("timeout", 5.0)
    limits.setdefault("max_bytes", 8 * 1024)
    return TitleFetcher(FetchConfig(contact=CONTACT, **limits))  # type: ignore[arg-type]


def test_good_titles(server: None) -> None:
    with VCR.use_cassette("good.yaml"):
        fetcher = _fetcher()
        assert fetcher.fetch(f"{BASE}/good").title == "The Good & Proper Page"
        # og:title wins over <title> (no site-name suffix)
        assert fetcher.fetch(f"{BASE}/og").title == "Minutes of the 1921 congress"
        # an inline SVG's <title> is not the page's
        assert fetcher.fetch(f"{BASE}/svg").title == "Real page title"
        # the charset of the Content-Type header is honoured
        assert fetcher.fetch(f"{BASE}/latin1").title == "Café Müller"


def test_junk_titles_are_rejected(server: None) -> None:
    with VCR.use_cassette("junk.yaml"):
        fetcher = _fetcher()
        for path in ("/junk", "/cloudflare", "/hostname", "/short"):
            result = fetcher.fetch(f"{BASE}{path}")
            assert result.title is None, path
            assert result.reason.startswith("junk title"), (path, result.reason)
        result = fetcher.fetch(f"{BASE}/notitle")
        assert (result.title, result.reason) == (None, "no title")


def test_http_errors_and_redirects(server: None) -> None:
    with VCR.use_cassette("status.yaml"):
        fetcher = _fetcher(max_redirects=3)
        missing = fetcher.fetch(f"{BASE}/missing")
        assert (missing.title, missing.status, missing.reason) == (None, 404, "HTTP 404")
        moved = fetcher.fetch(f"{BASE}/redirect")
        assert moved.title == "The Good & Proper Page"
        assert moved.final_url is not None and moved.final_url.endswith("/good")
        loop = fetcher.fetch(f"{BASE}/loop")
        assert (loop.title, loop.reason) == (None, "more than 3 redirects")


def test_size_cap_and_content_type(server: None) -> None:
    with VCR.use_cassette("limits.yaml"):
        fetcher = _fetcher(max_bytes=4096, chunk_size=1024)
        # the title sits in the first bytes: found, and reading stopped at the cap
        assert fetcher.fetch(f"{BASE}/huge").title == "Big but fine"
        # the title comes after the cap: never read
        late = fetcher.fetch(f"{BASE}/huge-late-title")
        assert (late.title, late.reason) == (None, "no title")
        pdf = fetcher.fetch(f"{BASE}/pdf")
        assert (pdf.title, pdf.reason) == (None, "not HTML (application/pdf)")


def test_user_agent_names_the_tool_and_the_contact(server: None) -> None:
    config = FetchConfig(contact=CONTACT)
    assert config.user_agent.startswith("wikilint/")
    assert CONTACT in config.user_agent
    with VCR.use_cassette("user_agent.yaml"):  # the matcher also compares the User-Agent
        title = _fetcher().fetch(f"{BASE}/ua").title
    assert title is not None and "wikilint/" in title and CONTACT in title


def test_fetch_titles_mapping_for_the_environment(server: None) -> None:
    urls = [f"{BASE}/good", f"{BASE}/junk", f"{BASE}/missing", f"{BASE}/good"]
    with VCR.use_cassette("mapping.yaml"):
        titles = fetch_titles(urls, CONTACT, timeout=5.0)
    assert titles == {f"{BASE}/good": "The Good & Proper Page"}


def test_titles_feed_the_bare_url_fix(server: None) -> None:
    from wikilint import rules

    url = f"{BASE}/good"
    with VCR.use_cassette("mapping.yaml"):
        titles = fetch_titles([url], CONTACT, timeout=5.0)
    text = f"<ref>{url}</ref>"
    config = rules.Config.from_mapping({"select": ["bare-url"]})
    env = rules.Environment(titles=titles)
    fixed = rules.fix(text, config, env, unsafe=True)
    assert "|title=The Good & Proper Page |website=127.0.0.1" in fixed.text


@pytest.fixture
def slow_url() -> Iterator[str]:
    """A page that answers after 1.5 s, from a local server on a free port (live: a timeout
    cannot be replayed from a cassette)."""
    srv, _ = _serve(0)
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/slow"
    finally:
        srv.shutdown()
        srv.server_close()


def test_slow_response_times_out(slow_url: str) -> None:
    started = time.monotonic()
    result = _fetcher(timeout=0.3).fetch(slow_url)
    assert (result.title, result.reason) == (None, "timed out")
    assert time.monotonic() - started < 1.4


def test_missing_contact_is_refused() -> None:
    with pytest.raises(ValueError):
        FetchConfig(contact=" ")


def test_non_http_urls_are_skipped() -> None:
    assert _fetcher().fetch("ftp://example.org/a").reason == "not an http(s) URL"


def test_extract_title_without_network() -> None:
    assert extract_title("<title>A\n  B</title>") == "A B"
    assert extract_title('<meta name="og:title" content="X &amp; Y"><title>Z</title>') == "X & Y"
    assert extract_title("<p>none</p>") is None


def test_lint_path_does_not_import_requests() -> None:
    code = (
        "import sys, wikilint.rules, wikilint.rules.checks, wikilint.bot.web.fetch; "
        "wikilint.rules.lint('<ref>http://example.org</ref>'); "
        "assert 'requests' not in sys.modules, 'requests imported'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_fetching_stops_at_the_run_deadline() -> None:
    class NoSession:
        def __init__(self) -> None:
            self.headers: dict[str, str] = {}
            self.max_redirects = 0

        def get(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("nothing is fetched after the deadline")

    fetcher = TitleFetcher(FetchConfig(contact=CONTACT), NoSession())
    assert fetcher.titles([f"{BASE}/good", f"{BASE}/junk"], until=time.monotonic() - 1) == {}


def test_the_run_deadline_cuts_a_slow_fetch_short(slow_url: str) -> None:
    started = time.monotonic()  # the URL's own limit is 5 s, the run's 0.4 s
    result = _fetcher(timeout=5.0).fetch(slow_url, until=started + 0.4)
    assert (result.title, result.reason) == (None, "timed out")
    assert time.monotonic() - started < 1.4


def test_the_titles_note_says_when_the_time_budget_ran_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wikilint.bot.web import titles as bot_titles

    seen: list[dict[str, object]] = []

    def fake(urls: list[str], contact: str, **kwargs: object) -> dict[str, str]:
        seen.append(kwargs)
        return {}

    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", fake)
    notes: list[str] = []
    until = time.monotonic() - 1
    assert bot_titles.fetch_titles([f"{BASE}/good"], CONTACT, notes.append, until=until) == {}
    assert seen == [{"until": until}]
    assert "time budget ran out" in notes[-1]
