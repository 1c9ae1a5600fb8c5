"""wikilint.rules.urls: the pure URL helpers shared by the URL rules and the title fetcher."""

from __future__ import annotations

import html

import mwparserfromhell
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from mwparserfromhell.nodes import HTMLEntity, Template, Text
from wikilint.rules.urls import (
    MAX_TITLE_LENGTH,
    cap_title,
    escape_title,
    find_urls,
    host_matches,
    host_of,
    is_acceptable_title,
    is_placeholder_title,
    normalize_url,
    parse_wayback,
    plain_title,
    same_page,
    split_url,
    wayback_key,
)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see http://a.org/b, then", ["http://a.org/b"]),
        ("(http://a.org/b)", ["http://a.org/b"]),
        ("http://a.org/d_(x).", ["http://a.org/d_(x)"]),
        ("x https://a.org/?q=1&r=2; y ftp://f.org/z!", ["https://a.org/?q=1&r=2", "ftp://f.org/z"]),
        ("[http://a.org/b label]", ["http://a.org/b"]),
        ("no url: http:// nor www.example.org", []),
    ],
)
def test_find_urls(text: str, urls: list[str]) -> None:
    found = list(find_urls(text))
    assert [u for _, _, u in found] == urls
    for start, end, url in found:
        assert text[start:end] == url


def test_split_url_and_host() -> None:
    assert split_url("HTTPS://User@WWW.Example.ORG:8080/a/B?c#d") == (
        "https",
        "www.example.org",
        "/a/B?c#d",
    )
    assert split_url("//example.org/a") == ("", "example.org", "/a")
    assert host_of("not a url") == ""
    assert host_of("http://[::1]:80/x") == "[::1]"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://www.example.org/a/", "https://example.org/a"),
        ("https://EXAMPLE.org/a#frag", "http://example.org/a"),
        ("http://example.org:80/a?x=1&amp;y=2", "http://example.org/a?x=1&y=2"),
        ("example.org/a", "http://www.example.org/a/"),
        ("http:/example.org/a", "http://example.org/a"),
    ],
)
def test_normalize_url_equal(a: str, b: str) -> None:
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://example.org/A", "http://example.org/a"),  # paths keep their case
        ("http://example.org/a?x=1", "http://example.org/a"),
        ("http://www2.example.org/a", "http://example.org/a"),
        ("http://sub.example.org/a", "http://example.org/a"),
    ],
)
def test_normalize_url_different(a: str, b: str) -> None:
    assert normalize_url(a) != normalize_url(b)


def test_normalize_url_fragment_kept_on_request() -> None:
    assert normalize_url("http://x.org/a#b", keep_fragment=True) == "x.org/a#b"


def test_wayback_key_ignores_what_the_wayback_machine_ignores() -> None:
    assert wayback_key("http://www2.X.org/A//./b/?z=1&a=2 <!-- bot -->") == wayback_key(
        "https://x.org/a/b?a=2&z=1"
    )
    assert wayback_key("http://x.org/a%20b") == wayback_key("http://x.org/a b")
    assert wayback_key("http://x.org/a?b=1") != wayback_key("http://x.org/a")


def test_parse_wayback() -> None:
    w = parse_wayback("https://web.archive.org/web/20180716012705/https://x.org/e.htm#a#a")
    assert w is not None
    assert (w.kind, w.timestamp, w.modifier, w.valid_timestamp) == (
        "web",
        "20180716012705",
        "",
        True,
    )
    assert w.original == "https://x.org/e.htm#a#a"
    assert w.url[w.original_start :] == w.original

    w = parse_wayback("http://web.archive.org/web/2005id_/http://x.org/")
    assert w is not None and (w.timestamp, w.modifier, w.original) == (
        "2005",
        "id_",
        "http://x.org/",
    )

    w = parse_wayback("https://web.archive.org/web/*/x.org/*")
    assert w is not None and w.is_wildcard and not w.valid_timestamp

    w = parse_wayback("https://web.archive.org/web/https://x.org/a")
    assert w is not None and w.timestamp == "" and w.original == "https://x.org/a"

    w = parse_wayback("https://web.archive.org/save/https://x.org/a")
    assert w is not None and w.kind == "save" and w.original == "https://x.org/a"

    assert parse_wayback("https://archive.org/details/foo") is None
    assert parse_wayback("https://archive.ph/abc") is None
    for bad in ("123", "201807160127051", "2018abc"):
        w = parse_wayback(f"https://web.archive.org/web/{bad}/https://x.org/")
        assert w is not None and not w.valid_timestamp, bad


