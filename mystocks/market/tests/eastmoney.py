"""Hand-made payloads in the exact shapes akshare 1.19.5 parses, registered with ``responses``.

Key order matters where akshare renames columns by position (spot quotes, fund-flow ranks, the BSE
list): the key lists below are the order Eastmoney/BSE send and akshare expects.
"""
import io
import json

import pandas as pd
import responses
from responses import matchers

from mystocks.market.simulated.eastmoney import ETF_KEYS, FLOW_KEYS, SPOT_KEYS

KLINE_URL = "https://push2his.eastmoney.com/api/qt/stock/kline/get"
SPOT_URL = "https://82.push2.eastmoney.com/api/qt/clist/get"
ETF_URL = "https://push2delay.eastmoney.com/api/qt/clist/get"
FLOW_URL = "https://push2.eastmoney.com/api/qt/clist/get"
DATACENTER_URL = "https://datacenter-web.eastmoney.com/api/data/v1/get"
F10_URL = "https://emweb.securities.eastmoney.com/PC_HSF10/NewFinanceAnalysis/"
SSE_URL = "https://query.sse.com.cn/sseQuery/commonQuery.do"
SZSE_URL = "https://www.szse.cn/api/report/ShowReport"
BSE_URL = "https://www.bse.cn/nqxxController/nqxxCnzq.do"
SINA_CALENDAR_URL = "https://finance.sina.com.cn/realstock/company/klc_td_sh.txt"

BSE_COLUMNS = 48  # akshare names the BSE list's columns by position: exactly this many keys
BSE_POSITIONS = {"listed": 0, "industry": 17, "report_date": 22, "code": 38, "name": 40}


def kline(bar_rows, code="000001"):
    """A push2his kline answer; each bar is (date, open, close, high, low, volume in lots, amount,
    amplitude %, pct %, change, turnover %) — Eastmoney's f51..f61 order, close before high."""
    lines = [",".join(str(v) for v in row) for row in bar_rows]
    return {"rc": 0, "rt": 17, "svr": 177617938, "lt": 1, "full": 0, "dlmkts": "",
            "data": {"code": code, "market": 0, "name": code, "decimal": 2, "dktotal": len(lines),
                     "preKPrice": 9.39, "klines": lines}}


def add_kline(code, bar_rows, *, fqt="0", status=200):
    secid = f"{1 if code.startswith('6') else 0}.{code}"
    body = kline(bar_rows, code) if status == 200 else {"rc": 102}
    responses.get(KLINE_URL, json=body, status=status, match=[
        matchers.query_param_matcher({"secid": secid, "fqt": fqt}, strict_match=False)])


def clist(rows, total=None):
    return {"rc": 0, "rt": 6, "svr": 181669449, "lt": 1, "full": 1, "dlmkts": "",
            "data": {"total": len(rows) if total is None else total, "diff": rows}}


def spot_row(code, name, price, pct, *, volume_lots=1158366, suspended=False):
    values = dict(f1=2, f2=price, f3=pct, f4=0.12, f5=volume_lots, f6=1075742252.45, f7=2.24, f8=0.6, f9=4.51,
                  f10=1.05, f11=0.11, f12=code, f13=0 if code[0] != "6" else 1, f14=name, f15=9.42, f16=9.21,
                  f17=9.39, f18=9.39, f20=178727170000.0, f21=178723740000.0, f22=0.0, f23=0.55, f24=-3.1,
                  f25=-1.2, f62=12345678.0, f115=4.3, f128="-", f140="-", f141="-", f136="-", f152=2)
    if suspended:
        for key in ("f2", "f3", "f4", "f5", "f6", "f7", "f8", "f15", "f16", "f17"):
            values[key] = "-"
    return {key: values[key] for key in SPOT_KEYS}


def etf_row(code, name, price, *, volume_lots=5000):
    row = {key: 1.0 for key in ETF_KEYS}
    row.update(f12=code, f14=name, f2=price, f5=volume_lots, f297=20240102, f124=1704180600)
    return row


def flow_row(code, name, main_net):
    values = {key: float(i) for i, key in enumerate(FLOW_KEYS)}
    values.update(f12=code, f14=name, f62=main_net, f124=1704180600, f204="平安银行", f205="000001", f206=0)
    return {key: values[key] for key in FLOW_KEYS}


def datacenter(rows, pages=1):
    return {"version": "abc", "result": {"pages": pages, "data": rows, "count": len(rows)},
            "success": True, "message": "ok", "code": 0}


DATACENTER_EMPTY = {"version": None, "result": None, "success": False, "message": "返回数据为空", "code": 9201}


