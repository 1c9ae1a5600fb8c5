"""``wikilint login`` and ``wikilint whoami``: which account wikilint edits as, on which wiki,
and whether that account can do what a bot needs (the bot flag, the edit right, no rate limit).

``login`` logs in with the bot password from ``user-config.py``'s ``password_file`` (pywikibot
keeps the session cookie in ``PYWIKIBOT_DIR``); ``whoami`` shows the same without logging in,
from the session pywikibot already has. Every failure is one line saying what to fix.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click
from wikilint.bot.wiki.api import first_line, quiet_pywikibot

if TYPE_CHECKING:
    from pywikibot.site import APISite

EXIT_OK, EXIT_NOT_LOGGED_IN, EXIT_CONFIG = 0, 1, 2
EXIT_UNREACHABLE = 6  # README "Exit status": the wiki did not answer
# The rights a bot operator checks, with what each means for wikilint.
RIGHTS = (
    ("bot", "bot flag: edits hidden from recent changes by default"),
    ("edit", "may edit pages"),
    ("noratelimit", "not rate-limited"),
    ("apihighlimits", "high API limits (batched reads of 500 pages)"),
)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _unreachable(exc: BaseException) -> bool:
    import requests
    from pywikibot.exceptions import TimeoutError

    return isinstance(exc, TimeoutError | requests.exceptions.RequestException)


def _open_site(site: str | None) -> APISite:
    from pywikibot.exceptions import Error
    from wikilint.bot.wiki import api as wiki

    try:
        with quiet_pywikibot():
            return wiki.open_site(site)
    except Exception as exc:
        if _unreachable(exc):
            _fail(
                f"{site or 'the configured wiki'}: the wiki did not answer: {first_line(exc)}",
                EXIT_UNREACHABLE,
            )
        if isinstance(exc, Error):
            _fail(
                f"cannot open the wiki: {first_line(exc)} (check family_files, family and "
                "mylang in user-config.py, or --site)",
                EXIT_CONFIG,
            )
        raise


def _userinfo(site: APISite) -> dict[str, Any]:
    """``meta=userinfo`` with groups and rights; a dead wiki is its own exit code."""
    from pywikibot.exceptions import Error

    try:
        with quiet_pywikibot():
            data = site.simple_request(
                action="query", meta="userinfo", uiprop="groups|rights|blockinfo"
            ).submit()
    except Exception as exc:
        if _unreachable(exc):
            _fail(
                f"{site}: the wiki did not answer at {_api_url(site)}: {first_line(exc)}",
                EXIT_UNREACHABLE,
            )
        if isinstance(exc, Error):
            _fail(f"{site}: {first_line(exc)}", EXIT_UNREACHABLE)
        raise
    return dict(data["query"]["userinfo"])


def _api_url(site: APISite) -> str:
    try:
        return str(site.base_url(site.apipath()))
    except Exception:  # a family without a usable URL: the site name says enough
        return str(site)


def _configured_user(site: APISite) -> str | None:
    try:
        return site.username()
    except Exception:  # pywikibot raises for some half-configured families
        return None


def _show(site: APISite, info: dict[str, Any]) -> None:
    logged_in = "anon" not in info
    click.echo(f"wiki:   {site} ({_api_url(site)})")
    configured = _configured_user(site)
    if logged_in:
        click.echo(f"user:   {info.get('name')}")
    else:
        click.echo(f"user:   not logged in (configured: {configured or 'none'})")
    groups = [g for g in info.get("groups", []) if g != "*"]
    click.echo(f"groups: {', '.join(groups) or 'none'}")
    rights = set(info.get("rights", []))
    for right, meaning in RIGHTS:
        click.echo(f"  {'yes' if right in rights else 'no ':3}  {right:<14}{meaning}")
    if info.get("blockid"):
        click.echo(f"blocked: {info.get('blockreason') or 'yes'}")


@click.command("login")
@click.option(
    "--site",
    metavar="SITE",
    help="family:code, family, or an api.php URL (default: user-config.py).",
)
def login_cmd(site: str | None) -> None:
    """Log in with the configured bot password and show the account and its rights."""
    from pywikibot.exceptions import NoUsernameError

    obj = _open_site(site)
    user = _configured_user(obj)
    try:
        with quiet_pywikibot():
            obj.login()
    except NoUsernameError as exc:
        message = first_line(exc)
        if user is None or "undefined" in message:
            _fail(
                f"{obj}: no username: add usernames['{obj.family.name}']['{obj.code}'] = "
                "'YourBot' to user-config.py",
                EXIT_CONFIG,
            )
        _fail(
            f"{obj}: login as {user} failed: {message.removeprefix(f'Failed on {obj}: ')} "
            "(check the BotPassword line for this user in the password_file named in "
            "user-config.py)",
            EXIT_CONFIG,
        )
    except Exception as exc:
        if _unreachable(exc):
            _fail(
                f"{obj}: the wiki did not answer at {_api_url(obj)}: {first_line(exc)}",
                EXIT_UNREACHABLE,
            )
        raise
    info = _userinfo(obj)
    if "anon" in info:
        _fail(f"{obj}: login as {user} did not take (the wiki still sees an IP)", EXIT_CONFIG)
    _show(obj, info)


@click.command("whoami")
@click.option(
    "--site",
    metavar="SITE",
    help="family:code, family, or an api.php URL (default: user-config.py).",
)
def whoami_cmd(site: str | None) -> None:
    """Show the account wikilint would edit as, without logging in.

    Exit status: 0 logged in, 1 not logged in (run `wikilint login`), 2 a configuration
    error, 6 the wiki did not answer.
    """
    obj = _open_site(site)
    info = _userinfo(obj)
    _show(obj, info)
    if "anon" in info:
        click.echo("not logged in: run `wikilint login`", err=True)
        sys.exit(EXIT_NOT_LOGGED_IN)


def register(group: click.Group) -> None:
    group.add_command(login_cmd)
    group.add_command(whoami_cmd)
