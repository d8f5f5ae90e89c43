"""`make demo`: simulated data only on a demo install, then the jobs run on it through the engine."""
import pytest
from django.core.management import CommandError, call_command

from tasks_app.catalogue_yaml import import_catalogue

from ..models import BacktestRun, IndicatorValue, Stock, StrategySignal


def test_a_real_install_refuses_to_load_the_demo(db, settings):
    settings.MYSTOCKS_DEMO = False
    with pytest.raises(CommandError, match="MYSTOCKS_DEMO=true"):
        call_command("load_demo", stocks=2, days=60)
    assert not Stock.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_loads_a_market_and_runs_the_analysis_jobs(settings):
    settings.MYSTOCKS_DEMO = True
    import_catalogue((settings.BASE_DIR / "fixtures" / "tasks.yaml").read_text())
    call_command("load_demo", stocks=4, days=200)
    assert Stock.objects.count() == 4 and IndicatorValue.objects.filter(code="SMP001", period="daily").count() == 200
    assert StrategySignal.objects.exists() and BacktestRun.objects.count() == 1


def test_every_page_says_the_data_is_simulated(admin_client, settings):
    settings.MYSTOCKS_DEMO = True
    assert "simulated-banner" in admin_client.get("/").content.decode()
    settings.MYSTOCKS_DEMO = False
    assert "simulated-banner" not in admin_client.get("/").content.decode()
