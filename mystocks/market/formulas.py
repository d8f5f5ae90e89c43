"""TongDaXin / MyTT indicator formulas on ``codes × bars`` arrays (primitives in ``primitives``).

Warm-up: a value is NaN until its formula has all the bars it needs (MA(C,20): 20 bars; REF(C,12): 13
bars); recursive averages (EMA/SMA) start at the first defined input. 0/0 is NaN (see each formula).

Formulas (defaults), C/O/H/L/V = close/open/high/low/volume, C′ = REF(C,1):
- MA 5/10/20/30/60/120/250; EMA 12/26; VOL: MA(V,5), MA(V,10).
- MACD: DIF = EMA(C,12) − EMA(C,26); DEA = EMA(DIF,9); bar = 2·(DIF − DEA).
- KDJ: RSV = (C − LLV(L,9)) / (HHV(H,9) − LLV(L,9))·100; K = SMA(RSV,3,1); D = SMA(K,3,1); J = 3K − 2D.
  When HHV = LLV (nine bars at one price, e.g. a 一字板 run) RSV is 0/0: undefined; K keeps its
  previous value (SMA carries a missing input) and D = SMA(K) keeps converging to it.
- RSI N∈{6,12,14,24}: SMA(MAX(C − C′,0),N,1) / SMA(|C − C′|,N,1)·100 (NaN while every move was 0).
- BOLL: MID = MA(C,20); UPPER/LOWER = MID ± 2·STD(C,20).
- ATR: TR = MAX(H − L, |C′ − H|, |C′ − L|) (NaN on a first bar); ATR14 = MA(TR,14).
- CCI N∈{14,84}: TP = (H+L+C)/3; (TP − MA(TP,N)) / (0.015·AVEDEV(TP,N)); NaN on a flat window.
- WR N∈{10,6,14}: 100·(HHV(H,N) − C)/(HHV(H,N) − LLV(L,N)) (0 = at the high; NaN when HHV = LLV).
- OBV: running sum of ±V (+ when C > C′, − when C < C′, 0 when equal or on the first bar); MAOBV = MA(OBV,30).
- TRIX: TR = EMA(EMA(EMA(C,12),12),12); TRIX = (TR − REF(TR,1))/REF(TR,1)·100; TRMA = MA(TRIX,20).
- DMI: TR14 = SUM(TR,14); HD = H − REF(H,1); LD = REF(L,1) − L; PDI = SUM(IF(HD>0 AND HD>LD,HD,0),14)·100/TR14;
  MDI likewise with LD; DX = |MDI − PDI|/(MDI + PDI)·100; ADX = MA(DX,6); ADXR = (ADX + REF(ADX,6))/2.
- SAR: Wilder's parabolic SAR, acceleration 0.02 up to 0.2 (TA-Lib's algorithm and start-up rule).
- PSY: COUNT(C > C′,12)/12·100; PSYMA = MA(PSY,6).
- BRAR: AR = SUM(H − O,26)/SUM(O − L,26)·100; BR = SUM(MAX(0,H − C′),26)/SUM(MAX(0,C′ − L),26)·100.
- CR: MID = REF(H + L,1)/2; CR = SUM(MAX(0,H − MID),26)/SUM(MAX(0,MID − L),26)·100;
  MA1/2/3 = REF(MA(CR,10),5), REF(MA(CR,20),9), REF(MA(CR,40),17).
- VR: 100·(2·SUM(IF(C>C′,V,0),26) + SUM(IF(C=C′,V,0),26)) / (2·SUM(IF(C<C′,V,0),26) + SUM(IF(C=C′,V,0),26));
  MAVR = MA(VR,6).
- DMA: DIF = MA(C,10) − MA(C,50); AMA = MA(DIF,10).
- EMV: EMV = MA(100·(H+L − REF(H+L,1))/(H+L) · MA(V,14)/V · (H − L)/MA(H − L,14), 14); MAEMV = MA(EMV,9).
- BIAS N∈{6,12,24}: (C − MA(C,N))/MA(C,N)·100.
- MFI: TYP = (H+L+C)/3; P = SUM(IF(TYP>TYP′,TYP·V,0),14), N likewise for TYP<TYP′; MFI = 100·P/(P+N)
  (= 100 − 100/(1 + P/N); NaN when the typical price did not move for 14 bars).
- ROC: 100·(C − REF(C,12))/REF(C,12); MAROC = MA(ROC,6); ROC EMA = EMA(MAROC,9). MTM: C − REF(C,12); MTMMA = MA(MTM,6).
- DPO: C − REF(MA(C,20),10); MADPO = MA(DPO,6).
- ASI: LC = C′; AA = |H − LC|; BB = |L − LC|; CC = |H − REF(L,1)|; DD = |LC − REF(O,1)|;
  R = AA + BB/2 + DD/4 if AA > BB and AA > CC, else BB + AA/2 + DD/4 if BB > CC and BB > AA, else CC + DD/4;
  X = C − LC + (C − O)/2 + LC − REF(O,1); SI = 16·X/R·MAX(AA,BB); ASI = SUM(SI,26); ASIT = MA(ASI,10).
- VWMA: SUM(C·V,14)/SUM(V,14) (on the same, adjusted, prices as everything else).
- PPO: (EMA(C,12) − EMA(C,26))/EMA(C,26)·100; signal = EMA(PPO,9); histogram = PPO − signal.
- StochRSI: K = (RSI14 − LLV(RSI14,14))/(HHV(RSI14,14) − LLV(RSI14,14))·100; D = MA(K,3).
- ENE: UPPER = 1.11·MA(C,10); LOWER = 0.91·MA(C,10); ENE = (UPPER + LOWER)/2.
- BBI: (MA(C,3) + MA(C,6) + MA(C,12) + MA(C,24))/4.
- MASS: SUM(MA(H − L,9)/MA(MA(H − L,9),9),25); MAMASS = MA(MASS,6).
- KTN (Keltner): MID = EMA((H+L+C)/3,20); UPPER/LOWER = MID ± 2·MA(TR,10).
- Supertrend: ATR14 as above; basic bands (H+L)/2 ± 3·ATR14; the upper band only falls (it resets when
  C′ closed above it), the lower band only rises (resets when C′ closed below it); the line is the upper
  band while C stays at or below it, the lower band while C stays above it, and flips otherwise.
- TEMA: 3·E1 − 3·E2 + E3, E1 = EMA(C,14), E2 = EMA(E1,14), E3 = EMA(E2,14).
- VHF: (HHV(C,28) − LLV(C,28))/SUM(|C − C′|,28).
- RVI: SWMA(X) = (X + 2·REF(X,1) + 2·REF(X,2) + REF(X,3))/6; RVI = SUM(SWMA(C − O),10)/SUM(SWMA(H − L),10);
  signal = SWMA(RVI).
- FI: force = (C − C′)·V; FORCE2 = EMA(force,2), FORCE13 = EMA(force,13).
- WT (WaveTrend): AP = (H+L+C)/3; ESA = EMA(AP,10); D = EMA(|AP − ESA|,10); CI = (AP − ESA)/(0.015·D);
  WT1 = EMA(CI,21); WT2 = MA(WT1,4).
"""
import numpy as np

