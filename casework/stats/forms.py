"""The statistics dashboard's forms: filters, the cross-tabulation and an export."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from casework import stats
from casework.forms import DATE, PlausibleDatesMixin
from casework.stats.models import StatsExport


class StatsFilterForm(PlausibleDatesMixin, forms.Form):
    period_start = forms.DateField(label=_("Cases opened from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("until"), required=False, widget=DATE)
    scope = forms.ChoiceField(
        label=_("Organisations"),
        choices=[("own", _("My organisation")), ("coalition", _("The whole coalition"))],
        required=False,
    )
    k = forms.IntegerField(
        label=_("Smallest count shown (k)"),
        min_value=stats.K_MIN,
        initial=stats.K_DEFAULT,
        required=False,
    )
    rounding = forms.BooleanField(label=_("Round counts to multiples of 5"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not settings.STATS_COALITION:
            self.fields["scope"].choices = self.fields["scope"].choices[:1]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end is before the start."))
        data["k"] = data.get("k") or stats.K_DEFAULT
        data["scope"] = data.get("scope") or "own"
        return data


DIMENSION_CHOICES = [(name, dim.label) for name, dim in stats.DIMENSIONS.items()]


class CrossTabForm(forms.Form):
    rows = forms.ChoiceField(label=_("Rows"), choices=DIMENSION_CHOICES, initial="region")
    columns = forms.ChoiceField(label=_("Columns"), choices=DIMENSION_CHOICES, initial="situation")

    def clean(self):
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("columns"):
            self.add_error("columns", _("Choose two different dimensions."))
        return data


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=StatsExport.Format.choices)
    include_crosstab = forms.BooleanField(
        label=_("Include the cross-tabulation above"), required=False
    )
