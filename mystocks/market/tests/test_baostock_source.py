"""The baostock adapter drives the real baostock client against a fake server speaking its TCP protocol."""
import datetime
import time

import pytest

from mystocks.market.sources import SourceError, baostock

from .fake_baostock import FakeMarket


def weekdays(start, count):
    day, out = start, []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def bar(code, day, close, volume=1_234_500):
    return {"date": day.isoformat(), "code": code, "open": f"{close - 0.05:.2f}", "high": f"{close + 0.1:.2f}",
            "low": f"{close - 0.1:.2f}", "close": f"{close:.2f}", "preclose": f"{close - 0.02:.2f}",
            "volume": str(volume), "amount": f"{volume * close:.2f}", "turn": "0.5123", "tradestatus": "1",
            "pctChg": "0.2", "isST": "0"}


def market_with(codes=("600000", "000001"), days=None):
    days = days or weekdays(datetime.date(2024, 1, 2), 5)
    prefix = {"6": "sh"}
    return FakeMarket(
        stocks=[(f"{prefix.get(c[0], 'sz')}.{c}", f"股票{c}", "1999-11-10", "", "1", "1", "J66货币金融服务")
                for c in codes] + [("sh.000300", "沪深300", "2005-04-08", "", "2", "1", "")],
        bars={c: [bar(f"{prefix.get(c[0], 'sz')}.{c}", d, 10 + i * 0.1) for i, d in enumerate(days)] for c in codes},
        open_days=set(days),
    )


def test_daily_bars_with_units_and_types(baostock_server):
    server = baostock_server(market_with())
    frame = baostock.daily_bars("600000", datetime.date(2024, 1, 1), datetime.date(2024, 1, 31))
    assert list(frame.columns) == [*baostock.BAR_COLUMNS, "st"] and len(frame) == 5
    first = frame.iloc[0]
    assert first["code"] == "600000" and first["date"] == datetime.date(2024, 1, 2)
    assert first["close"] == 10.0 and first["volume"] == 1_234_500 and first["amount"] == pytest.approx(12_345_000)
    kdata = [fields for msg_type, fields in server.requests if msg_type == "95"][0]
    assert kdata[4:10] == ["sh.600000", baostock.K_FIELDS, "2024-01-01", "2024-01-31", "d", "3"]


def test_hfq_bars_ask_for_adjustflag_1(baostock_server):
    baostock_server(market_with())
    frame = baostock.daily_bars("000001", "2024-01-01", "2024-01-31", adjust="hfq")
    assert frame.iloc[0]["close"] == pytest.approx(30.0)  # the fake server scales hfq prices by 3


def test_results_longer_than_one_page_are_read_completely(baostock_server):
    days = weekdays(datetime.date(2010, 1, 4), 2600)
    baostock_server(market_with(codes=("600000",), days=days))
    frame = baostock.daily_bars("600000", days[0], days[-1])
    assert len(frame) == 2600  # 2,000 + 600: baostock's own get_data() crashes here on pandas >= 2


def test_every_page_of_a_long_result_keeps_the_minimum_interval(baostock_server, settings):
    settings.MYSTOCKS_SOURCE_MIN_INTERVAL = 0.2
    days = weekdays(datetime.date(2010, 1, 4), 2600)
    server = baostock_server(market_with(codes=("600000",), days=days))
    baostock.daily_bars("600000", days[0], days[-1])
    pages = [t for (kind, _), t in zip(server.requests, server.times) if kind == "95"]
    assert len(pages) == 2 and pages[1] - pages[0] >= 0.2  # the second page waits like a new call


def test_one_call_for_the_whole_market_on_a_day(baostock_server):
    baostock_server(market_with())
    frame = baostock.daily_bars_for_day(datetime.date(2024, 1, 3))
    assert sorted(frame["code"]) == ["000001", "600000"]
    assert set(frame["date"]) == {datetime.date(2024, 1, 3)}


def test_stock_list_has_industry_and_listing_date_and_no_indices(baostock_server):
    baostock_server(market_with())
    frame = baostock.stock_list().set_index("code")
    assert sorted(frame.index) == ["000001", "600000"]
    assert frame.loc["600000", "industry"] == "J66货币金融服务"
    assert frame.loc["600000", "list_date"] == datetime.date(1999, 11, 10)
    assert frame.loc["000001", "exchange"] == "SZ"


def test_trade_calendar_lists_open_days_only(baostock_server):
    baostock_server(market_with())
    days = baostock.trade_calendar(datetime.date(2024, 1, 1), datetime.date(2024, 1, 14))
    assert days == weekdays(datetime.date(2024, 1, 2), 5)


def test_an_error_code_for_one_symbol_is_a_source_error(baostock_server):
    market = market_with()
    market.failing_codes.add("000001")
    baostock_server(market)
    with pytest.raises(SourceError, match="10004011"):
        baostock.daily_bars("000001", "2024-01-01", "2024-01-31")
    assert len(baostock.daily_bars("600000", "2024-01-01", "2024-01-31")) == 5  # the session survives


def test_logout_ends_the_session(baostock_server):
    server = baostock_server(market_with())
    baostock.daily_bars("600000", "2024-01-01", "2024-01-31")
    baostock.logout()
    assert [t for t, _ in server.requests] == ["00", "95", "02"]


def test_a_silent_server_fails_after_the_timeout_instead_of_hanging(baostock_server):
    baostock_server(behaviour="silent")
    began = time.monotonic()
    with pytest.raises(SourceError, match="sent nothing for 2s"):
        baostock.daily_bars("600000", "2024-01-01", "2024-01-31")
    assert time.monotonic() - began < 10  # two attempts of a 2 s timeout, not forever


def test_a_server_that_hangs_up_fails_instead_of_busy_looping(baostock_server):
    server = baostock_server(behaviour="close")
    with pytest.raises(SourceError, match="closed the connection"):
        baostock.stock_list()
    assert [t for t, _ in server.requests] == ["00", "00"]  # login tried twice, then a clear failure


def test_nothing_listening_is_a_clear_failure():
    with pytest.raises(SourceError, match="login failed|Connection refused|not connected"):
        baostock.trade_calendar("2024-01-01", "2024-01-31")
