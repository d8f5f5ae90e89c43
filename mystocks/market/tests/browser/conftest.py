"""The engine's browser fixtures (Playwright on Debian's Chromium against the live server), reused.

The market pages' actions (fill the gaps, run a backtest) need the run rule; the user here is a
superuser, so what it may do does not depend on permission rows, which the transactional tests
before these flush and recreate (the per-rule tests cover who may do what at every door).
"""
import pytest

from tasks_app.tests.browser.conftest import PASSWORD, page  # noqa: F401  (browser is the root conftest's)


@pytest.fixture
def ops_user(django_user_model):
    return django_user_model.objects.create_superuser(username="ops", password=PASSWORD)