from .primitives import avedev, count, ema, hhv, llv, ma, msum, ratio, ref, sma, std

INDICATOR_COLUMNS = {
    "MA": ["ma5", "ma10", "ma20", "ma30", "ma60", "ma120", "ma250"],
    "EMA": ["ema12", "ema26"],
    "MACD": ["macd_dif", "macd_dea", "macd_bar"],
    "KDJ": ["kdj_k", "kdj_d", "kdj_j"],
    "RSI": ["rsi6", "rsi12", "rsi14", "rsi24"],
    "BOLL": ["boll_upper", "boll_mid", "boll_lower"],
    "ATR": ["tr", "atr14"],
    "CCI": ["cci14", "cci84"],
    "WR": ["wr10", "wr6", "wr14"],
    "OBV": ["obv", "maobv"],
    "TRIX": ["trix", "trix_ma"],
    "DMI": ["dmi_pdi", "dmi_mdi", "dmi_dx", "dmi_adx", "dmi_adxr"],
    "SAR": ["sar"],
    "PSY": ["psy", "psy_ma"],
    "BRAR": ["brar_ar", "brar_br"],
    "CR": ["cr", "cr_ma1", "cr_ma2", "cr_ma3"],
    "VR": ["vr", "vr_ma"],
    "DMA": ["dma_dif", "dma_ama"],
    "EMV": ["emv", "emv_ma"],
    "BIAS": ["bias6", "bias12", "bias24"],
    "MFI": ["mfi"],
    "ROC": ["roc", "roc_ma", "roc_ema"],
    "MTM": ["mtm", "mtm_ma"],
    "DPO": ["dpo", "dpo_ma"],
    "ASI": ["asi", "asi_ma"],
    "VWMA": ["vwma"],
    "PPO": ["ppo", "ppo_signal", "ppo_hist"],
    "STOCHRSI": ["stochrsi_k", "stochrsi_d"],
    "ENE": ["ene_upper", "ene_mid", "ene_lower"],
    "BBI": ["bbi"],
    "MASS": ["mass", "mass_ma"],
    "KTN": ["ktn_upper", "ktn_mid", "ktn_lower"],
    "SUPERTREND": ["supertrend", "supertrend_upper", "supertrend_lower"],
    "TEMA": ["tema"],
    "VHF": ["vhf"],
    "RVI": ["rvi", "rvi_signal"],
    "FI": ["force2", "force13"],
    "WT": ["wt1", "wt2"],
    "VOL": ["vol_ma5", "vol_ma10"],
}


