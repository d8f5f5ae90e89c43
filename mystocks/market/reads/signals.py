"""Signals per strategy and day with their follow-up returns, and per-strategy statistics."""
import datetime

from ..models import Stock, StrategySignal
from .returns_after import HORIZONS, horizon_stats, returns_after

MAX_STATS_DAYS = 366
MAX_STATS_SIGNALS = 20_000


def latest_signal_day(strategy):
    return (StrategySignal.objects.filter(strategy=strategy).order_by("-date")
            .values_list("date", flat=True).first())


def signals_on(*, strategy, day, side=None, adjust="qfq"):
    """The stocks ``strategy`` selected on ``day`` with names and returns after each horizon."""
    rows = StrategySignal.objects.filter(strategy=strategy, date=day).order_by("side", "code")
    if side:
        rows = rows.filter(side=side)
    rows = list(rows.values("code", "date", "side", "close", "strategy"))
    names = dict(Stock.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "name"))
    returns, used = returns_after([(r["code"], r["date"]) for r in rows], adjust=adjust)
    for row in rows:
        row["name"] = names.get(row["code"], "")
        row["returns"] = returns[(row["code"], row["date"])]
    return rows, used


def strategy_stats(*, strategy, start, end, side="buy", adjust="qfq"):
    """Hit rate and mean/median return per horizon of ``strategy``'s ``side`` signals in start…end,
    and the per-day mean return at each horizon (for the chart)."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if (end - start).days > MAX_STATS_DAYS:
        raise ValueError(f"the period may span at most {MAX_STATS_DAYS} days")
    pairs = list(StrategySignal.objects.filter(strategy=strategy, side=side, date__gte=start, date__lte=end)
                 .order_by("date", "code").values_list("code", "date")[:MAX_STATS_SIGNALS])
    returns, used = returns_after(pairs, adjust=adjust)
    values = [returns[p] for p in pairs]
    by_day = {}
    for (code, day), r in zip(pairs, values):
        by_day.setdefault(day, []).append(r)
    daily = [{"date": day.isoformat(), **{str(h): horizon_stats(rs)[h]["mean"] for h in HORIZONS}}
             for day, rs in sorted(by_day.items())]
    return {"signals": len(pairs), "capped": len(pairs) >= MAX_STATS_SIGNALS, "adjust_used": used,
            "horizons": horizon_stats(values), "daily": daily}


def default_period(day=None, days=90):
    end = day or datetime.date.today()
    return end - datetime.timedelta(days=days), end
