"""``wikilint run``'s progress as an operator meets it: a bar against the pages the titles give
(or the page limit) on a terminal, a periodic log line in a cron log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from wikilint.bot.runner import loop as runner
from wikilint.bot.runner import progress
from wikilint.bot.wiki.sources import SourceSettings

from tests.runner.conftest import FakeWiki, base_tables, write_bot_toml

pytestmark = pytest.mark.usefixtures("test_rules")


def run_pages(
    tmp_path: Path, fake_wiki: FakeWiki, titles: list[str], interactive: bool, **limits: int
) -> int:
    for t in titles:
        fake_wiki.add(t, "colour")
    tables = base_tables(tmp_path, titles)
    tables["limits"].update(limits)
    cfg = write_bot_toml(tmp_path / "bot.toml", tables)
    return runner.execute(
        str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=interactive
    )


def test_terminal_bar_counts_against_the_titles(
    tmp_path: Path, fake_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_pages(tmp_path, fake_wiki, ["A", "B", "C"], True, max_pages=100) == 0
    err = capsys.readouterr().err
    assert "[######..............] 1/3 pages" in err
    assert "[####################] 3/3 pages" in err and "/100" not in err


def test_terminal_bar_counts_against_the_page_limit(
    tmp_path: Path, fake_wiki: FakeWiki, capsys: pytest.CaptureFixture[str]
) -> None:
    run_pages(tmp_path, fake_wiki, ["A", "B", "C"], True, max_pages=2)
    err = capsys.readouterr().err
    assert "2/2 pages" in err and "3/" not in err


def test_no_terminal_logs_a_progress_line(
    tmp_path: Path,
    fake_wiki: FakeWiki,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    run_pages(tmp_path, fake_wiki, ["A", "B"], False)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "wikilint.progress:" in line]
    assert lines[-1].endswith("progress: [####################] 2/2 pages  edited=2")
    assert "\r" not in err  # a log file gets whole lines, no bar redrawn in place


def test_the_log_line_waits_for_its_interval() -> None:
    now = [0.0]
    p = progress.RunProgress(False, total=None, limit=0, clock=lambda: now[0])
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda r: records.append(r.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("wikilint.progress")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        p("A", "edited")
        now[0] = progress.LOG_EVERY + 1
        p("B", "nochange")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    assert records == ["progress: 2 pages  edited=1 nochange=1"]


def test_known_total_only_for_titles(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("A\nB\n# c\n")
    assert progress.known_total(SourceSettings(titles=("A", "Z"), titles_file=f)) == 3
    assert progress.known_total(SourceSettings(titles=("A",), categories=("X",))) is None
