"""Page sources: titles files offline; category / transclusion / search / recent changes and
batched reading against the live wiki (request counts observed through the proxy)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.runner import loop as runner
from wikilint.bot.wiki.sources import batched, read_titles_file

from tests.runner.faultproxy import FaultProxy
from tests.runner.live import bot_revisions, run, title, write_config
from tests.wiki import mwapi


def test_titles_file(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("# pages to check\nAlpha\n\n  [[Beta gamma]]  \n#Not this\nDelta\n")
    assert read_titles_file(f) == ["Alpha", "Beta gamma", "Delta"]


class _Page:
    def __init__(self, title: str) -> None:
        self._title = title

    def title(self) -> str:
        return self._title


def test_batched() -> None:
    assert list(batched(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []


# -- live ------------------------------------------------------------------------------------


@pytest.fixture
def shutoff(human: mwapi.ApiClient) -> str:
    page = title("Shutoff")
    human.edit(page, "run")
    mwapi.ApiClient.for_account("bot").post(action="clearhasmsg")
    return page


@pytest.fixture
def proxy(api: str) -> Iterator[FaultProxy]:
    with FaultProxy(api) as p:
        yield p


def revision_reads(proxy: FaultProxy) -> int:
    return sum(1 for _, action, what in proxy.log if action == "query" and what == "pass")


@pytest.mark.live
@pytest.mark.usefixtures("test_rules")
def test_category_template_and_batched_reads(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient, proxy: FaultProxy
) -> None:
    tag = uuid.uuid4().hex[:8]
    cat, sub, tpl = f"Runner cat {tag}", f"Runner subcat {tag}", f"Runner tpl {tag}"
    human.edit(f"Category:{sub}", f"[[Category:{cat}]]")
    human.edit(f"Template:{tpl}", "template body")
    direct = [title(f"cat{i}") for i in range(12)]
    deep = [title("deep") for _ in range(2)]
    by_template = [title("tpl") for _ in range(2)]
    for t in direct:
        human.edit(t, f"colour [[Category:{cat}]]")
    for t in deep:
        human.edit(t, f"colour [[Category:{sub}]]")
    for t in by_template:
        human.edit(t, f"colour {{{{{tpl}}}}}")
    human.post(action="purge", titles=f"Category:{cat}|Category:{sub}", forcelinkupdate=1)
    cfg = write_config(
        tmp_path,
        proxy.api,
        [],
        shutoff,
        sources={
            "titles": [],
            "categories": [cat],
            "category_depth": 1,
            "transcluding": [f"Template:{tpl}"],
        },
        safety={"cosmetic_check": "whitespace"},
    )
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert report["actions"] == {"edited": 16}
    for t in direct + deep + by_template:
        assert len(bot_revisions(human, t)) == 1
    # 16 pages were read in a handful of batched queries, not one (or two) per page.
    edits = sum(1 for _, action, _ in proxy.log if action == "edit")
    assert edits == 16
    reads_per_page = (revision_reads(proxy) - 16 * 2) / 16  # 2 verification reads per save
    assert reads_per_page < 1.0, proxy.log
    # A second run lists the same pages, fetches no text, and saves nothing.
    proxy.log.clear()
    code, report = run(cfg)
    assert code == runner.EXIT_OK and report["pages"] == 0
    assert not any(a == "edit" for _, a, _ in proxy.log)


@pytest.mark.live
@pytest.mark.usefixtures("test_rules")
def test_search_source_reads_the_text_in_the_namespaces_once(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    word = f"runnersearch{uuid.uuid4().hex[:10]}"
    hit, listed_too = title("search-hit"), title("search-listed")
    help_hit = f"Help:Runner search {uuid.uuid4().hex[:8]}"
    project_hit = f"Project:Runner search {uuid.uuid4().hex[:8]}"  # not in namespaces
    miss = title("search-miss")
    for page in (hit, listed_too, help_hit, project_hit):
        human.edit(page, f"colour {word}")
    human.edit(miss, "colour")
    cfg = write_config(
        tmp_path,
        api,
        [],
        shutoff,
        sources={"titles": [listed_too], "search": word, "namespaces": [0, 12]},
        safety={"cosmetic_check": "whitespace"},
    )
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert report["actions"] == {"edited": 3}  # listed_too is a title and a hit: once
    assert [len(bot_revisions(human, p)) for p in (hit, listed_too, help_hit)] == [1, 1, 1]
    assert bot_revisions(human, project_hit) == [] and bot_revisions(human, miss) == []


@pytest.mark.live
@pytest.mark.usefixtures("test_rules")
def test_recent_changes_cursor(
    tmp_path: Path, api: str, shutoff: str, human: mwapi.ApiClient
) -> None:
    ns_help = 12  # a namespace no other test writes to
    first = [f"Help:Runner rc {uuid.uuid4().hex[:8]}" for _ in range(2)]
    for t in first:
        human.edit(t, "colour")
    cfg = write_config(
        tmp_path,
        api,
        [],
        shutoff,
        sources={"titles": [], "recent_changes": True, "namespaces": [ns_help]},
        safety={"cosmetic_check": "whitespace"},
    )
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    assert all(len(bot_revisions(human, t)) == 1 for t in first)
    later = f"Help:Runner rc {uuid.uuid4().hex[:8]}"
    human.edit(later, "later colour")
    code, report = run(cfg)
    assert code == runner.EXIT_OK, report
    # Only the page changed since the cursor (the bot's own edits are already processed).
    assert report["pages"] == 1 and report["actions"] == {"edited": 1}
    assert len(bot_revisions(human, later)) == 1


def test_invalid_titles_are_skipped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    import pywikibot
    from wikilint.bot.wiki.sources import _pages_for_titles

    class _Site:
        pass

    made: list[str] = []

    def fake_page(site: Any, t: str) -> Any:
        if "[" in t:
            raise pywikibot.exceptions.InvalidTitleError(f"bad {t}")
        made.append(t)
        return _Page(t)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pywikibot, "Page", fake_page)
        pages = list(_pages_for_titles(_Site(), ["Good", "Bad[x", "Also good"]))  # type: ignore[arg-type]
    assert [p.title() for p in pages] == ["Good", "Also good"]
    assert "invalid title 'Bad[x'" in caplog.text


def test_recent_changes_in_the_same_second_as_the_cursor_list_to_the_present() -> None:
    """pywikibot refuses start == end: a run in the same second as the last one must still
    list what changed since the cursor (regression: the run used to fail)."""
    import pywikibot
    from wikilint.bot.runner.config import SourceSettings
    from wikilint.bot.wiki.sources import _recent_changes

    now = pywikibot.Timestamp.fromISOformat("2026-11-27T07:19:29Z")
    calls: list[dict[str, Any]] = []

    class _Site:
        def server_time(self) -> Any:
            return now

        def recentchanges(self, **kwargs: Any) -> list[dict[str, str]]:
            calls.append(kwargs)
            return []

    seen: list[str] = []
    list(_recent_changes(_Site(), SourceSettings(), [0], now.isoformat(), seen.append))  # type: ignore[arg-type]
    assert calls[0]["start"] == now and calls[0]["end"] is None
    assert seen == [now.isoformat()]
    earlier = "2026-11-27T07:00:00Z"
    list(_recent_changes(_Site(), SourceSettings(), [0], earlier, None))  # type: ignore[arg-type]
    assert calls[1]["end"] == now
