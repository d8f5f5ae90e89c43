"""The market's choice labels (exchange, adjustment, statement type, period, side …) are English
msgids with their Chinese in locale/: an English user sees English, a Chinese user the old Chinese."""
import datetime
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from tasks_app.api.testing import make_user

from ..models import FinancialStatement, Stock

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
SAME_IN_BOTH = {"ETF", "ST", "*ST"}


def test_every_market_choice_label_is_english_with_a_chinese_translation():
    labels = [
        (f"{model.__name__}.{field.name}={value}", label)
        for model in apps.get_app_config("market").get_models() for field in model._meta.get_fields()
        for value, label in getattr(field, "flatchoices", None) or ()
    ]
    assert len(labels) > 20
    with translation.override("en"):
        chinese_in_english = [name for name, label in labels if CJK.search(str(label))]
    with translation.override("zh-hans"):
        untranslated = [name for name, label in labels if str(label) not in SAME_IN_BOTH and not CJK.search(str(label))]
    assert chinese_in_english == [] and untranslated == []


@pytest.fixture
def stock():
    FinancialStatement.objects.create(code="600000", report_date=datetime.date(2026, 6, 30),
                                      statement_type="balance_sheet", headline=1.0e9, items={})
    return Stock.objects.create(code="600000", name="Pufa Bank", exchange="SH", status="listed")


@pytest.mark.parametrize("language, exchange, statement", [
    ("en", "Shanghai Stock Exchange", "Balance sheet"), ("zh-hans", "上交所", "资产负债表"),
])
def test_the_stock_page_names_the_exchange_and_statements_in_the_language(client, stock, language, exchange,
                                                                          statement):
    client.force_login(make_user("viewer"))
    html = client.get(reverse("market:stock_detail", args=[stock.code]), HTTP_ACCEPT_LANGUAGE=language)
    assert html.status_code == 200
    html = html.content.decode()
    assert f"<td>{exchange}</td>" in html and f"<td>{statement}</td>" in html


@pytest.mark.parametrize("language, exchange, listed", [("en", "Shanghai Stock Exchange", "Listed"),
                                                        ("zh-hans", "上交所", "上市")])
def test_the_stock_admin_list_and_filters_use_the_language(admin_client, stock, language, exchange, listed):
    html = admin_client.get(reverse("admin:market_stock_changelist"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<td class="field-exchange">{exchange}</td>' in html
    assert f'<td class="field-status">{listed}</td>' in html and f'status__exact=listed">{listed}</a>' in html
