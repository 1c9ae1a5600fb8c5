"""Table markup and archive originals (rules.structure): what no fix may edit."""

from __future__ import annotations

import pytest
from wikilint.rules.document import Document
from wikilint.rules.structure import archive_originals, table_markup

TABLE = """{| class="wikitable"
|+ Caption<ref>x||y</ref>
|-
! 2000<ref>a</ref>!! 2010 || z
|-
| style="a" | b || [[a|b]] || {{x|y||z}}
|}
No | table || here"""


def marks(text: str) -> list[str]:
    doc = Document.parse(text)
    return [f"{doc.line_col(s)[0]}:{text[s:e]}" for s, e in table_markup(doc).ranges]


def test_table_syntax_is_read_per_line_as_mediawiki_does() -> None:
    assert marks(TABLE) == [
        "1:{|",
        "2:|+",
        "3:|-",
        "4:!",
        "4:!!",
        "4:||",
        "5:|-",
        "6:|",
        "6:|",
        "6:||",
        "6:||",
        "7:|}",
    ]


def test_bars_in_templates_refs_and_link_targets_are_not_cell_attributes() -> None:
    assert marks("{|\n| [[a|b]] | c\n| {{x|y}} d\n|}") == ["1:{|", "2:|", "3:|", "4:|}"]


def test_data_lines_do_not_split_on_double_exclamation_marks() -> None:
    assert marks("{|\n| Wow!! || x\n|}") == ["1:{|", "2:|", "2:||", "3:|}"]


def test_no_table_no_markup() -> None:
    assert marks("| a || b\n! c !! d") == []


@pytest.mark.parametrize(
    ("text", "original"),
    [
        (
            "|archiveurl=//web.archive.org/web/20100415171054/http://www.nytimes.com/a#b |x",
            "http://www.nytimes.com/a",
        ),
        ("[https://web.archive.org/web/2010id_/https://x.org/a?b=1 T]", "https://x.org/a?b=1"),
        ("http://web.archive.org/web/2010/www.foo.com/a", "www.foo.com/a"),
        ("[https://archive.ph/2020.01.01-1234/https://x.org/y t]", "https://x.org/y"),
        ("http://www.webcitation.org/5abc?url=http%3A%2F%2Fx.org%2F z", "http%3A%2F%2Fx.org%2F"),
        ("//webarchive.loc.gov/all/20100101/http://x.org/a", "http://x.org/a"),
        ("https://www.webarchive.org.uk/wayback/archive/20100101/http://x.org/a", "http://x.org/a"),
        ("https://ghostarchive.org/search?term=https://x.org/a", "https://x.org/a"),
    ],
)
def test_the_original_inside_an_archive_url(text: str, original: str) -> None:
    spans = archive_originals(text)
    assert [text[s:e] for s, e in spans.ranges] == [original]


def test_archive_urls_without_an_original_and_other_urls() -> None:
    text = "https://archive.ph/abcde https://ghostarchive.org/archive/xyz http://x.org/web/2010/y"
    assert archive_originals(text).ranges == []
