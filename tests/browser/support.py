"""Helpers of the browser tests: pages that watch for errors, sign-in, translations."""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import formats, translation
from django_countries.fields import Country
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

CHROMIUM = Path(os.environ.get("HOMEWARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 10_000
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Where browser tests leave their screenshots, and the two widths they are taken at.
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {1280: 900, 390: 844}

# Chromium also reports a CSP violation as a console error; this listener catches it
# even where the console message would be missed, and says which directive it was. An
# init script is the test's own instrumentation: the browser injects it through the
# DevTools protocol, outside the page's CSP, and the application never serves it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__homewardCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


class PageWatch:
    """What went wrong on the pages of one browser context."""

    def __init__(self):
        self.problems = []

    def console(self, message):
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            self.problems.append(f"console error: {message.text} ({url})")

    def page_error(self, error):
        self.problems.append(f"uncaught exception: {error}")

    def csp_violation(self, description):
        self.problems.append(f"CSP violation: {description}")


def open_page(browser, base_url, *, init_scripts=()):
    """A page in a new context (its own cookies), watched for errors and CSP violations."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    watch = PageWatch()
    context.expose_function("__homewardCspViolation", watch.csp_violation)
    context.add_init_script(CSP_LISTENER)
    for script in init_scripts:
        context.add_init_script(path=script)
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    page.homeward_watch = watch
    return page


def flush_reports(page):
    """Let reports the browser already sent reach the watch: a round trip delivers every
    event sent before its answer (a violation is reported asynchronously)."""
    if not page.is_closed():
        page.evaluate("0")


def assert_clean(page):
    """No console error, uncaught exception or CSP violation on any page seen so far."""
    flush_reports(page)
    problems = list(page.homeward_watch.problems)
    page.homeward_watch.problems.clear()
    assert not problems, "\n".join(problems)


# --- Signing in ---------------------------------------------------------------------


def confirmed_totp(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device):
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(page, user, device=None):
    """The two-step sign-in through its forms: password, then the TOTP code."""
    device = device or confirmed_totp(user)
    response = page.goto("/accounts/login/")
    assert response.ok, f"the sign-in page answered {response.status}"
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/verify/$"))
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# --- Translations -------------------------------------------------------------------


def switch_language(page, language: str) -> None:
    """Choose `language` in the navigation's selector and submit it; the page reloads in it.

    Choosing does not submit (a keyboard user browses the options first); the button next
    to the menu does.
    """
    page.locator("#language-select").select_option(language)
    with page.expect_navigation():
        page.locator("#language-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


class Catalogue:
    """What the server shows in one language, from its own catalogue and formats.

    `t = Catalogue("fr")`, then `t("Save")`, `t("Case %(ref)s registered.", ref=...)`.
    The live server runs in this process and reads the same compiled catalogue, so a
    journey expects exactly what the server shows, however far the translation has got.
    """

    def __init__(self, language: str):
        self.language = language

    def __call__(self, msgid: str, context: str | None = None, **params: object) -> str:
        with translation.override(self.language):
            if context is None:
                text = translation.gettext(msgid)
            else:
                text = translation.pgettext(context, msgid)
            # Parameters may be lazy (a choice's label): they too are read in the language.
            return text % {key: str(value) for key, value in params.items()} if params else text

    def label(self, value: object) -> str:
        """A lazy label (a vocabulary choice, a field's verbose name) in the language."""
        with translation.override(self.language):
            return str(value)

    def country(self, code: str) -> str:
        with translation.override(self.language):
            return str(Country(code=code).name)

    def date(self, value: datetime.date, format_name: str) -> str:
        """As the `date` template filter shows it, e.g. format_name="YEAR_MONTH_FORMAT"."""
        with translation.override(self.language):
            return formats.date_format(value, format_name)

    def number(self, value: Decimal | int | float) -> str:
        """As a template shows a number (localised: "2000,00" in French)."""
        with translation.override(self.language):
            return formats.localize(value)


def catalog_exists(language):
    return (Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo").exists()


def assert_translated(locator, language, msgid):
    """`locator` shows `msgid` as the server's catalog for `language` translates it.

    Without a compiled catalog (locale/<language>/LC_MESSAGES/django.mo) the label stays
    English; once there is one, it must show the catalog's translation, not the English.
    The wording itself is checked against the .po files by their own test.
    """
    with translation.override(language):
        expected = translation.gettext(msgid)
    expect(locator).to_have_text(expected)
    if catalog_exists(language) and expected == msgid:
        pytest.fail(f"locale/{language} is compiled but does not translate {msgid!r}")
