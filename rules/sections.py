"""MediaWiki's section headings, found the way its preprocessor finds them.

Section numbers (``action=edit&section=N``, the ``index`` of ``action=parse&prop=sections``)
are the preprocessor's heading counter (``Preprocessor_Hash::buildDomTreeArrayFromText``):
every heading it recognises takes the next number, also one nested in a template argument,
but only headings left at the top level of the page are sections. Headings inside
comments, extension tags (``<nowiki>``, ``<pre>``, ``<ref>``, …) and ``<includeonly>`` are
not headings at all. mwparserfromhell's tree differs from this in many corners (``== a ==
b`` is a heading there, ``=====`` is not), so this module follows the preprocessor's scan
over the text itself: one pass, each step a regular-expression search.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Extension tags of a Wikipedia-like wiki (core plus Cite, Poem, SyntaxHighlight, Math, …):
# the preprocessor skips their content, so a heading inside one is no heading.
EXTENSION_TAGS = frozenset(
    {
        "categorytree",
        "ce",
        "charinsert",
        "chem",
        "gallery",
        "graph",
        "hiero",
        "imagemap",
        "indicator",
        "inputbox",
        "langconvert",
        "mapframe",
        "maplink",
        "math",
        "nowiki",
        "poem",
        "pre",
        "ref",
        "references",
        "score",
        "section",
        "source",
        "syntaxhighlight",
        "templatedata",
        "templatestyles",
        "timeline",
    }
)
# On a page view (not a transclusion) these tags vanish and their content is read as usual;
# <includeonly>…</includeonly> vanishes with its content.
_IGNORED_TAGS = ("noinclude", "/noinclude", "onlyinclude", "/onlyinclude")
_IGNORED_ELEMENT = "includeonly"
_MAY_RUN_TO_END = frozenset({"includeonly", "noinclude", "onlyinclude"})

# Brace rules: opener -> (closer, element names by count (None: literal text), min, max).
_TEMPLATE = "template"
_RULES: dict[str, tuple[str, dict[int, str | None], int, int]] = {
    "{": ("}", {2: _TEMPLATE, 3: _TEMPLATE}, 2, 3),
    "[": ("]", {2: None}, 2, 2),
    "-{": ("}-", {2: None}, 2, 2),
}


class HeadingLine(NamedTuple):
    """A top-level heading: MediaWiki's section ``index``, ``level`` and where it lies."""

    index: int  # type: ignore[assignment]  # (tuple.index: shadowed on purpose)
    level: int
    start: int  # the first "="
    end: int  # the end of its line (the "\n" or the end of the text)
    title_start: int
    title_end: int


class _Piece:
    """An open construct on the preprocessor's stack (a brace, a bracket or a heading)."""

    __slots__ = (
        "close",
        "comment_end",
        "count",
        "eqpos",
        "headings",
        "open",
        "parts",
        "saved_prefix",
        "start",
        "visual_end",
    )

    def __init__(self, open_: str, close: str, count: int, start: int, prefix: str = "") -> None:
        self.open = open_
        self.close = close
        self.count = count
        self.start = start
        self.saved_prefix = prefix
        self.parts = 1
        self.eqpos = False  # the current part has its name/value "="
        self.headings: list[HeadingLine] = []  # headings in its text, not yet placed
        self.visual_end = -1  # of the current part, before trailing comments
        self.comment_end = -1

    def flags(self) -> tuple[bool, bool, bool]:
        """find_pipe, find_equals, in_heading (PPDStackElement_Hash::getFlags)."""
        find_pipe = self.open not in ("\n", "[")
        return find_pipe, find_pipe and self.parts > 1 and not self.eqpos, self.open == "\n"


