"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server.

Chromium is the system package at /usr/bin/chromium; Playwright's own browser downloads are
never used (`playwright install` cannot reach its servers from here). Without Chromium a
browser test skips locally but fails in CI (CI=true), so CI can never silently skip them.

On failure, a full-page screenshot goes to test-artifacts/screenshots/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in this thread, which makes
# Django refuse ORM calls ("You cannot call this from an async context"). Tests and fixtures
# here are ordinary synchronous code, so lift the guard. Set only in this conftest.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium phones home at start-up, and this closed network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail fast: a smoke journey on a local server has no business waiting long.
DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (rep_setup, rep_call, rep_teardown) so fixtures
    can tell at teardown whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run them, not skip them", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_url(live_server, transactional_db, django_db_serialized_rollback):
    """The live server's base URL (http://localhost:<random port>).

    live_server needs transactional_db, whose teardown empties every table, taking with it
    what data migrations created (the Wagtail home page and Site, the role groups).
    serialized_rollback puts that data back before each test that asks for it."""
    return live_server.url


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None) or getattr(request.node, "rep_setup", None)
    if report is not None and report.failed:
        directory = request.config.rootpath / "test-artifacts" / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)  # parametrised ids carry [/:]
        try:
            page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the failure
            print(f"could not save screenshot for {request.node.nodeid}: {exc}")
    context.close()
