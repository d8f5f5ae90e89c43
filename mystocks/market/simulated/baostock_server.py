"""A baostock server on 127.0.0.1 that the real baostock client (0.9.4) talks to (tests, benchmark).

Wire format, from the client source (``baostock/util/socketutil.py``, ``data/resultset.py``):
- request: one line ``HEADER + BODY + "\\x01" + crc32(HEADER+BODY) + "\\n"``, HEADER being
  ``"00.9.40" \\x01 TYPE(2) \\x01 len(BODY)(10 digits)`` (21 chars), BODY fields joined by \\x01;
- reply: ends with ``<![CDATA[]]>\\n`` (the client reads until it sees it). Types 96/99/9B/9D carry a
  zlib-compressed body, HEADER's length being the compressed size; the others are plain text,
  where the client drops the last character, so a throw-away ``\\x01CRC`` field ends the body;
- paged bodies: ``err, msg, method, user, page, per_page, {"record": [[...]]}, <echoed args>, fields``.
  The client asks for page n+1 only after a page of exactly 2,000 rows.

The market it serves is a ``FakeMarket`` (a few hand-written stocks and bars, for unit tests) or a
``SimulatedBaostockMarket`` (the simulated full market); both answer the same questions
(``stock_rows``, ``k_rows``, ``day_rows`` …). ``behaviour`` makes it misbehave: "silent" accepts and
never answers, "close" hangs up after reading the first request. ``latency`` (seconds per request)
and ``error_rate`` (share of queries answered with a network error code, seeded) imitate a real
server's cost and flakiness; ``requests`` records every request, ``times`` when it arrived.
"""
import bisect
import datetime
import json
import random
import socketserver
import threading
import time
import zlib
from dataclasses import dataclass, field

import baostock.common.contants as cons

SPLIT = "\x01"
END = b"<![CDATA[]]>\n"
VERSION = "00.9.40"
COMPRESSED = ("96", "99", "9B", "9D")
PAGE = 2000
DAILY_FIELDS = ("date,code,open,high,low,close,preclose,volume,amount,adjustflag,turn,tradestatus,"
                "pctChg,peTTM,pbMRQ,psTTM,pcfNcfTTM,isST")
FACTOR_FIELDS = "code,dividOperateDate,foreAdjustFactor,backAdjustFactor,adjustFactor"


@dataclass
class FakeMarket:
    """What the fake server knows. ``bars[code]`` is a list of dicts keyed by baostock field names
    (unadjusted); hfq bars are the same scaled by ``hfq_factor``. ``failing_codes`` answer k-data
    with an error code."""

    stocks: list = field(default_factory=list)  # (bs_code, name, ipoDate, outDate, type, status, industry)
    bars: dict = field(default_factory=dict)
    open_days: set = field(default_factory=set)
    hfq_factor: float = 3.0
    failing_codes: set = field(default_factory=set)
    factors: dict = field(default_factory=dict)  # code -> [(date, fore, back)]

    def stock_rows(self):
        return [list(s[:6]) for s in self.stocks]

    def industry_rows(self):
        return [["2024-01-02", s[0], s[1], s[6], "证监会行业分类"] for s in self.stocks if s[4] == "1"]

    def k_rows(self, code, start, end, names, adjust):
        return [bar_row(bar, names, self.hfq_factor if adjust == "1" else 1.0, adjust)
                for bar in self.bars.get(code, []) if start <= bar["date"] <= end]

    def day_rows(self, day, names):
        return [bar_row(bar, names, 1.0) for bars in self.bars.values() for bar in bars if bar["date"] == day]

    def is_open(self, day):
        return day in self.open_days

    def factor_rows(self, code, start, end):
        return [[f"{exchange_prefix(code)}.{code}", d, str(fore), str(back), str(back)]
                for d, fore, back in self.factors.get(code, []) if start <= d <= end]

    def day_factor_rows(self, day):
        return [row for code in self.factors for row in self.factor_rows(code, day, day)]


def header(msg_type, length):
    return f"{VERSION}{SPLIT}{msg_type}{SPLIT}{length:010d}"


def reply(msg_type, fields):
    body = SPLIT.join(fields)
    if msg_type in COMPRESSED:
        packed = zlib.compress((body + "\n").encode("utf-8"))
        return header(msg_type, len(packed)).encode() + packed + END
    head = header(msg_type, len(body))
    crc = zlib.crc32((head + body).encode("utf-8"))
    return f"{head}{body}{SPLIT}{crc}".encode() + END


