"""A baostock server on 127.0.0.1 that the real baostock client (0.9.4) talks to in tests.

Wire format, from the client source (``baostock/util/socketutil.py``, ``data/resultset.py``):
- request: one line ``HEADER + BODY + "\\x01" + crc32(HEADER+BODY) + "\\n"``, HEADER being
  ``"00.9.40" \\x01 TYPE(2) \\x01 len(BODY)(10 digits)`` (21 chars), BODY fields joined by \\x01;
- reply: ends with ``<![CDATA[]]>\\n`` (the client reads until it sees it). Types 96/99/9B/9D carry a
  zlib-compressed body, HEADER's length being the compressed size; the others are plain text,
  where the client drops the last character, so a throw-away ``\\x01CRC`` field ends the body;
- paged bodies: ``err, msg, method, user, page, per_page, {"record": [[...]]}, <echoed args>, fields``.
  The client asks for page n+1 only after a page of exactly 2,000 rows.

The market it serves is a ``FakeMarket``: stocks, bars per code and open days. ``behaviour`` makes
it misbehave: "silent" accepts and never answers, "close" hangs up after reading the first request.
"""
import datetime
import json
import socketserver
import threading
import zlib
from dataclasses import dataclass, field

SPLIT = "\x01"
END = b"<![CDATA[]]>\n"
VERSION = "00.9.40"
COMPRESSED = ("96", "99", "9B", "9D")
PAGE = 2000
DAILY_FIELDS = ("date,code,open,high,low,close,preclose,volume,amount,adjustflag,turn,tradestatus,"
                "pctChg,peTTM,pbMRQ,psTTM,pcfNcfTTM,isST")


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


def header(msg_type, length):
    return f"{VERSION}{SPLIT}{msg_type}{SPLIT}{length:010d}"


def reply(msg_type, fields):
    body = SPLIT.join(fields)
    if msg_type in COMPRESSED:
        packed = zlib.compress((body + "\n").encode("utf-8"))
        return header(msg_type, len(packed)).encode() + packed + END
    head = header(msg_type, len(body))
    crc = zlib.crc32((head + body).encode("utf-8"))
    return f"{head}{body}{SPLIT}{crc}".encode("utf-8") + END


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

    def __init__(self, market=None, behaviour="normal", silence=30):
        super().__init__(("127.0.0.1", 0), Handler)
        self.market = market or FakeMarket()
        self.behaviour = behaviour
        self.silence = silence
        self.requests = []
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
        rows = [self.bar_row(bar, names, adjust) for bar in self.market.bars.get(code.split(".")[1], [])
                if start <= bar["date"] <= end]
        return self.paged("96", f, rows, f[4:10], fields)

    def on_98(self, f):  # query_daily_history_k_AStock: date (one reply, no paging)
        names = DAILY_FIELDS.split(",")
        rows = [self.bar_row(bar, names, "3") for bars in self.market.bars.values() for bar in bars
                if bar["date"] == f[2]]
        return reply("99", ["0", "success", f[0], f[1], json.dumps({"record": rows}), DAILY_FIELDS])

    def on_33(self, f):  # query_trade_dates: start, end
        day, end = datetime.date.fromisoformat(f[4]), datetime.date.fromisoformat(f[5])
        rows = []
        while day <= end:
            rows.append([day.isoformat(), "1" if day in self.market.open_days else "0"])
            day += datetime.timedelta(days=1)
        return self.paged("34", f, rows, f[4:6], "calendar_date,is_trading_day")

    def on_45(self, f):  # query_stock_basic: code, code_name
        rows = [list(s[:6]) for s in self.market.stocks if not f[4] or s[0] == f[4]]
        return self.paged("46", f, rows, f[4:6], "code,code_name,ipoDate,outDate,type,status")

    def on_59(self, f):  # query_stock_industry: code, date
        rows = [["2024-01-02", s[0], s[1], s[6], "证监会行业分类"] for s in self.market.stocks if s[4] == "1"]
        return self.paged("60", f, rows, f[4:6], "updateDate,code,code_name,industry,industryClassification")

    def bar_row(self, bar, names, adjust):
        scale = self.market.hfq_factor if adjust == "1" else 1.0
        values = dict(bar, adjustflag=adjust)
        for key in ("open", "high", "low", "close", "preclose"):
            values[key] = f"{float(bar[key]) * scale:.4f}"
        return [str(values.get(name, "")) for name in names]


def point_baostock_at(port, host="127.0.0.1"):
    """Aim the real client at ``host:port``; it reads these constants on every connect()."""
    import baostock.common.contants as cons

    cons.BAOSTOCK_SERVER_IP = host
    cons.BAOSTOCK_VIP_SERVER_IP = host
    cons.BAOSTOCK_SERVER_PORT = port
