"""Reading many pages is batched: N pages cost at most ⌈N/50⌉ + 3 API requests (issue 6).

Counted in cassettes recorded from the local MediaWiki (re-record: ``WIKILINT_RECORD=1``,
which also creates the pages through the side channel). Every request pywikibot sends while
``bot.sources.read_pages`` runs is counted, one-off ones included (pywikibot's siteinfo check
for ProofreadPage before the first ``prop`` query). Logging in comes before, as in
``wikilint run``: it is the run's setup, not reading. Requests are matched exactly, page order
included (``read_pages`` sends titles in source order, never in set order).

The budget holds for any N and any mix of processed and fresh pages: that is checked offline
against a fake site, with the same request counting.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import pytest
from wikilint.bot.wiki.api import Revision
from wikilint.bot.wiki.sources import Unreadable, read_pages

from tests.wiki import mwapi
from tests.wiki.conftest import CASSETTES, RECORD, fresh_site
from tests.wiki.scrub import make_vcr

N = 120
PREFIX = "Wikilint batched read/"


def titles() -> list[str]:
    return [f"{PREFIX}{i:03d}" for i in range(N)]


def budget(n: int) -> int:
    return math.ceil(n / 50) + 3


def ensure_pages() -> None:
    """While recording: the N pages exist (created once, by the human, off the record)."""
    if not RECORD:
        return
    human = mwapi.ApiClient.for_account("human", mwapi.side_channel_url())
    for title in titles():
        if not human.exists(title):
            human.edit(title, f"Page {title}.\n", createonly=True)


def use_cassette(name: str) -> Any:
    path = CASSETTES / f"{name}.yaml"
    if RECORD and path.exists():
        path.unlink()
    if not RECORD and not path.exists():
        pytest.fail(f"missing cassette {path}: record it with WIKILINT_RECORD=1")
    return make_vcr(record=RECORD).use_cassette(str(path))


def count_requests(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """The form of every HTTP request pywikibot makes from now on (replayed or live)."""
    from pywikibot.comms import http

    calls: list[dict[str, str]] = []
    real = http.request

    def counting(*args: Any, **kwargs: Any) -> Any:
        body = kwargs.get("data") or kwargs.get("uri", "").partition("?")[2]
        calls.append(
            dict(
                parse_qsl(body if isinstance(body, str) else body.decode(), keep_blank_values=True)
            )
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(http, "request", counting)
    return calls


def kinds(calls: list[dict[str, str]]) -> Counter[str]:
    """Requests by kind, for the failure message and the per-kind assertions."""
    out: Counter[str] = Counter()
    for form in calls:
        if form.get("action") == "query" and "prop" in form:
            out["texts" if "revisions" in form["prop"] else "revision ids"] += 1
        else:
            out[
                f"{form.get('action')} {form.get('meta', form.get('modules', ''))}"
                f" {form.get('siprop', '')}".strip()
            ] += 1
    return out


def texts_requested(calls: list[dict[str, str]]) -> list[str]:
    return [
        t
        for form in calls
        if "revisions" in form.get("prop", "")
        for t in form["titles"].split("|")
    ]


def read_recorded(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    login: bool,
    skip: Callable[[str, int, tuple[str, ...]], bool],
) -> tuple[list[Revision | Unreadable], list[dict[str, str]]]:
    import pywikibot
    from wikilint.bot.wiki.api import ensure_logged_in

    ensure_pages()
    if RECORD and not mwapi.reachable():
        pytest.fail("WIKILINT_RECORD=1 but the wiki is unreachable")
    with use_cassette(name):
        site = fresh_site()
        if login:
            ensure_logged_in(site)
        pages = [pywikibot.Page(site, title) for title in titles()]
        calls = count_requests(monkeypatch)
        read = list(read_pages(site, pages, skip=skip))
    return read, calls


def test_reading_n_pages_is_batched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot account (apihighlimits): one ids request for the 120 pages, then the texts."""
    read, calls = read_recorded(
        "batched_reads", monkeypatch, login=True, skip=lambda title, revid, protection: False
    )
    assert all(isinstance(r, Revision) for r in read)
    assert [r.title for r in read] == titles()
    assert all(r.text == f"Page {r.title}." and r.starttimestamp for r in read)
    assert len(calls) <= budget(N), f"{len(calls)} requests for {N} pages: {kinds(calls)}"
    assert kinds(calls)["revision ids"] == 1
    assert kinds(calls)["texts"] == math.ceil(N / 50)


