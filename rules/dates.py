"""Pure date parsing, validation and formatting for the date rules (no wikitext here).

:func:`parse_value` reads the whole value of a date parameter (``|date=14 March 2021``) into a
:class:`ParsedDate`; :func:`find_prose_dates` finds full dates in running text; :func:`format_date`
and :func:`format_range` write a date in a target style. Reformatting never changes the day,
the month or the year: only the order, the month's spelling (long/short) and the punctuation.

Styles of full dates: ``dmy`` (``14 March 2021``), ``mdy`` (``March 14, 2021``), ``iso``
(``2021-03-14``); and the forms MOS:DATEFORMAT does not accept, which are parsed so that they
can be reported and rewritten: ``ymd`` (``2021 March 14``), ``dmy-ordinal`` (``14th March
2021``), ``mdy-ordinal`` (``March 14th, 2021``), ``the-of`` (``the 14th of March 2021``),
``mdy-nocomma`` (``March 14 2021``), ``dmy-comma`` (``14 March, 2021``) and ``numeric``
(``03/04/2021``, ambiguous).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from wikilint.rules.lazyregex import LazyPattern

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SHORT_MONTHS = tuple(m[:3] for m in MONTHS)
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

# name (case-folded) -> (month number, is the short form)
_MONTH_NAMES: dict[str, tuple[int, bool]] = {}
for _i, _m in enumerate(MONTHS, 1):
    _MONTH_NAMES[_m.lower()] = (_i, False)
    if len(_m) > 3:
        _MONTH_NAMES[_m[:3].lower()] = (_i, True)
_MONTH_NAMES["sept"] = (9, True)

# Month alternation for regexes: each name's longer forms are tried first ("September", then
# "Sept", then "Sep"), as a longest-first list of every spelling would; written compactly
# because it appears in many patterns, and compiling the long list cost import time.
_MONTH_ALT = (
    "Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    "|Sep(?:tember|t)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_MONTH_RE = rf"(?:{_MONTH_ALT})"
_SEASONS = {"spring", "summer", "autumn", "fall", "winter"}
_QUARTERS = {"first quarter", "second quarter", "third quarter", "fourth quarter"}
_NAMED = {"christmas", "easter"}
_STANDARD = frozenset({"dmy", "mdy", "iso"})


class Kind(enum.StrEnum):
    FULL = "full"  # day, month and year
    RANGE = "range"  # a range whose ends have days (5–7 May 2020, May 5 – June 7, 2020, …)
    PARTIAL_RANGE = "partial-range"  # ranges of months, seasons or years
    MONTH_YEAR = "month-year"
    SEASON = "season"  # seasons, quarters, Christmas …
    YEAR = "year"
    NO_DATE = "n.d."
    CIRCA = "circa"
    LITERAL = "literal"  # ((…)): accepted as written


class Date(NamedTuple):
    year: int
    month: int
    day: int

    @property
    def valid(self) -> bool:
        return is_valid_day(self.year, self.month, self.day)


class ParsedDate(NamedTuple):
    kind: Kind
    style: str | None = None  # for FULL/RANGE: dmy, mdy, iso, ymd, numeric, …
    short: bool = False  # month written abbreviated
    date: Date | None = None  # FULL: the date; RANGE: its first end
    end: Date | None = None  # RANGE: its last end
    suffix: str = ""  # CS1 year disambiguator: 2001a
    canonical: bool = True  # written exactly as format_date would write it (Sept aside)
    error: str | None = None  # why the value is not a valid date
    year_month: tuple[int, int | None] | None = None  # MONTH_YEAR / YEAR: what is known

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def standard(self) -> bool:
        return self.style in _STANDARD


def is_leap(year: int) -> bool:
    if year < 1582:  # Julian calendar, as CS1 assumes
        return year % 4 == 0
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and is_leap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def is_valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= days_in_month(year, month)


def month_number(name: str) -> tuple[int, bool] | None:
    """``"Sept"`` → ``(9, True)``; an unknown name → ``None``. A trailing ``.`` is allowed."""
    return _MONTH_NAMES.get(name.rstrip(".").lower())


def month_name(month: int, short: bool = False) -> str:
    name = MONTHS[month - 1]
    return name[:3] if short else name


# -- formatting ----------------------------------------------------------------------------


def format_date(
    date: Date, style: str, short: bool = False, suffix: str = "", sep: str = " "
) -> str:
    """``date`` written in ``dmy``, ``mdy`` or ``iso``; ``sep`` between day and month."""
    if style == "iso":
        return f"{date.year:04d}-{date.month:02d}-{date.day:02d}{suffix}"
    month = month_name(date.month, short)
    if style == "dmy":
        return f"{date.day}{sep}{month} {date.year}{suffix}"
    if style == "mdy":
        return f"{month}{sep}{date.day}, {date.year}{suffix}"
    raise ValueError(f"cannot write dates in style {style!r}")


def format_range(start: Date, end: Date, style: str, short: bool = False, suffix: str = "") -> str:
    """A range of full dates in ``dmy`` or ``mdy`` (CS1 / MOS:DATERANGE forms)."""
    m1, m2 = month_name(start.month, short), month_name(end.month, short)
    if style == "dmy":
        if start.year == end.year and start.month == end.month:
            return f"{start.day}–{end.day} {m1} {start.year}{suffix}"
        if start.year == end.year:
            return f"{start.day} {m1} – {end.day} {m2} {start.year}{suffix}"
        return f"{start.day} {m1} {start.year} – {end.day} {m2} {end.year}{suffix}"
    if style == "mdy":
        if start.year == end.year and start.month == end.month:
            return f"{m1} {start.day}–{end.day}, {start.year}{suffix}"
        if start.year == end.year:
            return f"{m1} {start.day} – {m2} {end.day}, {start.year}{suffix}"
        return f"{m1} {start.day}, {start.year} – {m2} {end.day}, {end.year}{suffix}"
    raise ValueError(f"cannot write date ranges in style {style!r}")


def render(parsed: ParsedDate, style: str, short: bool) -> str | None:
    """A parsed FULL or RANGE value rewritten in a target style, or None when impossible."""
    if parsed.date is None or not parsed.valid:
        return None
    if parsed.kind is Kind.FULL:
        if style == "iso" and (parsed.suffix or parsed.date.year < 1582):
            return None
        return format_date(parsed.date, style, short, parsed.suffix)
    if parsed.kind is Kind.RANGE and parsed.end is not None and style in ("dmy", "mdy"):
        return format_range(parsed.date, parsed.end, style, short, parsed.suffix)
    return None


# -- parsing parameter values --------------------------------------------------------------

_SP = r"[ \t]+"
_DASH = r"(?:–|-|&ndash;|\{\{ndash\}\})"
_SDASH = r"[ \t]*(?:–|—|-|&ndash;|&mdash;|\{\{(?:ndash|snd|spaced ndash)\}\})[ \t]*"
_YEAR = r"(?P<y>\d{3,4})(?P<sfx>[a-z]?)"
_DAY = r"(?P<d>\d{1,2})"
_MON = rf"(?P<m>{_MONTH_RE}\.?)"

_FULL_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"^(?P<y>\d{4})-(?P<mn>\d{1,2})-(?P<d>\d{1,2})(?P<sfx>)$")),
    ("dmy", re.compile(rf"^{_DAY}(?P<o>st|nd|rd|th)?{_SP}{_MON}(?P<c>,?){_SP}{_YEAR}$", re.I)),
    (
        "mdy",
        re.compile(
            rf"^{_MON}{_SP}{_DAY}(?P<o>st|nd|rd|th)?(?P<c>,)?(?(c)[ \t]*|{_SP}){_YEAR}$", re.I
        ),
    ),
    (
        "the-of",
        re.compile(
            rf"^(?:the{_SP})?{_DAY}(?P<o>st|nd|rd|th){_SP}of{_SP}{_MON}(?P<c>,?){_SP}{_YEAR}$", re.I
        ),
    ),
    ("ymd", re.compile(rf"^(?P<y>\d{{4}})(?P<sfx>){_SP}{_MON}{_SP}{_DAY}$", re.I)),
]
# The rarer forms: compiled when a value gets that far (rules.lazyregex).
_NUMERIC = LazyPattern(r"^(\d{1,4})([/.])(\d{1,2})\2(\d{2,4})$")
_ISO_MONTH = LazyPattern(r"^(\d{4})-(\d{2})$")
_COMPACT = LazyPattern(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_ONLY = re.compile(r"^(\d{3,4})([a-z]?)$")
_MONTH_YEAR = LazyPattern(rf"^(?P<m>{_MONTH_RE}\.?),?{_SP}(?P<y>\d{{3,4}})[a-z]?$", re.I)
_WORDS_YEAR = LazyPattern(r"^(?P<w>[A-Za-z]+(?: [A-Za-z]+)?),?[ \t]+(?P<y>\d{3,4})[a-z]?$")
_CIRCA = re.compile(r"^(?:c\.|ca\.|circa|c)[ \t]*\d{3,4}[a-z]?(?:s)?$", re.I)
_NO_DATE = re.compile(r"^n\.?[ ]?d\.?$", re.I)
_YEAR_RANGE = LazyPattern(rf"^(\d{{3,4}}){_DASH}(\d{{2,4}})[a-z]?$")
_WORD_RANGE = LazyPattern(
    rf"^(?P<a>[A-Za-z]+\.?)(?:{_DASH}|/)(?P<b>[A-Za-z]+\.?),?{_SP}(?P<y>\d{{3,4}})[a-z]?$"
)
_WORD_YEAR_RANGE = LazyPattern(
    rf"^(?P<a>[A-Za-z]+\.?){_SP}(?P<y1>\d{{3,4}}){_SDASH}(?P<b>[A-Za-z]+\.?){_SP}(?P<y2>\d{{3,4}})[a-z]?$"
)
_SEASON_YEARS = LazyPattern(
    rf"^(?P<w>[A-Za-z]+){_SP}(?P<y1>\d{{4}}){_DASH}(?P<y2>\d{{2,4}})[a-z]?$"
)
# Ranges with days.
_R_DMY_DAYS = LazyPattern(
    rf"^(?P<d1>\d{{1,2}}){_DASH}(?P<d2>\d{{1,2}}){_SP}{_MON}{_SP}{_YEAR}$", re.I
)
_R_MDY_DAYS = LazyPattern(
    rf"^{_MON}{_SP}(?P<d1>\d{{1,2}}){_DASH}(?P<d2>\d{{1,2}}),?{_SP}{_YEAR}$", re.I
)
_R_DMY_MONTHS = LazyPattern(
    rf"^(?P<d1>\d{{1,2}}){_SP}(?P<m1>{_MONTH_RE}\.?){_SDASH}(?P<d2>\d{{1,2}}){_SP}"
    rf"(?P<m2>{_MONTH_RE}\.?){_SP}{_YEAR}$",
    re.I,
)
_R_MDY_MONTHS = LazyPattern(
    rf"^(?P<m1>{_MONTH_RE}\.?){_SP}(?P<d1>\d{{1,2}}){_SDASH}(?P<m2>{_MONTH_RE}\.?){_SP}"
    rf"(?P<d2>\d{{1,2}}),?{_SP}{_YEAR}$",
    re.I,
)
_R_DMY_YEARS = LazyPattern(
    rf"^(?P<d1>\d{{1,2}}){_SP}(?P<m1>{_MONTH_RE}\.?){_SP}(?P<y1>\d{{3,4}}){_SDASH}(?P<d2>\d{{1,2}})"
    rf"{_SP}(?P<m2>{_MONTH_RE}\.?){_SP}{_YEAR}$",
    re.I,
)
_R_MDY_YEARS = LazyPattern(
    rf"^(?P<m1>{_MONTH_RE}\.?){_SP}(?P<d1>\d{{1,2}}),?{_SP}(?P<y1>\d{{3,4}}){_SDASH}"
    rf"(?P<m2>{_MONTH_RE}\.?){_SP}(?P<d2>\d{{1,2}}),?{_SP}{_YEAR}$",
    re.I,
)
_RANGE_PATTERNS = (
    ("dmy", "days", _R_DMY_DAYS),
    ("mdy", "days", _R_MDY_DAYS),
    ("dmy", "months", _R_DMY_MONTHS),
    ("mdy", "months", _R_MDY_MONTHS),
    ("dmy", "years", _R_DMY_YEARS),
    ("mdy", "years", _R_MDY_YEARS),
)
_SPACES = LazyPattern(r"[ \t]+")


@functools.lru_cache(maxsize=8192)
def parse_value(value: str) -> ParsedDate | None:
    """A date parameter's value (already stripped of whitespace and comments), parsed.

    ``None`` when the text is not a date at all; a :class:`ParsedDate` with ``error`` set
    when it looks like a date but is not a valid one (31 February, month 13, 03/04/2021).
    """
    text = value.strip()
    if not text:
        return None
    if text.startswith("((") and text.endswith("))"):
        return ParsedDate(Kind.LITERAL)
    text = text.replace("&nbsp;", " ").replace("\u00a0", " ")
    if _NO_DATE.match(text):
        return ParsedDate(Kind.NO_DATE)
    if _CIRCA.match(text):
        return ParsedDate(Kind.CIRCA)
    m = _YEAR_ONLY.match(text)
    if m:
        year = int(m.group(1))
        return ParsedDate(
            Kind.YEAR, error=None if year >= 100 else "year before 100", year_month=(year, None)
        )
    full = _parse_full(text)
    if full is not None:
        return full
    m = _MONTH_YEAR.match(text)
    if m:
        number, short = month_number(m.group("m"))  # type: ignore[misc]
        return ParsedDate(Kind.MONTH_YEAR, short=short, year_month=(int(m.group("y")), number))
    m = _WORDS_YEAR.match(text)
    if m:
        word = m.group("w").lower()
        if word in _SEASONS or word in _QUARTERS or word in _NAMED:
            return ParsedDate(Kind.SEASON)
        return None
    ranged = _parse_range(text)
    if ranged is not None:
        return ranged
    m = _YEAR_RANGE.match(text)
    if m:
        y1, y2 = m.group(1), m.group(2)
        end = int(y1[: len(y1) - len(y2)] + y2) if len(y2) < len(y1) else int(y2)
        ok = end > int(y1)
        return ParsedDate(Kind.PARTIAL_RANGE, error=None if ok else "the range does not go forward")
    m = _WORD_RANGE.match(text)
    if m and _words_pair(m.group("a"), m.group("b")):
        return ParsedDate(Kind.PARTIAL_RANGE)
    m = _WORD_YEAR_RANGE.match(text)
    if m and _words_pair(m.group("a"), m.group("b"), same_ok=True):
        ok = int(m.group("y2")) > int(m.group("y1"))
        return ParsedDate(Kind.PARTIAL_RANGE, error=None if ok else "the range does not go forward")
    m = _SEASON_YEARS.match(text)
    if m and m.group("w").lower() in _SEASONS:
        return ParsedDate(Kind.PARTIAL_RANGE)
    m = _NUMERIC.match(text)
    if m:
        return ParsedDate(
            Kind.FULL, style="numeric", canonical=False, error="ambiguous all-numeric date"
        )
    m = _ISO_MONTH.match(text)
    if m:
        return ParsedDate(
            Kind.MONTH_YEAR,
            style="iso",
            canonical=False,
            error="YYYY-MM is ambiguous (use the month's name)",
        )
    return None


def _words_pair(a: str, b: str, same_ok: bool = False) -> bool:
    ma, mb = month_number(a), month_number(b)
    if ma and mb:
        return same_ok or ma[0] < mb[0]
    wa, wb = a.lower(), b.lower()
    return wa in _SEASONS and wb in _SEASONS


def _parse_full(text: str) -> ParsedDate | None:
    for style, pattern in _FULL_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        year = int(m.group("y"))
        suffix = m.group("sfx") or ""
        if style == "iso":
            month, short = int(m.group("mn")), False
            day = int(m.group("d"))
            canonical = len(m.group("mn")) == 2 and len(m.group("d")) == 2
            if not 1 <= month <= 12:
                return ParsedDate(
                    Kind.FULL, "iso", canonical=False, error=f"month {month} does not exist"
                )
        else:
            month, short = month_number(m.group("m"))  # type: ignore[misc]
            day = int(m.group("d"))
            style = _written_style(style, m)
            canonical = (
                style in _STANDARD
                and not m.group("d").startswith("0")
                and not m.group("m").endswith(".")
            )
        date = Date(year, month, day)
        if canonical and style != "iso":
            canonical = text == format_date(date, style, short, suffix) or text == format_date(
                date, style, short, suffix
            ).replace("Sep ", "Sept ")
        error = None
        if not date.valid:
            error = f"{month_name(month)} {year} has no day {day}" if day >= 1 else "day 0"
        elif year < 100:
            error = "year before 100"
        return ParsedDate(Kind.FULL, style, short, date, None, suffix, canonical, error)
    m = _COMPACT.match(text)
    if m:  # 20210314: a date, but not a form CS1 accepts
        date = Date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if 1 <= date.month <= 12 and date.valid:
            return ParsedDate(
                Kind.FULL,
                "compact",
                False,
                date,
                canonical=False,
                error="YYYYMMDD is not an accepted date format",
            )
    return None


def _written_style(style: str, m: re.Match[str]) -> str:
    groups = m.groupdict()
    if style == "the-of":
        return "the-of"
    ordinal = bool(groups.get("o"))
    comma = bool(groups.get("c"))
    if style == "dmy":
        return "dmy-ordinal" if ordinal else ("dmy-comma" if comma else "dmy")
    if style == "mdy":
        return "mdy-ordinal" if ordinal else ("mdy" if comma else "mdy-nocomma")
    return style


def _parse_range(text: str) -> ParsedDate | None:
    for style, shape, pattern in _RANGE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        g = m.groupdict()
        year = int(g["y"])
        year1 = int(g["y1"]) if g.get("y1") else year
        if shape == "days":
            month, short = month_number(g["m"])  # type: ignore[misc]
            m1 = m2 = month
        else:
            (m1, s1), (m2, s2) = month_number(g["m1"]), month_number(g["m2"])  # type: ignore[misc]
            short = s1 and s2
        start, end = Date(year1, m1, int(g["d1"])), Date(year, m2, int(g["d2"]))
        error = None
        if not start.valid or not end.valid:
            error = "a day that does not exist"
        elif (end.year, end.month, end.day) <= (start.year, start.month, start.day):
            error = "the range does not go forward"
        parsed = ParsedDate(Kind.RANGE, style, short, start, end, g.get("sfx") or "", True, error)
        rendered = render(parsed, style, short) if error is None else None
        return ParsedDate(
            Kind.RANGE,
            style,
            short,
            start,
            end,
            g.get("sfx") or "",
            rendered == _SPACES.sub(" ", text) and rendered == text,
            error,
        )
    return None


# -- dates in running text -----------------------------------------------------------------

_S = r"(?:[ \t]|&nbsp;|&#160;)+"
_ORD = r"(?:st|nd|rd|th)"
_PROSE = re.compile(
    rf"(?=[0-9JFMASONDTt])(?<![\w/.-])(?:"
    rf"(?P<theof>[Tt]he{_S}(?P<d1>\d{{1,2}}){_ORD}{_S}of{_S}(?P<m1>{_MONTH_RE})(?P<c1>,?){_S}(?P<y1>\d{{4}}))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?P<o2>{_ORD})?{_S}(?P<m2>{_MONTH_RE})(?P<c2>,?){_S}(?P<y2>\d{{4}}))"
    rf"|(?P<mdy>(?P<m3>{_MONTH_RE}){_S}(?P<d3>\d{{1,2}})(?P<o3>{_ORD})?(?P<c3>,?){_S}(?P<y3>\d{{4}}))"
    rf"|(?P<ymd>(?P<y4>\d{{4}}){_S}(?P<m4>{_MONTH_RE}){_S}(?P<d4>\d{{1,2}})(?![\d,]|{_S}\d))"
    rf")(?![\w/]|[.,]?\d|{_DASH}\d)"
)
# A range or a list of days right before the date: "5–", "3 and ", "May 5 – ".
_BEFORE_RANGE = re.compile(
    rf"(?:[\w][ \t]*(?:–|—|-|&ndash;|&mdash;)[ \t]*"
    rf"|\d(?:{_ORD})?,?[ \t]*(?:,|and|&|or|to|through|until)[ \t]*)$"
)
_AFTER_RANGE = re.compile(r"^[ \t]*(?:–|—|&ndash;|&mdash;|-[ \t]*\d|and\s+\d|to\s+\d)")


class ProseDate(NamedTuple):
    start: int
    end: int
    text: str
    style: str  # dmy, mdy, or a non-MOS form (ymd, dmy-ordinal, …)
    date: Date
    short: bool
    nbsp: str  # the separator written between day and month ("" when a plain space)

    @property
    def standard(self) -> bool:
        return self.style in ("dmy", "mdy")


def find_prose_dates(text: str, start: int = 0, end: int | None = None) -> Iterator[ProseDate]:
    """Full dates (with a year) in running text; ranges and lists of days are skipped."""
    end = len(text) if end is None else end
    for m in _PROSE.finditer(text, start, end):
        g = m.groupdict()
        if g["theof"]:
            d, mon, style = g["d1"], g["m1"], "the-of"
            y = g["y1"]
        elif g["dmy"]:
            d, mon, y = g["d2"], g["m2"], g["y2"]
            style = "dmy-ordinal" if g["o2"] else ("dmy-comma" if g["c2"] else "dmy")
        elif g["mdy"]:
            d, mon, y = g["d3"], g["m3"], g["y3"]
            style = "mdy-ordinal" if g["o3"] else ("mdy" if g["c3"] else "mdy-nocomma")
        else:
            d, mon, y = g["d4"], g["m4"], g["y4"]
            style = "ymd"
        if d.startswith("0"):
            continue
        number, short = month_number(mon)  # type: ignore[misc]
        date = Date(int(y), number, int(d))
        if not date.valid:
            continue
        s, e = m.span()
        if _BEFORE_RANGE.search(text, max(start, s - 16), s) or _AFTER_RANGE.match(
            text[e : e + 12]
        ):
            continue
        matched = m.group(0)
        nbsp = ""
        for entity in ("&nbsp;", "&#160;"):
            if entity in matched:
                nbsp = entity
        yield ProseDate(s, e, matched, style, date, short, nbsp)


def natural_style(style: str) -> str | None:
    """The MOS style a non-MOS form is closest to (``None`` when it has none)."""
    if style.startswith("dmy") or style == "the-of":
        return "dmy"
    if style.startswith("mdy"):
        return "mdy"
    return None


# -- Wayback timestamps --------------------------------------------------------------------

_WAYBACK = re.compile(
    r"(?:web|wayback)\.archive\.org/web/(\d+)|(?<![\w.])archive\.org/web/(\d+)", re.I
)


def wayback_timestamp(url: str) -> str | None:
    """The digits of a Wayback Machine URL's timestamp (``None`` for other URLs)."""
    m = _WAYBACK.search(url)
    if not m:
        return None
    return m.group(1) or m.group(2)


def timestamp_parts(stamp: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) from 4–14 timestamp digits, as far as they go; None if invalid."""
    if not 4 <= len(stamp) <= 14:
        return None
    year = int(stamp[:4])
    month = int(stamp[4:6]) if len(stamp) >= 6 else None
    day = int(stamp[6:8]) if len(stamp) >= 8 else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and (month is None or not is_valid_day(year, month, day)):
        return None
    return year, month, day
