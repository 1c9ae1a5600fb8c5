"""The title fetcher, against a local web server (``tests/bot/pages.py``) on 127.0.0.1.

The server is private, so every test that fetches from it opts in with ``allow_private``, as
``--allow-private-fetch`` does; the address-policy tests leave the opt-in off and check that
the server never saw a connection. Slow pages are bounded (``pages.SLOW_FOR``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wikilint.bot.web.addresses import refusal_for_address
from wikilint.bot.web.fetch import (
    FetchConfig,
    FetchResult,
    TitleFetcher,
    extract_title,
    fetch_titles,
    open_tcp,
)

from tests.bot.pages import PageServer, self_signed_certificate, serving, tls_context

CONTACT = "https://example.org/wiki/User:WikilintOps"


@pytest.fixture(scope="module")
def server() -> Iterator[PageServer]:
    with serving() as srv:
        yield srv


def _fetcher(**limits: object) -> TitleFetcher:
    """A fetcher that may reach the local test server (the private-address opt-in)."""
    limits.setdefault("timeout", 5.0)
    limits.setdefault("max_bytes", 8 * 1024)
    limits.setdefault("allow_private", True)
    return TitleFetcher(FetchConfig(contact=CONTACT, **limits))  # type: ignore[arg-type]


def test_good_titles(server: PageServer) -> None:
    fetcher = _fetcher()
    assert fetcher.fetch(f"{server.base}/good").title == "The Good & Proper Page"
    # og:title wins over <title> (no site-name suffix)
    assert fetcher.fetch(f"{server.base}/og").title == "Minutes of the 1921 congress"
    # an inline SVG's <title> is not the page's
    assert fetcher.fetch(f"{server.base}/svg").title == "Real page title"
    # the charset of the Content-Type header is honoured
    assert fetcher.fetch(f"{server.base}/latin1").title == "Café Müller"
    # a compressed body is read (and decompressed within the size cap)
    assert fetcher.fetch(f"{server.base}/gzip").title == "Compressed page title"


def test_junk_titles_are_rejected(server: PageServer) -> None:
    fetcher = _fetcher()
    for path in ("/junk", "/cloudflare", "/hostname", "/short"):
        result = fetcher.fetch(f"{server.base}{path}")
        assert result.title is None, path
        assert result.reason.startswith("junk title"), (path, result.reason)
    result = fetcher.fetch(f"{server.base}/notitle")
    assert (result.title, result.reason) == (None, "no title")


def test_http_errors_and_redirects(server: PageServer) -> None:
    fetcher = _fetcher(max_redirects=3)
    missing = fetcher.fetch(f"{server.base}/missing")
    assert (missing.title, missing.status, missing.reason) == (None, 404, "HTTP 404")
    moved = fetcher.fetch(f"{server.base}/redirect?to=/good")
    assert moved.title == "The Good & Proper Page"
    assert moved.final_url == f"{server.base}/good"
    loop = fetcher.fetch(f"{server.base}/loop")
    assert (loop.title, loop.reason) == (None, "more than 3 redirects")


def test_size_cap_and_content_type(server: PageServer) -> None:
    fetcher = _fetcher(max_bytes=4096, chunk_size=1024)
    # the title sits in the first bytes: found, and reading stopped at the cap
    assert fetcher.fetch(f"{server.base}/huge").title == "Big but fine"
    # the title comes after the cap: never read, and the reason says so
    late = fetcher.fetch(f"{server.base}/huge-late-title")
    assert (late.title, late.reason) == (None, "no title in the first 4 KiB (page too large)")
    # 16 MiB of compressed spaces: decompression stops at the cap too
    bomb = fetcher.fetch(f"{server.base}/gzip-bomb")
    assert (bomb.title, bomb.reason) == (None, "no title in the first 4 KiB (page too large)")
    pdf = fetcher.fetch(f"{server.base}/pdf")
    assert (pdf.title, pdf.reason) == (None, "not HTML (application/pdf)")


def test_long_titles_are_capped(server: PageServer) -> None:
    title = _fetcher(max_bytes=512 * 1024).fetch(f"{server.base}/long-title").title
    assert title is not None and len(title) <= 300 and title.endswith("word\u2026")


def test_paths_with_spaces_and_non_ascii_letters_are_encoded(server: PageServer) -> None:
    result = _fetcher().fetch(f"{server.base}/K\u00f6ln und Bonn?q=\u00e9t\u00e9&x=%41")
    assert result.reason == "HTTP 404"
    assert server.paths[-1] == "/K%C3%B6ln%20und%20Bonn?q=%C3%A9t%C3%A9&x=%41"


def test_titles_lose_control_characters(server: PageServer) -> None:
    title = _fetcher().fetch(f"{server.base}/escapes").title  # stored, then shown in review
    assert title == "Clean[31m red evil title"


@pytest.mark.parametrize("command", ["fix", "propose", "run"])
def test_every_command_that_fetches_has_the_opt_in(command: str) -> None:
    from click.testing import CliRunner
    from wikilint.bot.cli.main import main

    help_text = CliRunner().invoke(main, [command, "--help"]).output
    assert "--allow-private-fetch" in help_text and "closed networks only" in help_text


def test_user_agent_and_host_header(server: PageServer) -> None:
    config = FetchConfig(contact=CONTACT)
    assert config.user_agent.startswith("wikilint/")
    assert CONTACT in config.user_agent
    title = _fetcher().fetch(f"{server.base}/ua").title
    assert title == f"Agent {config.user_agent}"
    host = _fetcher().fetch(f"{server.base}/host").title
    assert host == f"Host header 127.0.0.1:{server.port}"


def test_fetch_titles_mapping_and_reasons(server: PageServer) -> None:
    urls = [
        f"{server.base}/good",
        f"{server.base}/junk",
        f"{server.base}/missing",
        f"{server.base}/good",
    ]
    failures: list[tuple[str, str]] = []
    titles = fetch_titles(
        urls,
        CONTACT,
        timeout=5.0,
        allow_private=True,
        on_failure=lambda url, why: failures.append((url, why)),
    )
    assert titles == {f"{server.base}/good": "The Good & Proper Page"}
    assert failures == [
        (f"{server.base}/junk", "junk title 'Just a moment...'"),
        (f"{server.base}/missing", "HTTP 404"),
    ]


def test_titles_feed_the_bare_url_fix(server: PageServer) -> None:
    from wikilint import rules

    url = f"{server.base}/good"
    titles = fetch_titles([url], CONTACT, timeout=5.0, allow_private=True)
    text = f"<ref>{url}</ref>"
    config = rules.Config.from_mapping({"select": ["bare-url"]})
    fixed = rules.fix(text, config, rules.Environment(titles=titles), unsafe=True)
    assert "|title=The Good & Proper Page |website=127.0.0.1" in fixed.text


def test_missing_contact_is_refused() -> None:
    with pytest.raises(ValueError):
        FetchConfig(contact=" ")


def test_non_http_urls_are_skipped() -> None:
    assert _fetcher().fetch("ftp://example.org/a").reason == "refused: not an http(s) URL"


def test_extract_title_without_network() -> None:
    assert extract_title("<title>A\n  B</title>") == "A B"
    assert extract_title('<meta name="og:title" content="X &amp; Y"><title>Z</title>') == "X & Y"
    assert extract_title("<p>none</p>") is None


@pytest.mark.slow
def test_lint_path_does_not_import_requests_or_the_fetcher() -> None:
    code = (
        "import sys, wikilint.rules, wikilint.rules.checks; "
        "wikilint.rules.lint('<ref>http://example.org</ref>'); "
        "assert 'requests' not in sys.modules, 'requests imported'; "
        "assert 'http.client' not in sys.modules, 'http.client imported'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# -- the address policy (issue 11, critical 1) -------------------------------------------------


def _policy_fetcher(**limits: object) -> TitleFetcher:
    """The default policy: no private addresses."""
    limits.setdefault("timeout", 2.0)
    return TitleFetcher(FetchConfig(contact=CONTACT, **limits))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("localhost", "localhost is a localhost name"),
        ("2130706433", "2130706433 is 127.0.0.1, which is a loopback address"),
        ("0x7f.1", "0x7f.1 is 127.0.0.1, which is a loopback address"),
        ("0177.0.0.1", "0177.0.0.1 is 127.0.0.1, which is a loopback address"),
        ("127.1", "127.1 is 127.0.0.1, which is a loopback address"),
        (
            "[::ffff:127.0.0.1]",
            "::ffff:127.0.0.1 is ::ffff:7f00:1, which embeds 127.0.0.1, a loopback address",
        ),
        ("[::1]", "::1 is a loopback address"),
    ],
)
def test_private_hosts_get_no_connection(server: PageServer, host: str, why: str) -> None:
    before = server.accepted
    result = _policy_fetcher().fetch(f"http://{host}:{server.port}/good")
    assert (result.title, result.reason) == (None, f"refused: {why}")
    assert server.accepted == before  # the local server never saw a connection


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fc00::1]/", "fc00::1 is a private address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("http://[2002:a00:1::]/", "2002:a00:1:: embeds 10.0.0.1, a private address"),
        ("http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1 embeds 127.0.0.1, a loopback address"),
        ("http://app.localhost/", "app.localhost is a localhost name"),
        ("http://example.org:8080/", "port 8080 is not allowed (only http's default, 80)"),
        ("https://user:pw@example.org/", "the URL carries a user name or password"),
    ],
)
def test_refused_before_any_lookup(monkeypatch: pytest.MonkeyPatch, url: str, why: str) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise AssertionError("no DNS lookup for a refused URL")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    fetcher = _policy_fetcher()
    fetcher.opener = lambda *a: pytest.fail("no connection for a refused URL")  # type: ignore[assignment]
    assert fetcher.fetch(url).reason == f"refused: {why}"


class Internet:
    """A stub for DNS and the network: names resolve as the test says (each lookup takes the
    next answer), and connections to ``PUBLIC`` go to the local server instead. Every address
    asked for is recorded."""

    PUBLIC = "93.184.216.34"

    def __init__(self, server: PageServer, answers: dict[str, list[list[str]]]) -> None:
        self.server, self.answers = server, answers
        self.lookups: list[str] = []
        self.connects: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        queue = self.answers[host]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def open(self, address: str, port: int, timeout: float) -> socket.socket:
        self.connects.append(address)
        assert address == self.PUBLIC, f"connected to {address}"
        return open_tcp("127.0.0.1", self.server.port, timeout)

    def fetcher(self, monkeypatch: pytest.MonkeyPatch, **limits: object) -> TitleFetcher:
        def no_dns(*args: object, **kwargs: object) -> None:
            raise AssertionError("a DNS lookup outside the fetcher's one lookup per hop")

        monkeypatch.setattr(socket, "getaddrinfo", no_dns)
        fetcher = _policy_fetcher(**limits)
        fetcher.resolver, fetcher.opener = self.resolve, self.open
        return fetcher


def test_a_public_host_is_fetched_through_the_checked_address(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = Internet(server, {"news.example": [[Internet.PUBLIC]]})
    result = net.fetcher(monkeypatch).fetch("http://news.example/host")
    # the Host header names the host, though the connection went to the checked address
    assert result.title == "Host header news.example"
    assert (net.lookups, net.connects) == (["news.example"], [Internet.PUBLIC])


def test_dns_rebinding_cannot_reach_a_private_address(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # public for the first lookup, 127.0.0.1 for every later one
    answers = {"rebind.example": [[Internet.PUBLIC], ["127.0.0.1"]]}
    net = Internet(server, answers)
    first = net.fetcher(monkeypatch).fetch("http://rebind.example/good")
    assert first.title == "The Good & Proper Page"
    # one lookup, one connection, to the address that was checked (no lookup of its own)
    assert (net.lookups, net.connects) == (["rebind.example"], [Internet.PUBLIC])
    # a redirect to the same name is a new hop: looked up again, and now refused
    net = Internet(server, {"rebind.example": [[Internet.PUBLIC], ["127.0.0.1"]]})
    moved = net.fetcher(monkeypatch).fetch("http://rebind.example/redirect?to=/good")
    assert moved.reason == (
        "redirect to http://rebind.example/good refused: rebind.example "
        "resolves to 127.0.0.1, which is a loopback address"
    )
    assert net.connects == [Internet.PUBLIC]  # never 127.0.0.1
    assert net.lookups == ["rebind.example", "rebind.example"]


def test_a_name_with_any_private_address_is_refused(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = Internet(server, {"mixed.example": [[Internet.PUBLIC, "10.1.2.3"]]})
    result = net.fetcher(monkeypatch).fetch("http://mixed.example/good")
    assert result.reason == (
        "refused: mixed.example resolves to 10.1.2.3, which is a private address"
    )
    assert net.connects == []


@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://localhost/", "localhost is a localhost name"),
        ("http://2130706433/", "2130706433 is 127.0.0.1, which is a loopback address"),
        (
            "http://inside.example/",
            "inside.example resolves to 127.0.0.1, which is a loopback address",
        ),
        ("http://news.example:8080/", "port 8080 is not allowed (only http's default, 80)"),
        ("file:///etc/passwd", "not an http(s) URL"),
    ],
)
def test_redirects_into_private_addresses_are_refused(
    server: PageServer, monkeypatch: pytest.MonkeyPatch, location: str, why: str
) -> None:
    net = Internet(server, {"news.example": [[Internet.PUBLIC]], "inside.example": [["127.0.0.1"]]})
    paths = len(server.paths)
    result = net.fetcher(monkeypatch).fetch(f"http://news.example/redirect?to={location}")
    assert (result.title, result.reason) == (None, f"redirect to {location} refused: {why}")
    assert result.final_url == location and result.status == 302
    assert net.connects == [Internet.PUBLIC]  # only the first hop connected
    assert len(server.paths) == paths + 1


@pytest.mark.slow
def test_https_checks_the_certificate_against_the_host_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    cert, key = self_signed_certificate(tmp_path, "news.example")
    with serving(tls_context(cert, key)) as server:
        net = Internet(
            server, {"news.example": [[Internet.PUBLIC]], "other.example": [[Internet.PUBLIC]]}
        )
        fetcher = net.fetcher(monkeypatch)
        fetcher.tls = ssl.create_default_context(cafile=str(cert))
        # connected to the checked address; SNI, certificate and Host name the host
        assert fetcher.fetch("https://news.example/host").title == "Host header news.example"
        # the same address under another name: the certificate does not match
        other = fetcher.fetch("https://other.example/host")
        assert other.title is None
        assert other.reason.startswith("request failed: TLS certificate not valid"), other
        assert net.connects == [Internet.PUBLIC, Internet.PUBLIC]


def test_the_opt_in_reaches_private_addresses(server: PageServer) -> None:
    before = server.accepted
    assert _fetcher().fetch(f"http://localhost:{server.port}/good").title is not None
    assert server.accepted > before


# -- deadlines that hold (issue 11, high 3) ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/slow", "/trickle-headers", "/trickle-body"])
def test_the_per_url_deadline_holds_whatever_the_server_does(server: PageServer, path: str) -> None:
    # a per-read timeout of 5 s never fires on a server that sends a byte every 50 ms (for
    # 8 s), nor before the slow page answers (5 s): the wall-clock deadline of 0.5 s must. The
    # bound leaves room for a loaded machine and still tells the two apart.
    started = time.monotonic()
    result = _fetcher(timeout=5.0, deadline=0.5).fetch(f"{server.base}{path}")
    elapsed = time.monotonic() - started
    assert (result.title, result.reason) == (None, "timed out (0.5 s limit)")
    assert elapsed < 3.0, elapsed


@pytest.mark.slow
def test_the_run_budget_bounds_all_the_urls(server: PageServer) -> None:
    urls = [f"{server.base}/trickle-headers?n={i}" for i in range(4)]
    started = time.monotonic()
    results = _fetcher(timeout=5.0, deadline=5.0).results(urls, until=started + 0.6)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, elapsed  # each URL's own limit alone would allow 20 s
    assert results[0].reason == "timed out (the run's time budget ran out)"
    assert [r.reason for r in results[1:]] == ["not fetched: the time budget ran out"] * 3


def test_fetching_stops_at_the_run_deadline() -> None:
    fetcher = _policy_fetcher()
    fetcher.resolver = lambda *a: pytest.fail("nothing is looked up after the deadline")  # type: ignore[assignment]
    results = fetcher.results(
        ["http://example.org/a", "http://example.org/b"], until=time.monotonic() - 1
    )
    assert results == [
        FetchResult(u, None, "not fetched: the time budget ran out")
        for u in ("http://example.org/a", "http://example.org/b")
    ]


def test_a_slow_lookup_is_bounded_by_the_deadline() -> None:
    fetcher = _policy_fetcher(deadline=0.3)
    fetcher.resolver = lambda host, port: time.sleep(6) or [Internet.PUBLIC]  # type: ignore[assignment,func-returns-value]
    started = time.monotonic()
    assert fetcher.fetch("http://slow-dns.example/").reason == "timed out (0.3 s limit)"
    assert time.monotonic() - started < 3.0


def test_the_titles_note_says_why_each_url_has_no_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wikilint.bot.web import titles as bot_titles

    seen: list[dict[str, object]] = []

    def fake(urls: list[str], contact: str, **kwargs: object) -> dict[str, str]:
        seen.append(kwargs)
        on_failure = kwargs["on_failure"]
        assert callable(on_failure)
        on_failure(urls[0], "timed out (20 s limit)")
        return {}

    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", fake)
    notes: list[str] = []
    until = time.monotonic() - 1
    url = "https://example.org/a"
    assert bot_titles.fetch_titles([url], CONTACT, notes.append, until=until) == {}
    assert seen[0]["until"] == until and seen[0]["allow_private"] is False
    assert f"no title for {url}: timed out (20 s limit)" in notes
    assert "time budget ran out" in notes[-1]


# -- the command line: the opt-in, and a reason per URL (issue 10, bug 4) ------------------------


def _fix(
    server: PageServer, tmp_path: Path, *flags: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    from click.testing import CliRunner
    from wikilint.bot.cli.main import main

    path = tmp_path / "page.wiki"
    path.write_text(
        f"A.<ref>{server.base}/good</ref> B.<ref>{server.base}/missing</ref>\n", encoding="utf-8"
    )
    env = {"WIKILINT_ALLOW_PRIVATE_FETCH": "", **(env or {})}
    result = CliRunner().invoke(
        main,
        [
            "fix",
            "--stdout",
            "--unsafe-fixes",
            "--contact",
            CONTACT,
            "--select",
            "bare-url",
            *flags,
            str(path),
        ],
        env=env,
    )
    return result.exit_code, result.stdout, result.stderr


def test_fix_refuses_private_urls_and_says_so_per_url(server: PageServer, tmp_path: Path) -> None:
    before = server.accepted
    code, out, err = _fix(server, tmp_path)
    assert code == 0 and "cite web" not in out
    assert server.accepted == before
    for path in ("good", "missing"):
        assert (
            f"page.wiki: note: no title for {server.base}/{path}: refused: 127.0.0.1 is a "
            "loopback address"
        ) in err


@pytest.mark.parametrize("how", ["flag", "env"])
def test_fix_with_the_opt_in_fetches_from_the_local_server(
    server: PageServer, tmp_path: Path, how: str
) -> None:
    flags = ("--allow-private-fetch",) if how == "flag" else ()
    env = {"WIKILINT_ALLOW_PRIVATE_FETCH": "1"} if how == "env" else {}
    code, out, err = _fix(server, tmp_path, *flags, env=env)
    assert code == 0
    assert f"{{{{cite web |url={server.base}/good |title=The Good & Proper Page" in out
    assert f"no title for {server.base}/missing: HTTP 404" in err


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=60).map(lambda tail: "http://" + tail)
    | st.from_regex(r"https?://[a-z0-9.:\[\]%@-]{0,30}(/[^\s]{0,20})?", fullmatch=True)
)
def test_any_url_gives_a_result_never_an_exception(url: str) -> None:
    def unresolvable(host: str, port: int) -> list[str]:
        raise socket.gaierror("no such host")

    def no_network(address: str, port: int, timeout: float) -> socket.socket:
        assert refusal_for_address(address) is None, (url, address)  # only public addresses
        raise ConnectionRefusedError

    fetcher = _policy_fetcher(deadline=2.0)
    fetcher.resolver, fetcher.opener = unresolvable, no_network
    result = fetcher.fetch(url)
    assert result.title is None and result.reason
