"""wikilint's rules: a pure library from wikitext to findings and fixed text.

No I/O here: no network, no files, no pywikibot. See DESIGN.md.
"""

from rules.config import Config, ConfigError
from rules.context import Context, Environment
from rules.document import Document, ParseError, Section, SectionNotFound
from rules.engine import FixResult, LintResult, fix, lint
from rules.model import Applicability, Edit, Finding, Fix, Fixability, Severity
from rules.registry import Rule, all_rules, get_rule, option, register

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
