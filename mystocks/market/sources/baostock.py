"""baostock (its own TCP protocol) as DataFrames with English columns and fixed units.

Traps handled here (see the research notes):
- One socket and one login live in module globals of baostock: every use holds ``_lock``.
- baostock sets no socket timeout (a silent server hangs it forever) and busy-loops when the
  server closes the connection (``recv`` returns b"" and it keeps reading). Its ``send_msg`` is
  replaced by ``_send_msg``: the same framing, with a timeout and a clear error on a closed socket.
- ``ResultData.get_data()`` crashes on results longer than one 2,000-row page on pandas >= 2;
  rows are read with ``next()``/``get_row_data()`` instead, and a failed later page is an error,
  not a silently short result.
- Every value arrives as a string; "" means missing. Volume is in shares, amount in yuan already.
- A result longer than 2,000 rows is fetched page by page inside one baostock call: the rate limit
  is applied to every message sent (``_send_msg``), not once per call.
"""
import contextlib
import io
import socket
import threading
import zlib

import baostock
import baostock.common.contants as cons
import baostock.common.context as context
import baostock.util.socketutil as socketutil
import pandas as pd

from .base import RateLimiter, SourceError, TransientError, call, exchange_of, timeout

NAME = "baostock"
limiter = RateLimiter(NAME)
_lock = threading.RLock()
_session = {"logged_in": False}
_END_MARKER = b"<![CDATA[]]>\n"
# Error codes meaning "log in again and retry": not logged in, and the 10002xxx network family.
_RELOGIN_CODES = ("10001001",)
_NETWORK_PREFIX = "10002"
_SESSION_TYPES = ("00", "02")  # login, logout: not rate-limited

K_FIELDS = "date,code,open,high,low,close,preclose,volume,amount,adjustflag,turn,tradestatus,pctChg,isST"
_ADJUST_FLAG = {"none": "3", "hfq": "1"}
BAR_COLUMNS = ["code", "date", "open", "high", "low", "close", "pre_close", "volume", "amount",
               "turnover", "pct_change"]


class _NoWait:
    """``call`` waits before ``attempt``; here the wait is per message, in ``_send_msg``."""

    name = NAME

    @staticmethod
    def wait():
        return None


class WireError(OSError):
    """The baostock server went silent or closed the connection."""


def _send_msg(msg):
    """baostock's ``socketutil.send_msg`` with a receive timeout and an error on a closed connection."""
    sock = getattr(context, "default_socket", None)
    if sock is None:
        raise WireError("baostock: not connected")
    if msg[8:10] not in _SESSION_TYPES:
        limiter.wait()  # every query and every further page of one, not the login
    sock.settimeout(timeout())
    sock.sendall((msg + "\n").encode("utf-8"))
    received = bytearray()
    while not received.endswith(_END_MARKER):
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            raise WireError(f"baostock server sent nothing for {timeout():.0f}s") from None
        if not chunk:
            raise WireError("baostock server closed the connection")
        received += chunk
    header = bytes(received[:cons.MESSAGE_HEADER_LENGTH]).decode()
    msg_type, length = header.split(cons.MESSAGE_SPLIT)[1:3]
    if msg_type in cons.COMPRESSED_MESSAGE_TYPE_TUPLE:
        start = cons.MESSAGE_HEADER_LENGTH
        return header + zlib.decompress(bytes(received[start:start + int(length)])).decode()
    return bytes(received).decode()


def _baostock():
    if socketutil.send_msg is not _send_msg:
        socketutil.send_msg = _send_msg
    return baostock


def _login(bs):
    if _session["logged_in"]:
        return
    previous = socket.getdefaulttimeout()
    # baostock creates its socket inside login(); the default timeout bounds its connect().
    socket.setdefaulttimeout(timeout())
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # baostock prints instead of raising
            result = bs.login()
    except OSError as exc:
        # baostock swallows the failed connect() and then writes to an unconnected socket.
        raise WireError(f"login failed, cannot reach {cons.BAOSTOCK_SERVER_IP}:{cons.BAOSTOCK_SERVER_PORT} "
                        f"({type(exc).__name__}: {exc})") from exc
    finally:
        socket.setdefaulttimeout(previous)
    if result.error_code != "0":
        raise TransientError(f"baostock login failed: {result.error_code} {result.error_msg}")
    _session["logged_in"] = True


def logout():
    """Close the session (jobs call this when done, so no idle socket outlives the run)."""
    with _lock:
        if not _session["logged_in"]:
            return
        _session["logged_in"] = False
        bs = _baostock()
        with contextlib.suppress(OSError), contextlib.redirect_stdout(io.StringIO()):
            bs.logout()


