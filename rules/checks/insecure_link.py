"""insecure-link: an ``http://`` link to a host known to serve the same content over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from wikilint.rules.checks.bare_url import external_links
from wikilint.rules.context import Context
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, option, register
from wikilint.rules.structure import shared_archive_originals
from wikilint.rules.urls import host_matches, split_url

DEFAULT_HOSTS = [
    "archive.org",
    "web.archive.org",
    "books.google.com",
    "www.google.com",
    "www.jstor.org",
    "jstor.org",
    "doi.org",
    "dx.doi.org",
    "www.marxists.org",
    "marxists.org",
    "www.britannica.com",
    "*.wikipedia.org",
    "*.wikisource.org",
    "www.nytimes.com",
    "www.theguardian.com",
    "www.bbc.co.uk",
    "www.bbc.com",
    "www.newstatesman.com",
    "archive.today",
    "archive.ph",
]


@register
class InsecureLink(Rule):
    """## What it does
    Reports an `http://` URL — in a citation template parameter, an external link `[http://…]`
    or a free link — whose host is on a list of hosts known to serve the same content over
    HTTPS (`*.domain` entries match any subdomain). The original URL embedded inside an
    archive URL is never reported: it records what was archived. That holds whatever the
    archive URL's own scheme (`https://`, `http://` or protocol-relative
    `//web.archive.org/web/2005/http://…`) and whatever the archive (Wayback Machine,
    archive.today and its mirrors, WebCite, the Library of Congress and UK web archives,
    ghostarchive, …).

    ## Why is this bad?
    Plain HTTP exposes readers to tampering and tracking, and costs a redirect on every click
    when the site forces HTTPS anyway.

    ## Example
    ```wikitext
    [http://www.marxists.org/archive/trotsky/works/1930-lif/ch34.htm ''My Life'']
    ```

    ## Use instead
    ```wikitext
    [https://www.marxists.org/archive/trotsky/works/1930-lif/ch34.htm ''My Life'']
    ```

    ## Fix safety
    Safe: `http://` becomes `https://` (one inserted character) for hosts listed as serving
    identical content over HTTPS.

    ## Options
    `hosts` replaces the default host list; `extra_hosts` extends it.
    """

    name = "insecure-link"
    code = "UR304"
    summary = "http:// link to a host that serves HTTPS"
    severity = Severity.INFO
    fixable = Fixability.SAFE
    fix_summary = ("{n} link to https", "{n} links to https")

    @dataclass(frozen=True)
    class Options:
        hosts: list[str] = option(  # noqa: RUF009
            DEFAULT_HOSTS, "hosts known to serve the same content over HTTPS (replaces the list)"
        )
        extra_hosts: list[str] = option([], "more hosts, added to `hosts`")  # noqa: RUF009

    def check(self, ctx: Context) -> Iterator[Finding]:
        hosts = [*self.options.hosts, *self.options.extra_hosts]
        doc = ctx.doc
        originals = shared_archive_originals(ctx)
        for link in ctx.shared("urls.external_links", external_links):
            url = str(link.url)
            if url[:7].lower() != "http://":
                continue
            scheme, host, _ = split_url(url)
            if scheme != "http" or not host_matches(host, hosts):
                continue
            start, _ = doc.code_span(link.url)
            if originals.contains(start):
                continue  # the original inside an archive URL: what was archived, as written
            if url.startswith("http://"):
                fix = Fix.safe(Edit.insert(start + 4, "s"))
            else:
                fix = Fix.safe(Edit(start, start + 7, "https://"))
            message = f"http:// link to {host}: use https://"
            yield self.finding(message, start, start + len(url), fix)
