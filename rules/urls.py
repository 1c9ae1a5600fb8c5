"""URL helpers shared by the URL and citation rules (and by ``bot.fetch``).

Everything here is pure: strings in, strings (or small frozen records) out. Public helpers:

- :func:`find_urls` — ``http(s)``/``ftp`` URLs in plain text, MediaWiki-style (trailing
  punctuation and an unbalanced ``)`` are not part of the URL).
- :func:`split_url`, :func:`host_of` — scheme and lower-cased host.
- :func:`normalize_url` — a comparison key ignoring scheme, ``www.``, the trailing slash, host
  case, a default port and (by default) the ``#fragment``.
- :func:`parse_wayback` — a Wayback Machine URL split into timestamp, modifier and original.
- :func:`host_matches` — host matching against a list with ``*.`` wildcards.
- :data:`PLACEHOLDER_TITLES`, :data:`JUNK_TITLES`, :func:`clean_title`,
  :func:`is_acceptable_title` — the title rules shared by bare-url, placeholder-title and the
  bot's title fetcher.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple
from urllib.parse import unquote

__all__ = [
    "JUNK_TITLES",
    "MAX_TITLE_LENGTH",
    "PLACEHOLDER_TITLES",
    "WaybackURL",
    "cap_title",
    "clean_title",
    "escape_title",
    "find_urls",
    "host_matches",
    "host_of",
    "is_acceptable_title",
    "is_placeholder_title",
    "is_wayback_host",
    "normalize_url",
    "parse_wayback",
    "plain_title",
    "same_page",
    "split_url",
    "wayback_key",
]

# A URL as MediaWiki's free-link parser sees it: scheme, then anything but whitespace and
# the characters that end a link in wikitext.
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\[\]{}|\"]+", re.I)
_TRAILING_PUNCT = ",;.:!?'"
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*:)?//", re.I)
_SPACE_RUN = re.compile(r"\s+")
_LOOSE_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*:)/{1,3}(?=[^/])", re.I)

WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "web-beta.archive.org"})


# Web archives: a copy of a source, not a source of its own (host, or host + path prefix).
ARCHIVE_HOSTS = (
    "web.archive.org",
    "wayback.archive.org",
    "archive.org/web",
    "archive.today",
    "archive.ph",
    "archive.is",
    "archive.li",
    "archive.fo",
    "archive.md",
    "archive.vn",
    "webcitation.org",
    "wayback.archive-it.org",
    "ghostarchive.org",
    "webarchive.nationalarchives.gov.uk",
    "webarchive.loc.gov",
    "arquivo.pt/wayback",
    "webarchive.org.uk",
)


def is_archive_url(url: str) -> bool:
    """Whether a URL points into a web archive (Wayback Machine, archive.today, …)."""
    _scheme, host, rest = split_url(url)
    host = _without_www(host, _WWW)
    key = host + rest
    return any(key.startswith(a) or host.endswith("." + a) for a in ARCHIVE_HOSTS)


def find_urls(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, url)`` for each ``http(s)://``/``ftp://`` URL in ``text``.

    Like MediaWiki, trailing ``,;.:!?'`` are not part of the URL, nor is a closing ``)``
    when the URL holds no ``(``.
    """
    for match in _URL.finditer(text):
        url = match.group()
        while url:
            if url[-1] in _TRAILING_PUNCT or (url[-1] == ")" and "(" not in url):
                url = url[:-1]
            else:
                break
        if "://" in url and not url.endswith("://"):
            yield match.start(), match.start() + len(url), url


def split_url(url: str) -> tuple[str, str, str]:
    """``(scheme, host, rest)``: scheme lower-cased without ``:`` (``""`` when relative),
    host lower-cased without user info and port, rest = path + query + fragment as written."""
    url = url.strip()
    m = _SCHEME.match(url)
    if not m:
        return "", "", url
    scheme = (m.group(1) or "")[:-1].lower()
    remainder = url[m.end() :]
    cut = len(remainder)
    for sep in "/?#":
        i = remainder.find(sep)
        if 0 <= i < cut:
            cut = i
    authority, rest = remainder[:cut], remainder[cut:]
    host = authority.rsplit("@", 1)[-1]
    # an IPv6 literal keeps its brackets; otherwise drop the port
    host = host.split("]", 1)[0] + "]" if host.startswith("[") else host.split(":", 1)[0]
    return scheme, host.lower().rstrip("."), rest


