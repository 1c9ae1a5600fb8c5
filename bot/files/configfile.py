"""Finding and reading config files (the I/O side of :mod:`rules.config`).

``wikilint.toml``, or the ``[tool.wikilint]`` table of a ``pyproject.toml``, found by walking
up from the linted file; validation stays in the pure :class:`rules.Config`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from wikilint.rules.config import Config, ConfigError


def read_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file's tables; unreadable or invalid files raise a one-line ConfigError."""
    import tomllib  # imported when a config file exists: most lints have none

    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_config(path: str | Path) -> Config:
    path = Path(path)
    data = read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: [tool] must be a table")
        data = tool.get("wikilint", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.wikilint] must be a table, not {_toml_type(data)}")
    return Config.from_mapping(data, str(path))


def _toml_type(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
    }.get(type(value), type(value).__name__)


def discover_config(start: str | Path) -> Config:
    """The config found upward from ``start`` (a file or folder), else the defaults."""
    found = find_config_file(start)
    return load_config(found) if found else Config()


def find_config_file(start: str | Path) -> Path | None:
    """``wikilint.toml``, or a ``pyproject.toml`` with ``[tool.wikilint]``, upward from start."""
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "wikilint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_wikilint_table(candidate):
            return candidate
    return None


# What a [tool.wikilint] table looks like in a file that does not parse: it is still ours, and
# its syntax error is a config error rather than a reason to ignore the file.
_MENTIONS_TOOL_TABLE = re.compile(
    r"^\s*\[\s*tool\s*\.\s*wikilint\b|^\s*tool\s*\.\s*wikilint\b|"
    r"^\s*wikilint\s*=",
    re.MULTILINE,
)


def _has_wikilint_table(pyproject: Path) -> bool:
    """Whether a ``pyproject.toml`` has ``[tool.wikilint]``. Invalid TOML that seems to hold
    one counts (loading it then reports the syntax error); an unreadable file does not."""
    import tomllib

    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    # A file that never says "wikilint" has no such table: no need to parse it.
    if "wikilint" not in text:
        return False
    try:
        tool = tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return _MENTIONS_TOOL_TABLE.search(text) is not None
    return not isinstance(tool, dict) or "wikilint" in tool
