"""The coverage page's figures, read from the summary rows the jobs keep (``market.coverage``)."""
import bisect
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, OuterRef, Subquery

from tasks_app.calendar import trading_days
from tasks_app.models import Status, TaskDefinition, TaskExecution
from tasks_app.stats import with_last_run

from ..coverage import DATASETS
from ..models import CoverageDay, CoverageStock, Stock
from ..pipeline import latest_complete_trading_day

MAX_WINDOW_DAYS = 250


@dataclass
class DayCell:
    date: datetime.date
    stocks: int
    share: float | None  # present / expected; None = no row (never written)

    @property
    def css(self):
        """Heat-map class by the share of stocks present."""
        if self.share is None:
            return "cov-none"
        if self.share >= 1:
            return "cov-full"
        if self.share >= 0.95:
            return "cov-high"
        return "cov-low" if self.share < 0.5 else "cov-mid"

    @property
    def title(self):
        share = "" if self.share is None else f" ({self.share:.0%})"
        return f"{self.date.isoformat()}: {self.stocks}{share}"


@dataclass
class DatasetCoverage:
    spec: object
    stocks: int = 0
    first: datetime.date | None = None
    last: datetime.date | None = None
    cells: list = field(default_factory=list)
    missing: list = field(default_factory=list)  # trading days absent or incomplete
    task: object = None  # the newest-run definition that runs the dataset's job

    @property
    def key(self):
        return self.spec.key


def window_days(days, end=None):
    """The last ``days`` trading days up to ``end`` (default: the latest complete trading day)."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_WINDOW_DAYS}, got {days}")
    end = end or latest_complete_trading_day()
    return trading_days(end - datetime.timedelta(days=int(days * 1.6) + 15), end)[-days:]


def listed_counter():
    """day -> how many stocks were listed on it (listing dates of the listed stocks, bisected)."""
    dates = sorted(d or datetime.date.min for d in Stock.objects.filter(status="listed")
                   .values_list("list_date", flat=True))
    return lambda day: bisect.bisect_right(dates, day)


def overview(*, days=60, end=None, keys=None):
    """Every dataset's coverage over the last ``days`` trading days, from the summary tables only."""
    window = window_days(days, end)
    specs = [DATASETS[k] for k in (keys or DATASETS)]
    result = {s.key: DatasetCoverage(spec=s) for s in specs}
    for row in (CoverageStock.objects.filter(dataset__in=list(result)).values("dataset")
                .annotate(n=Count("id"), first=Min("first_date"), last=Max("last_date")).order_by()):
        item = result[row["dataset"]]
        item.stocks, item.first, item.last = row["n"], row["first"], row["last"]
    _fill_cells(result, window)
    _attach_tasks(result)
    return list(result.values())


def _fill_cells(result, window):
    if not window:
        return
    counts = {(d, day): n for d, day, n in CoverageDay.objects.filter(
        dataset__in=list(result), date__gte=window[0], date__lte=window[-1]).values_list("dataset", "date", "stocks")}
    listed = listed_counter()
    for item in result.values():
        if not item.spec.daily:
            continue
        for day in window:
            item.cells.append(_cell(item.spec, day, counts.get((item.key, day)), listed(day)))
        item.missing = [c.date for c in item.cells if c.share is None or c.share < 1]


def _cell(spec, day, stocks, expected):
    if stocks is None:
        return DayCell(day, 0, None)
    if spec.presence:
        return DayCell(day, stocks, 1.0)
    return DayCell(day, stocks, min(1.0, stocks / expected) if expected else 1.0)


def _attach_tasks(result):
    jobs = {item.spec.job for item in result.values() if item.spec.job}
    failed = (TaskExecution.objects.filter(task=OuterRef("pk"), status__in=[Status.FAILED, Status.TIMEOUT])
              .order_by("-finished_at"))  # served by the (task, status, -finished_at) index
    tasks = with_last_run(TaskDefinition.objects.filter(job__in=jobs)).annotate(
        last_failed_id=Subquery(failed.values("pk")[:1]), last_failed_at=Subquery(failed.values("finished_at")[:1]))
    newest = {}
    for task in tasks.order_by("task_id"):
        current = newest.get(task.job)
        if current is None or (task.last_run_at and (not current.last_run_at
                                                     or task.last_run_at > current.last_run_at)):
            newest[task.job] = task
    for item in result.values():
        item.task = newest.get(item.spec.job)


def missing_stocks(*, spec, days):
    """Listed stocks absent on any of ``days`` (bars, indicators) or, for datasets without a day
    grid, listed stocks the dataset holds nothing for."""
    listed = set(Stock.objects.filter(status="listed").values_list("code", flat=True))
    if not spec.per_trading_day:
        return sorted(listed - set(CoverageStock.objects.filter(dataset=spec.key).values_list("code", flat=True)))
    complete = (spec.rows().filter(**{f"{spec.date_field}__in": days}).values(spec.code_field)
                .annotate(n=Count("pk")).filter(n=len(days)).values_list(spec.code_field, flat=True).order_by())
    return sorted(listed - set(complete))
