"""``wikilint run --config bot.toml``: the scheduled bot, safe to leave running unattended.

The runner only orchestrates: configuration (``bot.botconfig``), memory (``bot.journal``),
page sources (``bot.sources``), safety checks (``bot.safety``), the wiki (``bot.botsite``:
``bot.wiki.safe_save`` underneath) and proposals for review (``bot.store`` / ``bot.review``).
The flow per page is pywikibot's ``treat_page`` shape: check → fix → guard → save → record.

Exit codes (for cron, systemd and Toolforge):

====  ===========================================================================
0     the run completed
1     the run failed (unexpected error, too many pages failing in a row, or saves
      failed and none succeeded)
2     configuration error (bot.toml, rules, or the wiki/account cannot be opened)
3     stopped on purpose: shutoff page, new talk-page message, account blocked or
      logged out
4     stopped early, resumable: time budget, edit/page limit, SIGTERM, or the wiki is
      lagged / read-only / failing (after the bounded backoff)
5     another run holds the lock (nothing done)
====  ===========================================================================
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import click
from wikilint import rules
from wikilint.bot.change.core import Change, SummaryStyle
from wikilint.bot.change.policy import PagePolicy, in_use_keys
from wikilint.bot.change.timelimit import LintWorker, PageTimeout
from wikilint.bot.runner import decide, safety
from wikilint.bot.runner.config import BotConfig, load, validate_for_run
from wikilint.bot.runner.gateway import WikiGateway, WikiUnavailable
from wikilint.bot.runner.journal import Journal, JournalError, LockHeld, PageRecord, RunLock
from wikilint.bot.web.titles import allow_private_fetch_option
from wikilint.bot.wiki import api as wiki
from wikilint.bot.wiki.api import Plan, Revision, StopRun, WikiError, same_saved_text
from wikilint.bot.wiki.sources import RC_CURSOR, Unreadable

log = logging.getLogger("wikilint.run")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_STOPPED, EXIT_RESUMABLE, EXIT_LOCKED = 0, 1, 2, 3, 4, 5
MAX_FAILURES_IN_A_ROW = 5
MAX_THROTTLE = 600.0


class Stop(Exception):
    """End the run now; every page so far is fully recorded."""

    def __init__(self, status: str, exit_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.exit_code = exit_code
        self.reason = reason


@dataclass
class Throttle:
    """At least ``interval`` seconds between saves; doubles on ``ratelimited``."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            delay = self._last + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self._last = self.clock()

    def slow_down(self) -> None:
        self.interval = min(max(self.interval * 2, 1.0), MAX_THROTTLE)
        log.warning("the wiki rate-limited us: now at most one edit every %.0fs", self.interval)


@dataclass
class Budget:
    """Time budget and per-run page/edit limits: reaching one stops the run resumably."""

    time_budget: float
    max_pages: int
    max_edits: int
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    pages: int = 0
    edits: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def deadline(self) -> float | None:
        """When the time budget runs out, as a ``time.monotonic()`` instant (``None``: no
        budget). For work that must stop inside a page, such as fetching titles."""
        if not self.time_budget:
            return None
        return time.monotonic() + max(0.0, self.time_budget - (self.clock() - self.started))

    def check_time(self) -> None:
        if self.time_budget and self.clock() - self.started >= self.time_budget:
            raise Stop("limit", EXIT_RESUMABLE, f"time budget of {self.time_budget:.0f}s used")

    def check_page(self) -> None:
        self.check_time()
        if self.max_pages and self.pages >= self.max_pages:
            raise Stop("limit", EXIT_RESUMABLE, f"page limit of {self.max_pages} reached")

    def check_edit(self) -> None:
        self.check_time()
        if self.max_edits and self.edits >= self.max_edits:
            raise Stop("limit", EXIT_RESUMABLE, f"edit limit of {self.max_edits} reached")


