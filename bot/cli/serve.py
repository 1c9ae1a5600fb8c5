"""``wikilint serve``: the local web application (review queue and edit-form API)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from wikilint.bot.web.server import DEFAULT_HOST, DEFAULT_PORT, ServeSettings


@click.command("serve")
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1/localhost needs --token.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    help="The proposal store (default: the user's state folder).",
)
@click.option(
    "--token",
    envvar="WIKILINT_SERVE_TOKEN",
    metavar="T",
    help="Require this token on every request (env WIKILINT_SERVE_TOKEN).",
)
@click.option(
    "--origin",
    "origins",
    multiple=True,
    metavar="URL",
    help="A wiki origin whose pages may call the API (the user script's wiki), e.g. "
    "https://en.wikipedia.org. Repeatable.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="wikilint.toml or pyproject.toml for the rules (default: found upward "
    "from the current folder).",
)
@click.option(
    "--site", metavar="SITE", help="The wiki to submit to: family:code, family, or an api.php URL."
)
@click.option(
    "--userscript", is_flag=True, help="Print the edit-form user script for this server and exit."
)
def serve_cmd(
    host: str,
    port: int,
    state: str | None,
    token: str | None,
    origins: tuple[str, ...],
    config_path: str | None,
    site: str | None,
    userscript: bool,
) -> None:
    """Serve the review queue and the edit-form API on this machine.

    Open the printed address for the review queue. Install the user script
    (`wikilint serve --userscript`) in your wiki's common.js for a "wikilint" button in the
    edit form, and start the server with --origin for that wiki.
    """
    settings = ServeSettings(
        host=host,
        port=port,
        token=token,
        origins=tuple(origins),
        state=Path(state) if state else None,
        config_path=config_path,
        site=site,
    )
    try:
        settings.check()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    from wikilint.bot.web.server import serve, userscript_source

    if userscript:  # the script is a static file: no Flask needed to print it
        click.echo(userscript_source(settings.url), nl=False)
        return
    try:
        import flask  # noqa: F401
    except ModuleNotFoundError:
        click.echo("error: wikilint serve needs Flask: pip install 'wikilint[serve]'", err=True)
        sys.exit(2)
    from wikilint.bot.files.configfile import discover_config, load_config
    from wikilint.rules import ConfigError

    try:
        config = load_config(config_path) if config_path else discover_config(Path.cwd())
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    try:
        serve(settings, config, announce=lambda line: click.echo(line, err=True))
    except OSError as exc:
        click.echo(f"error: cannot listen on {settings.url}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        pass


def register(group: click.Group) -> None:
    group.add_command(serve_cmd)
