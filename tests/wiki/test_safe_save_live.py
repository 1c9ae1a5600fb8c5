"""wikilint.bot.wiki.api.safe_save against the real local MediaWiki: never lose anyone's text.

The "fixes" here are a plain text transform (http → https for one host) so these tests exercise
the save path alone; tests/wiki/test_cli_live.py runs the real rules end to end.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from wikilint.bot.wiki import api as wiki

from tests.wiki.conftest import BOT_USER
from tests.wiki.helpers import assert_no_text_lost, same, unique_title
from tests.wiki.mwapi import ApiClient

pytestmark = pytest.mark.live

# Changed lines need unchanged lines between them, or diff3 calls it a conflict.
PAGE = (
    "Intro line with [http://www.marxists.org/a A source].\n\nFiller one.\n\n"
    "Middle line, untouched by the bot.\n\nFiller two.\n\n"
    "End line with [http://www.marxists.org/b B source].\n"
)


def fixer(text: str) -> str:
    return text.replace("http://www.marxists.org", "https://www.marxists.org")


def plan_for(rev: wiki.Revision) -> wiki.Plan | None:
    new = fixer(rev.text)
    return wiki.Plan(new, "wikilint test: links to https") if new != rev.text else None


def make_page(client: ApiClient, prefix: str, text: str = PAGE) -> str:
    title = unique_title(prefix)
    client.edit(title, text, createonly=True)
    return title


def save(site: Any, base: wiki.Revision) -> wiki.SaveResult:
    plan = plan_for(base)
    assert plan is not None
    return wiki.safe_save(site, base, plan, plan_for)


def test_plain_save(site: Any, human: ApiClient) -> None:
    title = make_page(human, "plain")
    base = wiki.fetch(site, title)
    result = save(site, base)
    assert result.status == "saved" and not result.merged and not result.warnings
    latest = human.latest(title)
    assert latest.user == BOT_USER and latest.parentid == base.revid
    assert same(latest.text, fixer(PAGE))
    assert_no_text_lost(human.history(title), BOT_USER, fixer)


def test_no_write_when_unchanged(site: Any, human: ApiClient) -> None:
    title = make_page(human, "nochange", fixer(PAGE))
    base = wiki.fetch(site, title)
    result = wiki.safe_save(site, base, wiki.Plan(base.text + "\n\n", "nothing"))
    assert result.status == "nochange"
    assert len(human.history(title)) == 1


def test_human_edit_same_line_conflict_is_reapplied(site: Any, human: ApiClient) -> None:
    title = make_page(human, "sameline")
    base = wiki.fetch(site, title)
    human.edit(title, PAGE.replace("Intro line", "HUMAN-SAME-LINE intro"))
    result = save(site, base)
    assert result.status == "saved"
    history = human.history(title)
    assert history[-1].user == BOT_USER
    assert_no_text_lost(history, BOT_USER, fixer, ["HUMAN-SAME-LINE"])


def test_human_edit_other_line_is_merged_and_checked(site: Any, human: ApiClient) -> None:
    title = make_page(human, "otherline")
    base = wiki.fetch(site, title)
    human.edit(title, PAGE.replace("Middle line", "HUMAN-OTHER-LINE middle"))
    result = save(site, base)
    assert result.status == "saved"
    assert result.merged and not result.warnings  # merged by MediaWiki, then checked
    assert_no_text_lost(human.history(title), BOT_USER, fixer, ["HUMAN-OTHER-LINE"])


def test_human_edit_in_the_same_second(site: Any, human: ApiClient) -> None:
    """basetimestamp has one-second resolution: a same-second edit looks like no edit at all."""
    for _ in range(20):
        time.sleep(1.02 - time.time() % 1)  # start just after a second boundary (same clock)
        title = unique_title("samesecond")
        created = human.edit(title, PAGE, createonly=True)
        edited = human.edit(title, PAGE.replace("Intro line", "HUMAN-SAME-SECOND intro"))
        if edited["newtimestamp"] == created["newtimestamp"]:
            break
    else:
        pytest.fail("could not make two edits in the same second")
    # What the bot read between the two edits, in that second: the first revision. Read back
    # by its id afterwards, so that only the two edits must fit in one second (a read between
    # them made three requests, which a loaded machine could not fit in one second ten times).
    base = dataclasses.replace(
        wiki.fetch_revision(site, created["newrevid"]), starttimestamp=created["newtimestamp"]
    )
    assert base.timestamp == edited["newtimestamp"] and base.revid == created["newrevid"]
    result = save(site, base)
    assert result.status == "saved"
    assert_no_text_lost(human.history(title), BOT_USER, fixer, ["HUMAN-SAME-SECOND"])


def test_same_account_intervening_edit(
    site: Any, same_account: ApiClient, human: ApiClient
) -> None:
    title = make_page(human, "selfedit")
    base = wiki.fetch(site, title)
    same_account.edit(title, PAGE.replace("Intro line", "SELF-EDIT intro"))
    result = save(site, base)
    assert result.status == "saved"
    history = human.history(title)
    assert_no_text_lost(history, BOT_USER, fixer, ["SELF-EDIT"])
    assert "SELF-EDIT" in history[-1].text and same(history[-1].text, fixer(history[-2].text))


def test_conflict_that_cannot_be_reapplied_is_skipped(site: Any, human: ApiClient) -> None:
    title = make_page(human, "giveup")
    base = wiki.fetch(site, title)
    human.edit(title, PAGE.replace("Intro line", "HUMAN intro"))
    plan = plan_for(base)
    assert plan is not None
    result = wiki.safe_save(site, base, plan, lambda rev: None)
    assert result.status == "skipped" and "conflict" in result.reason
    assert human.latest(title).user != BOT_USER


def test_page_deleted_mid_run_is_not_recreated(
    site: Any, human: ApiClient, sysop: ApiClient
) -> None:
    title = make_page(human, "deleted")
    base = wiki.fetch(site, title)
    sysop.delete(title)
    result = save(site, base)
    assert result.status == "skipped"
    assert "deleted" in result.reason or "does not exist" in result.reason
    assert not sysop.exists(title)


def test_protected_page_is_skipped(site: Any, human: ApiClient, sysop: ApiClient) -> None:
    title = make_page(human, "protected")
    base = wiki.fetch(site, title)
    sysop.protect(title, "sysop")
    result = save(site, base)
    assert result.status == "skipped" and "protected" in result.reason
    assert all(r.user != BOT_USER for r in human.history(title))  # (protecting adds a null rev)


def test_section_save_carries_base_revision(site: Any, human: ApiClient) -> None:
    text = (
        "Lead [http://www.marxists.org/x x].\n\n== One ==\nFirst.\n\n== Two ==\n"
        "Second [http://www.marxists.org/y y].\n"
    )
    title = make_page(human, "section", text)
    base = wiki.fetch(site, title)
    mw_section = wiki.fetch_section_text(site, base.revid, 2)
    assert mw_section is not None and mw_section.startswith("== Two ==")
    human.edit(title, text.replace("First.", "HUMAN-IN-SECTION-ONE."))
    new_section = fixer(mw_section)
    whole = base.text.replace(mw_section, new_section)
    plan = wiki.Plan(whole, "/* Two */ wikilint test", section=2, section_text=new_section)

    def rebase(rev: wiki.Revision) -> wiki.Plan | None:
        section = rev.text[rev.text.index("== Two ==") :]
        return wiki.Plan(rev.text.replace(section, fixer(section)), plan.summary, 2, fixer(section))

    result = wiki.safe_save(site, base, plan, rebase)
    assert result.status == "saved"
    final = human.latest(title).text
    assert "HUMAN-IN-SECTION-ONE" in final
    assert "https://www.marxists.org/y" in final and "http://www.marxists.org/x" in final


def test_control_pywikibot_default_save_loses_a_same_account_edit(
    site: Any, same_account: ApiClient, human: ApiClient
) -> None:
    """Why safe_save exists: the checker above does catch pywikibot's default save losing text."""
    import pywikibot

    title = make_page(human, "control")
    page = pywikibot.Page(site, title)
    page.text  # noqa: B018 - fetch the base revision, as a bot does before editing
    same_account.edit(title, PAGE.replace("Intro line", "SELF-EDIT intro"))
    page.text = fixer(page.text)
    page.save("wikilint control: pywikibot default save", quiet=True)
    with pytest.raises(AssertionError):
        assert_no_text_lost(human.history(title), BOT_USER, fixer, ["SELF-EDIT"])


def test_spam_blacklist_hit_is_skipped(site: Any, human: ApiClient, sysop: ApiClient) -> None:
    # scripts/mediawiki.sh puts spam-test\.example on MediaWiki:Spam-blacklist
    text = "See spam-test.example/x (not a link yet).\n"
    title = make_page(human, "spam", text)
    base = wiki.fetch(site, title)
    plan = wiki.Plan(text.replace("spam-test", "https://spam-test"), "wikilint test: link")
    result = wiki.safe_save(site, base, plan)
    assert result.status == "skipped" and "spam blacklist" in result.reason
    assert all(r.user != BOT_USER for r in human.history(title))
