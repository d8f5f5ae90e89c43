"""The engine's browser fixtures (Playwright on Debian's Chromium against the live server), reused."""
from tasks_app.tests.browser.conftest import ops_user, page  # noqa: F401  (browser is the root conftest's)
