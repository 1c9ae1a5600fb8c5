"""The engine: filtering, the bounded fix loop, overlap, convergence."""

from __future__ import annotations

import pytest
from mwparserfromhell.parser import ParserError
from wikilint import rules
from wikilint.rules import builder
from wikilint.rules.model import Applicability, Edit, Fix, apply_edits

from tests.rules.conftest import RuleFactory, replace_all


def only(*names: str) -> rules.Config:
    return rules.Config.from_mapping({"select": list(names)})


def test_fix_applies_and_converges(make_rule: RuleFactory) -> None:
    make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "aa", "b"))
    result = rules.fix("aaaa aa", only("test-ab"))
    # pass 1: "aaaa aa" → "bb b"; nothing left
    assert result.text == "bb b"
    assert result.converged and result.passes == 1
    assert [a.finding.rule for a in result.applied] == ["test-ab"] * 3


def test_chained_fixes_take_several_passes(make_rule: RuleFactory) -> None:
    make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "ab", "a"))
    result = rules.fix("abbbb", only("test-ab"))
    assert result.text == "a"
    assert result.passes == 4 and result.converged


def test_oscillating_fixes_stop_and_say_so(make_rule: RuleFactory) -> None:
    make_rule("test-xy", lambda self, ctx: replace_all(self, ctx, "x", "y"))
    make_rule("test-yx", lambda self, ctx: replace_all(self, ctx, "y", "x"))
    result = rules.fix("x", only("test-xy", "test-yx"))
    assert not result.converged
    assert result.passes <= 2


def test_endless_fixes_stop_after_max_passes(make_rule: RuleFactory) -> None:
    make_rule("test-grow", lambda self, ctx: replace_all(self, ctx, "a", "aa"))
    result = rules.fix("a", only("test-grow"))
    assert not result.converged
    assert result.passes == rules.engine.MAX_PASSES
    assert result.text == "a" * 2**10


def test_overlapping_fixes_are_applied_one_at_a_time(make_rule: RuleFactory) -> None:
    def overlapping(self, ctx):  # type: ignore[no-untyped-def]
        if "abc" in ctx.text:
            yield self.finding("ab", 0, 2, Fix.safe(Edit(0, 2, "X")))
            yield self.finding("bc", 1, 3, Fix.safe(Edit(1, 3, "Y")))

    make_rule("test-overlap", overlapping)
    result = rules.fix("abc", only("test-overlap"))
    assert result.text == "Xc"
    assert [a.pass_number for a in result.applied] == [1]


def test_unsafe_fixes_need_the_flag(make_rule: RuleFactory) -> None:
    def unsafe(self, ctx):  # type: ignore[no-untyped-def]
        if "a" in ctx.text:
            yield self.finding("a", 0, 1, Fix.unsafe(Edit(0, 1, "b")))

    make_rule("test-unsafe", unsafe)
    assert rules.fix("a", only("test-unsafe")).text == "a"
    assert rules.fix("a", only("test-unsafe"), unsafe=True).text == "b"


def test_accept_filters_single_findings(make_rule: RuleFactory) -> None:
    make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "a", "b"))
    result = rules.fix("a a", only("test-ab"), accept=lambda f: f.start == 0)
    assert result.text == "b a"


def test_no_findings_or_edits_inside_protected_regions(make_rule: RuleFactory) -> None:
    make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "a", "b"))
    text = "a <!-- a --> <nowiki>a</nowiki> <pre>a</pre> a"
    found = rules.lint(text, only("test-ab")).findings
    assert [f.start for f in found] == [0, len(text) - 1]
    assert rules.fix(text, only("test-ab")).text == "b <!-- a --> <nowiki>a</nowiki> <pre>a</pre> b"


def test_fix_touching_a_protected_region_is_dropped_but_reported(make_rule: RuleFactory) -> None:
    def spanning(self, ctx):  # type: ignore[no-untyped-def]
        end = ctx.text.index("-->") + 3
        yield self.finding("x", 0, 1, Fix.safe(Edit(0, end, "")))

    make_rule("test-span", spanning)
    result = rules.lint("x <!-- c -->", only("test-span"))
    assert len(result.findings) == 1 and result.findings[0].fix is None


