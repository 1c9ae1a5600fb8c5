"""The wiki commands' failure handling and the proposal store's statuses, without a wiki.

Issue 10 bugs 1, 2 and 5 (the section join), the wiki commands' exit codes (a bad config is 2,
an unreachable wiki its own code); issue 11 #8 (special pages), #9 (claims), Low (0600
databases, cassettes replayed on another port).
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint import rules
from wikilint.bot.change.store import SCHEMA_VERSION, NotClaimable, Store
from wikilint.bot.change.submit import make_plan
from wikilint.bot.cli import wiki_commands as wiki_cli
from wikilint.bot.cli.report import EXIT_ERROR, EXIT_UNAVAILABLE
from wikilint.bot.runner.journal import Journal
from wikilint.bot.wiki import api as wiki
from wikilint.rules.model import Edit

from tests.wiki.cli_process import one_error_line, pywikibot_dir_for, wikilint
from tests.wiki.conftest import CASSETTES, fresh_site
from tests.wiki.test_offline import PAGE, proposal, stored
from tests.wiki.test_unsafe_titles import V1_SCHEMA


def cli() -> click.Group:
    group = click.Group("wikilint")
    wiki_cli.register(group)
    return group


def two_pending(tmp_path: Path) -> Path:
    state = stored(tmp_path)  # #1
    with Store(state) as store:
        first = store.get(1)
        first.id, first.page = None, "Other page"
        store.add(first)  # #2
    return state


# -- issue 10 bug 1: `review 7` reviews #7 only ---------------------------------------------------


def test_review_with_ids_reviews_only_those(tmp_path: Path) -> None:
    state = two_pending(tmp_path)
    res = CliRunner().invoke(
        cli(), ["review", "2", "--state", str(state), "--no-color"], input="a\n"
    )
    assert res.exit_code == 0, res.output
    assert "[[Other page]]" in res.output and "[[Sample]]" not in res.output
    with Store(state) as store:
        assert (store.get(1).status, store.get(2).status) == ("pending", "accepted")


def test_review_accept_all_with_ids_decides_only_those(tmp_path: Path) -> None:
    state = two_pending(tmp_path)
    res = CliRunner().invoke(cli(), ["review", "1", "--accept-all", "--state", str(state)])
    assert res.exit_code == 0 and "accepted 1" in res.output
    with Store(state) as store:
        assert (store.get(1).status, store.get(2).status) == ("accepted", "pending")


def test_review_of_a_proposal_that_is_not_pending_is_an_error(tmp_path: Path) -> None:
    state = two_pending(tmp_path)
    with Store(state) as store:
        store.set_status(2, "rejected", "rejected in review")
    res = CliRunner().invoke(cli(), ["review", "2", "--state", str(state)], input="a\n")
    assert res.exit_code == EXIT_ERROR
    assert "proposal #2 is rejected (rejected in review), not pending" in res.stderr


# -- issue 10 bug 2: an unknown id is one line and exit 2 -----------------------------------------


@pytest.mark.slow  # a process per command
@pytest.mark.parametrize("command", ["submit", "review"])
def test_an_unknown_proposal_id_is_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    state = stored(tmp_path)
    ran = wikilint(command, "99", "--state", str(state))
    assert ran.code == EXIT_ERROR, ran
    assert one_error_line(ran) == f"error: no proposal #99 in {state}"


def test_submitting_a_proposal_that_is_not_accepted_is_an_error(tmp_path: Path) -> None:
    state = stored(tmp_path)
    res = CliRunner().invoke(cli(), ["submit", "1", "--state", str(state)])
    assert res.exit_code == EXIT_ERROR
    assert "proposal #1 is pending, not accepted" in res.stderr


# -- exit codes: a bad config is 2 in every command; an unreachable wiki is not a config error ----


@pytest.mark.parametrize("command", [["propose", "--page", "P"], ["submit", "--all"], ["review"]])
def test_a_bad_config_exits_2_in_every_wiki_command(tmp_path: Path, command: list[str]) -> None:
    bad = tmp_path / "wikilint.toml"
    bad.write_text('select = ["no-such-rule"]\n')
    state = stored(tmp_path)
    with Store(state) as store:
        store.set_status(1, "accepted")
        store.add(proposal(page="Pending"))
    res = CliRunner().invoke(
        cli(), [*command, "--config", str(bad), "--state", str(state)], input="a\n"
    )
    assert res.exit_code == EXIT_ERROR, res.output
    assert "no-such-rule" in res.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dead_wiki(tmp_path: Path) -> Path:
    """A PYWIKIBOT_DIR whose wiki is a port nothing listens on."""
    return pywikibot_dir_for(f"http://127.0.0.1:{_free_port()}/api.php", tmp_path / "dead")


@pytest.mark.slow  # waits for refused connections
@pytest.mark.parametrize(
    "command",
    [["propose", "--page", "P"], ["lint", "--page", "P"], ["fix", "--page", "P"], ["submit", "1"]],
)
def test_an_unreachable_wiki_is_one_line_and_its_own_exit_code(
    tmp_path: Path, dead_wiki: Path, command: list[str]
) -> None:
    state = stored(tmp_path)
    with Store(state) as store:
        store.set_status(1, "accepted")
    extra = ["--state", str(state)] if command[0] in ("propose", "submit") else []
    ran = wikilint(*command, *extra, pywikibot_dir=dead_wiki)
    assert ran.code == EXIT_UNAVAILABLE, ran
    line = one_error_line(ran)
    assert "configuration" not in line and "user-config.py.example" not in line
    assert "did not answer" in line or "cannot reach" in line
    assert ran.seconds < 60  # within the configured retries (max_retries = 1 in the tests)
    with Store(state) as store:
        assert store.get(1).status == "accepted"  # never tried: still accepted


# -- issue 11 #8: special and invalid titles ------------------------------------------------------


class QuerySite:
    """Answers one revision query with the given pages."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages

    def simple_request(self, **params: Any) -> Any:
        answer = {"curtimestamp": "T", "query": {"pages": self.pages}}
        return type("Req", (), {"submit": lambda _self: answer})()


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ({"title": "Special:Version", "special": True, "ns": -1}, "special page"),
        ({"title": "a|b", "invalid": True, "invalidreason": "bad char"}, "not a valid title"),
        ({"title": "Nope", "ns": 0, "missing": True}, "does not exist"),
    ],
)
def test_pages_without_wikitext_are_skipped_with_a_reason(
    page: dict[str, Any], reason: str
) -> None:
    with pytest.raises(wiki.PageSkipped, match=reason):
        wiki.fetch(QuerySite([page]), page["title"])  # type: ignore[arg-type]


