"""``propose --unsafe-fixes`` fetches the page titles bare URLs need, stores them with the
proposal, and ``review``/``submit`` use exactly those: the saved ``{{cite web}}`` is the one
reviewed, never a refetched one.

The fetcher is replaced at the ``bot.fetch`` level (no web); the wiki side replays a cassette
recorded on the local MediaWiki (``WIKILINT_RECORD=1`` re-records), and runs live with
``WIKILINT_LIVE=1``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint import rules
from wikilint.bot.change import review as rv
from wikilint.bot.change.core import compute_change
from wikilint.bot.change.store import SCHEMA_VERSION, Proposal, Store
from wikilint.bot.cli import wiki_commands as wiki_cli

from tests.wiki.conftest import fresh_site
from tests.wiki.helpers import unique_title
from tests.wiki.mwapi import ApiClient
from tests.wiki.test_cassettes import fresh_page

URL = "https://news.example.org/trotsky-1921"
TITLE = "Speech at the 1921 congress"
PAGE = (
    f"Intro.<ref>{URL}</ref>\n\nMore text.<ref>https://other.example.org/x</ref>\n\n"
    "== References ==\n{{reflist}}\n"
)
CONTACT = "ops@example.org"
FIXED_DAY = dt.date(2026, 1, 15)  # the cassette holds the saved text: its access-date too
CITE = (
    f"{{{{cite web |url={URL} |title={TITLE} |website=news.example.org |access-date=2026-01-15}}}}"
)


def cli() -> click.Group:
    group = click.Group("wikilint")
    wiki_cli.register(group)
    return group


def run(args: list[str], contact_env: str | None = None) -> Any:
    res = CliRunner(env={"WIKILINT_CONTACT": contact_env}).invoke(
        cli(), args, catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    return res


class FakeFetcher:
    """``bot.fetch.fetch_titles``: one title for URL, nothing for the other; records calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def __call__(self, urls: list[str], contact: str, **limits: Any) -> dict[str, str]:
        self.calls.append((list(urls), contact))
        return {u: TITLE for u in urls if u == URL}


def must_not_fetch(*args: Any, **kwargs: Any) -> dict[str, str]:
    raise AssertionError("review and submit must reuse the stored titles, never fetch")


@pytest.fixture
def fetcher(monkeypatch: pytest.MonkeyPatch) -> FakeFetcher:
    fake = FakeFetcher()
    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", fake)
    real_env = wiki_cli.page_environment
    monkeypatch.setattr(
        wiki_cli,
        "page_environment",
        lambda *a, **k: dataclasses.replace(real_env(*a, **k), today=FIXED_DAY),
    )
    return fake


