"""Signals per strategy and day with follow-up returns; per-strategy statistics over a period."""
from django.shortcuts import render

from tasks_app.pages.common import requires

from ..jobs import STRATEGIES
from ..reads.returns_after import HORIZONS
from ..reads.signals import default_period, latest_signal_day, signals_on, strategy_stats
from ..templatetags.market import pct, updown
from .forms import SignalsForm, StatsForm


@requires("view")
def signal_list(request):
    data = request.GET.copy()
    data.setdefault("strategy", STRATEGIES[0])
    form = SignalsForm(data)
    context = {"form": form, "horizons": HORIZONS, "rows": [], "day": None}
    if form.is_valid():
        strategy = form.cleaned_data["strategy"]
        day = form.cleaned_data["date"] or latest_signal_day(strategy)
        if day:
            rows, used = signals_on(strategy=strategy, day=day, side=form.cleaned_data["side"] or None)
            for row in rows:  # formatted here: 6 filters × hundreds of cells cost more in the template
                row["cells"] = [(updown(row["returns"][h]), pct(row["returns"][h]) or "—") for h in HORIZONS]
            context.update(rows=rows, day=day, adjust_used=used, strategy=strategy)
    return render(request, "market/signal_list.html", context)


@requires("view")
def signal_stats(request):
    data = request.GET.copy()
    start, end = default_period()
    data.setdefault("strategy", STRATEGIES[0])
    data.setdefault("start", start.isoformat())
    data.setdefault("end", end.isoformat())
    data.setdefault("side", "buy")
    form = StatsForm(data)
    context = {"form": form, "horizons": HORIZONS, "stats": None}
    if form.is_valid():
        stats = strategy_stats(**form.cleaned_data)
        context.update(stats=stats, rows=[(h, stats["horizons"][h]) for h in HORIZONS],
                       chart_data={"horizons": list(HORIZONS),
                                   "stats": {str(h): v for h, v in stats["horizons"].items()}})
    return render(request, "market/signal_stats.html", context)
