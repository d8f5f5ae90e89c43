"""One permission rule per action, used by every door: API, pages, admin actions and commands.

Each action names the Django model permissions it needs; ``allowed`` is the only check. Staff
status grants nothing by itself (it only opens the admin site): a staff user with view
permissions changes nothing anywhere. Superusers hold every permission, as in Django.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

RUN = "tasks_app.run_taskdefinition"
ADD = "tasks_app.add_taskdefinition"
CHANGE = "tasks_app.change_taskdefinition"
DELETE = "tasks_app.delete_taskdefinition"
DELETE_EXECUTION = "tasks_app.delete_taskexecution"
DELETE_AUDIT = "tasks_app.delete_auditlog"
CHANGE_CHANNEL = "tasks_app.change_notificationchannel"
ADD_GROUP = "tasks_app.add_taskgroup"
CHANGE_GROUP = "tasks_app.change_taskgroup"

RULES = {
    "view": (),
    "export": (),
    "create_task": (ADD,),
    "change_task": (CHANGE,),
    "enable_task": (CHANGE,),
    "delete_task": (DELETE,),
    "run_task": (RUN,),
    "stop_task": (RUN,),
    "pause_task": (RUN,),
    "stop_execution": (RUN,),
    "create_group": (ADD_GROUP,),
    "change_group": (CHANGE_GROUP,),
    "run_group": (RUN,),
    "stop_group_run": (RUN,),
    "import": (ADD, CHANGE),
    "import_replace": (ADD, CHANGE, DELETE),
    "cleanup_executions": (DELETE_EXECUTION,),
    "cleanup_audit": (DELETE_AUDIT,),
    "test_channel": (CHANGE_CHANNEL,),
}


def required(action):
    """The permission names ``action`` needs (KeyError for an unknown action: a typo must not pass)."""
    return RULES[action]


def allowed(user, action):
    """Whether ``user`` may do ``action``: logged in, active, and holding every permission it needs."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_perms(required(action))


def check(user, action):
    """Raise PermissionDenied (403 at every door) unless ``user`` may do ``action``."""
    if not allowed(user, action):
        raise PermissionDenied(_("you may not %(action)s: it needs %(permissions)s")
                               % {"action": action.replace("_", " "), "permissions": ", ".join(required(action))})


def command_user(username, action):
    """The user a management command acts as with ``--user``, checked against ``action``; None without it.

    A shell user already holds the server's own rights (database and secrets), so commands run
    without a user by default; ``--user`` makes one act, and be audited, as that account, under
    the same rule as every other door.
    """
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise PermissionDenied(_("unknown user %(name)r") % {"name": username})
    check(user, action)
    return user
