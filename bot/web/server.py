"""``wikilint serve``: a small local web application — the review queue for proposals, and the
JSON API the edit-form user script calls.

Flask, because it is the convention for Python tools on Toolforge and what a wiki tool author
already knows; it is imported only by ``wikilint serve`` (never on the lint path).

Security, since a page's text is untrusted and the server can edit a wiki:
- it binds to 127.0.0.1 unless told otherwise, and any other address needs ``--token``, which
  every request then carries (``X-Wikilint-Token``, or a cookie set from ``?token=`` once);
- the Host header must name the address it serves (no DNS rebinding onto the local server);
- every state-changing request carries the page's CSRF token (``X-CSRF-Token``) and JSON;
- a strict Content-Security-Policy (no inline script, nothing from elsewhere), no framing;
- CORS only for the wiki origins named with ``--origin``, and only on the lint/fix/explain API;
- requests are limited in size; credentials are never rendered or returned;
- every text from a page or the wiki is escaped (Jinja autoescape; the scripts use
  ``textContent``, never ``innerHTML``).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wikilint import rules
from wikilint.bot.change.core import compute_change
from wikilint.bot.files import output
from wikilint.bot.files.inputs import wikitext_view
from wikilint.bot.files.textview import located_in_source

if TYPE_CHECKING:
    from flask import Flask, Response

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_REQUEST_BYTES = 8 * 1024 * 1024  # a 2 MB article as JSON, with room to spare
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
TOKEN_HEADER = "X-Wikilint-Token"
TOKEN_COOKIE = "wikilint_token"
CSRF_HEADER = "X-CSRF-Token"
CORS_PATHS = ("/api/lint", "/api/fix", "/api/explain/")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class BadRequest(ValueError):
    """A request the API refuses; the message is shown to the user as it is."""


@dataclass(frozen=True)
class ServeSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    origins: tuple[str, ...] = ()
    state: Path | None = None
    config_path: str | None = None
    site: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"http://{host}:{self.port}/"

    def check(self) -> None:
        """Refuse settings that would expose the server: another address without a token."""
        if self.host not in LOOPBACK_HOSTS and not self.token:
            raise ValueError(
                f"--host {self.host}: serving beyond 127.0.0.1 needs --token "
                "(every request must then carry it)"
            )
        for origin in self.origins:
            if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                raise ValueError(
                    f"--origin {origin!r}: give a scheme and host only, "
                    "e.g. https://en.wikipedia.org"
                )


# -- the JSON API: the same contract as `wikilint lint --format json` ---------------------------


def _payload(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object")
    text = data.get("text")
    if not isinstance(text, str):
        raise BadRequest("'text' (the wikitext) is required and must be a string")
    for key in ("section", "title", "path"):
        if data.get(key) is not None and not isinstance(data[key], str | int):
            raise BadRequest(f"'{key}' must be a string")
    for key in ("select", "ignore"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise BadRequest(f"'{key}' must be a list of rule names or codes")
    return data


def _config(base: rules.Config, data: dict[str, Any]) -> rules.Config:
    try:
        return base.with_selection(data.get("select") or None, data.get("ignore") or None)
    except rules.ConfigError as exc:
        raise BadRequest(str(exc)) from None


def _label(data: dict[str, Any]) -> str:
    return str(data.get("path") or data.get("title") or "wpTextbox1")


def _env(data: dict[str, Any]) -> rules.Environment:
    title = data.get("title")
    return rules.Environment(page_title=str(title) if title else None)


def lint_payload(base: rules.Config, data: Any) -> dict[str, Any]:
    """``POST /api/lint``: the findings of a text, as ``lint --format json`` gives them.

    The text is what the edit box holds (``wpTextbox1``): for a section edit, that section.
    ``section`` (``wpSection``) is echoed back; it does not narrow the lint. The text is read
    as ``lint -`` reads standard input: any line endings, offsets into the text as sent."""
    data = _payload(data)
    view = wikitext_view(data["text"])
    result = rules.lint(view.text, _config(base, data), _env(data))
    located = located_in_source(view, output.locate(_label(data), result))
    return {
        "findings": [output.to_json_object(loc) for loc in located],
        "section": data.get("section"),
        "parse_error": result.parse_error.message if result.parse_error else None,
    }


def fix_payload(base: rules.Config, data: Any) -> dict[str, Any]:
    """``POST /api/fix``: the text with the safe fixes applied, and what is left."""
    data = _payload(data)
    config = _config(base, data)
    view = wikitext_view(data["text"])
    change = compute_change(view.text, config=config, env=_env(data))
    changed = change.proposed != change.original
    fixed = view.apply(change.edits) if changed else data["text"]
    after_view = wikitext_view(fixed)
    after = rules.lint(after_view.text, config, _env(data))
    return {
        "text": fixed,
        "changed": fixed != data["text"],
        "applied": len(change.findings),
        "applied_by_rule": change.rule_counts,
        "converged": change.converged,
        "findings": [
            output.to_json_object(loc)
            for loc in located_in_source(after_view, output.locate(_label(data), after))
        ],
        "section": data.get("section"),
    }


def explain_payload(name: str) -> dict[str, Any]:
    from wikilint.rules.docs import explain

    try:
        rule = rules.get_rule(name)
    except KeyError:
        raise BadRequest(f"unknown rule {name!r}") from None
    return {"rule": rule.name, "code": rule.code, "summary": rule.summary, "text": explain(rule)}


# -- the application --------------------------------------------------------------------------


def create_app(settings: ServeSettings, config: rules.Config | None = None) -> Flask:
    from flask import Flask, jsonify, request

    settings.check()
    base = config or rules.Config()
    here = Path(__file__).parent
    # Paths given: Flask cannot find them by itself inside the ``wikilint`` namespace package
    app = Flask(
        "wikilint.bot.web",
        root_path=str(here),
        instance_path=str(here),
        static_folder=str(here / "static"),
        template_folder=str(here / "templates"),
    )
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, JSON_SORT_KEYS=False, TEMPLATES_AUTO_RELOAD=False
    )
    app.extensions["wikilint.settings"] = settings
    app.extensions["wikilint.config"] = base

    allowed_hosts = _allowed_hosts(settings)

    @app.before_request
    def guard() -> Response | tuple[Response, int] | None:
        if request.host.lower() not in allowed_hosts:
            return _error(f"unexpected Host {request.host!r}", 421)
        if request.method == "OPTIONS":
            return None  # CORS preflight: answered below, carries no token
        if settings.token and not _token_ok(settings.token):
            return _error("this server needs its token (X-Wikilint-Token)", 401)
        if request.method == "POST":
            if not request.is_json:
                return _error("send JSON (Content-Type: application/json)", 415)
            if not _is_cors_path(request.path) and not hmac.compare_digest(
                request.headers.get(CSRF_HEADER, ""), settings.csrf
            ):
                return _error("missing or wrong CSRF token: reload the page", 403)
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        if settings.token and request.args.get("token") and _token_ok(settings.token):
            response.set_cookie(TOKEN_COOKIE, settings.token, httponly=True, samesite="Strict")
        _cors(response, settings.origins)
        return response

    def api(handler: Callable[[Any], dict[str, Any]]) -> Callable[[], Any]:
        def view() -> Any:
            if request.method == "OPTIONS":
                return app.response_class(status=204)
            try:
                return jsonify(handler(request.get_json(silent=True)))
            except BadRequest as exc:
                return _error(str(exc), 400)

        view.__name__ = handler.__name__
        return view

    app.add_url_rule(
        "/api/lint",
        view_func=api(lambda data: lint_payload(base, data)),
        endpoint="api_lint",
        methods=["POST", "OPTIONS"],
    )
    app.add_url_rule(
        "/api/fix",
        view_func=api(lambda data: fix_payload(base, data)),
        endpoint="api_fix",
        methods=["POST", "OPTIONS"],
    )

    @app.route("/api/explain/<name>", methods=["GET", "OPTIONS"])
    def api_explain(name: str) -> Any:
        if request.method == "OPTIONS":
            return app.response_class(status=204)
        try:
            return jsonify(explain_payload(name))
        except BadRequest as exc:
            return _error(str(exc), 404)

    @app.route("/userscript.js")
    def userscript() -> Any:
        return app.response_class(userscript_source(settings.url), mimetype="text/javascript")

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> Any:
        return _error(f"request larger than {MAX_REQUEST_BYTES // (1024 * 1024)} MiB", 413)

    from wikilint.bot.web import queue

    queue.register(app)
    return app


def _error(message: str, status: int) -> tuple[Response, int]:
    from flask import jsonify

    return jsonify({"error": message}), status


def _allowed_hosts(settings: ServeSettings) -> set[str]:
    names = {settings.host.strip("[]")}
    if settings.host in LOOPBACK_HOSTS:
        names |= {"127.0.0.1", "localhost", "[::1]"}
    hosts = set()
    for name in names:
        shown = f"[{name}]" if ":" in name and not name.startswith("[") else name
        hosts |= {f"{shown}:{settings.port}".lower()}
        if settings.port == 80:
            hosts.add(shown.lower())
    return hosts


def _token_ok(token: str) -> bool:
    from flask import request

    given = (
        request.headers.get(TOKEN_HEADER)
        or request.cookies.get(TOKEN_COOKIE)
        or request.args.get("token")
        or ""
    )
    return hmac.compare_digest(given.encode(), token.encode())


def _is_cors_path(path: str) -> bool:
    return path in CORS_PATHS[:2] or path.startswith(CORS_PATHS[2])


def _cors(response: Response, origins: Iterable[str]) -> None:
    """Let the named wiki origins call the lint/fix/explain API (and nothing else)."""
    from flask import request

    origin = request.headers.get("Origin")
    if not origin or origin not in origins or not _is_cors_path(request.path):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = f"Content-Type, {TOKEN_HEADER}"
    response.headers["Access-Control-Max-Age"] = "600"
    # Chrome's Private Network Access: a public wiki page may call this loopback server.
    if request.headers.get("Access-Control-Request-Private-Network") == "true":
        response.headers["Access-Control-Allow-Private-Network"] = "true"


def userscript_source(server_url: str) -> str:
    """The edit-form user script, pointed at this server."""
    import json

    script = (Path(__file__).parent / "static" / "userscript.js").read_text(encoding="utf-8")
    return script.replace('"__WIKILINT_SERVER__"', json.dumps(server_url.rstrip("/")))


def serve(
    settings: ServeSettings,
    config: rules.Config | None = None,
    announce: Callable[[str], None] = print,
) -> None:
    """Run the server until interrupted."""
    from werkzeug.serving import make_server

    app = create_app(settings, config)
    server = make_server(settings.host.strip("[]"), settings.port, app, threaded=True)
    announce(f"wikilint serve: {settings.url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    finally:
        server.server_close()
