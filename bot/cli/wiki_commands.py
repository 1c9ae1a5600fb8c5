"""Wiki commands: ``propose``, ``review``, ``submit``, and the ``--page`` mode of lint/fix.

Section edits: the whole page is linted (it is the context), the fixes touch only the section,
and the save sends ``section=N`` with the section's new text when MediaWiki's own section N is
byte-for-byte the span we edited (checked with ``rvsection``); otherwise the whole page is sent.
Either way the save carries the base revision id, and the saved page is read back.

pywikibot is imported only by bot.wiki, and only when a wiki command runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from wikilint import rules
from wikilint.bot.change import review as rv
from wikilint.bot.change.core import Change, SummaryStyle
from wikilint.bot.change.diff import change_diff
from wikilint.bot.change.isolated import isolated_change
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.store import Proposal, Store
from wikilint.bot.change.timelimit import (
    DEFAULT_PAGE_LINT_TIMEOUT,
    TIMEOUT_OPTION_HELP,
    LintWorker,
    PageTimeout,
)
from wikilint.bot.cli.report import use_color
from wikilint.bot.files import configfile
from wikilint.bot.web.titles import allow_private_fetch_option

if TYPE_CHECKING:
    from wikilint.bot.wiki import api as wiki

log = logging.getLogger("wikilint")


# -- shared helpers ---------------------------------------------------------------------------


def _setup_logging() -> None:
    root = logging.getLogger("wikilint")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("wikilint: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
    from wikilint.bot.wiki import api as wiki

    wiki.redact_secrets_in_logs()


def load_config(path: str | None, select: Iterable[str] = ()) -> rules.Config:
    try:
        config = configfile.load_config(path) if path else configfile.discover_config(Path.cwd())
        return config.with_selection(select=[s for v in select for s in v.split(",") if s])
    except rules.ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def parse_section(section: str | None) -> str | None:
    # Digits mean a section number, or a title when no section has that number
    # (rules.Document.find_section).
    return None if section is None else section.strip()


def open_site(site: str | None) -> Any:
    from wikilint.bot.wiki import api as wiki

    try:
        return wiki.open_site(site)
    except Exception as exc:  # pywikibot raises many kinds for a bad config: say it plainly
        raise click.ClickException(
            f"cannot open the wiki {site or '(from user-config.py)'}: {exc}. "
            "See user-config.py.example (PYWIKIBOT_DIR)."
        ) from exc


def site_name(site: Any) -> str:
    return f"{site.family.name}:{site.code}"


def fetch_page(title: str, site: str | None = None) -> wiki.Revision:
    """The latest revision of a page, for ``lint --page`` / ``fix --page`` (read-only)."""
    from wikilint.bot.wiki import api as wiki

    try:
        return wiki.fetch(open_site(site), title)
    except wiki.PageSkipped as exc:
        raise click.ClickException(str(exc)) from exc


def _echo_diff(change: Change, color: bool) -> None:
    click.echo(change_diff(change.original, change.edits, color))


def make_plan(site: Any, rev: wiki.Revision, proposed: str, section: str | int | None,
              summary: str) -> wiki.Plan:
    """A section save when MediaWiki's section matches ours exactly, else a whole-page save."""
    from wikilint.bot.wiki import api as wiki

    if section is None:
        return wiki.Plan(proposed, summary)
    sec = rules.Document.parse(rev.text).find_section(section)
    start, end = sec.start, sec.end
    delta = len(proposed) - len(rev.text)
    if proposed[:start] != rev.text[:start] or proposed[end + delta:] != rev.text[end:]:
        raise AssertionError("the fixes touch text outside the section")
    theirs = wiki.fetch_section_text(site, rev.revid, sec.number)
    if theirs is not None and theirs.rstrip() == rev.text[start:end].rstrip():
        return wiki.Plan(proposed, summary, sec.number, proposed[start:end + delta].rstrip())
    log.info("[[%s]]: MediaWiki's section %d differs from ours; saving the whole page",
             rev.title, sec.number)
    return wiki.Plan(proposed, summary)


def page_environment(title: str) -> rules.Environment:
    """The environment a wiki page's fixes are computed in (today's date, its title)."""
    return rules.Environment(page_title=title)


def page_policy(site: Any) -> PagePolicy:
    """The page policy for edits by the account logged in to ``site``."""
    return PagePolicy(username=site.username() or "")


# -- propose ----------------------------------------------------------------------------------