def _drop_session():
    _session["logged_in"] = False
    sock = getattr(context, "default_socket", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.close()
        context.default_socket = None


def _check(result, what):
    code = result.error_code
    if code == "0":
        return
    message = f"baostock {what}: {code} {result.error_msg}"
    if code in _RELOGIN_CODES or code.startswith(_NETWORK_PREFIX):
        _drop_session()
        raise TransientError(message)
    raise SourceError(message)


def _rows(result, what):
    _check(result, what)
    rows = []
    while result.next():
        rows.append(result.get_row_data())
    _check(result, what)  # a later page that failed ends next() early: not a short answer
    return pd.DataFrame(rows, columns=result.fields or None)


def query(fn_name, *args, **kwargs):
    """Call ``baostock.<fn_name>`` logged in, rate-limited and retried; all rows as a str DataFrame."""

    def attempt():
        bs = _baostock()
        try:
            _login(bs)
            with contextlib.redirect_stdout(io.StringIO()):
                return _rows(getattr(bs, fn_name)(*args, **kwargs), fn_name)
        except WireError as exc:
            _drop_session()
            raise TransientError(f"baostock {fn_name}: {exc}") from exc
        except OSError as exc:
            _drop_session()
            raise TransientError(f"baostock {fn_name}: {type(exc).__name__}: {exc}") from exc

    with _lock:
        return call(_NoWait, attempt, what=fn_name)


def _code(code):
    return f"{exchange_of(code).lower()}.{code}"


def _numbers(frame, columns):
    for column in columns:
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce")
    return frame


def _bars(raw):
    if raw.empty:
        return pd.DataFrame(columns=BAR_COLUMNS)
    raw = raw[raw["tradestatus"] != "0"] if "tradestatus" in raw else raw  # 0 = suspended: no real bar
    frame = pd.DataFrame({
        "code": raw["code"].str.split(".").str[1], "date": pd.to_datetime(raw["date"]).dt.date,
        "open": raw["open"], "high": raw["high"], "low": raw["low"], "close": raw["close"],
        "pre_close": raw["preclose"], "volume": raw["volume"], "amount": raw["amount"],
        "turnover": raw["turn"], "pct_change": raw["pctChg"],
    })
    frame = _numbers(frame, BAR_COLUMNS[2:])
    frame["volume"] = frame["volume"].round().astype("Int64")
    if "isST" in raw:
        frame["st"] = (raw["isST"] == "1").to_numpy()
    return frame


def daily_bars(code, start, end, *, adjust="none"):
    """Daily bars of one stock between ``start`` and ``end`` (inclusive); columns as akshare's."""
    raw = query("query_history_k_data_plus", _code(code), K_FIELDS, start_date=str(start), end_date=str(end),
                frequency="d", adjustflag=_ADJUST_FLAG[adjust])
    return _bars(raw)


def daily_bars_for_day(day):
    """Unadjusted bars of every A-share on one day, in one call (baostock >= 0.9)."""
    return _bars(query("query_daily_history_k_AStock", date=str(day)))


FACTOR_COLUMNS = ["code", "date", "fore_factor", "back_factor"]


def _factors(raw):
    if raw.empty:
        return pd.DataFrame(columns=FACTOR_COLUMNS)
    frame = pd.DataFrame({
        "code": raw["code"].str.split(".").str[1], "date": pd.to_datetime(raw["dividOperateDate"]).dt.date,
        "fore_factor": raw["foreAdjustFactor"], "back_factor": raw["backAdjustFactor"],
    })
    return _numbers(frame, ["fore_factor", "back_factor"]).dropna(subset=["back_factor"])


def adjust_factors(code, start, end):
    """One stock's factor rows (one per ex-rights date) between two dates: code, date, fore_factor,
    back_factor (baostock's cumulative hfq factor, 1.0 at listing)."""
    return _factors(query("query_adjust_factor", _code(code), start_date=str(start), end_date=str(end)))


def adjust_factors_for_day(day):
    """The factor rows of every stock with an ex-rights date on ``day``, in one call (baostock >= 0.9)."""
    return _factors(query("query_daily_adjust_factor", date=str(day)))


def industries():
    """{code: CSRC industry} of every stock, in one call."""
    raw = query("query_stock_industry")
    if raw.empty:
        return {}
    return dict(zip(raw["code"].str.split(".").str[1], raw["industry"]))


def stock_list(*, include_delisted=False):
    """All A-shares with CSRC industry and listing date: code, name, exchange, industry, list_date,
    delist_date, status. Indices, funds and convertibles (baostock types 2–5) are left out."""
    basic = query("query_stock_basic")
    industry = query("query_stock_industry")
    basic = basic[basic["type"] == "1"]
    if not include_delisted:
        basic = basic[basic["status"] == "1"]
    industries = dict(zip(industry.get("code", []), industry.get("industry", [])))
    frame = pd.DataFrame({
        "code": basic["code"].str.split(".").str[1], "name": basic["code_name"],
        "exchange": basic["code"].str.split(".").str[0].str.upper(),
        "industry": [industries.get(c, "") for c in basic["code"]],
        "list_date": pd.to_datetime(basic["ipoDate"].replace("", None), errors="coerce").dt.date,
        "delist_date": pd.to_datetime(basic["outDate"].replace("", None), errors="coerce").dt.date,
        "status": basic["status"].map({"1": "listed", "0": "delisted"}).fillna("listed"),
    })
    if frame.empty:
        raise SourceError("baostock: the stock list came back empty")
    return frame


def trade_calendar(start, end):
    """The open days between ``start`` and ``end`` (inclusive) as dates."""
    raw = query("query_trade_dates", start_date=str(start), end_date=str(end))
    if raw.empty:
        raise SourceError(f"baostock: no calendar days between {start} and {end}")
    return [d.date() for d in pd.to_datetime(raw.loc[raw["is_trading_day"] == "1", "calendar_date"])]