# -- issue 10 bug 5: what a section save makes of the page ----------------------------------------

# Observed on the local MediaWiki 1.39 (action=edit&section=N): the sent text is right-trimmed
# and one blank line separates it from the next section.
JOINS = [
    ("== A ==\na\n== B ==\nb\n", "== A ==\na\n", "== A ==\na!", "== A ==\na!\n\n== B ==\nb"),
    (
        "== A ==\na\n\n\n== B ==\nb\n",
        "== A ==\na\n\n\n",
        "== A ==\na!\n\n",
        "== A ==\na!\n\n== B ==\nb",
    ),
    ("intro\n== A ==\na\n", "intro\n", "intro!", "intro!\n\n== A ==\na"),
    ("== A ==\na  \n== B ==\nb\n", "== A ==\na  \n", "== A ==\na!  ", "== A ==\na!\n\n== B ==\nb"),
]


@pytest.mark.parametrize(("page", "section", "sent", "saved"), JOINS)
def test_section_join_is_mediawikis(page: str, section: str, sent: str, saved: str) -> None:
    at = page.index(section)
    assert wiki.section_join(page[:at], sent, page[at + len(section) :]) == saved


def _plan(text: str, section: str, monkeypatch: pytest.MonkeyPatch) -> wiki.Plan:
    rev = wiki.Revision("P", 1, 7, 6, "T", "Human", text, "T")
    change = rules.fix(text, config=rules.Config(select=("insecure-link",)), section=section)
    sec = rules.Document.parse(text).find_section(section)
    monkeypatch.setattr(
        wiki, "fetch_section_text", lambda site, revid, number: text[sec.start : sec.end].rstrip()
    )
    return make_plan(None, rev, change.text, section, "s")


def test_a_section_is_saved_alone_only_when_mediawiki_would_join_it_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spaced = PAGE  # a blank line before "== Later ==": a section save reproduces the page
    plan = _plan(spaced, "Early life", monkeypatch)
    assert plan.section == 1 and plan.section_text is not None
    tight = PAGE.replace("B].\n\n== Later", "B].\n== Later")
    plan = _plan(tight, "Early life", monkeypatch)
    assert plan.section is None and plan.section_text is None  # the whole page, exactly
    assert "B].\n== Later" in plan.text


