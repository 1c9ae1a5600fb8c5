"""Small helpers about wikitext names and content that every rule shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mwparserfromhell.nodes import Template
    from mwparserfromhell.wikicode import Wikicode

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_NAME_SPACES = re.compile(r"[\s_]+")

FOOTNOTE_TEMPLATES = frozenset(
    {"efn", "efn-ua", "efn-lr", "efn-ur", "efn-lg", "efn-la", "efn-ll", "efn-lu", "refn"}
)
EFN_TEMPLATES = FOOTNOTE_TEMPLATES - {"refn"}
SHORT_CITE_TEMPLATES = frozenset({"sfn", "sfnp", "sfnm", "harv", "harvnb", "harvp", "rp"})
CITATION_EXTRA = frozenset({"citation"})


def strip_comments(text: str) -> str:
    """``text`` without its comments (an unclosed one runs to the end)."""
    return _COMMENT.sub("", text)


# Extension tags whose content no rule may report on or edit (RULES.md "Protected regions").
PROTECTED_TAGS = frozenset(
    {
        "nowiki",
        "pre",
        "syntaxhighlight",
        "source",
        "math",
        "code",
        "templatedata",
        "score",
        "graph",
    }
)


def normalize_content(text: str) -> str:
    """Runs of whitespace collapsed to one space, stripped (RULES.md "Normalized content")."""
    # str.split() splits on exactly the characters \s matches (str.isspace), without a regex.
    return " ".join(text.split())


def normalize_template_name(raw: str) -> str:
    """``{{ cite_Web }}`` → ``cite Web``: comments dropped, ``_``/space runs folded,
    ``Template:`` dropped and the first letter lower-cased (MediaWiki's first letter is
    case-insensitive; the rest is kept so callers may decide)."""
    name = strip_comments(raw)
    name = _NAME_SPACES.sub(" ", name).strip()
    if name.lower().startswith("template:"):
        name = name[len("template:") :].strip()
    if name.startswith(":"):
        name = name[1:].strip()
    return name[:1].lower() + name[1:]


def template_key(template: Template | str) -> str:
    """Fully lower-cased normalized name, the form used to classify templates."""
    raw = template if isinstance(template, str) else str(template.name)
    return normalize_template_name(raw).lower()


def is_citation_template(key: str) -> bool:
    return key.startswith("cite ") or key in CITATION_EXTRA


def is_footnote_template(key: str) -> bool:
    return key in FOOTNOTE_TEMPLATES


def is_short_cite_template(key: str) -> bool:
    return key in SHORT_CITE_TEMPLATES


def tag_name(raw: Wikicode | str) -> str:
    return str(raw).strip().lower()


_UNCLOSED_COMMENT = re.compile(r"<!--")


def protected_ranges(text: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The protected regions of ``text``, given the spans of its comments and protected tags:
    those, and an unclosed ``<!--`` to the end of the page (MediaWiki hides it; the parser
    keeps it as text), merged."""
    ranges = list(ranges)
    for match in _UNCLOSED_COMMENT.finditer(text):
        at = match.start()
        if not _inside(ranges, at):
            close = text.find("-->", at + 4)
            ranges.append((at, len(text) if close < 0 else close + 3))
    return merge_ranges(ranges)


def _inside(ranges: list[tuple[int, int]], at: int) -> bool:
    return any(s <= at < e for s, e in ranges)


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` ranges sorted, with overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
