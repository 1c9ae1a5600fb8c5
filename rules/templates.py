"""Reading template parameters: values as written, and their exact spans."""

from __future__ import annotations

from mwparserfromhell.nodes import Template
from mwparserfromhell.nodes.extras import Parameter

from rules.document import Document


def find_param(template: Template, *names: str) -> Parameter | None:
    """The last parameter with one of these names (MediaWiki: the last one wins)."""
    found = None
    wanted = set(names)
    for param in template.params:
        if str(param.name).strip() in wanted:
            found = param
    return found


def param_value(template: Template, *names: str) -> str:
    """The stripped text of a parameter, or ``""`` when absent."""
    param = find_param(template, *names)
    return str(param.value).strip() if param is not None else ""


def value_span(doc: Document, param: Parameter) -> tuple[int, int]:
    """``[start, end)`` of the value with its surrounding whitespace removed."""
    start, end = doc.code_span(param.value)
    raw = doc.text[start:end]
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw) - len(raw.rstrip())
    return start + lead, max(start + lead, end - trail)
