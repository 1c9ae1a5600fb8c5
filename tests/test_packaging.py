"""Installed under one name: the wheel holds ``wikilint.rules`` and ``wikilint.bot`` and nothing at
the top level that could collide with another distribution (PyPI's ``rules`` installs a top-level
``rules``). Built from the repository, installed into a clean venv, run there."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "A claim.<ref>http://example.org/page</ref>\n"


def repo_packages() -> set[str]:
    """Every package of the repository's bot/ and rules/, as its installed dotted name."""
    found = set()
    for top in ("bot", "rules"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT)
            found.add("wikilint." + ".".join(rel.parts))
    return found


def test_pyproject_lists_every_package() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(setuptools["packages"]) == repo_packages()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("wikilint-*.whl")
    return built


def test_wheel_holds_only_the_wikilint_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.startswith("wikilint-")}
    assert tops == {"wikilint"}
    modules = {n.removesuffix(".py") for n in names if n.endswith(".py")}
    for top in ("bot", "rules"):
        for source in (ROOT / top).rglob("*.py"):
            rel = source.relative_to(ROOT).with_suffix("")
            assert "wikilint/" + rel.as_posix() in modules, f"{rel} missing from the wheel"
    assert "wikilint/rules/py.typed" in names
    for folder in ("static", "templates"):  # serve's pages, package data
        for data in (ROOT / "bot" / "web" / folder).iterdir():
            assert f"wikilint/bot/web/{folder}/{data.name}" in names, f"{data} missing"


def test_wheel_installs_and_runs_in_a_clean_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    with zipfile.ZipFile(wheel) as archive:  # a wheel is installed by unpacking it
        archive.extractall(site)
    scripts = env_dir / "bin" / "wikilint"
    scripts.write_text(
        f"#!{python}\nimport sys\nfrom wikilint.bot.cli.main import main\nsys.exit(main())\n"
    )
    scripts.chmod(0o755)
    # The dependencies come from this test's own environment, by path only: a plain path in a
    # .pth file does not run that environment's .pth hooks (the editable install's finder).
    deps = sysconfig.get_paths()["purelib"]
    (site / "deps.pth").write_text(deps + "\n")
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    page = tmp_path / "page.wiki"
    page.write_text(SAMPLE, encoding="utf-8")
    result = subprocess.run(
        [str(scripts), "lint", str(page)], capture_output=True, text=True, cwd=tmp_path, env=clean
    )
    assert result.returncode == 1, result.stderr
    assert "bare-url" in result.stdout
    where = subprocess.run(
        [str(python), "-c", "import wikilint.rules, wikilint.bot; print(wikilint.rules.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        check=True,
    )
    assert where.stdout.startswith(str(site))
    for top in ("rules", "bot"):
        probe = subprocess.run(
            [str(python), "-c", f"import {top}"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean,
        )
        assert probe.returncode == 1
        assert f"No module named '{top}'" in probe.stderr
