"""invalid-date: a citation date parameter whose value is not a valid date."""

from __future__ import annotations

from collections.abc import Iterator

from wikilint.rules.context import Context
from wikilint.rules.datecontext import date_context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.registry import Rule, register


@register
class InvalidDate(Rule):
    """## What it does
    Reports a date parameter of a citation (`date=`, `publication-date=`, `access-date=`,
    `archive-date=`, `{{Webarchive|date=}}`) whose value is not a valid date: a day the month
    does not have (`31 February 2020`, `29 February 2021`, `32 May 2020`), month 13, an
    ambiguous all-numeric form (`03/04/2021`), `2021-03` (year-month), or text that is not a
    date at all.

    Valid: years (`2020`, `2020a`), month-year (`March 2020`), seasons and quarters
    (`Spring 2020`), full dates in dmy, mdy or ISO (including short months such as `Sept`),
    ranges (`March–April 2020`, `1918–1920`, `5–7 May 2020`, `May 5 – June 7, 2020`),
    `n.d.`, `c. 1920`, and anything wrapped in `((…))`. Values holding templates, links or
    tags are not checked (what they render is not known here).

    ## Why is this bad?
    Citation Style 1 shows a "Check date values" error for such a value, and readers cannot
    tell when the source was published or read.

    ## Example
    ```wikitext
    {{cite web |url=https://example.org |title=A |date=03/04/2021}}
    ```

    ## Use instead
    ```wikitext
    {{cite web |url=https://example.org |title=A |date=3 April 2021}}
    ```

    ## Fix safety
    No fix: only the source tells which date was meant.
    """

    name = "invalid-date"
    code = "DT203"
    summary = "A citation date parameter that is not a valid date"
    severity = Severity.ERROR
    fixable = Fixability.NONE

    def check(self, ctx: Context) -> Iterator[Finding]:
        for param in date_context(ctx).params:
            if not param.evaluable:
                continue
            parsed = param.parsed
            reason: str | None
            if parsed is None:
                reason = "not a recognisable date"
            elif not parsed.valid:
                reason = parsed.error
            else:
                continue
            yield self.finding(
                f"{param.name}={param.value} is not a valid date: {reason}", param.start, param.end
            )
