"""Fetched page titles for the unsafe fixes of bare-url and placeholder-title: which URLs need
one, and fetching them (with a contact) or saying why not.

Shared by ``wikilint fix --unsafe-fixes``, ``wikilint propose --unsafe-fixes`` and the
unsafe-proposal path of ``wikilint run``. ``bot.fetch`` (and with it ``requests``) is imported
only when something is really fetched: the lint path never loads it.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

# Which URLs need a title is the change core's question (its first pass): re-exported here.
from wikilint.bot.change.titleurls import urls_needing_titles as urls_needing_titles

# Rules whose unsafe fixes need page titles fetched from the web (bot.fetch).
TITLE_RULES = ("bare-url", "placeholder-title")
# The wiki paths (propose, run) fetch at most this many URLs per page: the fetcher bounds each
# request (timeouts, body cap), this bounds the page. The rest keep their findings, unfixed.
MAX_URLS_PER_PAGE = 20

Note = Callable[[str], None]
Failure = Callable[[str, str], None]  # url, why it got no title


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def notes_on_stderr(label: str) -> Note:
    """The notes of a title fetch as the CLI shows them on stderr: ``label: fetching …``,
    and ``label: note: …`` for why a title did not come."""
    import click

    def note(message: str) -> None:
        kind = "" if message.startswith("fetching ") else "note: "
        click.echo(f"{label}: {kind}{message}", err=True)

    return note


def fetch_titles(
    urls: list[str],
    contact: str | None,
    note: Note,
    *,
    how_to_contact: str = "give --contact EMAIL|URL (or WIKILINT_CONTACT)",
    limit: int | None = None,
    until: float | None = None,
    allow_private: bool = False,
    failed: Failure | None = None,
) -> dict[str, str]:
    """URL → acceptable title from ``bot.web.fetch``, or ``{}`` with a note saying why not.

    ``note`` receives one message per event (no contact, no fetcher, fetching, and one per URL
    that got no title, saying why); ``failed(url, reason)``, when given, hears about each
    such URL too (the run report lists them). ``limit`` caps the URLs fetched (the first ones
    in page order); fetching stops at ``until`` (a ``time.monotonic()`` instant);
    ``allow_private`` lifts the fetcher's address policy (``--allow-private-fetch``: tests and
    closed networks only). Never raises for a network problem: the fixes that need a missing
    title are simply not offered.
    """
    if not urls:
        return {}
    if not contact or not contact.strip():
        note(
            f"not fetching titles for {_plural(len(urls), 'URL')}: {how_to_contact} so "
            "sites can reach you; fixes that need titles are skipped"
        )
        return {}
    try:
        # Looked up at call time (tests swap the module; requests loads only here).
        fetch = importlib.import_module("wikilint.bot.web.fetch")
    except ImportError as exc:
        note(f"cannot fetch titles ({exc}); fixes that need them are skipped")
        return {}
    if limit is not None and len(urls) > limit:
        note(
            f"fetching titles for the first {limit} of {len(urls)} URLs "
            f"(at most {limit} a page); the others stay unfixed"
        )
        urls = urls[:limit]
    else:
        note(f"fetching titles for {_plural(len(urls), 'URL')}…")

    def on_failure(url: str, reason: str) -> None:
        note(f"no title for {url}: {reason}")
        if failed is not None:
            failed(url, reason)

    try:
        titles = dict(
            fetch.fetch_titles(
                urls,
                contact.strip(),
                until=until,
                allow_private=allow_private,
                on_failure=on_failure,
            )
        )
    except Exception as exc:  # the network is not the user's fault: fix what we can
        note(f"fetching titles failed: {exc}")
        return {}
    if until is not None and time.monotonic() >= until:
        note("the time budget ran out while fetching titles; the URLs left stay unfixed")
    return titles


ALLOW_PRIVATE_ENV = "WIKILINT_ALLOW_PRIVATE_FETCH"
ALLOW_PRIVATE_FETCH_HELP = (
    "With --unsafe-fixes: let the title fetcher connect to private, loopback and link-local "
    "addresses, localhost and any port. For tests and closed networks only: a page's URLs "
    "could then probe the machine's own network (env WIKILINT_ALLOW_PRIVATE_FETCH=1)."
)


def allow_private_fetch_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--allow-private-fetch`` flag (or ``WIKILINT_ALLOW_PRIVATE_FETCH=1``), off by
    default, shared by ``fix``, ``propose`` and ``run``."""
    import click

    return click.option(
        "--allow-private-fetch",
        "allow_private_fetch",
        is_flag=True,
        envvar=ALLOW_PRIVATE_ENV,
        help=ALLOW_PRIVATE_FETCH_HELP,
    )(command)
