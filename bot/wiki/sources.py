"""Page sources for ``wikilint run``: generators over pywikibot, combined and de-duplicated.

Reading is batched (issue 6: N pages cost at most ⌈N/50⌉ + 3 requests; see ``read_pages``):
with a bot account, the latest revision ids of up to 500 pages per request first, so pages whose
latest revision the journal has already processed are dropped without their text ever being
downloaded, then the texts of the rest, 50 per request.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wikilint.bot.wiki.api import Revision, nfc
from wikilint.bot.wiki.generators import GENERATOR_EXAMPLES, GeneratorArgError

if TYPE_CHECKING:
    import pywikibot
    from pywikibot.site import APISite

log = logging.getLogger("wikilint.sources")

RC_CURSOR = "recentchanges"
BATCH = 50  # texts per request
HIGH_LIMIT = 500  # titles per query with apihighlimits (MediaWiki's ApiBase::LIMIT_SML2)


@dataclass(frozen=True)
class SourceSettings:
    titles: tuple[str, ...] = ()
    titles_file: Path | None = None
    categories: tuple[str, ...] = ()
    category_depth: int = 0  # 0: only the category's own members
    transcluding: tuple[str, ...] = ()  # pages transcluding any of these templates
    recent_changes: bool = False  # pages changed since the last run's cursor
    recent_changes_days: int = 1  # how far back the very first run looks
    search: str | None = None
    pages_from: tuple[str, ...] = ()  # pywikibot generator arguments: "-cat:Foo", "-newpages:50"
    namespaces: tuple[int, ...] = (0,)  # for every source except explicit titles

    @property
    def empty(self) -> bool:
        return not (
            self.titles
            or self.titles_file
            or self.categories
            or self.transcluding
            or self.recent_changes
            or self.search
            or self.pages_from
        )


@dataclass(frozen=True)
class Unreadable:
    """A listed page that cannot be linted as it is (missing, redirect, not wikitext)."""

    title: str
    revid: int | None
    reason: str


def page_generator(
    site: APISite,
    settings: SourceSettings,
    rc_since: str | None = None,
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
        streams.append(_generated_in(site, f"-cat:{cat}", ns, settings.category_depth))
    for tpl in settings.transcluding:
        template = pywikibot.Page(site, tpl, ns=10)
        streams.append(template.embeddedin(namespaces=ns, content=False))
    if settings.recent_changes:
        streams.append(_recent_changes(site, settings, ns, rc_since, rc_seen))
    if settings.search:
        streams.append(_generated_in(site, f"-search:{settings.search}", ns))
    if settings.pages_from:
        streams.append(pages_from_args(site, settings.pages_from, settings.category_depth))
    seen: set[str] = set()
    for page in itertools.chain.from_iterable(streams):
        key = page.title()
        if key not in seen:
            seen.add(key)
            yield page


def _generated_in(
    site: APISite, arg: str, namespaces: Iterable[int], category_depth: int = 0
) -> Iterator[pywikibot.Page]:
    """The pages of one generator argument in ``namespaces`` (all when empty): bot.toml's
    ``categories`` and ``search`` are read as ``-cat:`` and ``-search:``, the same code as
    ``--pages-from``."""
    ns = ",".join(str(n) for n in namespaces)
    return pages_from_args(site, [*([f"-ns:{ns}"] if ns else []), arg], category_depth)


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
    site: APISite,
    settings: SourceSettings,
    ns: list[int],
    since: str | None,
    rc_seen: Callable[[str], None] | None,
) -> Iterator[pywikibot.Page]:
    import pywikibot

    now = site.server_time()
    if rc_seen is not None:
        rc_seen(now.isoformat())
    start = (
        pywikibot.Timestamp.fromISOformat(since)
        if since
        else pywikibot.Timestamp.fromtimestampformat(
            (datetime.now(UTC) - timedelta(days=settings.recent_changes_days)).strftime(
                "%Y%m%d%H%M%S"
            )
        )
    )
    # pywikibot refuses start == end (a run in the same second as the last one): list to the
    # present then. Changes listed twice are dropped by the journal (revision processed).
    end = now if start < now else None
    for change in site.recentchanges(
        start=start, end=end, reverse=True, namespaces=ns, changetype="edit|new"
    ):
        yield pywikibot.Page(site, change["title"])


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# skip(title, latest revid, edit protection levels): the journal already knows the outcome.
Skip = Callable[[str, int, tuple[str, ...]], bool]


def edit_protection(page: dict[str, Any]) -> tuple[str, ...]:
    """The levels protecting a page from editing (``inprop=protection``: its own protection and
    cascading protection from other pages), sorted; empty when anyone may edit it."""
    return tuple(
        sorted(
            {
                p["level"]
                for p in page.get("protection", ())
                if p.get("type") == "edit" and p.get("level")
            }
        )
    )


def read_pages(
    site: APISite,
    pages: Iterable[pywikibot.Page],
    skip: Skip,
    batch: int = BATCH,
) -> Iterator[Revision | Unreadable]:
    """Latest revisions of ``pages``, in source order, read in batches; ``skip(title, revid,
    protection)`` drops a page whose revision (at that protection) was already processed
    (never linted again).

    Requests (issue 6: at most ⌈N/50⌉ + 3 for N pages, continuations of oversized responses
    aside). Texts come ``batch`` (50) pages per request. With ``apihighlimits`` (a bot
    account) one ``prop=info`` request first gives the latest revision ids of a window of up
    to 500 pages, and only the pages not already processed have their text downloaded. That
    pre-pass is used while it pays: a window gets one only while the pre-passes so far cost at
    most one request more than the text requests they saved, so with the one-off siteinfo
    request pywikibot adds (the ProofreadPage check) the total stays within ⌈N/50⌉ + 3 even
    when nothing is skipped. Otherwise (no high limits: the ids of 50 pages would cost as much
    as their texts; or the pre-pass stopped paying) ids and texts come in the same request
    and processed revisions are dropped in memory, before anything lints them.

    Every request carries ``curtimestamp``, which MediaWiki takes before the module runs: the
    edit's ``starttimestamp`` is earlier than the read of the text (the safe side: a deletion
    after it is always detected) and costs no separate server-time request.
    """
    window = HIGH_LIMIT if _high_limits(site) else batch
    prepasses = saved = 0
    for chunk in batched((p.title(with_section=False) for p in pages), window):
        if window > batch and prepasses <= saved + 1:
            prepasses += 1
            # Per title, in source order: None (its text is to be read) or why not.
            plan: list[tuple[str, Unreadable | None]] = []
            for title, info in _query_pages(site, chunk, _INFO).items():
                if info.get("missing") or info.get("invalid"):
                    plan.append((title, Unreadable(title, None, "the page does not exist")))
                elif skip(title, info.get("lastrevid", 0), edit_protection(info)):
                    log.debug("[[%s]] rev %s already processed", title, info.get("lastrevid"))
                else:
                    plan.append((title, None))
            fresh = [title for title, why in plan if why is None]
            saved += _batches(len(chunk), batch) - _batches(len(fresh), batch)
            parts = batched(fresh, batch)
            texts: dict[str, dict[str, Any]] = {}
            for title, why in plan:
                if why is not None:
                    yield why
                    continue
                if title not in texts:  # the next batch (50 texts at most in memory)
                    texts = _query_pages(site, next(parts), _TEXTS)
                yield _to_revision(title, texts[title], "the page was deleted")
            continue
        for part in batched(chunk, batch):
            for title, data in _query_pages(site, part, _TEXTS).items():
                if data.get("missing") or data.get("invalid"):
                    yield Unreadable(title, None, "the page does not exist")
                elif skip(title, data.get("lastrevid", 0), edit_protection(data)):
                    log.debug("[[%s]] rev %s already processed", title, data.get("lastrevid"))
                else:
                    yield _to_revision(title, data, "the page does not exist")


def _batches(n: int, size: int) -> int:
    return -(-n // size)


_INFO: dict[str, Any] = {"prop": "info", "inprop": "protection"}
_TEXTS: dict[str, Any] = {
    "prop": "info|revisions",
    "inprop": "protection",
    "rvprop": "ids|timestamp|user|content",
    "rvslots": "main",
}


def _high_limits(site: APISite) -> bool:
    try:
        return bool(site.logged_in() and site.has_right("apihighlimits"))
    except Exception as exc:  # no user info: the small limits are always allowed
        log.debug("cannot tell whether the account has apihighlimits: %s", exc)
        return False


def _query_pages(
    site: APISite, titles: list[str], props: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """``action=query`` over ``titles`` (one request, plus continuations): each requested
    title (as sent, in order) → its page object, revisions merged across continuations, the
    request's ``curtimestamp`` under ``"_start"``."""
    params: dict[str, Any] = {
        "action": "query",
        "titles": titles,
        "curtimestamp": True,
        "formatversion": 2,
        **props,
    }
    aliases: dict[str, str] = {}  # normalized title → title as sent
    found: dict[str, dict[str, Any]] = {}
    start = None
    while True:
        data = site.simple_request(**params).submit()
        start = start or data.get("curtimestamp")
        query = data.get("query", {})
        for entry in query.get("normalized", []):
            aliases[entry["to"]] = aliases.get(entry["from"], entry["from"])
        new_revisions = 0
        for page in query.get("pages", []):
            key = aliases.get(page.get("title", ""), page.get("title", ""))
            known = found.setdefault(key, {})
            revisions = known.get("revisions", []) + page.get("revisions", [])
            new_revisions += len(page.get("revisions", []))
            known.update(page, revisions=revisions)
        cont = data.get("continue")
        if not cont:
            break
        if not new_revisions:
            log.warning(
                "the wiki continued a query without returning anything: giving up on "
                "the rest of this batch"
            )
            break
        params = {**params, **cont}
    result = {}
    for title in titles:
        page = found.get(title, {"title": title, "missing": True})
        page["_start"] = start
        result[title] = page
    return result


