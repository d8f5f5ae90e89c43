"""/api/market/: read-only market data for viewers, with filters, pagination and CSV."""
import csv
import io

import pytest

from tasks_app.api.testing import make_user, token_client

from ..models import DailyBar
from .market_data import add_backtest, add_signals, load_market, store_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer():
    return token_client(make_user("viewer"))


@pytest.fixture
def days():
    return load_market(stocks=4, days=120)


def test_anonymous_is_refused_and_a_viewer_reads(client, viewer, days):
    assert client.get("/api/market/stocks/").status_code == 401
    response = viewer.get("/api/market/stocks/", {"q": "SMP00"})
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == ["SMP001", "SMP002", "SMP003", "SMP004"]


def test_writes_are_not_offered(viewer, days):
    assert viewer.post("/api/market/stocks/", {"code": "X"}).status_code in (403, 405)
    assert viewer.delete("/api/market/stocks/SMP001/").status_code in (403, 405)


def test_bars_of_one_stock_in_a_date_range(viewer, days):
    response = viewer.get("/api/market/bars/", {"code": "SMP002", "start": days[10].isoformat(),
                                                "end": days[19].isoformat(), "adjust": "none"})
    body = response.json()
    assert body["count"] == 10 and [r["date"] for r in body["results"]] == [d.isoformat() for d in days[10:20]]
    bar = DailyBar.objects.get(code="SMP002", date=days[15])
    assert body["results"][5]["close"] == bar.close and body["results"][5]["volume"] == bar.volume


def test_bars_as_csv(viewer, days):
    response = viewer.get("/api/market/bars/", {"code": "SMP001", "adjust": "none", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == len(days) and rows[0]["date"] == days[0].isoformat()


@pytest.mark.parametrize("params, field", [
    ({}, "code"), ({"code": "SMP001", "adjust": "xfq"}, "adjust"),
    ({"code": "SMP001", "start": "2024-13-01"}, "start"),
    ({"code": "SMP001", "start": "2024-02-01", "end": "2024-01-01"}, "end"),
])
def test_bad_bar_params_name_the_field(viewer, days, params, field):
    response = viewer.get("/api/market/bars/", params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_qfq_bars_are_derived_from_the_factors(viewer, days):
    store_factor("SMP001", days[0], 1.0)
    store_factor("SMP001", days[60], 2.0)
    raw = DailyBar.objects.get(code="SMP001", date=days[10]).close
    body = viewer.get("/api/market/bars/", {"code": "SMP001", "adjust": "qfq"}).json()
    assert body["results"][10]["close"] == pytest.approx(raw / 2.0, abs=0.01)


def test_signals_with_follow_up_returns_filtered_and_as_csv(viewer, days):
    add_signals("ma_crossover", days[50], ["SMP001", "SMP003"])
    add_signals("turtle_trade", days[50], ["SMP002"])
    body = viewer.get("/api/market/signals/", {"strategy": "ma_crossover"}).json()
    assert [r["code"] for r in body["results"]] == ["SMP001", "SMP003"]
    closes = list(DailyBar.objects.filter(code="SMP003", date__gte=days[50]).order_by("date")
                  .values_list("close", flat=True))
    assert body["results"][1]["returns"]["d5"] == pytest.approx(closes[5] / closes[0] - 1)
    assert body["results"][1]["returns"]["d60"] == pytest.approx(closes[60] / closes[0] - 1)
    csv_response = viewer.get("/api/market/signals/", {"strategy": "turtle_trade", "format": "csv"})
    csv_body = csv_response.content.decode("utf-8-sig")
    assert "SMP002" in csv_body and "SMP001" not in csv_body


def test_backtest_list_and_detail_with_curves_and_trades(viewer, days):
    run = add_backtest(days[-30:])
    listing = viewer.get("/api/market/backtests/").json()
    assert listing["results"][0]["id"] == run.pk and "equity_curve" not in listing["results"][0]
    detail = viewer.get(f"/api/market/backtests/{run.pk}/").json()
    assert len(detail["equity_curve"]) == 30 and len(detail["benchmark"]) == 30 and detail["trades"] == []


def test_coverage_lists_every_dataset(viewer, days):
    body = viewer.get("/api/market/coverage/", {"days": 20}).json()
    bars = next(r for r in body if r["dataset"] == "bars:none")
    assert bars["stocks"] == 4 and bars["missing_days"] == [] and len(bars["days"]) == 20
    assert viewer.get("/api/market/coverage/", {"days": 999}).status_code == 400


def test_indicators_need_a_code(viewer, days):
    assert viewer.get("/api/market/indicators/").status_code == 400
    assert viewer.get("/api/market/indicators/", {"code": "SMP001"}).json()["results"] == []


def test_the_schema_documents_the_market_api(viewer, days):
    schema = viewer.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/market/bars/", "/api/market/signals/", "/api/market/coverage/"} <= set(schema["paths"])
