"""Human labels for stored codes, in the reader's language, and sorting as that language does.

Codes stay codes in the database (ISO 3166 countries, ISO 639 languages, vocabulary
values, English UN M49 names); people read names. Country names come from
django-countries, language and UN M49 region names from the Unicode CLDR (Babel), so
every language Homeward speaks has them without a catalogue of our own.
"""

import functools
import unicodedata

from babel import Locale, UnknownLocaleError
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework.vocabularies import ConsentScope

# The letters of a language in its alphabetical order, where the order of their code
# points differs (Ukrainian ґ, є, і, ї are code points before а). Other letters sort by
# their base letter, accents aside, as French and English dictionaries do.
ALPHABETS = {"uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"}


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def collation_key(text: str, language: str | None = None) -> tuple:
    """A sort key for `text` as the reader's (or `language`'s) dictionaries order words."""
    alphabet = ALPHABETS.get(language or _language(), "")
    primary = []
    for char in text.casefold():
        if char in alphabet:
            primary.append((2, alphabet.index(char)))
        elif char.isalnum():
            primary.append((1, ord(unicodedata.normalize("NFKD", char)[0])))
        else:
            primary.append((0, ord(char)))  # spaces and punctuation before letters
    return tuple(primary), text.casefold(), text


def country_name(code) -> str:
    """The country's name in the reader's language; "" for none, the code if unknown."""
    code = str(code or "")
    return str(countries.name(code) or code) if code else ""


@functools.cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    with translation.override(language):
        pairs = [(country.code, str(country.name)) for country in countries]
        return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1], language)))


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 country as (code, name), named and sorted in the reader's language."""
    return list(_country_choices(translation.get_language() or "en"))


def _locale() -> Locale:
    try:
        return Locale.parse(translation.to_locale(translation.get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def language_name(code) -> str:
    """An ISO 639 language code as the language's name in the reader's language."""
    code = str(code or "").strip()
    if not code:
        return ""
    return _locale().languages.get(code.lower()) or code


def language_names(codes) -> list[str]:
    return [language_name(code) for code in codes or ()]


@functools.cache
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    with translation.override(language):
        names = _locale().languages
    # Two- and three-letter ISO 639 codes only: what a person's languages may hold.
    pairs = [(code, name) for code, name in names.items() if code.isalpha() and len(code) <= 3]
    return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1], language)))


def language_choices() -> list[tuple[str, str]]:
    """Every ISO 639 language as (code, name), named and sorted in the reader's language."""
    return list(_language_choices(translation.get_language() or "en"))


# UN M49 names as casework/data/m49.csv spells them (statistics keep them as keys), and
# their M49 codes: the CLDR names other languages by code.
M49_CODES = {
    "Africa": "002",
    "Eastern Africa": "014",
    "Middle Africa": "017",
    "Northern Africa": "015",
    "Southern Africa": "018",
    "Western Africa": "011",
    "Americas": "019",
    "Caribbean": "029",
    "Central America": "013",
    "South America": "005",
    "Northern America": "021",
    "Asia": "142",
    "Central Asia": "143",
    "Eastern Asia": "030",
    "South-eastern Asia": "035",
    "Southern Asia": "034",
    "Western Asia": "145",
    "Europe": "150",
    "Eastern Europe": "151",
    "Northern Europe": "154",
    "Southern Europe": "039",
    "Western Europe": "155",
    "Oceania": "009",
    "Australia and New Zealand": "053",
    "Melanesia": "054",
    "Micronesia": "057",
    "Polynesia": "061",
    "Antarctica": "AQ",
}


def region_name(name: str) -> str:
    """A UN M49 region or sub-region (its English name) in the reader's language."""
    if _language() == "en" or name not in M49_CODES:
        return name
    return _locale().territories.get(M49_CODES[name]) or name


def consent_label(scope: str, country="", organisation: str = "") -> str:
    """What a consent allows, in words: "Share with the embassy of Kenya"."""
    if scope == ConsentScope.SHARE_WITH_EMBASSY and country:
        return gettext("Share with the embassy of %(country)s") % {"country": country_name(country)}
    if scope == ConsentScope.SHARE_WITH_HUMANITARIAN and organisation:
        return gettext("Share with %(organisation)s") % {"organisation": organisation}
    return str(ConsentScope(scope).label) if scope in ConsentScope.values else scope


# The empty choice of a select (Django's own is not translated in every language).
BLANK_CHOICE_LABEL = _("- Select an option -")

# What the audit log's object types name, when they are not a model (whose verbose
# name is used): the pages and checks that are audited.
AUDIT_OBJECTS = {
    "case-list": _("case list"),
    "duplicate-check": _("duplicate check"),
    "embassy-portal": _("embassy portal"),
    "home": _("home page"),
    "my-tasks": _("my tasks list"),
    "queue": _("supervisors' queue"),
    "statistics": _("statistics"),
    "section": _("case page section"),
}


@functools.cache
def _verbose_names() -> dict:
    from django.apps import apps

    return {model._meta.model_name: model._meta.verbose_name for model in apps.get_models()}


def audit_object_label(object_type: str) -> str:
    """An audit event's object type in words: a model's verbose name, or a page's name."""
    name = object_type.removeprefix("admin:")
    label = str(AUDIT_OBJECTS.get(name) or _verbose_names().get(name) or name)
    if name != object_type:
        return gettext("%(object)s (admin site)") % {"object": label}
    return label


# What family-inquiry matching compares (casework.matching.Comparison), in words.
COMPARISON_FIELDS = {
    "name": _("name"),
    "birth_year": _("birth year"),
    "nationality": _("nationality"),
    "place": _("place of origin"),
    "sex": _("sex"),
    "phone": _("phone number or handle"),
    "document": _("document number"),
}
COMPARISON_LEVELS = {
    "agree": _("agrees"),
    "close": _("close"),
    "disagree": _("disagrees"),
    "unknown": _("not known"),
}


def comparisons_of(stored) -> list[dict]:
    """A candidate's stored comparisons that name a field we know; anything else is left out."""
    rows = stored if isinstance(stored, list) else []
    return [c for c in rows if isinstance(c, dict) and c.get("field") in COMPARISON_FIELDS]


def agreeing_fields(stored) -> str:
    """The compared fields that agree, as words: "name, birth year and nationality"."""
    rows = comparisons_of(stored)
    agree = [str(COMPARISON_FIELDS[c["field"]]) for c in rows if c.get("level") == "agree"]
    return str(get_text_list(agree, gettext("and"))) if agree else ""