def test_processed_revisions_are_not_downloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages whose latest revision the journal has processed: listed by id, text never read."""

    def processed(title: str, revid: int, protection: tuple[str, ...]) -> bool:
        assert revid > 0
        return int(title[-3:]) % 3 != 0

    read, calls = read_recorded("batched_reads_skip", monkeypatch, login=True, skip=processed)
    fresh = [t for t in titles() if int(t[-3:]) % 3 == 0]
    assert [r.title for r in read] == fresh
    assert texts_requested(calls) == fresh
    assert len(calls) <= 1 + 1 + math.ceil(len(fresh) / 50), kinds(calls)


def test_without_high_limits_ids_come_with_the_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without apihighlimits the ids of 50 pages cost a request like their texts: one request
    per 50 gives both, and processed revisions are dropped before anything lints them."""
    read, calls = read_recorded(
        "batched_reads_anon",
        monkeypatch,
        login=False,
        skip=lambda title, revid, protection: int(title[-3:]) % 3 != 0,
    )
    assert [r.title for r in read] == [t for t in titles() if int(t[-3:]) % 3 == 0]
    assert kinds(calls)["revision ids"] == 0
    assert kinds(calls)["texts"] == math.ceil(N / 50)
    assert len(calls) <= budget(N), f"{len(calls)} requests for {N} pages: {kinds(calls)}"


# -- the budget for any N, offline ----------------------------------------------------------


class _Page:
    def __init__(self, title: str) -> None:
        self._title = title

    def title(self, with_section: bool = True) -> str:
        return self._title


class FakeSite:
    """Answers ``action=query`` like MediaWiki 1.39 (formatversion 2, curtimestamp), with at
    most ``max_texts`` revision texts per response (the result size limit: continuation)."""

    def __init__(self, pages: dict[str, int], high_limits: bool, max_texts: int = 500) -> None:
        self.pages = pages
        self.high_limits = high_limits
        self.max_texts = max_texts
        self.requests: list[dict[str, Any]] = []

    def logged_in(self) -> bool:
        return True

    def has_right(self, right: str) -> bool:
        return self.high_limits and right == "apihighlimits"

    def simple_request(self, **params: Any) -> Any:
        self.requests.append(params)
        site = self

        class _Request:
            def submit(self) -> dict[str, Any]:
                return site.answer(params)

        return _Request()

    def answer(self, params: dict[str, Any]) -> dict[str, Any]:
        limit = 500 if self.high_limits else 50
        assert len(params["titles"]) <= limit
        assert params["curtimestamp"] is True
        text = "revisions" in params["prop"]
        after = int(params.get("rvcontinue", 0))
        out, texts = [], 0
        for t in params["titles"]:
            if t not in self.pages:
                out.append({"title": t, "missing": True})
                continue
            page: dict[str, Any] = {
                "title": t,
                "pageid": self.pages[t],
                "lastrevid": self.pages[t],
                "contentmodel": "wikitext",
            }
            if text and self.pages[t] > after and texts < self.max_texts:
                texts += 1
                page["revisions"] = [
                    {
                        "revid": self.pages[t],
                        "parentid": 0,
                        "user": "U",
                        "timestamp": "2026-01-01T00:00:00Z",
                        "slots": {"main": {"content": f"text of {t}"}},
                    }
                ]
            out.append(page)
        data: dict[str, Any] = {"curtimestamp": "2026-01-02T00:00:00Z", "query": {"pages": out}}
        pending = [
            self.pages[t] for t in params["titles"] if t in self.pages and self.pages[t] > after
        ]
        if text and len(pending) > texts:
            last = max(p["revisions"][0]["revid"] for p in out if "revisions" in p)
            data["continue"] = {"rvcontinue": str(last), "continue": "||"}
        return data


