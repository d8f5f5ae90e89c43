"""Analytics for 5,000 stocks × 250 days, each next to a baseline measured in the same run:

- all indicators (39 families, 94 columns): the job's vectorised NumPy path (``indicators.compute_frame``
  on bars sorted by code, date) vs a per-stock pandas loop of the same formulas, run on
  ``--loop-stocks`` stocks and scaled (it is linear in stocks; the whole market takes minutes).
  Both outputs are compared, so the speed-up is for equal results. Targets: ≥ 20× and ≤ 2 s;
- TA-Lib's 61 candlestick patterns: one long series vs TA-Lib per stock (target ≤ 5 s);
- follow-up returns of one year of signals (target ≤ 5 s).

    python bench/bench_indicators.py [--stocks 5000] [--days 250] [--repeat 3] [--loop-stocks 500]

Wall and CPU seconds are printed: on a shared machine wall time includes waiting for a core.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import talib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mystocks.settings")


def make_bars(stocks, days):
    rng = np.random.default_rng(11)
    close = 10 * np.exp(np.cumsum(rng.normal(0, 0.02, (stocks, days)), axis=1))
    high = close * (1 + rng.uniform(0, 0.02, close.shape))
    low = close * (1 - rng.uniform(0, 0.02, close.shape))
    dates = pd.bdate_range("2023-01-02", periods=days).date
    return pd.DataFrame({
        "code": np.repeat([f"{i:06d}" for i in range(stocks)], days),
        "date": np.tile(np.array(dates, dtype=object), stocks),
        "open": (close * (1 + rng.normal(0, 0.01, close.shape))).ravel(), "high": high.ravel(), "low": low.ravel(),
        "close": close.ravel(), "volume": rng.integers(100_000, 10_000_000, close.shape).astype(float).ravel(),
    })


def pandas_one_stock(g):
    """The same formulas, written the usual pandas way for one stock's Series (SAR from TA-Lib, the
    fastest per-stock way; Supertrend as the usual per-bar loop)."""
    o, c, h, low, v = g["open"], g["close"], g["high"], g["low"], g["volume"]

    def ema(x, n):
        return x.ewm(span=n, adjust=False, ignore_na=True).mean()

    def sma(x, n):
        return x.ewm(alpha=1 / n, adjust=False, ignore_na=True).mean()

    def div(a, b):
        return (a / b.where(b != 0)).where(b != 0)

    def msum(x, n):
        return x.rolling(n).sum()

    def avedev(x, n):
        if len(x) < n:
            return pd.Series(np.nan, index=x.index)
        windows = np.lib.stride_tricks.sliding_window_view(x.to_numpy(), n)
        dev = np.abs(windows - windows.mean(axis=1, keepdims=True)).mean(axis=1)
        return pd.Series(np.r_[np.full(n - 1, np.nan), dev], index=x.index)

    def swma(x):
        return (x + 2 * x.shift(1) + 2 * x.shift(2) + x.shift(3)) / 6

    out = {f"ma{n}": c.rolling(n).mean() for n in (5, 10, 20, 30, 60, 120, 250)}
    out["ema12"], out["ema26"] = ema(c, 12), ema(c, 26)
    dif = out["ema12"] - out["ema26"]
    dea = ema(dif, 9)
    out.update(macd_dif=dif, macd_dea=dea, macd_bar=2 * (dif - dea))
    ll, hh = low.rolling(9).min(), h.rolling(9).max()
    k = sma(div(c - ll, hh - ll) * 100, 3)
    d = sma(k, 3)
    out.update(kdj_k=k, kdj_d=d, kdj_j=3 * k - 2 * d)
    diff = c.diff()
    for n in (6, 12, 14, 24):
        out[f"rsi{n}"] = div(sma(diff.clip(lower=0), n) * 100, sma(diff.abs(), n))
    mid, sd = c.rolling(20).mean(), c.rolling(20).std(ddof=1)
    out.update(boll_upper=mid + 2 * sd, boll_mid=mid, boll_lower=mid - 2 * sd)
    prev = c.shift()
    tr = pd.concat([h - low, (prev - h).abs(), (prev - low).abs()], axis=1).max(axis=1, skipna=False)
    out["tr"], out["atr14"] = tr, tr.rolling(14).mean()
    tp = (h + low + c) / 3
    for n in (14, 84):
        out[f"cci{n}"] = div(tp - tp.rolling(n).mean(), 0.015 * avedev(tp, n))
    for n in (10, 6, 14):
        top = h.rolling(n).max()
        out[f"wr{n}"] = div(100 * (top - c), top - low.rolling(n).min())
    obv = (np.sign(diff).fillna(0) * v).cumsum()
    out.update(obv=obv, maobv=obv.rolling(30).mean())
    tr3 = ema(ema(ema(c, 12), 12), 12)
    trix = div((tr3 - tr3.shift()) * 100, tr3.shift())
    out.update(trix=trix, trix_ma=trix.rolling(20).mean())
    hd, ld = h.diff(), -low.diff()
    tr14 = msum(tr, 14)
    pdi = div(msum(hd.where((hd > 0) & (hd > ld), 0.0).where(hd.notna()), 14) * 100, tr14)
    mdi = div(msum(ld.where((ld > 0) & (ld > hd), 0.0).where(ld.notna()), 14) * 100, tr14)
    dx = div((mdi - pdi).abs() * 100, mdi + pdi)
    adx = dx.rolling(6).mean()
    out.update(dmi_pdi=pdi, dmi_mdi=mdi, dmi_dx=dx, dmi_adx=adx, dmi_adxr=(adx + adx.shift(6)) / 2)
    out["sar"] = pd.Series(talib.SAR(h.to_numpy(), low.to_numpy(), 0.02, 0.2), index=c.index)
    psy = (c > prev).astype(float).rolling(12).sum() / 12 * 100
    out.update(psy=psy, psy_ma=psy.rolling(6).mean())
    out["brar_ar"] = div(msum(h - o, 26) * 100, msum(o - low, 26))
    out["brar_br"] = div(msum((h - prev).clip(lower=0), 26) * 100, msum((prev - low).clip(lower=0), 26))
    mid_cr = (h + low).shift() / 2
    cr = div(msum((h - mid_cr).clip(lower=0), 26) * 100, msum((mid_cr - low).clip(lower=0), 26))
    out.update(cr=cr, cr_ma1=cr.rolling(10).mean().shift(5), cr_ma2=cr.rolling(20).mean().shift(9),
               cr_ma3=cr.rolling(40).mean().shift(17))
    up, down, flat = (msum(v.where(cond, 0.0).where(prev.notna()), 26) for cond in (c > prev, c < prev, c == prev))
    vr = div(100 * (2 * up + flat), 2 * down + flat)
    out.update(vr=vr, vr_ma=vr.rolling(6).mean())
    dma = c.rolling(10).mean() - c.rolling(50).mean()
    out.update(dma_dif=dma, dma_ama=dma.rolling(10).mean())
    hl = h + low
    emv = (div(100 * hl.diff(), hl) * div(v.rolling(14).mean(), v)
           * div(h - low, (h - low).rolling(14).mean())).rolling(14).mean()
    out.update(emv=emv, emv_ma=emv.rolling(9).mean())
    for n in (6, 12, 24):
        m = c.rolling(n).mean()
        out[f"bias{n}"] = div((c - m) * 100, m)
    flow = (tp * v).where(tp.shift().notna())
    pos = msum(flow.where(tp > tp.shift(), 0.0).where(flow.notna()), 14)
    neg = msum(flow.where(tp < tp.shift(), 0.0).where(flow.notna()), 14)
    out["mfi"] = div(100 * pos, pos + neg)
    roc = div(100 * (c - c.shift(12)), c.shift(12))
    mtm = c - c.shift(12)
    out.update(roc=roc, roc_ma=roc.rolling(6).mean(), roc_ema=ema(roc.rolling(6).mean(), 9), mtm=mtm,
               mtm_ma=mtm.rolling(6).mean())
    dpo = c - c.rolling(20).mean().shift(10)
    out.update(dpo=dpo, dpo_ma=dpo.rolling(6).mean())
    aa, bb, cc, dd = (h - prev).abs(), (low - prev).abs(), (h - low.shift()).abs(), (prev - o.shift()).abs()
    r = pd.Series(np.where((aa > bb) & (aa > cc), aa + bb / 2 + dd / 4,
                           np.where((bb > cc) & (bb > aa), bb + aa / 2 + dd / 4, cc + dd / 4)), index=c.index)
    r = r.where(dd.notna())
    si = div(16 * (c - prev + (c - o) / 2 + prev - o.shift()), r) * np.maximum(aa, bb)
    asi = msum(si, 26)
    out.update(asi=asi, asi_ma=asi.rolling(10).mean())
    out["vwma"] = div(msum(c * v, 14), msum(v, 14))
    ppo = div((out["ema12"] - out["ema26"]) * 100, out["ema26"])
    signal = ema(ppo, 9)
    out.update(ppo=ppo, ppo_signal=signal, ppo_hist=ppo - signal)
    rsi14 = out["rsi14"]
    lo14 = rsi14.rolling(14).min()
    stoch = div((rsi14 - lo14) * 100, rsi14.rolling(14).max() - lo14)
    out.update(stochrsi_k=stoch, stochrsi_d=stoch.rolling(3).mean())
    ma10 = c.rolling(10).mean()
    out.update(ene_upper=1.11 * ma10, ene_mid=(1.11 * ma10 + 0.91 * ma10) / 2, ene_lower=0.91 * ma10)
    out["bbi"] = (c.rolling(3).mean() + c.rolling(6).mean() + c.rolling(12).mean() + c.rolling(24).mean()) / 4
    spread = (h - low).rolling(9).mean()
    mass = msum(div(spread, spread.rolling(9).mean()), 25)
    out.update(mass=mass, mass_ma=mass.rolling(6).mean())
    kmid, band = ema(tp, 20), 2 * tr.rolling(10).mean()
    out.update(ktn_upper=kmid + band, ktn_mid=kmid, ktn_lower=kmid - band)
    out["supertrend"], out["supertrend_upper"], out["supertrend_lower"] = supertrend_loop(c, h, low, out["atr14"])
    e1 = ema(c, 14)
    e2 = ema(e1, 14)
    out["tema"] = 3 * e1 - 3 * e2 + ema(e2, 14)
    out["vhf"] = div(c.rolling(28).max() - c.rolling(28).min(), msum(diff.abs(), 28))
    rvi = div(msum(swma(c - o), 10), msum(swma(h - low), 10))
    out.update(rvi=rvi, rvi_signal=swma(rvi))
    force = diff * v
    out.update(force2=ema(force, 2), force13=ema(force, 13))
    esa = ema(tp, 10)
    wt1 = ema(div(tp - esa, 0.015 * ema((tp - esa).abs(), 10)), 21)
    out.update(wt1=wt1, wt2=wt1.rolling(4).mean())
    out.update(vol_ma5=v.rolling(5).mean(), vol_ma10=v.rolling(10).mean())
    return pd.DataFrame(out)


def supertrend_loop(c, h, low, atr):
    """The usual per-bar Supertrend loop (ATR14 × 3 bands around (H+L)/2)."""
    basic_up, basic_lo = ((h + low) / 2 + 3 * atr).to_numpy(), ((h + low) / 2 - 3 * atr).to_numpy()
    close = c.to_numpy()
    n = len(close)
    up, lo, line = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    bearish = True
    for i in range(n):
        if np.isnan(basic_up[i]):
            continue
        if i == 0 or np.isnan(up[i - 1]):
            up[i], lo[i] = basic_up[i], basic_lo[i]
            bearish = close[i] <= up[i]
        else:
            up[i] = basic_up[i] if basic_up[i] < up[i - 1] or close[i - 1] > up[i - 1] else up[i - 1]
            lo[i] = basic_lo[i] if basic_lo[i] > lo[i - 1] or close[i - 1] < lo[i - 1] else lo[i - 1]
            bearish = close[i] <= up[i] if bearish else close[i] <= lo[i]
        line[i] = up[i] if bearish else lo[i]
    return (pd.Series(x, index=c.index) for x in (line, up, lo))


def per_stock_loop(bars):
    return pd.concat([pandas_one_stock(g) for _, g in bars.groupby("code", sort=True)])


def timed(fn, repeat):
    """(best wall s, median wall s, best CPU s of this process, result)."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), float(np.median(walls)), min(cpus), result