def parse(line):
    """(type, body fields) of one request line; raises ValueError on a bad length or checksum."""
    head, rest = line[:21], line[21:]
    _, msg_type, length = head.split(SPLIT)
    *fields, crc = rest.split(SPLIT)
    body = SPLIT.join(fields)
    if int(length) != len(body) or zlib.crc32((head + body).encode("utf-8")) != int(crc):
        raise ValueError(f"bad frame {line[:60]!r}")
    return msg_type, fields


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline()
            if not line:
                return
            msg_type, fields = parse(line.decode("utf-8").rstrip("\n"))
            self.server.requests.append((msg_type, fields))
            self.server.times.append(time.monotonic())
            if self.server.latency:
                time.sleep(self.server.latency)
            if self.server.behaviour == "silent":
                self.server.stopped.wait(self.server.silence)
                return
            if self.server.behaviour == "close":
                return
            self.wfile.write(self.server.answer(msg_type, fields))
            if msg_type == "02":
                return


class FakeBaostockServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, market=None, behaviour="normal", silence=30, latency=0.0, error_rate=0.0, seed=7):
        super().__init__(("127.0.0.1", 0), Handler)
        self.market = market or FakeMarket()
        self.behaviour = behaviour
        self.silence = silence
        self.latency = latency
        self.error_rate = error_rate
        self._random = random.Random(seed)
        self.requests = []
        self.times = []
        self.stopped = threading.Event()

    @property
    def port(self):
        return self.server_address[1]

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.stopped.set()
        self.shutdown()
        self.server_close()

    def answer(self, msg_type, f):
        handler = getattr(self, f"on_{msg_type}", None)
        if handler is None:
            return reply("04", ["10004020", "错误的消息类型", f[0], f[1]])
        if msg_type not in ("00", "02") and self.error_rate and self._random.random() < self.error_rate:
            response_type = f"{int(msg_type, 16) + 1:02X}" if msg_type[1] in "8ACE" else f"{int(msg_type) + 1:02d}"
            return reply(response_type, ["10002007", "网络接收错误。", f[0], f[1]])
        return handler(f)

    def paged(self, msg_type, f, rows, echo, fields):
        page, per_page = int(f[2]), int(f[3])
        chunk = rows[(page - 1) * per_page: page * per_page]
        data = json.dumps({"record": chunk}, ensure_ascii=False)
        return reply(msg_type, ["0", "success", f[0], f[1], str(page), str(per_page), data, *echo, fields])

    def on_00(self, f):  # login, user, password, options
        return reply("01", ["0", "success!", "login", f[1]])

    def on_02(self, f):  # logout, user, time
        return reply("03", ["0", "success!", "logout", f[1]])

    def on_95(self, f):  # query_history_k_data_plus: code, fields, start, end, frequency, adjustflag
        code, fields, start, end, _freq, adjust = f[4:10]
        if code.split(".")[1] in self.market.failing_codes:
            return reply("96", ["10004011", "查询失败", f[0], f[1]])
        names = [n.strip() for n in fields.split(",")]
        rows = self.market.k_rows(code.split(".")[1], start, end, names, adjust)
        return self.paged("96", f, rows, f[4:10], fields)

    def on_98(self, f):  # query_daily_history_k_AStock: date (one reply, no paging)
        rows = self.market.day_rows(f[2], DAILY_FIELDS.split(","))
        return reply("99", ["0", "success", f[0], f[1], json.dumps({"record": rows}), DAILY_FIELDS])

    def on_9C(self, f):  # query_daily_adjust_factor: date (one reply, no paging)
        rows = self.market.day_factor_rows(f[2])
        return reply("9D", ["0", "success", f[0], f[1], json.dumps({"record": rows}), FACTOR_FIELDS])

    def on_15(self, f):  # query_adjust_factor: code, start, end
        rows = self.market.factor_rows(f[4].split(".")[1], f[5], f[6])
        return self.paged("16", f, rows, f[4:7], FACTOR_FIELDS)

    def on_33(self, f):  # query_trade_dates: start, end
        day, end = datetime.date.fromisoformat(f[4]), datetime.date.fromisoformat(f[5])
        rows = []
        while day <= end:
            rows.append([day.isoformat(), "1" if self.market.is_open(day) else "0"])
            day += datetime.timedelta(days=1)
        return self.paged("34", f, rows, f[4:6], "calendar_date,is_trading_day")

    def on_45(self, f):  # query_stock_basic: code, code_name
        rows = [r for r in self.market.stock_rows() if not f[4] or r[0] == f[4]]
        return self.paged("46", f, rows, f[4:6], "code,code_name,ipoDate,outDate,type,status")

    def on_59(self, f):  # query_stock_industry: code, date
        return self.paged("60", f, self.market.industry_rows(), f[4:6],
                          "updateDate,code,code_name,industry,industryClassification")


