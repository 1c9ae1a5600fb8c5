"""A reviewer's own wording for one paragraph of a proposal (the review's ``e`` key).

The paragraph around a finding is cut out of the proposed text, the person edits it, and the
page with the edited paragraph is linted again. The person's text replaces the proposal's
change to that paragraph only when the paragraph then has no more findings than the
proposed paragraph had ("no worse"); otherwise the proposal stays as it was.

A hand-edited proposal is saved as reviewed on its base revision. If the page has changed by
the time of ``submit``, the fixes are re-applied by signature as usual, the hand edit is not
among them, so the proposal goes back to review instead of being saved without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wikilint import rules
from wikilint.bot.change.store import Proposal
from wikilint.rules.model import Edit, apply_edits


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's span in the proposal's original and in its proposed text."""

    start: int  # in the original
    end: int
    proposed_start: int  # in the proposed text
    proposed_end: int


@dataclass(frozen=True)
class Recheck:
    kept: bool
    before: list[rules.Finding]  # findings in the proposed paragraph
    after: list[rules.Finding]  # findings in the edited paragraph


def _line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(max(line - 1, 0)):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset


def paragraph_at(p: Proposal, line: int) -> Paragraph:
    """The blank-line-delimited paragraph of ``p.original`` holding ``line`` (1-based),
    widened to cover every edit that crosses its edges."""
    if p.edits is None:
        raise ValueError("this proposal was stored without its edits; propose the page again")
    text = p.original
    at = _line_offset(text, line)
    start = text.rfind("\n\n", 0, at)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", at)
    end = len(text) if end < 0 else end
    edits = sorted(p.edits, key=lambda e: (e.start, e.end))
    for e in edits:  # an edit across an edge belongs to the paragraph as a whole
        if e.start < start < e.end:
            start = e.start
        if e.start < end < e.end:
            end = e.end
    before = sum(_delta(e) for e in edits if e.start < start)
    inside = sum(_delta(e) for e in edits if _inside(e, start, end))
    return Paragraph(start, end, start + before, end + before + inside)


def _delta(e: Edit) -> int:
    return len(e.replacement) - (e.end - e.start)


def _inside(e: Edit, start: int, end: int) -> bool:
    """Insertions at either edge count as the paragraph's own."""
    return start <= e.start and e.end <= end


def _findings_in(
    text: str, start: int, end: int, config: rules.Config | None, env: rules.Environment | None
) -> list[rules.Finding]:
    return [
        f
        for f in rules.lint(text, config, env).findings
        if start <= f.start < end or (f.start == f.end == end)
    ]


def recheck(p: Proposal, para: Paragraph, edited: str, config: rules.Config | None) -> Recheck:
    """Lint the page with ``edited`` in place of the proposed paragraph; when it is no worse,
    make it the proposal's change to that paragraph (``p`` is updated in place)."""
    assert p.edits is not None
    env = p.environment()
    before = _findings_in(p.proposed, para.proposed_start, para.proposed_end, config, env)
    candidate = p.proposed[: para.proposed_start] + edited + p.proposed[para.proposed_end :]
    after = _findings_in(
        candidate, para.proposed_start, para.proposed_start + len(edited), config, env
    )
    if len(after) > len(before):
        return Recheck(False, before, after)
    outside = [e for e in p.edits if not _inside(e, para.start, para.end)]
    mine = Edit(para.start, para.end, edited)
    edits = sorted([*outside, mine], key=lambda e: (e.start, e.end))
    if apply_edits(p.original, edits) != candidate:  # the spans above must add up
        raise AssertionError("the hand edit does not map back onto the original")
    p.edits, p.proposed = edits, candidate
    return Recheck(True, before, after)
