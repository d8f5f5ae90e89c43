"""The market app gives the engine's calendar its seed: the SSE calendar file akshare ships."""
import datetime

import pytest

from mystocks.market.calendar_seed import SOURCE, bundled_calendar, bundled_calendar_path
from tasks_app import calendar
from tasks_app.models import CalendarCoverage, TradingDay

pytestmark = pytest.mark.django_db


def test_the_market_registers_akshares_bundled_calendar_as_the_seed():
    assert calendar.registered_seed() is bundled_calendar
    assert bundled_calendar_path() is not None  # akshare is a requirement of the market app


def test_an_empty_calendar_is_seeded_from_the_bundled_file():
    CalendarCoverage.objects.all().delete()
    TradingDay.objects.all().delete()
    start, end = calendar.covered_range()
    assert start == datetime.date(1990, 12, 19) and end >= datetime.date(2025, 12, 31)
    assert CalendarCoverage.objects.get().source == SOURCE
    assert not calendar.is_trading_day(datetime.date(2024, 10, 1))  # National Day
    assert calendar.is_trading_day(datetime.date(2024, 10, 8))