def bar_row(bar, names, scale=1.0, adjust="3"):
    """A bar dict (baostock field names) as the row of strings baostock sends, prices × ``scale``."""
    values = dict(bar, adjustflag=adjust)
    for key in ("open", "high", "low", "close", "preclose"):
        values[key] = f"{float(bar[key]) * scale:.4f}"
    return [str(values.get(name, "")) for name in names]


def exchange_prefix(code):
    return "sh" if code.startswith(("6", "9", "5")) and not code.startswith("92") else (
        "bj" if code.startswith(("4", "8", "92")) else "sz")


def point_baostock_at(port, host="127.0.0.1"):
    """Aim the real client at ``host:port``; it reads these constants on every connect()."""
    cons.BAOSTOCK_SERVER_IP = host
    cons.BAOSTOCK_VIP_SERVER_IP = host
    cons.BAOSTOCK_SERVER_PORT = port


class SimulatedBaostockMarket:
    """The simulated full market (``market.SimulatedMarket``) answering the fake server's questions.

    ``foreAdjustFactor`` is the provider's qfq factor as of the market's last day
    (back_factor / latest back_factor); ``backAdjustFactor`` is the cumulative hfq factor.
    """

    def __init__(self, market):
        self.market = market
        self.failing_codes = set()

    def stock_rows(self):
        rows = []
        for s in self.market.stocks:
            out = s.delist_date.isoformat() if s.delist_date else ""
            rows.append([f"{s.exchange.lower()}.{s.code}", s.name_on(self.market.today), s.list_date.isoformat(),
                         out, "1", "0" if s.delist_date else "1"])
        return rows

    def industry_rows(self):
        return [["2024-01-02", f"{s.exchange.lower()}.{s.code}", s.name_on(self.market.today), s.industry,
                 "证监会行业分类"] for s in self.market.stocks if not s.delist_date]

    def _frame_rows(self, frame, names, adjust):
        rows = []
        for bar in frame.to_dict("records"):
            stock = self.market.by_code[bar["code"]]
            values = {"date": bar["date"].isoformat(), "code": f"{stock.exchange.lower()}.{stock.code}",
                      "open": f"{bar['open']:.4f}", "high": f"{bar['high']:.4f}", "low": f"{bar['low']:.4f}",
                      "close": f"{bar['close']:.4f}", "preclose": f"{bar['pre_close']:.4f}",
                      "volume": str(int(bar["volume"])), "amount": f"{bar['amount']:.4f}", "adjustflag": adjust,
                      "turn": f"{bar['turnover']:.6f}", "tradestatus": "1", "pctChg": f"{bar['pct_change']:.6f}",
                      "isST": "1" if bar["st"] else "0"}
            rows.append([values.get(name, "") for name in names])
        return rows

    def k_rows(self, code, start, end, names, adjust):
        if code not in self.market.by_code:
            return []
        frame = self.market.bars(code, datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
        if adjust == "1" and not frame.empty:
            factors = self.market.back_factors(code)
            dates = [d for d, _ in factors]
            scale = [factors[bisect.bisect_right(dates, d) - 1][1] for d in frame["date"]]
            for column in ("open", "high", "low", "close", "pre_close"):
                frame[column] = frame[column] * scale
        return self._frame_rows(frame, names, adjust)

    def day_rows(self, day, names):
        day = datetime.date.fromisoformat(day)
        if day not in self.market.day_index:
            return []
        return self._frame_rows(self.market.day_frame(day).assign(date=day), names, "3")

    def is_open(self, day):
        return day in self.market.day_index

    def _factor_row(self, code, date, back):
        latest = self.market.back_factors(code)[-1][1]
        stock = self.market.by_code[code]
        return [f"{stock.exchange.lower()}.{code}", date.isoformat(), f"{back / latest:.8f}", f"{back:.8f}",
                f"{back:.8f}"]

    def factor_rows(self, code, start, end):
        if code not in self.market.by_code:
            return []
        return [self._factor_row(code, d, back) for d, back in self.market.back_factors(code)
                if start <= d.isoformat() <= end]

    def day_factor_rows(self, day):
        day = datetime.date.fromisoformat(day)
        return [self._factor_row(code, day, event.back_factor) for code, event in self.market.events_on(day)]
