"""The calendar says how far it reaches, and a day past its end says so instead of guessing silently."""
import datetime

import pytest

from tasks_app.calendar import beyond_coverage, coverage, is_trading_day, store_trading_days
from tasks_app.models import CalendarCoverage, TradingDay

pytestmark = pytest.mark.django_db
START, END = datetime.date(2030, 1, 1), datetime.date(2030, 3, 31)


@pytest.fixture(autouse=True)
def short_calendar():
    CalendarCoverage.objects.all().delete()
    TradingDay.objects.all().delete()
    days = [START + datetime.timedelta(days=i) for i in range((END - START).days + 1)]
    store_trading_days([d for d in days if d.weekday() < 5], start=START, end=END, source="test")


def test_coverage_counts_the_known_future_trading_days():
    report = coverage(today=datetime.date(2030, 3, 1))
    assert (report["end"], report["days_left"], report["future_trading_days"]) == ("2030-03-31", 30, 20)
    assert report["ok"] is False
    assert coverage(today=datetime.date(2030, 1, 1))["ok"] is True


def test_a_day_past_the_end_is_flagged_as_a_guess():
    saturday = datetime.date(2030, 4, 6)
    assert not is_trading_day(saturday)
    assert beyond_coverage(saturday) == "the trading calendar ends 2030-03-31; weekdays count as open"
    assert beyond_coverage(datetime.date(2030, 2, 2)) == ""
