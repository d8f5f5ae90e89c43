from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tasks_app.labels import apply_labels

from .calendar_seed import bundled_calendar
from .labels import LABELS


class MarketConfig(AppConfig):
    name = "mystocks.market"
    label = "market"
    verbose_name = _("Market data")

    def ready(self):
        # The engine's calendar is loaded with its models, so it is imported only now.
        from tasks_app import calendar

        apply_labels(self, LABELS)
        calendar.register_seed(bundled_calendar)
