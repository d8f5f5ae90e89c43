"""Property-based fuzzing of every API operation against the live OpenAPI schema (schemathesis).

Hundreds of generated requests, authenticated as a superuser: no 5xx, every status code and
content type documented, every response body valid against its schema. Then fewer requests as
each other role (operator, viewer, staff with view permissions, staff without permissions, a user
without permissions): no 5xx whatever they are refused. The database is reseeded for every
operation (transactional test), so destructive calls cannot starve the others.
"""
import json
from importlib import import_module

import pytest
import requests
import schemathesis
from django.apps import apps as django_apps
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tasks_app import catalogue
from tasks_app.api.testing import make_user
from tasks_app.models import AuditLog, Status, TaskExecution, TaskGroup
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12
EXAMPLES_PER_OPERATION_PER_ROLE = 2  # each sent as five roles; the whole suite must stay well under 15 minutes
ROLES = ("operator", "viewer", "staff_viewer", "staff_nobody", "nobody")


@pytest.fixture
def seeded(settings):
    """A small catalogue with history, and throttles high enough not to hide anything behind 429s."""
    settings.MYSTOCKS_API_THROTTLE_READ = settings.MYSTOCKS_API_THROTTLE_WRITE = "1000000/min"
    task = make_definition("sleep", task_id="sleeper", params={"seconds": 1}, schedule_type="cron",
                           cron_expression="0 16 * * 1-5", tags=["daily"])
    make_definition("noop", task_id="hourly_task", schedule_type="interval", interval_seconds=3600)
    catalogue.save_group(TaskGroup(group_id="daily_job", group_name="daily"), ["sleeper", "hourly_task"])
    for status in (Status.SUCCESS, Status.FAILED, Status.RUNNING):
        TaskExecution.objects.create(task=task, status=status, duration=1.5, log="a line\n")
    AuditLog.objects.create(action="update", target_type="task", target_id="sleeper")
    return make_user(superuser=True)


def role_user(role):
    """A user of ``role``; "staff_*" users have staff status with the permissions of the rest of the name.

    The roles come from the data migration, which a transactional test's flush removes: made again here.
    """
    import_module("tasks_app.migrations.0005_api_roles").create_roles(django_apps, None)
    group = role.removeprefix("staff_")
    return make_user(group if group in ("viewer", "operator") else None, is_staff=role.startswith("staff_"))


def _openapi_document():
    """The document /api/schema/ serves (built at collection time: schemathesis' lazy fixture
    loader does not run under pytest 9; test_the_live_schema_is_the_one_fuzzed checks they match)."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# Health probes the broker and workers with a timeout and has no input to fuzz (see test_api_statistics).
schema = schemathesis.openapi.from_dict(_openapi_document()).exclude(path_regex=r"/api/tasks/health")
# The token endpoint takes no role (it is where a role logs in): fuzzed above only.
role_schema = schema.exclude(path_regex=r"/api/auth/token")


def test_the_live_schema_is_the_one_fuzzed(live_server):
    # Field names and help texts are translated: compare both in English (the tests' language).
    served = requests.get(f"{live_server.url}/api/schema/?format=json", headers={"Accept-Language": "en"},
                          timeout=30).json()
    assert served == _openapi_document()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_server_errors_and_no_schema_violations(case, seeded, live_server):
    token = Token.objects.get_or_create(user=seeded)[0].key
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {token}"},
                           checks=CHECKS, timeout=30)


@pytest.fixture
def role_tokens(seeded):
    return {role: Token.objects.get_or_create(user=role_user(role))[0].key for role in ROLES}


@role_schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION_PER_ROLE, deadline=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_server_errors_for_any_role(case, role_tokens, live_server):
    """Each generated request is sent as every role in turn (one database reset per operation, not per role)."""
    for role, token in role_tokens.items():
        case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Token {token}"},
                               checks=[not_a_server_error], timeout=30)
