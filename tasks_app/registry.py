"""The registries: jobs (the only code a task definition can run) and task types.

A job is a plain function ``fn(ctx, **params)`` registered under a name with its declared
params. Nothing is ever imported from a module path a user typed (the old task manager's
``task_module`` + ``task_function`` pair was remote code execution); a definition names a
registered job and its params are validated against the declaration on every save path and
again at run time.

A task type is a label a definition carries (``task_type``) for the pages' tabs, filters and
badges. The engine registers the generic ones below; an app registers its own with
``register_task_type`` next to its jobs. A definition's type must be registered when it is saved;
a stored type that no longer is shows as its raw key.
"""
import datetime
from dataclasses import dataclass, field
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import limits

PARAM_TYPES = ("str", "int", "float", "bool", "date", "list", "dict")
_MISSING = object()


class ParamsInvalid(ValidationError):
    """Params rejected by a job's declaration; ``by_param`` maps each param to its message."""

    def __init__(self, by_param):
        self.by_param = dict(by_param)
        super().__init__([f"{name}: {msg}" for name, msg in self.by_param.items()])


@dataclass(frozen=True)
class Param:
    """One declared parameter of a job.

    ``choices`` limits the value (each item, for a list). ``default`` is used when the
    param is absent or an empty string (the old task manager's files write ``""`` for "not
    set"); a param with no default and ``required=True`` must be given. ``check`` returns a
    message for a value that is valid but will be refused when the job runs (e.g. a path
    outside an allowed folder): reported as a warning on save and import, so a definition
    written for another machine still imports, and raised by the job with the same words.
    """

    name: str
    type: str = "str"
    default: Any = None
    choices: tuple = ()
    required: bool = False
    help: str = ""
    check: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        if self.type not in PARAM_TYPES:
            raise ValueError(f"param {self.name!r}: unknown type {self.type!r}")

    def coerce(self, value):
        """Return ``value`` converted to this param's type, or raise ValueError saying why."""
        if value is None:
            if self.required:
                raise ValueError(_("is required"))
            return None
        converted = _COERCERS[self.type](value)
        items = converted if self.type == "list" else [converted]
        if self.choices:
            bad = [item for item in items if item not in self.choices]
            if bad:
                allowed = ", ".join(str(c) for c in self.choices)
                raise ValueError(_("%(values)s not one of: %(allowed)s") % {
                    "values": ", ".join(map(str, bad)), "allowed": allowed})
        return converted

    def describe(self):
        return {
            "name": self.name, "type": self.type, "default": self.default,
            "choices": list(self.choices), "required": self.required, "help": str(self.help),
        }


