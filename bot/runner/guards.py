"""The run guards checked before every save: the shutoff page and new talk-page messages."""

from __future__ import annotations

from wikilint.bot.runner import safety
from wikilint.bot.runner.config import SafetySettings
from wikilint.bot.runner.gateway import WikiGateway
from wikilint.bot.runner.limits import EXIT_STOPPED, Stop


def check_guards(wiki: WikiGateway, settings: SafetySettings) -> None:
    """Raise :class:`Stop` (exit 3) when the shutoff page or the talk page says to stop; read
    fresh from the wiki in one request."""
    state = wiki.guard_state(settings.shutoff_page)
    reason = safety.guard_stop_reason(
        state, settings.shutoff_page, settings.shutoff_run_value, settings.check_talk
    )
    if reason:
        raise Stop("stopped", EXIT_STOPPED, reason)
