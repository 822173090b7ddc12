"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server.

Chromium is the system package at /usr/bin/chromium; Playwright's own browser downloads are
never used (`playwright install` cannot reach its servers from here). Without Chromium a
browser test skips locally but fails in CI (CI=true), so CI can never silently skip them.

Playwright and Chromium start for each test (about half a second), not once per session.
Playwright's sync API keeps an asyncio event loop "running" in this thread for as long as it
is started, and while it is: Django refuses ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is
set, and asgiref hands out *different* database connection objects (context-local rather
than thread-local). A session-long Playwright would impose both on every later test in the
run (and leak the variable into the subprocesses they start, failing `check --deploy`),
and would hide the test database's serialized contents from serialized_rollback. So the
order per test is: database ready, then Playwright; Playwright stopped, then the database
flushed and the variable removed.

On failure, a full-page screenshot goes to test-artifacts/screenshots/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest

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
def chromium_executable():
    """Checked once per run: skip locally, fail in CI, when Chromium is missing."""
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run them, not skip them", pytrace=False)
        pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture
def live_url(live_server, transactional_db, django_db_serialized_rollback):
    """The live server's base URL (http://localhost:<random port>).

    live_server needs transactional_db, whose teardown empties every table, taking with it
    what data migrations created (the Wagtail home page and Site, the role groups).
    serialized_rollback puts that data back before each test that asks for it."""
    return live_server.url


@pytest.fixture
def browser(chromium_executable, live_url, monkeypatch):
    # Depends on live_url so the database is set up before Playwright's loop starts, and
    # flushed only after it stops (see the module docstring).
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Test code runs in the same thread as Playwright's event loop; it is synchronous code,
    # so lift Django's async guard, for the life of this Playwright only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        # Close the connections the test opened while the loop ran (context-local ones).
        connections.close_all()
        browser.close()


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
