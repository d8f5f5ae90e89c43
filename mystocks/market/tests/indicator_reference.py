"""Every indicator formula written the plain way: one stock, one bar at a time, Python floats.

Independent of ``primitives``: no shared helpers, no NumPy in the formulas. NaN means "not enough
history" or "undefined" (a zero denominator), as the vectorised code documents.
"""
import math

nan = math.nan


def isnan(x):
    return isinstance(x, float) and math.isnan(x)


def div(a, b, tol=0.0):
    if isnan(a) or isnan(b) or abs(b) <= tol:
        return nan
    return a / b


def shift(x, k):
    return [x[i - k] if i >= k else nan for i in range(len(x))]


def window(x, n, fn):
    out = []
    for i in range(len(x)):
        w = x[i - n + 1:i + 1] if i >= n - 1 else None
        out.append(nan if w is None or any(isnan(v) for v in w) else fn(w))
    return out


def r_sum(x, n):
    return window(x, n, sum)


def r_ma(x, n):
    return window(x, n, lambda w: sum(w) / n)


def r_max(x, n):
    return window(x, n, max)


def r_min(x, n):
    return window(x, n, min)


def r_std(x, n):
    def sd(w):
        mean = sum(w) / n
        return math.sqrt(sum((v - mean) ** 2 for v in w) / (n - 1))
    return window(x, n, sd)


def r_avedev(x, n):
    def dev(w):
        mean = sum(w) / n
        return sum(abs(v - mean) for v in w) / n
    return window(x, n, dev)


def r_recursive(x, alpha):
    out, prev = [], nan
    for value in x:
        if isnan(prev):
            prev = value
        elif not isnan(value):
            prev = alpha * value + (1 - alpha) * prev
        out.append(prev)
    return out


def r_ema(x, n):
    return r_recursive(x, 2 / (n + 1))


def r_sma(x, n, m=1):
    return r_recursive(x, m / n)


def zip_map(fn, *columns):
    return [fn(*values) for values in zip(*columns)]


def r_rsi(c, n):
    prev = shift(c, 1)
    up = r_sma([max(a - b, 0) if not isnan(b) else nan for a, b in zip(c, prev)], n)
    total = r_sma([abs(a - b) if not isnan(b) else nan for a, b in zip(c, prev)], n)
    return zip_map(lambda a, b: div(a * 100, b), up, total)


def r_tr(c, h, low):
    prev = shift(c, 1)
    return [max(h[i] - low[i], abs(prev[i] - h[i]), abs(prev[i] - low[i])) if i else nan for i in range(len(c))]


def r_cci(c, h, low, n):
    tp = [(a + b + d) / 3 for a, b, d in zip(h, low, c)]
    mean, dev = r_ma(tp, n), r_avedev(tp, n)
    return [div(tp[i] - mean[i], 0.015 * dev[i], tol=1e-9 * abs(mean[i]) if not isnan(mean[i]) else 0)
            for i in range(len(c))]


def r_wr(c, h, low, n):
    hh, ll = r_max(h, n), r_min(low, n)
    return [div(100 * (hh[i] - c[i]), hh[i] - ll[i]) for i in range(len(c))]


def swma(x):
    x1, x2, x3 = shift(x, 1), shift(x, 2), shift(x, 3)
    return [(a + 2 * b + 2 * d + e) / 6 for a, b, d, e in zip(x, x1, x2, x3)]


def r_supertrend(c, h, low):
    atr = r_ma(r_tr(c, h, low), 14)
    n = len(c)
    line, up, lo = [nan] * n, [nan] * n, [nan] * n
    bearish = True
    for i in range(n):
        if isnan(atr[i]):
            continue
        basic_up = (h[i] + low[i]) / 2 + 3 * atr[i]
        basic_lo = (h[i] + low[i]) / 2 - 3 * atr[i]
        if i == 0 or isnan(up[i - 1]):
            up[i], lo[i] = basic_up, basic_lo
            bearish = c[i] <= up[i]
        else:
            up[i] = basic_up if basic_up < up[i - 1] or c[i - 1] > up[i - 1] else up[i - 1]
            lo[i] = basic_lo if basic_lo > lo[i - 1] or c[i - 1] < lo[i - 1] else lo[i - 1]
            bearish = c[i] <= up[i] if bearish else c[i] <= lo[i]
        line[i] = up[i] if bearish else lo[i]
    return line, up, lo


