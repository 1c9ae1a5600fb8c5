"""The wiki layer: the only module that imports pywikibot (lazily, so the lint path never does).

Reading is plain ``action=query``. Saving goes through ``action=edit`` directly instead of
``Page.save()``: pywikibot's save was measured (MediaWiki 1.39, pywikibot 11.9) to overwrite an
intervening edit by the same account, to overwrite a human edit made in the same second as the
fetched revision, and to recreate a page deleted mid-run; and it re-submits on
``abusefilter-warning`` and prompts for captchas. Here every save carries ``baserevid`` (exact,
unlike the one-second ``basetimestamp``, and it makes self-conflicts fail), ``starttimestamp``,
``nocreate`` and ``recreate=False``, and every refusal is a skip with a reason or, for a blocked
or logged-out account, :class:`StopRun`.
"""

from __future__ import annotations

import enum
import logging
import os
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlencode, urlparse

if TYPE_CHECKING:
    from pywikibot.site import APISite

log = logging.getLogger("wikilint.wiki")

# API error codes → what the bot does about them.
SKIP_CODES: dict[str, str] = {
    "abusefilter-warning": "an abuse filter warned about this edit",
    "abusefilter-disallowed": "an abuse filter disallowed this edit",
    "spamblacklist": "a link is on the spam blacklist",
    "captcha": "the wiki asked for a captcha",
    "protectedpage": "the page is protected",
    "cascadeprotected": "the page is cascade-protected",
    "protectedtitle": "the title is protected",
    "protectednamespace": "the namespace is protected",
    "protectednamespace-interface": "the namespace is protected",
    "customcssprotected": "the page is protected",
    "customjsprotected": "the page is protected",
    "pagedeleted": "the page was deleted after it was fetched",
    "missingtitle": "the page does not exist (deleted?)",
    "titleblacklist-forbidden": "the title is blacklisted",
    "contenttoobig": "the text is too big for the wiki",
    "editconflict": "edit conflict",
    "filtered": "a hook refused the edit",
    "hookaborted": "a hook refused the edit",
}
STOP_CODES: frozenset[str] = frozenset(
    {
        "blocked",
        "autoblocked",
        "globalblocking-blocked",
        "sitewideblocked",
        "partiallyblocked",
        "assertuserfailed",
        "assertbotfailed",
        "assertnameduserfailed",
        "notloggedin",
        "writeapidenied",
        "noedit",
        "noedit-anon",
        "permissiondenied",
        "badtoken",
    }
)
# The wiki cannot take edits for now: try again later (not the account's fault).
UNAVAILABLE_CODES: frozenset[str] = frozenset({"readonly", "maxlag"})


class WikiError(Exception):
    """Something went wrong talking to the wiki."""


class StopRun(WikiError):
    """The whole run must stop: blocked, logged out, no right to edit, read-only wiki."""


class WikiUnavailable(WikiError):
    """The wiki cannot be reached or cannot take edits now (down, read-only, lagged, failing
    after the configured retries): try again later. ``saved_unknown`` is set when a save was
    sent and neither its answer nor the page history could tell whether it was made."""

    def __init__(self, message: str, saved_unknown: bool = False) -> None:
        super().__init__(message)
        self.saved_unknown = saved_unknown


class Failure(enum.Enum):
    """Why a command that talks to the wiki cannot go on (the CLI gives each its exit code)."""

    SITE = "the wiki cannot be opened as configured"
    STOPPED = "the wiki stopped the account"
    UNAVAILABLE = "the wiki cannot answer or take edits now: try again later"


class WikiFailure(WikiError):
    """What the wiki (or opening it) did to a command, in one user-facing line."""

    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


def failure_of(site: APISite | None, exc: BaseException) -> WikiFailure | None:
    """``exc`` as a :class:`WikiFailure`: the account stopped (:class:`StopRun`), or the wiki
    unreachable, read-only or lagged after the configured retries. None for anything else."""
    if isinstance(exc, WikiFailure):
        return exc
    if isinstance(exc, StopRun):
        return WikiFailure(f"stopping: {exc}", Failure.STOPPED)
    if is_unavailable(exc):
        return WikiFailure(
            f"{explain_unavailable(site, exc)}; try again later", Failure.UNAVAILABLE
        )
    return None


