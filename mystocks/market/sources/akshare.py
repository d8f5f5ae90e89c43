"""akshare (Eastmoney, SSE/SZSE/BSE, Sina) as DataFrames with English columns and fixed units.

Traps handled here (see the research notes):
- Eastmoney volumes are in lots (手, 100 shares): multiplied by 100.
- Many akshare functions call ``requests`` without a timeout: a default one is installed on the
  HTTP adapter (``_ensure_default_timeout``).
- The stock lists are ``lru_cache``d for the life of the process: cleared before each use, or a
  long-lived worker would keep yesterday's list.
- A dragon-tiger day with no list raises TypeError inside akshare: it is returned as an empty frame.
- One akshare function may send many requests (the BSE list, the datacenter tables page by page)
  back to back: the rate limit is applied to every HTTP request made inside an akshare call
  (``_ensure_default_timeout`` installs it), not once per function.
- The whole-market spot table is read page by page here rather than through
  ``stock_zh_a_spot_em``: akshare sleeps 0.5–1.5 s between its ~55 pages (about a minute, not
  cancellable), where our rate limit needs ~0.4 s; the keys are read by name, not by position.
"""
import datetime
import threading

import akshare
import pandas as pd
import requests
from akshare.stock_feature import stock_three_report_em
from requests.adapters import HTTPAdapter

from .base import RateLimiter, SourceError, TransientError, call, exchange_of, timeout

NAME = "akshare"
LOTS = 100  # shares per 手
limiter = RateLimiter(NAME)
_http = threading.local()  # status of the last HTTP answer in this thread; whether inside an akshare call
SPOT_URL = "https://82.push2.eastmoney.com/api/qt/clist/get"
SPOT_PARAMS = {
    "pz": "100", "po": "1", "np": "1", "ut": "bd1d9ddb04089700cf9c27f6f7426281", "fltt": "2", "invt": "2",
    "fid": "f12", "fs": "m:0 t:6,m:0 t:80,m:1 t:2,m:1 t:23,m:0 t:81 s:2048",
    "fields": "f2,f3,f4,f5,f6,f8,f12,f14,f15,f16,f17,f18",
}
_SPOT_BAR_KEYS = {"f12": "code", "f14": "name", "f17": "open", "f15": "high", "f16": "low", "f2": "close",
                  "f18": "pre_close", "f5": "volume", "f6": "amount", "f8": "turnover", "f3": "pct_change"}


class _PerRequest:
    """The limiter seen by ``call`` for akshare: the real wait happens per HTTP request."""

    name = NAME

    @staticmethod
    def wait():
        return None

BAR_COLUMNS = ["code", "date", "open", "high", "low", "close", "pre_close", "volume", "amount",
               "turnover", "pct_change"]
_SPOT_STOCK = {
    "代码": "code", "名称": "name", "最新价": "price", "涨跌幅": "pct_change", "涨跌额": "change",
    "成交量": "volume", "成交额": "amount", "振幅": "amplitude", "最高": "high", "最低": "low",
    "今开": "open", "昨收": "pre_close", "量比": "volume_ratio", "换手率": "turnover",
    "市盈率-动态": "pe_dynamic", "市净率": "pb", "总市值": "total_mv", "流通市值": "circ_mv",
}
_SPOT_ETF = {
    "代码": "code", "名称": "name", "最新价": "price", "涨跌幅": "pct_change", "涨跌额": "change",
    "成交量": "volume", "成交额": "amount", "振幅": "amplitude", "最高价": "high", "最低价": "low",
    "开盘价": "open", "昨收": "pre_close", "量比": "volume_ratio", "换手率": "turnover",
    "总市值": "total_mv", "流通市值": "circ_mv",
}
_LHB = {
    "代码": "code", "名称": "name", "上榜日": "trade_date", "解读": "interpretation", "收盘价": "close",
    "涨跌幅": "pct_change", "龙虎榜净买额": "net_buy", "龙虎榜买入额": "buy_amount",
    "龙虎榜卖出额": "sell_amount", "龙虎榜成交额": "deal_amount", "市场总成交额": "market_amount",
    "净买额占总成交比": "net_buy_ratio", "成交额占总成交比": "deal_ratio", "换手率": "turnover",
    "流通市值": "circ_mv", "上榜原因": "reason",
}
_FLOW = {
    "主力净流入-净额": "main_net", "主力净流入-净占比": "main_ratio",
    "超大单净流入-净额": "super_large_net", "超大单净流入-净占比": "super_large_ratio",
    "大单净流入-净额": "large_net", "大单净流入-净占比": "large_ratio",
    "中单净流入-净额": "medium_net", "中单净流入-净占比": "medium_ratio",
    "小单净流入-净额": "small_net", "小单净流入-净占比": "small_ratio",
    "涨跌幅": "pct_change", "主力净流入最大股": "top_stock",
}
_SECTOR_TYPES = {"sector": "行业资金流", "concept": "概念资金流"}
_STATEMENTS = {
    "balance_sheet": ("stock_balance_sheet_by_report_em", "TOTAL_ASSETS"),
    "income_statement": ("stock_profit_sheet_by_report_em", "NETPROFIT"),
    "cash_flow": ("stock_cash_flow_sheet_by_report_em", "NETCASH_OPERATE"),
}


