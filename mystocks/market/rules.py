"""A-share trading rules by date: boards, price limits, order sizes, stamp duty and transfer fee.

Every rule takes the trading day, because the rules changed and a backtest of 2019 must not trade
under 2024's. What is tabulated here, with the date each change took effect:

Price limits (daily, from the previous close; ``limit_percent`` / ``limit_prices``):
- Main boards (SSE 60x, SZSE 000–003): 10 %. Risk-warning stocks (ST, *ST): 5 % until 2025-07-04,
  10 % from 2025-07-07 (the SSE/SZSE notice aligning main-board risk-warning stocks with the other
  main-board stocks; its consultation draft was published on 2025-06-27).
- ChiNext (300/301/302): 10 % (ST 5 %) until 2020-08-21; 20 % for every stock, ST included, from
  2020-08-24 (the first trading day under the registration-system trading rules).
- STAR (688/689): 20 % for every stock, ST included, since the board opened on 2019-07-22.
- Beijing Stock Exchange (4xx, 8xx, 92x): 30 %.
- New listings: no limit on the first 5 trading days for STAR listings, ChiNext listings from
  2020-08-24 and main-board listings from 2023-04-10 (the first main-board listings under the
  registration system); no limit on the first day at the BSE. Main-board listings before
  2023-04-10 and ChiNext listings before 2020-08-24 were capped on their first day at +44 % / −36 %
  of the issue price (``pre_close`` on a listing day is the issue price, as the providers report
  it). That cap came with the IPO reform of early 2014; it is applied here to listings from
  2014-01-01 (an approximation: the first listing it bound is not tabulated). Earlier first days
  had no fixed limit.
  Not modelled: no-limit days after a relisting or the delisting-consolidation period.
- Limit price = previous close rounded half up to the cent, × (1 ± ratio), rounded half up to the
  cent (both exchanges' trading rules: "四舍五入"). Decimal arithmetic, never Python's ``round``,
  which rounds half to even and gets about 3.5 % of price levels wrong.

Order sizes (``lot_rule``, ``buy_quantity``): buys on the main boards and ChiNext in lots of 100
shares; STAR at least 200 shares, then in steps of 1 share; BSE at least 100 shares, then steps of 1.
Selling a whole holding is always allowed (odd lots may only be sold all at once).

Stamp duty (``stamp_duty_rate``), Ministry of Finance / State Administration of Taxation changes:
0.2 % both sides from 2001-11-16, 0.1 % both sides from 2005-01-24, 0.3 % both sides from
2007-05-30, 0.1 % both sides from 2008-04-24, 0.1 % on sells only from 2008-09-19, 0.05 % on sells
only from 2023-08-28 (the halving announced on Sunday 2023-08-27 applies to trades of 08-28 on).
Earlier dates raise: the rates before 2001-11-16 are not tabulated.

Transfer fee (``transfer_fee_rate``, China Securities Depository and Clearing): a share of the traded
amount on both sides, SSE and SZSE alike: 0.002 % from 2015-08-01 (when both markets moved to this
basis), 0.001 % from 2022-04-29. Before 2015-08-01 Shanghai charged by share count and Shenzhen had
no separate transfer fee; that is not modelled and the 2015 rate is used. The BSE is charged like SSE
and SZSE here (an assumption, not a tabulated rate).
"""
import datetime
from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

MAIN, CHINEXT, STAR, BSE = "main", "chinext", "star", "bse"

CHINEXT_REFORM = datetime.date(2020, 8, 24)
STAR_OPENED = datetime.date(2019, 7, 22)
MAIN_REGISTRATION = datetime.date(2023, 4, 10)
MAIN_ST_TEN_PERCENT = datetime.date(2025, 7, 7)
FIRST_DAY_BAND = datetime.date(2014, 1, 1)
FREE_DAYS = 5  # trading days without a limit after a registration-system listing

CENT = Decimal("0.01")

