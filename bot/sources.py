"""Page sources for ``wikilint run``: generators over pywikibot, combined and de-duplicated.

Reading is batched twice (pywikibot ``site.preloadpages``, one request per batch of up to 50
pages, or 500 with ``apihighlimits``): first revision ids only, so pages whose latest revision
the journal has already processed are dropped without their text ever being downloaded, then
the text of the rest.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.botconfig import SourceSettings
from bot.wiki import Revision, nfc

if TYPE_CHECKING:
    import pywikibot
    from pywikibot.site import APISite

log = logging.getLogger("wikilint.sources")

RC_CURSOR = "recentchanges"
BATCH = 50


@dataclass(frozen=True)
class Unreadable:
    """A listed page that cannot be linted as it is (missing, redirect, not wikitext)."""

    title: str
    revid: int | None
    reason: str


def page_generator(
    site: APISite, settings: SourceSettings, rc_since: str | None = None,
    rc_seen: Callable[[str], None] | None = None,
) -> Iterator[pywikibot.Page]:
    """Every page named by the sources, each once, in source order.

    ``rc_since`` is the recent-changes cursor (an ISO timestamp); ``rc_seen`` is called with
    the server time taken just before the listing, to become the next cursor once the run
    completes (changes made during the run are then picked up next time).
    """
    import pywikibot

    ns = list(settings.namespaces)
    streams: list[Iterable[pywikibot.Page]] = []
    titles = list(settings.titles)
    if settings.titles_file is not None:
        titles += read_titles_file(settings.titles_file)
    streams.append(_pages_for_titles(site, titles))
    for cat in settings.categories:
        category = pywikibot.Category(site, cat if ":" in cat else f"Category:{cat}")
        streams.append(category.articles(recurse=settings.category_depth or False,
                                         namespaces=ns))
    for tpl in settings.transcluding:
        template = pywikibot.Page(site, tpl, ns=10)
        streams.append(template.embeddedin(namespaces=ns, content=False))
    if settings.recent_changes:
        streams.append(_recent_changes(site, settings, ns, rc_since, rc_seen))
    if settings.search:
        streams.append(site.search(settings.search, namespaces=ns))
    seen: set[str] = set()
    for page in itertools.chain.from_iterable(streams):
        key = page.title()
        if key not in seen:
            seen.add(key)
            yield page


def _pages_for_titles(site: APISite, titles: list[str]) -> Iterator[pywikibot.Page]:
    import pywikibot

    for t in titles:
        try:
            yield pywikibot.Page(site, t)
        except pywikibot.exceptions.InvalidTitleError as exc:
            log.warning("skipping the invalid title %r: %s", t, exc)


def read_titles_file(path: Any) -> list[str]:
    """One title a line; blank lines and ``#`` comments ignored; ``[[...]]`` tolerated."""
    titles = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            titles.append(line.removeprefix("[[").removesuffix("]]").strip())
    return titles


def _recent_changes(
    site: APISite, settings: SourceSettings, ns: list[int], since: str | None,
    rc_seen: Callable[[str], None] | None,
) -> Iterator[pywikibot.Page]:
    import pywikibot

    now = site.server_time()
    if rc_seen is not None:
        rc_seen(now.isoformat())
    start = (pywikibot.Timestamp.fromISOformat(since) if since
             else pywikibot.Timestamp.fromtimestampformat(
                 (datetime.now(UTC) - timedelta(days=settings.recent_changes_days))
                 .strftime("%Y%m%d%H%M%S")))
    for change in site.recentchanges(start=start, end=now, reverse=True, namespaces=ns,
                                     changetype="edit|new"):
        yield pywikibot.Page(site, change["title"])


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def read_pages(
    site: APISite, pages: Iterable[pywikibot.Page], skip: Callable[[str, int], bool],
    batch: int = BATCH,
) -> Iterator[Revision | Unreadable]:
    """Latest revisions of ``pages``, read in batches; ``skip(title, revid)`` drops a page
    before its text is downloaded (already processed)."""
    for chunk in batched(pages, batch):
        fresh = []
        for page in site.preloadpages(chunk, content=False, groupsize=batch):
            if not page.exists():
                yield Unreadable(page.title(), None, "the page does not exist")
                continue
            if skip(page.title(), page.latest_revision_id):
                log.debug("[[%s]] rev %s already processed", page.title(),
                          page.latest_revision_id)
                continue
            fresh.append(page)
        if not fresh:
            continue
        # The edit's starttimestamp: taken before the text is read, so a deletion between
        # this read and the save is always detected (an earlier start is the safe side).
        start = site.server_time().isoformat()
        for page in site.preloadpages(fresh, content=True, groupsize=batch):
            yield to_revision(page, start)


def to_revision(page: pywikibot.Page, start: str) -> Revision | Unreadable:
    title = page.title()
    if not page.exists():
        return Unreadable(title, None, "the page was deleted")
    if page.isRedirectPage():
        return Unreadable(title, page.latest_revision_id, "redirect")
    if page.content_model != "wikitext":
        return Unreadable(title, page.latest_revision_id,
                          f"content model {page.content_model} is not wikitext")
    rev = page.latest_revision
    if rev.get("texthidden") or rev.text is None:
        return Unreadable(title, rev.revid, "the revision text is hidden")
    return Revision(
        title=title, pageid=page.pageid, revid=rev.revid, parentid=rev.parentid or 0,
        timestamp=rev.timestamp.isoformat(), user=rev.user or "", text=nfc(rev.text),
        starttimestamp=start,
    )
