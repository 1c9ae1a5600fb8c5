"""Configuration: which rules run and with which options, validated against the registry.

Pure: ``bot.configfile`` finds and reads ``wikilint.toml`` or the ``[tool.wikilint]`` table
of ``pyproject.toml`` and hands the tables to :meth:`Config.from_mapping`::

    select = ["ALL"]            # rule names, codes or code prefixes ("DT", "RF1"); default: all
    ignore = ["insecure-link"]
    extend-select = ["UR3"]     # added to select (from this file or the command line)
    extend-ignore = ["RF107"]   # added to ignore
    exclude = ["drafts/**"]     # files a directory walk skips (replaces the default list)
    extend-exclude = ["old/*.wiki"]

    [per-file-ignores]
    "archive/*.wiki" = ["date-format"]

    [rules.ref-punctuation]
    refs_after_punctuation = false
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wikilint.rules.registry import Rule, all_rules, get_rule, iter_options

_TOP_LEVEL_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "rules",
)
_SELECTION_KEYS = ("select", "ignore", "extend-select", "extend-ignore")
# Folders a directory walk never enters unless ``exclude`` replaces this list (as ruff does).
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
)


class ConfigError(ValueError):
    """An invalid configuration; the message is one line, naming the file when known."""


def closest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the nearest valid spelling, or an empty string."""
    import difflib  # only when a name is wrong: keeps it off every lint's start-up

    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def resolve_rule_name(name: str, where: str = "") -> str:
    try:
        return get_rule(name.strip()).name
    except KeyError:
        known = [r.name for r in all_rules()] + [r.code for r in all_rules()]
        prefix = f"{where}: " if where else ""
        raise ConfigError(f"{prefix}unknown rule {name!r}{closest(name, known)}") from None


def resolve_rule_selector(selector: str, where: str = "") -> list[str]:
    """The rule names a selector stands for: a name, a code, a code prefix (``DT``, ``RF1``,
    ``UR30``: every rule whose code starts so) or ``ALL``."""
    selector = selector.strip()
    if selector.upper() == "ALL":
        return [r.name for r in all_rules()]
    try:
        return [get_rule(selector).name]
    except KeyError:
        pass
    prefix = selector.upper()
    if prefix[:1].isalpha() and prefix.isalnum():
        matched = [r.name for r in all_rules() if r.code.startswith(prefix)]
        if matched:
            return matched
    return [resolve_rule_name(selector, where)]  # raises with a "did you mean"


def _resolve_selection(names: Iterable[str], where: str) -> tuple[str, ...]:
    resolved: list[str] = []
    for raw in names:
        for name in str(raw).split(","):
            if name.strip():
                resolved.extend(resolve_rule_selector(name, where))
    return tuple(dict.fromkeys(resolved))


def _string_list(data: Mapping[str, Any], key: str, where: str, what: str) -> list[str] | None:
    value = data.get(key)
    if value is not None and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        raise ConfigError(f"{where}: {key} must be a list of {what}")
    return value


def _matches(path: str, pattern: str) -> bool:
    """Whether a ``/``-separated path relative to the config's folder matches a glob: the whole
    path (``*`` crosses folders), or its tail (``*.wiki`` matches in any folder)."""
    from fnmatch import fnmatchcase
    from pathlib import PurePosixPath

    pattern = pattern.removeprefix("./")
    if fnmatchcase(path, pattern):
        return True
    try:
        return PurePosixPath(path).match(pattern)
    except ValueError:  # an empty pattern
        return False


def _check_value(rule: str, key: str, value: Any, default: Any, where: str) -> Any:
    expected = type(default)
    ok = isinstance(value, expected)
    if expected is int and isinstance(value, bool):
        ok = False
    if isinstance(default, list):
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    if default is None:
        ok = True
    if not ok:
        raise ConfigError(f"{where}: rules.{rule}.{key} must be {expected.__name__}, got {value!r}")
    return value


