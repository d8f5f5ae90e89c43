"""The audit trail: one call from each service function that changes or runs something."""
import datetime

from .models import AuditLog

SKIP_FIELDS = {"id", "created_at", "updated_at", "created_by"}


def snapshot(instance):
    """The audited fields of a model instance, as JSON-safe values."""
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in SKIP_FIELDS:
            continue
        value = getattr(instance, f.attname)
        data[f.name] = value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value
    return data


def diff(before, after):
    """{field: [old, new]} for the fields that differ between two snapshots."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def record(*, action, target_type, target_id="", actor=None, interface="system", changes=None, message=""):
    """Write one audit entry. ``actor`` may be None or anonymous (system actions)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=user, actor_name=user.get_username() if user else "", action=action,
        target_type=target_type, target_id=str(target_id), interface=interface,
        changes=changes or {}, message=message,
    )
