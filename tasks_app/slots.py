"""Schedule arithmetic with no Celery or beat in it: validation, slots, next runs, words.

A *slot* is the moment a scheduled run belongs to. Cron slots are the cron times themselves;
interval slots lie on a grid anchored at ``start_time`` (or the Unix epoch), so every beat
process computes the same slot for the same firing and the (task, slot) unique constraint
turns a second firing into a no-op.
"""
import datetime
import zoneinfo

from cron_descriptor import ExpressionDescriptor, Options
from croniter import croniter
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# Beat may fire a few milliseconds before a grid point (celery subtracts a small drift).
SLOT_TOLERANCE = datetime.timedelta(seconds=1)
# What the slot arithmetic, beat and the database all compute without overflow, with a wide
# margin: a 10^12-second interval or a start in year 9999 once crashed every page listing tasks.
MIN_YEAR, MAX_YEAR = 1970, 2100
MAX_INTERVAL_SECONDS = 10 * 365 * 24 * 3600
_WEEKDAYS_ZH = {
    "Monday": "星期一", "Tuesday": "星期二", "Wednesday": "星期三", "Thursday": "星期四",
    "Friday": "星期五", "Saturday": "星期六", "Sunday": "星期日",
}


def validate_cron(expression):
    """Return an error message for a bad 5-field cron expression, or None."""
    fields = (expression or "").split()
    if len(fields) != 5:
        return _("must have 5 fields (minute hour day month weekday), got %(n)s") % {"n": len(fields)}
    if not croniter.is_valid(expression):
        return _("%(expr)r is not a valid cron expression") % {"expr": expression}
    try:
        croniter(expression, timezone.now()).get_next(datetime.datetime)
    except (ValueError, KeyError) as exc:
        return _("%(expr)r is not a valid cron expression: %(error)s") % {"expr": expression, "error": exc}
    return None


def validate_schedule(*, schedule_type, cron_expression, interval_seconds, start_time, end_time):
    """Return {field: message} for every problem in a schedule."""
    errors = {}
    if schedule_type == "cron":
        message = validate_cron(cron_expression)
        if message:
            errors["cron_expression"] = message
    elif schedule_type == "interval":
        if not isinstance(interval_seconds, int) or isinstance(interval_seconds, bool) or interval_seconds <= 0:
            errors["interval_seconds"] = _("must be a positive number of seconds")
        elif interval_seconds > MAX_INTERVAL_SECONDS:
            errors["interval_seconds"] = (_("must be at most %(limit)s seconds (10 years)")
                                          % {"limit": MAX_INTERVAL_SECONDS})
    elif schedule_type == "once":
        if not start_time:
            errors["start_time"] = _("a 'once' schedule needs start_time")
    elif schedule_type not in ("none", "", None):
        errors["schedule_type"] = _("unknown schedule type %(type)r (cron, interval, once)") % {"type": schedule_type}
    for name, moment in (("start_time", start_time), ("end_time", end_time)):
        if moment and not MIN_YEAR <= moment.year <= MAX_YEAR:
            errors[name] = _("must be between the years %(min)s and %(max)s") % {"min": MIN_YEAR, "max": MAX_YEAR}
    if start_time and end_time and "start_time" not in errors and "end_time" not in errors and end_time <= start_time:
        errors["end_time"] = _("must be after start_time")
    return errors


def _tz(definition):
    return zoneinfo.ZoneInfo(definition.timezone or settings.TIME_ZONE)


def _grid_anchor(definition):
    # Groups have no start/end window: their interval grid is anchored at the epoch.
    return getattr(definition, "start_time", None) or EPOCH


def interval_slot(moment, *, every, anchor=EPOCH):
    """The grid point of an ``every``-second interval at or just before ``moment``."""
    every = datetime.timedelta(seconds=every)
    tolerance = min(SLOT_TOLERANCE, every / 4)
    steps = (moment - anchor + tolerance) // every
    return anchor + steps * every


