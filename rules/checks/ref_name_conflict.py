"""ref-name-conflict: one ref name defined with two different contents."""

from __future__ import annotations

from collections.abc import Iterator

from wikilint.rules.context import Context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.references import NOTE, references
from wikilint.rules.registry import Rule, register


@register
class RefNameConflict(Rule):
    """## What it does
    Reports a reference definition (`<ref name="X">…</ref>`, `{{#tag:ref|…|name=X}}`,
    `{{refn|name=X|…}}`, a named note, list-defined refs included) whose name and group are
    already defined with different normalized content. The finding is on each later
    conflicting definition and names the first one's line:col. Two notes of the same footnote
    template are left to duplicate-efn; definitions inside parser functions (`{{#if:…}}`,
    where only one branch renders) are skipped.

    ## Why is this bad?
    MediaWiki keeps the first definition and shows a red "Cite error: Invalid `<ref>` tag;
    name "X" defined multiple times with different content" in the reference list; every reuse
    of X points at the first content, whichever one the editor meant.

    ## Example
    ```wikitext
    <ref name="Service">Service 2009, p. 12.</ref> … <ref name="Service">Service 2009, p. 40.</ref>
    ```

    ## Use instead
    ```wikitext
    <ref name="Service-12">Service 2009, p. 12.</ref>
    … <ref name="Service-40">Service 2009, p. 40.</ref>
    ```

    ## Fix safety
    No fix: only an editor knows which content each reuse of the name meant.
    """

    name = "ref-name-conflict"
    code = "RF103"
    summary = "The same ref name defined with different content"
    severity = Severity.ERROR
    fixable = Fixability.NONE

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = references(ctx)
        for (group, name), defs in index.definitions.items():
            defs = [d for d in defs if not d.in_parser_function]
            if len(defs) < 2:
                continue
            first = defs[0]
            for later in defs[1:]:
                if later.compare_key == first.compare_key:
                    continue
                if (
                    later.kind == NOTE
                    and first.kind == NOTE
                    and (later.template_key == first.template_key)
                ):
                    continue  # duplicate-efn reports notes of one template
                where = f" in group {group!r}" if group else ""
                yield self.finding(
                    f"ref name {name!r}{where} is already defined with different content at "
                    f"{index.where(first.start)}",
                    later.start,
                    later.end,
                )
