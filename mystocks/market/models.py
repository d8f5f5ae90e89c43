"""The stock-data domain: securities, bars, statements, quotes, flows, indicators, signals, backtests.

Every table has a natural key (code + date …) enforced by a unique constraint, and every job writes
through ``storage.upsert``, so running a job twice updates rows instead of duplicating them.
Units are fixed whatever the provider: volume in shares, amounts and market values in yuan,
percentages as percent (1.5 means 1.5 %). Stock codes are the six-digit exchange code ("600000").
Prices are stored unadjusted or back-adjusted (hfq), never forward-adjusted (qfq): qfq rewrites the
whole history on every ex-dividend day, so stored qfq rows would go stale.
"""
from django.db import models


class Exchange(models.TextChoices):
    SH = "SH", "上交所"
    SZ = "SZ", "深交所"
    BJ = "BJ", "北交所"


class Adjust(models.TextChoices):
    NONE = "none", "不复权"
    HFQ = "hfq", "后复权"


class Stock(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=64)
    exchange = models.CharField(max_length=2, choices=Exchange.choices, blank=True)
    industry = models.CharField(max_length=128, blank=True)
    list_date = models.DateField(null=True, blank=True)
    delist_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, default="listed", choices=[("listed", "上市"), ("delisted", "退市")])
    source = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class DailyBar(models.Model):
    code = models.CharField(max_length=8)
    date = models.DateField()
    adjust = models.CharField(max_length=4, choices=Adjust.choices, default=Adjust.NONE)
    open = models.FloatField()
    high = models.FloatField()
    low = models.FloatField()
    close = models.FloatField()
    pre_close = models.FloatField(null=True, blank=True)
    volume = models.BigIntegerField(help_text="shares")
    amount = models.FloatField(help_text="yuan")
    turnover = models.FloatField(null=True, blank=True, help_text="%")
    pct_change = models.FloatField(null=True, blank=True, help_text="%")
    adjust_factor = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "date", "adjust"], name="market_bar_natural_key")]
        indexes = [models.Index(fields=["date"], name="market_bar_date")]

    def __str__(self):
        return f"{self.code} {self.date} {self.adjust}"


class StatementType(models.TextChoices):
    BALANCE_SHEET = "balance_sheet", "资产负债表"
    INCOME_STATEMENT = "income_statement", "利润表"
    CASH_FLOW = "cash_flow", "现金流量表"


class FinancialStatement(models.Model):
    """One statement of one stock for one report period; every reported item is kept in ``items``."""

    code = models.CharField(max_length=8)
    report_date = models.DateField()
    statement_type = models.CharField(max_length=20, choices=StatementType.choices)
    report_name = models.CharField(max_length=32, blank=True)
    notice_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    headline = models.FloatField(
        null=True, blank=True,
        help_text="total assets / net profit / operating cash flow, in yuan, by statement type",
    )
    items = models.JSONField(default=dict)
    source = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["code", "report_date", "statement_type"], name="market_statement_natural_key")]

    def __str__(self):
        return f"{self.code} {self.report_date} {self.statement_type}"


class SecurityType(models.TextChoices):
    STOCK = "stock", "股票"
    ETF = "etf", "ETF"


class RealtimeSnapshot(models.Model):
    """A spot quote as fetched at ``snapshot_at`` (the fetch minute: a re-run in the same minute updates)."""

    security_type = models.CharField(max_length=8, choices=SecurityType.choices)
    code = models.CharField(max_length=8)
    snapshot_at = models.DateTimeField()
    name = models.CharField(max_length=64, blank=True)
    price = models.FloatField(null=True, blank=True)
    pct_change = models.FloatField(null=True, blank=True)
    change = models.FloatField(null=True, blank=True)
    volume = models.BigIntegerField(null=True, blank=True, help_text="shares")
    amount = models.FloatField(null=True, blank=True, help_text="yuan")
    open = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    pre_close = models.FloatField(null=True, blank=True)
    amplitude = models.FloatField(null=True, blank=True)
    turnover = models.FloatField(null=True, blank=True)
    volume_ratio = models.FloatField(null=True, blank=True)
    pe_dynamic = models.FloatField(null=True, blank=True)
    pb = models.FloatField(null=True, blank=True)
    total_mv = models.FloatField(null=True, blank=True)
    circ_mv = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["security_type", "code", "snapshot_at"], name="market_snapshot_natural_key")]
        indexes = [models.Index(fields=["snapshot_at"], name="market_snapshot_at")]