def title_fetcher(title: str, contact: str | None, allow_private: bool = False
                  ) -> Callable[[list[str]], dict[str, str]]:
    """What fetches the page titles the unsafe fixes need (at most ``MAX_URLS_PER_PAGE``),
    noting on stderr why none came."""
    from wikilint.bot.web.titles import MAX_URLS_PER_PAGE, fetch_titles

    def note(message: str) -> None:
        kind = "" if message.startswith("fetching ") else "note: "
        click.echo(f"[[{title}]]: {kind}{message}", err=True)

    def titles(urls: list[str]) -> dict[str, str]:
        return fetch_titles(urls, contact, note, limit=MAX_URLS_PER_PAGE,
                            allow_private=allow_private)

    return titles


def propose_page(store: Store, site: Any, title: str, section: str | int | None,
                 config: rules.Config, unsafe: bool, color: bool,
                 summary: str | None = None, contact: str | None = None,
                 fetch: bool = True, allow_private: bool = False,
                 worker: LintWorker | None = None) -> Proposal | None:
    """Fetch, fix and store one proposal; print its diff. None when there is nothing to do.

    With ``unsafe``, the page titles the unsafe fixes need are fetched (with ``contact`` in
    the User-Agent; nothing without a contact or with ``fetch=False``) and stored with the
    proposal, so that review and submit recompute exactly this change. The lint and fixes run
    in ``worker`` (a page over its time limit is skipped with a warning); without one, here."""
    from wikilint.bot.wiki import api as wiki

    try:
        rev = wiki.fetch(site, title)
    except wiki.PageSkipped as exc:
        log.warning("%s", exc)
        return None
    try:
        change = (worker or LintWorker(0)).call(
            isolated_change, rev.text, section, config, page_environment(rev.title), unsafe,
            page_policy(site), SummaryStyle(override=summary), fetch,
            host=title_fetcher(rev.title, contact, allow_private))
    except PageTimeout as exc:
        log.warning("skipped [[%s]]: %s", rev.title, exc)
        return None
    if change.skip_reason:
        log.warning("skipped [[%s]]: %s", rev.title, change.skip_reason)
        return None
    if wiki.same_saved_text(change.proposed, rev.text):
        click.echo(f"[[{rev.title}]]: no changes")
        return None
    p = Proposal.from_change(change, site=site_name(site), page=rev.title, section=section,
                             base_revid=rev.revid, base_timestamp=rev.timestamp, unsafe=unsafe)
    store.add(p)
    click.echo(rv.render(p, color))
    click.echo(f"proposal #{p.id} stored in {store.path}")
    return p


# -- submit -----------------------------------------------------------------------------------


def _rebaser(p: Proposal, config: rules.Config, site: Any) -> wiki.Rebase:
    """Re-apply the reviewed fixes to a newer revision, only if the change is the same one."""
    section = parse_section(p.section)
    policy = page_policy(site)

    def rebase(rev: wiki.Revision) -> wiki.Plan | None:
        try:  # the reviewed titles are reused, never fetched again
            change = rv.reapply(p, rev.text, config, policy)
        except rules.SectionNotFound:
            return None
        if change.skip_reason or not rv.same_as_reviewed(p, change, config):
            return None
        return make_plan(site, rev, change.proposed, section, p.summary)

    return rebase


def submit_proposal(store: Store, site: Any, p: Proposal, config: rules.Config,
                    minor: bool, color: bool) -> str:
    """Save one accepted proposal safely; record and return its new status."""
    from wikilint.bot.wiki import api as wiki

    pid = p.id or 0
    try:
        cur = wiki.fetch(site, p.page)
    except wiki.PageSkipped as exc:
        store.set_status(pid, "skipped", exc.reason)
        log.warning("#%d %s", pid, exc)
        return "skipped"
    reason = page_policy(site).reason(cur.text)
    if reason:
        store.set_status(pid, "skipped", reason)
        log.warning("#%d skipped [[%s]]: %s", pid, p.page, reason)
        return "skipped"
    rebase = _rebaser(p, config, site)
    section = parse_section(p.section)
    if cur.revid == p.base_revid:
        plan = make_plan(site, cur, p.proposed, section, p.summary)
    else:
        plan_or_none = rebase(cur)
        if plan_or_none is None:
            return _needs_review(store, p, cur, config, color)
        log.info("#%d [[%s]] changed since the proposal (rev %d → %d); the same fixes "
                 "re-applied cleanly", pid, p.page, p.base_revid, cur.revid)
        plan = plan_or_none
    result = wiki.safe_save(site, cur, plan, rebase, minor=minor)
    if result.status == "saved":
        note = "; ".join(result.warnings) or ("merged by MediaWiki" if result.merged else None)
        store.set_status(pid, "submitted", note, saved_revid=result.revid)
        click.echo(f"#{pid} [[{p.page}]]: saved revision {result.revid}"
                   + (f" ({note})" if note else ""))
    elif result.status == "nochange":
        store.set_status(pid, "skipped", "no change to save")
        click.echo(f"#{pid} [[{p.page}]]: nothing to save")
    else:
        store.set_status(pid, "skipped", result.reason)
        click.echo(f"#{pid} [[{p.page}]]: skipped: {result.reason}")
    return result.status if result.status != "nochange" else "skipped"


