"""The shared reference index (rules.references) and name generation (rules.naming)."""

from __future__ import annotations

import re

import mwparserfromhell
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wikilint import rules
from wikilint.rules.document import Document
from wikilint.rules.naming import base_name, unique_name, url_name, words_name
from wikilint.rules.references import (
    NOTE,
    TAG,
    TAG_FN,
    R,
    build,
    normalize_doi,
    normalize_isbn,
    normalize_source_url,
    source_keys,
)

REF_RULES = rules.Config.from_mapping(
    {
        "select": [
            "duplicate-efn",
            "duplicate-ref",
            "ref-name-conflict",
            "undefined-ref",
            "ref-punctuation",
            "repeated-source",
        ]
    }
)


def index(text: str):
    return build(Document.parse(text))


# -- the index ---------------------------------------------------------------------------------


def test_tag_names_are_case_insensitive_trimmed_and_unquoted() -> None:
    idx = index('<ref Name=" a ">x</ref><ref NAME=a/><ref name=\'a\' /><ref name="a"></ref>')
    assert [(r.name, r.is_definition, r.is_reuse) for r in idx.refs] == [
        ("a", True, False),
        ("a", False, True),
        ("a", False, True),
        ("a", False, True),
    ]
    assert len(idx.reuses[("", "a")]) == 3


def test_footnote_templates_groups_and_kinds() -> None:
    idx = index(
        "{{efn|A}}{{efn-ua|B}}{{efn|group=upper-roman|C}}{{refn|group=n|name=x|D}}"
        '{{refn|E}}{{#tag:ref|F|name=t|group=g}}{{r|x|group=n}}{{efn|name="q"}}'
    )
    got = [(r.kind, r.group, r.name, r.content) for r in idx.refs]
    assert got == [
        (NOTE, "lower-alpha", None, "A"),
        (NOTE, "upper-alpha", None, "B"),
        (NOTE, "upper-roman", None, "C"),
        (NOTE, "n", "x", "D"),
        (NOTE, "", None, "E"),
        (TAG_FN, "g", "t", "F"),
        (R, "n", "x", None),
        (NOTE, "lower-alpha", "q", None),
    ]
    assert idx.is_defined("n", "x") and idx.is_defined("g", "t")


def test_list_defined_refs_take_the_list_group() -> None:
    idx = index(
        "<references group=note>\n<ref name=a>A</ref>\n</references>"
        "{{reflist|group=g|refs=<ref name=b>B</ref>}}{{notelist|refs={{efn|name=c|C}}}}"
        "{{reflist|refs=<ref name=d group=h>D</ref>}}"
    )
    got = [(r.name, r.group, r.list_defined) for r in idx.refs]
    assert got == [
        ("a", "note", True),
        ("b", "g", True),
        ("c", "lower-alpha", True),
        ("d", "h", True),
    ]


def test_enclosing_templates() -> None:
    idx = index("{{Infobox|x=<ref>A</ref>}}{{efn|n<ref>B</ref>}}{{#if:1|<ref>C</ref>}}")
    got = [(r.content, r.in_template, r.in_parser_function) for r in idx.refs if r.kind == TAG]
    assert got == [("A", True, False), ("B", False, False), ("C", False, True)]


def test_protected_refs_are_not_indexed_but_their_names_are_taken() -> None:
    idx = index("<nowiki><ref name=a>A</ref></nowiki> <!-- <ref name=b>B</ref> -->")
    assert idx.refs == []
    assert "a" in idx.names  # never generate a name that could clash once unwrapped


@pytest.mark.parametrize(
    ("content", "ibid"),
    [
        ("Ibid., p. 5.", True),
        ("ibidem", True),
        ("Smith, op. cit., p. 3", True),
        ("Smith, loc. cit.", True),
        ("{{Ibid}}", True),
        ("Ibidson 2001", False),
        ("Smith 2001, p. 5.", False),
    ],
)
def test_ibid(content: str, ibid: bool) -> None:
    assert index(f"<ref>{content}</ref>").refs[0].is_ibid is ibid


def test_source_normalization() -> None:
    assert normalize_source_url("HTTP://WWW.Example.org/a/") == "example.org/a"
    assert normalize_source_url("https://web.archive.org/web/2019/https://x.org") is None
    assert normalize_source_url("https://archive.ph/abc") is None
    assert normalize_isbn("0-306-40615-2") == normalize_isbn("978-0-306-40615-7") == "9780306406157"
    assert normalize_isbn("12") is None
    assert normalize_doi("https://doi.org/10.1000/ABC.") == "10.1000/abc"
    assert normalize_doi("not a doi") is None


def test_source_keys() -> None:
    idx = index(
        "<ref>{{cite book |isbn=978-0-306-40615-7 |doi=10.1/X |url=http://a.org/x/ "
        "|archive-url=https://web.archive.org/web/1/http://a.org/x}} ISBN 0-306-40615-2</ref>"
    )
    assert source_keys(idx.doc, idx.refs[0]) == ["ISBN:9780306406157", "DOI:10.1/x", "URL:a.org/x"]


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (
            "{{cite book |last=Deutscher |first=Isaac |year=2015 |title=The Prophet}}",
            "Deutscher2015",
        ),
        ("{{cite book |author=[[Isaac Deutscher]] |date=5 January 2015}}", "Deutscher2015"),
        ("{{cite book |author=Deutscher, Isaac |date=2015}}", "Deutscher2015"),
        ("{{cite journal |vauthors=Smith AB, Jones C |date=2001}}", "Smith2001"),
        ("{{sfn|Service|2009|p=5}}", "Service2009"),
        (
            "{{cite web |url=http://www.marxists.org/archive/lenin/works/1917/staterev/ch04.htm"
            " |title=The State}}",
            "marxists-lenin-ch4",
        ),
        ("[http://www.bbc.co.uk/news/world-12345678 BBC]", "bbc"),
        ("{{cite web |title=The Big Report of Things}}", "big-report-things"),
        ("The post was created in 1919 by the committee.", "post-created-1919"),
        ("1234", "note"),
        ("", "note"),
    ],
)
def test_base_name(content: str, name: str) -> None:
    assert base_name(mwparserfromhell.parse(content), content) == name


