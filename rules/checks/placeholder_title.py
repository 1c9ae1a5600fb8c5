"""placeholder-title: a citation whose ``title=`` is a bot placeholder such as "Archived copy"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from wikilint.rules.checks.bare_url import lookup_title
from wikilint.rules.context import Context
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, register
from wikilint.rules.urls import escape_title, is_placeholder_title
from wikilint.rules.wikitext import is_citation_template

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


@register
class PlaceholderTitle(Rule):
    """## What it does
    Reports a citation template whose `title=` is a placeholder left by a bot or copied from
    an error page: `Archived copy`, `Archive copy`, `Wayback Machine`, `Internet Archive
    Wayback Machine`, `Untitled`, `No title`, `Usurped title`, `{title}`, `404 Not Found`,
    `403 Forbidden`, `Page not found`, `Access Denied`, `Just a moment...` (the whole title,
    trimmed, case-insensitive; a title that merely contains these words is fine).

    ## Why is this bad?
    The title is what readers look for and what identifies the source once the link is dead;
    "Archived copy" identifies nothing.

    ## Example
    ```wikitext
    {{cite web |url=https://example.org/a |title=Archived copy
    |archive-url=https://web.archive.org/web/2019/https://example.org/a}}
    ```

    ## Use instead
    ```wikitext
    {{cite web |url=https://example.org/a |title=Annual report 2018
    |archive-url=https://web.archive.org/web/2019/https://example.org/a}}
    ```

    ## Fix safety
    Unsafe and opt-in: the real title is taken from the page fetched at `archive-url=` (else
    `url=`) by the caller (`Environment.titles`, filled by `bot.fetch`), with the same
    junk-title rules as bare-url. Without an acceptable fetched title, no fix. A title holding
    a comment is never rewritten.
    """

    name = "placeholder-title"
    code = "UR302"
    summary = "Citation title is a placeholder such as 'Archived copy'"
    severity = Severity.WARNING
    fixable = Fixability.UNSAFE
    fix_summary = ("{n} placeholder title", "{n} placeholder titles")

    def check(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        for use in doc.templates:
            if not is_citation_template(use.key):
                continue
            param = doc.param(use.node, "title")
            if param is None:
                continue
            raw = doc.code_text(param.value)
            if "<!--" in raw:
                if not is_placeholder_title(_COMMENT.sub("", raw)):
                    continue
            elif not is_placeholder_title(raw):
                continue
            start, end = doc.value_span(param)
            fix = None
            if "<!--" not in raw:
                url = doc.param_value(use.node, "archive-url", "archiveurl") or doc.param_value(
                    use.node, "url"
                )
                title = lookup_title(ctx.env.titles, url) if url else None
                if title is not None:
                    fix = Fix.unsafe(Edit(start, end, escape_title(title)))
            yield self.finding(
                f"placeholder title {doc.text[start:end].strip()!r}", start, end, fix
            )
