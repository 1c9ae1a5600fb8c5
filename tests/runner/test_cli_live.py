"""``wikilint run`` as cron runs it: a separate process, real rules, the local wiki.
Also: kill -9 in the middle of a run, then a rerun (resumable, nothing saved twice)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from wikilint.bot.runner import loop as runner

from tests.runner.live import bot_revisions, title, write_config
from tests.wiki import mwapi

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[2]
PAGE = "Sky is blue<ref>Source A</ref>. More.\n\n== References ==\n{{reflist}}\n"
FIXED = "Sky is blue.<ref>Source A</ref> More.\n\n== References ==\n{{reflist}}\n"


def setup(
    tmp_path: Path, api: str, human: mwapi.ApiClient, n: int, **overrides: dict
) -> tuple[Path, list[str], dict[str, str]]:
    shutoff = title("Shutoff")
    human.edit(shutoff, "run")
    mwapi.ApiClient.for_account("bot").post(action="clearhasmsg")
    pages = [title("cli") for _ in range(n)]
    for p in pages:
        human.edit(p, PAGE)
    overrides.setdefault("lint", {"select": ["ref-punctuation"]})
    cfg = write_config(
        tmp_path, api, pages, shutoff, safety={"cosmetic_check": "whitespace"}, **overrides
    )
    pwb = tmp_path / "pwb"
    pwb.mkdir()
    (pwb / "user-config.py").write_text("family = 'wikipedia'\nmylang = 'test'\n")
    env = {**os.environ, "PYWIKIBOT_DIR": str(pwb), "PYTHONPATH": str(ROOT)}
    return cfg, pages, env


def wikilint(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    code = "from wikilint.bot.cli.main import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_cli_run_dry_run_then_real(tmp_path: Path, api: str, human: mwapi.ApiClient) -> None:
    cfg, pages, env = setup(tmp_path, api, human, 2)
    secret = mwapi.load_credentials()["bot"]["botpassword"]
    proc = wikilint(["run", "--config", str(cfg), "--dry-run", "-v"], env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == runner.EXIT_OK, err
    assert "dry run" in out and all(bot_revisions(human, p) == [] for p in pages)
    assert secret not in out + err
    report = tmp_path / "report.json"
    proc = wikilint(["run", "--config", str(cfg), "--report", str(report), "-v"], env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == runner.EXIT_OK, err
    assert secret not in out + err and "csrftoken" not in err
    data = json.loads(report.read_text())
    assert data["actions"] == {"edited": 2} and data["findings"] == {"ref-punctuation": 2}
    for p in pages:
        assert human.latest(p).text.rstrip() == FIXED.rstrip()


def test_cli_config_error_exit_2(tmp_path: Path, api: str, human: mwapi.ApiClient) -> None:
    cfg = tmp_path / "bot.toml"
    cfg.write_text("[limits]\nmaxlagg = 5\n")
    proc = wikilint(["run", "--config", str(cfg)], dict(os.environ, PYTHONPATH=str(ROOT)))
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == runner.EXIT_CONFIG
    assert "'maxlag'" in err and len(err.strip().splitlines()) == 1


def test_kill_9_mid_run_then_resume(tmp_path: Path, api: str, human: mwapi.ApiClient) -> None:
    cfg, pages, env = setup(
        tmp_path,
        api,
        human,
        5,
        limits={"edit_throttle": 1.5, "max_retries": 2, "retry_wait": 0.1, "retry_max": 0.5},
    )
    proc = wikilint(["run", "--config", str(cfg)], env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not bot_revisions(human, pages[0]):
        time.sleep(0.2)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    done_before = sum(1 for p in pages if bot_revisions(human, p))
    assert 1 <= done_before < len(pages)
    # The kernel released the lock; the rerun finishes the rest, saving nothing twice.
    proc = wikilint(["run", "--config", str(cfg)], env)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == runner.EXIT_OK, err
    for p in pages:
        assert len(bot_revisions(human, p)) == 1
        assert human.latest(p).text.rstrip() == FIXED.rstrip()


def test_sigterm_stops_cleanly_exit_4(tmp_path: Path, api: str, human: mwapi.ApiClient) -> None:
    cfg, pages, env = setup(
        tmp_path,
        api,
        human,
        4,
        limits={"edit_throttle": 2, "max_retries": 2, "retry_wait": 0.1, "retry_max": 0.5},
    )
    proc = wikilint(["run", "--config", str(cfg)], env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not bot_revisions(human, pages[0]):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == runner.EXIT_RESUMABLE, err
    assert "terminated by a signal" in out
    assert sum(1 for p in pages if bot_revisions(human, p)) < len(pages)
