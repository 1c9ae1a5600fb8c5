"""A fault-injecting HTTP proxy on 127.0.0.1 in front of the local MediaWiki.

The bot talks to the proxy's ``api.php``; requests pass through untouched unless a queued
:class:`Fault` matches (by HTTP method and API ``action``), in which case the proxy answers
with the fault instead (5xx, an HTML maintenance page, ``maxlag``, ``readonly``, abuse filter,
spam blacklist, captcha, ``ratelimited``) or tampers with the exchange (a bad CSRF token, a
lost session cookie, or committing the edit upstream and then never answering, or then dying:
every later connection is closed unanswered, as by a server that went down).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

HTML_MAINTENANCE = (
    "<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body>"
    "<h1>Our servers are currently under maintenance or experiencing a technical problem.</h1>"
    "<p>Please try again in a few minutes.</p></body></html>"
)

ERRORS: dict[str, dict[str, Any]] = {
    "maxlag": {
        "code": "maxlag",
        "info": "Waiting for 10.0.0.1: 7 seconds lagged.",
        "lag": 7,
        "host": "10.0.0.1",
        "type": "db",
    },
    "readonly": {
        "code": "readonly",
        "info": "The wiki is currently in read-only mode.",
        "readonlyreason": "Database maintenance",
    },
    "ratelimited": {
        "code": "ratelimited",
        "info": "As an anti-abuse measure, you are limited from performing this "
        "action too many times in a short space of time.",
    },
    "abusefilter-warning": {
        "code": "abusefilter-warning",
        "info": "This action has been automatically identified as harmful.",
        "abusefilter": {"id": 3, "description": "test filter", "actions": ["warn"]},
    },
    "abusefilter-disallowed": {
        "code": "abusefilter-disallowed",
        "info": "This action has been automatically identified as "
        "harmful, and therefore disallowed.",
        "abusefilter": {"id": 4, "description": "test filter", "actions": ["disallow"]},
    },
    "spamblacklist": {
        "code": "spamblacklist",
        "info": "The text you wanted to save was blocked by the spam filter.",
        "spamblacklist": {"matches": ["spam.example"]},
    },
    "blocked": {
        "code": "blocked",
        "info": "You have been blocked from editing.",
        "blockinfo": {"blockid": 1, "blockedby": "WikiAdmin", "blockreason": "test"},
    },
}
EDIT_FAILURES: dict[str, dict[str, Any]] = {
    "captcha": {
        "edit": {
            "result": "Failure",
            "captcha": {"type": "simple", "mime": "text/plain", "id": "1234", "question": "1+1"},
        }
    },
}


@dataclass
class Fault:
    kind: str
    action: str = "edit"  # the API action to hit ("*" for any)
    method: str = "POST"  # "*" for any
    times: int = 1
    hits: int = field(default=0)

    def matches(self, method: str, params: dict[str, str]) -> bool:
        return (
            self.hits < self.times
            and (self.method == "*" or method == self.method)
            and (self.action == "*" or params.get("action") == self.action)
        )


class FaultProxy:
    def __init__(self, upstream_api: str) -> None:
        self.upstream = upstream_api
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, str]] = []  # (method, action, what happened)
        self.dead = False  # after "commit-then-die": no request is answered any more
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self, "GET")

            def do_POST(self) -> None:
                proxy._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # poll often: shutdown() waits for the next poll (0.5 s by default)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api.php"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, kind: str, **kwargs: Any) -> Fault:
        fault = Fault(kind, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def hits(self, kind: str) -> int:
        return sum(f.hits for f in self.faults if f.kind == kind)

    # -- the exchange ---------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        if self.dead:
            self.log.append((method, "", "dead"))
            h.close_connection = True
            h.connection.shutdown(2)
            return
        path_qs = urllib.parse.urlsplit(h.path)
        body = b""
        if method == "POST":
            body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        params = dict(urllib.parse.parse_qsl(path_qs.query))
        ctype = h.headers.get("Content-Type", "")
        if method == "POST" and "urlencoded" in ctype:
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        fault = None
        with self.lock:
            for f in self.faults:
                if f.matches(method, params):
                    f.hits += 1
                    fault = f
                    break
        action = params.get("action", "")
        self.log.append((method, action, fault.kind if fault else "pass"))
        headers = {
            k: v
            for k, v in h.headers.items()
            if k.lower() not in ("host", "content-length", "accept-encoding")
        }
        if fault is None:
            self._forward(h, method, path_qs.query, body, headers)
            return
        kind = fault.kind
        if kind == "http500":
            self._reply(h, 500, "text/plain", b"Internal Server Error")
        elif kind == "http503-html":
            self._reply(h, 503, "text/html", HTML_MAINTENANCE.encode())
        elif kind == "http200-html":
            self._reply(h, 200, "text/html", HTML_MAINTENANCE.encode())
        elif kind in ERRORS:
            self._json(h, {"error": ERRORS[kind], "servedby": "faultproxy"})
        elif kind in EDIT_FAILURES:
            self._json(h, EDIT_FAILURES[kind])
        elif kind == "badtoken":
            params["token"] = "0123456789abcdef0123456789abcdef+\\"
            self._forward(
                h, method, path_qs.query, urllib.parse.urlencode(params).encode(), headers
            )
        elif kind == "lost-session":
            headers.pop("Cookie", None)
            headers.pop("cookie", None)
            self._forward(h, method, path_qs.query, body, headers)
        elif kind == "commit-then-drop":
            # The server commits the edit; the client never hears back.
            self._upstream(method, path_qs.query, body, headers)
            h.close_connection = True
            h.connection.shutdown(2)
        elif kind == "commit-then-die":
            self._upstream(method, path_qs.query, body, headers)
            self.dead = True
            h.close_connection = True
            h.connection.shutdown(2)
        elif kind == "commit-then-hang":
            self._upstream(method, path_qs.query, body, headers)
            time.sleep(5)  # longer than the client's read timeout
            h.close_connection = True
        else:
            raise AssertionError(f"unknown fault {kind}")

    def _upstream(
        self, method: str, query: str, body: bytes, headers: dict[str, str]
    ) -> requests.Response:
        url = self.upstream + (f"?{query}" if query else "")
        return requests.request(
            method, url, data=body or None, headers=headers, timeout=60, allow_redirects=False
        )

    def _forward(
        self,
        h: BaseHTTPRequestHandler,
        method: str,
        query: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        r = self._upstream(method, query, body, headers)
        h.send_response(r.status_code)
        for k, v in r.raw.headers.items():
            if k.lower() in (
                "content-length",
                "transfer-encoding",
                "connection",
                "content-encoding",
            ):
                continue
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(r.content)))
        h.end_headers()
        h.wfile.write(r.content)

    def _reply(self, h: BaseHTTPRequestHandler, status: int, ctype: str, data: bytes) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _json(self, h: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        self._reply(h, 200, "application/json; charset=utf-8", json.dumps(payload).encode())
