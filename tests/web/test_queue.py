"""The review queue through Flask's test client: listing and filters, the per-finding
recompute, decisions stored as the terminal review stores them, CSRF, and escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from wikilint import rules
from wikilint.bot.change.core import compute_change
from wikilint.bot.change.store import Proposal, Store
from wikilint.bot.web.server import ServeSettings, create_app

BASE = "http://127.0.0.1:8765"
HOSTILE = '<script>window.__pwned=1</script>"><img src=x onerror=alert(1)></textarea>'
TEXT = (
    "{{Use dmy dates}}\n== History ==\n"
    "One.<ref>{{cite web |url=http://www.bbc.co.uk/a |title=A |date=March 3, 2020"
    " |access-date=1 May 2020}}</ref>\n"
    "Two.<ref>{{cite web |url=http://www.bbc.co.uk/b |title=B |date=April 4, 2021"
    " |access-date=1 May 2021}}</ref>\n"
    f"== {HOSTILE} ==\nThree.<ref>{{{{cite web |url=http://www.bbc.co.uk/c |title={HOSTILE}"
    " |access-date=1 May 2021}}</ref>\n"
)
CONFIG = rules.Config(select=("insecure-link", "date-format"))


def seed(path: Path, page: str, text: str = TEXT) -> Proposal:
    change = compute_change(text, config=CONFIG)
    assert len(change.findings) >= 3
    p = Proposal.from_change(
        change,
        site="localwiki:localwiki",
        page=page,
        section=None,
        base_revid=7,
        base_timestamp="2026-11-29T00:00:00Z",
        unsafe=False,
    )
    with Store(path) as store:
        store.add(p)
    return p


@pytest.fixture
def state(tmp_path: Path) -> Path:
    path = tmp_path / "state.sqlite"
    seed(path, "Alpha")
    seed(path, f"Beta {HOSTILE}")
    return path


@pytest.fixture
def client(state: Path) -> FlaskClient:
    return create_app(ServeSettings(state=state), CONFIG).test_client()


def changed_words(rows: list[dict[str, list[list[object]]]]) -> int:
    return sum(1 for row in rows for segment in row["new"] if segment[1])


def csrf_of(html: str) -> str:
    match = re.search(r'<meta name="wikilint-csrf" content="([^"]+)">', html)
    assert match
    return match.group(1)


def post(client: FlaskClient, path: str, body: object, csrf: str | None) -> object:
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.post(path, json=body, headers=headers, base_url=BASE)


def test_the_queue_lists_and_filters(client: FlaskClient) -> None:
    html = client.get("/", base_url=BASE).get_data(as_text=True)
    assert "Alpha" in html and "Beta" in html
    only = client.get("/?page=alp", base_url=BASE).get_data(as_text=True)
    assert "Alpha" in only and "Beta" not in only
    by_rule = client.get("/?rule=bare-url", base_url=BASE).get_data(as_text=True)
    assert "Alpha" not in by_rule and "No proposals" in by_rule
    by_status = client.get("/?status=submitted", base_url=BASE).get_data(as_text=True)
    assert "No proposals" in by_status


def test_everything_from_a_page_is_escaped(client: FlaskClient) -> None:
    for path in ("/", "/proposal/2"):
        html = client.get(path, base_url=BASE).get_data(as_text=True)
        assert "<script>window.__pwned" not in html
        assert "<img src=x" not in html and "</textarea>" not in html
        assert "&lt;script&gt;" in html
    data = client.get("/api/proposals/2", base_url=BASE).get_json()
    texts = [seg[0] for row in data["rows"] for side in ("old", "new") for seg in row[side]]
    assert texts and all(isinstance(t, str) for t in texts)  # rendered with textContent


def test_unchecking_a_finding_recomputes_and_accept_stores_it(
    client: FlaskClient, state: Path
) -> None:
    page = client.get("/proposal/1", base_url=BASE).get_data(as_text=True)
    csrf = csrf_of(page)
    keys = re.findall(r'class="wl-check" value="([^"]+)" checked', page)
    assert len(keys) >= 3
    full = client.get("/api/proposals/1", base_url=BASE).get_json()
    kept = keys[1:]
    fewer = post(client, "/api/proposals/1/preview", {"accepted": kept}, csrf).get_json()  # type: ignore[attr-defined]
    assert sorted(fewer["accepted"]) == sorted(kept)
    assert changed_words(fewer["rows"]) < changed_words(full["rows"])
    decided = post(
        client, "/api/proposals/1/decision", {"action": "accept", "accepted": kept}, csrf
    ).get_json()  # type: ignore[attr-defined]
    assert decided["status"] == "accepted"
    with Store(state) as store:
        stored = store.get(1)
    expected = compute_change(TEXT, config=CONFIG, accept_keys=kept)
    assert stored.status == "accepted"
    assert stored.proposed == expected.proposed != TEXT
    assert sorted(stored.accepted) == sorted(kept)
    # the page shows the state it was left in
    again = client.get("/proposal/1", base_url=BASE).get_data(as_text=True)
    assert re.findall(r'class="wl-check" value="([^"]+)" checked', again) == kept
    assert 'wl-badge-accepted" id="wl-proposal-status">accepted' in again


def test_reject_skip_and_nothing_checked(client: FlaskClient, state: Path) -> None:
    csrf = csrf_of(client.get("/", base_url=BASE).get_data(as_text=True))
    skipped = post(client, "/api/proposals/2/decision", {"action": "skip"}, csrf)
    assert skipped.get_json()["status"] == "pending"  # type: ignore[attr-defined]
    none = post(client, "/api/proposals/2/decision", {"action": "accept", "accepted": []}, csrf)
    assert none.get_json()["status"] == "rejected"  # type: ignore[attr-defined]
    again = post(client, "/api/proposals/2/decision", {"action": "reject"}, csrf)
    assert again.status_code == 409  # type: ignore[attr-defined]
    with Store(state) as store:
        assert store.get(2).reason == "every finding rejected in review"


def test_state_changes_need_the_csrf_token(client: FlaskClient, state: Path) -> None:
    for token in (None, "wrong"):
        response = post(client, "/api/proposals/1/decision", {"action": "reject"}, token)
        assert response.status_code == 403  # type: ignore[attr-defined]
    with Store(state) as store:
        assert store.get(1).status == "pending"


def test_unknown_proposal_and_bad_bodies(client: FlaskClient) -> None:
    csrf = csrf_of(client.get("/", base_url=BASE).get_data(as_text=True))
    assert client.get("/proposal/99", base_url=BASE).status_code == 404
    assert post(client, "/api/proposals/99/preview", {"accepted": []}, csrf).status_code == 404  # type: ignore[attr-defined]
    bad = post(client, "/api/proposals/1/preview", {"accepted": "x"}, csrf)
    assert bad.status_code == 400  # type: ignore[attr-defined]
    odd = post(client, "/api/proposals/1/decision", {"action": "merge"}, csrf)
    assert odd.status_code == 400 and "unknown action" in odd.get_json()["error"]  # type: ignore[attr-defined]


def test_submit_when_the_wiki_cannot_be_opened(
    client: FlaskClient, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Submit accepted" saves through change.submit, as `wikilint submit` does: a wiki that
    # cannot be opened is one line (HTTP 502), and the proposal is given back, not lost.
    from wikilint.bot.wiki import api as wiki

    def cannot_open(site: str | None) -> object:
        raise wiki.WikiFailure(f"cannot open the wiki {site}: no family", wiki.Failure.SITE)

    monkeypatch.setattr(wiki, "open_wiki", cannot_open)
    with Store(state) as store:
        store.set_status(1, "accepted")
    csrf = csrf_of(client.get("/", base_url=BASE).get_data(as_text=True))
    answer = post(client, "/api/submit", {"ids": [1]}, csrf)
    assert answer.status_code == 502  # type: ignore[attr-defined]
    assert answer.get_json() == {  # type: ignore[attr-defined]
        "error": "cannot open the wiki localwiki:localwiki: no family"
    }
    with Store(state) as store:
        assert store.get(1).status == "accepted"