def _akshare():
    _ensure_default_timeout()
    return akshare


def _ensure_default_timeout():
    """Give every ``requests`` call without a timeout the configured one (akshare often passes none).

    Installed on ``HTTPAdapter.send`` at call time, so it also wraps a test's ``responses`` patch.
    """
    if getattr(HTTPAdapter.send, "_mystocks_default_timeout", False):
        return
    original = HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = timeout()
        if getattr(_http, "inside", False):
            limiter.wait()
        response = original(self, request, *args, **kwargs)
        _http.last_status = response.status_code
        return response

    send._mystocks_default_timeout = True
    HTTPAdapter.send = send


def _run(fn_name, *args, **kwargs):
    """Call ``akshare.<fn_name>`` rate-limited and retried; translate its failures into ours."""
    def attempt():
        fn = getattr(_akshare(), fn_name)
        _http.last_status = None
        _http.inside = True
        try:
            return fn(*args, **kwargs)
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
            raise TransientError(f"{fn_name}: {type(exc).__name__}: {exc}") from exc
        except Exception as exc:
            _raise_for_http_status(fn_name, exc)
            if isinstance(exc, (ValueError, KeyError, TypeError, IndexError, AttributeError)):
                # A changed or malformed payload: akshare indexes into it and fails; retrying won't help.
                raise SourceError(f"{fn_name}: unreadable answer ({type(exc).__name__}: {exc})") from exc
            if isinstance(exc, requests.exceptions.RequestException):
                raise SourceError(f"{fn_name}: {exc}") from exc
            raise
        finally:
            _http.inside = False

    return call(_PerRequest, attempt, what=fn_name)


def _raise_for_http_status(fn_name, exc):
    """Most akshare functions parse an error page instead of checking the status: judge by the status."""
    status = getattr(_http, "last_status", None)
    if status is None or status < 400:
        return
    if status >= 500 or status == 429:
        raise TransientError(f"{fn_name}: HTTP {status}") from exc
    raise SourceError(f"{fn_name}: HTTP {status}") from exc


def _ymd(day):
    return (day if isinstance(day, str) else day.isoformat()).replace("-", "")


def _numeric(frame, skip=("code", "name", "date", "trade_date", "reason", "interpretation", "top_stock")):
    for column in frame.columns:
        if column not in skip:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


def clear_caches():
    """Forget akshare's lru_cached lists, so a long-lived worker sees today's listings."""
    ak = _akshare()
    for fn in (ak.stock_info_a_code_name, ak.stock_info_sh_name_code, ak.stock_info_sz_name_code,
               ak.stock_info_bj_name_code, stock_three_report_em._stock_balance_sheet_by_report_ctype_em):
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()