def host_of(url: str) -> str:
    """The lower-cased host of a URL (``""`` when it has none)."""
    return split_url(url)[1]


def normalize_url(url: str, *, keep_fragment: bool = False) -> str:
    """A key under which two URLs that reach the same resource compare equal.

    Ignores the scheme, a leading ``www.``, host case, the port, a trailing slash and, unless
    ``keep_fragment``, the ``#fragment``; HTML entities (``&amp;``) are decoded. The path and
    query keep their case. Pure and cheap: meant for indexes (repeated-source) and comparisons
    (archive-url-malformed).

    >>> normalize_url("http://www.Example.org/a/") == normalize_url("https://example.org/a")
    True
    """
    url = _LOOSE_SCHEME.sub(r"\1//", html.unescape(url.strip()), count=1)
    if not _SCHEME.match(url):
        url = "//" + url  # "example.org/a", as Wayback originals are sometimes written
    _scheme, host, rest = split_url(url)
    host = _without_www(host, _WWW)
    if not keep_fragment:
        rest = rest.split("#", 1)[0]
    path, sep, query = rest.partition("?")
    path = path.rstrip("/")
    return f"{host}{path}{sep}{query}"


_WWW = re.compile(r"www\.")


def _without_www(host: str, prefix: re.Pattern[str]) -> str:
    """``host`` without its leading ``prefix`` labels, as long as a domain with a dot is left:
    ``www.www.example.org`` → ``example.org``, but ``www.org`` stays (its ``www`` is the name).
    Removing them all at once keeps the key of a key the same key."""
    while (found := prefix.match(host)) and "." in host[found.end() :]:
        host = host[found.end() :]
    return host


