"""The engine's browser fixtures (Playwright on Debian's Chromium against the live server), reused."""
from tasks_app.tests.browser.conftest import browser, ops_user, page  # noqa: F401
