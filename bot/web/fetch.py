"""The title fetcher: fetch web pages and extract a usable title for the opt-in fixes of
bare-url and placeholder-title.

The rules never fetch anything: the caller runs :func:`fetch_titles` (or a
:class:`TitleFetcher`) over the URLs it wants titles for, and hands the mapping to
``rules.Environment(titles=...)``. Only acceptable titles are returned: junk titles (error
pages, bot walls, the bare host name, fewer than 3 characters) are rejected with the same
rules the linter applies (``rules.urls.is_acceptable_title``); control characters are
dropped and long titles capped (``rules.urls.plain_title``). Every URL without a title gets
a reason (:class:`FetchResult`).

The URLs come from pages anyone can edit, so:

- **Addresses** (``bot.web.addresses``): every hop, the first request and each redirect
  (followed here, by hand), is checked before anything is sent, and its host name is resolved
  once; the connection goes to the address that was checked (no second DNS lookup, so DNS
  rebinding cannot swap in another one), with the original Host header, TLS server name and
  certificate check. Private, loopback, link-local and other non-public addresses,
  ``localhost`` names and non-default ports are refused unless ``allow_private`` is set
  (``--allow-private-fetch``: tests and closed networks only).
- **Time**: one wall-clock deadline per URL covers the DNS lookup, every hop, the headers and
  the body, and never runs past ``until`` (a run's time budget). When it passes, a watchdog
  shuts the socket down, which ends any read however slowly the server trickles.
- **Size**: at most ``max_bytes`` of a body are read (and decompressed); HTML only
  (``text/html``/``application/xhtml+xml``); at most ``max_redirects`` redirects.

Requests carry a User-Agent naming the tool and a contact, and go straight to the site:
``HTTP_PROXY``/``HTTPS_PROXY`` are not used (a proxy would look the name up again). Only the
standard library is used (``http.client``, ``ssl``, ``socket``); nothing here is imported on
the lint path.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import NamedTuple
from urllib.parse import urljoin

from wikilint.bot.web.addresses import (
    DEFAULT_PORTS,
    Target,
    TargetRefused,
    objection,
    target_of,
)
from wikilint.rules.urls import clean_title, is_acceptable_title, plain_title

__all__ = [
    "FetchConfig",
    "FetchResult",
    "TitleFetcher",
    "extract_title",
    "fetch_titles",
    "open_tcp",
    "system_resolver",
]

TOOL = "wikilint"
VERSION = "0.1.0"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)

# host, port → the IP addresses to connect to (tests pass a stub).
Resolver = Callable[[str, int], Sequence[str]]
# IP address, port, timeout → a connected socket (tests pass one that records the addresses).
Opener = Callable[[str, int, float], socket.socket]


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def open_tcp(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly ``address`` (an IP address: no name lookup)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


@dataclass(frozen=True)
class FetchConfig:
    """How pages are fetched. ``contact`` (an email address or a URL) is required: sites
    and wiki operators must be able to reach whoever runs the bot."""

    contact: str
    timeout: float = 10.0  # seconds, per connect or read
    deadline: float = 20.0  # seconds, wall clock per URL: lookup, redirects, headers, body
    max_bytes: int = 512 * 1024  # read (and decompress) at most this much of a body
    max_redirects: int = 5
    chunk_size: int = 8192
    allow_private: bool = False  # tests and closed networks only (--allow-private-fetch)

    def __post_init__(self) -> None:
        if not self.contact or not self.contact.strip():
            raise ValueError("a contact (email or URL) is required for the User-Agent")

    @property
    def user_agent(self) -> str:
        return f"{TOOL}/{VERSION} (title fetcher; +{self.contact.strip()})"


@dataclass(frozen=True)
class FetchResult:
    url: str
    title: str | None  # an acceptable title, or None
    reason: str = ""  # why there is no title ("" when there is one)
    status: int | None = None
    final_url: str | None = None  # after redirects


class _TitleParser(HTMLParser):
    """Collects ``<title>`` text and ``og:title``; stops caring after ``</head>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title_parts: list[str] = []
        self.og_title: str | None = None
        self._in_title = False
        self._seen_title = False
        self._in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._in_svg += 1  # an inline SVG's <title> is not the page's
        elif tag == "title" and not self._seen_title and not self._in_svg:
            self._in_title = True
        elif tag == "meta" and self.og_title is None:
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").lower()
            if key == "og:title" and values.get("content", "").strip():
                self.og_title = values["content"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._in_svg:
            self._in_svg -= 1
        elif tag == "title" and self._in_title:
            self._in_title = False
            self._seen_title = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)


