"""pywikibot's ``CosmeticChangesToolkit`` without a network, for a fair side-by-side timing.

The toolkit needs an ``APISite``: namespaces, magic words, the interwiki map, the link trail and
the family's URLs. We build the real ``Site('en', 'wikipedia')`` from pywikibot's bundled family
file and fill its siteinfo cache from ``bench/data/siteinfo.json`` (a ``meta=siteinfo`` answer
recorded once from a stock MediaWiki 1.39, English, ``python -m bench.cosmetic --record URL``),
passed through pywikibot's own post-processing. Any HTTP request pywikibot still tries raises,
so a timing can never include the network.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

SITEINFO = Path(__file__).with_name("data") / "siteinfo.json"
PROPS = (
    "general",
    "namespaces",
    "namespacealiases",
    "magicwords",
    "interwikimap",
    "extensiontags",
    "functionhooks",
    "extensions",
    "restrictions",
    "fileextensions",
    "protocols",
)


class NetworkUsed(RuntimeError):
    pass


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise NetworkUsed(f"pywikibot tried to use the network: {args[:2]!r}")


def offline_site() -> Any:
    """``pywikibot.Site('en', 'wikipedia')`` with siteinfo from the snapshot and no network."""
    # Our own config dir: the bench must not depend on (or touch) anyone's user-config.py, and
    # pywikibot writes its throttle file there (with PYWIKIBOT_NO_USER_CONFIG it would use the
    # working directory instead).
    if "PYWIKIBOT_DIR" not in os.environ:
        config_dir = Path(tempfile.mkdtemp(prefix="wikilint-bench-pwb-"))
        (config_dir / "user-config.py").write_text("family = 'wikipedia'\nmylang = 'en'\n")
        os.environ["PYWIKIBOT_DIR"] = str(config_dir)
    import pywikibot
    from pywikibot.comms import http
    from pywikibot.site import APISite
    from pywikibot.site._siteinfo import Siteinfo

    http.request = _no_network  # type: ignore[assignment]
    http.fetch = _no_network  # type: ignore[assignment]
    pywikibot.config.max_retries = 0
    # APISite() checks for a login cookie with a userinfo request; an anonymous offline site
    # has none to check (the toolkit never asks who the user is).
    login = APISite.login
    APISite.login = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    try:
        site = pywikibot.Site("en", "wikipedia")
    finally:
        APISite.login = login  # type: ignore[method-assign]
    recorded = json.loads(SITEINFO.read_text(encoding="utf-8"))
    stamp = pywikibot.Timestamp.nowutc()
    for prop in PROPS:
        data = recorded[prop]
        Siteinfo._post_process(prop, data)
        site.siteinfo._cache[prop] = (data, stamp)
    return site


def cosmetic_toolkit(site: Any, title: str = "Leon Trotsky") -> Any:
    import pywikibot
    from pywikibot.cosmetic_changes import CANCEL, CosmeticChangesToolkit

    # CANCEL.ALL: an exception in any step propagates, so a skipped step cannot look fast.
    return CosmeticChangesToolkit(pywikibot.Page(site, title), ignore=CANCEL.ALL)


def record(api_url: str) -> None:
    """Refresh the snapshot from a live wiki (the bench itself never does this)."""
    import requests

    reply = requests.get(
        api_url,
        params={
            "action": "query",
            "meta": "siteinfo",
            "siprop": "|".join(PROPS),
            "formatversion": 2,
            "format": "json",
        },
        timeout=30,
    )
    reply.raise_for_status()
    SITEINFO.write_text(
        json.dumps(reply.json()["query"], indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        record(sys.argv[2])
    else:
        sys.exit("usage: python -m bench.cosmetic --record http://127.0.0.1:8089/api.php")