def host_matches(host: str, patterns: Iterable[str]) -> bool:
    """Whether ``host`` is in ``patterns``: exact (case-insensitive) names, or ``*.domain``
    matching any subdomain of ``domain`` (not ``domain`` itself)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


# -- Wayback Machine --------------------------------------------------------------------------

_WWW_N = re.compile(r"^www\d*\.")
_SLASH_RUN = re.compile(r"/{2,}")
_DOT_SEGMENT = re.compile(r"/\.(?=/|$)")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def wayback_key(url: str) -> str:
    """A key under which the Wayback Machine treats two URLs as the same capture target.

    Roughly its SURT canonicalization: everything :func:`normalize_url` ignores, plus case,
    any ``www``/``www2``… prefix, percent-encoding, ``//`` runs and ``./`` segments in the
    path, and the order of query parameters. Comments are dropped first.
    """
    url = unquote(_COMMENT.sub("", url)).strip()
    key = normalize_url(url).lower()
    host, _slash, rest = key.partition("/")
    host = _without_www(host, _WWW_N)
    path, sep, query = rest.partition("?")
    path = _DOT_SEGMENT.sub("", _SLASH_RUN.sub("/", "/" + path)).rstrip("/")
    if sep:
        query = "&".join(sorted(q for q in query.split("&") if q))
    return f"{host}{path}{'?' + query if query else ''}"


class WaybackURL(NamedTuple):
    """A ``web.archive.org`` URL, split up. Offsets are indices into the URL string.

    ``kind`` is ``"web"`` (``/web/TIMESTAMP/ORIGINAL``), ``"save"`` (``/save/ORIGINAL``) or
    ``"other"`` (any other path: nothing more is parsed). ``timestamp`` is the path segment
    after ``web/`` without its modifier (``"*"`` for a wildcard, ``""`` when the original
    follows ``web/`` directly); ``modifier`` is e.g. ``"id_"``/``"if_"`` or ``""``.
    """

    url: str
    kind: str
    timestamp: str = ""
    modifier: str = ""
    original: str = ""
    original_start: int = -1  # where ``original`` starts in ``url`` (-1 when absent)

    @property
    def valid_timestamp(self) -> bool:
        """4 to 14 digits, as the Wayback Machine accepts (``YYYY`` … ``YYYYMMDDhhmmss``)."""
        ts = self.timestamp
        return ts.isascii() and ts.isdigit() and 4 <= len(ts) <= 14

    @property
    def is_wildcard(self) -> bool:
        return "*" in self.timestamp


_WAYBACK_PATH = re.compile(r"^/web/([^/]*)/?(.*)$", re.S | re.I)
_MODIFIER = re.compile(r"^(\d*)([a-z]{2}_)$", re.I)
_EMBEDDED_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:/{0,3}|//)", re.I)


def is_wayback_host(host: str) -> bool:
    return host.lower() in WAYBACK_HOSTS


def parse_wayback(url: str) -> WaybackURL | None:
    """Split a Wayback Machine URL; ``None`` when ``url`` is not on ``web.archive.org``.

    >>> w = parse_wayback("https://web.archive.org/web/20180716012705id_/https://x.org/a")
    >>> (w.timestamp, w.modifier, w.original)
    ('20180716012705', 'id_', 'https://x.org/a')
    """
    _scheme, host, rest = split_url(url)
    if not is_wayback_host(host):
        return None
    path_start = len(url) - len(rest) if rest else len(url)
    lowered = rest.lower()
    if lowered.startswith("/save/"):
        start = path_start + len("/save/")
        return WaybackURL(url, "save", original=url[start:], original_start=start)
    m = _WAYBACK_PATH.match(rest)
    if not m:
        return WaybackURL(url, "other")
    segment = m.group(1)
    if _EMBEDDED_SCHEME.match(segment + "/") and not segment.replace("*", "").isdigit():
        # "web/http://x.org/…": no timestamp at all; the original starts right after "web/".
        start = path_start + len("/web/")
        return WaybackURL(url, "web", "", "", url[start:], start)
    timestamp, modifier = segment, ""
    mod = _MODIFIER.match(segment)
    if mod:
        timestamp, modifier = mod.group(1), mod.group(2)
    start = path_start + m.start(2)
    return WaybackURL(url, "web", timestamp, modifier, m.group(2), start if m.group(2) else -1)


# -- titles -----------------------------------------------------------------------------------

PLACEHOLDER_TITLES = frozenset(
    t.casefold()
    for t in (
        "Archived copy",
        "Archive copy",
        "Wayback Machine",
        "Internet Archive Wayback Machine",
        "Untitled",
        "No title",
        "Usurped title",
        "{title}",
        "404 Not Found",
        "403 Forbidden",
        "Page not found",
        "Access Denied",
        "Just a moment...",
    )
)

# Titles that a fetched page may carry but that say nothing about its content (RULES.md
# bare-url, plus the usual bot-wall, error and sign-in pages).
JUNK_TITLES = PLACEHOLDER_TITLES | frozenset(
    t.casefold()
    for t in (
        "Just a moment…",
        "Just a moment",
        "Attention Required! | Cloudflare",
        "Please Wait... | Cloudflare",
        "One more step",
        "Security check",
        "Are you a robot?",
        "Robot Check",
        "Captcha",
        "Access denied",
        "Access to this page has been denied",
        "Access to this page has been denied.",
        "Forbidden",
        "Not Found",
        "Page Not Found",
        "404",
        "Error",
        "Error 404",
        "Error 404 (Not Found)!!1",
        "Bad Request",
        "Internal Server Error",
        "Service Unavailable",
        "Site Maintenance",
        "Moved Permanently",
        "Object moved",
        "Redirecting...",
        "Redirecting",
        "Loading...",
        "Log in",
        "Login",
        "Log In | Facebook",
        "Sign in",
        "Sign In",
        "Sign up",
        "Home",
        "Home page",
        "Homepage",
        "Index",
        "Welcome",
        "Untitled Document",
        "Untitled Page",
        "Document",
        "New Page 1",
        "Blank",
        "Wayback Machine",
        "Subscribe to read",
        "Page unavailable",
        "Domain for sale",
        "This domain is for sale",
        "Account Suspended",
    )
)

# Patterns of junk: HTTP status pages ("404 - File not found", "Error 503"), Cloudflare walls,
# directory listings.
_JUNK_PATTERNS = re.compile(
    r"^(?:(?:http\s+)?(?:error\s*)?[45]\d\d\b"
    r"|error\s+[45]\d\d\b"
    r"|just a moment"
    r"|attention required"
    r"|index of /"
    r"|access denied\b"
    r"|page not found\b"
    r")"
    r"|\|\s*cloudflare$",
    re.I,
)

MIN_TITLE_LENGTH = 3


def clean_title(raw: str) -> str:
    """HTML-unescaped, whitespace runs collapsed to one space, stripped."""
    return _SPACE_RUN.sub(" ", html.unescape(raw)).strip()


def is_placeholder_title(title: str) -> bool:
    """Whether a citation ``title=`` is a placeholder (trimmed, case-insensitive, whole title)."""
    return clean_title(title).casefold() in PLACEHOLDER_TITLES


def is_acceptable_title(title: str | None, url: str = "") -> bool:
    """Whether a fetched title is worth writing into a citation.

    Rejects: empty or shorter than 3 characters, the placeholder and junk lists (whole title,
    case-insensitive), HTTP error / bot-wall patterns, and titles that only repeat the host
    name (``example.org``, ``www.example.org``, ``Example``).
    """
    if not title:
        return False
    title = clean_title(title)
    if len(title) < MIN_TITLE_LENGTH:
        return False
    folded = title.casefold()
    if folded in JUNK_TITLES or _JUNK_PATTERNS.search(title):
        return False
    host = host_of(url) if url else ""
    wayback = parse_wayback(url) if host and is_wayback_host(host) else None
    if wayback is not None and wayback.original:
        host = host_of(wayback.original) or host
    if host:
        bare = host[4:] if host.startswith("www.") else host
        label = bare.split(".")[0] if "." in bare else bare
        folded_host = folded.rstrip("/")
        for scheme in ("https://", "http://", ""):
            if folded_host.startswith(scheme):
                folded_host = folded_host[len(scheme) :]
                break
        if folded_host in {host, bare, label}:
            return False
    return True


# A fetched title goes into a citation as wikitext, so nothing in it may be markup: not what
# the parser reads (templates, links, tags, bold and italic quotes), and not what MediaWiki's
# pre-save transform rewrites before saving (signatures ~~~ ~~~~ ~~~~~, subst:/safesubst:,
# the [[foo|]] pipe trick) or what changes the page (behaviour switches such as __NOINDEX__).
_TITLE_ESCAPES = (
    ("{", "&#123;"),
    ("}", "&#125;"),
    ("|", "{{!}}"),
    ("[", "&#91;"),
    ("]", "&#93;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ("~", "&#126;"),
)
_UNDERSCORE_RUN = re.compile(r"_{2,}")  # __NOTOC__, __NOINDEX__ and every other switch
_QUOTE_RUN = re.compile(r"'{2,}")  # two or more apostrophes open italics or bold
_SUBST_COLON = re.compile(r"(subst\s*):", re.I)  # subst: and safesubst:
# Control characters (a terminal escape in a title would reach the reviewer's terminal) and
# the bidirectional overrides that make text display in another order than it is stored.
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

MAX_TITLE_LENGTH = 300
"""Fetched titles longer than this are cut at a word boundary and end with an ellipsis."""


def cap_title(title: str, limit: int = MAX_TITLE_LENGTH) -> str:
    """``title`` if it has at most ``limit`` characters, else its start, cut at the last word
    boundary when there is one in the last third, and an ellipsis: ``limit`` characters at
    most in all."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= (limit * 2) // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:-|") + "\u2026"


