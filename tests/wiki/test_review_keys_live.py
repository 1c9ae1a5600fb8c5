"""After a save, the terminal prints a link to the diff; the link works on the local wiki."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from wikilint.bot.change.store import Store

from tests.wiki.helpers import sample_page, unique_title
from tests.wiki.mwapi import ApiClient
from tests.wiki.test_cli_live import propose, run

pytestmark = pytest.mark.live


def test_submit_prints_a_working_diff_link(
    live_wiki: str, human: ApiClient, state_db: Path
) -> None:
    title = unique_title("cli-difflink")
    human.edit(title, sample_page(), createonly=True)
    propose(title, state_db)
    run(["review", "--accept-all", "--state", str(state_db)])
    res = run(["submit", "--all", "--state", str(state_db)])
    assert res.exit_code == 0, res.output
    with Store(state_db) as store:
        revid = store.get(1).saved_revid
    assert revid == human.latest(title).revid
    link = re.search(r"diff: (\S+)", res.output)
    assert link and link.group(1).endswith(f"Special:Diff/{revid}"), res.output
    assert link.group(1).startswith("http://127.0.0.1")
    with urllib.request.urlopen(link.group(1), timeout=30) as answer:
        html = answer.read().decode("utf-8")
    assert f"oldid={revid}" in html and "https://www.marxists.org" in html
