"""Wiki commands: ``propose``, ``review``, ``submit``, and the ``--page`` mode of lint/fix.

The commands are thin: a proposal's change comes from the change core
(:mod:`bot.change.core`), saving reviewed proposals from :mod:`bot.change.submit` (shared
with ``wikilint serve``). Failures end in one line and an exit code
(:mod:`bot.cli.report`); a proposal's status always says what happened to it
(:mod:`bot.change.store`).

pywikibot is imported only by bot.wiki, and only when a wiki command runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from wikilint import rules
from wikilint.bot.change import review as rv
from wikilint.bot.change import submit
from wikilint.bot.change.core import SummaryStyle
from wikilint.bot.change.isolated import isolated_change
from wikilint.bot.change.store import SUBMITTABLE, Proposal, Store, describe_status
from wikilint.bot.change.timelimit import (
    DEFAULT_PAGE_LINT_TIMEOUT,
    TIMEOUT_OPTION_HELP,
    LintWorker,
    PageTimeout,
)
from wikilint.bot.cli.report import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_NOT_DONE,
    CommandError,
    failure_exit_code,
    use_color,
)
from wikilint.bot.files import configfile
from wikilint.bot.web.titles import allow_private_fetch_option
from wikilint.bot.wiki.generators import (
    GeneratorArgError,
    category_depth_option,
    check_generator_args,
)

if TYPE_CHECKING:
    from wikilint.bot.change.policy import PagePolicy
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


@contextmanager
def wiki_command() -> Iterator[None]:
    """A wiki command's run: our log lines on stderr, pywikibot's tracebacks and retry
    chatter kept quiet (the command says what failed in one line)."""
    from wikilint.bot.wiki import api as wiki

    _setup_logging()
    with wiki.quiet_pywikibot():
        yield


def load_config(path: str | None, select: Iterable[str] = ()) -> rules.Config:
    try:
        config = configfile.load_config(path) if path else configfile.discover_config(Path.cwd())
        return config.with_selection(select=[s for v in select for s in v.split(",") if s])
    except rules.ConfigError as exc:
        raise CommandError(str(exc), EXIT_ERROR) from exc


@contextmanager
def wiki_failures(site: Any = None) -> Iterator[None]:
    """What the wiki does to the command inside (``bot.wiki.api.failure_of``) as one line
    and its exit code (``report.failure_exit_code``)."""
    from wikilint.bot.wiki import api as wiki

    try:
        with wiki.failures(site):
            yield
    except wiki.WikiFailure as exc:
        raise CommandError(str(exc), failure_exit_code(exc.failure)) from exc


def parse_section(section: str | None) -> str | None:
    # Digits mean a section number, or a title when no section has that number
    # (rules.Document.find_section).
    return None if section is None else section.strip()


def open_site(site: str | None) -> Any:
    """The wiki a wiki command talks to, or one line and its exit code saying why not."""
    from wikilint.bot.wiki import api as wiki

    with wiki_failures():
        return wiki.open_wiki(site)


def fetch_page(title: str, site: str | None = None) -> wiki.Revision:
    """The latest revision of a page, for ``lint --page`` / ``fix --page`` (read-only)."""
    from wikilint.bot.wiki import api as wiki

    with wiki.quiet_pywikibot():
        s = open_site(site)
        with wiki_failures(s):
            try:
                return wiki.fetch(s, title)
            except wiki.PageSkipped as exc:
                raise CommandError(exc.reason, EXIT_ERROR) from exc


def page_policy_for(site: str | None) -> PagePolicy:
    """The page policy propose and submit apply for the account of ``site`` (for
    ``fix --page``, which shows what they would do)."""
    from wikilint.bot.wiki import api as wiki

    with wiki.quiet_pywikibot():
        return submit.page_policy(open_site(site))


def page_environment(title: str) -> rules.Environment:
    """The environment a wiki page's fixes are computed in (today's date, its title)."""
    return rules.Environment(page_title=title)


# -- propose ----------------------------------------------------------------------------------


def title_fetcher(
    title: str, contact: str | None, allow_private: bool = False
) -> Callable[[list[str]], dict[str, str]]:
    """What fetches the page titles the unsafe fixes need (at most ``MAX_URLS_PER_PAGE``),
    noting on stderr why none came."""
    from wikilint.bot.web.titles import MAX_URLS_PER_PAGE, fetch_titles, notes_on_stderr

    note = notes_on_stderr(f"[[{title}]]")

    def titles(urls: list[str]) -> dict[str, str]:
        return fetch_titles(
            urls, contact, note, limit=MAX_URLS_PER_PAGE, allow_private=allow_private
        )

    return titles


def propose_page(
    store: Store,
    site: Any,
    title: str,
    section: str | int | None,
    config: rules.Config,
    unsafe: bool,
    color: bool,
    summary: str | None = None,
    contact: str | None = None,
    fetch: bool = True,
    allow_private: bool = False,
    worker: LintWorker | None = None,
) -> Proposal | None:
    """Fetch, fix and store one proposal; print its diff. None when there is nothing to do.

    With ``unsafe``, the page titles the unsafe fixes need are fetched (with ``contact`` in
    the User-Agent; nothing without a contact or with ``fetch=False``) and stored with the
    proposal, so that review and submit recompute exactly this change. The lint and fixes run
    in ``worker`` (a page over its time limit is skipped with a warning); without one, here."""
    from wikilint.bot.wiki import api as wiki

    try:
        rev = wiki.fetch(site, title)
    except wiki.PageSkipped as exc:
        raise CommandError(f"[[{title}]]: {exc.reason}", EXIT_ERROR) from exc
    try:
        change = (worker or LintWorker(0)).call(
            isolated_change,
            rev.text,
            section,
            config,
            page_environment(rev.title),
            unsafe,
            submit.page_policy(site),
            SummaryStyle(override=summary),
            fetch,
            host=title_fetcher(rev.title, contact, allow_private),
        )
    except PageTimeout as exc:
        log.warning("skipped [[%s]]: %s", rev.title, exc)
        return None
    if change.skip_reason:
        log.warning("skipped [[%s]]: %s", rev.title, change.skip_reason)
        return None
    if wiki.same_saved_text(change.proposed, rev.text):
        click.echo(f"[[{rev.title}]]: no changes")
        return None
    p = Proposal.from_change(
        change,
        site=wiki.site_name(site),
        page=rev.title,
        section=section,
        base_revid=rev.revid,
        base_timestamp=rev.timestamp,
        unsafe=unsafe,
    )
    replaced = store_proposal(store, p)
    click.echo(rv.render(p, color))
    if replaced:
        click.echo(
            f"proposal #{p.id} replaced by this one (same page and revision) in {store.path}"
        )
    else:
        click.echo(f"proposal #{p.id} stored in {store.path}")
    return p


def store_proposal(store: Store, p: Proposal) -> bool:
    """Add ``p``; True when it replaced a pending proposal of the same page, section and
    revision (it takes that proposal's id). A proposal of them that is already accepted, or
    being submitted, is not replaced: CommandError (exit 1) saying which one."""
    existing = store.find_open(p.site, p.page, p.section, p.base_revid)
    if existing is None:
        store.add(p)
        return False
    if existing.status != "pending":
        raise CommandError(
            f"[[{p.page}]]: not proposed: proposal #{existing.id} of revision {p.base_revid} "
            f"is {describe_status(existing)}; submit it, or reject it to propose again",
            EXIT_NOT_DONE,
        )
    p.id, p.created = existing.id, existing.created
    store.update(p)
    return True


# -- page mode for lint / fix -------------------------------------------------------------------


def fix_page(
    title: str,
    *,
    section: str | int | None,
    site: str | None,
    config: rules.Config,
    unsafe: bool,
    yes: bool,
    summary: str | None,
    minor: bool,
    state: str | None,
    color: bool,
    contact: str | None = None,
    fetch: bool = True,
    allow_private: bool = False,
) -> int:
    """``fix --page --submit``: a one-shot propose + submit. (Without ``--submit``,
    ``fix --page`` shows the fix as ``fix FILE`` does, under :func:`page_policy_for`:
    bot.cli.main.)

    The one-shot edit is recorded in the proposal store like any other. With ``unsafe``, the
    titles the unsafe fixes need are fetched as for ``propose``. Failures raise CommandError
    (one line, its exit code).
    """
    from wikilint.bot.wiki import api as wiki

    if unsafe and not yes:
        raise click.UsageError("unsafe fixes need a person's review: use propose/review")
    with wiki_command():
        s = open_site(site)
        with wiki_failures(s), open_store(state) as store:
            wiki.ensure_logged_in(s)
            p = propose_page(
                store,
                s,
                title,
                section,
                config,
                unsafe,
                color,
                summary,
                contact=contact,
                fetch=fetch,
                allow_private=allow_private,
            )
            if p is None:
                return EXIT_CLEAN
            if not yes and not click.confirm(f"save #{p.id} to [[{p.page}]]?", default=False):
                store.set_status(p.id or 0, "rejected", "declined at the prompt")
                return EXIT_CLEAN
            store.set_status(p.id or 0, "accepted")
            claimed = store.claim(p.id or 0)
            status = submit.submit_proposal(store, s, claimed, config, minor, color)
            return EXIT_CLEAN if status in submit.DONE else EXIT_NOT_DONE


PAGES_FROM_HELP = (
    "Pages from a pywikibot generator argument, as pywikibot's scripts take "
    "them: -cat:NAME, -catr:NAME (with subcategories), -transcludes:TEMPLATE, "
    "-search:WORDS, -file:PATH, -recentchanges:N, -newpages:N, -ns:N, "
    "-limit:N (repeatable; combined, each page once)."
)


def generated_titles(
    args: Iterable[str], site: str | None, category_depth: str | None = None
) -> list[str]:
    """The titles pywikibot's generators give for ``--pages-from`` arguments, ``-cat:``
    following ``category_depth`` levels of subcategories (``--category-depth``)."""
    args = list(args)
    try:  # before the wiki is opened: a mistyped argument costs no login
        depth = check_generator_args(args, category_depth)
    except GeneratorArgError as exc:
        raise CommandError(str(exc), EXIT_ERROR) from exc
    if not args:
        return []
    from wikilint.bot.wiki import sources

    s = open_site(site)
    try:
        return [page.title() for page in sources.pages_from_args(s, args, depth)]
    except GeneratorArgError as exc:
        raise CommandError(str(exc), EXIT_ERROR) from exc
    except Exception as exc:  # a wiki error while listing: one line, not a traceback
        raise click.ClickException(f"--pages-from {' '.join(args)}: {exc}") from exc


# -- click commands -----------------------------------------------------------------------------

_state_option = click.option(
    "--state",
    type=click.Path(dir_okay=False),
    default=None,
    help="Proposal store (default: $XDG_STATE_HOME/wikilint/state.sqlite).",
)
_site_option = click.option(
    "--site", default=None, help="family:code, family, or an api.php URL (default: user-config.py)."
)
_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Config file (wikilint.toml or pyproject.toml) for rule selection and options; "
    "default: found upward from the current folder.",
)
_color_option = click.option(
    "--color/--no-color",
    default=None,
    help="Colour the diff (default: when writing to a terminal and NO_COLOR is unset).",
)


def _color(color: bool | None) -> bool:
    return use_color(color)


@click.command("propose")
@click.option("--page", "pages", multiple=True, help="Page title (repeatable).")
@click.option("--pages-file", type=click.File("r"), help="File with one title per line.")
@click.option(
    "--pages-from", "pages_from", multiple=True, metavar="-GEN:VALUE", help=PAGES_FROM_HELP
)
@category_depth_option()
@click.option("--section", default=None, help="Section title or number (whole page is context).")
@_site_option
@_state_option
@_config_option
@click.option("--select", multiple=True, help="Only these rules (comma-separated, repeatable).")
@click.option("--unsafe-fixes", is_flag=True, help="Also propose unsafe fixes (reviewed later).")
@click.option(
    "--contact",
    envvar="WIKILINT_CONTACT",
    metavar="EMAIL|URL",
    help="With --unsafe-fixes: your contact, sent in the User-Agent when fetching "
    "page titles for bare URLs and placeholder titles (required to fetch; env "
    "WIKILINT_CONTACT).",
)
@click.option(
    "--no-fetch", is_flag=True, help="With --unsafe-fixes: do not fetch page titles from the web."
)
@allow_private_fetch_option
@click.option("--summary", default=None, help="Edit summary instead of the generated one.")
@click.option(
    "--lint-timeout",
    type=click.FloatRange(0, 3600),
    metavar="SECONDS",
    default=DEFAULT_PAGE_LINT_TIMEOUT,
    show_default=True,
    help=TIMEOUT_OPTION_HELP,
)
@_color_option
def propose_cmd(
    pages: tuple[str, ...],
    pages_file: Any,
    pages_from: tuple[str, ...],
    category_depth: str | None,
    section: str | None,
    site: str | None,
    state: str | None,
    config_path: str | None,
    select: tuple[str, ...],
    unsafe_fixes: bool,
    contact: str | None,
    no_fetch: bool,
    allow_private_fetch: bool,
    summary: str | None,
    lint_timeout: float,
    color: bool | None,
) -> None:
    """Compute fixes for wiki pages and store them as proposals to review.

    With --unsafe-fixes, the titles of up to 20 URLs a page are fetched (with --contact in
    the User-Agent) and stored with the proposal: review and submit use exactly those.

    Exit status: 0 every page proposed (or nothing to do), 1 a page not proposed because an
    accepted proposal of it exists, 2 a usage or configuration error or a page that cannot be
    read, 3 the account was stopped, 6 the wiki is unavailable."""
    titles = list(pages)
    if pages_file is not None:
        titles += [t.strip() for t in pages_file if t.strip() and not t.startswith("#")]
    titles += generated_titles(pages_from, site, category_depth)
    if pages_from and not titles:
        click.echo(f"no pages from --pages-from {' '.join(pages_from)}")
    if not titles and not pages_from:
        raise click.UsageError("give --page TITLE, --pages-file FILE or --pages-from -GEN:VALUE")
    config = load_config(config_path, select)
    worst = EXIT_CLEAN
    with wiki_command(), open_store(state) as store:
        s = open_site(site)
        with wiki_failures(s), LintWorker(lint_timeout) as worker:
            for title in titles:
                try:
                    propose_page(
                        store,
                        s,
                        title,
                        parse_section(section),
                        config,
                        unsafe_fixes,
                        _color(color),
                        summary,
                        contact=contact,
                        fetch=not no_fetch,
                        allow_private=allow_private_fetch,
                        worker=worker,
                    )
                except rules.SectionNotFound as exc:
                    CommandError(f"[[{title}]]: {exc}").show()
                    worst = max(worst, EXIT_ERROR)
                except CommandError as exc:
                    if exc.exit_code not in (EXIT_ERROR, EXIT_NOT_DONE):
                        raise
                    exc.show()
                    worst = max(worst, exc.exit_code)
    sys.exit(worst)


@contextmanager
def open_store(state: str | None) -> Iterator[Store]:
    """The proposal store, or one line (exit 2) saying why it cannot be opened."""
    import sqlite3

    from wikilint.bot.files.sqlite import SchemaError

    try:
        store = Store(state)
    except (SchemaError, sqlite3.Error, OSError) as exc:
        raise CommandError(f"{state or 'the proposal store'}: {exc}", EXIT_ERROR) from exc
    with store:
        yield store


def _known(store: Store, ids: Iterable[int]) -> list[int]:
    """``ids`` in order, once each; an unknown one is an error (exit 2) before anything."""
    wanted = list(dict.fromkeys(ids))
    for pid in wanted:
        try:
            store.get(pid)
        except KeyError as exc:
            raise CommandError(f"no proposal #{pid} in {store.path}", EXIT_ERROR) from exc
    return wanted


@click.command("review")
@click.argument("ids", nargs=-1, type=int)
@_state_option
@click.option(
    "--accept-all",
    is_flag=True,
    help="Accept every pending proposal, or the given IDs (no prompts).",
)
@click.option(
    "--reject", "reject_all", is_flag=True, help="Reject every pending proposal, or the given IDs."
)
@_config_option
@_color_option
def review_cmd(
    ids: tuple[int, ...],
    state: str | None,
    accept_all: bool,
    reject_all: bool,
    config_path: str | None,
    color: bool | None,
) -> None:
    """Review pending proposals (all, or the given IDs): accept, reject, skip, choose
    findings one by one, edit a paragraph in $EDITOR (e), open the page in the browser (o);
    ? lists the keys."""
    if accept_all and reject_all:
        raise click.UsageError("--accept-all and --reject exclude each other")
    with open_store(state) as store:
        wanted = _known(store, ids)
        for pid in wanted:
            p = store.get(pid)
            if p.status != "pending":
                raise CommandError(f"proposal #{pid} is {describe_status(p)}, not pending")
        if accept_all or reject_all:
            n = rv.review_batch(store, "accept" if accept_all else "reject", wanted)
            click.echo(f"{'accepted' if accept_all else 'rejected'} {n} proposal(s)")
            return
        if not wanted and not store.list("pending"):
            click.echo("no pending proposals")
            return
        done = rv.review_interactive(
            store,
            load_config(config_path),
            _color(color),
            ids=wanted or None,
            page_url=_base_revision_url,
        )
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(done.items())) or "nothing decided")


def _base_revision_url(p: Proposal) -> str:
    """The page at the proposal's base revision (review's ``o``): opens its wiki."""
    from wikilint.bot.wiki import api as wiki

    return wiki.wiki_url(open_site(p.site), p.page, oldid=p.base_revid)


@click.command("submit")
@click.argument("ids", nargs=-1, type=int)
@click.option(
    "--all",
    "all_",
    is_flag=True,
    help="Submit every accepted proposal (and every failed one again).",
)
@_site_option
@_state_option
@_config_option
@click.option("--minor/--no-minor", default=True, help="Mark the edits minor (default).")
@_color_option
def submit_cmd(
    ids: tuple[int, ...],
    all_: bool,
    site: str | None,
    state: str | None,
    config_path: str | None,
    minor: bool,
    color: bool | None,
) -> None:
    """Save accepted proposals through the API, never over unreviewed text.

    Exit status: 0 every proposal saved as reviewed (or already applied), 1 one was not
    (skipped, back to review, saved text differs), 2 a usage or configuration error or a
    proposal that is not accepted, 3 the account was stopped, 6 the wiki is unavailable."""
    if not ids and not all_:
        raise click.UsageError("give proposal IDs or --all")
    config = load_config(config_path)
    with wiki_command(), open_store(state) as store:
        if all_:
            chosen = [p.id or 0 for p in store.list() if p.status in SUBMITTABLE]
        else:
            chosen = _known(store, ids)
        if not chosen:
            click.echo("no accepted proposals to submit")
            return
        with wiki_failures():
            done = submit.submit_many(
                store, chosen, site, config, minor, _color(color), explicit=not all_
            )
    click.echo(done.describe())
    if done.refused:
        raise CommandError("; ".join(done.refused), EXIT_ERROR)
    sys.exit(EXIT_CLEAN if done.done else EXIT_NOT_DONE)


def register(group: click.Group) -> None:
    """Add the wiki commands to the main CLI group."""
    for cmd in (propose_cmd, review_cmd, submit_cmd):
        group.add_command(cmd)