@dataclass
class SaveTally:
    """Saves attempted in a run and how they ended: a run whose every attempt failed with an
    error (a bad ``tags`` value, say: every save answers ``badtags``) did not complete. A
    refusal about one page (protected, edit conflict, abuse filter) is a skip, not a failure."""

    attempted: int = 0
    saved: int = 0
    failed: int = 0
    last_failure: str = ""

    def all_failed(self) -> str | None:
        """Why the run failed when saves were attempted, some failed and none succeeded."""
        if not self.failed or self.saved:
            return None
        return (f"no save succeeded: {self.failed} of {self.attempted} attempted "
                f"{'save' if self.attempted == 1 else 'saves'} failed; last: "
                f"{self.last_failure}")

    def as_dict(self) -> dict[str, int]:
        return {"attempted": self.attempted, "saved": self.saved, "failed": self.failed}


def fingerprint(config: BotConfig) -> str:
    """What makes a processed revision's outcome valid: rules, their options, the policies."""
    parts = [
        rules.__name__,
        repr(sorted((r.name, repr(r.options)) for r in config.lint.enabled())),
        config.mode, config.fixes.unsafe, str(config.limits.max_page_size),
        str(config.limits.page_lint_timeout),
        repr(sorted(config.safety.in_use_templates)),
    ]
    if config.wiki.contact and config.fixes.unsafe == "propose":
        parts.append("fetch-titles")  # pages seen without titles get their unsafe proposals
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


MAX_TITLE_FAILURES_SHOWN = 20  # in the printed report; --report has every one


@dataclass
class RunReport:
    run_id: int
    status: str
    exit_code: int
    reason: str
    site: str
    dry_run: bool
    elapsed: float
    actions: dict[str, int]
    findings: dict[str, int]
    skip_reasons: dict[str, int]
    pages: int
    unfinished_saves_recovered: list[str]
    # One {"page", "url", "reason"} per URL whose title was wanted but not fetched.
    titles_not_fetched: list[dict[str, str]] = field(default_factory=list)
    saves: dict[str, int] = field(default_factory=dict)  # attempted, saved, failed

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, sort_keys=True)

    def human(self) -> str:
        lines = [f"wikilint run #{self.run_id} on {self.site}: {self.status}"
                 + (f" ({self.reason})" if self.reason else "")
                 + (" [dry run: nothing was saved]" if self.dry_run else "")]
        acts = ", ".join(f"{n} {a}" for a, n in sorted(self.actions.items())) or "none"
        lines.append(f"  pages: {self.pages} ({acts}) in {self.elapsed:.0f}s")
        if self.findings:
            lines.append("  findings: " + ", ".join(
                f"{r} {n}" for r, n in sorted(self.findings.items(), key=lambda kv: -kv[1])))
        if self.saves.get("attempted"):
            lines.append(f"  saves: {self.saves['attempted']} attempted, "
                         f"{self.saves['saved']} saved, {self.saves['failed']} failed")
        for reason, n in sorted(self.skip_reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"  skipped/failed {n}x: {reason}")
        shown = self.titles_not_fetched[:MAX_TITLE_FAILURES_SHOWN]
        for miss in shown:
            lines.append(f"  no title for {miss['url']} ([[{miss['page']}]]): {miss['reason']}")
        if len(self.titles_not_fetched) > len(shown):
            lines.append(f"  … and {len(self.titles_not_fetched) - len(shown)} more URLs "
                         "without a title (all of them in --report)")
        lines.append(f"  exit code {self.exit_code}")
        return "\n".join(lines)