def reference(s):
    """{column: list of values} for every column of ``indicators.INDICATOR_COLUMNS`` except SAR
    (checked against TA-Lib's own SAR instead)."""
    o, c, h, low, v = (list(map(float, s[k])) for k in ("open", "close", "high", "low", "volume"))
    n = len(c)
    prev = shift(c, 1)
    out = {f"ma{p}": r_ma(c, p) for p in (5, 10, 20, 30, 60, 120, 250)}
    out["ema12"], out["ema26"] = r_ema(c, 12), r_ema(c, 26)
    dif = [a - b for a, b in zip(out["ema12"], out["ema26"])]
    dea = r_ema(dif, 9)
    out.update(macd_dif=dif, macd_dea=dea, macd_bar=[2 * (a - b) for a, b in zip(dif, dea)])
    hh9, ll9 = r_max(h, 9), r_min(low, 9)
    k = r_sma([div((c[i] - ll9[i]) * 100, hh9[i] - ll9[i]) for i in range(n)], 3)
    d = r_sma(k, 3)
    out.update(kdj_k=k, kdj_d=d, kdj_j=[3 * a - 2 * b for a, b in zip(k, d)])
    for p in (6, 12, 14, 24):
        out[f"rsi{p}"] = r_rsi(c, p)
    mid, sd = r_ma(c, 20), r_std(c, 20)
    out.update(boll_mid=mid, boll_upper=[m + 2 * x for m, x in zip(mid, sd)],
               boll_lower=[m - 2 * x for m, x in zip(mid, sd)])
    tr = r_tr(c, h, low)
    out["tr"], out["atr14"] = tr, r_ma(tr, 14)
    out["cci14"], out["cci84"] = r_cci(c, h, low, 14), r_cci(c, h, low, 84)
    for p in (10, 6, 14):
        out[f"wr{p}"] = r_wr(c, h, low, p)
    obv, running = [], 0.0
    for i in range(n):
        if i and c[i] > prev[i]:
            running += v[i]
        elif i and c[i] < prev[i]:
            running -= v[i]
        obv.append(running)
    out.update(obv=obv, maobv=r_ma(obv, 30))

    tr3 = r_ema(r_ema(r_ema(c, 12), 12), 12)
    tr3_prev = shift(tr3, 1)
    trix = [div((a - b) * 100, b) for a, b in zip(tr3, tr3_prev)]
    out.update(trix=trix, trix_ma=r_ma(trix, 20))

    hd = [h[i] - h[i - 1] if i else nan for i in range(n)]
    ld = [low[i - 1] - low[i] if i else nan for i in range(n)]
    tr14 = r_sum(tr, 14)
    dmp = r_sum([nan if isnan(a) else (a if a > 0 and a > b else 0.0) for a, b in zip(hd, ld)], 14)
    dmm = r_sum([nan if isnan(b) else (b if b > 0 and b > a else 0.0) for a, b in zip(hd, ld)], 14)
    pdi = [div(a * 100, t) for a, t in zip(dmp, tr14)]
    mdi = [div(b * 100, t) for b, t in zip(dmm, tr14)]
    dx = [div(abs(m - p) * 100, m + p) for p, m in zip(pdi, mdi)]
    adx = r_ma(dx, 6)
    out.update(dmi_pdi=pdi, dmi_mdi=mdi, dmi_dx=dx, dmi_adx=adx,
               dmi_adxr=[(a + b) / 2 for a, b in zip(adx, shift(adx, 6))])

    ups = [nan if i == 0 else float(c[i] > c[i - 1]) for i in range(n)]
    ups[0] = 0.0  # the first bar counts as "not up" (no earlier close), as COUNT does in TDX
    psy = [x / 12 * 100 for x in r_sum(ups, 12)]
    out.update(psy=psy, psy_ma=r_ma(psy, 6))

    ar = [div(a * 100, b)
          for a, b in zip(r_sum([x - y for x, y in zip(h, o)], 26), r_sum([y - z for y, z in zip(o, low)], 26))]
    br_up = r_sum([max(0, h[i] - prev[i]) if i else nan for i in range(n)], 26)
    br_dn = r_sum([max(0, prev[i] - low[i]) if i else nan for i in range(n)], 26)
    out.update(brar_ar=ar, brar_br=[div(a * 100, b) for a, b in zip(br_up, br_dn)])

    mid_cr = [(h[i - 1] + low[i - 1]) / 2 if i else nan for i in range(n)]
    cr_up = r_sum([max(0, h[i] - mid_cr[i]) if i else nan for i in range(n)], 26)
    cr_dn = r_sum([max(0, mid_cr[i] - low[i]) if i else nan for i in range(n)], 26)
    cr = [div(a * 100, b) for a, b in zip(cr_up, cr_dn)]
    out.update(cr=cr, cr_ma1=shift(r_ma(cr, 10), 5), cr_ma2=shift(r_ma(cr, 20), 9), cr_ma3=shift(r_ma(cr, 40), 17))

    def vol_if(test):
        return r_sum([nan if i == 0 else (v[i] if test(c[i], c[i - 1]) else 0.0) for i in range(n)], 26)
    th, tl, tq = vol_if(lambda a, b: a > b), vol_if(lambda a, b: a < b), vol_if(lambda a, b: a == b)
    vr = [div(100 * (2 * a + q), 2 * b + q) for a, b, q in zip(th, tl, tq)]
    out.update(vr=vr, vr_ma=r_ma(vr, 6))

    dma = [a - b for a, b in zip(r_ma(c, 10), r_ma(c, 50))]
    out.update(dma_dif=dma, dma_ama=r_ma(dma, 10))

    hl = [a + b for a, b in zip(h, low)]
    mid_emv = [div(100 * (hl[i] - hl[i - 1]), hl[i]) if i else nan for i in range(n)]
    vol_ratio = [div(a, b) for a, b in zip(r_ma(v, 14), v)]
    rng_ma = r_ma([a - b for a, b in zip(h, low)], 14)
    emv = r_ma([mid_emv[i] * vol_ratio[i] * div(h[i] - low[i], rng_ma[i]) for i in range(n)], 14)
    out.update(emv=emv, emv_ma=r_ma(emv, 9))

    for p in (6, 12, 24):
        m = r_ma(c, p)
        out[f"bias{p}"] = [div((a - b) * 100, b) for a, b in zip(c, m)]

    tp = [(a + b + d) / 3 for a, b, d in zip(h, low, c)]
    pos = r_sum([nan if i == 0 else (tp[i] * v[i] if tp[i] > tp[i - 1] else 0.0) for i in range(n)], 14)
    neg = r_sum([nan if i == 0 else (tp[i] * v[i] if tp[i] < tp[i - 1] else 0.0) for i in range(n)], 14)
    out["mfi"] = [div(100 * a, a + b) for a, b in zip(pos, neg)]

    c12 = shift(c, 12)
    roc = [div(100 * (a - b), b) for a, b in zip(c, c12)]
    mtm = [a - b for a, b in zip(c, c12)]
    out.update(roc=roc, roc_ma=r_ma(roc, 6), roc_ema=r_ema(r_ma(roc, 6), 9), mtm=mtm, mtm_ma=r_ma(mtm, 6))

    dpo = [a - b for a, b in zip(c, shift(r_ma(c, 20), 10))]
    out.update(dpo=dpo, dpo_ma=r_ma(dpo, 6))

    si = [nan]
    for i in range(1, n):
        lc = c[i - 1]
        aa, bb, cc, dd = abs(h[i] - lc), abs(low[i] - lc), abs(h[i] - low[i - 1]), abs(lc - o[i - 1])
        if aa > bb and aa > cc:
            r = aa + bb / 2 + dd / 4
        elif bb > cc and bb > aa:
            r = bb + aa / 2 + dd / 4
        else:
            r = cc + dd / 4
        x = c[i] - lc + (c[i] - o[i]) / 2 + lc - o[i - 1]
        si.append(div(16 * x, r) * max(aa, bb))
    asi = r_sum(si, 26)
    out.update(asi=asi, asi_ma=r_ma(asi, 10))

    out["vwma"] = [div(a, b) for a, b in zip(r_sum([x * y for x, y in zip(c, v)], 14), r_sum(v, 14))]

    ppo = [div((a - b) * 100, b) for a, b in zip(out["ema12"], out["ema26"])]
    ppo_signal = r_ema(ppo, 9)
    out.update(ppo=ppo, ppo_signal=ppo_signal, ppo_hist=[a - b for a, b in zip(ppo, ppo_signal)])

    rsi14 = out["rsi14"]
    lo14, hi14 = r_min(rsi14, 14), r_max(rsi14, 14)
    stoch = [div((rsi14[i] - lo14[i]) * 100, hi14[i] - lo14[i], tol=1e-7) for i in range(n)]
    out.update(stochrsi_k=stoch, stochrsi_d=r_ma(stoch, 3))

    ma10 = r_ma(c, 10)
    upper, lower = [1.11 * x for x in ma10], [0.91 * x for x in ma10]
    out.update(ene_upper=upper, ene_lower=lower, ene_mid=[(a + b) / 2 for a, b in zip(upper, lower)])

    out["bbi"] = [(a + b + d + e) / 4 for a, b, d, e in zip(r_ma(c, 3), r_ma(c, 6), r_ma(c, 12), r_ma(c, 24))]

    spread = r_ma([a - b for a, b in zip(h, low)], 9)
    mass = r_sum([div(a, b) for a, b in zip(spread, r_ma(spread, 9))], 25)
    out.update(mass=mass, mass_ma=r_ma(mass, 6))

    kmid = r_ema(tp, 20)
    atr10 = r_ma(tr, 10)
    out.update(ktn_mid=kmid, ktn_upper=[a + 2 * b for a, b in zip(kmid, atr10)],
               ktn_lower=[a - 2 * b for a, b in zip(kmid, atr10)])

    out["supertrend"], out["supertrend_upper"], out["supertrend_lower"] = r_supertrend(c, h, low)

    e1 = r_ema(c, 14)
    e2 = r_ema(e1, 14)
    out["tema"] = [3 * a - 3 * b + d for a, b, d in zip(e1, e2, r_ema(e2, 14))]

    moves = r_sum([abs(c[i] - c[i - 1]) if i else nan for i in range(n)], 28)
    out["vhf"] = [div(a - b, m) for a, b, m in zip(r_max(c, 28), r_min(c, 28), moves)]

    body, span = r_sum(swma([a - b for a, b in zip(c, o)]), 10), r_sum(swma([a - b for a, b in zip(h, low)]), 10)
    rvi = [div(a, b) for a, b in zip(body, span)]
    out.update(rvi=rvi, rvi_signal=swma(rvi))

    force = [(c[i] - c[i - 1]) * v[i] if i else nan for i in range(n)]
    out.update(force2=r_ema(force, 2), force13=r_ema(force, 13))

    esa = r_ema(tp, 10)
    dev = r_ema([abs(a - b) for a, b in zip(tp, esa)], 10)
    ci = [div(a - b, 0.015 * d, tol=1e-9 * abs(a)) for a, b, d in zip(tp, esa, dev)]
    wt1 = r_ema(ci, 21)
    out.update(wt1=wt1, wt2=r_ma(wt1, 4))

    out.update(vol_ma5=r_ma(v, 5), vol_ma10=r_ma(v, 10))
    return out
