"""Fixtures for the browser tests: a headless Chromium (Debian's, through Selenium), a
``wikilint serve`` in a thread, and the live wiki's accounts.

Browser tests are live tests: without ``WIKILINT_LIVE=1`` they skip; with it, a missing
Chromium or chromedriver is a failure."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.wiki.conftest import LIVE, human, live_wiki, sysop  # noqa: F401 - shared fixtures
from tests.wiki.mwapi import load_credentials

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def chromium_paths() -> tuple[str, str]:
    browser = next((p for name in CHROMIUM if (p := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.fail(
            "browser tests need Debian's chromium and chromium-driver (scripts/test installs them)"
        )
    return browser, driver


@pytest.fixture
def browser(live_wiki: str) -> Iterator[Any]:  # noqa: F811 - the imported fixture
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en-US",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class RunningServer:
    url: str
    settings: Any


@pytest.fixture
def wiki_origin(live_wiki: str) -> str:  # noqa: F811
    return live_wiki.rsplit("/", 1)[0]


def start_server(settings_kwargs: dict[str, Any], config: Any = None) -> Iterator[RunningServer]:
    from werkzeug.serving import make_server
    from wikilint.bot.web.server import ServeSettings, create_app

    probe = make_server("127.0.0.1", 0, lambda *a: [])  # a free port
    port = probe.server_port
    probe.server_close()
    settings = ServeSettings(port=port, **settings_kwargs)
    server = make_server("127.0.0.1", port, create_app(settings, config), threaded=True)
    # poll often: shutdown() waits for the next poll (0.5 s by default)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield RunningServer(settings.url.rstrip("/"), settings)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api_server(wiki_origin: str) -> Iterator[RunningServer]:
    yield from start_server({"origins": (wiki_origin,)})


def login_in_browser(driver: Any, wiki_origin: str, who: str = "human") -> str:
    """Log the browser in through Special:UserLogin as one of the wiki's test accounts."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    creds = load_credentials()[who]
    driver.get(f"{wiki_origin}/index.php?title=Special:UserLogin")
    driver.find_element(By.ID, "wpName1").send_keys(creds["user"])
    driver.find_element(By.ID, "wpPassword1").send_keys(creds["password"])
    driver.find_element(By.ID, "wpLoginAttempt").click()
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "pt-logout")))
    return str(creds["user"])


def screenshot(driver: Any, name: str) -> Path | None:
    """Save a screenshot into ``$WIKILINT_SCREENSHOTS`` (docs/ when refreshing the README's
    pictures); tests never write into the repository on their own."""
    folder = os.environ.get("WIKILINT_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / name
    driver.save_screenshot(str(path))
    return path