def bench_indicators(bars, args):
    from mystocks.market import indicators

    names = list(indicators.INDICATOR_COLUMNS)
    columns = [c for cols in indicators.INDICATOR_COLUMNS.values() for c in cols]
    codes = bars["code"].to_numpy()
    last_bar = np.r_[codes[1:] != codes[:-1], True]
    print(f"indicators: {len(names)} families, {len(columns)} columns on {args.stocks:,} stocks × {args.days} days")
    job = timed(lambda: indicators.compute_frame(bars, names, keep=last_bar), args.repeat)
    full = timed(lambda: indicators.compute_frame(bars, names), args.repeat)
    sample = bars[bars["code"].isin(pd.unique(codes)[:args.loop_stocks])]
    loop = timed(lambda: per_stock_loop(sample), 1)
    scale = args.stocks / args.loop_stocks
    ours = full[3].iloc[:len(sample)]
    theirs = loop[3]
    expected = theirs[columns].to_numpy()
    worst = np.nanmax(np.abs(ours[columns].to_numpy() - expected) / np.maximum(1, np.abs(expected)))
    same_nan = (ours[columns].isna().to_numpy() == theirs[columns].isna().to_numpy()).all()
    print(f"  vectorised, the job's way (all bars computed, the last one kept): best {job[0]:.3f} s, "
          f"median {job[1]:.3f} s wall; {job[2]:.3f} s CPU")
    print(f"  vectorised, every row kept (a full recompute):                    best {full[0]:.3f} s, "
          f"median {full[1]:.3f} s wall; {full[2]:.3f} s CPU")
    print(f"  per-stock pandas loop: {loop[0]:.2f} s wall / {loop[2]:.2f} s CPU for {args.loop_stocks:,} stocks, "
          f"× {scale:g} = {loop[0] * scale:.1f} s wall / {loop[2] * scale:.1f} s CPU for {args.stocks:,}")
    print(f"  speed-up (job's way vs loop, all stocks): {loop[0] * scale / job[0]:.1f}× wall, "
          f"{loop[2] * scale / job[2]:.1f}× CPU (target ≥ 20×); job's way ≤ 2 s: wall {job[0] <= 2}, CPU {job[2] <= 2}")
    print(f"  largest difference to the loop: {worst:.1e} (relative above 1); same NaN positions: {same_nan}")