def test_url_and_words_names() -> None:
    assert url_name("https://www.nytimes.com/2010/03/24/health/policy/24health.html") == (
        "nytimes-health-24health"
    )
    assert url_name("not a url") == ""
    assert words_name("<!-- x --> 12 34") == ""


def test_unique_name() -> None:
    assert unique_name("Deutscher2015", {"Deutscher2015"}) == "Deutscher2015a"
    assert unique_name("Deutscher2015", {"Deutscher2015", "Deutscher2015a"}) == "Deutscher2015b"
    assert unique_name("post-created-1919", {"post-created-1919"}) == "post-created-1919-2"
    assert unique_name("marxists", {"marxists", "marxists-2"}) == "marxists-3"
    assert unique_name("123", set()) == "note-123"
    assert unique_name(":0", set()) == "note-0"


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sets(st.text(max_size=12), max_size=8))
def test_generated_names_are_readable_and_unique(text: str, taken: set[str]) -> None:
    code = mwparserfromhell.parse(text)
    name = unique_name(base_name(code, text), taken)
    assert name not in taken
    assert name and not name.isdigit() and not name.startswith(":")
    assert not any(c in name for c in "\"'<>|{}[]=/ \n")


def test_generated_names_are_unique_across_groups_and_rules_in_one_pass() -> None:
    text = (
        "A.<ref>{{cite book |last=Deutscher |year=2015 |title=P}}</ref>"
        " B.<ref>{{cite book |last=Deutscher |year=2015 |title=P}}</ref>"
        " C.{{efn|{{cite book |last=Deutscher |year=2015 |title=Q}}}}"
        " D.{{efn|{{cite book |last=Deutscher |year=2015 |title=Q}}}}"
        " E.<ref name=Deutscher2015a>other</ref>"
    )
    fixed = rules.fix(text, REF_RULES).text
    names = re.findall(r'name="?([^"|}/ >]+)', fixed)
    assert set(names) == {"Deutscher2015", "Deutscher2015a", "Deutscher2015b"}
    assert rules.lint(fixed, REF_RULES).findings == []


# -- fixing keeps what readers see --------------------------------------------------------------


def resolved(text: str) -> list[tuple[str, str | None]]:
    """What each footnote marker shows, in order (reuses resolved to their definition)."""
    idx = index(text)
    shown: list[tuple[str, str | None]] = []
    for ref in idx.refs:
        if ref.list_defined or ref.kind not in (TAG, NOTE, R):
            continue
        if ref.is_definition:
            shown.append((ref.group, ref.norm))
        else:
            defs = idx.definitions.get(ref.key)
            shown.append((ref.group, defs[0].norm if defs else None))
    return shown


REF_PIECES = st.sampled_from(
    [
        "<ref>Smith.</ref>",
        "<ref>Smith. </ref>",
        "<ref>Jones.</ref>",
        "<ref name=a>Smith.</ref>",
        "<ref name=b>Smith.</ref>",
        "<ref name=a/>",
        "<ref name=b />",
        "{{r|b}}",
        "<ref group=n>Smith.</ref>",
        "<ref name=c group=n>Smith.</ref>",
        "{{efn|Note.}}",
        "{{efn|name=e|Note.}}",
        "{{efn|name=e}}",
        "{{efn-ua|Note.}}",
        "Text",
        ".",
        ", ",
        " ",
        "\n",
    ]
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(REF_PIECES, max_size=14).map("".join))
def test_fixing_duplicates_keeps_every_marker_pointing_at_the_same_content(text: str) -> None:
    select = rules.Config.from_mapping({"select": ["duplicate-ref", "duplicate-efn"]})
    result = rules.fix(text, select)
    assert result.converged
    assert resolved(result.text) == resolved(text)
    assert rules.fix(result.text, select).text == result.text


# -- repeated-source: one ISBN, different titles -----------------------------------------------


def _repeated_source_messages(text: str) -> list[str]:
    config = rules.Config.from_mapping({"select": ["repeated-source"]})
    return [f.message for f in rules.lint(text, config).findings]


def test_one_isbn_with_two_different_titles_says_an_isbn_may_be_wrong() -> None:
    text = (
        "A.<ref>{{cite book |title=The Russian Revolution |isbn=978-0-674-01801-3}}</ref> "
        "B.<ref>{{cite book |title=''Stalin'' <!-- x -->|isbn=0-674-01801-2 |page=9}}</ref>"
    )
    (message,) = _repeated_source_messages(text)
    assert "one of the ISBNs may be wrong" in message
    assert "'The Russian Revolution'" in message and "\"''Stalin''\"" in message
    assert "reuse" not in message


def test_one_isbn_with_one_title_still_suggests_a_reuse() -> None:
    text = (
        "A.<ref name=s>{{cite book |title=Trotsky |isbn=978-0-674-01801-3 |page=7}}</ref> "
        "B.<ref>{{cite book |title=TROTSKY: a biography |isbn=978-0-674-01801-3}}</ref>"
    )
    (message,) = _repeated_source_messages(text)
    assert 'reuse <ref name="s" />' in message and "may be wrong" not in message
