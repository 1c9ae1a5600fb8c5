"""The runner's flow against the in-memory wiki: what it edits, skips, stops on, records."""

from __future__ import annotations

import json
import logging
import signal
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.change.store import Store
from wikilint.bot.runner import config as botconfig
from wikilint.bot.runner import loop as runner
from wikilint.bot.runner.journal import Journal, RunLock
from wikilint.bot.wiki.api import StopRun

from tests.runner.conftest import BOT, FakeWiki, base_tables, colour_fix, write_bot_toml

pytestmark = pytest.mark.usefixtures("test_rules")


def make_runner(
    tmp_path: Path,
    wiki: FakeWiki,
    titles: list[str],
    mode: str = "submit",
    dry_run: bool = False,
    clock: Any = None,
    **overrides: dict[str, Any],
) -> tuple[runner.Runner, Journal]:
    path = write_bot_toml(
        tmp_path / "bot.toml", base_tables(tmp_path, titles, **overrides), mode=mode
    )
    config = botconfig.load(path)
    journal = Journal(config.state.journal, wiki.site_name)
    kwargs: dict[str, Any] = {"dry_run": dry_run, "sleep": lambda s: None}
    if clock is not None:
        kwargs["clock"] = clock
    return runner.Runner(config, wiki, journal, **kwargs), journal


def actions(journal: Journal, run_id: int) -> dict[str, tuple[str, str | None]]:
    return {r["title"]: (r["action"], r["reason"]) for r in journal.page_log(run_id)}


def test_saves_safe_fixes_and_records_them(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "The colour red.")
    fake_wiki.add("B", "Nothing to do.")
    r, journal = make_runner(tmp_path, fake_wiki, ["A", "B", "Missing"])
    report = r.run()
    assert report.exit_code == runner.EXIT_OK and report.status == "completed"
    assert fake_wiki.text("A") == "The color red."
    _title, plan = fake_wiki.saves[0]
    assert plan.summary.startswith("wikilint: ") and "test-colour" in plan.summary
    assert "[[User:WikilintBot/Task 1|details]]" in plan.summary
    log = {r["title"]: r for r in journal.page_log(report.run_id)}
    assert log["A"]["action"] == "edited"
    assert log["A"]["saved_revid"] == fake_wiki.pages["A"][-1].revid
    assert json.loads(log["A"]["findings"]) == {"test-colour": 1}
    assert log["B"]["action"] == "unchanged"
    assert (log["Missing"]["action"], log["Missing"]["reason"]) == (
        "skipped",
        "the page does not exist",
    )
    assert report.actions == {"edited": 1, "unchanged": 1, "skipped": 1}
    assert report.findings == {"test-colour": 1}


def test_processed_revisions_are_not_read_again(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "The colour red.")
    fake_wiki.add("B", "Nothing to do.")
    r, journal = make_runner(tmp_path, fake_wiki, ["A", "B"])
    r.run()
    assert fake_wiki.reads == ["A", "B"]
    fake_wiki.add("B", "Someone wrote colour.")
    r2 = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None)
    report = r2.run()
    # A's latest revision is the bot's own clean save: not read again; B changed: read.
    assert fake_wiki.reads == ["A", "B", "B"]
    assert report.actions == {"edited": 1}
    assert fake_wiki.text("B") == "Someone wrote color."


