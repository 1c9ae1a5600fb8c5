"""``wikilint run`` with ``[fixes] unsafe = "propose"``: bare URLs become ``{{cite web}}``
proposals carrying the page title fetched with ``[wiki] contact``.

The titles come from the real fetcher and the title fetcher's local test server
(``tests/bot/pages.py``, on 127.0.0.1: the runs that fetch from it opt in to private
addresses, as ``--allow-private-fetch`` does).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.change import review
from wikilint.bot.change.store import Store
from wikilint.bot.runner import config as botconfig
from wikilint.bot.runner import loop as runner
from wikilint.bot.runner.journal import Journal
from wikilint.bot.web import titles
from wikilint.rules.config import ConfigError

from tests.bot.pages import PageServer, serving
from tests.bot.test_fetch import CONTACT
from tests.runner.conftest import FakeWiki, base_tables, write_bot_toml

BASE = "http://127.0.0.1:8765"  # for the tests whose fetcher is a stub
GOOD, JUNK = f"{BASE}/good", f"{BASE}/junk"
PAGE = f"Text.<ref>{GOOD}</ref> More.<ref>{JUNK}</ref>\n"


@pytest.fixture
def server() -> Iterator[PageServer]:
    with serving() as srv:
        yield srv


def served_page(server: PageServer) -> tuple[str, str, str]:
    good, junk = f"{server.base}/good", f"{server.base}/junk"
    return good, junk, f"Text.<ref>{good}</ref> More.<ref>{junk}</ref>\n"


def make_runner(
    tmp_path: Path,
    wiki: FakeWiki,
    contact: str | None = CONTACT,
    dry_run: bool = False,
    allow_private_fetch: bool = False,
    **overrides: dict[str, Any],
) -> runner.Runner:
    tables = base_tables(tmp_path, ["P"], lint={"select": ["bare-url"]}, **overrides)
    if contact is not None:
        tables["wiki"]["contact"] = contact
    config = botconfig.load(write_bot_toml(tmp_path / "bot.toml", tables))
    journal = Journal(config.state.journal, wiki.site_name)
    return runner.Runner(
        config,
        wiki,
        journal,
        dry_run=dry_run,
        sleep=lambda s: None,
        allow_private_fetch=allow_private_fetch,
    )


def pending(tmp_path: Path) -> list[Any]:
    path = tmp_path / "proposals.sqlite"
    if not path.exists():
        return []
    with Store(path) as store:
        return store.list("pending")


def test_unsafe_proposal_carries_the_fetched_title(
    tmp_path: Path, fake_wiki: FakeWiki, server: PageServer
) -> None:
    good, junk, page = served_page(server)  # /good has a title, /junk a junk one
    fake_wiki.add("P", page)
    report = make_runner(tmp_path, fake_wiki, allow_private_fetch=True).run()
    assert report.exit_code == runner.EXIT_OK
    # the run report says why the other URL got no title
    assert report.titles_not_fetched == [
        {"page": "P", "url": junk, "reason": "junk title 'Just a moment...'"}
    ]
    assert f"no title for {junk} ([[P]]): junk title 'Just a moment...'" in report.human()
    assert fake_wiki.saves == []  # unsafe fixes are never saved by the bot
    (p,) = pending(tmp_path)
    assert p.unsafe and p.rule_counts == {"bare-url": 1}
    assert (
        f"{{{{cite web |url={good} |title=The Good & Proper Page |website=127.0.0.1" in p.proposed
    )
    assert f"<ref>{junk}</ref>" in p.proposed  # no acceptable title: left alone
    assert p.titles == {good: "The Good & Proper Page"}
    assert p.today == dt.date.today().isoformat()
    # Review recomputes from what was stored, with no fetcher at all.
    again = review.recompute(p, list(p.accepted), botconfig.load(tmp_path / "bot.toml").lint)
    assert again.proposed == p.proposed


def test_a_run_never_connects_to_private_addresses_by_default(
    tmp_path: Path, fake_wiki: FakeWiki, server: PageServer
) -> None:
    good, junk, page = served_page(server)
    fake_wiki.add("P", page)
    report = make_runner(tmp_path, fake_wiki).run()  # no opt-in
    assert server.accepted == 0  # the page's URLs point at the bot's own machine: refused
    refused = "refused: 127.0.0.1 is a loopback address"
    assert report.titles_not_fetched == [
        {"page": "P", "url": url, "reason": refused} for url in (good, junk)
    ]
    assert f"no title for {good} ([[P]]): {refused}" in report.human()
    assert json.loads(report.to_json())["titles_not_fetched"] == report.titles_not_fetched
    assert pending(tmp_path) == []  # no title, no unsafe proposal


def test_no_contact_no_fetch_no_unsafe_proposal(
    tmp_path: Path,
    fake_wiki: FakeWiki,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_wiki.add("P", PAGE)
    calls: list[Any] = []
    monkeypatch.setattr(
        "wikilint.bot.web.fetch.fetch_titles", lambda *a, **k: calls.append(a) or {}
    )
    r = make_runner(tmp_path, fake_wiki, contact=None)
    logging.getLogger("wikilint").propagate = True  # let caplog see it
    with caplog.at_level(logging.WARNING, logger="wikilint.run"):
        report = r.run()
    assert report.exit_code == runner.EXIT_OK and not calls
    assert pending(tmp_path) == []
    assert "set contact (email or URL) in [wiki]" in caplog.text


def test_dry_run_fetches_nothing(
    tmp_path: Path, fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_wiki.add("P", PAGE)
    calls: list[Any] = []
    monkeypatch.setattr(
        "wikilint.bot.web.fetch.fetch_titles", lambda *a, **k: calls.append(a) or {}
    )
    report = make_runner(tmp_path, fake_wiki, dry_run=True).run()
    assert report.exit_code == runner.EXIT_OK and not calls and pending(tmp_path) == []


def test_unsafe_skip_fetches_nothing(
    tmp_path: Path, fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_wiki.add("P", PAGE)
    calls: list[Any] = []
    monkeypatch.setattr(
        "wikilint.bot.web.fetch.fetch_titles", lambda *a, **k: calls.append(a) or {}
    )
    make_runner(tmp_path, fake_wiki, fixes={"unsafe": "skip"}).run()
    assert not calls and pending(tmp_path) == []


def test_urls_per_page_are_capped(
    tmp_path: Path, fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = titles.MAX_URLS_PER_PAGE + 5
    fake_wiki.add(
        "P", "".join(f"T{i}.<ref>https://site{i}.example.org/a</ref>\n" for i in range(n))
    )
    asked: list[list[str]] = []

    def fake_fetch(urls: list[str], contact: str, **limits: Any) -> dict[str, str]:
        asked.append(list(urls))
        assert contact == CONTACT
        return {u: f"Story number {u[12:14]}" for u in urls}

    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", fake_fetch)
    make_runner(tmp_path, fake_wiki).run()
    assert [len(a) for a in asked] == [titles.MAX_URLS_PER_PAGE]
    (p,) = pending(tmp_path)
    assert p.rule_counts == {"bare-url": titles.MAX_URLS_PER_PAGE}


def test_fingerprint_changes_when_titles_are_fetched(tmp_path: Path) -> None:
    tables = base_tables(tmp_path, ["P"], lint={"select": ["bare-url"]})
    without = botconfig.load(write_bot_toml(tmp_path / "a.toml", tables))
    tables["wiki"]["contact"] = CONTACT
    with_contact = botconfig.load(write_bot_toml(tmp_path / "b.toml", tables))
    assert runner.fingerprint(without) != runner.fingerprint(with_contact)


@pytest.mark.parametrize(
    "contact", ["User:Ops", "ops at example", "a b@example.org", "https://x (y)", ""]
)
def test_contact_is_validated(tmp_path: Path, contact: str) -> None:
    tables = base_tables(tmp_path, ["P"], wiki={"contact": contact}, lint={"select": ["bare-url"]})
    with pytest.raises(ConfigError, match=r"\[wiki\] contact must be an email address"):
        botconfig.load(write_bot_toml(tmp_path / "bot.toml", tables))


@pytest.mark.parametrize("contact", ["ops@example.org", "https://en.wikipedia.org/wiki/User:X"])
def test_good_contacts(tmp_path: Path, contact: str) -> None:
    tables = base_tables(tmp_path, ["P"], wiki={"contact": contact}, lint={"select": ["bare-url"]})
    assert botconfig.load(write_bot_toml(tmp_path / "bot.toml", tables)).wiki.contact == contact


def test_title_fetching_gets_the_runs_deadline(
    tmp_path: Path, fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    fake_wiki.add("P", PAGE)
    untils: list[Any] = []

    def fake_fetch(urls: list[str], contact: str, **kwargs: Any) -> dict[str, str]:
        untils.append(kwargs.get("until"))
        return {}

    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", fake_fetch)
    make_runner(tmp_path, fake_wiki, limits={"time_budget": "10m"}).run()
    (until,) = untils
    assert 590 < until - time.monotonic() <= 600
    untils.clear()
    (tmp_path / "no-budget").mkdir()
    make_runner(tmp_path / "no-budget", fake_wiki).run()
    assert untils == [None]  # no time budget: each URL's own limits only


@pytest.mark.slow  # a time budget
def test_a_trickling_server_cannot_hold_a_run_past_its_budget(
    tmp_path: Path, fake_wiki: FakeWiki, server: PageServer
) -> None:
    """Issue 11, high 3: one page with slow URLs took 100 s of a 20 s budget, and exit 0."""
    import time

    slow = [f"{server.base}/trickle-headers?n={i}" for i in range(4)]
    fake_wiki.add("P", "".join(f"T.<ref>{url}</ref>\n" for url in slow))
    fake_wiki.add("Q", "Another page.\n")
    runner_ = make_runner(
        tmp_path,
        fake_wiki,
        allow_private_fetch=True,
        sources={"titles": ["P", "Q"]},
        limits={"time_budget": "1s"},
    )
    started = time.monotonic()
    report = runner_.run()
    elapsed = time.monotonic() - started
    # each URL's own 20 s limit would allow 80 s; the server trickles for 8 s a URL
    assert elapsed < 5.0, elapsed
    assert report.exit_code == runner.EXIT_RESUMABLE and "time budget" in report.reason
    reasons = {miss["reason"] for miss in report.titles_not_fetched}
    assert reasons <= {
        "timed out (the run's time budget ran out)",
        "not fetched: the time budget ran out",
    }
    assert len(report.titles_not_fetched) == len(slow)
