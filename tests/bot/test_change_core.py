"""The one change core: parses per edited page, the edit lists it keeps, the re-check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest
from wikilint import rules
from wikilint.bot.change import review
from wikilint.bot.change.core import compute_change
from wikilint.bot.change.diff import change_diff, compose, same_edits, word_diff
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.store import Proposal
from wikilint.rules import builder
from wikilint.rules.model import apply_edits

from tests.paths import REPO

SAMPLE = (REPO / "examples" / "leon-trotsky-section.wiki").read_text(encoding="utf-8")


class ParseCounter:
    def __init__(self) -> None:
        self.ours = 0  # rules.builder.tokenize: every parse of the lint's own starts there
        self.stock = 0  # mwparserfromhell.parse on the side


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[ParseCounter]:
    counter = ParseCounter()
    ours, stock = builder.tokenize, mwparserfromhell.parse

    def count_ours(*args: Any, **kwargs: Any) -> Any:
        counter.ours += 1
        return ours(*args, **kwargs)

    def count_stock(*args: Any, **kwargs: Any) -> Any:
        counter.stock += 1
        return stock(*args, **kwargs)

    monkeypatch.setattr(builder, "tokenize", count_ours)
    monkeypatch.setattr(mwparserfromhell, "parse", count_stock)
    yield counter


def test_a_change_parses_once_per_fix_pass(parses: ParseCounter) -> None:
    change = compute_change(SAMPLE, policy=PagePolicy("WikilintBot"))
    assert change.skip_reason is None and change.converged and change.findings
    passes = max(f.pass_number for f in change.findings)
    # One parse per pass, plus the parse of the fixed text that finds nothing more to do
    # (it is also the final check): the policy reads the first pass's parse.
    assert (parses.ours, parses.stock) == (passes + 1, 0)


def test_the_unsafe_change_of_a_revision_reuses_the_safe_change_parses(
    parses: ParseCounter,
) -> None:
    safe = compute_change(SAMPLE)
    before = parses.ours
    unsafe = compute_change(SAMPLE, unsafe=True, first=safe.lint, parsed=safe.parses)
    assert unsafe.proposed == safe.proposed  # the sample has no unsafe fix without titles
    assert parses.ours == before and parses.stock == 0


def test_run_parses_an_edited_page_once_per_fix_pass(
    parses: ParseCounter, tmp_path: Path, fake_wiki: Any
) -> None:
    """``wikilint run`` on the sample: policy, lint counts, safe change, unsafe proposal and
    save, all from the parses of the fix passes."""
    from wikilint.bot.runner import config as botconfig
    from wikilint.bot.runner import loop
    from wikilint.bot.runner.journal import Journal

    from tests.runner.conftest import base_tables, write_bot_toml

    fake_wiki.add("Leon Trotsky", SAMPLE)
    tables = base_tables(tmp_path, ["Leon Trotsky"])
    tables["lint"] = {}  # every rule
    tables["safety"].update(cosmetic_check="whitespace", in_use_templates=["Working on it"])
    config = botconfig.load(write_bot_toml(tmp_path / "bot.toml", tables))
    with Journal(config.state.journal, fake_wiki.site_name) as journal:
        report = loop.Runner(config, fake_wiki, journal, sleep=lambda s: None).run()
    counted = (parses.ours, parses.stock)
    assert report.actions == {"edited": 1}
    ((_, plan),) = fake_wiki.saves
    change = compute_change(SAMPLE)
    assert plan.text == change.proposed and plan.round_trip_checked
    assert counted == (max(f.pass_number for f in change.findings) + 1, 0)


@pytest.fixture
def fake_wiki() -> Any:
    from tests.runner.conftest import FakeWiki

    return FakeWiki()


# -- the edits of a change ------------------------------------------------------------------


@pytest.mark.corpus
def test_the_edits_make_the_new_text_and_the_diff_shows_only_them() -> None:
    change = compute_change(SAMPLE)
    assert apply_edits(SAMPLE, change.edits) == change.proposed
    shown = change_diff(SAMPLE, change.edits, color=False)
    assert shown.count("\n") == len(word_diff(SAMPLE, change.proposed, False).splitlines())
    assert "{+s+}://www.marxists.org" in shown


def test_edits_of_later_passes_fold_into_edits_of_the_original() -> None:
    def check(rule: rules.Rule, ctx: rules.Context) -> Iterator[rules.Finding]:
        # "ab" → "abc" first; then "abc" → "abcd": the second pass edits the first's text.
        for old, new in (("abc", "abcd"), ("ab ", "abc ")):
            at = ctx.text.find(old)
            if at >= 0:
                yield rule.finding(
                    old, at, at + len(old), rules.Fix.safe(rules.Edit(at, at + len(old), new))
                )
                return

    text = "x ab y ab "
    result = _fix_with(check, text)
    assert result.passes >= 2
    edits = compose(result.applied)
    assert apply_edits(text, edits) == result.text
    assert all(e.start < e.end or e.replacement for e in edits)


def _fix_with(check: Any, text: str) -> rules.FixResult:
    from wikilint.rules import registry

    cls = type(
        "FoldTest",
        (rules.Rule,),
        {
            "__doc__": "t",
            "name": "fold-test",
            "code": "ZZ990",
            "summary": "t",
            "severity": rules.Severity.WARNING,
            "fixable": rules.Fixability.SAFE,
            "check": check,
        },
    )
    registry._load()
    registry._RULES["fold-test"] = cls
    registry._CODES["ZZ990"] = "fold-test"
    try:
        return rules.fix(text, rules.Config(select=("fold-test",)))
    finally:
        del registry._RULES["fold-test"], registry._CODES["ZZ990"]


@pytest.mark.corpus
def test_the_recheck_compares_edit_lists_not_texts() -> None:
    change = compute_change(SAMPLE)
    p = Proposal.from_change(
        change, site="s", page="P", section=None, base_revid=1, base_timestamp="t", unsafe=False
    )
    newer = "A line a human added.\n" + SAMPLE
    again = review.reapply(p, newer, None)
    assert review.same_as_reviewed(p, again, None)
    # One more fix of the same kind elsewhere: not the reviewed change.
    more = newer + "\n[http://www.marxists.org/extra extra]\n"
    assert not review.same_as_reviewed(p, review.reapply(p, more, None), None)
    # A reviewed fix gone (someone made it by hand): not the reviewed change either.
    first = change.edits[0]
    by_hand = SAMPLE[: first.start] + first.replacement + SAMPLE[first.end :]
    assert not review.same_as_reviewed(p, review.reapply(p, by_hand, None), None)


def test_same_edits_compares_what_is_replaced_and_by_what() -> None:
    edit = rules.Edit(0, 3, "new")
    assert same_edits("old text", [edit], "more: old text"[6:], [edit])
    assert same_edits("old text", [edit], "x old", [rules.Edit(2, 5, "new")])
    assert not same_edits("old text", [edit], "odd text", [edit])  # other text replaced
    assert not same_edits("old text", [edit], "old text", [rules.Edit(0, 3, "NEW")])
    assert not same_edits("old old", [edit], "old old", [edit, rules.Edit(4, 7, "new")])


def _fixes_of(text: str) -> rules.FixResult:
    return rules.fix(text, rules.Config(select=("insecure-link",)))


def test_an_oscillating_last_pass_is_not_in_the_change(monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine stops when a pass leads back to a text it has seen, and keeps the text before
    # that pass; the change must not show (or count) that pass's edits.
    from dataclasses import replace

    from wikilint.rules.engine import AppliedFix

    text = "One.<ref>[http://www.bbc.co.uk/a A]</ref>\n"
    settled = _fixes_of(text)
    fixed = settled.text
    assert fixed != text and len(settled.applied) == 1
    back = rules.Finding(
        "insecure-link",
        "back",
        0,
        0,
        rules.Severity.WARNING,
        rules.Fix.safe(rules.Edit(fixed.index("https"), fixed.index("https") + 5, "http")),
    )
    oscillated = replace(
        settled, passes=2, converged=False, applied=[*settled.applied, AppliedFix(2, back, fixed)]
    )
    monkeypatch.setattr(rules, "fix", lambda *args, **kwargs: oscillated)
    change = compute_change(text, config=rules.Config(select=("insecure-link",)))
    assert change.proposed == fixed == apply_edits(text, change.edits)
    assert [f.pass_number for f in change.findings] == [1] and change.passes == 1
    assert change.rule_counts == {"insecure-link": 1} and not change.converged


def test_a_fix_that_does_not_parse_back_is_never_proposed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    text = "One.<ref>[http://www.bbc.co.uk/a A]</ref>\n"
    error = rules.Finding("parse-error", "cannot parse the text: x", 0, 0, rules.Severity.ERROR)
    broken = replace(_fixes_of(text), parse_error=error)
    monkeypatch.setattr(rules, "fix", lambda *args, **kwargs: broken)
    change = compute_change(text, policy=PagePolicy("WikilintBot"))
    assert change.proposed == text and change.edits == () and change.findings == ()
    assert change.skip_reason == "the fixed text does not parse: cannot parse the text: x"
    assert change.parse_error is error
