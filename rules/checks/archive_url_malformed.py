"""archive-url-malformed: a broken or mismatched Wayback Machine URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wikilint.rules.checks.bare_url import external_links
from wikilint.rules.context import Context
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, option, register
from wikilint.rules.urls import (
    WaybackURL,
    host_of,
    is_wayback_host,
    parse_wayback,
    same_page,
    wayback_key,
)
from wikilint.rules.wikitext import is_citation_template

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


@register
class ArchiveUrlMalformed(Rule):
    """## What it does
    Reports a `web.archive.org` URL that
    - repeats the same `#fragment` in its embedded original (`…/page#a#a`),
    - has a timestamp that is not 4 to 14 digits (`web/2018071/…` is fine, `web/abc/…`,
      `web/123/…` or no timestamp at all are not),
    - uses `web/*/` (a search listing) or `save/` (the "save page now" form), or
    - in a citation template with both `url=` and `archive-url=`, archives a page other than
      `url=`. The comparison ignores what the Wayback Machine itself ignores when it matches
      URLs (scheme, `www.`/`www2.`, case, trailing slash, `#fragment`, percent-encoding,
      doubled slashes, `./` segments, query parameter order), and by default also the forms
      under which one page has several addresses: a host that moved (`guardian.co.uk` →
      `theguardian.com`), tracking query parameters (`utm_*`, `fbclid`, `ref=`,
      `searchResultPosition`, …), a slug next to the same numeric page id
      (`newspapers.com/clip/49650195/` against `…/clip/49650195/some-slug/` or
      `…/article/some-slug/49650195/`), and a WordPress `?p=ID` against a permalink. Only an
      archive of a different page is reported; `strict = true` reports those same-page forms
      too (check that the archive still supports the citation, or update `archive-url=`).

    `{{Webarchive|url=}}` holds the archive URL itself: only the first three checks apply.

    ## Why is this bad?
    A wildcard or save URL is not a snapshot; a bad timestamp or a doubled fragment is usually
    a copy-and-paste or bot error; an archive of another page does not support the citation.

    ## Example
    ```wikitext
    {{Webarchive |url=https://web.archive.org/web/2018/https://example.org/e.htm#a#a}}
    ```

    ## Use instead
    ```wikitext
    {{Webarchive |url=https://web.archive.org/web/2018/https://example.org/e.htm#a}}
    ```

    ## Fix safety
    The repeated fragment is dropped (safe: the Wayback Machine ignores fragments, and the
    result is the intended one). The other problems need a person to find the right snapshot:
    report only.

    ## Options
    `strict`: also report an archive URL that is the same page under another address (moved
    host, tracking parameters, slug, WordPress `?p=`).
    """

    name = "archive-url-malformed"
    code = "UR303"
    summary = "Malformed or mismatched Wayback Machine URL"
    severity = Severity.WARNING
    fixable = Fixability.SOMETIMES
    fix_summary = ("{n} archive URL", "{n} archive URLs")

    @dataclass(frozen=True)
    class Options:
        strict: bool = option(
            False,
            "also report archives of the same page under another address (moved host, "
            "tracking parameters, slug, WordPress ?p=)",
        )

    def check(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        for link in ctx.shared("urls.external_links", external_links):
            url = str(link.url)
            if not is_wayback_host(host_of(url)):
                continue
            wayback = parse_wayback(url)
            if wayback is None:
                continue
            start, _ = doc.code_span(link.url)
            end = start + len(url)
            yield from self._check_url(wayback, start, end)
        yield from self._check_citations(ctx)

    def _check_url(self, wb: WaybackURL, start: int, end: int) -> Iterator[Finding]:
        if wb.kind == "save":
            yield self.finding("archive URL uses web.archive.org/save/, not a snapshot", start, end)
            return
        if wb.kind != "web":
            return
        if wb.is_wildcard:
            yield self.finding(
                "archive URL uses a wildcard timestamp (web/*/), not a snapshot", start, end
            )
        elif not wb.valid_timestamp:
            shown = wb.timestamp or "none"
            yield self.finding(f"archive URL timestamp {shown!r} is not 4 to 14 digits", start, end)
        hash_at = wb.original.find("#")
        if hash_at < 0:
            return
        fragments = wb.original[hash_at + 1 :].split("#")
        if len(fragments) < 2 or len(set(fragments)) == len(fragments):
            return
        fix = None
        if len(set(fragments)) == 1:
            keep = wb.original_start + hash_at + 1 + len(fragments[0])
            fix = Fix.safe(Edit.delete(start + keep, end))
        yield self.finding(f"archive URL repeats the fragment #{fragments[0]}", start, end, fix)

    def _check_citations(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        for use in doc.templates:
            if not is_citation_template(use.key):
                continue
            if "archive.org" not in doc.text[use.start : use.end]:
                continue  # cheap pre-filter: no Wayback URL in this template
            param = doc.param(use.node, "archive-url", "archiveurl")
            if param is None:
                continue
            archive = _COMMENT.sub("", doc.code_text(param.value)).strip()
            url = doc.param_value(use.node, "url")
            if not archive or not url or "{{" in url or "{{" in archive or "<!--" in url:
                continue
            wayback = parse_wayback(archive)
            if wayback is None or wayback.kind != "web" or not wayback.original:
                continue
            if parse_wayback(url) is not None:
                continue  # url= is an archive itself: nothing sensible to compare
            if wayback_key(wayback.original) == wayback_key(url):
                continue
            if not self.options.strict and same_page(wayback.original, url):
                continue
            start, end = doc.value_span(param)
            yield self.finding(
                f"archive-url= archives {wayback.original!r}, not url= {url!r}: "
                "check it is the cited page",
                start,
                end,
            )