def _to_int(value):
    if isinstance(value, bool):
        raise ValueError(_("must be an integer, not a boolean"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValueError(_("must be an integer, got %(value)r") % {"value": value})


def _to_float(value):
    if isinstance(value, bool):
        raise ValueError(_("must be a number, not a boolean"))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(_("must be a number, got %(value)r") % {"value": value}) from None


def _to_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise ValueError(_("must be true or false, got %(value)r") % {"value": value})


def _to_str(value):
    if isinstance(value, (dict, list)):
        raise ValueError(_("must be a string, got %(type)s") % {"type": type(value).__name__})
    return str(value)


def _to_date(value):
    """Dates travel as ISO strings (JSON-safe); both YYYY-MM-DD and YYYYMMDD are accepted."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(_("must be a date like 2024-01-31, got %(value)r") % {"value": value})


def _to_list(value):
    if not isinstance(value, (list, tuple)):
        raise ValueError(_("must be a list, got %(type)s") % {"type": type(value).__name__})
    return list(value)


def _to_dict(value):
    if not isinstance(value, dict):
        raise ValueError(_("must be a mapping, got %(type)s") % {"type": type(value).__name__})
    return dict(value)


_COERCERS = {
    "str": _to_str, "int": _to_int, "float": _to_float, "bool": _to_bool,
    "date": _to_date, "list": _to_list, "dict": _to_dict,
}


@dataclass(frozen=True)
class JobSpec:
    """A registered job: its name, function, declared params and a one-line description."""

    name: str
    func: Callable
    params: tuple = ()
    description: str = ""
    queue: str = "default"
    implemented: bool = True
    param_index: dict = field(default_factory=dict, compare=False, repr=False)

    def validate_params(self, params):
        """Return ``params`` merged over the declared defaults and coerced, or raise ParamsInvalid."""
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ParamsInvalid({"params": _("must be a mapping, got %(type)s") % {"type": type(params).__name__}})
        if limits.nesting_depth(params) > limits.MAX_NESTING or limits.json_size(params) > limits.MAX_PARAMS_BYTES:
            raise ParamsInvalid({"params": _("larger than %(limit)s bytes as JSON or nested too deep")
                                 % {"limit": limits.MAX_PARAMS_BYTES}})
        where = limits.find_control_char(params)
        if where:  # PostgreSQL's jsonb cannot hold NUL: refused here for every door, not as a database error
            raise ParamsInvalid({where: _("must not contain NUL or other control characters")})
        errors = {}
        for name in params:
            if name not in self.param_index:
                errors[name] = _("not a parameter of job %(job)r (accepted: %(accepted)s)") % {
                    "job": self.name, "accepted": ", ".join(self.param_index) or _("none")}
        merged = {}
        for name, param in self.param_index.items():
            value = params.get(name, param.default)
            try:
                merged[name] = param.coerce(param.default if value == "" else value)
            except ValueError as exc:
                errors[name] = str(exc)
        if errors:
            raise ParamsInvalid(errors)
        return merged

    def param_warnings(self, params):
        """{param: message} for valid values the job will refuse at run time (``Param.check``)."""
        warnings = {}
        for name, param in self.param_index.items():
            message = param.check(params.get(name)) if param.check and params.get(name) is not None else ""
            if message:
                warnings[name] = str(message)
        return warnings

    def describe(self):
        return {
            "name": self.name, "description": self.description, "queue": self.queue,
            "implemented": self.implemented, "params": [p.describe() for p in self.params],
        }


_registry: dict[str, JobSpec] = {}


class UnknownJob(LookupError):
    pass


def job(name, *, params=(), description="", queue="default", implemented=True):
    """Register ``fn(ctx, **params)`` as the job ``name``.

    ``queue`` is the default queue for definitions of this job (default, fetch or compute).
    """

    def register(func):
        if name in _registry and _registry[name].func is not func:
            raise ValueError(f"job {name!r} is already registered by {_registry[name].func!r}")
        _registry[name] = JobSpec(
            name=name, func=func, params=tuple(params), queue=queue,
            description=description or (func.__doc__ or "").strip().split("\n")[0],
            implemented=implemented, param_index={p.name: p for p in params},
        )
        return func

    return register


def get_job(name):
    """Return the JobSpec registered as ``name`` or raise UnknownJob."""
    try:
        return _registry[name]
    except KeyError:
        raise UnknownJob(_("unknown job %(job)r; registered jobs: %(jobs)s") % {
            "job": name, "jobs": ", ".join(sorted(_registry))}) from None


def all_jobs():
    return dict(sorted(_registry.items()))


TASK_TYPE_MAX_LENGTH = 32  # TaskDefinition.task_type's max_length


@dataclass(frozen=True)
class TaskTypeSpec:
    """A registered task type: its key, its label, whether the task list has a tab for it, its order."""

    key: str
    label: Any
    tab: bool = False
    order: int = 100


_task_types: dict[str, TaskTypeSpec] = {}


def register_task_type(key, label, *, tab=False, order=100):
    """Register the task type ``key`` shown as ``label`` (lazy-translated), with a tab on the task list
    page when ``tab``; tabs, choices and filters list the types by ``order``, then key."""
    if not isinstance(key, str) or not key or len(key) > TASK_TYPE_MAX_LENGTH:
        raise ValueError(f"task type {key!r}: a non-empty string of at most {TASK_TYPE_MAX_LENGTH} characters")
    spec = TaskTypeSpec(key=key, label=label, tab=tab, order=order)
    if key in _task_types and _task_types[key] != spec:
        raise ValueError(f"task type {key!r} is already registered as {_task_types[key]!r}")
    _task_types[key] = spec
    return spec


def task_types():
    """The registered task types, by order then key."""
    return sorted(_task_types.values(), key=lambda spec: (spec.order, spec.key))


def task_type_label(key):
    """The label of a registered type; an unregistered (or empty) key as it is."""
    spec = _task_types.get(key)
    return spec.label if spec else key


def task_type_choices(current=None):
    """[(key, label)] of the registered types; ``current`` (a stored value) is added as its raw key
    when it is not registered, so a form shows what is stored instead of silently changing it."""
    choices = [(spec.key, spec.label) for spec in task_types()]
    if current and current not in _task_types:
        choices.append((current, current))
    return choices


def check_task_type(key):
    """Return ``key`` when it is a registered task type, else raise ValueError listing the known ones."""
    if key not in _task_types:
        raise ValueError(_("unknown task type %(type)r; registered task types: %(types)s") % {
            "type": key, "types": ", ".join(spec.key for spec in task_types())})
    return key


# The engine's own, generic types. The old task manager's catalogue also used data_sync,
# indicator_calc, market_fetch, market_sync and strategy_backtest: the domain app registers those.
register_task_type("cron", gettext_lazy("Scheduled"), tab=True, order=10)
register_task_type("manual", gettext_lazy("Manual"), tab=True, order=50)
register_task_type("supervisor", gettext_lazy("Long-running"), order=60)
register_task_type("data_processing", gettext_lazy("Data processing"), order=70)
register_task_type("report_generation", gettext_lazy("Report generation"), order=71)
register_task_type("notification", gettext_lazy("Notification"), order=72)
register_task_type("health_check", gettext_lazy("Health check"), order=73)
register_task_type("cache_cleanup", gettext_lazy("Cache cleanup"), order=74)
register_task_type("cache_warmup", gettext_lazy("Cache warm-up"), order=75)