def _needs_review(store: Store, p: Proposal, cur: wiki.Revision, config: rules.Config,
                  color: bool) -> str:
    """The page changed where we edit: recompute on the current text and ask for a review."""
    try:
        change = rv.reapply(p, cur.text, config)
    except rules.SectionNotFound:
        reason = f"section {p.section!r} is gone from the current revision {cur.revid}"
        store.set_status(p.id or 0, "skipped", reason)
        click.echo(f"#{p.id} [[{p.page}]]: skipped: {reason}")
        return "skipped"
    p.base_revid, p.base_timestamp = cur.revid, cur.timestamp
    p.take(change)
    p.status, p.reason = "pending", f"the page changed since the review (now rev {cur.revid})"
    store.update(p)
    click.echo(f"#{p.id} [[{p.page}]]: {p.reason}; the fixes were re-applied to the current "
               "text and need a new review:")
    _echo_diff(change, color)
    return "pending"


def submit_many(store: Store, proposals: Iterable[Proposal], site_arg: str | None,
                config: rules.Config, minor: bool, color: bool) -> dict[str, int]:
    from wikilint.bot.wiki import api as wiki

    counts: dict[str, int] = {}
    sites: dict[str, Any] = {}
    for p in proposals:
        key = site_arg or p.site
        if key not in sites:
            sites[key] = open_site(key)
            try:
                wiki.ensure_logged_in(sites[key])
            except wiki.StopRun as exc:
                raise click.ClickException(str(exc)) from exc
        try:
            status = submit_proposal(store, sites[key], p, config, minor, color)
        except wiki.StopRun as exc:
            raise click.ClickException(f"stopping: {exc}") from exc
        counts[status] = counts.get(status, 0) + 1
    return counts


# -- page mode for lint / fix -------------------------------------------------------------------


def fix_page(title: str, *, section: str | int | None, site: str | None,
             config: rules.Config, unsafe: bool, yes: bool, summary: str | None,
             minor: bool, state: str | None, color: bool, contact: str | None = None,
             fetch: bool = True, allow_private: bool = False) -> int:
    """``fix --page --submit``: a one-shot propose + submit. (Without ``--submit``,
    ``fix --page`` shows the fix exactly as ``fix FILE`` does: bot.cli.main.)

    The one-shot edit is recorded in the proposal store like any other. With ``unsafe``, the
    titles the unsafe fixes need are fetched as for ``propose``.
    """
    from wikilint.bot.wiki import api as wiki

    _setup_logging()
    s = open_site(site)
    if unsafe and not yes:
        raise click.UsageError("unsafe fixes need a person's review: use propose/review")
    try:
        wiki.ensure_logged_in(s)
    except wiki.StopRun as exc:
        raise click.ClickException(str(exc)) from exc
    with Store(state) as store:
        p = propose_page(store, s, title, section, config, unsafe, color, summary,
                         contact=contact, fetch=fetch, allow_private=allow_private)
        if p is None:
            return 0
        if not yes and not click.confirm(f"save #{p.id} to [[{p.page}]]?", default=False):
            store.set_status(p.id or 0, "rejected", "declined at the prompt")
            return 0
        store.set_status(p.id or 0, "accepted")
        p = store.get(p.id or 0)
        try:
            status = submit_proposal(store, s, p, config, minor, color)
        except wiki.StopRun as exc:
            raise click.ClickException(f"stopping: {exc}") from exc
    return 0 if status in ("saved", "skipped") else 1


# -- click commands -----------------------------------------------------------------------------

_state_option = click.option(
    "--state", type=click.Path(dir_okay=False), default=None,
    help="Proposal store (default: $XDG_STATE_HOME/wikilint/state.sqlite).")
_site_option = click.option(
    "--site", default=None,
    help="family:code, family, or an api.php URL (default: user-config.py).")
_config_option = click.option(
    "--config", "config_path", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
    help="Config file (wikilint.toml or pyproject.toml) for rule selection and options; "
         "default: found upward from the current folder.")
_color_option = click.option("--color/--no-color", default=None,
                             help="Colour the diff (default: when writing to a terminal and "
                                  "NO_COLOR is unset).")


def _color(color: bool | None) -> bool:
    return use_color(color)


