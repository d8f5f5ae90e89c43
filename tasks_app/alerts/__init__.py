"""Alerts: notification channels, rules, de-duplicated incidents and their deliveries.

- ``rules``: which channels a task's (or the system's) events go to;
- ``incidents``: the decisions (open once, count repeats, resolve with a recovery message);
- ``missed``: scheduled slots that never started, found without relying on beat;
- ``checks``: the periodic checks (missed runs, long runs, beat and worker health);
- ``monitor``: runs the checks in worker and beat processes on a timer of their own;
- ``messages``: the zh-hans / en text; ``channels``: sending per channel kind;
- ``delivery``: queueing, attempts and their records.
- ``receivers``: the ``execution_ended`` receiver, connected by ``TasksAppConfig.ready()``.
"""
