"""Runs: task executions and group runs, with their state machines.

The dispatch's insert, the runner's transitions (start, finish) and its heartbeat are single
hand-written statements, built once per process: they run for every execution, where building
the ORM query cost more than the round trip. The transitions stay conditional
(``WHERE status = …``), so two processes still never both win.
"""
import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, Q
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import limits
from .definitions import TaskDefinition, TaskGroup


def choice_label(choices, value):
    """The label of ``value`` among ``choices`` (a Choices class); None when it is not one of them
    (a stored value from an older version, or nothing)."""
    return choices(value).label if value in choices.values else None


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Success")
    FAILED = "failed", _("Failed")
    TIMEOUT = "timeout", _("Timeout")
    CANCELLED = "cancelled", _("Cancelled")
    SKIPPED = "skipped", _("Skipped")


ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)
FINISHED_STATUSES = (Status.SUCCESS, Status.FAILED, Status.TIMEOUT, Status.CANCELLED, Status.SKIPPED)


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", pgettext_lazy("trigger", "Manual")
    API = "api", _("API")
    RETRY = "retry", _("Retry")
    DEPENDENCY = "dependency", _("Dependency")
    GROUP = "group", _("Group")
    RESTART = "restart", _("Auto-restart")
    CATCH_UP = "catch_up", _("Catch-up")


class GroupRun(models.Model):
    """One run of a TaskGroup: pending → running → success | failed | cancelled."""

    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["group", "-created_at"], name="grouprun_group_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "scheduled_for"], condition=Q(trigger="schedule"),
                name="grouprun_scheduled_slot_unique",
            ),
        ]


