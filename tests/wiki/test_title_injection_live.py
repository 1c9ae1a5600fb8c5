"""Fetched titles cannot inject wikitext into a saved page (issue 11, critical 2), and the title
fetcher does not connect to private addresses without the opt-in (critical 1).

A crafted page on the local test server (``tests/bot/pages.py``, 127.0.0.1) has a title full
of signatures, behaviour switches, ``subst:``, pipe tricks and markup. ``propose`` refuses to
fetch it by default; with ``--allow-private-fetch`` it is fetched, proposed, reviewed and
submitted to the local MediaWiki, and the saved revision is exactly the reviewed text: nothing
expanded by the pre-save transform, no category, no switch.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint.bot.change.store import Store
from wikilint.bot.cli import wiki_commands as wiki_cli

from tests.bot.pages import INJECTION_TITLE, PageServer, serving
from tests.wiki.conftest import fresh_site
from tests.wiki.helpers import unique_title
from tests.wiki.mwapi import ApiClient

CONTACT = "ops@example.org"


@pytest.fixture
def server() -> Iterator[PageServer]:
    with serving() as srv:
        yield srv


def run(args: list[str]) -> Any:
    group = click.Group("wikilint")
    wiki_cli.register(group)
    res = CliRunner(env={"WIKILINT_CONTACT": CONTACT, "WIKILINT_ALLOW_PRIVATE_FETCH": ""}).invoke(
        group, args, catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    return res


@pytest.mark.live
def test_live_an_injected_title_is_saved_as_plain_text(
    live_wiki: str, human: ApiClient, tmp_path: Path, server: PageServer
) -> None:
    title = unique_title("title-injection")
    url = f"{server.base}/injection"
    page = f"Intro.<ref>{url}</ref>\n\n== References ==\n{{{{reflist}}}}\n"
    human.edit(title, page, createonly=True)
    fresh_site()
    state = tmp_path / "state.sqlite"
    base = [
        "--page",
        title,
        "--select",
        "bare-url",
        "--state",
        str(state),
        "--no-color",
        "--unsafe-fixes",
    ]

    # Without the opt-in: the URL points at this machine, so it is refused, with the reason,
    # and the server never sees a connection.
    refused = run(["propose", *base])
    assert f"no title for {url}: refused: 127.0.0.1 is a loopback address" in refused.output
    assert "no changes" in refused.output and server.accepted == 0

    run(["propose", "--allow-private-fetch", *base])
    assert server.accepted == 1
    with Store(state) as store:
        (proposal,) = store.list("pending")
    reviewed = proposal.proposed
    assert "|title=Report " in reviewed
    run(["review", "--accept-all", "--state", str(state)])
    res = run(["submit", "--all", "--state", str(state)])
    assert "saved revision" in res.output, res.output

    saved = human.latest(title)
    assert saved.text.rstrip() == reviewed.rstrip()  # the pre-save transform changed nothing
    for raw in (
        "~~~",
        "__NOINDEX__",
        "__NOTOC__",
        "subst:",
        "[[Main Page|]]",
        "[[Category:",
        "<nowiki>",
        "''x''",
        "[[User:",
    ):
        assert raw not in saved.text, raw
    info = human.get(action="query", titles=title, prop="categories|pageprops", formatversion="2")[
        "query"
    ]["pages"][0]
    assert "categories" not in info  # no [[Category:Injected]]
    assert not {"noindex", "notoc", "forcetoc"} & set(info.get("pageprops", {}))
    # The escaped title, put through the pre-save transform and rendered by the wiki on its
    # own, reads as the page's title did: the same text, no markup.
    escaped = reviewed.split("|title=", 1)[1].split(" |website=", 1)[0]
    parsed = human.post(
        action="parse",
        text=escaped,
        pst="1",
        contentmodel="wikitext",
        prop="text",
        disablelimitreport="1",
        formatversion="2",
    )["parse"]
    rendered = html.unescape(re.sub(r"<[^>]+>", "", parsed["text"])).strip()
    assert rendered == INJECTION_TITLE
