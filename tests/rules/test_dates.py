"""Unit tests for rules/dates.py: parsing, validation, formatting, prose scanning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wikilint import rules
from wikilint.rules.dates import (
    Date,
    Kind,
    find_prose_dates,
    format_date,
    format_range,
    is_valid_day,
    month_number,
    parse_value,
    render,
    timestamp_parts,
    wayback_timestamp,
)
from wikilint.rules.model import apply_edits

from tests.paths import CORPUS as CORPUS_FILES
from tests.paths import SAMPLE


@pytest.mark.parametrize(
    ("value", "style", "short", "ymd"),
    [
        ("14 March 2021", "dmy", False, (2021, 3, 14)),
        ("March 14, 2021", "mdy", False, (2021, 3, 14)),
        ("14 Mar 2021", "dmy", True, (2021, 3, 14)),
        ("Mar 14, 2021", "mdy", True, (2021, 3, 14)),
        ("14 Sept 2021", "dmy", True, (2021, 9, 14)),
        ("2021-03-14", "iso", False, (2021, 3, 14)),
        ("2019 February 20", "ymd", False, (2019, 2, 20)),
        ("20th February 2019", "dmy-ordinal", False, (2019, 2, 20)),
        ("February 20th, 2019", "mdy-ordinal", False, (2019, 2, 20)),
        ("the 20th of February 2019", "the-of", False, (2019, 2, 20)),
        ("February 20 2019", "mdy-nocomma", False, (2019, 2, 20)),
        ("20 February, 2019", "dmy-comma", False, (2019, 2, 20)),
    ],
)
def test_parse_full_dates(value: str, style: str, short: bool, ymd: tuple[int, int, int]) -> None:
    parsed = parse_value(value)
    assert parsed is not None and parsed.kind is Kind.FULL and parsed.valid
    assert parsed.style == style and parsed.short == short
    assert parsed.date == Date(*ymd)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("2020", Kind.YEAR),
        ("2020a", Kind.YEAR),
        ("March 2020", Kind.MONTH_YEAR),
        ("Sept 2020", Kind.MONTH_YEAR),
        ("Spring 2020", Kind.SEASON),
        ("Third Quarter 2020", Kind.SEASON),
        ("Christmas 2020", Kind.SEASON),
        ("n.d.", Kind.NO_DATE),
        ("nd", Kind.NO_DATE),
        ("c. 1920", Kind.CIRCA),
        ("circa 1920", Kind.CIRCA),
        ("((whenever))", Kind.LITERAL),
        ("1918–1920", Kind.PARTIAL_RANGE),
        ("1918–20", Kind.PARTIAL_RANGE),
        ("March–April 2020", Kind.PARTIAL_RANGE),
        ("Winter 2019–2020", Kind.PARTIAL_RANGE),
        ("March 2019 – April 2020", Kind.PARTIAL_RANGE),
        ("5–7 May 2020", Kind.RANGE),
        ("May 5–7, 2020", Kind.RANGE),
        ("May 5 – June 7, 2020", Kind.RANGE),
        ("5 May – 7 June 2020", Kind.RANGE),
        ("5 May 2019 – 7 June 2020", Kind.RANGE),
        ("May 5, 2019 – June 7, 2020", Kind.RANGE),
    ],
)
def test_parse_other_valid_forms(value: str, kind: Kind) -> None:
    parsed = parse_value(value)
    assert parsed is not None and parsed.valid, (value, parsed)
    assert parsed.kind is kind


@pytest.mark.parametrize(
    "value",
    [
        "31 February 2020",
        "29 February 2021",
        "February 29, 1900",
        "32 May 2020",
        "2021-13-01",
        "2021-04-31",
        "03/04/2021",
        "2021-03",
        "7–5 May 2020",
        "1920–1918",
        "0 May 2020",
        "20210314",
    ],
)
def test_parse_invalid(value: str) -> None:
    parsed = parse_value(value)
    assert parsed is not None and not parsed.valid, (value, parsed)


@pytest.mark.parametrize("value", ["yesterday", "sometime in 2020", "May", "2020 census"])
def test_parse_not_a_date(value: str) -> None:
    assert parse_value(value) is None


def test_leap_years() -> None:
    assert is_valid_day(2000, 2, 29) and is_valid_day(2020, 2, 29)
    assert not is_valid_day(1900, 2, 29) and not is_valid_day(2021, 2, 29)
    assert is_valid_day(1500, 2, 29)  # Julian calendar before 1582, as CS1 assumes
    assert not is_valid_day(2021, 13, 1)


def test_month_names() -> None:
    assert month_number("Sept") == (9, True)
    assert month_number("sep.") == (9, True)
    assert month_number("May") == (5, False)
    assert month_number("Foo") is None


def test_format() -> None:
    date = Date(2021, 3, 4)
    assert format_date(date, "dmy") == "4 March 2021"
    assert format_date(date, "mdy", short=True) == "Mar 4, 2021"
    assert format_date(date, "iso") == "2021-03-04"
    assert format_date(date, "dmy", sep="&nbsp;") == "4&nbsp;March 2021"
    assert format_range(Date(2020, 5, 30), Date(2020, 6, 2), "mdy") == "May 30 – June 2, 2020"
    assert format_range(Date(2020, 5, 5), Date(2020, 5, 7), "dmy") == "5–7 May 2020"


def test_render_keeps_year_suffix_and_refuses_iso_for_it() -> None:
    parsed = parse_value("July 18, 2007b")
    assert parsed is not None
    assert render(parsed, "dmy", False) == "18 July 2007b"
    assert render(parsed, "iso", False) is None


def test_prose_scanner_skips_ranges_and_finds_non_mos_forms() -> None:
    text = (
        "On 5–7 May 2020 and 3 and 4 July 2020; Wilde, Robert. 2019 February 20. "
        "On the 9th of May 2017."
    )
    found = [(d.text, d.style) for d in find_prose_dates(text)]
    assert found == [("2019 February 20", "ymd"), ("the 9th of May 2017", "the-of")]


def test_wayback_timestamps() -> None:
    assert (
        wayback_timestamp("https://web.archive.org/web/20131203112920/http://a.org")
        == "20131203112920"
    )
    assert wayback_timestamp("https://archive.today/20131203/http://a.org") is None
    assert timestamp_parts("20131203112920") == (2013, 12, 3)
    assert timestamp_parts("201312") == (2013, 12, None)
    assert timestamp_parts("2013") == (2013, None, None)
    assert timestamp_parts("20131340") is None
    assert timestamp_parts("201") is None


@given(
    st.dates(min_value=dt.date(1582, 10, 15), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(["dmy", "mdy", "iso"]),
    st.booleans(),
)
def test_format_then_parse_round_trips(day: dt.date, style: str, short: bool) -> None:
    date = Date(day.year, day.month, day.day)
    short = short and style != "iso"
    text = format_date(date, style, short)
    parsed = parse_value(text)
    assert parsed is not None and parsed.valid and parsed.kind is Kind.FULL
    assert parsed.date == date
    assert parsed.style == style and parsed.canonical
    assert parsed.short == (short and len(MONTH_LONG[day.month - 1]) > 3)
    # and any rewrite of it keeps the day, month and year
    for other in ("dmy", "mdy", "iso"):
        again = parse_value(render(parsed, other, False) or "")
        assert again is not None and again.date == date


@given(
    st.dates(min_value=dt.date(100, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(["dmy", "mdy"]),
    st.booleans(),
)
def test_prose_format_round_trips(day: dt.date, style: str, short: bool) -> None:
    date = Date(day.year, day.month, day.day)
    if day.year < 1000:
        return  # prose dates need four-digit years
    text = f"It happened on {format_date(date, style, short)} here."
    found = list(find_prose_dates(text))
    assert len(found) == 1 and found[0].date == date and found[0].style == style


MONTH_LONG = [
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
]


# -- the whole corpus: fixes converge, are idempotent and never change a date -------------------

CORPUS = [*CORPUS_FILES, SAMPLE]
DATE_RULES = ["date-format", "prose-date-format", "invalid-date", "archive-date-mismatch"]


def _dates_in(text: str) -> list[Date]:
    parsed = parse_value(text)
    if parsed is not None and parsed.date is not None:
        return [d for d in (parsed.date, parsed.end) if d is not None]
    return [d.date for d in find_prose_dates(text)]


@pytest.mark.corpus
@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_fixes_keep_every_date(path: Path) -> None:
    config = rules.Config.from_mapping({"select": DATE_RULES})
    original = path.read_text(encoding="utf-8")
    fixed = rules.fix(original, config)
    assert fixed.converged
    # Replay the passes the engine applied, checking every edit against the text it edited.
    text = original
    for number in range(1, fixed.passes + 1):
        applied = [a.finding for a in fixed.applied if a.pass_number == number]
        for finding in applied:
            assert finding.fix is not None
            if finding.rule == "archive-date-mismatch":
                continue  # the date comes from the timestamp by design (see the rule's cases)
            for edit in finding.fix.edits:
                before, after = _dates_in(text[edit.start : edit.end]), _dates_in(edit.replacement)
                assert before and before == after, (finding.message, before, after)
        text = apply_edits(text, [e for f in applied for e in f.fix.edits])  # type: ignore[union-attr]
    assert text == fixed.text
    assert not [f for f in fixed.remaining if f.fix is not None]
    again = rules.fix(fixed.text, config)
    assert again.text == fixed.text and again.passes == 0
