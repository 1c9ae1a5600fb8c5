"""Submitting reviewed proposals: ``wikilint submit``, ``fix --page --submit`` and the Submit
button of ``wikilint serve`` all save through :func:`submit_many` / :func:`submit_proposal`.

A save carries the base revision id. When the page changed since the proposal, the reviewed
fixes are re-applied (:func:`review.reapply`) and saved only when they make exactly the
reviewed edits; otherwise the proposal goes back to review with the new diff, or is closed as
already applied. Section edits send ``section=N`` with the section's new text when
MediaWiki's own section N is byte-for-byte the span we edited (checked with ``rvsection``);
otherwise the whole page is sent (:func:`make_plan`). Either way the saved page is read back.

A proposal's status always says what happened to it (:mod:`bot.change.store`); what the wiki
did to the whole submit (the account stopped, the wiki unavailable) is a
:class:`~wikilint.bot.wiki.api.WikiFailure`, which the CLI turns into its exit code.

pywikibot is imported only by bot.wiki, and only when a proposal is submitted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click
from wikilint import rules
from wikilint.bot.change import review as rv
from wikilint.bot.change.diff import change_diff
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.store import NotClaimable, Proposal, Status, Store

if TYPE_CHECKING:
    from wikilint.bot.wiki import api as wiki

log = logging.getLogger("wikilint")

# The final statuses of a proposal that was saved as reviewed, or whose fixes the page
# already has: a submit that ends in these did all it was asked to.
DONE: frozenset[Status] = frozenset({"submitted", "applied"})


@dataclass
class SubmitReport:
    """What :func:`submit_many` did: each final status with its count, and the proposals it
    was asked for by id but could not claim (why, one line each)."""

    counts: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Every proposal tried was saved as reviewed or already applied."""
        return all(status in DONE for status in self.counts)

    def describe(self) -> str:
        """``applied 1, submitted 2`` (or ``nothing saved``)."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing saved"


def page_policy(site: Any) -> PagePolicy:
    """The page policy for edits by the account logged in to ``site``."""
    return PagePolicy(username=site.username() or "")


def make_plan(
    site: Any, rev: wiki.Revision, proposed: str, section: str | int | None, summary: str
) -> wiki.Plan:
    """A section save when MediaWiki's section matches ours exactly, else a whole-page save."""
    from wikilint.bot.wiki import api as wiki

    if section is None:
        return wiki.Plan(proposed, summary)
    sec = rules.Document.parse(rev.text).find_section(section)
    start, end = sec.start, sec.end
    delta = len(proposed) - len(rev.text)
    if proposed[:start] != rev.text[:start] or proposed[end + delta :] != rev.text[end:]:
        raise AssertionError("the fixes touch text outside the section")
    theirs = wiki.fetch_section_text(site, rev.revid, sec.number)
    if theirs is None or theirs.rstrip() != rev.text[start:end].rstrip():
        log.info(
            "[[%s]]: MediaWiki's section %d differs from ours; saving the whole page",
            rev.title,
            sec.number,
        )
        return wiki.Plan(proposed, summary)
    sent = proposed[start : end + delta].rstrip()
    if wiki.section_join(proposed[:start], sent, proposed[end + delta :]) != proposed.rstrip():
        # MediaWiki ends a saved section with one blank line; this page has another spacing
        # before the next heading, which a section save would change.
        log.info(
            "[[%s]]: a section save would change the blank lines after section %d; "
            "saving the whole page",
            rev.title,
            sec.number,
        )
        return wiki.Plan(proposed, summary)
    return wiki.Plan(proposed, summary, sec.number, sent)


def _rebaser(p: Proposal, config: rules.Config, site: Any) -> wiki.Rebase:
    """Re-apply the reviewed fixes to a newer revision, only if the change is the same one."""
    policy = page_policy(site)

    def rebase(rev: wiki.Revision) -> wiki.Plan | None:
        try:  # the reviewed titles are reused, never fetched again
            change = rv.reapply(p, rev.text, config, policy)
        except rules.SectionNotFound:
            return None
        if change.skip_reason or not rv.same_as_reviewed(p, change, config):
            return None
        return make_plan(site, rev, change.proposed, p.section, p.summary)

    return rebase


def submit_proposal(
    store: Store, site: Any, p: Proposal, config: rules.Config, minor: bool, color: bool
) -> Status:
    """Save one proposal claimed by this process (:meth:`Store.claim`); record and return its
    final status. When the wiki or the account fails mid-way, the proposal is recorded as
    ``failed`` with the reason (never left claimed or "accepted") and a WikiFailure naming
    the proposal goes on."""
    from wikilint.bot.wiki import api as wiki

    try:
        return _submit_claimed(store, site, p, config, minor, color)
    except BaseException as exc:
        failure = wiki.failure_of(site, exc) if isinstance(exc, Exception) else None
        if failure is None:  # a bug or an interrupt: recorded, and shown as it is
            store.set_status(p.id or 0, "failed", f"{type(exc).__name__}: {exc}")
            raise
        reason = str(failure)
        if isinstance(exc, wiki.WikiUnavailable) and exc.saved_unknown:
            reason += (
                f"; `wikilint submit {p.id}` reads the page history first and records "
                "the save if it was made"
            )
        store.set_status(p.id or 0, "failed", reason)
        raise wiki.WikiFailure(f"#{p.id} [[{p.page}]]: failed: {reason}", failure.failure) from exc


