"""Forms of the market pages: every field has a type, a range and a clear error."""
import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from ..jobs import STRATEGIES
from ..models import ReturnBasis
from ..reads.bars import DISPLAY_ADJUSTS

STRATEGY_CHOICES = [(s, s) for s in STRATEGIES]
ADJUST_CHOICES = [("qfq", _("Forward-adjusted (qfq)")), ("none", _("Unadjusted"))]
BASIS_CHOICES = [(ReturnBasis.CLOSE, _("Entry at the signal day's close")),
                 (ReturnBasis.NEXT_OPEN, _("Entry at the next day's open"))]
BACKTEST_ADJUST_CHOICES = [("none", _("Unadjusted")), ("qfq", _("Forward-adjusted (qfq)")),
                           ("hfq", _("Back-adjusted (hfq)"))]
EARLIEST = datetime.date(1990, 12, 19)
MAX_SPAN_DAYS = 366 * 30


class SignalsForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Strategy"), choices=STRATEGY_CHOICES)
    date = forms.DateField(label=_("Date"), required=False)
    side = forms.ChoiceField(label=_("Side"), required=False,
                             choices=[("", _("All")), ("buy", _("Buy")), ("sell", _("Sell"))])
    basis = forms.ChoiceField(label=_("Entry"), choices=BASIS_CHOICES)


class StatsForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Strategy"), choices=STRATEGY_CHOICES)
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))
    side = forms.ChoiceField(label=_("Side"), choices=[("buy", _("Buy")), ("sell", _("Sell"))], initial="buy")
    basis = forms.ChoiceField(label=_("Entry"), choices=BASIS_CHOICES)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("must not be before the start"))
        elif start and end and (end - start).days > 366:
            self.add_error("end", _("the period may span at most one year"))
        return data


class ChartForm(forms.Form):
    adjust = forms.ChoiceField(choices=[(a, a) for a in DISPLAY_ADJUSTS], required=False)
    years = forms.IntegerField(min_value=1, max_value=30, required=False)


class BacktestForm(forms.Form):
    strategy_id = forms.ChoiceField(label=_("Strategy"), choices=STRATEGY_CHOICES)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    initial_capital = forms.FloatField(label=_("Initial capital (yuan)"), min_value=10_000, max_value=1e11,
                                       initial=1_000_000)
    adjust = forms.ChoiceField(label=_("Adjustment"), choices=BACKTEST_ADJUST_CHOICES, initial="none")
    max_positions = forms.IntegerField(label=_("Max positions"), min_value=1, max_value=100, initial=10)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and start < EARLIEST:
            self.add_error("start_date", _("must be on or after 1990-12-19"))
        if start and end and end < start:
            self.add_error("end_date", _("must not be before the start date"))
        elif start and end and (end - start).days > MAX_SPAN_DAYS:
            self.add_error("end_date", _("the period may span at most 30 years"))
        return data

    def params(self):
        data = self.cleaned_data
        return {"strategy_id": data["strategy_id"], "start_date": data["start_date"].isoformat(),
                "end_date": data["end_date"].isoformat(), "initial_capital": data["initial_capital"],
                "adjust": data["adjust"], "max_positions": data["max_positions"], "symbols": []}