@pytest.mark.parametrize("high_limits", [True, False], ids=["bot", "user"])
@pytest.mark.parametrize("n", [1, 49, 50, 51, 120, 499, 500, 501, 1000, 1001, 2600])
@pytest.mark.parametrize("processed", ["none", "all", "most", "a few", "every other window"])
def test_budget_holds_for_any_n(n: int, high_limits: bool, processed: str) -> None:
    names = [f"P{i:05d}" for i in range(n)]
    site = FakeSite({t: 10 + i for i, t in enumerate(names)}, high_limits)
    done = {
        "none": lambda i: False,
        "all": lambda i: True,
        "most": lambda i: i % 10 != 0,
        "a few": lambda i: i % 97 == 0,
        "every other window": lambda i: (i // 500) % 2 == 0,
    }[processed]
    skip_set = {t for i, t in enumerate(names) if done(i)}
    read = list(
        read_pages(
            site,
            [_Page(t) for t in names],  # type: ignore[arg-type]
            skip=lambda t, revid, protection: t in skip_set,
        )
    )
    fresh = [t for t in names if t not in skip_set]
    assert [r.title for r in read] == fresh
    assert all(isinstance(r, Revision) and r.text == f"text of {r.title}" for r in read)
    # + 1: the siteinfo request pywikibot makes once (a fake site has none to make).
    assert len(site.requests) + 1 <= budget(n), len(site.requests)
    downloaded = [t for p in site.requests if "revisions" in p["prop"] for t in p["titles"]]
    if high_limits and processed in ("all", "most") and n <= 1000:
        assert downloaded == fresh  # processed pages: never downloaded


@pytest.mark.parametrize("high_limits", [True, False], ids=["bot", "user"])
def test_continuation_and_missing_pages_in_source_order(high_limits: bool) -> None:
    site = FakeSite({"A": 1, "B": 2, "C": 3}, high_limits, max_texts=1)
    read = list(
        read_pages(
            site,
            [_Page(t) for t in ("A", "Gone", "B", "C")],  # type: ignore[arg-type]
            skip=lambda t, revid, protection: False,
        )
    )
    assert [type(r).__name__ for r in read] == ["Revision", "Unreadable", "Revision", "Revision"]
    assert [r.title for r in read] == ["A", "Gone", "B", "C"]
    assert read[1] == Unreadable("Gone", None, "the page does not exist")
    # The texts: one query and two continuations (plus the ids, with high limits).
    assert len(site.requests) == 3 + high_limits
    assert all(
        isinstance(r, Revision) and r.starttimestamp == "2026-01-02T00:00:00Z"
        for r in read
        if r.title != "Gone"
    )


def test_page_deleted_between_ids_and_text() -> None:
    site = FakeSite({"A": 1, "B": 2}, high_limits=True)

    def skip(title: str, revid: int, protection: tuple[str, ...]) -> bool:
        site.pages.pop("B", None)  # deleted right after the ids were read
        return False

    read = list(read_pages(site, [_Page("A"), _Page("B")], skip=skip))  # type: ignore[arg-type]
    assert read[0] == Revision(
        "A", 1, 1, 0, "2026-01-01T00:00:00Z", "U", "text of A", "2026-01-02T00:00:00Z"
    )
    assert read[1] == Unreadable("B", None, "the page was deleted")


# -- what cannot be linted, recorded --------------------------------------------------------

ODD = {
    "missing": f"{PREFIX}missing",
    "redirect": f"{PREFIX}redirect",
    "json": f"{PREFIX}data",
}


def ensure_odd_pages() -> None:
    if not RECORD:
        return
    human = mwapi.ApiClient.for_account("human", mwapi.side_channel_url())
    if not human.exists(ODD["redirect"]):
        human.edit(ODD["redirect"], f"#REDIRECT [[{PREFIX}000]]\n", createonly=True)
    if not human.exists(ODD["json"]):
        human.edit(ODD["json"], '{"a": 1}', createonly=True, contentmodel="json")


@pytest.mark.parametrize("login", [True, False], ids=["bot", "anon"])
def test_missing_redirect_and_other_content_models(
    monkeypatch: pytest.MonkeyPatch, login: bool
) -> None:
    import pywikibot
    from wikilint.bot.wiki.api import ensure_logged_in

    ensure_pages()
    ensure_odd_pages()
    wanted = [f"{PREFIX}000", ODD["missing"], ODD["redirect"], f"{PREFIX}001", ODD["json"]]
    with use_cassette(f"batched_reads_odd_{'bot' if login else 'anon'}"):
        site = fresh_site()
        if login:
            ensure_logged_in(site)
        pages = [pywikibot.Page(site, t) for t in wanted]
        calls = count_requests(monkeypatch)
        read = list(read_pages(site, pages, skip=lambda t, revid, protection: t == f"{PREFIX}001"))
    assert [r.title for r in read] == [f"{PREFIX}000", ODD["missing"], ODD["redirect"], ODD["json"]]
    assert isinstance(read[0], Revision) and read[0].text == f"Page {PREFIX}000."
    assert read[1] == Unreadable(ODD["missing"], None, "the page does not exist")
    assert isinstance(read[2], Unreadable) and read[2].reason == "redirect" and read[2].revid
    assert isinstance(read[3], Unreadable) and read[3].revid
    assert read[3].reason == "content model json is not wikitext"
    assert len(calls) <= budget(len(wanted)), kinds(calls)


class _ProtectedSite(FakeSite):
    """FakeSite whose pages answer ``inprop=protection`` (own and cascading protection)."""

    PROTECTION: ClassVar[dict[str, list[dict[str, str]]]] = {
        "A": [
            {"type": "edit", "level": "sysop", "expiry": "infinity"},
            {"type": "move", "level": "sysop", "expiry": "infinity"},
        ],
        "B": [
            {"type": "edit", "level": "autoconfirmed", "expiry": "infinity", "source": "Main Page"}
        ],
    }

    def answer(self, params: dict[str, Any]) -> dict[str, Any]:
        assert params["inprop"] == "protection"
        data = super().answer(params)
        for page in data["query"]["pages"]:
            page["protection"] = self.PROTECTION.get(page["title"], [])
        return data


@pytest.mark.parametrize("high_limits", [True, False], ids=["bot", "user"])
def test_edit_protection_reaches_skip_and_the_revision(high_limits: bool) -> None:
    site = _ProtectedSite({"A": 1, "B": 2, "C": 3}, high_limits)
    seen: dict[str, tuple[str, ...]] = {}

    def skip(title: str, revid: int, protection: tuple[str, ...]) -> bool:
        seen[title] = protection
        return False

    read = list(read_pages(site, [_Page(t) for t in "ABC"], skip=skip))  # type: ignore[arg-type]
    assert seen == {"A": ("sysop",), "B": ("autoconfirmed",), "C": ()}
    assert [(r.title, r.protection) for r in read if isinstance(r, Revision)] == [
        ("A", ("sysop",)),
        ("B", ("autoconfirmed",)),
        ("C", ()),
    ]
