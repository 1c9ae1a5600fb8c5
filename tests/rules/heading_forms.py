"""Tricky heading forms with MediaWiki's section numbers (checked against MediaWiki 1.39 by
tests/wiki/test_sections_live.py: ``section=N`` text and ``action=parse&prop=sections``).

Each form: the text, and its sections as ``(number, level, title)``. A number missing from
the list was taken by a heading nested in a template (MediaWiki counts it, but it is no
section of the page).
"""

from __future__ import annotations

from typing import NamedTuple


class Form(NamedTuple):
    name: str
    text: str
    sections: list[tuple[int, int, str]]


B = "\nx\n== B ==\ny\n"  # every form ends with a plain section, whose number shows the count

FORMS = [
    Form("plain", "== A ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("trailing spaces", "== A ==  " + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("trailing tab", "== A ==\t" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("comment after", "== A == <!-- c -->" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("comment inside", "== A <!-- c --> ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("multi-line comment inside", "== A <!-- c\nd --> ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("code", "== A <code>x</code> ==" + B, [(1, 2, "A x"), (2, 2, "B")]),
    Form("nowiki", "== A <nowiki>x</nowiki> ==" + B, [(1, 2, "A x"), (2, 2, "B")]),
    Form("self-closed nowiki", "== A<nowiki/> ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("template", "== {{foo}} A ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("multi-line template", "== A {{foo|\nb}} ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("link", "== [[A|b]] ==" + B, [(1, 2, "b"), (2, 2, "B")]),
    Form("noinclude inside", "== A <noinclude>x</noinclude> ==" + B, [(1, 2, "A x"), (2, 2, "B")]),
    Form("level 1", "= A =" + B, [(1, 1, "A"), (2, 2, "B")]),
    Form("unbalanced", "=== A ==" + B, [(1, 2, "= A"), (2, 2, "B")]),
    Form("seven equals", "======= A =======" + B, [(1, 6, "= A ="), (2, 2, "B")]),
    Form("four equals only", "====" + B, [(1, 1, "=="), (2, 2, "B")]),
    Form("five equals only", "=====" + B, [(1, 2, "="), (2, 2, "B")]),
    Form("two equals only", "==" + B, [(1, 2, "B")]),
    Form("text after", "== A == b" + B, [(1, 2, "B")]),
    Form("space before", " == A ==" + B, [(1, 2, "B")]),
    Form(
        "comment before on its line", "== Z ==\n<!-- c -->== A ==" + B, [(1, 2, "Z"), (2, 2, "B")]
    ),
    Form(
        "comment line then heading",
        "z\n  <!-- c --> <!-- d -->  \n== A ==" + B,
        [(1, 2, "A"), (2, 2, "B")],
    ),
    Form("at the end", "x\n== A ==", [(1, 2, "A")]),
    Form("in a comment", "<!--\n== A ==\n-->" + B, [(1, 2, "B")]),
    Form("after an unclosed comment", "== Z ==\n<!--\n== A ==" + B, [(1, 2, "Z")]),
    Form("in nowiki", "<nowiki>\n== A ==\n</nowiki>" + B, [(1, 2, "B")]),
    Form("in NOWIKI", "<NOWIKI>\n== A ==\n</NOWIKI>" + B, [(1, 2, "B")]),
    Form("in pre", "<pre>\n== A ==\n</pre>" + B, [(1, 2, "B")]),
    Form("in gallery", "<gallery>\n== A ==\n</gallery>" + B, [(1, 2, "B")]),
    Form("in unclosed nowiki", "<nowiki>\n== A ==" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("in includeonly", "<includeonly>\n== A ==\n</includeonly>" + B, [(1, 2, "B")]),
    Form("in noinclude", "<noinclude>\n== A ==\n</noinclude>" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("in code", "<code>\n== A ==\n</code>" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("in blockquote", "<blockquote>\n== A ==\n</blockquote>" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("in div", "<div>\n== A ==\n</div>" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("in a table", "{|\n|-\n|\n== A ==\n|}" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form("in a template", "== Z ==\n{{foo|\n== A ==\n}}" + B, [(1, 2, "Z"), (3, 2, "B")]),
    Form("in a named parameter", "== Z ==\n{{foo|a=b\n== A ==\n}}" + B, [(1, 2, "Z"), (3, 2, "B")]),
    Form("one = in a template", "{{foo|\n=x=\n}}" + B, [(1, 2, "B")]),
    Form("in a template argument", "{{{1|\n== A ==\n}}}" + B, [(2, 2, "B")]),
    Form("in four braces", "{{{{foo}}\n== A ==\n}}" + B, [(2, 2, "B")]),
    Form("in a link in a template", "{{foo|[[x|\n== A ==\n]]}}" + B, [(2, 2, "B")]),
    Form(
        "in a link", "== Z ==\n[[File:a|\n== A ==\n]]" + B, [(1, 2, "Z"), (2, 2, "A"), (3, 2, "B")]
    ),
    Form(
        "in an unclosed template",
        "== Z ==\n{{foo|\n== A ==" + B,
        [(1, 2, "Z"), (2, 2, "A"), (3, 2, "B")],
    ),
    Form("unclosed template in the heading", "== A {{foo ==" + B, [(1, 2, "B")]),
    Form("in a language-conversion block", "-{\n== A ==\n}-" + B, [(1, 2, "A"), (2, 2, "B")]),
    Form(
        "sub-sections",
        "== A ==\n=== A1 ===\n==== A2 ====\n== C ==" + B,
        [(1, 2, "A"), (2, 3, "A1"), (3, 4, "A2"), (4, 2, "C"), (5, 2, "B")],
    ),
    # Wikipedia's extension tags (Cite, Poem, SyntaxHighlight, Math): not on the test wiki.
    Form("in ref", "<ref>\n== A ==\n</ref>" + B, [(1, 2, "B")]),
    Form("in poem", "<poem>\n== A ==\n</poem>" + B, [(1, 2, "B")]),
    Form("in syntaxhighlight", "<syntaxhighlight>\n== A ==\n</syntaxhighlight>" + B, [(1, 2, "B")]),
    Form("ref in the heading", "== A<ref>x</ref> ==" + B, [(1, 2, "A"), (2, 2, "B")]),
]
