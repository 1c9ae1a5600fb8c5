"""The title fetcher: fetch web pages and extract a usable title for the opt-in fixes of
bare-url and placeholder-title.

The rules never fetch anything: the caller runs :func:`fetch_titles` (or a
:class:`TitleFetcher`) over the URLs it wants titles for, and hands the mapping to
``rules.Environment(titles=...)``. Only acceptable titles are returned: junk titles (error
pages, bot walls, the bare host name, fewer than 3 characters) are rejected with the same
rules the linter applies (``rules.urls.is_acceptable_title``).

Limits: a per-request timeout and a total deadline, a cap on the bytes read (the body is
streamed and reading stops at the cap: the title is in the ``<head>``), HTML only
(``text/html``/``application/xhtml+xml``), a bounded number of redirects, and a User-Agent
naming the tool and a contact. ``requests`` is imported lazily: the lint path never imports
it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from wikilint.rules.urls import clean_title, is_acceptable_title

if TYPE_CHECKING:
    import requests

__all__ = ["FetchConfig", "FetchResult", "TitleFetcher", "extract_title", "fetch_titles"]

TOOL = "wikilint"
VERSION = "0.1.0"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class FetchConfig:
    """How pages are fetched. ``contact`` (an email address or a URL) is required: sites
    and wiki operators must be able to reach whoever runs the bot."""

    contact: str
    timeout: float = 10.0  # seconds, per connect/read (requests' timeout)
    deadline: float = 20.0  # seconds, total per URL, redirects and body included
    max_bytes: int = 512 * 1024  # read at most this much of a body
    max_redirects: int = 5
    chunk_size: int = 8192

    def __post_init__(self) -> None:
        if not self.contact or not self.contact.strip():
            raise ValueError("a contact (email or URL) is required for the User-Agent")

    @property
    def user_agent(self) -> str:
        return f"{TOOL}/{VERSION} (title fetcher; +{self.contact.strip()}) python-requests"


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


@dataclass
class TitleFetcher:
    """Fetches titles with one ``requests.Session`` (connection reuse, one User-Agent)."""

    config: FetchConfig
    session: Any = None  # a requests.Session; created lazily
    _cache: dict[str, FetchResult] = field(default_factory=dict)

    def _session(self) -> requests.Session:
        if self.session is None:
            import requests  # lazy: the lint path never imports requests

            self.session = requests.Session()
        self.session.headers["User-Agent"] = self.config.user_agent
        self.session.headers.setdefault("Accept", "text/html,application/xhtml+xml;q=0.9")
        self.session.max_redirects = self.config.max_redirects
        return self.session

    def fetch(self, url: str, until: float | None = None) -> FetchResult:
        """Fetch one URL (cached per fetcher) and return its acceptable title, if any.
        ``until`` (a ``time.monotonic()`` instant) cuts the URL's time limits short."""
        if url not in self._cache:
            self._cache[url] = self._fetch(url, until)
        return self._cache[url]

    def _fetch(self, url: str, until: float | None = None) -> FetchResult:
        import requests

        if not url.lower().startswith(("http://", "https://")):
            return FetchResult(url, None, "not an http(s) URL")
        session = self._session()
        cfg = self.config
        start = time.monotonic()
        deadline, timeout = cfg.deadline, cfg.timeout
        if until is not None:
            deadline = min(deadline, until - start)
            timeout = max(0.1, min(timeout, deadline))
        try:
            response = session.get(url, timeout=timeout, stream=True, allow_redirects=True)
        except requests.TooManyRedirects:
            return FetchResult(url, None, f"more than {cfg.max_redirects} redirects")
        except requests.Timeout:
            return FetchResult(url, None, "timed out")
        except requests.RequestException as exc:
            return FetchResult(url, None, f"request failed: {type(exc).__name__}")
        with response:
            status, final = response.status_code, response.url
            if not 200 <= status < 300:
                return FetchResult(url, None, f"HTTP {status}", status, final)
            ctype = response.headers.get("Content-Type", "")
            mime = ctype.split(";", 1)[0].strip().lower()
            if mime not in HTML_TYPES:
                return FetchResult(url, None, f"not HTML ({mime or 'no type'})", status, final)
            body = bytearray()
            try:
                for chunk in response.iter_content(chunk_size=cfg.chunk_size):
                    body.extend(chunk)
                    if len(body) >= cfg.max_bytes:
                        del body[cfg.max_bytes :]
                        break  # stop reading: the title is in the head
                    if time.monotonic() - start > deadline:
                        return FetchResult(url, None, "timed out", status, final)
            except requests.RequestException:
                return FetchResult(url, None, "timed out or broken body", status, final)
            declared = None
            if "charset=" in ctype.lower():
                declared = ctype.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
            title = extract_title(_decode(bytes(body), declared))
        if title is None:
            return FetchResult(url, None, "no title", status, final)
        if not is_acceptable_title(title, url) or not is_acceptable_title(title, final):
            return FetchResult(url, None, f"junk title {title!r}", status, final)
        return FetchResult(url, title, "", status, final)

    def titles(self, urls: Iterable[str], until: float | None = None) -> dict[str, str]:
        """URL → acceptable title, for ``rules.Environment(titles=...)``. At ``until`` (a
        ``time.monotonic()`` instant: a bot run's time budget) fetching stops; the URLs left
        get no title, so the fixes that need one are not offered."""
        out: dict[str, str] = {}
        for url in dict.fromkeys(urls):
            if until is not None and time.monotonic() >= until:
                break
            result = self.fetch(url, until)
            if result.title is not None:
                out[url] = result.title
        return out


def fetch_titles(
    urls: Iterable[str],
    contact: str,
    *,
    session: Any = None,
    until: float | None = None,
    **limits: Any,
) -> dict[str, str]:
    """Fetch each URL once and return URL → acceptable title (URLs without one are left out).

    ``limits`` are :class:`FetchConfig` fields (``timeout``, ``deadline``, ``max_bytes``,
    ``max_redirects``); ``until`` is when to stop fetching (see :meth:`TitleFetcher.titles`).
    """
    return TitleFetcher(FetchConfig(contact=contact, **limits), session).titles(urls, until)