# --- indicators used elsewhere (strategies, screens) ---------------------------------------------

def macd(c, short=12, long=26, mid=9):
    dif = ema(c, short) - ema(c, long)
    dea = ema(dif, mid)
    return dif, dea, 2 * (dif - dea)


def kdj(c, h, low, n=9, m1=3, m2=3):
    lowest, highest = llv(low, n), hhv(h, n)
    rsv = ratio(c - lowest, highest - lowest) * 100
    k = sma(rsv, m1)
    d = sma(k, m2)
    return k, d, 3 * k - 2 * d


def rsi(c, n):
    """No tolerance here: after moves, a flat run only scales both averages by the same factor (the
    ratio stays exact); the denominator is 0 only while no move has happened at all."""
    diff = c - ref(c)
    return ratio(sma(np.maximum(diff, 0), n) * 100, sma(np.abs(diff), n))


def boll(c, n=20, width=2, first=0):
    """Bands from bar ``first`` on (the middle line everywhere)."""
    mid, sd = ma(c, n), std(c, n, first)
    return mid + width * sd, mid, mid - width * sd


def true_range(c, h, low):
    prev = ref(c)
    return np.maximum(np.maximum(h - low, np.abs(prev - h)), np.abs(prev - low))  # NaN on a first bar


def atr(c, h, low, n=14):
    return ma(true_range(c, h, low), n)


def cci(c, h, low, n=14, first=0):
    """From bar ``first`` on (NaN before)."""
    tp = (h + low + c) / 3
    mean = ma(tp, n)
    return ratio(tp - mean, 0.015 * avedev(tp, n, first), scale=mean)


def wr(c, h, low, n):
    highest = hhv(h, n)
    return ratio((highest - c) * 100, highest - llv(low, n))


def obv(c, v):
    prev = ref(c)
    signed = np.where(c > prev, v, np.where(c < prev, -v, 0.0))
    signed = np.where(np.isnan(c) | np.isnan(v), 0.0, signed)
    return np.where(np.isnan(c), np.nan, np.cumsum(signed, axis=1))


