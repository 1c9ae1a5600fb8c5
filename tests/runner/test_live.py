"""The runner against the real local MediaWiki: skips, guards and conflicts the wiki itself
produces. Each test asserts the outcome and that no revision's text was lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.runner import loop as runner

from tests.runner.conftest import BOT
from tests.runner.live import (
    assert_no_text_lost,
    bot_revisions,
    run,
    title,
    write_config,
)
from tests.wiki import mwapi

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("test_rules")]


@pytest.fixture
def shutoff(sysop: mwapi.ApiClient, bot_client: mwapi.ApiClient) -> Iterator[str]:
    page = title("Shutoff")
    sysop.edit(page, "run")
    bot_client.post(action="clearhasmsg")  # no stale talk-page flag from other tests
    yield page


def make(
    tmp_path: Path,
    api: str,
    shutoff: str,
    human: mwapi.ApiClient,
    pages: dict[str, str],
    **overrides: dict[str, Any],
) -> tuple[Path, dict[str, str]]:
    titles = {}
    for key, text in pages.items():
        titles[key] = title(key)
        human.edit(titles[key], text)
    return write_config(tmp_path, api, list(titles.values()), shutoff, **overrides), titles


def test_run_edits_skips_and_remembers(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    cfg, t = make(
        tmp_path,
        api,
        shutoff,
        human,
        {
            "fix": "The colour red.\n\nMore colour.",
            "nobots": "{{nobots}}\nThe colour red.",
            "deny": f"{{{{bots|deny={BOT}}}}}\ncolour",
            "allow-other": "{{bots|allow=SomeOtherBot}}\ncolour",
            "nowiki": "<nowiki>{{nobots}}</nowiki> colour",
            "inuse": "{{In use}}\ncolour",
            "clean": "Nothing to fix.",
        },
    )
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert report["actions"] == {"edited": 2, "skipped": 4, "unchanged": 1}
    assert report["findings"] == {"test-colour": 3}  # excluded pages are not even linted
    assert human.latest(t["fix"]).text == "The color red.\n\nMore color."
    assert human.latest(t["nowiki"]).text == "<nowiki>{{nobots}}</nowiki> color"
    for key in ("nobots", "deny", "allow-other", "inuse"):
        assert bot_revisions(human, t[key]) == [], key
    for page in t.values():
        assert_no_text_lost(human, page)
    edit = human.get(
        action="query", prop="revisions", titles=t["fix"], rvprop="comment|flags|user"
    )["query"]["pages"][0]["revisions"][0]
    assert edit["user"] == BOT and edit["minor"]
    assert edit["comment"].startswith("wikilint: ") and "User:WikilintBot/Tests" in edit["comment"]
    # Second run: every revision already processed, nothing read or saved again.
    code, report2 = run(cfg)
    assert code == runner.EXIT_OK and report2["pages"] == 0
    assert len(bot_revisions(human, t["fix"])) == 1


def test_nobots_written_with_the_template_prefix_is_honoured(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    """Issue 11 #6: MediaWiki transcludes {{Template:Nobots}}, {{template:nobots}} and
    {{ nobots }} as {{nobots}}; the bot must leave each such page alone."""
    cfg, t = make(
        tmp_path,
        api,
        shutoff,
        human,
        {
            "prefixed": "{{Template:Nobots}}\nThe colour red.",
            "lower": "{{template:nobots}}\nThe colour red.",
            "spaced": "{{ nobots }}\nThe colour red.",
            "control": "The colour red.",
        },
    )
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert report["actions"] == {"edited": 1, "skipped": 3}
    assert report["skip_reasons"] == {"excluded by {{bots}}/{{nobots}}": 3}
    for key in ("prefixed", "lower", "spaced"):
        assert bot_revisions(human, t[key]) == [], key
    assert human.latest(t["control"]).text == "The color red."


def test_whitespace_and_render_identical_changes_are_not_saved(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    # A parameter the (missing) template never shows: the fix changes the wikitext only.
    cfg, t = make(tmp_path, api, shutoff, human, {"hidden": "Text {{No such template|colour}}."})
    code, report = run(cfg)
    assert code == runner.EXIT_OK
    assert report["skip_reasons"] == {"cosmetic only: renders the same": 1}
    assert bot_revisions(human, t["hidden"]) == []


def test_shutoff_page_set_mid_run(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, sysop: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"a": "colour a", "b": "colour b"})
    saves = []

    def hook(base: Any) -> None:
        saves.append(base.title)
        if len(saves) == 1:
            return
        raise AssertionError("saved after the shutoff page was set")

    def after_first(base: Any) -> None:
        hook(base)
        sysop.edit(shutoff, "stop: the bot is doing something wrong")

    code, report = run(cfg, after_first)
    assert code == runner.EXIT_STOPPED and "stop: the bot" in report["reason"]
    assert len(bot_revisions(human, t["a"])) == 1
    assert bot_revisions(human, t["b"]) == []
    # Still stopped on the next run, before any save; resumes once the page says "run".
    code, report = run(cfg)
    assert code == runner.EXIT_STOPPED and bot_revisions(human, t["b"]) == []
    sysop.edit(shutoff, "run")
    code, report = run(cfg)
    assert code == runner.EXIT_OK and report["actions"] == {"edited": 1}
    assert_no_text_lost(human, t["b"])


def test_talk_page_message_stops_the_run(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, bot_client: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"a": "colour"})
    human.edit(
        f"User talk:{BOT}",
        "Please stop, your edits are wrong. ~~~~",
        section="new",
        sectiontitle="Stop",
    )
    try:
        code, report = run(cfg)
        assert code == runner.EXIT_STOPPED and "talk-page message" in report["reason"]
        assert bot_revisions(human, t["a"]) == []
    finally:
        bot_client.post(action="clearhasmsg")
    code, _ = run(cfg)
    assert code == runner.EXIT_OK and len(bot_revisions(human, t["a"])) == 1


def test_blocked_account_stops_the_run(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, admin: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"a": "colour"})
    res = admin.post(action="block", user=BOT, expiry="1 hour", reason="test", token=admin.token())
    assert "error" not in res, res
    try:
        code, report = run(cfg)
        assert code == runner.EXIT_STOPPED and "blocked" in report["reason"]
        assert bot_revisions(human, t["a"]) == []
    finally:
        admin.post(action="unblock", user=BOT, reason="test done", token=admin.token())
    code, _ = run(cfg)
    assert code == runner.EXIT_OK and len(bot_revisions(human, t["a"])) == 1


def test_blocked_between_read_and_save(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, admin: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"a": "colour", "b": "colour"})

    def block(base: Any) -> None:
        admin.post(action="block", user=BOT, expiry="1 hour", reason="test", token=admin.token())

    try:
        code, report = run(cfg, block)
        assert code == runner.EXIT_STOPPED and "blocked" in report["reason"]
        assert bot_revisions(human, t["a"]) == [] and bot_revisions(human, t["b"]) == []
    finally:
        admin.post(action="unblock", user=BOT, reason="test done", token=admin.token())


@pytest.mark.parametrize("who", ["human-other-line", "human-same-line", "same-account"])
def test_edit_conflicts_lose_nothing(
    tmp_path: Path,
    api: str,
    shutoff: str,
    human: mwapi.ApiClient,
    bot_client: mwapi.ApiClient,
    who: str,
) -> None:
    original = "First colour line.\n\nMiddle.\n\nLast line."
    cfg, t = make(tmp_path, api, shutoff, human, {"p": original})
    page = t["p"]
    if who == "human-same-line":
        changed, marker, editor = (
            original.replace("First colour", "First HUMAN colour"),
            "HUMAN",
            human,
        )
    elif who == "human-other-line":
        changed, marker, editor = original.replace("Last line.", "Last HUMAN line."), "HUMAN", human
    else:
        changed, marker, editor = original.replace("Middle.", "Middle SELF."), "SELF", bot_client
    done = []

    def intervene(base: Any) -> None:
        if not done:
            done.append(editor.edit(page, changed, summary="intervening edit"))

    code, report = run(cfg, intervene)
    assert code == runner.EXIT_OK, report
    final = human.latest(page).text
    assert marker in final  # the intervening edit survived
    assert "colour" not in final  # and the fix was re-applied on top of it
    assert_no_text_lost(human, page, (marker,))


def test_page_deleted_mid_run_is_not_recreated(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, sysop: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"gone": "colour", "next": "colour"})

    def delete(base: Any) -> None:
        if base.title == t["gone"]:
            sysop.delete(t["gone"])

    code, report = run(cfg, delete)
    assert code == runner.EXIT_OK
    assert not human.exists(t["gone"])
    assert report["actions"] == {"skipped": 1, "edited": 1}
    assert len(bot_revisions(human, t["next"])) == 1


def test_protected_page_is_skipped(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, sysop: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"prot": "colour", "next": "colour"})
    sysop.protect(t["prot"], "sysop")
    code, report = runner_dry_run(cfg)
    assert code == runner.EXIT_OK and report["actions"] == {"skipped": 1, "edited": 1}
    assert report["skip_reasons"] == {"the page is protected (edit: sysop)": 1}
    assert report["findings"] == {"test-colour": 1}  # only "next" was linted
    code, report = run(cfg)  # the protection is remembered: only "next" is read
    assert code == runner.EXIT_OK and report["actions"] == {"edited": 1}
    assert bot_revisions(human, t["prot"]) == [] and len(bot_revisions(human, t["next"])) == 1
    assert human.latest(t["prot"]).text == "colour"
    sysop.protect(t["prot"], "")  # unprotected: the next run edits it
    code, report = run(cfg)
    assert code == runner.EXIT_OK and report["actions"] == {"edited": 1}
    assert len(bot_revisions(human, t["prot"])) == 1


def runner_dry_run(cfg: Path) -> tuple[int, dict[str, Any]]:
    import json

    report = cfg.with_name("dry-run.json")
    code = runner.execute(str(cfg), str(report), True, interactive=False)
    return code, json.loads(report.read_text())


def test_a_run_whose_every_save_fails_exits_1(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    cfg, t = make(
        tmp_path,
        api,
        shutoff,
        human,
        {"a": "colour", "b": "colour"},
        wiki={"tags": "nonexistent-tag"},
    )
    code, report = run(cfg)
    assert code == runner.EXIT_FAILED, report
    assert report["status"] == "failed" and report["saves"] == {
        "attempted": 2,
        "saved": 0,
        "failed": 2,
        "differs": 0,
    }
    assert report["reason"].startswith("no save succeeded") and "badtags" in report["reason"]
    assert report["actions"] == {"failed": 2}
    for page in t.values():
        assert bot_revisions(human, page) == [] and human.latest(page).text == "colour"


def test_talk_and_shutoff_are_read_fresh_each_save(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, sysop: mwapi.ApiClient
) -> None:
    cfg, t = make(tmp_path, api, shutoff, human, {"a": "colour"})
    sysop.delete(shutoff)  # a missing shutoff page stops the run too
    code, report = run(cfg)
    assert code == runner.EXIT_STOPPED and "does not exist" in report["reason"]
    assert bot_revisions(human, t["a"]) == []


def test_odd_texts(tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient) -> None:
    nested = "{{a|" * 200 + "x" + "}}" * 200 + " colour"
    cfg, t = make(
        tmp_path,
        api,
        shutoff,
        human,
        {
            "malformed": "<ref>unclosed {{cite|x= [[link colour\n</div> '''",
            "nested": nested,
            "nfc": "Cafe\u0301 colour",  # MediaWiki stores NFC: no phantom change from it
            "big": "colour " + "x" * 2000,
        },
        limits={"max_page_size": 1500},
    )
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert human.latest(t["nfc"]).text == "Café color"
    assert len(bot_revisions(human, t["nfc"])) == 1
    assert bot_revisions(human, t["big"]) == []
    assert report["skip_reasons"] == {"too large (2007 bytes > 1500)": 1}
    for key in ("malformed", "nested"):  # odd but parseable: fixed, exactly, once
        revs = assert_no_text_lost(human, t[key])
        assert len(bot_revisions(human, t[key])) == 1 and "colour" not in revs[-1]["text"]


def test_propose_mode_queues_and_saves_nothing(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    from wikilint.bot.change.store import Store

    cfg, t = make(
        tmp_path,
        api,
        shutoff,
        human,
        {"a": "colour teh"},
        lint={"select": ["test-colour", "test-teh"]},
        fixes={"unsafe": "propose"},
        state={"proposals": str(tmp_path / "proposals.sqlite")},
    )
    cfg.write_text(cfg.read_text().replace('mode = "submit"', 'mode = "propose"'))
    code, report = run(cfg)
    assert code == runner.EXIT_OK and report["actions"] == {"proposed": 1}
    assert bot_revisions(human, t["a"]) == []
    with Store(tmp_path / "proposals.sqlite") as store:
        (p,) = store.list("pending")
    assert p.page == t["a"] and p.proposed == "color the" and p.unsafe
    assert p.base_revid == human.latest(t["a"]).revid