def test_changed_rules_reprocess_pages(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("B", "Nothing to do.")
    r, journal = make_runner(tmp_path, fake_wiki, ["B"])
    r.run()
    path = write_bot_toml(
        tmp_path / "bot2.toml", base_tables(tmp_path, ["B"], lint={"select": ["test-colour"]})
    )
    r2 = runner.Runner(botconfig.load(path), fake_wiki, journal, sleep=lambda s: None)
    r2.run()
    assert fake_wiki.reads == ["B", "B"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{nobots}} colour", "excluded by {{bots}}/{{nobots}}"),
        (f"{{{{bots|deny={BOT}}}}} colour", "excluded by {{bots}}/{{nobots}}"),
        ("{{bots|deny=all}} colour", "excluded by {{bots}}/{{nobots}}"),
        ("{{bots|allow=OtherBot}} colour", "excluded by {{bots}}/{{nobots}}"),
        # Issue 11 #6: the names MediaWiki reads as {{nobots}} (rules.wikitext.template_key).
        ("{{Template:Nobots}} colour", "excluded by {{bots}}/{{nobots}}"),
        ("{{template:nobots}} colour", "excluded by {{bots}}/{{nobots}}"),
        ("{{ nobots }} colour", "excluded by {{bots}}/{{nobots}}"),
        ("{{Template:In_use}} colour", "tagged {{in use}}/{{under construction}}"),
        ("{{in use}} colour", "tagged {{in use}}/{{under construction}}"),
        ("{{Under construction|date=x}} colour", "tagged {{in use}}/{{under construction}}"),
        ("{{Working on it}} colour", "tagged {{in use}}/{{under construction}}"),  # a redirect
        ("colour \x00 nul", "the text contains NUL characters"),
    ],
)
def test_skips_with_reason_and_leaves_text(
    tmp_path: Path, fake_wiki: FakeWiki, text: str, reason: str
) -> None:
    fake_wiki.redirects = {"Working on it"}
    fake_wiki.add("P", text)
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    report = r.run()
    assert actions(journal, report.run_id) == {"P": ("skipped", reason)}
    assert fake_wiki.saves == [] and fake_wiki.text("P") == text


@pytest.mark.parametrize(
    "text",
    [
        "<nowiki>{{nobots}}</nowiki> colour",
        f"{{{{bots|allow={BOT}}}}} colour",
        "{{bots|deny=OtherBot}} colour",
        "<!-- {{nobots}} --> colour",
    ],
)
def test_exclusion_that_does_not_apply(tmp_path: Path, fake_wiki: FakeWiki, text: str) -> None:
    fake_wiki.add("P", text)
    r, _journal = make_runner(tmp_path, fake_wiki, ["P"])
    r.run()
    assert fake_wiki.text("P") == colour_fix(text)


