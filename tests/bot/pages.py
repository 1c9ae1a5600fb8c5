"""A local web server for the title fetcher's tests: crafted pages on 127.0.0.1, a free port.

It counts the connections it accepts, so a test can prove that a refused URL never reached it.
Every page is bounded: the slow ones stop after ``SLOW_FOR`` seconds, or when the client
hangs up. Fetching from it needs the private-address opt-in (``allow_private``): that is the
point of the address policy.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HUGE_FILLER = 20 * 1024  # five times the cap the tests use
SLOW_FOR = 8.0  # seconds: the longest a slow page keeps a connection
# A title that tries every wikitext construct that MediaWiki's pre-save transform rewrites,
# every behaviour switch it knows, and markup (issue 11, critical 2).
INJECTION_TITLE = (
    "Report ~~~~ by ~~~ at ~~~~~ __NOINDEX__ __NOTOC__ __FORCETOC__ "
    "{{subst:CURRENTYEAR}} {{safesubst:PAGENAME}} [[Main Page|]] [[Help:x|]] "
    "''x'' <nowiki>y</nowiki> [[Category:Injected]]"
)


def page(title: str, extra_head: str = "", body: str = "<p>text</p>") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title>{extra_head}"
        f"</head><body>{body}</body></html>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: PageServer

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, data: bytes, interval: float) -> None:
        """Write ``data`` a byte at a time, for at most ``SLOW_FOR`` seconds."""
        stop = time.monotonic() + SLOW_FOR
        with contextlib.suppress(OSError):
            for byte in data:
                if time.monotonic() > stop:
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(interval)

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        route = ROUTES.get(path)
        if route is not None:
            route(self, query)
        else:
            self._send(404, page("Not Found"))


def _redirect(handler: _Handler, query: dict[str, list[str]]) -> None:
    handler._send(302, b"", headers={"Location": query.get("to", ["/good"])[0]})


def _slow(handler: _Handler, query: dict[str, list[str]]) -> None:
    time.sleep(5)
    with contextlib.suppress(OSError):
        handler._send(200, page("Slow page"))  # the client has given up by now


def _trickle_headers(handler: _Handler, query: dict[str, list[str]]) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
    handler._trickle(b"a" * 10_000, 0.05)  # a header line that never ends


def _trickle_body(handler: _Handler, query: dict[str, list[str]]) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head>")
    handler._trickle(b" " * 10_000, 0.05)  # a head that never gets to its title


def _gzip(handler: _Handler, query: dict[str, list[str]]) -> None:
    handler._send(
        200, gzip.compress(page("Compressed page title")), headers={"Content-Encoding": "gzip"}
    )


def _gzip_bomb(handler: _Handler, query: dict[str, list[str]]) -> None:
    body = b"<html><head>" + b" " * (16 * 1024 * 1024) + b"<title>Too late</title>"
    handler._send(200, gzip.compress(body, 1), headers={"Content-Encoding": "gzip"})


ROUTES: dict[str, Callable[[_Handler, dict[str, list[str]]], None]] = {
    "/good": lambda h, q: h._send(200, page("  The Good &amp; Proper\n   Page  ")),
    "/og": lambda h, q: h._send(
        200,
        page(
            "Minutes of the 1921 congress | Example Archive",
            '<meta property="og:title" content="Minutes of the 1921 congress">',
        ),
    ),
    "/svg": lambda h, q: h._send(
        200,
        b"<html><body><svg><title>icon</title></svg><title>Real page title</title></body></html>",
    ),
    "/junk": lambda h, q: h._send(200, page("Just a moment...")),
    "/cloudflare": lambda h, q: h._send(200, page("Attention Required! | Cloudflare")),
    "/hostname": lambda h, q: h._send(200, page("127.0.0.1")),
    "/short": lambda h, q: h._send(200, page("Hi")),
    "/notitle": lambda h, q: h._send(200, b"<html><head></head><body>no title</body></html>"),
    "/missing": lambda h, q: h._send(404, page("Page not found")),
    "/redirect": _redirect,
    "/loop": lambda h, q: h._send(302, b"", headers={"Location": "/loop"}),
    "/huge-late-title": lambda h, q: h._send(
        200,
        b"<html><head><!-- " + b"x" * HUGE_FILLER + b" --><title>Too late</title></head></html>",
    ),
    "/huge": lambda h, q: h._send(200, page("Big but fine", body="<p>" + "y" * HUGE_FILLER)),
    "/pdf": lambda h, q: h._send(200, b"%PDF-1.4 <title>not html</title>", "application/pdf"),
    "/latin1": lambda h, q: h._send(
        200,
        "<html><head><title>Caf\xe9 M\xfcller</title></head></html>".encode("latin-1"),
        "text/html; charset=iso-8859-1",
    ),
    "/ua": lambda h, q: h._send(200, page(f"Agent {h.headers.get('User-Agent', '')}")),
    "/host": lambda h, q: h._send(200, page(f"Host header {h.headers.get('Host', '')}")),
    "/slow": _slow,
    "/trickle-headers": _trickle_headers,
    "/trickle-body": _trickle_body,
    "/gzip": _gzip,
    "/gzip-bomb": _gzip_bomb,
    "/injection": lambda h, q: h._send(200, page(INJECTION_TITLE.replace("<", "&lt;"))),
    "/long-title": lambda h, q: h._send(200, page("word " * 20_000)),
    "/escapes": lambda h, q: h._send(200, page("Clean\x1b[31m red \u202eevil\u202c title")),
}


class PageServer(ThreadingHTTPServer):
    """The test server; ``accepted`` counts connections, ``paths`` the requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.accepted = 0
        self.paths: list[str] = []

    def get_request(self) -> tuple[socket.socket, Any]:
        conn = super().get_request()
        self.accepted += 1
        return conn

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[PageServer]:
    """The server, on a thread, for the ``with`` block; over TLS with a server context."""
    server = PageServer()
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    # poll often: shutdown() waits for the next poll (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    """A certificate and key for ``host`` (openssl, valid for a day)."""
    cert, key = folder / f"{host}.crt", folder / f"{host}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={host}",
            "-addext",
            f"subjectAltName=DNS:{host}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context with the given certificate, for :func:`serving`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