def stock_list(*, include_delisted=False):
    """All A-shares: code, name, exchange, industry, list_date, status (from the three exchanges).

    SSE (main board and STAR) gives listing dates but no industry; SZSE and BSE give both.
    akshare has no list of delisted stocks in the same shape, so ``include_delisted`` adds nothing here.
    """
    clear_caches()
    lists = {"SSE main board": lambda: _sse_list("主板A股"), "SSE STAR": lambda: _sse_list("科创板"),
             "SZSE": _szse_list, "BSE": _bse_list}
    frames, failed = [], {}
    for name, fetch in lists.items():
        try:
            frames.append(fetch())
        except SourceError as exc:  # one exchange down still refreshes the others' stocks
            failed[name] = str(exc)
    frames = [f for f in frames if not f.empty]
    if not frames:
        raise SourceError(f"akshare: no exchange list came back ({'; '.join(failed.values()) or 'all empty'})")
    frame = pd.concat(frames, ignore_index=True).drop_duplicates("code", keep="first")
    frame["status"] = "listed"
    frame["delist_date"] = None
    frame.attrs["failed"] = failed  # reported by the job, per exchange
    return frame


def _sse_list(board):
    raw = _run("stock_info_sh_name_code", symbol=board)
    return pd.DataFrame({
        "code": raw["证券代码"].astype(str).str.zfill(6), "name": raw["证券简称"].astype(str),
        "exchange": "SH", "industry": "", "list_date": raw["上市日期"],
    })


def _szse_list():
    raw = _run("stock_info_sz_name_code", symbol="A股列表")
    if "A股代码" not in raw.columns:
        raise SourceError("akshare: SZSE list has no A股代码 column (fewer than 11 rows or a changed sheet)")
    return pd.DataFrame({
        "code": raw["A股代码"].astype(str).str.zfill(6), "name": raw["A股简称"].astype(str),
        "exchange": "SZ", "industry": raw["所属行业"].fillna("").astype(str),
        "list_date": pd.to_datetime(raw["A股上市日期"], errors="coerce").dt.date,
    })


def _bse_list():
    raw = _run("stock_info_bj_name_code")
    return pd.DataFrame({
        "code": raw["证券代码"].astype(str).str.zfill(6), "name": raw["证券简称"].astype(str),
        "exchange": "BJ", "industry": raw["所属行业"].fillna("").astype(str), "list_date": raw["上市日期"],
    })


def daily_bars(code, start, end, *, adjust="none"):
    """Daily bars of one stock between ``start`` and ``end`` (dates, inclusive), unadjusted or hfq.

    Columns: BAR_COLUMNS. Volume in shares (Eastmoney sends lots), amount in yuan, turnover and
    pct_change in percent. No rows is an empty frame (a suspended stock, or no new bar yet).
    """
    raw = _run("stock_zh_a_hist", symbol=code, period="daily", start_date=_ymd(start), end_date=_ymd(end),
               adjust="" if adjust == "none" else adjust, timeout=timeout())
    if raw.empty:
        return pd.DataFrame(columns=BAR_COLUMNS)
    frame = pd.DataFrame({
        "code": code, "date": pd.to_datetime(raw["日期"]).dt.date,
        "open": raw["开盘"], "high": raw["最高"], "low": raw["最低"], "close": raw["收盘"],
        "pre_close": raw["收盘"] - raw["涨跌额"], "volume": raw["成交量"].astype("int64") * LOTS,
        "amount": raw["成交额"], "turnover": raw["换手率"], "pct_change": raw["涨跌幅"],
    })
    return frame[BAR_COLUMNS]


def spot_stocks():
    """Realtime quotes of every A-share (about 55 pages of 100, ~1 s apart: 30–80 s in all)."""
    raw = _run("stock_zh_a_spot_em")
    frame = _numeric(raw[list(_SPOT_STOCK)].rename(columns=_SPOT_STOCK))
    frame["volume"] = (frame["volume"] * LOTS).round().astype("Int64")
    return frame


def spot_etfs():
    """Quotes of every exchange-traded fund (Eastmoney's delayed host)."""
    raw = _run("fund_etf_spot_em")
    frame = _numeric(raw[list(_SPOT_ETF)].rename(columns=_SPOT_ETF))
    frame["volume"] = (frame["volume"] * LOTS).round().astype("Int64")
    return frame


