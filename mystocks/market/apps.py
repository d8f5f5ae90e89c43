from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "mystocks.market"
    label = "market"
    verbose_name = "Market data"