@contextmanager
def failures(site: APISite | None = None) -> Iterator[None]:
    """Raise :func:`failure_of`'s WikiFailure for what the wiki does to the code inside."""
    try:
        yield
    except Exception as exc:
        failure = failure_of(site, exc)
        if failure is None or failure is exc:
            raise
        raise failure from exc


def unavailable_errors() -> tuple[type[BaseException], ...]:
    """What pywikibot and requests raise when the wiki does not answer usefully."""
    import pywikibot.exceptions as exc
    import requests

    # SiteDefinitionError: for family_files wikis (AutoFamily) pywikibot raises it, without
    # retrying, on any non-JSON answer such as an HTML maintenance page. (Its subclasses
    # UnknownSiteError and UnknownFamilyError are configuration errors: see is_unavailable.)
    return (
        WikiUnavailable,
        exc.MaxlagTimeoutError,
        exc.ApiTimeoutError,
        exc.ServerError,
        exc.Server504Error,
        exc.SiteDefinitionError,
        requests.exceptions.ConnectionError,
        requests.exceptions.Timeout,
        ConnectionError,
        TimeoutError,
    )


def is_unavailable(exc: BaseException) -> bool:
    """Is ``exc`` the wiki being unreachable or unable to answer (rather than a bad config)?"""
    import pywikibot.exceptions as pwb

    if isinstance(exc, pwb.UnknownSiteError | pwb.UnknownFamilyError):
        return False
    return isinstance(exc, unavailable_errors())


