"""Which rules, and so which channels, apply to a task's events or to the system's."""
from django.db.models import Q

from ..models import AlertRule

GLOBAL = Q(task__isnull=True, group__isnull=True)


def applicable_rules(task):
    """The enabled rules of the most specific scope that has any: the task, its groups, global.

    ``task`` None means a system event (beat, workers): the global rules.
    """
    rules = AlertRule.objects.filter(enabled=True).prefetch_related("channels")
    if task is None:
        return list(rules.filter(GLOBAL))
    for scope in (Q(task=task), Q(group__members__task=task), GLOBAL):
        found = list(rules.filter(scope).distinct())
        if found:
            return found
    return []


def channels_for(rules, flag):
    """Enabled channels of the rules whose ``flag`` (on_failure, on_recovery …) is set, once each."""
    channels = {}
    for rule in rules:
        if not getattr(rule, flag):
            continue
        for channel in rule.channels.all():
            if channel.enabled:
                channels.setdefault(channel.pk, channel)
    return list(channels.values())


def long_run_threshold(rules):
    """The smallest long_run_seconds among the rules, or None when none sets one."""
    thresholds = [rule.long_run_seconds for rule in rules if rule.long_run_seconds]
    return min(thresholds) if thresholds else None
