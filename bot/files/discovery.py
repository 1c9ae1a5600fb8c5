"""Which files a directory argument stands for, the way ruff finds Python files: every
``*.wiki``, ``*.wikitext`` and ``*.mediawiki`` file below it, in sorted order, minus the
config's ``exclude``/``extend-exclude`` patterns and, by default, the files git ignores.

Files named on the command line are always linted: exclusion is for what a directory walk
finds.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from wikilint.rules.config import Config

WIKI_SUFFIXES = (".wiki", ".wikitext", ".mediawiki")


def expand(
    args: Iterable[str], config_for: Callable[[Path], Config], respect_gitignore: bool = True
) -> tuple[list[str], list[str]]:
    """The inputs behind the command line's arguments, and notes about directories that held
    no wiki files. ``config_for(folder)`` is the config that applies there."""
    paths: list[str] = []
    notes: list[str] = []
    for arg in args:
        folder = Path(arg)
        if arg == "-" or not folder.is_dir():
            paths.append(arg)
            continue
        found = walk(folder, config_for(folder))
        if respect_gitignore:
            ignored = git_ignored(folder, found)
            found = [p for p in found if p not in ignored]
        if not found:
            notes.append(f"{arg}: no {', '.join('*' + s for s in WIKI_SUFFIXES)} files to lint")
        paths.extend(str(p) for p in found)
    return paths, notes


def walk(folder: Path, config: Config) -> list[Path]:
    """Wiki files below ``folder``, sorted, without the excluded ones (patterns are relative
    to the config file's folder, else to ``folder``)."""
    base = Path(config.path).resolve().parent if config.path else folder.resolve()

    def relative(path: Path) -> str:
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:  # outside the config's folder: relative to the walked folder
            return path.relative_to(folder).as_posix()

    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not config.is_excluded(relative(here / d)))
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() in WIKI_SUFFIXES and not config.is_excluded(relative(path)):
                found.append(path)
    return sorted(found)


def git_ignored(folder: Path, paths: list[Path]) -> set[Path]:
    """The paths git ignores in the repository holding ``folder`` (none outside a repository,
    or when git is not installed)."""
    if not paths:
        return set()
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "check-ignore", "-z", "--stdin"],
            input="\0".join(str(p.resolve()) for p in paths) + "\0",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if result.returncode not in (0, 1):  # 128: not a repository
        return set()
    ignored = {Path(p) for p in result.stdout.split("\0") if p}
    return {p for p in paths if p.resolve() in ignored}
