"""undefined-ref: a reuse of a ref name that nothing in the page defines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from wikilint.rules.context import Context
from wikilint.rules.model import Finding, Fixability, Severity
from wikilint.rules.references import TAG, R, Ref, references
from wikilint.rules.registry import Rule, option, register

_TEMPLATE_NOTE = re.compile(r"<!--(?:(?!-->).)*\btemplate\b(?:(?!-->).)*-->", re.I | re.S)


@register
class UndefinedRef(Rule):
    """## What it does
    Reports a reuse `<ref name="X" />` (or an empty `<ref name="X"></ref>`, or `{{r|X}}`)
    when no definition of X in the same group exists anywhere in the page. Definitions count
    wherever they are: `<ref name="X">…</ref>` in the text or inside template parameters,
    list-defined refs (`{{reflist|refs=…}}`, `<references>…</references>`),
    `{{#tag:ref|…|name=X}}`, `{{refn|name=X|…}}` and named notes. When linting one section,
    the whole page is searched (page context); a file holding only a section cannot show
    definitions elsewhere in the article, so lint the whole page (or the page with
    `--section`) for an exact answer.

    Some templates define named refs themselves (element infoboxes define `GE28`, for
    instance); MediaWiki sees those definitions, the wikitext does not. A reuse with an HTML
    comment right next to it that mentions a template (`<!-- ref defined in Template:… -->`)
    marks its name as template-defined for the whole page, and the option
    `template_defined_names` lists names a wiki's templates define.

    ## Why is this bad?
    MediaWiki shows "Cite error: The named reference X was invoked but never defined" and
    the reader gets no citation at all. It usually happens when the text holding the
    definition was removed or moved to another article.

    ## Example
    ```wikitext
    Claim.<ref name="Deutscher2015" />
    ```

    ## Use instead
    ```wikitext
    Claim.<ref name="Deutscher2015">{{cite book |last=Deutscher |year=2015 |title=P}}</ref>
    ```

    ## Fix safety
    No fix: the missing citation has to come from the page history or the source.
    """

    name = "undefined-ref"
    code = "RF104"
    summary = "A ref name reused but defined nowhere in the page"
    severity = Severity.ERROR
    fixable = Fixability.NONE

    @dataclass(frozen=True)
    class Options:
        template_defined_names: list[str] = option(  # noqa: RUF009
            [], "ref names that templates used on the wiki define (never reported)"
        )

    def check(self, ctx: Context) -> Iterator[Finding]:
        index = references(ctx)
        known = set(self.options.template_defined_names)
        undefined = [
            ref
            for ref in index.of_kind(TAG, R)
            if ref.is_reuse
            and not ref.follow
            and ref.name is not None
            and ref.name not in known
            and not index.is_defined(ref.group, ref.name)
        ]
        annotated = {ref.key for ref in undefined if _template_comment_next_to(ctx.text, ref)}
        groups_by_name: dict[str, list[str]] = {}
        for group, name in index.definitions:
            groups_by_name.setdefault(name, []).append(group)
        for ref in undefined:
            if ref.key in annotated:
                continue
            where = f" in group {ref.group!r}" if ref.group else ""
            others = groups_by_name.get(ref.name) if ref.name is not None else None
            hint = (
                f" (it is defined in group {others[0]!r})"
                if others and others[0]
                else " (it is defined without a group)"
                if others
                else ""
            )
            yield self.finding(
                f"ref name {ref.name!r}{where} is reused but never defined in the page{hint}",
                ref.start,
                ref.end,
            )


def _template_comment_next_to(text: str, ref: Ref) -> bool:
    """Whether a comment mentioning a template sits right before or after the reuse."""
    before = text[max(0, ref.start - 300) : ref.start].rstrip()
    after = text[ref.end : ref.end + 300].lstrip()
    if before.endswith("-->"):
        start = before.rfind("<!--")
        if start >= 0 and _TEMPLATE_NOTE.fullmatch(before[start:]):
            return True
    if after.startswith("<!--"):
        end = after.find("-->")
        if end >= 0 and _TEMPLATE_NOTE.fullmatch(after[: end + 3]):
            return True
    return False
