"""Faults the local wiki cannot produce on demand, injected by a proxy in front of it.

Each test runs the real runner (pywikibot, ``bot.wiki.safe_save``) through
:class:`tests.runner.faultproxy.FaultProxy` and asserts the outcome, the exit code, and that
no revision's text was lost (and nothing was saved twice)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.runner import loop as runner

from tests.runner.faultproxy import FaultProxy
from tests.runner.live import assert_no_text_lost, bot_revisions, run, title
from tests.runner.live import write_config as _write_config
from tests.wiki import mwapi

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("test_rules")]


@pytest.fixture(scope="module")
def proxy(api: str) -> Iterator[FaultProxy]:
    with FaultProxy(api) as p:
        yield p


@pytest.fixture
def setup(tmp_path: Path, proxy: FaultProxy, human: mwapi.ApiClient) -> Any:
    proxy.faults.clear()
    proxy.log.clear()
    shutoff = title("Shutoff")
    human.edit(shutoff, "run")
    mwapi.ApiClient.for_account("bot").post(action="clearhasmsg")

    def make(pages: list[str], **overrides: dict[str, Any]) -> tuple[Path, list[str]]:
        titles = [title(p) for p in pages]
        for t in titles:
            human.edit(t, "Some colour here.\n\nAnd more text.")
        return _write_config(tmp_path, proxy.api, titles, shutoff, **overrides), titles

    return make


def edits(proxy: FaultProxy) -> list[str]:
    return [what for method, action, what in proxy.log if action == "edit"]


@pytest.mark.parametrize(
    "kind",
    ["http500", "http503-html", "maxlag", "readonly", "badtoken", "lost-session", "ratelimited"],
)
def test_transient_fault_once_is_retried(
    setup: Any, proxy: FaultProxy, human: mwapi.ApiClient, kind: str
) -> None:
    cfg, (page,) = setup(["once-" + kind])
    proxy.add(kind)
    code, report = run(cfg)
    assert proxy.hits(kind) == 1
    assert code == runner.EXIT_OK, report
    assert report["actions"] == {"edited": 1}
    revs = bot_revisions(human, page)
    assert len(revs) == 1  # exactly one revision, by the bot account (never an IP)
    assert_no_text_lost(human, page)


@pytest.mark.parametrize("kind", ["http500", "http503-html", "http200-html", "maxlag", "readonly"])
def test_persistent_fault_stops_resumably(
    setup: Any, proxy: FaultProxy, human: mwapi.ApiClient, kind: str
) -> None:
    cfg, pages = setup(["a-" + kind, "b-" + kind])
    proxy.add(kind, times=100)
    code, report = run(cfg)
    assert code == runner.EXIT_RESUMABLE, report
    assert report["status"] == "interrupted"
    assert 1 <= proxy.hits(kind) <= 4  # bounded backoff (max_retries = 2), then stop
    assert all(bot_revisions(human, p) == [] for p in pages)
    # The fault clears: the next run resumes and finishes, one revision per page.
    proxy.faults.clear()
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    for p in pages:
        assert len(bot_revisions(human, p)) == 1
        assert_no_text_lost(human, p)


@pytest.mark.parametrize("kind", ["commit-then-drop", "commit-then-hang"])
def test_timeout_after_commit_makes_exactly_one_revision(
    setup: Any,
    proxy: FaultProxy,
    human: mwapi.ApiClient,
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pywikibot import config

    monkeypatch.setattr(config, "socket_timeout", (3, 2))  # the hang outlasts the read timeout
    cfg, (page, other) = setup(["commit-" + kind, "after-" + kind])
    proxy.add(kind)
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    # pywikibot retried the POST; baserevid made MediaWiki refuse the duplicate, and the
    # re-fetch found the bot's own revision: reported as the edit it was.
    assert report["actions"] == {"edited": 2}
    code, report = run(cfg)  # nothing left to do
    assert code == runner.EXIT_OK and report["pages"] == 0, report
    assert len(bot_revisions(human, page)) == 1
    assert len(bot_revisions(human, other)) == 1
    assert_no_text_lost(human, page)
    assert "colour" not in human.latest(page).text


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("abusefilter-warning", "an abuse filter warned about this edit"),
        ("abusefilter-disallowed", "an abuse filter disallowed this edit"),
        ("spamblacklist", "a link is on the spam blacklist"),
        ("captcha", "the wiki asked for a captcha"),
    ],
)
def test_refusals_skip_the_page_without_prompt(
    setup: Any, proxy: FaultProxy, human: mwapi.ApiClient, kind: str, reason: str
) -> None:
    cfg, (page, other) = setup(["refused-" + kind, "next-" + kind])
    proxy.add(kind)
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert report["actions"] == {"skipped": 1, "edited": 1}
    (got,) = report["skip_reasons"]
    assert got.startswith(reason)
    assert edits(proxy).count(kind) == 1  # not re-submitted (abusefilter-warning would pass)
    assert bot_revisions(human, page) == [] and len(bot_revisions(human, other)) == 1
    # A transient refusal is not remembered as done: the next run tries the page again.
    code, report = run(cfg)
    assert code == runner.EXIT_OK and len(bot_revisions(human, page)) == 1


def test_blocked_error_stops_the_run(setup: Any, proxy: FaultProxy, human: mwapi.ApiClient) -> None:
    cfg, pages = setup(["blocked-a", "blocked-b"])
    proxy.add("blocked")
    code, report = run(cfg)
    assert code == runner.EXIT_STOPPED and "blocked" in report["reason"]
    assert all(bot_revisions(human, p) == [] for p in pages)
    assert edits(proxy) == ["blocked"]  # stopped at once: no second page tried


def test_maxlag_on_reads_stops_resumably(
    setup: Any, proxy: FaultProxy, human: mwapi.ApiClient
) -> None:
    cfg, pages = setup(["readlag"])
    proxy.add("maxlag", action="query", method="*", times=100)
    code, report = run(cfg)
    assert code == runner.EXIT_RESUMABLE, report
    assert bot_revisions(human, pages[0]) == []
