"""propose / review / submit end to end against the local MediaWiki, with the real rules.

Only ``insecure-link`` is selected so the expected edits stay stable while rules are added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint import rules
from wikilint.bot.change.core import compute_change
from wikilint.bot.change.store import Store
from wikilint.bot.cli.wiki_commands import fix_page, register
from wikilint.bot.wiki import api as wiki

from tests.wiki.conftest import BOT_USER, fresh_site
from tests.wiki.helpers import assert_no_text_lost, sample_page, unique_title
from tests.wiki.mwapi import ApiClient

pytestmark = pytest.mark.live

SECTION = "Civil War (1918–1920)"
CONFIG = rules.Config(select=("insecure-link",))


def cli() -> click.Group:
    group = click.Group("wikilint")
    register(group)
    return group


def run(args: list[str], input: str | None = None) -> Any:
    result = CliRunner().invoke(cli(), args, input=input, catch_exceptions=False)
    return result


def section_fixer(section: str | int | None = SECTION) -> Any:
    return lambda text: compute_change(text, section=section, config=CONFIG).proposed


def propose(title: str, state: Path, *extra: str) -> Any:
    res = run(
        [
            "propose",
            "--page",
            title,
            "--section",
            SECTION,
            "--select",
            "insecure-link",
            "--state",
            str(state),
            "--no-color",
            *extra,
        ]
    )
    assert res.exit_code == 0, res.output
    return res


def reviewed_proposal(human: ApiClient, name: str, state: Path) -> tuple[str, str]:
    """A new page of the sample text, proposed and accepted: its title and text."""
    title = unique_title(name)
    page = sample_page()
    human.edit(title, page, createonly=True)
    propose(title, state)
    run(["review", "--accept-all", "--state", str(state)])
    return title, page


def test_propose_review_submit_a_section(live_wiki: str, human: ApiClient, state_db: Path) -> None:
    title = unique_title("cli-section")
    page = sample_page()
    human.edit(title, page, createonly=True)
    res = propose(title, state_db)
    assert "proposal #1" in res.output
    with Store(state_db) as store:
        p = store.get(1)
    assert p.status == "pending" and p.rule_counts == {"insecure-link": 5}
    assert p.summary == f"/* {SECTION} */ wikilint: 5 links to https"

    res = run(["review", "--accept-all", "--state", str(state_db)])
    assert "accepted 1" in res.output
    res = run(["submit", "--all", "--state", str(state_db)])
    assert res.exit_code == 0 and "saved revision" in res.output, res.output

    history = human.history(title)
    assert history[-1].user == BOT_USER and history[-1].comment == p.summary
    assert_no_text_lost(history, BOT_USER, section_fixer())
    doc = rules.Document.parse(history[-1].text)
    sec = doc.find_section(SECTION)
    assert history[-1].text[: sec.start] == page[: sec.start]  # nothing outside the section
    with Store(state_db) as store:
        assert store.get(1).status == "submitted"
        assert store.get(1).reason is None  # saved exactly as sent, no merge
        assert store.get(1).saved_revid == history[-1].revid
    # The same page again: nothing left to propose.
    res = propose(title, state_db)
    assert "no changes" in res.output


def test_review_per_finding_recomputes(live_wiki: str, human: ApiClient, state_db: Path) -> None:
    title = unique_title("cli-perfinding")
    human.edit(title, sample_page(), createonly=True)
    propose(title, state_db)
    # per-finding: keep 1st and 3rd of 5, then accept the recomputed proposal
    res = run(["review", "--state", str(state_db), "--no-color"], input="f\ny\nn\ny\nn\nn\na\n")
    assert res.exit_code == 0, res.output
    with Store(state_db) as store:
        p = store.get(1)
    assert p.status == "accepted" and p.rule_counts == {"insecure-link": 2}
    assert len(p.accepted) == 2
    res = run(["submit", "1", "--state", str(state_db)])
    assert "saved revision" in res.output, res.output
    final = human.latest(title).text
    assert wiki.same_saved_text(final, p.proposed)


def test_submit_after_a_human_edit_elsewhere_reapplies(
    live_wiki: str, human: ApiClient, state_db: Path
) -> None:
    title, page = reviewed_proposal(human, "cli-elsewhere", state_db)
    human.edit(title, page.replace("'''Sample''' page", "'''Sample''' HUMAN-LEAD-EDIT page"))
    res = run(["submit", "--all", "--state", str(state_db)])
    assert "saved revision" in res.output, res.output
    assert_no_text_lost(human.history(title), BOT_USER, section_fixer(), ["HUMAN-LEAD-EDIT"])


def test_submit_after_a_human_edit_in_the_edited_spans_asks_again(
    live_wiki: str, human: ApiClient, state_db: Path
) -> None:
    title, page = reviewed_proposal(human, "cli-samespan", state_db)
    sec = rules.Document.parse(page).find_section(SECTION)
    at = page.index("http://", sec.start) + len("http://")  # a URL the bot changes
    human.edit(title, page[:at] + "HUMAN" + page[at:])
    res = run(["submit", "--all", "--state", str(state_db)])
    assert "need a new review" in res.output
    assert all(r.user != BOT_USER for r in human.history(title))
    with Store(state_db) as store:
        p = store.get(1)
    assert p.status == "pending" and "HUMAN" in p.original


def test_nobots_page_is_not_proposed(live_wiki: str, human: ApiClient, state_db: Path) -> None:
    title = unique_title("cli-nobots")
    human.edit(title, "{{nobots}}\n" + sample_page(), createonly=True)
    propose(title, state_db)
    with Store(state_db) as store:
        assert store.list() == []


def test_fix_page_shows_a_page_denying_the_account_as_skipped(
    live_wiki: str, human: ApiClient
) -> None:
    # fix --page reads the page policy of the account the wiki is used with, as propose does.
    from wikilint.bot.cli.main import main

    title = unique_title("cli-fix-page-deny")
    text = "{{bots|deny=" + BOT_USER + "}}\n" + sample_page()
    human.edit(title, text, createonly=True)
    shown = CliRunner().invoke(
        main,
        ["fix", "--page", title, "--select", "insecure-link", "--no-color"],
        catch_exceptions=False,
    )
    assert shown.exit_code == 0, shown.output
    assert f"[[{title}]]: skipped: excluded by {{{{bots}}}}/{{{{nobots}}}}" in shown.output
    assert "[-http-]" not in shown.output
    shown_to_all = CliRunner().invoke(
        main,
        ["lint", "--page", title, "--select", "insecure-link", "--no-color"],
        catch_exceptions=False,
    )
    assert shown_to_all.exit_code == 1 and "insecure-link" in shown_to_all.output


def test_nobots_added_after_review_is_honoured(
    live_wiki: str, human: ApiClient, state_db: Path
) -> None:
    title, page = reviewed_proposal(human, "cli-nobots-late", state_db)
    human.edit(title, "{{bots|deny=" + BOT_USER + "}}\n" + page)
    run(["submit", "--all", "--state", str(state_db)])
    with Store(state_db) as store:
        assert store.get(1).status == "skipped"
    assert all(r.user != BOT_USER for r in human.history(title))


def test_page_deleted_before_submit_is_not_recreated(
    live_wiki: str, human: ApiClient, sysop: ApiClient, state_db: Path
) -> None:
    title, _ = reviewed_proposal(human, "cli-deleted", state_db)
    sysop.delete(title)
    run(["submit", "--all", "--state", str(state_db)])
    assert not sysop.exists(title)
    with Store(state_db) as store:
        assert store.get(1).status == "skipped"


def test_protected_page_is_skipped(
    live_wiki: str, human: ApiClient, sysop: ApiClient, state_db: Path
) -> None:
    title, _ = reviewed_proposal(human, "cli-protected", state_db)
    sysop.protect(title)
    res = run(["submit", "--all", "--state", str(state_db)])
    assert "protected" in res.output
    assert all(r.user != BOT_USER for r in human.history(title))


def test_fix_page_submit_one_shot(live_wiki: str, human: ApiClient, state_db: Path) -> None:
    title = unique_title("cli-oneshot")
    human.edit(title, sample_page(), createonly=True)
    code = fix_page(
        title,
        section=SECTION,
        site=None,
        config=CONFIG,
        unsafe=False,
        yes=True,
        summary=None,
        minor=True,
        state=str(state_db),
        color=False,
    )
    assert code == 0
    history = human.history(title)
    assert history[-1].user == BOT_USER
    assert_no_text_lost(history, BOT_USER, section_fixer())
    with Store(state_db) as store:
        assert store.get(1).status == "submitted"


def test_refuses_to_edit_when_not_logged_in(live_wiki: str) -> None:
    site = fresh_site()

    class LoggedOut:
        def __getattr__(self, name: str) -> Any:
            return getattr(site, name)

        def logged_in(self) -> bool:
            return False

        def login(self) -> None:
            import pywikibot

            raise pywikibot.exceptions.NoUsernameError("no username configured")

    with pytest.raises(wiki.StopRun, match="not logged in"):
        wiki.ensure_logged_in(LoggedOut())  # type: ignore[arg-type]


def test_section_save_is_used_when_mediawiki_agrees_on_the_section(
    site: Any, human: ApiClient
) -> None:
    from wikilint.bot.change.submit import make_plan

    title = unique_title("cli-plan")
    human.edit(title, sample_page(), createonly=True)
    rev = wiki.fetch(site, title)
    change = compute_change(rev.text, section=SECTION, config=CONFIG)
    plan = make_plan(site, rev, change.proposed, SECTION, "s")
    sec = rules.Document.parse(rev.text).find_section(SECTION)
    assert plan.section == sec.number
    assert plan.section_text is not None and plan.section_text.startswith(f"=== {SECTION} ===")


def _insert_section_above(page: str, heading: str) -> str:
    at = rules.Document.parse(page).find_section(SECTION).start
    return page[:at] + f"== {heading} ==\nA section a human added above.\n\n" + page[at:]


def test_submit_after_a_section_was_inserted_above_edits_the_reviewed_section(
    live_wiki: str, human: ApiClient, state_db: Path
) -> None:
    title, page = reviewed_proposal(human, "cli-renumbered", state_db)
    human.edit(title, _insert_section_above(page, "HUMAN-NEW-SECTION"))
    res = run(["submit", "--all", "--state", str(state_db)])
    assert "saved revision" in res.output, res.output
    history = human.history(title)
    assert history[-1].user == BOT_USER
    assert_no_text_lost(history, BOT_USER, section_fixer(), ["HUMAN-NEW-SECTION"])
    # The fixes landed in the reviewed section, which now has another number.
    before, after = history[-2].text, history[-1].text
    sec = rules.Document.parse(before).find_section(SECTION)
    assert after[: sec.start] == before[: sec.start]
    assert after.count("https://www.marxists.org") > before.count("https://www.marxists.org")


def test_a_section_proposed_by_number_is_not_saved_into_another_section(
    live_wiki: str, human: ApiClient, state_db: Path
) -> None:
    title = unique_title("cli-renumbered-n")
    page = sample_page()
    human.edit(title, page, createonly=True)
    number = rules.Document.parse(page).find_section(SECTION).number
    res = run(
        [
            "propose",
            "--page",
            title,
            "--section",
            str(number),
            "--select",
            "insecure-link",
            "--state",
            str(state_db),
            "--no-color",
        ]
    )
    assert res.exit_code == 0, res.output
    run(["review", "--accept-all", "--state", str(state_db)])
    human.edit(title, _insert_section_above(page, "HUMAN-NEW-SECTION"))
    run(["submit", "--all", "--state", str(state_db)])
    history = human.history(title)
    # Either nothing was saved (back to review), or exactly the reviewed fixes were applied:
    # never the fixes of whatever section now has that number.
    assert_no_text_lost(
        history,
        BOT_USER,
        section_fixer(),
        ["HUMAN-NEW-SECTION"],
    )
