"""``bot.toml``: what a scheduled ``wikilint run`` does, validated before anything touches a wiki.

Every table and key is checked: a typo is an error naming the file, the table and the closest
valid key, on one line (a cron mail with a traceback helps nobody). Relative paths are
resolved against the folder holding ``bot.toml``. See ``examples/bot.toml`` for every key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wikilint.bot.change.timelimit import DEFAULT_PAGE_LINT_TIMEOUT
from wikilint.bot.files.configfile import read_toml
from wikilint.bot.wiki.generators import CATEGORY_DEPTH_MAX
from wikilint.bot.wiki.sources import SourceSettings
from wikilint.rules.config import Config, ConfigError, closest

Mode = Literal["submit", "propose"]
MODES: tuple[str, ...] = ("submit", "propose")
UNSAFE_POLICIES: tuple[str, ...] = ("propose", "skip")
COSMETIC_CHECKS: tuple[str, ...] = ("render", "whitespace")


@dataclass(frozen=True)
class WikiSettings:
    site: str | None = None  # "family:code", a family name or an api.php URL; None: user-config
    user: str | None = None
    password_file: Path | None = None  # pywikibot password file (never passwords in bot.toml)
    summary_prefix: str = "wikilint"
    docs_page: str | None = None  # linked from every edit summary
    minor: bool = True
    tags: str | None = None
    # An email address or a URL where site operators can reach whoever runs the bot: sent in
    # the User-Agent when fetching page titles for unsafe fixes (none fetched without it).
    contact: str | None = None


@dataclass(frozen=True)
class FixSettings:
    unsafe: Literal["propose", "skip"] = "propose"  # the bot itself only ever saves safe fixes


@dataclass(frozen=True)
class Limits:
    max_edits: int = 0  # per run; 0 = no limit
    max_pages: int = 0  # pages read and linted per run; 0 = no limit
    edit_throttle: float = 10.0  # seconds between saves
    maxlag: int = 5  # seconds of replication lag at which the wiki asks bots to wait
    time_budget: float = 0.0  # seconds; 0 = no limit
    max_page_size: int = 300_000  # bytes of wikitext; larger pages are skipped
    max_retries: int = 3  # per request (maxlag, 5xx, non-JSON), then the run stops resumably
    retry_wait: float = 5.0  # first backoff; doubles per retry up to retry_max
    retry_max: float = 60.0
    # Seconds one page's lint and fixes may take, in a worker process killed at the limit (a
    # page can make the parser quadratic); 0 = lint in the run's own process, no limit.
    page_lint_timeout: float = DEFAULT_PAGE_LINT_TIMEOUT


@dataclass(frozen=True)
class SafetySettings:
    shutoff_page: str | None = None  # e.g. "User:WikilintBot/Shutoff"
    shutoff_run_value: str = "run"  # any other content stops the run
    check_talk: bool = True  # a new talk-page message stops the run
    in_use_templates: tuple[str, ...] = ("In use", "Under construction")
    cosmetic_check: Literal["render", "whitespace"] = "render"


@dataclass(frozen=True)
class StateSettings:
    journal: Path = Path("wikilint-journal.sqlite")
    proposals: Path | None = None  # bot/store.py's default when None


@dataclass(frozen=True)
class BotConfig:
    path: Path
    mode: Mode = "submit"
    wiki: WikiSettings = field(default_factory=WikiSettings)
    sources: SourceSettings = field(default_factory=SourceSettings)
    lint: Config = field(default_factory=Config)
    fixes: FixSettings = field(default_factory=FixSettings)
    limits: Limits = field(default_factory=Limits)
    safety: SafetySettings = field(default_factory=SafetySettings)
    state: StateSettings = field(default_factory=StateSettings)

    @property
    def lock_path(self) -> Path:
        return self.state.journal.with_name(self.state.journal.name + ".lock")


# The documented range of every number in bot.toml, as (table, key) → (lowest, highest): a
# value outside it (nan and inf included) is a one-line error naming the file, table and key.
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("sources", "category_depth"): (0, CATEGORY_DEPTH_MAX),
    ("sources", "recent_changes_days"): (1, 90),  # MediaWiki keeps recent changes 90 days
    ("sources", "namespaces"): (0, 100_000),  # no special (-1) or media (-2) pages
    ("limits", "max_edits"): (0, 1_000_000),
    ("limits", "max_pages"): (0, 100_000_000),
    ("limits", "edit_throttle"): (0, 3600),
    ("limits", "maxlag"): (1, 3600),
    ("limits", "time_budget"): (0, 7 * 86400),
    ("limits", "max_page_size"): (0, 100_000_000),
    ("limits", "max_retries"): (1, 100),
    ("limits", "retry_wait"): (0, 3600),
    ("limits", "retry_max"): (0, 86400),
    ("limits", "page_lint_timeout"): (0, 3600),
}


def describe_range(table: str, key: str) -> str:
    low, high = RANGES[(table, key)]
    return f"{int(low)} to {int(high)}"


# -- loading --------------------------------------------------------------------------------

_TABLES = ("mode", "wiki", "sources", "lint", "fixes", "limits", "safety", "state")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def load(path: str | Path) -> BotConfig:
    """Read and validate ``bot.toml``; raises :class:`ConfigError` with a one-line message."""
    path = Path(path)
    return from_mapping(read_toml(path), path)


def from_mapping(data: Mapping[str, Any], path: Path) -> BotConfig:
    where = str(path)
    base = path.resolve().parent
    _known(data, _TABLES, where, "")
    mode = data.get("mode", "submit")
    if mode not in MODES:
        raise ConfigError(
            f"{where}: mode must be one of {', '.join(MODES)}, got {mode!r}"
            f"{closest(str(mode), MODES)}"
        )
    lint_table = _table(data, "lint", where)
    return BotConfig(
        path=path,
        mode=mode,
        wiki=_build(WikiSettings, _table(data, "wiki", where), where, "wiki", base),
        sources=_build(SourceSettings, _table(data, "sources", where), where, "sources", base),
        lint=Config.from_mapping(lint_table, f"{where}: [lint]"),
        fixes=_build(FixSettings, _table(data, "fixes", where), where, "fixes", base),
        limits=_build(Limits, _table(data, "limits", where), where, "limits", base),
        safety=_build(SafetySettings, _table(data, "safety", where), where, "safety", base),
        state=_state(_table(data, "state", where), where, base),
    )


def _table(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return value


def _known(data: Mapping[str, Any], keys: tuple[str, ...], where: str, table: str) -> None:
    for key in data:
        if key not in keys:
            in_table = f" in [{table}]" if table else ""
            raise ConfigError(f"{where}: unknown key {key!r}{in_table}{closest(key, keys)}")


def _state(raw: Mapping[str, Any], where: str, base: Path) -> StateSettings:
    settings = _build(StateSettings, raw, where, "state", base)
    if not settings.journal.is_absolute():
        settings = StateSettings(base / settings.journal, settings.proposals)
    for key, path in (("journal", settings.journal), ("proposals", settings.proposals)):
        if path is not None and path.is_dir():
            raise ConfigError(
                f"{where}: [state] {key} {str(path)!r} is a directory, not a database file"
            )
    return settings


def _build(cls: type, raw: Mapping[str, Any], where: str, table: str, base: Path) -> Any:
    defaults = cls()
    fields = cls.__dataclass_fields__
    _known(raw, tuple(fields), where, table)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        label = f"{where}: [{table}] {key}"
        values[key] = _coerce(value, getattr(defaults, key), fields[key].type, base, label)
        if (table, key) in RANGES:
            _check_range(values[key], table, key, label)
    return _validate(cls(**values), where, table)


def _check_range(value: Any, table: str, key: str, label: str) -> None:
    low, high = RANGES[(table, key)]
    for number in value if isinstance(value, tuple) else (value,):
        if not low <= number <= high:  # False for nan as well
            raise ConfigError(f"{label} must be from {describe_range(table, key)}, got {number!r}")


def _coerce(value: Any, default: Any, annotation: str, base: Path, label: str) -> Any:
    """Check one value against its field's type (annotations are strings: postponed)."""
    if "Path" in annotation:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{label} must be a path string, got {value!r}")
        p = Path(value).expanduser()
        return p if p.is_absolute() else base / p
    if "Literal" in annotation:
        choices = tuple(re.findall(r"['\"]([^'\"]+)['\"]", annotation))
        if value not in choices:
            raise ConfigError(
                f"{label} must be one of {', '.join(choices)}, got {value!r}"
                f"{closest(str(value), choices)}"
            )
        return value
    if annotation.startswith("tuple"):
        item = int if "int" in annotation else str
        if isinstance(value, item) and not isinstance(value, bool):
            value = [value]  # a single title or category is a list of one
        if not isinstance(value, list) or not all(
            isinstance(v, item) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(f"{label} must be a list of {item.__name__}, got {value!r}")
        return tuple(value)
    if isinstance(default, bool) or annotation == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{label} must be true or false, got {value!r}")
        return value
    if annotation == "float":
        if isinstance(value, str):
            return _duration(value, label)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ConfigError(f"{label} must be a finite number >= 0, got {value!r}")
        return float(value)
    if annotation == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{label} must be an integer >= 0, got {value!r}")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{label} must be a string, got {value!r}")
    return value


