"""ref-punctuation: footnote markers placed before punctuation (WP:REFPUNCT)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mwparserfromhell.nodes import Template
from wikilint.rules.context import Context
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.references import SFN_TEMPLATES, TAG, references
from wikilint.rules.registry import Rule, option, register
from wikilint.rules.structure import shared_table_markup
from wikilint.rules.wikitext import is_footnote_template

MARKS = ".,;:!?"
_HSPACE = " \t"
_CLOSING_QUOTES = "'\"”’"


@register
class RefPunctuation(Rule):
    """## What it does
    Reports a run of footnote markers (`<ref>…</ref>`, `<ref … />`, footnote templates such as
    `{{efn}}`/`{{refn}}`, `{{#tag:ref}}`, `{{r}}`, `{{sfn}}`-family templates, with any
    `{{rp}}` attached) immediately followed by `.` `,` `;` `:` `!` or `?`. One finding per
    run. Not for ellipses (`...`, `…`), dashes or closing brackets, not for the `:` of a
    definition-list line (`; term<ref/>: definition`), not for a `:` followed by a digit (a
    hand-written page number, `<ref name="x" />:23`), and not when the run already follows
    another mark (`2020.<ref/>, and`: the marker stays after the full stop).

    Table syntax is never punctuation: in `! 2000<ref/>!! 2010` the `!!` separates two header
    cells, as `||` separates cells, and a cell's leading `|` or `!`, `|+` (caption) and `|-`
    (row) are markup (read per line, as MediaWiki reads tables).

    ## Why is this bad?
    The English Wikipedia Manual of Style (WP:REFPUNCT) puts footnote markers after adjacent
    punctuation, so markers line up at the end of clauses and never split a word from its
    comma or full stop.

    ## Example
    ```wikitext
    The talks were recessed<ref name="Deutscher2015" />.
    ```

    ## Use instead
    ```wikitext
    The talks were recessed.<ref name="Deutscher2015" />
    ```

    ## Fix safety
    Safe: the mark moves before the run (before any space that precedes the run); if the same
    mark (or, for a full stop, a `!`/`?`) already ends the text before the run, the mark after
    the run is dropped instead. A run at the start of a line or of a table cell is reported
    without a fix: no text ever moves across table markup.
    Wikis whose style puts references before punctuation set
    `refs_after_punctuation = false`, which turns this rule off.
    """

    name = "ref-punctuation"
    code = "RF105"
    summary = "Footnote markers placed before punctuation instead of after it (WP:REFPUNCT)"
    severity = Severity.WARNING
    fixable = Fixability.SAFE
    fix_summary = ("punctuation before {n} footnote", "punctuation before {n} footnotes")

    @dataclass(frozen=True)
    class Options:
        refs_after_punctuation: bool = option(
            True,
            "the wiki puts footnote markers after punctuation (WP:REFPUNCT); false turns "
            "this rule off",
        )

    def check(self, ctx: Context) -> Iterator[Finding]:
        if not self.options.refs_after_punctuation:
            return
        text = ctx.text
        markers = _markers(ctx)
        starts = {start: (start, end, rp) for start, end, rp in markers}
        ends = {end for _, end, _ in markers}
        for start, end, rp in markers:
            if rp or _back(text, start) in ends:
                continue  # a {{rp}} on its own, or a marker that continues a run
            run_end = end
            while (nxt := starts.get(_forward(text, run_end))) is not None:
                run_end = nxt[1]
            finding = self._check_run(ctx, start, run_end)
            if finding is not None:
                yield finding

    def _check_run(self, ctx: Context, start: int, end: int) -> Finding | None:
        text = ctx.text
        if end >= len(text) or text[end] not in MARKS or ctx.doc.in_protected(end):
            return None
        tables = shared_table_markup(ctx)
        if tables.contains(end):
            return None  # "!!" between header cells: table syntax, not punctuation
        mark = text[end]
        after = text[end + 1 : end + 2]
        if mark == "." and after in {".", "…"}:
            return None  # an ellipsis
        if mark in ".,:" and after.isdigit():
            return None  # 3.5, 1,000, a hand-written page number
        line_start = text.rfind("\n", 0, start) + 1
        line_head = text[line_start:start].strip(_HSPACE)
        if mark in ":;" and (line_head.startswith(";") or not line_head.strip("*#:;")):
            return None  # a definition list's ":" or list markup, not punctuation
        before = _back(text, start)
        previous = _previous_mark(text, before)
        if previous and previous != mark and not (mark == "." and previous in "!?"):
            return None  # "2020.<ref/>, and": the marker already follows punctuation
        message = f"footnote marker before {mark!r}: put the punctuation before the marker"
        at_cell_start = before == 0 or text[before - 1] == "\n" or tables.ends_at(before)
        return self.finding(
            message, start, end + 1, None if at_cell_start else _fix(text, before, end, previous)
        )


def _previous_mark(text: str, before: int) -> str:
    """The punctuation mark ending the text before a run (closing quotes skipped), or ``""``."""
    q = before
    while q > 0 and text[q - 1] in _CLOSING_QUOTES:
        q -= 1
    previous = text[q - 1] if q > 0 else ""
    return previous if previous in MARKS else ""


def _fix(text: str, before: int, end: int, previous: str) -> Fix:
    """Move the mark at ``end`` to ``before`` the run, or drop it when ``previous`` (the same
    mark, or a ``!``/``?`` before a full stop) already ends the text before the run."""
    if previous:
        return Fix.safe(Edit.delete(end, end + 1))
    return Fix.safe(Edit.insert(before, text[end]), Edit.delete(end, end + 1))


def _markers(ctx: Context) -> list[tuple[int, int, bool]]:
    """``(start, end, is_rp)`` of every footnote marker, in source order."""
    doc = ctx.doc
    out: dict[int, tuple[int, int, bool]] = {}
    index = references(ctx)
    for ref in index.refs:
        if ref.list_defined:
            continue
        if ref.kind == TAG or isinstance(ref.node, Template):
            out[ref.start] = (ref.start, ref.end, False)
    for use in doc.templates:
        if use.key in SFN_TEMPLATES or is_footnote_template(use.key):
            if use.start not in out and not doc.in_protected(use.start):
                out[use.start] = (use.start, use.end, False)
        elif use.key == "rp" and not doc.in_protected(use.start):
            out[use.start] = (use.start, use.end, True)
    return [out[k] for k in sorted(out)]


def _back(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] in _HSPACE:
        pos -= 1
    return pos


def _forward(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _HSPACE:
        pos += 1
    return pos