def test_host_matches() -> None:
    hosts = ["www.marxists.org", "*.wikipedia.org"]
    assert host_matches("WWW.Marxists.org", hosts)
    assert host_matches("en.wikipedia.org", hosts)
    assert not host_matches("wikipedia.org", hosts)
    assert not host_matches("marxists.org", hosts)
    assert not host_matches("www.marxists.org.evil.com", hosts)
    assert not host_matches("enwikipedia.org", hosts)


@pytest.mark.parametrize(
    "title",
    ["Archived copy", " archived COPY ", "Wayback Machine", "{title}", "Just a moment..."],
)
def test_placeholder_titles(title: str) -> None:
    assert is_placeholder_title(title)
    assert not is_acceptable_title(title, "https://example.org/a")


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("", "https://example.org/a"),
        ("Hi", "https://example.org/a"),
        ("404 - File or directory not found.", "https://example.org/a"),
        ("Attention Required! | Cloudflare", "https://example.org/a"),
        ("Log in", "https://example.org/a"),
        ("example.org", "https://www.example.org/a"),
        ("www.example.org", "https://www.example.org/a"),
        ("Example", "https://www.example.org/a"),
        ("x.org", "https://web.archive.org/web/2019/https://x.org/a"),
    ],
)
def test_junk_titles(title: str, url: str) -> None:
    assert not is_acceptable_title(title, url)


@pytest.mark.parametrize(
    "title",
    ["Archived copy of the 1921 minutes", "The Red Terror", "BBC News – Belgium profile"],
)
def test_acceptable_titles(title: str) -> None:
    assert is_acceptable_title(title, "https://www.example.org/a")


def test_escape_title() -> None:
    assert escape_title(" A | B [c] {{x}} &amp; <i> ") == (
        "A {{!}} B &#91;c&#93; &#123;&#123;x&#125;&#125; & &lt;i&gt;"
    )


# What MediaWiki's pre-save transform rewrites, or what changes a page's behaviour: none of it
# may survive in an escaped title (issue 11, critical 2).
_INJECTIONS = (
    "~~~",
    "~~~~",
    "~~~~~",
    "__NOTOC__",
    "__NOINDEX__",
    "__FORCETOC__",
    "__SANSSOMMAIRE__",
    "{{subst:PAGENAME}}",
    "{{safesubst:x}}",
    "subst:x",
    "SafeSubst :x",
    "[[foo|]]",
    "[[foo (bar)|]]",
    "''italic''",
    "'''bold'''",
    "<ref>x</ref>",
    "[http://example.org x]",
    "{{!}}",
)


def _as_read(escaped: str) -> str:
    """What a reader sees: entities decoded and {{!}} as the pipe it renders."""
    return html.unescape(escaped.replace("{{!}}", "|"))


@pytest.mark.parametrize("raw", _INJECTIONS)
def test_escape_title_neutralises_pre_save_transform_and_switches(raw: str) -> None:
    escaped = escape_title(f"Title {raw} end")
    assert "~~~" not in escaped and "__" not in escaped and "''" not in escaped
    assert "subst:" not in escaped.replace(" ", "").lower()
    assert not set("[]<>") & set(escaped)
    assert _as_read(escaped) == f"Title {raw} end"  # it still reads as the same text