@click.command("propose")
@click.option("--page", "pages", multiple=True, help="Page title (repeatable).")
@click.option("--pages-file", type=click.File("r"), help="File with one title per line.")
@click.option("--section", default=None, help="Section title or number (whole page is context).")
@_site_option
@_state_option
@_config_option
@click.option("--select", multiple=True, help="Only these rules (comma-separated, repeatable).")
@click.option("--unsafe-fixes", is_flag=True, help="Also propose unsafe fixes (reviewed later).")
@click.option("--contact", envvar="WIKILINT_CONTACT", metavar="EMAIL|URL",
              help="With --unsafe-fixes: your contact, sent in the User-Agent when fetching "
                   "page titles for bare URLs and placeholder titles (required to fetch; env "
                   "WIKILINT_CONTACT).")
@click.option("--no-fetch", is_flag=True,
              help="With --unsafe-fixes: do not fetch page titles from the web.")
@allow_private_fetch_option
@click.option("--summary", default=None, help="Edit summary instead of the generated one.")
@click.option("--lint-timeout", type=click.FloatRange(0, 3600), metavar="SECONDS",
              default=DEFAULT_PAGE_LINT_TIMEOUT, show_default=True, help=TIMEOUT_OPTION_HELP)
@_color_option
def propose_cmd(pages: tuple[str, ...], pages_file: Any, section: str | None, site: str | None,
                state: str | None, config_path: str | None, select: tuple[str, ...],
                unsafe_fixes: bool, contact: str | None, no_fetch: bool,
                allow_private_fetch: bool, summary: str | None, lint_timeout: float,
                color: bool | None) -> None:
    """Compute fixes for wiki pages and store them as proposals to review.

    With --unsafe-fixes, the titles of up to 20 URLs a page are fetched (with --contact in
    the User-Agent) and stored with the proposal: review and submit use exactly those."""
    _setup_logging()
    titles = list(pages)
    if pages_file is not None:
        titles += [t.strip() for t in pages_file if t.strip() and not t.startswith("#")]
    if not titles:
        raise click.UsageError("give --page TITLE or --pages-file FILE")
    config = load_config(config_path, select)
    s = open_site(site)
    with Store(state) as store, LintWorker(lint_timeout) as worker:
        for title in titles:
            try:
                propose_page(store, s, title, parse_section(section), config, unsafe_fixes,
                             _color(color), summary, contact=contact, fetch=not no_fetch,
                             allow_private=allow_private_fetch, worker=worker)
            except rules.SectionNotFound as exc:
                log.warning("[[%s]]: %s", title, exc)


@click.command("review")
@click.argument("ids", nargs=-1, type=int)
@_state_option
@click.option("--accept-all", is_flag=True, help="Accept every pending proposal (no prompts).")
@click.option("--reject", "reject_all", is_flag=True, help="Reject every pending proposal.")
@_config_option
@_color_option
def review_cmd(ids: tuple[int, ...], state: str | None, accept_all: bool, reject_all: bool,
               config_path: str | None, color: bool | None) -> None:
    """Review pending proposals: accept, reject, skip, or choose findings one by one."""
    if accept_all and reject_all:
        raise click.UsageError("--accept-all and --reject exclude each other")
    with Store(state) as store:
        if accept_all or reject_all:
            n = rv.review_batch(store, "accept" if accept_all else "reject", ids)
            click.echo(f"{'accepted' if accept_all else 'rejected'} {n} proposal(s)")
            return
        if not store.list("pending"):
            click.echo("no pending proposals")
            return
        done = rv.review_interactive(store, load_config(config_path), _color(color))
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(done.items())) or "nothing decided")


@click.command("submit")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Submit every accepted proposal.")
@_site_option
@_state_option
@_config_option
@click.option("--minor/--no-minor", default=True, help="Mark the edits minor (default).")
@_color_option
def submit_cmd(ids: tuple[int, ...], all_: bool, site: str | None, state: str | None,
               config_path: str | None, minor: bool, color: bool | None) -> None:
    """Save accepted proposals through the API, never over unreviewed text."""
    _setup_logging()
    if not ids and not all_:
        raise click.UsageError("give proposal IDs or --all")
    config = load_config(config_path)
    with Store(state) as store:
        if all_:
            chosen = store.list("accepted")
        else:
            chosen = []
            for pid in ids:
                p = store.get(pid)
                if p.status != "accepted":
                    raise click.ClickException(f"proposal #{pid} is {p.status}, not accepted")
                chosen.append(p)
        if not chosen:
            click.echo("no accepted proposals to submit")
            return
        counts = submit_many(store, chosen, site, config, minor, _color(color))
    click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


def register(group: click.Group) -> None:
    """Add the wiki commands to the main CLI group."""
    for cmd in (propose_cmd, review_cmd, submit_cmd):
        group.add_command(cmd)
