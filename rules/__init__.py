"""wikilint's rules: a pure library from wikitext to findings and fixed text.

No I/O here: no network, no files, no pywikibot. See DESIGN.md.
"""

from wikilint.rules.config import Config, ConfigError
from wikilint.rules.context import Context, Environment
from wikilint.rules.document import Document, ParseError, Section, SectionNotFound
from wikilint.rules.engine import FixResult, LintResult, fix, lint
from wikilint.rules.model import Applicability, Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule, all_rules, get_rule, option, register

__all__ = [
    "Applicability",
    "Config",
    "ConfigError",
    "Context",
    "Document",
    "Edit",
    "Environment",
    "Finding",
    "Fix",
    "FixResult",
    "Fixability",
    "LintResult",
    "ParseError",
    "Rule",
    "Section",
    "SectionNotFound",
    "Severity",
    "all_rules",
    "fix",
    "get_rule",
    "lint",
    "option",
    "register",
]
