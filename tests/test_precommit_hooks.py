"""The repository's pre-commit hooks, installed by pre-commit itself into a throw-away git
repository: a commit of bad wikitext is stopped, ``wikilint-fix`` fixes the file, and the fixed
file commits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BAD = "Claim.<ref>{{cite web |url=http://www.bbc.co.uk/news |title=News}}</ref>\n"


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


@pytest.mark.slow
def test_hooks_stop_and_fix_a_bad_commit(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    assert Path(pre_commit).exists(), "pre-commit is a test dependency"
    # The hooks as committed in this repository's HEAD, as another project would pin them.
    rev = git("rev-parse", "HEAD", cwd=ROOT).stdout.strip()
    hooks = git("show", f"{rev}:.pre-commit-hooks.yaml", cwd=ROOT, check=False)
    if hooks.returncode != 0:
        pytest.fail(".pre-commit-hooks.yaml is not committed in HEAD")
    project = tmp_path / "project"
    project.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    env.pop("PYTHONPATH", None)
    git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n"
        "      - id: wikilint-fix\n      - id: wikilint\n        args: [--select, UR304]\n"
    )
    subprocess.run([pre_commit, "install"], cwd=project, env=env, check=True, capture_output=True)
    page = project / "page.wiki"
    page.write_text(BAD, encoding="utf-8")
    subprocess.run(["git", "add", "."], cwd=project, check=True)
    first = subprocess.run(
        ["git", "commit", "-qm", "bad page"], cwd=project, env=env, capture_output=True, text=True
    )
    assert first.returncode != 0, "the bad commit was stopped"
    assert "wikilint" in first.stdout + first.stderr
    fixed = page.read_text(encoding="utf-8")
    assert fixed == BAD.replace("http://www.bbc.co.uk", "https://www.bbc.co.uk")
    subprocess.run(["git", "add", "page.wiki"], cwd=project, check=True)
    second = subprocess.run(
        ["git", "commit", "-qm", "fixed page"], cwd=project, env=env, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stdout + second.stderr
    assert git("show", "HEAD:page.wiki", cwd=project).stdout == fixed