def bench_patterns(bars, args):
    from mystocks.market import patterns

    names = list(patterns.PATTERNS)
    ohlc = {k: bars[k].round(2).to_numpy() for k in ("open", "high", "low", "close")}
    graded = bars.assign(**ohlc)
    fast = timed(lambda: patterns.detect(graded, names), args.repeat)
    starts = np.flatnonzero(np.r_[True, graded["code"].to_numpy()[1:] != graded["code"].to_numpy()[:-1]])
    ends = np.r_[starts[1:], len(graded)]

    def per_stock():
        hits = 0
        for name in names:
            fn = getattr(talib, name)
            for a, b in zip(starts, ends):
                hits += int(np.count_nonzero(fn(*(ohlc[k][a:b] for k in ("open", "high", "low", "close")))))
        return hits

    slow = timed(per_stock, 1)
    print(f"patterns: TA-Lib's {len(names)} on {args.stocks:,} stocks × {args.days} days")
    print(f"  one long series, one call per pattern on a thread per core: best {fast[0]:.3f} s, "
          f"median {fast[1]:.3f} s wall; {fast[2]:.3f} s CPU; {len(fast[3]):,} hits (target ≤ 5 s)")
    print(f"  TA-Lib called per stock:                                    {slow[0]:.3f} s wall; "
          f"{slow[2]:.3f} s CPU; {slow[3]:,} hits (same count: {slow[3] == len(fast[3])})")


