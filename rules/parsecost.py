"""A linear estimate of the parser's work, to refuse pages it would take minutes on.

mwparserfromhell's tokenizer tries every opener (``{{``, ``[[``, ``<div>``, ``{|``, ``[http…``)
as far as its closer could be; an opener that is never closed is tried to the end of the
text (an external link: to the end of its line), then read again as plain text. So each
unclosed opener costs work in proportion to the text after it, and a page of many costs time
quadratic in its size: 4,000 ``{{a|`` (16 KB) take tens of seconds, a normal 1 MB page a
third of a second. :func:`too_slow_to_parse` pairs openers with closers in one pass per kind
and adds up, for each opener left unpaired, the text it would be tried over, weighted by
what the tokenizer was measured to spend on each kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

# Microseconds the tokenizer spends per character an unclosed opener is tried over (measured
# on a 2-CPU machine with runs of one opener; rounded down, so the estimate is low).
_TEMPLATE_US, _LINK_US, _TAG_US, _TABLE_US, _EXT_LINK_US = 0.5, 0.05, 0.04, 0.1, 0.05
# A line that starts with "=" is tried as a heading to its end, and the tokenizer's work on
# such a line grows with the square of its length (seconds per character squared): 0.8 MB of
# "''x'' a == b " after "== H" took 5.6 s, and 1.2 MB crashed the tokenizer (segmentation
# fault, mwparserfromhell 0.7.2). Lines shorter than the minimum cost nothing.
_HEADING_LINE_S = 4e-12
_HEADING_LINE = re.compile(r"(?m)^=[^\n]{10000,}")
# Refuse a page estimated above this: a normal 4 MB page scores well under 0.1 s.
BUDGET_SECONDS = 2.0

# Tags the tokenizer closes implicitly or never pairs: no search for a closer.
_UNPAIRED = frozenset(
    {
        "br",
        "hr",
        "wbr",
        "img",
        "meta",
        "link",
        "area",
        "base",
        "col",
        "embed",
        "input",
        "param",
        "source",
        "track",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "p",
    }
)


class _Kind(NamedTuple):
    name: str
    pattern: re.Pattern[str]  # an opener starts with "[", "{" or "<", a closer does not
    cost_us: float
    opener: str  # a text with fewer of these than MIN_UNCLOSED needs no look


_KINDS = (
    _Kind("template", re.compile(r"\{\{|\}\}"), _TEMPLATE_US, "{{"),
    _Kind("link", re.compile(r"\[\[|\]\]"), _LINK_US, "[["),
    _Kind("table", re.compile(r"(?m)^[ \t]*(?:\{\||\|\})"), _TABLE_US, "{|"),
    # An external link is tried to its first "]", or to the end of its line.
    _Kind("external link", re.compile(r"\[(?:[a-zA-Z][\w+.-]*:|//)|\]|\n"), _EXT_LINK_US, "["),
    _Kind("tag", re.compile(r"</?[a-zA-Z][\w-]*[^<>]*>"), _TAG_US, "<"),
)
# A few unclosed openers cost little (the tokenizer gives most of them up early): only many
# are worth a look.
MIN_UNCLOSED = 50


def too_slow_to_parse(text: str) -> str | None:
    """Why the parser would take too long on ``text`` (``None``: it will not)."""
    if len(text) < 2_000:  # nothing this short is slow
        return None
    seconds = 0.0
    worst: tuple[float, str, int] = (0.0, "", 0)
    for kind in _KINDS:
        if text.count(kind.opener) < MIN_UNCLOSED:
            continue
        # One pass over the tokens' text alone; offsets only when there are many unclosed.
        if _unclosed(kind, ((0, token) for token in kind.pattern.findall(text))) < MIN_UNCLOSED:
            continue
        spans: list[tuple[int, int]] = []
        _unclosed(
            kind, ((m.start(), m.group()) for m in kind.pattern.finditer(text)), spans, len(text)
        )
        cost = sum(end - at for at, end in spans) * kind.cost_us / 1e6
        seconds += cost
        if cost > worst[0]:
            worst = (cost, kind.name, len(spans))
    long_lines = [len(m.group()) for m in _HEADING_LINE.finditer(text)]
    cost = sum(length * length for length in long_lines) * _HEADING_LINE_S
    seconds += cost
    if cost > worst[0]:
        worst = (cost, "heading line", len(long_lines))
    if seconds <= BUDGET_SECONDS:
        return None
    _, name, count = worst
    if name == "heading line":
        longest = max(long_lines)
        return (
            f"a line of {longest:,} characters that starts with '=' would make the parser take "
            f"about {seconds:.0f} s or more; break it into lines"
        )
    return (
        f"{count} unclosed {name} openers would make the parser take about {seconds:.0f} s "
        "or more; close or remove them"
    )


def _unclosed(
    kind: _Kind,
    tokens: Iterable[tuple[int, str]],
    spans: list[tuple[int, int]] | None = None,
    length: int = 0,
) -> int:
    """How many openers of one kind no closer pairs with; with ``spans``, also each one's
    offset and where the tokenizer gives up on it."""
    if kind.name == "tag":
        return _unclosed_tags(tokens, spans, length)
    link = kind.name == "external link"
    stack: list[int] = []
    count = 0
    for at, token in tokens:
        first = token.lstrip(" \t")[0]
        if first in "[{":
            stack.append(at)
        elif first == "\n":  # the external links of this line were never closed
            count += len(stack)
            if spans is not None:
                spans += [(start, at) for start in stack]
            stack.clear()
        elif stack:
            if link:
                stack.clear()
            else:
                stack.pop()
    if spans is not None:
        spans += [(start, length) for start in stack]
    return count + len(stack)


def _unclosed_tags(
    tokens: Iterable[tuple[int, str]], spans: list[tuple[int, int]] | None, length: int
) -> int:
    open_by_name: dict[str, list[int]] = {}
    for at, token in tokens:
        closing = token[1] == "/"
        name = _TAG_NAME.match(token, 2 if closing else 1)
        tag = name.group().lower() if name else ""
        if tag in _UNPAIRED or token.endswith("/>"):
            continue
        if closing:
            opened = open_by_name.get(tag)
            if opened:
                opened.pop()
        else:
            open_by_name.setdefault(tag, []).append(at)
    starts = [at for opened in open_by_name.values() for at in opened]
    if spans is not None:
        spans += [(at, length) for at in starts]
    return len(starts)


_TAG_NAME = re.compile(r"[a-zA-Z][\w-]*")