def dragon_tiger(start, end):
    """Dragon-tiger list entries between two dates; a range without a list is an empty frame."""
    try:
        raw = _run("stock_lhb_detail_em", start_date=_ymd(start), end_date=_ymd(end))
    except SourceError as exc:
        # Eastmoney answers {"result": null} for a day without a list; akshare then fails subscripting None.
        if isinstance(exc.__cause__, TypeError) and "NoneType" in str(exc.__cause__):
            return pd.DataFrame(columns=list(_LHB.values()))
        raise
    frame = raw[list(_LHB)].rename(columns=_LHB)
    frame["trade_date"] = pd.to_datetime(frame["trade_date"]).dt.date
    frame["reason"] = frame["reason"].fillna("").astype(str).str.slice(0, 255)
    frame["interpretation"] = frame["interpretation"].fillna("").astype(str).str.slice(0, 255)
    return _numeric(frame)


def capital_flow(flow_type):
    """Today's net inflows by order size for ``flow_type`` stock, sector (industry) or concept boards.

    Columns: code (stock code, or the board's name), name, price, pct_change, main_net … small_ratio,
    top_stock. Amounts in yuan, ratios in percent.
    """
    if flow_type == "stock":
        raw = _run("stock_individual_fund_flow_rank", indicator="今日")
        frame = raw.rename(columns={"代码": "code", "名称": "name", "最新价": "price"})
    elif flow_type in _SECTOR_TYPES:
        raw = _run("stock_sector_fund_flow_rank", indicator="今日", sector_type=_SECTOR_TYPES[flow_type])
        frame = raw.rename(columns={"名称": "name"})
        frame["code"] = frame["name"]
    else:
        raise ValueError(f"unknown flow type {flow_type!r}")
    frame = frame.rename(columns={c: _FLOW[c.removeprefix("今日")] for c in frame.columns
                                  if c.removeprefix("今日") in _FLOW})
    frame = frame.drop(columns=[c for c in ("序号",) if c in frame.columns])
    return _numeric(frame)


def statements(code, statement_type):
    """One stock's statements of ``statement_type`` for every report period Eastmoney has.

    Columns: code, report_date, report_name, notice_date, currency, headline (total assets,
    net profit or operating cash flow, in yuan), items (every reported field, Eastmoney's names).
    """
    fn_name, headline = _STATEMENTS[statement_type]
    raw = _run(fn_name, symbol=f"{exchange_of(code)}{code}")
    if raw.empty:
        return pd.DataFrame(columns=["code", "report_date"])
    frame = pd.DataFrame({
        "code": code, "report_date": pd.to_datetime(raw["REPORT_DATE"]).dt.date,
        "report_name": raw.get("REPORT_DATE_NAME", raw.get("REPORT_TYPE", "")),
        "notice_date": pd.to_datetime(raw["NOTICE_DATE"], errors="coerce").dt.date if "NOTICE_DATE" in raw else None,
        "currency": raw["CURRENCY"] if "CURRENCY" in raw else "",
        "headline": pd.to_numeric(raw[headline], errors="coerce") if headline in raw else None,
    })
    frame["items"] = [{k: v for k, v in row.items() if v is not None and v == v}
                      for row in raw.to_dict("records")]
    return frame


def trade_calendar(start=None, end=None):
    """Every SSE trading day Sina publishes (1990-12-19 … end of the published year), as dates.

    Sina serves the whole history in one file: ``start`` and ``end`` are accepted for symmetry with
    baostock and ignored."""
    raw = _run("tool_trade_date_hist_sina")
    days = [d if isinstance(d, datetime.date) else pd.Timestamp(d).date() for d in raw["trade_date"]]
    if not days:
        raise SourceError("akshare: Sina returned an empty trading calendar")
    return days