def bench_returns(bars, args):
    from mystocks.market import followup

    rng = np.random.default_rng(5)
    days = pd.unique(bars["date"])
    codes = pd.unique(bars["code"])
    picks = rng.choice(len(codes) * (len(days) - 60), size=args.signals, replace=False)
    signals = pd.DataFrame({"strategy": "s", "code": codes[picks // (len(days) - 60)],
                            "date": days[picks % (len(days) - 60)], "side": "buy"}).sort_values(["code", "date"])
    both = timed(lambda: [followup.returns_for(bars, signals, basis=b) for b in ("close", "next_open")], args.repeat)
    print(f"follow-up returns: {args.signals:,} signals over {len(days) - 60} days of {len(codes):,} stocks, "
          f"6 horizons, close and next-open entries")
    print(f"  vectorised: best {both[0]:.3f} s, median {both[1]:.3f} s wall; {both[2]:.3f} s CPU "
          f"(target ≤ 5 s); complete rows: {int(both[3][0]['complete'].sum()):,}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-stocks", type=int, default=500, help="stocks the per-stock loop runs on (scaled up)")
    parser.add_argument("--signals", type=int, default=100_000, help="signals for the follow-up returns")
    args = parser.parse_args()
    import django

    django.setup()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(CPU seconds are this process's own; wall seconds include waiting for a core)")
    bars = make_bars(args.stocks, args.days)
    bench_indicators(bars, args)
    bench_patterns(bars, args)
    bench_returns(make_bars(args.stocks, args.days + 60), args)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
