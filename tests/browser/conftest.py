"""Browser tests: Playwright drives Debian's Chromium against the real assistant.

Playwright's own browser download does not work here (see ../shared/PLATFORM.md),
so Chromium comes from apt. Each test step saves a screenshot to
``test-artifacts/screenshots/<test>-<step>.png``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.browser.webchat_server import running_webchat_assistant
from tests.helpers.services import RunningAssistant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def chromium_browser():
    # A missing browser is a broken test set-up, not a reason to skip the web chat's tests.
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `apt-get install chromium chromium-driver` (`make test` does).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    with running_webchat_assistant(tmp_path_factory.mktemp("browser-assistant")) as running:
        yield running


@pytest.fixture
def context(chromium_browser):
    """A fresh browser profile per test: empty localStorage, a German-speaking visitor."""
    context = chromium_browser.new_context(
        locale="de-DE", viewport={"width": 900, "height": 800}, reduced_motion="reduce"
    )
    context.set_default_timeout(60_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot(request: pytest.FixtureRequest, page) -> Callable[[str], Path]:
    """``shot("step")`` saves the page as test-artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = request.node.name.removeprefix("test_")

    def save(step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
