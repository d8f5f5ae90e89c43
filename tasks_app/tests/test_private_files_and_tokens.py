"""At rest: var/ is private to the server's account from the first byte; a password change retires the API token."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks_app.private_files import private_dir, write_private

ROOT = Path(__file__).resolve().parents[2]


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_var_folder_and_its_files_are_private(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY")}
    env.update(MYSTOCKS_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="mystocks.settings")
    code = ("import django; django.setup(); from django.db import connection; "
            "connection.cursor().execute('create table t (a text)'); "
            "connection.cursor().execute(\"insert into t values ('x')\")")
    old_umask = os.umask(0o022)  # the usual umask: files would be world-readable without care
    try:
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)
    finally:
        os.umask(old_umask)
    assert _mode(var) == 0o700
    for name in ("secret_key", "db.sqlite3"):
        assert _mode(var / name) == 0o600, name
    for sub in ("broker", "broker/queue", "staticfiles"):
        assert _mode(var / sub) == 0o700, sub


def test_a_private_file_is_never_readable_by_others_even_with_an_open_umask(tmp_path):
    old_umask = os.umask(0)
    try:
        path = tmp_path / "secret"
        write_private(path, "s3cret")
        assert _mode(path) == 0o600 and path.read_text() == "s3cret"
        assert _mode(private_dir(tmp_path / "d")) == 0o700
    finally:
        os.umask(old_umask)


@pytest.mark.django_db
def test_changing_the_password_deletes_the_api_token():
    user = User.objects.create_user("tokened", password="first-password-1")
    token = Token.objects.create(user=user)
    user.email = "x@example.cn"
    user.save()
    assert Token.objects.filter(key=token.key).exists(), "other changes keep the token"
    user.set_password("second-password-2")
    user.save()
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_token_stops_working_after_the_password_changes():

    user = User.objects.create_user("rotating", password="first-password-1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.get("/api/jobs/").status_code == 200
    user.set_password("second-password-2")
    user.save()
    assert client.get("/api/jobs/").status_code == 401
