"""What the fetch jobs share: the run summary, per-unit fault isolation and source fallback.

A unit (a symbol, a day, a page) that fails is logged and counted, never fails the run; the run
fails only when units were attempted and none of them produced anything (``RunSummary.check``).
"""
import datetime
import logging
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from tasks_app.calendar import latest_trading_day
from tasks_app.context import JobCancelled

from .sources import SourceError, SourceUnavailable, get_source, other_source
from .validation import Skipped

logger = logging.getLogger(__name__)
# Never swallowed by the per-unit guard: the user's stop and the task's time limit end the run.
ABORTS = (JobCancelled, SoftTimeLimitExceeded)
MAX_ERRORS_KEPT = 50
MARKET_CLOSE = datetime.time(15, 30)  # bars of today are final only after the close (+ a buffer)


class NothingFetched(RuntimeError):
    """Every unit failed: the run has nothing to show and says why."""


@dataclass
class RunSummary:
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    units: int = 0
    failed: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    invalid: Skipped = field(default_factory=Skipped)

    def stored(self, counts, fetched):
        self.fetched += fetched
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def skip(self, skipped, log=None):
        """Count rows a validator dropped (``validation.Skipped``); they are fetched, not stored."""
        if skipped.total and log is not None:
            log.warning("skipped %d invalid row(s): %s", skipped.total,
                        ", ".join(f"{reason} ×{entry['count']}" for reason, entry in skipped.reasons.items()))
        self.fetched += skipped.total
        self.invalid.merge(skipped)

    def fail(self, unit, exc, log):
        log.warning("%s failed: %s", unit, exc)
        if len(self.failed) < MAX_ERRORS_KEPT:
            self.failed[str(unit)] = f"{type(exc).__name__}: {exc}"[:300]
        self.extra["failed_count"] = self.extra.get("failed_count", 0) + 1

    @property
    def failed_count(self):
        return self.extra.get("failed_count", 0)

    def check(self, what):
        """Raise NothingFetched when units were tried and all of them failed."""
        if self.units and self.failed_count >= self.units:
            first = "; ".join(f"{k}: {v}" for k, v in list(self.failed.items())[:3])
            raise NothingFetched(f"{what}: all {self.units} failed ({first})")

    def as_result(self, **more):
        result = {
            "rows_fetched": self.fetched, "rows_inserted": self.inserted, "rows_updated": self.updated,
            "rows_unchanged": self.unchanged, "rows_skipped": self.invalid.total, "skipped": self.invalid.reasons,
            "units": self.units, "failed_count": self.failed_count,
            "symbols_failed": sorted(self.failed), "errors": self.failed,
        }
        result.update({k: v for k, v in self.extra.items() if k != "failed_count"})
        result.update(more)
        return result


class SourceChain:
    """Calls a capability on the chosen source and, with ``fallback``, on the other one.

    After ``give_up_after`` consecutive failures of the first source it is skipped for the rest of
    the run, so a provider that is down costs a few retries, not thousands.
    """

    def __init__(self, data_source, *, fallback, log, give_up_after=5):
        self.names = [data_source] + ([other_source(data_source)] if fallback else [])
        self.log = log
        self.give_up_after = give_up_after
        self.consecutive = {name: 0 for name in self.names}
        self.used = {}
        self.last = None  # the source that served the latest successful call

    def run(self, capability, *args, **kwargs):
        errors = []
        for name in self._live_names():
            fn = getattr(get_source(name), capability, None)
            if fn is None:
                errors.append(f"{name} has no {capability}")
                continue
            try:
                result = fn(*args, **kwargs)
            except ABORTS:
                raise
            except SourceError as exc:
                self._failed(name, exc)
                errors.append(f"{name}: {exc}")
                continue
            self.consecutive[name] = 0
            self.used[name] = self.used.get(name, 0) + 1
            self.last = name
            return result
        error = SourceUnavailable if all("has no" in e for e in errors) else SourceError
        raise error("; ".join(errors) or f"no source for {capability}")

    def _live_names(self):
        live = [n for n in self.names if self.consecutive[n] < self.give_up_after]
        return live or self.names[-1:]

    def _failed(self, name, exc):
        self.consecutive[name] += 1
        if self.consecutive[name] == self.give_up_after and len(self.names) > 1:
            self.log.warning("%s failed %d times in a row; using %s for the rest of the run",
                             name, self.give_up_after, self.names[-1])


def guarded(summary, unit, log, fn, *args, **kwargs):
    """Run one unit of work; a failure is recorded in ``summary`` and None returned."""
    summary.units += 1
    try:
        return fn(*args, **kwargs)
    except ABORTS:
        raise
    except Exception as exc:  # one bad symbol/page must not end the run (it is counted)
        summary.fail(unit, exc, log)
        return None


def now_local():
    return timezone.localtime()


def snapshot_minute():
    return now_local().replace(second=0, microsecond=0)


def latest_complete_trading_day():
    """The last trading day whose daily bar is final (today only after the close)."""
    now = now_local()
    today = now.date()
    if now.time() < MARKET_CLOSE:
        today -= datetime.timedelta(days=1)
    return latest_trading_day(today)
