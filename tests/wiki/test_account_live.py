"""``wikilint login`` and ``wikilint whoami`` against the local MediaWiki, each in its own
process with its own PYWIKIBOT_DIR (as a bot operator runs them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wiki.conftest import BOT_APP, BOT_USER, PYWIKIBOT_DIR

pytestmark = pytest.mark.live


def operator_dir(
    tmp_path: Path,
    *,
    user: str | None = BOT_USER,
    password: str | None = None,
    api: str | None = None,
) -> Path:
    """A PYWIKIBOT_DIR like the tests' own, with the user, password or wiki changed."""
    config = (PYWIKIBOT_DIR / "user-config.py").read_text()
    if api is not None:
        config = (
            "\n".join(
                f"family_files['localwiki'] = {api!r}" if line.startswith("family_files") else line
                for line in config.splitlines()
            )
            + "\n"
        )
    if user is None:
        config = (
            "\n".join(line for line in config.splitlines() if not line.startswith("usernames"))
            + "\n"
        )
    folder = tmp_path / "pwb"
    folder.mkdir()
    (folder / "user-config.py").write_text(config)
    passwords = (PYWIKIBOT_DIR / "passwords").read_text()
    if password is not None:
        passwords = f"({BOT_USER!r}, BotPassword({BOT_APP!r}, {password!r}))\n"
    (folder / "passwords").write_text(passwords)
    (folder / "passwords").chmod(0o600)
    return folder


def wikilint(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    return subprocess.run(
        [sys.executable, "-m", "wikilint.bot.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_whoami_before_login_then_login_then_whoami(live_wiki: str, tmp_path: Path) -> None:
    folder = operator_dir(tmp_path)
    before = wikilint(folder, "whoami")
    assert before.returncode == 1, before.stderr
    assert f"not logged in (configured: {BOT_USER})" in before.stdout
    assert "run `wikilint login`" in before.stderr

    login = wikilint(folder, "login")
    assert login.returncode == 0, login.stderr
    assert f"user:   {BOT_USER}" in login.stdout
    assert "groups: " in login.stdout and "bot" in login.stdout.split("groups: ")[1]
    lines = {
        line.split()[1]: line.split()[0]
        for line in login.stdout.splitlines()
        if line.startswith("  ")
    }
    assert lines["bot"] == "yes" and lines["edit"] == "yes"
    assert set(lines) == {"bot", "edit", "noratelimit", "apihighlimits"}

    after = wikilint(folder, "whoami")  # the session cookie pywikibot kept
    assert after.returncode == 0, after.stderr
    assert f"user:   {BOT_USER}" in after.stdout


def test_a_wrong_bot_password_says_what_to_fix(live_wiki: str, tmp_path: Path) -> None:
    folder = operator_dir(tmp_path, password="0" * 32)
    result = wikilint(folder, "login")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: ") and "password_file" in line and BOT_USER in line
    assert "Traceback" not in result.stderr


def test_no_username_says_which_line_to_add(live_wiki: str, tmp_path: Path) -> None:
    folder = operator_dir(tmp_path, user=None)
    result = wikilint(folder, "login")
    assert result.returncode == 2
    assert "add usernames['localwiki']['localwiki'] = 'YourBot' to user-config.py" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_wiki_is_not_a_configuration_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = operator_dir(tmp_path, api=f"http://127.0.0.1:{port}/api.php")
    result = wikilint(folder, "whoami")
    assert result.returncode == 6, result.stderr
    assert "did not answer" in result.stderr and "Traceback" not in result.stderr