def describe_unavailable(exc: BaseException) -> str:
    """One line saying why the wiki did not answer usefully."""
    import pywikibot.exceptions as pwb

    if isinstance(exc, WikiUnavailable):
        return str(exc)
    if isinstance(exc, pwb.MaxlagTimeoutError):
        return "the wiki's database replicas lag (maxlag) beyond the configured retries"
    if isinstance(exc, pwb.ApiTimeoutError):
        return "the wiki did not answer usefully within the configured retries"
    if isinstance(exc, pwb.SiteDefinitionError):
        return f"the wiki did not answer as a MediaWiki API: {first_line(exc)}"
    return f"cannot reach the wiki: {first_line(exc)}"


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (pywikibot's run to many lines)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def explain_unavailable(site: APISite | None, exc: BaseException) -> str:
    """:func:`describe_unavailable`, or the wiki's read-only message when the wiki says it is
    read-only (pywikibot retries ``readonly`` like a timeout, so only siteinfo tells)."""
    why = describe_unavailable(exc)
    if site is None or isinstance(exc, WikiUnavailable):
        return why
    try:
        reason = read_only_reason(site)
    except Exception:  # still unreachable: the first description stands
        return why
    return f"the wiki is read-only: {reason}" if reason is not None else why


def read_only_reason(site: APISite) -> str | None:
    """The wiki's read-only message when it is read-only now (fresh siteinfo), else None."""
    data = _submit(site, action="query", meta="siteinfo", siprop="general", formatversion=2)
    general = data.get("query", {}).get("general", {})
    if not general.get("readonly"):
        return None
    return str(general.get("readonlyreason") or "no reason given")


class PageSkipped(WikiError):
    """This page cannot be handled now; the reason is user-facing."""

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(f"skipped [[{title}]]: {reason}")
        self.title = title
        self.reason = reason


def nfc(text: str) -> str:
    """MediaWiki stores NFC: normalize before diffing or hashing, or a diff shows phantom edits."""
    return unicodedata.normalize("NFC", text)


def same_saved_text(a: str, b: str) -> bool:
    """Equal as MediaWiki would store them (NFC, trailing whitespace trimmed by pre-save)."""
    return nfc(a).rstrip() == nfc(b).rstrip()


@dataclass(frozen=True)
class Revision:
    """One revision of a page, with the time it was fetched (the edit's ``starttimestamp``)."""

    title: str
    pageid: int
    revid: int
    parentid: int
    timestamp: str
    user: str
    text: str
    starttimestamp: str
    # The page's edit protection levels when read ("sysop", "autoconfirmed"…, cascading ones
    # included); empty when unprotected or not asked for.
    protection: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What to save on top of a revision: the whole new text, or one section's new text."""

    text: str  # the whole page after the change (always set: it is what gets verified)
    summary: str
    section: int | None = None  # MediaWiki section number for a section save
    section_text: str | None = None  # the new text of that section
    round_trip_checked: bool = False  # the change core already checked ``text`` parses back


# Recompute the plan on a newer revision (edit conflict) or verify a merge; None = give up.
Rebase = Callable[[Revision], Plan | None]


@dataclass(frozen=True)
class SaveResult:
    status: Literal["saved", "nochange", "skipped"]
    title: str
    revid: int | None = None
    reason: str = ""
    merged: bool = False  # MediaWiki merged our edit with an intervening one
    warnings: list[str] = field(default_factory=list)
    base: Revision | None = None  # the revision the saved edit was based on
    # Saved, but the saved revision is not exactly the change (beyond MediaWiki's documented
    # normalisation): what differs. Never a clean save.
    differs: str = ""


# -- site -----------------------------------------------------------------------------------


def open_site(site: str | None = None, user: str | None = None) -> APISite:
    """The wiki from user-config.py (``PYWIKIBOT_DIR``), or ``--site``.

    ``site`` is ``family:code``, a family name, or an ``api.php`` URL (an automatic family is
    registered for it, the way ``family_files`` does in user-config.py).
    """
    import pywikibot
    from pywikibot import config

    # A bot run must never stop at a prompt.
    config.solve_captcha = False
    if site is None:
        obj = pywikibot.Site(user=user) if user else pywikibot.Site()
    elif site.startswith(("http://", "https://")):
        name = _family_name_for(site)
        config.family_files.setdefault(name, site)
        if user:
            config.usernames.setdefault(name, {})[name] = user
        obj = pywikibot.Site(name, name, user=user) if user else pywikibot.Site(name, name)
    else:
        family, _, code = site.partition(":")
        code = code or family
        obj = pywikibot.Site(code, family, user=user) if user else pywikibot.Site(code, family)
    return obj


def open_wiki(site: str | None) -> APISite:
    """:func:`open_site` for a command: any failure is a :class:`WikiFailure` naming the
    wiki (pywikibot raises many kinds for a bad configuration: said plainly)."""
    where = site or "(from user-config.py)"
    try:
        return open_site(site)
    except Exception as exc:
        if is_unavailable(exc):
            raise WikiFailure(
                f"cannot open the wiki {where}: {explain_unavailable(None, exc)}; try again later",
                Failure.UNAVAILABLE,
            ) from exc
        raise WikiFailure(
            f"cannot open the wiki {where}: {first_line(exc)}. See "
            "user-config.py.example (PYWIKIBOT_DIR).",
            Failure.SITE,
        ) from exc


def site_name(site: APISite) -> str:
    """``family:code``: how proposals and the journal name a wiki."""
    return f"{site.family.name}:{site.code}"


def _family_name_for(url: str) -> str:
    host = urlparse(url).netloc
    for name, known in _family_files().items():
        if known == url:
            return name
    return "wl_" + "".join(c if c.isalnum() else "_" for c in host)


def _family_files() -> dict[str, str]:
    from pywikibot import config

    return dict(config.family_files)


def ensure_logged_in(site: APISite) -> None:
    """Log in (from user-config.py / password_file) and refuse to go on as an IP or blocked."""
    import pywikibot

    try:
        if not site.logged_in():
            site.login()
    except pywikibot.exceptions.NoUsernameError as exc:
        raise StopRun(f"not logged in to {site}: {exc}") from exc
    except pywikibot.exceptions.APIError as exc:
        raise StopRun(f"login to {site} failed: {exc.code}: {exc.info}") from exc
    if not site.logged_in() or "anon" in site.userinfo:
        # The edit form warns that an IP gets published: a bot must not edit that way.
        raise StopRun(f"not logged in to {site}: refusing to edit anonymously")
    if site.userinfo.get("blockid") or site.is_blocked():
        raise StopRun(f"{site.user()} is blocked on {site}: stopping")
    if not site.has_right("edit"):
        raise StopRun(f"{site.user()} has no edit right on {site}")


def _submit(site: APISite, **params: Any) -> dict[str, Any]:
    req = site.simple_request(**params)
    return req.submit()


# -- reading --------------------------------------------------------------------------------


def fetch(site: APISite, title: str) -> Revision:
    """The latest revision of a page, with ``curtimestamp`` as the edit's start time."""
    pages, now = _query_revision(site, titles=title)
    if not pages:
        raise PageSkipped(title, "not a page on this wiki (an interwiki link?)")
    page = pages[0]
    if page.get("special"):
        raise PageSkipped(title, "a special page has no wikitext")
    if page.get("invalid"):
        reason = page.get("invalidreason") or "the title is invalid"
        raise PageSkipped(title, f"not a valid title: {reason}")
    if page.get("missing") or not page.get("revisions") or "pageid" not in page:
        raise PageSkipped(title, "the page does not exist")
    return _revision(page["title"], page["pageid"], page["revisions"][0], now)


def wiki_url(site: APISite, title: str, **query: str | int) -> str:
    """The address of ``title`` on the wiki, from siteinfo's ``server`` and ``articlepath``
    (``script`` with a query such as ``oldid``)."""
    server = str(site.siteinfo["server"])
    if server.startswith("//"):  # protocol-relative, as Wikimedia's wikis give it
        server = "https:" + server
    if query:
        return f"{server}{site.siteinfo['script']}?" + urlencode({"title": title, **query})
    path = quote(title.replace(" ", "_"), safe="/:()!,")
    return server + str(site.siteinfo["articlepath"]).replace("$1", path)


def diff_url(site: APISite, revid: int) -> str:
    """``Special:Diff/REVID``: the change a save made."""
    return wiki_url(site, f"Special:Diff/{revid}")


def fetch_revision(site: APISite, revid: int) -> Revision:
    pages, now = _query_revision(site, revids=revid)
    if not pages or "revisions" not in pages[0]:
        raise WikiError(f"revision {revid} not found")
    return _revision(pages[0]["title"], pages[0]["pageid"], pages[0]["revisions"][0], now)


def _query_revision(site: APISite, **which: Any) -> tuple[list[dict[str, Any]], str]:
    """The pages of one revision query (``titles=`` or ``revids=``) and ``curtimestamp``."""
    data = _submit(
        site,
        action="query",
        prop="revisions",
        rvprop="ids|timestamp|user|content",
        rvslots="main",
        curtimestamp=True,
        formatversion=2,
        **which,
    )
    return data.get("query", {}).get("pages", []), data["curtimestamp"]


def fetch_section_text(site: APISite, revid: int, section: int) -> str | None:
    """MediaWiki's own idea of section N of a revision (to check ours before a section save)."""
    import pywikibot

    try:
        data = _submit(
            site,
            action="query",
            prop="revisions",
            revids=revid,
            rvprop="content",
            rvslots="main",
            rvsection=section,
            formatversion=2,
        )
    except pywikibot.exceptions.APIError as exc:
        if exc.code in ("rvnosuchsection", "nosuchsection"):
            return None
        raise
    pages = data.get("query", {}).get("pages", [])
    try:
        return nfc(pages[0]["revisions"][0]["slots"]["main"]["content"])
    except (IndexError, KeyError):
        return None


def _revision(title: str, pageid: int, rev: dict[str, Any], start: str) -> Revision:
    slot = rev.get("slots", {}).get("main", {})
    if slot.get("texthidden") or "content" not in slot:
        raise PageSkipped(title, "the revision text is hidden")
    if slot.get("contentmodel", "wikitext") != "wikitext":
        raise PageSkipped(title, f"content model {slot.get('contentmodel')} is not wikitext")
    return Revision(
        title=title,
        pageid=pageid,
        revid=rev["revid"],
        parentid=rev.get("parentid", 0),
        timestamp=rev["timestamp"],
        user=rev.get("user", ""),
        text=nfc(slot["content"]),
        starttimestamp=start,
    )


# -- saving ---------------------------------------------------------------------------------


def assert_round_trip(text: str) -> None:
    """Refuse to save text whose parse does not reproduce it (it would lie about spans)."""
    from wikilint.rules.document import Document, ParseError

    try:
        Document.parse(text, verify=True)
    except ParseError as exc:
        raise AssertionError(f"the new text does not round-trip through the parser: {exc}") from exc


def safe_save(
    site: APISite,
    base: Revision,
    plan: Plan,
    rebase: Rebase | None = None,
    *,
    minor: bool = True,
    tags: str | None = None,
) -> SaveResult:
    """Save ``plan`` on top of ``base`` without ever overwriting anyone's text.

    On ``editconflict`` the page history is read first (was the conflict our own save, whose
    answer was lost?); otherwise the page is re-fetched and ``rebase`` recomputes the plan once.
    When MediaWiki merges the edit with an intervening one, the saved text is checked against
    ``rebase`` of that intervening revision. When the save request gets no usable answer, the
    history tells whether it was made; when even that cannot be read, :class:`WikiUnavailable`
    with ``saved_unknown``.
    """
    ensure_logged_in(site)
    for attempt in (1, 2):
        try:
            return _save_once(site, base, plan, rebase, minor=minor, tags=tags)
        except PageSkipped as exc:
            if exc.reason == SKIP_CODES["editconflict"]:
                own = _own_save_result(site, base, plan, rebase)
                if own is not None:
                    return own
            if exc.reason != SKIP_CODES["editconflict"] or rebase is None or attempt == 2:
                log.warning("%s", exc)
                return SaveResult("skipped", base.title, reason=exc.reason, base=base)
            log.info("edit conflict on [[%s]]: re-fetching and re-applying once", base.title)
            try:
                base = fetch(site, base.title)
            except PageSkipped as gone:
                log.warning("%s", gone)
                return SaveResult("skipped", base.title, reason=gone.reason, base=base)
            new_plan = rebase(base)
            if new_plan is None:
                reason = "edit conflict; the fixes no longer apply to the current text"
                log.warning("skipped [[%s]]: %s", base.title, reason)
                return SaveResult("skipped", base.title, reason=reason, base=base)
            plan = new_plan
    raise AssertionError("unreachable")


def find_own_save(site: APISite, title: str, base_revid: int, plan: Plan) -> Revision | None:
    """Our save of ``plan`` on top of revision ``base_revid``, if the page history has one: a
    revision after the base by this account with the planned text, or with the plan's summary
    on top of the base itself (its text may differ: the caller checks it)."""
    user = site.username() or ""
    data = _submit(
        site,
        action="query",
        prop="revisions",
        titles=title,
        rvstartid=base_revid,
        rvdir="newer",
        rvuser=user,
        rvlimit=10,
        rvslots="main",
        rvprop="ids|timestamp|user|comment|content",
        curtimestamp=True,
        formatversion=2,
    )
    pages = data.get("query", {}).get("pages", [])
    if not pages or "pageid" not in pages[0]:
        return None
    for rev in pages[0].get("revisions", []):
        if rev.get("revid", 0) <= base_revid:
            continue
        try:
            found = _revision(pages[0]["title"], pages[0]["pageid"], rev, data["curtimestamp"])
        except PageSkipped:
            continue
        on_base = found.parentid == base_revid and rev.get("comment") == plan.summary
        if on_base or same_saved_text(found.text, plan.text):
            return found
    return None


def _own_save_result(
    site: APISite, base: Revision, plan: Plan, rebase: Rebase | None
) -> SaveResult | None:
    """A SaveResult for our own save found in the history, or None."""
    own = find_own_save(site, base.title, base.revid, plan)
    if own is None:
        return None
    log.warning(
        "[[%s]]: the wiki's answer to the save was lost; the page history has it as revision %d",
        base.title,
        own.revid,
    )
    result = _check_saved(site, base, plan, rebase, own)
    note = "the wiki's answer was lost; the saved revision was found in the page history"
    return replace(result, warnings=[note, *result.warnings])


def _save_once(
    site: APISite,
    base: Revision,
    plan: Plan,
    rebase: Rebase | None,
    *,
    minor: bool,
    tags: str | None,
) -> SaveResult:
    import pywikibot

    new_text = nfc(plan.text)
    if same_saved_text(new_text, base.text):
        log.info("[[%s]]: nothing to change", base.title)
        return SaveResult("nochange", base.title, base=base)
    if not (plan.round_trip_checked and new_text == plan.text):
        assert_round_trip(new_text)
    params: dict[str, Any] = {
        "action": "edit",
        "title": base.title,
        "summary": plan.summary,
        "baserevid": base.revid,  # not basetimestamp: exact, and self-conflicts fail
        "starttimestamp": base.starttimestamp,
        "nocreate": True,
        "watchlist": "nochange",
        "token": site.tokens["csrf"],
        "assert": "user",
    }
    if plan.section is not None and plan.section_text is not None:
        section_text = nfc(plan.section_text)
        assert_round_trip(section_text)
        params["section"] = str(plan.section)
        params["text"] = section_text
    else:
        params["text"] = new_text
    if site.has_right("bot"):
        params["bot"] = True
    params["minor" if minor else "notminor"] = True
    if tags:
        params["tags"] = tags
    try:
        data = _submit(site, **params)
    except pywikibot.exceptions.APIError as exc:
        return _api_error(base.title, exc)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        return _answer_lost(site, base, plan, rebase, exc)
    edit = data.get("edit", {})
    if edit.get("result") != "Success":
        if "captcha" in edit:
            raise PageSkipped(base.title, SKIP_CODES["captcha"])
        if "spamblacklist" in edit:
            raise PageSkipped(base.title, f"{SKIP_CODES['spamblacklist']}: {edit['spamblacklist']}")
        raise PageSkipped(base.title, f"the wiki refused the edit: {edit}")
    if "nochange" in edit:
        # The page already has our text: a retry of a save whose answer was lost?
        own = _own_save_result(site, base, plan, rebase)
        return own or SaveResult("nochange", base.title, base=base)
    newrevid = int(edit["newrevid"])
    return _verify(site, base, plan, rebase, newrevid, int(edit.get("oldrevid", 0)))


def _answer_lost(
    site: APISite, base: Revision, plan: Plan, rebase: Rebase | None, exc: BaseException
) -> SaveResult:
    """The save got no usable answer (timeout, dropped connection, read-only or lag after the
    retries): it may still have been made. The page history decides."""
    why = describe_unavailable(exc)
    try:
        own = _own_save_result(site, base, plan, rebase)
    except Exception as again:
        if not is_unavailable(again):
            raise
        raise WikiUnavailable(
            f"{why}; whether [[{base.title}]] was saved is unknown (the page history could not "
            "be read either)",
            saved_unknown=True,
        ) from exc
    if own is not None:
        return own
    why = explain_unavailable(site, exc)
    raise WikiUnavailable(f"{why}; [[{base.title}]] was not saved") from exc


def _api_error(title: str, exc: Any) -> SaveResult:
    code = exc.code
    if code in UNAVAILABLE_CODES:
        raise WikiUnavailable(f"cannot edit [[{title}]] now: {code}: {exc.info}") from exc
    if code in STOP_CODES:
        raise StopRun(f"cannot edit [[{title}]]: {code}: {exc.info}; stopping") from exc
    if code in SKIP_CODES:
        reason = SKIP_CODES[code]
        if code == "spamblacklist":
            matches = exc.other.get("spamblacklist", {}).get("matches", [])
            reason += f": {', '.join(matches)}" if matches else ""
        elif code.startswith("abusefilter"):
            reason += f": {exc.info}"
        raise PageSkipped(title, reason) from exc
    raise WikiError(f"saving [[{title}]] failed: {code}: {exc.info}") from exc


def _verify(
    site: APISite,
    base: Revision,
    plan: Plan,
    rebase: Rebase | None,
    newrevid: int,
    oldrevid: int,
) -> SaveResult:
    """Read the saved revision back and check it (see :func:`_check_saved`)."""
    saved = fetch_revision(site, newrevid)
    if not saved.parentid and oldrevid:
        saved = replace(saved, parentid=oldrevid)
    return _check_saved(site, base, plan, rebase, saved)


def _check_saved(
    site: APISite, base: Revision, plan: Plan, rebase: Rebase | None, saved: Revision
) -> SaveResult:
    """Is the saved revision exactly the plan (beyond MediaWiki's trailing-whitespace trim)?
    When MediaWiki merged, is it exactly the plan re-applied to the intervening revision?"""
    parent = saved.parentid
    if parent == base.revid:
        differs = describe_difference(plan.text, saved.text)
        if differs:
            log.warning("[[%s]] rev %s: %s", base.title, saved.revid, differs)
        return SaveResult(
            "saved",
            base.title,
            saved.revid,
            warnings=[differs] if differs else [],
            base=base,
            differs=differs,
        )
    # MediaWiki merged our change with edits made after the base revision (no conflict).
    log.warning(
        "[[%s]]: MediaWiki merged the edit with revision %s; re-checking", base.title, parent
    )
    intervening = fetch_revision(site, parent)
    expected = rebase(intervening) if rebase is not None else None
    differs = ""
    if expected is None:
        differs = (
            f"merged with revision {parent}: the fixes do not re-apply to it; please check the diff"
        )
    else:
        found = describe_difference(expected.text, saved.text)
        if found:
            differs = f"merged with revision {parent}: {found}"
    if differs:
        log.warning("[[%s]] rev %s: %s", base.title, saved.revid, differs)
    return SaveResult(
        "saved",
        base.title,
        saved.revid,
        merged=True,
        warnings=[differs] if differs else [],
        base=intervening,
        differs=differs,
    )


def describe_difference(sent: str, saved: str) -> str:
    """Empty when ``saved`` is ``sent`` as MediaWiki stores it (NFC, trailing whitespace
    trimmed); else one line saying where the saved text first differs."""
    a, b = nfc(sent).rstrip(), nfc(saved).rstrip()
    if a == b:
        return ""
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    line = a.count("\n", 0, at) + 1
    return (
        f"the saved text differs from the text sent from line {line} on "
        f"(sent {_excerpt(a, at)}, saved {_excerpt(b, at)})"
    )


def _excerpt(text: str, at: int, width: int = 30) -> str:
    return repr(text[at : at + width]) if at < len(text) else "nothing more"


def section_join(before: str, section_text: str, after: str) -> str:
    """The page MediaWiki makes of a section save (``Parser::replaceSection``, checked on the
    local wiki): the sent section right-trimmed, one blank line before the next section, the
    whole page right-trimmed."""
    sent = section_text.rstrip()
    joined = before + sent + ("\n\n" + after if after and sent else after)
    return joined.rstrip()


@contextmanager
def quiet_pywikibot() -> Iterator[None]:
    """pywikibot logs each failed request with a traceback, and its retries; the commands say
    what failed in one line of their own instead. (``WIKILINT_DEBUG=1`` keeps pywikibot's.)"""
    if os.environ.get("WIKILINT_DEBUG"):
        yield
        return
    from pywikibot.bot import init_handlers

    init_handlers()  # pywikibot sets its logger's level here on first use: set ours after it
    logger = logging.getLogger("pywiki")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def redact_secrets_in_logs(verbose: bool = False) -> None:
    """Make every log handler of ours and pywikibot's drop passwords, tokens and cookies.

    pywikibot logs request parameters on API errors, and replaces the handlers of its
    ``pywiki`` logger the first time it logs: initialise them now so that the filter lands
    on the handlers it will really use.
    """
    from wikilint.bot.wiki import logfilter

    try:
        import pywikibot.bot
        from pywikibot import config as pwb_config

        pwb_config.verbose_output = verbose
        pywikibot.bot.init_handlers()
    except Exception as exc:  # no user-config yet: opening the wiki reports it
        log.debug("pywikibot logging not initialised: %s", exc)
    logfilter.install(loggers=("", "pywiki", "wikilint"))
