"""``wikilint run --config bot.toml``: the scheduled bot, safe to leave running unattended.

The loop only orchestrates, pywikibot's ``treat_page`` shape per page: read → decide → act →
record. The parts, each on its own:

- ``runner.config``: ``bot.toml``; ``runner.journal``: the run's memory and lock;
- ``runner.gateway``: the wiki (page sources, guard state, render check, safe save);
- ``runner.decide``: what to do with a revision (skip with a reason, leave, propose, save), a
  pure function whose lint runs in the time-limited worker (``bot.change.timelimit``);
- ``runner.limits``: exit codes, the throttle and the time/page/edit budget;
- ``runner.guards``: the shutoff page and talk-page check before every save;
- ``runner.saver``: one save and what the wiki's answer means for the journal;
- this module: the loop over the pages, proposals for review, the report and the command.

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
from wikilint.bot.runner.gateway import WikiGateway
from wikilint.bot.runner.journal import Journal, JournalError, LockHeld, PageRecord, RunLock
from wikilint.bot.runner.limits import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_RESUMABLE,
    EXIT_STOPPED,
    Budget,
    Stop,
    Throttle,
)
from wikilint.bot.runner.progress import RunProgress, known_total
from wikilint.bot.runner.saver import Saver
from wikilint.bot.web.titles import allow_private_fetch_option
from wikilint.bot.wiki import api as wiki
from wikilint.bot.wiki.api import (
    Plan,
    Revision,
    StopRun,
    WikiError,
    WikiUnavailable,
    is_unavailable,
    same_saved_text,
)
from wikilint.bot.wiki.generators import (
    CATEGORY_DEPTH_MAX,
    GeneratorArgError,
    category_depth_option,
    check_generator_args,
    has_category_arg,
    parse_category_depth,
)
from wikilint.bot.wiki.sources import RC_CURSOR, Unreadable

log = logging.getLogger("wikilint.run")

MAX_FAILURES_IN_A_ROW = 5


def fingerprint(config: BotConfig) -> str:
    """What makes a processed revision's outcome valid: rules, their options, the policies."""
    parts = [
        rules.__name__,
        repr(sorted((r.name, repr(r.options)) for r in config.lint.enabled())),
        config.mode,
        config.fixes.unsafe,
        str(config.limits.max_page_size),
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
        lines = [
            f"wikilint run #{self.run_id} on {self.site}: {self.status}"
            + (f" ({self.reason})" if self.reason else "")
            + (" [dry run: nothing was saved]" if self.dry_run else "")
        ]
        acts = ", ".join(f"{n} {a}" for a, n in sorted(self.actions.items())) or "none"
        lines.append(f"  pages: {self.pages} ({acts}) in {self.elapsed:.0f}s")
        if self.findings:
            lines.append(
                "  findings: "
                + ", ".join(
                    f"{r} {n}" for r, n in sorted(self.findings.items(), key=lambda kv: -kv[1])
                )
            )
        if self.saves.get("attempted"):
            lines.append(
                f"  saves: {self.saves['attempted']} attempted, "
                f"{self.saves['saved']} saved, {self.saves['failed']} failed"
            )
        for reason, n in sorted(self.skip_reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"  skipped/failed {n}x: {reason}")
        shown = self.titles_not_fetched[:MAX_TITLE_FAILURES_SHOWN]
        for miss in shown:
            lines.append(f"  no title for {miss['url']} ([[{miss['page']}]]): {miss['reason']}")
        if len(self.titles_not_fetched) > len(shown):
            lines.append(
                f"  … and {len(self.titles_not_fetched) - len(shown)} more URLs "
                "without a title (all of them in --report)"
            )
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
        self.budget = Budget(
            config.limits.time_budget, config.limits.max_pages, config.limits.max_edits, clock
        )
        self.saver = Saver(
            config, wiki, journal, self.budget, self.throttle, self._rebaser, dry_run
        )
        self.policy = PagePolicy(
            username=wiki.username,
            max_size=config.limits.max_page_size,
            in_use=in_use_keys(config.safety.in_use_templates),
        )
        self.summary_style = SummaryStyle(
            prefix=config.wiki.summary_prefix, docs_page=config.wiki.docs_page
        )
        self.terminate = False  # set by SIGTERM: finish the current page, then stop
        self._warned_no_contact = False
        self._failures_in_a_row = 0
        self.lint_worker = LintWorker(config.limits.page_lint_timeout)
        self.page_env = decide.PageEnv(frozenset(), self._changes)

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
            if is_unavailable(exc):
                status, code, reason = (
                    "interrupted",
                    EXIT_RESUMABLE,
                    f"the wiki is unavailable: {type(exc).__name__}: {exc}",
                )
            else:
                log.exception("the run failed")
                status, code, reason = "failed", EXIT_FAILED, f"{type(exc).__name__}: {exc}"
        all_failed = self.saver.tally.all_failed()
        if all_failed and status in ("completed", "limit"):
            status, code, reason = "failed", EXIT_FAILED, all_failed
        not_clean = self.saver.tally.not_clean()
        if not_clean and code in (EXIT_OK, EXIT_RESUMABLE):
            # the run did its work, but not cleanly: exit 1 so that a scheduler reports it
            code, reason = EXIT_FAILED, "; ".join(filter(None, (reason, not_clean)))
        if code:
            log.warning("stopping: %s", reason)
        self.journal.finish_run(run_id, status, code, reason)
        s = self.journal.summary(run_id)
        return RunReport(
            run_id,
            status,
            code,
            reason,
            self.wiki.site_name,
            self.dry_run,
            round(self.clock() - started, 3),
            dict(s.actions),
            dict(s.findings),
            dict(s.skip_reasons),
            s.pages,
            recovered,
            list(self.titles_not_fetched),
            self.saver.tally.as_dict(),
        )

    def _run(self, run_id: int, recovered: list[str]) -> None:
        self.wiki.login()
        self.page_env = replace(self.page_env, rights=self.wiki.rights)
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
        revisions = self.wiki.revisions(
            sources, self._already_processed, self.journal.cursor(RC_CURSOR), next_cursor.append
        )
        for item in self._guarded(revisions):
            self.budget.check_page()
            self.budget.pages += 1
            record = self._treat(run_id, item)
            self.journal.record(run_id, self.fingerprint, record)
            self.progress(record.title, record.action)
            log.info(
                "[[%s]]: %s%s",
                record.title,
                record.action,
                f" ({record.reason})"
                if record.reason
                else f" (rev {record.saved_revid})"
                if record.saved_revid
                else "",
            )
            self._count_failure(record)
        if next_cursor and not self.dry_run:
            self.journal.set_cursor(RC_CURSOR, next_cursor[-1])

    def _guarded(self, items: Iterator[Revision | Unreadable]) -> Iterator[Revision | Unreadable]:
        for item in items:
            if self.terminate:
                raise Stop("interrupted", EXIT_RESUMABLE, "terminated by a signal")
            yield item

    def _already_processed(self, title: str, revid: int, protection: tuple[str, ...] = ()) -> bool:
        return self.journal.already_processed(
            title, revid, self.fingerprint, safety.protection_key(protection)
        )

    def _count_failure(self, record: PageRecord) -> None:
        if record.action != "failed":
            self._failures_in_a_row = 0
            return
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
            raise Stop(
                "failed",
                EXIT_FAILED,
                f"{self._failures_in_a_row} pages failed in a row; last: {record.reason}",
            )

    # -- one page -------------------------------------------------------------------------

    def _treat(self, run_id: int, item: Revision | Unreadable) -> PageRecord:
        if isinstance(item, Unreadable):
            return PageRecord(
                item.title, item.revid, "skipped", item.reason, final=item.revid is not None
            )
        rev = item
        try:
            return self._treat_revision(run_id, rev)
        except (Stop, StopRun, WikiUnavailable):
            raise
        except WikiError as exc:
            return PageRecord(rev.title, rev.revid, "failed", str(exc), final=False)
        except Exception as exc:
            if is_unavailable(exc):
                raise
            log.exception("[[%s]]: unexpected error", rev.title)
            return PageRecord(
                rev.title, rev.revid, "failed", f"{type(exc).__name__}: {exc}", final=False
            )

    def _treat_revision(self, run_id: int, rev: Revision) -> PageRecord:
        decision = decide.decide(rev, self.config, self.page_env)
        record = PageRecord(rev.title, rev.revid, "unchanged", findings=decision.findings)
        if decision.action == "skip":
            return replace(
                record, action="skipped", reason=decision.reason, protection=decision.protection
            )
        proposal_id = None
        if decision.propose is not None:
            proposal_id = self._propose(rev, decision.propose)
        record = replace(record, proposal_id=proposal_id)
        if decision.save is None:
            return replace(record, action="proposed" if proposal_id else "unchanged")
        if self.config.safety.cosmetic_check == "render" and self.wiki.renders_same(
            rev.title, rev.text, decision.save.proposed
        ):
            return replace(record, action="skipped", reason="cosmetic only: renders the same")
        return self.saver.save(run_id, rev, decision.save, record)

    def _changes(self, rev: Revision, unsafe: bool, propose: bool) -> decide.PageChanges:
        """The page's changes, computed in the lint worker; the titles the unsafe fixes need
        are fetched here when it asks (outside its time limit)."""
        return self.lint_worker.call(
            decide.page_changes,
            rev.text,
            rev.title,
            self.config.lint,
            self.policy,
            self.summary_style,
            unsafe,
            propose,
            host=self._title_fetcher(rev),
        )

    def _rebaser(self, title: str) -> Callable[[Revision], Plan | None]:
        def rebase(newer: Revision) -> Plan | None:
            try:
                change = self.lint_worker.call(
                    decide.rebased,
                    newer.text,
                    title,
                    self.config.lint,
                    self.policy,
                    self.summary_style,
                )
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
                    log.warning(
                        "not fetching page titles: set contact (email or URL) in [wiki] "
                        "of %s; unsafe fixes that need titles (bare URLs, placeholder "
                        "titles) are not proposed",
                        self.config.path,
                    )
                return {}

            def note(message: str) -> None:
                log.info("[[%s]]: %s", rev.title, message)

            def failed(url: str, reason: str) -> None:
                self.titles_not_fetched.append({"page": rev.title, "url": url, "reason": reason})

            return fetch_titles(
                urls,
                contact,
                note,
                limit=MAX_URLS_PER_PAGE,
                how_to_contact="set contact in [wiki] of bot.toml",
                until=self.budget.deadline(),
                allow_private=self.allow_private_fetch,
                failed=failed,
            )

        return titles

    def _propose(self, rev: Revision, change: Change) -> int | None:
        if self.dry_run or same_saved_text(change.proposed, rev.text):
            return None
        from wikilint.bot.change.store import Proposal, Store

        # With unsafe fixes the fetched titles are stored: review and submit reuse them.
        p = Proposal.from_change(
            change,
            site=self.wiki.site_name,
            page=rev.title,
            section=None,
            base_revid=rev.revid,
            base_timestamp=rev.timestamp,
            unsafe=self.config.fixes.unsafe == "propose",
        )
        with Store(self.store_path) as store:
            return store.add(p)


def _classify_stoprun(exc: StopRun) -> tuple[str, int, str]:
    code = getattr(exc.__cause__, "code", "")
    if code == "readonly":
        return "interrupted", EXIT_RESUMABLE, f"the wiki is read-only: {exc}"
    return "stopped", EXIT_STOPPED, str(exc)


# -- the command ----------------------------------------------------------------------------


def setup_logging(interactive: bool, verbose: bool) -> None:
    """Our log lines on stderr; pywikibot keeps its own handlers. Every handler of both gets
    the redacting filter (pywikibot logs request parameters and headers on errors)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            "%(message)s" if interactive else "%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    )
    handler._wikilint_run = True  # type: ignore[attr-defined]
    logger = logging.getLogger("wikilint")
    # Replace the handler of an earlier call (tests, or execute() called twice in a process).
    logger.handlers = [h for h in logger.handlers if not getattr(h, "_wikilint_run", False)]
    logger.addHandler(handler)
    logger.propagate = False
    # On a terminal the progress line tells the story; log lines would break it up.
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if interactive else logging.INFO)
    wiki.redact_secrets_in_logs(verbose)


def execute(
    config_path: str,
    report: str | None,
    dry_run: bool,
    verbose: bool = False,
    gateway_factory: Callable[[BotConfig], WikiGateway] | None = None,
    interactive: bool | None = None,
    allow_private_fetch: bool = False,
    limits_are_success: bool = False,
    pages_from: tuple[str, ...] = (),
    category_depth: str | int | None = None,
) -> int:
    """The whole command; returns the exit code (tests call this directly).

    ``limits_are_success``: a run that stopped early but resumable (limits, time budget, lag,
    read-only, SIGTERM) exits 0, so that a scheduler mails only on real failures.
    ``pages_from``: pywikibot generator arguments that replace bot.toml's page sources.
    ``category_depth``: the levels of subcategories categories and ``-cat:`` follow, instead of
    bot.toml's ``category_depth``."""
    interactive = sys.stderr.isatty() if interactive is None else interactive
    setup_logging(interactive, verbose)
    try:
        config = load(config_path)
        if pages_from:
            config = with_pages_from(config, pages_from)
        if category_depth is not None:
            config = with_category_depth(config, category_depth)
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
        click.echo(
            f"wikilint run: {config.path}: cannot take the lock {config.lock_path}: "
            f"{exc.strerror or exc}",
            err=True,
        )
        return EXIT_CONFIG
    try:
        try:
            wiki = (gateway_factory or _default_gateway)(config)
        except Exception as exc:
            click.echo(f"wikilint run: cannot open the wiki: {type(exc).__name__}: {exc}", err=True)
            return EXIT_CONFIG
        progress = RunProgress(interactive, known_total(config.sources), config.limits.max_pages)
        try:
            journal = Journal(config.state.journal, wiki.site_name)
        except (OSError, sqlite3.Error, JournalError) as exc:
            click.echo(
                f"wikilint run: {config.path}: cannot open the journal "
                f"{config.state.journal}: {exc}",
                err=True,
            )
            return EXIT_CONFIG
        with journal:
            runner = Runner(
                config,
                wiki,
                journal,
                dry_run=dry_run,
                progress=progress,
                allow_private_fetch=allow_private_fetch,
            )
            previous = signal.signal(signal.SIGTERM, lambda *_: setattr(runner, "terminate", True))
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


def with_pages_from(config: BotConfig, pages_from: tuple[str, ...]) -> BotConfig:
    """``run --pages-from``: these generators instead of bot.toml's sources (namespaces kept)."""
    try:
        check_generator_args(pages_from)
    except GeneratorArgError as exc:
        raise rules.ConfigError(f"--pages-from: {exc}") from exc
    sources = type(config.sources)(pages_from=pages_from, namespaces=config.sources.namespaces)
    return replace(config, sources=sources)


def with_category_depth(config: BotConfig, category_depth: str | int) -> BotConfig:
    """``run --category-depth``: the depth of bot.toml's ``categories`` and of every ``-cat:``
    (bot.toml's ``pages_from`` or ``--pages-from``) instead of bot.toml's ``category_depth``."""
    try:
        depth = parse_category_depth(category_depth)
    except GeneratorArgError as exc:
        raise rules.ConfigError(str(exc)) from exc
    if not (config.sources.categories or has_category_arg(config.sources.pages_from)):
        raise rules.ConfigError(
            "--category-depth: no category to follow: give --pages-from -cat:NAME or set "
            f"[sources] categories in {config.path}"
        )
    return replace(config, sources=replace(config.sources, category_depth=depth))


@click.command("run")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The bot's bot.toml (see examples/bot.toml).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also write the run report as JSON to this file.",
)
@click.option("--dry-run", is_flag=True, help="Read and fix, but save nothing and queue nothing.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging (secrets are still redacted).")
@click.option(
    "--limits-are-success",
    is_flag=True,
    help="Exit 0 instead of 4 when the run stopped early but resumable (limits, time "
    "budget, lag): for schedulers that mail on every non-zero exit.",
)
@click.option(
    "--pages-from",
    "pages_from",
    multiple=True,
    metavar="-GEN:VALUE",
    help="Lint the pages of these pywikibot generator arguments (-cat:NAME, "
    "-transcludes:TEMPLATE, -newpages:N, …) instead of bot.toml's [sources].",
)
@category_depth_option(
    "How many levels of subcategories bot.toml's categories and every -cat:NAME follow "
    f"(0 to {CATEGORY_DEPTH_MAX}), instead of bot.toml's category_depth."
)
@allow_private_fetch_option
def run(
    config_path: str,
    report: str | None,
    dry_run: bool,
    verbose: bool,
    limits_are_success: bool,
    pages_from: tuple[str, ...],
    category_depth: str | None,
    allow_private_fetch: bool,
) -> None:
    """Run the scheduled bot: lint the configured pages and save safe fixes.

    Exit codes: 0 completed; 1 failed (also: saves failed and none succeeded); 2 configuration
    error; 3 stopped by the shutoff page, a talk-page message or a block; 4 stopped early but
    resumable (time budget, limits, lag, read-only, SIGTERM; 0 with --limits-are-success); 5
    another run holds the lock.
    """
    sys.exit(
        execute(
            config_path,
            report,
            dry_run,
            verbose,
            allow_private_fetch=allow_private_fetch,
            limits_are_success=limits_are_success,
            pages_from=pages_from,
            category_depth=category_depth,
        )
    )


def register(group: click.Group) -> None:
    """``bot.cli`` plugin hook: adds ``wikilint run``."""
    group.add_command(run)