def extract_title(markup: str) -> str | None:
    """The page's title: ``og:title`` if present (usually without the site-name suffix),
    else ``<title>``; HTML-unescaped and whitespace-normalized. ``None`` when neither."""
    parser = _TitleParser()
    try:
        parser.feed(markup)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - malformed markup
        pass
    for raw in (parser.og_title, "".join(parser.title_parts)):
        if raw and raw.strip():
            return clean_title(raw)
    return None


def _decode(body: bytes, declared: str | None) -> str:
    encoding = declared
    if not encoding:
        m = _CHARSET.search(body[:4096])
        encoding = m.group(1).decode("ascii", "replace") if m else "utf-8"
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


class _TimedOut(Exception):
    pass


class _Deadline:
    """One URL's wall-clock limit, held whatever the server does: when it passes, every socket
    opened for the URL is shut down (through a duplicate of it, which also reaches a TLS
    socket), so a read that a server keeps alive one byte at a time ends at once."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.expired = False
        self._lock = threading.Lock()
        self._guards: list[socket.socket] = []
        self._timer = threading.Timer(max(0.0, at - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        """Whether the limit is (all but) reached: a socket timeout set to the time left
        can fire a moment before the watchdog does."""
        return self.expired or self.left() < 0.05

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                raise _TimedOut
            self._guards.append(sock.dup())

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for guard in self._guards:
                with contextlib.suppress(OSError):  # already closed by the other side
                    guard.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for guard in self._guards:
                guard.close()
            self._guards.clear()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one checked IP address, whatever the host name now resolves
    to: the Host header, the TLS server name and the certificate check use the host name."""

    def __init__(
        self,
        target: Target,
        address: str,
        timeout: float,
        opener: Opener,
        deadline: _Deadline,
        tls: ssl.SSLContext | None,
    ) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.default_port = DEFAULT_PORTS[target.scheme]  # Host: without the default port
        self._address, self._opener, self._deadline, self._tls = address, opener, deadline, tls

    def connect(self) -> None:
        sock = self._opener(self._address, self.port, self.timeout)
        self._deadline.watch(sock)
        if self._tls is not None:
            sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


class _Answer(NamedTuple):
    status: int
    location: str | None
    mime: str
    charset: str | None
    body: bytes
    truncated: bool  # reading stopped at the size cap


class _Refused(Exception):
    """No title for a reason worth saying (the message)."""


def _decompressor(encoding: str) -> zlib._Decompress | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise _Refused(f"unsupported content encoding {encoding!r}")