def _to_revision(title: str, page: dict[str, Any], gone: str) -> Revision | Unreadable:
    if page.get("missing") or page.get("invalid"):
        return Unreadable(title, None, gone)
    revid = page.get("lastrevid")
    if page.get("redirect"):
        return Unreadable(title, revid, "redirect")
    model = page.get("contentmodel", "wikitext")
    if model != "wikitext":
        return Unreadable(title, revid, f"content model {model} is not wikitext")
    revisions = page.get("revisions") or []
    rev = revisions[-1] if revisions else {}
    slot = rev.get("slots", {}).get("main", {})
    if not rev:
        return Unreadable(title, revid, "the revision could not be read")
    if slot.get("texthidden") or "content" not in slot:
        return Unreadable(title, rev.get("revid", revid), "the revision text is hidden")
    return Revision(
        title=title,
        pageid=page.get("pageid", 0),
        revid=rev["revid"],
        parentid=rev.get("parentid") or 0,
        timestamp=rev["timestamp"],
        user=rev.get("user", ""),
        text=nfc(slot["content"]),
        starttimestamp=page["_start"],
        protection=edit_protection(page),
    )


def pages_from_args(
    site: APISite, args: Iterable[str], category_depth: int = 0
) -> Iterator[pywikibot.Page]:
    """Pages named by pywikibot generator arguments (``-cat:Foo``, ``-catr:Foo``,
    ``-transcludes:Tpl``, ``-search:words``, ``-file:titles.txt``, ``-recentchanges:N``,
    ``-newpages:N``, ``-ns:0``, ``-limit:N`` …), read by pywikibot's own GeneratorFactory,
    each page once; ``-cat:`` follows ``category_depth`` levels of subcategories."""
    factory = _generator_factory(site, category_depth)
    unknown = factory.handle_args(list(args))
    if unknown:
        raise GeneratorArgError(
            f"not a pywikibot page generator: {', '.join(unknown)} ({GENERATOR_EXAMPLES})"
        )
    generator = factory.getCombinedGenerator()
    if generator is None:
        return
    seen: set[str] = set()
    for page in generator:
        key = page.title()
        if key not in seen:
            seen.add(key)
            yield page


