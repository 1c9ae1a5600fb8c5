"""duplicate-efn: the same explanatory note written out twice instead of reused by name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from wikilint.rules.context import Context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.references import (
    NOTE,
    Ref,
    References,
    merge_fix,
    merge_name,
    note_reuse_form,
    references,
)
from wikilint.rules.registry import Rule, register


@register
class DuplicateEfn(Rule):
    """## What it does
    Reports a footnote template (`{{efn}}`, `{{efn-ua}}` and the rest of the efn family, or
    `{{refn}}`) whose normalized note text is identical to an earlier note of the same template
    (and, for `{{refn}}`/`{{efn}}`, the same `group=`). One finding per redundant occurrence,
    naming the first one's line:col. Nested `<ref>`s count as part of the note text.
    Also reports a note that reuses another note's `name=` with a different text.

    ## Why is this bad?
    Readers see the same note twice in the notes list, with two letters, and an editor who
    corrects one copy leaves the other wrong. MediaWiki reuses a named note: the note appears
    once and every marker links to it.

    ## Example
    ```wikitext
    Stalin{{efn|Sverdlov died in 1919.}} … Zinoviev{{efn|Sverdlov died in 1919.}}
    ```

    ## Use instead
    ```wikitext
    Stalin{{efn|name=sverdlov-died-1919|Sverdlov died in 1919.}}
    … Zinoviev{{efn|name=sverdlov-died-1919}}
    ```

    ## Fix safety
    Safe: the rendered page keeps the same note text. The first occurrence keeps its text and
    gets a name (its own, else a later duplicate's, else a generated readable name unique in
    the page); each later duplicate becomes the reuse form `{{efn|name=NAME}}` (keeping the
    template's own name and `group=`), and reuses of a name that disappears are renamed. When
    the first occurrence lies outside the linted section and has no name yet, the finding is
    reported without a fix. Same name with a different text has no fix: only an editor knows
    which text is right. Notes inside parser functions (`{{#if:…}}`) and list-defined notes
    (`{{notelist|refs=…}}`) are left alone.
    """

    name = "duplicate-efn"
    code = "RF101"
    summary = "The same footnote note (`{{efn}}` family, `{{refn}}`) written out more than once"
    severity = Severity.WARNING
    fixable = Fixability.SAFE
    fix_summary = ("merged {n} duplicate note", "merged {n} duplicate notes")

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = references(ctx)
        for group in index.duplicate_note_groups():
            yield from self._duplicates(index, group)
        yield from self._name_conflicts(index)

    def _duplicates(self, index: References, group: list[Ref]) -> Iterator[Finding]:
        first = group[0]
        name = merge_name(index, group)
        written = str(first.node.name).strip()  # type: ignore[attr-defined]
        for dup in group[1:]:
            message = (
                f"duplicate of the {{{{{written}}}}} note at {index.where(first.start)}; "
                f"reuse it with {{{{{written}|name={name or '…'}}}}}"
            )
            fix = merge_fix(index, first, dup, name, note_reuse_form)
            yield self.finding(message, dup.start, dup.end, fix)

    def _name_conflicts(self, index: References) -> Iterator[Finding]:
        by_name: dict[tuple[str, str, str], list[Ref]] = defaultdict(list)
        for ref in index.of_kind(NOTE):
            if ref.is_definition and ref.name and not ref.in_parser_function:
                by_name[(ref.template_key, ref.group, ref.name)].append(ref)
        for (_, _, name), defs in by_name.items():
            first = defs[0]
            for later in defs[1:]:
                if later.compare_key != first.compare_key:
                    yield self.finding(
                        f"note name {name!r} is already used for a different text at "
                        f"{index.where(first.start)}",
                        later.start,
                        later.end,
                    )