class TaskExecution(models.Model):
    """One attempt at running a task.

    State machine (every change is a conditional UPDATE, so two processes never both win)::

        pending ──mark_running──▶ running ──finish──▶ success | failed | timeout | cancelled
        pending ──skip──────────▶ skipped        (a policy said no; ``skip_reason`` says which)
        pending ──cancel────────▶ cancelled      (stopped before a worker started it)

    A finished row never changes status again. Retries are new rows (``retry_of``, ``attempt``).
    """

    # Every index is written on each insert and on both status changes of every run, so there is
    # none that nothing reads: ``task`` is served by the (task, …) indexes below, and no query
    # looks a run up by its Celery id (stop revokes it from the row).
    task = models.ForeignKey(TaskDefinition, on_delete=models.CASCADE, related_name="executions", db_index=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text=_("seconds"))
    attempt = models.PositiveIntegerField(default=1)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    group_run = models.ForeignKey(
        GroupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="executions",
    )
    worker_host = models.CharField(max_length=200, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.FloatField(null=True, blank=True)
    progress_total = models.FloatField(null=True, blank=True)
    progress_message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    skip_reason = models.TextField(blank=True)
    log = models.TextField(blank=True)
    log_truncated = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    covers_slots = models.JSONField(
        default=list, blank=True, help_text=_("the missed slots a catch-up run stands for (ISO times)"),
    )
    cancel_requested = models.BooleanField(default=False)
    wait_reason = models.CharField(
        max_length=200, blank=True, help_text=_("why a pending run is held back (overlap queue, upstreams)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["task", "-created_at"], name="exec_task_created"),
            models.Index(fields=["-created_at"], name="exec_created"),
            models.Index(fields=["status", "-created_at"], name="exec_status_created"),
            models.Index(fields=["task", "status", "-finished_at"], name="exec_task_status_finished"),
            models.Index(fields=["task"], condition=Q(status="pending") & ~Q(wait_reason=""), name="exec_waiting"),
            models.Index(fields=["heartbeat_at"], condition=Q(status="running"), name="exec_running_heartbeat"),
        ]
        constraints = [
            # Exactly-once scheduled slots: a second beat firing the same slot hits this.
            models.UniqueConstraint(
                fields=["task", "scheduled_for"], condition=Q(trigger="schedule"),
                name="exec_scheduled_slot_unique",
            ),
        ]

    # Set by finish(): whether any pending run was held back (wait_reason) as this one ended, and
    # whether its task had an open alert incident; None when not known, and then
    # release_waiting and the alerts ask the database.
    runs_held_back = None
    task_has_open_incident = None

    def __str__(self):
        return f"#{self.pk} {self.task_id} {self.status}"

    @property
    def is_finished(self):
        return self.status in FINISHED_STATUSES

    @property
    def lag(self):
        if self.started_at and self.scheduled_for:
            return (self.started_at - self.scheduled_for).total_seconds()
        return None

    def _transition(self, from_statuses, *, unless_cancelled=False, **changes):
        """Apply ``changes`` only if the row is still in one of ``from_statuses``; True when it was."""
        rows = TaskExecution.objects.filter(pk=self.pk, status__in=from_statuses)
        if unless_cancelled:
            rows = rows.filter(cancel_requested=False)
        if not rows.update(**changes):
            return False
        for field, value in changes.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self, field, value)
        return True

    def insert(self):
        """INSERT this new execution with one statement built once per process; sets its primary key.

        What ``save(force_insert=True)`` stores, without building the statement on every call
        (dispatch creates a row per run). Nothing listens to executions' save signals, and none
        are sent.
        """
        db = connections[DEFAULT_DB_ALIAS]
        sql, fields = _insert_statement(db)
        params = [field.get_db_prep_save(field.pre_save(self, True), db) for field in fields]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            self.pk = cursor.fetchone()[0]
        self._state.adding, self._state.db = False, db.alias

    @classmethod
    def start(cls, pk, *, worker_host, worker_pid):
        """pending → running in one statement; returns the execution with its definition loaded.

        Returns None when the row is not pending any more, was cancelled, or does not exist
        (another delivery of the same message, a stop, a deleted run): nothing starts then.
        """
        db = connections[DEFAULT_DB_ALIAS]
        now = timezone.now()
        params = [_prep(db, "status", Status.RUNNING), _prep(db, "started_at", now), _prep(db, "heartbeat_at", now),
                  worker_host, worker_pid, pk, Status.PENDING]
        joined = db.vendor == "postgresql"  # SQLite's RETURNING cannot name the FROM table's columns
        with db.cursor() as cursor:
            cursor.execute(_start_sql(db, joined=joined), params)
            row = cursor.fetchone()
        if row is None:
            return None
        columns = _loaders(db, cls)
        execution = _load(db, cls, columns, row[:len(columns)])
        if joined:
            execution.task = _load(db, TaskDefinition, _loaders(db, TaskDefinition), row[len(columns):])
        return execution

    def mark_running(self, *, worker_host, worker_pid):
        """pending → running, unless it was cancelled or another delivery already started it."""
        now = timezone.now()
        return self._transition(
            [Status.PENDING], unless_cancelled=True, status=Status.RUNNING, started_at=now,
            heartbeat_at=now, worker_host=worker_host, worker_pid=worker_pid,
        )

    def skip(self, reason):
        """pending → skipped with the policy's reason."""
        now = timezone.now()
        return self._transition(
            [Status.PENDING], status=Status.SKIPPED, skip_reason=reason, finished_at=now, duration=0,
        )

    def cancel_pending(self, reason="stopped by user"):
        """pending → cancelled; the worker will find it cancelled and not start it."""
        return self._transition(
            [Status.PENDING], status=Status.CANCELLED, cancel_requested=True, error=reason,
            finished_at=timezone.now(),
        )

    def finish(self, status, *, result=None, error="", traceback="", log_tail="", log_truncated=False, progress=None):
        """running → a final status, with its outcome, duration and the last captured log lines.

        One statement; it also brings back ``cancel_requested`` as it is now, so the follow-ups
        (retry, restart) see a stop that arrived while the job ran, whether any run is held
        back (``runs_held_back``) and whether the task has an open alert incident
        (``task_has_open_incident``), so releasing runs and evaluating alerts cost nothing more
        in the common case.
        """
        db = connections[DEFAULT_DB_ALIAS]
        now = timezone.now()
        changes = {
            # Capped: a job's 2.4 MB error message was stored three times and bloated every list.
            "status": status, "result": limits.cap_result(result),
            "error": limits.cap_text(error, limits.MAX_ERROR_CHARS),
            "traceback": limits.cap_text(traceback, limits.MAX_TRACEBACK_CHARS),
            "finished_at": now, "duration": (now - self.started_at).total_seconds() if self.started_at else None,
        }
        if log_truncated:
            changes["log_truncated"] = True
        if progress:
            changes.update(progress_done=progress["done"], progress_total=progress["total"],
                           progress_message=progress["message"])
        sql, params = _finish_sql(db, changes, log_tail=log_tail, pk=self.pk)
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return False
        for field, value in changes.items():
            setattr(self, field, value)
        self.log += log_tail
        self.cancel_requested, self.runs_held_back, self.task_has_open_incident = map(bool, row)
        return True

    def append_log(self, text, *, truncated=False):
        """Append captured lines in the database (readable while the job runs)."""
        changes = {"log": Concat(F("log"), models.Value(text))}
        if truncated:
            changes["log_truncated"] = True
        TaskExecution.objects.filter(pk=self.pk).update(**changes)

    def record_progress(self, progress):
        TaskExecution.objects.filter(pk=self.pk).update(
            progress_done=progress["done"], progress_total=progress["total"],
            progress_message=progress["message"],
        )

    def record_heartbeat(self):
        """Refresh heartbeat_at; return whether a stop was requested meanwhile (one statement)."""
        db = connections[DEFAULT_DB_ALIAS]
        table, qn = TaskExecution._meta.db_table, db.ops.quote_name
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {qn(table)} SET {qn('heartbeat_at')} = %s WHERE {qn('id')} = %s "
                f"RETURNING {qn('cancel_requested')}",
                [_prep(db, "heartbeat_at", timezone.now()), self.pk],
            )
            row = cursor.fetchone()
        return bool(row and row[0])