def lhb_row(code, name, day, reason, net_buy):
    return {"SECURITY_CODE": code, "SECUCODE": f"{code}.SZ", "SECURITY_NAME_ABBR": name,
            "TRADE_DATE": f"{day} 00:00:00", "EXPLAIN": "实力游资买入", "CLOSE_PRICE": 9.21, "CHANGE_RATE": -1.92,
            "BILLBOARD_NET_AMT": net_buy, "BILLBOARD_BUY_AMT": 5.0e7, "BILLBOARD_SELL_AMT": 5.0e7 - net_buy,
            "BILLBOARD_DEAL_AMT": 1.0e8 - net_buy, "ACCUM_AMOUNT": 1075742252.45, "DEAL_NET_RATIO": 1.15,
            "DEAL_AMOUNT_RATIO": 8.15, "TURNOVERRATE": 0.6, "FREE_MARKET_CAP": 1.787e11, "EXPLANATION": reason,
            "D1_CLOSE_ADJCHRATE": None, "D2_CLOSE_ADJCHRATE": None, "D5_CLOSE_ADJCHRATE": None,
            "D10_CLOSE_ADJCHRATE": None, "SECURITY_TYPE_CODE": "058001001"}


def add_statement(code, report, rows, *, company_type="4"):
    """The three F10 requests of one statement: company type page, report dates, the reports."""
    prefix = {"balance_sheet": "zcfzb", "income_statement": "lrb", "cash_flow": "xjllb"}[report]
    symbol = ("SH" if code.startswith("6") else "SZ") + code
    responses.get(F10_URL + "Index", body=f'<html><input id="hidctype" type="hidden" value="{company_type}" /></html>',
                  content_type="text/html",
                  match=[matchers.query_param_matcher({"code": symbol.lower()}, strict_match=False)])
    dates = [{"REPORT_DATE": r["REPORT_DATE"], "REPORT_TYPE": r.get("REPORT_TYPE", "")} for r in rows]
    responses.get(F10_URL + f"{prefix}DateAjaxNew", json={"data": dates},
                  match=[matchers.query_param_matcher({"code": symbol}, strict_match=False)])
    responses.get(F10_URL + f"{prefix}AjaxNew", json={"data": rows},
                  match=[matchers.query_param_matcher({"code": symbol}, strict_match=False)])


def statement_row(code, report_date, **items):
    return {"SECUCODE": f"{code}.SH", "SECURITY_CODE": code, "SECURITY_NAME_ABBR": "贵州茅台",
            "REPORT_DATE": f"{report_date} 00:00:00", "REPORT_TYPE": "年报",
            "REPORT_DATE_NAME": f"{report_date[:4]}年报",
            "NOTICE_DATE": "2024-04-02 00:00:00", "CURRENCY": "CNY", **items}


def add_sse_list(board, rows):
    """rows: (code, name, listing date YYYYMMDD)."""
    result = [{"A_STOCK_CODE": c, "B_STOCK_CODE": "-", "SEC_NAME_CN": n, "SEC_NAME_FULL": n, "COMPANY_ABBR": n,
               "FULL_NAME": n, "LIST_DATE": d, "COMPANY_CODE": c} for c, n, d in rows]
    responses.get(SSE_URL, json={"result": result, "pageHelp": {"total": len(result)}}, match=[
        matchers.query_param_matcher({"STOCK_TYPE": {"主板A股": "1", "科创板": "8"}[board]}, strict_match=False)])


def szse_workbook(rows):
    """The SZSE list is an .xlsx; akshare ignores it unless it has more than 10 rows."""
    frame = pd.DataFrame([{"板块": "主板", "公司全称": n, "英文名称": "", "注册地址": "", "A股代码": c, "A股简称": n,
                           "A股上市日期": d, "A股总股本": "1,000", "A股流通股本": "1,000", "所属行业": ind}
                          for c, n, d, ind in rows])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def add_szse_list(rows):
    responses.get(SZSE_URL, body=szse_workbook(rows),
                  content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def bse_payload(rows):
    """rows: (code, name, listing date YYYYMMDD, industry); keys only count, akshare names them by position."""
    content = []
    for code, name, listed, industry in rows:
        values = [f"k{i}" for i in range(BSE_COLUMNS)]
        for key, value in (("listed", listed), ("industry", industry), ("report_date", "20240101"),
                           ("code", code), ("name", name)):
            values[BSE_POSITIONS[key]] = value
        content.append({f"c{i:02d}": v for i, v in enumerate(values)})
    return "callback(" + json.dumps([{"totalPages": 1, "content": content}], ensure_ascii=False) + ")"


def add_bse_list(rows):
    responses.post(BSE_URL, body=bse_payload(rows))
