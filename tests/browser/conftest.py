"""Fixtures of the browser tests: one Chromium per module, one context per page."""

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, flush_reports, open_page

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, and the ORM allowed beside Playwright meanwhile.

    Playwright's sync API keeps an asyncio event loop running in this thread while it is
    started, and Django then refuses ORM calls from the thread (SynchronousOnlyOperation).
    The tests make their data with the ORM between browser steps, one thread at a time,
    so DJANGO_ALLOW_ASYNC_UNSAFE is set, test-only, for as long as Playwright runs. It is
    not left set for the whole session: other tests would inherit it (and `check
    --deploy` in a subprocess rightly refuses it), and they would find the loop still
    running. Hence a browser per module rather than per session: it costs about a second.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (Debian's package)")
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def page_factory(browser, live_server, transactional_db):
    """Open watched pages on the live server; each is checked and closed at teardown.

    The live server runs in another thread with its own connection, so the tests use a
    transactional database: what they create with the ORM is committed and visible to it.
    """
    pages = []

    def make(**kwargs):
        page = open_page(browser, live_server.url, **kwargs)
        pages.append(page)
        return page

    yield make
    leftovers = []
    for page in pages:
        flush_reports(page)
        leftovers += page.homeward_watch.problems
        page.context.close()
    assert not leftovers, "\n".join(leftovers)


@pytest.fixture
def page(page_factory):
    return page_factory()
