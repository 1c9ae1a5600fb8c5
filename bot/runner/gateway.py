"""The runner's view of the wiki: a small interface, and its implementation over pywikibot.

The runner talks only to :class:`WikiGateway`, so its flow is tested offline with a fake.
:class:`PywikibotGateway` is thin: saving is ``bot.wiki.safe_save`` (baserevid, nocreate, …),
reading is ``bot.sources``; what ``bot.wiki`` does not offer yet (the one-request pre-save guard
query, the render comparison, redirects of the in-use templates, pywikibot's retry settings)
is here as small functions over pywikibot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from wikilint.bot.runner.config import BotConfig, Limits, SourceSettings
from wikilint.bot.runner.safety import GuardState
from wikilint.bot.wiki.api import (  # noqa: F401 (WikiUnavailable, unavailable_errors: the
    # runner's names for them; they live in the wiki layer, shared with the wiki commands)
    Plan,
    Rebase,
    Revision,
    SaveResult,
    WikiUnavailable,
    site_name,
    unavailable_errors,
)
from wikilint.bot.wiki.sources import Skip, Unreadable, page_generator, read_pages

if TYPE_CHECKING:
    from pywikibot.site import APISite

log = logging.getLogger("wikilint.botsite")


class WikiGateway(Protocol):
    site_name: str
    username: str

    def login(self) -> None: ...

    @property
    def rights(self) -> frozenset[str]:
        """The account's rights after login (what its bot password's grants allow)."""
        ...

    def revisions(
        self,
        sources: SourceSettings,
        skip: Skip,
        rc_since: str | None,
        rc_seen: Callable[[str], None],
    ) -> Iterator[Revision | Unreadable]: ...

    def guard_state(self, shutoff_page: str | None) -> GuardState: ...

    def latest(self, title: str) -> Revision | None: ...

    def renders_same(self, title: str, old: str, new: str) -> bool: ...

    def in_use_names(self, templates: tuple[str, ...]) -> set[str]: ...

    def save(
        self, base: Revision, plan: Plan, rebase: Rebase | None, *, minor: bool, tags: str | None
    ) -> SaveResult: ...

    def api_events(self) -> list[str]: ...


class ApiEventLog(logging.Handler):
    """Notices API error codes pywikibot handled internally (``ratelimited``, ``maxlag``,
    ``readonly``…): pywikibot retries them silently, the runner wants to slow down."""

    _CODE = re.compile(r"API error (\w[\w-]*)|Pausing due to database lag")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            m = self._CODE.search(record.getMessage())
        except (TypeError, ValueError):
            return
        if m:
            self.events.append(m.group(1) or "maxlag")


def configure_pywikibot(limits: Limits, contact: str | None = None) -> None:
    """Bounded backoff: pywikibot retries lag, 5xx and non-JSON pages ``max_retries`` times,
    waiting ``retry_wait`` doubling up to ``retry_max``, then raises; never a prompt. The
    operator's ``contact`` goes into the User-Agent of every API request, next to the bot's
    username (Wikimedia's User-Agent policy asks bots for a way to reach their operator)."""
    from pywikibot import config

    if contact:
        config.user_agent_description = f"wikilint; +{contact}"
    # As pywikibot's own -maxlag option: saves wait at this lag, reads at no less.
    config.write_maxlag = limits.maxlag
    config.read_maxlag = max(config.read_maxlag, limits.maxlag)
    config.max_retries = limits.max_retries
    config.retry_wait = limits.retry_wait
    config.retry_max = limits.retry_max
    config.put_throttle = 0  # the runner throttles saves itself (and slows down on ratelimits)
    config.solve_captcha = False
    config.simulate = False


class PywikibotGateway:
    def __init__(self, site: APISite) -> None:
        self.site = site
        self.site_name = site_name(site)
        self._events = ApiEventLog()
        logging.getLogger("pywiki").addHandler(self._events)

    @classmethod
    def open(cls, config: BotConfig) -> PywikibotGateway:
        from pywikibot import config as pwb_config
        from wikilint.bot.wiki.api import open_site

        configure_pywikibot(config.limits, config.wiki.contact)
        if config.wiki.password_file is not None:
            pwb_config.password_file = str(config.wiki.password_file)
        return cls(open_site(config.wiki.site, config.wiki.user))

    @property
    def username(self) -> str:
        return self.site.username() or ""

    def login(self) -> None:
        from wikilint.bot.wiki.api import ensure_logged_in

        # A fresh look at blocks and rights: the site object may outlive an earlier run.
        del self.site.userinfo
        ensure_logged_in(self.site)

    @property
    def rights(self) -> frozenset[str]:
        return frozenset(self.site.userinfo.get("rights", ()))

    def revisions(
        self,
        sources: SourceSettings,
        skip: Skip,
        rc_since: str | None,
        rc_seen: Callable[[str], None],
    ) -> Iterator[Revision | Unreadable]:
        pages = page_generator(self.site, sources, rc_since, rc_seen)
        return read_pages(self.site, pages, skip)

    def guard_state(self, shutoff_page: str | None) -> GuardState:
        """Shutoff page text and the new-message flag in one request (fresh, never cached)."""
        params: dict[str, Any] = {
            "action": "query",
            "meta": "userinfo",
            "uiprop": "hasmsg",
            "formatversion": 2,
        }
        if shutoff_page:
            params.update(prop="revisions", titles=shutoff_page, rvprop="content", rvslots="main")
        data = self.site.simple_request(**params).submit()
        query = data.get("query", {})
        text = None
        for page in query.get("pages", []):
            revs = page.get("revisions") or []
            if revs:
                text = revs[0].get("slots", {}).get("main", {}).get("content")
        return GuardState(text, bool(query.get("userinfo", {}).get("messages")))

    def latest(self, title: str) -> Revision | None:
        """The page's latest revision now, or None when it does not exist."""
        from wikilint.bot.wiki.api import PageSkipped, fetch

        try:
            return fetch(self.site, title)
        except PageSkipped:
            return None

    def renders_same(self, title: str, old: str, new: str) -> bool:
        """Both texts render to the same HTML (the change would be invisible to readers)."""
        return self._render(title, old) == self._render(title, new)

    def _render(self, title: str, text: str) -> str:
        data = self.site.simple_request(
            action="parse",
            title=title,
            text=text,
            prop="text",
            contentmodel="wikitext",
            disablelimitreport=True,
            disableeditsection=True,
            formatversion=2,
        ).submit()
        html = data.get("parse", {}).get("text", "")
        return re.sub(r"<!--.*?-->", "", html, flags=re.S).strip()

    def in_use_names(self, templates: tuple[str, ...]) -> set[str]:
        """The configured in-use templates and every redirect to them."""
        import pywikibot

        names = set(templates)
        for name in templates:
            page = pywikibot.Page(self.site, name, ns=10)
            try:
                for redirect in page.redirects():
                    names.add(redirect.title(with_ns=False))
            except pywikibot.exceptions.Error as exc:
                log.warning("cannot list redirects to [[%s]]: %s", page.title(), exc)
        return names

    def save(
        self, base: Revision, plan: Plan, rebase: Rebase | None, *, minor: bool, tags: str | None
    ) -> SaveResult:
        from wikilint.bot.wiki.api import safe_save

        return safe_save(self.site, base, plan, rebase, minor=minor, tags=tags)

    def api_events(self) -> list[str]:
        events, self._events.events = self._events.events, []
        return events
