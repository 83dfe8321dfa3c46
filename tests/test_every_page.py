"""Every page, for every role, in every language (issue 14): each answers as the
catalogue says (tests/pages.py), and what it shows a person holds no Python value, no
stored code and no English vocabulary in a Ukrainian or French page.

One organisation with something on every page is built once for the module (inside a
transaction rolled back at the end); each role's test renders each of its pages once per
language and reports every problem of every page in one message.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django_countries import countries

from casework import notifications, timeline
from casework.labels import language_choices
from tests import pages
from tests.helpers import signed_in_client

# --- What a person reads ------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text nodes of a page as a person reads them: no script, style or attribute,
    and nothing marked as written in another language than the page's (`lang`)."""

    SKIPPED = {"script", "style", "template"}
    VOID = {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr",
    }  # fmt: skip

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.nodes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        skipped = (
            (bool(self.stack) and self.stack[-1])
            or tag in self.SKIPPED
            or (tag != "html" and lang is not None and lang.split("-")[0] != self.language)
        )
        self.stack.append(skipped)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1]:
            return
        text = " ".join(data.split())
        if text:
            self.nodes.append(text)


def visible_nodes(html: str, language: str) -> list[str]:
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser.nodes


# --- What must never be there -------------------------------------------------------


def _choices() -> dict[str, object]:
    """{stored code: its (lazy) label} of every vocabulary of the project's models."""
    found: dict[str, object] = {}
    for app in ("casework", "accounts", "stats"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                for code, label in getattr(field, "flatchoices", None) or ():
                    if isinstance(code, str) and code and not code.isdigit():
                        found.setdefault(code, label)
    for module in (
        "casework.vocabularies",
        "casework.audit",
        "accounts.models",
        "casework.models",
        "casework.stats.models",
    ):
        namespace = __import__(module, fromlist=["*"]).__dict__
        for value in list(namespace.values()):
            for choices in [value, *vars(value).values()] if isinstance(value, type) else []:
                if isinstance(choices, type) and issubclass(choices, models.Choices):
                    for member in choices:
                        if isinstance(member.value, str) and member.value:
                            found.setdefault(member.value, member.label)
    return found


CHOICES = _choices()
# Codes that are never a vocabulary value shown to anyone: events, notification kinds.
EVENT_CODES = set(timeline.EVENTS) | set(notifications.MESSAGES)
# A code of several words is never an English word: anywhere in the text it is a code.
JOINED_CODES = sorted(
    {code for code in [*CHOICES, *EVENT_CODES] if "_" in code}, key=len, reverse=True
)
JOINED_CODE = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, JOINED_CODES)) + r")(?![\w-])")
COUNTRY_CODES = {code for code, _name in countries}
# Two-letter language codes; three-letter ones ("non": Old Norse) are too often words.
LANGUAGE_CODES = {code for code, _name in language_choices() if len(code) == 2}
# Short English and French words that are language codes too ("no", "yes,no" in English).
WORDS = {"no", "or", "an", "as", "be", "it", "to", "is", "my", "so", "he", "am", "hi", "la"}
WORDS |= {"en", "et", "se", "ne", "sa", "ta", "on", "ce", "de", "du", "un", "il", "si", "ou"}
# English words that are no French word: a node of Latin words with one of them on a
# Ukrainian or French page is English the application forgot to translate.
ENGLISH = {"the", "of", "and", "not", "yet", "every", "due", "is", "are", "for", "with"}
ENGLISH |= {"this", "that", "no", "by", "from", "has", "have", "was", "will", "your", "you"}
ENGLISH |= {"all", "any", "next", "latest", "first", "to", "in", "at", "an", "be", "see"}
REPRS = ["['", '["', "{'", "<QuerySet", "__proxy__", " object (", "object at 0x"]


