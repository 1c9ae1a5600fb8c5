"""The wiki side without a wiki: store, proposal computation, review UI, save-error handling."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint import rules
from wikilint.bot.change.core import FindingRecord, SummaryStyle, compute_change, make_summary
from wikilint.bot.change.diff import same_edits
from wikilint.bot.change.store import SCHEMA_VERSION, Proposal, Store
from wikilint.bot.cli.wiki_commands import register
from wikilint.bot.files.sqlite import SchemaError
from wikilint.bot.wiki import api as wiki

CONFIG = rules.Config(select=("insecure-link",))
PAGE = (
    "Lead [http://www.marxists.org/lead L].\n\n"
    "== Early life ==\nBorn [http://www.marxists.org/a A] and [http://www.marxists.org/b B].\n\n"
    "== Later ==\nDied [http://www.marxists.org/c C].\n"
)


# -- store ----------------------------------------------------------------------------------


def proposal(**kw: Any) -> Proposal:
    base = dict(
        site="localwiki:localwiki",
        page="P",
        section=None,
        base_revid=1,
        base_timestamp="2026-01-01T00:00:00Z",
        original="a",
        proposed="b",
        findings=[],
        accepted=[],
        rule_counts={"x": 1},
        summary="s",
    )
    base.update(kw)
    return Proposal(**base)  # type: ignore[arg-type]


def test_store_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.sqlite"
    with Store(path) as store:
        record = FindingRecord("k", "x:1", "x", "m", 1, 3, "a", "b")
        pid = store.add(proposal(findings=[record], accepted=["k"]))
        store.set_status(pid, "accepted")
        p = store.get(pid)
        assert p.status == "accepted" and p.accepted == ["k"] and p.findings == [record]
        p.proposed = "c"
        store.update(p)
        store.set_status(pid, "submitted", saved_revid=42)
    with Store(path) as store:
        p = store.get(pid)
        assert (p.proposed, p.status, p.saved_revid) == ("c", "submitted", 42)
        assert store.list("pending") == []
        with pytest.raises(KeyError):
            store.get(999)
        with pytest.raises(ValueError):
            store.set_status(pid, "bogus")  # type: ignore[arg-type]


def test_store_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(SchemaError):
        Store(path)


def test_default_state_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from wikilint.bot.change.store import default_state_path

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_path() == tmp_path / "wikilint" / "state.sqlite"


# -- computing proposals ------------------------------------------------------------------------


def test_compute_a_section_touches_only_that_section() -> None:
    change = compute_change(PAGE, section="Early life", config=CONFIG)
    assert change.rule_counts == {"insecure-link": 2}
    assert "http://www.marxists.org/lead" in change.proposed
    assert "http://www.marxists.org/c" in change.proposed
    assert "https://www.marxists.org/a" in change.proposed
    assert change.summary == "/* Early life */ wikilint: 2 links to https"
    assert make_summary({}, None, SummaryStyle(override="custom")) == "custom"


def test_per_finding_keys_and_signatures() -> None:
    change = compute_change(PAGE, config=CONFIG)
    assert len(change.keys) == 4 and len(set(change.keys)) == 4
    only = compute_change(PAGE, config=CONFIG, accept_keys=change.keys[:1])
    assert only.rule_counts == {"insecure-link": 1}
    # Signatures survive an edit elsewhere; keys (offsets) do not.
    edited = "New first line.\n" + PAGE
    again = compute_change(edited, config=CONFIG, accept_signatures=change.signatures)
    assert same_edits(PAGE, change.edits, edited, again.edits)
    # Identical-looking findings share a signature: re-applying a partial review may do more
    # than was reviewed, and same_edits() catches it (the proposal goes back to review).
    reviewed = compute_change(PAGE, config=CONFIG, accept_keys=change.keys[:1])
    rebased = compute_change(edited, config=CONFIG, accept_signatures=reviewed.signatures)
    assert not same_edits(PAGE, reviewed.edits, edited, rebased.edits)


# -- review UI ----------------------------------------------------------------------------------


def cli() -> click.Group:
    group = click.Group("wikilint")
    register(group)
    return group


def stored(tmp_path: Path) -> Path:
    state = tmp_path / "state.sqlite"
    change = compute_change(PAGE, section="Early life", config=CONFIG)
    with Store(state) as store:
        store.add(
            Proposal.from_change(
                change,
                site="localwiki:localwiki",
                page="Sample",
                section="Early life",
                base_revid=1,
                base_timestamp="2026-01-01T00:00:00Z",
                unsafe=False,
            )
        )
    return state


def invoke(args: list[str], input: str | None = None) -> Any:
    res = CliRunner().invoke(cli(), args, input=input, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


def test_review_accept_reject_skip_quit(tmp_path: Path) -> None:
    state = stored(tmp_path)
    res = invoke(["review", "--state", str(state), "--no-color"], input="s\n")
    assert "insecure-link" in res.output and "skipped 1" in res.output
    invoke(["review", "--state", str(state), "--no-color"], input="q\n")
    with Store(state) as store:
        assert store.get(1).status == "pending"
    invoke(["review", "--state", str(state), "--no-color"], input="r\n")
    with Store(state) as store:
        assert store.get(1).status == "rejected"


def test_review_per_finding(tmp_path: Path) -> None:
    state = stored(tmp_path)
    invoke(
        ["review", "--state", str(state), "--no-color", "--config", str(_config(tmp_path))],
        input="f\nn\ny\na\n",
    )
    with Store(state) as store:
        p = store.get(1)
    assert p.status == "accepted" and p.rule_counts == {"insecure-link": 1}
    assert "https://www.marxists.org/b" in p.proposed and "http://www.marxists.org/a" in p.proposed
    assert p.summary == "/* Early life */ wikilint: 1 link to https"


def test_review_rejecting_every_finding_rejects(tmp_path: Path) -> None:
    state = stored(tmp_path)
    invoke(["review", "--state", str(state), "--no-color"], input="f\nn\nn\n")
    with Store(state) as store:
        assert store.get(1).status == "rejected"


def test_review_batch(tmp_path: Path) -> None:
    state = stored(tmp_path)
    assert "accepted 1" in invoke(["review", "--accept-all", "--state", str(state)]).output
    state2 = stored(tmp_path / "b")
    assert "rejected 1" in invoke(["review", "--reject", "--state", str(state2)]).output


def test_submit_needs_ids_or_all(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli(), ["submit", "--state", str(tmp_path / "s.sqlite")])
    assert res.exit_code != 0 and "--all" in res.output


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "wikilint.toml"
    path.write_text('select = ["insecure-link"]\n')
    return path


# -- save error handling (fake site) ------------------------------------------------------------


class FakeSite:
    """Just enough of APISite for safe_save: answers edits from a script of responses."""

    def __init__(
        self,
        edit: Callable[[dict[str, Any]], dict[str, Any]],
        logged_in: bool = True,
        blocked: bool = False,
    ) -> None:
        self._edit = edit
        self._logged_in = logged_in
        self.userinfo: dict[str, Any] = {"name": "Bot"} if logged_in else {"anon": ""}
        if blocked:
            self.userinfo["blockid"] = 1
        self.tokens = {"csrf": "t"}
        self.edits: list[dict[str, Any]] = []

    def logged_in(self) -> bool:
        return self._logged_in

    def login(self) -> None:
        pass

    def is_blocked(self) -> bool:
        return "blockid" in self.userinfo

    def has_right(self, right: str) -> bool:
        return True

    def user(self) -> str:
        return "Bot"

    def simple_request(self, **params: Any) -> Any:
        site = self

        class Req:
            def submit(self) -> dict[str, Any]:
                if params["action"] == "edit":
                    site.edits.append(params)
                    return site._edit(params)
                return {
                    "curtimestamp": "T",
                    "query": {
                        "pages": [
                            {
                                "title": "P",
                                "pageid": 1,
                                "revisions": [
                                    {
                                        "revid": 2,
                                        "parentid": 1,
                                        "timestamp": "T",
                                        "user": "Bot",
                                        "slots": {"main": {"content": "new"}},
                                    }
                                ],
                            }
                        ]
                    },
                }

        return Req()


BASE = wiki.Revision("P", 1, 1, 0, "T", "Human", "old", "T")
PLAN = wiki.Plan("new", "wikilint: s")


def api_error(code: str, **other: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def raise_(params: dict[str, Any]) -> dict[str, Any]:
        from pywikibot.exceptions import APIError

        raise APIError(code, f"{code} info", **other)

    return raise_


@pytest.mark.parametrize(
    "code",
    [
        "abusefilter-warning",
        "abusefilter-disallowed",
        "spamblacklist",
        "protectedpage",
        "pagedeleted",
        "missingtitle",
        "cascadeprotected",
    ],
)
def test_refusals_are_skips_without_retry(code: str) -> None:
    site = FakeSite(api_error(code))
    result = wiki.safe_save(site, BASE, PLAN)  # type: ignore[arg-type]
    assert result.status == "skipped" and result.reason
    assert len(site.edits) == 1  # never re-submitted (pywikibot re-submits abuse warnings)


def test_captcha_is_a_skip() -> None:
    site = FakeSite(lambda p: {"edit": {"result": "Failure", "captcha": {"id": 1}}})
    result = wiki.safe_save(site, BASE, PLAN)  # type: ignore[arg-type]
    assert result.status == "skipped" and "captcha" in result.reason


@pytest.mark.parametrize("code", ["blocked", "autoblocked", "assertuserfailed"])
def test_blocked_and_logged_out_stop_the_run(code: str) -> None:
    with pytest.raises(wiki.StopRun):
        wiki.safe_save(FakeSite(api_error(code)), BASE, PLAN)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["readonly", "maxlag"])
def test_read_only_and_lag_mean_the_wiki_is_unavailable_not_the_account_stopped(
    code: str,
) -> None:
    with pytest.raises(wiki.WikiUnavailable) as caught:
        wiki.safe_save(FakeSite(api_error(code)), BASE, PLAN)  # type: ignore[arg-type]
    assert not isinstance(caught.value, wiki.StopRun)


def test_refuses_to_edit_anonymously_or_blocked() -> None:
    with pytest.raises(wiki.StopRun, match="not logged in"):
        wiki.safe_save(FakeSite(api_error("x"), logged_in=False), BASE, PLAN)  # type: ignore[arg-type]
    with pytest.raises(wiki.StopRun, match="blocked"):
        wiki.safe_save(FakeSite(api_error("x"), blocked=True), BASE, PLAN)  # type: ignore[arg-type]


def test_edit_parameters_are_the_safe_ones() -> None:
    site = FakeSite(lambda p: {"edit": {"result": "Success", "newrevid": 2, "oldrevid": 1}})
    result = wiki.safe_save(site, BASE, PLAN)  # type: ignore[arg-type]
    assert result.status == "saved"
    sent = site.edits[0]
    assert sent["baserevid"] == 1 and sent["starttimestamp"] == "T"
    assert sent["nocreate"] is True and sent["watchlist"] == "nochange"
    assert "basetimestamp" not in sent and "recreate" not in sent and "createonly" not in sent


def test_no_request_when_nothing_changes() -> None:
    site = FakeSite(api_error("should-not-be-called"))
    result = wiki.safe_save(site, BASE, wiki.Plan("old\n", "s"))  # type: ignore[arg-type]
    assert result.status == "nochange" and site.edits == []


def test_nfc_before_comparing() -> None:
    decomposed = "Cafe\u0301"
    assert wiki.same_saved_text(decomposed, "Café")


def test_round_trip_assertion() -> None:
    wiki.assert_round_trip("{{a|b}} [[c]] <ref>d</ref>")


@pytest.mark.slow
def test_lint_path_never_imports_pywikibot() -> None:
    code = (
        "import sys, wikilint.bot.change.review, wikilint.bot.change.store\n"
        "import wikilint.bot.cli.wiki_commands\n"
        "assert 'pywikibot' not in sys.modules, 'pywikibot imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
