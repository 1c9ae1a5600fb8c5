"""bare-url: a URL standing for a citation in a ``<ref>`` or a footnote note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from mwparserfromhell.nodes import ExternalLink, Node, Tag, Template, Text
from wikilint.rules.context import Context
from wikilint.rules.dates import MONTHS
from wikilint.rules.document import Document
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, option, register
from wikilint.rules.urls import (
    escape_title,
    host_of,
    is_acceptable_title,
    is_wayback_host,
    normalize_url,
)
from wikilint.rules.wikitext import is_footnote_template, tag_name, template_key

BARE_URL_TAGS = frozenset({"bare url inline", "bare url", "bareurl", "bare-url", "bare links"})
_NOTE_META_PARAMS = frozenset({"name", "group"})
_USE_DMY = frozenset(
    {"use dmy dates", "use dmy", "dmy", "usedmy", "use dmy date", "use dmy format"}
)
_USE_MDY = frozenset(
    {"use mdy dates", "use mdy", "mdy", "usemdy", "use mdy date", "use mdy format"}
)


def external_links(doc: Document) -> list[ExternalLink]:
    """Every external link node of the page, in source order (a shared per-pass index)."""
    return [n for n in doc.nodes if type(n) is ExternalLink]


def access_date_style(ctx: Context) -> str:
    """How a new ``access-date`` is written on this page: ``dmy``, ``mdy``, ``dmy-short``,
    ``mdy-short`` or ``iso``.

    The page's format comes from the shared date context (``rules.datecontext``):
    ``{{Use dmy dates}}``/``{{Use mdy dates}}`` and redirects, honouring the access letter of
    ``cs1-dates=`` (``l`` long, ``s`` short month, ``y`` ISO), else the majority of the page's
    full dates. ISO when the page's access dates are mostly ISO, or the page has no format
    (RULES.md accepts ISO access dates on any page without ``cs1-dates``).
    """
    try:
        from wikilint.rules.datecontext import date_context
    except ImportError:  # pragma: no cover - the date rules are not installed
        return _local_access_date_style(ctx.doc)
    dc = date_context(ctx)  # shared with the date rules: built once per pass
    letter = dc.cs1[1] if dc.cs1 else None
    if dc.page_format is None or letter == "y":
        return "iso"
    if letter == "s":
        return f"{dc.page_format}-short"
    if letter is None and dc.iso_access:
        return "iso"
    return dc.page_format


def _local_access_date_style(doc: Document) -> str:
    for key_set, style in ((_USE_DMY, "dmy"), (_USE_MDY, "mdy")):
        for key in key_set:
            for use in doc.templates_by_key.get(key, ()):
                letters = doc.param_value(use.node, "cs1-dates").lower()
                letter = letters[1:2] or letters[:1]
                if letter == "y":
                    return "iso"
                if letter == "s":
                    return f"{style}-short"
                return style
    return "iso"


def format_date(day: dt.date, style: str) -> str:
    month = MONTHS[day.month - 1]
    if style == "dmy":
        return f"{day.day} {month} {day.year}"
    if style == "mdy":
        return f"{month} {day.day}, {day.year}"
    if style == "dmy-short":
        return f"{day.day} {month[:3]} {day.year}"
    if style == "mdy-short":
        return f"{month[:3]} {day.day}, {day.year}"
    return day.isoformat()


def lookup_title(titles: Mapping[str, str], url: str) -> str | None:
    """The fetched title for ``url`` if acceptable: exact key first, then a key that
    normalizes to the same URL (scheme, ``www.`` and trailing slash ignored)."""
    title = titles.get(url)
    if title is None and titles:
        wanted = normalize_url(url, keep_fragment=True)
        for key, value in titles.items():
            if normalize_url(key, keep_fragment=True) == wanted:
                title = value
                break
    return title if title is not None and is_acceptable_title(title, url) else None


@register
class BareUrl(Rule):
    """## What it does
    Reports a URL in a `<ref>` or in the note text of a footnote template (`{{efn}}`,
    `{{refn}}`, …) that is not inside a citation template and not the target of a labelled
    link: `<ref>https://…</ref>`, `<ref>[https://…]</ref>`, or a URL in hand-written text.
    A label that starts with italics or bold is a label: `[URL ''Title'']`, and also
    `[URL ''Title]''`, which MediaWiki reads as a link labelled with an italic title.
    URLs in templates (`{{cite …}}`, `{{Webarchive}}`, `{{URL}}`, …), labelled
    `[URL label]` links, comments and nowiki are never reported. One finding per URL.

    ## Why is this bad?
    A bare URL tells the reader nothing about the source (title, publisher, date) and
    becomes useless when the link dies: nobody can find the work again.

    ## Example
    ```wikitext
    <ref>https://example.org/report</ref>
    ```

    ## Use instead
    ```wikitext
    <ref>{{cite web |url=https://example.org/report |title=Annual report
    |website=example.org |access-date=2026-11-27}}</ref>
    ```

    ## Fix safety
    Unsafe and opt-in. Only a ref that holds nothing but the URL (optionally bracketed,
    optionally followed by `{{Bare URL inline}}`) is rewritten, into
    `{{cite web |url= |title= |website= |access-date=}}`, and only when the caller fetched an
    acceptable title for the URL (`Environment.titles`, filled by `bot.fetch`; junk titles
    such as `404 Not Found`, `Just a moment...` or the bare host name are rejected). The
    access date is today, written as the page's `{{Use dmy dates}}`/`{{Use mdy dates}}`
    (honouring `cs1-dates=`), else in ISO form. Wayback Machine URLs are not rewritten (they
    need `archive-url=`). With `tag_unfetched`, a URL-only ref without an acceptable title is
    tagged `{{Bare URL inline|date=Month YYYY}}` instead. Refs with text around the URL are
    only reported.

    ## Options
    `tag_unfetched`: tag URL-only refs that have no fetched title.
    """

    name = "bare-url"
    code = "UR301"
    summary = "Bare URL in a reference or footnote"
    severity = Severity.WARNING
    fixable = Fixability.UNSAFE
    fix_summary = ("filled {n} bare URL", "filled {n} bare URLs")

    @dataclass(frozen=True)
    class Options:
        tag_unfetched: bool = option(
            False, "tag URL-only refs with no fetched title {{Bare URL inline|date=Month YYYY}}"
        )

    def check(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        for link in ctx.shared("urls.external_links", external_links):
            if link.brackets and link.title is not None and str(link.title).strip():
                continue  # a labelled link
            start, end = doc.span(link)
            if not link.brackets and _labelled_in_mediawiki(doc.text, start, end):
                continue
            container = _container(doc, link)
            if container is None:
                continue
            url = str(link.url)
            fix = None
            if type(container) is Tag:
                fix = self._fix(ctx, container, link, url)
            yield self.finding(f"bare URL {_short(url)} in a reference", start, end, fix)

    def _fix(self, ctx: Context, ref: Tag, link: ExternalLink, url: str) -> Fix | None:
        doc = ctx.doc
        parts = [n for n in ref.contents.nodes if not (type(n) is Text and not n.value.strip())]
        if not parts or parts[0] is not link:
            return None
        tag = None
        if (
            len(parts) == 2
            and type(parts[1]) is Template
            and template_key(parts[1]) in BARE_URL_TAGS
        ):
            tag = parts[1]
        elif len(parts) != 1:
            return None
        host = host_of(url)
        if not host or is_wayback_host(host):
            return None
        start, end = doc.span(link)
        title = lookup_title(ctx.env.titles, url)
        if title is not None:
            stop = doc.span(tag)[1] if tag is not None else end
            website = host[4:] if host.startswith("www.") else host
            today = format_date(ctx.env.today, access_date_style(ctx))
            cite = (
                f"{{{{cite web |url={url} |title={escape_title(title)} |website={website}"
                f" |access-date={today}}}}}"
            )
            return Fix.unsafe(Edit(start, stop, cite))
        if self.options.tag_unfetched and tag is None:
            month = f"{MONTHS[ctx.env.today.month - 1]} {ctx.env.today.year}"
            return Fix.unsafe(Edit.insert(end, f" {{{{Bare URL inline|date={month}}}}}"))
        return None


def _container(doc: Document, link: ExternalLink) -> Node | None:
    """The ``<ref>`` or footnote template whose own text holds ``link``, else ``None``
    (inside any other template, or outside references)."""
    child: Node = link
    for ancestor in doc.ancestors(link):
        if isinstance(ancestor, Template):
            if not is_footnote_template(template_key(ancestor)):
                return None
            for param in ancestor.params:
                p_start, p_end = doc.code_span(param.value)
                c_start = doc.span(child)[0]
                if p_start <= c_start < p_end:
                    meta = param.showkey and str(param.name).strip() in _NOTE_META_PARAMS
                    return None if meta else ancestor
            return None  # in the template's name
        if (
            isinstance(ancestor, Tag)
            and not ancestor.wiki_markup
            and tag_name(ancestor.tag) == "ref"
        ):
            return ancestor
        child = ancestor
    return None


def _labelled_in_mediawiki(text: str, start: int, end: int) -> bool:
    """Whether MediaWiki reads the free link ``text[start:end]`` as a labelled ``[URL label]``.

    MediaWiki turns ``''``/``'''`` into tags before it looks for bracketed links, so
    ``[URL ''Title]''`` is the link ``[URL ''Title]`` (label ``Title`` in italics), where
    mwparserfromhell pairs the quotes first and sees ``[``, a free link and text. A ``[`` right
    before the URL and a label that is not blank up to the first ``]`` of the line make a
    labelled link.
    """
    if start == 0 or text[start - 1] != "[" or text.startswith("[[", start - 2):
        return False
    close = text.find("]", end)
    newline = text.find("\n", end)
    if close < 0 or 0 <= newline < close:
        return False
    return bool(text[end:close].replace("'", "").strip())


def _short(url: str, limit: int = 60) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
