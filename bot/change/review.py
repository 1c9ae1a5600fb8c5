"""Computing a proposal from a page, and reviewing proposals in the terminal.

A proposal is "the fixes on this revision, minus the findings a person rejected". Findings are
identified by a key that is exact within one base text (``rule@start-end:signature``) and by a
signature that survives edits elsewhere on the page (``rule:hash(message, replacements)``): the
key drives per-finding review, the signature re-applies reviewed fixes to a newer revision, and
:func:`same_change` then checks that the re-applied change is exactly the one reviewed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click
from wikilint import rules
from wikilint.bot.change.store import Proposal, Store

# How the summary describes each rule's fixes (n = number of fixes).
SUMMARY_PHRASES: dict[str, tuple[str, str]] = {
    "duplicate-efn": ("merged {n} duplicate note", "merged {n} duplicate notes"),
    "duplicate-ref": ("merged {n} duplicate reference", "merged {n} duplicate references"),
    "ref-punctuation": ("punctuation before {n} footnote", "punctuation before {n} footnotes"),
    "page-param": ("{n} page parameter", "{n} page parameters"),
    "date-format": ("{n} citation date to page format", "{n} citation dates to page format"),
    "prose-date-format": ("{n} date in text to page format", "{n} dates in text to page format"),
    "archive-date-mismatch": ("{n} archive date", "{n} archive dates"),
    "archive-url-malformed": ("{n} archive URL", "{n} archive URLs"),
    "insecure-link": ("{n} link to https", "{n} links to https"),
    "bare-url": ("filled {n} bare URL", "filled {n} bare URLs"),
    "placeholder-title": ("{n} placeholder title", "{n} placeholder titles"),
}
SUMMARY_PREFIX = "wikilint: "


def signature(f: rules.Finding) -> str:
    """What a finding does, independent of where it is: stable across edits elsewhere."""
    parts = [f.message] + ([e.replacement for e in f.fix.edits] if f.fix else [])
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]
    return f"{f.rule}:{digest}"


def finding_key(f: rules.Finding) -> str:
    """Exact within one pass over one text (the review's unit of accept/reject)."""
    return f"{f.rule}@{f.start}-{f.end}:{signature(f).split(':', 1)[1]}"


@dataclass(frozen=True)
class Change:
    original: str
    proposed: str
    findings: list[dict[str, Any]]  # every fix applied, in order (see _describe)
    rule_counts: dict[str, int]
    converged: bool
    section_title: str | None

    @property
    def keys(self) -> list[str]:
        return [f["key"] for f in self.findings]

    @property
    def signatures(self) -> list[str]:
        return [f["signature"] for f in self.findings]


def compute(
    text: str,
    *,
    section: str | int | None = None,
    config: rules.Config | None = None,
    env: rules.Environment | None = None,
    unsafe: bool = False,
    accept_keys: Iterable[str] | None = None,
    accept_signatures: Iterable[str] | None = None,
) -> Change:
    """Fix ``text`` (the whole page; ``section`` limits the fixes), optionally only the fixes
    whose key (same base text) or signature (newer text) was accepted."""
    keys = set(accept_keys) if accept_keys is not None else None
    sigs = set(accept_signatures) if accept_signatures is not None else None

    def accept(f: rules.Finding) -> bool:
        if keys is not None and finding_key(f) in keys:
            return True
        if sigs is not None and signature(f) in sigs:
            return True
        return keys is None and sigs is None

    result = rules.fix(text, config=config, env=env, section=section, unsafe=unsafe,
                       accept=accept)
    findings = [_describe(text, a.pass_number, a.finding) for a in result.applied]
    counts = Counter(a.finding.rule for a in result.applied)
    title = None
    if section is not None:
        title = rules.Document.parse(text).find_section(section).title
    return Change(text, result.text, findings, dict(counts), result.converged, title)


def _describe(original: str, pass_number: int, f: rules.Finding) -> dict[str, Any]:
    edits = f.fix.edits if f.fix else ()
    before = after = ""
    line = None
    if pass_number == 1 and edits:
        # Offsets of the first pass are offsets into the original text: show the edited span.
        start, end = _widen(original, edits[0].start, max(e.end for e in edits))
        before = original[start:end]
        after = rules.model.apply_edits(before, [
            rules.Edit(e.start - start, e.end - start, e.replacement) for e in edits
        ])
        line = original.count("\n", 0, f.start) + 1
    return {
        "key": finding_key(f), "signature": signature(f), "rule": f.rule,
        "message": f.message, "pass": pass_number, "line": line,
        "before": before, "after": after,
    }


def _widen(text: str, start: int, end: int, limit: int = 40) -> tuple[int, int]:
    """Grow a span to whole words so a one-character edit still reads in the review."""
    lo = max(0, start - limit)
    while start > lo and not text[start - 1].isspace() and text[start - 1] not in "[|=":
        start -= 1
    hi = min(len(text), end + limit)
    while end < hi and not text[end].isspace() and text[end] not in "]|":
        end += 1
    return start, end


def make_summary(rule_counts: dict[str, int], section_title: str | None = None,
                 override: str | None = None) -> str:
    """E.g. ``/* Early life */ wikilint: merged 2 duplicate notes; 3 citation dates to dmy``."""
    if override:
        body = override
    else:
        parts = []
        for rule, n in sorted(rule_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            one, many = SUMMARY_PHRASES.get(rule, ("{n} " + rule, "{n} " + rule))
            parts.append((one if n == 1 else many).format(n=n))
        body = SUMMARY_PREFIX + ("; ".join(parts) if parts else "no changes")
    prefix = f"/* {section_title} */ " if section_title else ""
    return prefix + body


# -- comparing changes ------------------------------------------------------------------------

_WORD = re.compile(r"\w+|\s+|[^\w\s]")


def hunks(old: str, new: str) -> list[tuple[str, str]]:
    """The replaced pieces, word-level inside changed lines (fast on long pages)."""
    out: list[tuple[str, str]] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        wa, wb = _WORD.findall("".join(a[i1:i2])), _WORD.findall("".join(b[j1:j2]))
        sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
        for t, k1, k2, l1, l2 in sm.get_opcodes():
            if t != "equal":
                out.append(("".join(wa[k1:k2]), "".join(wb[l1:l2])))
    return out


def same_change(old_a: str, new_a: str, old_b: str, new_b: str) -> bool:
    """Does ``old_b → new_b`` make exactly the replacements reviewed in ``old_a → new_a``?"""
    return Counter(hunks(old_a, new_a)) == Counter(hunks(old_b, new_b))


# -- terminal review ----------------------------------------------------------------------------

DiffFn = Callable[[str, str, bool], str]


def _word_diff() -> DiffFn:
    try:
        from wikilint.bot.change.diff import word_diff
    except ImportError:  # bot.diff is written elsewhere; a plain fallback keeps review usable
        return _fallback_diff
    return word_diff


def _fallback_diff(old: str, new: str, color: bool) -> str:
    lines = []
    for before, after in hunks(old, new):
        lines.append(f"[-{before}-]{{+{after}+}}")
    return "\n".join(lines)


def render(p: Proposal, color: bool) -> str:
    head = f"#{p.id} [[{p.page}]]" + (f" § {p.section}" if p.section else "")
    head += f"  (base rev {p.base_revid})\n  summary: {p.summary}\n"
    body = _word_diff()(p.original, p.proposed, color)
    notes = "\n".join(_finding_line(i, f) for i, f in enumerate(p.findings, 1))
    return f"{head}{body}\n{notes}\n"


def _finding_line(i: int, f: dict[str, Any]) -> str:
    where = f"line {f['line']}" if f.get("line") else f"pass {f['pass']}"
    change = f": {f['before']!r} → {f['after']!r}" if f.get("before") or f.get("after") else ""
    return f"  [{i}] {f['rule']} ({where}) {f['message']}{change}"


def proposal_env(p: Proposal) -> rules.Environment | None:
    """The environment a proposal was computed in: its stored titles and date (None for a
    proposal that stored none: computed with today's defaults, as before)."""
    if not p.titles and p.today is None:
        return None
    today = dt.date.fromisoformat(p.today) if p.today else dt.date.today()
    return rules.Environment(today=today, titles=dict(p.titles))


def environment_fields(env: rules.Environment | None) -> dict[str, Any]:
    """What a new proposal stores of ``env`` (``Proposal(titles=..., today=...)``)."""
    if env is None:
        return {}
    return {"titles": {u: env.titles[u] for u in sorted(env.titles)},
            "today": env.today.isoformat()}


def recompute(p: Proposal, accepted_keys: list[str], config: rules.Config | None,
              env: rules.Environment | None = None) -> Proposal:
    """The proposal with only ``accepted_keys`` applied (on the same base text), in the
    proposal's stored environment unless ``env`` is given."""
    section: str | int | None = p.section
    if isinstance(section, str) and section.isdigit():
        section = int(section)
    change = compute(p.original, section=section, config=config,
                     env=env if env is not None else proposal_env(p), unsafe=p.unsafe,
                     accept_keys=accepted_keys)
    p.proposed = change.proposed
    p.findings = change.findings
    p.accepted = change.keys
    p.rule_counts = change.rule_counts
    p.summary = make_summary(change.rule_counts, change.section_title)
    return p


def review_interactive(store: Store, config: rules.Config | None, color: bool,
                       echo: Callable[[str], None] = click.echo) -> Counter[str]:
    """Walk pending proposals: [a]ccept [r]eject [s]kip [f]indings [q]uit."""
    done: Counter[str] = Counter()
    for p in store.list("pending"):
        while True:
            echo(render(p, color))
            choice = click.prompt(
                "accept / reject / skip / per-finding / quit", default="s",
                type=click.Choice(["a", "r", "s", "f", "q"]), show_choices=True,
            )
            if choice == "q":
                return done
            if choice == "s":
                done["skipped"] += 1
                break
            if choice == "a":
                store.set_status(p.id or 0, "accepted")
                done["accepted"] += 1
                break
            if choice == "r":
                store.set_status(p.id or 0, "rejected", "rejected in review")
                done["rejected"] += 1
                break
            keep = _choose_findings(p, echo)
            if not keep:
                store.set_status(p.id or 0, "rejected", "every finding rejected in review")
                done["rejected"] += 1
                break
            if keep != p.accepted:
                p = recompute(p, keep, config)
                store.update(p)
                echo("recomputed with the accepted findings only:")
    return done


def _choose_findings(p: Proposal, echo: Callable[[str], None]) -> list[str]:
    keep = []
    for i, f in enumerate(p.findings, 1):
        echo(_finding_line(i, f))
        if click.confirm("  apply this fix?", default=True):
            keep.append(f["key"])
    return keep


def review_batch(store: Store, decision: str, ids: Iterable[int] | None = None) -> int:
    """``--accept-all`` / ``--reject``: decide every pending proposal (or the given ones)."""
    wanted = set(ids) if ids else None
    n = 0
    for p in store.list("pending"):
        if wanted is not None and p.id not in wanted:
            continue
        if decision == "accept":
            store.set_status(p.id or 0, "accepted")
        else:
            store.set_status(p.id or 0, "rejected", "rejected in review")
        n += 1
    return n