def _spot_page(page):
    """One page of the whole-market spot table as Eastmoney's rows (dicts keyed f2, f12 …)."""
    _akshare()  # installs the timeout and the per-request rate limit
    params = dict(SPOT_PARAMS, pn=str(page))
    _http.inside = True
    try:
        response = requests.get(SPOT_URL, params=params, timeout=timeout())
    except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
        raise TransientError(f"spot page {page}: {type(exc).__name__}: {exc}") from exc
    finally:
        _http.inside = False
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"spot page {page}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise SourceError(f"spot page {page}: HTTP {response.status_code}")
    try:
        data = response.json()["data"]
        return data["diff"], int(data["total"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"spot page {page}: unreadable answer ({type(exc).__name__}: {exc})") from exc


def spot_day_bars(*, check_cancelled=None):
    """Today's bar of every A-share from the whole-market spot table, read after the close.

    Columns: BAR_COLUMNS + name. Suspended stocks (every price "-") are left out; a price or amount
    the table leaves empty stays NaN, for validation to skip that row with its reason.
    About 55 requests for the whole market (100 rows a page).
    """
    rows, page, total = [], 1, None
    while total is None or len(rows) < total:
        if check_cancelled:
            check_cancelled()
        diff, total = call(_PerRequest, _spot_page, page, what=f"spot page {page}")
        if not diff:
            break
        rows.extend(diff)
        page += 1
    frame = pd.DataFrame(rows).reindex(columns=list(_SPOT_BAR_KEYS)).rename(columns=_SPOT_BAR_KEYS)
    frame["code"] = frame["code"].astype(str).str.zfill(6)
    frame = _numeric(frame).drop_duplicates("code")
    traded = frame[["open", "high", "low", "close"]].notna().any(axis=1) & (frame["volume"].fillna(0) > 0)
    frame = frame[traded].copy()
    frame["volume"] = (frame["volume"] * LOTS).round().astype("Int64")
    return frame.reset_index(drop=True)


_PERIOD_TABLES = {
    "balance_sheet": ("stock_zcfz_em", "资产-总资产"),
    "income_statement": ("stock_lrb_em", "净利润"),
    "cash_flow": ("stock_xjll_em", "经营性现金流-现金流量净额"),
}


def statements_for_period(statement_type, period):
    """Every stock's ``statement_type`` for one report period, in one akshare call (pages of 500).

    Columns: code, report_date, notice_date, headline (yuan), items (the table's columns, its
    Chinese names). A period nobody has published yet is an empty frame.
    """
    fn_name, headline = _PERIOD_TABLES[statement_type]
    try:
        raw = _run(fn_name, date=_ymd(period))
    except SourceError as exc:
        if isinstance(exc.__cause__, TypeError) and "NoneType" in str(exc.__cause__):
            return pd.DataFrame(columns=["code", "report_date", "notice_date", "headline", "items"])
        raise
    raw = raw.drop(columns=[c for c in ("序号",) if c in raw.columns])
    frame = pd.DataFrame({
        "code": raw["股票代码"].astype(str).str.zfill(6), "report_date": period,
        "notice_date": pd.to_datetime(raw["公告日期"], errors="coerce").dt.date,
        "headline": pd.to_numeric(raw[headline], errors="coerce"),
    })
    frame["items"] = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()
                       if v is not None and v == v} for row in raw.to_dict("records")]
    return frame


def dividends_for_period(period):
    """Every stock's dividend / bonus plan for one report period, with ex-dates (one akshare call).

    Columns: code, ex_date, cash_dividend (yuan per share), bonus_ratio (shares per share). Eastmoney
    quotes both per 10 shares. Plans without an ex-date yet are left out.
    """
    try:
        raw = _run("stock_fhps_em", date=_ymd(period))
    except SourceError as exc:
        if isinstance(exc.__cause__, TypeError) and "NoneType" in str(exc.__cause__):
            return pd.DataFrame(columns=["code", "ex_date", "cash_dividend", "bonus_ratio"])
        raise
    frame = pd.DataFrame({
        "code": raw["代码"].astype(str).str.zfill(6), "ex_date": raw["除权除息日"],
        "cash_dividend": pd.to_numeric(raw["现金分红-现金分红比例"], errors="coerce").fillna(0) / 10,
        "bonus_ratio": pd.to_numeric(raw["送转股份-送转总比例"], errors="coerce").fillna(0) / 10,
    })
    return frame[frame["ex_date"].notna()].reset_index(drop=True)