def sar(h, low, start=0.02, step=0.02, limit=0.2):
    """Wilder's parabolic SAR the way TA-Lib computes it, one bar at a time for all stocks at once.

    The first bar gives no value; the second starts long unless the first move was a larger drop of
    the low than rise of the high (TA-Lib's −DM test), with the SAR at the first bar's low (or high)."""
    ht, lt = np.ascontiguousarray(h.T), np.ascontiguousarray(low.T)
    out = np.full_like(ht, np.nan)
    stocks = ht.shape[1]
    long_ = np.zeros(stocks, bool)
    started = np.zeros(stocks, bool)
    sar_, ep, af = (np.full(stocks, np.nan) for _ in range(3))
    for t in range(1, ht.shape[0]):
        hp, lp, hc, lc = ht[t - 1], lt[t - 1], ht[t], lt[t]
        ok = ~(np.isnan(hp) | np.isnan(hc))
        new = ok & ~started
        down = (lp - lc > 0) & (lp - lc > hc - hp)
        long_ = np.where(new, ~down, long_)
        sar_ = np.where(new, np.where(down, hp, lp), sar_)
        ep = np.where(new, np.where(down, lc, hc), ep)
        af = np.where(new, start, af)
        started |= new
        hp = np.where(new, hc, hp)  # TA-Lib compares the first computed bar with itself
        lp = np.where(new, lc, lp)
        flip_down = long_ & (lc <= sar_)
        flip_up = ~long_ & (hc >= sar_)
        flip = flip_down | flip_up
        value = np.where(flip_down, np.maximum(np.maximum(ep, hp), hc),
                         np.where(flip_up, np.minimum(np.minimum(ep, lp), lc), sar_))
        new_ep = np.where(flip_down, lc, np.where(flip_up, hc, ep))
        extend = ~flip & np.where(long_, hc > ep, lc < ep)
        new_ep = np.where(extend, np.where(long_, hc, lc), new_ep)
        af = np.where(flip, start, np.where(extend, np.minimum(af + step, limit), af))
        long_ = np.where(flip, ~long_, long_)
        nxt = value + af * (new_ep - value)
        nxt = np.where(long_, np.minimum(np.minimum(nxt, lp), lc), np.maximum(np.maximum(nxt, hp), hc))
        out[t] = np.where(ok & started, value, np.nan)
        sar_ = np.where(ok, nxt, sar_)
        ep = new_ep
    return out.T


def supertrend(c, h, low, n=14, multiplier=3.0):
    """(line, upper band, lower band); see the module docstring for the band rules."""
    width = multiplier * atr(c, h, low, n)
    mid = (h + low) / 2
    basic_up, basic_low, ct = (mid + width).T, (mid - width).T, c.T
    up, lo, line = (np.full_like(basic_up, np.nan) for _ in range(3))
    bearish = np.ones(ct.shape[1], bool)
    for t in range(ct.shape[0]):
        defined = ~np.isnan(basic_up[t])
        going = defined & ~np.isnan(up[t - 1]) if t else np.zeros_like(defined)
        up[t] = np.where(going & (basic_up[t] >= up[t - 1]) & (ct[t - 1] <= up[t - 1]), up[t - 1], basic_up[t])
        lo[t] = np.where(going & (basic_low[t] <= lo[t - 1]) & (ct[t - 1] >= lo[t - 1]), lo[t - 1], basic_low[t])
        bearish = np.where(going, np.where(bearish, ct[t] <= up[t], ct[t] <= lo[t]),
                           np.where(defined, ct[t] <= up[t], bearish))
        line[t] = np.where(defined, np.where(bearish, up[t], lo[t]), np.nan)
    return line.T, up.T, lo.T


