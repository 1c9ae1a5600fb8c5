"""What a command tells the user besides its results, and the exit status it ends with.

Every command keeps one :class:`Report`: errors go through :meth:`Report.error` (one line on
stderr, ``error: …``), findings or proposed fixes through :meth:`Report.found`, and the command
ends with :meth:`Report.exit`. Colour is decided once, in :func:`use_color`, and everything a
command prints goes through :meth:`Report.echo`, which strips colour when it is off, so
``NO_COLOR`` holds for excerpts, diffs and headers alike.

Exit status (README, "Exit status"):

- 0 (:data:`EXIT_CLEAN`): no findings; nothing to fix, or the fixes were written or printed;
- 1 (:data:`EXIT_FINDINGS`): findings (``lint``), or fixes proposed in a dry run (``fix``);
- 2 (:data:`EXIT_ERROR`): bad input, usage or configuration (the other inputs still run).

The wiki commands (``propose``, ``review``, ``submit``, ``--page``) use the same numbers, and:

- 1 (:data:`EXIT_NOT_DONE`): not everything asked for was done (a page not proposed, a
  proposal not saved as reviewed);
- 3 (:data:`EXIT_STOPPED`): the wiki stopped the account (blocked, logged out, no edit right);
- 6 (:data:`EXIT_UNAVAILABLE`): the wiki did not answer, or cannot take edits now (read-only,
  replication lag) after the configured retries: try again later.

(4 and 5 are ``wikilint run``'s: stopped early but resumable, another run holds the lock.)
An error outranks findings; of several error codes, the highest wins.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from wikilint.bot.wiki.api import Failure

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_NOT_DONE = EXIT_FINDINGS
EXIT_STOPPED = 3
EXIT_UNAVAILABLE = 6


def failure_exit_code(failure: Failure) -> int:
    """The exit code of a wiki command that the wiki (or opening it) stopped."""
    from wikilint.bot.wiki.api import Failure

    codes = {
        Failure.SITE: EXIT_ERROR,
        Failure.STOPPED: EXIT_STOPPED,
        Failure.UNAVAILABLE: EXIT_UNAVAILABLE,
    }
    return codes[failure]


def use_color(option: bool | None, stream: IO[Any] | None = None) -> bool:
    """``--color``/``--no-color`` when given; otherwise colour only on a terminal, and never
    when ``NO_COLOR`` is set to a non-empty value (https://no-color.org)."""
    if option is not None:
        return option
    if os.environ.get("NO_COLOR"):
        return False
    stream = sys.stdout if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)())


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped: an error stays one
    line even when a file name or a page holds a newline."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class CommandError(click.ClickException):
    """An error that ends a command: one ``error:`` line on stderr and its exit code, never a
    traceback (click shows it when the command raises it)."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(one_line(message))
        self.exit_code = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class Report:
    """One command's errors, findings and colour; it decides the exit status."""

    def __init__(
        self, color: bool | None = None, *, out: IO[str] | None = None, quiet: bool = False
    ) -> None:
        self.color = use_color(color)
        self.errors = 0
        self.findings = 0
        self._error_code = EXIT_CLEAN
        self.out = out  # the report goes here instead of stdout (``--output-file``)
        self.quiet = quiet  # ``-q``: no notes

    def echo(self, text: str = "", *, err: bool = False, nl: bool = True) -> None:
        """Print ``text``; colour codes are dropped unless colour is on."""
        if self.out is not None and not err:
            click.echo(text, file=self.out, nl=nl, color=self.color)
            return
        click.echo(text, err=err, nl=nl, color=self.color)

    def style(self, text: str, **styles: Any) -> str:
        """``text`` styled with click's ``fg``/``bold``… when colour is on, else unchanged."""
        return click.style(text, **styles) if self.color else text

    def note(self, label: str, message: str) -> None:
        """``label: note: message`` on stderr; does not change the exit status."""
        if self.quiet:
            return
        click.echo(one_line(f"{label}: note: {message}"), err=True)

    def error(self, message: str, code: int = EXIT_ERROR) -> None:
        """One ``error:`` line on stderr, naming the input it is about; counts towards the exit."""
        click.echo(f"error: {one_line(message)}", err=True)
        self.failed(code)

    def failed(self, code: int = EXIT_ERROR) -> None:
        """Count an error the command has already shown in its own form (a parse error)."""
        self.errors += 1
        self._error_code = max(self._error_code, code)

    def fail(self, message: str, code: int = EXIT_ERROR) -> NoReturn:
        """An error that ends the command now."""
        self.error(message, code)
        self.exit()

    def found(self, count: int = 1) -> None:
        """Findings (``lint``) or proposed fixes (``fix``): exit 1 unless something failed."""
        self.findings += count

    @property
    def exit_code(self) -> int:
        if self.errors:
            return self._error_code
        return EXIT_FINDINGS if self.findings else EXIT_CLEAN

    def exit(self) -> NoReturn:
        sys.exit(self.exit_code)
