"""A bench-sized simulated market written with COPY: stocks × years of daily bars, indicators for the
last year, signals, coverage summaries. Shared by bench_pages.py and bench_api.py (``--market``)."""
import datetime
import io
import time

import numpy as np
import pandas as pd

CHUNK = 250  # stocks generated and copied at a time: memory stays flat at any market size
BAR_COLUMNS = ["code", "date", "adjust", "open", "high", "low", "close", "pre_close", "volume", "amount",
               "turnover", "pct_change", "source"]


def trading_days(years, end=None):
    end = end or datetime.date.today()
    return [d.date() for d in pd.bdate_range(end - datetime.timedelta(days=int(365.25 * years)), end)]


def _copy(cursor, table, columns, frame):
    buffer = io.StringIO()
    frame[columns].to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


def fill_market(*, stocks, years):
    """Write the market; returns (codes, days)."""
    from django.db import connection

    from mystocks.market import coverage, sample
    from mystocks.market.indicators import compute_frame
    from mystocks.market.models import DailyBar, IndicatorValue, Stock

    started, days = time.perf_counter(), trading_days(years)
    stored = list(Stock.objects.filter(name__endswith=" bench").order_by("code").values_list("code", flat=True))
    if stored:  # --keep: the market of an earlier run is reused as it is
        days = sorted(DailyBar.objects.filter(code=stored[0]).values_list("date", flat=True))
        print(f"reusing the stored market: {len(stored):,} stocks × {len(days):,} days")
        _signal_returns()
        return stored, days
    codes = []
    with connection.cursor() as cursor:
        for first in range(0, stocks, CHUNK):
            n = min(CHUNK, stocks - first)
            frame, bars = sample.generate(days, stocks=n, seed=first + 1)
            rename = {old: f"B{first + i + 1:05d}" for i, old in enumerate(frame["code"])}
            frame["code"], bars["code"] = frame["code"].map(rename), bars["code"].map(rename)
            codes += list(frame["code"])
            _copy(cursor, Stock._meta.db_table,
                  ["code", "name", "exchange", "industry", "list_date", "status", "source"],
                  frame.assign(name=frame["code"] + " bench"))
            _copy(cursor, DailyBar._meta.db_table, BAR_COLUMNS, bars.assign(adjust="none", source="bench"))
            recent = bars[bars["date"] >= days[-250]]
            values = compute_frame(recent.reset_index(drop=True), ["MA", "MACD", "KDJ", "RSI", "BOLL"])
            _copy(cursor, IndicatorValue._meta.db_table, list(values.columns) + ["period"],
                  values.assign(period="daily"))
            print(f"  {first + n:,} stocks, {len(bars) * (first // CHUNK + 1):,} bars, "
                  f"{time.perf_counter() - started:.0f}s", flush=True)
        cursor.execute(f"ANALYZE {DailyBar._meta.db_table}")
    _signals(codes, days)
    _signal_returns()
    coverage.rebuild(keys=["bars:none", "indicators:daily", "signals:ma_crossover"])
    print(f"market filled: {stocks:,} stocks × {len(days):,} days in {time.perf_counter() - started:.0f}s")
    return codes, days


def _signals(codes, days):
    """About 1 % of the stocks selected by ma_crossover on each of the last 250 days."""
    from mystocks.market.models import StrategySignal

    rng = np.random.default_rng(7)
    rows = [StrategySignal(strategy="ma_crossover", code=c, date=d, side="buy", close=10.0)
            for d in days[-250:] for c in rng.choice(codes, size=max(1, len(codes) // 100), replace=False)]
    StrategySignal.objects.bulk_create(rows, batch_size=5000)


def _signal_returns():
    """The signals' follow-up returns (both entries), stored by the job's own code as calc_signal_returns
    would; incremental, so a reused market only gets what it lacks."""
    import logging
    import types

    from mystocks.market import followup

    started = time.perf_counter()
    ctx = types.SimpleNamespace(check_cancelled=lambda: None, progress=lambda *args: None,
                                log=logging.getLogger("bench"))
    result = followup.compute_and_store(ctx, strategy_names=[], bases=["close", "next_open"], adjust="qfq")
    print(f"follow-up returns: {result['rows_inserted']:,} rows stored in {time.perf_counter() - started:.0f}s")


def raw_baseline(codes, repeat):
    """(p50, p95) ms of the least a bars request can cost: one SQL fetch of a stock's ten years and
    a JSON dump of the rows, no Django, measured in the same run as the pages."""
    import statistics

    import orjson
    from django.db import connection

    code, times = codes[len(codes) // 2], []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute("SELECT code, date, open, high, low, close, volume, pre_close FROM market_dailybar "
                           "WHERE code = %s AND adjust = 'none' ORDER BY date", [code])
            orjson.dumps(cursor.fetchall())
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def page_urls(codes, days):
    code, day = codes[len(codes) // 2], days[-80]
    return [
        ("market: coverage page", "/market/"),
        ("market: stock page (HTML)", f"/market/stocks/{code}/"),
        ("market: stock chart data, 10 y", f"/market/stocks/{code}/chart.json?adjust=none"),
        ("market: stock chart data, qfq", f"/market/stocks/{code}/chart.json?adjust=qfq"),
        ("market: signals, one strategy+day", f"/market/signals/?strategy=ma_crossover&date={day}"),
        ("market: signal statistics, 90 days", f"/market/signals/stats/?strategy=ma_crossover&start={days[-90]}"
                                              f"&end={days[-1]}"),
    ]


def api_urls(codes, days):
    code = codes[len(codes) // 2]
    return [
        ("market: /api/market/bars 10 y", f"/api/market/bars/?code={code}&adjust=none"),
        ("market: /api/market/bars 10 y qfq", f"/api/market/bars/?code={code}&adjust=qfq"),
        ("market: /api/market/signals day", f"/api/market/signals/?strategy=ma_crossover&date={days[-80]}"),
        ("market: /api/market/coverage", "/api/market/coverage/"),
    ]