# (effective from, buy rate, sell rate); each row holds until the next one.
STAMP_DUTY = [
    (datetime.date(2001, 11, 16), Decimal("0.002"), Decimal("0.002")),
    (datetime.date(2005, 1, 24), Decimal("0.001"), Decimal("0.001")),
    (datetime.date(2007, 5, 30), Decimal("0.003"), Decimal("0.003")),
    (datetime.date(2008, 4, 24), Decimal("0.001"), Decimal("0.001")),
    (datetime.date(2008, 9, 19), Decimal("0"), Decimal("0.001")),
    (datetime.date(2023, 8, 28), Decimal("0"), Decimal("0.0005")),
]
TRANSFER_FEE = [
    (datetime.date(2015, 8, 1), Decimal("0.00002")),
    (datetime.date(2022, 4, 29), Decimal("0.00001")),
]


class RuleError(ValueError):
    """A date or input outside what these rules tabulate."""


# --- boards -------------------------------------------------------------------------------------

def board_of(code):
    """The board of a six-digit A-share code: main, chinext, star or bse."""
    code = str(code)
    if code.startswith(("688", "689")):
        return STAR
    if code.startswith(("300", "301", "302")):
        return CHINEXT
    if code.startswith(("4", "8", "92")):
        return BSE
    return MAIN


def boards_of(codes):
    """``board_of`` for an array of codes, vectorised (string prefix tests on the whole column)."""
    codes = pd.Series(np.asarray(codes, dtype=str))
    out = np.full(len(codes), MAIN, dtype=object)
    out[codes.str.match(r"^(4|8|92)").to_numpy()] = BSE
    out[codes.str.match(r"^30[012]").to_numpy()] = CHINEXT
    out[codes.str.match(r"^68[89]").to_numpy()] = STAR
    return out


# --- price limits -------------------------------------------------------------------------------

def limit_percent(*, code, day, st=False):
    """The daily limit in whole percent on ``day`` for an established (not newly listed) stock."""
    board = board_of(code)
    if board == BSE:
        return 30
    if board == STAR:
        return 20
    if board == CHINEXT and day >= CHINEXT_REFORM:
        return 20
    if st and not (board == MAIN and day >= MAIN_ST_TEN_PERCENT):
        return 5
    return 10


def limit_percents(*, codes, days, st=None):
    """``limit_percent`` for aligned arrays of codes, days and ST flags, vectorised (int array)."""
    board = boards_of(codes)
    days = pd.to_datetime(pd.Series(np.asarray(days))).to_numpy()
    st = np.zeros(len(board), dtype=bool) if st is None else np.asarray(st, dtype=bool)
    after_chinext = days >= np.datetime64(CHINEXT_REFORM)
    st_five = st & ~((board == MAIN) & (days >= np.datetime64(MAIN_ST_TEN_PERCENT)))
    out = np.where(st_five, 5, 10)
    out = np.where((board == CHINEXT) & after_chinext, 20, out)
    out = np.where(board == STAR, 20, out)
    return np.where(board == BSE, 30, out).astype(int)


def free_listing_days(*, code, day):
    """How many trading days from the listing day have no limit, for a stock listed around ``day``."""
    board = board_of(code)
    if board == BSE:
        return 1
    if board == STAR or (board == CHINEXT and day >= CHINEXT_REFORM) or (board == MAIN and day >= MAIN_REGISTRATION):
        return FREE_DAYS
    return 0


def to_cents(price):
    """A price as a Decimal rounded half up to the cent (from the float's shortest decimal form)."""
    return Decimal(repr(float(price))).quantize(CENT, rounding=ROUND_HALF_UP)


def limit_prices(*, code, day, pre_close, st=False, listing_day=None, list_date=None):
    """(limit-up, limit-down) as Decimals in yuan, or None when the day has no limit.

    ``listing_day`` is the 1-based number of the trading day since the stock listed (None: long
    listed); the listing regime is that of ``list_date`` (default: ``day``, which is at most a week
    later). ``pre_close`` is the exchange's previous close (the ex-rights reference price on an
    ex-date; the issue price on a listing day)."""
    listed = list_date or day
    if listing_day is not None and listing_day <= free_listing_days(code=code, day=listed):
        return None
    base = to_cents(pre_close)
    if listing_day == 1:
        if listed < FIRST_DAY_BAND:
            return None
        return _band(base, Decimal("0.44"), Decimal("0.36"))
    ratio = Decimal(limit_percent(code=code, day=day, st=st)) / 100
    return _band(base, ratio, ratio)


