"""duplicate-ref: the same reference written out twice instead of reused by name."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator

from wikilint.rules.context import Context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.references import (
    TAG,
    Ref,
    References,
    merge_fix,
    merge_name,
    ref_reuse_form,
    references,
)
from wikilint.rules.registry import Rule, register


@register
class DuplicateRef(Rule):
    """## What it does
    Reports a `<ref>` definition whose normalized content is identical to an earlier one in
    the same group: unnamed copies, a named and an unnamed copy, or copies under different
    names. One finding per redundant definition, naming the first one's line:col.

    Skipped: *ibid*/*op. cit.*/*loc. cit.* back-references (their meaning depends on the
    preceding citation), refs inside templates other than footnote templates (the template
    decides where and whether they render), refs inside parser functions, list-defined refs
    (`{{reflist|refs=…}}`, `<references>…</references>`), and refs inside a note that is itself
    a duplicate (duplicate-efn merges the whole note).

    ## Why is this bad?
    The reference list shows the same source twice under two numbers; readers cannot tell
    that two statements rest on the same citation, and fixes to one copy miss the other.

    ## Example
    ```wikitext
    First.<ref>{{cite book |last=Deutscher |year=2015 |title=P}}</ref>
    Second.<ref>{{cite book |last=Deutscher |year=2015 |title=P}}</ref>
    ```

    ## Use instead
    ```wikitext
    First.<ref name="Deutscher2015">{{cite book |last=Deutscher |year=2015 |title=P}}</ref>
    Second.<ref name="Deutscher2015" />
    ```

    ## Fix safety
    Safe: the rendered reference list keeps the same content, with one entry instead of two.
    The first definition keeps its content and gets a name (its own, else a later copy's,
    else a readable generated name unique in the page); later copies become
    `<ref name="NAME" />`; every reuse of a name merged away is renamed to NAME, anywhere in
    the page. When linting a section and one of those edits falls outside it, the finding is
    reported without a fix. No fix when a merged-away name is also defined with other content.
    """

    name = "duplicate-ref"
    code = "RF102"
    summary = "The same `<ref>` content defined more than once instead of reused by name"
    severity = Severity.WARNING
    fixable = Fixability.SAFE
    fix_summary = ("merged {n} duplicate reference", "merged {n} duplicate references")

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = references(ctx)
        covered = _Cover(index.redundant_note_spans())
        buckets: dict[tuple[str, str], list[Ref]] = defaultdict(list)
        for ref in index.of_kind(TAG):
            if not ref.is_definition or ref.list_defined or ref.in_template:
                continue
            if ref.in_parser_function or ref.is_ibid or not ref.norm:
                continue
            if covered.contains(ref.start, ref.end):
                continue
            buckets[(ref.group, ref.norm)].append(ref)
        for group in buckets.values():
            if len(group) > 1:
                yield from self._duplicates(index, group)

    def _duplicates(self, index: References, group: list[Ref]) -> Iterator[Finding]:
        first = group[0]
        name = merge_name(index, group)
        for dup in group[1:]:
            how = (
                "same content"
                if dup.name is None or dup.name == first.name
                else (f"same content under another name ({dup.name!r})")
            )
            message = (
                f"duplicate reference: {how} as the ref at {index.where(first.start)}; "
                f'reuse it with <ref name="{name or "…"}" />'
            )
            fix = merge_fix(index, first, dup, name, _reuse_form)
            yield self.finding(message, dup.start, dup.end, fix)


def _reuse_form(dup: Ref, name: str) -> str:
    return ref_reuse_form(name, dup.group)


class _Cover:
    """Whether a span lies inside one of a set of spans, by bisection (a page can hold
    hundreds of duplicate notes and refs)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach: list[int] = []  # the furthest end among the spans starting up to here
        for _, end in spans:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def contains(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and self.reach[i] >= end
