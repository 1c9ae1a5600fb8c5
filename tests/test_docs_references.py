"""CONTRIBUTING names only files and folders the repository has (the README also names the
user's own files, such as ``user-config.py``: it is not checked)."""

from __future__ import annotations

import re

import pytest

from tests.paths import REPO

DOCS = ["CONTRIBUTING.md"]
# `rules/document.py`, `bot/`, `model.py`, `scripts/typecheck`; markdown links (FILE.md).
_CODE = re.compile(r"`([^`\s<>*]+)`")
_LINK = re.compile(r"\]\(([^)#:\s]+)\)")
_MARKDOWN = re.compile(r"(?<![\w/.-])([A-Za-z][\w-]*\.md)\b")  # RULES.md, even in a code block
_FILE = re.compile(r"^[\w.-]+(/[\w.-]+)*/?$")
_SUFFIXES = (".py", ".md", ".toml", ".yaml", ".yml", ".txt", ".wiki", ".sh", ".html")
_FOLDERS = ("bot", "rules", "tests", "scripts", "bench", "examples")


def named_paths(text: str) -> set[str]:
    found = set(_LINK.findall(text)) | set(_MARKDOWN.findall(text))
    for token in _CODE.findall(text):
        if not _FILE.match(token) or (token.startswith(("-", ".")) and "/" not in token):
            continue
        if (
            token.endswith(_SUFFIXES)
            or token.endswith("/")
            or token.startswith(tuple(f + "/" for f in _FOLDERS))
        ):
            found.add(token)
    return found


def exists(name: str) -> bool:
    if (REPO / name).exists() or (REPO / "bot" / name).exists():
        return True
    if "/" in name.rstrip("/"):
        return False
    # A bare file name in a table of one folder's pieces (`model.py` in "The pieces of rules/").
    return any(
        p for p in REPO.rglob(name.rstrip("/")) if ".venv" not in p.parts and "build" not in p.parts
    )


@pytest.mark.parametrize("doc", DOCS)
def test_docs_name_only_files_that_exist(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    missing = sorted(name for name in named_paths(text) if not exists(name))
    assert missing == [], f"{doc} names files the repository does not have: {missing}"


def test_the_check_sees_a_missing_file() -> None:
    assert named_paths("see `RULES.md` and [design](DESIGN.md), `rules/engine.py`") == {
        "RULES.md",
        "DESIGN.md",
        "rules/engine.py",
    }
    assert named_paths('    name = "x"   # from NOTES.md: public contract') == {"NOTES.md"}
    assert named_paths("see `bench/corpus-report.md`") == {"bench/corpus-report.md"}
    assert not exists("RULES.md") and exists("rules/engine.py") and exists("model.py")