def plain_title(raw: str) -> str:
    """A fetched title as it may be stored and shown: cleaned (:func:`clean_title`), without
    control characters or bidirectional overrides, capped (:func:`cap_title`)."""
    return cap_title(_UNSHOWABLE.sub("", clean_title(raw)))


def escape_title(title: str) -> str:
    """A fetched title made inert inside a template parameter: cleaned, capped at
    :data:`MAX_TITLE_LENGTH` characters, and every character that could form wikitext
    (``|``, brackets, braces, tags, signatures, behaviour switches, ``subst:``, bold and
    italic quotes) written as an entity or ``{{!}}``. It renders as the same text."""
    title = plain_title(title)
    for raw, escaped in _TITLE_ESCAPES:
        title = title.replace(raw, escaped)
    title = _UNDERSCORE_RUN.sub(lambda m: "&#95;" * len(m.group()), title)
    title = _QUOTE_RUN.sub(lambda m: "&#39;" * len(m.group()), title)
    return _SUBST_COLON.sub(r"\1&#58;", title)


# -- one page under several URLs --------------------------------------------------------------

# Hosts that moved, old → new, with the same paths (the Guardian's move to theguardian.com).
MOVED_HOSTS = {"guardian.co.uk": "theguardian.com"}
# Query parameters that track a visit and never select a page.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "igshid",
        "ref",
        "ref_",
        "ref_src",
        "ref_url",
        "searchresultposition",
        "smid",
        "smtyp",
        "cmpid",
        "cmp",
        "mc_cid",
        "mc_eid",
        "ocid",
        "_ga",
        "ito",
        "src",
        "share",
        "s_cid",
    }
)
_PAGE_ID = re.compile(r"(?:^|[-_])(\d{5,})$")
_WORDPRESS_POST = re.compile(r"^p=\d+$")


