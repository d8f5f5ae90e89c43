"""Every default job of fixtures/tasks.yaml against the simulated full market, through the real
runner and the providers' real client code, at a realistic cost per provider call.

    python bench/bench_market.py [--stocks 5000] [--history-days 250] [--latency 0.15] [--min-interval 0.3]

Uses a scratch database (``mystocks_bench_market`` on DATABASE_URL's server, dropped and created).
The simulated market (ten years) is served over replayed HTTP (akshare, Eastmoney) and the fake
baostock TCP server, each answer taking ``--latency`` seconds; the provider rate limit is the
configured minimum interval. The database starts with the stocks, ``--history-days`` of bars up to
the day before the market's last day, factors, events and every statement period except the latest
(marked done), as a system that ran yesterday would have it.

Printed per job: duration, provider calls (akshare HTTP requests; baostock queries, login and logout
left out), rows, its timeout and the share of it used, and the smallest gap between two calls to
one provider. A raw baseline is measured in the same run where the job used to work per stock:
the per-stock path on a sample of stocks, extrapolated to the market. Targets: daily incremental
sync <= 60 s and <= 100 requests; statements for one new period <= 300 requests and <= 120 s;
indicators + signals <= 60 s; every job under 25 % of its timeout; the minimum interval kept.
"""
import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mystocks").rsplit("/", 1)[0]
BENCH_DB = "mystocks_bench_market"
os.environ["DATABASE_URL"] = f"{BASE_URL}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mystocks.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
BASELINE_SAMPLE = 40


def recreate_database():
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def setup_django(min_interval):
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    settings.MYSTOCKS_SOURCE_MIN_INTERVAL = min_interval
    settings.MYSTOCKS_SOURCE_RETRY_DELAY = 0.5
    settings.MYSTOCKS_ALERT_MONITOR = False


def build_market(args):
    from mystocks.market.simulated import load

    started = time.monotonic()
    market = load.build(stocks=args.stocks, years=10, cache_stocks=args.stocks + 100)
    print(f"simulated market: {len(market.stocks)} stocks, {len(market.days)} days "
          f"{market.days[0]}…{market.today} ({time.monotonic() - started:.1f}s)")
    return market


def preload(market, args):
    """The database as yesterday's run left it (see module docstring)."""
    from mystocks.market.models import SyncMark
    from mystocks.market.simulated import load
    from mystocks.market.statements import scope

    started = time.monotonic()
    yesterday = market.days[-2]
    counts = load.load(market, bars_from=market.days[-args.history_days - 1], bars_until=yesterday,
                       statements=False)
    periods = load.report_periods(market.days[0], yesterday)
    newest = [p for p in periods if p < yesterday][-1]
    for period in periods:
        if period == newest:
            continue
        for kind in ("balance_sheet", "income_statement", "cash_flow"):
            SyncMark.objects.update_or_create(scope=scope(kind), key=period.isoformat(),
                                              defaults={"complete": True, "done_through": period})
    print(f"preloaded up to {yesterday}: {counts} ({time.monotonic() - started:.0f}s); "
          f"statements: {newest} is the new period")
    return newest


def serve(market, latency, newest):
    import responses

    from mystocks.market.simulated.baostock_server import (
        FakeBaostockServer,
        SimulatedBaostockMarket,
        point_baostock_at,
    )
    from mystocks.market.simulated.eastmoney import SimulatedHttp

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    mock.start()
    http = SimulatedHttp(market, latency=latency).install(mock)
    from mystocks.market.factors import recent_report_periods

    started = time.monotonic()
    http.warm(periods=[newest, *recent_report_periods(market.today)])
    print(f"simulator warmed up ({time.monotonic() - started:.0f}s)")
    server = FakeBaostockServer(SimulatedBaostockMarket(market), latency=latency).start()
    point_baostock_at(server.port)
    return http, server


class Meter:
    """Provider calls and the smallest gap between two calls, per job."""

    def __init__(self, http, server):
        self.http, self.server = http, server

    def mark(self):
        return len(self.http.calls), len(self.server.requests)

    def since(self, mark):
        ak = [t for t, _ in self.http.calls[mark[0]:]]
        bs = [t for (kind, _), t in zip(self.server.requests[mark[1]:], self.server.times[mark[1]:])
              if kind not in ("00", "02")]
        gaps = [b - a for times in (ak, bs) for a, b in itertools.pairwise(times)]
        return len(ak), len(bs), min(gaps) if gaps else None