def test_too_large(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("Big", "colour " * 100)
    r, journal = make_runner(tmp_path, fake_wiki, ["Big"], limits={"max_page_size": 500})
    report = r.run()
    action, reason = actions(journal, report.run_id)["Big"]
    assert action == "skipped" and reason.startswith("too large (700 bytes > 500)")
    assert fake_wiki.saves == []


def test_parse_failure_is_a_skip(
    tmp_path: Path, fake_wiki: FakeWiki, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wikilint import rules

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise rules.ParseError("too deeply nested")

    monkeypatch.setattr(rules.Document, "parse", staticmethod(broken))
    fake_wiki.add("P", "colour")
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    report = r.run()
    action, reason = actions(journal, report.run_id)["P"]
    assert action == "skipped" and reason.startswith("parse fails")
    assert fake_wiki.saves == []


def test_deeply_nested_and_non_nfc_text(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    nested = "{{a|" * 300 + "colour" + "}}" * 300
    fake_wiki.add("Deep", nested)
    fake_wiki.add("NFC", "Cafe\u0301 colour")  # decomposed é: MediaWiki stores NFC
    r, journal = make_runner(tmp_path, fake_wiki, ["Deep", "NFC"])
    report = r.run()
    assert report.exit_code == runner.EXIT_OK
    log = actions(journal, report.run_id)
    assert log["Deep"][0] in ("edited", "skipped")
    if log["Deep"][0] == "edited":
        assert fake_wiki.text("Deep") == colour_fix(nested)
    assert log["NFC"][0] == "edited"
    assert fake_wiki.text("NFC") == "Cafe\u0301 color" or fake_wiki.text("NFC") == "Café color"


def test_protected_page_is_skipped_unlinted_and_not_read_again(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    fake_wiki.add("P", "colour")
    fake_wiki.protection["P"] = ("sysop",)
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    report = r.run()
    assert report.exit_code == runner.EXIT_OK and fake_wiki.saves == []
    assert actions(journal, report.run_id) == {
        "P": ("skipped", "the page is protected (edit: sysop)")
    }
    assert report.findings == {}  # not linted (and no titles fetched for it)
    again = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert again.pages == 0 and fake_wiki.reads == ["P"]  # remembered: not even read
    fake_wiki.protection["P"] = ("autoconfirmed", "sysop")  # the protection changed: look again
    runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert fake_wiki.reads == ["P", "P"] and fake_wiki.saves == []
    del fake_wiki.protection["P"]  # unprotected: edited
    last = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert last.actions == {"edited": 1} and fake_wiki.text("P") == "color"


def test_a_new_revision_of_a_protected_page_is_read_again(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    fake_wiki.add("P", "colour")
    fake_wiki.protection["P"] = ("sysop",)
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    r.run()
    fake_wiki.add("P", "colour, edited by an admin")
    report = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert fake_wiki.reads == ["P", "P"] and report.actions == {"skipped": 1}


def test_dry_run_counts_a_protected_page_as_skipped(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("P", "colour")
    fake_wiki.add("Q", "colour")
    fake_wiki.protection["P"] = ("sysop",)
    r, _ = make_runner(tmp_path, fake_wiki, ["P", "Q"], dry_run=True)
    report = r.run()
    assert report.actions == {"skipped": 1, "edited": 1}
    assert report.skip_reasons == {"the page is protected (edit: sysop)": 1}


def test_protection_the_account_may_edit_through(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("Semi", "colour")
    fake_wiki.add("Full", "colour")
    fake_wiki.protection.update(Semi=("autoconfirmed",), Full=("sysop",))
    fake_wiki.rights = frozenset({"edit", "editsemiprotected", "editprotected"})
    r, _ = make_runner(tmp_path, fake_wiki, ["Semi", "Full"])
    assert r.run().actions == {"edited": 2}


def test_a_save_refused_as_protected_is_remembered_too(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    """A level we read as editable (a custom one named after a right the account has) that the
    wiki refuses anyway: remembered at that protection like a predicted one."""
    from wikilint.bot.wiki.api import SaveResult

    fake_wiki.add("P", "colour")
    fake_wiki.protection["P"] = ("templateeditor",)
    fake_wiki.rights = frozenset({"edit", "templateeditor"})
    fake_wiki.save = lambda base, plan, rebase, **kw: SaveResult(  # type: ignore[method-assign]
        "skipped", base.title, reason="the page is protected"
    )
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    assert r.run().skip_reasons == {"the page is protected": 1}
    again = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert again.pages == 0 and fake_wiki.reads == ["P"]


@pytest.mark.slow  # a time limit
def test_a_page_over_the_lint_time_limit_is_skipped_and_the_run_goes_on(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    """The lint runs in a worker process that is killed at the limit (here a rule sleeping a
    minute stands for a page that makes the parser quadratic)."""
    import dataclasses
    import time

    from tests.bot.killer import SLOW, KillerConfig

    fake_wiki.add("Slow", f"{SLOW} colour")
    fake_wiki.add("Fast", "colour")
    r, journal = make_runner(tmp_path, fake_wiki, ["Slow", "Fast"], limits={"page_lint_timeout": 5})
    config = dataclasses.replace(r.config, lint=KillerConfig())
    started = time.monotonic()
    report = runner.Runner(config, fake_wiki, journal, sleep=lambda s: None).run()
    assert time.monotonic() - started < 40  # the slow page alone: 60 s
    assert report.exit_code == runner.EXIT_OK
    log = actions(journal, report.run_id)
    assert log["Slow"][0] == "skipped" and log["Slow"][1].startswith("lint time limit")
    assert "more than 5s" in log["Slow"][1]
    assert log["Fast"] == ("edited", None) and fake_wiki.text("Fast") == "color"
    assert fake_wiki.text("Slow") == f"{SLOW} colour"
    # The same revision under the same limit is not linted again.
    again = runner.Runner(config, fake_wiki, journal, sleep=lambda s: None).run()
    assert again.pages == 0


def test_the_lint_worker_runs_the_real_rules(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    """With a limit (the default), the page is linted and fixed in the worker process."""
    fake_wiki.add("A", "See [http://www.marxists.org/x example] here.")
    r, _ = make_runner(
        tmp_path,
        fake_wiki,
        ["A"],
        lint={"select": ["insecure-link"]},
        limits={"page_lint_timeout": 30},
    )
    report = r.run()
    assert report.actions == {"edited": 1} and report.findings == {"insecure-link": 1}
    assert fake_wiki.text("A") == "See [https://www.marxists.org/x example] here."
    assert r.lint_worker._process is None  # closed with the run


def test_whitespace_only_change_is_not_saved(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("P", "Two  spaces.")
    r, journal = make_runner(tmp_path, fake_wiki, ["P"], lint={"select": ["test-spaces"]})
    report = r.run()
    assert actions(journal, report.run_id)["P"] == ("skipped", "cosmetic only: whitespace")
    assert fake_wiki.saves == []


def test_display_identical_change_is_not_saved(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.render_same = True
    fake_wiki.add("P", "colour")
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    report = r.run()
    assert actions(journal, report.run_id)["P"] == ("skipped", "cosmetic only: renders the same")
    assert fake_wiki.saves == []


def test_unsafe_fixes_become_proposals_not_edits(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("P", "teh colour")
    r, journal = make_runner(tmp_path, fake_wiki, ["P"])
    report = r.run()
    assert fake_wiki.text("P") == "teh color"  # only the safe fix was saved
    with Store(tmp_path / "proposals.sqlite") as store:
        (p,) = store.list("pending")
    assert p.page == "P" and p.unsafe and p.proposed == "the color"
    assert p.base_revid == fake_wiki.pages["P"][0].revid
    row = journal.page_log(report.run_id)[0]
    assert row["action"] == "edited" and row["proposal_id"] == p.id


def test_unsafe_skip_policy_makes_no_proposal(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("P", "teh")
    r, _journal = make_runner(tmp_path, fake_wiki, ["P"], fixes={"unsafe": "skip"})
    r.run()
    assert (
        not (tmp_path / "proposals.sqlite").exists()
        or Store(tmp_path / "proposals.sqlite").list() == []
    )
    assert fake_wiki.saves == []


def test_propose_mode_saves_nothing(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("P", "colour")
    fake_wiki.add("Q", "clean")
    r, journal = make_runner(tmp_path, fake_wiki, ["P", "Q"], mode="propose")
    report = r.run()
    assert fake_wiki.saves == []
    assert actions(journal, report.run_id) == {"P": ("proposed", None), "Q": ("unchanged", None)}
    with Store(tmp_path / "proposals.sqlite") as store:
        assert [p.proposed for p in store.list("pending")] == ["color"]


def test_dry_run_saves_nothing_and_forgets(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("P", "colour teh")
    r, journal = make_runner(tmp_path, fake_wiki, ["P"], dry_run=True)
    report = r.run()
    assert report.dry_run and fake_wiki.saves == []
    assert not (tmp_path / "proposals.sqlite").exists()
    assert not journal.already_processed("P", fake_wiki.pages["P"][-1].revid, r.fingerprint)


def test_shutoff_page_set_mid_run_stops_before_next_save(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    for t in "ABC":
        fake_wiki.add(t, f"{t} colour")

    def flip(wiki: FakeWiki, base: Any, plan: Any) -> None:
        wiki.shutoff_text = "stop please"  # an admin edits the shutoff page after the 1st save

    fake_wiki.before_save = flip
    r, journal = make_runner(tmp_path, fake_wiki, ["A", "B", "C"])
    report = r.run()
    assert (report.status, report.exit_code) == ("stopped", runner.EXIT_STOPPED)
    assert "stop please" in report.reason
    assert [t for t, _ in fake_wiki.saves] == ["A"]
    assert fake_wiki.text("B") == "B colour" and fake_wiki.text("C") == "C colour"
    assert journal.run_status(report.run_id) == "stopped"


@pytest.mark.parametrize(
    ("shutoff", "messages", "fragment"),
    [
        (None, False, "does not exist"),
        ("", False, "says ''"),
        ("  run \n", True, "talk-page message"),
    ],
)
def test_guards_stop_the_run(
    tmp_path: Path, fake_wiki: FakeWiki, shutoff: str | None, messages: bool, fragment: str
) -> None:
    fake_wiki.shutoff_text = shutoff
    fake_wiki.new_messages = messages
    fake_wiki.add("A", "colour")
    r, journal = make_runner(tmp_path, fake_wiki, ["A"])
    report = r.run()
    assert report.exit_code == runner.EXIT_STOPPED and fragment in report.reason
    assert fake_wiki.saves == []
    # The page was not recorded: the next run handles it.
    assert journal.page_log(report.run_id) == []


def test_guards_pass_with_run_value(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.shutoff_text = "run\n"
    fake_wiki.add("A", "colour")
    r, _ = make_runner(tmp_path, fake_wiki, ["A"], safety={"check_talk": False})
    fake_wiki.new_messages = True  # ignored when check_talk is off
    assert r.run().exit_code == runner.EXIT_OK
    assert fake_wiki.text("A") == "color"


def test_edit_limit_stops_resumably_and_next_run_resumes(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    for t in "ABCD":
        fake_wiki.add(t, f"{t} colour")
    r, journal = make_runner(tmp_path, fake_wiki, list("ABCD"), limits={"max_edits": 2})
    report = r.run()
    assert (report.status, report.exit_code) == ("limit", runner.EXIT_RESUMABLE)
    assert [t for t, _ in fake_wiki.saves] == ["A", "B"]
    r2 = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None)
    report2 = r2.run()
    assert report2.exit_code == runner.EXIT_OK
    assert [t for t, _ in fake_wiki.saves] == ["A", "B", "C", "D"]
    assert fake_wiki.reads == ["A", "B", "C", "C", "D"]  # A and B were not read again


def test_page_limit(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    for t in "ABC":
        fake_wiki.add(t, "clean")
    r, _journal = make_runner(tmp_path, fake_wiki, list("ABC"), limits={"max_pages": 2})
    report = r.run()
    assert report.exit_code == runner.EXIT_RESUMABLE and report.pages == 2


def test_time_budget(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 10.0
        return now[0]

    for t in "ABCDEFGH":
        fake_wiki.add(t, "clean")
    r, _journal = make_runner(
        tmp_path, fake_wiki, list("ABCDEFGH"), clock=clock, limits={"time_budget": "1m"}
    )
    report = r.run()
    assert report.exit_code == runner.EXIT_RESUMABLE and "time budget" in report.reason
    assert 0 < report.pages < 8


def test_throttle_spaces_saves() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    t = runner.Throttle(10.0, clock=lambda: now[0], sleep=sleep)
    t.wait()
    now[0] += 3
    t.wait()
    assert slept == [7.0]
    t.slow_down()
    assert t.interval == 20.0


def test_ratelimited_slows_down(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "colour")
    fake_wiki.add("B", "colour")

    def limited(wiki: FakeWiki, base: Any, plan: Any) -> None:
        wiki.events.append("ratelimited")  # pywikibot waited and retried for us

    fake_wiki.before_save = limited
    r, _ = make_runner(tmp_path, fake_wiki, ["A", "B"], limits={"edit_throttle": 5})
    assert r.run().exit_code == runner.EXIT_OK
    assert r.throttle.interval == 20.0  # doubled twice


@pytest.mark.parametrize(
    ("code", "exit_code", "status"),
    [
        ("blocked", runner.EXIT_STOPPED, "stopped"),
        ("assertuserfailed", runner.EXIT_STOPPED, "stopped"),
        ("readonly", runner.EXIT_RESUMABLE, "interrupted"),
    ],
)
def test_stoprun_from_save(
    tmp_path: Path, fake_wiki: FakeWiki, code: str, exit_code: int, status: str
) -> None:
    class Cause(Exception):
        pass

    def refuse(wiki: FakeWiki, base: Any, plan: Any) -> None:
        cause = Cause()
        cause.code = code  # type: ignore[attr-defined]
        raise StopRun(f"cannot edit: {code}") from cause

    fake_wiki.add("A", "colour")
    fake_wiki.add("B", "colour")
    fake_wiki.before_save = refuse
    r, journal = make_runner(tmp_path, fake_wiki, ["A", "B"])
    report = r.run()
    assert (report.exit_code, report.status) == (exit_code, status)
    assert fake_wiki.text("A") == "colour" and fake_wiki.reads == ["A"]
    # The announced save stays pending: the next run re-checks A first.
    assert journal.unfinished_saves() == [("A", fake_wiki.pages["A"][-1].revid)]


def test_wiki_unavailable_stops_resumably_then_resumes(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    import pywikibot.exceptions

    fake_wiki.add("A", "colour")
    fake_wiki.add("B", "colour")

    def down(wiki: FakeWiki, base: Any, plan: Any) -> None:
        raise pywikibot.exceptions.MaxlagTimeoutError("Maximum retries attempted due to maxlag")

    fake_wiki.before_save = down
    r, journal = make_runner(tmp_path, fake_wiki, ["B", "A"])
    report = r.run()
    assert (report.status, report.exit_code) == ("interrupted", runner.EXIT_RESUMABLE)
    fake_wiki.before_save = None
    report2 = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert report2.unfinished_saves_recovered == ["B"]
    assert report2.exit_code == runner.EXIT_OK
    assert fake_wiki.text("A") == "color" and fake_wiki.text("B") == "color"
    assert len(fake_wiki.pages["B"]) == 2  # exactly one bot revision
    assert journal.unfinished_saves() == []


def test_crash_mid_save_leaves_nothing_half_done(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "colour")
    fake_wiki.add("B", "colour")

    def die_after_commit(wiki: FakeWiki, base: Any, plan: Any) -> None:
        if base.title == "B":
            wiki.add("B", plan.text, user=BOT)  # the server committed…
            raise KeyboardInterrupt  # …and the process died before hearing back

    fake_wiki.before_save = die_after_commit
    r, journal = make_runner(tmp_path, fake_wiki, ["A", "B"])
    with pytest.raises(KeyboardInterrupt):
        r.run()
    assert [row["title"] for row in journal.page_log()] == ["A"]  # B not half-recorded
    fake_wiki.before_save = None
    report = runner.Runner(r.config, fake_wiki, journal, sleep=lambda s: None).run()
    assert journal.db.execute("SELECT status FROM runs ORDER BY id").fetchall()[0][0] == "crashed"
    assert report.unfinished_saves_recovered == ["B"]
    assert len(fake_wiki.pages["B"]) == 2  # one revision by the bot, not two
    assert actions(journal, report.run_id)["B"][0] == "unchanged"


def test_edit_conflict_rebases_and_keeps_other_text(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "colour one\n\nline two")

    def human_edits(wiki: FakeWiki, base: Any, plan: Any) -> None:
        if wiki.pages["A"][-1].revid == base.revid:
            wiki.add("A", "colour one\n\nline two by a human")

    fake_wiki.before_save = human_edits
    r, _ = make_runner(tmp_path, fake_wiki, ["A"])
    assert r.run().exit_code == runner.EXIT_OK
    assert fake_wiki.text("A") == "color one\n\nline two by a human"


def test_conflict_with_nobots_added_is_a_skip(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "colour")

    def tag(wiki: FakeWiki, base: Any, plan: Any) -> None:
        if wiki.pages["A"][-1].revid == base.revid:
            wiki.add("A", "{{nobots}} colour")

    fake_wiki.before_save = tag
    r, journal = make_runner(tmp_path, fake_wiki, ["A"])
    report = r.run()
    assert fake_wiki.text("A") == "{{nobots}} colour"
    assert actions(journal, report.run_id)["A"][0] == "skipped"


def test_many_failures_in_a_row_fail_the_run(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    from wikilint.bot.wiki.api import WikiError

    def fail(wiki: FakeWiki, base: Any, plan: Any) -> None:
        raise WikiError("saving failed: internal_api_error_Foo")

    titles = [f"P{i}" for i in range(8)]
    for t in titles:
        fake_wiki.add(t, "colour")
    fake_wiki.before_save = fail
    r, _journal = make_runner(tmp_path, fake_wiki, titles)
    report = r.run()
    assert report.exit_code == runner.EXIT_FAILED
    assert report.actions == {"failed": runner.MAX_FAILURES_IN_A_ROW}


def _refuse_titles(
    refused: set[str],
    error: str = "saving failed: badtags: The tag "
    '"nonexistent-tag" is not allowed to be manually applied.',
) -> Any:
    from wikilint.bot.wiki.api import WikiError

    def refuse(wiki: FakeWiki, base: Any, plan: Any) -> None:
        if base.title in refused:
            raise WikiError(error)

    return refuse


def test_a_run_whose_every_save_failed_exits_1_and_says_why(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    for t in ("A", "B", "Clean"):
        fake_wiki.add(t, "colour" if t != "Clean" else "nothing to do")
    fake_wiki.before_save = _refuse_titles({"A", "B"})
    r, journal = make_runner(tmp_path, fake_wiki, ["A", "B", "Clean"])
    report = r.run()
    assert (report.status, report.exit_code) == ("failed", runner.EXIT_FAILED)
    assert report.saves == {"attempted": 2, "saved": 0, "failed": 2, "differs": 0}
    assert report.reason.startswith("no save succeeded: 2 of 2 attempted saves failed")
    assert "badtags" in report.reason
    assert "saves: 2 attempted, 0 saved, 2 failed" in report.human()
    assert journal.run_status(report.run_id) == "failed"


def test_one_save_failing_among_successes_still_completes(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    for t in "ABC":
        fake_wiki.add(t, "colour")
    fake_wiki.before_save = _refuse_titles({"B"})
    r, _ = make_runner(tmp_path, fake_wiki, list("ABC"))
    report = r.run()
    assert (report.status, report.exit_code) == ("completed", runner.EXIT_OK)
    assert report.saves == {"attempted": 3, "saved": 2, "failed": 1, "differs": 0}


def test_a_page_refusal_is_a_skip_not_a_failed_save(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    """Protected pages, conflicts and abuse filters are the wiki's answer about one page."""
    from wikilint.bot.wiki.api import SaveResult

    fake_wiki.add("A", "colour")
    fake_wiki.save = lambda base, plan, rebase, **kw: SaveResult(  # type: ignore[method-assign]
        "skipped", base.title, reason="an abuse filter disallowed this edit"
    )
    r, _ = make_runner(tmp_path, fake_wiki, ["A"])
    report = r.run()
    assert (report.status, report.exit_code) == ("completed", runner.EXIT_OK)
    assert report.saves == {"attempted": 1, "saved": 0, "failed": 0, "differs": 0}


def test_every_save_failing_before_the_edit_limit_is_still_a_failure(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    for t in "AB":
        fake_wiki.add(t, "colour")
    fake_wiki.before_save = _refuse_titles({"A", "B"})
    r, _ = make_runner(tmp_path, fake_wiki, list("AB"), limits={"max_pages": 1})
    report = r.run()
    assert (report.status, report.exit_code) == ("failed", runner.EXIT_FAILED)
    assert report.saves == {"attempted": 1, "saved": 0, "failed": 1, "differs": 0}


def test_sigterm_finishes_page_then_stops(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    for t in "ABC":
        fake_wiki.add(t, "colour")

    def term(wiki: FakeWiki, base: Any, plan: Any) -> None:
        r.terminate = True

    fake_wiki.before_save = term
    r, journal = make_runner(tmp_path, fake_wiki, list("ABC"))
    report = r.run()
    assert report.exit_code == runner.EXIT_RESUMABLE
    assert [t for t, _ in fake_wiki.saves] == ["A"]
    assert actions(journal, report.run_id)["A"][0] == "edited"


# -- the command -----------------------------------------------------------------------------


def test_execute_report_file_and_exit_code(
    tmp_path: Path, fake_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_wiki.add("A", "colour")
    fake_wiki.add("B", "{{nobots}}")
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A", "B"]))
    code = runner.execute(
        str(cfg),
        str(tmp_path / "report.json"),
        False,
        gateway_factory=lambda c: fake_wiki,
        interactive=False,
    )
    assert code == runner.EXIT_OK
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["actions"] == {"edited": 1, "skipped": 1}
    assert data["findings"] == {"test-colour": 1}
    assert data["skip_reasons"] == {"excluded by {{bots}}/{{nobots}}": 1}
    assert data["exit_code"] == 0 and data["status"] == "completed"
    out = capsys.readouterr().out
    assert "completed" in out and "1 edited" in out


def test_execute_config_error_is_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "bot.toml"
    cfg.write_text('[limits]\nmax_edit = 3\n[sources]\ntitles = ["A"]\n')
    assert runner.execute(str(cfg), None, False, interactive=False) == runner.EXIT_CONFIG
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "max_edits" in err and str(cfg) in err


@pytest.mark.parametrize("limits", ["edit_throttle = inf", "time_budget = nan", "maxlag = 1e30"])
def test_execute_bad_numbers_exit_2_before_any_page(
    tmp_path: Path, fake_wiki: FakeWiki, capsys: pytest.CaptureFixture[str], limits: str
) -> None:
    fake_wiki.add("A", "colour")
    cfg = tmp_path / "bot.toml"
    cfg.write_text(f'[limits]\n{limits}\n[sources]\ntitles = ["A"]\n')
    assert (
        runner.execute(
            str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False
        )
        == runner.EXIT_CONFIG
    )
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(cfg) in err and f"[limits] {limits.split()[0]}" in err
    assert fake_wiki.reads == [] and fake_wiki.saves == []


def test_execute_journal_that_cannot_be_opened_is_exit_2(
    tmp_path: Path, fake_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_wiki.add("A", "colour")
    (tmp_path / "state").write_text("a file where the journal's folder should be")
    cfg = write_bot_toml(
        tmp_path / "bot.toml",
        base_tables(tmp_path, ["A"], state={"journal": str(tmp_path / "state" / "journal.sqlite")}),
    )
    assert (
        runner.execute(
            str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False
        )
        == runner.EXIT_CONFIG
    )
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "state/journal.sqlite" in err
    assert fake_wiki.saves == []


def test_execute_refuses_a_second_run(
    tmp_path: Path, fake_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_wiki.add("A", "colour")
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))
    config = botconfig.load(cfg)
    with RunLock(config.lock_path):
        code = runner.execute(
            str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False
        )
    assert code == runner.EXIT_LOCKED and fake_wiki.saves == []
    assert "another run holds" in capsys.readouterr().err
    assert (
        runner.execute(
            str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False
        )
        == runner.EXIT_OK
    )  # lock released after


def test_execute_login_stop(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.login_error = StopRun("WikilintBot is blocked: stopping")
    fake_wiki.add("A", "colour")
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))
    assert (
        runner.execute(
            str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False
        )
        == runner.EXIT_STOPPED
    )
    assert fake_wiki.saves == []


def test_sigterm_handler_installed_only_during_run(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[Any] = []

    def peek(wiki: FakeWiki, base: Any, plan: Any) -> None:
        seen.append(signal.getsignal(signal.SIGTERM))

    fake_wiki.before_save = peek
    fake_wiki.add("A", "colour")
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))
    runner.execute(str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False)
    assert seen and seen[0] is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_logs_never_show_secrets(capfd: pytest.CaptureFixture[str]) -> None:
    import pywikibot
    from wikilint.bot.wiki.logfilter import RedactingFilter

    runner.setup_logging(interactive=False, verbose=True)
    handlers = logging.getLogger("pywiki").handlers + logging.getLogger("wikilint").handlers
    assert handlers
    assert all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in handlers)
    secret_token = "0123456789abcdef0123456789abcdef+\\"
    pywikibot.warning("API Error: query=" + repr({"action": ["edit"], "token": [secret_token]}))
    pywikibot.error("POST lgname=Bot&" + "lgpassword=" + "hunter2hunter2&lgtoken=abc")
    pywikibot.warning("headers: Set-Cookie: wiki_session=s3cr3tv; path=/")
    logging.getLogger("wikilint.x").info("Cookie: wiki_session=s3cr3tvalue; other=1")
    out, err = capfd.readouterr()
    text = out + err
    for secret in ("0123456789abcdef0123456789abcdef", "hunter2hunter2", "s3cr3tv"):
        assert secret not in text
    assert text.count("<redacted>") >= 4 and "lgname=Bot" in text


def test_lost_answer_of_a_committed_save_counts_as_the_edit(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    fake_wiki.add("A", "colour")

    def committed_then_retried(wiki: FakeWiki, base: Any, plan: Any) -> None:
        if wiki.pages["A"][-1].revid == base.revid:
            wiki.add("A", plan.text, user=BOT)  # the first request committed; answer lost

    fake_wiki.before_save = committed_then_retried
    r, journal = make_runner(tmp_path, fake_wiki, ["A"])
    report = r.run()
    row = journal.page_log(report.run_id)[0]
    assert row["action"] == "edited" and row["saved_revid"] == fake_wiki.pages["A"][-1].revid
    assert len(fake_wiki.pages["A"]) == 2 and fake_wiki.saves == []


def test_progress_line_shows_a_bar_against_the_page_limit() -> None:
    from wikilint.bot.runner.progress import RunProgress

    progress = RunProgress(False, limit=10)
    for action in ("edited", "skipped", "edited"):
        progress("Some page", action)
    line = progress.line("Some page")
    assert line.startswith("[######..............] 3/10 pages  edited=2 skipped=1")
    unlimited = RunProgress(False)
    unlimited("A", "edited")
    assert unlimited.line("A").startswith("1 page  edited=1")


def test_the_budget_deadline_is_what_is_left_of_the_time_budget() -> None:
    import time

    now = [100.0]
    budget = runner.Budget(60.0, 0, 0, clock=lambda: now[0])
    now[0] += 45.0
    deadline = budget.deadline()
    assert deadline is not None and 14.0 < deadline - time.monotonic() <= 15.0
    now[0] += 30.0  # over budget: the deadline is now
    deadline = budget.deadline()
    assert deadline is not None and deadline <= time.monotonic()
    assert runner.Budget(0.0, 0, 0).deadline() is None
