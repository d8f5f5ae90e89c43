"""The simulated market served over HTTP in the exact shapes akshare and our Eastmoney client parse.

``SimulatedHttp(market).install(mock)`` registers callbacks on a ``responses.RequestsMock``:
the whole-market spot table (Eastmoney clist, 100 rows a page), per-stock klines (push2his), the
SSE / SZSE / BSE stock lists, and the datacenter tables per report date (balance sheet, income,
cash flow, dividend plans). Keys are sent in the order akshare maps by position.

``latency`` (seconds per request) and ``error_rate`` (share of requests answered 503, seeded)
let the benchmark reproduce a real provider's cost and flakiness; ``calls`` records
(monotonic time, host, what) for every request, to count calls and check the minimum interval.
"""
import datetime
import io
import json
import math
import re
import threading
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd

from .market import report_periods

SPOT_URL = "https://82.push2.eastmoney.com/api/qt/clist/get"
KLINE_URL = "https://push2his.eastmoney.com/api/qt/stock/kline/get"
DATACENTER_URL = "https://datacenter-web.eastmoney.com/api/data/v1/get"
SSE_URL = "https://query.sse.com.cn/sseQuery/commonQuery.do"
SZSE_URL = "https://www.szse.cn/api/report/ShowReport"
BSE_URL = "https://www.bse.cn/nqxxController/nqxxCnzq.do"
ETF_URL = "https://push2delay.eastmoney.com/api/qt/clist/get"
FLOW_URL = "https://push2.eastmoney.com/api/qt/clist/get"
F10_URL = "https://emweb.securities.eastmoney.com/PC_HSF10/NewFinanceAnalysis/"
F10_PREFIXES = {"zcfzb": ("TOTAL_ASSETS", "total_assets"), "lrb": ("NETPROFIT", "net_profit"),
                "xjllb": ("NETCASH_OPERATE", "operate_cash")}
SPOT_PAGE = 100  # Eastmoney serves at most 100 rows a page whatever ``pz`` asks
DATACENTER_PAGE = 500
BSE_PAGE = 20

SPOT_KEYS = ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15",
             "f16", "f17", "f18", "f20", "f21", "f22", "f23", "f24", "f25", "f62", "f115", "f128", "f140",
             "f141", "f136", "f152"]
ETF_KEYS = ["f12", "f14", "f2", "f4", "f3", "f5", "f6", "f7", "f17", "f15", "f16", "f18", "f8", "f10", "f30",
            "f31", "f32", "f33", "f34", "f35", "f62", "f184", "f66", "f69", "f72", "f75", "f78", "f81", "f84",
            "f87", "f38", "f21", "f20", "f402", "f441", "f297", "f124"]
FLOW_KEYS = ["f2", "f3", "f12", "f14", "f62", "f66", "f69", "f72", "f75", "f78", "f81", "f84", "f87", "f124",
             "f184", "f204", "f205", "f206"]
ETFS = (("510300", "沪深300ETF"), ("510500", "中证500ETF"), ("159915", "创业板ETF"), ("588000", "科创50ETF"))
BSE_COLUMNS = 48
BSE_POSITIONS = {"listed": 0, "industry": 17, "report_date": 22, "code": 38, "name": 40}


def _positional(count, named):
    """``count`` keys with ``named`` {position: key} and filler keys elsewhere (akshare maps by position)."""
    return [named.get(i, f"COL_{i}") for i in range(count)]


_HEAD = {0: "SECUCODE", 1: "SECURITY_CODE", 2: "INDUSTRY_CODE", 3: "ORG_CODE", 4: "SECURITY_NAME_ABBR",
         12: "NOTICE_DATE", 13: "REPORT_DATE"}
