"""axe-core on every page of the catalogue (tests/pages.py), for every role, at 1280 and
390 pixels wide, in Chromium (issue 14): no violation of any impact, and on a phone no
page wider than the screen.

One browser page per role, signed in once through the real two-step sign-in; each page
is loaded once at 1280 pixels, checked, narrowed to 390 pixels and checked again.
htmx fragments are left out: they have no page of their own, and the page that holds
them (the case page's timeline tab) is checked whole.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests import pages
from tests.browser.support import AXE, assert_clean, sign_in
from tests.browser.test_accessibility import RUN_AXE

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def violations_on(page, where: str) -> list[str]:
    """Every violation axe reports on the page as it is now (all impacts), one line each."""
    expect(page.locator("main")).to_be_visible()
    return [
        f"{where}: {v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'])}"
        for v in page.evaluate(RUN_AXE)
    ]


def too_wide(page, where: str) -> list[str]:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    # Name what sticks out, so the report says where to look.
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll("main *")]
            .filter((e) => e.getBoundingClientRect().right > limit + 1)
            .slice(0, 3)
            .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                 + (e.className && typeof e.className === "string"
                    ? "." + e.className.trim().split(/\\s+/).join(".") : ""))""",
        PHONE["width"],
    )
    return [f"{where}: {width} pixels wide on a 390-pixel phone ({', '.join(culprits)})"]


def prepare_in_browser(page, catalogued, world, live_server_url):
    """Run the page's preparation (a registration draft, a half-done sign-in) on the
    browser's own session, through a test client that shares its session cookie."""
    name = settings.SESSION_COOKIE_NAME
    client = Client()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    if name in cookies:
        client.cookies[name] = cookies[name]
    catalogued.prepare(client, world)
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server_url}]
    )


def test_every_page_has_no_accessibility_violation_wide_or_on_a_phone(page_factory, live_server):
    world = pages.build_world()
    problems = []
    for role in pages.EVERYONE:
        page = page_factory(init_scripts=[AXE])
        page.set_viewport_size(WIDE)
        if role != pages.ANONYMOUS:
            user = world.users[role]
            device = user.totpdevice_set.filter(confirmed=True).first()
            sign_in(page, user, device)
        for catalogued in pages.pages_for(role):
            if catalogued.htmx:
                continue
            if catalogued.prepare is not None:
                prepare_in_browser(page, catalogued, world, live_server.url)
            where = f"{role} {catalogued.key}"
            page.set_viewport_size(WIDE)
            response = page.goto(catalogued.path(world))
            if response is None or response.status != 200:
                problems.append(f"{where}: {response.status if response else 'no answer'}")
                continue
            problems += violations_on(page, f"{where} at 1280")
            page.set_viewport_size(PHONE)
            problems += violations_on(page, f"{where} at 390")
            problems += too_wide(page, where)
        assert_clean(page)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
