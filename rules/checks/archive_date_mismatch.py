"""archive-date-mismatch: a Wayback archive URL whose timestamp disagrees with its archive date."""

from __future__ import annotations

from collections.abc import Iterator

from mwparserfromhell.nodes.extras import Parameter
from wikilint.rules.context import Context
from wikilint.rules.datecontext import (
    ARCHIVE,
    WEBARCHIVE_TEMPLATES,
    DateContext,
    DateParam,
    core_span,
    date_context,
)
from wikilint.rules.dates import Date, Kind, format_date, timestamp_parts, wayback_timestamp
from wikilint.rules.document import Document, TemplateUse
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, register


@register
class ArchiveDateMismatch(Rule):
    """## What it does
    Reports a Wayback Machine archive URL (`web.archive.org/web/YYYYMMDDhhmmss/…`) in a
    citation's `archive-url=` or in `{{Webarchive|url=}}` whose timestamp date differs from the
    citation's `archive-date=` (or the Webarchive's `date=`), and a citation with a Wayback
    `archive-url=` and no `archive-date=`. Partial timestamps (4 to 14 digits) are compared
    only as far as they go. `{{Webarchive}}` without `date=` is fine: it reads the date from
    the URL.

    ## Why is this bad?
    The archive date tells readers which snapshot supports the text; a wrong one sends them to
    the wrong copy, and CS1 shows an error for an archive URL without an archive date.

    ## Example
    ```wikitext
    {{cite web |url=https://example.org |title=A
     |archive-url=https://web.archive.org/web/20200514093000/https://example.org
     |archive-date=15 May 2020}}
    ```

    ## Use instead
    ```wikitext
    {{cite web |url=https://example.org |title=A
     |archive-url=https://web.archive.org/web/20200514093000/https://example.org
     |archive-date=14 May 2020}}
    ```

    ## Fix safety
    Safe: the date is taken from the timestamp and written in the format the page uses for
    archive dates (the page format, `cs1-dates`, `df=`, else the existing value's own format).
    A timestamp shorter than 8 digits cannot give a full date: reported without a fix.
    """

    name = "archive-date-mismatch"
    code = "DT204"
    summary = "An archive date that differs from the Wayback URL's timestamp"
    severity = Severity.WARNING
    fixable = Fixability.SOMETIMES
    fix_summary = ("{n} archive date", "{n} archive dates")

    def check(self, ctx: Context) -> Iterator[Finding]:
        dates = date_context(ctx)
        doc = ctx.doc
        for use, url_param in dates.archive_urls:
            webarchive = use.key in WEBARCHIVE_TEMPLATES
            url = str(url_param.value).strip()
            stamp = wayback_timestamp(url)
            if stamp is None:
                continue
            parts = timestamp_parts(stamp)
            if parts is None:
                continue  # a malformed timestamp: archive-url-malformed reports it
            params = [p for p in dates.by_template.get(id(use.node), ()) if p.kind == ARCHIVE]
            param = params[-1] if params else None
            if param is None or not param.value:
                if webarchive:
                    continue
                yield from self._missing(doc, dates, use, url_param, param, parts)
                continue
            finding = self._compare(dates, param, parts)
            if finding is not None:
                yield finding

    def _compare(
        self, dates: DateContext, param: DateParam, parts: tuple[int, int | None, int | None]
    ) -> Finding | None:
        parsed = param.parsed
        if parsed is None or not parsed.valid:
            return None  # invalid-date reports it
        year, month, day = parts
        have: tuple[int, int | None, int | None]
        if parsed.kind is Kind.FULL and parsed.date is not None:
            have = (parsed.date.year, parsed.date.month, parsed.date.day)
        elif parsed.kind in (Kind.MONTH_YEAR, Kind.YEAR) and parsed.year_month is not None:
            have = (parsed.year_month[0], parsed.year_month[1], None)
        else:
            return None
        for a, b in zip(have, parts, strict=True):
            if a is not None and b is not None and a != b:
                break
        else:
            return None
        stamp_text = "-".join(f"{x:02d}" for x in parts if x is not None)
        fix = None
        if day is not None and month is not None:
            new = _write(Date(year, month, day), dates, param, parsed.style)
            fix = Fix.safe(Edit(param.start, param.end, new))
            message = f"{param.name}={param.value} differs from the archive timestamp ({new})"
        else:
            message = (
                f"{param.name}={param.value} differs from the archive timestamp ({stamp_text})"
            )
        return self.finding(message, param.start, param.end, fix)

    def _missing(
        self,
        doc: Document,
        dates: DateContext,
        use: TemplateUse,
        url_param: Parameter,
        param: DateParam | None,
        parts: tuple[int, int | None, int | None],
    ) -> Iterator[Finding]:
        year, month, day = parts
        fix = None
        if day is not None and month is not None:
            probe = DateParam(
                use,
                "archive-date",
                ARCHIVE,
                0,
                0,
                "",
                None,
                param.df if param else _df_of(dates, use),
            )
            new = _write(Date(year, month, day), dates, probe, None)
            if param is not None:  # archive-date= present but empty: fill it in
                fix = Fix.safe(Edit(param.start, param.end, new))
            else:
                fix = Fix.safe(_insertion(doc, url_param, new))
        c_start, c_end = core_span(doc, url_param.value)
        yield self.finding("archive URL with no archive-date", c_start, c_end, fix)


def _df_of(dates: DateContext, use: TemplateUse) -> tuple[str, bool] | None:
    for p in dates.by_template.get(id(use.node), ()):
        return p.df
    return None


def _write(date: Date, dates: DateContext, param: DateParam, own_style: str | None) -> str:
    targets = dates.targets(param)
    if targets:
        if own_style is not None and (own_style, False) in targets:
            return format_date(date, own_style)
        style, short = targets[0]
        return format_date(date, style, short)
    if own_style in ("dmy", "mdy", "iso"):
        return format_date(date, own_style)
    return format_date(date, "iso")


def _insertion(doc: Document, url_param: Parameter, value: str) -> Edit:
    """Insert ``|archive-date=VALUE`` right after the archive URL, spaced like that parameter."""
    name_start, _ = doc.code_span(url_param.name)
    v_start, v_end = doc.code_span(url_param.value)
    _, core_end = core_span(doc, url_param.value)
    pipe = name_start - 1
    before = doc.text[:pipe]
    sep = before[len(before.rstrip()) :]  # the whitespace written before this parameter's pipe
    name_raw = doc.text[name_start : v_start - 1]
    lead = name_raw[: len(name_raw) - len(name_raw.lstrip())]
    gap = name_raw[len(name_raw.rstrip()) :]
    raw_value = doc.text[v_start:v_end]
    value_lead = raw_value[: len(raw_value) - len(raw_value.lstrip())]
    name = "archive-date" if str(url_param.name).strip() == "archive-url" else "archivedate"
    return Edit.insert(core_end, f"{sep}|{lead}{name}{gap}={value_lead}{value}")
