"""A tiny action-API client for the *other* actors in live tests (the human, the sysop).

Deliberately independent of pywikibot and of bot.wiki: the checks of "no text was lost" must
not go through the code under test.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

DEFAULT_API = "http://127.0.0.1:8089/api.php"


def api_url() -> str:
    return os.environ.get("WIKILINT_WIKI_API", DEFAULT_API)


def wiki_dir() -> Path:
    """The local wiki's state folder (scripts/mediawiki.sh's ``$WIKILINT_WIKI_DIR``)."""
    return Path(os.environ.get("WIKILINT_WIKI_DIR", "/tmp/wikilint-wiki"))


def credentials_path() -> Path:
    if "WIKILINT_WIKI_CREDENTIALS" in os.environ:
        return Path(os.environ["WIKILINT_WIKI_CREDENTIALS"])
    return wiki_dir() / "credentials.json"


def read_only_reason(url: str | None = None) -> str | None:
    """The wiki's ``$wgReadOnly`` message now, or None."""
    r = requests.get(
        url or api_url(),
        params={
            "action": "query",
            "meta": "siteinfo",
            "siprop": "general",
            "format": "json",
            "formatversion": 2,
        },
        timeout=10,
    )
    general = r.json()["query"]["general"]
    return general.get("readonlyreason") if general.get("readonly") else None


def load_credentials() -> dict[str, Any]:
    return json.loads(credentials_path().read_text())


def side_channel_url() -> str:
    """The same wiki under another host name: cassettes ignore it, so the other actors' requests
    are never recorded (and need not be replayed)."""
    return api_url().replace("127.0.0.1", "localhost")


def reachable(url: str | None = None) -> bool:
    try:
        r = requests.get(
            url or api_url(),
            params={"action": "query", "meta": "siteinfo", "format": "json"},
            timeout=5,
        )
        return r.ok and "query" in r.json()
    except (requests.RequestException, ValueError):
        return False


@dataclass
class Rev:
    revid: int
    parentid: int
    user: str
    timestamp: str
    text: str
    comment: str = ""


class ApiClient:
    """Logged-in session for one account (bot-password login)."""

    def __init__(self, login: str, password: str, url: str | None = None) -> None:
        self.url = url or api_url()
        self.session = requests.Session()
        token = self.get(action="query", meta="tokens", type="login")["query"]["tokens"][
            "logintoken"
        ]
        res = self.post(
            **{"action": "login", "lgname": login, "lgpassword": password, "lgtoken": token}
        )
        if res["login"]["result"] != "Success":
            raise RuntimeError(f"login failed for {login}: {res}")
        self.user = res["login"]["lgusername"]

    @classmethod
    def for_account(cls, who: str, url: str | None = None) -> ApiClient:
        creds = load_credentials()[who]
        return cls(creds["login"], creds["botpassword"], url)

    def get(self, **params: Any) -> dict[str, Any]:
        params.update(format="json", formatversion=2)
        r = self.session.get(self.url, params=params, timeout=30)
        r.raise_for_status()
        return r.json()

    def post(self, **params: Any) -> dict[str, Any]:
        params.update(format="json", formatversion=2)
        r = self.session.post(self.url, data=params, timeout=30)
        r.raise_for_status()
        return r.json()

    def token(self) -> str:
        return self.get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]

    def edit(self, title: str, text: str, summary: str = "test edit", **extra: Any) -> dict:
        res = self.post(
            action="edit", title=title, text=text, summary=summary, token=self.token(), **extra
        )
        if "error" in res:
            raise RuntimeError(f"edit failed: {res['error']}")
        return res["edit"]

    def delete(self, title: str) -> None:
        res = self.post(action="delete", title=title, reason="test", token=self.token())
        if "error" in res and res["error"]["code"] != "missingtitle":
            raise RuntimeError(f"delete failed: {res['error']}")

    def protect(self, title: str, level: str = "sysop") -> None:
        prot = f"edit={level}|move={level}" if level else "edit=all|move=all"
        res = self.post(
            action="protect", title=title, protections=prot, token=self.token(), expiry="infinite"
        )
        if "error" in res:
            raise RuntimeError(f"protect failed: {res['error']}")

    def exists(self, title: str) -> bool:
        page = self.get(action="query", titles=title)["query"]["pages"][0]
        return not page.get("missing", False)

    def latest(self, title: str) -> Rev:
        return self.history(title)[-1]

    def history(self, title: str) -> list[Rev]:
        """Every revision of a page with its text, oldest first."""
        revs: list[Rev] = []
        params: dict[str, Any] = {
            "action": "query",
            "prop": "revisions",
            "titles": title,
            "rvlimit": 50,
            "rvprop": "ids|user|timestamp|content|comment",
            "rvslots": "main",
            "rvdir": "newer",
        }
        while True:
            data = self.get(**params)
            page = data["query"]["pages"][0]
            for rev in page.get("revisions", []):
                revs.append(
                    Rev(
                        rev["revid"],
                        rev["parentid"],
                        rev["user"],
                        rev["timestamp"],
                        rev["slots"]["main"]["content"],
                        rev.get("comment", ""),
                    )
                )
            if "continue" not in data:
                return revs
            params.update(data["continue"])
