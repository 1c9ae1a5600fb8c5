"""The one page policy: {{bots}}/{{nobots}}, {{in use}}, size and NUL, on the lint's parse."""

from __future__ import annotations

import pytest
from wikilint.bot.change.core import compute_change
from wikilint.bot.change.policy import EXCLUDED, IN_USE, PagePolicy, in_use_keys
from wikilint.rules.document import Document

BOT = "WikilintBot"
POLICY = PagePolicy(BOT)


def reason(text: str, policy: PagePolicy = POLICY) -> str | None:
    return policy.reason(text)


@pytest.mark.parametrize(
    "text",
    [
        "{{nobots}}",
        "{{bots|deny=all}}",
        f"{{{{bots|deny={BOT}}}}}",
        "{{bots|allow=none}}",
        "{{bots|allow=OtherBot}}",
        # Issue 11 #6: MediaWiki reads all of these as {{nobots}}.
        "{{Template:Nobots}}",
        "{{template:nobots}}",
        "{{ nobots }}",
        "{{Nobots}}",
        "{{TEMPLATE:Nobots}}",
        "{{Template: nobots}}",
        "{{nobots<!-- keep off -->}}",
        "{{Template:Bots|deny=all}}",
        "{{ bots | deny = wikilintbot }}",
        "text {{cite web|title={{nobots}}}} text",  # anywhere in the page
    ],
)
def test_exclusion(text: str) -> None:
    assert reason(text) == EXCLUDED


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        f"{{{{bots|allow=OtherBot,{BOT}}}}}",
        "{{bots|deny=OtherBot}}",
        "<nowiki>{{nobots}}</nowiki>",
        "<!-- {{nobots}} -->",
        "{{nobots2}}",
    ],
)
def test_no_exclusion(text: str) -> None:
    assert reason(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "{{In use}}\ntext",
        "{{under construction}}",
        "{{Template:In_use}}",
        "{{ in-use }}",
        "{{Inuse|5 minutes}}",
    ],
)
def test_in_use(text: str) -> None:
    assert reason(text) == IN_USE


def test_configured_in_use_names_and_redirects_are_normalised() -> None:
    policy = PagePolicy(BOT, in_use=in_use_keys(["Template:Working_on it", "Busy"]))
    assert reason("{{working on it}}", policy) == IN_USE
    assert reason("{{Template:busy}}", policy) == IN_USE
    assert reason("{{working on it}}") is None  # not a built-in name


def test_size_and_nul_are_checked_before_any_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(Document, "parse", no_parse)
    assert PagePolicy(BOT, max_size=10).text_reason("x" * 11) == "too large (11 bytes > 10)"
    assert PagePolicy(BOT, max_size=0).text_reason("x" * 11) is None
    assert POLICY.text_reason("a\x00b") == "the text contains NUL characters"
    change = compute_change("colour\x00", policy=POLICY)
    assert change.skip_reason == "the text contains NUL characters" and change.lint is None


def test_the_change_core_reads_the_policy_from_its_first_pass() -> None:
    text = "{{Template:Nobots}} [http://www.marxists.org/x x]"
    change = compute_change(text, policy=POLICY)
    assert change.skip_reason == EXCLUDED and change.proposed == text and not change.edits
    assert change.lint is not None and change.lint.findings  # linted, not fixed
    assert compute_change(text).proposed != text  # without the policy it would be fixed