def slot_for(definition, fired_at):
    """The slot a firing at ``fired_at`` belongs to, for the definition's schedule."""
    if definition.schedule_type == "cron":
        # Add in absolute time, then convert: wall-clock arithmetic on an aware datetime drops
        # ``fold``, so in the repeated autumn hour 01:00 EST + 1 s became 01:00:01 EDT, an hour early.
        local = (fired_at + SLOT_TOLERANCE).astimezone(_tz(definition))
        # In UTC: a local time in the repeated hour (fold=1) never compares equal across zones.
        slot = croniter(definition.cron_expression, local).get_prev(datetime.datetime)
        return slot.astimezone(datetime.timezone.utc)
    if definition.schedule_type == "interval":
        return interval_slot(fired_at, every=definition.interval_seconds, anchor=_grid_anchor(definition))
    if definition.schedule_type == "once":
        return definition.start_time
    return fired_at


def next_run_times(definition, *, n=5, after=None):
    """The next ``n`` slots after ``after`` (default now), within start/end; [] for manual tasks.

    Also [] for a stored schedule the arithmetic cannot compute (out of range): the pages and
    lists showing it must still render.
    """
    try:
        return _next_run_times(definition, n=n, after=after or timezone.now())
    except (OverflowError, ValueError, TypeError):
        return []


def _next_run_times(definition, *, n, after):
    start, end = getattr(definition, "start_time", None), getattr(definition, "end_time", None)
    if start and after < start:
        after = start - datetime.timedelta(microseconds=1)
    times = list(_iter_slots(definition, after, n))
    if end:
        times = [t for t in times if t <= end]
    return times


def _iter_slots(definition, after, n):
    if definition.schedule_type == "cron":
        if validate_cron(definition.cron_expression):
            return
        it = croniter(definition.cron_expression, after.astimezone(_tz(definition)))
        for _step in range(n):
            yield it.get_next(datetime.datetime)
    elif definition.schedule_type == "interval" and definition.interval_seconds:
        every = datetime.timedelta(seconds=definition.interval_seconds)
        anchor = _grid_anchor(definition)
        slot = anchor + ((after - anchor) // every + 1) * every
        for i in range(n):
            yield (slot + i * every).astimezone(_tz(definition))
    elif definition.schedule_type == "once" and definition.start_time and definition.start_time > after:
        yield definition.start_time.astimezone(_tz(definition))


def describe(definition, *, lang=None):
    """The schedule in words, in Chinese or English ("每个工作日 16:00" / "every weekday at 16:00")."""
    zh = (lang or get_language() or "zh-hans").lower().startswith("zh")
    kind = definition.schedule_type
    if kind == "cron":
        return describe_cron(definition.cron_expression, zh=zh)
    if kind == "interval":
        return _describe_interval(definition.interval_seconds or 0, zh=zh)
    if kind == "once" and definition.start_time:
        try:
            when = definition.start_time.astimezone(_tz(definition)).strftime("%Y-%m-%d %H:%M")
        except (OverflowError, ValueError):  # a stored value out of range still renders
            when = definition.start_time.isoformat()
        if definition.start_time <= timezone.now():  # its one slot is behind it: nothing more to run
            return f"单次 {when}（已结束）" if zh else f"once at {when} (done)"
        return f"单次 {when}" if zh else f"once at {when}"
    return "手动" if zh else "manual"


def describe_cron(expression, *, zh=True):
    fields = (expression or "").split()
    if len(fields) == 5 and fields[2:] == ["*", "*", "1-5"] and fields[0].isdigit() and fields[1].isdigit():
        hhmm = f"{int(fields[1]):02d}:{int(fields[0]):02d}"
        return f"每个工作日 {hhmm}" if zh else f"every weekday at {hhmm}"
    options = Options()
    options.locale_code = "zh_CN" if zh else "en_US"
    options.use_24hour_time_format = True
    try:
        text = ExpressionDescriptor(expression, options).get_description()
    except Exception:  # cron-descriptor raises bare Exceptions on odd input; show the expression
        return expression
    if zh:
        for en, cn in _WEEKDAYS_ZH.items():
            text = text.replace(en, cn)
    return text


def _describe_interval(seconds, *, zh):
    for unit_seconds, zh_unit, en_unit in ((86400, "天", "day"), (3600, "小时", "hour"), (60, "分钟", "minute")):
        if seconds >= unit_seconds and seconds % unit_seconds == 0:
            count = seconds // unit_seconds
            return f"每 {count} {zh_unit}" if zh else f"every {count} {en_unit}{'s' if count > 1 else ''}"
    return f"每 {seconds} 秒" if zh else f"every {seconds} second{'s' if seconds != 1 else ''}"