class Runner:
    def __init__(
        self,
        config: BotConfig,
        wiki: WikiGateway,
        journal: Journal,
        *,
        dry_run: bool = False,
        store_path: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[str, str], None] | None = None,
        allow_private_fetch: bool = False,
    ) -> None:
        self.config = config
        self.allow_private_fetch = allow_private_fetch  # tests and closed networks only
        self.titles_not_fetched: list[dict[str, str]] = []
        self.wiki = wiki
        self.journal = journal
        self.dry_run = dry_run
        self.store_path = store_path if store_path is not None else config.state.proposals
        self.clock = clock
        self.sleep = sleep
        self.progress = progress or (lambda title, action: None)
        self.fingerprint = fingerprint(config)
        self.throttle = Throttle(config.limits.edit_throttle, clock, sleep)
        self.budget = Budget(config.limits.time_budget, config.limits.max_pages,
                             config.limits.max_edits, clock)
        self.policy = PagePolicy(username=wiki.username, max_size=config.limits.max_page_size,
                                 in_use=in_use_keys(config.safety.in_use_templates))
        self.summary_style = SummaryStyle(prefix=config.wiki.summary_prefix,
                                          docs_page=config.wiki.docs_page)
        self.terminate = False  # set by SIGTERM: finish the current page, then stop
        self._warned_no_contact = False
        self._failures_in_a_row = 0
        self.saves = SaveTally()
        self.rights: frozenset[str] = frozenset()
        self.lint_worker = LintWorker(config.limits.page_lint_timeout)

    # -- the run --------------------------------------------------------------------------

    def run(self) -> RunReport:
        started = self.clock()
        recovered = [t for t, _ in self.journal.unfinished_saves()]
        run_id = self.journal.start_run(self.fingerprint, self.dry_run)
        status, code, reason = "completed", EXIT_OK, ""
        try:
            try:
                self._run(run_id, recovered)
            finally:
                self.lint_worker.close()
        except Stop as stop:
            status, code, reason = stop.status, stop.exit_code, stop.reason
        except StopRun as exc:
            status, code, reason = _classify_stoprun(exc)
        except WikiUnavailable as exc:
            status, code, reason = "interrupted", EXIT_RESUMABLE, str(exc)
        except Exception as exc:
            if _is_unavailable(exc):
                status, code, reason = "interrupted", EXIT_RESUMABLE, \
                    f"the wiki is unavailable: {type(exc).__name__}: {exc}"
            else:
                log.exception("the run failed")
                status, code, reason = "failed", EXIT_FAILED, f"{type(exc).__name__}: {exc}"
        all_failed = self.saves.all_failed()
        if all_failed and status in ("completed", "limit"):
            status, code, reason = "failed", EXIT_FAILED, all_failed
        if code:
            log.warning("stopping: %s", reason)
        self.journal.finish_run(run_id, status, code, reason)
        s = self.journal.summary(run_id)
        return RunReport(run_id, status, code, reason, self.wiki.site_name, self.dry_run,
                         round(self.clock() - started, 3), dict(s.actions), dict(s.findings),
                         dict(s.skip_reasons), s.pages, recovered, list(self.titles_not_fetched),
                         self.saves.as_dict())

    def _run(self, run_id: int, recovered: list[str]) -> None:
        self.wiki.login()
        self.rights = self.wiki.rights
        self.policy = replace(self.policy, username=self.wiki.username)  # as logged in
        if self.config.safety.in_use_templates:
            names = self.wiki.in_use_names(self.config.safety.in_use_templates)
            self.policy = replace(self.policy, in_use=in_use_keys(names))
        sources = self.config.sources
        if recovered:
            # A save whose outcome is unknown (the last run died mid-save): look again first.
            log.warning("re-checking pages whose save was interrupted: %s", ", ".join(recovered))
            sources = replace(sources, titles=tuple(recovered) + sources.titles)
        next_cursor: list[str] = []
        revisions = self.wiki.revisions(sources, self._already_processed,
                                        self.journal.cursor(RC_CURSOR), next_cursor.append)
        for item in self._guarded(revisions):
            self.budget.check_page()
            self.budget.pages += 1
            record = self._treat(run_id, item)
            self.journal.record(run_id, self.fingerprint, record)
            self.progress(record.title, record.action)
            log.info("[[%s]]: %s%s", record.title, record.action,
                     f" ({record.reason})" if record.reason else
                     f" (rev {record.saved_revid})" if record.saved_revid else "")
            self._count_failure(record)
        if next_cursor and not self.dry_run:
            self.journal.set_cursor(RC_CURSOR, next_cursor[-1])

    def _guarded(self, items: Iterator[Revision | Unreadable]) -> Iterator[Revision | Unreadable]:
        for item in items:
            if self.terminate:
                raise Stop("interrupted", EXIT_RESUMABLE, "terminated by a signal")
            yield item

    def _already_processed(self, title: str, revid: int, protection: tuple[str, ...] = ()
                           ) -> bool:
        return self.journal.already_processed(title, revid, self.fingerprint,
                                              safety.protection_key(protection))

    def _count_failure(self, record: PageRecord) -> None:
        if record.action != "failed":
            self._failures_in_a_row = 0
            return
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
            raise Stop("failed", EXIT_FAILED,
                       f"{self._failures_in_a_row} pages failed in a row; last: {record.reason}")

    # -- one page -------------------------------------------------------------------------

    def _treat(self, run_id: int, item: Revision | Unreadable) -> PageRecord:
        if isinstance(item, Unreadable):
            return PageRecord(item.title, item.revid, "skipped", item.reason,
                              final=item.revid is not None)
        rev = item
        try:
            return self._treat_revision(run_id, rev)
        except (Stop, StopRun, WikiUnavailable):
            raise
        except WikiError as exc:
            return PageRecord(rev.title, rev.revid, "failed", str(exc), final=False)
        except Exception as exc:
            if _is_unavailable(exc):
                raise
            log.exception("[[%s]]: unexpected error", rev.title)
            return PageRecord(rev.title, rev.revid, "failed", f"{type(exc).__name__}: {exc}",
                              final=False)

    def _treat_revision(self, run_id: int, rev: Revision) -> PageRecord:
        blocked = safety.protection_blocks(rev.protection, self.rights)
        if blocked:
            # Remembered with the protection: not read again until it or the page changes.
            return PageRecord(rev.title, rev.revid, "skipped",
                              f"the page is protected (edit: {', '.join(blocked)})",
                              protection=safety.protection_key(rev.protection))
        unsafe = self.config.fixes.unsafe == "propose"
        try:
            changes = self.lint_worker.call(
                decide.page_changes, rev.text, rev.title, self.config.lint, self.policy,
                self.summary_style, unsafe, unsafe or self.config.mode == "propose",
                host=self._title_fetcher(rev))
        except PageTimeout as exc:
            # Final: the same revision under the same limit (in the fingerprint) would again.
            return PageRecord(rev.title, rev.revid, "skipped", str(exc))
        safe = changes.safe
        if safe.skip_reason:
            return PageRecord(rev.title, rev.revid, "skipped", safe.skip_reason)
        record = PageRecord(rev.title, rev.revid, "unchanged", findings=changes.findings)
        proposal_id = None
        to_propose = changes.to_propose
        if to_propose is not None and (self.config.mode == "propose" or not same_saved_text(
                to_propose.proposed, safe.proposed)):
            proposal_id = self._propose(rev, to_propose, unsafe)
            if self.config.mode == "propose":
                return replace(record, action="proposed" if proposal_id else "unchanged",
                               proposal_id=proposal_id)
        if same_saved_text(safe.proposed, rev.text):
            if proposal_id:
                return replace(record, action="proposed", proposal_id=proposal_id)
            return record
        cosmetic = self._cosmetic_reason(rev, safe.proposed)
        if cosmetic:
            return replace(record, action="skipped", reason=cosmetic, proposal_id=proposal_id)
        return self._submit(run_id, rev, safe, record, proposal_id)

    def _cosmetic_reason(self, rev: Revision, new: str) -> str | None:
        if safety.whitespace_only(rev.text, new):
            return "cosmetic only: whitespace"
        if self.config.safety.cosmetic_check == "render" and \
                self.wiki.renders_same(rev.title, rev.text, new):
            return "cosmetic only: renders the same"
        return None

    def _submit(self, run_id: int, rev: Revision, change: Change, record: PageRecord,
                proposal_id: int | None) -> PageRecord:
        record = replace(record, proposal_id=proposal_id)
        if self.dry_run:
            return replace(record, action="edited", reason="dry run: not saved", final=False)
        self.budget.check_edit()
        self.throttle.wait()
        self._check_guards()  # after the throttle's wait: as fresh as possible
        plan = Plan(change.proposed, change.summary, round_trip_checked=True)
        self.journal.begin_save(run_id, rev.title, rev.revid)
        self.saves.attempted += 1
        try:
            result = self.wiki.save(rev, plan, self._rebaser(rev.title),
                                    minor=self.config.wiki.minor, tags=self.config.wiki.tags)
        except (StopRun, WikiUnavailable):
            raise
        except Exception as exc:
            if not _is_unavailable(exc):
                self.saves.failed += 1
                self.saves.last_failure = str(exc) or type(exc).__name__
            raise
        if "ratelimited" in self.wiki.api_events():
            self.throttle.slow_down()
        if result.status == "saved":
            self.saves.saved += 1
            self.budget.edits += 1
            reason = "; ".join(result.warnings) or None
            # A merged save is not known to be clean: don't mark its revision as processed.
            return replace(record, action="edited", saved_revid=result.revid, reason=reason,
                           final=not result.merged)
        if result.status == "nochange":
            # We computed a change, yet the wiki saw none: was our save already made by a
            # request whose answer was lost (timeout, dropped connection, pywikibot retry)?
            current = self.wiki.latest(rev.title)
            if current is not None and current.revid != rev.revid \
                    and current.user == self.wiki.username and current.parentid == rev.revid:
                self.saves.saved += 1
                self.budget.edits += 1
                return replace(record, action="edited", saved_revid=current.revid,
                               reason="saved; the wiki's answer was lost and the retry found "
                                      "the edit already made")
            return replace(record, action="unchanged", final=False)
        if result.reason in _PROTECTION_REASONS:
            # The wiki knows better than our reading of the levels: remember it the same way.
            return replace(record, action="skipped", reason=result.reason,
                           protection=safety.protection_key(rev.protection))
        return replace(record, action="skipped", reason=result.reason, final=False)

    def _check_guards(self) -> None:
        s = self.config.safety
        state = self.wiki.guard_state(s.shutoff_page)
        reason = safety.guard_stop_reason(state, s.shutoff_page, s.shutoff_run_value,
                                          s.check_talk)
        if reason:
            raise Stop("stopped", EXIT_STOPPED, reason)

    def _rebaser(self, title: str) -> Callable[[Revision], Plan | None]:
        def rebase(newer: Revision) -> Plan | None:
            try:
                change = self.lint_worker.call(decide.rebased, newer.text, title,
                                               self.config.lint, self.policy, self.summary_style)
            except PageTimeout as exc:
                log.warning("[[%s]]: the newer revision is not fixed: %s", title, exc)
                return None
            # Someone tagged {{nobots}}/{{in use}} meanwhile: leave it (skip_reason).
            if change.skip_reason:
                return None
            return Plan(change.proposed, change.summary, round_trip_checked=True)
        return rebase

    def _title_fetcher(self, rev: Revision) -> Callable[[list[str]], dict[str, str]]:
        """Fetches the page titles the unsafe fixes need (bare-url, placeholder-title) with the
        configured contact: at most ``MAX_URLS_PER_PAGE`` a page, each request bounded by the
        fetcher's timeouts and size cap. A dry run fetches nothing. The lint worker asks for
        them (the fetch does not count against the page's lint time limit)."""
        def titles(urls: list[str]) -> dict[str, str]:
            from wikilint.bot.web.titles import MAX_URLS_PER_PAGE, fetch_titles

            if not urls or self.dry_run:
                return {}
            contact = self.config.wiki.contact
            if not contact:
                if not self._warned_no_contact:
                    self._warned_no_contact = True
                    log.warning("not fetching page titles: set contact (email or URL) in [wiki] "
                                "of %s; unsafe fixes that need titles (bare URLs, placeholder "
                                "titles) are not proposed", self.config.path)
                return {}

            def note(message: str) -> None:
                log.info("[[%s]]: %s", rev.title, message)

            def failed(url: str, reason: str) -> None:
                self.titles_not_fetched.append({"page": rev.title, "url": url, "reason": reason})

            return fetch_titles(urls, contact, note, limit=MAX_URLS_PER_PAGE,
                                how_to_contact="set contact in [wiki] of bot.toml",
                                until=self.budget.deadline(),
                                allow_private=self.allow_private_fetch, failed=failed)
        return titles

    def _propose(self, rev: Revision, change: Change, unsafe: bool) -> int | None:
        if self.dry_run or same_saved_text(change.proposed, rev.text):
            return None
        from wikilint.bot.change.store import Proposal, Store

        # With unsafe fixes the fetched titles are stored: review and submit reuse them.
        p = Proposal.from_change(change, site=self.wiki.site_name, page=rev.title, section=None,
                                 base_revid=rev.revid, base_timestamp=rev.timestamp,
                                 unsafe=unsafe)
        with Store(self.store_path) as store:
            return store.add(p)


