"""Signals per strategy and day with their follow-up returns, and per-strategy statistics.

Both read what the follow-up job stored (``SignalReturn`` rows, ``followup.summarize``), so a figure
is computed once and every page and API response shows that one. Two states are told apart: a
signal the job has not computed yet (no row for the basis: "not computed"), and a horizon its stock
had not traded that many days past when the row was computed (a null return: "not reached").
"""
import datetime
import math
from functools import reduce
from operator import or_

from django.db.models import F, Q

from tasks_app.models import TaskDefinition
from tasks_app.stats import with_last_run

from ..followup import RETURN_COLUMNS, empty_summary, summarize
from ..models import RETURN_HORIZONS, ReturnBasis, SignalReturn, Stock, StrategySignal

RETURNS_JOB = "compute_signal_returns"
MAX_STATS_DAYS = 366
MAX_STATS_SIGNALS = 20_000
STORED_FIELDS = ["strategy", "code", "date", "complete", "entry_date", "entry_price", "updated_at", *RETURN_COLUMNS]


def latest_signal_day(strategy):
    return (StrategySignal.objects.filter(strategy=strategy).order_by("-date")
            .values_list("date", flat=True).first())


def not_computed(basis):
    """The follow-up of a signal without a stored row for ``basis``: every return unknown."""
    return {"basis": basis, "computed": False, "complete": False, "entry_date": None, "entry_price": None,
            "computed_at": None, **{column: None for column in RETURN_COLUMNS}}


def stored_follow_ups(keys, *, basis):
    """{(strategy, code, date): follow-up} of the stored rows of ``keys`` for ``basis``, in one query.

    A follow-up is {"basis", "computed", "complete", "entry_date", "entry_price", "computed_at",
    "ret_1" … "ret_60"} with the returns in percent as stored (None: not reached yet); keys without a
    row are absent (``not_computed``). One condition per (strategy, date) with its codes, so the
    query asks for exactly the keys, through the (strategy, code, date, basis) unique index."""
    groups = {}
    for strategy, code, day in keys:
        groups.setdefault((strategy, day), set()).add(code)
    if not groups:
        return {}
    where = reduce(or_, (Q(strategy=s, date=d, code__in=sorted(codes)) for (s, d), codes in groups.items()))
    out = {}
    for row in SignalReturn.objects.filter(where, basis=basis).values(*STORED_FIELDS):
        key = (row.pop("strategy"), row.pop("code"), row.pop("date"))
        out[key] = {"basis": basis, "computed": True, "computed_at": row.pop("updated_at"),
                    **{k: _finite(v) for k, v in row.items()}}
    return out


def _finite(value):
    """A stored NaN or infinity (a zero price upstream) as unknown: JSON has no such numbers."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def signals_on(*, strategy, day, side=None, basis=ReturnBasis.CLOSE):
    """The stocks ``strategy`` selected on ``day`` with names and their stored follow-up (``follow_up``)."""
    rows = StrategySignal.objects.filter(strategy=strategy, date=day).order_by("side", "code")
    if side:
        rows = rows.filter(side=side)
    rows = list(rows.values("code", "date", "side", "close", "strategy"))
    names = dict(Stock.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "name"))
    stored = stored_follow_ups([(r["strategy"], r["code"], r["date"]) for r in rows], basis=basis)
    for row in rows:
        row["name"] = names.get(row["code"], "")
        row["follow_up"] = stored.get((row["strategy"], row["code"], row["date"])) or not_computed(basis)
    return rows


def returns_task():
    """The task definition running the follow-up job whose run is the newest (annotated with
    ``last_run_id``, ``last_run_at`` and ``last_status``), or None when no task runs it."""
    tasks = with_last_run(TaskDefinition.objects.filter(job=RETURNS_JOB))
    return tasks.order_by(F("last_run_at").desc(nulls_last=True), "task_id").first()


def strategy_stats(*, strategy, start, end, side="buy", basis=ReturnBasis.CLOSE):
    """Per horizon, the stored statistics of ``strategy``'s ``side`` signals in start…end (count, hit
    rate, mean, median and quartiles, in percent; ``followup.summarize`` over at most
    MAX_STATS_SIGNALS rows), with how many signals are not computed yet and, per horizon, how many
    computed ones had not reached it."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if (end - start).days > MAX_STATS_DAYS:
        raise ValueError(f"the period may span at most {MAX_STATS_DAYS} days")
    period = {"strategy": strategy, "side": side, "date__gte": start, "date__lte": end}
    # Two counts on their indexes rather than an anti-join, whose plan turns quadratic while the
    # planner's statistics lag a large insert. Signals are upserted, never deleted by the jobs, so
    # the stored rows are a subset of the signals and the difference is what is not computed yet.
    total = StrategySignal.objects.filter(**period).count()
    stored = SignalReturn.objects.filter(basis=basis, **period).count()
    missing = max(0, total - stored)
    read = min(stored, MAX_STATS_SIGNALS)
    summary = {row["horizon"]: row for row in summarize(basis=basis, strategy_names=[strategy], side=side,
                                                        since=start, until=end, limit=MAX_STATS_SIGNALS)}
    horizons = {}
    for h in RETURN_HORIZONS:
        row = summary.get(h) or empty_summary()  # summarize counts finite returns only
        horizons[h] = {**row, "not_reached": read - row["count"]}
    return {"signals": total, "not_computed": missing, "stored": stored, "capped": stored > MAX_STATS_SIGNALS,
            "cap": MAX_STATS_SIGNALS, "basis": basis, "horizons": horizons}


def default_period(day=None, days=90):
    end = day or datetime.date.today()
    return end - datetime.timedelta(days=days), end
