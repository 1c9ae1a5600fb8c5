"""Which URLs the title-based unsafe fixes (bare-url, placeholder-title) need a page title for.

A question about the change core's first pass, kept in a module of its own that imports
nothing heavy: ``wikilint fix`` asks it on the lint path, and ``bot.web.titles`` fetches the
answers.
"""

from __future__ import annotations

from wikilint.rules.engine import LintResult


def urls_needing_titles(result: LintResult) -> list[str]:
    """The URLs whose page titles the title-based unsafe fixes need (bare-url, placeholder-title),
    from the first lint pass: what a :data:`TitleSource` is asked to fetch."""
    doc = result.doc
    if doc is None:
        return []
    from mwparserfromhell.nodes import ExternalLink
    from wikilint.rules.wikitext import is_citation_template

    links = {doc.span(node): str(node.url) for node in doc.nodes_of(ExternalLink)}
    urls: list[str] = []
    for finding in result.findings:
        if finding.rule == "bare-url":
            url = links.get((finding.start, finding.end))
            if url:
                urls.append(url)
        elif finding.rule == "placeholder-title":
            citations = [
                use
                for use in doc.templates
                if is_citation_template(use.key)
                and use.start <= finding.start
                and finding.end <= use.end
            ]
            if citations:
                innermost = max(citations, key=lambda use: use.start)
                url = doc.param_value(
                    innermost.node, "archive-url", "archiveurl"
                ) or doc.param_value(innermost.node, "url")
                if url:
                    urls.append(url)
    return [u for u in dict.fromkeys(urls) if u.lower().startswith(("http://", "https://"))]