def _submit_claimed(
    store: Store, site: Any, p: Proposal, config: rules.Config, minor: bool, color: bool
) -> Status:
    from wikilint.bot.wiki import api as wiki

    pid = p.id or 0
    try:
        cur = wiki.fetch(site, p.page)
    except wiki.PageSkipped as exc:
        return _finish(store, p, "skipped", exc.reason)
    reason = page_policy(site).reason(cur.text)
    if reason:
        return _finish(store, p, "skipped", reason)
    rebase = _rebaser(p, config, site)
    if cur.revid == p.base_revid:
        plan = make_plan(site, cur, p.proposed, p.section, p.summary)
    else:
        # An earlier submit whose answer was lost, or another process, may have saved it.
        own = wiki.find_own_save(site, p.page, p.base_revid, wiki.Plan(p.proposed, p.summary))
        if own is not None:
            differs = wiki.describe_difference(p.proposed, own.text)
            note = "found in the page history (the answer to an earlier save was lost)"
            return _finish(
                store,
                p,
                "differs" if differs else "submitted",
                f"{differs}; {note}" if differs else note,
                own.revid,
            )
        plan_or_none = rebase(cur)
        if plan_or_none is None:
            return _needs_review(store, p, cur, config, color)
        log.info(
            "#%d [[%s]] changed since the proposal (rev %d → %d); the same fixes "
            "re-applied cleanly",
            pid,
            p.page,
            p.base_revid,
            cur.revid,
        )
        plan = plan_or_none
    result = wiki.safe_save(site, cur, plan, rebase, minor=minor)
    if result.status == "saved" and result.differs:
        return _finish(
            store, p, "differs", result.differs, result.revid, wiki.diff_url(site, result.revid)
        )
    if result.status == "saved":
        remark = "; ".join(result.warnings) or ("merged by MediaWiki" if result.merged else None)
        return _finish(
            store, p, "submitted", remark, result.revid, wiki.diff_url(site, result.revid)
        )
    if result.status == "nochange":
        return _finish(store, p, "applied", f"revision {cur.revid} already has this text")
    return _finish(store, p, "skipped", result.reason)


def _finish(
    store: Store,
    p: Proposal,
    status: Status,
    reason: str | None,
    saved_revid: int | None = None,
    diff_link: str | None = None,
) -> Status:
    """Record a proposal's final status and say it in one line (and a save's diff link)."""
    store.set_status(p.id or 0, status, reason, saved_revid=saved_revid)
    head = f"#{p.id} [[{p.page}]]"
    if status == "submitted":
        line = f"{head}: saved revision {saved_revid}" + (f" ({reason})" if reason else "")
    elif status == "differs":
        line = (
            f"{head}: saved revision {saved_revid}, but it is NOT the reviewed change: "
            f"{reason}; check it on the wiki"
        )
    elif status == "applied":
        line = f"{head}: already applied: {reason}"
    else:
        line = f"{head}: {status}: {reason}"
    click.echo(line)
    if diff_link:
        click.echo(f"  diff: {diff_link}")
    return status


def _needs_review(
    store: Store, p: Proposal, cur: wiki.Revision, config: rules.Config, color: bool
) -> Status:
    """The page changed where we edit: recompute on the current text and ask for a review,
    or close the proposal when the current text needs none of its fixes any more."""
    try:
        change = rv.reapply(p, cur.text, config)
    except rules.SectionNotFound:
        reason = f"section {p.section!r} is gone from the current revision {cur.revid}"
        return _finish(store, p, "skipped", reason)
    if change.proposed == cur.text:
        return _finish(store, p, "applied", _applied_reason(p, cur, config))
    p.base_revid, p.base_timestamp = cur.revid, cur.timestamp
    p.take(change)
    p.status, p.reason = "pending", f"the page changed since the review (now rev {cur.revid})"
    p.claimed_by = None
    store.update(p)
    click.echo(
        f"#{p.id} [[{p.page}]]: {p.reason}; the fixes were re-applied to the current "
        "text and need a new review:"
    )
    click.echo(change_diff(change.original, change.edits, color))
    return "pending"


def _applied_reason(p: Proposal, cur: wiki.Revision, config: rules.Config) -> str:
    """Why a proposal with nothing left to change is closed: its fixes are on the page (by
    someone else, or an earlier save), or the text they fixed is gone."""
    replacements = [e.replacement for e in rv.reviewed_edits(p, config) if e.replacement.strip()]
    if all(replacement in cur.text for replacement in replacements):
        return f"revision {cur.revid} already has the reviewed fixes"
    return f"nothing left to change in revision {cur.revid}: the text the fixes were for is gone"


def submit_many(
    store: Store,
    ids: Iterable[int],
    site_arg: str | None,
    config: rules.Config,
    minor: bool,
    color: bool,
    explicit: bool = True,
) -> SubmitReport:
    """Claim and submit each proposal in turn, opening each proposal's wiki (or ``site_arg``)
    once. A proposal another process holds (or that is no longer accepted) is reported: with
    ``explicit`` (ids a person named) in :attr:`SubmitReport.refused`, else as a line on
    stderr. What the wiki did to the submit ends it as a WikiFailure."""
    from wikilint.bot.wiki import api as wiki

    report = SubmitReport()
    sites: dict[str, Any] = {}
    for pid in ids:
        try:
            p = store.claim(pid)
        except NotClaimable as exc:
            if explicit:
                report.refused.append(str(exc))
            else:  # --all: another process took it after the list was read
                click.echo(f"#{pid} [[{exc.proposal.page}]]: not submitted: {exc}", err=True)
            continue
        key = site_arg or p.site
        try:
            if key not in sites:
                sites[key] = wiki.open_wiki(key)
                with wiki.failures(sites[key]):
                    wiki.ensure_logged_in(sites[key])
        except BaseException:
            store.set_status(pid, "accepted", p.reason)  # never tried: give it back
            raise
        report.counts[submit_proposal(store, sites[key], p, config, minor, color)] += 1
    return report
