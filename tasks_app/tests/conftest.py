"""API clients authenticated with a token, one per role (the page tests import their own session users)."""
import pytest

from tasks_app.api.testing import make_user, token_client


@pytest.fixture
def admin():
    return token_client(make_user(superuser=True))


@pytest.fixture
def operator():
    return token_client(make_user("operator"))


@pytest.fixture
def viewer():
    return token_client(make_user("viewer"))
