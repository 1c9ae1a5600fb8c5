"""The edit-form user script in the local MediaWiki's real edit form, in headless Chromium:
the button lists the findings of the section being edited, a click selects a finding's span in
the edit box, "Apply safe fixes" puts `wikilint fix`'s text in the box, and the person saves."""

from __future__ import annotations

from typing import Any

import pytest
from wikilint import rules
from wikilint.bot.web.server import userscript_source

from tests.web.conftest import RunningServer, login_in_browser, screenshot
from tests.wiki.helpers import sample_page, unique_title
from tests.wiki.mwapi import ApiClient

pytestmark = pytest.mark.live


def section_text(client: ApiClient, title: str, section: int) -> str:
    data = client.get(
        action="query",
        prop="revisions",
        titles=title,
        rvslots="main",
        rvprop="content",
        rvsection=section,
    )
    return str(data["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"])


def a_section_with_safe_fixes(client: ApiClient, title: str) -> tuple[int, str]:
    for number in range(1, 30):
        text = section_text(client, title, number)
        safe = [
            f
            for f in rules.lint(text).findings
            if f.fix and f.fix.applicability is rules.Applicability.SAFE
        ]
        if len(safe) >= 2:
            return number, text
    raise AssertionError("the sample page has no section with two safe fixes")


def wait_for(driver: Any, condition: Any, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_button_lists_selects_and_applies_then_the_person_saves(
    browser: Any, api_server: RunningServer, wiki_origin: str, human: ApiClient
) -> None:
    from selenium.webdriver.common.by import By

    title = unique_title("userscript")
    human.edit(title, sample_page(), createonly=True)
    number, before = a_section_with_safe_fixes(human, title)
    user = login_in_browser(browser, wiki_origin)

    browser.get(f"{wiki_origin}/index.php?title={title}&action=edit&section={number}")
    box = wait_for(browser, lambda d: d.find_element(By.ID, "wpTextbox1"))
    assert box.get_property("value").rstrip() == before.rstrip()
    browser.execute_script(userscript_source(api_server.url))
    browser.find_element(By.ID, "wikilint-button").click()
    status = browser.find_element(By.ID, "wikilint-status")
    wait_for(browser, lambda d: "finding(s)" in status.text or "could not" in status.text)
    assert "could not" not in status.text, status.text

    expected = rules.lint(box.get_property("value")).findings
    items = browser.find_elements(By.CSS_SELECTOR, "#wikilint-findings li")
    assert [i.get_attribute("data-rule") for i in items] == [f.rule for f in expected]
    screenshot(browser, "userscript-findings.png")

    # a click selects the finding's span in the edit box (code points → UTF-16 units)
    target = expected[-1]
    items[-1].find_element(By.CSS_SELECTOR, "a.wikilint-select").click()
    selected = browser.execute_script(
        "var b = document.getElementById('wpTextbox1');"
        "return b.value.substring(b.selectionStart, b.selectionEnd);"
    )
    assert selected == box.get_property("value")[target.start : target.end]

    browser.find_element(By.ID, "wikilint-apply").click()
    wait_for(browser, lambda d: "applied" in status.text or "failed" in status.text)
    assert "failed" not in status.text, status.text
    fixed = rules.fix(before).text
    assert box.get_property("value").rstrip() == fixed.rstrip()
    assert section_text(human, title, number) == before  # nothing saved by the script
    screenshot(browser, "userscript-applied.png")

    browser.find_element(By.ID, "wpSave").click()
    wait_for(browser, lambda d: "action=edit" not in d.current_url)
    latest = human.latest(title)
    assert latest.user == user
    assert section_text(human, title, number).rstrip() == fixed.rstrip()


def test_page_text_never_runs_as_script(
    browser: Any, api_server: RunningServer, wiki_origin: str, human: ApiClient
) -> None:
    from selenium.webdriver.common.by import By

    hostile = (
        '<script>window.__pwned = 1</script> "><img src=x onerror="window.__pwned=2">'
        '</textarea><ref>http://example.org/"><img src=x onerror=window.__pwned=3></ref>'
        "\n== <script>window.__pwned=4</script> ==\nText.<ref>{{cite web "
        "|url=http://example.org/x |title=</textarea><svg onload=window.__pwned=5>}}"
        "</ref>\n"
    )
    title = unique_title("userscript-xss")
    human.edit(title, hostile, createonly=True)
    login_in_browser(browser, wiki_origin)
    browser.get(f"{wiki_origin}/index.php?title={title}&action=edit")
    wait_for(browser, lambda d: d.find_element(By.ID, "wpTextbox1"))
    browser.execute_script(userscript_source(api_server.url))
    browser.find_element(By.ID, "wikilint-button").click()
    status = browser.find_element(By.ID, "wikilint-status")
    wait_for(browser, lambda d: "finding(s)" in status.text or "could not" in status.text)
    assert "could not" not in status.text
    items = browser.find_elements(By.CSS_SELECTOR, "#wikilint-findings li")
    assert items, "the hostile page has findings (bare URLs)"
    assert browser.execute_script("return window.__pwned === undefined")
    panel = browser.find_element(By.ID, "wikilint-panel")
    assert not panel.find_elements(By.TAG_NAME, "img")
    assert not panel.find_elements(By.TAG_NAME, "svg")
    assert not panel.find_elements(By.TAG_NAME, "script")
