"""API cleanups: the retention service does the work (roll-ups first, batched deletes); this records who asked."""
from .. import audit, retention


def delete_old_executions(*, days, actor=None, interface="api"):
    """Delete finished executions older than ``days`` days (rolled up first); returns how many."""
    deleted = retention.delete_old_executions(days=days)
    audit.record(action="cleanup", target_type="execution", actor=actor, interface=interface,
                 changes={"days": days, "deleted": deleted})
    return deleted


def delete_old_audit_logs(*, days, actor=None, interface="api"):
    """Delete audit entries older than ``days`` days (the cleanup itself is recorded afterwards)."""
    deleted = retention.delete_old_audit(days=days)
    audit.record(action="cleanup", target_type="audit", actor=actor, interface=interface,
                 changes={"days": days, "deleted": deleted})
    return deleted
