"""Rule base class and the registry every rule joins with :func:`register`."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from wikilint.rules.model import Finding, Fix, Fixability, Severity

if TYPE_CHECKING:
    from wikilint.rules.context import Context


@dataclass(frozen=True)
class NoOptions:
    """This rule has no options."""


def option(default: Any, help: str) -> Any:
    """A rule option: its default and the one-line help used in config errors and docs."""
    metadata = {"help": help}
    if isinstance(default, list | dict | set):
        # Mutable defaults: each Options instance gets its own copy.
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


class Rule:
    """A lint rule. Subclasses set the class attributes and implement :meth:`check`.

    The docstring holds the rule's documentation, with the sections *What it does*,
    *Why is this bad?*, *Example*, *Use instead* and *Fix safety* (``wikilint explain``).
    """

    name: ClassVar[str]
    code: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    fixable: ClassVar[Fixability] = Fixability.NONE
    # The edit summary's phrase for this rule's applied fixes: (one, many), ``{n}`` the count,
    # e.g. ("merged {n} duplicate note", "merged {n} duplicate notes"). Fixable rules need it.
    fix_summary: ClassVar[tuple[str, str] | None] = None
    Options: ClassVar[type] = NoOptions

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    def check(self, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, message: str, start: int, end: int, fix: Fix | None = None) -> Finding:
        return Finding(self.name, message, start, end, self.severity, fix)

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def describe_fixes(cls, n: int) -> str:
        """How an edit summary names ``n`` applied fixes of this rule."""
        if cls.fix_summary is None:
            return f"{n} {cls.name}"
        one, many = cls.fix_summary
        return (one if n == 1 else many).format(n=n)


_RULES: dict[str, type[Rule]] = {}
_CODES: dict[str, str] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry (names and codes are unique, forever)."""
    for attr in ("name", "code", "summary", "severity"):
        if not hasattr(cls, attr):
            raise TypeError(f"{cls.__name__} lacks {attr}")
    if cls.name in _RULES and _RULES[cls.name] is not cls:
        raise ValueError(f"rule name {cls.name} registered twice")
    if cls.code in _CODES and _CODES[cls.code] != cls.name:
        raise ValueError(f"rule code {cls.code} used by {_CODES[cls.code]} and {cls.name}")
    if not dataclasses.is_dataclass(cls.Options):
        raise TypeError(f"{cls.name}.Options must be a dataclass")
    _RULES[cls.name] = cls
    _CODES[cls.code] = cls.name
    return cls


def _load() -> None:
    import wikilint.rules.checks  # noqa: F401 - importing registers every rule


def all_rules() -> list[type[Rule]]:
    """Every registered rule, ordered by code."""
    _load()
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(name_or_code: str) -> type[Rule]:
    _load()
    if name_or_code in _RULES:
        return _RULES[name_or_code]
    if name_or_code.upper() in _CODES:
        return _RULES[_CODES[name_or_code.upper()]]
    raise KeyError(name_or_code)


def rule_names() -> list[str]:
    return [r.name for r in all_rules()]


def iter_options(options_cls: type) -> Iterator[tuple[str, Any, str]]:
    """(name, default, help) for each option of a rule's Options dataclass."""
    for f in dataclasses.fields(options_cls):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        yield f.name, default, f.metadata.get("help", "")
