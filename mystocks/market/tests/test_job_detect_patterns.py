"""The pattern job on the sample market: all history first, then only the days since the last run."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from mystocks.market import compute, patterns
from mystocks.market.models import DailyBar, PatternHit
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)
END = datetime.date(2024, 12, 31)


@pytest.fixture
def sample_market():
    call_command("load_sample_market", stocks=5, days=120, end=END)


def test_patterns_of_all_history_then_of_new_days_only(sample_market):
    first = run_job_inline("detect_patterns", {"periods": ["daily", "weekly"]})
    assert first.status == Status.SUCCESS, first.error
    expected = patterns.detect(compute.load_bars(), list(patterns.PATTERNS))
    stored = PatternHit.objects.filter(period="daily")
    assert stored.count() == len(expected) == first.result["daily"]["hits"] > 0
    assert set(stored.values_list("value", flat=True)) <= {100, -100, 80, -80, 200, -200}
    assert PatternHit.objects.filter(period="weekly").exists()

    last = DailyBar.objects.latest("date").date
    last_detected = PatternHit.objects.filter(period="daily").latest("date").date
    new_day = last + datetime.timedelta(days=3)
    DailyBar.objects.bulk_create([  # a doji on every stock
        DailyBar(code=b.code, date=new_day, open=b.close, high=b.close * 1.03, low=b.close * 0.97,
                 close=b.close, pre_close=b.close, volume=b.volume, amount=b.amount)
        for b in DailyBar.objects.filter(date=last)])
    again = run_job_inline("detect_patterns", {"patterns": ["CDLDOJI", "CDLLONGLEGGEDDOJI"]})
    assert again.status == Status.SUCCESS, again.error
    assert again.result["daily"]["from"] == last_detected.isoformat()  # the last detected day is redone
    assert again.result["rows_fetched"] < 5 * 60  # only the warm-up before it was loaded
    assert PatternHit.objects.filter(date=new_day, pattern="CDLDOJI").count() == 5
    assert PatternHit.objects.filter(period="daily").count() >= len(expected) + 5


def test_an_unknown_pattern_is_refused_when_the_definition_is_saved():
    with pytest.raises(ValidationError, match="patterns: CDLNOPE not one of"):
        run_job_inline("detect_patterns", {"patterns": ["CDLDOJI", "CDLNOPE"]})
