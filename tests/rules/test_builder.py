"""rules.builder builds exactly the tree mwparserfromhell's own Builder builds, field by field."""

from __future__ import annotations

from typing import Any

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import Node
from mwparserfromhell.nodes.extras import Attribute, Parameter
from mwparserfromhell.parser import ParserError
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules import builder

from tests.paths import CORPUS, EDIT_FORM, SAMPLE
from tests.rules.test_document import WIKI_ALPHABET


def assert_same_tree(ours: Any, theirs: Any, path: str = "") -> None:
    """Same types, same fields (every entry of ``vars()``), recursively."""
    assert type(ours) is type(theirs), path
    if isinstance(ours, Wikicode):
        assert type(ours.nodes) is type(theirs.nodes), path  # a SmartList: slices stay live
        assert vars(ours).keys() == vars(theirs).keys(), path
        assert len(ours.nodes) == len(theirs.nodes), path
        for i, (a, b) in enumerate(zip(ours.nodes, theirs.nodes, strict=True)):
            assert_same_tree(a, b, f"{path}/{i}:{type(b).__name__}")
    elif isinstance(ours, Node | Attribute | Parameter):
        fields, expected = vars(ours), vars(theirs)
        assert fields.keys() == expected.keys(), path
        for key in expected:
            assert_same_tree(fields[key], expected[key], f"{path}.{key}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same_tree(a, b, f"{path}[{i}]")
    else:
        assert ours == theirs, path


def check(text: str) -> Wikicode:
    ours = builder.parse(text)
    assert_same_tree(ours, mwparserfromhell.parse(text))
    assert str(ours) == text
    return ours


def test_the_version_in_use_is_the_one_the_fields_were_checked_against() -> None:
    # If this fails, mwparserfromhell was upgraded: re-check the fields in rules/builder.py,
    # then widen the pin in pyproject.toml and FIELDS_VERIFIED together.
    assert builder.FIELDS_VERIFIED, mwparserfromhell.__version__


@pytest.mark.corpus
@pytest.mark.parametrize("path", [SAMPLE, EDIT_FORM, *CORPUS], ids=lambda p: p.name)
def test_same_tree_as_mwparserfromhell_on_real_articles(path: Any) -> None:
    check(path.read_text(encoding="utf-8"))


TRICKY_MARKUP = [
    "",
    "plain",
    "{{a|b=c|d|e=f=g|=|}}",
    "{{a|{{b|c}}|[[d|e]]}}",
    "{{{1|{{{2|}}}}}} {{{x}}} {{{y|a|b}}}",
    "[[a]] [[a|b|c]] [[File:x.jpg|thumb|[[y]]]]",
    "[http://x.org] [http://x.org t] http://x.org [http://x.org<b>t</b>]",
    "&amp; &#123; &#x1F; &#X1f; &bogus;",
    "== a ==\n=== b ===\n====== c ======\n= d =",
    "<!-- c --> <!-- unclosed",
    '<ref name=a group=\'b\' c = "d" e>x</ref><ref name="q" />',
    '<br> <br/> <br /> </br> <div class="a">x</div> <p><li>x',
    "<ref name=a/ >x</ref> <span  style = 'x' >y</span >",
    "{|\n|+ cap\n! h !! i\n|-\n| a || b\n|}",
    "''i'' '''b''' '''''bi''''' ''unclosed",
    "* a\n# b\n; c : d\n----\n",
    "<nowiki>{{x}}</nowiki><pre>[[y]]</pre><math>a</math>",
    "{{#if:a|b|c}} {{subst:x}} {{x:y|z}}",
]


@pytest.mark.parametrize("text", TRICKY_MARKUP)
def test_same_tree_on_tricky_markup(text: str) -> None:
    check(text)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(WIKI_ALPHABET, max_size=60).map("".join))
def test_same_tree_on_generated_markup(text: str) -> None:
    check(text.replace("\0", "\ufffd"))


def test_skip_style_tags_is_passed_to_the_tokenizer() -> None:
    text = "''a'' '''b'''"
    assert_same_tree(
        builder.parse(text, skip_style_tags=True),
        mwparserfromhell.parse(text, skip_style_tags=True),
    )


def test_a_token_list_missing_its_close_token_is_a_parser_error() -> None:
    from mwparserfromhell.parser import tokens

    with pytest.raises(ParserError):
        builder.build([tokens.TemplateOpen(), tokens.Text(text="a")])
    with pytest.raises(ParserError):
        builder.build([tokens.TemplateClose()])


def test_an_unverified_mwparserfromhell_gets_its_own_builder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(builder, "FIELDS_VERIFIED", False)
    text = SAMPLE.read_text(encoding="utf-8")
    assert_same_tree(builder.parse(text), mwparserfromhell.parse(text))