def _duration(value: str, label: str) -> float:
    """``"90"``, ``"30s"``, ``"20m"``, ``"2h"``, ``"1d"`` → seconds."""
    m = _DURATION.match(value)
    if not m:
        raise ConfigError(f"{label} must be seconds or a duration like '30m', got {value!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


_EMAIL = re.compile(r"^[^@\s()<>;]+@[^@\s()<>;]+\.[^@\s()<>;.]+$")
_URL = re.compile(r"^https?://[^\s()<>;]+\.[^\s()<>;]+$", re.I)


def valid_contact(contact: str) -> bool:
    """An email address or an http(s) URL, safe inside a User-Agent (no spaces, no parens)."""
    return bool(_EMAIL.match(contact) or _URL.match(contact))


def _validate(settings: Any, where: str, table: str) -> Any:
    if (
        isinstance(settings, WikiSettings)
        and settings.contact is not None
        and not valid_contact(settings.contact)
    ):
        raise ConfigError(
            f"{where}: [wiki] contact must be an email address or an http(s) "
            f"URL (sent in the User-Agent), got {settings.contact!r}"
        )
    if (
        isinstance(settings, SourceSettings)
        and settings.titles_file is not None
        and not settings.titles_file.is_file()
    ):
        raise ConfigError(
            f"{where}: [sources] titles_file {str(settings.titles_file)!r} does not exist"
        )
    if isinstance(settings, SourceSettings) and settings.pages_from:
        from wikilint.bot.wiki.generators import GeneratorArgError, check_generator_args

        try:
            check_generator_args(settings.pages_from)
        except GeneratorArgError as exc:
            raise ConfigError(f"{where}: [sources] pages_from: {exc}") from exc
    if isinstance(settings, Limits) and settings.retry_max < settings.retry_wait:
        raise ConfigError(
            f"{where}: [limits] retry_max ({settings.retry_max:g}) must not be "
            f"below retry_wait ({settings.retry_wait:g})"
        )
    if isinstance(settings, SafetySettings) and not settings.shutoff_run_value.strip():
        raise ConfigError(f"{where}: [safety] shutoff_run_value must not be empty")
    return settings


def validate_for_run(config: BotConfig) -> None:
    """Checks that only matter when a run starts (``load`` also serves ``--help`` tooling)."""
    if config.sources.empty:
        raise ConfigError(
            f"{config.path}: [sources] names no pages: set titles, titles_file, "
            "categories, transcluding, recent_changes, search or pages_from"
        )
