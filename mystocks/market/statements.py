"""Financial statements by report period, in bulk: one whole-market table per statement type and period.

Asking for each stock's whole history (three F10 pages per statement) costs ~135,000 requests for
the market; Eastmoney's datacenter serves all stocks of one report period in pages of 500, about
11 requests per statement type. Progress is kept per (statement type, period) in ``SyncMark``:

- incremental (no ``periods``): the report periods of the last ``INCREMENTAL_DAYS`` that are not
  complete; a period is complete once fetched after its disclosure deadline (30 April for Q1 and
  annual reports, 31 August for half-years, 31 October for Q3); before that it is refreshed, at
  most once per ``refresh_hours``, because companies keep publishing until the deadline;
- backfill (``periods``: one period, or the first and last of a range): every period in it, except
  the complete ones, so a stopped or crashed backfill resumes where it was.
"""
import datetime

from django.utils import timezone

from . import coverage, storage, validation
from .models import FinancialStatement, SyncMark
from .pipeline import RunSummary, guarded, now_local
from .sources import akshare

INCREMENTAL_DAYS = 400
MAX_PERIODS = 200  # 50 years of quarters: a bound on a backfill's size


def quarter_ends(start, end):
    """Report periods (quarter ends) between two dates, ascending."""
    periods = []
    for year in range(start.year, end.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            period = datetime.date(year, month, day)
            if start <= period <= end:
                periods.append(period)
    return periods


def disclosure_deadline(period):
    """The legal deadline: Q1 and annual by 30 April, half-year by 31 August, Q3 by 31 October."""
    if period.month == 12:
        return datetime.date(period.year + 1, 4, 30)
    return {3: datetime.date(period.year, 4, 30), 6: datetime.date(period.year, 8, 31),
            9: datetime.date(period.year, 10, 31)}[period.month]


def resolve_periods(periods, today):
    """The periods asked for: none = the recent ones (incremental), one = that period, two = a range."""
    parsed = sorted({datetime.date.fromisoformat(str(p)) for p in periods or []})
    if len(parsed) > 2:
        raise ValueError("periods: give one report period, or the first and last of a range")
    if not parsed:
        return quarter_ends(today - datetime.timedelta(days=INCREMENTAL_DAYS), today - datetime.timedelta(days=1))
    chosen = quarter_ends(parsed[0], parsed[-1])
    if not chosen:
        raise ValueError(f"periods: no quarter end between {parsed[0]} and {parsed[-1]}")
    if len(chosen) > MAX_PERIODS:
        raise ValueError(f"periods: {len(chosen)} report periods, at most {MAX_PERIODS} per run")
    return chosen


def scope(statement_type):
    return f"statements:{statement_type}"


def units_to_fetch(report_types, periods, *, refresh_hours, now):
    """[(statement type, period)] not complete and not refreshed within ``refresh_hours``."""
    keys = [p.isoformat() for p in periods]
    marks = {(m.scope, m.key): m for m in SyncMark.objects.filter(
        scope__in=[scope(t) for t in report_types], key__in=keys)}
    fresh_since = now - datetime.timedelta(hours=refresh_hours)
    units = []
    for period in periods:
        for statement_type in report_types:
            mark = marks.get((scope(statement_type), period.isoformat()))
            if mark and (mark.complete or (mark.fetched_at and mark.fetched_at >= fresh_since)):
                continue
            units.append((statement_type, period))
    return units


def sync_statements_by_period(ctx, *, report_types, periods, refresh_hours):
    """Fetch and store whole-market statement tables per (type, period) still to do; returns the summary."""
    if not report_types:
        raise ValueError("report_types is empty: choose balance_sheet, income_statement and/or cash_flow")
    now = now_local()
    chosen = resolve_periods(periods, now.date())
    units = units_to_fetch(report_types, chosen, refresh_hours=refresh_hours, now=now)
    ctx.log.info("%d of %d (statement, period) units to fetch", len(units), len(chosen) * len(report_types))
    summary = RunSummary()
    for i, (statement_type, period) in enumerate(units):
        ctx.check_cancelled()
        frame = guarded(summary, f"{statement_type} {period}", ctx.log, akshare.statements_for_period,
                        statement_type, period)
        if frame is not None:
            _store(summary, frame, statement_type)
            _mark(statement_type, period, rows=len(frame))
        ctx.progress(i + 1, len(units), f"{statement_type} {period}")
    summary.check("financial statements")
    return summary.as_result(periods=[p.isoformat() for p in chosen], units_fetched=len(units),
                             sources_used={"akshare": len(units)} if units else {})


def _store(summary, frame, statement_type):
    if frame.empty:
        return
    frame, skipped = validation.clean_required(frame, required=("code", "report_date"))
    summary.skip(skipped)
    frame = frame.assign(statement_type=statement_type, source="akshare")
    counts = storage.upsert(FinancialStatement, frame, keys=["code", "report_date", "statement_type"])
    summary.stored(counts, len(frame))
    coverage.record(dataset=f"statements:{statement_type}", codes=frame["code"].unique())


def _mark(statement_type, period, *, rows):
    now = timezone.now()
    complete = now_local().date() > disclosure_deadline(period)
    SyncMark.objects.update_or_create(scope=scope(statement_type), key=period.isoformat(), defaults={
        "done_through": period, "complete": complete, "fetched_at": now, "rows": rows})