def dmi(c, h, low, n=14, m=6, tr=None):
    """(PDI, MDI, DX, ADX, ADXR); see the module docstring."""
    tr = msum(true_range(c, h, low) if tr is None else tr, n)
    hd, ld = h - ref(h), ref(low) - low
    defined = ~np.isnan(hd)
    plus = msum(np.where(defined, np.where((hd > 0) & (hd > ld), hd, 0.0), np.nan), n)
    minus = msum(np.where(defined, np.where((ld > 0) & (ld > hd), ld, 0.0), np.nan), n)
    pdi, mdi = ratio(plus * 100, tr), ratio(minus * 100, tr)
    dx = ratio(np.abs(mdi - pdi), mdi + pdi) * 100
    adx = ma(dx, m)
    return pdi, mdi, dx, adx, (adx + ref(adx, m)) / 2


def _swma(x):
    return (x + 2 * ref(x, 1) + 2 * ref(x, 2) + ref(x, 3)) / 6


# --- the families -------------------------------------------------------------------------------

class Bars:
    """The panel's price arrays plus intermediates several families share (computed once).

    ``first``: the first bar (column) whose values are wanted. Values that feed no other formula
    (BOLL's bands, CCI) are computed from there only; everything else is computed everywhere."""

    def __init__(self, panel, first=0):
        self.o, self.h, self.low, self.c, self.v = (
            panel.fields[k] for k in ("open", "high", "low", "close", "volume"))
        self.first = first
        self._memo = {}

    def get(self, key, fn):
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    def prev(self):
        return self.get("prev", lambda: ref(self.c))

    def ma(self, n):
        return self.get(("ma", n), lambda: ma(self.c, n))

    def ema(self, n):
        return self.get(("ema", n), lambda: ema(self.c, n))

    def tr(self):
        return self.get("tr", lambda: true_range(self.c, self.h, self.low))

    def rsi(self, n):
        return self.get(("rsi", n), lambda: rsi(self.c, n))

    def tp(self):
        return self.get("tp", lambda: (self.h + self.low + self.c) / 3)


def _ma(b):
    return {f"ma{n}": b.ma(n) for n in (5, 10, 20, 30, 60, 120, 250)}


def _ema(b):
    return {"ema12": b.ema(12), "ema26": b.ema(26)}


def _macd(b):
    dif = b.ema(12) - b.ema(26)
    dea = ema(dif, 9)
    return {"macd_dif": dif, "macd_dea": dea, "macd_bar": 2 * (dif - dea)}


def _kdj(b):
    k, d, j = kdj(b.c, b.h, b.low)
    return {"kdj_k": k, "kdj_d": d, "kdj_j": j}


def _rsi(b):
    return {f"rsi{n}": b.rsi(n) for n in (6, 12, 14, 24)}


def _boll(b):
    upper, mid, lower = boll(b.c, first=b.first)
    return {"boll_upper": upper, "boll_mid": mid, "boll_lower": lower}


def _atr(b):
    return {"tr": b.tr(), "atr14": ma(b.tr(), 14)}


def _cci(b):
    return {"cci14": cci(b.c, b.h, b.low, 14, b.first), "cci84": cci(b.c, b.h, b.low, 84, b.first)}


def _wr(b):
    return {f"wr{n}": wr(b.c, b.h, b.low, n) for n in (10, 6, 14)}


def _obv(b):
    line = obv(b.c, b.v)
    return {"obv": line, "maobv": ma(line, 30)}


def _trix(b):
    tr = ema(ema(b.ema(12), 12), 12)
    trix = ratio(tr - ref(tr), ref(tr)) * 100
    return {"trix": trix, "trix_ma": ma(trix, 20)}


def _dmi(b):
    pdi, mdi, dx, adx, adxr = dmi(b.c, b.h, b.low, tr=b.tr())
    return {"dmi_pdi": pdi, "dmi_mdi": mdi, "dmi_dx": dx, "dmi_adx": adx, "dmi_adxr": adxr}


