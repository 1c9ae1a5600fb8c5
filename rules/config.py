"""Configuration: which rules run and with which options, validated against the registry.

Pure: ``bot.configfile`` finds and reads ``wikilint.toml`` or the ``[tool.wikilint]`` table
of ``pyproject.toml`` and hands the tables to :meth:`Config.from_mapping`::

    select = ["ALL"]            # rule names or codes; default: every rule
    ignore = ["insecure-link"]

    [rules.ref-punctuation]
    refs_after_punctuation = false
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wikilint.rules.registry import Rule, all_rules, get_rule, iter_options

_TOP_LEVEL_KEYS = ("select", "ignore", "rules")


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


def _resolve_selection(names: Iterable[str], where: str) -> tuple[str, ...]:
    resolved: list[str] = []
    for raw in names:
        for name in str(raw).split(","):
            name = name.strip()
            if not name:
                continue
            if name.upper() == "ALL":
                resolved.extend(r.name for r in all_rules())
            else:
                resolved.append(resolve_rule_name(name, where))
    return tuple(dict.fromkeys(resolved))


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
        raise ConfigError(
            f"{where}: rules.{rule}.{key} must be {expected.__name__}, got {value!r}"
        )
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

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "<config>") -> Config:
        for key in data:
            if key not in _TOP_LEVEL_KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}{closest(key, _TOP_LEVEL_KEYS)}")
        select = data.get("select")
        ignore = data.get("ignore", [])
        for label, value in (("select", select), ("ignore", ignore)):
            if value is not None and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise ConfigError(f"{where}: {label} must be a list of rule names")
        tables = data.get("rules", {})
        if not isinstance(tables, Mapping):
            raise ConfigError(f"{where}: [rules] must be a table of rule tables")
        options: dict[str, Any] = {}
        for name, raw in tables.items():
            rule = get_rule(resolve_rule_name(name, where))
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{where}: [rules.{name}] must be a table")
            options[rule.name] = build_options(rule, raw, where)
        return cls(
            select=None if select is None else _resolve_selection(select, where),
            ignore=_resolve_selection(ignore, where),
            rule_options=options,
            path=None if where == "<config>" else where,
        )

    def with_selection(
        self, select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
    ) -> Config:
        """Command-line ``--select``/``--ignore`` on top of the file's settings."""
        changes: dict[str, Any] = {}
        if select:
            changes["select"] = _resolve_selection(select, "--select")
        if ignore:
            changes["ignore"] = self.ignore + _resolve_selection(ignore, "--ignore")
        return dataclasses.replace(self, **changes)

    def enabled(self) -> list[Rule]:
        """Instances of the selected rules, with their options."""
        chosen = []
        for rule in all_rules():
            if self.select is not None and rule.name not in self.select:
                continue
            if rule.name in self.ignore:
                continue
            chosen.append(rule(self.rule_options.get(rule.name)))
        return chosen
