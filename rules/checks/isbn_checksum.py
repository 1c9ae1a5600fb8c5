"""isbn-checksum: an ISBN with a wrong length, a bad character or a wrong check digit."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from mwparserfromhell.nodes import ExternalLink, Template, Text, Wikilink
from wikilint.rules.context import Context
from wikilint.rules.document import Document
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.registry import Rule, register

ISBN_PARAMS = frozenset({"isbn", "ISBN"})
ISBN_TEMPLATES = frozenset({"isbn", "isbnt"})
# MediaWiki's ISBN magic link: "ISBN", spaces, then 10 or 13 digits with optional separators.
_MAGIC = re.compile(r"\bISBN(?:[ \t]|&nbsp;|&#160;)+((?:97[89][ -]?)?(?:[0-9][ -]?){9}[0-9Xx])\b")
# ``"isbn" in text.lower()`` without lower(): no other character lower-cases to one of these
# letters (İ becomes "i" + a combining dot, which cannot be followed by "s").
_ANY_CASE_ISBN = re.compile(r"[iI][sS][bB][nN]")
_ALLOWED = re.compile(r"^[0-9Xx -]+$")
_SKIP = ("{{", "[[", "<", "&")


def isbn_problem(raw: str) -> str | None:
    """Why ``raw`` is not a valid ISBN-10/13 (as CS1 checks it), or ``None`` when it is.

    Hyphens and spaces are separators; ``X`` is allowed only as the last character of an
    ISBN-10.
    """
    value = raw.strip()
    if not _ALLOWED.match(value):
        return "invalid character"
    digits = value.replace("-", "").replace(" ", "").upper()
    if len(digits) == 10:
        if not digits[:9].isdigit():
            return "invalid character"
        total = sum((10 - i) * int(c) for i, c in enumerate(digits[:9]))
        check = 10 if digits[9] == "X" else int(digits[9])
        return None if (total + check) % 11 == 0 else "wrong check digit"
    if len(digits) == 13:
        if not digits.isdigit():
            return "invalid character"
        if not digits.startswith(("978", "979")):
            return "an ISBN-13 starts with 978 or 979"
        total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(digits))
        return None if total % 10 == 0 else "wrong check digit"
    return f"wrong length ({len(digits)} digits; an ISBN has 10 or 13)"


def _in_isbn_param(doc: Document, node: Text) -> bool:
    parent = doc.parent(node)
    if type(parent) is not Template:
        return False
    at = doc.span(node)[0]
    for name, param in doc.named_params(parent):
        p_start, p_end = doc.code_span(param.value)
        if p_start <= at < p_end:
            return name in ISBN_PARAMS
    return False


def _accepted_as_written(value: str) -> bool:
    return value.startswith("((") and value.endswith("))")


@register
class IsbnChecksum(Rule):
    """## What it does
    Checks ISBNs in citation `isbn=`/`ISBN=` parameters, in `{{ISBN|…}}` and in `ISBN 978…`
    magic words: length (10 or 13 digits), characters (digits, hyphens, spaces, a final `X`
    for ISBN-10; ISBN-13 starting with 978/979) and the check digit. Values wrapped in
    `((…))` are accepted as written; values holding templates, links, tags or entities are
    skipped.

    ## Why is this bad?
    A wrong ISBN sends readers to another book or nowhere, and shows a CS1 error.

    ## Example
    ```wikitext
    {{cite book |title=Trotsky |isbn=978-0-674-01801-4}}
    ```

    ## Use instead
    ```wikitext
    {{cite book |title=Trotsky |isbn=978-0-674-01801-3}}
    ```

    ## Fix safety
    No fix: only the book in hand tells the right number.
    """

    name = "isbn-checksum"
    code = "UR306"
    summary = "Invalid ISBN (length, characters or check digit)"
    severity = Severity.ERROR
    fixable = Fixability.NONE

    def check(self, ctx: Context) -> Iterator[Finding]:
        doc = ctx.doc
        # Where "isbn" occurs in any case: one scan of the page, not one lower() per citation.
        # (Not text.lower(): for non-ASCII text it allocates 12 bytes per character.)
        hits = [m.start() for m in _ANY_CASE_ISBN.finditer(doc.text)]
        if not hits and not any(key in doc.templates_by_key for key in ISBN_TEMPLATES):
            return  # most pages: no ISBN anywhere (a template key may hide it behind comments)
        for use in doc.templates:
            if use.key in ISBN_TEMPLATES:
                params = [p for p in use.node.params if not p.showkey]
            elif use.key.startswith("cite ") or use.key == "citation":
                i = bisect.bisect_left(hits, use.start)
                if i == len(hits) or hits[i] + 4 > use.end:
                    continue  # no "isbn" in the citation's text
                params = [p for n, p in doc.named_params(use.node) if n in ISBN_PARAMS]
            else:
                continue
            for param in params:
                value = doc.code_text(param.value).strip()
                if not value or _accepted_as_written(value) or any(s in value for s in _SKIP):
                    continue
                problem = isbn_problem(value)
                if problem:
                    start, end = doc.value_span(param)
                    yield self.finding(f"invalid ISBN {value!r}: {problem}", start, end)
        matches = list(_magic_words(doc.text))
        if not matches:
            return
        # The Text index is built only when a magic word is there at all.
        texts = ctx.shared("isbn-checksum.text_spans", _text_spans)
        starts = [t[0] for t in texts]
        for match in matches:
            # the word "ISBN" must be running text: in a Text node outside links
            i = bisect.bisect_right(starts, match.start()) - 1
            if i < 0 or match.start() + 4 > texts[i][1]:
                continue
            node = texts[i][2]
            if any(type(a) in (ExternalLink, Wikilink) for a in doc.ancestors(node)):
                continue
            if _in_isbn_param(doc, node):
                continue  # already checked as a parameter value
            problem = isbn_problem(match.group(1))
            if problem:
                yield self.finding(
                    f"invalid ISBN {match.group(1)!r}: {problem}", match.start(), match.end()
                )


def _magic_words(text: str) -> Iterator[re.Match[str]]:
    """``_MAGIC.finditer(text)``: a match starts at an "ISBN", so only those are tried
    (``\\b`` still sees the character before), instead of every offset of the page."""
    at = text.find("ISBN")
    while at >= 0:
        match = _MAGIC.match(text, at)
        if match:
            yield match
            at = text.find("ISBN", match.end())  # finditer resumes after a match
        else:
            at = text.find("ISBN", at + 1)


def _text_spans(doc: Document) -> list[tuple[int, int, Text]]:
    """Text nodes holding the word "ISBN" (a magic word never spans two nodes' "ISBN")."""
    out = []
    for n in doc.nodes:
        if type(n) is Text and "ISBN" in n.value:
            start, end = doc.span(n)
            out.append((start, end, n))
    return out
