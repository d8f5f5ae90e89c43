"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The live server runs in a thread of this process and shares the (transactional) test database;
tests that need a real worker start one with the root ``start_worker`` fixture.
"""
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are still plain synchronous calls, so Django's async-safety guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "browser-pass-1"


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    # Every page must work under its Content-Security-Policy: a refused script or style fails the test.
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not violations, violations


@pytest.fixture
def ops_user(django_user_model):
    """A user holding every tasks_app permission, whom ``log_in`` signs in through the form."""
    user = django_user_model.objects.create_user(username="ops", password=PASSWORD)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="tasks_app"))
    return user


def log_in(page, username="ops", password=PASSWORD):
    """Log in through the login form, as a person would."""
    page.goto(page.base_url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_selector("#dashboard-summary")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