# Payload key positions = akshare's column positions - 1 (akshare prepends its row number).
STATEMENT_KEYS = {
    "RPT_DMSK_FN_BALANCE": _positional(57, {**_HEAD, 14: "TOTAL_ASSETS", 16: "MONETARYFUNDS", 18: "ACCOUNTS_RECE",
                                            20: "INVENTORY", 22: "TOTAL_LIABILITIES", 23: "ACCOUNTS_PAYABLE",
                                            25: "ADVANCE_RECEIVABLES", 27: "TOTAL_EQUITY",
                                            29: "TOTAL_ASSETS_RATIO", 30: "TOTAL_LIAB_RATIO",
                                            32: "DEBT_ASSET_RATIO"}),
    "RPT_DMSK_FN_INCOME": _positional(46, {**_HEAD, 14: "PARENT_NETPROFIT", 15: "TOTAL_OPERATE_INCOME",
                                           16: "TOTAL_OPERATE_COST", 18: "OPERATE_COST", 21: "SALE_EXPENSE",
                                           22: "MANAGE_EXPENSE", 23: "FINANCE_EXPENSE", 24: "OPERATE_PROFIT",
                                           25: "TOTAL_PROFIT", 41: "TOI_RATIO", 43: "PARENT_NETPROFIT_RATIO"}),
    "RPT_DMSK_FN_CASHFLOW": _positional(48, {**_HEAD, 14: "NETCASH_OPERATE", 15: "NETCASH_OPERATE_RATIO",
                                             20: "NETCASH_INVEST", 21: "NETCASH_INVEST_RATIO",
                                             26: "NETCASH_FINANCE", 27: "NETCASH_FINANCE_RATIO",
                                             28: "CCE_ADD", 29: "CCE_ADD_RATIO"}),
}
DIVIDEND_KEYS = _positional(30, {1: "SECURITY_NAME_ABBR", 4: "SECURITY_CODE", 5: "BONUS_IT_RATIO",
                                 6: "BONUS_RATIO", 7: "IT_RATIO", 8: "PRETAX_BONUS_RMB", 9: "PLAN_NOTICE_DATE",
                                 10: "EQUITY_RECORD_DATE", 11: "EX_DIVIDEND_DATE", 13: "ASSIGN_PROGRESS",
                                 15: "NOTICE_DATE", 19: "BASIC_EPS", 24: "TOTAL_SHARES", 26: "DIVIDENT_RATIO"})


DATACENTER_EMPTY = {"version": None, "result": None, "success": False, "message": "返回数据为空", "code": 9201}


