"""The engine's own source says nothing about the stock market: its task types, calendar seed and
data providers belong to the app that registers them (``mystocks.market``). Tests, migrations and
translations are left out: they may name the project's data."""
import re
from pathlib import Path

import tasks_app

ENGINE = Path(tasks_app.__file__).parent
ENGINE_TEMPLATES = ENGINE.parent / "templates" / "pages"  # the engine's pages, kept with the project's templates
LEFT_OUT = {"tests", "migrations", "locale"}
# Providers, the market and its securities, its place (a word list, kept small and honest).
DOMAIN_WORDS = re.compile(
    r"\b(akshare|baostock|tushare|eastmoney|a-shares?|stocks?|equit(?:y|ies)|shanghai|shenzhen)\b|股|行情",
    re.IGNORECASE,
)


def _engine_files():
    for path in sorted(ENGINE.rglob("*")):
        if path.suffix in (".py", ".html", ".txt") and not LEFT_OUT & set(path.relative_to(ENGINE).parts):
            yield path
    yield from sorted(ENGINE_TEMPLATES.rglob("*.html"))


def test_the_engine_source_names_no_stock_market_words():
    hits = [
        f"{path.relative_to(ENGINE.parent)}:{number}: {line.strip()}"
        for path in _engine_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if DOMAIN_WORDS.search(line)
    ]
    assert hits == []


def test_the_word_list_catches_what_it_is_for():
    for text in ("akshare's calendar file", "the A-share market", "A-shares", "Stocks", "同步股票", "行情获取",
                 "Asia/Shanghai", "equity curve", "baostock"):
        assert DOMAIN_WORDS.search(text), text
    for text in ("missed slots", "the standard transport", "restocking", "Kombu's filesystem transport"):
        assert not DOMAIN_WORDS.search(text), text
    assert len(list(_engine_files())) > 50  # the scan does read the engine
