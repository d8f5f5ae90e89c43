"""Helpers shared by the page views: permissions, count-free pagination, service errors on forms."""
import functools
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.views.decorators.http import require_POST

from .. import permissions

PAGE_SIZE = 25


def action(rule):
    """A POST-only view that needs a login and the permission rule ``rule``; anyone else gets 403."""

    def wrap(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            permissions.check(request.user, rule)
            return view(request, *args, **kwargs)

        return login_required(require_POST(checked))

    return wrap


def requires(rule):
    """A view (any method) that needs a login and the permission rule ``rule``."""

    def wrap(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            permissions.check(request.user, rule)
            return view(request, *args, **kwargs)

        return login_required(checked)

    return wrap


class CheapPage:
    """One page of a queryset without COUNT(*): fetch one row more than shown to know if a next page exists.

    The execution history can hold millions of rows; an exact count would cost more than the page.
    """

    def __init__(self, queryset, number, per_page=PAGE_SIZE):
        self.number = max(number, 1)
        start = (self.number - 1) * per_page
        rows = list(queryset[start:start + per_page + 1])
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


MAX_PAGE = 100_000  # 2.5 million rows deep; far past it the OFFSET overflowed the database's integer


def page_number(request, name="page"):
    try:
        return min(max(int(request.GET.get(name, 1)), 1), MAX_PAGE)
    except ValueError:
        return 1


def add_service_errors(form, exc):
    """Put a service ValidationError's messages next to the form's fields (or on top for the others)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        target = form.field_for_error(field) if hasattr(form, "field_for_error") else field
        form.add_error(target if target in form.fields else None, errors)


def messages_of(exc):
    """A ValidationError as one line of text."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return "; ".join(getattr(exc, "messages", [str(exc)]))


def list_contains(field, value):
    """A Q for "the JSON list ``field`` contains the string ``value``" on PostgreSQL and SQLite.

    SQLite has no JSON containment lookup; matching the quoted item in the text is exact enough
    for the slugs stored in tags and dependencies.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": json.dumps(value)})