def test_suppression_comments(make_rule: RuleFactory) -> None:
    make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "a", "b"))
    text = (
        "a <!-- wikilint-disable test-ab --> a <!-- wikilint-enable test-ab --> a"
        " <!-- wikilint-disable --> a"
    )
    found = rules.lint(text, only("test-ab")).findings
    assert [f.start for f in found] == [0, text.index("--> a <!-- wikilint-disable -->") + 4]


def test_suppression_by_code_and_list(make_rule: RuleFactory) -> None:
    rule = make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "a", "b"))
    text = f"<!-- wikilint-disable other,{rule.code} --> a"
    assert rules.lint(text, only("test-ab")).findings == []


def test_section_limits_findings_and_fixes(make_rule: RuleFactory) -> None:
    make_rule("test-ab", lambda self, ctx: replace_all(self, ctx, "a", "b"))
    text = "a\n== One ==\na\n== Two ==\na\n"
    result = rules.lint(text, only("test-ab"), section="One")
    assert [f.start for f in result.findings] == [text.index("a\n== Two")]
    fixed = rules.fix(text, only("test-ab"), section="One")
    assert fixed.text == "a\n== One ==\nb\n== Two ==\na\n"


def test_fix_with_an_edit_outside_the_section_is_dropped(make_rule: RuleFactory) -> None:
    def cross(self, ctx):  # type: ignore[no-untyped-def]
        inside = ctx.text.index("x")
        yield self.finding(
            "x", inside, inside + 1, Fix.safe(Edit(0, 1, "B"), Edit(inside, inside + 1, "y"))
        )

    make_rule("test-cross", cross)
    text = "a\n== One ==\nx\n"
    (finding,) = rules.lint(text, only("test-cross"), section=1).findings
    assert finding.fix is None
    assert rules.fix(text, only("test-cross"), section=1).text == text


def test_unknown_section() -> None:
    with pytest.raises(rules.SectionNotFound):
        rules.lint("== A ==\n", section="B")


@pytest.mark.parametrize(
    "error",
    [RecursionError("maximum recursion depth exceeded"), ParserError("missed a close token")],
)
def test_parse_error_is_one_finding(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise error

    monkeypatch.setattr(builder, "tokenize", explode)  # every parse starts there
    result = rules.lint("{{a}}")
    assert [f.rule for f in result.findings] == ["parse-error"]
    assert result.parse_error is not None and result.doc is None
    fixed = rules.fix("{{a}}")
    assert fixed.text == "{{a}}" and fixed.parse_error is not None


def test_out_of_bounds_finding_is_a_bug(make_rule: RuleFactory) -> None:
    make_rule("test-bad", lambda self, ctx: iter([self.finding("bad", 0, 99)]))
    with pytest.raises(AssertionError):
        rules.lint("abc", only("test-bad"))


def test_edits_and_fixes_model() -> None:
    assert apply_edits("abcdef", [Edit(4, 5, "E"), Edit(0, 1, ""), Edit(2, 2, "+")]) == "b+cdEf"
    with pytest.raises(ValueError):
        apply_edits("abc", [Edit(0, 2, "x"), Edit(1, 3, "y")])
    with pytest.raises(ValueError):
        Fix.safe(Edit(0, 2, "x"), Edit(1, 2, "y"))
    with pytest.raises(ValueError):
        Fix(())
    assert Edit(1, 1, "a").overlaps(Edit(1, 1, "b"))
    assert not Edit(0, 1, "a").overlaps(Edit(1, 2, "b"))
    assert Applicability.SAFE > Applicability.UNSAFE > Applicability.DISPLAY_ONLY


def test_the_garbage_collector_is_held_during_a_lint_and_restored_after() -> None:
    import gc

    from wikilint.rules.builder import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    rules.lint("{{a}} <ref>x</ref>")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that holds it keeps holding it
    finally:
        gc.enable()
    try:
        with collector_paused():
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()