def _english_labels() -> dict[str, dict[str, str]]:
    """{language: {English label: its translation}} where the two differ."""
    english = {}
    with translation.override("en"):
        english = {code: str(label) for code, label in CHOICES.items()}
    labels: dict[str, dict[str, str]] = {}
    for language in ("uk", "fr"):
        with translation.override(language):
            labels[language] = {
                english[code]: str(label)
                for code, label in CHOICES.items()
                if str(label) != english[code] and len(english[code]) > 1
            }
    return labels


ENGLISH_LABELS = _english_labels()
with translation.override("en"):
    CODE_LABELS = {code: str(label) for code, label in CHOICES.items()}


def problems_in(html: str, language: str) -> list[str]:
    """What a person should never read on a page in `language`, one line each."""
    nodes = visible_nodes(html, language)
    text = " | ".join(nodes)
    found = []
    if re.search(r"\bNone\b", text):
        found.append("'None'")
    found += [f"a Python repr ({marker!r})" for marker in REPRS if marker in text]
    found += [f"the code {code!r}" for code in sorted(set(JOINED_CODE.findall(text)))]
    for node in dict.fromkeys(nodes):
        bare = node.strip(" :.,;()")
        label = CODE_LABELS.get(bare)
        # A code of one word may be an English word too ("restricted", a badge): only
        # a page in another language tells the code from the word.
        if language != "en" and label is not None and "_" not in bare:
            found.append(f"the code {bare!r} where {label!r} is meant")
        parts = [part.strip() for part in re.split(r"[,;/·]", bare)]
        if all(part in COUNTRY_CODES for part in parts):
            found.append(f"a country code alone: {node!r}")
        elif all(part in LANGUAGE_CODES and part not in WORDS for part in parts):
            found.append(f"a language code alone: {node!r}")
    if language != "en":
        for node in dict.fromkeys(nodes):
            words = re.findall(r"[^\W\d_]+", node)
            latin = [word for word in words if word.isascii()]
            # Words in capitals are references and acronyms (HW-25BE-NQRV), not English.
            english = ENGLISH & {word.lower() for word in latin if not word.isupper()}
            if len(latin) >= 2 and len(latin) == len(words) and english:
                found.append(f"English text: {node!r}")
    for english, translated in ENGLISH_LABELS.get(language, {}).items():
        if " " in english:
            pattern = r"(?<!\w)" + re.escape(english) + r"(?!\w)"
            if re.search(pattern, text):
                found.append(f"English {english!r} (in {language}: {translated!r})")
        elif any(node.strip(" :.,;()") == english for node in nodes):
            found.append(f"English {english!r} (in {language}: {translated!r})")
    return found


def test_the_checks_find_what_they_look_for():
    """Guards the checks themselves: each finds its kind of problem, and only that."""
    page = (
        "<html lang='fr'><body><script>var x = ['a'];</script>"
        "<td>None</td><td>['KE']</td><td>awaiting_embassy</td><td>active</td>"
        "<td>KE, UG</td><td>sw</td><td>Awaiting embassy</td><td>Other</td>"
        "<p lang='en'>Other</p><option lang='uk'>Українська</option>"
        "<p>Due next</p><p>Voir tout</p><p>HW-25BE-NQRV</p></body></html>"
    )
    found = problems_in(page, "fr")
    assert "'None'" in found
    assert 'a Python repr ("[\'")' in found
    assert "the code 'awaiting_embassy'" in found
    assert "the code 'active' where 'Active' is meant" in found
    assert "the code 'active' where 'Active' is meant" not in problems_in(page, "en")
    assert "a country code alone: 'KE, UG'" in found
    assert "a language code alone: 'sw'" in found
    assert any(line.startswith("English 'Awaiting embassy'") for line in found)
    assert any(line.startswith("English 'Other'") for line in found)
    assert "English text: 'Due next'" in found
    assert len(found) == 9, found
    clean = (
        "<html lang='fr'><body><h1>Cas HW-2026-AB12</h1><td>Kenya</td><td>Actif</td>"
        "<td>Brian Otieno</td><p>Il a appelé sa sœur.</p></body></html>"
    )
    assert problems_in(clean, "fr") == []