@given(st.text(alphabet="~_'{}[]|<>:=subtSUBT &#;\n", max_size=40))
def test_escaped_titles_parse_as_plain_text(raw: str) -> None:
    escaped = escape_title(raw)
    assert "~~~" not in escaped and "__" not in escaped and "''" not in escaped
    code = mwparserfromhell.parse(f"{{{{cite web |title={escaped} |website=x}}}}")
    (cite,) = code.nodes  # one template: nothing in the title closed it or added a parameter
    assert [str(p.name).strip() for p in cite.params] == ["title", "website"]
    for node in cite.get("title").value.nodes:
        assert isinstance(node, Text | HTMLEntity) or (
            isinstance(node, Template) and str(node) == "{{!}}"
        ), (raw, escaped, node)


def test_titles_lose_terminal_escapes_and_bidirectional_overrides() -> None:
    raw = "Annual\x1b[2J\x1b]0;pwned\x07 report \u202egnp.exe\u202c 2020"
    assert plain_title(raw) == "Annual[2J]0;pwned report gnp.exe 2020"
    assert not {"\x1b", "\x07", "\u202e", "\u202c"} & set(escape_title(raw))


def test_long_titles_are_capped_at_a_word_boundary() -> None:
    capped = escape_title("word " * 20_000)  # the adversarial run inserted 100,000 characters
    assert len(capped) <= MAX_TITLE_LENGTH and capped.endswith("word\u2026")
    assert cap_title("short title") == "short title"
    assert cap_title("x" * 1000) == "x" * (MAX_TITLE_LENGTH - 1) + "\u2026"  # no space: hard cut


_URLISH = st.from_regex(
    r"(https?://)?(www\.)?[a-z]{1,8}\.(org|com)(/[A-Za-z0-9_.~-]{0,8}){0,3}/?"
    r"(\?[a-z]=[0-9])?(#[a-z]{1,3})?",
    fullmatch=True,
)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.example.org/a", "example.org/a"),
        ("http://www.www.example.org/a", "example.org/a"),
        ("http://www.org/a", "www.org/a"),  # the site's name, not a prefix
        ("www.www.org", "www.org"),
    ],
)
def test_normalize_url_drops_www_prefixes_but_keeps_a_domain(url: str, key: str) -> None:
    assert normalize_url(url) == key
    assert normalize_url(key) == key


def test_wayback_key_drops_numbered_www_prefixes_but_keeps_a_domain() -> None:
    assert wayback_key("http://www2.www.example.org/a") == "example.org/a"
    assert wayback_key("http://www2.org/a") == "www2.org/a"


@pytest.mark.slow  # many generated examples
@example("www.www.org")
@example("www2.www.example.org")
@given(_URLISH)
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert wayback_key(wayback_key(url)) == wayback_key(url)


@given(st.text(max_size=200))
def test_find_urls_spans_are_exact(text: str) -> None:
    for start, end, url in find_urls(text):
        assert text[start:end] == url
        assert "://" in url


# -- same_page: one page under several addresses ---------------------------------------------


GUARDIAN = "https://www.theguardian.com/w/2009/mar/10"
OLD_GUARDIAN = "http://www.guardian.co.uk/w/2009/mar/10"
NEWSPAPERS = "https://www.newspapers.com/"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (GUARDIAN + "/a", OLD_GUARDIAN + "/a", True),
        (GUARDIAN + "/a", OLD_GUARDIAN + "/b", False),
        (NEWSPAPERS + "clip/49650195/", "https://newspapers.com/clip/49650195/x-y/", True),
        (NEWSPAPERS + "clip/49650195/", NEWSPAPERS + "article/x-y/49650195/", True),
        (NEWSPAPERS + "clip/49650195/", NEWSPAPERS + "clip/49650196/", False),
        ("https://x.org/a?utm_source=t&fbclid=1&ref=home", "https://x.org/a", True),
        ("https://x.org/a?id=1&searchResultPosition=4", "https://x.org/a?id=2", False),
        ("https://blog.x.org/?p=1234", "https://blog.x.org/2010/05/post/", True),
        ("https://blog.x.org/?p=1234", "https://blog.x.org/?p=1235", False),
        ("https://x.org/2020/05/10/a", "https://x.org/2020/05/10/b", False),
        ("https://x.org/a", "https://y.org/a", False),
    ],
)
def test_same_page(a: str, b: str, expected: bool) -> None:
    assert same_page(a, b) is expected
    assert same_page(b, a) is expected
