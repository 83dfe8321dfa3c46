"""Template filters that show stored values as people read them, in their language."""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext

from casework import labels

register = template.Library()

# One format for every date and every date-time shown, localised by Django for each
# language: the date filter takes these names ({{ value|date:"DATE_FORMAT" }}).
DATE_FORMAT = "DATE_FORMAT"
DATETIME_FORMAT = "DATETIME_FORMAT"


@register.filter
def country_name(code) -> str:
    """{{ "KE"|country_name }} → "Kenya" in the reader's language."""
    return labels.country_name(code)


@register.filter
def language_name(code) -> str:
    """{{ "sw"|language_name }} → "Swahili" in the reader's language."""
    return labels.language_name(code)


@register.filter
def agreeing_fields(comparisons) -> str:
    """{{ candidate.comparisons|agreeing_fields }} → "name, birth year and nationality"."""
    return labels.agreeing_fields(comparisons)


@register.filter
def display_value(value) -> str:
    """A field's value as words: yes/no, dates in the page's format, lists joined, — for none."""
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return formats.date_format(value, DATE_FORMAT)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)