def run(definition, meter, params=None):
    from tasks_app.testing import run_definition_inline

    mark = meter.mark()
    started = time.monotonic()
    execution = run_definition_inline(definition, params)
    seconds = time.monotonic() - started
    ak, bs, gap = meter.since(mark)
    result = execution.result or {}
    rows = result.get("rows_fetched", result.get("trading_days", ""))
    return {"task": definition.task_id, "status": execution.status, "seconds": seconds, "akshare": ak,
            "baostock": bs, "rows": rows, "timeout": definition.timeout, "gap": gap,
            "error": (execution.error or "")[:120]}


def line(row):
    share = row["seconds"] / row["timeout"] * 100 if row["timeout"] else 0
    gap = f"{row['gap']:.3f}" if row["gap"] is not None else "-"
    flag = "" if share < 25 else "  > 25 %"
    return (f"{row['task']:<34} {row['status']:<8} {row['seconds']:>8.1f} {row['akshare']:>6} {row['baostock']:>6} "
            f"{row['rows']!s:>9} {row['timeout']:>7} {share:>6.1f}% {gap:>6}{flag}"
            + (f"  [{row['error']}]" if row["error"] else ""))


def header():
    return (f"{'job':<34} {'status':<8} {'seconds':>8} {'ak req':>6} {'bs req':>6} {'rows':>9} {'timeout':>7} "
            f"{'used':>7} {'gap s':>6}")


def definitions():
    from tasks_app.catalogue_yaml import import_catalogue
    from tasks_app.models import TaskDefinition

    report = import_catalogue((ROOT / "fixtures" / "tasks.yaml").read_text())
    assert report.ok, report.errors
    return {d.task_id: d for d in TaskDefinition.objects.all()}


def baseline(definitions_by_id, meter, market, newest):
    """The per-stock paths on a sample, extrapolated to the whole market."""
    codes = [s.code for s in market.stocks if not s.delist_date][:BASELINE_SAMPLE]
    daily = definitions_by_id["daily_data_sync"]
    bars = run(daily, meter, {"include_basic": False, "symbols": codes, "dates": [market.today.isoformat()]})
    stmt = run(definitions_by_id["sync_financial_data"], meter, {"symbols": codes[:10]})
    scale_bars, scale_stmt = len(market.stocks) / len(codes), len(market.stocks) / 10
    return [
        {**bars, "task": f"baseline per-stock bars ×{scale_bars:.0f}", "seconds": bars["seconds"] * scale_bars,
         "akshare": int(bars["akshare"] * scale_bars), "rows": "", "gap": bars["gap"]},
        {**stmt, "task": f"baseline per-stock stmts ×{scale_stmt:.0f}", "seconds": stmt["seconds"] * scale_stmt,
         "akshare": int(stmt["akshare"] * scale_stmt), "rows": "", "gap": stmt["gap"]},
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--history-days", type=int, default=250)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--min-interval", type=float, default=0.3)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    recreate_database()
    setup_django(args.min_interval)
    market = build_market(args)
    newest = preload(market, args)
    http, server = serve(market, args.latency, newest)
    meter = Meter(http, server)
    by_id = definitions()
    from mystocks.market.sync import spot_table_shows

    print(f"latency {args.latency}s per call, minimum interval {args.min_interval}s (+ up to 50 % jitter); "
          f"spot table shows {market.today}: {spot_table_shows(market.today)}")
    setup = run(by_id["calc_technical_indicators"], meter)  # yesterday's indicators, as the system would have
    print(f"(setup: indicators over the preloaded history {setup['seconds']:.1f}s)")
    order = ["daily_data_sync", "sync_adjust_factors", "sync_basic_stock_info", "sync_financial_data",
             "calc_technical_indicators", "calc_strategy_signals", "sync_trade_calendar", "hourly_realtime_data",
             "fetch_lhb_data", "fetch_capital_flow", "monthly_cache_cleanup"]
    rows = []
    print(header())
    for task_id in order:
        row = run(by_id[task_id], meter)
        rows.append(row)
        print(line(row), flush=True)
    if not args.skip_baseline:
        for row in baseline(by_id, meter, market, newest):
            print(line(row), flush=True)
    by_task = {r["task"]: r for r in rows}
    compute = by_task["calc_technical_indicators"]["seconds"] + by_task["calc_strategy_signals"]["seconds"]
    daily = by_task["daily_data_sync"]
    stmts = by_task["sync_financial_data"]
    print(f"\ntargets: daily sync {daily['seconds']:.1f}s (<= 60) with {daily['akshare'] + daily['baostock']} "
          f"requests (<= 100); statements for {newest}: {stmts['akshare']} requests (<= 300) in "
          f"{stmts['seconds']:.1f}s (<= 120); indicators + signals {compute:.1f}s (<= 60); "
          f"smallest gap {min(r['gap'] for r in rows if r['gap'] is not None):.3f}s (>= {args.min_interval}, "
          "measured where the simulator receives the call: a millisecond of scheduling noise)")
    server.stop()


if __name__ == "__main__":
    main()
