from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tasks_app.labels import apply_labels

from .labels import LABELS


class MarketConfig(AppConfig):
    name = "mystocks.market"
    label = "market"
    verbose_name = _("Market data")

    def ready(self):
        apply_labels(self, LABELS)