def build_options(rule: type[Rule], raw: Mapping[str, Any], where: str) -> Any:
    known = {name: default for name, default, _ in iter_options(rule.Options)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown option {key!r} for rule {rule.name}{closest(key, known)}"
                if known
                else f"{where}: rule {rule.name} has no options (got {key!r})"
            )
        values[key] = _check_value(rule.name, key, value, known[key], where)
    return rule.Options(**values)


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None  # None: every rule
    ignore: tuple[str, ...] = ()
    rule_options: Mapping[str, Any] = field(default_factory=dict)  # name -> Options instance
    path: str | None = None
    extend_select: tuple[str, ...] = ()
    # (glob, rule names) pairs, matched against paths relative to the config file's folder
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "<config>") -> Config:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: the wikilint settings must be a table")
        for key in data:
            if key not in _TOP_LEVEL_KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}{closest(key, _TOP_LEVEL_KEYS)}")
        lists = {
            key: _string_list(data, key, where, "rule names or codes") for key in _SELECTION_KEYS
        }
        excludes = {
            key: _string_list(data, key, where, "glob patterns")
            for key in ("exclude", "extend-exclude")
        }
        per_file = data.get("per-file-ignores", {})
        if not isinstance(per_file, Mapping):
            raise ConfigError(f"{where}: [per-file-ignores] must be a table of glob = [rules]")
        per_file_ignores = []
        for pattern, names in per_file.items():
            if not (isinstance(names, list) and all(isinstance(v, str) for v in names)):
                raise ConfigError(
                    f"{where}: per-file-ignores.{pattern!r} must be a list of rule names or codes"
                )
            per_file_ignores.append((pattern, _resolve_selection(names, where)))
        tables = data.get("rules", {})
        if not isinstance(tables, Mapping):
            raise ConfigError(f"{where}: [rules] must be a table of rule tables")
        options: dict[str, Any] = {}
        for name, raw in tables.items():
            rule = get_rule(resolve_rule_name(name, where))
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{where}: [rules.{name}] must be a table")
            options[rule.name] = build_options(rule, raw, where)
        select = lists["select"]
        return cls(
            select=None if select is None else _resolve_selection(select, where),
            ignore=_resolve_selection(
                (lists["ignore"] or []) + (lists["extend-ignore"] or []), where
            ),
            rule_options=options,
            path=None if where == "<config>" else where,
            extend_select=_resolve_selection(lists["extend-select"] or [], where),
            per_file_ignores=tuple(per_file_ignores),
            exclude=DEFAULT_EXCLUDE if excludes["exclude"] is None else tuple(excludes["exclude"]),
            extend_exclude=tuple(excludes["extend-exclude"] or ()),
        )

    def with_selection(
        self,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        extend_select: Iterable[str] | None = None,
    ) -> Config:
        """Command-line ``--select``/``--ignore``/``--extend-select`` on top of the file's
        settings: ``--select`` replaces the file's selection, the others add to it."""
        changes: dict[str, Any] = {}
        if select:
            changes["select"] = _resolve_selection(select, "--select")
            changes["extend_select"] = ()
        if ignore:
            changes["ignore"] = self.ignore + _resolve_selection(ignore, "--ignore")
        if extend_select:
            changes["extend_select"] = changes.get(
                "extend_select", self.extend_select
            ) + _resolve_selection(extend_select, "--extend-select")
        return dataclasses.replace(self, **changes) if changes else self

    def for_file(self, relative_path: str) -> Config:
        """This config for one file: its ``per-file-ignores`` added to ``ignore``.
        ``relative_path`` is ``/``-separated, relative to the config file's folder."""
        extra = [
            name
            for pattern, names in self.per_file_ignores
            if _matches(relative_path, pattern)
            for name in names
        ]
        if not extra:
            return self
        return dataclasses.replace(self, ignore=tuple(dict.fromkeys(self.ignore + tuple(extra))))

    def is_excluded(self, relative_path: str) -> bool:
        """Whether a directory walk skips this file or folder (``exclude`` + ``extend-exclude``;
        a pattern naming a folder excludes everything below it)."""
        parts = relative_path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        return any(
            _matches(candidate, pattern)
            for pattern in (*self.exclude, *self.extend_exclude)
            for candidate in candidates
        )

    def enabled(self) -> list[Rule]:
        """Instances of the selected rules, with their options."""
        chosen = []
        for rule in all_rules():
            selected = self.select is None or rule.name in self.select
            if not selected and rule.name not in self.extend_select:
                continue
            if rule.name in self.ignore:
                continue
            chosen.append(rule(self.rule_options.get(rule.name)))
        return chosen
