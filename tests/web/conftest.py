"""Browser fixtures: one live server per database backend and one headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labelwright.services.context import Platform
from tests.builders import MadeUser
from tests.live import serve

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_url(platform: Platform) -> Iterator[str]:
    """The app served over HTTP on a free port, on the session's database."""
    with serve(platform) as url:
        yield url


def _tab(browser: Any, live_url: str, width: int, height: int, timeout: int) -> Iterator[Any]:
    """A page of its own browser context; a JavaScript error on it fails the test."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_url)
    context.set_default_timeout(timeout)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    yield from _tab(browser, live_url, 1280, 800, 8000)


@pytest.fixture
def wide_page(browser: Any, live_url: str) -> Iterator[Any]:
    """A larger window for the image and document tools."""
    yield from _tab(browser, live_url, 1440, 960, 10000)


def log_in(page: Any, user: MadeUser) -> None:
    """Log in through the API so the context carries the session cookie."""
    answer = page.request.post(
        "/api/v1/auth/login", data={"email": user.actor.email, "password": user.password}
    )
    assert answer.ok, answer.text()


def shoot(page: Any, name: str) -> None:
    """Save a screenshot of the current screen as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


@pytest.fixture
def api_client(live_url: str) -> Iterator[Any]:
    import httpx

    with httpx.Client(base_url=live_url, timeout=10) as client:
        yield client
