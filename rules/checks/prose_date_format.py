"""prose-date-format: a date in running text in a non-MOS format or the page's other format."""

from __future__ import annotations

from collections.abc import Iterator

from wikilint.rules.context import Context
from wikilint.rules.datecontext import date_context
from wikilint.rules.dates import format_date, natural_style
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, register

_FORMS = {
    "ymd": "year-first",
    "dmy-ordinal": "ordinal",
    "mdy-ordinal": "ordinal",
    "the-of": '"the …th of"',
    "mdy-nocomma": "mdy without a comma",
    "dmy-comma": "dmy with a comma",
}


@register
class ProseDateFormat(Rule):
    """## What it does
    Reports a full date in running text or in a hand-written reference (outside template
    parameters, except the note text of footnote templates such as `{{efn}}`) written in a
    form MOS:DATEFORMAT does not accept — `2019 February 20`, ordinals (`20th February 2019`,
    `February 20th, 2019`), `the 20th of February 2019`, `February 20 2019`,
    `20 February, 2019` — or in the opposite of the page's dmy/mdy format.

    Never reported: dates inside quotations (`{{Blockquote}}`, `{{Quote}}`, `<blockquote>`,
    text in double quotes), titles (quoted, or in italics), link targets, external links
    (URLs and their labels), file names, templates other than footnotes, and date ranges.

    ## Why is this bad?
    MOS:DATEFORMAT and MOS:DATEUNIFY ask for one accepted format throughout an article.

    ## Example
    ```wikitext
    {{Use dmy dates}}
    The treaty was signed on the 3rd of March 1918.
    ```

    ## Use instead
    ```wikitext
    {{Use dmy dates}}
    The treaty was signed on 3 March 1918.
    ```

    ## Fix safety
    Safe (quotations are never reported): the date is rewritten in the page's format, keeping
    a short month short and a non-breaking space after the day. A year-first date on a page
    with no known format is reported without a fix.
    """

    name = "prose-date-format"
    code = "DT202"
    summary = "A date in running text in a non-MOS format or not in the page's format"
    severity = Severity.WARNING
    fixable = Fixability.SOMETIMES
    fix_summary = ("{n} date in text to page format", "{n} dates in text to page format")

    def check(self, ctx: Context) -> Iterator[Finding]:
        dates = date_context(ctx)
        page = dates.page_format
        for date in dates.prose:
            target: str | None
            if date.standard:
                if page is None or date.style == page:
                    continue
                target = page
                message = f"{date.text} is not in the page's date format ({page})"
            else:
                target = page or natural_style(date.style)
                message = (
                    f"{date.text}: {_FORMS.get(date.style, date.style)} dates are not "
                    "accepted by MOS:DATEFORMAT"
                )
            fix = None
            if target is not None:
                sep = date.nbsp or " "
                new = format_date(date.date, target, date.short, sep=sep)
                if date.text[:1].isupper() and not new[:1].isupper():
                    pass  # "The 3rd of May 1918" → "3 May 1918": nothing to keep
                message += f": {new}"
                fix = Fix.safe(Edit(date.start, date.end, new))
            yield self.finding(message, date.start, date.end, fix)
