"""Market test fixtures: no network, fast retries, a fake baostock server, replayed akshare HTTP."""
import datetime
import types
import zoneinfo

import akshare.utils.func as akshare_func
import akshare.utils.request as akshare_request
import pytest
import responses
import time_machine

from mystocks.market.pipeline import latest_complete_trading_day
from mystocks.market.simulated.baostock_server import SimulatedBaostockMarket
from mystocks.market.simulated.eastmoney import SimulatedHttp
from mystocks.market.simulated.market import SimulatedMarket
from mystocks.market.sources import akshare, baostock
from tasks_app.calendar import trading_days

from .fake_baostock import FakeBaostockServer, point_baostock_at


@pytest.fixture(autouse=True)
def fast_sources(settings, tmp_path):
    """No rate-limit pauses or backoff sleeps, short timeouts, and a private cache root."""
    settings.MYSTOCKS_SOURCE_MIN_INTERVAL = 0
    settings.MYSTOCKS_SOURCE_RETRY_DELAY = 0
    settings.MYSTOCKS_SOURCE_RETRIES = 2
    settings.MYSTOCKS_SOURCE_TIMEOUT = 2
    settings.MYSTOCKS_CACHE_ROOT = tmp_path / "cache"


@pytest.fixture(autouse=True)
def baostock_offline():
    """baostock aims at a closed local port unless a test starts a fake server: never the internet."""
    point_baostock_at(1)
    yield
    baostock._drop_session()


@pytest.fixture(autouse=True)
def akshare_caches_cleared():
    akshare.clear_caches()
    yield
    akshare.clear_caches()


@pytest.fixture(autouse=True)
def no_pagination_sleep(monkeypatch):
    """akshare sleeps 0.5–1.5 s between Eastmoney pages and between its own retries: skipped here
    (only inside akshare's helpers; the global ``time.sleep`` is left alone)."""
    no_sleep = types.SimpleNamespace(sleep=lambda seconds: None, time=__import__("time").time)
    monkeypatch.setattr(akshare_func, "time", no_sleep)
    monkeypatch.setattr(akshare_request, "time", no_sleep)


@pytest.fixture
def baostock_server():
    """``baostock_server(market, behaviour="normal")`` starts a fake server and points the client at it."""
    started = []

    def start(market=None, behaviour="normal", silence=30):
        server = FakeBaostockServer(market, behaviour=behaviour, silence=silence).start()
        point_baostock_at(server.port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


AFTER_THE_CLOSE = datetime.datetime(2025, 6, 27, 16, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))  # a Friday


@pytest.fixture
def simulated(baostock_server):
    """``simulated(stocks=60, days=80)``: a small simulated market ending on the latest complete trading
    day, served over replayed HTTP (akshare) and the fake baostock server; returns (market, http, server)."""
    mocks = []
    # The clock is part of the outside world: pinned to an evening after the close (the spot table
    # then shows that day), so the tests do not depend on the hour they run at.
    traveller = time_machine.travel(AFTER_THE_CLOSE, tick=True)
    traveller.start()

    def start(stocks=60, days=80, seed=11):
        end = latest_complete_trading_day()
        assert end == AFTER_THE_CLOSE.date()
        open_days = trading_days(end - datetime.timedelta(days=days * 2 + 30), end)[-days:]
        market = SimulatedMarket(open_days, stocks=stocks, seed=seed)
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.start()
        mocks.append(mock)
        http = SimulatedHttp(market).install(mock)
        server = baostock_server(SimulatedBaostockMarket(market))
        return market, http, server

    yield start
    for mock in mocks:
        mock.stop()
        mock.reset()
    traveller.stop()