def headings(text: str, extension_tags: frozenset[str] = EXTENSION_TAGS) -> list[HeadingLine]:
    """The page's sections' headings, in order, numbered as MediaWiki numbers them."""
    names = sorted(extension_tags | {_IGNORED_ELEMENT}, key=len, reverse=True)
    names += [re.escape(t) for t in _IGNORED_TAGS]
    element = re.compile(rf"({'|'.join(names)})(?:\s|/>|>)|(!--)", re.I)
    length = len(text)
    stack: list[_Piece] = []
    root: list[HeadingLine] = []
    index = 1
    find_pipe = find_equals = in_heading = False
    no_more_gt = False
    no_more_closing: set[str] = set()
    fake_line_start = True
    i = 0
    searches: dict[str, re.Pattern[str]] = {}
    # "-{" opens a language-conversion block; without one a "-" is plain text.
    base = "[{<\n-" if "-{" in text else "[{<\n"

    def collected() -> list[HeadingLine]:
        return stack[-1].headings if stack else root

    def restore_flags() -> None:
        nonlocal find_pipe, find_equals, in_heading
        find_pipe, find_equals, in_heading = stack[-1].flags() if stack else (False, False, False)

    while True:
        fake = fake_line_start
        if fake:
            found = "line-start"
            fake_line_start = False
        else:
            closing = stack[-1].close if stack else ""
            chars = base + closing + ("|" if find_pipe else "") + ("=" if find_equals else "")
            search = searches.get(chars)
            if search is None:
                search = searches[chars] = re.compile("[" + re.escape(chars) + "]")
            match = search.search(text, i)
            i = match.start() if match else length
            if i >= length:
                if closing == "\n":
                    found = "line-end"
                else:
                    break
            else:
                char = text[i]
                two = text[i : i + 2]
                if char == "|":
                    found = "pipe"
                elif char == "=":
                    found = "equals"
                elif char == "<":
                    found = "angle"
                elif char == "\n":
                    found = "line-end" if in_heading else "line-start"
                elif two == closing or char == closing:
                    found = "close"
                elif two in _RULES or char in _RULES:
                    found = "open"
                else:  # a "-" or "}" that opens or closes nothing
                    i += 1
                    continue

        if found == "angle":
            tag = element.match(text, i + 1)
            if tag is None:
                i += 1
                continue
            if tag.group(2):  # a comment
                end = text.find("-->", i + 4)
                if end < 0:  # an unclosed comment hides the rest of the page
                    i = length
                    continue
                ws_start = i - _spaces_before(text, i) if i else 0
                ws_end = end + 2 + _spaces_after(text, end + 3)
                while text.startswith("<!--", ws_end + 1):
                    close = text.find("-->", ws_end + 4)
                    if close < 0:
                        break
                    ws_end = close + 2 + _spaces_after(text, close + 3)
                alone = text[ws_start - 1 : ws_start] == "\n" and ws_start > 0
                if alone and text[ws_end + 1 : ws_end + 2] == "\n":
                    # A comment alone on its line takes the line with it: look for a heading
                    # right after.
                    fake_line_start = True
                    end = ws_end + 1
                else:
                    end += 2
                if stack:
                    top = stack[-1]
                    if top.comment_end != ws_start - 1:
                        top.visual_end = ws_start
                    top.comment_end = end
                i = end + 1
                continue
            name = tag.group(1)
            lower = name.lower()
            attr_start = i + len(name) + 1
            tag_end = -1 if no_more_gt else text.find(">", attr_start)
            if tag_end < 0:
                no_more_gt = True
                i += 1
                continue
            if lower in _IGNORED_TAGS:
                i = tag_end + 1
                continue
            if text[tag_end - 1] != "/":
                close_tag = None
                if name not in no_more_closing:
                    close_tag = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(
                        text, tag_end + 1
                    )
                if close_tag is not None:
                    i = close_tag.end()
                elif name in _MAY_RUN_TO_END:  # case-sensitive, as in MediaWiki
                    i = length
                else:
                    i = tag_end + 1
                    no_more_closing.add(name)
                    continue
            else:
                i = tag_end + 1
            continue

        if found == "line-start":
            if not fake:
                i += 1  # the "\n"
            count = _run_of(text, "=", i, 6)
            if count == 1 and find_equals:
                pass  # looks like a template's name=value separator, not a heading
            elif count > 0:
                stack.append(_Piece("\n", "\n", count, i))
                restore_flags()
                i += count
            continue

        if found == "line-end":
            piece = stack.pop()
            search_start = i - _spaces_before(text, i)
            if piece.comment_end >= 0 and search_start - 1 == piece.comment_end:
                search_start = piece.visual_end
                search_start -= _spaces_before(text, search_start)
            equals = _equals_before(text, search_start, piece.start)
            count = piece.count
            if equals > 0:
                if search_start - equals == piece.start:  # a line of "=" only
                    count = 0 if equals < 3 else min(6, (equals - 1) // 2)
                else:
                    count = min(equals, count)
            else:
                count = 0
            outer = collected()
            if count > 0:
                # The headings inside this one are nested now: they keep their numbers only.
                outer.append(
                    HeadingLine(
                        index, count, piece.start, i, piece.start + count, search_start - count
                    )
                )
                index += 1
            else:
                outer.extend(piece.headings)
            restore_flags()
            continue  # the "\n" may open the next heading: do not step over it

        if found == "open":
            opener = two if two in _RULES else char
            rule = _RULES[opener]
            if len(opener) > 1:
                count = _run_of(text, opener[-1], i + 1) + 1
            else:
                count = _run_of(text, opener, i)
            prefix = ""
            if opener == "-{" and count > 2:  # "-{{": the braces win
                prefix, opener, count = "-", "{", count - 1
                i += 1
                rule = _RULES[opener]
            if count >= rule[2]:
                stack.append(_Piece(opener, rule[0], count, i, prefix))
                restore_flags()
            i += count
            continue

        if found == "close":
            piece = stack[-1]
            closer = two if two == piece.close and len(piece.close) > 1 else char
            count = len(closer) if len(closer) > 1 else _run_of(text, closer, i, piece.count)
            _, names_by_count, minimum, maximum = _RULES[piece.open]
            matching = min(count, maximum)
            while matching > 0 and matching not in names_by_count:
                matching -= 1
            if matching <= 0:
                i += count
                continue
            stack.pop()
            # A template or argument hides the headings inside it; a bracket that is only
            # text hands them on.
            keep = piece.headings if names_by_count[matching] is None else []
            i += matching
            if matching < piece.count:
                piece.count -= matching
                piece.parts, piece.eqpos = 1, False
                piece.headings = []
                piece.visual_end = piece.comment_end = -1
                if piece.count >= minimum:
                    stack.append(piece)
                elif piece.count == 1 and piece.open == "{" and piece.saved_prefix == "-":
                    piece.saved_prefix, piece.open, piece.count = "", "-{", 2
                    piece.close = _RULES["-{"][0]
                    stack.append(piece)
            collected().extend(keep)
            restore_flags()
            continue

        if found == "pipe":
            stack[-1].parts += 1
            stack[-1].eqpos = False
            stack[-1].visual_end = stack[-1].comment_end = -1
            find_equals = True
            i += 1
            continue

        # found == "equals"
        stack[-1].eqpos = True
        find_equals = False
        i += 1

    # Unclosed constructs are text: the headings in them are top-level after all.
    for piece in stack:
        root.extend(piece.headings)
    root.sort(key=lambda h: h.index)
    return root


def _run_of(text: str, char: str, at: int, limit: int | None = None) -> int:
    """How many ``char`` in a row from ``at`` (at most ``limit``)."""
    end = at
    stop = len(text) if limit is None else min(len(text), at + limit)
    while end < stop and text[end] == char:
        end += 1
    return end - at


def _spaces_before(text: str, at: int) -> int:
    """Spaces and tabs right before ``at``."""
    start = at
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return at - start


def _spaces_after(text: str, at: int) -> int:
    end = at
    while end < len(text) and text[end] in " \t":
        end += 1
    return end - at


def _equals_before(text: str, at: int, floor: int) -> int:
    start = at
    while start > floor and text[start - 1] == "=":
        start -= 1
    return at - start
