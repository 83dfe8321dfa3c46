"""The browser tests' watch fails a test on any Content-Security-Policy violation."""

import pytest

from tests.browser.support import assert_clean

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("directive", "script"),
    [
        # What htmx did when adding a note or a task: an inline style attribute...
        ("style-src-attr", "document.body.setAttribute('style', 'color: red')"),
        # ...and its indicator styles as a <style> element.
        (
            "style-src-elem",
            "document.head.appendChild(document.createElement('style')).textContent = 'p {}'",
        ),
    ],
)
def test_a_csp_violation_fails_the_test(page, directive, script):
    response = page.goto("/accounts/login/")
    assert response.ok
    assert_clean(page)
    page.evaluate(script)
    with pytest.raises(AssertionError, match=f"CSP violation: {directive} blocked inline"):
        assert_clean(page)