def _sar(b):
    return {"sar": sar(b.h, b.low)}


def _psy(b):
    prev = b.prev()
    psy = count(b.c > prev, 12, ~np.isnan(b.c)) / 12 * 100
    return {"psy": psy, "psy_ma": ma(psy, 6)}


def _brar(b):
    prev = b.prev()
    ar = ratio(msum(b.h - b.o, 26), msum(b.o - b.low, 26)) * 100
    br = ratio(msum(np.fmax(0, b.h - prev) + 0 * prev, 26),
               msum(np.fmax(0, prev - b.low) + 0 * prev, 26)) * 100
    return {"brar_ar": ar, "brar_br": br}


def _cr(b):
    mid = ref(b.h + b.low) / 2
    cr = ratio(msum(np.maximum(0, b.h - mid), 26), msum(np.maximum(0, mid - b.low), 26)) * 100
    return {"cr": cr, "cr_ma1": ref(ma(cr, 10), 5), "cr_ma2": ref(ma(cr, 20), 9), "cr_ma3": ref(ma(cr, 40), 17)}


def _vr(b):
    prev = b.prev()
    defined = ~np.isnan(prev)

    def volume_when(condition):
        return msum(np.where(defined, np.where(condition, b.v, 0.0), np.nan), 26)

    up, down, flat = volume_when(b.c > prev), volume_when(b.c < prev), volume_when(b.c == prev)
    vr = ratio(100 * (2 * up + flat), 2 * down + flat)
    return {"vr": vr, "vr_ma": ma(vr, 6)}


def _dma(b):
    dif = b.ma(10) - ma(b.c, 50)
    return {"dma_dif": dif, "dma_ama": ma(dif, 10)}


def _emv(b, n=14, m=9):
    hl = b.h + b.low
    mid = ratio(100 * (hl - ref(hl)), hl)
    volume = ratio(ma(b.v, n), b.v)
    emv = ma(mid * volume * ratio(b.h - b.low, ma(b.h - b.low, n), scale=b.c), n)
    return {"emv": emv, "emv_ma": ma(emv, m)}


def _bias(b):
    return {f"bias{n}": ratio(b.c - b.ma(n), b.ma(n)) * 100 for n in (6, 12, 24)}


def _mfi(b, n=14):
    tp = b.tp()
    prev = ref(tp)
    flow = np.where(np.isnan(prev), np.nan, tp * b.v)
    positive = msum(np.where(tp > prev, flow, 0.0) + 0 * flow, n)
    negative = msum(np.where(tp < prev, flow, 0.0) + 0 * flow, n)
    return {"mfi": ratio(100 * positive, positive + negative)}


def _roc(b):
    before = ref(b.c, 12)
    roc = ratio(100 * (b.c - before), before)
    roc_ma = ma(roc, 6)
    return {"roc": roc, "roc_ma": roc_ma, "roc_ema": ema(roc_ma, 9)}


def _mtm(b):
    mtm = b.c - ref(b.c, 12)
    return {"mtm": mtm, "mtm_ma": ma(mtm, 6)}


def _dpo(b):
    dpo = b.c - ref(b.ma(20), 10)
    return {"dpo": dpo, "dpo_ma": ma(dpo, 6)}


def _asi(b):
    lc, po, pl = b.prev(), ref(b.o), ref(b.low)
    aa, bb, cc, dd = np.abs(b.h - lc), np.abs(b.low - lc), np.abs(b.h - pl), np.abs(lc - po)
    r = np.where((aa > bb) & (aa > cc), aa + bb / 2 + dd / 4,
                 np.where((bb > cc) & (bb > aa), bb + aa / 2 + dd / 4, cc + dd / 4))
    r = np.where(np.isnan(dd) | np.isnan(cc), np.nan, r)
    x = b.c - lc + (b.c - b.o) / 2 + lc - po
    si = ratio(16 * x, r) * np.maximum(aa, bb)
    asi = msum(si, 26)
    return {"asi": asi, "asi_ma": ma(asi, 10)}


