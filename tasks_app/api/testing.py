"""Helpers for API tests: users in the roles the data migration creates, and clients logged in as them."""
import itertools

from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

_counter = itertools.count(1)


def make_user(role=None, *, superuser=False, **fields):
    """A user in the "viewer" or "operator" group (or none, or a superuser)."""
    username = fields.pop("username", f"{role or ('admin' if superuser else 'user')}{next(_counter)}")
    if superuser:
        return User.objects.create_superuser(username=username, password="pw-secret-123", **fields)
    user = User.objects.create_user(username=username, password="pw-secret-123", **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def token_client(user):
    """An APIClient sending ``Authorization: Token …`` for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client