@dataclass
class TitleFetcher:
    """Fetches titles under one :class:`FetchConfig`; results are cached per URL.

    ``resolver`` and ``opener`` are the only ways out to the network, and ``tls`` the
    certificates trusted for https (tests replace them)."""

    config: FetchConfig
    resolver: Resolver = system_resolver
    opener: Opener = open_tcp
    tls: ssl.SSLContext | None = None  # default: the system's or certifi's CA bundle
    _cache: dict[str, FetchResult] = field(default_factory=dict)

    def fetch(self, url: str, until: float | None = None) -> FetchResult:
        """Fetch one URL (cached per fetcher) and return its acceptable title, if any.
        ``until`` (a ``time.monotonic()`` instant) cuts the URL's time limit short."""
        if url not in self._cache:
            self._cache[url] = self._fetch(url, until)
        return self._cache[url]

    def _fetch(self, url: str, until: float | None) -> FetchResult:
        cfg = self.config
        at = time.monotonic() + cfg.deadline
        limit = f"timed out ({cfg.deadline:g} s limit)"
        if until is not None and until < at:
            at, limit = until, "timed out (the run's time budget ran out)"
        deadline = _Deadline(at)
        current, status = url, None
        try:
            for hop in range(cfg.max_redirects + 1):
                try:
                    target = target_of(current, cfg.allow_private)
                    answer = self._exchange(target, deadline)
                except TargetRefused as exc:
                    what = "refused" if hop == 0 else f"redirect to {current} refused"
                    return FetchResult(url, None, f"{what}: {exc}", status, current)
                status = answer.status
                if status in REDIRECTS and answer.location:
                    current = urljoin(current, answer.location.strip())
                    continue
                return self._result(url, current, answer)
            return FetchResult(
                url, None, f"more than {cfg.max_redirects} redirects", status, current
            )
        except _TimedOut:
            return FetchResult(url, None, limit, status, current)
        except _Refused as exc:
            return FetchResult(url, None, str(exc), status, current)
        except (OSError, http.client.HTTPException) as exc:
            if deadline.passed:
                return FetchResult(url, None, limit, status, current)
            return FetchResult(url, None, f"request failed: {_describe(exc)}", status, current)
        finally:
            deadline.close()

    def _result(self, url: str, final: str, answer: _Answer) -> FetchResult:
        status = answer.status
        if not 200 <= status < 300:
            return FetchResult(url, None, f"HTTP {status}", status, final)
        if answer.mime not in HTML_TYPES:
            return FetchResult(url, None, f"not HTML ({answer.mime or 'no type'})", status, final)
        title = extract_title(_decode(answer.body, answer.charset))
        if title is None:
            reason = "no title"
            if answer.truncated:
                size = f"{self.config.max_bytes // 1024} KiB"
                reason = f"no title in the first {size} (page too large)"
            return FetchResult(url, None, reason, status, final)
        title = plain_title(title)
        if not is_acceptable_title(title, url) or not is_acceptable_title(title, final):
            return FetchResult(url, None, f"junk title {title!r}", status, final)
        return FetchResult(url, title, "", status, final)

    def _addresses(self, target: Target, deadline: _Deadline) -> list[str]:
        """The checked addresses for one hop: a numeric host as it is, else one lookup
        (bounded by the deadline), every answer checked."""
        if target.numeric is not None:
            return [str(target.numeric)]
        found: list[Sequence[str] | BaseException] = []

        def lookup() -> None:
            try:
                found.append(self.resolver(target.host, target.port))
            except Exception as exc:
                found.append(exc)

        worker = threading.Thread(target=lookup, daemon=True)
        worker.start()
        worker.join(max(0.0, deadline.left()))
        if not found:
            raise _TimedOut
        answer = found[0]
        if isinstance(answer, BaseException) or not answer:
            raise _Refused(f"cannot resolve {target.host}")
        try:
            addresses = [ipaddress.ip_address(a) for a in answer]
        except ValueError:
            raise _Refused(f"{target.host} resolved to something not an IP address") from None
        if not self.config.allow_private:
            for address in addresses:
                reason = objection(address)
                if reason:
                    raise TargetRefused(f"{target.host} resolves to {address}, which {reason}")
        return [str(a) for a in addresses]

    def _exchange(self, target: Target, deadline: _Deadline) -> _Answer:
        """One request to one checked address; the body is read only for an HTML success."""
        cfg = self.config
        last: OSError | None = None
        for address in self._addresses(target, deadline):
            left = deadline.left()
            if left <= 0:
                raise _TimedOut
            tls = self._tls_context() if target.scheme == "https" else None
            conn = _PinnedConnection(
                target, address, min(cfg.timeout, left), self.opener, deadline, tls
            )
            try:
                try:
                    conn.connect()
                except OSError as exc:  # the next address, if the host has several
                    last = exc
                    continue
                conn.request(
                    "GET",
                    target.path,
                    headers={
                        "User-Agent": cfg.user_agent,
                        "Accept": "text/html,application/xhtml+xml;q=0.9",
                        "Accept-Encoding": "gzip, deflate",
                        "Connection": "close",
                    },
                )
                return self._read(conn.getresponse(), deadline)
            finally:
                conn.close()
        raise last or _Refused(f"cannot resolve {target.host}")

    def _read(self, response: http.client.HTTPResponse, deadline: _Deadline) -> _Answer:
        cfg = self.config
        headers = response.headers
        mime = headers.get_content_type() if headers.get("Content-Type") else ""
        answer = _Answer(
            response.status,
            headers.get("Location"),
            mime,
            headers.get_content_charset(),
            b"",
            False,
        )
        if not 200 <= response.status < 300 or mime not in HTML_TYPES:
            return answer
        decompressor = _decompressor(headers.get("Content-Encoding", ""))
        body, raw, truncated = bytearray(), 0, False
        while True:
            if deadline.expired or deadline.left() <= 0:
                raise _TimedOut
            chunk = response.read1(cfg.chunk_size)
            if not chunk:
                if deadline.passed:  # the watchdog's shutdown looks like the end of the body
                    raise _TimedOut
                break
            raw += len(chunk)
            room = cfg.max_bytes - len(body)
            data = decompressor.decompress(chunk, room) if decompressor else chunk[:room]
            body.extend(data)
            if len(body) >= cfg.max_bytes or raw >= cfg.max_bytes:
                truncated = True  # stop reading: the title is in the head
                break
        return answer._replace(body=bytes(body), truncated=truncated)

    def _tls_context(self) -> ssl.SSLContext:
        if self.tls is None:
            try:
                import certifi  # the CA bundle requests uses, when installed

                self.tls = ssl.create_default_context(cafile=certifi.where())
            except ImportError:
                self.tls = ssl.create_default_context()
        return self.tls

    def results(self, urls: Iterable[str], until: float | None = None) -> list[FetchResult]:
        """One :class:`FetchResult` per distinct URL, in order. At ``until`` (a
        ``time.monotonic()`` instant: a bot run's time budget) fetching stops; the URLs left
        get "not fetched" results."""
        out: list[FetchResult] = []
        for url in dict.fromkeys(urls):
            if until is not None and time.monotonic() >= until:
                out.append(FetchResult(url, None, "not fetched: the time budget ran out"))
            else:
                out.append(self.fetch(url, until))
        return out

    def titles(self, urls: Iterable[str], until: float | None = None) -> dict[str, str]:
        """URL → acceptable title, for ``rules.Environment(titles=...)`` (see :meth:`results`:
        URLs without a title are left out, so the fixes that need one are not offered)."""
        return {r.url: r.title for r in self.results(urls, until) if r.title is not None}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({exc.reason or type(exc).__name__})"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "no answer within the per-read timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return type(exc).__name__


def fetch_titles(
    urls: Iterable[str],
    contact: str,
    *,
    until: float | None = None,
    allow_private: bool = False,
    on_failure: Callable[[str, str], None] | None = None,
    **limits: object,
) -> dict[str, str]:
    """Fetch each URL once and return URL → acceptable title (URLs without one are left out;
    ``on_failure(url, reason)`` hears about each of them).

    ``limits`` are :class:`FetchConfig` fields (``timeout``, ``deadline``, ``max_bytes``,
    ``max_redirects``); ``until`` is when to stop fetching (see :meth:`TitleFetcher.results`);
    ``allow_private`` lifts the address policy (tests and closed networks only).
    """
    config = FetchConfig(contact=contact, allow_private=allow_private, **limits)  # type: ignore[arg-type]
    titles: dict[str, str] = {}
    for result in TitleFetcher(config).results(urls, until):
        if result.title is not None:
            titles[result.url] = result.title
        elif on_failure is not None:
            on_failure(result.url, result.reason)
    return titles
