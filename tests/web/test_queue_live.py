"""The review queue in headless Chromium against the local MediaWiki: propose a page with three
findings, uncheck one, accept, submit; the saved revision holds exactly the two accepted fixes,
and the page shows the state it was left in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint import rules
from wikilint.bot.change.core import compute_change
from wikilint.bot.change.store import Proposal, Store
from wikilint.bot.cli.wiki_commands import register

from tests.web.conftest import RunningServer, screenshot, start_server
from tests.wiki.conftest import BOT_USER, fresh_site
from tests.wiki.helpers import unique_title
from tests.wiki.mwapi import ApiClient

pytestmark = pytest.mark.live

CONFIG = rules.Config(select=("insecure-link",))
PAGE = (
    "Intro.<ref>{{cite web |url=http://www.bbc.co.uk/one |title=One}}</ref>\n\n"
    "== History ==\nMiddle.<ref>{{cite web |url=http://www.bbc.co.uk/two |title=Two}}</ref>\n"
    "End.<ref>{{cite web |url=http://www.bbc.co.uk/three |title=Three}}</ref>\n"
)
HOSTILE = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2"></textarea>'


def propose(title: str, state: Path) -> None:
    group = click.Group("wikilint")
    register(group)
    fresh_site()
    result = CliRunner().invoke(
        group,
        [
            "propose",
            "--page",
            title,
            "--select",
            "insecure-link",
            "--state",
            str(state),
            "--no-color",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def queue_server(tmp_path: Path, wiki_origin: str) -> Iterator[RunningServer]:
    yield from start_server({"state": tmp_path / "state.sqlite"}, CONFIG)


def wait_for(driver: Any, condition: Any, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_uncheck_one_accept_submit_reload(
    browser: Any, queue_server: RunningServer, human: ApiClient, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    title = unique_title("queue")
    human.edit(title, PAGE, createonly=True)
    propose(title, tmp_path / "state.sqlite")

    browser.get(queue_server.url + "/")
    screenshot(browser, "queue-list.png")
    browser.find_element(By.LINK_TEXT, title).click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wl-diff-body td.diff-addedline"))
    checks = browser.find_elements(By.CSS_SELECTOR, ".wl-check")
    assert len(checks) == 3 and all(c.is_selected() for c in checks)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#wl-diff-body ins.diffchange")) == 3
    screenshot(browser, "queue-proposal.png")

    dropped = checks[1].get_attribute("value")
    checks[1].click()
    wait_for(browser, lambda d: "2 of 3" in d.find_element(By.ID, "wl-checked-count").text)
    wait_for(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#wl-diff-body ins.diffchange")) == 2,
    )
    browser.find_element(By.CSS_SELECTOR, 'button[data-action="accept"]').click()
    badge = browser.find_element(By.ID, "wl-proposal-status")
    wait_for(browser, lambda d: badge.text == "accepted")

    browser.refresh()  # the state persisted
    checks = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".wl-check"))
    assert [c.is_selected() for c in checks] == [True, False, True]
    assert browser.find_element(By.ID, "wl-proposal-status").text == "accepted"

    browser.get(queue_server.url + "/")
    browser.find_element(By.ID, "wl-submit-accepted").click()
    link = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".wl-diff-link"), 90)[0]
    state = browser.find_element(By.CSS_SELECTOR, "tr.wl-row td.wl-state")
    assert state.text.startswith("submitted")  # the table follows without a reload
    screenshot(browser, "queue-submitted.png")

    latest = human.latest(title)
    assert latest.user == BOT_USER
    assert link.text == f"Special:Diff/{latest.revid}"
    assert link.get_attribute("href").endswith(f"Special:Diff/{latest.revid}")
    full = compute_change(PAGE, config=CONFIG)
    kept = [k for k in full.keys if k != dropped]
    expected = compute_change(PAGE, config=CONFIG, accept_keys=kept).proposed
    assert latest.text.rstrip() == expected.rstrip()
    assert latest.text.count("https://www.bbc.co.uk") == 2
    with Store(tmp_path / "state.sqlite") as store:
        (p,) = store.list()
    assert p.status == "submitted" and p.saved_revid == latest.revid


def test_page_text_never_runs_in_the_queue(
    browser: Any, queue_server: RunningServer, human: ApiClient, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    title = unique_title("queue-xss")
    human.edit(
        title,
        PAGE.replace("== History ==", f"== {HOSTILE} ==").replace(
            "|title=Two", f"|title={HOSTILE}"
        ),
        createonly=True,
    )
    propose(title, tmp_path / "state.sqlite")
    browser.get(queue_server.url + "/")
    browser.find_element(By.LINK_TEXT, title).click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wl-diff-body td.diff-addedline"))
    for button in browser.find_elements(By.CSS_SELECTOR, ".wl-explain-button")[:1]:
        button.click()
    assert browser.execute_script("return window.__pwned === undefined")
    main = browser.find_element(By.TAG_NAME, "main")
    assert not main.find_elements(By.TAG_NAME, "img")
    assert not main.find_elements(By.CSS_SELECTOR, "script")
    assert HOSTILE.split(">")[0] in main.text or "__pwned" in main.text


def test_a_hostile_fetched_title_never_runs(browser: Any, tmp_path: Path) -> None:
    """A title fetched for an unsafe fix (bare URL → {{cite web}}) reaches the reviewer's page
    as text, whatever it holds."""
    from selenium.webdriver.common.by import By

    url = "http://example.org/story"
    text = f"Claim.<ref>{url}</ref>\n"
    env = rules.Environment(titles={url: HOSTILE + " <svg onload=window.__pwned=3>"})
    change = compute_change(text, config=rules.Config(select=("bare-url",)), env=env, unsafe=True)
    assert change.findings, "the bare URL gets a fix with the fetched title"
    state = tmp_path / "hostile.sqlite"
    with Store(state) as store:
        store.add(
            Proposal.from_change(
                change,
                site="localwiki:localwiki",
                page="Hostile",
                section=None,
                base_revid=1,
                base_timestamp="2026-11-29T00:00:00Z",
                unsafe=True,
            )
        )
    for server in start_server({"state": state}, rules.Config(select=("bare-url",))):
        browser.get(server.url + "/proposal/1")
        wait_for(
            browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wl-diff-body td.diff-addedline")
        )
        main = browser.find_element(By.TAG_NAME, "main")
        # the wikitext the fix writes (entities: rules.urls.escape_title), shown as text
        assert "&lt;svg onload=window.&#95;&#95;pwned=3&gt;" in main.text
        assert browser.execute_script("return window.__pwned === undefined")
        assert not main.find_elements(By.TAG_NAME, "img")
        assert not main.find_elements(By.TAG_NAME, "svg")