def propose_review_submit(
    title: str, state: Path, fetcher: FakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> Proposal:
    base = ["--page", title, "--select", "bare-url", "--state", str(state), "--no-color"]
    # No contact: a note that says how to give one; nothing fetched, nothing to propose.
    res = run(["propose", "--unsafe-fixes", *base])
    assert "--contact" in res.output and "not fetching titles for 2 URLs" in res.output
    assert "no changes" in res.output and not fetcher.calls
    # --no-fetch: not even the note.
    res = run(["propose", "--unsafe-fixes", "--no-fetch", *base], contact_env=CONTACT)
    assert "no changes" in res.output and "--contact" not in res.output and not fetcher.calls
    # With a contact (here from WIKILINT_CONTACT): fetched once, stored with the proposal.
    res = run(["propose", "--unsafe-fixes", *base], contact_env=CONTACT)
    assert "proposal #1" in res.output and "fetching titles for 2 URLs" in res.output
    assert fetcher.calls == [([URL, "https://other.example.org/x"], CONTACT)]
    with Store(state) as store:
        p = store.get(1)
    assert p.unsafe and p.rule_counts == {"bare-url": 1}
    assert p.titles == {URL: TITLE} and p.today == FIXED_DAY.isoformat()
    assert f"Intro.<ref>{CITE}</ref>" in p.proposed
    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", must_not_fetch)
    run(["review", "--accept-all", "--state", str(state)])
    res = run(["submit", "--all", "--state", str(state)], contact_env=CONTACT)
    assert "saved revision" in res.output, res.output
    with Store(state) as store:
        done = store.get(1)
    assert done.status == "submitted" and done.saved_revid
    assert done.proposed == p.proposed and done.summary == "wikilint: filled 1 bare URL"
    return done


def test_propose_review_submit_with_a_fetched_title(
    cassette: Callable[[str], Any],
    tmp_path: Path,
    fetcher: FakeFetcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    title = "Wikilint cassette/Bare URL title"
    fresh_page(title, PAGE)
    with cassette("propose_unsafe_fetched_title"):
        fresh_site()
        propose_review_submit(title, tmp_path / "state.sqlite", fetcher, monkeypatch)


@pytest.mark.live
def test_live_propose_review_submit_with_a_fetched_title(
    live_wiki: str,
    human: ApiClient,
    tmp_path: Path,
    fetcher: FakeFetcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    title = unique_title("bare-url-title")
    human.edit(title, PAGE, createonly=True)
    fresh_site()
    done = propose_review_submit(title, tmp_path / "state.sqlite", fetcher, monkeypatch)
    saved = human.latest(title)
    assert saved.revid == done.saved_revid
    assert saved.text.rstrip() == done.proposed.rstrip()
    assert saved.text.rstrip() == PAGE.replace(f"<ref>{URL}</ref>", f"<ref>{CITE}</ref>").rstrip()


def test_submit_after_an_edit_elsewhere_reuses_the_stored_title(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rebase onto a newer revision recomputes with the stored titles and date."""
    monkeypatch.setattr("wikilint.bot.web.fetch.fetch_titles", must_not_fetch)
    config = rules.Config(select=("bare-url",))
    env = rules.Environment(today=FIXED_DAY, titles={URL: TITLE})
    change = compute_change(PAGE, config=config, env=env, unsafe=True)
    p = Proposal.from_change(
        change, site="s", page="P", section=None, base_revid=1, base_timestamp="t", unsafe=True
    )
    newer = "A new first line.\n" + PAGE
    again = rv.reapply(p, newer, config)
    assert rv.same_as_reviewed(p, again, config)
    # Without the stored environment the fix is gone (no title), and so is the change.
    p.titles, p.today = {}, None
    bare = rv.reapply(p, newer, config)
    assert not rv.same_as_reviewed(p, bare, config)


# -- the store: titles and date live in the env column (schema 2) ------------------------------

V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, page TEXT NOT NULL, section TEXT,
    base_revid INTEGER NOT NULL, base_timestamp TEXT NOT NULL, original TEXT NOT NULL,
    proposed TEXT NOT NULL, findings TEXT NOT NULL, accepted TEXT NOT NULL,
    rule_counts TEXT NOT NULL, summary TEXT NOT NULL, unsafe INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'rejected', 'submitted', 'skipped')),
    reason TEXT, saved_revid INTEGER, created TEXT NOT NULL, updated TEXT NOT NULL
);
CREATE INDEX proposals_status ON proposals (status);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO proposals (site, page, base_revid, base_timestamp, original, proposed, findings,
    accepted, rule_counts, summary, status, created, updated)
    VALUES ('s', 'Old', 7, 't', 'a', 'b', '[]', '[]', '{}', 'sum', 'accepted', 'c', 'u');
"""


def test_a_version_1_store_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.close()
    with Store(path) as store:
        old = store.get(1)
        assert (old.page, old.status, old.titles, old.today) == ("Old", "accepted", {}, None)
        assert old.environment() is None  # computed as before: today's defaults
        assert old.edits is None  # the edits column came with schema 3
        pid = store.add(
            Proposal(
                site="s",
                page="New",
                section=None,
                base_revid=8,
                base_timestamp="t",
                original="a",
                proposed="b",
                findings=[],
                accepted=[],
                rule_counts={},
                summary="s",
                unsafe=True,
                titles={URL: TITLE},
                today="2026-01-15",
            )
        )
    with Store(path) as store:
        version = store.db.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()["value"]
        assert version == str(SCHEMA_VERSION)
        new = store.get(pid)
        assert new.titles == {URL: TITLE} and new.today == "2026-01-15"
        new.status = "accepted"
        store.update(new)
        assert store.get(pid).titles == {URL: TITLE}
        raw = store.db.execute("SELECT env FROM proposals WHERE id = ?", (pid,)).fetchone()
        assert json.loads(raw["env"]) == {"titles": {URL: TITLE}, "today": "2026-01-15"}
    env = new.environment()
    assert env is not None and env.today == FIXED_DAY and dict(env.titles) == {URL: TITLE}


@pytest.mark.live
def test_live_fix_page_with_unsafe_fixes_shows_the_fetched_title_and_saves_only_when_told(
    live_wiki: str, human: ApiClient, tmp_path: Path, fetcher: FakeFetcher
) -> None:
    from wikilint.bot.cli.main import main

    title = unique_title("fix-page-unsafe")
    human.edit(title, PAGE, createonly=True)
    fresh_site()
    base = ["fix", "--page", title, "--select", "bare-url", "--unsafe-fixes", "--no-color"]

    def fix(*extra: str) -> Any:
        return CliRunner(env={"WIKILINT_CONTACT": CONTACT}).invoke(
            main, [*base, *extra], catch_exceptions=False
        )

    shown = fix()  # the diff: fetched once, with the contact; nothing saved
    assert shown.exit_code == 1, shown.output  # fixes proposed in a dry run, as for a file
    assert f"title={TITLE}" in shown.output and fetcher.calls[0][1] == CONTACT
    assert human.latest(title).text.rstrip() == PAGE.rstrip()
    refused = fix("--submit", "--state", str(tmp_path / "s.sqlite"))
    assert refused.exit_code != 0 and "person's review" in refused.output
    assert human.latest(title).text.rstrip() == PAGE.rstrip()
    saved = fix("--submit", "--yes", "--state", str(tmp_path / "s.sqlite"))
    assert saved.exit_code == 0, saved.output
    assert (
        human.latest(title).text.rstrip()
        == PAGE.replace(f"<ref>{URL}</ref>", f"<ref>{CITE}</ref>").rstrip()
    )
