"""The names the admin shows for the market models and fields: English here, zh-hans in locale/
(see ``tasks_app.labels``, which applies them when the app is ready)."""
from django.utils.translation import gettext_lazy as _

LABELS = {
    "Stock": (_("stock"), _("stocks"), {
        "code": _("code"), "name": _("name"), "source": _("source"), "updated_at": _("updated at"),
        "status": _("status"), "exchange": _("exchange"), "industry": _("industry"), "list_date": _("listing date"),
        "delist_date": _("delisting date"),
    }),
    "DailyBar": (_("daily bar"), _("daily bars"), {
        "code": _("code"), "date": _("date"), "open": _("open"), "high": _("high"), "low": _("low"),
        "close": _("close"), "pre_close": _("previous close"), "volume": _("volume (shares)"),
        "amount": _("amount (yuan)"), "turnover": _("turnover (%)"), "pct_change": _("change (%)"),
        "source": _("source"), "adjust": _("adjustment"), "adjust_factor": _("adjustment factor"),
    }),
    "FinancialStatement": (_("financial statement"), _("financial statements"), {
        "code": _("code"), "source": _("source"), "report_date": _("report date"),
        "statement_type": _("statement type"), "report_name": _("report name"), "notice_date": _("notice date"),
        "currency": _("currency"), "headline": _("headline figure"), "items": _("items"),
    }),
    "RealtimeSnapshot": (_("realtime quote"), _("realtime quotes"), {
        "code": _("code"), "name": _("name"), "price": _("price"), "pct_change": _("change (%)"),
        "volume": _("volume (shares)"), "amount": _("amount (yuan)"), "open": _("open"), "high": _("high"),
        "low": _("low"), "pre_close": _("previous close"), "turnover": _("turnover (%)"),
        "circ_mv": _("circulating market value"), "security_type": _("security type"),
        "snapshot_at": _("snapshot at"), "change": _("change"), "amplitude": _("amplitude (%)"),
        "volume_ratio": _("volume ratio"), "pe_dynamic": _("P/E (dynamic)"), "pb": _("P/B"),
        "total_mv": _("total market value"),
    }),
    "DragonTigerEntry": (_("dragon-tiger list entry"), _("dragon-tiger list entries"), {
        "code": _("code"), "trade_date": _("trade date"), "name": _("name"), "close": _("close"),
        "pct_change": _("change (%)"), "turnover": _("turnover (%)"), "circ_mv": _("circulating market value"),
        "reason": _("reason"), "interpretation": _("interpretation"), "net_buy": _("net buy"),
        "buy_amount": _("buy amount"), "sell_amount": _("sell amount"), "deal_amount": _("deal amount"),
        "market_amount": _("market amount"), "net_buy_ratio": _("net buy ratio (%)"),
        "deal_ratio": _("deal ratio (%)"),
    }),
    "CapitalFlow": (_("capital flow"), _("capital flows"), {
        "code": _("code"), "trade_date": _("trade date"), "name": _("name"), "price": _("price"),
        "pct_change": _("change (%)"), "flow_type": _("flow type"), "main_net": _("main net inflow"),
        "main_ratio": _("main net ratio (%)"), "super_large_net": _("super-large net inflow"),
        "super_large_ratio": _("super-large ratio (%)"), "large_net": _("large net inflow"),
        "large_ratio": _("large ratio (%)"), "medium_net": _("medium net inflow"),
        "medium_ratio": _("medium ratio (%)"), "small_net": _("small net inflow"),
        "small_ratio": _("small ratio (%)"), "top_stock": _("top stock"),
    }),
    "IndicatorValue": (_("indicator value"), _("indicator values"), {
        "code": _("code"), "date": _("date"), "period": _("period"), "ma5": _("MA5"), "ma10": _("MA10"),
        "ma20": _("MA20"), "ma60": _("MA60"), "ema12": _("EMA12"), "ema26": _("EMA26"), "macd_dif": _("MACD DIF"),
        "macd_dea": _("MACD DEA"), "macd_bar": _("MACD BAR"), "kdj_k": _("KDJ K"), "kdj_d": _("KDJ D"),
        "kdj_j": _("KDJ J"), "rsi6": _("RSI6"), "rsi12": _("RSI12"), "rsi24": _("RSI24"),
        "boll_upper": _("BOLL UPPER"), "boll_mid": _("BOLL MID"), "boll_lower": _("BOLL LOWER"), "atr14": _("ATR14"),
        "cci14": _("CCI14"), "wr10": _("WR10"), "wr6": _("WR6"), "obv": _("OBV"), "maobv": _("MAOBV"),
    }),
    "StrategySignal": (_("strategy signal"), _("strategy signals"), {
        "code": _("code"), "date": _("date"), "side": _("side"), "close": _("close"), "detail": _("detail"),
        "strategy": _("strategy"),
    }),
    "BacktestRun": (_("backtest"), _("backtests"), {
        "created_at": _("created at"), "updated_at": _("updated at"), "run_key": _("run key"),
        "strategy_id": _("strategy"), "start_date": _("start date"), "end_date": _("end date"),
        "initial_capital": _("initial capital"), "symbols": _("symbols"), "final_equity": _("final equity"),
        "total_return": _("total return"), "annual_return": _("annual return"), "max_drawdown": _("max drawdown"),
        "sharpe": _("Sharpe ratio"), "win_rate": _("win rate"), "trade_count": _("trades"),
        "equity_curve": _("equity curve"), "metrics": _("metrics"), "execution_id": _("execution ID"),
    }),
    "BacktestTrade": (_("backtest trade"), _("backtest trades"), {
        "code": _("code"), "date": _("date"), "side": _("side"), "price": _("price"), "run": _("backtest"),
        "seq": _("number"), "shares": _("shares"), "amount": _("value (yuan)"), "commission": _("commission"),
        "stamp_duty": _("stamp duty"), "pnl": _("profit and loss"), "transfer_fee": _("transfer fee"),
    }),
    "AdjustFactor": (_("adjustment factor"), _("adjustment factors"), {
        "code": _("code"), "date": _("date"), "source": _("source"), "updated_at": _("updated at"),
        "back_factor": _("back-adjustment factor"), "fore_factor": _("forward-adjustment factor"),
    }),
    "CorporateAction": (_("ex-rights event"), _("ex-rights events"), {
        "code": _("code"), "source": _("source"), "ex_date": _("ex-date"),
        "cash_dividend": _("cash dividend per share"), "bonus_ratio": _("bonus shares per share"),
        "rights_ratio": _("rights shares per share"), "rights_price": _("rights price"),
    }),
    "StockStatusPeriod": (_("ST period"), _("ST periods"), {
        "code": _("code"), "status": _("status"), "start": _("start"), "end": _("end"), "source": _("source"),
    }),
    "IndicatorBasis": (_("indicator basis"), _("indicator bases"), {
        "code": _("code"), "period": _("period"), "adjust": _("adjustment"),
        "factor_digest": _("factor digest"), "updated_at": _("updated at"),
    }),
    "PatternHit": (_("candlestick pattern hit"), _("candlestick pattern hits"), {
        "code": _("code"), "date": _("date"), "period": _("period"), "pattern": _("pattern"), "value": _("value"),
    }),
    "SignalReturn": (_("signal follow-up return"), _("signal follow-up returns"), {
        "strategy": _("strategy"), "code": _("code"), "date": _("date"), "basis": _("entry basis"),
        "side": _("side"), "entry_date": _("entry date"), "entry_price": _("entry price"),
    }),
    "CoverageDay": (_("coverage by day"), _("coverage by day"), {
        "dataset": _("dataset"), "date": _("date"), "stocks": _("stocks"), "rows": _("rows"),
        "updated_at": _("updated at"),
    }),
    "CoverageStock": (_("coverage by stock"), _("coverage by stock"), {
        "dataset": _("dataset"), "code": _("code"), "first_date": _("first date"), "last_date": _("last date"),
    }),
    "SyncMark": (_("sync mark"), _("sync marks"), {
        "scope": _("scope"), "key": _("key"), "done_through": _("done through"), "complete": _("complete"),
        "fetched_at": _("fetched at"), "rows": _("rows"),
    }),
}
