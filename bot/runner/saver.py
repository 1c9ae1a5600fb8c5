"""Saving one page's change: the limits, the throttle and the guards first, then the wiki's
safe save (``bot.wiki.api.safe_save`` underneath), and what its answer means for the journal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from wikilint.bot.change.core import Change
from wikilint.bot.runner import safety
from wikilint.bot.runner.config import BotConfig
from wikilint.bot.runner.gateway import WikiGateway
from wikilint.bot.runner.guards import check_guards
from wikilint.bot.runner.journal import Journal, PageRecord
from wikilint.bot.runner.limits import Budget, Throttle
from wikilint.bot.wiki.api import (
    SKIP_CODES,
    Plan,
    Rebase,
    Revision,
    StopRun,
    WikiUnavailable,
    is_unavailable,
)

log = logging.getLogger("wikilint.run")

# A save refused for the page's protection: remembered with it, like a predicted one.
PROTECTION_REASONS = frozenset(
    SKIP_CODES[code]
    for code in ("protectedpage", "cascadeprotected", "customcssprotected", "customjsprotected")
)


@dataclass
class SaveTally:
    """Saves attempted in a run and how they ended: a run whose every attempt failed with an
    error (a bad ``tags`` value, say: every save answers ``badtags``) did not complete. A
    refusal about one page (protected, edit conflict, abuse filter) is a skip, not a failure."""

    attempted: int = 0
    saved: int = 0
    failed: int = 0
    last_failure: str = ""
    differs: int = 0  # saved, but not as the rules changed it (see ``SaveResult.differs``)
    last_difference: str = ""

    def all_failed(self) -> str | None:
        """Why the run failed when saves were attempted, some failed and none succeeded."""
        if not self.failed or self.saved:
            return None
        return (
            f"no save succeeded: {self.failed} of {self.attempted} attempted "
            f"{'save' if self.attempted == 1 else 'saves'} failed; last: "
            f"{self.last_failure}"
        )

    def not_clean(self) -> str | None:
        """Why the run is not clean when a saved revision is not the change the rules made."""
        if not self.differs:
            return None
        return (
            f"{self.differs} saved {'revision is' if self.differs == 1 else 'revisions are'}"
            f" not the change wikilint made (check on the wiki); last: "
            f"{self.last_difference}"
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "attempted": self.attempted,
            "saved": self.saved,
            "failed": self.failed,
            "differs": self.differs,
        }


class Saver:
    """Saves changes one at a time and keeps the :class:`SaveTally`."""

    def __init__(
        self,
        config: BotConfig,
        wiki: WikiGateway,
        journal: Journal,
        budget: Budget,
        throttle: Throttle,
        rebase_for: Callable[[str], Rebase],
        dry_run: bool = False,
    ) -> None:
        self.config = config
        self.wiki = wiki
        self.journal = journal
        self.budget = budget
        self.throttle = throttle
        self.rebase_for = rebase_for  # recomputes the change on a newer revision (conflict)
        self.dry_run = dry_run
        self.tally = SaveTally()

    def save(self, run_id: int, rev: Revision, change: Change, record: PageRecord) -> PageRecord:
        """Save ``change`` on top of ``rev``; ``record`` (findings, proposal) completed with
        what happened."""
        if self.dry_run:
            return replace(record, action="edited", reason="dry run: not saved", final=False)
        self.budget.check_edit()
        self.throttle.wait()
        check_guards(self.wiki, self.config.safety)  # after the throttle: as fresh as can be
        plan = Plan(change.proposed, change.summary, round_trip_checked=True)
        self.journal.begin_save(run_id, rev.title, rev.revid)
        self.tally.attempted += 1
        try:
            result = self.wiki.save(
                rev,
                plan,
                self.rebase_for(rev.title),
                minor=self.config.wiki.minor,
                tags=self.config.wiki.tags,
            )
        except (StopRun, WikiUnavailable):
            raise
        except Exception as exc:
            if not is_unavailable(exc):
                self.tally.failed += 1
                self.tally.last_failure = str(exc) or type(exc).__name__
            raise
        if "ratelimited" in self.wiki.api_events():
            self.throttle.slow_down()
        if result.status == "saved" and result.differs:
            self.tally.saved += 1
            self.tally.differs += 1
            self.tally.last_difference = result.differs
            self.budget.edits += 1
            log.warning(
                "[[%s]] rev %s is not the change wikilint made: %s",
                rev.title,
                result.revid,
                result.differs,
            )
            return replace(
                record,
                action="differs",
                saved_revid=result.revid,
                reason=result.differs,
                final=False,
            )
        if result.status == "saved":
            self.tally.saved += 1
            self.budget.edits += 1
            reason = "; ".join(result.warnings) or None
            # A merged save is not known to be clean: don't mark its revision as processed.
            return replace(
                record,
                action="edited",
                saved_revid=result.revid,
                reason=reason,
                final=not result.merged,
            )
        if result.status == "nochange":
            # We computed a change, yet the wiki saw none: was our save already made by a
            # request whose answer was lost (timeout, dropped connection, pywikibot retry)?
            current = self.wiki.latest(rev.title)
            if (
                current is not None
                and current.revid != rev.revid
                and current.user == self.wiki.username
                and current.parentid == rev.revid
            ):
                self.tally.saved += 1
                self.budget.edits += 1
                return replace(
                    record,
                    action="edited",
                    saved_revid=current.revid,
                    reason="saved; the wiki's answer was lost and the retry found "
                    "the edit already made",
                )
            return replace(record, action="unchanged", final=False)
        if result.reason in PROTECTION_REASONS:
            # The wiki knows better than our reading of the levels: remember it the same way.
            return replace(
                record,
                action="skipped",
                reason=result.reason,
                protection=safety.protection_key(rev.protection),
            )
        return replace(record, action="skipped", reason=result.reason, final=False)