class SimulatedHttp:
    def __init__(self, market, *, latency=0.0, error_rate=0.0, seed=7, as_of=None):
        self.market = market
        self.latency = latency
        self.error_rate = error_rate
        self.as_of = as_of or market.today
        self.calls = []
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()
        self._cache = {}
        self.broken_amount = set()  # codes whose amount is sent empty (a provider's bad value)
        self.fail_after = 0  # with error_rate, errors start only after this many requests
        self.on_request = None  # called with (what, number of requests so far), e.g. to stop a run

    def install(self, mock):
        """Register every simulated endpoint on a started ``responses.RequestsMock``; returns self."""
        mock.add_callback("GET", SPOT_URL, callback=self._wrap("spot", self.spot))
        mock.add_callback("GET", KLINE_URL, callback=self._wrap("kline", self.kline))
        mock.add_callback("GET", DATACENTER_URL, callback=self._wrap("datacenter", self.datacenter))
        mock.add_callback("GET", SSE_URL, callback=self._wrap("sse_list", self.sse_list))
        mock.add_callback("GET", SZSE_URL, callback=self._wrap("szse_list", self.szse_list))
        mock.add_callback("POST", BSE_URL, callback=self._wrap("bse_list", self.bse_list))
        mock.add_callback("GET", ETF_URL, callback=self._wrap("etf_spot", self.etf_spot))
        mock.add_callback("GET", FLOW_URL, callback=self._wrap("flow", self.flow))
        mock.add_callback("GET", re.compile(re.escape(F10_URL) + r".*"), callback=self._wrap("f10", self.f10))
        return self

    def warm(self, periods=()):
        """Build the big answers now (spot table, per-period tables), so a benchmark times the
        jobs, not the simulator's first pass over the market."""
        self._spot_rows()
        self.market.events_on(self.as_of)
        for period in periods:
            for report in (*STATEMENT_KEYS, "RPT_SHAREBONUS_DET"):
                self._datacenter_rows(report, period)

    def count(self, what=None):
        return sum(1 for _, w in self.calls if what is None or w == what)

    def _wrap(self, what, handler):
        def callback(request):
            with self._lock:
                self.calls.append((time.monotonic(), what))
                fail = (self.error_rate and len(self.calls) > self.fail_after
                        and self._rng.random() < self.error_rate)
            if self.on_request:
                self.on_request(what, len(self.calls))
            if self.latency:
                time.sleep(self.latency)
            if fail:
                return 503, {}, "Service Unavailable"
            params = {k: v[0] for k, v in parse_qs(urlparse(request.url).query).items()}
            if request.body:
                body = request.body if isinstance(request.body, str) else request.body.decode()
                params.update({k: v[0] for k, v in parse_qs(body).items()})
            status, headers, body = handler(params)
            return status, headers, body
        return callback

    # --- quotes --------------------------------------------------------------------------------------

    def _spot_rows(self):
        if "spot" not in self._cache:
            frame = self.market.day_frame(self.as_of)
            traded = dict(zip(frame["code"], frame.to_dict("records")))
            rows = [self._spot_row(stock, traded.get(stock.code)) for stock in self.market.listed_on(self.as_of)]
            self._cache["spot"] = rows
        return self._cache["spot"]

    def _spot_row(self, stock, bar):
        values = {"f1": 2, "f9": "-", "f10": "-", "f11": 0.0, "f12": stock.code,
                  "f13": 1 if stock.exchange == "SH" else 0, "f14": stock.name_on(self.as_of),
                  "f20": "-", "f21": "-", "f22": 0.0, "f23": "-", "f24": "-", "f25": "-",
                  "f62": 0.0, "f115": "-", "f128": "-", "f140": "-", "f141": "-", "f136": "-", "f152": 2}
        if bar is None:  # suspended: Eastmoney sends "-" for every price of the day
            values.update({k: "-" for k in ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f15", "f16", "f17")})
            values["f18"] = "-"
        else:
            amount = "-" if stock.code in self.broken_amount else float(bar["amount"])
            values.update(f2=bar["close"], f3=bar["pct_change"], f4=round(bar["close"] - bar["pre_close"], 2),
                          f5=int(bar["volume"]) // 100, f6=amount,
                          f7=round((bar["high"] - bar["low"]) / bar["pre_close"] * 100, 2), f8=bar["turnover"],
                          f15=bar["high"], f16=bar["low"], f17=bar["open"], f18=bar["pre_close"])
        return {key: values[key] for key in SPOT_KEYS}

    def spot(self, params):
        rows = self._spot_rows()
        page = int(params.get("pn", 1))
        size = min(int(params.get("pz", SPOT_PAGE)), SPOT_PAGE)
        chunk = rows[(page - 1) * size: page * size]
        body = {"rc": 0, "rt": 6, "svr": 181669449, "lt": 1, "full": 1, "dlmkts": "",
                "data": {"total": len(rows), "diff": chunk}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False)

    def kline(self, params):
        code = params["secid"].split(".")[1]
        if code not in self.market.by_code:
            return 200, {}, json.dumps({"rc": 0, "data": None})
        start, end = (pd.Timestamp(params[k]).date() for k in ("beg", "end"))
        bars = self.market.bars(code, start, min(end, self.as_of))
        lines = [f"{d.isoformat()},{o:.2f},{c:.2f},{h:.2f},{lo:.2f},"
                 f"{int(v) // 100},{a:.2f},{(h - lo) / p * 100:.2f},{pc:.2f},{c - p:.2f},{t:.2f}"
                 for d, o, c, h, lo, v, a, p, pc, t in zip(
                     bars["date"], bars["open"], bars["close"], bars["high"], bars["low"], bars["volume"],
                     bars["amount"], bars["pre_close"], bars["pct_change"], bars["turnover"])]
        body = {"rc": 0, "rt": 17, "svr": 177617938, "lt": 1, "full": 0, "dlmkts": "",
                "data": {"code": code, "market": 1 if code.startswith("6") else 0, "name": code, "decimal": 2,
                         "dktotal": len(lines), "preKPrice": 0, "klines": lines}}
        return 200, {}, json.dumps(body)

    def _clist(self, rows, params):
        page = int(params.get("pn", 1))
        size = min(int(params.get("pz", SPOT_PAGE)), SPOT_PAGE)
        body = {"rc": 0, "rt": 6, "svr": 181669449, "lt": 1, "full": 1, "dlmkts": "",
                "data": {"total": len(rows), "diff": rows[(page - 1) * size: page * size]}}
        return 200, {}, json.dumps(body, ensure_ascii=False)

    def etf_spot(self, params):
        stamp = int(datetime.datetime.combine(self.as_of, datetime.time(15)).timestamp())
        rows = []
        for i, (code, name) in enumerate(ETFS):
            row = {key: 1.0 for key in ETF_KEYS}
            row.update(f12=code, f14=name, f2=round(1 + i * 0.7, 3), f5=100000 + i,
                       f297=int(self.as_of.strftime("%Y%m%d")), f124=stamp)
            rows.append(row)
        return self._clist(rows, params)

    def flow(self, params):
        if params.get("fs", "").startswith("m:90"):
            named = [(f"BK{i:04d}", industry[3:]) for i, industry in enumerate(sorted({
                s.industry for s in self.market.stocks}))]
        else:
            named = [(s.code, s.name_on(self.as_of)) for s in self.market.listed_on(self.as_of)]
        rows = []
        for i, (code, name) in enumerate(named):
            values = {key: float(i % 97) for key in FLOW_KEYS}
            values.update(f12=code, f14=name, f62=float((i * 7919) % 100000 - 50000) * 1000, f124=1704180600,
                          f204=name, f205=code, f206=0)
            rows.append({key: values[key] for key in FLOW_KEYS})
        return self._clist(rows, params)

    def f10(self, params):
        """Eastmoney F10 pages of one stock: the company-type page, its report dates, the reports."""
        code = params.get("code", "")[2:]
        stock = self.market.by_code.get(code)
        if stock is None:
            return 200, {}, json.dumps({"data": []})
        if "dates" not in params and "companyType" not in params and "reportDateType" not in params:
            return 200, {"Content-Type": "text/html"}, '<html><input id="hidctype" type="hidden" value="4" /></html>'
        periods = [p for p in report_periods(self.market.days[0], self.as_of)
                   if self.market.statement_of(stock, p, as_of=self.as_of)]
        if "dates" not in params:
            return 200, {}, json.dumps({"data": [{"REPORT_DATE": f"{p} 00:00:00", "REPORT_TYPE": ""}
                                                 for p in reversed(periods)]})
        wanted = {datetime.date.fromisoformat(d) for d in params["dates"].split(",") if d}
        rows = []
        for period in sorted(wanted & set(periods), reverse=True):
            notice, values = self.market.statement_of(stock, period, as_of=self.as_of)
            row = {"SECUCODE": f"{code}.{stock.exchange}", "SECURITY_CODE": code,
                   "SECURITY_NAME_ABBR": stock.base_name, "REPORT_DATE": f"{period} 00:00:00",
                   "REPORT_TYPE": "", "REPORT_DATE_NAME": str(period), "NOTICE_DATE": f"{notice} 00:00:00",
                   "CURRENCY": "CNY"}
            row.update({key: values[field] for key, field in F10_PREFIXES.values()})
            rows.append(row)
        return 200, {}, json.dumps({"data": rows})

    # --- exchange lists ------------------------------------------------------------------------------

    def _listed(self, board=None, exchange=None):
        return [s for s in self.market.listed_on(self.as_of)
                if (board is None or s.board in board) and (exchange is None or s.exchange == exchange)]

    def sse_list(self, params):
        boards = {"1": ("sse_main",), "8": ("star",)}.get(params.get("STOCK_TYPE"), ())
        result = [{"A_STOCK_CODE": s.code, "B_STOCK_CODE": "-", "SEC_NAME_CN": s.name_on(self.as_of),
                   "SEC_NAME_FULL": s.base_name, "COMPANY_ABBR": s.base_name, "FULL_NAME": s.base_name,
                   "LIST_DATE": s.list_date.strftime("%Y%m%d"), "COMPANY_CODE": s.code}
                  for s in self._listed(board=boards)]
        return 200, {}, json.dumps({"result": result, "pageHelp": {"total": len(result)}}, ensure_ascii=False)

    def szse_list(self, params):
        if "szse" not in self._cache:
            frame = pd.DataFrame([{"板块": "创业板" if s.board == "chinext" else "主板", "公司全称": s.base_name,
                                   "英文名称": "", "注册地址": "", "A股代码": s.code, "A股简称": s.name_on(self.as_of),
                                   "A股上市日期": s.list_date.isoformat(), "A股总股本": "1,000", "A股流通股本": "1,000",
                                   "所属行业": s.industry[:1] + " " + s.industry[3:]}
                                  for s in self._listed(exchange="SZ")])
            buffer = io.BytesIO()
            frame.to_excel(buffer, index=False)
            self._cache["szse"] = buffer.getvalue()
        return 200, {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, \
            self._cache["szse"]

    def bse_list(self, params):
        stocks = self._listed(exchange="BJ")
        page = int(params.get("page", 0))
        content = []
        for s in stocks[page * BSE_PAGE:(page + 1) * BSE_PAGE]:
            values = [f"k{i}" for i in range(BSE_COLUMNS)]
            for key, value in (("listed", s.list_date.strftime("%Y%m%d")), ("industry", s.industry[3:]),
                               ("report_date", "20240101"), ("code", s.code), ("name", s.name_on(self.as_of))):
                values[BSE_POSITIONS[key]] = value
            content.append({f"c{i:02d}": v for i, v in enumerate(values)})
        pages = max(1, math.ceil(len(stocks) / BSE_PAGE))
        return 200, {}, "callback(" + json.dumps([{"totalPages": pages, "content": content}], ensure_ascii=False) + ")"

    # --- datacenter tables per report date -------------------------------------------------------------

    def datacenter(self, params):
        report = params.get("reportName", "")
        match = re.search(r"REPORT_DATE='(\d{4}-\d{2}-\d{2})'", params.get("filter", ""))
        if not match:
            return 200, {}, json.dumps(DATACENTER_EMPTY)
        period = pd.Timestamp(match.group(1)).date()
        rows = self._datacenter_rows(report, period)
        size, page = int(params.get("pageSize", DATACENTER_PAGE)), int(params.get("pageNumber", 1))
        if not rows:
            return 200, {}, json.dumps(DATACENTER_EMPTY, ensure_ascii=False)
        chunk = rows[(page - 1) * size: page * size]
        body = {"version": "sim", "result": {"pages": math.ceil(len(rows) / size), "data": chunk, "count": len(rows)},
                "success": True, "message": "ok", "code": 0}
        return 200, {}, json.dumps(body, ensure_ascii=False)

    def _datacenter_rows(self, report, period):
        key = (report, period)
        if key not in self._cache:
            if report in STATEMENT_KEYS:
                self._cache[key] = self._statement_rows(report, period)
            elif report == "RPT_SHAREBONUS_DET":
                self._cache[key] = self._dividend_rows(period)
            else:
                self._cache[key] = []
        return self._cache[key]

    def _statement_rows(self, report, period):
        keys = STATEMENT_KEYS[report]
        rows = []
        for stock, notice, v in self.market.statements(period, as_of=self.as_of):
            values = {"SECUCODE": f"{stock.code}.{stock.exchange}", "SECURITY_CODE": stock.code,
                      "SECURITY_NAME_ABBR": stock.base_name, "NOTICE_DATE": f"{notice} 00:00:00",
                      "REPORT_DATE": f"{period} 00:00:00",
                      "TOTAL_ASSETS": v["total_assets"], "MONETARYFUNDS": v["cash"],
                      "TOTAL_LIABILITIES": v["total_liabilities"], "TOTAL_EQUITY": v["equity"],
                      "DEBT_ASSET_RATIO": round(v["total_liabilities"] / v["total_assets"] * 100, 4),
                      "PARENT_NETPROFIT": v["net_profit"], "TOTAL_OPERATE_INCOME": v["revenue"],
                      "OPERATE_PROFIT": round(v["net_profit"] * 1.2, 2),
                      "TOTAL_PROFIT": round(v["net_profit"] * 1.25, 2),
                      "NETCASH_OPERATE": v["operate_cash"], "NETCASH_INVEST": v["invest_cash"],
                      "NETCASH_FINANCE": v["finance_cash"],
                      "CCE_ADD": round(v["operate_cash"] + v["invest_cash"] + v["finance_cash"], 2)}
            rows.append({k: values.get(k) for k in keys})
        return rows

    def _dividend_rows(self, period):
        rows = []
        for code, event in self.market.events_for_report(period):
            if event.ex_date > self.as_of or not (event.cash or event.bonus):
                continue
            stock = self.market.by_code[code]
            values = {"SECURITY_NAME_ABBR": stock.base_name, "SECURITY_CODE": code,
                      "BONUS_IT_RATIO": round(event.bonus * 10, 4) or None,
                      "BONUS_RATIO": round(event.bonus * 10, 4) or None, "IT_RATIO": None,
                      "PRETAX_BONUS_RMB": round(event.cash * 10, 4) or None,
                      "PLAN_NOTICE_DATE": f"{period.year + 1}-03-20 00:00:00",
                      "EQUITY_RECORD_DATE": f"{event.ex_date} 00:00:00",
                      "EX_DIVIDEND_DATE": f"{event.ex_date} 00:00:00", "ASSIGN_PROGRESS": "实施分配",
                      "NOTICE_DATE": f"{event.ex_date} 00:00:00"}
            rows.append({k: values.get(k) for k in DIVIDEND_KEYS})
        return rows