_PROTECTION_REASONS = frozenset(wiki.SKIP_CODES[code] for code in (
    "protectedpage", "cascadeprotected", "customcssprotected", "customjsprotected"))


def _classify_stoprun(exc: StopRun) -> tuple[str, int, str]:
    code = getattr(exc.__cause__, "code", "")
    if code == "readonly":
        return "interrupted", EXIT_RESUMABLE, f"the wiki is read-only: {exc}"
    return "stopped", EXIT_STOPPED, str(exc)


def _is_unavailable(exc: BaseException) -> bool:
    from wikilint.bot.runner.gateway import unavailable_errors

    return isinstance(exc, unavailable_errors())


# -- the command ----------------------------------------------------------------------------


class _Progress:
    """A progress line on a terminal; nothing otherwise (log lines tell the story).

    Page sources stream, so the total is the run's page limit when one is set (a bar
    against it), else a plain count."""

    WIDTH = 20

    def __init__(self, enabled: bool, limit: int = 0) -> None:
        self.enabled = enabled
        self.limit = limit
        self.counts: Counter[str] = Counter()

    def line(self, title: str) -> str:
        n = sum(self.counts.values())
        detail = " ".join(f"{a}={c}" for a, c in sorted(self.counts.items()))
        if self.limit:
            filled = min(self.WIDTH, self.WIDTH * n // self.limit)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            done = f"[{bar}] {n}/{self.limit} pages"
        else:
            done = f"{n} page" if n == 1 else f"{n} pages"
        return f"{done}  {detail}  {title[:40]:<40}"

    def __call__(self, title: str, action: str) -> None:
        self.counts[action] += 1
        if self.enabled:
            click.echo("\r" + self.line(title), nl=False, err=True)

    def close(self) -> None:
        if self.enabled and self.counts:
            click.echo("", err=True)


def setup_logging(interactive: bool, verbose: bool) -> None:
    """Our log lines on stderr; pywikibot keeps its own handlers. Every handler of both gets
    the redacting filter (pywikibot logs request parameters and headers on errors)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        "%(message)s" if interactive else "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._wikilint_run = True  # type: ignore[attr-defined]
    logger = logging.getLogger("wikilint")
    # Replace the handler of an earlier call (tests, or execute() called twice in a process).
    logger.handlers = [h for h in logger.handlers if not getattr(h, "_wikilint_run", False)]
    logger.addHandler(handler)
    logger.propagate = False
    # On a terminal the progress line tells the story; log lines would break it up.
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if interactive
                    else logging.INFO)
    wiki.redact_secrets_in_logs(verbose)


def execute(config_path: str, report: str | None, dry_run: bool, verbose: bool = False,
            gateway_factory: Callable[[BotConfig], WikiGateway] | None = None,
            interactive: bool | None = None, allow_private_fetch: bool = False,
            limits_are_success: bool = False) -> int:
    """The whole command; returns the exit code (tests call this directly).

    ``limits_are_success``: a run that stopped early but resumable (limits, time budget, lag,
    read-only, SIGTERM) exits 0, so that a scheduler mails only on real failures."""
    interactive = sys.stderr.isatty() if interactive is None else interactive
    setup_logging(interactive, verbose)
    try:
        config = load(config_path)
        validate_for_run(config)
    except rules.ConfigError as exc:
        click.echo(f"wikilint run: {exc}", err=True)
        return EXIT_CONFIG
    lock = RunLock(config.lock_path)
    try:
        lock.acquire()
    except LockHeld as exc:
        click.echo(f"wikilint run: {exc}; not starting", err=True)
        return EXIT_LOCKED
    except OSError as exc:
        click.echo(f"wikilint run: {config.path}: cannot take the lock {config.lock_path}: "
                   f"{exc.strerror or exc}", err=True)
        return EXIT_CONFIG
    try:
        try:
            wiki = (gateway_factory or _default_gateway)(config)
        except Exception as exc:
            click.echo(f"wikilint run: cannot open the wiki: {type(exc).__name__}: {exc}",
                       err=True)
            return EXIT_CONFIG
        progress = _Progress(interactive, config.limits.max_pages)
        try:
            journal = Journal(config.state.journal, wiki.site_name)
        except (OSError, sqlite3.Error, JournalError) as exc:
            click.echo(f"wikilint run: {config.path}: cannot open the journal "
                       f"{config.state.journal}: {exc}", err=True)
            return EXIT_CONFIG
        with journal:
            runner = Runner(config, wiki, journal, dry_run=dry_run, progress=progress,
                            allow_private_fetch=allow_private_fetch)
            previous = signal.signal(signal.SIGTERM, lambda *_: setattr(runner, "terminate",
                                                                      True))
            try:
                result = runner.run()
            finally:
                signal.signal(signal.SIGTERM, previous)
                progress.close()
        click.echo(result.human())
        if report:
            Path(report).write_text(result.to_json() + "\n", encoding="utf-8")
        if limits_are_success and result.exit_code == EXIT_RESUMABLE:
            return EXIT_OK
        return result.exit_code
    finally:
        lock.release()


def _default_gateway(config: BotConfig) -> WikiGateway:
    from wikilint.bot.runner.gateway import PywikibotGateway

    return PywikibotGateway.open(config)


@click.command("run")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False),
              help="The bot's bot.toml (see examples/bot.toml).")
@click.option("--report", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write the run report as JSON to this file.")
@click.option("--dry-run", is_flag=True, help="Read and fix, but save nothing and queue nothing.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging (secrets are still redacted).")
@click.option("--limits-are-success", is_flag=True,
              help="Exit 0 instead of 4 when the run stopped early but resumable (limits, time "
              "budget, lag): for schedulers that mail on every non-zero exit.")
@allow_private_fetch_option
def run(config_path: str, report: str | None, dry_run: bool, verbose: bool,
        limits_are_success: bool, allow_private_fetch: bool) -> None:
    """Run the scheduled bot: lint the configured pages and save safe fixes.

    Exit codes: 0 completed; 1 failed (also: saves failed and none succeeded); 2 configuration
    error; 3 stopped by the shutoff page, a talk-page message or a block; 4 stopped early but
    resumable (time budget, limits, lag, read-only, SIGTERM; 0 with --limits-are-success); 5
    another run holds the lock.
    """
    sys.exit(execute(config_path, report, dry_run, verbose,
                     allow_private_fetch=allow_private_fetch,
                     limits_are_success=limits_are_success))


def register(group: click.Group) -> None:
    """``bot.cli`` plugin hook: adds ``wikilint run``."""
    group.add_command(run)
