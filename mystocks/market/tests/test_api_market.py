"""/api/market/: read-only market data for viewers, with filters, pagination and CSV."""
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks_app.api.testing import make_user, token_client
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

from ..models import DailyBar, SignalReturn, StrategySignal
from .market_data import add_backtest, add_signal_return, add_signals, load_market, store_factor

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


def test_signals_carry_their_stored_follow_up_filtered_and_as_csv(viewer, days):
    add_signals("ma_crossover", days[50], ["SMP001", "SMP003"])
    add_signals("turtle_trade", days[50], ["SMP002"])
    add_signal_return("ma_crossover", "SMP003", days[50], ret_1=0.123456789, ret_5=-9.87654321)
    body = viewer.get("/api/market/signals/", {"strategy": "ma_crossover"}).json()
    assert [r["code"] for r in body["results"]] == ["SMP001", "SMP003"]
    computed = body["results"][1]["follow_up"]
    assert computed["computed"] is True and computed["basis"] == "close" and computed["complete"] is False
    assert (computed["ret_1"], computed["ret_5"]) == (0.123456789, -9.87654321)
    assert computed["ret_3"] is None and computed["ret_60"] is None  # not reached when computed
    missing = body["results"][0]["follow_up"]
    assert missing["computed"] is False and all(missing[f"ret_{n}"] is None for n in (1, 3, 5, 10, 20, 60))
    csv_response = viewer.get("/api/market/signals/", {"strategy": "turtle_trade", "format": "csv"})
    csv_body = csv_response.content.decode("utf-8-sig")
    assert "SMP002" in csv_body and "SMP001" not in csv_body and "follow_up" in csv_body


def test_signals_follow_up_of_the_basis_asked_for(viewer, days):
    add_signals("ma_crossover", days[40], ["SMP002"])
    add_signal_return("ma_crossover", "SMP002", days[40], ret_1=1.5)
    add_signal_return("ma_crossover", "SMP002", days[40], basis="next_open", ret_1=-3.25)
    one = viewer.get("/api/market/signals/", {"code": "SMP002", "basis": "next_open"}).json()["results"][0]
    assert one["follow_up"]["basis"] == "next_open" and one["follow_up"]["ret_1"] == -3.25
    assert viewer.get("/api/market/signals/", {"code": "SMP002"}).json()["results"][0]["follow_up"]["ret_1"] == 1.5
    signal = StrategySignal.objects.get(code="SMP002")
    retrieved = viewer.get(f"/api/market/signals/{signal.pk}/", {"basis": "next_open"}).json()
    assert retrieved["follow_up"]["ret_1"] == -3.25
    bad = viewer.get("/api/market/signals/", {"basis": "open"})
    assert bad.status_code == 400 and "basis" in bad.json()["errors"]


def test_a_stored_nan_or_infinity_reads_as_unknown(viewer, days):
    add_signals("ma_crossover", days[40], ["SMP001"])
    add_signal_return("ma_crossover", "SMP001", days[40], ret_1=float("inf"), ret_3=float("nan"), ret_5=1.0)
    response = viewer.get("/api/market/signals/", {"code": "SMP001"})
    assert response.status_code == 200
    follow_up = response.json()["results"][0]["follow_up"]
    assert (follow_up["ret_1"], follow_up["ret_3"], follow_up["ret_5"]) == (None, None, 1.0)


def test_signals_list_reads_the_follow_ups_in_one_query(viewer, days):
    def queries(codes):
        with CaptureQueriesContext(connection) as captured:
            assert viewer.get("/api/market/signals/", {"code": codes}).status_code == 200
        return len(captured)

    for i, day in enumerate(days[30:40]):
        add_signals("ma_crossover", day, ["SMP001"] + (["SMP004"] if i % 2 else []))
        add_signal_return("ma_crossover", "SMP001", day, ret_1=float(i))
    assert queries("SMP001") == queries("SMP004")


@pytest.mark.django_db(transaction=True)
def test_signals_show_what_the_follow_up_job_stored(days):
    # A superuser: an earlier transactional test may have flushed the role groups the migrations made.
    viewer = token_client(make_user(superuser=True))
    add_signals("ma_crossover", days[50], ["SMP003"])
    assert run_job_inline("compute_signal_returns", {"bases": ["close"]}).status == Status.SUCCESS
    follow_up = viewer.get("/api/market/signals/", {"strategy": "ma_crossover"}).json()["results"][0]["follow_up"]
    stored = SignalReturn.objects.get(code="SMP003", basis="close")
    closes = list(DailyBar.objects.filter(code="SMP003", date__gte=days[50]).order_by("date")
                  .values_list("close", flat=True))
    assert follow_up["ret_5"] == stored.ret_5 == pytest.approx((closes[5] / closes[0] - 1) * 100)
    assert follow_up["ret_60"] == stored.ret_60 == pytest.approx((closes[60] / closes[0] - 1) * 100)
    assert follow_up["complete"] is True


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
    signals = schema["paths"]["/api/market/signals/"]["get"]
    assert "basis" in {p["name"] for p in signals["parameters"]}
    follow_up = schema["components"]["schemas"]["FollowUp"]["properties"]
    assert {"computed", "basis", "ret_1", "ret_60"} <= set(follow_up)
