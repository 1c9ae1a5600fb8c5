"""cite-missing-access-date: a ``{{cite web}}`` with a URL and no access date."""

from __future__ import annotations

from collections.abc import Iterator

from wikilint.rules.context import Context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.registry import Rule, register


@register
class CiteMissingAccessDate(Rule):
    """## What it does
    Reports a `{{cite web}}` that has a non-empty `url=` but no non-empty `access-date=`
    (or `accessdate=`).

    ## Why is this bad?
    Web pages change and disappear. The access date tells readers (and archive bots) which
    version of the page supported the text, and lets them find the right archived copy.

    ## Example
    ```wikitext
    <ref>{{cite web |url=https://example.org/report |title=Report}}</ref>
    ```

    ## Use instead
    ```wikitext
    <ref>{{cite web |url=https://example.org/report |title=Report |access-date=3 May 2024}}</ref>
    ```

    ## Fix safety
    No fix: only the editor who read the page knows when that was.
    """

    name = "cite-missing-access-date"
    code = "UR305"
    summary = "A `{{cite web}}` with a URL but no access date"
    severity = Severity.INFO
    fixable = Fixability.NONE

    def check(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        for use in doc.templates_by_key.get("cite web", ()):
            if not doc.param_value(use.node, "url"):
                continue
            if doc.param_value(use.node, "access-date") or doc.param_value(use.node, "accessdate"):
                continue
            yield self.finding("{{cite web}} has a url= but no access-date=", use.start, use.end)
