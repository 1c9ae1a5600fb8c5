"""Shared helpers for the wiki tests: the sample page, and the "no text was lost" check."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from tests.paths import SAMPLE
from tests.wiki.mwapi import ApiClient, Rev

SEED = SAMPLE
FIXTURES = Path(__file__).resolve().parent / "fixtures"
_HEADING = re.compile(r"\s*(={2,6}) *([^=\n]+?) *\1(?=\s)\s*")


def sample_page() -> str:
    """The Trotsky sample as a real page: it comes on one line, headings need their own lines."""
    stored = FIXTURES / "trotsky-page.wiki"
    if stored.exists():
        return stored.read_text()
    raw = SEED.read_text()
    body = _HEADING.sub(lambda m: f"\n\n{m[1]} {m[2]} {m[1]}\n", raw).strip()
    return (
        "{{Use dmy dates|date=March 2021}}\n"
        "'''Sample''' page built from the Leon Trotsky section sample.\n\n"
        + body
        + "\n\n== References ==\n{{reflist}}\n"
    )


def unique_title(prefix: str) -> str:
    return f"Wikilint test/{prefix}/{uuid.uuid4().hex[:8]}"


def same(a: str, b: str) -> bool:
    return a.rstrip() == b.rstrip()


def assert_no_text_lost(
    history: list[Rev],
    bot_user: str,
    fixer: Callable[[str], str],
    markers: Iterable[str] = (),
) -> None:
    """Every wikilint revision is exactly the fixer applied to its parent (so it dropped nothing
    that anyone else wrote), and every marker another editor added is in the final text.

    wikilint's revisions are the bot account's with "wikilint" in the summary: the same account
    also makes "intervening" edits in the tests."""
    by_id = {r.revid: r for r in history}
    for rev in history:
        if rev.user != bot_user or "wikilint" not in rev.comment or rev.parentid == 0:
            continue
        parent = by_id[rev.parentid]
        assert same(rev.text, fixer(parent.text)), (
            f"bot revision {rev.revid} is not the fix of its parent {parent.revid}"
        )
    final = history[-1].text
    for marker in markers:
        assert marker in final, f"text {marker!r} was lost"


def last_bot_revision(client: ApiClient, title: str, bot_user: str) -> Rev | None:
    revs = [r for r in client.history(title) if r.user == bot_user]
    return revs[-1] if revs else None