def _page_parts(url: str) -> tuple[str, str, list[str]]:
    """``(host, path, query)`` of a :func:`wayback_key`, with a moved host renamed and the
    tracking parameters dropped."""
    key = wayback_key(url)
    cut = min((i for i in (key.find("/"), key.find("?")) if i >= 0), default=len(key))
    host, rest = key[:cut], key[cut:].lstrip("/")
    host = MOVED_HOSTS.get(host, host)
    path, _sep, query = rest.partition("?")
    kept = [
        q
        for q in query.split("&")
        if q and not q.startswith("utm_") and q.split("=", 1)[0] not in _TRACKING_PARAMS
    ]
    return host, path, kept


def _page_ids(path: str) -> set[str]:
    """Numeric ids of five digits or more that a path segment holds (``49650195``,
    ``some-slug-49650195``): sites that number their pages ignore the slug around them."""
    found = set()
    for segment in path.split("/"):
        m = _PAGE_ID.search(segment)
        if m:
            found.add(m.group(1))
    return found


def same_page(a: str, b: str) -> bool:
    """Whether two URLs very probably reach the same page, beyond :func:`wayback_key`.

    Also the same: a host that moved (:data:`MOVED_HOSTS`), tracking query parameters
    (``utm_*``, ``fbclid``, ``ref=``, ``searchResultPosition``, …), a slug next to the same
    numeric page id (``/clip/49650195/`` against ``/clip/49650195/some-slug/`` or
    ``/article/some-slug/49650195/``), and a WordPress ``?p=ID`` against a permalink on the
    same host.
    """
    host_a, path_a, query_a = _page_parts(a)
    host_b, path_b, query_b = _page_parts(b)
    if host_a != host_b:
        return False
    if path_a == path_b and sorted(query_a) == sorted(query_b):
        return True
    ids_a, ids_b = _page_ids(path_a), _page_ids(path_b)
    if ids_a and ids_a == ids_b and sorted(query_a) == sorted(query_b):
        return True
    for (path_p, query_p), (path_q, query_q) in (
        ((path_a, query_a), (path_b, query_b)),
        ((path_b, query_b), (path_a, query_a)),
    ):
        post = path_p in ("", "index.php") and len(query_p) == 1
        if post and _WORDPRESS_POST.match(query_p[0]) and path_q and not query_q:
            return True
    return False
