"""date-format: a full date in a citation date parameter not in the page's date format."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from wikilint.rules.context import Context
from wikilint.rules.datecontext import PUBLICATION, DateContext, DateParam, date_context
from wikilint.rules.dates import Kind, render
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, option, register

_NAMES = {
    ("dmy", False): "dmy",
    ("mdy", False): "mdy",
    ("dmy", True): "dmy (short month)",
    ("mdy", True): "mdy (short month)",
    ("iso", False): "ISO",
}


def describe(style: str, short: bool) -> str:
    return _NAMES.get((style, short), style)


@register
class DateFormat(Rule):
    """## What it does
    Reports a full date (day, month and year) in a citation's date parameter (`date=`,
    `publication-date=`, `access-date=`, `archive-date=`, `{{Webarchive|date=}}`) that is
    not written in the page's date format.

    The format comes from `{{Use dmy dates}}` / `{{Use mdy dates}}` (or a redirect such as
    `{{Use DMY dates}}`, `{{dmy}}`, `{{Usemdy}}`) anywhere in the page, with its
    `|cs1-dates=`: the first letter for publication dates, the second for access and archive
    dates (one letter means both): `l` long (`14 March 2021`), `s` short month (`14 Mar 2021`),
    `y` ISO (`2021-03-14`). Without `cs1-dates`, publication dates must be long and access or
    archive dates may be long or ISO. Without a Use template the page's format is the majority
    of its full dates (citations and prose); a tie, or no full dates, means no findings.
    A citation's own `|df=` overrides the page format for that citation.

    Month-year, year, season, `n.d.`, `c. 1920` values and ranges of months or years are never
    findings. Ranges of days (`5–7 May 2020`) are, when the target is dmy or mdy.

    A date the citation template already *displays* in the right format is a cosmetic
    difference in the source only, and is not reported by default: a date of a citation
    with `|df=` (publication dates, and access and archive dates with `df=…-all`), and every
    date on a page whose Use template sets `|cs1-dates=` (the citation templates render each
    date in that format whatever its written form). Date ranges are always reported (the
    templates do not reformat them).

    ## Why is this bad?
    MOS:DATEUNIFY asks for one date format in an article's citations; mixed formats look
    careless and make references harder to read.

    ## Example
    ```wikitext
    {{Use dmy dates}}
    <ref>{{cite web |url=https://example.org |title=A |date=March 14, 2021}}</ref>
    ```

    ## Use instead
    ```wikitext
    {{Use dmy dates}}
    <ref>{{cite web |url=https://example.org |title=A |date=14 March 2021}}</ref>
    ```

    ## Fix safety
    Safe: the value is rewritten in the target format, keeping the spacing and comments around
    it; the day, month and year never change. Values with templates or markup inside are left
    alone.

    ## Options
    `report_displayed`: also report dates that `|df=` or the page's `|cs1-dates=` already
    display in the right format (off by default).
    """

    name = "date-format"
    code = "DT201"
    summary = "A citation date not written in the page's date format"
    severity = Severity.WARNING
    fixable = Fixability.SAFE
    fix_summary = ("{n} citation date to page format", "{n} citation dates to page format")

    @dataclass(frozen=True)
    class Options:
        report_displayed: bool = option(
            False,
            "also report dates that |df= or the page's |cs1-dates= already display in the "
            "page's format (a difference in the source only)",
        )

    def check(self, ctx: Context) -> Iterator[Finding]:
        dates = date_context(ctx)
        for param in dates.params:
            if not self.options.report_displayed and _displayed_in_format(dates, param):
                continue
            finding = self._check_param(param, dates.targets(param))
            if finding is not None:
                yield finding

    def _check_param(self, param: DateParam, targets: list[tuple[str, bool]]) -> Finding | None:
        parsed = param.parsed
        if not targets or parsed is None or not parsed.valid:
            return None
        if parsed.kind not in (Kind.FULL, Kind.RANGE) or parsed.date is None:
            return None
        if parsed.kind is Kind.RANGE:
            targets = [t for t in targets if t[0] != "iso"]
            if not targets:
                return None
        if parsed.canonical and (parsed.style, parsed.short) in targets:
            return None
        style, short = targets[0]
        if parsed.canonical is False and parsed.style and (parsed.style, parsed.short) in targets:
            style, short = parsed.style, parsed.short  # right format, sloppy writing
        new = render(parsed, style, short)
        if new is None or new == param.value:
            return None
        wanted = " or ".join(describe(*t) for t in targets)
        fix = Fix.safe(Edit(param.start, param.end, new))
        return self.finding(
            f"{param.name}={param.value} is not in the page's date format ({wanted}): {new}",
            param.start,
            param.end,
            fix,
        )


def _displayed_in_format(dates: DateContext, param: DateParam) -> bool:
    """Whether the citation template renders this date in the target format whatever its
    written form: through its own ``|df=`` or the page's ``|cs1-dates=``. Ranges excepted
    (the templates leave them as written)."""
    parsed = param.parsed
    if parsed is None or parsed.kind is not Kind.FULL:
        return False
    if param.df is not None and (param.kind == PUBLICATION or param.df[1]):
        return True
    return dates.cs1 is not None