def _band(base, up, down):
    return ((base * (1 + up)).quantize(CENT, rounding=ROUND_HALF_UP),
            (base * (1 - down)).quantize(CENT, rounding=ROUND_HALF_UP))


def limit_band(*, pre_close, percent):
    """(limit-up, limit-down) float arrays from arrays of previous closes and whole-percent limits.

    Exact half-up rounding in integer cents, vectorised for whole-market checks: the previous close
    in cents × (100 ± percent), + 50, floor-divided by 100. NaN where the previous close is NaN."""
    pre_close = np.asarray(pre_close, dtype=float)
    percent = np.broadcast_to(np.asarray(percent, dtype=np.int64), pre_close.shape)
    missing = ~np.isfinite(pre_close)
    # + 1e-6: a float like 9.445 (really 9.44499…) is meant as the half cent and rounds up
    cents = np.floor(np.where(missing, 0.0, pre_close) * 100 + 0.5 + 1e-6).astype(np.int64)
    up = (cents * (100 + percent) + 50) // 100
    down = (cents * (100 - percent) + 50) // 100
    return np.where(missing, np.nan, up / 100), np.where(missing, np.nan, down / 100)


def ex_rights_reference(*, prev_close, cash_dividend=0.0, bonus_ratio=0.0, rights_ratio=0.0, rights_price=None):
    """The exchanges' ex-rights reference price, which an ex-date's limits are computed from:
    (previous close − cash dividend + rights price × rights ratio) / (1 + bonus ratio + rights ratio),
    per share held before the event, rounded half up to the cent (as ``to_cents``)."""
    rights = rights_ratio if rights_price else 0.0
    value = (prev_close - cash_dividend + (rights_price or 0.0) * rights) / (1 + bonus_ratio + rights)
    return to_cents(value)


# --- order sizes --------------------------------------------------------------------------------

def lot_rule(*, code, day=None):
    """(minimum, step) of a buy order in shares. ``day`` is accepted like every rule here; these sizes
    have not changed since each board opened."""
    board = board_of(code)
    if board == STAR:
        return 200, 1
    if board == BSE:
        return 100, 1
    return 100, 100


def buy_quantity(*, code, shares, day=None):
    """The largest valid buy order of at most ``shares`` shares (0 when below the minimum)."""
    minimum, step = lot_rule(code=code, day=day)
    shares = int(shares)
    if shares < minimum:
        return 0
    return minimum + (shares - minimum) // step * step


# --- fees ---------------------------------------------------------------------------------------

def _rate_on(table, day, name):
    index = bisect_right([row[0] for row in table], day) - 1
    if index < 0:
        raise RuleError(f"{name} is tabulated from {table[0][0]}; {day} is earlier")
    return table[index]


def stamp_duty_rate(*, day, side):
    """Stamp duty as a share of the traded amount on ``day`` for a ``side`` ("buy" or "sell")."""
    if side not in ("buy", "sell"):
        raise RuleError(f"side must be 'buy' or 'sell', got {side!r}")
    _, buy, sell = _rate_on(STAMP_DUTY, day, "stamp duty")
    return buy if side == "buy" else sell


def transfer_fee_rate(*, day, code=None):
    """Transfer fee as a share of the traded amount on ``day`` (both sides; the same on every board, so
    ``code`` does not change it today)."""
    if day < TRANSFER_FEE[0][0]:
        return TRANSFER_FEE[0][1]
    return _rate_on(TRANSFER_FEE, day, "transfer fee")[1]


def trade_fees(*, code, day, side, amount, commission_rate=0.00025, min_commission=5.0):
    """Fees of one fill in yuan: commission (broker's, with its minimum), stamp duty, transfer fee."""
    amount = float(amount)
    return {
        "commission": max(amount * commission_rate, min_commission),
        "stamp_duty": amount * float(stamp_duty_rate(day=day, side=side)),
        "transfer_fee": amount * float(transfer_fee_rate(day=day, code=code)),
    }


def first_tabulated_day():
    """The first day every fee rule here is known for."""
    return STAMP_DUTY[0][0]
