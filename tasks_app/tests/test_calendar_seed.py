"""The engine's calendar knows no market: an app registers the seed an empty calendar starts from;
without one, weekdays count as trading days and a warning says so."""
import datetime
import logging

import pytest

from tasks_app import calendar
from tasks_app.models import CalendarCoverage, TradingDay

pytestmark = pytest.mark.django_db
SATURDAY, MONDAY = datetime.date(2031, 3, 8), datetime.date(2031, 3, 10)


@pytest.fixture
def empty_calendar(monkeypatch):
    """No calendar stored, and the registered seed restored after the test."""
    monkeypatch.setattr(calendar, "_seed", calendar.registered_seed())
    CalendarCoverage.objects.all().delete()
    TradingDay.objects.all().delete()


def test_without_a_seed_weekdays_count_as_trading_days_and_a_warning_says_so(empty_calendar, caplog):
    calendar.register_seed(None)
    with caplog.at_level(logging.WARNING, logger="tasks_app.calendar"):
        assert calendar.is_trading_day(MONDAY) and not calendar.is_trading_day(SATURDAY)
        assert calendar.trading_days(SATURDAY, MONDAY) == [MONDAY]
    assert "no trading calendar seed is registered" in caplog.text
    assert not CalendarCoverage.objects.exists()
    assert calendar.beyond_coverage(MONDAY) == "no trading calendar is loaded; weekdays count as open"


def test_a_registered_seed_fills_the_empty_calendar_once(empty_calendar):
    calls = []

    def seed():
        calls.append(1)
        return "test-seed", [MONDAY, MONDAY + datetime.timedelta(days=2)]

    calendar.register_seed(seed)
    assert calendar.is_trading_day(MONDAY) and not calendar.is_trading_day(MONDAY + datetime.timedelta(days=1))
    assert calendar.covered_range() == (MONDAY, MONDAY + datetime.timedelta(days=2))
    assert calls == [1]
    assert CalendarCoverage.objects.get().source == "test-seed"


def test_a_seed_with_nothing_to_offer_leaves_the_calendar_empty(empty_calendar):
    calendar.register_seed(lambda: None)
    assert calendar.is_trading_day(MONDAY) and calendar.covered_range() == (None, None)
