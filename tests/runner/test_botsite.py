"""wikilint.bot.runner.gateway: how pywikibot is configured for a run."""

from __future__ import annotations

import pytest
from wikilint.bot.runner.config import Limits
from wikilint.bot.runner.gateway import configure_pywikibot


def test_the_operators_contact_is_in_the_user_agent_of_api_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pywikibot import config
    from pywikibot.comms import http

    _restore_after(monkeypatch, config)
    configure_pywikibot(Limits(max_retries=2, maxlag=7), "https://example.org/ops")
    assert "+https://example.org/ops" in http.user_agent()
    assert config.max_retries == 2 and config.solve_captcha is False


def test_maxlag_applies_to_saves_and_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from pywikibot import config

    _restore_after(monkeypatch, config)
    monkeypatch.setattr(config, "read_maxlag", 30)
    configure_pywikibot(Limits(maxlag=3))
    assert (config.write_maxlag, config.read_maxlag) == (3, 30)
    configure_pywikibot(Limits(maxlag=60))
    assert (config.write_maxlag, config.read_maxlag) == (60, 60)


def test_no_contact_leaves_the_user_agent_as_pywikibot_makes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pywikibot import config
    from pywikibot.comms import http

    _restore_after(monkeypatch, config)
    monkeypatch.setattr(config, "user_agent_description", None)
    configure_pywikibot(Limits())
    assert "wikilint; +" not in http.user_agent()


def _restore_after(monkeypatch: pytest.MonkeyPatch, config: object) -> None:
    """configure_pywikibot sets process-wide pywikibot settings: put them back after a test."""
    for name in (
        "user_agent_description",
        "write_maxlag",
        "read_maxlag",
        "max_retries",
        "retry_wait",
        "retry_max",
        "put_throttle",
        "solve_captcha",
        "simulate",
    ):
        monkeypatch.setattr(config, name, getattr(config, name))