def _vwma(b):
    return {"vwma": ratio(msum(b.c * b.v, 14), msum(b.v, 14))}


def _ppo(b):
    ppo = ratio(b.ema(12) - b.ema(26), b.ema(26)) * 100
    signal = ema(ppo, 9)
    return {"ppo": ppo, "ppo_signal": signal, "ppo_hist": ppo - signal}


def _stochrsi(b):
    r = b.rsi(14)
    lowest = llv(r, 14)
    k = ratio(r - lowest, hhv(r, 14) - lowest, scale=100.0) * 100
    return {"stochrsi_k": k, "stochrsi_d": ma(k, 3)}


def _ene(b):
    mid = b.ma(10)
    upper, lower = (1 + 11 / 100) * mid, (1 - 9 / 100) * mid
    return {"ene_upper": upper, "ene_mid": (upper + lower) / 2, "ene_lower": lower}


def _bbi(b):
    return {"bbi": (b.ma(3) + b.ma(6) + b.ma(12) + b.ma(24)) / 4}


def _mass(b):
    spread = ma(b.h - b.low, 9)
    mass = msum(ratio(spread, ma(spread, 9), scale=b.c), 25)
    return {"mass": mass, "mass_ma": ma(mass, 6)}


def _ktn(b):
    mid = ema(b.tp(), 20)
    band = 2 * ma(b.tr(), 10)
    return {"ktn_upper": mid + band, "ktn_mid": mid, "ktn_lower": mid - band}


def _supertrend(b):
    line, upper, lower = supertrend(b.c, b.h, b.low)
    return {"supertrend": line, "supertrend_upper": upper, "supertrend_lower": lower}


def _tema(b):
    e1 = ema(b.c, 14)
    e2 = ema(e1, 14)
    return {"tema": 3 * e1 - 3 * e2 + ema(e2, 14)}


def _vhf(b):
    moves = msum(np.abs(b.c - b.prev()), 28)
    return {"vhf": ratio(hhv(b.c, 28) - llv(b.c, 28), moves)}


def _rvi(b):
    rvi = ratio(msum(_swma(b.c - b.o), 10), msum(_swma(b.h - b.low), 10), scale=b.c)
    return {"rvi": rvi, "rvi_signal": _swma(rvi)}


def _fi(b):
    force = (b.c - b.prev()) * b.v
    return {"force2": ema(force, 2), "force13": ema(force, 13)}


def _wt(b):
    ap = b.tp()
    esa = ema(ap, 10)
    d = ema(np.abs(ap - esa), 10)
    wt1 = ema(ratio(ap - esa, 0.015 * d, scale=ap), 21)
    return {"wt1": wt1, "wt2": ma(wt1, 4)}


def _vol(b):
    return {"vol_ma5": ma(b.v, 5), "vol_ma10": ma(b.v, 10)}


FAMILIES = {
    "MA": _ma, "EMA": _ema, "MACD": _macd, "KDJ": _kdj, "RSI": _rsi, "BOLL": _boll, "ATR": _atr, "CCI": _cci,
    "WR": _wr, "OBV": _obv, "TRIX": _trix, "DMI": _dmi, "SAR": _sar, "PSY": _psy, "BRAR": _brar, "CR": _cr,
    "VR": _vr, "DMA": _dma, "EMV": _emv, "BIAS": _bias, "MFI": _mfi, "ROC": _roc, "MTM": _mtm, "DPO": _dpo,
    "ASI": _asi, "VWMA": _vwma, "PPO": _ppo, "STOCHRSI": _stochrsi, "ENE": _ene, "BBI": _bbi, "MASS": _mass,
    "KTN": _ktn, "SUPERTREND": _supertrend, "TEMA": _tema, "VHF": _vhf, "RVI": _rvi, "FI": _fi, "WT": _wt,
    "VOL": _vol,
}
