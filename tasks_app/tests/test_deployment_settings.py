"""Deployment: `check --deploy` is clean with the documented production environment; every answer has a CSP."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tasks_app.testing import make_definition

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {  # README: Deployment
    "DEBUG": "false", "SECRET_KEY": "k" * 20 + "Zq8!vR2#pL9@xW4$mN7^bT1&cY6*hJ3(fD5)gS0",
    "ALLOWED_HOSTS": "tasks.example.cn",
    "MYSTOCKS_HTTPS": "true", "SECURE_HSTS_PRELOAD": "true", "MYSTOCKS_TRUST_X_FORWARDED_PROTO": "true",
}


def _environment(**extra):
    """This process's environment without what the test session itself sets (the browser tests'
    async-unsafe switch), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **extra}


def test_check_deploy_is_clean_with_the_documented_production_env(tmp_path):
    env = _environment(**PRODUCTION_ENV, MYSTOCKS_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_settings_check_deploy_warns(tmp_path):
    env = _environment(DEBUG="false", MYSTOCKS_VAR_DIR=str(tmp_path / "var"))
    env.pop("MYSTOCKS_HTTPS", None)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_csp_and_no_inline_script_or_style(admin_client):

    task = make_definition("noop", task_id="csp_task")
    for url in (reverse("pages:dashboard"), reverse("pages:task_detail", args=[task.task_id]),
                reverse("pages:task_list")):
        response = admin_client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy and "frame-ancestors 'none'" in policy
        html = response.content.decode()
        assert "<script>" not in html and 'style="' not in html, url
    assert "'unsafe-inline'" in admin_client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self';" in admin_client.get("/api/docs")["Content-Security-Policy"]
