"""Running ``wikilint`` as its own process, as a user does: what it prints and how it exits.

In-process (CliRunner) runs cannot show pywikibot's own terminal output, tracebacks or
"CRITICAL: Exiting due to uncaught exception": these tests need the real process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.wiki.conftest import PYWIKIBOT_DIR

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float


def wikilint(*args: str, pywikibot_dir: Path = PYWIKIBOT_DIR, timeout: float = 120) -> Ran:
    env = dict(os.environ, PYWIKIBOT_DIR=str(pywikibot_dir))
    env.pop("WIKILINT_DEBUG", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "wikilint.bot.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    return Ran(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def start(*args: str, pywikibot_dir: Path = PYWIKIBOT_DIR) -> subprocess.Popen[str]:
    """``wikilint ARGS`` started, not waited for (concurrent runs)."""
    env = dict(os.environ, PYWIKIBOT_DIR=str(pywikibot_dir))
    env.pop("WIKILINT_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "wikilint.bot.cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def one_error_line(ran: Ran) -> str:
    """The only line on stderr, an ``error:`` line: no traceback, no pywikibot chatter."""
    lines = [line for line in ran.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{ran.stderr}"
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in ran.stderr + ran.stdout and "CRITICAL" not in ran.stderr
    return lines[0]


def pywikibot_dir_for(api: str, tmp: Path, read_timeout: float = 30) -> Path:
    """A private PYWIKIBOT_DIR like the tests' one, for the wiki at ``api`` (a fault proxy),
    with its own session (cookie jar) and the given read timeout."""
    path = tmp / "pywikibot"
    path.mkdir(parents=True)
    config = (PYWIKIBOT_DIR / "user-config.py").read_text()
    lines = []
    for line in config.splitlines():
        if line.startswith("family_files['localwiki']"):
            line = f"family_files['localwiki'] = {api!r}"
        elif line.startswith("socket_timeout"):
            line = f"socket_timeout = (3, {read_timeout})"
        lines.append(line)
    (path / "user-config.py").write_text("\n".join(lines) + "\n")
    shutil.copy(PYWIKIBOT_DIR / "passwords", path / "passwords")
    (path / "passwords").chmod(0o600)
    return path