# --- The catalogue is complete ------------------------------------------------------


def test_every_named_route_is_a_page_or_excluded_with_a_reason():
    routes = {
        name: route
        for name, route in pages.named_routes().items()
        if not name.startswith(pages.ADMIN_PREFIX)
    }
    catalogued = {page.name for page in pages.PAGES}
    missing = sorted(set(routes) - catalogued - set(pages.EXCLUDED))
    assert not missing, (
        "Named routes neither in tests/pages.py's PAGES nor in its EXCLUDED: "
        + ", ".join(f"{name} ({routes[name]})" for name in missing)
    )
    stale = sorted((catalogued | set(pages.EXCLUDED)) - set(routes))
    assert not stale, f"tests/pages.py lists routes the URLconf no longer has: {stale}"
    both = sorted(catalogued & set(pages.EXCLUDED))
    assert not both, f"both a page and excluded: {both}"
    assert all(pages.EXCLUDED.values()), "every exclusion says why"


# --- Every page ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world of tests/pages.py, built once, rolled back after the module."""
    storage = tmp_path_factory.mktemp("private")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": storage, "base_url": None},
        },
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        block = transaction.atomic()
        block.__enter__()
        try:
            yield pages.build_world()
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def client_for(world, role):
    return Client() if role == pages.ANONYMOUS else signed_in_client(world.users[role])


class Broken:
    """The answer of a page that raised: a 500 with what it raised."""

    def __init__(self, error: Exception):
        self.status_code = 500
        self.error = f"{type(error).__name__}: {error}"


def _get(client, page, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    headers = {"HX-Request": "true"} if page.htmx else {}
    try:
        return client.get(url, headers=headers)
    except Exception as error:  # one broken page must not hide the others' problems
        return Broken(error)


@pytest.mark.parametrize("role", pages.EVERYONE)
def test_every_page_reads_well_in_every_language(world, db, role):
    client = client_for(world, role)
    failures = []
    for page in pages.PAGES:
        expected = page.expected(role)
        url = page.path(world)
        if expected != 200:
            response = _get(client, page, url, "en")
            if response.status_code != expected:
                failures.append(
                    (
                        f"{page.key} {url}",
                        f"{response.status_code}, expected {expected}"
                        + (f" ({response.error})" if isinstance(response, Broken) else ""),
                    )
                )
            elif role == pages.ANONYMOUS and not response.url.startswith(
                reverse("login") + "?next="
            ):
                failures.append((page.key, f"sent to {response.url}, not to sign in"))
            continue
        # A page reached through a form gets a client of its own (a half-done sign-in,
        # a registration draft), prepared once.
        page_client = client
        if page.prepare is not None:
            page_client = client_for(world, role)
            page.prepare(page_client, world)
        for language in pages.LANGUAGES:
            response = _get(page_client, page, url, language)
            if response.status_code != 200:
                failures.append(
                    (
                        f"{page.key} [{language}] {url}",
                        f"{response.status_code}"
                        + (f" ({response.error})" if isinstance(response, Broken) else ""),
                    )
                )
                continue
            html = response.content.decode()
            if page.htmx:
                html = f'<html lang="{language}">{html}</html>'
            assert f'<html lang="{language}"' in html, f"{page.key}: not in {language}"
            failures += [
                (f"{page.key} [{language}]", problem) for problem in problems_in(html, language)
            ]
    assert not failures, f"{len(failures)} problems as {role}:\n" + summary(failures)


def summary(failures: list[tuple[str, str]]) -> str:
    """One line per problem, with every page [language] where it is seen."""
    where: dict[str, list[str]] = {}
    for page, problem in failures:
        where.setdefault(problem, []).append(page)
    return "\n".join(f"{problem}: {', '.join(pages)}" for problem, pages in where.items())


def test_every_role_has_pages():
    for role in pages.EVERYONE:
        assert pages.pages_for(role), role
