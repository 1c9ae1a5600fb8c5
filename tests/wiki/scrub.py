"""Recording cassettes without secrets: passwords, tokens and cookies are scrubbed from requests
AND responses before anything is written; requests are matched with the same scrubbing, so a
replay (which sends the dummy password and the scrubbed tokens it was handed) still matches."""

from __future__ import annotations

import functools
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

import vcr
from vcr.request import Request

# Short and starred: nothing a secret scanner could mistake for a leaked value.
SCRUBBED = "*****"
DUMMY_PASSWORD = "scrubbed-password-for-replay-0000"  # what replays log in with
SECRET_PARAMS = frozenset(
    {
        "token",
        "lgtoken",
        "lgpassword",
        "password",
        "logintoken",
        "csrftoken",
        "watchtoken",
        "patroltoken",
        "rollbacktoken",
        "userrightstoken",
        "createtoken",
        "deleteglobalaccounttoken",
        "setglobalaccountstatustoken",
        "clientlogintoken",
        "retype",
        "centralauthtoken",
    }
)
SECRET_HEADERS = ("set-cookie", "cookie", "authorization")
# "csrftoken": "0123abcd…+\\" (every MediaWiki token ends in +\) anywhere in a JSON body.
_JSON_SECRET = re.compile(r'"(\w*token|lgpassword|password)"\s*:\s*"[0-9a-f]*\+\\\\"')


def scrub_form(body: bytes | str | None) -> bytes | str | None:
    if not body:
        return body
    text = body.decode() if isinstance(body, bytes) else body
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        return body
    cleaned = urlencode([(k, SCRUBBED if k in SECRET_PARAMS else v) for k, v in pairs], safe="*")
    return cleaned.encode() if isinstance(body, bytes) else cleaned


def scrub_request(request: Request) -> Request:
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS:
            del request.headers[name]
    request.body = scrub_form(request.body)
    if "?" in request.uri:
        base, _, query = request.uri.partition("?")
        request.uri = base + "?" + str(scrub_form(query))
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    body = response.get("body", {}).get("string")
    if body:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        text = _JSON_SECRET.sub(lambda m: f'"{m.group(1)}": "{SCRUBBED}"', text)
        response["body"]["string"] = text.encode("utf-8") if isinstance(body, bytes) else text
    return response


def _form(request: Request) -> dict[str, str] | str:
    body = request.body or b""
    return _parsed_form(body.decode() if isinstance(body, bytes) else body)


@functools.lru_cache(maxsize=4096)
def _parsed_form(text: str) -> dict[str, str] | str:
    # cached: replaying matches each request against every recorded one, bodies repeat
    try:
        return {
            k: v
            for k, v in parse_qsl(str(scrub_form(text)), keep_blank_values=True)
            if k not in ("maxlag",)
        }
    except ValueError:
        return text


def form_body_matcher(r1: Request, r2: Request) -> None:
    if _form(r1) != _form(r2):
        raise AssertionError(f"bodies differ: {_form(r1)} != {_form(r2)}")


# The local wiki's address as requests name it (the side channel's "localhost" is ignored).
_LOCAL_WIKI_HOSTS = frozenset({"127.0.0.1", "::1", "[::1]"})


def wiki_host(request: Request) -> tuple[str, int | None]:
    """The host and port a request is matched on: any port of the local wiki is the same
    wiki, so cassettes recorded on one port replay with WIKILINT_WIKI_API on another."""
    if request.host in _LOCAL_WIKI_HOSTS:
        return ("local wiki", None)
    return (request.host, request.port)


def wiki_host_matcher(r1: Request, r2: Request) -> None:
    if wiki_host(r1) != wiki_host(r2):
        raise AssertionError(f"hosts differ: {wiki_host(r1)} != {wiki_host(r2)}")


def make_vcr(record: bool) -> vcr.VCR:
    v = vcr.VCR(
        record_mode="all" if record else "none",
        match_on=["method", "scheme", "wiki_host", "path", "query", "form_body"],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
        ignore_hosts=["localhost"],  # the human's and the sysop's requests (side channel)
    )
    v.register_matcher("form_body", form_body_matcher)
    v.register_matcher("wiki_host", wiki_host_matcher)
    return v


def find_secrets(text: str, secrets: list[str]) -> list[str]:
    """What a cassette must never contain (used by the grep test)."""
    hits = [s for s in secrets if s and s in text]
    for pattern in (
        r"(?i)set-cookie",
        r"(?i)\bcookie:",
        r"(?i)_session=",
        r"[0-9a-f]{32,}(\+|%2B)(\\|%5C)",  # a MediaWiki token, raw or url-encoded
        r"lgpassword=(?!\*\*\*\*\*)",
        r"\btoken=(?!\*\*\*\*\*)[^&\s]+",
    ):
        if re.search(pattern, text):
            hits.append(pattern)
    return hits


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True)
