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

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlparse

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
STOP_CODES: frozenset[str] = frozenset({
    "blocked", "autoblocked", "globalblocking-blocked", "sitewideblocked", "partiallyblocked",
    "assertuserfailed", "assertbotfailed", "assertnameduserfailed", "notloggedin",
    "writeapidenied", "noedit", "noedit-anon", "permissiondenied", "readonly", "badtoken",
})


class WikiError(Exception):
    """Something went wrong talking to the wiki."""


class StopRun(WikiError):
    """The whole run must stop: blocked, logged out, no right to edit, read-only wiki."""


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
    if not pages or pages[0].get("missing") or pages[0].get("invalid"):
        raise PageSkipped(title, "the page does not exist")
    return _revision(pages[0]["title"], pages[0]["pageid"], pages[0]["revisions"][0], now)


def fetch_revision(site: APISite, revid: int) -> Revision:
    pages, now = _query_revision(site, revids=revid)
    if not pages or "revisions" not in pages[0]:
        raise WikiError(f"revision {revid} not found")
    return _revision(pages[0]["title"], pages[0]["pageid"], pages[0]["revisions"][0], now)


def _query_revision(site: APISite, **which: Any) -> tuple[list[dict[str, Any]], str]:
    """The pages of one revision query (``titles=`` or ``revids=``) and ``curtimestamp``."""
    data = _submit(
        site, action="query", prop="revisions", rvprop="ids|timestamp|user|content",
        rvslots="main", curtimestamp=True, formatversion=2, **which,
    )
    return data.get("query", {}).get("pages", []), data["curtimestamp"]


def fetch_section_text(site: APISite, revid: int, section: int) -> str | None:
    """MediaWiki's own idea of section N of a revision (to check ours before a section save)."""
    import pywikibot

    try:
        data = _submit(
            site, action="query", prop="revisions", revids=revid, rvprop="content",
            rvslots="main", rvsection=section, formatversion=2,
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
        title=title, pageid=pageid, revid=rev["revid"], parentid=rev.get("parentid", 0),
        timestamp=rev["timestamp"], user=rev.get("user", ""), text=nfc(slot["content"]),
        starttimestamp=start,
    )


# -- saving ---------------------------------------------------------------------------------


def assert_round_trip(text: str) -> None:
    """Refuse to save text whose parse does not reproduce it (it would lie about spans)."""
    from wikilint.rules.document import Document, ParseError

    try:
        Document.parse(text, verify=True)
    except ParseError as exc:
        raise AssertionError(f"the new text does not round-trip through the parser: {exc}") \
            from exc


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

    On ``editconflict`` the page is re-fetched and ``rebase`` recomputes the plan once; when
    MediaWiki merges the edit with an intervening one, the saved text is checked against
    ``rebase`` of that intervening revision.
    """
    ensure_logged_in(site)
    for attempt in (1, 2):
        try:
            return _save_once(site, base, plan, rebase, minor=minor, tags=tags)
        except PageSkipped as exc:
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


def _save_once(
    site: APISite, base: Revision, plan: Plan, rebase: Rebase | None, *, minor: bool,
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
    edit = data.get("edit", {})
    if edit.get("result") != "Success":
        if "captcha" in edit:
            raise PageSkipped(base.title, SKIP_CODES["captcha"])
        if "spamblacklist" in edit:
            raise PageSkipped(base.title, f"{SKIP_CODES['spamblacklist']}: {edit['spamblacklist']}")
        raise PageSkipped(base.title, f"the wiki refused the edit: {edit}")
    if "nochange" in edit:
        return SaveResult("nochange", base.title, base=base)
    newrevid = int(edit["newrevid"])
    return _verify(site, base, plan, rebase, newrevid, int(edit.get("oldrevid", 0)))


def _api_error(title: str, exc: Any) -> SaveResult:
    code = exc.code
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
    site: APISite, base: Revision, plan: Plan, rebase: Rebase | None, newrevid: int,
    oldrevid: int,
) -> SaveResult:
    """Read the saved revision back; when MediaWiki merged, check the merge is what we meant."""
    saved = fetch_revision(site, newrevid)
    parent = saved.parentid or oldrevid
    warnings: list[str] = []
    if parent == base.revid:
        if not same_saved_text(saved.text, plan.text):
            warnings.append("the saved text differs from the text sent (pre-save transform?)")
        return SaveResult("saved", base.title, newrevid, warnings=warnings, base=base)
    # MediaWiki merged our change with edits made after the base revision (no conflict).
    log.warning("[[%s]]: MediaWiki merged the edit with revision %s; re-checking",
                base.title, parent)
    intervening = fetch_revision(site, parent)
    expected = rebase(intervening) if rebase is not None else None
    if expected is None or not same_saved_text(saved.text, expected.text):
        warnings.append(
            f"merged with revision {parent}: the saved text is not the fixes re-applied to it; "
            "please check the diff"
        )
        log.warning("[[%s]] rev %s: %s", base.title, newrevid, warnings[-1])
    return SaveResult("saved", base.title, newrevid, merged=True, warnings=warnings,
                      base=intervening)


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
