"""Keep secrets out of logs: passwords, tokens, cookies.

pywikibot logs whole request parameter strings on API errors (``token=…``, ``lgpassword=…``)
and response headers (``Set-Cookie``); a cron job mails its output to whoever reads it. This
filter rewrites every record on the handlers it is attached to, whatever logger it came from.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "<redacted>"

# key=value (URL-encoded or repr'd dicts) for every secret-bearing parameter name.
_SECRET_KEYS = (
    r"lgpassword|password|passwd|botpassword|pass|token|lgtoken|csrftoken|logintoken|"
    r"watchtoken|patroltoken|rollbacktoken|userrightstoken|createaccounttoken|"
    r"oauth_token|oauth_signature|access_token|refresh_token|consumer_secret|secret|"
    r"session|sessionid|cookie|set-cookie|authorization"
)
_PATTERNS = [
    # token=abc%2B%5C  /  "token": "abc+\\"  /  'token': ['abc+\\']  /  Cookie: a=b; c=d
    re.compile(rf"(?i)(\b(?:{_SECRET_KEYS})\b['\"]?\s*[=:]\s*\[?\s*['\"]?)([^'\"&\s,\]}}]+)"),
    # HTTP headers carry several cookies: redact the whole rest of the line.
    re.compile(r"(?i)(\b(?:set-cookie|cookie|authorization)\b['\"]?\s*[:=]\s*['\"]?)([^\n'\"]+)"),
    # CSRF tokens are 32-40 hex characters followed by "+\" (raw or URL-encoded).
    re.compile(r"()([0-9a-f]{32,40}(?:\+\\\\?|%2B%5C))"),
    # MediaWiki session cookies by name (…_session=…, …UserID / …Token cookies).
    re.compile(r"(?i)(\b\w*(?:_session|Token|UserID|UserName)=)([^;\s'\"]+)"),
]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Attach to handlers (filters on loggers miss records propagated from child loggers)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def install(secrets: Iterable[str] = (), loggers: Iterable[str] = ("", "pywiki")) -> None:
    """Add the filter to every handler of the root and pywikibot loggers (idempotent)."""
    flt = RedactingFilter(secrets)
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)
