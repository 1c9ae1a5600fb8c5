"""Scheduled runs: reaching a limit is a normal end with --limits-are-success (exit 0, so
Toolforge's ``emails: onfailure`` and cron mail only real failures); failures stay failures."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from wikilint.bot.runner import loop as runner

from tests.runner.conftest import FakeWiki, base_tables, write_bot_toml

pytestmark = pytest.mark.usefixtures("test_rules")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("flag,expected", [(False, runner.EXIT_RESUMABLE), (True, runner.EXIT_OK)])
def test_a_page_limit_is_success_only_when_asked(
    tmp_path: Path, fake_wiki: FakeWiki, flag: bool, expected: int
) -> None:
    for title in "ABC":
        fake_wiki.add(title, "colour")
    cfg = write_bot_toml(
        tmp_path / "bot.toml", base_tables(tmp_path, list("ABC"), limits={"max_pages": 1})
    )
    code = runner.execute(
        str(cfg),
        str(tmp_path / "report.json"),
        False,
        gateway_factory=lambda c: fake_wiki,
        interactive=False,
        limits_are_success=flag,
    )
    assert code == expected
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["status"], report["exit_code"]) == ("limit", runner.EXIT_RESUMABLE)


def test_a_failed_run_still_fails_with_the_flag(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))

    def broken(_config: object) -> FakeWiki:
        raise RuntimeError("no wiki")

    assert (
        runner.execute(
            str(cfg),
            None,
            False,
            gateway_factory=broken,
            interactive=False,
            limits_are_success=True,
        )
        != runner.EXIT_OK
    )


def test_the_command_offers_the_flag() -> None:
    result = CliRunner().invoke(runner.run, ["--help"])
    assert "--limits-are-success" in result.output


def test_the_scheduler_examples_mail_only_on_real_failures() -> None:
    toolforge = (EXAMPLES / "toolforge-jobs.yaml").read_text()
    assert "emails: onfailure" in toolforge
    command = " ".join(line.strip() for line in toolforge.split("command: >-")[1].splitlines()[1:4])
    assert "wikilint run" in command and "--limits-are-success" in shlex.split(command)
    cron = [
        line
        for line in (EXAMPLES / "crontab").read_text().splitlines()
        if "wikilint run" in line and not line.startswith("#")
    ]
    assert cron and all("--limits-are-success" in line for line in cron)
    service = (EXAMPLES / "wikilint-bot.service").read_text()
    assert "SuccessExitStatus=3 4 5" in service  # systemd keeps its own policy
