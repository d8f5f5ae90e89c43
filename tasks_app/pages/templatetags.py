"""Template filters of the pages, loaded with ``{% load pages %}`` (registered in settings.TEMPLATES)."""
from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Status, Trigger, choice_label
from ..registry import task_type_label

register = template.Library()
# The audit log's action names, as the service layer writes them.
ACTIONS = {
    "create": gettext_lazy("created"), "update": gettext_lazy("changed"), "delete": gettext_lazy("deleted"),
    "start": gettext_lazy("ran"), "stop": gettext_lazy("stopped"), "pause": gettext_lazy("paused"),
    "resume": gettext_lazy("resumed"), "enable": gettext_lazy("enabled"), "disable": gettext_lazy("disabled"),
    "import": gettext_lazy("imported"), "export": gettext_lazy("exported"), "cleanup": gettext_lazy("cleaned up"),
}


@register.filter
def action_label(value):
    return ACTIONS.get(value, value)


@register.filter
def status_label(value):
    return choice_label(Status, value) or value or "—"


@register.filter
def type_label(value):
    """A registered task type's label; a type no longer registered as its raw key."""
    return task_type_label(value)


@register.filter
def trigger_label(value):
    return choice_label(Trigger, value) or value


@register.filter
def seconds(value):
    """A duration in seconds for people: 0.42 s, 12.3 s, 4 m 05 s, 2 h 03 m."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if value < 60:
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    minutes, secs = divmod(int(round(value)), 60)
    if minutes < 60:
        return f"{minutes} m {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} m"


@register.filter
def percent(value):
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def priority_label(value):
    if value is None:
        return ""
    if value <= 200:
        return _("critical")
    if value <= 400:
        return _("high")
    if value <= 600:
        return _("normal")
    return _("low")