def _generator_factory(site: APISite, category_depth: int) -> Any:
    """pywikibot's GeneratorFactory with two arguments read our way:

    - ``-cat:`` recurses ``category_depth`` levels: the ``recurse`` that
      CategorizedPageGenerator (Category.articles) takes, which pywikibot's own ``-cat:`` fixes
      at False and ``-catr:`` at True;
    - ``-search:`` searches the pages' text on every wiki. pywikibot sends no ``srwhat`` (since
      7.0), which Wikimedia's CirrusSearch reads as a text search but MediaWiki's own database
      search (a self-hosted wiki's default) as a search of the titles alone.
    """
    import pywikibot
    from pywikibot import pagegenerators

    class WikilintFactory(pagegenerators.GeneratorFactory):
        def handle_arg(self, arg: str) -> bool:
            # pywikibot asks on the terminal for a value an argument lacks (-catr:, -file:,
            # -transcludes:, …): a cron job would wait or crash on EOF. Say what is missing.
            name = arg.partition(":")[0]

            def no_prompt(*_args: Any, **_kwargs: Any) -> str:
                raise GeneratorArgError(f"{name}: give it a value: {name}:VALUE")

            asking = pywikibot.input
            pywikibot.input = no_prompt
            try:
                return bool(super().handle_arg(arg))
            finally:
                pywikibot.input = asking

        def _handle_category(self, value: str | None) -> Any:
            if not value:  # pywikibot would prompt for it
                raise GeneratorArgError("-cat: give the category: -cat:NAME")
            return self.getCategoryGen(
                value, recurse=category_depth, gen_func=pagegenerators.CategorizedPageGenerator
            )

        _handle_cat = _handle_category

        def _handle_search(self, value: str | None) -> Any:
            if not value:  # pywikibot would prompt for it
                raise GeneratorArgError("-search: give the words to search for: -search:WORDS")
            # All namespaces, as pywikibot's -search:; -ns:N narrows them afterwards.
            return self.site.search(value, namespaces=[], where="text")

    return WikilintFactory(site=site)
