"""``<!-- wikilint-disable RULE[,RULE] -->`` … ``<!-- wikilint-enable RULE[,RULE] -->`` regions."""

from __future__ import annotations

import re
from typing import NamedTuple

from mwparserfromhell.nodes import Comment
from wikilint.rules.document import Document

_DIRECTIVE = re.compile(r"^\s*wikilint-(disable|enable)\b(.*?)\s*$", re.S)
ALL = "*"


class Suppressions(NamedTuple):
    """Disabled regions per rule name (``*`` = every rule)."""

    regions: dict[str, list[tuple[int, int]]]

    def suppressed(self, rule: str, offset: int) -> bool:
        for key in (rule, ALL):
            for start, end in self.regions.get(key, ()):
                if start <= offset < end:
                    return True
        return False

    def __bool__(self) -> bool:
        return bool(self.regions)


def find_suppressions(doc: Document) -> Suppressions:
    open_at: dict[str, int] = {}
    regions: dict[str, list[tuple[int, int]]] = {}
    for node in doc.nodes_of(Comment):
        match = _DIRECTIVE.match(node.contents)
        if not match:
            continue
        action, names_text = match.groups()
        names = [n.strip() for n in re.split(r"[,\s]+", names_text) if n.strip()] or [ALL]
        start, end = doc.span(node)
        for name in names:
            if action == "disable":
                open_at.setdefault(name, end)
            elif name == ALL:
                # A bare enable closes every open region.
                for key in list(open_at):
                    regions.setdefault(key, []).append((open_at.pop(key), start))
            elif name in open_at:
                regions.setdefault(name, []).append((open_at.pop(name), start))
    for name, start in open_at.items():
        regions.setdefault(name, []).append((start, len(doc.text)))
    return Suppressions(regions)