def _prep(db, name, value):
    """A value for ``TaskExecution.<name>`` as the database driver wants it."""
    return TaskExecution._meta.get_field(name).get_db_prep_save(value, db)


@functools.lru_cache(maxsize=32)
def _insert_statement(db):
    """(INSERT … RETURNING id, the fields whose values it takes in order)."""
    qn = db.ops.quote_name
    fields = tuple(f for f in TaskExecution._meta.concrete_fields if not f.primary_key)
    sql = (f"INSERT INTO {qn(TaskExecution._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(TaskExecution._meta.pk.column)}")
    return sql, fields


@functools.lru_cache(maxsize=32)
def _start_sql(db, *, joined):
    execution, definition = TaskExecution._meta, TaskDefinition._meta
    qn = db.ops.quote_name
    te, td = qn(execution.db_table), qn(definition.db_table)
    returning = [f"{te}.{qn(f.column)}" for f in execution.concrete_fields]
    join = ""
    if joined:
        returning += [f"{td}.{qn(f.column)}" for f in definition.concrete_fields]
        join = f" FROM {td} WHERE {td}.{qn('id')} = {te}.{qn('task_id')} AND"
    else:
        join = " WHERE"
    return (
        f"UPDATE {te} SET {qn('status')} = %s, {qn('started_at')} = %s, {qn('heartbeat_at')} = %s, "
        f"{qn('worker_host')} = %s, {qn('worker_pid')} = %s{join} {te}.{qn('id')} = %s AND {te}.{qn('status')} = %s "
        f"AND NOT {te}.{qn('cancel_requested')} RETURNING {', '.join(returning)}"
    )


def _finish_sql(db, changes, *, log_tail, pk):
    params = [_prep(db, name, value) for name, value in changes.items()]
    if log_tail:
        params.append(log_tail)
    sql = _finish_statement(db, tuple(changes), appends_log=bool(log_tail))
    return sql, [*params, pk, Status.RUNNING, Status.PENDING]


@functools.lru_cache(maxsize=32)
def _finish_statement(db, names, *, appends_log):
    qn = db.ops.quote_name
    assignments = [f"{qn(TaskExecution._meta.get_field(name).column)} = %s" for name in names]
    if appends_log:
        assignments.append(f"{qn('log')} = {qn('log')} || %s")
    table = qn(TaskExecution._meta.db_table)
    held_back = (f"EXISTS (SELECT 1 FROM {table} held WHERE held.{qn('status')} = %s "
                 f"AND held.{qn('wait_reason')} <> '')")
    incident = qn(TaskDefinition._meta.get_field("alert_incidents").related_model._meta.db_table)
    open_incident = (f"EXISTS (SELECT 1 FROM {incident} WHERE {incident}.{qn('task_id')} = {table}.{qn('task_id')} "
                     f"AND {incident}.{qn('resolved_at')} IS NULL)")
    return (f"UPDATE {table} SET {', '.join(assignments)} WHERE {qn('id')} = %s AND {qn('status')} = %s "
            f"RETURNING {qn('cancel_requested')}, {held_back}, {open_incident}")


@functools.lru_cache(maxsize=32)
def _loaders(db, model):
    """Per concrete field of ``model``: (attname, the converters the ORM would apply to its column)."""
    loaders = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        loaders.append((field.attname, db.ops.get_db_converters(column) + column.get_db_converters(db), column))
    return tuple(loaders)


def _load(db, model, loaders, values):
    converted = []
    for (_attname, converters, column), value in zip(loaders, values):
        for converter in converters:
            value = converter(value, column, db)
        converted.append(value)
    return model.from_db(db.alias, [loader[0] for loader in loaders], converted)