class DragonTigerEntry(models.Model):
    """A 龙虎榜 listing: a stock can be listed several times a day, once per reason."""

    code = models.CharField(max_length=8)
    trade_date = models.DateField()
    reason = models.CharField(max_length=255)
    name = models.CharField(max_length=64, blank=True)
    interpretation = models.CharField(max_length=255, blank=True)
    close = models.FloatField(null=True, blank=True)
    pct_change = models.FloatField(null=True, blank=True)
    net_buy = models.FloatField(null=True, blank=True)
    buy_amount = models.FloatField(null=True, blank=True)
    sell_amount = models.FloatField(null=True, blank=True)
    deal_amount = models.FloatField(null=True, blank=True)
    market_amount = models.FloatField(null=True, blank=True)
    net_buy_ratio = models.FloatField(null=True, blank=True)
    deal_ratio = models.FloatField(null=True, blank=True)
    turnover = models.FloatField(null=True, blank=True)
    circ_mv = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["code", "trade_date", "reason"], name="market_lhb_natural_key")]


class FlowType(models.TextChoices):
    STOCK = "stock", "个股"
    SECTOR = "sector", "行业"
    CONCEPT = "concept", "概念"


class CapitalFlow(models.Model):
    """Net inflow by order size for a stock, an industry or a concept board on one trading day.

    ``code`` is the stock code, or the board's name for sectors and concepts (the rank lists give no code).
    """

    flow_type = models.CharField(max_length=8, choices=FlowType.choices)
    code = models.CharField(max_length=64)
    trade_date = models.DateField()
    name = models.CharField(max_length=64, blank=True)
    price = models.FloatField(null=True, blank=True)
    pct_change = models.FloatField(null=True, blank=True)
    main_net = models.FloatField(null=True, blank=True)
    main_ratio = models.FloatField(null=True, blank=True)
    super_large_net = models.FloatField(null=True, blank=True)
    super_large_ratio = models.FloatField(null=True, blank=True)
    large_net = models.FloatField(null=True, blank=True)
    large_ratio = models.FloatField(null=True, blank=True)
    medium_net = models.FloatField(null=True, blank=True)
    medium_ratio = models.FloatField(null=True, blank=True)
    small_net = models.FloatField(null=True, blank=True)
    small_ratio = models.FloatField(null=True, blank=True)
    top_stock = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["flow_type", "code", "trade_date"], name="market_flow_natural_key")]


class Period(models.TextChoices):
    DAILY = "daily", "日线"
    WEEKLY = "weekly", "周线"


class IndicatorValue(models.Model):
    """TongDaXin-convention indicators of one stock on one bar (see ``indicators``); null = not computed."""

    code = models.CharField(max_length=8)
    date = models.DateField()
    period = models.CharField(max_length=8, choices=Period.choices)
    ma5 = models.FloatField(null=True, blank=True)
    ma10 = models.FloatField(null=True, blank=True)
    ma20 = models.FloatField(null=True, blank=True)
    ma60 = models.FloatField(null=True, blank=True)
    ema12 = models.FloatField(null=True, blank=True)
    ema26 = models.FloatField(null=True, blank=True)
    macd_dif = models.FloatField(null=True, blank=True)
    macd_dea = models.FloatField(null=True, blank=True)
    macd_bar = models.FloatField(null=True, blank=True)
    kdj_k = models.FloatField(null=True, blank=True)
    kdj_d = models.FloatField(null=True, blank=True)
    kdj_j = models.FloatField(null=True, blank=True)
    rsi6 = models.FloatField(null=True, blank=True)
    rsi12 = models.FloatField(null=True, blank=True)
    rsi24 = models.FloatField(null=True, blank=True)
    boll_upper = models.FloatField(null=True, blank=True)
    boll_mid = models.FloatField(null=True, blank=True)
    boll_lower = models.FloatField(null=True, blank=True)
    atr14 = models.FloatField(null=True, blank=True)
    cci14 = models.FloatField(null=True, blank=True)
    wr10 = models.FloatField(null=True, blank=True)
    wr6 = models.FloatField(null=True, blank=True)
    obv = models.FloatField(null=True, blank=True)
    maobv = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["code", "date", "period"], name="market_indicator_natural_key")]
        indexes = [models.Index(fields=["period", "date"], name="market_indicator_day")]


class StrategySignal(models.Model):
    strategy = models.CharField(max_length=32)
    code = models.CharField(max_length=8)
    date = models.DateField()
    side = models.CharField(max_length=4, choices=[("buy", "买入"), ("sell", "卖出")])
    close = models.FloatField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["strategy", "code", "date"], name="market_signal_natural_key")]
        indexes = [models.Index(fields=["date", "strategy"], name="market_signal_day")]


