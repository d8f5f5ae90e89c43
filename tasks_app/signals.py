"""The engine's signals: a leaf module, so a listener never has to import the code that sends.

``execution_ended`` is sent by ``lifecycle.execution_finished`` after an execution reached a
final status and its ordered follow-ups (retry, restart, queued runs, group advance) were
dispatched. Arguments: ``execution`` and ``retry`` (the next attempt, or None). Alerts listen
here; their receiver is connected in ``TasksAppConfig.ready()``.
"""
from django.dispatch import Signal

execution_ended = Signal()
