"""``wikilint serve``'s JSON API and its guards, through Flask's test client (no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from werkzeug.test import TestResponse
from wikilint import rules
from wikilint.bot.cli.main import main
from wikilint.bot.web.server import MAX_REQUEST_BYTES, ServeSettings, create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (ROOT / "examples" / "leon-trotsky-section.wiki").read_text(encoding="utf-8")
TEXT = (
    "{{Use dmy dates}}\nA claim.<ref>http://example.org/a</ref> More<ref>{{cite web "
    "|url=http://www.bbc.co.uk/x |title=T |date=March 3, 2020}}</ref>.\n"
)
WIKI = "http://127.0.0.1:8089"
BASE = "http://127.0.0.1:8765"  # the Host a browser sends to the default address


@pytest.fixture
def client() -> FlaskClient:
    app = create_app(ServeSettings(origins=(WIKI,)))
    return app.test_client()


def post(client: FlaskClient, path: str, body: object, **headers: str) -> TestResponse:
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers, base_url=BASE
    )


def cli_json(tmp_path: Path, text: str, name: str) -> list[dict[str, object]]:
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["lint", "--format", "json", "--no-restore-newlines", str(page)]
    )
    assert result.exit_code in (0, 1), result.output
    objects = json.loads(result.stdout)
    for obj in objects:
        obj["path"] = name
    return objects


@pytest.mark.parametrize("text", [TEXT, SAMPLE], ids=["small", "sample"])
def test_lint_gives_what_lint_format_json_gives(
    client: FlaskClient, tmp_path: Path, text: str
) -> None:
    response = post(client, "/api/lint", {"text": text, "path": "page.wiki", "section": "3"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["section"] == "3"
    assert data["findings"] == cli_json(tmp_path, text, "page.wiki")
    assert data["findings"], "the texts have findings"


def test_fix_gives_what_fix_stdout_gives(client: FlaskClient, tmp_path: Path) -> None:
    page = tmp_path / "p.wiki"
    page.write_text(TEXT, encoding="utf-8")
    expected = CliRunner().invoke(main, ["fix", "--stdout", str(page)]).stdout
    data = post(client, "/api/fix", {"text": TEXT}).get_json()
    assert data["text"] == expected
    assert data["changed"] and data["applied"] >= 2
    remaining = rules.lint(expected).findings
    assert len(data["findings"]) == len(remaining)


def test_selection_and_explain(client: FlaskClient) -> None:
    data = post(client, "/api/lint", {"text": TEXT, "select": ["UR304"]}).get_json()
    assert {f["rule"] for f in data["findings"]} == {"insecure-link"}
    bad = post(client, "/api/lint", {"text": TEXT, "select": ["nope"]})
    assert bad.status_code == 400 and "unknown rule 'nope'" in bad.get_json()["error"]
    explained = client.get("/api/explain/UR304", base_url=BASE).get_json()
    assert explained["rule"] == "insecure-link" and "## What it does" in explained["text"]
    assert client.get("/api/explain/nope", base_url=BASE).status_code == 404


@pytest.mark.parametrize(
    "body,status,message",
    [
        ({"txt": "x"}, 400, "'text'"),
        ({"text": 5}, 400, "'text'"),
        ([1, 2], 400, "JSON object"),
        ({"text": "x", "select": "DT"}, 400, "'select'"),
    ],
)
def test_bad_requests_say_why(client: FlaskClient, body: object, status: int, message: str) -> None:
    response = post(client, "/api/lint", body)
    assert response.status_code == status
    assert message in response.get_json()["error"]


def test_only_json_is_accepted_and_size_is_limited(client: FlaskClient) -> None:
    # a plain cross-site form post
    form = client.post("/api/lint", data={"text": "x"}, base_url=BASE)
    assert form.status_code == 415
    huge = post(client, "/api/lint", {"text": "x" * (MAX_REQUEST_BYTES + 10)})
    assert huge.status_code == 413


def test_a_foreign_host_header_is_refused(client: FlaskClient) -> None:
    response = client.post("/api/lint", json={"text": "x"}, base_url="http://evil.example:8765")
    assert response.status_code == 421


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for response in (
        client.get("/api/explain/DT201", base_url=BASE),
        post(client, "/api/lint", {"text": "x"}),
        client.get("/userscript.js", base_url=BASE),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_only_for_the_named_wiki_origins(client: FlaskClient) -> None:
    allowed = post(client, "/api/lint", {"text": "x"}, Origin=WIKI)
    assert allowed.headers["Access-Control-Allow-Origin"] == WIKI
    other = post(client, "/api/lint", {"text": "x"}, Origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/fix",
        base_url=BASE,
        headers={
            "Origin": WIKI,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == WIKI
    assert preflight.headers["Access-Control-Allow-Private-Network"] == "true"
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_a_token_guards_every_request() -> None:
    with pytest.raises(ValueError, match="needs --token"):
        create_app(ServeSettings(host="0.0.0.0"))
    app = create_app(ServeSettings(host="0.0.0.0", port=9000, token="s3cret"))
    client = app.test_client()
    base = {"base_url": "http://0.0.0.0:9000"}
    no = client.post("/api/lint", json={"text": "x"}, **base)
    assert no.status_code == 401
    wrong = client.post("/api/lint", json={"text": "x"}, headers={"X-Wikilint-Token": "x"}, **base)
    assert wrong.status_code == 401
    ok = client.post(
        "/api/lint", json={"text": "x"}, headers={"X-Wikilint-Token": "s3cret"}, **base
    )
    assert ok.status_code == 200
    # a browser opens the address once with ?token=…; a cookie carries it from then on
    first = client.get("/userscript.js?token=s3cret", **base)
    assert first.status_code == 200 and "wikilint_token=s3cret" in first.headers["Set-Cookie"]
    assert "HttpOnly" in first.headers["Set-Cookie"]
    assert client.get("/api/explain/DT201", **base).status_code == 200  # the cookie


def test_userscript_points_at_the_server_and_holds_no_token() -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "9123", "--token", "abc", "--userscript"])
    assert result.exit_code == 0, result.output
    assert 'var SERVER = "http://127.0.0.1:9123";' in result.stdout
    assert "abc" not in result.stdout
    assert "innerHTML" not in result.stdout


def test_serving_beyond_loopback_needs_a_token() -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "needs --token" in result.output


def test_crlf_text_keeps_its_endings_and_offsets_index_it_as_sent(
    client: FlaskClient, tmp_path: Path
) -> None:
    text = "\ufeff" + TEXT.replace("\n", "\r\n")
    found = post(client, "/api/lint", {"text": text, "path": "p.wiki"}).get_json()["findings"]
    page = tmp_path / "p.wiki"
    page.write_bytes(text.encode("utf-8"))
    assert found == cli_json(tmp_path, text, "p.wiki")  # what `lint FILE` says of those bytes
    insecure = next(f for f in found if f["rule"] == "insecure-link")
    assert text[insecure["start"] : insecure["end"]].startswith("http://www.bbc")
    fixed = post(client, "/api/fix", {"text": text}).get_json()["text"]
    assert fixed.startswith("\ufeff") and fixed.count("\r\n") == text.count("\r\n")
    assert "\n" not in fixed.replace("\r\n", "")