class BacktestRun(models.Model):
    """One backtest; ``run_key`` hashes its inputs, so re-running the same backtest replaces it."""

    run_key = models.CharField(max_length=64, unique=True)
    strategy_id = models.CharField(max_length=32)
    start_date = models.DateField()
    end_date = models.DateField()
    initial_capital = models.FloatField()
    symbols = models.JSONField(default=list, blank=True)
    final_equity = models.FloatField(null=True)
    total_return = models.FloatField(null=True)
    annual_return = models.FloatField(null=True)
    max_drawdown = models.FloatField(null=True)
    sharpe = models.FloatField(null=True)
    win_rate = models.FloatField(null=True)
    trade_count = models.IntegerField(default=0)
    equity_curve = models.JSONField(default=list, blank=True, help_text="[[date, equity], …]")
    metrics = models.JSONField(default=dict, blank=True)
    execution_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.strategy_id} {self.start_date}…{self.end_date}"


class BacktestTrade(models.Model):
    run = models.ForeignKey(BacktestRun, on_delete=models.CASCADE, related_name="trades")
    seq = models.IntegerField()
    date = models.DateField()
    code = models.CharField(max_length=8)
    side = models.CharField(max_length=4)
    price = models.FloatField()
    shares = models.IntegerField()
    amount = models.FloatField()
    commission = models.FloatField()
    stamp_duty = models.FloatField(default=0)
    pnl = models.FloatField(null=True, blank=True, help_text="realised, on sells, after fees")

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="market_trade_natural_key")]


class AdjustFactor(models.Model):
    """A stock's cumulative adjustment factors from an ex-rights date (``date``) until its next one.

    ``back_factor`` is the cumulative back-adjustment (hfq) factor: 1.0 before the first ex-rights event,
    multiplied at every event. hfq price = raw × back_factor(date); qfq price = raw × back_factor(date) /
    back_factor(latest). Deriving qfq from the stored raw bars and these rows on read means a new ex-date
    re-bases the whole history without re-downloading it. ``fore_factor`` is the provider's own qfq factor
    (as of the day it was fetched), kept for cross-checks only.
    """

    code = models.CharField(max_length=8)
    date = models.DateField(help_text="ex-rights date from which the factor applies")
    back_factor = models.FloatField()
    fore_factor = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "date"], name="market_factor_natural_key")]

    def __str__(self):
        return f"{self.code} {self.date} {self.back_factor}"


class CorporateAction(models.Model):
    """An ex-rights / ex-dividend event, per share held before it (10送10 = bonus_ratio 1.0).

    ``cash_dividend`` is yuan per share before tax; ``bonus_ratio`` shares received per share (送股 + 转增);
    ``rights_ratio`` rights shares offered per share at ``rights_price`` yuan.
    """

    code = models.CharField(max_length=8)
    ex_date = models.DateField()
    cash_dividend = models.FloatField(default=0)
    bonus_ratio = models.FloatField(default=0)
    rights_ratio = models.FloatField(default=0)
    rights_price = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "ex_date"], name="market_action_natural_key")]

    def __str__(self):
        return f"{self.code} {self.ex_date}"


class StockStatusPeriod(models.Model):
    """A period in which a stock traded under special treatment (ST / *ST), from ``start`` to ``end``
    inclusive (``end`` null = still in force). Limit prices depend on it, by date."""

    code = models.CharField(max_length=8)
    status = models.CharField(max_length=4, choices=[("ST", "ST"), ("*ST", "*ST")])
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "start"], name="market_st_natural_key")]
        ordering = ["code", "start"]

    def __str__(self):
        return f"{self.code} {self.status} {self.start}…{self.end or ''}"


class SyncMark(models.Model):
    """How far a sync has got for one unit, so a re-run neither refetches nor misses it.

    ``scope`` names the sync ("bars", "statements:balance_sheet", "factors" …) and ``key`` the unit
    (a stock code, a report period, a day). ``done_through``: the last date the unit is known to be
    fetched through, rows or not (a suspended stock's empty days count); ``complete``: nothing more
    will ever come for the unit (a report period past its disclosure deadline, fetched after it).
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    done_through = models.DateField(null=True, blank=True)
    complete = models.BooleanField(default=False)
    fetched_at = models.DateTimeField(null=True, blank=True)
    rows = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="market_syncmark_natural_key")]

    def __str__(self):
        return f"{self.scope} {self.key} {self.done_through or ''}{' complete' if self.complete else ''}"
