""""Fill the gaps": start the job that brings a dataset's missing days and stocks, through the engine.

The run goes through ``tasks_app.dispatch.run_task_now`` like any manual run (policies, audit,
live execution page), on the enabled definition that runs the dataset's job, with params that
overlay the definition's for exactly the missing days and stocks.
"""
from django.core.exceptions import ValidationError

from tasks_app import dispatch
from tasks_app.models import TaskDefinition

from .coverage import get_dataset
from .models import Stock
from .reads.coverage import missing_stocks, overview

MAX_SIGNAL_DAYS = 20  # the signal job takes one day per run


def fill_params(*, spec, days, stocks):
    """[params of each run] that fetch ``days`` × ``stocks`` for ``spec``; [] when nothing can."""
    symbols = stocks
    if spec.key.startswith("bars:"):
        # Two dates are read as a range by the job: the days between are fetched again (idempotent).
        return [{"dates": [d.isoformat() for d in days], "symbols": symbols, "adjust": spec.where["adjust"],
                 "include_basic": False, "include_kline": True}]
    if spec.key.startswith("indicators:"):
        return [{"symbols": symbols, "periods": [spec.where["period"]], "full_recompute": True}]
    if spec.key.startswith("statements:"):
        return [{"symbols": symbols, "report_types": [spec.where["statement_type"]]}]
    if spec.key == "factors":
        return [{"symbols": symbols}] if symbols else []
    if spec.key.startswith("signals:"):
        return [{"strategies": [spec.where["strategy"]], "trade_date": d.isoformat()}
                for d in days[-MAX_SIGNAL_DAYS:]]
    if spec.key == "dragon_tiger" and days:
        return [{"start_date": days[0].isoformat(), "end_date": days[-1].isoformat()}]
    return []


def plan(*, dataset, days=60):
    """(spec, missing days, missing stocks or [] for all, [run params]) for ``dataset``'s window."""
    spec = get_dataset(dataset)
    item = overview(days=days, keys=[dataset])[0]
    missing_days = item.missing
    if spec.daily and not missing_days:
        return spec, [], [], []
    stocks = missing_stocks(spec=spec, days=missing_days) if spec.per_trading_day or not spec.daily else []
    if not spec.daily and not stocks:
        return spec, [], [], []
    listed = _listed_count()
    symbols = [] if len(stocks) >= listed else stocks  # all of them: let the job take the whole market
    return spec, missing_days, stocks, fill_params(spec=spec, days=missing_days, stocks=symbols)


def _listed_count():
    return Stock.objects.filter(status="listed").count()


def task_for(spec):
    """The enabled definition that runs ``spec``'s job (the first by task_id)."""
    task = TaskDefinition.objects.filter(job=spec.job, enabled=True).order_by("task_id").first() if spec.job else None
    if task is None:
        raise ValidationError({"dataset": [
            f"no enabled task runs job {spec.job or '(none)'} for {spec.key}: "
            "this dataset cannot be backfilled from here"]})
    return task


def fill_gaps(*, dataset, actor, days=60, interface="ui"):
    """Start the backfill runs of ``dataset``; returns the executions (the first is the one to watch)."""
    spec, missing_days, stocks, runs = plan(dataset=dataset, days=days)
    if not runs:
        raise ValidationError({"dataset": [f"{dataset}: nothing missing that a job can bring"]})
    task = task_for(spec)
    return [dispatch.run_task_now(task=task, actor=actor, params=params, interface=interface) for params in runs]
