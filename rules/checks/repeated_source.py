"""repeated-source: several full citations of one work (same URL, ISBN or DOI)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from wikilint.rules.context import Context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.references import (
    TAG,
    TAG_FN,
    Ref,
    isbn_titles,
    normalize_title,
    references,
    source_keys,
)
from wikilint.rules.registry import Rule, register


@register
class RepeatedSource(Rule):
    """## What it does
    Reports a reference definition that is not identical to an earlier one but cites the same
    source: the same URL (scheme, `www.` and a trailing slash ignored; archive URLs such as
    `web.archive.org` are not compared), the same ISBN (hyphens ignored, ISBN-10 and ISBN-13
    of one book are the same; a citation of a chapter, an encyclopedia entry or an article,
    with `chapter=`, `contribution=`, `entry=`, `article=` or `section=`, or a `title=` next
    to `encyclopedia=`, `dictionary=`, `journal=`, `work=` … (as in `{{cite encyclopedia}}`),
    is the same source only as another citation of that part), or the same DOI. One finding
    per later definition, pointing at the first. Identical copies are duplicate-ref's
    business; *ibid*-style refs are skipped.

    Two citations with one ISBN but different titles (not one the start of the other) are
    reported as a probable wrong ISBN instead: "one of the ISBNs may be wrong".

    ## Why is this bad?
    The reference list repeats the full citation of one work with small variations (another
    page, another access date), which is longer to read and drifts out of sync when one copy
    is corrected.

    ## Example
    ```wikitext
    A.<ref>{{cite book |last=Service |title=A History |isbn=978-0-674-01801-3 |page=75}}</ref>
    B.<ref>{{cite book |last=Service |title=A History |isbn=978-0-674-01801-3 |page=80}}</ref>
    ```

    ## Use instead
    ```wikitext
    A.<ref name="Service2005">{{cite book |last=Service |isbn=978-0-674-01801-3}}</ref>{{rp|75}}
    B.<ref name="Service2005" />{{rp|80}}
    ```
    or short citations (`{{sfn|Service|2005|p=80}}`) pointing at one full citation.

    ## Fix safety
    No fix: merging citations that differ (pages, quotes, editions) needs an editor's choice
    between `{{rp}}` and short citations.
    """

    name = "repeated-source"
    code = "RF107"
    summary = "One source (same URL, ISBN or DOI) cited in several different full references"
    severity = Severity.INFO
    fixable = Fixability.NONE

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = references(ctx)
        # Per source key, the first ref and the first one whose text differs from it: the
        # earliest earlier ref that differs from any new ref is one of the two (O(1) a ref).
        seen: dict[str, _FirstTwo] = {}
        for ref in index.of_kind(TAG, TAG_FN):
            if not ref.is_definition:
                continue
            keys = source_keys(ctx.doc, ref)
            if not keys or ref.is_ibid:  # a ref without keys adds and reports nothing
                continue
            first = None
            for key in keys:
                known = seen.get(key)
                if known is None:
                    continue
                earlier = known.first if known.first.norm != ref.norm else known.other
                if earlier is not None and (first is None or earlier.start < first[0].start):
                    first = (earlier, key)
            if first is not None:
                earlier, key = first
                kind, _, value = key.partition(":")
                where = index.where(earlier.start)
                titles = _different_titles(ctx, earlier, ref, value) if kind == "ISBN" else None
                if titles is not None:
                    message = (
                        f"ISBN {value} also cited at {where} for a different title "
                        f"({titles[0]!r}, here {titles[1]!r}): one of the ISBNs may be wrong"
                    )
                else:
                    name = f'<ref name="{earlier.name}" />' if earlier.name else "a named ref"
                    message = (
                        f"same source ({kind} {value}) as the ref at {where}: "
                        f"reuse {name} with {{{{rp}}}} for the page, or use short citations"
                    )
                yield self.finding(message, ref.start, ref.end)
            for key in keys:
                known = seen.get(key)
                if known is None:
                    seen[key] = _FirstTwo(ref, None)
                elif known.other is None and ref.norm != known.first.norm:
                    seen[key] = _FirstTwo(known.first, ref)


class _FirstTwo(NamedTuple):
    first: Ref
    other: Ref | None  # the first ref of this key whose text differs from ``first``'s, if any


def _different_titles(ctx: Context, earlier: Ref, ref: Ref, key: str) -> tuple[str, str] | None:
    """The titles two citations give to one ISBN when they name different works (neither title
    starts the other, so a subtitle left out does not count), else ``None``."""
    if "#" in key:
        return None  # the same chapter or entry of one volume
    first, second = isbn_titles(ctx.doc, earlier, key), isbn_titles(ctx.doc, ref, key)
    if not first or not second:
        return None
    a, b = normalize_title(first[0]), normalize_title(second[0])
    if a.startswith(b) or b.startswith(a):
        return None
    return first[0], second[0]