def test_a_saved_text_that_differs_is_described() -> None:
    assert wiki.describe_difference("a\nb\n", "a\nb") == ""  # trailing whitespace: normal
    found = wiki.describe_difference("a\nsig ~~~~.", "a\nsig [[User:Bot|Bot]].")
    assert "line 2" in found and "~~~~" in found


# -- issue 11 #9: one process claims a proposal ---------------------------------------------------


def test_a_claim_is_exclusive_and_a_dead_claim_is_taken_over(tmp_path: Path) -> None:
    state = stored(tmp_path)
    with Store(state) as one, Store(state) as other:
        one.set_status(1, "accepted")
        assert one.claim(1).status == "submitting"
        with pytest.raises(NotClaimable, match="being submitted by another process"):
            other.claim(1)
        # A claim by a process of this host that no longer runs is taken over.
        dead = os.fork()
        if dead == 0:
            os._exit(0)
        os.waitpid(dead, 0)
        one.db.execute(
            "UPDATE proposals SET claimed_by = ? WHERE id = 1", (f"{socket.gethostname()}:{dead}",)
        )
        assert other.claim(1).claimed_by == f"{socket.gethostname()}:{os.getpid()}"
        other.set_status(1, "submitted", saved_revid=5)
        with pytest.raises(NotClaimable, match=r"is submitted \(revision 5\), not accepted"):
            one.claim(1)
        assert other.get(1).claimed_by is None


def test_a_version_3_store_gets_the_new_statuses(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)  # + what versions 2 and 3 added, with a row using them
    db.executescript("""
        ALTER TABLE proposals ADD COLUMN env TEXT;
        ALTER TABLE proposals ADD COLUMN edits TEXT;
        UPDATE meta SET value = '3' WHERE key = 'schema_version';
        INSERT INTO proposals (site, page, base_revid, base_timestamp, original, proposed,
            findings, accepted, rule_counts, summary, env, edits, status, saved_revid, created,
            updated)
            VALUES ('s', 'Three', 8, 't', 'a', 'b', '[]', '[]', '{}', 'sum',
                    '{"titles": {"u": "T"}, "today": "2026-01-15"}', '[[0, 1, "b"]]',
                    'submitted', 9, 'c', 'u');
    """)
    db.close()
    with Store(path) as store:
        assert [(p.id, p.page, p.status) for p in store.list()] == [
            (1, "Old", "accepted"),
            (2, "Three", "submitted"),
        ]
        three = store.get(2)
        assert (three.titles, three.saved_revid) == ({"u": "T"}, 9)
        assert three.edits == [Edit(0, 1, "b")]
        store.set_status(2, "differs", "the saved text differs")
        assert store.get(2).status == "differs"
        version = store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version.fetchone()["value"] == str(SCHEMA_VERSION)


# -- issue 11 Low: private databases --------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize(
    "opener", [Store, lambda path: Journal(path, "fake:fake")], ids=["proposal store", "journal"]
)
def test_databases_are_created_private(
    tmp_path: Path, open_umask: None, opener: Callable[[Path], Any]
) -> None:
    path = tmp_path / "new" / "state.sqlite"
    opener(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


# -- issue 11 Low: cassettes replay whatever port the local wiki is configured on -----------------


def test_cassettes_replay_with_the_wiki_on_another_port(monkeypatch: pytest.MonkeyPatch) -> None:
    from pywikibot.family import Family

    from tests.wiki import conftest
    from tests.wiki.scrub import make_vcr

    other = f"http://127.0.0.1:{_free_port()}/api.php"  # recorded on 8089
    monkeypatch.setattr(conftest, "_API", other)
    monkeypatch.delitem(Family._families, "localwiki", raising=False)  # built from the URL
    with make_vcr(record=False).use_cassette(str(CASSETTES / "fetch_page.yaml")):
        site = fresh_site()
        assert str(site.base_url(site.apipath())) == other
        rev = wiki.fetch(site, "Wikilint cassette/Read only")
    assert rev.title == "Wikilint cassette/Read only" and "{{reflist}}" in rev.text


def test_every_wiki_failure_has_its_exit_code() -> None:
    from wikilint.bot.cli.report import EXIT_STOPPED, failure_exit_code

    assert [failure_exit_code(f) for f in wiki.Failure] == [
        EXIT_ERROR,
        EXIT_STOPPED,
        EXIT_UNAVAILABLE,
    ]
