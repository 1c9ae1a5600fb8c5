"""The setup scripts a newcomer runs first: every apt-get waits for the dpkg lock (a fresh
machine may still run its own apt jobs), and scripts/test names each phase it runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [ROOT / "scripts" / name for name in ("test", "mediawiki.sh", "demo")]


def test_the_scripts_parse() -> None:
    for script in SCRIPTS:
        subprocess.run(["bash", "-n", str(script)], check=True)


def test_every_apt_get_waits_for_the_dpkg_lock() -> None:
    calls = []
    for script in SCRIPTS:
        for line in script.read_text().splitlines():
            code = line.split("#", 1)[0]
            if re.search(r"\bapt-get\b", code):
                calls.append((script.name, code))
    assert calls, "the scripts install Debian packages"
    for name, code in calls:
        assert "Lock::Timeout" in code or re.search(r'"\$\{wait(_lock)?\[@\]\}"', code), (
            f"{name}: apt-get without the dpkg lock timeout: {code.strip()}"
        )


def test_scripts_test_names_its_phases() -> None:
    phases = [
        p.split(":")[0]
        for p in re.findall(r'^phase "([^"]+)"', (ROOT / "scripts" / "test").read_text(), re.M)
    ]
    wanted = iter(phases)  # these, in this order (other phases may come between)
    assert all(any(p == w for p in wanted) for w in ("packages", "venv", "wiki", "tests"))


def test_every_tool_scripts_test_runs_comes_with_the_test_extras() -> None:
    import tomllib

    tools = set(re.findall(r"\$VENV/bin/([a-z]+)", (ROOT / "scripts" / "test").read_text()))
    tools -= {"python"}
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["test"]
    names = {re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0] for requirement in extras}
    assert tools, "scripts/test runs tools from the venv"
    assert tools <= names, f"not in the test extras: {sorted(tools - names)}"
