"""Signals per strategy and day with their stored follow-up returns; per-strategy statistics over a period."""
from django.shortcuts import render
from django.utils.translation import gettext as _

from tasks_app.pages.common import requires

from ..jobs import STRATEGIES
from ..models import RETURN_HORIZONS, ReturnBasis
from ..reads.signals import default_period, latest_signal_day, returns_task, signals_on, strategy_stats
from ..templatetags.market import pct_points, updown
from .forms import SignalsForm, StatsForm


def _cells(follow_up, not_reached):
    """(css class, text) per horizon of a computed follow-up; None when it is not computed yet."""
    if not follow_up["computed"]:
        return None
    values = [follow_up[f"ret_{h}"] for h in RETURN_HORIZONS]
    return [("muted not-reached", not_reached) if v is None else (updown(v), pct_points(v)) for v in values]


@requires("view")
def signal_list(request):
    data = request.GET.copy()
    data.setdefault("strategy", STRATEGIES[0])
    data.setdefault("basis", ReturnBasis.CLOSE)
    form = SignalsForm(data)
    context = {"form": form, "horizons": RETURN_HORIZONS, "rows": [], "day": None}
    if form.is_valid():
        strategy, basis = form.cleaned_data["strategy"], form.cleaned_data["basis"]
        day = form.cleaned_data["date"] or latest_signal_day(strategy)
        if day:
            rows = signals_on(strategy=strategy, day=day, side=form.cleaned_data["side"] or None, basis=basis)
            not_reached = _("not reached")
            for row in rows:  # formatted here: 6 filters × hundreds of cells cost more in the template
                row["cells"] = _cells(row["follow_up"], not_reached)
            missing = sum(1 for row in rows if row["cells"] is None)
            context.update(rows=rows, day=day, strategy=strategy, basis=basis, not_computed=missing,
                           task=returns_task() if missing else None)
    return render(request, "market/signal_list.html", context)


@requires("view")
def signal_stats(request):
    data = request.GET.copy()
    start, end = default_period()
    data.setdefault("strategy", STRATEGIES[0])
    data.setdefault("start", start.isoformat())
    data.setdefault("end", end.isoformat())
    data.setdefault("side", "buy")
    data.setdefault("basis", ReturnBasis.CLOSE)
    form = StatsForm(data)
    context = {"form": form, "horizons": RETURN_HORIZONS, "stats": None}
    if form.is_valid():
        stats = strategy_stats(**form.cleaned_data)
        context.update(stats=stats, rows=[(h, stats["horizons"][h]) for h in RETURN_HORIZONS],
                       task=returns_task() if stats["not_computed"] else None,
                       chart_data={"horizons": list(RETURN_HORIZONS),
                                   "stats": {str(h): v for h, v in stats["horizons"].items()}})
    return render(request, "market/signal_stats.html", context)
