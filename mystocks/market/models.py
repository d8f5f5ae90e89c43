"""The stock-data domain: securities, bars, statements, quotes, flows, indicators, signals, backtests.

Every table has a natural key (code + date …) enforced by a unique constraint, and every job writes
through ``storage.upsert``, so running a job twice updates rows instead of duplicating them.
Units are fixed whatever the provider: volume in shares, amounts and market values in yuan,
percentages as percent (1.5 means 1.5 %). Stock codes are the six-digit exchange code ("600000").
Prices are stored unadjusted or back-adjusted (hfq), never forward-adjusted (qfq): qfq rewrites the
whole history on every ex-dividend day, so stored qfq rows would go stale.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Exchange(models.TextChoices):
    SH = "SH", _("Shanghai Stock Exchange")
    SZ = "SZ", _("Shenzhen Stock Exchange")
    BJ = "BJ", _("Beijing Stock Exchange")


class Adjust(models.TextChoices):
    NONE = "none", _("Unadjusted")
    HFQ = "hfq", _("Back-adjusted (hfq)")


class Stock(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=64)
    exchange = models.CharField(max_length=2, choices=Exchange.choices, blank=True)
    industry = models.CharField(max_length=128, blank=True)
    list_date = models.DateField(null=True, blank=True)
    delist_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, default="listed", choices=[
        ("listed", pgettext_lazy("stock status", "Listed")), ("delisted", _("Delisted")),
    ])
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
    BALANCE_SHEET = "balance_sheet", _("Balance sheet")
    INCOME_STATEMENT = "income_statement", _("Income statement")
    CASH_FLOW = "cash_flow", _("Cash flow statement")


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
    STOCK = "stock", _("Stock")
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
    STOCK = "stock", _("Single stock")
    SECTOR = "sector", _("Industry")
    CONCEPT = "concept", _("Concept")


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
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class IndicatorValue(models.Model):
    """TongDaXin / MyTT-convention indicators of one stock on one bar (formulas in ``indicators``).

    One column per value (94), one row per stock, bar and period: the pages and the API read a
    stock's whole indicator history, or one day of the market, in one indexed query, which a long
    (code, date, name, value) table would turn into 90 rows per bar and a pivot. Null = not computed,
    or undefined there (warm-up, 0/0)."""

    code = models.CharField(max_length=8)
    date = models.DateField()
    period = models.CharField(max_length=8, choices=Period.choices)
    ma5 = models.FloatField(null=True, blank=True)
    ma10 = models.FloatField(null=True, blank=True)
    ma20 = models.FloatField(null=True, blank=True)
    ma30 = models.FloatField(null=True, blank=True)
    ma60 = models.FloatField(null=True, blank=True)
    ma120 = models.FloatField(null=True, blank=True)
    ma250 = models.FloatField(null=True, blank=True)
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
    rsi14 = models.FloatField(null=True, blank=True)
    rsi24 = models.FloatField(null=True, blank=True)
    boll_upper = models.FloatField(null=True, blank=True)
    boll_mid = models.FloatField(null=True, blank=True)
    boll_lower = models.FloatField(null=True, blank=True)
    tr = models.FloatField(null=True, blank=True)
    atr14 = models.FloatField(null=True, blank=True)
    cci14 = models.FloatField(null=True, blank=True)
    cci84 = models.FloatField(null=True, blank=True)
    wr10 = models.FloatField(null=True, blank=True)
    wr6 = models.FloatField(null=True, blank=True)
    wr14 = models.FloatField(null=True, blank=True)
    obv = models.FloatField(null=True, blank=True)
    maobv = models.FloatField(null=True, blank=True)
    trix = models.FloatField(null=True, blank=True)
    trix_ma = models.FloatField(null=True, blank=True)
    dmi_pdi = models.FloatField(null=True, blank=True)
    dmi_mdi = models.FloatField(null=True, blank=True)
    dmi_dx = models.FloatField(null=True, blank=True)
    dmi_adx = models.FloatField(null=True, blank=True)
    dmi_adxr = models.FloatField(null=True, blank=True)
    sar = models.FloatField(null=True, blank=True)
    psy = models.FloatField(null=True, blank=True)
    psy_ma = models.FloatField(null=True, blank=True)
    brar_ar = models.FloatField(null=True, blank=True)
    brar_br = models.FloatField(null=True, blank=True)
    cr = models.FloatField(null=True, blank=True)
    cr_ma1 = models.FloatField(null=True, blank=True)
    cr_ma2 = models.FloatField(null=True, blank=True)
    cr_ma3 = models.FloatField(null=True, blank=True)
    vr = models.FloatField(null=True, blank=True)
    vr_ma = models.FloatField(null=True, blank=True)
    dma_dif = models.FloatField(null=True, blank=True)
    dma_ama = models.FloatField(null=True, blank=True)
    emv = models.FloatField(null=True, blank=True)
    emv_ma = models.FloatField(null=True, blank=True)
    bias6 = models.FloatField(null=True, blank=True)
    bias12 = models.FloatField(null=True, blank=True)
    bias24 = models.FloatField(null=True, blank=True)
    mfi = models.FloatField(null=True, blank=True)
    roc = models.FloatField(null=True, blank=True)
    roc_ma = models.FloatField(null=True, blank=True)
    roc_ema = models.FloatField(null=True, blank=True)
    mtm = models.FloatField(null=True, blank=True)
    mtm_ma = models.FloatField(null=True, blank=True)
    dpo = models.FloatField(null=True, blank=True)
    dpo_ma = models.FloatField(null=True, blank=True)
    asi = models.FloatField(null=True, blank=True)
    asi_ma = models.FloatField(null=True, blank=True)
    vwma = models.FloatField(null=True, blank=True)
    ppo = models.FloatField(null=True, blank=True)
    ppo_signal = models.FloatField(null=True, blank=True)
    ppo_hist = models.FloatField(null=True, blank=True)
    stochrsi_k = models.FloatField(null=True, blank=True)
    stochrsi_d = models.FloatField(null=True, blank=True)
    ene_upper = models.FloatField(null=True, blank=True)
    ene_mid = models.FloatField(null=True, blank=True)
    ene_lower = models.FloatField(null=True, blank=True)
    bbi = models.FloatField(null=True, blank=True)
    mass = models.FloatField(null=True, blank=True)
    mass_ma = models.FloatField(null=True, blank=True)
    ktn_upper = models.FloatField(null=True, blank=True)
    ktn_mid = models.FloatField(null=True, blank=True)
    ktn_lower = models.FloatField(null=True, blank=True)
    supertrend = models.FloatField(null=True, blank=True)
    supertrend_upper = models.FloatField(null=True, blank=True)
    supertrend_lower = models.FloatField(null=True, blank=True)
    tema = models.FloatField(null=True, blank=True)
    vhf = models.FloatField(null=True, blank=True)
    rvi = models.FloatField(null=True, blank=True)
    rvi_signal = models.FloatField(null=True, blank=True)
    force2 = models.FloatField(null=True, blank=True)
    force13 = models.FloatField(null=True, blank=True)
    wt1 = models.FloatField(null=True, blank=True)
    wt2 = models.FloatField(null=True, blank=True)
    vol_ma5 = models.FloatField(null=True, blank=True)
    vol_ma10 = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["code", "date", "period"], name="market_indicator_natural_key")]
        indexes = [models.Index(fields=["period", "date"], name="market_indicator_day")]


class StrategySignal(models.Model):
    strategy = models.CharField(max_length=32)
    code = models.CharField(max_length=8)
    date = models.DateField()
    side = models.CharField(max_length=4, choices=[("buy", _("Buy")), ("sell", _("Sell"))])
    close = models.FloatField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["strategy", "code", "date"], name="market_signal_natural_key")]
        indexes = [models.Index(fields=["date", "strategy"], name="market_signal_day"),
                   models.Index(fields=["code", "date"], name="market_signal_code")]  # the stock page's markers


class ReturnBasis(models.TextChoices):
    CLOSE = "close", _("Signal-day close")
    NEXT_OPEN = "next_open", _("Next-day open")


RETURN_HORIZONS = (1, 3, 5, 10, 20, 60)


class SignalReturn(models.Model):
    """What followed a stored signal: the price change, in percent, N trading days (the stock's own
    bars) after the signal bar, for N in RETURN_HORIZONS, on adjusted prices (see ``followup``).

    Keyed like its signal (strategy, code, date) plus ``basis``, the entry: the signal day's close, or
    the next day's open (what a trader acting on an after-close signal could get). ``side`` is copied
    from the signal, so summaries need no join. A horizon not reached yet is null; ``complete`` once all
    are known, so the incremental job only revisits incomplete rows.
    """

    strategy = models.CharField(max_length=32)
    code = models.CharField(max_length=8)
    date = models.DateField(help_text="the signal's bar")
    basis = models.CharField(max_length=10, choices=ReturnBasis.choices, default=ReturnBasis.CLOSE)
    side = models.CharField(max_length=4, choices=[("buy", _("Buy")), ("sell", _("Sell"))])
    entry_date = models.DateField(null=True, blank=True)
    entry_price = models.FloatField(null=True, blank=True, help_text="adjusted, as computed")
    ret_1 = models.FloatField(null=True, blank=True, help_text="%")
    ret_3 = models.FloatField(null=True, blank=True, help_text="%")
    ret_5 = models.FloatField(null=True, blank=True, help_text="%")
    ret_10 = models.FloatField(null=True, blank=True, help_text="%")
    ret_20 = models.FloatField(null=True, blank=True, help_text="%")
    ret_60 = models.FloatField(null=True, blank=True, help_text="%")
    complete = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["strategy", "code", "date", "basis"], name="market_signal_return_key")]
        indexes = [models.Index(fields=["basis", "strategy", "date"], name="market_signal_return_day")]

    def __str__(self):
        return f"{self.strategy} {self.code} {self.date} {self.basis}"


class PatternHit(models.Model):
    """A candlestick pattern (TA-Lib's function name, e.g. CDLENGULFING) found on a stock's bar.

    ``value`` is TA-Lib's: +100 / −100 bullish / bearish, ±80 a weaker engulfing or harami, ±200 a
    confirmed hikkake. Only hits are
    stored; a bar without a row had no pattern among those that were run on it."""

    code = models.CharField(max_length=8)
    date = models.DateField()
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.DAILY)
    pattern = models.CharField(max_length=24)
    value = models.SmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["code", "date", "period", "pattern"], name="market_pattern_natural_key")]
        indexes = [models.Index(fields=["period", "date", "pattern"], name="market_pattern_day")]

    def __str__(self):
        return f"{self.code} {self.date} {self.pattern} {self.value}"


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
    transfer_fee = models.FloatField(default=0)
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


class IndicatorBasis(models.Model):
    """What a stock's stored indicator rows of one period were computed from: the price adjustment
    (qfq / hfq / none) and a digest of the stock's adjustment factors at the time.

    A new ex-date re-bases the stock's whole qfq history, so an incremental run that finds the
    digest or the adjustment changed recomputes that stock from its first bar (``compute``).
    """

    code = models.CharField(max_length=8)
    period = models.CharField(max_length=8, choices=Period.choices)
    adjust = models.CharField(max_length=4)
    factor_digest = models.CharField(max_length=16, blank=True, help_text="empty: no factors stored")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "period"], name="market_indicator_basis_key")]

    def __str__(self):
        return f"{self.code} {self.period} {self.adjust} {self.factor_digest}"


class CoverageDay(models.Model):
    """How many stocks and rows a dataset holds on one day, kept by the jobs that write it.

    A row exists once a job has written (or found nothing to write for) that day, so for datasets
    where an empty day is normal (signals, dragon-tiger) "row present, 0 stocks" means "done, none".
    ``dataset`` is a key of ``coverage.DATASETS`` ("bars:none", "signals:ma_crossover" …).
    """

    dataset = models.CharField(max_length=48)
    date = models.DateField()
    stocks = models.IntegerField(default=0)
    rows = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "date"], name="market_coverage_day_key")]
        indexes = [models.Index(fields=["date"], name="market_coverage_day_date")]


class CoverageStock(models.Model):
    """The first and last day a dataset holds for one stock: "stocks covered, since when" per dataset
    without scanning millions of rows."""

    dataset = models.CharField(max_length=48)
    code = models.CharField(max_length=64)
    first_date = models.DateField()
    last_date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "code"], name="market_coverage_stock_key")]


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
