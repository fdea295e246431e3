"""Browser tests: Playwright drives Debian's Chromium against a live server of the app.

- One werkzeug server per session, on 127.0.0.1 and a free port, in a background thread. It serves
  the app of the running test: the suite's `app` fixture (a fresh SQLite copy, or the emptied
  PostgreSQL schema), with CSRF checked as in production, since these tests submit real forms.
- One Chromium per test module (`browser`); one context per test (`page`: fr-FR, 1280×900), whose
  console errors, uncaught exceptions and Content-Security-Policy violations fail the test.
- Test data is written in the test's app context and committed (`helpers.create_user`, `world`):
  the server reads it from its own connections.

Playwright never downloads a browser here: Chromium is the Debian package (`scripts/system-deps`),
or the executable VIGIE_CHROMIUM names. Without it these tests fail, unless VIGIE_SKIP_BROWSER=1
makes them skip. Screenshots (`helpers.screenshot`, and one of each failed test) go to
VIGIE_SCREENSHOT_DIR, by default build/screenshots.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.harness import BrowserProblems, LiveServer
from tests.browser.helpers import screenshot

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("VIGIE_CHROMIUM", "/usr/bin/chromium")
#: the machine's network is closed: without these, Chromium keeps calling Google's services
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=fr-FR"]


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"vigie_report_{report.when}", report)  # read by `page` to keep a screenshot of a failure
    return report


# -- the live server ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def _live_server():
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def app(app):
    """The suite's app and fresh database, with the CSRF check on: Flask-WTF reads it per request."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def live_server(_live_server, app):
    """The server, serving this test's app; its `url` is the pages' base URL."""
    _live_server.app = app
    yield _live_server
    _live_server.wait_idle()
    _live_server.app = None


# -- the browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """Chromium, once per module: Playwright's event loop is closed before other tests run."""
    if not os.access(CHROMIUM, os.X_OK):
        message = (f"Chromium not found at {CHROMIUM}: install the Debian package `chromium` "
                   "(scripts/system-deps), or set VIGIE_SKIP_BROWSER=1 to skip the browser tests.")
        if os.environ.get("VIGIE_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # French dates in the inputs, as the users see them (Debian's chromium-l10n, and LANG)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             env={**os.environ, "LANG": "fr_FR.UTF-8", "LANGUAGE": "fr"})
        yield browser
        browser.close()


@pytest.fixture
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def page(browser, live_server, browser_problems, request):
    """A page in a fresh context (no cookie from another test), relative URLs on the live server."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.on("page", browser_problems.watch)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "vigie_report_call", None)
    if failed is not None and failed.failed and not page.is_closed():
        screenshot(page, "ECHEC-" + re.sub(r"[^\w.-]+", "_", request.node.name))
    context.close()
    problems = browser_problems.report()
    assert not problems, f"The browser reported problems:\n{problems}"
